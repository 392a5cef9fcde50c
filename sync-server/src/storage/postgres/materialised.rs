//! The materialised tables (schema 4) in PostgreSQL: rows written by the follower, read by
//! reports. The queries are SQLite's (`storage/sqlite/materialised.rs`), with text ordered
//! byte by byte whatever the database's locale, and NULLs first as SQLite sorts them.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use postgres::types::ToSql;
use postgres::{GenericClient, IsolationLevel, Row, Transaction};
use serde::de::DeserializeOwned;
use simpul_document::read::{SCORE_SLOTS, Written};
use simpul_survey::Method;
use uuid::Uuid;

use super::PostgresStorage;
use crate::export::ExportRow;
use crate::materialise::{Freshness, Materialised, Step, Touched};
use crate::model::UnitCode;
use crate::report::{
    ConflictRow, DayCount, ReportFilter, Tallies, UnitActivity, UnitScope, UnitTallies,
};
use crate::storage::Reports;
use crate::storage::shared::{
    self, SERVER_DEVICE, Source, add_group, slot_aggregates, unit_record,
};
use crate::summary::AnswerCount;
use crate::{Error, Result};

impl Reports for PostgresStorage {
    fn freshness(&self) -> Result<Freshness> {
        let row = self.client()?.query_one(
            "SELECT (SELECT watermark FROM materialised WHERE id = 1),
                    (SELECT COALESCE(MAX(seq), 0) FROM changes)",
            &[],
        )?;
        Ok(Freshness {
            watermark: count(row.get(0)),
            head: count(row.get(1)),
        })
    }

    /// Two queries in one snapshot: the documents found by the first are read whole by the
    /// second, and no change committed in between slips into the step.
    fn changed_documents(&self, after: u64, limit: usize) -> Result<Step> {
        let mut client = self.client()?;
        let mut tx = client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()?;
        let step = changed_documents(&mut tx, after, limit)?;
        tx.commit()?;
        Ok(step)
    }

    /// The watermark's compare-and-set comes first: a second node storing the same step
    /// waits for the first to commit, then finds the watermark moved and writes nothing.
    fn store_materialised(&self, rows: &[Materialised], from: u64, to: u64) -> Result<bool> {
        self.write(|tx| {
            let moved = tx.execute(
                "UPDATE materialised SET watermark = $1 WHERE id = 1 AND watermark = $2",
                &[&position(to), &position(from)],
            )?;
            if moved == 0 {
                return Ok(false);
            }
            store(tx, rows)?;
            Ok(true)
        })
    }

    fn tallies(&self, unit: &UnitCode, filter: &ReportFilter) -> Result<Tallies> {
        let mut params = Params::default();
        let scope = counted_scope(unit, filter, &mut params);
        let sql = format!(
            "SELECT r.method, {} FROM responses r WHERE {scope} GROUP BY r.method",
            slot_aggregates(SCORE_SLOTS),
        );
        let mut tallies = Tallies::default();
        for row in self.client()?.query(&sql, &params.refs())? {
            let (n, slots) = read_slots(&row, 1, SCORE_SLOTS);
            add_group(&mut tallies, row.get(0), n, slots);
        }
        Ok(tallies)
    }

    fn service_tallies(
        &self,
        unit: &UnitCode,
        filter: &ReportFilter,
    ) -> Result<Vec<(String, Tallies)>> {
        let mut params = Params::default();
        let scope = counted_scope(unit, filter, &mut params);
        let sql = format!(
            "SELECT r.service, r.method, {} FROM responses r
             WHERE {scope} AND r.service IS NOT NULL
             GROUP BY r.service, r.method ORDER BY r.service COLLATE \"C\"",
            slot_aggregates(SCORE_SLOTS),
        );
        let mut services: Vec<(String, Tallies)> = Vec::new();
        for row in self.client()?.query(&sql, &params.refs())? {
            let service: String = row.get(0);
            let (n, slots) = read_slots(&row, 2, SCORE_SLOTS);
            match services.last_mut() {
                Some((last, tallies)) if *last == service => {
                    add_group(tallies, row.get(1), n, slots)
                }
                _ => {
                    let mut tallies = Tallies::default();
                    add_group(&mut tallies, row.get(1), n, slots);
                    services.push((service, tallies));
                }
            }
        }
        Ok(services)
    }

