//! The storage contract: what every backend does, run against SQLite and PostgreSQL alike.
//! Each test is written once, generic over a [`Database`], and instantiated per backend at the
//! bottom. Changes here are not Automerge: the storage never looks inside them.
//!
//! A second "node" is a second storage opened on the same database: another connection to
//! the same SQLite file, or another process's pool on the same PostgreSQL database.

use std::collections::BTreeMap;
use std::sync::Barrier;
use std::thread;

use chrono::{TimeDelta, Utc};
use uuid::Uuid;

use super::change_log::MAX_SCAN;
use super::postgres::testing::TestDatabase;
use super::{
    ChangeLog, Links, NewDevice, NewPerson, People, PostgresStorage, Reports, SqliteStorage,
    WebAnswer, WebStored,
};
use crate::Error;
use crate::links::{LinkToken, NewLink};
use crate::model::{Device, DeviceId, IncomingChange, Name, PeriodCode, Unit, UnitCode};
use crate::people::{Role, Scope};
use crate::secret::{DeviceToken, EnrolmentCode, SecretHash};
use crate::web_answer::{Target, WebAnswerBody, prepare};

/// A fresh, empty database of one backend, on which nodes are opened.
trait Database: Sync {
    type Node: ChangeLog + People + Links + Reports + 'static;

    fn create() -> Self;

    fn node(&self) -> Self::Node;
}

struct Sqlite(tempfile::TempDir);

impl Database for Sqlite {
    type Node = SqliteStorage;

    fn create() -> Sqlite {
        Sqlite(tempfile::tempdir().unwrap())
    }

    fn node(&self) -> SqliteStorage {
        SqliteStorage::open(self.0.path()).unwrap()
    }
}

struct Postgres(TestDatabase);

impl Database for Postgres {
    type Node = PostgresStorage;

    fn create() -> Postgres {
        Postgres(TestDatabase::create())
    }

    fn node(&self) -> PostgresStorage {
        self.0.storage()
    }
}

fn unit(code: &str) -> Unit {
    Unit {
        code: UnitCode::parse(code).unwrap(),
        name: Name::parse("unit name", code).unwrap(),
        instansi: None,
    }
}

fn enrolled(storage: &dyn ChangeLog, unit_code: &str) -> Device {
    enrolled_with_token(storage, unit_code).0
}

fn enrolled_with_token(storage: &dyn ChangeLog, unit_code: &str) -> (Device, DeviceToken) {
    let now = Utc::now();
    let code_of_unit = UnitCode::parse(unit_code).unwrap();
    if storage.unit(&code_of_unit).unwrap().is_none() {
        storage.add_unit(&unit(unit_code), now).unwrap();
    }
    let code = EnrolmentCode::generate().unwrap();
    let token = DeviceToken::generate().unwrap();
    storage
        .add_enrolment_code(&code_of_unit, code.hash(), now, now + TimeDelta::days(1))
        .unwrap();
    let device = NewDevice {
        token: token.hash(),
        ..new_device(&code, None)
    };
    storage.enrol(&device, now).unwrap();
    let device = storage.authenticate(token.hash()).unwrap().unwrap();
    (device, token)
}

fn new_device(code: &EnrolmentCode, expected: Option<&str>) -> NewDevice {
    NewDevice {
        code: code.hash(),
        id: DeviceId::new(),
        name: Name::parse("device name", "tablet").unwrap(),
        token: DeviceToken::generate().unwrap().hash(),
        expected_unit: expected.map(|unit| UnitCode::parse(unit).unwrap()),
    }
}

/// Changes that each start a document of their own.
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

fn a_pull_over_only_its_own_changes_stops_after_a_bounded_scan_and_moves_the_cursor<D: Database>() {
    let db = D::create();
    let storage = db.node();
    let pusher = enrolled(&storage, "U-X");
    let changes = fake_changes(MAX_SCAN + 5, 1);
    storage
        .push(&pusher, Uuid::now_v7(), &changes, Utc::now())
        .unwrap();

    let first = storage.pull(&pusher, 0, 1 << 20).unwrap();
    let second = storage.pull(&pusher, first.cursor, 1 << 20).unwrap();
    let third = storage.pull(&pusher, second.cursor, 1 << 20).unwrap();

    assert!(first.entries.is_empty() && second.entries.is_empty());
    assert!(first.more, "the first pull stopped at the bound");
    assert!(!second.more, "the second pull reached the end");
    assert!(first.cursor > 0 && second.cursor > first.cursor);
    assert_eq!(
        third,
        super::Pulled {
            cursor: second.cursor,
            ..Default::default()
        }
    );
}

fn a_pull_fills_its_payload_exactly_up_to_the_maximum<D: Database>() {
    let db = D::create();
    let storage = db.node();
    let pusher = enrolled(&storage, "U-X");
    let puller = enrolled(&storage, "U-X");
    storage
        .push(&pusher, Uuid::now_v7(), &fake_changes(10, 100), Utc::now())
        .unwrap();
    // One entry is 16 + 1 + 100 bytes; three of them and the count byte make 352.
    let exactly_three = storage.pull(&puller, 0, 352).unwrap();
    let just_short = storage.pull(&puller, 0, 351).unwrap();
    let rest = storage
        .pull(&puller, exactly_three.cursor, 1 << 20)
        .unwrap();

    assert_eq!(exactly_three.entries.len(), 3);
    assert_eq!(just_short.entries.len(), 2);
    assert!(exactly_three.more && just_short.more);
    assert_eq!((rest.entries.len(), rest.more), (7, false));
}

fn an_enrolment_code_for_a_unit_that_does_not_exist_is_refused<D: Database>() {
    let db = D::create();
    let storage = db.node();
    let code = EnrolmentCode::generate().unwrap();
    let now = Utc::now();

    let error = storage
        .add_enrolment_code(&UnitCode::parse("U-NOPE").unwrap(), code.hash(), now, now)
        .unwrap_err();

    assert!(matches!(error, Error::UnknownUnit(_)), "{error}");
}

fn a_used_or_expired_code_is_refused<D: Database>() {
    let db = D::create();
    let storage = db.node();
    let now = Utc::now();
    storage.add_unit(&unit("U-X"), now).unwrap();
    let used = EnrolmentCode::generate().unwrap();
    let expired = EnrolmentCode::generate().unwrap();
    let unit_code = UnitCode::parse("U-X").unwrap();
    for (code, expires) in [(&used, now + TimeDelta::hours(1)), (&expired, now)] {
        storage
            .add_enrolment_code(&unit_code, code.hash(), now, expires)
            .unwrap();
    }
    storage.enrol(&new_device(&used, None), now).unwrap();

    let again = storage.enrol(&new_device(&used, None), now).unwrap_err();
    let late = storage.enrol(&new_device(&expired, None), now).unwrap_err();
    let unknown = storage
        .enrol(&new_device(&EnrolmentCode::generate().unwrap(), None), now)
        .unwrap_err();

    assert!(matches!(again, Error::EnrolmentRefused(_)), "{again}");
    assert!(matches!(late, Error::EnrolmentRefused(_)), "{late}");
    assert!(matches!(unknown, Error::EnrolmentRefused(_)), "{unknown}");
    assert_eq!(storage.devices().unwrap().len(), 1);
}

