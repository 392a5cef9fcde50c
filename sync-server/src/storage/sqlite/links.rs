//! Survey links and the answer sets that came through them (schema 11), in SQLite.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};
use uuid::Uuid;

use super::{SERVER_DEVICE, SqliteStorage, doc_id, timestamp, unreadable};
use crate::links::{Link, LinkToken, NewLink};
use crate::model::{PeriodCode, UnitCode};
use crate::storage::{Links, WebAnswer, WebStored};
use crate::{Error, Result};

const LINK: &str = "SELECT token, unit, service, period, created_by, created_at, closed_at,
        (SELECT COUNT(*) FROM web_answers WHERE web_answers.token = links.token)
     FROM links";

impl Links for SqliteStorage {
    fn add_link(&self, token: &LinkToken, link: &NewLink, now: DateTime<Utc>) -> Result<Link> {
        self.write(|tx| {
            let known: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM units WHERE code = ?1)",
                [link.unit.as_str()],
                |row| row.get(0),
            )?;
            if !known {
                return Err(Error::UnknownUnit(link.unit.to_string()));
            }
            tx.execute(
                "INSERT INTO links (token, unit, service, period, created_by, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    token.as_str(),
                    link.unit.as_str(),
                    link.service,
                    link.period.as_ref().map(PeriodCode::as_str),
                    link.created_by.as_str(),
                    now.timestamp_millis(),
                ],
            )?;
            read_link(tx, token)?.ok_or_else(|| Error::UnknownLink(token.to_string()))
        })
    }

    fn link(&self, token: &LinkToken) -> Result<Option<Link>> {
        self.read(|conn| read_link(conn, token))
    }

    fn links(&self, unit: &UnitCode) -> Result<Vec<Link>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "{LINK} WHERE unit = ?1 ORDER BY created_at DESC, token"
            ))?;
            let links = stmt
                .query_map([unit.as_str()], link_row)?
                .collect::<rusqlite::Result<_>>()?;
            Ok(links)
        })
    }

    fn close_link(&self, token: &LinkToken, now: DateTime<Utc>) -> Result<Link> {
        self.write(|tx| {
            tx.execute(
                "UPDATE links SET closed_at = COALESCE(closed_at, ?2) WHERE token = ?1",
                params![token.as_str(), now.timestamp_millis()],
            )?;
            read_link(tx, token)?.ok_or_else(|| Error::UnknownLink(token.to_string()))
        })
    }

    fn active_period(&self, unit: &UnitCode) -> Result<Option<String>> {
        self.read(|conn| {
            Ok(conn
                .query_row(
                    "SELECT period FROM units WHERE code = ?1",
                    [unit.as_str()],
                    |row| row.get(0),
                )
                .optional()?
                .flatten())
        })
    }

    fn web_answer(&self, id: Uuid) -> Result<Option<Uuid>> {
        self.read(|conn| stored_answer(conn, id))
    }

    fn store_web_answers(
        &self,
        answers: &[WebAnswer],
        now: DateTime<Utc>,
    ) -> Result<Vec<Result<WebStored>>> {
        self.write(|tx| {
            answers
                .iter()
                .map(|answer| match store_one(tx, answer, now) {
                    Err(Error::Sqlite(error)) => Err(Error::Sqlite(error)),
                    outcome => Ok(outcome),
                })
                .collect()
        })
    }
}

/// One answer set inside [`Links::store_web_answers`]'s transaction. Refusals are decided
/// by reads, before anything of the set is written.
fn store_one(tx: &Transaction<'_>, answer: &WebAnswer, now: DateTime<Utc>) -> Result<WebStored> {
    let token = answer.token.as_str();
    let change = &answer.prepared.change;
    if let Some(response) = stored_answer(tx, answer.id)? {
        return Ok(WebStored::AlreadyStored { response });
    }
    let open: Option<bool> = tx
        .prepare_cached("SELECT closed_at IS NULL FROM links WHERE token = ?1")?
        .query_row([token], |row| row.get(0))
        .optional()?;
    match open {
        None => return Err(Error::UnknownLink(token.to_string())),
        Some(false) => return Err(Error::LinkClosed(token.to_string())),
        Some(true) => {}
    }
    if let Some(address) = &answer.address {
        count_use(tx, token, address, answer.per_hour, now)?;
    }
    claim(tx, change.doc, &answer.unit)?;
    tx.prepare_cached(
        "INSERT INTO changes (hash, doc, unit, device, bytes, received_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (hash) DO NOTHING",
    )?
    .execute(params![
        change.hash.as_slice(),
        change.doc.to_string(),
        answer.unit.as_str(),
        SERVER_DEVICE,
        change.bytes,
        timestamp(now),
    ])?;
    tx.prepare_cached(
        "INSERT INTO web_answers (id, token, response, received_at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![
        answer.id.to_string(),
        token,
        change.doc.to_string(),
        now.timestamp_millis(),
    ])?;
    Ok(WebStored::Created {
        response: change.doc,
    })
}

