//! A PostgreSQL database restored from last night's `pg_dump` loses nothing its devices wrote:
//! after `pg_restore` and `admin mark-restored`, devices notice the new change log at their
//! next sync and send again what the dump lacks, each change once. Without `mark-restored`
//! the server would keep the old identity and devices would not know to send anything.

use serde_json::Value;
use simpul_e2e::answers::sample_stack;
use simpul_e2e::fleet::assert_devices_bring_back_what_the_restore_lost;
use simpul_e2e::{Device, Server, UNIT};

fn n(report: &Value) -> u64 {
    report["n"].as_u64().expect("a report's n")
}

/// The sample stack with its serials' `K-` prefix replaced by `prefix`.
fn stack(prefix: &str) -> String {
    sample_stack().replace("\nK-", &format!("\n{prefix}"))
}

#[test]
fn a_database_restored_from_pg_dump_gets_back_from_its_devices_what_came_after_it() {
    let mut server = Server::start_on_postgres();
    let a = Device::enrolled("laptop-a", &server, &server.url());
    let b = Device::enrolled("laptop-b", &server, &server.url());
    a.import_csv("first.csv", &stack("K-"));
    a.sync_ok();
    b.sync_ok();

    // Last night's dump, taken while the server runs.
    let dump = server.scratch("malam.dump");
    server.postgres().dump(&dump);

    // Today: each laptop types another stack and sends it.
    b.import_csv("second.csv", &stack("L-"));
    b.sync_ok();
    a.import_csv("third.csv", &stack("M-"));
    a.sync_ok();
    server.wait_until_materialised(std::time::Duration::from_secs(30));
    let before = server.json(&["report", "--unit", UNIT]);
    assert_eq!(n(&before), 3 * 29, "{before}");
    let changes_before = server.change_count();

    // The database server's disk fails: restore last night's dump and give it a new identity
    // before serving again.
    server.kill();
    server.postgres().restore(&dump);
    let marked = server.admin(&["mark-restored"]).ok();
    assert!(marked.stdout.contains("send again"), "{marked}");
    server.restart();
    assert_eq!(
        n(&server.json(&["report", "--unit", UNIT])),
        29,
        "the dump holds yesterday only"
    );

    assert_devices_bring_back_what_the_restore_lost(&server, &[&a, &b], &before, changes_before);
}