    /// `->>` reads a value a device wrote as a number as its text, as SQLite's
    /// `json_extract` does once read back.
    fn answer_counts(
        &self,
        unit: &UnitCode,
        filter: &ReportFilter,
        item: &str,
    ) -> Result<Vec<AnswerCount>> {
        let mut params = Params::default();
        let scope = counted_scope(unit, filter, &mut params);
        let item = params.bind(item.to_string());
        let sql = format!(
            "SELECT r.form, a.items ->> {item}::text, COUNT(*)
             FROM responses r LEFT JOIN answers a ON a.response = r.id
             WHERE {scope} GROUP BY 1, 2"
        );
        Ok(self
            .client()?
            .query(&sql, &params.refs())?
            .iter()
            .map(|row| AnswerCount {
                form: row.get(0),
                value: row.get(1),
                count: count(row.get(2)),
            })
            .collect())
    }

    /// A report by period alone reads the running totals the trigger on `responses` keeps;
    /// any other filter sums the responses, and then only the score slots the units'
    /// configured forms use, unless a unit's responses follow a method with more unsur.
    fn unit_tallies(&self, scope: &UnitScope, filter: &ReportFilter) -> Result<Vec<UnitTallies>> {
        let mut client = self.client()?;
        let by_period_alone = ReportFilter {
            period: filter.period.clone(),
            ..ReportFilter::default()
        };
        if *filter == by_period_alone {
            return unit_tallies_over(&mut *client, scope, filter, Source::Totals);
        }
        let slots = configured_slots(&mut *client)?;
        let rows = unit_tallies_over(&mut *client, scope, filter, Source::Responses(slots))?;
        let fits = |method: &String| Method::parse(method).is_ok_and(|m| m.unsur().len() <= slots);
        if slots < SCORE_SLOTS && !rows.iter().all(|r| r.tallies.methods.iter().all(fits)) {
            return unit_tallies_over(&mut *client, scope, filter, Source::Responses(SCORE_SLOTS));
        }
        Ok(rows)
    }

    fn unit_activity(&self, period: Option<&str>) -> Result<Vec<UnitActivity>> {
        let mut params = Params::default();
        let sql = format!(
            "SELECT u.code, COALESCE(SUM(t.waiting), 0)::BIGINT,
                 COALESCE(SUM(t.conflicted), 0)::BIGINT
             FROM units u LEFT JOIN unit_totals t ON t.unit = u.code AND {}
             GROUP BY u.code ORDER BY u.code COLLATE \"C\"",
            in_period("t.period", period, &mut params)
        );
        Ok(self
            .client()?
            .query(&sql, &params.refs())?
            .iter()
            .map(|row| UnitActivity {
                unit: row.get(0),
                waiting: count(row.get(1)),
                conflicted: count(row.get(2)),
            })
            .collect())
    }

    fn responses_per_day(&self, period: Option<&str>) -> Result<Vec<DayCount>> {
        let mut params = Params::default();
        let sql = format!(
            "SELECT d.unit, d.day, SUM(d.n)::BIGINT FROM units u
             JOIN unit_days d ON d.unit = u.code AND {}
             WHERE d.n > 0 GROUP BY d.day, d.unit ORDER BY d.day, d.unit COLLATE \"C\"",
            in_period("d.period", period, &mut params)
        );
        Ok(self
            .client()?
            .query(&sql, &params.refs())?
            .iter()
            .map(|row| DayCount {
                unit: row.get(0),
                day: row.get::<_, NaiveDate>(1),
                n: count(row.get(2)),
            })
            .collect())
    }

