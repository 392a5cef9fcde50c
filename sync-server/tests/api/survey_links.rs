//! Survey links over HTTP: the page, answer sets stored once and counted like any response,
//! pulled by the unit's devices, a paper sheet answered by its QR code merged with its typed
//! twin, and every refusal — each with its status, and nothing stored.

use automerge::Automerge;
use chrono::Utc;
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, CONTENT_TYPE, RETRY_AFTER};
use serde_json::{Value, json};
use simpul_document::write::{Author, Capture, Header};
use simpul_document::{PaperSerial, paper_response_id};
use simpul_protocol::Entry;
use simpul_server::links::{LinkToken, NewLink};
use simpul_server::model::{Name, PeriodCode, UnitCode};
use simpul_server::people::Role;
use simpul_server::unit_document::UnitSettings;
use uuid::Uuid;

use crate::helpers::{SyncRequest, TestApp, spawn_app, spawn_app_with};
use crate::people::{add, sign_in};
use crate::unit_page::get;

const UNIT: &str = "U-CAPIL";

/// A unit in 2026-S2 with a link, optionally fixed to a service or a period.
async fn unit_with_link(app: &TestApp, service: Option<&str>, period: Option<&str>) -> String {
    app.add_configured_unit(
        UNIT,
        UnitSettings {
            name: None,
            period: Some(PeriodCode::parse("2026-S2").unwrap()),
            population: Some(1200),
            form: Some("skm-2017".into()),
        },
    );
    simpul_server::materialise::catch_up(app.storage.as_ref()).unwrap();
    let link = NewLink {
        unit: UnitCode::parse(UNIT).unwrap(),
        service: service.map(str::to_string),
        period: period.map(|p| PeriodCode::parse(p).unwrap()),
        created_by: Name::parse("person", "Rina").unwrap(),
    };
    app.storage
        .add_link(&LinkToken::generate().unwrap(), &link, Utc::now())
        .unwrap()
        .token
        .to_string()
}

fn answers() -> Value {
    json!({
        "jenis_kelamin": "P", "umur": 34, "pendidikan": "SMA", "pekerjaan": "SWASTA",
        "layanan": "KTP-el",
        "U1": 4, "U2": 3, "U3": 4, "U4": 4, "U5": 3, "U6": 4, "U7": 4, "U8": 4, "U9": 2,
        "saran": "Ruang tunggu panas",
    })
}

async fn send(app: &TestApp, token: &str, body: &Value) -> reqwest::Response {
    app.client
        .post(format!("{}/f/{token}/responses", app.address))
        .header(CONTENT_TYPE, "application/json")
        .body(serde_json::to_vec(body).unwrap())
        .send()
        .await
        .unwrap()
}

fn set(id: Uuid, answers: Value) -> Value {
    json!({"id": id, "answers": answers, "website": ""})
}

#[tokio::test]
async fn an_answer_set_is_stored_once_counted_in_the_report_and_pulled_by_the_units_devices() {
    let app = spawn_app().await;
    let token = unit_with_link(&app, None, None).await;
    let tablet = app.device(UNIT, "tablet-loket").await;
    let before = app.change_count();

    let id = Uuid::now_v7();
    let first = send(&app, &token, &set(id, answers())).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    assert_eq!(first["status"], "created");
    // The answer to it was lost; the page sends the same set again.
    let again = send(&app, &token, &set(id, answers())).await;
    assert_eq!(again.status(), StatusCode::OK);
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["status"], "already_stored");
    assert_eq!(again["response"], first["response"]);
    assert_eq!(app.change_count(), before + 1, "one change, not two");

    simpul_server::materialise::catch_up(app.storage.as_ref()).unwrap();
    add(&app, "Rina", Role::Supervisor, None, &[UNIT]);
    let rina = sign_in(&app, "Rina").await;
    for (filter, n) in [("", 1), ("&channel=web", 1), ("&channel=paper", 0)] {
        let path = format!("/api/v1/units/{UNIT}/report?period=2026-S2{filter}");
        let report = get(&app, &rina, &path).await;
        assert_eq!(report["n"], n, "{path}: {report}");
    }

    let pulled = app.sync(&tablet, SyncRequest::new()).await.ok();
    let response: Uuid = first["response"].as_str().unwrap().parse().unwrap();
    assert!(
        pulled.entries.iter().any(|entry| entry.doc == response),
        "the tablet pulls the web answer"
    );
}

