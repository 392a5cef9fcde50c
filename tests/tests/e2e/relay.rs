//! A district office's week: three units, six tablets syncing every day with the relay on
//! the office laptop, and an upstream that cannot be reached until the weekend, when one
//! session over a slow link carries the week up. Afterwards the upstream holds every response
//! once, each tablet holds its own unit's responses only, a supervisor's decision upstream
//! comes down to the tablets through the relay, work carried in by USB stick (a bundle taken
//! in by one of the office's tablets) goes up like the rest, and a tablet re-enrolled
//! straight with the upstream holds nothing twice.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use serde_json::Value;
use simpul_e2e::answers::{csv, random_sheets};
use simpul_e2e::fleet::{Office, capture_interview, imported_ids};
use simpul_e2e::harness::path_str;
use simpul_e2e::snapshot::text;
use simpul_e2e::{
    Device, LinkProfile, Rng, Server, UNIT, assert_holds_exactly, assert_no_duplicates,
};

const UNITS: [&str; 3] = [UNIT, "U-DINKES", "U-DPMPTSP"];
const DAYS: usize = 5;

/// `simpul-server status --format json` of the relay, per unit.
fn relay_status(relay: &Server) -> BTreeMap<String, Value> {
    let status = relay.run(&["status", "--format", "json"]).ok().json();
    status["units"]
        .as_array()
        .expect("units")
        .iter()
        .map(|unit| (text(&unit["unit"]), unit.clone()))
        .collect()
}

