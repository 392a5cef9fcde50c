//! The PostgreSQL storage, for a deployment that outgrows one SQLite file: a database its
//! operators already run, replicate and back up, with any number of `simpul-server` processes
//! in front of it. Everything a node needs is in the database; a node holds only its pool.
//!
//! Connections come from an r2d2 pool of synchronous `postgres` clients: storage methods
//! block and run on tokio's blocking threads, as SQLite's do. They are plain TCP unless the
//! address asks for TLS (`?sslmode=require`, see [`address`]), which a database beyond
//! loopback or a private network needs.
//!
//! It holds everything SQLite does: the change log ([`ChangeLog`]), the materialised tables
//! and their reports, people, plans, reviews and survey links, each in a module of its own.
//!
//! A response's day of capture is read on the calendar of the node's own time zone, as
//! SQLite reads the machine's: every pooled connection's session time zone is set to the
//! node's UTC offset when it opens.

mod address;
mod links;
mod materialised;
mod migrate;
mod people;
mod plans;
mod review;

use std::time::Duration;

use chrono::{DateTime, Utc};
use postgres::{Row, Transaction};
use r2d2::{CustomizeConnection, Pool, PooledConnection};
use r2d2_postgres::PostgresConnectionManager;
use tokio_postgres_rustls::MakeRustlsConnect;
use uuid::Uuid;

use super::change_log::PullFiller;
use super::shared::{SERVER_DEVICE, unit_record};
use super::{ChangeLog, NewDevice, Pulled, SYNC_MARK_EVERY};
use crate::error::Refusal;
use crate::model::{Device, DeviceId, DeviceRecord, IncomingChange, Name, Unit, UnitCode};
use crate::secret::SecretHash;
use crate::{Error, Result};

pub use address::Address;

type Manager = PostgresConnectionManager<MakeRustlsConnect>;

/// The advisory lock every writer of `changes` takes first and holds until it commits, on
/// every node: see [`PostgresStorage::push`] for why.
const LOG_LOCK: i64 = 0x5349_4d50_554c;

/// Connections one node keeps at most; a request waits for a free one.
const POOL_SIZE: u32 = 16;

/// How long a request waits for a connection before the database counts as unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Rows a pull fetches from its portal at a time: a pull stops early when its payload is
/// full, and the rows after it are then never sent over.
const FETCH_ROWS: i32 = 256;

pub struct PostgresStorage {
    pool: Pool<Manager>,
}

impl PostgresStorage {
    /// Connects to the database at `url` (`postgres://USER@HOST:PORT/DATABASE`) and migrates
    /// it. Several nodes may start at once: migrations take a lock of their own.
    pub fn open(url: &str) -> Result<PostgresStorage> {
        PostgresStorage::at(Address::parse(url)?)
    }

    /// Opens a database that already holds a server's data, and fails with
    /// [`Error::NoServerDatabase`] (writing nothing) for one that holds none.
    pub fn open_existing(url: &str) -> Result<PostgresStorage> {
        let address = Address::parse(url)?;
        let mut first = address.reach()?;
        let held: bool = first
            .query_one("SELECT to_regclass('schema_version') IS NOT NULL", &[])?
            .get(0);
        if !held {
            let name = address.config.get_dbname().unwrap_or_default().to_string();
            return Err(Error::NoServerDatabase(name));
        }
        PostgresStorage::start(address, first)
    }

    /// Connects as `config` says (TLS only with `sslmode=require`) and migrates.
    pub fn connect(config: postgres::Config) -> Result<PostgresStorage> {
        PostgresStorage::at(Address::new(config, None)?)
    }

    fn at(address: Address) -> Result<PostgresStorage> {
        let first = address.reach()?;
        PostgresStorage::start(address, first)
    }

    /// Migrates on `first`, the connection [`Address::reach`] made, then opens the pool.
    fn start(
        Address { config, tls }: Address,
        mut first: postgres::Client,
    ) -> Result<PostgresStorage> {
        // On the node's calendar, as every pooled connection is.
        LocalTimeZone.on_acquire(&mut first)?;
        migrate::migrate(&mut first)?;
        drop(first);
        let pool = Pool::builder()
            .max_size(POOL_SIZE)
            .min_idle(Some(1))
            .connection_timeout(CONNECT_TIMEOUT)
            .connection_customizer(Box::new(LocalTimeZone))
            .build(PostgresConnectionManager::new(config, tls))?;
        Ok(PostgresStorage { pool })
    }