fn two_devices_racing_with_one_code_on_two_nodes_get_one_device<D: Database>() {
    let db = D::create();
    let (first, second) = (db.node(), db.node());
    let now = Utc::now();
    first.add_unit(&unit("U-X"), now).unwrap();
    let code = EnrolmentCode::generate().unwrap();
    first
        .add_enrolment_code(
            &UnitCode::parse("U-X").unwrap(),
            code.hash(),
            now,
            now + TimeDelta::hours(1),
        )
        .unwrap();
    let start = Barrier::new(2);

    let results: Vec<_> = thread::scope(|scope| {
        [&first, &second]
            .map(|node| {
                let (start, code) = (&start, &code);
                scope.spawn(move || {
                    start.wait();
                    node.enrol(&new_device(code, None), now)
                })
            })
            .map(|racer| racer.join().unwrap())
            .into_iter()
            .collect()
    });

    assert_eq!(results.iter().filter(|result| result.is_ok()).count(), 1);
    let refused = results.into_iter().find_map(Result::err).unwrap();
    assert!(matches!(refused, Error::EnrolmentRefused(_)), "{refused}");
    assert_eq!(second.devices().unwrap().len(), 1);
}

fn revoking_twice_keeps_the_first_time_and_an_unknown_device_is_an_error<D: Database>() {
    let db = D::create();
    let storage = db.node();
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

fn a_revocation_on_another_node_shuts_the_device_out_at_once<D: Database>() {
    let db = D::create();
    let server = db.node();
    let (device, token) = enrolled_with_token(&server, "U-X");
    let admin = db.node();
    assert_eq!(
        server.authenticate(token.hash()).unwrap(),
        Some(device.clone())
    );

    admin.revoke(device.id, Utc::now()).unwrap();

    assert_eq!(server.authenticate(token.hash()).unwrap(), None);
}

fn a_document_of_one_unit_is_never_filed_or_known_under_another<D: Database>() {
    let db = D::create();
    let storage = db.node();
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
    assert_eq!(
        storage.document_unit(changes[0].doc).unwrap(),
        Some(capil.unit)
    );
}

fn an_edit_of_a_document_the_server_does_not_hold_is_refused_whole<D: Database>() {
    let db = D::create();
    let storage = db.node();
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
    assert_eq!(storage.document_unit(changes[0].doc).unwrap(), None);
}

fn a_code_for_another_unit_is_refused_and_stays_usable<D: Database>() {
    let db = D::create();
    let storage = db.node();
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

    let err = storage
        .enrol(&new_device(&code, Some("U-CAPIL")), now)
        .unwrap_err();
    assert!(
        matches!(&err, Error::EnrolmentWrongUnit { code_unit, expected }
            if code_unit == "U-OTHER" && expected == "U-CAPIL"),
        "{err}"
    );
    assert!(storage.devices().unwrap().is_empty());
    // The code was not spent: a device of its own unit still enrols with it.
    let unit = storage
        .enrol(&new_device(&code, Some("U-OTHER")), now)
        .unwrap();
    assert_eq!(unit.code.as_str(), "U-OTHER");
}

fn a_retried_push_gets_its_first_answer_and_stores_nothing_twice<D: Database>() {
    let db = D::create();
    let storage = db.node();
    let pusher = enrolled(&storage, "U-X");
    let puller = enrolled(&storage, "U-X");
    let (key, changes) = (Uuid::now_v7(), fake_changes(4, 20));

    let first = storage.push(&pusher, key, &changes, Utc::now()).unwrap();
    let retry = storage.push(&pusher, key, &changes, Utc::now()).unwrap();
    let other_key = storage
        .push(&pusher, Uuid::now_v7(), &changes, Utc::now())
        .unwrap();

    assert_eq!((first, retry, other_key), (4, 4, 0));
    assert_eq!(storage.change_count().unwrap(), 4);
    assert_eq!(storage.pull(&puller, 0, 1 << 20).unwrap().entries.len(), 4);
    assert!(
        changes
            .iter()
            .all(|c| storage.holds_change(&c.hash).unwrap())
    );
}

fn server_changes_are_pulled_by_the_units_devices_with_their_history<D: Database>() {
    let db = D::create();
    let storage = db.node();
    let device = enrolled(&storage, "U-X");
    let mine = fake_changes(1, 5);
    storage
        .push(&device, Uuid::now_v7(), &mine, Utc::now())
        .unwrap();
    let decision = IncomingChange {
        hash: [9; 32],
        creates: false,
        ..mine[0].clone()
    };

    let new = storage
        .store_server_changes(&device.unit, &[decision.clone(), decision], Utc::now())
        .unwrap();

    assert_eq!(new, 1);
    let pulled = storage.pull(&device, 0, 1 << 20).unwrap();
    assert_eq!(pulled.entries.len(), 1, "its own change is not sent back");
    let history = storage.document_history(mine[0].doc).unwrap();
    let authors: Vec<&str> = history.iter().map(|(_, by)| by.as_str()).collect();
    assert_eq!(authors, ["tablet", "server"]);
    assert_eq!(storage.document_changes(mine[0].doc).unwrap().len(), 2);
}

fn units_read_back_in_code_order_with_their_instansi_and_public_flag<D: Database>() {
    let db = D::create();
    let storage = db.node();
    let now = Utc::now();
    for code in ["U-B", "U-A", "UA"] {
        storage.add_unit(&unit(code), now).unwrap();
    }
    let dinas = Name::parse("instansi", "Dinas Kependudukan").unwrap();
    let u_a = UnitCode::parse("U-A").unwrap();

    storage.set_instansi(&u_a, Some(&dinas)).unwrap();
    storage.set_public(&u_a, true).unwrap();
    let again = storage.add_unit(&unit("U-A"), now).unwrap_err();
    let missing = storage
        .set_public(&UnitCode::parse("U-NONE").unwrap(), true)
        .unwrap_err();

    let codes: Vec<String> = storage
        .units()
        .unwrap()
        .iter()
        .map(|unit| unit.code.to_string())
        .collect();
    assert_eq!(
        codes,
        ["U-A", "U-B", "UA"],
        "byte order, whatever the locale"
    );
    assert_eq!(storage.unit(&u_a).unwrap().unwrap().instansi, Some(dinas));
    assert!(storage.is_public(&u_a).unwrap());
    assert!(!storage.is_public(&UnitCode::parse("U-B").unwrap()).unwrap());
    assert!(matches!(again, Error::UnitExists(_)), "{again}");
    assert!(matches!(missing, Error::UnknownUnit(_)), "{missing}");
}

fn a_sync_is_marked_at_most_every_few_minutes<D: Database>() {
    let db = D::create();
    let storage = db.node();
    let device = enrolled(&storage, "U-X");
    let t0 = Utc::now();
    let last_sync = || storage.devices().unwrap()[0].last_sync_at.unwrap();

    storage.mark_synced(&device.id, t0).unwrap();
    storage
        .mark_synced(&device.id, t0 + TimeDelta::minutes(1))
        .unwrap();
    let kept = last_sync();
    storage
        .mark_synced(&device.id, t0 + TimeDelta::minutes(6))
        .unwrap();

    assert_eq!(kept.timestamp_millis(), t0.timestamp_millis());
    assert_eq!(
        last_sync().timestamp_millis(),
        (t0 + TimeDelta::minutes(6)).timestamp_millis()
    );
}

fn the_log_has_one_identity_on_every_node_and_takes_a_write<D: Database>() {
    let db = D::create();
    let (first, second) = (db.node(), db.node());

    first.health().unwrap();
    second.health().unwrap();

    let id = first.log_id().unwrap();
    assert_eq!(id.len(), 32, "{id}");
    assert_eq!(second.log_id().unwrap(), id);
}

fn a_renewed_identity_is_new_and_the_same_on_every_node<D: Database>() {
    let db = D::create();
    let (first, second) = (db.node(), db.node());
    let old = first.log_id().unwrap();

    let renewed = second.renew_log_id().unwrap();

    assert_ne!(renewed, old);
    assert_eq!(renewed.len(), 32, "{renewed}");
    assert_eq!(first.log_id().unwrap(), renewed);
    assert_ne!(second.renew_log_id().unwrap(), renewed);
}

/// The cursor contract under load: writers on several nodes push batches at once while
/// readers on other nodes pull with small payloads from the cursor they were given. A change
/// that became visible behind a cursor already handed out would never reach that reader.
fn pulls_racing_pushes_on_several_nodes_miss_nothing_and_repeat_nothing<D: Database>() {
    const WRITERS: usize = 4;
    const BATCHES: usize = 60;
    const PER_BATCH: usize = 6;
    let db = D::create();
    let setup = db.node();
    let writers: Vec<Device> = (0..WRITERS).map(|_| enrolled(&setup, "U-X")).collect();
    let readers: Vec<Device> = (0..2).map(|_| enrolled(&setup, "U-X")).collect();
    let pushed: Vec<Vec<IncomingChange>> = (0..WRITERS * BATCHES)
        .map(|_| fake_changes(PER_BATCH, 40))
        .collect();
    let done = std::sync::atomic::AtomicUsize::new(0);

    let received: Vec<BTreeMap<Uuid, usize>> = thread::scope(|scope| {
        for (w, device) in writers.iter().enumerate() {
            let (node, pushed, done) = (db.node(), &pushed, &done);
            scope.spawn(move || {
                for batch in pushed.iter().skip(w).step_by(WRITERS) {
                    node.push(device, Uuid::now_v7(), batch, Utc::now())
                        .unwrap();
                }
                done.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            });
        }
        let pullers: Vec<_> = readers
            .iter()
            .map(|device| {
                let (node, done) = (db.node(), &done);
                scope.spawn(move || {
                    let mut seen = BTreeMap::new();
                    let mut cursor = 0;
                    loop {
                        // Read before pulling: a pull that began after every writer finished
                        // and comes back with nothing more is the end.
                        let finished = done.load(std::sync::atomic::Ordering::SeqCst) == WRITERS;
                        let pulled = node.pull(device, cursor, 300).unwrap();
                        assert!(pulled.cursor >= cursor, "the cursor never goes back");
                        cursor = pulled.cursor;
                        for entry in pulled.entries {
                            *seen.entry(entry.doc).or_insert(0) += 1;
                        }
                        if finished && !pulled.more {
                            break seen;
                        }
                    }
                })
            })
            .collect();
        pullers.into_iter().map(|p| p.join().unwrap()).collect()
    });

    let expected: BTreeMap<Uuid, usize> = pushed.iter().flatten().map(|c| (c.doc, 1)).collect();
    for seen in received {
        let missing = expected
            .keys()
            .filter(|doc| !seen.contains_key(doc))
            .count();
        let twice = seen.values().filter(|&&n| n > 1).count();
        assert_eq!(
            (missing, twice),
            (0, 0),
            "changes missed, changes pulled twice"
        );
        assert_eq!(seen.len(), expected.len());
    }
}

/// Now, to the millisecond that both backends keep.
fn now_ms() -> chrono::DateTime<Utc> {
    chrono::DateTime::from_timestamp_millis(Utc::now().timestamp_millis()).unwrap()
}

fn new_person(name: &str, role: Role, instansi: Option<&str>, units: &[&str]) -> NewPerson {
    NewPerson {
        name: Name::parse("name", name).unwrap(),
        role,
        instansi: instansi.map(str::to_string),
        units: units.iter().map(|u| UnitCode::parse(u).unwrap()).collect(),
        password_hash: format!("hash of {name}"),
    }
}

fn session() -> SecretHash {
    DeviceToken::generate().unwrap().hash()
}

fn people_read_back_with_their_scope_and_a_wrong_unit_keeps_nothing<D: Database>() {
    let db = D::create();
    let storage = db.node();
    let now = Utc::now();
    for code in ["U-B", "U-A"] {
        storage.add_unit(&unit(code), now).unwrap();
    }
    let dewi = new_person("Dewi", Role::Supervisor, None, &["U-B", "U-A"]);
    storage.add_person(&dewi, now).unwrap();
    storage
        .add_person(&new_person("Admin", Role::Admin, None, &[]), now)
        .unwrap();
    storage
        .add_person(&new_person("Budi", Role::Viewer, Some("Dinas X"), &[]), now)
        .unwrap();

    let again = storage.add_person(&dewi, now).unwrap_err();
    let wrong = storage
        .add_person(&new_person("Eko", Role::Supervisor, None, &["U-NONE"]), now)
        .unwrap_err();

    assert!(matches!(again, Error::PersonExists(_)), "{again}");
    assert!(matches!(wrong, Error::UnknownUnit(_)), "{wrong}");
    assert!(
        storage.person("Eko").unwrap().is_none(),
        "nothing of Eko is kept"
    );
    let people = storage.people().unwrap();
    let names: Vec<&str> = people.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["Admin", "Budi", "Dewi"]);
    assert_eq!(people[0].scope, Scope::Everything);
    assert_eq!(people[1].scope, Scope::Instansi("Dinas X".into()));
    assert_eq!(people[2].scope, Scope::Units(dewi.units.clone()));
    let (found, hash) = storage.person("Dewi").unwrap().unwrap();
    assert_eq!(
        (found.role, hash.as_str()),
        (Role::Supervisor, "hash of Dewi")
    );
}