    fn conflicts(
        &self,
        unit: Option<&UnitCode>,
        filter: &ReportFilter,
    ) -> Result<Vec<ConflictRow>> {
        let mut params = Params::default();
        let mut scope = String::new();
        if let Some(unit) = unit {
            scope.push_str(&format!(" AND r.unit = {}", params.bind(unit.to_string())));
        }
        if let Some(period) = &filter.period {
            scope.push_str(&format!(" AND r.period = {}", params.bind(period.clone())));
        }
        scope.push_str(&conditions(filter, false, &mut params));
        let sql = format!(
            "SELECT c.response, r.serial, c.field, c.vals::text FROM conflicts c
             JOIN responses r ON r.id = c.response
             WHERE NOT r.deleted{scope}
             ORDER BY r.serial COLLATE \"C\" NULLS FIRST, c.response, c.field COLLATE \"C\""
        );
        self.client()?
            .query(&sql, &params.refs())?
            .iter()
            .map(|row| {
                let written: Vec<Written> = stored_json("conflicting values", row.get(3))?;
                Ok(ConflictRow {
                    response: row.get(0),
                    serial: row.get(1),
                    field: row.get(2),
                    values: written.iter().map(|w| w.value.clone()).collect(),
                    written,
                })
            })
            .collect()
    }

    fn export_rows(&self, unit: &UnitCode, filter: &ReportFilter) -> Result<Vec<ExportRow>> {
        let mut params = Params::default();
        let mut scope = format!("r.unit = {}", params.bind(unit.to_string()));
        if let Some(period) = &filter.period {
            scope.push_str(&format!(" AND r.period = {}", params.bind(period.clone())));
        }
        scope.push_str(&conditions(filter, false, &mut params));
        let sql = format!(
            "SELECT r.id, r.serial, r.channel, r.status, r.unit, r.period, r.form, r.created_at,
                 r.updated_at, r.review, r.review_note, a.items::text
             FROM responses r LEFT JOIN answers a ON a.response = r.id
             WHERE {scope} AND NOT r.deleted
             ORDER BY r.created_at, r.id"
        );
        self.client()?
            .query(&sql, &params.refs())?
            .iter()
            .map(export_row)
            .collect()
    }
}

/// The changes of a step, `limit` at most after `after`, and then every change of the
/// documents they touch: two queries rather than one per document.
fn changed_documents(client: &mut impl GenericClient, after: u64, limit: usize) -> Result<Step> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let to: Option<i64> = client
        .query_one(
            "SELECT MAX(seq) FROM (SELECT seq FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2) s",
            &[&position(after), &limit],
        )?
        .get(0);
    let Some(to) = to else {
        return Ok(Step {
            documents: Vec::new(),
            to: after,
        });
    };
    let rows = client.query(
        "SELECT c.doc, c.seq, c.device, c.bytes, d.unit
         FROM changes c JOIN documents d ON d.doc = c.doc
         WHERE c.doc IN (SELECT doc FROM changes WHERE seq > $1 AND seq <= $2)
         ORDER BY c.doc, c.seq",
        &[&position(after), &to],
    )?;
    let mut documents: Vec<Touched> = Vec::new();
    for row in &rows {
        let doc: Uuid = row.get(0);
        let seq = count(row.get(1));
        if documents.last().is_none_or(|last| last.doc != doc) {
            documents.push(Touched {
                doc,
                unit: row.get(4),
                changes: Vec::new(),
                new: seq > after,
                devices: Vec::new(),
            });
        }
        let Some(touched) = documents.last_mut() else {
            continue;
        };
        let device: &str = row.get(2);
        if device != SERVER_DEVICE && !touched.devices.iter().any(|d| d == device) {
            touched.devices.push(device.to_string());
        }
        touched.changes.push(row.get(3));
    }
    Ok(Step {
        documents,
        to: count(to),
    })
}

