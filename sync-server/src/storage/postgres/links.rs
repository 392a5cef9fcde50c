//! Survey links and the answer sets that came through them (schema 3), in PostgreSQL.
//!
//! Storing answer sets writes the change log, so it holds the log's lock like a push (see
//! [`PostgresStorage::push`](super::PostgresStorage)); that same lock makes the checks of a
//! single-use link and of an address's hourly allowance exact across nodes.

use chrono::{DateTime, Utc};
use postgres::{GenericClient, Row, Transaction};
use uuid::Uuid;

use super::{INSERT_CHANGE, PostgresStorage};
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

impl Links for PostgresStorage {
    fn add_link(&self, token: &LinkToken, link: &NewLink, now: DateTime<Utc>) -> Result<Link> {
        self.write(|tx| {
            if super::unit(tx, &link.unit)?.is_none() {
                return Err(Error::UnknownUnit(link.unit.to_string()));
            }
            tx.execute(
                "INSERT INTO links (token, unit, service, period, created_by, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &[
                    &token.as_str(),
                    &link.unit.as_str(),
                    &link.service,
                    &link.period.as_ref().map(PeriodCode::as_str),
                    &link.created_by.as_str(),
                    &now,
                ],
            )?;
            read_link(tx, token)?.ok_or_else(|| Error::UnknownLink(token.to_string()))
        })
    }

    fn link(&self, token: &LinkToken) -> Result<Option<Link>> {
        read_link(&mut *self.client()?, token)
    }

    fn links(&self, unit: &UnitCode) -> Result<Vec<Link>> {
        self.client()?
            .query(
                &format!("{LINK} WHERE unit = $1 ORDER BY created_at DESC, token COLLATE \"C\""),
                &[&unit.as_str()],
            )?
            .iter()
            .map(link_row)
            .collect()
    }

    fn close_link(&self, token: &LinkToken, now: DateTime<Utc>) -> Result<Link> {
        self.write(|tx| {
            tx.execute(
                "UPDATE links SET closed_at = COALESCE(closed_at, $2) WHERE token = $1",
                &[&token.as_str(), &now],
            )?;
            read_link(tx, token)?.ok_or_else(|| Error::UnknownLink(token.to_string()))
        })
    }

    fn active_period(&self, unit: &UnitCode) -> Result<Option<String>> {
        Ok(self
            .client()?
            .query_opt(
                "SELECT period FROM units WHERE code = $1",
                &[&unit.as_str()],
            )?
            .and_then(|row| row.get(0)))
    }

    fn add_invitations(
        &self,
        unit: &UnitCode,
        period: Option<&PeriodCode>,
        recipients: &[(LinkToken, Recipient)],
        created_by: &Name,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.write(|tx| {
            let link = tx.prepare(
                "INSERT INTO links (token, unit, service, period, created_by, created_at,
                                    single_use)
                 VALUES ($1, $2, $3, $4, $5, $6, TRUE)",
            )?;
            let invitation = tx.prepare(
                "INSERT INTO invitations (token, name, phone, email, service_date)
                 VALUES ($1, $2, $3, $4, $5)",
            )?;
            for (token, recipient) in recipients {
                tx.execute(
                    &link,
                    &[
                        &token.as_str(),
                        &unit.as_str(),
                        &recipient.service,
                        &period.map(PeriodCode::as_str),
                        &created_by.as_str(),
                        &now,
                    ],
                )?;
                tx.execute(
                    &invitation,
                    &[
                        &token.as_str(),
                        &recipient.name,
                        &recipient.phone,
                        &recipient.email,
                        &recipient.service_date,
                    ],
                )?;
            }
            Ok(())
        })
    }

    fn invitations(&self, unit: &UnitCode) -> Result<Vec<Invitation>> {
        self.client()?
            .query(
                &format!("{INVITATION} WHERE l.unit = $1 ORDER BY l.created_at, i.added"),
                &[&unit.as_str()],
            )?
            .iter()
            .map(invitation_row)
            .collect()
    }

    fn invitation(&self, token: &LinkToken) -> Result<Option<Invitation>> {
        self.client()?
            .query_opt(
                &format!("{INVITATION} WHERE i.token = $1"),
                &[&token.as_str()],
            )?
            .as_ref()
            .map(invitation_row)
            .transpose()
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
        self.write(|tx| {
            let stamp = tx.prepare(&format!(
                "UPDATE invitations SET {column} = COALESCE({column}, $2) WHERE token = $1"
            ))?;
            let close = tx
                .prepare("UPDATE links SET closed_at = COALESCE(closed_at, $2) WHERE token = $1")?;
            for token in tokens {
                tx.execute(&stamp, &[&token.as_str(), &now])?;
                if mark == InvitationMark::OptedOut {
                    tx.execute(&close, &[&token.as_str(), &now])?;
                }
            }
            Ok(())
        })
    }

    fn web_answer(&self, id: Uuid) -> Result<Option<Uuid>> {
        stored_answer(&mut *self.client()?, id)
    }

    /// Each set's refusal is decided by reads before anything of it is written, so a refused
    /// set leaves the transaction usable for the others; only a database error fails all.
    fn store_web_answers(
        &self,
        answers: &[WebAnswer],
        now: DateTime<Utc>,
    ) -> Result<Vec<Result<WebStored>>> {
        self.append(|tx| {
            answers
                .iter()
                .map(|answer| match store_one(tx, answer, now) {
                    Err(Error::Postgres(error)) => Err(Error::Postgres(error)),
                    outcome => Ok(outcome),
                })
                .collect()
        })
    }
}

