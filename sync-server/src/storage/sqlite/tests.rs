//! The SQLite storage on its own, for what is slow or awkward to reach over HTTP. Changes
//! here are not Automerge: the storage never looks inside them.

use chrono::{TimeDelta, Utc};

use super::*;
use crate::secret::{DeviceToken, EnrolmentCode};

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

fn enrolled(storage: &SqliteStorage, unit_code: &str) -> Device {
    enrolled_with_token(storage, unit_code).0
}

fn enrolled_with_token(storage: &SqliteStorage, unit_code: &str) -> (Device, DeviceToken) {
    let now = Utc::now();
    if storage
        .unit(&UnitCode::parse(unit_code).unwrap())
        .unwrap()
        .is_none()
    {
        storage.add_unit(&unit(unit_code), now).unwrap();
    }
    let code = EnrolmentCode::generate().unwrap();
    let token = DeviceToken::generate().unwrap();
    let unit_code = UnitCode::parse(unit_code).unwrap();
    storage
        .add_enrolment_code(&unit_code, code.hash(), now, now + TimeDelta::days(1))
        .unwrap();
    let device = NewDevice {
        code: code.hash(),
        id: DeviceId::new(),
        name: Name::parse("device name", "tablet").unwrap(),
        token: token.hash(),
        expected_unit: None,
    };
    storage.enrol(&device, now).unwrap();
    let device = storage.authenticate(token.hash()).unwrap().unwrap();
    (device, token)
}

