//! The review queue on the web API: a unit's responses filtered as a supervisor narrows the
//! queue, one response in full with the values a conflict holds, and the scope rules.

use automerge::transaction::{CommitOptions, Transactable};
use automerge::{AutoCommit, ChangeHash, ROOT, ReadDoc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use simpul_document::keys;
use simpul_protocol::Entry;
use simpul_server::people::Role;
use uuid::Uuid;

use crate::helpers::{SyncRequest, TestApp, assert_error, json as json_of, spawn_app};
use crate::people::{add, call, sign_in};

/// A final response of `unit` as a device writes one, with a service and scores, authored
/// by Sari at `at` (milliseconds since the epoch).
fn response_doc(unit: &str, period: &str, channel: &str, service: &str, at: i64) -> AutoCommit {
    let mut response = AutoCommit::new();
    let id = Uuid::now_v7().to_string();
    for (key, value) in [
        (keys::ID, id.as_str()),
        (keys::FORM, "skm-2017"),
        (keys::UNIT, unit),
        (keys::PERIOD, period),
        (keys::CHANNEL, channel),
        (keys::STATUS, "final"),
    ] {
        response.put(ROOT, key, value).unwrap();
    }
    response
        .put(ROOT, format!("q.{}", keys::SERVICE_ITEM), service)
        .unwrap();
    for i in 1..=9 {
        response.put(ROOT, format!("q.U{i}"), "3").unwrap();
    }
    commit(&mut response, "Sari", at);
    response
}

fn commit(doc: &mut AutoCommit, by: &str, at: i64) {
    doc.commit_with(CommitOptions::default().with_message(by).with_time(at));
}

/// The changes of `doc` after `heads`, as a device pushes them.
fn entries(doc: &mut AutoCommit, heads: &[ChangeHash]) -> Vec<Entry> {
    let id: Uuid = doc
        .get(ROOT, keys::ID)
        .unwrap()
        .and_then(|(value, _)| value.into_string().ok())
        .unwrap()
        .parse()
        .unwrap();
    doc.get_changes(heads)
        .into_iter()
        .map(|change| Entry {
            doc: id,
            change: change.raw_bytes().to_vec(),
        })
        .collect()
}

fn response(unit: &str, period: &str, channel: &str, service: &str, at: i64) -> Vec<Entry> {
    entries(&mut response_doc(unit, period, channel, service, at), &[])
}

/// Milliseconds at noon UTC of a day in November 2026.
fn november(day: u32) -> i64 {
    chrono::NaiveDate::from_ymd_opt(2026, 11, day)
        .unwrap()
        .and_hms_opt(12, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp_millis()
}

/// Four responses in U-CAPIL, one in U-RSUD, pushed and materialised. Returns U-CAPIL's
/// ids in the order written.
async fn a_queue(app: &TestApp) -> Vec<Uuid> {
    app.add_unit("U-RSUD");
    let capil = app.device("U-CAPIL", "tablet-capil").await;
    let rsud = app.device("U-RSUD", "tablet-rsud").await;
    let mut ids = Vec::new();
    for (period, channel, service, day) in [
        ("2026-S2", "interview", "KTP", 2),
        ("2026-S2", "paper", "KTP", 10),
        ("2026-S2", "kiosk", "Akta", 20),
        ("2026-S1", "interview", "Akta", 25),
    ] {
        let entries = response("U-CAPIL", period, channel, service, november(day));
        ids.push(entries[0].doc);
        app.sync(&capil, SyncRequest::new().push(&entries))
            .await
            .ok();
    }
    let other = response("U-RSUD", "2026-S2", "interview", "Rawat jalan", november(3));
    app.sync(&rsud, SyncRequest::new().push(&other)).await.ok();
    simpul_server::materialise::catch_up(app.storage.as_ref()).unwrap();
    ids
}

async fn queue(app: &TestApp, cookie: &str, query: &str) -> Vec<Value> {
    let path = format!("/api/v1/units/U-CAPIL/responses{query}");
    let response = call(app, "GET", &path, Some(cookie), None).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    let rows: Value = json_of(response).await;
    rows.as_array().unwrap().clone()
}

fn services(rows: &[Value]) -> Vec<String> {
    rows.iter()
        .map(|row| {
            format!(
                "{}/{}",
                row["channel"].as_str().unwrap(),
                row["service"].as_str().unwrap()
            )
        })
        .collect()
}

#[tokio::test]
async fn the_queue_lists_a_units_responses_newest_first_and_narrows_by_each_filter() {
    let app = spawn_app().await;
    let ids = a_queue(&app).await;
    add(&app, "Vera", Role::Viewer, None, &["U-CAPIL"]);
    let vera = sign_in(&app, "Vera").await;

    let all = queue(&app, &vera, "").await;
    assert_eq!(
        services(&all),
        ["interview/Akta", "kiosk/Akta", "paper/KTP", "interview/KTP"],
        "newest first, U-RSUD's response not among them"
    );
    assert_eq!(all[0]["id"], ids[3].to_string());
    assert_eq!(all[0]["review"], "received");
    assert_eq!(all[0]["status"], "final");
    assert_eq!(all[0]["conflicts"], 0);
    assert_eq!(all[0]["created_at"], "2026-11-25T12:00:00Z");

    assert_eq!(
        services(&queue(&app, &vera, "?period=2026-S1").await),
        ["interview/Akta"]
    );
    assert_eq!(
        services(&queue(&app, &vera, "?channel=paper").await),
        ["paper/KTP"]
    );
    assert_eq!(
        services(&queue(&app, &vera, "?service=KTP&period=").await),
        ["paper/KTP", "interview/KTP"]
    );
    assert_eq!(
        services(&queue(&app, &vera, "?from=2026-11-10&to=2026-11-20").await),
        ["kiosk/Akta", "paper/KTP"],
        "both days included"
    );
    assert_eq!(
        services(&queue(&app, &vera, "?from=10/11/2026&to=20112026").await),
        ["kiosk/Akta", "paper/KTP"],
        "days typed as offices write them"
    );
    assert_eq!(queue(&app, &vera, "?enumerator=Sari").await.len(), 4);
    assert!(queue(&app, &vera, "?enumerator=Budi").await.is_empty());

    // A supervisor's decision moves a response between states.
    add(&app, "Rina", Role::Supervisor, None, &["U-CAPIL"]);
    let rina = sign_in(&app, "Rina").await;
    let path = format!("/api/v1/responses/{}/review", ids[1]);
    let note = json!({"state": "rejected", "note": "lembar ganda"});
    let done = call(&app, "POST", &path, Some(&rina), Some(note)).await;
    assert_eq!(done.status(), StatusCode::NO_CONTENT);
    simpul_server::materialise::catch_up(app.storage.as_ref()).unwrap();
    let rejected = queue(&app, &vera, "?state=rejected").await;
    assert_eq!(services(&rejected), ["paper/KTP"]);
    assert_eq!(rejected[0]["review_note"], "lembar ganda");
    assert_eq!(queue(&app, &vera, "?state=received").await.len(), 3);
}

#[tokio::test]
async fn a_bad_filter_is_refused_in_words_not_ignored() {
    let app = spawn_app().await;
    a_queue(&app).await;
    add(&app, "Vera", Role::Viewer, None, &["U-CAPIL"]);
    let vera = sign_in(&app, "Vera").await;
    for query in [
        "?state=done",
        "?from=31-11-2026",
        "?from=20/11/2026&to=10/11/2026",
    ] {
        let path = format!("/api/v1/units/U-CAPIL/responses{query}");
        let response = call(&app, "GET", &path, Some(&vera), None).await;
        assert_error(response, StatusCode::BAD_REQUEST, "bad_request").await;
    }
}

#[tokio::test]
async fn a_response_reads_in_full_with_the_values_of_a_field_in_conflict() {
    let app = spawn_app().await;
    app.add_unit("U-RSUD");
    let laptop = app.device("U-CAPIL", "laptop-1").await;
    let other = app.device("U-CAPIL", "laptop-2").await;
    // One sheet typed on two laptops: the same document, U3 typed differently.
    let mut sheet = response_doc("U-CAPIL", "2026-S2", "paper", "KTP", november(4));
    let base = sheet.get_heads();
    let first = entries(&mut sheet, &[]);
    let id = first[0].doc;
    let mut laptop_1 = sheet.fork();
    laptop_1.put(ROOT, "q.U3", "2").unwrap();
    commit(&mut laptop_1, "Sari", november(5));
    let typed = entries(&mut laptop_1, &base);
    let mut laptop_2 = sheet.fork();
    laptop_2.put(ROOT, "q.U3", "4").unwrap();
    commit(&mut laptop_2, "Dewi", november(5));
    let retyped = entries(&mut laptop_2, &base);
    app.sync(&laptop, SyncRequest::new().push(&first))
        .await
        .ok();
    app.sync(&laptop, SyncRequest::new().push(&typed))
        .await
        .ok();
    app.sync(&other, SyncRequest::new().push(&retyped))
        .await
        .ok();
    simpul_server::materialise::catch_up(app.storage.as_ref()).unwrap();
    add(&app, "Vera", Role::Viewer, None, &["U-CAPIL"]);
    add(&app, "Oki", Role::Supervisor, None, &["U-RSUD"]);
    let vera = sign_in(&app, "Vera").await;
    let oki = sign_in(&app, "Oki").await;

    let path = format!("/api/v1/responses/{id}");
    let read = call(&app, "GET", &path, Some(&vera), None).await;
    assert_eq!(read.status(), StatusCode::OK);
    let detail: Value = json_of(read).await;
    assert_eq!(detail["id"], id.to_string());
    assert_eq!(detail["unit"], "U-CAPIL");
    assert_eq!(detail["channel"], "paper");
    assert_eq!(detail["conflicts"], 1);
    let items: Vec<&str> = detail["answers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|pair| pair[0].as_str().unwrap())
        .collect();
    assert_eq!(items[..3], ["U1", "U2", "U3"]);
    assert_eq!(items.len(), 10, "nine unsur and the service: {items:?}");
    let conflict = &detail["conflicts_detail"][0];
    assert_eq!(conflict["field"], "U3");
    let mut values: Vec<(String, String)> = conflict["written"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["value"].as_str().unwrap().into(),
                w["by"].as_str().unwrap().into(),
            )
        })
        .collect();
    values.sort();
    assert_eq!(
        values,
        [("2".into(), "Sari".into()), ("4".into(), "Dewi".into())]
    );

    let outside = call(&app, "GET", &path, Some(&oki), None).await;
    assert_error(outside, StatusCode::NOT_FOUND, "not_found").await;
    let unknown = format!("/api/v1/responses/{}", Uuid::now_v7());
    let missing = call(&app, "GET", &unknown, Some(&vera), None).await;
    assert_error(missing, StatusCode::NOT_FOUND, "not_found").await;
    let anonymous = call(&app, "GET", &path, None, None).await;
    assert_error(anonymous, StatusCode::UNAUTHORIZED, "unauthorized").await;
}

#[tokio::test]
async fn the_queue_of_a_unit_outside_ones_scope_or_without_a_session_is_not_there() {
    let app = spawn_app().await;
    a_queue(&app).await;
    add(&app, "Oki", Role::Supervisor, None, &["U-RSUD"]);
    add(&app, "Adi", Role::Admin, None, &[]);
    let oki = sign_in(&app, "Oki").await;
    let adi = sign_in(&app, "Adi").await;
    let path = "/api/v1/units/U-CAPIL/responses";
    let outside = call(&app, "GET", path, Some(&oki), None).await;
    assert_error(outside, StatusCode::NOT_FOUND, "not_found").await;
    let nowhere = call(
        &app,
        "GET",
        "/api/v1/units/U-NOPE/responses",
        Some(&adi),
        None,
    )
    .await;
    assert_error(nowhere, StatusCode::NOT_FOUND, "not_found").await;
    let anonymous = call(&app, "GET", path, None, None).await;
    assert_error(anonymous, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let admin = call(&app, "GET", path, Some(&adi), None).await;
    assert_eq!(admin.status(), StatusCode::OK);
    let rows: Value = json_of(admin).await;
    assert_eq!(rows.as_array().unwrap().len(), 4);
}
