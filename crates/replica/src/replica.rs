//! Opening a replica: the SQLite file in the replica's folder, its settings and its forms.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use automerge::ActorId;
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;
use simpul_survey::Form;

use crate::model::Code;
use crate::store::Session;
use crate::{Error, Phrase, Result, migrate};

/// The database file inside a replica's folder.
pub const DB_FILE: &str = "simpul.sqlite3";

/// What a device is set up to collect: set at `init`, changeable later.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Settings {
    /// The service unit this device collects for (`U-CAPIL`).
    pub unit: Code,
    /// The active survey period (`2025-S1`).
    pub period: Code,
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
        let mut conn = connect(&path, OpenFlags::default())?;
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
        drop(conn);
        Replica::open(dir)
    }

    /// Open the replica in `dir`, applying any pending schema migrations.
    pub fn open(dir: &Path) -> Result<Replica> {
        let path = dir.join(DB_FILE);
        if !path.exists() {
            return Err(Error::NotInitialised(dir.to_path_buf()));
        }
        let flags = OpenFlags::default() - OpenFlags::SQLITE_OPEN_CREATE;
        let mut conn = connect(&path, flags)?;
        migrate::migrate(&mut conn)?;
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
            unit: Code::parse("unit", &meta("unit")?)?,
            period: Code::parse("period", &meta("period")?)?,
            form: meta("form")?,
            device: meta("device")?,
        };
        let forms = simpul_survey::builtin_forms()
            .into_iter()
            .map(|form| (form.id.clone(), form))
            .collect();
        Ok(Replica {
            conn,
            forms,
            actor,
            settings,
            dir: dir.to_path_buf(),
        })
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
    pub fn set_scope(&mut self, unit: Code, period: Code) -> Result<()> {
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
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        Ok(Session::new(tx, &self.forms, &self.actor))
    }

    /// SQLite's own consistency check of the database file; "ok" when sound.
    pub fn integrity_check(&self) -> Result<String> {
        Ok(self
            .conn
            .query_row("PRAGMA integrity_check", [], |row| row.get(0))?)
    }
}

/// WAL so readers never block the writer, `synchronous = FULL` because an acknowledged
/// response must survive the tablet's battery dying, and a busy timeout so a second
/// `simpul` process waits its turn instead of failing.
fn connect(path: &Path, flags: OpenFlags) -> Result<Connection> {
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.pragma_update_and_check(None, "journal_mode", "WAL", |_| Ok(()))?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(conn)
}
