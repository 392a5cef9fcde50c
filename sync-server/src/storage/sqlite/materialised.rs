//! The materialised tables in SQLite: rows written by the follower, read by reports.

use rusqlite::{Connection, Transaction, params, params_from_iter};
use simpul_document::read::{SCORE_SLOTS, Written};
use uuid::Uuid;

use super::{doc_id, unreadable};
use crate::Result;
use crate::materialise::{Freshness, Materialised};
use crate::model::UnitCode;
use crate::report::{ConflictRow, ReportFilter, Tallies};

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

pub(super) fn documents_changed_after(
    conn: &Connection,
    after: u64,
    limit: usize,
) -> Result<(Vec<Uuid>, u64)> {
    let mut stmt =
        conn.prepare_cached("SELECT seq, doc FROM changes WHERE seq > ?1 ORDER BY seq LIMIT ?2")?;
    let mut rows = stmt.query(params![after as i64, limit as i64])?;
    let (mut docs, mut last) = (Vec::new(), after);
    while let Some(row) = rows.next()? {
        last = row.get::<_, i64>(0)? as u64;
        let doc = doc_id(row, 1)?;
        if !docs.contains(&doc) {
            docs.push(doc);
        }
    }
    Ok((docs, last))
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
        for table in [
            "DELETE FROM answers WHERE response = ?1",
            "DELETE FROM conflicts WHERE response = ?1",
            "DELETE FROM responses WHERE id = ?1",
        ] {
            tx.prepare_cached(table)?.execute([&key])?;
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
                 review, review_note)
             VALUES (?1, (SELECT unit FROM documents WHERE doc = ?1), ?2, ?3, ?4, ?5, ?6, ?7,
                 ?8, ?9, ?10, ?11, ?12,
                 ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26,
                 ?27, ?28)",
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
        ])?;
        let mut answer =
            tx.prepare_cached("INSERT INTO answers (response, item, value) VALUES (?1, ?2, ?3)")?;
        for (item, value) in &r.answers {
            answer.execute(params![key, item, value])?;
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

/// The filter every report applies, parameters in [`filter_params`]' order.
const REPORT_WHERE: &str = "unit = ?1 AND status = 'final' AND deleted = 0 \
     AND review != 'rejected' \
     AND (?2 IS NULL OR period = ?2) AND (?3 IS NULL OR service = ?3) \
     AND (?4 IS NULL OR channel = ?4)";

fn filter_params<'a>(unit: &'a UnitCode, filter: &'a ReportFilter) -> [Option<&'a str>; 4] {
    [
        Some(unit.as_str()),
        filter.period.as_deref(),
        filter.service.as_deref(),
        filter.channel.as_deref(),
    ]
}

pub(super) fn tallies(
    conn: &Connection,
    unit: &UnitCode,
    filter: &ReportFilter,
) -> Result<Tallies> {
    let aggregates: String = (1..=SCORE_SLOTS)
        .map(|i| format!(", SUM(s{i}), COUNT(s{i})"))
        .collect();
    let sql = format!("SELECT COUNT(*){aggregates} FROM responses WHERE {REPORT_WHERE}");
    let (n, slots) =
        conn.query_row(&sql, params_from_iter(filter_params(unit, filter)), |row| {
            let mut slots = [(0u64, 0u64); SCORE_SLOTS];
            for (i, slot) in slots.iter_mut().enumerate() {
                let total: Option<i64> = row.get(1 + 2 * i)?;
                let answered: i64 = row.get(2 + 2 * i)?;
                *slot = (total.unwrap_or(0) as u64, answered as u64);
            }
            Ok((row.get::<_, i64>(0)? as u64, slots))
        })?;
    let sql = format!("SELECT DISTINCT method FROM responses WHERE {REPORT_WHERE} ORDER BY method");
    let methods = conn
        .prepare(&sql)?
        .query_map(params_from_iter(filter_params(unit, filter)), |row| {
            row.get(0)
        })?
        .collect::<Result<_, _>>()?;
    Ok(Tallies { methods, n, slots })
}

pub(super) fn conflicts(conn: &Connection, unit: Option<&UnitCode>) -> Result<Vec<ConflictRow>> {
    let mut stmt = conn.prepare(
        "SELECT c.response, r.serial, c.field, c.vals FROM conflicts c
         JOIN responses r ON r.id = c.response
         WHERE r.deleted = 0 AND (?1 IS NULL OR r.unit = ?1)
         ORDER BY r.serial, c.response, c.field",
    )?;
    let mut rows = stmt.query([unit.map(UnitCode::as_str)])?;
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
