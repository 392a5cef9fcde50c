//! Where a server's data lives: a folder holding the embedded SQLite database (the default,
//! `--data DIR`), or a PostgreSQL database that several server processes share
//! (`--database postgres://USER@HOST:PORT/DATABASE`). Every command takes either, and opens
//! it here.

use std::path::PathBuf;
use std::sync::Arc;

use crate::storage::{PostgresStorage, SqliteStorage, Storage};
use crate::{Error, Result};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Database {
    /// A data folder holding `simpul-server.sqlite3`.
    Folder(PathBuf),
    /// A PostgreSQL connection address.
    Postgres(String),
}

impl Database {
    /// The database `--data` or `--database` names: exactly one of them.
    pub fn choose(data: Option<PathBuf>, database: Option<String>) -> Result<Database> {
        match (data, database) {
            (Some(_), Some(_)) => Err(Error::TwoDatabases),
            (Some(folder), None) => Ok(Database::Folder(folder)),
            (None, Some(url)) => Ok(Database::Postgres(url)),
            (None, None) => Err(Error::NoDataDir),
        }
    }

    /// Opens and migrates the data, starting a new server's when there is none.
    pub fn open(&self) -> Result<Arc<dyn Storage>> {
        Ok(match self {
            Database::Folder(folder) => Arc::new(SqliteStorage::open(folder)?),
            Database::Postgres(url) => Arc::new(PostgresStorage::open(url)?),
        })
    }

    /// Opens a server's existing data: a folder or a database without any is refused, so a
    /// mistyped name never quietly becomes a new, empty server.
    pub fn open_existing(&self) -> Result<Arc<dyn Storage>> {
        Ok(match self {
            Database::Folder(folder) => Arc::new(SqliteStorage::open_existing(folder)?),
            Database::Postgres(url) => Arc::new(PostgresStorage::open_existing(url)?),
        })
    }

    /// The SQLite data folder, for what only it does (its backup and restore): PostgreSQL
    /// is backed up with its own tools.
    pub fn folder(&self) -> Result<&PathBuf> {
        match self {
            Database::Folder(folder) => Ok(folder),
            Database::Postgres(_) => Err(Error::NotOnPostgres),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exactly_one_of_the_folder_and_the_database_is_given() {
        let url = || Some("postgres://simpul@127.0.0.1:5432/simpul".to_string());
        let folder = || Some(PathBuf::from("/srv/simpul"));

        assert_eq!(
            Database::choose(folder(), None).unwrap(),
            Database::Folder("/srv/simpul".into())
        );
        assert!(matches!(
            Database::choose(None, url()).unwrap(),
            Database::Postgres(_)
        ));
        assert!(matches!(
            Database::choose(folder(), url()),
            Err(Error::TwoDatabases)
        ));
        assert!(matches!(
            Database::choose(None, None),
            Err(Error::NoDataDir)
        ));
    }

    #[test]
    fn an_address_that_is_not_postgresql_is_refused_before_connecting() {
        let error = Database::Postgres("mysql://nope".into())
            .open()
            .err()
            .unwrap();

        assert!(matches!(error, Error::DatabaseUrl(_)), "{error}");
    }
}
