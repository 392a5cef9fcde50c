//! Bundles and sync together: the same changes arriving by file and over the network.

use std::collections::BTreeSet;

use serde_json::Value;
use simpul_e2e::answers::{csv, random_answers, random_sheets, set_args};
use simpul_e2e::harness::path_str;
use simpul_e2e::snapshot::text;
use simpul_e2e::{
    Device, Rng, Server, assert_converged, assert_holds_exactly, assert_no_duplicates,
};

/// Ids of the rows an `import-csv --format json` created.
fn created_ids(imported: &Value) -> Vec<String> {
    imported["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .filter(|row| row["outcome"] == "created")
        .map(|row| text(&row["id"]))
        .collect()
}

fn capture(device: &Device, rng: &mut Rng) -> String {
    let mut args = vec!["capture".to_string()];
    args.extend(set_args(&random_answers(rng), false));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    text(&device.json(&args)["id"])
}

#[test]
fn a_bundle_exported_by_one_device_imported_by_another_and_then_synced_creates_nothing_twice() {
    let mut rng = Rng::new(5);
    let server = Server::start();
    let a = Device::enrolled("tablet-a", &server, &server.url());
    let b = Device::enrolled("laptop-b", &server, &server.url());
    let c = Device::enrolled("laptop-c", &server, &server.url());
    // Set up as in the field: each device syncs once and gets its unit's settings.
    for device in [&a, &b, &c] {
        device.sync_ok();
    }

    // A types a stack of paper questionnaires and takes three interviews, edits one and
    // deletes another, all offline.
    let imported = a.import_csv("stack.csv", &csv(&random_sheets(&mut rng, "K", 30)));
    let mut expected: BTreeSet<String> = created_ids(&imported).into_iter().collect();
    let interviews: Vec<String> = (0..3).map(|_| capture(&a, &mut rng)).collect();
    a.run(&[
        "edit",
        &interviews[0],
        "--set",
        "U1=1",
        "--set",
        "saran=lebih cepat",
    ])
    .ok();
    a.run(&["delete", &interviews[1]]).ok();
    expected.extend(interviews);
    assert_eq!(expected.len(), 33);

    // The bundle goes to B by USB stick; B adds an interview of its own and syncs first.
    let bundle = a.path("a.simpul");
    let exported = a.json(&["bundle", "export", "--out", path_str(&bundle)]);
    let received = b.json(&["bundle", "import", path_str(&bundle)]);
    assert_eq!(received["created"].as_array().unwrap().len(), 33);
    // Everything but the unit's settings, which B already had from the server.
    let exported_changes = exported["changes"].as_u64().unwrap();
    assert_eq!(received["new_changes"], exported_changes - 1, "{received}");
    assert_eq!(received["duplicates"], 1, "{received}");
    expected.insert(capture(&b, &mut rng));
    b.sync_ok();
    // A then syncs the same changes itself and gets them back from B: none is new to it.
    let a_synced = a.sync_ok();
    let c_synced = c.sync_ok();
    for device in [&a, &b, &c] {
        device.sync_ok();
    }

    assert_eq!(
        a_synced["created"], 1,
        "only B's interview is new to A: {a_synced}"
    );
    assert_eq!(a_synced["updated"], 0, "{a_synced}");
    assert_eq!(c_synced["created"], 34, "{c_synced}");
    let snapshots: Vec<_> = [&a, &b, &c].iter().map(|d| d.snapshot()).collect();
    assert_converged(&snapshots);
    for snapshot in &snapshots {
        assert_holds_exactly(snapshot, &expected);
        assert_no_duplicates(snapshot);
        assert_eq!(
            snapshot.conflicts,
            Value::Array(vec![]),
            "{}",
            snapshot.device
        );
    }
    let changes = a.change_count();
    assert_eq!(server.change_count(), changes);
    for device in [&b, &c] {
        assert_eq!(device.change_count(), changes, "{}", device.name);
        assert_eq!(device.status()["pending_changes"], 0, "{}", device.name);
    }
    // The bundle arriving again after the sync brings nothing new either.
    let again = c.json(&["bundle", "import", path_str(&bundle)]);
    assert_eq!(again["new_changes"], 0, "{again}");
    assert_eq!(again["created"], Value::Array(vec![]), "{again}");
}