/// One answer set inside [`Links::store_web_answers`]'s transaction.
fn store_one(
    tx: &mut Transaction<'_>,
    answer: &WebAnswer,
    now: DateTime<Utc>,
) -> Result<WebStored> {
    let token = answer.token.as_str();
    let change = &answer.prepared.change;
    if let Some(response) = stored_answer(tx, answer.id)? {
        return Ok(WebStored::AlreadyStored { response });
    }
    let state = tx.query_opt(
        "SELECT closed_at IS NULL, single_use, answers FROM links WHERE token = $1",
        &[&token],
    )?;
    let Some(state) = state else {
        return Err(Error::UnknownLink(token.to_string()));
    };
    let (open, single_use, used): (bool, bool, i64) = (state.get(0), state.get(1), state.get(2));
    if !open {
        return Err(Error::LinkClosed(token.to_string()));
    }
    if single_use && used > 0 {
        return Err(Error::LinkUsed(token.to_string()));
    }
    if let Some(address) = &answer.address {
        count_use(tx, token, address, answer.per_hour, now)?;
    }
    claim(tx, change.doc, &answer.unit)?;
    tx.execute(
        INSERT_CHANGE,
        &[
            &change.hash.as_slice(),
            &change.doc,
            &answer.unit.as_str(),
            &SERVER_DEVICE,
            &change.bytes,
            &now,
        ],
    )?;
    tx.execute(
        "UPDATE links SET answers = answers + 1 WHERE token = $1",
        &[&token],
    )?;
    tx.execute(
        "INSERT INTO web_answers (id, token, response, received_at) VALUES ($1, $2, $3, $4)",
        &[&answer.id, &token, &change.doc, &now],
    )?;
    Ok(WebStored::Created {
        response: change.doc,
    })
}

fn read_link(client: &mut impl GenericClient, token: &LinkToken) -> Result<Option<Link>> {
    client
        .query_opt(&format!("{LINK} WHERE token = $1"), &[&token.as_str()])?
        .as_ref()
        .map(link_row)
        .transpose()
}

fn link_row(row: &Row) -> Result<Link> {
    Ok(Link {
        token: LinkToken::parse(row.get(0))?,
        unit: UnitCode::parse(row.get(1))?,
        service: row.get(2),
        period: row
            .get::<_, Option<&str>>(3)
            .map(PeriodCode::parse)
            .transpose()?,
        created_by: row.get(4),
        created_at: row.get(5),
        closed_at: row.get(6),
        answers: row.get::<_, i64>(7).try_into().unwrap_or(0),
        single_use: row.get(8),
    })
}

fn invitation_row(row: &Row) -> Result<Invitation> {
    Ok(Invitation {
        token: LinkToken::parse(row.get(0))?,
        name: row.get(1),
        phone: row.get(2),
        email: row.get(3),
        service: row.get(4),
        service_date: row.get(5),
        sent_at: row.get(6),
        reminded_at: row.get(7),
        opened_at: row.get(8),
        answered_at: row.get(9),
        opted_out_at: row.get(10),
    })
}

fn stored_answer(client: &mut impl GenericClient, id: Uuid) -> Result<Option<Uuid>> {
    Ok(client
        .query_opt("SELECT response FROM web_answers WHERE id = $1", &[&id])?
        .map(|row| row.get(0)))
}

/// Counts one answer set of `address` through `token` in the current hour, refusing it when
/// the hour's allowance is used up; hours before the previous one are pruned.
fn count_use(
    tx: &mut Transaction<'_>,
    token: &str,
    address: &str,
    per_hour: u32,
    now: DateTime<Utc>,
) -> Result<()> {
    let hour = now.timestamp().div_euclid(3600);
    tx.execute("DELETE FROM link_uses WHERE hour < $1", &[&(hour - 1)])?;
    let used: i64 = tx
        .query_opt(
            "SELECT answers FROM link_uses WHERE token = $1 AND address = $2 AND hour = $3",
            &[&token, &address, &hour],
        )?
        .map_or(0, |row| row.get(0));
    if used >= i64::from(per_hour) {
        return Err(Error::TooManyWebAnswers(token.to_string()));
    }
    tx.execute(
        "INSERT INTO link_uses (token, address, hour, answers) VALUES ($1, $2, $3, 1)
         ON CONFLICT (token, address, hour) DO UPDATE SET answers = link_uses.answers + 1",
        &[&token, &address, &hour],
    )?;
    Ok(())
}

/// Files the document under `unit`, or checks that it is already there: a paper sheet's
/// identity typed on a device of the unit, or answered through the link before.
fn claim(tx: &mut Transaction<'_>, doc: Uuid, unit: &UnitCode) -> Result<()> {
    tx.execute(
        "INSERT INTO documents (doc, unit) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        &[&doc, &unit.as_str()],
    )?;
    let owner: String = tx
        .query_one("SELECT unit FROM documents WHERE doc = $1", &[&doc])?
        .get(0);
    if owner != unit.as_str() {
        // As in SQLite: unreachable with the ids web answers get, refused all the same.
        return Err(Error::InvalidValue {
            what: "response",
            value: doc.to_string(),
            reason: "it belongs to another unit",
        });
    }
    Ok(())
}