fn a_session_opened_on_one_node_holds_on_another_until_it_ends<D: Database>() {
    let db = D::create();
    let (first, second) = (db.node(), db.node());
    let now = now_ms();
    first
        .add_person(&new_person("Dewi", Role::Admin, None, &[]), now)
        .unwrap();
    let later = now + TimeDelta::hours(1);
    let [signed_out, before_new_password, before_disabling] = [session(), session(), session()];
    for token in [signed_out, before_new_password] {
        first
            .add_session(token, &Name::parse("name", "Dewi").unwrap(), now, later)
            .unwrap();
    }
    let dewi = |node: &D::Node, token, at| node.session_person(token, at).unwrap();

    assert_eq!(
        dewi(&second, signed_out, now).unwrap().name.as_str(),
        "Dewi"
    );
    assert_eq!(dewi(&second, signed_out, later), None, "expired");
    second.end_session(signed_out).unwrap();
    assert_eq!(
        dewi(&first, signed_out, now),
        None,
        "ended on the other node"
    );

    second.set_password_hash("Dewi", "new hash").unwrap();
    assert_eq!(dewi(&first, before_new_password, now), None);
    assert_eq!(first.person("Dewi").unwrap().unwrap().1, "new hash");

    first
        .add_session(
            before_disabling,
            &Name::parse("name", "Dewi").unwrap(),
            now,
            later,
        )
        .unwrap();
    second.disable_person("Dewi", now).unwrap();
    assert_eq!(dewi(&first, before_disabling, now), None);
    assert!(first.person("Dewi").unwrap().unwrap().0.disabled);
    let nobody = second.disable_person("Nobody", now).unwrap_err();
    assert!(matches!(nobody, Error::UnknownPerson(_)), "{nobody}");
}

