//! Reports across units, filters and exports, on hand-computed data pushed by real devices
//! over HTTP and read back through the storage and the real `simpul-server` binary.
//!
//! The data set (period 2026-S2 unless said):
//!
//! | unit | instansi   | population → target | counted responses (all nine unsur alike) |
//! |------|------------|---------------------|-------------------------------------------|
//! | U-A  | Kab. Alpha | 100 → 80            | 4 by ani on 1 March, 3 by budi on 5 March |
//! | U-B  | Kab. Alpha | 10 → 10             | 2 by ani                                  |
//! | U-C  | Kota Beta  | none                | none                                      |
//!
//! U-A also holds a response rejected on review (all 1), a draft (all 1) and one of
//! 2026-S1 (all 1), none of which counts: U-A's IKM is (4 + 3) / 2 × 25 = 87,5 (B); U-B's
//! 2 × 25 = 50 (D); Kab. Alpha pooled (4 + 3 + 2) / 3 × 25 = 75 (C), and so is everything.

use std::path::Path;
use std::process::{Command, Output};

use chrono::{DateTime, Local, TimeZone, Utc};
use serde_json::Value;
use simpul_document::review::ReviewState;
use simpul_server::admin;
use simpul_server::decide::{self, Decider};
use simpul_server::materialise;
use simpul_server::model::{Name, UnitCode};
use simpul_server::report::{
    Days, ReportFilter, UnitScope, cross_unit_report, parse_day, unit_report,
};
use simpul_server::unit_document::UnitSettings;
use simpul_survey::{Grade, Weighting};
use uuid::Uuid;

use crate::helpers::{Sheet, SyncRequest, TestApp, admin_command, spawn_app};

/// 10:00 on a day of March 2026, on this machine's clock.
fn march(day: u32) -> DateTime<Utc> {
    Local
        .with_ymd_and_hms(2026, 3, day, 10, 0, 0)
        .unwrap()
        .with_timezone(&Utc)
}

fn add_unit(app: &TestApp, code: &str, instansi: &str, population: Option<u64>) {
    let settings = UnitSettings {
        period: Some(simpul_server::model::PeriodCode::parse("2026-S2").unwrap()),
        population,
        ..UnitSettings::default()
    };
    admin::add_unit_in(
        app.storage.as_ref(),
        code,
        &format!("Unit {code}"),
        Some(instansi),
        settings,
        Utc::now(),
    )
    .unwrap();
}

/// What the data set's responses are called by the tests.
struct Fixture {
    app: TestApp,
    rejected: Uuid,
    /// U-A's conflict and U-B's.
    disputed_a: Uuid,
    disputed_b: Uuid,
}

async fn push(
    app: &TestApp,
    device: &crate::helpers::TestDevice,
    entries: &[simpul_protocol::Entry],
) {
    let reply = app
        .sync(device, SyncRequest::new().push(entries))
        .await
        .ok();
    assert_eq!(reply.stored as usize, entries.len());
}

async fn fixture() -> Fixture {
    let app = spawn_app().await;
    add_unit(&app, "U-A", "Kab. Alpha", Some(100));
    add_unit(&app, "U-B", "Kab. Alpha", Some(10));
    add_unit(&app, "U-C", "Kota Beta", None);
    let a1 = app.device("U-A", "tablet-a1").await;
    let a2 = app.device("U-A", "tablet-a2").await;
    let b1 = app.device("U-B", "tablet-b1").await;
    let b2 = app.device("U-B", "tablet-b2").await;

    let first = Sheet {
        at: march(1),
        saran: Some("=HYPERLINK(\"http://x.invalid\",\"klik\")"),
        ..Sheet::new("U-A", 4)
    };
    let second = Sheet {
        by: "budi",
        at: march(5),
        ..Sheet::new("U-A", 3)
    };
    for sheet in [first, second] {
        push(&app, &a1, &sheet.entries().1).await;
    }
    let (rejected, entries) = Sheet::new("U-A", 1).entries();
    push(&app, &a2, &entries).await;
    let draft = Sheet {
        status: "draft",
        ..Sheet::new("U-A", 1)
    };
    let earlier = Sheet {
        period: "2026-S1",
        ..Sheet::new("U-A", 1)
    };
    for sheet in [draft, earlier] {
        push(&app, &a2, &sheet.entries().1).await;
    }
    // Two typings of a sheet that disagree on U1, in each unit: drafts, so the IKM is
    // untouched. (Each differs from the sheet's 2: writing the value a field already holds
    // writes nothing.)
    let typed = |unit| Sheet {
        status: "draft",
        ..Sheet::new(unit, 2)
    };
    let (disputed_a, one, other) = typed("U-A").disputed("U1", 1, 3);
    push(&app, &a1, &one).await;
    push(&app, &a2, &other).await;
    let (disputed_b, one, other) = typed("U-B").disputed("U1", 3, 4);
    push(&app, &b1, &one).await;
    push(&app, &b2, &other).await;
    push(&app, &b1, &Sheet::new("U-B", 2).entries().1).await;

    materialise::catch_up(app.storage.as_ref()).unwrap();
    let supervisor = Decider {
        by: Name::parse("person", "Bu Sari").unwrap(),
        at: Utc::now(),
    };
    decide::review(
        app.storage.as_ref(),
        rejected,
        ReviewState::Rejected,
        Some("=isian ganda"),
        &supervisor,
    )
    .unwrap();
    materialise::catch_up(app.storage.as_ref()).unwrap();
    Fixture {
        app,
        rejected,
        disputed_a,
        disputed_b,
    }
}

