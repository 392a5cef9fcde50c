//! Opening a replica: the SQLite file in the replica's folder, its settings and its forms.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use automerge::ActorId;
use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;
use simpul_survey::Form;

use crate::model::{PeriodCode, UnitCode};
use crate::store::Session;
use crate::{Error, Phrase, Result, materialise, migrate};

/// The database file inside a replica's folder.
pub const DB_FILE: &str = "simpul.sqlite3";

/// What a device is set up to collect: set at `init`, changeable later.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Settings {
    /// The service unit this device collects for (`U-CAPIL`).
    pub unit: UnitCode,
    /// The active survey period (`2025-S1`).
    pub period: PeriodCode,
    /// The form new responses use.
    pub form: String,
    /// A name for this device, recorded with its changes.
    pub device: String,
}

/// One device's data.
pub struct Replica {
    pub(crate) conn: Connection,
    pub(crate) forms: BTreeMap<String, Form>,
    pub(crate) actor: ActorId,
    settings: Settings,
    dir: PathBuf,
    read_only: bool,
}

impl Replica {
    /// Create a new replica in `dir` (made if missing). Refuses to overwrite an existing one.
    /// Checks that [`Replica::init`] could create a replica in `dir` — no replica there yet,
    /// the folder creatable and writable — without creating one. A device enrolling for the
    /// first time asks this before it spends its one-time code.
    pub fn check_can_create(dir: &Path) -> Result<()> {
        if dir.join(DB_FILE).exists() {
            return Err(Error::AlreadyInitialised(dir.to_path_buf()));
        }
        let io = |source| Error::Io {
            path: dir.to_path_buf(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(io)?;
        let probe = dir.join(".simpul-write-check");
        std::fs::write(&probe, b"").map_err(io)?;
        std::fs::remove_file(&probe).map_err(io)
    }

    pub fn init(dir: &Path, settings: Settings) -> Result<Replica> {
        let path = dir.join(DB_FILE);
        if path.exists() {
            return Err(Error::AlreadyInitialised(dir.to_path_buf()));
        }
        if simpul_survey::builtin_form(&settings.form).is_none() {
            return Err(Error::UnknownForm(settings.form));
        }
        std::fs::create_dir_all(dir).map_err(|source| Error::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        // Built under another name and renamed into place once whole: whoever waits for the
        // file to appear (the app's sync thread) never opens a half-made replica and never
        // competes with this connection for its locks. No WAL while building, so the one
        // file holds everything when it is renamed.
        let building = dir.join(format!("{DB_FILE}.new"));
        let io = |source| Error::Io {
            path: building.clone(),
            source,
        };
        match std::fs::remove_file(&building) {
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => return Err(io(error)),
            _ => {}
        }
        let mut conn = Connection::open_with_flags(&building, OpenFlags::default())?;
        stable_plans(&conn)?;
        migrate::migrate(&mut conn)?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let actor = ActorId::random();
        for (key, value) in [
            ("actor", actor.to_hex_string()),
            ("unit", settings.unit.to_string()),
            ("period", settings.period.to_string()),
            ("form", settings.form.clone()),
            ("device", settings.device.clone()),
        ] {
            tx.execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)",
                params![key, value],
            )?;
        }
        tx.commit()?;
        conn.close().map_err(|(_, error)| Error::from(error))?;
        std::fs::rename(&building, &path).map_err(io)?;
        Replica::open(dir)
    }

    /// Open the replica in `dir` for reading and writing, applying any pending schema
    /// migrations. A replica on read-only media or in another user's folder is refused with
    /// [`Error::ReadOnly`]; [`Replica::open_read_only`] reads it.
    pub fn open(dir: &Path) -> Result<Replica> {
        let path = dir.join(DB_FILE);
        if !path.exists() {
            return Err(Error::NotInitialised(dir.to_path_buf()));
        }
        if read_only_file(&path) || read_only_folder(dir) {
            return Err(Error::ReadOnly(dir.to_path_buf()));
        }
        let flags = OpenFlags::default() - OpenFlags::SQLITE_OPEN_CREATE;
        let conn = connect(&path, flags)
            .and_then(|mut conn| migrate::migrate(&mut conn).map(|()| conn))
            .map_err(|e| refused_write(e, dir))?;
        Replica::load(conn, dir, false)
    }

    /// Open the replica in `dir` only to read it: lists, reports, exports. Nothing in the
    /// folder is created or changed, so a backup on a CD or another user's folder can be
    /// read, and a copied folder stays as it was.
    ///
    /// A replica closed cleanly has no `-wal` file (see [`Drop`]): the database file alone is
    /// complete, and it is opened `immutable` — SQLite then writes no `-shm`/`-wal` beside
    /// it. Its writers keep new changes in a `-wal` file until they checkpoint, so the file
    /// read stays consistent. When a `-wal` file exists (a writer is at work, or one was cut
    /// off) its changes are needed: the replica is opened `mode=ro`, which shares the
    /// writers' locks.
    pub fn open_read_only(dir: &Path) -> Result<Replica> {
        let path = dir.join(DB_FILE);
        if !path.exists() {
            return Err(Error::NotInitialised(dir.to_path_buf()));
        }
        let mut wal = path.clone().into_os_string();
        wal.push("-wal");
        let query = if Path::new(&wal).exists() {
            "mode=ro"
        } else {
            "immutable=1"
        };
        let uri = format!("file:{}?{query}", uri_path(&path));
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(uri, flags)?;
        stable_plans(&conn)?;
        conn.busy_timeout(Duration::from_secs(10))?;
        let found: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
        if found > migrate::SCHEMA_VERSION {
            return Err(Error::SchemaTooNew {
                found,
                known: migrate::SCHEMA_VERSION,
            });
        }
        if found < migrate::SCHEMA_VERSION {
            // An older schema must be migrated first, which is a write.
            return Err(Error::ReadOnly(dir.to_path_buf()));
        }
        Replica::load(conn, dir, true)
    }

    fn load(conn: Connection, dir: &Path, read_only: bool) -> Result<Replica> {
        let meta = |key: &str| -> Result<String> {
            conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |row| {
                row.get(0)
            })
            .optional()?
            .ok_or_else(|| Error::NotInitialised(dir.to_path_buf()))
        };
        let actor: ActorId = meta("actor")?.parse().map_err(|_| Error::InvalidValue {
            what: Phrase::new("aktor perangkat", "device actor"),
            value: meta("actor").unwrap_or_default(),
            reason: Phrase::new(
                "id aktor bukan heksadesimal",
                "the replica's actor id is not hex",
            ),
        })?;
        let settings = Settings {
            unit: UnitCode::parse(&meta("unit")?)?,
            period: PeriodCode::parse(&meta("period")?)?,
            form: meta("form")?,
            device: meta("device")?,
        };
        let forms = simpul_survey::builtin_forms()
            .into_iter()
            .map(|form| (form.id.clone(), form))
            .collect();
        let mut replica = Replica {
            conn,
            forms,
            actor,
            settings,
            dir: dir.to_path_buf(),
            read_only,
        };
        if !read_only {
            materialise::again_if_asked(&mut replica.conn, &replica.forms)?;
        }
        Ok(replica)
    }

