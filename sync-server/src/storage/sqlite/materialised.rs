//! The materialised tables in SQLite: rows written by the follower, read by reports.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rusqlite::types::{Value, ValueRef};
use rusqlite::{Connection, Row, Transaction, params, params_from_iter};
use simpul_document::read::{SCORE_SLOTS, Written};
use simpul_survey::Method;

use super::{doc_id, unreadable};
use crate::Result;
use crate::export::ExportRow;
use crate::materialise::{Freshness, Materialised, Step, Touched};
use crate::model::{Name, Unit, UnitCode};
use crate::report::{
    ConflictRow, DayCount, ReportFilter, Tallies, UnitActivity, UnitScope, UnitTallies,
};
use crate::storage::shared::{self, SERVER_DEVICE, Source, add_group, slot_aggregates};
use crate::summary::AnswerCount;

pub(super) fn freshness(conn: &Connection) -> Result<Freshness> {
    let (watermark, head): (i64, i64) = conn.query_row(
        "SELECT (SELECT watermark FROM materialised WHERE id = 1),
                (SELECT COALESCE(MAX(seq), 0) FROM changes)",
        [],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    Ok(Freshness {
        watermark: watermark as u64,
        head: head as u64,
    })
}

/// The changes of a step, `limit` at most after `after`, and then every change of the
/// documents they touch: two queries in one read transaction rather than one per document.
pub(super) fn changed_documents(conn: &Connection, after: u64, limit: usize) -> Result<Step> {
    let tx = conn.unchecked_transaction()?;
    let to: Option<i64> = tx
        .prepare_cached(
            "SELECT MAX(seq) FROM (SELECT seq FROM changes WHERE seq > ?1 ORDER BY seq LIMIT ?2)",
        )?
        .query_row(params![after as i64, limit as i64], |row| row.get(0))?;
    let Some(to) = to else {
        return Ok(Step {
            documents: Vec::new(),
            to: after,
        });
    };
    let mut stmt = tx.prepare_cached(
        "SELECT c.doc, c.seq, c.device, c.bytes, d.unit
         FROM changes c JOIN documents d ON d.doc = c.doc
         WHERE c.doc IN (SELECT doc FROM changes WHERE seq > ?1 AND seq <= ?2)
         ORDER BY c.doc, c.seq",
    )?;
    let mut rows = stmt.query(params![after as i64, to])?;
    let mut documents: Vec<Touched> = Vec::new();
    while let Some(row) = rows.next()? {
        let doc = doc_id(row, 0)?;
        let seq = row.get::<_, i64>(1)? as u64;
        if documents.last().is_none_or(|last| last.doc != doc) {
            documents.push(Touched {
                doc,
                unit: row.get(4)?,
                changes: Vec::new(),
                new: seq > after,
                devices: Vec::new(),
            });
        }
        let touched = documents.last_mut().expect("pushed above");
        let device = row.get_ref(2)?.as_str().map_err(rusqlite::Error::from)?;
        if device != SERVER_DEVICE && !touched.devices.iter().any(|d| d == device) {
            touched.devices.push(device.to_string());
        }
        touched.changes.push(row.get(3)?);
    }
    Ok(Step {
        documents,
        to: to as u64,
    })
}

pub(super) fn store(
    tx: &Transaction<'_>,
    rows: &[Materialised],
    from: u64,
    to: u64,
) -> Result<bool> {
    let moved = tx.execute(
        "UPDATE materialised SET watermark = ?1 WHERE id = 1 AND watermark = ?2",
        params![to as i64, from as i64],
    )?;
    if moved == 0 {
        return Ok(false);
    }
    for materialised in rows {
        let key = materialised.doc.to_string();
        let unit = &materialised.unit;
        if let Some(config) = &materialised.config {
            tx.prepare_cached(
                "UPDATE units SET period = ?2, population = ?3, form = ?4 WHERE code = ?1",
            )?
            .execute(params![
                unit,
                config.period,
                config.population.map(|p| p as i64),
                config.form
            ])?;
        }
        if !materialised.new {
            for table in [
                "DELETE FROM answers WHERE response = ?1",
                "DELETE FROM conflicts WHERE response = ?1",
                "DELETE FROM responses WHERE id = ?1",
            ] {
                tx.prepare_cached(table)?.execute([&key])?;
            }
        }
        let Some(row) = &materialised.row else {
            continue;
        };
        let r = &row.response;
        let scores = row.scores.map(|s| s.map(i64::from));
        tx.prepare_cached(
            "INSERT INTO responses (id, unit, form, method, period, channel, serial, service,
                 status, deleted, conflicts, created_at, updated_at,
                 s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14,
                 review, review_note, enumerator)
             VALUES (?1, ?30, ?2, ?3, ?4, ?5, ?6, ?7,
                 ?8, ?9, ?10, ?11, ?12,
                 ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26,
                 ?27, ?28, ?29)",
        )?
        .execute(params![
            key,
            r.form,
            row.method,
            r.period,
            r.channel,
            r.serial,
            r.service(),
            r.status,
            r.deleted,
            r.conflicts.len() as i64,
            row.created_at,
            row.updated_at,
            scores[0],
            scores[1],
            scores[2],
            scores[3],
            scores[4],
            scores[5],
            scores[6],
            scores[7],
            scores[8],
            scores[9],
            scores[10],
            scores[11],
            scores[12],
            scores[13],
            r.review.code(),
            r.review_note,
            r.created_by,
            unit,
        ])?;
        tx.prepare_cached("INSERT INTO answers (response, items) VALUES (?1, ?2)")?
            .execute(params![
                key,
                serde_json::to_string(&r.answers).expect("plain data")
            ])?;
        // The devices behind the response's changes, for "devices" in a report across units.
        let mut device = tx.prepare_cached(
            "INSERT OR IGNORE INTO unit_devices (unit, period, device) VALUES (?1, ?2, ?3)",
        )?;
        for author in &materialised.devices {
            device.execute(params![unit, r.period, author])?;
        }
        let mut conflict =
            tx.prepare_cached("INSERT INTO conflicts (response, field, vals) VALUES (?1, ?2, ?3)")?;
        for (field, values) in &r.conflicts {
            conflict.execute(params![
                key,
                field,
                serde_json::to_string(values).expect("plain data")
            ])?;
        }
    }
    Ok(true)
}