fn simpul_server(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_simpul-server"))
        .args(args)
        .arg("--data")
        .arg(data)
        .env_remove("SIMPUL_DATA")
        .output()
        .unwrap()
}

fn json(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn failed(output: &Output) -> String {
    assert!(!output.status.success(), "it succeeded");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn close(value: &Value, expected: f64) -> bool {
    value.as_f64().is_some_and(|v| (v - expected).abs() < 1e-9)
}

#[tokio::test]
async fn the_report_across_units_lists_each_unit_and_pools_them() {
    let started = Utc::now();
    let f = fixture().await;
    let report = cross_unit_report(
        f.app.storage.as_ref(),
        &UnitScope::default(),
        &ReportFilter::default(),
        Weighting::Exact,
    )
    .unwrap();

    let units: Vec<&str> = report.units.iter().map(|u| u.unit.as_str()).collect();
    assert_eq!(units, ["U-A", "U-B", "U-C"]);
    let [a, b, c] = &report.units[..] else {
        unreachable!()
    };
    assert_eq!((a.n, a.ikm, a.grade), (2, Some(87.5), Some(Grade::B)));
    assert_eq!((a.target, a.target_met), (Some(80), Some(false)));
    assert_eq!(a.devices, 2, "both of U-A's tablets sent 2026-S2 responses");
    assert!(a.last_received.unwrap() >= started - chrono::TimeDelta::seconds(1));
    assert_eq!((b.n, b.ikm, b.grade), (1, Some(50.0), Some(Grade::D)));
    assert_eq!((b.target, b.devices), (Some(10), 2));
    assert_eq!((c.n, c.ikm, c.grade, c.target), (0, None, None, None));
    assert_eq!(c.period.as_deref(), Some("2026-S2"));

    assert_eq!(report.pooled.label, "gabungan");
    assert_eq!(
        (report.pooled.n, report.pooled.ikm, report.pooled.units),
        (3, Some(75.0), 3)
    );
    let groups: Vec<(Option<&str>, u64, Option<f64>)> = report
        .instansi
        .iter()
        .map(|g| (g.instansi.as_deref(), g.pooled.n, g.pooled.ikm))
        .collect();
    assert_eq!(
        groups,
        [
            (Some("Kab. Alpha"), 3, Some(75.0)),
            (Some("Kota Beta"), 0, None)
        ]
    );

    // Each row is what the unit's own report says.
    for line in &report.units {
        let unit = UnitCode::parse(&line.unit).unwrap();
        let filter = ReportFilter {
            period: line.period.clone(),
            ..ReportFilter::default()
        };
        let own = unit_report(f.app.storage.as_ref(), &unit, &filter, Weighting::Exact).unwrap();
        assert_eq!((own.n, own.ikm), (line.n, line.ikm), "{}", line.unit);
    }
}

#[tokio::test]
async fn the_command_prints_the_report_across_units_as_json_and_as_text() {
    let f = fixture().await;
    let data = f.app.storage_dir();
    let all = json(&simpul_server(&data, &["report", "--format", "json"]));
    let rows = all["units"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    for key in [
        "unit",
        "name",
        "instansi",
        "period",
        "n",
        "ikm",
        "grade",
        "target",
        "target_met",
        "last_received",
        "devices",
    ] {
        assert!(rows[0].get(key).is_some(), "no {key} in {}", rows[0]);
    }
    assert_eq!(rows[0]["grade"], "B");
    assert!(close(&rows[0]["ikm"], 87.5));
    assert_eq!(rows[0]["target_met"], false);
    assert_eq!(rows[2]["ikm"], Value::Null);
    assert_eq!(all["pooled"]["label"], "gabungan");
    assert_eq!(all["pooled"]["n"], 3);
    assert!(close(&all["pooled"]["ikm"], 75.0));

    let beta = json(&simpul_server(
        &data,
        &["report", "--instansi", "Kota Beta", "--format", "json"],
    ));
    assert_eq!(beta["units"].as_array().unwrap().len(), 1);
    assert_eq!(beta["units"][0]["unit"], "U-C");
    assert_eq!(beta["pooled"]["n"], 0);

    let earlier = json(&simpul_server(
        &data,
        &["report", "--period", "2026-S1", "--format", "json"],
    ));
    assert_eq!(earlier["units"][0]["n"], 1, "U-A's 2026-S1 response");

    let text = simpul_server(&data, &["report"]);
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("Instansi Kab. Alpha"), "{text}");
    assert!(text.contains("Instansi Kota Beta"), "{text}");
    assert!(text.contains("Belum sesuai"), "{text}");
    assert!(
        text.contains("Gabungan (pooled): n = 3, 2 unit, IKM 75,00"),
        "{text}"
    );
    assert!(text.contains("IKM 87,50"), "{text}");
}

#[tokio::test]
async fn reports_and_conflicts_of_one_unit_never_show_another_units() {
    let f = fixture().await;
    let storage = f.app.storage.as_ref();
    let all = ReportFilter::default();
    let a = UnitCode::parse("U-A").unwrap();
    let b = UnitCode::parse("U-B").unwrap();
    let c = UnitCode::parse("U-C").unwrap();
    assert_eq!(
        unit_report(storage, &b, &all, Weighting::Exact).unwrap().n,
        1
    );
    assert_eq!(
        unit_report(storage, &c, &all, Weighting::Exact).unwrap().n,
        0
    );

    let of = |unit: Option<&UnitCode>| -> Vec<Uuid> {
        storage
            .conflicts(unit, &all)
            .unwrap()
            .iter()
            .map(|row| row.response)
            .collect()
    };
    assert_eq!(of(Some(&a)), [f.disputed_a]);
    assert_eq!(of(Some(&b)), [f.disputed_b]);
    assert!(of(Some(&c)).is_empty());
    assert_eq!(of(None).len(), 2);

    let data = f.app.storage_dir();
    let listed = json(&simpul_server(
        &data,
        &["conflicts", "--unit", "U-B", "--format", "json"],
    ));
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["response"], f.disputed_b.to_string());
    let text =
        String::from_utf8(simpul_server(&data, &["report", "--unit", "U-B"]).stdout).unwrap();
    assert!(text.starts_with("IKM U-B"), "{text}");
    assert!(text.contains("n = 1"), "{text}");
}

#[tokio::test]
async fn reports_filter_by_enumerator_and_by_days_inclusive() {
    let f = fixture().await;
    let storage = f.app.storage.as_ref();
    let a = UnitCode::parse("U-A").unwrap();
    // In 2026-S2: U-A's 2026-S1 response, by ani and captured today, is left out.
    let n = |filter: ReportFilter| {
        let filter = ReportFilter {
            period: Some("2026-S2".into()),
            ..filter
        };
        unit_report(storage, &a, &filter, Weighting::Exact).unwrap()
    };
    let by = |who: &str| ReportFilter {
        enumerator: Some(who.into()),
        ..ReportFilter::default()
    };
    let ani = n(by("ani"));
    assert_eq!((ani.n, ani.ikm), (1, Some(100.0)));
    assert_eq!(n(by("budi")).ikm, Some(75.0));
    assert_eq!(n(by("nobody")).n, 0);

    let day = |s| Some(parse_day(s).unwrap());
    let between = |from, to| ReportFilter {
        days: Days::new(from, to).unwrap(),
        ..ReportFilter::default()
    };
    assert_eq!(
        n(between(day("2026-03-01"), day("2026-03-01"))).ikm,
        Some(100.0)
    );
    assert_eq!(n(between(day("2026-03-02"), None)).ikm, Some(75.0));
    assert_eq!(n(between(None, day("2026-03-05"))).n, 2);
    assert_eq!(n(between(day("2026-03-02"), day("2026-03-04"))).n, 0);

    // The same through the command line, and across units.
    let data = f.app.storage_dir();
    let one_day = json(&simpul_server(
        &data,
        &[
            "report",
            "--unit",
            "U-A",
            "--from",
            "2026-03-05",
            "--to",
            "2026-03-05",
            "--format",
            "json",
        ],
    ));
    assert_eq!(one_day["n"], 1);
    let across = json(&simpul_server(
        &data,
        &["report", "--enumerator", "budi", "--format", "json"],
    ));
    assert_eq!(across["pooled"]["n"], 1);
    assert_eq!(across["units"][1]["n"], 0, "U-B has nothing by budi");
}

#[tokio::test]
async fn the_export_has_the_devices_columns_the_review_and_no_live_formula() {
    let f = fixture().await;
    let data = f.app.storage_dir();
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("u-a.csv");
    let written = simpul_server(
        &data,
        &[
            "export",
            "csv",
            "--unit",
            "U-A",
            "--out",
            file.to_str().unwrap(),
        ],
    );
    assert!(
        written.status.success(),
        "{}",
        String::from_utf8_lossy(&written.stderr)
    );
    let mut reader = csv::Reader::from_path(&file).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header[..9],
        [
            "id",
            "serial",
            "channel",
            "status",
            "unit",
            "period",
            "form",
            "created_at",
            "updated_at"
        ]
    );
    assert_eq!(header[header.len() - 2..], ["review", "review_note"]);
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    // Two counted, the rejected one, the draft, 2026-S1's and the disputed draft.
    assert_eq!(rows.len(), 6);
    let first = &rows[0];
    assert_eq!(
        &first[column("saran")],
        "'=HYPERLINK(\"http://x.invalid\",\"klik\")"
    );
    assert_eq!(&first[column("U1")], "4");
    let rejected = rows
        .iter()
        .find(|r| r[column("id")] == f.rejected.to_string())
        .unwrap();
    assert_eq!(&rejected[column("review")], "rejected");
    assert_eq!(&rejected[column("review_note")], "'=isian ganda");
    assert!(rows.iter().all(|r| &r[column("unit")] == "U-A"));
    // Nothing but the export is left in the folder.
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 1);

    let budi = out.path().join("budi.csv");
    simpul_server(
        &data,
        &[
            "export",
            "csv",
            "--unit",
            "U-A",
            "--enumerator",
            "budi",
            "--period",
            "2026-S2",
            "--out",
            budi.to_str().unwrap(),
        ],
    );
    let rows = csv::Reader::from_path(&budi).unwrap().records().count();
    assert_eq!(rows, 1);
}