    /// Whether this replica was opened only to read.
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The form `id`, or the device's active form.
    pub fn form(&self, id: Option<&str>) -> Result<&Form> {
        let id = id.unwrap_or(&self.settings.form);
        self.forms
            .get(id)
            .ok_or_else(|| Error::UnknownForm(id.to_string()))
    }

    /// Change the active unit and period; responses already captured keep theirs.
    pub fn set_scope(&mut self, unit: UnitCode, period: PeriodCode) -> Result<()> {
        self.writable()?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "UPDATE meta SET value = ?1 WHERE key = 'unit'",
            [unit.as_str()],
        )?;
        tx.execute(
            "UPDATE meta SET value = ?1 WHERE key = 'period'",
            [period.as_str()],
        )?;
        tx.commit()?;
        self.settings.unit = unit;
        self.settings.period = period;
        Ok(())
    }

    /// Start one write: everything done in the session commits together or not at all.
    pub(crate) fn session(&mut self) -> Result<Session<'_>> {
        self.writable()?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        Ok(Session::new(tx, &self.forms, &self.actor))
    }

    /// Refuse a write on a replica opened read-only, before SQLite does in its own words.
    pub(crate) fn writable(&self) -> Result<()> {
        if self.read_only {
            Err(Error::ReadOnly(self.dir.clone()))
        } else {
            Ok(())
        }
    }

    /// SQLite's own consistency check of the database file; "ok" when sound.
    pub fn integrity_check(&self) -> Result<String> {
        Ok(self
            .conn
            .query_row("PRAGMA integrity_check", [], |row| row.get(0))?)
    }
}

/// A clean close leaves the database file complete: the WAL is checkpointed into it, so a
/// copy of the folder (a backup, a CD) holds everything and opens read-only as it is.
impl Drop for Replica {
    fn drop(&mut self) {
        if !self.read_only {
            let _ = self
                .conn
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
        }
    }
}

/// Whether the permissions of `path` forbid writing. Checked by the program itself, not
/// left to the file system: the owner's intent holds even for an administrator, who could
/// write anyway.
fn read_only_file(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.permissions().readonly())
}

/// Whether the folder's permissions forbid creating the files SQLite keeps beside the
/// database. Unix only: Windows sets its read-only attribute on folders for other reasons
/// and ignores it for their contents.
fn read_only_folder(dir: &Path) -> bool {
    cfg!(unix) && read_only_file(dir)
}

