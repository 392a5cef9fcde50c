//! What only the SQLite storage does: its journal, its file, and the tables not yet on
//! PostgreSQL. What every backend does is in the storage contract (`storage/contract.rs`).

use super::*;

fn storage() -> (tempfile::TempDir, SqliteStorage) {
    let dir = tempfile::tempdir().unwrap();
    let storage = SqliteStorage::open(dir.path()).unwrap();
    (dir, storage)
}

#[test]
fn the_database_is_in_wal_mode_with_full_synchronous_writes() {
    let (_dir, storage) = storage();
    let conn = lock(&storage.writer);
    let mode: String = conn
        .pragma_query_value(None, "journal_mode", |row| row.get(0))
        .unwrap();
    let synchronous: i64 = conn
        .pragma_query_value(None, "synchronous", |row| row.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    assert_eq!(synchronous, 2, "FULL");
}

#[test]
fn health_writes_to_the_database() {
    let (_dir, storage) = storage();
    let wal = storage.path().with_extension("sqlite3-wal");
    lock(&storage.writer)
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .unwrap();
    assert_eq!(fs::metadata(&wal).unwrap().len(), 0);

    storage.health().unwrap();

    assert!(fs::metadata(&wal).unwrap().len() > 0, "nothing was written");
}

#[test]
fn health_fails_when_the_database_only_reads() {
    let (_dir, storage) = storage();
    lock(&storage.writer)
        .pragma_update(None, "query_only", true)
        .unwrap();

    let error = storage.health().unwrap_err();

    assert!(matches!(error, Error::Sqlite(_)), "{error}");
    assert!(storage.free_space().unwrap().unwrap() > 0);
}
