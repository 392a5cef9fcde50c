//! The server reads what devices send: after a sync its report and its conflicts are the
//! devices' own, computed by the same code from the same documents.

use serde_json::Value;
use simpul_e2e::answers::sample_with;
use simpul_e2e::{Device, PERIOD, Server, UNIT};

#[test]
fn after_sync_the_servers_report_and_conflicts_are_every_devices() {
    let server = Server::start();
    let a = Device::enrolled("laptop-a", &server, &server.url());
    let b = Device::enrolled("laptop-b", &server, &server.url());

    // The same stack typed on two laptops; on the second, two cells read otherwise.
    a.import_csv("stack.csv", &sample_with(&[]));
    b.import_csv(
        "stack.csv",
        &sample_with(&[("K-003", "U2", "1"), ("K-010", "U5", "1")]),
    );
    for device in [&a, &b, &a] {
        device.sync_ok();
    }

    let on_server = server.json(&["report", "--unit", UNIT]);
    assert_eq!(on_server["n"], 29, "{on_server}");
    for device in [&a, &b] {
        assert_eq!(device.json(&["report"]), on_server, "{}", device.name);
    }
    let template = server.json(&["report", "--unit", UNIT, "--weight", "template"]);
    assert_eq!(template, a.json(&["report", "--weight", "template"]));

    let conflicts = server.json(&["conflicts", "--unit", UNIT]);
    let fields: Vec<(Value, Value)> = conflicts
        .as_array()
        .expect("a list")
        .iter()
        .map(|c| (c["serial"].clone(), c["field"].clone()))
        .collect();
    assert_eq!(
        fields,
        [
            (Value::from("K-003"), Value::from("U2")),
            (Value::from("K-010"), Value::from("U5"))
        ]
    );
    assert_eq!(a.json(&["conflicts"]), conflicts);
    assert_eq!(b.json(&["conflicts"]), conflicts);

    // A supervisor settles K-003 on the server and rejects K-010, then both laptops sync.
    let response = |serial: &str| -> String {
        let found = conflicts
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["serial"] == serial)
            .expect("the serial is in conflict");
        found["response"].as_str().unwrap().to_string()
    };
    let (k003, k010) = (response("K-003"), response("K-010"));
    server
        .run(&["resolve", &k003, "U2", "1", "--by", "Dewi (pengawas)"])
        .ok();
    let unnoted = server.run(&["review", &k010, "--state", "rejected", "--by", "Dewi"]);
    assert!(
        !unnoted.status.success(),
        "a rejection without a note: {unnoted}"
    );
    server
        .run(&[
            "review",
            &k010,
            "--state",
            "rejected",
            "--note",
            "lembar rusak",
            "--by",
            "Dewi (pengawas)",
        ])
        .ok();
    for device in [&a, &b] {
        device.sync_ok();
    }

    // The history of K-003 names both typings' laptops and the supervisor's choice.
    let history = server.json(&["history", &k003]);
    let entries = history.as_array().expect("a list");
    let from: Vec<&str> = entries
        .iter()
        .map(|e| e["from"].as_str().unwrap())
        .collect();
    assert!(
        from.contains(&"laptop-a") && from.contains(&"laptop-b"),
        "{history}"
    );
    let last = entries.last().unwrap();
    assert_eq!(
        (&last["by"], &last["from"]),
        (&Value::from("Dewi (pengawas)"), &Value::from("server"))
    );
    assert_eq!(last["wrote"], serde_json::json!([["q.U2", "1"]]));

    let decided = server.json(&["report", "--unit", UNIT]);
    assert_eq!(
        decided["n"], 28,
        "the rejected sheet left the IKM: {decided}"
    );
    assert_ne!(decided["ikm"], on_server["ikm"]);
    let left = server.json(&["conflicts", "--unit", UNIT]);
    let left_fields: Vec<&Value> = left
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["serial"])
        .collect();
    assert_eq!(left_fields, [&Value::from("K-010")], "{left}");
    for device in [&a, &b] {
        assert_eq!(device.json(&["report"]), decided, "{}", device.name);
        assert_eq!(device.json(&["conflicts"]), left, "{}", device.name);
        let shown = device.json(&["show", &k010]);
        assert_eq!(shown["review"], "rejected", "{shown}");
        assert_eq!(shown["review_note"], "lembar rusak", "{shown}");
        assert_eq!(
            device
                .json(&["list", "--state", "rejected"])
                .as_array()
                .unwrap()
                .len(),
            1
        );
    }
}

#[test]
fn the_server_never_mixes_units_in_reports_or_conflicts() {
    let server = Server::start();
    server
        .admin(&["unit", "add", "U-OTHER", "--name", "Unit lain"])
        .ok();
    let a = Device::enrolled("laptop-a", &server, &server.url());
    a.import_csv("stack.csv", &sample_with(&[]));
    a.sync_ok();

    let other = server.json(&["report", "--unit", "U-OTHER"]);
    assert_eq!(other["n"], 0, "{other}");
    let conflicts = server.json(&["conflicts", "--unit", "U-OTHER"]);
    assert_eq!(conflicts, Value::Array(vec![]));
    assert_eq!(server.json(&["report", "--unit", UNIT])["n"], 29);
}

#[test]
fn the_servers_report_across_units_and_its_export_agree_with_the_devices() {
    let server = Server::start();
    server
        .admin(&[
            "unit",
            "set",
            UNIT,
            "--period",
            PERIOD,
            "--population",
            "100",
            "--instansi",
            "Kab. Contoh",
        ])
        .ok();
    server
        .admin(&[
            "unit",
            "add",
            "U-OTHER",
            "--name",
            "Unit lain",
            "--period",
            PERIOD,
            "--instansi",
            "Kota Lain",
        ])
        .ok();
    let a = Device::enrolled("laptop-a", &server, &server.url());
    a.import_csv("stack.csv", &sample_with(&[]));
    a.sync_ok();

    let across = server.json(&["report"]);
    let on_device = a.json(&["report"]);
    let row = &across["units"][0];
    assert_eq!(row["unit"], UNIT, "{across}");
    assert_eq!(row["instansi"], "Kab. Contoh");
    assert_eq!(
        (&row["n"], &row["ikm"]),
        (&on_device["n"], &on_device["ikm"])
    );
    assert_eq!(
        (&row["target"], &row["target_met"]),
        (&Value::from(80), &Value::from(false))
    );
    assert_eq!(row["devices"], 1);
    assert_eq!(across["units"][1]["n"], 0, "U-OTHER");
    assert_eq!(across["pooled"]["label"], "gabungan");
    assert_eq!(across["pooled"]["ikm"], on_device["ikm"]);

    // The server's export has the device's columns, then the review.
    let device_csv = a.path("device.csv");
    a.run(&["export", "csv", "--out", device_csv.to_str().unwrap()])
        .ok();
    let server_csv = a.path("server.csv");
    server
        .run(&[
            "export",
            "csv",
            "--unit",
            UNIT,
            "--out",
            server_csv.to_str().unwrap(),
        ])
        .ok();
    let header = |path: &std::path::Path| -> Vec<String> {
        let text = std::fs::read_to_string(path).expect("the export");
        let first = text.lines().next().expect("a header").to_string();
        first.split(',').map(str::to_string).collect()
    };
    let (device, on_server) = (header(&device_csv), header(&server_csv));
    assert_eq!(on_server[..device.len()], device[..]);
    assert_eq!(on_server[device.len()..], ["review", "review_note"]);
    let rows = |path: &std::path::Path| std::fs::read_to_string(path).unwrap().lines().count();
    assert_eq!(rows(&server_csv), rows(&device_csv));
}