/// A refusal to write by SQLite or the file system, in the replica's own words.
fn refused_write(error: Error, dir: &Path) -> Error {
    use rusqlite::ErrorCode::{CannotOpen, PermissionDenied, ReadOnly};
    match &error {
        Error::Database(rusqlite::Error::SqliteFailure(e, _))
            if matches!(e.code, ReadOnly | CannotOpen | PermissionDenied) =>
        {
            Error::ReadOnly(dir.to_path_buf())
        }
        _ => error,
    }
}

/// `path` as the path part of an SQLite `file:` URI: `?` and `#` would end it, `%` starts an
/// escape.
fn uri_path(path: &Path) -> String {
    let mut out = String::new();
    for c in path.to_string_lossy().chars() {
        match c {
            '%' => out.push_str("%25"),
            '?' => out.push_str("%3f"),
            '#' => out.push_str("%23"),
            '\\' => out.push('/'),
            c => out.push(c),
        }
    }
    out
}

/// WAL so readers never block the writer, `synchronous = FULL` because an acknowledged
/// response must survive the tablet's battery dying, and a busy timeout so a second
/// `simpul` process waits its turn instead of failing.
fn connect(path: &Path, flags: OpenFlags) -> Result<Connection> {
    let conn = Connection::open_with_flags(path, flags)?;
    stable_plans(&conn)?;
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.pragma_update_and_check(None, "journal_mode", "WAL", |_| Ok(()))?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(conn)
}

/// One query plan per statement, whatever values are bound. Without it, SQLite compiled
/// with STAT4 (as the bundled one is) re-prepares a cached statement at every new binding
/// when its plan involves an index choice (a join, an `ORDER BY`), which tripled the cost
/// of the per-document lookups materialisation and sync repeat thousands of times.
fn stable_plans(conn: &Connection) -> Result<()> {
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::interview;

    /// Every file in the folder with its size and modification time.
    fn files(dir: &Path) -> Vec<(String, u64, std::time::SystemTime)> {
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let m = e.metadata().unwrap();
                let name = e.file_name().to_string_lossy().into_owned();
                (name, m.len(), m.modified().unwrap())
            })
            .collect();
        files.sort();
        files
    }

    #[test]
    fn a_clean_close_leaves_the_database_file_complete_and_no_wal_beside_it() {
        let (dir, mut replica) = crate::testing::replica("tablet");
        replica.capture(interview()).unwrap();
        drop(replica);

        let names: Vec<String> = files(dir.path()).into_iter().map(|f| f.0).collect();
        assert_eq!(names, [DB_FILE]);
        let copy = tempfile::tempdir().unwrap();
        std::fs::copy(dir.path().join(DB_FILE), copy.path().join(DB_FILE)).unwrap();
        let read = Replica::open_read_only(copy.path()).unwrap();
        assert_eq!(read.list(&Default::default()).unwrap().len(), 1);
    }

    #[test]
    fn reading_a_replica_opened_read_only_creates_and_changes_no_file() {
        let (dir, mut replica) = crate::testing::replica("tablet");
        replica.capture(interview()).unwrap();
        drop(replica);
        let before = files(dir.path());

        let replica = Replica::open_read_only(dir.path()).unwrap();
        assert!(replica.is_read_only());
        assert_eq!(replica.list(&Default::default()).unwrap().len(), 1);
        replica
            .report(&Default::default(), Default::default())
            .unwrap();
        replica.export_bundle(0).unwrap();
        replica.sync_status().unwrap();
        drop(replica);

        assert_eq!(files(dir.path()), before);
    }

    #[test]
    fn a_write_on_a_replica_opened_read_only_is_refused_and_stores_nothing() {
        let (dir, replica) = crate::testing::replica("tablet");
        drop(replica);

        let mut read = Replica::open_read_only(dir.path()).unwrap();
        assert!(matches!(read.capture(interview()), Err(Error::ReadOnly(_))));
        drop(read);

        let replica = Replica::open(dir.path()).unwrap();
        assert!(replica.list(&Default::default()).unwrap().is_empty());
    }

    #[test]
    fn a_replica_whose_file_is_marked_read_only_is_refused_for_writing_but_read() {
        let (dir, mut replica) = crate::testing::replica("tablet");
        replica.capture(interview()).unwrap();
        drop(replica);
        let db = dir.path().join(DB_FILE);
        let mut permissions = std::fs::metadata(&db).unwrap().permissions();
        permissions.set_readonly(true);
        std::fs::set_permissions(&db, permissions).unwrap();

        assert!(matches!(Replica::open(dir.path()), Err(Error::ReadOnly(_))));
        let read = Replica::open_read_only(dir.path()).unwrap();
        assert_eq!(read.list(&Default::default()).unwrap().len(), 1);
    }
}
