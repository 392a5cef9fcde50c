//! Schema migrations: numbered SQL files compiled into the binary, each applied in its own
//! transaction and recorded in SQLite's `user_version`, so a database written by any earlier
//! release opens in this one.

use rusqlite::{Connection, TransactionBehavior};

use crate::{Error, Result};

/// Every migration in order; the schema version is the number applied.
const MIGRATIONS: &[&str] = &[
    include_str!("../../../migrations/sqlite/0001_init.sql"),
    include_str!("../../../migrations/sqlite/0002_documents.sql"),
    include_str!("../../../migrations/sqlite/0003_materialised.sql"),
    include_str!("../../../migrations/sqlite/0004_reports.sql"),
    include_str!("../../../migrations/sqlite/0005_people.sql"),
    include_str!("../../../migrations/sqlite/0006_plans.sql"),
    include_str!("../../../migrations/sqlite/0007_overview.sql"),
    include_str!("../../../migrations/sqlite/0008_public.sql"),
    include_str!("../../../migrations/sqlite/0009_saran.sql"),
    include_str!("../../../migrations/sqlite/0010_lighter_totals.sql"),
    include_str!("../../../migrations/sqlite/0011_links.sql"),
    include_str!("../../../migrations/sqlite/0012_invitations.sql"),
    include_str!("../../../migrations/sqlite/0013_change_log_id.sql"),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Brings `conn` up to [`SCHEMA_VERSION`]. A database from a newer release is refused rather
/// than half-understood. Safe to run from two processes at once: each step takes the write
/// lock and re-reads the version under it.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    loop {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let found: i64 = tx.pragma_query_value(None, "user_version", |row| row.get(0))?;
        if found > SCHEMA_VERSION {
            return Err(Error::SchemaTooNew {
                found,
                known: SCHEMA_VERSION,
            });
        }
        let Some(sql) = usize::try_from(found).ok().and_then(|i| MIGRATIONS.get(i)) else {
            return Ok(());
        };
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", found + 1)?;
        tx.commit()?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(conn: &Connection) -> i64 {
        conn.pragma_query_value(None, "user_version", |row| row.get(0))
            .unwrap()
    }

    #[test]
    fn a_fresh_database_reaches_the_current_version() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        assert_eq!(version(&conn), SCHEMA_VERSION);
        let tables: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'changes'",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(tables, 1);
    }

    #[test]
    fn migrating_twice_keeps_the_data() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        conn.execute(
            "INSERT INTO units (code, name, created_at) VALUES ('U-1', 'One', 'now')",
            [],
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let name: String = conn
            .query_row("SELECT name FROM units", [], |row| row.get(0))
            .unwrap();
        assert_eq!(name, "One");
    }

    /// A database as the release before instansi and reports left it: schema version 3.
    fn version_3() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        for sql in &MIGRATIONS[..3] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 3).unwrap();
        conn.execute_batch(
            "INSERT INTO units (code, name, created_at) VALUES ('U-1', 'One', 'now');
             INSERT INTO changes (hash, doc, unit, device, bytes, received_at)
                 VALUES (x'01', 'd', 'U-1', 'dev', x'00', 'now');
             INSERT INTO documents (doc, unit) VALUES ('d', 'U-1');
             INSERT INTO responses (id, unit, form, method, period, channel, status, deleted,
                 review, conflicts, created_at, updated_at)
                 VALUES ('d', 'U-1', 'f', 'm', 'p', 'paper', 'final', 0, 'received', 0, 1, 1);
             INSERT INTO answers (response, item, value) VALUES ('d', 'U1', '4');
             UPDATE materialised SET watermark = 1;",
        )
        .unwrap();
        conn
    }

    #[test]
    fn a_version_3_database_keeps_its_units_and_changes_and_is_materialised_again() {
        let mut conn = version_3();
        migrate(&mut conn).unwrap();
        assert_eq!(version(&conn), SCHEMA_VERSION);
        let unit: (String, Option<String>) = conn
            .query_row("SELECT name, instansi FROM units", [], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })
            .unwrap();
        assert_eq!(unit, ("One".to_string(), None));
        let count = |sql: &str| -> i64 { conn.query_row(sql, [], |row| row.get(0)).unwrap() };
        assert_eq!(count("SELECT COUNT(*) FROM changes"), 1);
        assert_eq!(count("SELECT COUNT(*) FROM documents"), 1);
        // The derived tables start empty in their new shape, to be filled from the log.
        assert_eq!(count("SELECT COUNT(*) FROM responses"), 0);
        assert_eq!(count("SELECT watermark FROM materialised"), 0);
        conn.execute(
            "INSERT INTO answers (response, items) VALUES ('d', '{}')",
            [],
        )
        .unwrap();
        assert_eq!(count("SELECT COUNT(enumerator) FROM responses"), 0);
    }

    #[test]
    fn a_database_from_a_newer_release_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        let err = migrate(&mut conn).unwrap_err();
        assert!(matches!(err, Error::SchemaTooNew { .. }), "{err}");
    }
}
