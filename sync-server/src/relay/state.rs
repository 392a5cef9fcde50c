//! What a relay remembers of its upstream, in [`FILE_NAME`] beside the server's database:
//! the upstream's address and, for every unit it carries, the device it is upstream (id and
//! token), the local device that stands for the upstream in the relay's own change log, and
//! how far each direction has got. Kept apart from the server's schema: a relay is a server
//! whose data folder has this one file more.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use crate::model::{Device, DeviceId, UnitCode};
use crate::{Error, Result};

pub const FILE_NAME: &str = "relay.sqlite3";

/// One unit a relay carries.
#[derive(Clone, Debug)]
pub struct Carried {
    pub unit: UnitCode,
    /// The relay's device id upstream, for this unit.
    pub upstream_device: String,
    /// Its token upstream. Kept in clear, as a device keeps its own.
    pub token: String,
    /// The local device whose pushes are what came down from upstream, and whose pulls are
    /// what must go up.
    pub local: Device,
    /// The local change-log position forwarded up to.
    pub up: u64,
    /// The upstream position pulled down to.
    pub down: u64,
    /// The upstream change log's identity when last seen.
    pub upstream_log: Option<String>,
    pub last_contact: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

pub struct RelayState {
    conn: Mutex<Connection>,
    path: PathBuf,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS upstream (
    url TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS carried (
    unit            TEXT PRIMARY KEY,
    upstream_device TEXT NOT NULL,
    token           TEXT NOT NULL,
    local_device    TEXT NOT NULL,
    up              INTEGER NOT NULL DEFAULT 0,
    down            INTEGER NOT NULL DEFAULT 0,
    upstream_log    TEXT,
    last_contact    TEXT,
    last_error      TEXT
) STRICT;
";

impl RelayState {
    /// Opens the relay state of `data_dir`, creating it when missing.
    pub fn open(data_dir: &Path) -> Result<RelayState> {
        let path = data_dir.join(FILE_NAME);
        let conn = Connection::open(&path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.execute_batch(SCHEMA)?;
        Ok(RelayState {
            conn: Mutex::new(conn),
            path,
        })
    }

    /// The relay state of `data_dir`; [`Error::NotARelay`] when the folder holds none.
    pub fn open_existing(data_dir: &Path) -> Result<RelayState> {
        if !data_dir.join(FILE_NAME).is_file() {
            return Err(Error::NotARelay(data_dir.to_path_buf()));
        }
        RelayState::open(data_dir)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn upstream(&self) -> Result<Option<String>> {
        Ok(self
            .conn()
            .query_row("SELECT url FROM upstream", [], |row| row.get(0))
            .optional()?)
    }

    pub fn set_upstream(&self, url: &str) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute("DELETE FROM upstream", [])?;
        tx.execute("INSERT INTO upstream (url) VALUES (?1)", [url])?;
        tx.commit()?;
        Ok(())
    }

    /// The units carried, in code order.
    pub fn carried(&self) -> Result<Vec<Carried>> {
        let conn = self.conn();
        let mut statement = conn.prepare(
            "SELECT unit, upstream_device, token, local_device, up, down, upstream_log,
                    last_contact, last_error
             FROM carried ORDER BY unit",
        )?;
        let rows = statement.query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, i64>(4)?,
                row.get::<_, i64>(5)?,
                row.get::<_, Option<String>>(6)?,
                row.get::<_, Option<String>>(7)?,
                row.get::<_, Option<String>>(8)?,
            ))
        })?;
        let mut carried = Vec::new();
        for row in rows {
            let (unit, upstream_device, token, local, up, down, log, contact, error) = row?;
            let unit = UnitCode::parse(&unit)?;
            carried.push(Carried {
                local: Device {
                    id: DeviceId::parse(&local)?,
                    unit: unit.clone(),
                },
                unit,
                upstream_device,
                token,
                up: u64::try_from(up).unwrap_or(0),
                down: u64::try_from(down).unwrap_or(0),
                upstream_log: log,
                last_contact: contact
                    .as_deref()
                    .and_then(|at| DateTime::parse_from_rfc3339(at).ok())
                    .map(|at| at.with_timezone(&Utc)),
                last_error: error,
            });
        }
        Ok(carried)
    }