/// Conditions on the responses table (as `r`) and their parameters, in the order written:
/// only the filters given become SQL, so that SQLite can use the table's order.
#[derive(Default)]
struct Conditions {
    sql: String,
    params: Vec<Value>,
}

impl Conditions {
    fn and(&mut self, sql: &str, value: impl Into<Value>) {
        self.sql.push_str(" AND ");
        self.sql.push_str(sql);
        self.params.push(value.into());
    }

    /// `filter`'s conditions but its period. `counted` adds what every report leaves out:
    /// drafts, deleted and rejected responses.
    fn of(filter: &ReportFilter, counted: bool) -> Conditions {
        let mut c = Conditions::default();
        if counted {
            c.sql
                .push_str(" AND r.status = 'final' AND r.deleted = 0 AND r.review != 'rejected'");
        }
        let text = |v: &Option<String>| v.clone().map(Value::Text);
        for (column, value) in [
            ("r.service = ?", text(&filter.service)),
            ("r.channel = ?", text(&filter.channel)),
            ("r.enumerator = ?", text(&filter.enumerator)),
        ] {
            if let Some(value) = value {
                c.and(column, value);
            }
        }
        let (from, to) = filter.days.millis();
        if let Some(from) = from {
            c.and("r.created_at >= ?", from);
        }
        if let Some(to) = to {
            c.and("r.created_at < ?", to);
        }
        c
    }
}

/// What [`slot_aggregates`] selects, summed from the running totals (as `r`): a unit without
/// any has NULL sums, read as nothing counted.
fn total_aggregates() -> String {
    let slots: String = (1..=SCORE_SLOTS)
        .map(|i| format!(", SUM(r.t{i}), COALESCE(SUM(r.a{i}), 0)"))
        .collect();
    format!("COALESCE(SUM(r.n), 0){slots}")
}

/// Reads what [`slot_aggregates`] selects, from column `at` on.
fn read_slots(
    row: &Row<'_>,
    at: usize,
    read: usize,
) -> rusqlite::Result<(u64, [(u64, u64); SCORE_SLOTS])> {
    let mut slots = [(0u64, 0u64); SCORE_SLOTS];
    for (i, slot) in slots.iter_mut().take(read).enumerate() {
        let total: Option<i64> = row.get(at + 1 + 2 * i)?;
        let answered: i64 = row.get(at + 2 + 2 * i)?;
        *slot = (total.unwrap_or(0) as u64, answered as u64);
    }
    Ok((row.get::<_, i64>(at)? as u64, slots))
}