#[tokio::test]
async fn a_sheet_typed_on_a_device_and_answered_by_its_qr_code_is_one_response_with_one_conflict() {
    let app = spawn_app().await;
    let token = unit_with_link(&app, None, None).await;
    let tablet = app.device(UNIT, "laptop-arsip").await;

    // The clerk types sheet K-001 with U1 = 3 and the day it was filled in, today.
    let unit = UnitCode::parse(UNIT).unwrap();
    let period = PeriodCode::parse("2026-S2").unwrap();
    let serial = PaperSerial::parse("K-001").unwrap();
    let id = paper_response_id(&unit, &period, &serial);
    let mut typed: std::collections::BTreeMap<String, Option<String>> = simpul_survey::skm_2017()
        .items
        .iter()
        .map(|item| (item.id.clone(), None))
        .collect();
    for (item, value) in answers().as_object().unwrap() {
        let raw = match value {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        };
        typed.insert(item.clone(), Some(raw));
    }
    typed.insert("U1".into(), Some("3".into()));
    typed.insert(
        "tanggal".into(),
        Some(chrono::Local::now().date_naive().to_string()),
    );
    let capture = Capture {
        header: Header {
            id,
            form: "skm-2017",
            method: "permenpanrb-14-2017",
            unit: UNIT,
            period: "2026-S2",
            channel: "paper",
            serial: Some("K-001"),
            status: "final",
        },
        answers: &typed,
        paper: true,
    };
    let change = capture
        .write(&mut Automerge::new(), &Author::new("ani", Utc::now()))
        .unwrap();
    let entry = Entry {
        doc: id,
        change: change.raw_bytes().to_vec(),
    };
    app.sync(&tablet, SyncRequest::new().push(&[entry]))
        .await
        .ok();

    // The respondent scanned the sheet's code and answered U1 = 4 on the phone.
    let mut body = set(Uuid::now_v7(), answers());
    body["serial"] = json!("k-001");
    let sent = send(&app, &token, &body).await;
    assert_eq!(sent.status(), StatusCode::CREATED);
    let sent: Value = sent.json().await.unwrap();
    assert_eq!(sent["response"], json!(id), "the sheet's own identity");

    simpul_server::materialise::catch_up(app.storage.as_ref()).unwrap();
    add(&app, "Rina", Role::Supervisor, None, &[UNIT]);
    let rina = sign_in(&app, "Rina").await;
    let report = get(
        &app,
        &rina,
        &format!("/api/v1/units/{UNIT}/report?period=2026-S2"),
    )
    .await;
    assert_eq!(report["n"], 1, "one response: {report}");
    let conflicts = get(&app, &rina, &format!("/api/v1/units/{UNIT}/conflicts")).await;
    let fields: Vec<&str> = conflicts
        .as_array()
        .unwrap_or_else(|| panic!("a list: {conflicts}"))
        .iter()
        .map(|c| c["field"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(fields, ["U1"], "{conflicts}");
}

#[tokio::test]
async fn bad_answer_sets_are_refused_with_their_status_and_nothing_is_stored() {
    let app = spawn_app().await;
    let token = unit_with_link(&app, None, None).await;
    let before = app.change_count();

    // Every answer out of range, named at once, in both languages.
    let mut wrong = answers();
    wrong["U1"] = json!(5);
    wrong["umur"] = json!(300);
    wrong["jenis_kelamin"] = json!("X");
    wrong["saran"] = json!("x".repeat(2001));
    let refused = send(&app, &token, &set(Uuid::now_v7(), wrong)).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["code"], "invalid_answers");
    let mut items: Vec<&str> = body["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["item"].as_str().unwrap())
        .collect();
    items.sort_unstable();
    assert_eq!(items, ["U1", "jenis_kelamin", "saran", "umur"], "{body}");
    for field in body["fields"].as_array().unwrap() {
        assert!(!field["id"].as_str().unwrap().is_empty(), "{field}");
        assert!(!field["en"].as_str().unwrap().is_empty(), "{field}");
    }

    // A bot fills the field people never see.
    let mut bot = set(Uuid::now_v7(), answers());
    bot["website"] = json!("http://spam.example");
    assert_eq!(
        send(&app, &token, &bot).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // A wrong token, well-formed or not.
    for wrong in ["abcdefghjkmn", "not-a-token"] {
        let refused = send(&app, wrong, &set(Uuid::now_v7(), answers())).await;
        assert_eq!(refused.status(), StatusCode::NOT_FOUND, "{wrong}");
    }
    // Not JSON, a field the page never sends, an id that is no UUID.
    for raw in [
        "{".to_string(),
        json!({"id": Uuid::now_v7(), "answers": {}, "admin": true}).to_string(),
        json!({"id": "1", "answers": {}}).to_string(),
    ] {
        let refused = app
            .client
            .post(format!("{}/f/{token}/responses", app.address))
            .header(CONTENT_TYPE, "application/json")
            .body(raw.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST, "{raw}");
    }
    // A huge body.
    let mut huge = set(Uuid::now_v7(), answers());
    huge["answers"]["saran"] = json!("x".repeat(100_000));
    assert_eq!(
        send(&app, &token, &huge).await.status(),
        StatusCode::PAYLOAD_TOO_LARGE
    );
    assert_eq!(app.change_count(), before, "nothing stored");

    // A closed link, and a link for a period the unit has moved on from.
    let stored = Uuid::now_v7();
    assert_eq!(
        send(&app, &token, &set(stored, answers())).await.status(),
        StatusCode::CREATED
    );
    let old = app
        .storage
        .add_link(
            &LinkToken::generate().unwrap(),
            &NewLink {
                unit: UnitCode::parse(UNIT).unwrap(),
                service: None,
                period: Some(PeriodCode::parse("2026-S1").unwrap()),
                created_by: Name::parse("person", "Rina").unwrap(),
            },
            Utc::now(),
        )
        .unwrap();
    let refused = send(&app, old.token.as_str(), &set(Uuid::now_v7(), answers())).await;
    assert_eq!(refused.status(), StatusCode::GONE);
    assert_eq!(
        refused.json::<Value>().await.unwrap()["code"],
        "period_closed"
    );
    app.storage
        .close_link(&LinkToken::parse(&token).unwrap(), Utc::now())
        .unwrap();
    let after_close = app.change_count();
    let refused = send(&app, &token, &set(Uuid::now_v7(), answers())).await;
    assert_eq!(refused.status(), StatusCode::GONE);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["code"], "link_closed");
    assert!(body["text"]["id"].as_str().unwrap().contains("ditutup"));
    // The set stored before the link closed is still answered as stored.
    assert_eq!(
        send(&app, &token, &set(stored, answers())).await.status(),
        StatusCode::OK
    );
    assert_eq!(app.change_count(), after_close, "nothing stored");
}

#[tokio::test]
async fn one_address_sends_at_most_the_hours_allowance_through_a_link() {
    let app = spawn_app_with(|config| config.web_answers_per_hour = 3).await;
    let token = unit_with_link(&app, None, None).await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        let id = Uuid::now_v7();
        assert_eq!(
            send(&app, &token, &set(id, answers())).await.status(),
            StatusCode::CREATED
        );
        ids.push(id);
    }
    let before = app.change_count();
    let refused = send(&app, &token, &set(Uuid::now_v7(), answers())).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = refused.headers()[RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=3600).contains(&wait), "{wait}");
    // A retry of a stored set is not a new answer: still answered, still not counted.
    assert_eq!(
        send(&app, &token, &set(ids[0], answers())).await.status(),
        StatusCode::OK
    );
    assert_eq!(app.change_count(), before);
}

