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
    ChangeLog, Links, NewDevice, NewPerson, People, PostgresStorage, SqliteStorage, WebAnswer,
    WebStored,
};
use crate::Error;
use crate::links::{LinkToken, NewLink};
use crate::model::{Device, DeviceId, IncomingChange, Name, PeriodCode, Unit, UnitCode};
use crate::people::{Role, Scope};
use crate::secret::{DeviceToken, EnrolmentCode, SecretHash};
use crate::web_answer::{Target, WebAnswerBody, prepare};

/// A fresh, empty database of one backend, on which nodes are opened.
trait Database: Sync {
    type Node: ChangeLog + People + Links + 'static;

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
    pulls_racing_pushes_on_several_nodes_miss_nothing_and_repeat_nothing,
    people_read_back_with_their_scope_and_a_wrong_unit_keeps_nothing,
    a_session_opened_on_one_node_holds_on_another_until_it_ends,
    failed_sign_ins_count_across_nodes_and_old_ones_are_forgotten,
    a_group_of_web_answers_stores_each_set_once_and_refuses_only_the_sets_at_fault,
    an_invitation_takes_one_answer_set_even_through_two_nodes_at_once,
);