fn failed_sign_ins_count_across_nodes_and_old_ones_are_forgotten<D: Database>() {
    let db = D::create();
    let (first, second) = (db.node(), db.node());
    let t0 = now_ms();
    let window = TimeDelta::minutes(15);
    let keys = |keys: &[&str]| keys.iter().map(|k| k.to_string()).collect::<Vec<_>>();

    first
        .record_sign_in_failure(&keys(&["ip:10.0.0.9", "name:dewi"]), t0, t0 - window)
        .unwrap();
    let t1 = t0 + TimeDelta::minutes(1);
    second
        .record_sign_in_failure(&keys(&["ip:10.0.0.9"]), t1, t1 - window)
        .unwrap();

    assert_eq!(
        first.sign_in_failures("ip:10.0.0.9", t0 - window).unwrap(),
        (2, Some(t0))
    );
    assert_eq!(second.sign_in_failures("name:dewi", t1).unwrap(), (0, None));
    let t2 = t0 + TimeDelta::minutes(20);
    first
        .record_sign_in_failure(&keys(&["ip:10.0.0.9"]), t2, t2 - window)
        .unwrap();
    assert_eq!(
        second
            .sign_in_failures("ip:10.0.0.9", t0 - TimeDelta::days(1))
            .unwrap(),
        (1, Some(t2)),
        "failures older than the window were forgotten"
    );
    second.clear_sign_in_failures("ip:10.0.0.9").unwrap();
    assert_eq!(
        first.sign_in_failures("ip:10.0.0.9", t0).unwrap(),
        (0, None)
    );
}