/// Writes the rows of `rows` over what the tables held for their documents.
fn store(tx: &mut Transaction<'_>, rows: &[Materialised]) -> Result<()> {
    let config =
        tx.prepare("UPDATE units SET period = $2, population = $3, form = $4 WHERE code = $1")?;
    let forget = [
        tx.prepare("DELETE FROM answers WHERE response = $1")?,
        tx.prepare("DELETE FROM conflicts WHERE response = $1")?,
        tx.prepare("DELETE FROM responses WHERE id = $1")?,
    ];
    let slots: String = (1..=SCORE_SLOTS).map(|i| format!(", s{i}")).collect();
    let marks: String = (17..17 + SCORE_SLOTS).map(|i| format!(", ${i}")).collect();
    let response = tx.prepare(&format!(
        "INSERT INTO responses (id, unit, form, method, period, channel, serial, service,
             status, deleted, conflicts, created_at, updated_at, review, review_note,
             enumerator{slots})
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16{marks})"
    ))?;
    let answers =
        tx.prepare("INSERT INTO answers (response, items) VALUES ($1, $2::text::jsonb)")?;
    // The devices behind the response's changes, for "devices" in a report across units.
    let device = tx.prepare(
        "INSERT INTO unit_devices (unit, period, device) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING",
    )?;
    let conflict = tx.prepare(
        "INSERT INTO conflicts (response, field, vals) VALUES ($1, $2, $3::text::jsonb)",
    )?;
    for materialised in rows {
        let (doc, unit) = (&materialised.doc, materialised.unit.as_str());
        if let Some(c) = &materialised.config {
            let population = c.population.map(|p| i64::try_from(p).unwrap_or(i64::MAX));
            tx.execute(&config, &[&unit, &c.period, &population, &c.form])?;
        }
        if !materialised.new {
            for statement in &forget {
                tx.execute(statement, &[doc])?;
            }
        }
        let Some(row) = &materialised.row else {
            continue;
        };
        let r = &row.response;
        let conflicts = i32::try_from(r.conflicts.len()).unwrap_or(i32::MAX);
        let scores = row.scores.map(|s| s.map(i32::from));
        let (service, review) = (r.service(), r.review.code());
        let mut params: Vec<&(dyn ToSql + Sync)> = vec![
            doc,
            &unit,
            &r.form,
            &row.method,
            &r.period,
            &r.channel,
            &r.serial,
            &service,
            &r.status,
            &r.deleted,
            &conflicts,
            &row.created_at,
            &row.updated_at,
            &review,
            &r.review_note,
            &r.created_by,
        ];
        params.extend(scores.iter().map(|s| s as &(dyn ToSql + Sync)));
        tx.execute(&response, &params)?;
        tx.execute(&answers, &[doc, &to_json("answers", &r.answers)?])?;
        for author in &materialised.devices {
            tx.execute(&device, &[&unit, &r.period, author])?;
        }
        for (field, values) in &r.conflicts {
            tx.execute(
                &conflict,
                &[doc, field, &to_json("conflicting values", values)?],
            )?;
        }
    }
    Ok(())
}

/// Parameters of a query built piece by piece, each bound as it is written into the SQL.
#[derive(Default)]
struct Params(Vec<Box<dyn ToSql + Sync>>);

impl Params {
    /// Binds `value` and returns its placeholder.
    fn bind(&mut self, value: impl ToSql + Sync + 'static) -> String {
        self.0.push(Box::new(value));
        format!("${}", self.0.len())
    }

    fn refs(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.0.iter().map(|p| p.as_ref()).collect()
    }
}