#[tokio::test]
async fn a_links_service_is_not_asked_and_the_page_carries_the_form_and_the_sheets_serial() {
    let app = spawn_app().await;
    let token = unit_with_link(&app, Some("Akta kelahiran"), Some("2026-S2")).await;
    let mut without = answers();
    without.as_object_mut().unwrap().remove("layanan");
    let sent = send(&app, &token, &set(Uuid::now_v7(), without)).await;
    assert_eq!(sent.status(), StatusCode::CREATED);

    let page = app
        .client
        .get(format!("{}/f/{token}?serial=k-007", app.address))
        .header(ACCEPT, "text/html")
        .send()
        .await
        .unwrap();
    if page.status() == StatusCode::SERVICE_UNAVAILABLE {
        panic!("the web is not built: run `npm run build` in ui/ (scripts/test does)");
    }
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    let start = html.find("id=\"survey-data\">").expect("the page's data") + 17;
    let end = start + html[start..].find("</script>").unwrap();
    let data: Value = serde_json::from_str(&html[start..end]).unwrap();
    assert_eq!(data["unit"]["code"], UNIT);
    assert_eq!(data["service"], "Akta kelahiran");
    assert_eq!(data["period"], "2026-S2");
    assert_eq!(data["serial"], "K-007");
    assert_eq!(data["closed"], false);
    assert_eq!(data["form"]["id"], "skm-2017");

    app.storage
        .close_link(&LinkToken::parse(&token).unwrap(), Utc::now())
        .unwrap();
    let closed = app
        .client
        .get(format!("{}/f/{token}", app.address))
        .header(ACCEPT, "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(closed.status(), StatusCode::GONE);
    let unknown = app
        .client
        .get(format!("{}/f/abcdefghjkmn", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    assert!(unknown.text().await.unwrap().contains("tidak dikenal"));
}

#[tokio::test]
async fn sets_and_their_retries_sent_all_at_once_are_each_stored_exactly_once() {
    let app = spawn_app().await;
    let token = unit_with_link(&app, None, None).await;
    let before = app.change_count();
    let ids: Vec<Uuid> = (0..30).map(|_| Uuid::now_v7()).collect();
    // Every set twice, all sixty requests in flight together.
    let mut requests = tokio::task::JoinSet::new();
    for id in ids.iter().chain(ids.iter()).copied() {
        let client = app.client.clone();
        let url = format!("{}/f/{token}/responses", app.address);
        let body = serde_json::to_vec(&set(id, answers())).unwrap();
        requests.spawn(async move {
            let sent = client.post(url).header(CONTENT_TYPE, "application/json");
            sent.body(body).send().await.unwrap().status()
        });
    }
    let statuses = requests.join_all().await;
    let created = statuses
        .iter()
        .filter(|s| **s == StatusCode::CREATED)
        .count();
    let again = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    assert_eq!((created, again), (30, 30), "{statuses:?}");
    assert_eq!(app.change_count(), before + 30, "one change per set");
}