fn new_link(storage: &dyn Links) -> LinkToken {
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

fn web_answer(token: &LinkToken, id: Uuid, address: &str, per_hour: u32) -> WebAnswer {
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
    WebAnswer {
        token: token.clone(),
        id,
        unit: unit.clone(),
        prepared: prepare(&body, &target).unwrap(),
        address: Some(address.to_string()),
        per_hour,
    }
}

fn a_group_of_web_answers_stores_each_set_once_and_refuses_only_the_sets_at_fault<D: Database>() {
    let db = D::create();
    let storage = db.node();
    storage.add_unit(&unit("U-CAPIL"), Utc::now()).unwrap();
    let (open, closed) = (new_link(&storage), new_link(&storage));
    storage.close_link(&closed, Utc::now()).unwrap();
    let (first, second) = (Uuid::now_v7(), Uuid::now_v7());
    let group = [
        web_answer(&open, first, "10.0.0.1", 2),
        // The page's retry, arriving in the same group.
        web_answer(&open, first, "10.0.0.1", 2),
        web_answer(&closed, Uuid::now_v7(), "10.0.0.1", 2),
        web_answer(&open, second, "10.0.0.1", 2),
        // The address's third set within the hour.
        web_answer(&open, Uuid::now_v7(), "10.0.0.1", 2),
        web_answer(&open, Uuid::now_v7(), "10.0.0.2", 2),
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
    assert_eq!(
        storage.document_unit(created).unwrap(),
        Some(unit("U-CAPIL").code)
    );
}

fn an_invitation_takes_one_answer_set_even_through_two_nodes_at_once<D: Database>() {
    let db = D::create();
    let (first, second) = (db.node(), db.node());
    let now = Utc::now();
    first.add_unit(&unit("U-CAPIL"), now).unwrap();
    let token = LinkToken::generate().unwrap();
    let recipient = crate::invitations::Recipient {
        name: "Siti".into(),
        phone: Some("6281234567890".into()),
        email: None,
        service: Some("KTP-el".into()),
        service_date: chrono::NaiveDate::from_ymd_opt(2026, 11, 30),
    };
    first
        .add_invitations(
            &unit("U-CAPIL").code,
            None,
            &[(token.clone(), recipient)],
            &Name::parse("person", "Rina").unwrap(),
            now,
        )
        .unwrap();
    let start = Barrier::new(2);

    let outcomes: Vec<_> = thread::scope(|scope| {
        [&first, &second]
            .map(|node| {
                let (start, token) = (&start, &token);
                scope.spawn(move || {
                    let answer = web_answer(token, Uuid::now_v7(), "10.0.0.1", 100);
                    start.wait();
                    node.store_web_answers(&[answer], Utc::now()).unwrap()
                })
            })
            .map(|racer| racer.join().unwrap().remove(0))
            .into_iter()
            .collect()
    });

    assert_eq!(
        outcomes.iter().filter(|o| o.is_ok()).count(),
        1,
        "{outcomes:?}"
    );
    assert!(
        outcomes
            .iter()
            .any(|o| matches!(o, Err(Error::LinkUsed(_))))
    );
    assert_eq!(first.change_count().unwrap(), 1);
    let invitation = second.invitation(&token).unwrap().unwrap();
    assert_eq!(invitation.name, "Siti");
    assert_eq!(invitation.service.as_deref(), Some("KTP-el"));
    assert!(invitation.answered_at.is_some());
    second
        .mark_invitations(
            std::slice::from_ref(&token),
            super::InvitationMark::OptedOut,
            now,
        )
        .unwrap();
    assert!(first.link(&token).unwrap().unwrap().closed_at.is_some());
    assert_eq!(first.invitations(&unit("U-CAPIL").code).unwrap().len(), 1);
}

use reports::{
    a_rejected_or_deleted_response_leaves_the_totals,
    a_stale_watermark_stores_nothing_and_the_next_step_stores_all,
    a_step_brings_every_change_of_the_documents_it_touches,
    stored_responses_read_back_the_same_in_every_report,
    the_running_totals_always_equal_the_sum_of_the_responses,
};

/// The materialised tables: what [`Reports::store_materialised`] writes is what every report
/// reads, checked against a model of the same rows kept here.
mod reports {
    use std::collections::{BTreeMap, BTreeSet};

    use chrono::{DateTime, Local, NaiveDate, TimeDelta, Utc};
    use simpul_document::read::{Response, SCORE_SLOTS, Written};
    use simpul_document::review::ReviewState;
    use uuid::Uuid;

    use super::{Database, enrolled, fake_changes, now_ms, unit};
    use crate::export::ExportRow;
    use crate::materialise::{Materialised, ResponseRow, UnitConfig};
    use crate::model::{Name, Unit, UnitCode};
    use crate::report::{
        ConflictRow, DayCount, Days, ReportFilter, Tallies, UnitActivity, UnitScope, UnitTallies,
    };
    use crate::storage::{ChangeLog, Reports};
    use crate::summary::AnswerCount;

    /// A small, seeded generator: the same rows on every run.
    struct Lcg(u64);

    impl Lcg {
        fn below(&mut self, n: u64) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (self.0 >> 33) % n
        }

        fn pick<T: Clone>(&mut self, options: &[T]) -> T {
            options[self.below(options.len() as u64) as usize].clone()
        }
    }

    const PERIODS: [&str; 2] = ["2026-S1", "2026-S2"];
    const ITEM: &str = "jenis_kelamin";

    /// The first instant of day `day` (day 0 is 1 September 2026) on this machine's calendar.
    fn day_start(day: i64) -> i64 {
        let date = NaiveDate::from_ymd_opt(2026, 9, 1).unwrap() + TimeDelta::days(day);
        date.and_hms_opt(0, 0, 0)
            .unwrap()
            .and_local_timezone(Local)
            .earliest()
            .unwrap()
            .timestamp_millis()
    }

    fn local_day(ms: i64) -> NaiveDate {
        DateTime::from_timestamp_millis(ms)
            .unwrap()
            .with_timezone(&Local)
            .date_naive()
    }

    fn written(value: &str, by: &str, at: i64) -> Written {
        Written {
            value: Some(value.to_string()),
            by: Some(by.to_string()),
            at: Some(at),
        }
    }

    /// A new response of `unit`, every field drawn from `rng`: both methods (nine and
    /// fourteen unsur), drafts, deletions, every review, conflicts and four days of capture.
    fn random_response(rng: &mut Lcg, doc: Uuid, unit: &str) -> Materialised {
        let (form, method, unsur) = rng.pick(&[
            ("skm-2017", "permenpanrb-14-2017", 9),
            ("skm-2017", "permenpanrb-14-2017", 9),
            ("skm-2004", "kepmenpan-25-2004", 14),
        ]);
        let mut scores = [None; SCORE_SLOTS];
        for score in scores.iter_mut().take(unsur) {
            *score = (rng.below(5) != 0).then(|| 1 + rng.below(4) as u8);
        }
        let mut answers = BTreeMap::new();
        if let Some(service) = rng.pick(&[Some("KTP-el"), Some("KK"), Some("Akta"), None]) {
            answers.insert("layanan".to_string(), Some(service.to_string()));
        }
        match rng.below(3) {
            0 => {}
            1 => {
                answers.insert(ITEM.to_string(), None);
            }
            _ => {
                answers.insert(ITEM.to_string(), Some(rng.pick(&["L", "P"]).to_string()));
            }
        }
        let created_at = day_start(rng.below(4) as i64) + rng.below(86_400_000) as i64;
        let conflicts = (1..=rng.pick(&[0, 0, 1, 2]))
            .map(|i| {
                let both = vec![
                    written("3", "Ani", created_at),
                    written("4", "Budi", created_at + 1),
                ];
                (format!("U{i}"), both)
            })
            .collect();
        let response = Response {
            id: doc,
            form: form.to_string(),
            method: Some(method.to_string()),
            unit: unit.to_string(),
            period: rng.pick(&PERIODS).to_string(),
            channel: rng.pick(&["paper", "web"]).to_string(),
            serial: (rng.below(4) != 0).then(|| format!("{:03}", rng.below(40))),
            status: rng.pick(&["final", "final", "final", "draft"]).to_string(),
            deleted: rng.below(6) == 0,
            review: rng.pick(&ReviewState::ALL),
            review_note: (rng.below(4) == 0).then(|| "periksa lagi".to_string()),
            created_by: rng
                .pick(&[Some("Ani"), Some("Budi"), None])
                .map(str::to_string),
            answers,
            conflicts,
        };
        Materialised {
            doc,
            unit: unit.to_string(),
            new: true,
            devices: vec![rng.pick(&["tablet-1", "tablet-2", "tablet-3"]).to_string()],
            row: Some(ResponseRow {
                response,
                method: method.to_string(),
                scores,
                created_at,
                updated_at: created_at + 60_000,
            }),
            config: None,
        }
    }

    /// A unit's configuration document, as the follower reads one.
    fn configuration(unit: &str, period: Option<&str>, population: Option<u64>) -> Materialised {
        Materialised {
            doc: Uuid::now_v7(),
            unit: unit.to_string(),
            new: true,
            devices: Vec::new(),
            row: None,
            config: Some(UnitConfig {
                period: period.map(str::to_string),
                population,
                form: Some("skm-2017".to_string()),
            }),
        }
    }

    /// `doc` removed from the tables: the follower's rows of a document that reads as no
    /// response any more.
    fn removal(doc: Uuid, unit: &str) -> Materialised {
        Materialised {
            doc,
            unit: unit.to_string(),
            new: false,
            devices: Vec::new(),
            row: None,
            config: None,
        }
    }

    fn counts(r: &ResponseRow) -> bool {
        let r = &r.response;
        r.status == "final" && !r.deleted && r.review != ReviewState::Rejected
    }

    fn matches(row: &ResponseRow, filter: &ReportFilter) -> bool {
        let (r, (from, to)) = (&row.response, filter.days.millis());
        let is = |wanted: &Option<String>, value: Option<&str>| {
            wanted.as_deref().is_none_or(|w| value == Some(w))
        };
        is(&filter.period, Some(&r.period))
            && is(&filter.service, r.service())
            && is(&filter.channel, Some(&r.channel))
            && is(&filter.enumerator, r.created_by.as_deref())
            && from.is_none_or(|from| row.created_at >= from)
            && to.is_none_or(|to| row.created_at < to)
    }

    fn tallies_of<'a>(rows: impl Iterator<Item = &'a ResponseRow>) -> Tallies {
        let mut tallies = Tallies::default();
        for row in rows {
            tallies.add(&Tallies {
                methods: vec![row.method.clone()],
                n: 1,
                slots: row.scores.map(|s| s.map_or((0, 0), |v| (u64::from(v), 1))),
            });
        }
        tallies
    }

    /// What the tables should hold: the rows of every response stored and not removed since,
    /// the units' configurations, and every device seen per unit and period (kept even when
    /// its response goes, as SQLite always did).
    #[derive(Default)]
    struct Model {
        units: Vec<Unit>,
        responses: BTreeMap<Uuid, ResponseRow>,
        configs: BTreeMap<String, UnitConfig>,
        devices: BTreeSet<(String, String, String)>,
        last_received: BTreeMap<String, DateTime<Utc>>,
    }

    impl Model {
        fn apply(&mut self, rows: &[Materialised]) {
            for m in rows {
                if let Some(config) = &m.config {
                    self.configs.insert(m.unit.clone(), config.clone());
                }
                if !m.new {
                    self.responses.remove(&m.doc);
                }
                let Some(row) = &m.row else {
                    continue;
                };
                for device in &m.devices {
                    let period = row.response.period.clone();
                    self.devices
                        .insert((m.unit.clone(), period, device.clone()));
                }
                self.responses.insert(m.doc, row.clone());
            }
        }

        /// Undeleted responses of `unit` (of any when `None`) matching `filter`.
        fn selected<'a>(
            &'a self,
            unit: Option<&'a str>,
            filter: &'a ReportFilter,
        ) -> impl Iterator<Item = &'a ResponseRow> + 'a {
            self.responses.values().filter(move |row| {
                unit.is_none_or(|u| row.response.unit == u)
                    && !row.response.deleted
                    && matches(row, filter)
            })
        }

        fn counted<'a>(
            &'a self,
            unit: &'a str,
            filter: &'a ReportFilter,
        ) -> impl Iterator<Item = &'a ResponseRow> + 'a {
            self.selected(Some(unit), filter).filter(|row| counts(row))
        }

        /// The period a report across units counts for `unit`: the one asked for, else the
        /// unit's active one (every period when it has none).
        fn period_of(&self, unit: &str, asked: Option<&str>) -> Option<String> {
            asked.map(str::to_string).or_else(|| {
                self.configs
                    .get(unit)
                    .and_then(|config| config.period.clone())
            })
        }

        fn in_period<'a>(
            &'a self,
            unit: &'a Unit,
            asked: Option<&str>,
        ) -> impl Iterator<Item = &'a ResponseRow> + 'a {
            let period = self.period_of(unit.code.as_str(), asked);
            self.responses.values().filter(move |row| {
                row.response.unit == unit.code.as_str()
                    && period.as_ref().is_none_or(|p| *p == row.response.period)
            })
        }

        fn tallies(&self, unit: &str, filter: &ReportFilter) -> Tallies {
            tallies_of(self.counted(unit, filter))
        }

        fn service_tallies(&self, unit: &str, filter: &ReportFilter) -> Vec<(String, Tallies)> {
            let mut services: BTreeMap<String, Vec<&ResponseRow>> = BTreeMap::new();
            for row in self.counted(unit, filter) {
                if let Some(service) = row.response.service() {
                    services.entry(service.to_string()).or_default().push(row);
                }
            }
            services
                .into_iter()
                .map(|(service, rows)| (service, tallies_of(rows.into_iter())))
                .collect()
        }

        fn answer_counts(&self, unit: &str, filter: &ReportFilter) -> Vec<AnswerCount> {
            let mut counts: BTreeMap<(String, Option<String>), u64> = BTreeMap::new();
            for row in self.counted(unit, filter) {
                let value = row.response.answers.get(ITEM).cloned().flatten();
                *counts
                    .entry((row.response.form.clone(), value))
                    .or_default() += 1;
            }
            counts
                .into_iter()
                .map(|((form, value), count)| AnswerCount { form, value, count })
                .collect()
        }

        fn unit_tallies(&self, scope: &UnitScope, filter: &ReportFilter) -> Vec<UnitTallies> {
            let mut units: Vec<&Unit> = self
                .units
                .iter()
                .filter(|u| scope.instansi.is_none() || u.instansi == scope.instansi)
                .collect();
            units.sort_by_key(|u| {
                let instansi = u.instansi.as_ref().map(|i| i.as_str().to_string());
                (instansi.is_none(), instansi, u.code.to_string())
            });
            units
                .into_iter()
                .map(|unit| {
                    let code = unit.code.as_str();
                    let period = self.period_of(code, filter.period.as_deref());
                    let devices = self
                        .devices
                        .iter()
                        .filter(|(u, p, _)| {
                            u == code && period.as_ref().is_none_or(|period| period == p)
                        })
                        .map(|(_, _, device)| device)
                        .collect::<BTreeSet<_>>();
                    let rest = ReportFilter {
                        period: None,
                        ..filter.clone()
                    };
                    let counted = self
                        .in_period(unit, filter.period.as_deref())
                        .filter(|row| counts(row) && matches(row, &rest));
                    UnitTallies {
                        unit: unit.clone(),
                        period: period.clone(),
                        population: self.configs.get(code).and_then(|c| c.population),
                        last_received: self.last_received.get(code).copied(),
                        devices: devices.len() as u64,
                        tallies: tallies_of(counted),
                    }
                })
                .collect()
        }

        fn unit_activity(&self, period: Option<&str>) -> Vec<UnitActivity> {
            let mut units = self.units.clone();
            units.sort_by(|a, b| a.code.as_str().cmp(b.code.as_str()));
            units
                .iter()
                .map(|unit| {
                    let rows: Vec<&ResponseRow> = self.in_period(unit, period).collect();
                    let waiting = rows
                        .iter()
                        .filter(|row| counts(row) && row.response.review == ReviewState::Received)
                        .count();
                    let conflicted = rows
                        .iter()
                        .filter(|row| {
                            let r = &row.response;
                            !r.deleted
                                && r.review != ReviewState::Rejected
                                && !r.conflicts.is_empty()
                        })
                        .count();
                    UnitActivity {
                        unit: unit.code.to_string(),
                        waiting: waiting as u64,
                        conflicted: conflicted as u64,
                    }
                })
                .collect()
        }

        fn responses_per_day(&self, period: Option<&str>) -> Vec<DayCount> {
            let mut days: BTreeMap<(NaiveDate, String), u64> = BTreeMap::new();
            for unit in &self.units {
                for row in self.in_period(unit, period).filter(|row| counts(row)) {
                    let key = (local_day(row.created_at), unit.code.to_string());
                    *days.entry(key).or_default() += 1;
                }
            }
            days.into_iter()
                .map(|((day, unit), n)| DayCount { unit, day, n })
                .collect()
        }

        fn conflicts(&self, unit: Option<&str>, filter: &ReportFilter) -> Vec<ConflictRow> {
            let mut rows: Vec<ConflictRow> = self
                .selected(unit, filter)
                .flat_map(|row| {
                    row.response
                        .conflicts
                        .iter()
                        .map(|(field, written)| ConflictRow {
                            response: row.response.id,
                            serial: row.response.serial.clone(),
                            field: field.clone(),
                            values: written.iter().map(|w| w.value.clone()).collect(),
                            written: written.clone(),
                        })
                })
                .collect();
            // NULL serials first, as SQLite sorts them.
            rows.sort_by(|a, b| {
                (&a.serial, a.response, &a.field).cmp(&(&b.serial, b.response, &b.field))
            });
            rows
        }

        fn export_rows(&self, unit: &str, filter: &ReportFilter) -> Vec<ExportRow> {
            let mut rows: Vec<ExportRow> = self
                .selected(Some(unit), filter)
                .map(|row| {
                    let r = &row.response;
                    ExportRow {
                        id: r.id,
                        serial: r.serial.clone(),
                        channel: r.channel.clone(),
                        status: r.status.clone(),
                        unit: r.unit.clone(),
                        period: r.period.clone(),
                        form: r.form.clone(),
                        created_at: row.created_at,
                        updated_at: row.updated_at,
                        review: r.review.code().to_string(),
                        review_note: r.review_note.clone(),
                        answers: r.answers.clone(),
                    }
                })
                .collect();
            rows.sort_by_key(|row| (row.created_at, row.id));
            rows
        }
    }

    /// The filters the reports are read through: each narrowing on its own, and together.
    fn filters() -> Vec<ReportFilter> {
        let text = |s: &str| Some(s.to_string());
        let days = |from: i64, to: Option<i64>| {
            let day = |d: i64| local_day(day_start(d));
            Days::new(Some(day(from)), to.map(day)).unwrap()
        };
        vec![
            ReportFilter::default(),
            ReportFilter {
                period: text("2026-S1"),
                ..ReportFilter::default()
            },
            ReportFilter {
                period: text("2026-S2"),
                service: text("KTP-el"),
                ..ReportFilter::default()
            },
            ReportFilter {
                channel: text("paper"),
                ..ReportFilter::default()
            },
            ReportFilter {
                enumerator: text("Ani"),
                ..ReportFilter::default()
            },
            ReportFilter {
                days: days(1, Some(2)),
                ..ReportFilter::default()
            },
            ReportFilter {
                period: text("2026-S1"),
                days: days(2, None),
                ..ReportFilter::default()
            },
        ]
    }

    /// Every report `storage` reads agrees with `model`.
    fn assert_reports_agree(storage: &dyn Reports, model: &Model) {
        let sorted = |mut counts: Vec<AnswerCount>| {
            counts.sort_by(|a, b| (&a.form, &a.value).cmp(&(&b.form, &b.value)));
            counts
        };
        let instansi = model.units.iter().find_map(|u| u.instansi.clone());
        let scopes = [
            UnitScope::default(),
            UnitScope {
                instansi,
                units: None,
            },
        ];
        for filter in filters() {
            for unit in &model.units {
                let (code, u) = (&unit.code, unit.code.as_str());
                let why = format!("{u} {filter:?}");
                assert_eq!(
                    storage.tallies(code, &filter).unwrap(),
                    model.tallies(u, &filter),
                    "{why}"
                );
                assert_eq!(
                    storage.service_tallies(code, &filter).unwrap(),
                    model.service_tallies(u, &filter),
                    "{why}"
                );
                assert_eq!(
                    sorted(storage.answer_counts(code, &filter, ITEM).unwrap()),
                    model.answer_counts(u, &filter),
                    "{why}"
                );
                assert_eq!(
                    storage.conflicts(Some(code), &filter).unwrap(),
                    model.conflicts(Some(u), &filter),
                    "{why}"
                );
                assert_eq!(
                    storage.export_rows(code, &filter).unwrap(),
                    model.export_rows(u, &filter),
                    "{why}"
                );
            }
            assert_eq!(
                storage.conflicts(None, &filter).unwrap(),
                model.conflicts(None, &filter),
                "{filter:?}"
            );
            for scope in &scopes {
                assert_eq!(
                    storage.unit_tallies(scope, &filter).unwrap(),
                    model.unit_tallies(scope, &filter),
                    "{scope:?} {filter:?}"
                );
            }
        }
        for period in [None, Some("2026-S1"), Some("2026-S2")] {
            assert_eq!(
                storage.unit_activity(period).unwrap(),
                model.unit_activity(period),
                "{period:?}"
            );
            assert_eq!(
                storage.responses_per_day(period).unwrap(),
                model.responses_per_day(period),
                "{period:?}"
            );
        }
    }

    /// Units U-A (active period 2026-S1, a target, a change stored), U-B (an instansi, no
    /// configuration: every period counts) and U-C (period 2026-S2, no responses), and
    /// the model of what they hold.
    fn three_units(storage: &(impl ChangeLog + Reports)) -> Model {
        let device = enrolled(storage, "U-A");
        let received = now_ms();
        storage
            .push(&device, Uuid::now_v7(), &fake_changes(1, 5), received)
            .unwrap();
        for code in ["U-B", "U-C"] {
            storage.add_unit(&unit(code), Utc::now()).unwrap();
        }
        let dinas = Name::parse("instansi", "Dinas Kependudukan").unwrap();
        let u_b = UnitCode::parse("U-B").unwrap();
        storage.set_instansi(&u_b, Some(&dinas)).unwrap();
        let mut model = Model {
            units: storage.units().unwrap(),
            ..Model::default()
        };
        model.last_received.insert("U-A".to_string(), received);
        let configs = [
            configuration("U-A", Some("2026-S1"), Some(1_200)),
            configuration("U-C", Some("2026-S2"), None),
        ];
        assert!(storage.store_materialised(&configs, 0, 1).unwrap());
        model.apply(&configs);
        model
    }

    fn random_batch(rng: &mut Lcg, count: usize) -> Vec<Materialised> {
        (0..count)
            .map(|_| {
                let unit = rng.pick(&["U-A", "U-B"]);
                random_response(rng, Uuid::now_v7(), unit)
            })
            .collect()
    }

    pub(super) fn stored_responses_read_back_the_same_in_every_report<D: Database>() {
        let db = D::create();
        let storage = db.node();
        let mut model = three_units(&storage);
        let mut rng = Lcg(7);
        let first = random_batch(&mut rng, 60);
        // Half of them again, read anew (as after a review or an edit): replaced, not added.
        let again: Vec<Materialised> = first
            .iter()
            .step_by(2)
            .map(|m| Materialised {
                new: false,
                ..random_response(&mut rng, m.doc, &m.unit)
            })
            .collect();

        assert!(storage.store_materialised(&first, 1, 2).unwrap());
        assert!(storage.store_materialised(&again, 2, 3).unwrap());
        model.apply(&first);
        model.apply(&again);

        assert_eq!(model.responses.len(), 60);
        let fresh = storage.freshness().unwrap();
        assert_eq!(
            (fresh.watermark, fresh.head),
            (3, storage.change_count().unwrap())
        );
        assert!(model.responses.values().any(counts));
        assert!(
            model
                .responses
                .values()
                .any(|r| !r.response.conflicts.is_empty())
        );
        assert_reports_agree(&storage, &model);
        // Another node reads the same.
        assert_reports_agree(&db.node(), &model);
    }

    pub(super) fn a_stale_watermark_stores_nothing_and_the_next_step_stores_all<D: Database>() {
        let db = D::create();
        let (first, second) = (db.node(), db.node());
        let mut model = three_units(&first);
        let mut rng = Lcg(11);
        let (mine, theirs) = (random_batch(&mut rng, 10), random_batch(&mut rng, 10));

        assert!(first.store_materialised(&mine, 1, 5).unwrap());
        model.apply(&mine);
        // Another process read from watermark 1 too, or from one never reached.
        assert!(!second.store_materialised(&theirs, 1, 6).unwrap());
        assert!(!second.store_materialised(&theirs, 6, 7).unwrap());

        assert_eq!(second.freshness().unwrap().watermark, 5);
        assert_reports_agree(&second, &model);
        assert!(second.store_materialised(&theirs, 5, 6).unwrap());
        model.apply(&theirs);
        assert_eq!(first.freshness().unwrap().watermark, 6);
        assert_reports_agree(&first, &model);
    }

    pub(super) fn a_rejected_or_deleted_response_leaves_the_totals<D: Database>() {
        let db = D::create();
        let storage = db.node();
        let mut model = three_units(&storage);
        let u_a = model
            .units
            .iter()
            .find(|u| u.code.as_str() == "U-A")
            .unwrap()
            .clone();
        let counted = |rng: &mut Lcg| {
            let mut m = random_response(rng, Uuid::now_v7(), "U-A");
            let row = m.row.as_mut().unwrap();
            row.response.status = "final".to_string();
            row.response.deleted = false;
            row.response.review = ReviewState::Received;
            row.response.period = "2026-S1".to_string();
            row.response.conflicts =
                BTreeMap::from([("U1".to_string(), vec![written("2", "Ani", 1)])]);
            m
        };
        let mut rng = Lcg(5);
        let (kept, going) = (counted(&mut rng), counted(&mut rng));
        let by_period = ReportFilter::default();
        let figures = |storage: &D::Node| {
            let unit = storage
                .unit_tallies(&UnitScope::default(), &by_period)
                .unwrap()
                .into_iter()
                .find(|line| line.unit.code == u_a.code)
                .unwrap();
            let activity = storage.unit_activity(None).unwrap()[0].clone();
            let days: u64 = storage
                .responses_per_day(None)
                .unwrap()
                .iter()
                .map(|d| d.n)
                .sum();
            (unit.tallies.n, activity.waiting, activity.conflicted, days)
        };
        let mut step = 1;
        let mut store = |rows: Vec<Materialised>, model: &mut Model| {
            assert!(storage.store_materialised(&rows, step, step + 1).unwrap());
            step += 1;
            model.apply(&rows);
        };

        store(vec![kept.clone(), going.clone()], &mut model);
        let both = figures(&storage);
        let mut rejected = Materialised {
            new: false,
            ..kept.clone()
        };
        let row = rejected.row.as_mut().unwrap();
        row.response.review = ReviewState::Rejected;
        row.response.review_note = Some("bukan responden".to_string());
        store(vec![rejected], &mut model);
        let after_rejection = figures(&storage);
        let mut deleted = Materialised {
            new: false,
            ..going.clone()
        };
        deleted.row.as_mut().unwrap().response.deleted = true;
        store(vec![deleted], &mut model);
        let after_deletion = figures(&storage);
        assert_reports_agree(&storage, &model);
        store(
            vec![removal(kept.doc, "U-A"), removal(going.doc, "U-A")],
            &mut model,
        );

        assert_eq!(
            both,
            (2, 2, 2, 2),
            "two counted responses, each waiting and in conflict"
        );
        assert_eq!(
            after_rejection,
            (1, 1, 1, 1),
            "the rejected one left every figure"
        );
        assert_eq!(after_deletion, (0, 0, 0, 0), "and the deleted one too");
        assert_eq!(
            figures(&storage),
            after_deletion,
            "removing them changes nothing more"
        );
        let export = storage.export_rows(&u_a.code, &by_period).unwrap();
        assert!(
            export.is_empty(),
            "removed responses are no longer exported"
        );
        assert_reports_agree(&storage, &model);
    }

    /// Through inserts, replacements and removals in random order, a report by period alone
    /// (read from the running totals) equals the same report summed from the responses.
    pub(super) fn the_running_totals_always_equal_the_sum_of_the_responses<D: Database>() {
        let db = D::create();
        let storage = db.node();
        let mut model = three_units(&storage);
        let mut rng = Lcg(2026);
        let mut step = 1;
        for _ in 0..60 {
            let mut batch: Vec<Materialised> = Vec::new();
            let mut touched = BTreeSet::new();
            for _ in 0..10 {
                let held: Vec<(Uuid, String)> = model
                    .responses
                    .iter()
                    .filter(|(doc, _)| !touched.contains(*doc))
                    .map(|(doc, row)| (*doc, row.response.unit.clone()))
                    .collect();
                let choice = rng.below(10);
                let m = match choice {
                    0..=5 => random_batch(&mut rng, 1).remove(0),
                    _ if held.is_empty() => continue,
                    6..=8 => {
                        let (doc, unit) = rng.pick(&held);
                        Materialised {
                            new: false,
                            ..random_response(&mut rng, doc, &unit)
                        }
                    }
                    _ => {
                        let (doc, unit) = rng.pick(&held);
                        removal(doc, &unit)
                    }
                };
                touched.insert(m.doc);
                batch.push(m);
            }
            assert!(storage.store_materialised(&batch, step, step + 1).unwrap());
            step += 1;
            model.apply(&batch);
        }
        let counted = model.responses.values().filter(|r| counts(r)).count();
        assert!(
            counted > 100,
            "the walk left enough counted responses: {counted}"
        );
        let everything = Days::new(NaiveDate::from_ymd_opt(1970, 1, 2), None).unwrap();
        for period in [None, Some("2026-S1"), Some("2026-S2")] {
            let by_period = ReportFilter {
                period: period.map(str::to_string),
                ..ReportFilter::default()
            };
            let summed = ReportFilter {
                days: everything,
                ..by_period.clone()
            };
            let scope = UnitScope::default();
            let totals = storage.unit_tallies(&scope, &by_period).unwrap();
            assert_eq!(
                totals,
                storage.unit_tallies(&scope, &summed).unwrap(),
                "{period:?}"
            );
            assert_eq!(totals, model.unit_tallies(&scope, &by_period), "{period:?}");
        }
        assert_reports_agree(&storage, &model);
    }

    /// A step looks at `limit` changes, yet brings every change of the documents they touch,
    /// with the devices that wrote them (the server's own left out).
    pub(super) fn a_step_brings_every_change_of_the_documents_it_touches<D: Database>() {
        let db = D::create();
        let storage = db.node();
        let device = enrolled(&storage, "U-A");
        let docs = fake_changes(3, 5);
        storage
            .push(&device, Uuid::now_v7(), &docs, Utc::now())
            .unwrap();
        let decision = crate::model::IncomingChange {
            hash: [9; 32],
            creates: false,
            ..docs[0].clone()
        };
        storage
            .store_server_changes(&device.unit, std::slice::from_ref(&decision), Utc::now())
            .unwrap();
        let head = storage.freshness().unwrap().head;
        let sorted = |mut step: crate::materialise::Step| {
            step.documents.sort_by_key(|t| t.doc);
            step
        };

        let first = sorted(storage.changed_documents(0, 2).unwrap());
        let second = sorted(storage.changed_documents(first.to, 100).unwrap());
        let end = storage.changed_documents(second.to, 100).unwrap();

        assert_eq!(head, 4);
        let summary = |step: &crate::materialise::Step| -> Vec<(Uuid, usize, bool, Vec<String>)> {
            step.documents
                .iter()
                .map(|t| (t.doc, t.changes.len(), t.new, t.devices.clone()))
                .collect()
        };
        let me = vec![device.id.to_string()];
        let mut expected_first = vec![
            (docs[0].doc, 2, true, me.clone()),
            (docs[1].doc, 1, true, me.clone()),
        ];
        expected_first.sort();
        let mut expected_second = vec![
            (docs[0].doc, 2, false, me.clone()),
            (docs[2].doc, 1, true, me.clone()),
        ];
        expected_second.sort();
        assert_eq!(summary(&first), expected_first);
        assert_eq!(summary(&second), expected_second);
        assert_eq!((second.to, end.to), (head, head));
        assert!(end.documents.is_empty());
        let zero = first
            .documents
            .iter()
            .find(|t| t.doc == docs[0].doc)
            .unwrap();
        assert_eq!(zero.changes, [docs[0].bytes.clone(), decision.bytes]);
        assert!(first.documents.iter().all(|t| t.unit == "U-A"));
    }
}