#[tokio::test]
async fn bad_flags_are_refused_by_name_and_change_nothing() {
    let f = fixture().await;
    let data = f.app.storage_dir();
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("x.csv");
    let file = file.to_str().unwrap();
    let changes = f.app.change_count();

    let message = failed(&simpul_server(&data, &["report", "--from", "2026-02-30"]));
    assert!(
        message.contains("--from") && message.contains("2026-02-30"),
        "{message}"
    );
    let message = failed(&simpul_server(
        &data,
        &[
            "export", "csv", "--unit", "U-A", "--to", "5-3-2026", "--out", file,
        ],
    ));
    assert!(
        message.contains("--to") && message.contains("5-3-2026"),
        "{message}"
    );
    let message = failed(&simpul_server(
        &data,
        &[
            "report",
            "--unit",
            "U-A",
            "--from",
            "2026-03-05",
            "--to",
            "2026-03-01",
        ],
    ));
    assert!(
        message.contains("--to 2026-03-01") && message.contains("--from 2026-03-05"),
        "{message}"
    );
    let message = failed(&simpul_server(
        &data,
        &["report", "--unit", "U-A", "--instansi", "Kab. Alpha"],
    ));
    assert!(
        message.contains("--instansi") && message.contains("--unit"),
        "{message}"
    );
    let message = failed(&simpul_server(
        &data,
        &["export", "csv", "--unit", "U-NOPE", "--out", file],
    ));
    assert!(message.contains("U-NOPE"), "{message}");
    let message = failed(&simpul_server(&data, &["conflicts", "--unit", "U-NOPE"]));
    assert!(message.contains("U-NOPE"), "{message}");
    let message = failed(&admin_command(
        &data,
        &[
            "unit",
            "set",
            "U-A",
            "--instansi",
            " ",
            "--period",
            "2027-S1",
        ],
    ));
    assert!(message.contains("instansi"), "{message}");

    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0, "no file");
    assert_eq!(f.app.change_count(), changes, "no configuration written");
    let unit = f
        .app
        .storage
        .unit(&UnitCode::parse("U-A").unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(unit.instansi.unwrap().as_str(), "Kab. Alpha");
}