    fn client(&self) -> Result<PooledConnection<Manager>> {
        Ok(self.pool.get()?)
    }

    /// Runs `f` in a transaction; an error rolls everything back.
    fn write<T>(&self, f: impl FnOnce(&mut Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut client = self.client()?;
        let mut tx = client.transaction()?;
        let value = f(&mut tx)?;
        tx.commit()?;
        Ok(value)
    }

    /// Runs `f` in a transaction that writes the change log: it holds [`LOG_LOCK`] from its
    /// first statement to its commit.
    fn append<T>(&self, f: impl FnOnce(&mut Transaction<'_>) -> Result<T>) -> Result<T> {
        self.write(|tx| {
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOG_LOCK])?;
            f(tx)
        })
    }
}

impl ChangeLog for PostgresStorage {
    /// Reads, then writes the log's identity over itself: a commit that must reach the
    /// write-ahead log, as a push's does.
    fn health(&self) -> Result<()> {
        self.client()?
            .query_one("SELECT COUNT(*) FROM units", &[])?;
        self.write(|tx| {
            tx.execute("UPDATE change_log SET id = id", &[])?;
            Ok(())
        })
    }

    fn log_id(&self) -> Result<String> {
        Ok(self
            .client()?
            .query_one("SELECT id FROM change_log", &[])?
            .get(0))
    }

    fn renew_log_id(&self) -> Result<String> {
        self.write(|tx| {
            Ok(tx
                .query_one(
                    "UPDATE change_log SET id = replace(gen_random_uuid()::text, '-', '')
                     RETURNING id",
                    &[],
                )?
                .get(0))
        })
    }

    fn add_unit(&self, unit: &Unit, now: DateTime<Utc>) -> Result<()> {
        let added = self.client()?.execute(
            "INSERT INTO units (code, name, instansi, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (code) DO NOTHING",
            &[
                &unit.code.as_str(),
                &unit.name.as_str(),
                &unit.instansi.as_ref().map(Name::as_str),
                &now,
            ],
        )?;
        match added {
            0 => Err(Error::UnitExists(unit.code.to_string())),
            _ => Ok(()),
        }
    }

    fn unit(&self, code: &UnitCode) -> Result<Option<Unit>> {
        unit(&mut *self.client()?, code)
    }

    fn units(&self) -> Result<Vec<Unit>> {
        self.client()?
            .query(
                "SELECT code, name, instansi FROM units ORDER BY code COLLATE \"C\"",
                &[],
            )?
            .iter()
            .map(|row| unit_record(UnitCode::parse(row.get(0))?, row.get(1), row.get(2)))
            .collect()
    }

    fn set_instansi(&self, unit: &UnitCode, instansi: Option<&Name>) -> Result<()> {
        let updated = self.client()?.execute(
            "UPDATE units SET instansi = $2 WHERE code = $1",
            &[&unit.as_str(), &instansi.map(Name::as_str)],
        )?;
        match updated {
            0 => Err(Error::UnknownUnit(unit.to_string())),
            _ => Ok(()),
        }
    }

    fn set_public(&self, unit: &UnitCode, public: bool) -> Result<()> {
        let updated = self.client()?.execute(
            "UPDATE units SET public = $2 WHERE code = $1",
            &[&unit.as_str(), &public],
        )?;
        match updated {
            0 => Err(Error::UnknownUnit(unit.to_string())),
            _ => Ok(()),
        }
    }

    fn is_public(&self, unit: &UnitCode) -> Result<bool> {
        Ok(self
            .client()?
            .query_opt(
                "SELECT public FROM units WHERE code = $1",
                &[&unit.as_str()],
            )?
            .is_some_and(|row| row.get(0)))
    }

    fn unit_form(&self, unit: &UnitCode) -> Result<Option<String>> {
        Ok(self
            .client()?
            .query_opt("SELECT form FROM units WHERE code = $1", &[&unit.as_str()])?
            .and_then(|row| row.get(0)))
    }

