//! Devices as a group: syncing at once, the check that ends every fault test — every device
//! and the server hold each response exactly once — and the one that ends every restore.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::Rng;
use crate::answers::{random_answers, set_args};
use crate::harness::COMMAND_DEADLINE;
use crate::snapshot::text;
use crate::{
    Device, LinkProfile, Proxy, Running, Server, Snapshot, Tables, UNIT, assert_converged,
    assert_holds_exactly, assert_no_duplicates, assert_tables_equal,
};

/// Every device syncs at once, each to the end, giving up after `patience` failures in a row.
pub fn sync_together(devices: &[&Device], patience: &str) {
    finish_syncs(start_syncs(devices, patience));
}

/// Every device starts a sync in the background, giving up after `patience` failures in a
/// row.
pub fn start_syncs(devices: &[&Device], patience: &str) -> Vec<Running> {
    devices
        .iter()
        .map(|d| d.spawn(&["sync", "--max-failures", patience, "--format", "json"]))
        .collect()
}

/// Waits for every sync to end, each of which must succeed; what each printed, as JSON.
#[track_caller]
pub fn finish_syncs(running: Vec<Running>) -> Vec<Value> {
    running
        .into_iter()
        .map(|sync| sync.finish(COMMAND_DEADLINE).ok().json())
        .collect()
}

/// Every device holds exactly `expected`, once each, as does a device enrolled afterwards
/// straight with the server (so, the server too), and the server holds each change once.
#[track_caller]
pub fn assert_nothing_lost_or_doubled(
    server: &Server,
    devices: &[&Device],
    expected: &BTreeSet<String>,
) -> Snapshot {
    let observer = Device::enrolled("observer", server, &server.url());
    observer.sync_ok();
    let everyone: Vec<&Device> = devices.iter().copied().chain([&observer]).collect();
    let mut snapshots: Vec<Snapshot> = everyone.iter().map(|d| d.snapshot()).collect();
    assert_converged(&snapshots);
    for snapshot in &snapshots {
        assert_holds_exactly(snapshot, expected);
        assert_no_duplicates(snapshot);
    }
    let changes = server.change_count();
    for device in everyone {
        assert_eq!(
            device.change_count(),
            changes,
            "{} vs the server",
            device.name
        );
        let status = device.status();
        assert_eq!(status["pending_changes"], 0, "{}: {status}", device.name);
    }
    snapshots.swap_remove(0)
}

/// The ids of every row an `import-csv --format json` stored or found.
pub fn imported_ids(imported: &Value) -> Vec<String> {
    let rows = imported["rows"].as_array().expect("rows");
    assert!(rows.iter().all(|row| row["error"].is_null()), "{imported}");
    rows.iter().map(|row| text(&row["id"])).collect()
}

/// One interview captured with random answers; its response id.
pub fn capture_interview(device: &Device, rng: &mut Rng) -> String {
    let mut args = vec!["capture".to_string()];
    args.extend(set_args(&random_answers(rng), false));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    text(&device.json(&args)["id"])
}

/// After a server was restored: each device syncs as on any day, notices the new change log
/// and offers everything again (once only: the next sync offers nothing), after which the
/// server holds the report `before` and `changes_before` changes again, and its tables and
/// every device's report agree with the devices.
#[track_caller]
pub fn assert_devices_bring_back_what_the_restore_lost(
    server: &Server,
    devices: &[&Device],
    before: &Value,
    changes_before: u64,
) {
    for device in devices {
        let synced = device.sync_ok();
        assert!(
            synced["offered_again"].as_u64().unwrap_or(0) > 0,
            "{}: {synced}",
            device.name
        );
    }
    for device in devices {
        let synced = device.sync_ok();
        assert_eq!(synced["offered_again"], Value::Null, "{synced}");
    }

    server.wait_until_materialised(std::time::Duration::from_secs(30));
    let after = server.json(&["report", "--unit", UNIT]);
    assert_eq!(&after, before, "every response back, once");
    assert_eq!(server.change_count(), changes_before, "each change once");
    let device_tables: Vec<Tables> = devices.iter().map(|d| d.tables()).collect();
    assert_tables_equal(&server.tables(UNIT), &device_tables);
    for device in devices {
        assert_eq!(device.json(&["report"]), after, "{}", device.name);
    }
}

/// A district office as the relay's tests and benchmark set it up: an upstream server that
/// knows `units` (the first of them is [`UNIT`](crate::UNIT), which every server starts
/// with), the office's link to it (a proxy, clean until a test changes it) and the office's
/// relay behind that link, enrolled with one relay code for all the units.
pub struct Office {
    pub upstream: Server,
    pub link: Proxy,
    pub relay: Server,
}

impl Office {
    pub fn set_up(units: &[&str], seed: u64) -> Office {
        let upstream = Server::start();
        for unit in &units[1..] {
            upstream.admin(&["unit", "add", unit, "--name", unit]).ok();
        }
        let code = upstream
            .admin(&["enrol-code", "--relay", "--units", &units.join(",")])
            .ok()
            .last_line()
            .to_string();
        let link = Proxy::start(upstream.addr(), LinkProfile::clean(), seed).expect("a proxy");
        let relay = Server::relay(&link.url(), &code);
        Office {
            upstream,
            link,
            relay,
        }
    }
}