fn read_link(conn: &Connection, token: &LinkToken) -> Result<Option<Link>> {
    Ok(conn
        .prepare_cached(&format!("{LINK} WHERE token = ?1"))?
        .query_row([token.as_str()], link_row)
        .optional()?)
}

fn link_row(row: &Row<'_>) -> rusqlite::Result<Link> {
    let millis = |index: usize| -> rusqlite::Result<Option<DateTime<Utc>>> {
        Ok(row
            .get::<_, Option<i64>>(index)?
            .and_then(DateTime::from_timestamp_millis))
    };
    let token: String = row.get(0)?;
    let unit: String = row.get(1)?;
    let period: Option<String> = row.get(3)?;
    Ok(Link {
        token: LinkToken::parse(&token).map_err(|e| unreadable(0, e))?,
        unit: UnitCode::parse(&unit).map_err(|e| unreadable(1, e))?,
        service: row.get(2)?,
        period: period
            .map(|p| PeriodCode::parse(&p))
            .transpose()
            .map_err(|e| unreadable(3, e))?,
        created_by: row.get(4)?,
        created_at: millis(5)?.unwrap_or_default(),
        closed_at: millis(6)?,
        answers: row.get::<_, i64>(7)?.try_into().unwrap_or(0),
    })
}

fn stored_answer(conn: &Connection, id: Uuid) -> Result<Option<Uuid>> {
    Ok(conn
        .prepare_cached("SELECT response FROM web_answers WHERE id = ?1")?
        .query_row([id.to_string()], |row| doc_id(row, 0))
        .optional()?)
}

/// Counts one answer set of `address` through `token` in the current hour, refusing it when
/// the hour's allowance is used up; hours before the previous one are pruned.
fn count_use(
    tx: &Transaction<'_>,
    token: &str,
    address: &str,
    per_hour: u32,
    now: DateTime<Utc>,
) -> Result<()> {
    let hour = now.timestamp().div_euclid(3600);
    tx.prepare_cached("DELETE FROM link_uses WHERE hour < ?1")?
        .execute([hour - 1])?;
    let used: i64 = tx
        .prepare_cached(
            "SELECT answers FROM link_uses WHERE token = ?1 AND address = ?2 AND hour = ?3",
        )?
        .query_row(params![token, address, hour], |row| row.get(0))
        .optional()?
        .unwrap_or(0);
    if used >= i64::from(per_hour) {
        return Err(Error::TooManyWebAnswers(token.to_string()));
    }
    tx.prepare_cached(
        "INSERT INTO link_uses (token, address, hour, answers) VALUES (?1, ?2, ?3, 1)
         ON CONFLICT (token, address, hour) DO UPDATE SET answers = answers + 1",
    )?
    .execute(params![token, address, hour])?;
    Ok(())
}

/// Files the document under `unit`, or checks that it is already there: a paper sheet's
/// identity typed on a device of the unit, or answered through the link before.
fn claim(tx: &Transaction<'_>, doc: Uuid, unit: &UnitCode) -> Result<()> {
    let doc_text = doc.to_string();
    tx.prepare_cached("INSERT INTO documents (doc, unit) VALUES (?1, ?2) ON CONFLICT DO NOTHING")?
        .execute(params![doc_text, unit.as_str()])?;
    let owner: String = tx
        .prepare_cached("SELECT unit FROM documents WHERE doc = ?1")?
        .query_row([&doc_text], |row| row.get(0))?;
    if owner != unit.as_str() {
        // Unreachable with the ids web answers get (UUIDv7, or a sheet's UUIDv5 of this
        // unit); refused rather than filed in another unit's log.
        return Err(Error::InvalidValue {
            what: "response",
            value: doc_text,
            reason: "it belongs to another unit",
        });
    }
    Ok(())
}
