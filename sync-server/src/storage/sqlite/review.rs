//! The review queue's reads from the materialised tables.

use rusqlite::{Connection, OptionalExtension, Row, params};
use simpul_document::read::Written;
use uuid::Uuid;

use super::{SqliteStorage, doc_id, unreadable};
use crate::Result;
use crate::model::UnitCode;
use crate::storage::review::{
    FieldConflict, QueueFilter, ResponseDetail, ResponseSummary, Reviews, authored_at, sort_items,
};

/// The columns [`summary`] reads, in its order.
const SUMMARY_COLUMNS: &str = "id, serial, period, channel, service, status, deleted, review, \
     review_note, conflicts, created_at, updated_at";

impl Reviews for SqliteStorage {
    fn responses(&self, unit: &UnitCode, filter: &QueueFilter) -> Result<Vec<ResponseSummary>> {
        let (from, to) = filter.days.millis();
        self.read(|conn| {
            let sql = format!(
                "SELECT {SUMMARY_COLUMNS} FROM responses
                 WHERE unit = ?1 AND (?2 IS NULL OR review = ?2) AND (?3 IS NULL OR period = ?3)
                   AND (?4 IS NULL OR channel = ?4) AND (?5 IS NULL OR service = ?5)
                   AND (?6 IS NULL OR created_at >= ?6) AND (?7 IS NULL OR created_at < ?7)
                   AND (?8 IS NULL OR enumerator = ?8)
                 ORDER BY created_at DESC, id LIMIT ?9"
            );
            let mut stmt = conn.prepare(&sql)?;
            let rows = stmt.query_map(
                params![
                    unit.as_str(),
                    filter.review,
                    filter.period,
                    filter.channel,
                    filter.service,
                    from,
                    to,
                    filter.enumerator,
                    filter.limit as i64,
                ],
                summary,
            )?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    fn response(&self, id: Uuid) -> Result<Option<ResponseDetail>> {
        self.read(|conn| detail(conn, id))
    }
}

fn detail(conn: &Connection, id: Uuid) -> Result<Option<ResponseDetail>> {
    let key = id.to_string();
    let sql = format!("SELECT {SUMMARY_COLUMNS}, unit, form, method FROM responses WHERE id = ?1");
    let Some((summary, unit, form, method)) = conn
        .query_row(&sql, [&key], |row| {
            Ok((summary(row)?, row.get(12)?, row.get(13)?, row.get(14)?))
        })
        .optional()?
    else {
        return Ok(None);
    };
    // One JSON object per response: item id → the value shown.
    let items: Option<String> = conn
        .prepare_cached("SELECT items FROM answers WHERE response = ?1")?
        .query_row([&key], |row| row.get(0))
        .optional()?;
    let answers: Vec<(String, Option<String>)> = match items {
        Some(items) => {
            let map: std::collections::BTreeMap<String, Option<String>> =
                serde_json::from_str(&items).map_err(|error| unreadable(0, error))?;
            map.into_iter().collect()
        }
        None => Vec::new(),
    };
    let mut stmt = conn
        .prepare_cached("SELECT field, vals FROM conflicts WHERE response = ?1 ORDER BY field")?;
    let mut rows = stmt.query([&key])?;
    let mut conflicts_detail = Vec::new();
    while let Some(row) = rows.next()? {
        let vals: String = row.get(1)?;
        let written: Vec<Written> =
            serde_json::from_str(&vals).map_err(|error| unreadable(1, error))?;
        conflicts_detail.push(FieldConflict {
            field: row.get(0)?,
            written,
        });
    }
    Ok(Some(ResponseDetail {
        summary,
        unit,
        form,
        method,
        answers: sort_items(answers),
        conflicts_detail,
    }))
}

fn summary(row: &Row<'_>) -> rusqlite::Result<ResponseSummary> {
    let conflicts: i64 = row.get(9)?;
    Ok(ResponseSummary {
        id: doc_id(row, 0)?,
        serial: row.get(1)?,
        period: row.get(2)?,
        channel: row.get(3)?,
        service: row.get(4)?,
        status: row.get(5)?,
        deleted: row.get(6)?,
        review: row.get(7)?,
        review_note: row.get(8)?,
        conflicts: conflicts.max(0) as u32,
        created_at: authored_at(row.get(10)?),
        updated_at: authored_at(row.get(11)?),
    })
}