/// Conditions on the responses table (as `r`), each starting with ` AND `: `filter`'s but its
/// period. `counted` adds what every report leaves out: drafts, deleted and rejected
/// responses.
fn conditions(filter: &ReportFilter, counted: bool, params: &mut Params) -> String {
    let mut sql = String::new();
    if counted {
        sql.push_str(" AND r.status = 'final' AND NOT r.deleted AND r.review != 'rejected'");
    }
    for (column, value) in [
        ("r.service", &filter.service),
        ("r.channel", &filter.channel),
        ("r.enumerator", &filter.enumerator),
    ] {
        if let Some(value) = value {
            sql.push_str(&format!(" AND {column} = {}", params.bind(value.clone())));
        }
    }
    let (from, to) = filter.days.millis();
    if let Some(from) = from {
        sql.push_str(&format!(" AND r.created_at >= {}", params.bind(from)));
    }
    if let Some(to) = to {
        sql.push_str(&format!(" AND r.created_at < {}", params.bind(to)));
    }
    sql
}

/// The condition, the unit's first, that selects the counted responses of `unit` that
/// `filter` names: the responses every report counts.
fn counted_scope(unit: &UnitCode, filter: &ReportFilter, params: &mut Params) -> String {
    let mut sql = format!("r.unit = {}", params.bind(unit.to_string()));
    if let Some(period) = &filter.period {
        sql.push_str(&format!(" AND r.period = {}", params.bind(period.clone())));
    }
    sql.push_str(&conditions(filter, true, params));
    sql
}

/// `column` in `period` when one is asked for; else in the unit's (`u`) active period, or in
/// any period when the unit has none configured, as a unit's own report without a period
/// counts every one.
fn in_period(column: &str, period: Option<&str>, params: &mut Params) -> String {
    match period {
        Some(period) => format!("{column} = {}", params.bind(period.to_string())),
        None => format!("{column} = COALESCE(u.period, {column})"),
    }
}

/// What [`slot_aggregates`] selects, summed from the running totals (as `r`): a unit without
/// any has NULL sums, read as nothing counted.
fn total_aggregates() -> String {
    let slots: String = (1..=SCORE_SLOTS)
        .map(|i| format!(", SUM(r.t{i})::BIGINT, COALESCE(SUM(r.a{i}), 0)::BIGINT"))
        .collect();
    format!("COALESCE(SUM(r.n), 0)::BIGINT{slots}")
}

/// Reads what [`slot_aggregates`] selects, from column `at` on.
fn read_slots(row: &Row, at: usize, read: usize) -> (u64, [(u64, u64); SCORE_SLOTS]) {
    let mut slots = [(0u64, 0u64); SCORE_SLOTS];
    for (i, slot) in slots.iter_mut().take(read).enumerate() {
        let total: Option<i64> = row.get(at + 1 + 2 * i);
        *slot = (count(total.unwrap_or(0)), count(row.get(at + 2 + 2 * i)));
    }
    (count(row.get(at)), slots)
}

/// The most unsur any unit's configured form has (nine when none is configured).
fn configured_slots(client: &mut impl GenericClient) -> Result<usize> {
    let rows = client.query(
        "SELECT DISTINCT form FROM units WHERE form IS NOT NULL",
        &[],
    )?;
    Ok(shared::configured_slots(rows.iter().map(|row| row.get(0))))
}

