//! Survey links and the answer sets that came through them (schema 11), in SQLite.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};
use uuid::Uuid;

use super::{SqliteStorage, doc_id, timestamp, unreadable};
use crate::invitations::{Invitation, Recipient};
use crate::links::{Link, LinkToken, NewLink};
use crate::model::{Name, PeriodCode, UnitCode};
use crate::storage::shared::SERVER_DEVICE;
use crate::storage::{InvitationMark, Links, WebAnswer, WebStored};
use crate::{Error, Result};

const LINK: &str = "SELECT token, unit, service, period, created_by, created_at, closed_at,
        answers, single_use
     FROM links";

const INVITATION: &str = "SELECT i.token, i.name, i.phone, i.email, l.service, i.service_date,
        i.sent_at, i.reminded_at, i.opened_at,
        (SELECT MIN(received_at) FROM web_answers w WHERE w.token = i.token), i.opted_out_at
     FROM invitations i JOIN links l ON l.token = i.token";

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

    fn add_invitations(
        &self,
        unit: &UnitCode,
        period: Option<&PeriodCode>,
        recipients: &[(LinkToken, Recipient)],
        created_by: &Name,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let at = now.timestamp_millis();
        self.write(|tx| {
            let mut link = tx.prepare_cached(
                "INSERT INTO links (token, unit, service, period, created_by, created_at, single_use)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1)",
            )?;
            let mut invitation = tx.prepare_cached(
                "INSERT INTO invitations (token, name, phone, email, service_date)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for (token, recipient) in recipients {
                link.execute(params![
                    token.as_str(),
                    unit.as_str(),
                    recipient.service,
                    period.map(PeriodCode::as_str),
                    created_by.as_str(),
                    at,
                ])?;
                invitation.execute(params![
                    token.as_str(),
                    recipient.name,
                    recipient.phone,
                    recipient.email,
                    recipient.service_date.map(|day| day.to_string()),
                ])?;
            }
            Ok(())
        })
    }

    fn invitations(&self, unit: &UnitCode) -> Result<Vec<Invitation>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "{INVITATION} WHERE l.unit = ?1 ORDER BY l.created_at, i.rowid"
            ))?;
            let invitations = stmt
                .query_map([unit.as_str()], invitation_row)?
                .collect::<rusqlite::Result<_>>()?;
            Ok(invitations)
        })
    }

    fn invitation(&self, token: &LinkToken) -> Result<Option<Invitation>> {
        self.read(|conn| {
            Ok(conn
                .prepare_cached(&format!("{INVITATION} WHERE i.token = ?1"))?
                .query_row([token.as_str()], invitation_row)
                .optional()?)
        })
    }

    fn mark_invitations(
        &self,
        tokens: &[LinkToken],
        mark: InvitationMark,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let column = match mark {
            InvitationMark::Sent => "sent_at",
            InvitationMark::Reminded => "reminded_at",
            InvitationMark::Opened => "opened_at",
            InvitationMark::OptedOut => "opted_out_at",
        };
        let at = now.timestamp_millis();
        self.write(|tx| {
            let mut stmt = tx.prepare(&format!(
                "UPDATE invitations SET {column} = COALESCE({column}, ?2) WHERE token = ?1"
            ))?;
            let mut close = tx.prepare_cached(
                "UPDATE links SET closed_at = COALESCE(closed_at, ?2) WHERE token = ?1",
            )?;
            for token in tokens {
                stmt.execute(params![token.as_str(), at])?;
                if mark == InvitationMark::OptedOut {
                    close.execute(params![token.as_str(), at])?;
                }
            }
            Ok(())
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
    let state: Option<(bool, bool, i64)> = tx
        .prepare_cached(
            "SELECT closed_at IS NULL, single_use, answers FROM links WHERE token = ?1",
        )?
        .query_row([token], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .optional()?;
    match state {
        None => return Err(Error::UnknownLink(token.to_string())),
        Some((false, _, _)) => return Err(Error::LinkClosed(token.to_string())),
        Some((true, true, used)) if used > 0 => return Err(Error::LinkUsed(token.to_string())),
        Some(_) => {}
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
    tx.prepare_cached("UPDATE links SET answers = answers + 1 WHERE token = ?1")?
        .execute([token])?;
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
        single_use: row.get(8)?,
    })
}

fn invitation_row(row: &Row<'_>) -> rusqlite::Result<Invitation> {
    let millis = |index: usize| -> rusqlite::Result<Option<DateTime<Utc>>> {
        Ok(row
            .get::<_, Option<i64>>(index)?
            .and_then(DateTime::from_timestamp_millis))
    };
    let token: String = row.get(0)?;
    let service_date: Option<String> = row.get(5)?;
    Ok(Invitation {
        token: LinkToken::parse(&token).map_err(|e| unreadable(0, e))?,
        name: row.get(1)?,
        phone: row.get(2)?,
        email: row.get(3)?,
        service: row.get(4)?,
        service_date: service_date
            .map(|day| day.parse::<NaiveDate>())
            .transpose()
            .map_err(|e| unreadable(5, e))?,
        sent_at: millis(6)?,
        reminded_at: millis(7)?,
        opened_at: millis(8)?,
        answered_at: millis(9)?,
        opted_out_at: millis(10)?,
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
