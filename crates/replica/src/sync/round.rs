//! The replica's side of sync: where this device is enrolled, what it must still upload, and
//! how a successful round becomes durable.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use simpul_protocol::Entry;
use simpul_protocol::http::EnrolResponse;

use super::engine::{Commit, Outgoing};
use crate::apply::{apply_in, parse_uuid};
use crate::store::Origin;
use crate::{Applied, Replica, Result};

/// This device's link to a server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Enrolment {
    pub server: String,
    pub device_id: String,
    pub unit: String,
    #[serde(skip)]
    pub token: Token,
}

/// The device token. Never printed: `Debug` hides it.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Token(String);

impl Token {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(…)")
    }
}

/// What `simpul status` shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SyncStatus {
    pub enrolment: Option<Enrolment>,
    /// Changes the server has not acknowledged, and the responses they belong to.
    pub pending_changes: u64,
    pub pending_responses: u64,
    pub last_sync: Option<DateTime<Utc>>,
    /// The server position this device has pulled up to.
    pub cursor: u64,
    /// What the server said about this device's unit, with the period's progress.
    pub unit: Option<crate::UnitConfig>,
}

impl Replica {
    /// Remember the server and the token an enrolment gave.
    pub fn set_enrolment(&mut self, server: &str, enrolled: &EnrolResponse) -> Result<()> {
        let tx = self.conn.transaction()?;
        for (key, value) in [
            ("server", server),
            ("device_id", enrolled.device_id.as_str()),
            ("token", enrolled.token.as_str()),
            ("server_unit", enrolled.unit.as_str()),
            ("cursor", "0"),
        ] {
            tx.execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    pub fn enrolment(&self) -> Result<Option<Enrolment>> {
        let (Some(server), Some(device_id), Some(token), Some(unit)) = (
            self.meta("server")?,
            self.meta("device_id")?,
            self.meta("token")?,
            self.meta("server_unit")?,
        ) else {
            return Ok(None);
        };
        Ok(Some(Enrolment {
            server,
            device_id,
            unit,
            token: Token(token),
        }))
    }

    pub fn sync_status(&self) -> Result<SyncStatus> {
        let (pending_changes, pending_responses): (i64, i64) = self.conn.query_row(
            "SELECT COUNT(*), COUNT(DISTINCT doc) FROM changes WHERE uploaded = 0",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        let last_sync = self
            .meta("last_sync")?
            .and_then(|ms| ms.parse().ok())
            .and_then(DateTime::from_timestamp_millis);
        Ok(SyncStatus {
            enrolment: self.enrolment()?,
            pending_changes: pending_changes as u64,
            pending_responses: pending_responses as u64,
            last_sync,
            cursor: self.cursor()?,
            unit: self.unit_config()?,
        })
    }

    /// The server position saved by the last successful round.
    pub fn cursor(&self) -> Result<u64> {
        Ok(self
            .meta("cursor")?
            .and_then(|c| c.parse().ok())
            .unwrap_or(0))
    }

    /// The oldest changes the server has not acknowledged, about `max_bytes` of them (always
    /// at least one when any wait).
    pub fn outbox(&self, max_bytes: usize) -> Result<Vec<Outgoing>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, doc, bytes FROM changes WHERE uploaded = 0 ORDER BY seq",
        )?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        let mut size = 0;
        while let Some(row) = rows.next()? {
            let bytes: Vec<u8> = row.get(2)?;
            if !out.is_empty() && size + bytes.len() > max_bytes {
                break;
            }
            size += bytes.len();
            let doc: String = row.get(1)?;
            out.push(Outgoing {
                seq: row.get(0)?,
                entry: Entry {
                    doc: parse_uuid(&doc)?,
                    change: bytes,
                },
            });
        }
        Ok(out)
    }

    /// Make a successful round durable in one transaction: the acknowledged changes are
    /// marked uploaded, the pulled ones applied, the cursor and the time saved.
    pub fn commit_round(&mut self, commit: Commit, at: DateTime<Utc>) -> Result<Applied> {
        let unit = self.settings().unit.clone();
        let mut session = self.session()?;
        {
            let mut ack = session
                .tx
                .prepare_cached("UPDATE changes SET uploaded = 1 WHERE seq = ?1")?;
            for seq in &commit.acknowledged {
                ack.execute([seq])?;
            }
        }
        let mut applied = apply_in(&mut session, commit.pulled, Origin::Server, &unit)?;
        for (key, value) in [
            ("cursor", commit.cursor.to_string()),
            ("last_sync", at.timestamp_millis().to_string()),
        ] {
            session.tx.execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )?;
        }
        session.commit()?;
        self.only_responses(&mut applied)?;
        Ok(applied)
    }

    /// The identity of the server's change log as last seen, if any (`Simpul-Log`).
    pub fn server_log(&self) -> Result<Option<String>> {
        self.meta("server_log")
    }

    /// Remembers the identity of the server's change log, seen for the first time.
    pub fn set_server_log(&mut self, log: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES ('server_log', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [log],
        )?;
        Ok(())
    }

    /// The server was restored from a backup: its change log has identity `log` now, its
    /// positions name other changes, and it lacks what it acknowledged after the backup. In
    /// one transaction the cursor goes back to the start and every change written on this
    /// device is offered again; the server keeps those it has and stores those it lost.
    /// Changes pulled from the server are not offered: another device wrote them (and offers
    /// them itself) or the server did, and a server takes reviews only from its supervisors.
    /// Returns how many changes wait to be offered.
    pub fn start_over(&mut self, log: &str) -> Result<u64> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "UPDATE changes SET uploaded = 0 WHERE uploaded = 1 AND local = 1",
            [],
        )?;
        for (key, value) in [("cursor", "0"), ("server_log", log)] {
            tx.execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )?;
        }
        let waiting: i64 = tx.query_row(
            "SELECT COUNT(*) FROM changes WHERE uploaded = 0",
            [],
            |row| row.get(0),
        )?;
        tx.commit()?;
        Ok(waiting as u64)
    }

    fn meta(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |row| {
                row.get(0)
            })
            .optional()?)
    }
}
