//! The review queue's reads from the materialised tables, in PostgreSQL.

use std::collections::BTreeMap;

use postgres::Row;
use simpul_document::read::Written;
use uuid::Uuid;

use super::PostgresStorage;
use crate::model::UnitCode;
use crate::storage::review::{
    FieldConflict, QueueFilter, ResponseDetail, ResponseSummary, Reviews, authored_at, sort_items,
};
use crate::{Error, Result};

/// The columns [`summary`] reads, in its order.
const SUMMARY_COLUMNS: &str = "id, serial, period, channel, service, status, deleted, review, \
     review_note, conflicts, created_at, updated_at";

impl Reviews for PostgresStorage {
    fn responses(&self, unit: &UnitCode, filter: &QueueFilter) -> Result<Vec<ResponseSummary>> {
        let (from, to) = filter.days.millis();
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM responses
             WHERE unit = $1 AND ($2::text IS NULL OR review = $2)
               AND ($3::text IS NULL OR period = $3)
               AND ($4::text IS NULL OR channel = $4) AND ($5::text IS NULL OR service = $5)
               AND ($6::bigint IS NULL OR created_at >= $6)
               AND ($7::bigint IS NULL OR created_at < $7)
               AND ($8::text IS NULL OR enumerator = $8)
             ORDER BY created_at DESC, id LIMIT $9"
        );
        self.client()?
            .query(
                &sql,
                &[
                    &unit.as_str(),
                    &filter.review,
                    &filter.period,
                    &filter.channel,
                    &filter.service,
                    &from,
                    &to,
                    &filter.enumerator,
                    &i64::try_from(filter.limit).unwrap_or(i64::MAX),
                ],
            )?
            .iter()
            .map(summary)
            .collect()
    }

    fn response(&self, id: Uuid) -> Result<Option<ResponseDetail>> {
        let mut client = self.client()?;
        let sql =
            format!("SELECT {SUMMARY_COLUMNS}, unit, form, method FROM responses WHERE id = $1");
        let Some(row) = client.query_opt(&sql, &[&id])? else {
            return Ok(None);
        };
        // One JSON object per response: item id → the value shown.
        let answers = match client.query_opt(
            "SELECT items::text FROM answers WHERE response = $1",
            &[&id],
        )? {
            Some(items) => {
                let map: BTreeMap<String, Option<String>> =
                    serde_json::from_str(items.get(0)).map_err(unreadable)?;
                map.into_iter().collect()
            }
            None => Vec::new(),
        };
        let conflicts_detail = client
            .query(
                "SELECT field, vals::text FROM conflicts WHERE response = $1
                 ORDER BY field COLLATE \"C\"",
                &[&id],
            )?
            .iter()
            .map(|conflict| {
                let written: Vec<Written> =
                    serde_json::from_str(conflict.get(1)).map_err(unreadable)?;
                Ok(FieldConflict {
                    field: conflict.get(0),
                    written,
                })
            })
            .collect::<Result<_>>()?;
        Ok(Some(ResponseDetail {
            summary: summary(&row)?,
            unit: row.get(12),
            form: row.get(13),
            method: row.get(14),
            answers: sort_items(answers),
            conflicts_detail,
        }))
    }
}

fn summary(row: &Row) -> Result<ResponseSummary> {
    let conflicts: i32 = row.get(9);
    Ok(ResponseSummary {
        id: row.get(0),
        serial: row.get(1),
        period: row.get(2),
        channel: row.get(3),
        service: row.get(4),
        status: row.get(5),
        deleted: row.get(6),
        review: row.get(7),
        review_note: row.get(8),
        conflicts: conflicts.max(0) as u32,
        created_at: authored_at(row.get(10)),
        updated_at: authored_at(row.get(11)),
    })
}

/// JSON the follower wrote that this build cannot read back: only a damaged or hand-edited
/// database.
fn unreadable(error: serde_json::Error) -> Error {
    Error::InvalidValue {
        what: "materialised answers",
        value: error.to_string(),
        reason: "the stored JSON does not read back",
    }
}
