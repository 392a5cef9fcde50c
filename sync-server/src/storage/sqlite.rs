//! The embedded storage: one SQLite file in the data directory, in WAL mode with
//! `synchronous = FULL`, so a committed transaction is on disk before its request is answered.
//!
//! One connection writes (behind a mutex, so in-process writers queue instead of spinning on
//! SQLite's lock) and a few read concurrently. Administrators run `simpul-server admin` as a
//! separate process on the same file while the server runs; every connection waits up to
//! [`BUSY_TIMEOUT`] for the other's write lock instead of failing.

mod backup;
mod links;
mod materialised;
mod migrate;
mod people;
mod plans;
mod review;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::config::DbConfig;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, Row, Transaction, TransactionBehavior, params};
use uuid::Uuid;

use super::change_log::PullFiller;
use super::shared::{SERVER_DEVICE, unit_record};
use super::{ChangeLog, NewDevice, Pulled, Reports, SYNC_MARK_EVERY};
use crate::error::Refusal;
use crate::export::ExportRow;
use crate::materialise::{Freshness, Materialised, Step};
use crate::model::{Device, DeviceId, DeviceRecord, IncomingChange, Name, Unit, UnitCode};
use crate::report::{
    ConflictRow, DayCount, ReportFilter, Tallies, UnitActivity, UnitScope, UnitTallies,
};
use crate::secret::SecretHash;
use crate::summary::AnswerCount;
use crate::{Error, Result};

pub use backup::Copied;

/// The database file inside the data directory.
pub const FILE_NAME: &str = "simpul-server.sqlite3";

/// The database file a device's `simpul` replica keeps in its folder: a folder holding it is
/// a device's, never a server's.
const DEVICE_FILE_NAME: &str = "simpul.sqlite3";

/// How long a connection waits for another's write lock, in this process or another.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Read connections kept open between requests; more are opened when needed.
const IDLE_READERS: usize = 8;

pub struct SqliteStorage {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
}

impl SqliteStorage {
    /// Opens (creating if needed) the database in `data_dir` and migrates it. A device's
    /// folder is refused with [`Error::DeviceFolder`].
    pub fn open(data_dir: &Path) -> Result<SqliteStorage> {
        if data_dir.join(DEVICE_FILE_NAME).exists() {
            return Err(Error::DeviceFolder(data_dir.to_path_buf()));
        }
        fs::create_dir_all(data_dir).map_err(|source| Error::DataDir {
            path: data_dir.to_path_buf(),
            source,
        })?;
        let path = data_dir.join(FILE_NAME);
        let mut writer = connect(&path)?;
        let mode: String =
            writer.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
        debug_assert_eq!(mode.to_ascii_lowercase(), "wal");
        migrate::migrate(&mut writer)?;
        Ok(SqliteStorage {
            path,
            writer: Mutex::new(writer),
            readers: Mutex::new(Vec::new()),
        })
    }

    /// Opens the database `data_dir` already holds, and fails with [`Error::NoServerData`]
    /// (writing nothing) when it holds none: every command but starting a server works on an
    /// existing one, and a mistyped folder must not quietly become a new, empty server.
    pub fn open_existing(data_dir: &Path) -> Result<SqliteStorage> {
        if data_dir.join(DEVICE_FILE_NAME).exists() {
            return Err(Error::DeviceFolder(data_dir.to_path_buf()));
        }
        if !data_dir.join(FILE_NAME).is_file() {
            return Err(Error::NoServerData(data_dir.to_path_buf()));
        }
        SqliteStorage::open(data_dir)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let idle = lock(&self.readers).pop();
        let conn = match idle {
            Some(conn) => conn,
            None => connect(&self.path)?,
        };
        let result = f(&conn);
        let mut readers = lock(&self.readers);
        if readers.len() < IDLE_READERS {
            readers.push(conn);
        }
        result
    }

    /// Runs `f` in a transaction that holds SQLite's write lock from its first statement to
    /// its commit. An error rolls everything back.
    fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = lock(&self.writer);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = f(&tx)?;
        tx.commit()?;
        Ok(value)
    }
}