fn fake_changes(count: usize, len: usize) -> Vec<IncomingChange> {
    (0..count)
        .map(|_| {
            let doc = Uuid::now_v7();
            let mut hash = [0u8; 32];
            hash[..16].copy_from_slice(doc.as_bytes());
            IncomingChange {
                hash,
                doc,
                bytes: vec![7; len],
                creates: true,
            }
        })
        .collect()
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
fn a_pull_over_only_its_own_changes_stops_after_a_bounded_scan_and_moves_the_cursor() {
    let (_dir, storage) = storage();
    let pusher = enrolled(&storage, "U-X");
    storage
        .push(
            &pusher,
            Uuid::now_v7(),
            &fake_changes(MAX_SCAN + 5, 1),
            Utc::now(),
        )
        .unwrap();

    let first = storage.pull(&pusher, 0, 1 << 20).unwrap();
    let second = storage.pull(&pusher, first.cursor, 1 << 20).unwrap();

    assert!(first.entries.is_empty());
    assert_eq!((first.cursor, first.more), (MAX_SCAN as u64, true));
    assert!(second.entries.is_empty());
    assert_eq!((second.cursor, second.more), (MAX_SCAN as u64 + 5, false));
}

#[test]
fn a_pull_fills_its_payload_exactly_up_to_the_maximum() {
    let (_dir, storage) = storage();
    let pusher = enrolled(&storage, "U-X");
    let puller = enrolled(&storage, "U-X");
    storage
        .push(&pusher, Uuid::now_v7(), &fake_changes(10, 100), Utc::now())
        .unwrap();
    // One entry is 16 + 1 + 100 bytes; three of them and the count byte make 352.
    let exactly_three = storage.pull(&puller, 0, 352).unwrap();
    let just_short = storage.pull(&puller, 0, 351).unwrap();

    assert_eq!(exactly_three.entries.len(), 3);
    assert_eq!(just_short.entries.len(), 2);
    assert!(exactly_three.more && just_short.more);
}

#[test]
fn an_enrolment_code_for_a_unit_that_does_not_exist_is_refused() {
    let (_dir, storage) = storage();
    let code = EnrolmentCode::generate().unwrap();
    let now = Utc::now();

    let error = storage
        .add_enrolment_code(&UnitCode::parse("U-NOPE").unwrap(), code.hash(), now, now)
        .unwrap_err();

    assert!(matches!(error, Error::UnknownUnit(_)), "{error}");
}

#[test]
fn revoking_twice_keeps_the_first_time_and_an_unknown_device_is_an_error() {
    let (_dir, storage) = storage();
    let device = enrolled(&storage, "U-X");
    let first = Utc::now() - TimeDelta::hours(1);

    storage.revoke(device.id, first).unwrap();
    let again = storage.revoke(device.id, Utc::now()).unwrap();
    let unknown = storage.revoke(DeviceId::new(), Utc::now()).unwrap_err();

    assert_eq!(
        again.revoked_at.unwrap().timestamp_millis(),
        first.timestamp_millis()
    );
    assert!(matches!(unknown, Error::UnknownDevice(_)), "{unknown}");
}

#[test]
fn a_revocation_by_another_connection_shuts_the_device_out_at_once() {
    let (dir, server) = storage();
    let (device, token) = enrolled_with_token(&server, "U-X");
    let admin = SqliteStorage::open(dir.path()).unwrap();
    assert_eq!(
        server.authenticate(token.hash()).unwrap(),
        Some(device.clone())
    );

    admin.revoke(device.id, Utc::now()).unwrap();

    assert_eq!(server.authenticate(token.hash()).unwrap(), None);
}

#[test]
fn a_document_of_one_unit_is_never_filed_or_known_under_another() {
    let (_dir, storage) = storage();
    let capil = enrolled(&storage, "U-CAPIL");
    let other = enrolled(&storage, "U-OTHER");
    let changes = fake_changes(2, 10);
    storage
        .push(&capil, Uuid::now_v7(), &changes, Utc::now())
        .unwrap();

    // The same changes pushed by another unit's device (say, out of an imported bundle):
    // refused, rather than called known, and nothing is added under the other unit.
    let err = storage
        .push(&other, Uuid::now_v7(), &changes, Utc::now())
        .unwrap_err();
    assert!(
        matches!(&err, Error::ForeignDocument { index: 0, owner, .. } if owner == "U-CAPIL"),
        "{err}"
    );
    assert_eq!(storage.change_count().unwrap(), 2);
    assert!(storage.pull(&other, 0, 1 << 20).unwrap().entries.is_empty());
}

#[test]
fn an_edit_of_a_document_the_server_does_not_hold_is_refused_whole() {
    let (_dir, storage) = storage();
    let device = enrolled(&storage, "U-CAPIL");
    let mut changes = fake_changes(3, 10);
    changes[2].creates = false;
    let err = storage
        .push(&device, Uuid::now_v7(), &changes, Utc::now())
        .unwrap_err();
    assert!(
        matches!(err, Error::UnknownDocument { index: 2, .. }),
        "{err}"
    );
    assert_eq!(
        storage.change_count().unwrap(),
        0,
        "nothing of the batch is kept"
    );
}

#[test]
fn a_code_for_another_unit_is_refused_and_stays_usable() {
    let (_dir, storage) = storage();
    let now = Utc::now();
    for code in ["U-CAPIL", "U-OTHER"] {
        storage.add_unit(&unit(code), now).unwrap();
    }
    let code = EnrolmentCode::generate().unwrap();
    storage
        .add_enrolment_code(
            &UnitCode::parse("U-OTHER").unwrap(),
            code.hash(),
            now,
            now + TimeDelta::hours(1),
        )
        .unwrap();
    let device = |expected: &str| NewDevice {
        code: code.hash(),
        id: DeviceId::new(),
        name: Name::parse("device name", "tablet").unwrap(),
        token: DeviceToken::generate().unwrap().hash(),
        expected_unit: Some(UnitCode::parse(expected).unwrap()),
    };

    let err = storage.enrol(&device("U-CAPIL"), now).unwrap_err();
    assert!(
        matches!(&err, Error::EnrolmentWrongUnit { code_unit, expected }
            if code_unit == "U-OTHER" && expected == "U-CAPIL"),
        "{err}"
    );
    assert!(storage.devices().unwrap().is_empty());
    // The code was not spent: a device of its own unit still enrols with it.
    let unit = storage.enrol(&device("U-OTHER"), now).unwrap();
    assert_eq!(unit.code.as_str(), "U-OTHER");
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