    fn add_enrolment_code(
        &self,
        unit: &UnitCode,
        code: SecretHash,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        self.write(|tx| {
            if self::unit(tx, unit)?.is_none() {
                return Err(Error::UnknownUnit(unit.to_string()));
            }
            tx.execute(
                "INSERT INTO enrolment_codes (code_hash, unit, created_at, expires_at)
                 VALUES ($1, $2, $3, $4)",
                &[&code.0.as_slice(), &unit.as_str(), &now, &expires_at],
            )?;
            Ok(())
        })
    }

    /// `FOR UPDATE` makes a second enrolment with the same code wait for the first to
    /// commit, then read the code as used: one device, on any node.
    fn enrol(&self, device: &NewDevice, now: DateTime<Utc>) -> Result<Unit> {
        self.write(|tx| {
            let found = tx.query_opt(
                "SELECT unit, expires_at, used_at FROM enrolment_codes
                 WHERE code_hash = $1 FOR UPDATE",
                &[&device.code.0.as_slice()],
            )?;
            let Some(found) = found else {
                return Err(Error::EnrolmentRefused(Refusal::Unknown));
            };
            let expires_at: DateTime<Utc> = found.get(1);
            let used_at: Option<DateTime<Utc>> = found.get(2);
            if used_at.is_some() {
                return Err(Error::EnrolmentRefused(Refusal::AlreadyUsed));
            }
            if expires_at <= now {
                return Err(Error::EnrolmentRefused(Refusal::Expired));
            }
            let unit_code = UnitCode::parse(found.get(0))?;
            if let Some(expected) = &device.expected_unit
                && *expected != unit_code
            {
                // Before the code is spent, as SQLite does: it stays good for its own unit.
                return Err(Error::EnrolmentWrongUnit {
                    code_unit: unit_code.to_string(),
                    expected: expected.to_string(),
                });
            }
            let id = device.id.to_string();
            tx.execute(
                "UPDATE enrolment_codes SET used_at = $1, device_id = $2 WHERE code_hash = $3",
                &[&now, &id, &device.code.0.as_slice()],
            )?;
            tx.execute(
                "INSERT INTO devices (id, unit, name, token_hash, enrolled_at)
                 VALUES ($1, $2, $3, $4, $5)",
                &[
                    &id,
                    &unit_code.as_str(),
                    &device.name.as_str(),
                    &device.token.0.as_slice(),
                    &now,
                ],
            )?;
            unit(tx, &unit_code)?.ok_or(Error::UnknownUnit(unit_code.to_string()))
        })
    }

    fn authenticate(&self, token: SecretHash) -> Result<Option<Device>> {
        self.client()?
            .query_opt(
                "SELECT id, unit FROM devices WHERE token_hash = $1 AND revoked_at IS NULL",
                &[&token.0.as_slice()],
            )?
            .map(|row| {
                Ok(Device {
                    id: DeviceId::parse(row.get(0))?,
                    unit: UnitCode::parse(row.get(1))?,
                })
            })
            .transpose()
    }

    fn document_changes(&self, doc: Uuid) -> Result<Vec<Vec<u8>>> {
        Ok(self
            .client()?
            .query(
                "SELECT bytes FROM changes WHERE doc = $1 ORDER BY seq",
                &[&doc],
            )?
            .iter()
            .map(|row| row.get(0))
            .collect())
    }

    fn store_server_changes(
        &self,
        unit: &UnitCode,
        changes: &[IncomingChange],
        now: DateTime<Utc>,
    ) -> Result<u64> {
        self.append(|tx| {
            let claim = tx.prepare(
                "INSERT INTO documents (doc, unit) VALUES ($1, $2) ON CONFLICT (doc) DO NOTHING",
            )?;
            let insert = tx.prepare(INSERT_CHANGE)?;
            let mut new = 0;
            for change in changes {
                tx.execute(&claim, &[&change.doc, &unit.as_str()])?;
                new += tx.execute(
                    &insert,
                    &[
                        &change.hash.as_slice(),
                        &change.doc,
                        &unit.as_str(),
                        &SERVER_DEVICE,
                        &change.bytes,
                        &now,
                    ],
                )?;
            }
            Ok(new)
        })
    }

    fn devices(&self) -> Result<Vec<DeviceRecord>> {
        self.client()?
            .query(&format!("{DEVICE_RECORD} ORDER BY enrolled_at, id"), &[])?
            .iter()
            .map(device_record)
            .collect()
    }