/// A panic while a connection was borrowed rolled its transaction back (the `Transaction`
/// was dropped), so the connection is fine to use again.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn connect(path: &Path) -> Result<Connection> {
    let conn = Connection::open(path)?;
    // One query plan per statement, whatever values are bound: without it SQLite (built
    // with STAT4) re-prepares a cached statement at every new binding when its plan has an
    // index to choose (a join, an `ORDER BY`), which tripled the cost of the per-document
    // lookups that pushes, pulls and the follower repeat thousands of times.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    Ok(conn)
}

impl ChangeLog for SqliteStorage {
    fn document_changes(&self, doc: Uuid) -> Result<Vec<Vec<u8>>> {
        self.read(|conn| {
            let mut stmt =
                conn.prepare_cached("SELECT bytes FROM changes WHERE doc = ?1 ORDER BY seq")?;
            let rows = stmt.query_map([doc.to_string()], |row| row.get(0))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    fn store_server_changes(
        &self,
        unit: &UnitCode,
        changes: &[IncomingChange],
        now: DateTime<Utc>,
    ) -> Result<u64> {
        let now = timestamp(now);
        self.write(|tx| {
            let mut insert = tx.prepare_cached(
                "INSERT INTO changes (hash, doc, unit, device, bytes, received_at)
                 VALUES (?1, ?2, ?3, ?6, ?4, ?5)
                 ON CONFLICT (hash) DO NOTHING",
            )?;
            let mut claim = tx.prepare_cached(
                "INSERT INTO documents (doc, unit) VALUES (?1, ?2) ON CONFLICT (doc) DO NOTHING",
            )?;
            let mut new = 0;
            for change in changes {
                claim.execute(params![change.doc.to_string(), unit.as_str()])?;
                new += insert.execute(params![
                    change.hash.as_slice(),
                    change.doc.to_string(),
                    unit.as_str(),
                    change.bytes,
                    now,
                    SERVER_DEVICE,
                ])? as u64;
            }
            Ok(new)
        })
    }

    /// Reads, then writes: rewrites the schema version with its own value, which commits one
    /// page to the write-ahead log and syncs it like any push. A full disk, a read-only file
    /// or a lock held for ever fails here as it would fail the devices' pushes, instead of
    /// `/health` answering from a database that only still reads.
    fn health(&self) -> Result<()> {
        self.read(|conn| {
            conn.query_row("SELECT COUNT(*) FROM units", [], |row| row.get::<_, i64>(0))?;
            Ok(())
        })?;
        self.write(|tx| {
            let version: i64 = tx.pragma_query_value(None, "user_version", |row| row.get(0))?;
            tx.pragma_update(None, "user_version", version)?;
            Ok(())
        })
    }

    fn log_id(&self) -> Result<String> {
        self.read(|conn| Ok(conn.query_row("SELECT id FROM change_log", [], |row| row.get(0))?))
    }

    fn renew_log_id(&self) -> Result<String> {
        self.write(|tx| {
            Ok(tx.query_row(
                "UPDATE change_log SET id = lower(hex(randomblob(16))) RETURNING id",
                [],
                |row| row.get(0),
            )?)
        })
    }

    fn free_space(&self) -> Result<Option<u64>> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        let stats = rustix::fs::statvfs(dir).map_err(|errno| Error::DataDir {
            path: dir.to_path_buf(),
            source: errno.into(),
        })?;
        Ok(Some(stats.f_bavail.saturating_mul(stats.f_frsize)))
    }

    fn add_unit(&self, unit: &Unit, now: DateTime<Utc>) -> Result<()> {
        self.write(|tx| {
            let added = tx.execute(
                "INSERT INTO units (code, name, instansi, created_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (code) DO NOTHING",
                params![
                    unit.code.as_str(),
                    unit.name.as_str(),
                    unit.instansi.as_ref().map(Name::as_str),
                    timestamp(now)
                ],
            )?;
            match added {
                0 => Err(Error::UnitExists(unit.code.to_string())),
                _ => Ok(()),
            }
        })
    }

    fn unit(&self, code: &UnitCode) -> Result<Option<Unit>> {
        self.read(|conn| unit(conn, code))
    }

    fn units(&self) -> Result<Vec<Unit>> {
        self.read(|conn| {
            let mut stmt = conn.prepare("SELECT code, name, instansi FROM units ORDER BY code")?;
            let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?;
            rows.map(|row| {
                let (code, name, instansi): (String, String, Option<String>) = row?;
                unit_record(UnitCode::parse(&code)?, &name, instansi.as_deref())
            })
            .collect()
        })
    }

    fn set_instansi(&self, unit: &UnitCode, instansi: Option<&Name>) -> Result<()> {
        self.write(|tx| {
            let updated = tx.execute(
                "UPDATE units SET instansi = ?2 WHERE code = ?1",
                params![unit.as_str(), instansi.map(Name::as_str)],
            )?;
            match updated {
                0 => Err(Error::UnknownUnit(unit.to_string())),
                _ => Ok(()),
            }
        })
    }

    fn set_public(&self, unit: &UnitCode, public: bool) -> Result<()> {
        self.write(|tx| {
            let updated = tx.execute(
                "UPDATE units SET public = ?2 WHERE code = ?1",
                params![unit.as_str(), public],
            )?;
            match updated {
                0 => Err(Error::UnknownUnit(unit.to_string())),
                _ => Ok(()),
            }
        })
    }

    fn is_public(&self, unit: &UnitCode) -> Result<bool> {
        self.read(|conn| {
            Ok(conn
                .prepare_cached("SELECT public FROM units WHERE code = ?1")?
                .query_row([unit.as_str()], |row| row.get::<_, bool>(0))
                .optional()?
                .unwrap_or(false))
        })
    }

    fn unit_form(&self, unit: &UnitCode) -> Result<Option<String>> {
        self.read(|conn| {
            Ok(conn
                .query_row(
                    "SELECT form FROM units WHERE code = ?1",
                    [unit.as_str()],
                    |row| row.get(0),
                )
                .optional()?
                .flatten())
        })
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
                 VALUES (?1, ?2, ?3, ?4)",
                params![
                    code.0.as_slice(),
                    unit.as_str(),
                    timestamp(now),
                    timestamp(expires_at)
                ],
            )?;
            Ok(())
        })
    }

    fn enrol(&self, device: &NewDevice, now: DateTime<Utc>) -> Result<Unit> {
        self.write(|tx| {
            let found = tx
                .query_row(
                    "SELECT unit, expires_at, used_at FROM enrolment_codes WHERE code_hash = ?1",
                    [device.code.0.as_slice()],
                    |row| {
                        Ok((
                            row.get::<_, String>(0)?,
                            time(row, 1)?,
                            row.get::<_, Option<String>>(2)?,
                        ))
                    },
                )
                .optional()?;
            let (unit_code, expires_at) = match found {
                None => return Err(Error::EnrolmentRefused(Refusal::Unknown)),
                Some((_, _, Some(_))) => return Err(Error::EnrolmentRefused(Refusal::AlreadyUsed)),
                Some((_, expires_at, None)) if expires_at <= now => {
                    return Err(Error::EnrolmentRefused(Refusal::Expired));
                }
                Some((unit, expires_at, None)) => (UnitCode::parse(&unit)?, expires_at),
            };
            debug_assert!(expires_at > now);
            if let Some(expected) = &device.expected_unit
                && *expected != unit_code
            {
                // Before the code is spent: the device can still use it once it has a code
                // for its own unit, and this one stays good for a device of its unit.
                return Err(Error::EnrolmentWrongUnit {
                    code_unit: unit_code.to_string(),
                    expected: expected.to_string(),
                });
            }
            let id = device.id.to_string();
            tx.execute(
                "UPDATE enrolment_codes SET used_at = ?1, device_id = ?2 WHERE code_hash = ?3",
                params![timestamp(now), id, device.code.0.as_slice()],
            )?;
            tx.execute(
                "INSERT INTO devices (id, unit, name, token_hash, enrolled_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    id,
                    unit_code.as_str(),
                    device.name.as_str(),
                    device.token.0.as_slice(),
                    timestamp(now)
                ],
            )?;
            unit(tx, &unit_code)?.ok_or(Error::UnknownUnit(unit_code.to_string()))
        })
    }

    fn authenticate(&self, token: SecretHash) -> Result<Option<Device>> {
        self.read(|conn| {
            let found = conn
                .prepare_cached(
                    "SELECT id, unit FROM devices WHERE token_hash = ?1 AND revoked_at IS NULL",
                )?
                .query_row([token.0.as_slice()], |row| {
                    Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
                })
                .optional()?;
            found
                .map(|(id, unit)| {
                    Ok(Device {
                        id: DeviceId::parse(&id)?,
                        unit: UnitCode::parse(&unit)?,
                    })
                })
                .transpose()
        })
    }

    fn devices(&self) -> Result<Vec<DeviceRecord>> {
        self.read(|conn| {
            let mut stmt = conn.prepare(&format!("{DEVICE_RECORD} ORDER BY enrolled_at, id"))?;
            let rows = stmt.query_map([], device_record)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    fn revoke(&self, device: DeviceId, now: DateTime<Utc>) -> Result<DeviceRecord> {
        self.write(|tx| {
            let id = device.to_string();
            let updated = tx.execute(
                "UPDATE devices SET revoked_at = COALESCE(revoked_at, ?1) WHERE id = ?2",
                params![timestamp(now), id],
            )?;
            if updated == 0 {
                return Err(Error::UnknownDevice(id));
            }
            Ok(tx.query_row(
                &format!("{DEVICE_RECORD} WHERE id = ?1"),
                [&id],
                device_record,
            )?)
        })
    }

    /// Stores the batch in one immediate transaction.
    ///
    /// **Why a cursor never skips a change.** SQLite admits one writer at a time. This
    /// transaction begins `IMMEDIATE`, taking the write lock before its first statement, and
    /// the positions (`seq`, `AUTOINCREMENT`) are drawn by the inserts inside it; the lock is
    /// held from then until the commit. So no other transaction — another request, or an
    /// `admin` process on the same file — can draw a position while this one is uncommitted:
    /// transactions commit in the order of their positions. A reader sees a snapshot of the
    /// transactions committed when its statement began, which is therefore always *every*
    /// position up to some point and never a later one without the earlier ones. A pull reads
    /// in a single statement, so the cursor it returns has no change missing behind it, and
    /// no change can later be committed behind it. A transaction that rolls back draws its
    /// positions back too; no reader ever saw them.
    fn push(
        &self,
        device: &Device,
        key: Uuid,
        changes: &[IncomingChange],
        now: DateTime<Utc>,
    ) -> Result<u64> {
        // Nothing to store and nothing to remember: an empty push needs no write (no fsync),
        // and answering 0 again on a retry is what recording it would give.
        if changes.is_empty() {
            return Ok(0);
        }
        let device_id = device.id.to_string();
        let key = key.to_string();
        let now = timestamp(now);
        self.write(|tx| {
            let earlier: Option<i64> = tx
                .query_row(
                    "SELECT stored FROM pushes WHERE device = ?1 AND idempotency_key = ?2",
                    params![device_id, key],
                    |row| row.get(0),
                )
                .optional()?;
            let mut insert = tx.prepare_cached(
                "INSERT INTO changes (hash, doc, unit, device, bytes, received_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (hash) DO NOTHING",
            )?;
            let mut new = 0i64;
            for (index, change) in changes.iter().enumerate() {
                claim_document(tx, device, index, change)?;
                new += insert.execute(params![
                    change.hash.as_slice(),
                    change.doc.to_string(),
                    device.unit.as_str(),
                    device_id,
                    change.bytes,
                    now,
                ])? as i64;
            }
            // A retry finds its changes already stored and adds nothing. A key reused for
            // other changes (a client bug) still has them stored, and counted, not dropped.
            let stored = earlier.unwrap_or(0) + new;
            tx.execute(
                "INSERT INTO pushes (device, idempotency_key, stored, received_at)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (device, idempotency_key) DO UPDATE SET stored = excluded.stored",
                params![device_id, key, stored, now],
            )?;
            Ok(stored as u64)
        })
    }

    fn pull(&self, device: &Device, after: u64, max_payload: usize) -> Result<Pulled> {
        let me = device.id.to_string();
        let after_seq = i64::try_from(after).unwrap_or(i64::MAX);
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT seq, device, doc, bytes FROM changes
                 WHERE unit = ?1 AND seq > ?2 ORDER BY seq",
            )?;
            let mut rows = stmt.query(params![device.unit.as_str(), after_seq])?;
            let mut filler = PullFiller::new(after, max_payload);
            let more = loop {
                let Some(row) = rows.next()? else {
                    break false;
                };
                let own = row.get_ref(1)? == ValueRef::Text(me.as_bytes());
                let change = match own {
                    true => None,
                    false => Some((
                        doc_id(row, 2)?,
                        row.get_ref(3)?.as_blob().map_err(rusqlite::Error::from)?,
                    )),
                };
                if !filler.take(row.get(0)?, change) {
                    break true;
                }
            };
            Ok(filler.finish(more))
        })
    }

    fn document_unit(&self, doc: Uuid) -> Result<Option<UnitCode>> {
        self.read(|conn| {
            let unit: Option<String> = conn
                .prepare_cached("SELECT unit FROM documents WHERE doc = ?1")?
                .query_row([doc.to_string()], |row| row.get(0))
                .optional()?;
            Ok(unit.map(|unit| UnitCode::parse(&unit)).transpose()?)
        })
    }

    fn document_history(&self, doc: Uuid) -> Result<Vec<(Vec<u8>, String)>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT c.bytes, COALESCE(d.name, c.device) FROM changes c
                 LEFT JOIN devices d ON d.id = c.device
                 WHERE c.doc = ?1 ORDER BY c.seq",
            )?;
            let rows = stmt.query_map([doc.to_string()], |row| Ok((row.get(0)?, row.get(1)?)))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    fn holds_change(&self, hash: &[u8; 32]) -> Result<bool> {
        self.read(|conn| {
            Ok(conn
                .prepare_cached("SELECT 1 FROM changes WHERE hash = ?1")?
                .exists([hash.as_slice()])?)
        })
    }

    fn mark_synced(&self, device: &DeviceId, now: DateTime<Utc>) -> Result<()> {
        let id = device.to_string();
        let last: Option<String> = self.read(|conn| {
            Ok(conn
                .prepare_cached("SELECT last_sync_at FROM devices WHERE id = ?1")?
                .query_row([&id], |row| row.get(0))
                .optional()?
                .flatten())
        })?;
        // The same text form throughout, so the times order as their texts do.
        if last.is_some_and(|last| last >= timestamp(now - SYNC_MARK_EVERY)) {
            return Ok(());
        }
        self.write(|tx| {
            tx.prepare_cached("UPDATE devices SET last_sync_at = ?2 WHERE id = ?1")?
                .execute(params![id, timestamp(now)])?;
            Ok(())
        })
    }

    fn change_count(&self) -> Result<u64> {
        self.read(|conn| {
            let count: i64 =
                conn.query_row("SELECT COUNT(*) FROM changes", [], |row| row.get(0))?;
            Ok(count as u64)
        })
    }
}