macro_rules! contract {
    ($($test:ident),* $(,)?) => {
        mod sqlite {
            $(#[test]
            fn $test() {
                super::$test::<super::Sqlite>()
            })*
        }

        /// On the cluster `scripts/test` starts (see `postgres::testing`).
        mod postgres {
            $(#[test]
            fn $test() {
                super::$test::<super::Postgres>()
            })*
        }
    };
}

contract!(
    a_pull_over_only_its_own_changes_stops_after_a_bounded_scan_and_moves_the_cursor,
    a_pull_fills_its_payload_exactly_up_to_the_maximum,
    an_enrolment_code_for_a_unit_that_does_not_exist_is_refused,
    a_used_or_expired_code_is_refused,
    two_devices_racing_with_one_code_on_two_nodes_get_one_device,
    revoking_twice_keeps_the_first_time_and_an_unknown_device_is_an_error,
    a_revocation_on_another_node_shuts_the_device_out_at_once,
    a_document_of_one_unit_is_never_filed_or_known_under_another,
    an_edit_of_a_document_the_server_does_not_hold_is_refused_whole,
    a_code_for_another_unit_is_refused_and_stays_usable,
    a_retried_push_gets_its_first_answer_and_stores_nothing_twice,
    server_changes_are_pulled_by_the_units_devices_with_their_history,
    units_read_back_in_code_order_with_their_instansi_and_public_flag,
    a_sync_is_marked_at_most_every_few_minutes,
    the_log_has_one_identity_on_every_node_and_takes_a_write,
    a_renewed_identity_is_new_and_the_same_on_every_node,
    pulls_racing_pushes_on_several_nodes_miss_nothing_and_repeat_nothing,
    people_read_back_with_their_scope_and_a_wrong_unit_keeps_nothing,
    a_session_opened_on_one_node_holds_on_another_until_it_ends,
    failed_sign_ins_count_across_nodes_and_old_ones_are_forgotten,
    a_group_of_web_answers_stores_each_set_once_and_refuses_only_the_sets_at_fault,
    an_invitation_takes_one_answer_set_even_through_two_nodes_at_once,
    stored_responses_read_back_the_same_in_every_report,
    a_stale_watermark_stores_nothing_and_the_next_step_stores_all,
    a_rejected_or_deleted_response_leaves_the_totals,
    the_running_totals_always_equal_the_sum_of_the_responses,
    a_step_brings_every_change_of_the_documents_it_touches,
);