pub(super) fn tallies(
    conn: &Connection,
    unit: &UnitCode,
    filter: &ReportFilter,
) -> Result<Tallies> {
    let (scope, params) = counted_scope(unit, filter);
    let sql = format!(
        "SELECT r.method, {} FROM responses r WHERE r.unit = ?{scope} GROUP BY r.method",
        slot_aggregates(SCORE_SLOTS),
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query(params_from_iter(params))?;
    let mut tallies = Tallies::default();
    while let Some(row) = rows.next()? {
        let (n, slots) = read_slots(row, 1, SCORE_SLOTS)?;
        add_group(&mut tallies, row.get(0)?, n, slots);
    }
    Ok(tallies)
}

/// [`tallies`] per service named: one grouped query, in service order.
pub(super) fn service_tallies(
    conn: &Connection,
    unit: &UnitCode,
    filter: &ReportFilter,
) -> Result<Vec<(String, Tallies)>> {
    let (scope, params) = counted_scope(unit, filter);
    let sql = format!(
        "SELECT r.service, r.method, {} FROM responses r
         WHERE r.unit = ?{scope} AND r.service IS NOT NULL
         GROUP BY r.service, r.method ORDER BY r.service",
        slot_aggregates(SCORE_SLOTS),
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query(params_from_iter(params))?;
    let mut services: Vec<(String, Tallies)> = Vec::new();
    while let Some(row) = rows.next()? {
        let service: String = row.get(0)?;
        let (n, slots) = read_slots(row, 2, SCORE_SLOTS)?;
        if services.last().is_none_or(|(last, _)| *last != service) {
            services.push((service, Tallies::default()));
        }
        let (_, tallies) = services.last_mut().expect("just pushed");
        add_group(tallies, row.get(1)?, n, slots);
    }
    Ok(services)
}

/// How many counted responses gave each value of `item`, per form; `None` counts those
/// that left it empty. The answers are read inside SQLite, never parsed here.
pub(super) fn answer_counts(
    conn: &Connection,
    unit: &UnitCode,
    filter: &ReportFilter,
    item: &str,
) -> Result<Vec<AnswerCount>> {
    let (scope, scope_params) = counted_scope(unit, filter);
    let mut params = vec![Value::Text(format!("$.\"{item}\""))];
    params.extend(scope_params);
    let sql = format!(
        "SELECT r.form, json_extract(a.items, ?) AS value, COUNT(*)
         FROM responses r LEFT JOIN answers a ON a.response = r.id
         WHERE r.unit = ?{scope} GROUP BY r.form, value"
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query(params_from_iter(params))?;
    let mut counts = Vec::new();
    while let Some(row) = rows.next()? {
        // A value a device wrote as a number is counted as its text.
        let value = match row.get_ref(1)? {
            ValueRef::Null => None,
            ValueRef::Text(text) => Some(String::from_utf8_lossy(text).into_owned()),
            ValueRef::Integer(i) => Some(i.to_string()),
            ValueRef::Real(r) => Some(r.to_string()),
            ValueRef::Blob(_) => None,
        };
        counts.push(AnswerCount {
            form: row.get(0)?,
            value,
            count: row.get::<_, i64>(2)? as u64,
        });
    }
    Ok(counts)
}

/// The conditions (after `r.unit = ?`) and parameters, the unit's first, that select the
/// counted responses `filter` names: the responses every report counts.
fn counted_scope(unit: &UnitCode, filter: &ReportFilter) -> (String, Vec<Value>) {
    let mut params = vec![Value::Text(unit.to_string())];
    let mut sql = String::new();
    if let Some(p) = &filter.period {
        sql.push_str(" AND r.period = ?");
        params.push(Value::Text(p.clone()));
    }
    let conditions = Conditions::of(filter, true);
    sql.push_str(&conditions.sql);
    params.extend(conditions.params);
    (sql, params)
}

/// One grouped query over every listed unit: its counted responses in its period, beside
/// its last stored change and its devices. Methods come as their least and greatest: two
/// different ones mean a mixed unit.
///
/// A report by period alone reads the running totals the triggers of `unit_totals` keep
/// (one row per unit, period and method), whatever the number of responses. Any other
/// filter needs the responses themselves: they are joined to the units (LEFT, so a unit
/// without any still has its row) and grouped by unit in the units' own order, so SQLite
/// reads each unit's range of the clustered table once and never sorts responses. There
/// each aggregate costs on every row, so only the score slots the units' configured forms
/// use are summed (nine for PermenPANRB 14/2017, not fourteen); should a unit's responses
/// follow a method with more unsur after all, the query runs again over every slot.
pub(super) fn unit_tallies(
    conn: &Connection,
    scope: &UnitScope,
    filter: &ReportFilter,
) -> Result<Vec<UnitTallies>> {
    let by_period_alone = ReportFilter {
        period: filter.period.clone(),
        ..ReportFilter::default()
    };
    if *filter == by_period_alone {
        return unit_tallies_over(conn, scope, filter, Source::Totals);
    }
    let slots = configured_slots(conn)?;
    let rows = unit_tallies_over(conn, scope, filter, Source::Responses(slots))?;
    let fits = |method: &String| Method::parse(method).is_ok_and(|m| m.unsur().len() <= slots);
    if slots < SCORE_SLOTS && !rows.iter().all(|r| r.tallies.methods.iter().all(fits)) {
        return unit_tallies_over(conn, scope, filter, Source::Responses(SCORE_SLOTS));
    }
    Ok(rows)
}

/// The most unsur any unit's configured form has (nine when none is configured).
fn configured_slots(conn: &Connection) -> Result<usize> {
    let mut stmt = conn.prepare("SELECT DISTINCT form FROM units WHERE form IS NOT NULL")?;
    let forms: Vec<String> = stmt
        .query_map([], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(shared::configured_slots(forms.iter().map(String::as_str)))
}

fn unit_tallies_over(
    conn: &Connection,
    scope: &UnitScope,
    filter: &ReportFilter,
    source: Source,
) -> Result<Vec<UnitTallies>> {
    let given = filter.period.is_some();
    let mut params: Vec<Value> = match &filter.period {
        Some(period) => vec![Value::from(period.clone()); 3],
        None => Vec::new(),
    };
    let (joined, aggregates, slots) = match source {
        Source::Totals => (
            format!(
                "unit_totals r ON r.unit = u.code AND {}",
                in_period("r.period", given)
            ),
            total_aggregates(),
            SCORE_SLOTS,
        ),
        Source::Responses(slots) => {
            let conditions = Conditions::of(filter, true);
            params.extend(conditions.params);
            (
                format!(
                    "responses r ON r.unit = u.code AND {}{}",
                    in_period("r.period", given),
                    conditions.sql
                ),
                slot_aggregates(slots),
                slots,
            )
        }
    };
    // A totals row may count nothing (a unit's drafts): its method is none of the unit's.
    let methods = match source {
        Source::Totals => "MIN(IIF(r.n > 0, r.method, NULL)), MAX(IIF(r.n > 0, r.method, NULL))",
        Source::Responses(_) => "MIN(r.method), MAX(r.method)",
    };
    let mut listed = String::new();
    if let Some(instansi) = &scope.instansi {
        listed.push_str(" WHERE u.instansi = ?");
        params.push(Value::Text(instansi.to_string()));
    }
    let sql = format!(
        "SELECT u.code, u.name, u.instansi, {period}, u.population,
             (SELECT received_at FROM changes WHERE seq =
                 (SELECT MAX(seq) FROM changes WHERE unit = u.code)),
             (SELECT COUNT(DISTINCT d.device) FROM unit_devices d
                 WHERE d.unit = u.code AND {devices_period}),
             {methods}, {aggregates}
         FROM units u LEFT JOIN {joined}{listed}
         GROUP BY u.code
         ORDER BY u.instansi IS NULL, u.instansi, u.code",
        period = if given { "?" } else { "u.period" },
        devices_period = in_period("d.period", given),
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query(params_from_iter(params))?;
    let mut out: Vec<UnitTallies> = Vec::new();
    while let Some(row) = rows.next()? {
        let code: String = row.get(0)?;
        let (n, slots) = read_slots(row, 9, slots)?;
        let (low, high): (Option<String>, Option<String>) = (row.get(7)?, row.get(8)?);
        let methods = match (low, high) {
            (Some(low), Some(high)) if low != high => vec![low, high],
            (Some(low), _) => vec![low],
            (None, _) => Vec::new(),
        };
        let last_received = row
            .get::<_, Option<String>>(5)?
            .map(|text| {
                DateTime::parse_from_rfc3339(&text)
                    .map(|t| t.with_timezone(&Utc))
                    .map_err(|e| unreadable(5, e))
            })
            .transpose()?;
        out.push(UnitTallies {
            unit: unit_of(row, &code)?,
            period: row.get(3)?,
            population: row.get::<_, Option<i64>>(4)?.map(|p| p.max(0) as u64),
            last_received,
            devices: row.get::<_, i64>(6)? as u64,
            tallies: Tallies { methods, n, slots },
        });
    }
    Ok(out)
}

/// `column` in the period asked for (bound as the next parameter) when `given`; else in
/// the unit's (`u`) active period, or in any period when the unit has none configured — as a
/// unit's own report without a period counts every one.
fn in_period(column: &str, given: bool) -> String {
    match given {
        true => format!("{column} = ?"),
        false => format!("{column} = IFNULL(u.period, {column})"),
    }
}

pub(super) fn unit_activity(conn: &Connection, period: Option<&str>) -> Result<Vec<UnitActivity>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT u.code, COALESCE(SUM(t.waiting), 0), COALESCE(SUM(t.conflicted), 0)
         FROM units u LEFT JOIN unit_totals t ON t.unit = u.code AND {}
         GROUP BY u.code ORDER BY u.code",
        in_period("t.period", period.is_some())
    ))?;
    let rows = stmt.query_map(params_from_iter(period), |row| {
        Ok(UnitActivity {
            unit: row.get(0)?,
            waiting: row.get::<_, i64>(1)?.max(0) as u64,
            conflicted: row.get::<_, i64>(2)?.max(0) as u64,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(super) fn responses_per_day(conn: &Connection, period: Option<&str>) -> Result<Vec<DayCount>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT d.unit, d.day, SUM(d.n) FROM units u
         JOIN unit_days d ON d.unit = u.code AND {}
         WHERE d.n > 0 GROUP BY d.day, d.unit ORDER BY d.day, d.unit",
        in_period("d.period", period.is_some())
    ))?;
    let mut rows = stmt.query(params_from_iter(period))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let day: String = row.get(1)?;
        out.push(DayCount {
            unit: row.get(0)?,
            day: day.parse().map_err(|e| unreadable(1, e))?,
            n: row.get::<_, i64>(2)?.max(0) as u64,
        });
    }
    Ok(out)
}

/// A unit from columns 0–2 (code, name, instansi).
fn unit_of(row: &Row<'_>, code: &str) -> Result<Unit> {
    let name: String = row.get(1)?;
    let instansi: Option<String> = row.get(2)?;
    Ok(Unit {
        code: UnitCode::parse(code)?,
        name: Name::parse("unit name", &name)?,
        instansi: instansi.map(|i| Name::parse("instansi", &i)).transpose()?,
    })
}

pub(super) fn conflicts(
    conn: &Connection,
    unit: Option<&UnitCode>,
    filter: &ReportFilter,
) -> Result<Vec<ConflictRow>> {
    let mut params = Vec::new();
    let mut scope = String::new();
    if let Some(unit) = unit {
        scope.push_str(" AND r.unit = ?");
        params.push(Value::Text(unit.to_string()));
    }
    if let Some(period) = &filter.period {
        scope.push_str(" AND r.period = ?");
        params.push(Value::Text(period.clone()));
    }
    let conditions = Conditions::of(filter, false);
    params.extend(conditions.params);
    let mut stmt = conn.prepare(&format!(
        "SELECT c.response, r.serial, c.field, c.vals FROM conflicts c
         JOIN responses r ON r.id = c.response
         WHERE r.deleted = 0{scope}{}
         ORDER BY r.serial, c.response, c.field",
        conditions.sql
    ))?;
    let mut rows = stmt.query(params_from_iter(params))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let vals: String = row.get(3)?;
        let written: Vec<Written> =
            serde_json::from_str(&vals).map_err(|error| unreadable(3, error))?;
        out.push(ConflictRow {
            response: doc_id(row, 0)?,
            serial: row.get(1)?,
            field: row.get(2)?,
            values: written.iter().map(|w| w.value.clone()).collect(),
            written,
        });
    }
    Ok(out)
}

pub(super) fn export_rows(
    conn: &Connection,
    unit: &UnitCode,
    filter: &ReportFilter,
) -> Result<Vec<ExportRow>> {
    let mut params = vec![Value::Text(unit.to_string())];
    let mut period = String::new();
    if let Some(p) = &filter.period {
        period.push_str(" AND r.period = ?");
        params.push(Value::Text(p.clone()));
    }
    let conditions = Conditions::of(filter, false);
    params.extend(conditions.params);
    let mut stmt = conn.prepare(&format!(
        "SELECT r.id, r.serial, r.channel, r.status, r.unit, r.period, r.form, r.created_at,
             r.updated_at, r.review, r.review_note, a.items
         FROM responses r LEFT JOIN answers a ON a.response = r.id
         WHERE r.unit = ? AND r.deleted = 0{period}{}
         ORDER BY r.created_at, r.id",
        conditions.sql
    ))?;
    let mut rows = stmt.query(params_from_iter(params))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let items: Option<String> = row.get(11)?;
        let answers: BTreeMap<String, Option<String>> = match items {
            Some(items) => serde_json::from_str(&items).map_err(|e| unreadable(11, e))?,
            None => BTreeMap::new(),
        };
        out.push(ExportRow {
            id: doc_id(row, 0)?,
            serial: row.get(1)?,
            channel: row.get(2)?,
            status: row.get(3)?,
            unit: row.get(4)?,
            period: row.get(5)?,
            form: row.get(6)?,
            created_at: row.get(7)?,
            updated_at: row.get(8)?,
            review: row.get(9)?,
            review_note: row.get(10)?,
            answers,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small, seeded generator: the same sequence of rows on every run.
    struct Lcg(u64);

    impl Lcg {
        fn below(&mut self, n: u64) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (self.0 >> 33) % n
        }
    }

    fn random_row(rng: &mut Lcg) -> Vec<Value> {
        let pick = |rng: &mut Lcg, options: &[&str]| {
            Value::Text(options[rng.below(options.len() as u64) as usize].to_string())
        };
        let mut row = vec![
            pick(rng, &["U-A", "U-B", "U-C"]),
            pick(rng, &["2026-S1", "2026-S2"]),
            pick(rng, &["permenpanrb-14-2017", "kepmenpan-25-2004"]),
            pick(rng, &["final", "final", "final", "draft"]),
            Value::Integer((rng.below(6) == 0) as i64),
            pick(rng, &["received", "approved", "has-issues", "rejected"]),
        ];
        for _ in 0..SCORE_SLOTS {
            row.push(match rng.below(5) {
                0 => Value::Null,
                _ => Value::Integer(1 + rng.below(4) as i64),
            });
        }
        // Conflicts held, and the capture time: one of four days, in milliseconds.
        row.push(Value::Integer([0, 0, 1, 2][rng.below(4) as usize]));
        row.push(Value::Integer(
            1_790_000_000_000 + rng.below(4) as i64 * 86_400_000,
        ));
        row
    }

    /// The rows of `sql` (text and numbers, read as text), sorted, leaving out those whose
    /// last column is 0: what the running totals and a sum over the responses must agree on.
    fn nonzero_rows(conn: &Connection, sql: &str) -> Vec<Vec<String>> {
        let mut stmt = conn.prepare(sql).unwrap();
        let width = stmt.column_count();
        let mut rows: Vec<Vec<String>> = stmt
            .query_map([], |row| {
                (0..width)
                    .map(|i| row.get::<_, Value>(i))
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .unwrap()
            .map(|row| {
                row.unwrap()
                    .into_iter()
                    .map(|v| match v {
                        Value::Text(t) => t,
                        Value::Integer(n) => n.to_string(),
                        other => format!("{other:?}"),
                    })
                    .collect::<Vec<_>>()
            })
            .filter(|row| row.last().is_some_and(|v| v != "0"))
            .collect();
        rows.sort();
        rows
    }

    /// The running totals the triggers keep count exactly what summing the responses counts,
    /// through inserts, replacements (delete then insert, as the follower does), updates in
    /// place and deletions, for every unit and period.
    #[test]
    fn the_running_totals_always_equal_the_sum_of_the_responses() {
        let dir = tempfile::tempdir().unwrap();
        drop(crate::storage::SqliteStorage::open(dir.path()).unwrap());
        let conn = Connection::open(dir.path().join(crate::storage::FILE_NAME)).unwrap();
        conn.pragma_update(None, "synchronous", "OFF").unwrap();
        for code in ["U-A", "U-B", "U-C"] {
            conn.execute(
                "INSERT INTO units (code, name, created_at, period)
                 VALUES (?1, ?1, '2026-01-01T00:00:00.000Z', '2026-S1')",
                [code],
            )
            .unwrap();
        }
        let slots: String = (1..=SCORE_SLOTS).map(|i| format!(", s{i}")).collect();
        let marks: String = (7..7 + SCORE_SLOTS).map(|i| format!(", ?{i}")).collect();
        let insert = format!(
            "INSERT INTO responses (id, unit, period, method, status, deleted, review, form,
                 channel, conflicts, created_at, updated_at{slots})
             VALUES (?23, ?1, ?2, ?3, ?4, ?5, ?6, 'f', 'paper', ?21, ?22, ?22{marks})"
        );
        let mut rng = Lcg(2026);
        let mut ids = Vec::new();
        for step in 0..1_500 {
            match rng.below(10) {
                0..=5 => {
                    let mut row = random_row(&mut rng);
                    row.push(Value::Text(format!("r{step}")));
                    conn.execute(&insert, params_from_iter(row)).unwrap();
                    ids.push(format!("r{step}"));
                }
                6 | 7 if !ids.is_empty() => {
                    let id = ids[rng.below(ids.len() as u64) as usize].clone();
                    conn.execute("DELETE FROM responses WHERE id = ?1", [&id])
                        .unwrap();
                    let mut row = random_row(&mut rng);
                    row.push(Value::Text(id));
                    conn.execute(&insert, params_from_iter(row)).unwrap();
                }
                8 if !ids.is_empty() => {
                    let id = &ids[rng.below(ids.len() as u64) as usize];
                    let review = ["received", "approved", "rejected"][rng.below(3) as usize];
                    conn.execute(
                        "UPDATE responses SET review = ?2, conflicts = 1 - MIN(conflicts, 1),
                             s1 = s1 + 0
                         WHERE id = ?1",
                        params![id, review],
                    )
                    .unwrap();
                }
                _ if !ids.is_empty() => {
                    let id = ids.swap_remove(rng.below(ids.len() as u64) as usize);
                    conn.execute("DELETE FROM responses WHERE id = ?1", [&id])
                        .unwrap();
                }
                _ => {}
            }
        }
        let counted: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM responses
                 WHERE status = 'final' AND deleted = 0 AND review != 'rejected'",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert!(
            counted > 300,
            "the walk left enough counted responses: {counted}"
        );
        for period in [None, Some("2026-S1"), Some("2026-S2")] {
            let filter = ReportFilter {
                period: period.map(str::to_string),
                ..ReportFilter::default()
            };
            let scope = UnitScope::default();
            let totals = unit_tallies_over(&conn, &scope, &filter, Source::Totals).unwrap();
            let summed =
                unit_tallies_over(&conn, &scope, &filter, Source::Responses(SCORE_SLOTS)).unwrap();
            assert_eq!(totals, summed, "period {period:?}");
            assert!(totals.iter().all(|u| u.tallies.n > 0), "period {period:?}");
        }
        let counted = "status = 'final' AND deleted = 0 AND review != 'rejected'";
        for (kept, summed) in [
            (
                "SELECT unit, period, method, SUM(waiting) FROM unit_totals GROUP BY 1, 2, 3"
                    .to_string(),
                format!(
                    "SELECT unit, period, method, SUM({counted} AND review = 'received')
                     FROM responses GROUP BY 1, 2, 3"
                ),
            ),
            (
                "SELECT unit, period, method, SUM(conflicted) FROM unit_totals GROUP BY 1, 2, 3"
                    .to_string(),
                "SELECT unit, period, method,
                     SUM(deleted = 0 AND review != 'rejected' AND conflicts > 0)
                 FROM responses GROUP BY 1, 2, 3"
                    .to_string(),
            ),
            (
                "SELECT unit, period, day, n FROM unit_days".to_string(),
                format!(
                    "SELECT unit, period, date(created_at / 1000, 'unixepoch', 'localtime'),
                         COUNT(*)
                     FROM responses WHERE {counted} GROUP BY 1, 2, 3"
                ),
            ),
        ] {
            let kept_rows = nonzero_rows(&conn, &kept);
            assert!(!kept_rows.is_empty(), "{kept}");
            assert_eq!(kept_rows, nonzero_rows(&conn, &summed), "{kept}");
        }
    }
}