impl Reports for SqliteStorage {
    fn freshness(&self) -> Result<Freshness> {
        self.read(materialised::freshness)
    }

    fn changed_documents(&self, after: u64, limit: usize) -> Result<Step> {
        self.read(|conn| materialised::changed_documents(conn, after, limit))
    }

    fn store_materialised(&self, rows: &[Materialised], from: u64, to: u64) -> Result<bool> {
        self.write(|tx| materialised::store(tx, rows, from, to))
    }

    fn tallies(&self, unit: &UnitCode, filter: &ReportFilter) -> Result<Tallies> {
        self.read(|conn| materialised::tallies(conn, unit, filter))
    }

    fn service_tallies(
        &self,
        unit: &UnitCode,
        filter: &ReportFilter,
    ) -> Result<Vec<(String, Tallies)>> {
        self.read(|conn| materialised::service_tallies(conn, unit, filter))
    }

    fn answer_counts(
        &self,
        unit: &UnitCode,
        filter: &ReportFilter,
        item: &str,
    ) -> Result<Vec<AnswerCount>> {
        self.read(|conn| materialised::answer_counts(conn, unit, filter, item))
    }

    fn unit_tallies(&self, scope: &UnitScope, filter: &ReportFilter) -> Result<Vec<UnitTallies>> {
        self.read(|conn| materialised::unit_tallies(conn, scope, filter))
    }