/// One grouped query over every listed unit: its counted responses in its period, beside
/// its last stored change and its devices. Methods come as their least and greatest (byte
/// order): two different ones mean a mixed unit.
fn unit_tallies_over(
    client: &mut impl GenericClient,
    scope: &UnitScope,
    filter: &ReportFilter,
    source: Source,
) -> Result<Vec<UnitTallies>> {
    let mut params = Params::default();
    let period = filter.period.as_deref();
    let asked = period.map(|p| params.bind(p.to_string()));
    let in_period = |column: &str| match &asked {
        Some(asked) => format!("{column} = {asked}"),
        None => format!("{column} = COALESCE(u.period, {column})"),
    };
    let (joined, aggregates, slots) = match source {
        Source::Totals => (
            format!(
                "unit_totals r ON r.unit = u.code AND {}",
                in_period("r.period")
            ),
            total_aggregates(),
            SCORE_SLOTS,
        ),
        Source::Responses(slots) => (
            format!(
                "responses r ON r.unit = u.code AND {}{}",
                in_period("r.period"),
                conditions(filter, true, &mut params)
            ),
            slot_aggregates(slots),
            slots,
        ),
    };
    // A totals row may count nothing (a unit's drafts): its method is none of the unit's.
    let method = match source {
        Source::Totals => "(CASE WHEN r.n > 0 THEN r.method END)",
        Source::Responses(_) => "r.method",
    };
    let mut listed = String::new();
    if let Some(instansi) = &scope.instansi {
        listed = format!(" WHERE u.instansi = {}", params.bind(instansi.to_string()));
    }
    let sql = format!(
        "SELECT u.code, u.name, u.instansi, {period_column}, u.population,
             (SELECT received_at FROM changes WHERE seq =
                 (SELECT MAX(seq) FROM changes WHERE unit = u.code)),
             (SELECT COUNT(DISTINCT d.device) FROM unit_devices d
                 WHERE d.unit = u.code AND {devices_period}),
             MIN({method} COLLATE \"C\"), MAX({method} COLLATE \"C\"), {aggregates}
         FROM units u LEFT JOIN {joined}{listed}
         GROUP BY u.code
         ORDER BY u.instansi IS NULL, u.instansi COLLATE \"C\", u.code COLLATE \"C\"",
        period_column = match &asked {
            Some(asked) => format!("{asked}::text"),
            None => "u.period".to_string(),
        },
        devices_period = in_period("d.period"),
    );
    client
        .query(&sql, &params.refs())?
        .iter()
        .map(|row| unit_tallies_row(row, slots))
        .collect()
}

/// One unit's line of [`unit_tallies_over`].
fn unit_tallies_row(row: &Row, slots: usize) -> Result<UnitTallies> {
    let (n, slots) = read_slots(row, 9, slots);
    let (low, high): (Option<String>, Option<String>) = (row.get(7), row.get(8));
    let methods = match (low, high) {
        (Some(low), Some(high)) if low != high => vec![low, high],
        (Some(low), _) => vec![low],
        (None, _) => Vec::new(),
    };
    let population: Option<i64> = row.get(4);
    Ok(UnitTallies {
        unit: unit_record(UnitCode::parse(row.get(0))?, row.get(1), row.get(2))?,
        period: row.get(3),
        population: population.map(count),
        last_received: row.get::<_, Option<DateTime<Utc>>>(5),
        devices: count(row.get(6)),
        tallies: Tallies { methods, n, slots },
    })
}

fn export_row(row: &Row) -> Result<ExportRow> {
    let items: Option<&str> = row.get(11);
    let answers: BTreeMap<String, Option<String>> = match items {
        Some(items) => stored_json("answers", items)?,
        None => BTreeMap::new(),
    };
    Ok(ExportRow {
        id: row.get(0),
        serial: row.get(1),
        channel: row.get(2),
        status: row.get(3),
        unit: row.get(4),
        period: row.get(5),
        form: row.get(6),
        created_at: row.get(7),
        updated_at: row.get(8),
        review: row.get(9),
        review_note: row.get(10),
        answers,
    })
}

/// A count or position as read; never negative in tables this server writes.
fn count(value: i64) -> u64 {
    value.max(0) as u64
}

/// A change log position as PostgreSQL keeps it.
fn position(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

fn to_json(what: &'static str, value: &impl serde::Serialize) -> Result<String> {
    serde_json::to_string(value).map_err(|error| Error::InvalidValue {
        what,
        value: error.to_string(),
        reason: "cannot be written as JSON",
    })
}

/// JSON the server wrote, read back: only a damaged or hand-edited database fails.
fn stored_json<T: DeserializeOwned>(what: &'static str, text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|error| Error::InvalidValue {
        what,
        value: error.to_string(),
        reason: "not the JSON the server writes",
    })
}