#[tokio::test]
async fn a_unit_joins_changes_and_leaves_its_instansi() {
    let app = spawn_app().await;
    let data = app.storage_dir();
    let instansi = |code: &str| {
        app.storage
            .unit(&UnitCode::parse(code).unwrap())
            .unwrap()
            .unwrap()
            .instansi
            .map(|n| n.to_string())
    };
    let added = admin_command(
        &data,
        &[
            "unit",
            "add",
            "U-RSUD",
            "--name",
            "RSUD",
            "--instansi",
            "Kab. Alpha",
        ],
    );
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    assert_eq!(instansi("U-RSUD").as_deref(), Some("Kab. Alpha"));

    let changes = app.change_count();
    let set = admin_command(&data, &["unit", "set", "U-RSUD", "--instansi", "Kota Beta"]);
    assert!(
        set.status.success(),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );
    assert_eq!(instansi("U-RSUD").as_deref(), Some("Kota Beta"));
    assert_eq!(
        app.change_count(),
        changes,
        "the instansi is not sent to devices"
    );

    let listed = admin_command(&data, &["unit", "list"]);
    assert!(String::from_utf8_lossy(&listed.stdout).contains("U-RSUD\tRSUD\tKota Beta"));

    let cleared = admin_command(&data, &["unit", "set", "U-RSUD", "--no-instansi"]);
    assert!(cleared.status.success());
    assert_eq!(instansi("U-RSUD"), None);

    let both = admin_command(
        &data,
        &["unit", "set", "U-RSUD", "--instansi", "X", "--no-instansi"],
    );
    assert!(failed(&both).contains("--no-instansi"));
    let unknown = admin_command(&data, &["unit", "set", "U-NOPE", "--instansi", "X"]);
    assert!(failed(&unknown).contains("U-NOPE"));
    assert_eq!(instansi("U-RSUD"), None);

    // The same through the functions, and a report grouping by it.
    admin::set_instansi(app.storage.as_ref(), "U-RSUD", Some("Kota Beta")).unwrap();
    let scope = UnitScope {
        instansi: Some(Name::parse("instansi", "Kota Beta").unwrap()),
        ..UnitScope::default()
    };
    let report = cross_unit_report(
        app.storage.as_ref(),
        &scope,
        &ReportFilter::default(),
        Weighting::Exact,
    )
    .unwrap();
    assert_eq!(report.units.len(), 1);
    assert_eq!(report.units[0].instansi.as_deref(), Some("Kota Beta"));
}