    fn unit_activity(&self, period: Option<&str>) -> Result<Vec<UnitActivity>> {
        self.read(|conn| materialised::unit_activity(conn, period))
    }

    fn responses_per_day(&self, period: Option<&str>) -> Result<Vec<DayCount>> {
        self.read(|conn| materialised::responses_per_day(conn, period))
    }

    fn conflicts(
        &self,
        unit: Option<&UnitCode>,
        filter: &ReportFilter,
    ) -> Result<Vec<ConflictRow>> {
        self.read(|conn| materialised::conflicts(conn, unit, filter))
    }

    fn export_rows(&self, unit: &UnitCode, filter: &ReportFilter) -> Result<Vec<ExportRow>> {
        self.read(|conn| materialised::export_rows(conn, unit, filter))
    }
}

/// Checks, inside the push transaction, that `change` may be filed under the device's unit:
/// its document belongs to that unit, or the change starts a new document there (and so the
/// document now belongs to it). A change is thus never filed — nor found already held — under
/// another unit than its document's.
fn claim_document(
    tx: &Transaction<'_>,
    device: &Device,
    index: usize,
    change: &IncomingChange,
) -> Result<()> {
    let doc = change.doc.to_string();
    let owner: Option<String> = tx
        .prepare_cached("SELECT unit FROM documents WHERE doc = ?1")?
        .query_row([&doc], |row| row.get(0))
        .optional()?;
    match owner {
        Some(owner) if owner == device.unit.as_str() => Ok(()),
        Some(owner) => Err(Error::ForeignDocument {
            index,
            doc: change.doc,
            owner,
            device_unit: device.unit.to_string(),
        }),
        None if change.creates => {
            tx.prepare_cached("INSERT INTO documents (doc, unit) VALUES (?1, ?2)")?
                .execute(params![doc, device.unit.as_str()])?;
            Ok(())
        }
        None => Err(Error::UnknownDocument {
            index,
            doc: change.doc,
        }),
    }
}