/// Waits until the relay has nothing waiting to go up and reached the upstream without error.
#[track_caller]
fn wait_until_forwarded(relay: &Server, within: Duration) -> BTreeMap<String, Value> {
    let deadline = Instant::now() + within;
    loop {
        let status = relay_status(relay);
        let done = status
            .values()
            .all(|unit| unit["waiting"] == 0 && unit["last_error"].is_null());
        if done {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "the relay has not forwarded everything within {within:?}: {status:?}\n{}",
            relay.log()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn a_weeks_work_through_a_relay_reaches_the_upstream_once_and_each_tablet_keeps_its_unit() {
    let mut rng = Rng::new(61);
    // The office's link is good on the day the relay is set up.
    let Office {
        upstream,
        link,
        relay,
    } = Office::set_up(&UNITS, 61);

    let tablets: Vec<(&str, Device)> = UNITS
        .iter()
        .flat_map(|unit| [(*unit, 'a'), (*unit, 'b')])
        .map(|(unit, which)| {
            let tablet = Device::in_unit(unit, &format!("{unit}-{which}"));
            tablet
                .enrol(&relay.url(), &relay.enrolment_code_for(unit))
                .ok();
            (unit, tablet)
        })
        .collect();

    // A week without the upstream: every connection to it is cut.
    link.set_profile(LinkProfile {
        cut_probability: 1.0,
        ..LinkProfile::clean()
    });
    let mut expected: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    // An enumerator out in the villages, out of reach of the office's network too, sends her
    // work in on a USB stick: a bundle, which a tablet of the office takes in and syncs.
    let field = Device::in_unit(UNIT, "lapangan");
    let stack = random_sheets(&mut rng, "LAP-", 10);
    expected
        .entry(UNIT)
        .or_default()
        .extend(imported_ids(&field.import_csv("desa.csv", &csv(&stack))));
    let bundle = field.path("lapangan.simpul");
    field.json(&["bundle", "export", "--out", path_str(&bundle)]);
    tablets[0].1.json(&["bundle", "import", path_str(&bundle)]);
    for day in 0..DAYS {
        for (i, (unit, tablet)) in tablets.iter().enumerate() {
            let stack = random_sheets(&mut rng, &format!("H{day}T{i}-"), 8);
            let ids = imported_ids(&tablet.import_csv("stack.csv", &csv(&stack)));
            let entry = expected.entry(unit).or_default();
            entry.extend(ids);
            entry.insert(capture_interview(tablet, &mut rng));
            tablet.sync_ok();
        }
    }
    let offline = relay_status(&relay);
    for unit in UNITS {
        let waiting = offline[unit]["waiting"].as_u64().unwrap();
        assert!(waiting >= 2 * DAYS as u64 * 9, "{unit}: {offline:?}");
        assert!(
            !offline[unit]["last_error"].is_null(),
            "{unit}: {offline:?}"
        );
    }
    assert_eq!(
        upstream.change_count(),
        3,
        "only the units' configurations upstream"
    );

    // The weekend: one session over a slow link carries the week up.
    link.set_profile(LinkProfile {
        bytes_per_sec: Some(64 * 1024),
        latency: Duration::from_millis(100),
        ..LinkProfile::clean()
    });
    let status = wait_until_forwarded(&relay, Duration::from_secs(120));
    assert!(
        status.values().all(|unit| !unit["last_contact"].is_null()),
        "{status:?}"
    );
    let stats = link.stats();
    println!("the weekend session: {stats:?}");

    // Upstream: every response once, unit by unit, as a tablet enrolled there sees it.
    let mut observers = BTreeMap::new();
    for unit in UNITS {
        let observer = Device::in_unit(unit, &format!("{unit}-observer"));
        observer
            .enrol(&upstream.url(), &upstream.enrolment_code_for(unit))
            .ok();
        observer.sync_ok();
        let snapshot = observer.snapshot();
        assert_holds_exactly(&snapshot, &expected[unit]);
        assert_no_duplicates(&snapshot);
        observers.insert(unit, observer);
    }
    let responses: usize = expected.values().map(BTreeSet::len).sum();
    assert_eq!(
        upstream.change_count(),
        responses as u64 + 3,
        "each change once upstream"
    );

    // A supervisor upstream deletes a response of the first unit; the decision comes down
    // through the relay to that unit's tablets, which keep the response marked deleted.
    let deleted = expected[UNIT].iter().next().unwrap().clone();
    upstream.run(&["delete", &deleted, "--by", "Dewi"]).ok();
    let deadline = Instant::now() + Duration::from_secs(60);
    for (unit, tablet) in &tablets {
        loop {
            tablet.sync_ok();
            if *unit != UNIT || tablet.tables().get(&deleted, "deleted") == 1 {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "the deletion did not come down within a minute:\n{}",
                relay.log()
            );
            std::thread::sleep(Duration::from_millis(500));
        }
        let snapshot = tablet.snapshot();
        assert_holds_exactly(&snapshot, &expected[unit]);
        assert_no_duplicates(&snapshot);
    }

    // A tablet of the first unit moves to the upstream: it offers its work again, which
    // stores nothing new, and ends holding what the upstream holds, once.
    // The enumerator comes back to the office and enrols her own tablet with the relay:
    // what her bundle carried is already everywhere, and nothing is stored twice.
    let changes = upstream.change_count();
    field
        .enrol(&relay.url(), &relay.enrolment_code_for(UNIT))
        .ok();
    field.sync_ok();
    wait_until_forwarded(&relay, Duration::from_secs(60));
    assert_eq!(
        upstream.change_count(),
        changes,
        "the bundle's work once upstream"
    );
    let snapshot = field.snapshot();
    assert_holds_exactly(&snapshot, &expected[UNIT]);
    assert_no_duplicates(&snapshot);

    let (unit, moved) = &tablets[0];
    let changes = upstream.change_count();
    moved
        .enrol(&upstream.url(), &upstream.enrolment_code_for(unit))
        .ok();
    let synced = moved.sync_ok();
    assert!(
        synced["offered_again"].as_u64().unwrap_or(0) > 0,
        "{synced}"
    );
    assert_eq!(upstream.change_count(), changes, "nothing stored twice");
    let snapshot = moved.snapshot();
    assert_holds_exactly(&snapshot, &expected[unit]);
    assert_no_duplicates(&snapshot);
    observers[unit].sync_ok();
    assert_eq!(moved.change_count(), observers[unit].change_count());
}