#[tokio::test]
async fn a_unit_whose_responses_follow_the_2004_method_is_counted_on_all_fourteen_unsur() {
    let app = spawn_app().await;
    // Configured for the 2017 form, but its sheets were typed in on the 2004 one.
    add_unit(&app, "U-LAMA", "Kab. Alpha", Some(50));
    let tablet = app.device("U-LAMA", "tablet").await;
    let mut scores = vec![4; 13];
    scores.push(2);
    let sheet = Sheet {
        form: "skm-2004",
        scores,
        ..Sheet::new("U-LAMA", 4)
    };
    push(&app, &tablet, &sheet.entries().1).await;
    materialise::catch_up(app.storage.as_ref()).unwrap();

    let report = cross_unit_report(
        app.storage.as_ref(),
        &UnitScope::default(),
        &ReportFilter::default(),
        Weighting::Exact,
    )
    .unwrap();
    let own = unit_report(
        app.storage.as_ref(),
        &UnitCode::parse("U-LAMA").unwrap(),
        &ReportFilter::default(),
        Weighting::Exact,
    )
    .unwrap();
    // (13 × 4 + 2) / 14 × 25, not the first nine unsur's 100.
    let expected = (13.0 * 4.0 + 2.0) / 14.0 * 25.0;
    assert!((own.ikm.unwrap() - expected).abs() < 1e-9, "{:?}", own.ikm);
    assert_eq!(report.units[0].ikm, own.ikm);
}