    pub fn add_carried(&self, carried: &Carried) -> Result<()> {
        self.conn().execute(
            "INSERT INTO carried (unit, upstream_device, token, local_device)
             VALUES (?1, ?2, ?3, ?4)",
            params![
                carried.unit.as_str(),
                carried.upstream_device,
                carried.token,
                carried.local.id.to_string()
            ],
        )?;
        Ok(())
    }

    /// Records how far `carried` got, and that the upstream answered at `at`.
    pub fn advanced(&self, carried: &Carried, at: DateTime<Utc>) -> Result<()> {
        self.conn().execute(
            "UPDATE carried SET up = ?2, down = ?3, upstream_log = ?4, last_contact = ?5,
                                last_error = NULL
             WHERE unit = ?1",
            params![
                carried.unit.as_str(),
                i64::try_from(carried.up).unwrap_or(i64::MAX),
                i64::try_from(carried.down).unwrap_or(i64::MAX),
                carried.upstream_log,
                at.to_rfc3339()
            ],
        )?;
        Ok(())
    }

    /// Records why forwarding `unit` stopped.
    pub fn failed(&self, unit: &UnitCode, error: &str) -> Result<()> {
        self.conn().execute(
            "UPDATE carried SET last_error = ?2 WHERE unit = ?1",
            params![unit.as_str(), error],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn carried(unit: &str) -> Carried {
        let unit = UnitCode::parse(unit).unwrap();
        Carried {
            local: Device {
                id: DeviceId::new(),
                unit: unit.clone(),
            },
            unit,
            upstream_device: "01a2345b-0000-7000-8000-000000000001".into(),
            token: "token".into(),
            up: 0,
            down: 0,
            upstream_log: None,
            last_contact: None,
            last_error: None,
        }
    }

    #[test]
    fn positions_contact_and_errors_survive_reopening_per_unit() {
        let dir = tempfile::tempdir().unwrap();
        let state = RelayState::open(dir.path()).unwrap();
        state.set_upstream("http://upstream.example").unwrap();
        let (mut a, b) = (carried("U-A"), carried("U-B"));
        state.add_carried(&b).unwrap();
        state.add_carried(&a).unwrap();
        let at = DateTime::parse_from_rfc3339("2026-12-02T08:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        a.up = 40;
        a.down = 7;
        a.upstream_log = Some("log".into());
        state.advanced(&a, at).unwrap();
        state
            .failed(&b.unit, "the upstream could not be reached")
            .unwrap();
        drop(state);

        let state = RelayState::open_existing(dir.path()).unwrap();
        assert_eq!(
            state.upstream().unwrap().as_deref(),
            Some("http://upstream.example")
        );
        let read = state.carried().unwrap();
        assert_eq!(read.len(), 2);
        let (read_a, read_b) = (&read[0], &read[1]);
        assert_eq!(read_a.unit, a.unit, "in code order");
        assert_eq!((read_a.up, read_a.down), (40, 7));
        assert_eq!(read_a.local.id, a.local.id);
        assert_eq!(read_a.upstream_log.as_deref(), Some("log"));
        assert_eq!(read_a.last_contact, Some(at));
        assert_eq!(read_a.last_error, None);
        assert_eq!((read_b.up, read_b.last_contact), (0, None));
        assert!(read_b.last_error.as_deref().unwrap().contains("could not"));
    }

    #[test]
    fn a_folder_without_relay_state_is_not_a_relay() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            RelayState::open_existing(dir.path()),
            Err(Error::NotARelay(_))
        ));
        assert!(!dir.path().join(FILE_NAME).exists(), "nothing created");
    }
}
