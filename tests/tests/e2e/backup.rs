//! A server restored from last night's backup loses nothing its devices wrote: the responses
//! devices pushed after the backup come back at the devices' next sync, each once, and the
//! server and every device agree again, decisions taken before the backup included. A laptop
//! enrolled with another server (an office moving) takes along what the old one held.

use serde_json::Value;
use simpul_e2e::answers::sample_stack;
use simpul_e2e::fleet::assert_devices_bring_back_what_the_restore_lost;
use simpul_e2e::{Device, Server, UNIT};

/// The published sample stack (n = 29) with each serial's `K-` prefix replaced by `prefix`.
fn stack(prefix: &str) -> String {
    sample_stack().replace("\nK-", &format!("\n{prefix}"))
}

fn n(report: &Value) -> u64 {
    report["n"].as_u64().expect("a report's n")
}

#[test]
fn a_server_restored_from_a_backup_gets_back_from_its_devices_what_came_after_it() {
    let mut server = Server::start_on_sqlite();
    let a = Device::enrolled("laptop-a", &server, &server.url());
    let b = Device::enrolled("laptop-b", &server, &server.url());
    a.import_csv("first.csv", &stack("K-"));
    a.sync_ok();
    let rejected = a.responses()[0]["id"].as_str().unwrap().to_string();
    server
        .run(&[
            "review",
            &rejected,
            "--state",
            "rejected",
            "--note",
            "Lembar ganda",
            "--by",
            "Dewi",
        ])
        .ok();
    a.sync_ok();
    b.sync_ok();

    // Last night's backup, taken while the server runs.
    let backup = server.data_dir().with_file_name("malam.sqlite3");
    let out = backup.to_str().unwrap();
    let written = server.run(&["backup", "--out", out]).ok();
    assert!(written.stdout.contains("backup written"), "{written}");

    // Today: each laptop types another stack and sends it.
    b.import_csv("second.csv", &stack("L-"));
    b.sync_ok();
    a.import_csv("third.csv", &stack("M-"));
    a.sync_ok();
    let before = server.json(&["report", "--unit", UNIT]);
    assert_eq!(n(&before), 3 * 29 - 1, "{before}");
    let changes_before = server.change_count();

    // The disk fails. A restore over data is refused and changes nothing.
    let refused = server.run(&["restore-backup", "--from", out]).failed();
    assert!(refused.stderr.contains("already holds"), "{refused}");
    assert_eq!(n(&server.json(&["report", "--unit", UNIT])), 3 * 29 - 1);

    server.kill();
    let lost = server.data_dir().with_file_name("rusak");
    std::fs::rename(server.data_dir(), &lost).unwrap();
    let restored = server.run(&["restore-backup", "--from", out]).ok();
    assert!(restored.stdout.contains("restored from"), "{restored}");
    server.restart();
    assert_eq!(
        n(&server.json(&["report", "--unit", UNIT])),
        29 - 1,
        "the backup holds yesterday only"
    );

    // Both laptops sync as on any day: each notices the restore and offers everything again.
    assert_devices_bring_back_what_the_restore_lost(&server, &[&a, &b], &before, changes_before);
}

#[test]
fn a_laptop_enrolled_with_another_server_takes_all_its_work_along() {
    let old = Server::start();
    let laptop = Device::enrolled("laptop", &old, &old.url());
    laptop.import_csv("stack.csv", &stack("K-"));
    laptop.sync_ok();
    assert_eq!(n(&old.json(&["report", "--unit", UNIT])), 29);

    // The office moves to a new server; the laptop enrols there. What the old server
    // acknowledged must reach the new one too.
    let new = Server::start();
    laptop.enrol(&new.url(), &new.enrolment_code()).ok();
    let synced = laptop.sync_ok();
    assert!(
        synced["offered_again"].as_u64().unwrap_or(0) > 0,
        "{synced}"
    );
    new.wait_until_materialised(std::time::Duration::from_secs(30));
    let report = new.json(&["report", "--unit", UNIT]);
    assert_eq!(report, old.json(&["report", "--unit", UNIT]));
    assert_eq!(laptop.json(&["report"]), report);
}