    fn revoke(&self, device: DeviceId, now: DateTime<Utc>) -> Result<DeviceRecord> {
        let id = device.to_string();
        self.write(|tx| {
            let updated = tx.execute(
                "UPDATE devices SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2",
                &[&now, &id],
            )?;
            if updated == 0 {
                return Err(Error::UnknownDevice(id.clone()));
            }
            device_record(&tx.query_one(&format!("{DEVICE_RECORD} WHERE id = $1"), &[&id])?)
        })
    }

    /// Stores the batch in one transaction that holds [`LOG_LOCK`] until it commits.
    ///
    /// **Why a cursor never skips a change.** An identity column hands out positions in the
    /// order transactions ask, not the order they commit: without more, a push that drew 7
    /// and commits after a push that drew 8 would let a pull see 8, return cursor 8, and
    /// never look behind it for 7. Here every transaction that draws positions first takes
    /// the same advisory lock, on whichever node it runs, and PostgreSQL releases a
    /// transaction's locks only after its commit is visible. So the transaction that draws
    /// 8 starts drawing only after the one that drew 7 is visible to every new snapshot: a
    /// snapshot that sees a position sees every position below it that will ever commit. A
    /// pull reads in one statement, one snapshot. A transaction that rolls back leaves a gap
    /// that no later position fills.
    fn push(
        &self,
        device: &Device,
        key: Uuid,
        changes: &[IncomingChange],
        now: DateTime<Utc>,
    ) -> Result<u64> {
        // As SQLite: nothing to store and nothing to remember.
        if changes.is_empty() {
            return Ok(0);
        }
        let device_id = device.id.to_string();
        self.append(|tx| {
            let earlier: Option<i64> = tx
                .query_opt(
                    "SELECT stored FROM pushes WHERE device = $1 AND idempotency_key = $2",
                    &[&device_id, &key],
                )?
                .map(|row| row.get(0));
            let owner = tx.prepare("SELECT unit FROM documents WHERE doc = $1")?;
            let claim = tx.prepare("INSERT INTO documents (doc, unit) VALUES ($1, $2)")?;
            let insert = tx.prepare(INSERT_CHANGE)?;
            let mut new = 0i64;
            for (index, change) in changes.iter().enumerate() {
                let found = tx.query_opt(&owner, &[&change.doc])?;
                match found.map(|row| row.get::<_, String>(0)) {
                    Some(owner) if owner == device.unit.as_str() => {}
                    Some(owner) => {
                        return Err(Error::ForeignDocument {
                            index,
                            doc: change.doc,
                            owner,
                            device_unit: device.unit.to_string(),
                        });
                    }
                    None if change.creates => {
                        tx.execute(&claim, &[&change.doc, &device.unit.as_str()])?;
                    }
                    None => {
                        return Err(Error::UnknownDocument {
                            index,
                            doc: change.doc,
                        });
                    }
                }
                new += tx.execute(
                    &insert,
                    &[
                        &change.hash.as_slice(),
                        &change.doc,
                        &device.unit.as_str(),
                        &device_id,
                        &change.bytes,
                        &now,
                    ],
                )? as i64;
            }
            let stored = earlier.unwrap_or(0) + new;
            tx.execute(
                "INSERT INTO pushes (device, idempotency_key, stored, received_at)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (device, idempotency_key) DO UPDATE SET stored = excluded.stored",
                &[&device_id, &key, &stored, &now],
            )?;
            Ok(stored as u64)
        })
    }

