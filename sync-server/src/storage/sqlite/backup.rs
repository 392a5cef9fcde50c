//! Backing up a running server, and starting one again from a backup.
//!
//! A backup is SQLite's `VACUUM INTO` a new file: it reads inside one transaction, so it copies
//! one consistent moment of the database while devices keep pushing (WAL readers never wait
//! for the writer), and the copy holds no free pages. It is written beside its destination and
//! renamed into place once synced, so a backup file is whole or absent, and the next night's
//! backup can replace it safely.
//!
//! Restoring copies a backup into a data folder that holds no database and gives the change
//! log a new identity (migration 0013). A device that sees the identity change pulls again from
//! the start and offers every change it holds, which brings back whatever the server had
//! acknowledged after the backup was taken: nothing a device holds stays lost.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use super::{FILE_NAME, SqliteStorage, connect, migrate};
use crate::safe_write;
use crate::{Error, Result};

/// What a backup or a restore copied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Copied {
    /// Changes in the copy: everything devices and people ever wrote.
    pub changes: u64,
    /// Enrolled devices in the copy.
    pub devices: u64,
    /// The size of the copy, in bytes.
    pub bytes: u64,
}

impl SqliteStorage {
    /// Writes a consistent copy of the database to `out`, replacing it atomically.
    pub fn backup_to(&self, out: &Path) -> Result<Copied> {
        safe_write::place_file(out, |temp| {
            let target = temp.to_str().ok_or_else(|| Error::InvalidValue {
                what: "backup file",
                value: out.display().to_string(),
                reason: "a backup's path must be valid UTF-8",
            })?;
            self.read(|conn| Ok(conn.execute("VACUUM INTO ?1", [target])?))?;
            count(temp)
        })
    }

    /// Makes `backup` the database of `data_dir`, which must hold none, with a new change log
    /// identity. `backup` itself is left as it is.
    pub fn restore(backup: &Path, data_dir: &Path) -> Result<Copied> {
        let target = data_dir.join(FILE_NAME);
        if target.exists() {
            return Err(Error::RestoreOverData(data_dir.to_path_buf()));
        }
        let not_a_backup = || Error::NotABackup(backup.to_path_buf());
        check_backup(backup).map_err(|error| match error {
            Error::Sqlite(_) => not_a_backup(),
            other => other,
        })?;
        std::fs::create_dir_all(data_dir).map_err(|source| Error::DataDir {
            path: data_dir.to_path_buf(),
            source,
        })?;
        safe_write::place_file(&target, |temp| {
            std::fs::copy(backup, temp).map_err(|source| Error::Output {
                path: target.clone(),
                source,
            })?;
            {
                let mut conn = connect(temp)?;
                // No write-ahead log beside the copy: the file is renamed alone.
                conn.pragma_update(None, "journal_mode", "DELETE")?;
                migrate::migrate(&mut conn)?;
                conn.execute("UPDATE change_log SET id = lower(hex(randomblob(16)))", [])?;
            }
            count(temp)
        })
    }
}

/// Refuses a file that is not a server database this build can read.
fn check_backup(path: &Path) -> Result<()> {
    if !path.is_file() {
        return Err(Error::NotABackup(path.to_path_buf()));
    }
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let version: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if version > migrate::SCHEMA_VERSION {
        return Err(Error::SchemaTooNew {
            found: version,
            known: migrate::SCHEMA_VERSION,
        });
    }
    let tables: i64 = conn.query_row(
        "SELECT COUNT(*) FROM sqlite_schema
         WHERE type = 'table' AND name IN ('changes', 'devices', 'units', 'pushes')",
        [],
        |row| row.get(0),
    )?;
    if version < 1 || tables != 4 {
        return Err(Error::NotABackup(path.to_path_buf()));
    }
    Ok(())
}

fn count(path: &Path) -> Result<Copied> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let number = |sql: &str| -> Result<u64> {
        Ok(conn.query_row(sql, [], |row| row.get::<_, i64>(0))? as u64)
    };
    let bytes = std::fs::metadata(path)
        .map(|m| m.len())
        .map_err(|source| Error::Output {
            path: path.to_path_buf(),
            source,
        })?;
    Ok(Copied {
        changes: number("SELECT COUNT(*) FROM changes")?,
        devices: number("SELECT COUNT(*) FROM devices")?,
        bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::ChangeLog;

    #[test]
    fn a_restored_backup_holds_the_same_data_under_a_new_log_identity() {
        let dir = tempfile::tempdir().unwrap();
        let storage = SqliteStorage::open(&dir.path().join("live")).unwrap();
        let backup = dir.path().join("malam.sqlite3");
        let copied = storage.backup_to(&backup).unwrap();
        // A second backup to the same file replaces it.
        assert_eq!(storage.backup_to(&backup).unwrap(), copied);

        let restored_dir = dir.path().join("restored");
        let restored = SqliteStorage::restore(&backup, &restored_dir).unwrap();
        assert_eq!(
            (restored.changes, restored.devices),
            (copied.changes, copied.devices)
        );
        let reopened = SqliteStorage::open_existing(&restored_dir).unwrap();
        assert_ne!(reopened.log_id().unwrap(), storage.log_id().unwrap());
        assert_eq!(reopened.log_id().unwrap().len(), 32);
        let leftovers: Vec<_> = std::fs::read_dir(&restored_dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|name| name.ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }

    #[test]
    fn a_restore_over_data_or_from_something_else_is_refused_and_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let live = dir.path().join("live");
        let storage = SqliteStorage::open(&live).unwrap();
        let backup = dir.path().join("malam.sqlite3");
        storage.backup_to(&backup).unwrap();
        let log = storage.log_id().unwrap();
        drop(storage);

        let over = SqliteStorage::restore(&backup, &live);
        assert!(matches!(over, Err(Error::RestoreOverData(_))), "{over:?}");
        assert_eq!(
            SqliteStorage::open_existing(&live)
                .unwrap()
                .log_id()
                .unwrap(),
            log
        );

        let empty = dir.path().join("empty");
        let junk = dir.path().join("catatan.txt");
        std::fs::write(&junk, "bukan basis data").unwrap();
        let device = dir.path().join("device.sqlite3");
        Connection::open(&device)
            .unwrap()
            .execute_batch("CREATE TABLE changes (seq INTEGER); PRAGMA user_version = 5;")
            .unwrap();
        for wrong in [&junk, &device, &dir.path().join("missing.sqlite3")] {
            let refused = SqliteStorage::restore(wrong, &empty);
            assert!(matches!(refused, Err(Error::NotABackup(_))), "{refused:?}");
            assert!(!empty.join(FILE_NAME).exists());
        }
    }
}
