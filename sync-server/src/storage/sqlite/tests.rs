//! What only the SQLite storage does: its journal, its file, and the tables not yet on
//! PostgreSQL. What every backend does is in the storage contract (`storage/contract.rs`).

use chrono::Utc;

use super::*;

fn storage() -> (tempfile::TempDir, SqliteStorage) {
    let dir = tempfile::tempdir().unwrap();
    let storage = SqliteStorage::open(dir.path()).unwrap();
    (dir, storage)
}

fn unit(code: &str) -> Unit {
    Unit {
        code: UnitCode::parse(code).unwrap(),
        name: Name::parse("unit name", code).unwrap(),
        instansi: None,
    }
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

mod web_answers {
    use uuid::Uuid;

    use super::*;
    use crate::links::{LinkToken, NewLink};
    use crate::model::PeriodCode;
    use crate::storage::{Links, WebAnswer, WebStored};
    use crate::web_answer::{Target, WebAnswerBody, prepare};

    fn link(storage: &SqliteStorage) -> LinkToken {
        let token = LinkToken::generate().unwrap();
        let new = NewLink {
            unit: UnitCode::parse("U-CAPIL").unwrap(),
            service: None,
            period: None,
            created_by: Name::parse("person", "Rina").unwrap(),
        };
        storage.add_link(&token, &new, Utc::now()).unwrap();
        token
    }

    fn answer(token: &LinkToken, id: Uuid, address: &str, per_hour: u32) -> WebAnswer {
        let body: WebAnswerBody = serde_json::from_value(serde_json::json!({
            "id": id,
            "answers": {"jenis_kelamin": "L", "umur": 30, "layanan": "KTP-el",
                        "U1": 4, "U2": 4, "U3": 4, "U4": 4, "U5": 4, "U6": 4, "U7": 4,
                        "U8": 4, "U9": 4},
        }))
        .unwrap();
        let (form, unit) = (
            simpul_survey::skm_2017(),
            UnitCode::parse("U-CAPIL").unwrap(),
        );
        let period = PeriodCode::parse("2026-S2").unwrap();
        let target = Target {
            form: &form,
            unit: &unit,
            period: &period,
            service: None,
            today: Utc::now().date_naive(),
            now: Utc::now(),
        };
        let prepared = prepare(&body, &target).unwrap();
        WebAnswer {
            token: token.clone(),
            id,
            unit: unit.clone(),
            prepared,
            address: Some(address.to_string()),
            per_hour,
        }
    }

    #[test]
    fn a_group_stores_each_set_once_and_refuses_only_the_sets_at_fault() {
        let (_dir, storage) = storage();
        storage.add_unit(&unit("U-CAPIL"), Utc::now()).unwrap();
        let (open, closed) = (link(&storage), link(&storage));
        storage.close_link(&closed, Utc::now()).unwrap();
        let (first, second) = (Uuid::now_v7(), Uuid::now_v7());
        let group = [
            answer(&open, first, "10.0.0.1", 2),
            // The page's retry, arriving in the same group.
            answer(&open, first, "10.0.0.1", 2),
            answer(&closed, Uuid::now_v7(), "10.0.0.1", 2),
            answer(&open, second, "10.0.0.1", 2),
            // The address's third set within the hour.
            answer(&open, Uuid::now_v7(), "10.0.0.1", 2),
            answer(&open, Uuid::now_v7(), "10.0.0.2", 2),
        ];
        let outcomes = storage.store_web_answers(&group, Utc::now()).unwrap();
        let created = group[0].prepared.change.doc;
        assert!(matches!(outcomes[0], Ok(WebStored::Created { response }) if response == created));
        assert!(
            matches!(outcomes[1], Ok(WebStored::AlreadyStored { response }) if response == created)
        );
        assert!(matches!(outcomes[2], Err(Error::LinkClosed(_))));
        assert!(matches!(outcomes[3], Ok(WebStored::Created { .. })));
        assert!(matches!(outcomes[4], Err(Error::TooManyWebAnswers(_))));
        assert!(matches!(outcomes[5], Ok(WebStored::Created { .. })));
        assert_eq!(
            storage.change_count().unwrap(),
            3,
            "three sets, one change each"
        );
        assert_eq!(
            storage.web_answer(second).unwrap(),
            Some(group[3].prepared.change.doc)
        );
        assert_eq!(storage.link(&open).unwrap().unwrap().answers, 3);
    }
}
