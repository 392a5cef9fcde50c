//! Migrations on a real PostgreSQL database (the cluster `scripts/test` starts).

use std::sync::Barrier;
use std::thread;

use chrono::Utc;
use postgres::NoTls;

use super::SCHEMA_VERSION;
use crate::Error;
use crate::model::{Name, Unit, UnitCode};
use crate::storage::ChangeLog;
use crate::storage::postgres::testing::TestDatabase;

fn version(db: &TestDatabase) -> i64 {
    let mut client = db.config().connect(NoTls).unwrap();
    client
        .query_one("SELECT version FROM schema_version", &[])
        .unwrap()
        .get(0)
}

#[test]
fn a_fresh_database_reaches_the_current_version_and_keeps_its_data_when_opened_again() {
    let db = TestDatabase::create();
    let unit = Unit {
        code: UnitCode::parse("U-CAPIL").unwrap(),
        name: Name::parse("unit name", "Dukcapil").unwrap(),
        instansi: None,
    };
    db.storage().add_unit(&unit, Utc::now()).unwrap();

    let again = db.storage();

    assert_eq!(version(&db), SCHEMA_VERSION);
    assert_eq!(again.units().unwrap(), vec![unit]);
}

#[test]
fn nodes_starting_together_on_a_fresh_database_migrate_it_once() {
    let db = TestDatabase::create();
    let start = Barrier::new(4);

    let opened: Vec<_> = thread::scope(|scope| {
        let nodes: Vec<_> = (0..4)
            .map(|_| {
                scope.spawn(|| {
                    start.wait();
                    super::super::PostgresStorage::connect(db.config()).map(|_| ())
                })
            })
            .collect();
        nodes.into_iter().map(|node| node.join().unwrap()).collect()
    });

    assert!(opened.iter().all(Result::is_ok), "{opened:?}");
    assert_eq!(version(&db), SCHEMA_VERSION);
    let rows: i64 = db
        .config()
        .connect(NoTls)
        .unwrap()
        .query_one("SELECT COUNT(*) FROM schema_version", &[])
        .unwrap()
        .get(0);
    assert_eq!(rows, 1);
}

#[test]
fn a_database_of_a_newer_release_is_refused_and_left_as_it_is() {
    let db = TestDatabase::create();
    drop(db.storage());
    let newer = SCHEMA_VERSION + 1;
    db.config()
        .connect(NoTls)
        .unwrap()
        .execute("UPDATE schema_version SET version = $1", &[&newer])
        .unwrap();

    let error = super::super::PostgresStorage::connect(db.config())
        .err()
        .expect("a newer schema is refused");

    assert!(
        matches!(error, Error::SchemaTooNew { found, known } if found == newer && known == SCHEMA_VERSION),
        "{error}"
    );
    assert_eq!(version(&db), newer);
}
