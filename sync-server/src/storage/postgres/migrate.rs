//! Schema migrations for PostgreSQL: numbered SQL files compiled into the binary, each applied
//! in its own transaction (PostgreSQL's DDL is transactional) and recorded in
//! `schema_version`. Nodes starting together take turns under an advisory lock.

use postgres::Client;

use crate::{Error, Result};

/// Every migration in order; the schema version is the number applied.
const MIGRATIONS: &[&str] = &[
    include_str!("../../../migrations/postgres/0001_change_log.sql"),
    include_str!("../../../migrations/postgres/0002_people.sql"),
    include_str!("../../../migrations/postgres/0003_links.sql"),
    include_str!("../../../migrations/postgres/0004_materialised.sql"),
    include_str!("../../../migrations/postgres/0005_plans.sql"),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Held by the node migrating, so that a second one waits and then finds nothing to do.
const MIGRATION_LOCK: i64 = 0x5349_4d50_554d;

/// Brings the database up to [`SCHEMA_VERSION`]. A database of a newer release is refused
/// rather than half-understood.
pub fn migrate(client: &mut Client) -> Result<()> {
    loop {
        let mut tx = client.transaction()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
        // Without it, every start logs PostgreSQL's notice that the table already exists.
        tx.batch_execute(
            "SET LOCAL client_min_messages = warning;
             CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL);
             INSERT INTO schema_version (version)
             SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM schema_version);",
        )?;
        let found: i64 = tx
            .query_one("SELECT version FROM schema_version", &[])?
            .get(0);
        if found > SCHEMA_VERSION {
            return Err(Error::SchemaTooNew {
                found,
                known: SCHEMA_VERSION,
            });
        }
        let Some(sql) = usize::try_from(found).ok().and_then(|i| MIGRATIONS.get(i)) else {
            return Ok(tx.commit()?);
        };
        tx.batch_execute(sql)?;
        tx.execute("UPDATE schema_version SET version = $1", &[&(found + 1)])?;
        tx.commit()?;
    }
}

#[cfg(test)]
mod tests;