    /// One statement through a portal, so one snapshot (see [`PostgresStorage::push`]), read
    /// [`FETCH_ROWS`] at a time. The device's own changes come without their bytes.
    fn pull(&self, device: &Device, after: u64, max_payload: usize) -> Result<Pulled> {
        let me = device.id.to_string();
        let after_seq = i64::try_from(after).unwrap_or(i64::MAX);
        let mut client = self.client()?;
        let mut tx = client.build_transaction().read_only(true).start()?;
        let portal = tx.bind(
            "SELECT seq, doc, CASE WHEN device = $3 THEN NULL ELSE bytes END FROM changes
             WHERE unit = $1 AND seq > $2 ORDER BY seq",
            &[&device.unit.as_str(), &after_seq, &me],
        )?;
        let mut filler = PullFiller::new(after, max_payload);
        let more = 'fetch: loop {
            let rows = tx.query_portal(&portal, FETCH_ROWS)?;
            for row in &rows {
                let bytes: Option<&[u8]> = row.get(2);
                let change = bytes.map(|bytes| (row.get::<_, Uuid>(1), bytes));
                if !filler.take(row.get(0), change) {
                    break 'fetch true;
                }
            }
            if rows.len() < FETCH_ROWS as usize {
                break false;
            }
        };
        tx.commit()?;
        Ok(filler.finish(more))
    }

    fn change_count(&self) -> Result<u64> {
        let count: i64 = self
            .client()?
            .query_one("SELECT COUNT(*) FROM changes", &[])?
            .get(0);
        Ok(count as u64)
    }

    fn document_unit(&self, doc: Uuid) -> Result<Option<UnitCode>> {
        self.client()?
            .query_opt("SELECT unit FROM documents WHERE doc = $1", &[&doc])?
            .map(|row| Ok(UnitCode::parse(row.get(0))?))
            .transpose()
    }

    fn document_history(&self, doc: Uuid) -> Result<Vec<(Vec<u8>, String)>> {
        Ok(self
            .client()?
            .query(
                "SELECT c.bytes, COALESCE(d.name, c.device) FROM changes c
                 LEFT JOIN devices d ON d.id = c.device
                 WHERE c.doc = $1 ORDER BY c.seq",
                &[&doc],
            )?
            .iter()
            .map(|row| (row.get(0), row.get(1)))
            .collect())
    }

    fn holds_change(&self, hash: &[u8; 32]) -> Result<bool> {
        Ok(self
            .client()?
            .query_opt("SELECT 1 FROM changes WHERE hash = $1", &[&hash.as_slice()])?
            .is_some())
    }

    /// One statement that writes only when the last mark is older than
    /// [`SYNC_MARK_EVERY`]: a pull a moment after another changes nothing.
    fn mark_synced(&self, device: &DeviceId, now: DateTime<Utc>) -> Result<()> {
        self.client()?.execute(
            "UPDATE devices SET last_sync_at = $2
             WHERE id = $1 AND (last_sync_at IS NULL OR last_sync_at < $3)",
            &[&device.to_string(), &now, &(now - SYNC_MARK_EVERY)],
        )?;
        Ok(())
    }
}

/// Sets a new connection's session time zone to this node's UTC offset, so that a day of
/// capture (`unit_days`, see the materialised tables) is the node's calendar day.
#[derive(Debug)]
struct LocalTimeZone;

impl CustomizeConnection<postgres::Client, postgres::Error> for LocalTimeZone {
    fn on_acquire(
        &self,
        client: &mut postgres::Client,
    ) -> std::result::Result<(), postgres::Error> {
        client.batch_execute(&set_time_zone(
            chrono::Local::now().offset().local_minus_utc(),
        ))
    }
}

/// The statement that sets the session's time zone to `offset` seconds east of UTC.
fn set_time_zone(offset: i32) -> String {
    let sign = if offset < 0 { '-' } else { '+' };
    let minutes = offset.unsigned_abs() / 60;
    format!(
        "SET TIME ZONE INTERVAL '{sign}{:02}:{:02}' HOUR TO MINUTE",
        minutes / 60,
        minutes % 60
    )
}

const INSERT_CHANGE: &str = "INSERT INTO changes (hash, doc, unit, device, bytes, received_at)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (hash) DO NOTHING";

const DEVICE_RECORD: &str =
    "SELECT id, unit, name, enrolled_at, revoked_at, last_sync_at FROM devices";

fn device_record(row: &Row) -> Result<DeviceRecord> {
    Ok(DeviceRecord {
        id: DeviceId::parse(row.get(0))?,
        unit: UnitCode::parse(row.get(1))?,
        name: row.get(2),
        enrolled_at: row.get(3),
        revoked_at: row.get(4),
        last_sync_at: row.get(5),
    })
}

fn unit(client: &mut impl postgres::GenericClient, code: &UnitCode) -> Result<Option<Unit>> {
    client
        .query_opt(
            "SELECT name, instansi FROM units WHERE code = $1",
            &[&code.as_str()],
        )?
        .map(|row| unit_record(code.clone(), row.get(0), row.get(1)))
        .transpose()
}

#[cfg(test)]
pub(crate) mod testing;