const DEVICE_RECORD: &str =
    "SELECT id, unit, name, enrolled_at, revoked_at, last_sync_at FROM devices";

fn device_record(row: &Row<'_>) -> rusqlite::Result<DeviceRecord> {
    let optional_time = |index| match row.get_ref(index)?.as_str_or_null()? {
        None => Ok(None),
        Some(_) => time(row, index).map(Some),
    };
    let revoked_at = optional_time(4)?;
    let last_sync_at = optional_time(5)?;
    Ok(DeviceRecord {
        id: DeviceId::parse(row.get_ref(0)?.as_str()?).map_err(|e| unreadable(0, e))?,
        unit: UnitCode::parse(row.get_ref(1)?.as_str()?).map_err(|e| unreadable(1, e))?,
        name: row.get(2)?,
        enrolled_at: time(row, 3)?,
        revoked_at,
        last_sync_at,
    })
}

fn unit(conn: &Connection, code: &UnitCode) -> Result<Option<Unit>> {
    let found: Option<(String, Option<String>)> = conn
        .query_row(
            "SELECT name, instansi FROM units WHERE code = ?1",
            [code.as_str()],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    found
        .map(|(name, instansi)| unit_record(code.clone(), &name, instansi.as_deref()))
        .transpose()
}

/// Times are stored as RFC 3339 UTC text with milliseconds, which sorts as it reads.
fn timestamp(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn time(row: &Row<'_>, index: usize) -> rusqlite::Result<DateTime<Utc>> {
    let text: String = row.get(index)?;
    DateTime::parse_from_rfc3339(&text)
        .map(|time| time.with_timezone(&Utc))
        .map_err(|error| unreadable(index, error))
}

fn doc_id(row: &Row<'_>, index: usize) -> rusqlite::Result<Uuid> {
    let text = row.get_ref(index)?.as_str()?;
    Uuid::parse_str(text).map_err(|error| unreadable(index, error))
}

/// A stored value this build cannot read back: only a damaged or hand-edited database.
fn unreadable(
    index: usize,
    error: impl std::error::Error + Send + Sync + 'static,
) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(index, rusqlite::types::Type::Text, Box::new(error))
}

#[cfg(test)]
mod tests;
