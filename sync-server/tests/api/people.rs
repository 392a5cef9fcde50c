//! People on the web API: signing in and out, the session cookie, throttled guessing,
//! cross-site requests, and who may read and decide what — asserted route by route.

use chrono::Utc;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, COOKIE, ORIGIN, RETRY_AFTER, SET_COOKIE};
use serde_json::{Value, json};
use simpul_server::admin;
use simpul_server::links::{LinkToken, NewLink};
use simpul_server::model::{Name, UnitCode};
use simpul_server::people::{Password, Role};
use uuid::Uuid;

use crate::helpers::{
    SyncRequest, TestApp, assert_error, interview_in, json as json_of, spawn_app,
};

pub const PASSWORD: &str = "kata-sandi-panjang";

trait JsonValue {
    async fn json_value(self) -> Value;
}

impl JsonValue for reqwest::Response {
    async fn json_value(self) -> Value {
        json_of(self).await
    }
}

pub fn add(app: &TestApp, name: &str, role: Role, instansi: Option<&str>, units: &[&str]) {
    let units: Vec<String> = units.iter().map(|u| u.to_string()).collect();
    admin::add_person(
        app.storage.as_ref(),
        name,
        role,
        instansi,
        &units,
        &Password::parse(PASSWORD).unwrap(),
        Utc::now(),
    )
    .unwrap();
}

async fn post_session(app: &TestApp, name: &str, password: &str) -> reqwest::Response {
    app.client
        .post(format!("{}/api/v1/session", app.address))
        .header(CONTENT_TYPE, "application/json")
        .body(json!({"username": name, "password": password}).to_string())
        .send()
        .await
        .unwrap()
}

/// Signs in and returns the `Cookie` header value that carries the session.
pub async fn sign_in(app: &TestApp, name: &str) -> String {
    let response = post_session(app, name, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK, "{name} signs in");
    let set = response.headers()[SET_COOKIE].to_str().unwrap().to_string();
    set.split(';').next().unwrap().to_string()
}

pub async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    body: Option<Value>,
) -> reqwest::Response {
    let url = format!("{}{path}", app.address);
    let mut request = match method {
        "GET" => app.client.get(url),
        "POST" => app.client.post(url),
        "PUT" => app.client.put(url),
        "DELETE" => app.client.delete(url),
        other => panic!("no {other} here"),
    };
    if let Some(cookie) = cookie {
        request = request.header(COOKIE, cookie);
    }
    if let Some(body) = body {
        request = request
            .header(CONTENT_TYPE, "application/json")
            .body(body.to_string());
    }
    request.send().await.unwrap()
}

/// Two units, a response pushed into U-CAPIL by its tablet and materialised.
async fn two_units_and_a_response(app: &TestApp) -> Uuid {
    app.add_unit("U-RSUD");
    let tablet = app.device("U-CAPIL", "tablet").await;
    let entries = interview_in("U-CAPIL", 9);
    let id = entries[0].doc;
    app.sync(&tablet, SyncRequest::new().push(&entries))
        .await
        .ok();
    simpul_server::materialise::catch_up(app.storage.as_ref()).unwrap();
    id
}

#[tokio::test]
async fn signing_in_gives_an_http_only_same_site_cookie_and_signing_out_ends_it() {
    let app = spawn_app().await;
    app.add_unit("U-CAPIL");
    add(&app, "Rina", Role::Supervisor, None, &["U-CAPIL"]);

    let response = post_session(&app, "Rina", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
    let set = response.headers()[SET_COOKIE].to_str().unwrap().to_string();
    assert!(set.starts_with("simpul_session="), "{set}");
    assert!(set.contains("HttpOnly"), "{set}");
    assert!(set.contains("SameSite=Strict"), "{set}");
    let me: Value = json_of(response).await;
    assert_eq!(me["name"], "Rina");
    assert_eq!(me["role"], "supervisor");
    assert_eq!(me["units"], json!(["U-CAPIL"]));

    let cookie = set.split(';').next().unwrap().to_string();
    let who = call(&app, "GET", "/api/v1/session", Some(&cookie), None).await;
    assert_eq!(who.status(), StatusCode::OK);
    let out = call(&app, "DELETE", "/api/v1/session", Some(&cookie), None).await;
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    let after = call(&app, "GET", "/api/v1/session", Some(&cookie), None).await;
    assert_error(after, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let forged = call(&app, "GET", "/api/v1/units", Some("simpul_session=x"), None).await;
    assert_error(forged, StatusCode::UNAUTHORIZED, "unauthorized").await;
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_name_are_answered_alike_and_guessing_is_throttled() {
    let app = spawn_app().await;
    app.add_unit("U-CAPIL");
    add(&app, "Rina", Role::Viewer, None, &["U-CAPIL"]);

    let unknown = post_session(&app, "Siapa", PASSWORD).await;
    assert_error(unknown, StatusCode::UNAUTHORIZED, "wrong_credentials").await;
    for _ in 0..4 {
        let wrong = post_session(&app, "rina", "bukan-sandinya").await;
        assert_error(wrong, StatusCode::UNAUTHORIZED, "wrong_credentials").await;
    }
    let fifth = post_session(&app, "Rina", "bukan-sandinya-juga").await;
    assert_error(fifth, StatusCode::UNAUTHORIZED, "wrong_credentials").await;

    // Five failures for the account: now even the right password waits.
    let held = post_session(&app, "Rina", PASSWORD).await;
    assert_eq!(held.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = held.headers()[RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=15 * 60).contains(&wait), "Retry-After {wait}");
}

#[tokio::test]
async fn one_address_guessing_many_names_is_throttled_too() {
    let app = spawn_app().await;
    app.add_unit("U-CAPIL");
    add(&app, "Rina", Role::Viewer, None, &["U-CAPIL"]);
    for i in 0..20 {
        let wrong = post_session(&app, &format!("orang{i}"), "bukan-sandinya").await;
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    }
    let held = post_session(&app, "Rina", PASSWORD).await;
    assert_error(held, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts").await;
}

#[tokio::test]
async fn every_route_answers_each_kind_of_person_as_their_role_and_scope_allow() {
    let app = spawn_app().await;
    let id = two_units_and_a_response(&app).await;
    add(&app, "Vera", Role::Viewer, None, &["U-CAPIL"]);
    add(&app, "Oki", Role::Supervisor, None, &["U-RSUD"]);
    add(&app, "Rina", Role::Supervisor, None, &["U-CAPIL"]);
    add(&app, "Adi", Role::Admin, None, &[]);
    let mut cookies = vec![None];
    for name in ["Vera", "Oki", "Rina", "Adi"] {
        cookies.push(Some(sign_in(&app, name).await));
    }

    let link = app
        .storage
        .add_link(
            &LinkToken::generate().unwrap(),
            &NewLink {
                unit: UnitCode::parse("U-CAPIL").unwrap(),
                service: None,
                period: None,
                created_by: Name::parse("person", "Rina").unwrap(),
            },
            Utc::now(),
        )
        .unwrap()
        .token;

    use StatusCode as S;
    let created = S::CREATED;
    let (ok, none, unauth, forbidden, missing, bad) = (
        S::OK,
        S::NO_CONTENT,
        S::UNAUTHORIZED,
        S::FORBIDDEN,
        S::NOT_FOUND,
        S::BAD_REQUEST,
    );
    let approve = json!({"state": "approved"});
    let not_a_conflict = json!({"field": "U1", "value": "4"});
    let restore = json!({"deleted": false});
    let plan = json!({"items": [{"unsur": "U3", "program": "Loket tambahan", "quarters": ["II"],
                                 "responsible": "Kepala Seksi"}]});
    // Route × (no session, viewer, supervisor of another unit, supervisor, admin).
    let table: Vec<(&str, String, Option<Value>, [StatusCode; 5])> = vec![
        (
            "GET",
            "/api/v1/session".into(),
            None,
            [unauth, ok, ok, ok, ok],
        ),
        (
            "GET",
            "/api/v1/units".into(),
            None,
            [unauth, ok, ok, ok, ok],
        ),
        (
            "GET",
            "/api/v1/overview?period=2025-S1".into(),
            None,
            [unauth, ok, ok, ok, ok],
        ),
        (
            "GET",
            "/api/v1/units/U-CAPIL/devices".into(),
            None,
            [unauth, ok, missing, ok, ok],
        ),
        (
            "POST",
            "/api/v1/units/U-CAPIL/enrolment-code".into(),
            Some(json!({})),
            [unauth, forbidden, missing, ok, ok],
        ),
        (
            "POST",
            "/api/v1/units/U-CAPIL/settings".into(),
            Some(json!({"population": 100})),
            [unauth, forbidden, missing, ok, ok],
        ),
        (
            "POST",
            "/api/v1/units/U-CAPIL/public".into(),
            Some(json!({"public": true})),
            [unauth, forbidden, missing, none, none],
        ),
        (
            "GET",
            "/api/v1/public/U-CAPIL".into(),
            None,
            [ok, ok, ok, ok, ok],
        ),
        (
            "GET",
            "/api/v1/units/U-CAPIL/report?period=2025-S1".into(),
            None,
            [unauth, ok, missing, ok, ok],
        ),
        (
            "GET",
            "/api/v1/units/U-NOPE/report".into(),
            None,
            [unauth, missing, missing, missing, missing],
        ),
        (
            "GET",
            "/api/v1/units/U-CAPIL/summary?period=2025-S1".into(),
            None,
            [unauth, ok, missing, ok, ok],
        ),
        (
            "GET",
            "/api/v1/units/U-CAPIL/saran?q=antre".into(),
            None,
            [unauth, ok, missing, ok, ok],
        ),
        (
            // The response holds no suggestion: nothing to mark, once the role allows asking.
            "POST",
            format!("/api/v1/units/U-CAPIL/saran/{id}"),
            Some(json!({"followed_up": true})),
            [unauth, forbidden, missing, missing, missing],
        ),
        (
            // No unit belongs to an instansi here.
            "POST",
            "/api/v1/instansi/Kota/period".into(),
            Some(json!({"period": "2026-S1"})),
            [unauth, missing, missing, missing, missing],
        ),
        (
            "GET",
            "/api/v1/units/U-CAPIL/responses.csv?state=received".into(),
            None,
            [unauth, ok, missing, ok, ok],
        ),
        (
            "GET",
            "/api/v1/units/U-CAPIL/responses.xlsx?state=received".into(),
            None,
            [unauth, ok, missing, ok, ok],
        ),
        (
            "GET",
            "/api/v1/units/U-CAPIL/links".into(),
            None,
            [unauth, ok, missing, ok, ok],
        ),
        (
            "GET",
            "/api/v1/units/U-CAPIL/invitations".into(),
            None,
            [unauth, ok, missing, ok, ok],
        ),
        (
            "POST",
            "/api/v1/units/U-CAPIL/links".into(),
            Some(json!({"service": "KTP-el"})),
            [unauth, forbidden, missing, created, created],
        ),
        (
            "POST",
            "/api/v1/units/U-CAPIL/links".into(),
            Some(json!({"period": "2026/S2"})),
            [unauth, forbidden, missing, bad, bad],
        ),
        (
            "POST",
            format!("/api/v1/links/{link}/close"),
            Some(json!({})),
            [unauth, forbidden, missing, ok, ok],
        ),
        (
            "GET",
            "/api/v1/qr.svg?text=simpul".into(),
            None,
            [unauth, ok, ok, ok, ok],
        ),
        (
            "GET",
            "/api/v1/units/U-CAPIL/conflicts".into(),
            None,
            [unauth, ok, missing, ok, ok],
        ),
        (
            "GET",
            "/api/v1/units/U-CAPIL/report.pdf?period=2025-S1".into(),
            None,
            [unauth, ok, missing, ok, ok],
        ),
        (
            "GET",
            "/api/v1/units/U-NOPE/report.pdf?period=2025-S1".into(),
            None,
            [unauth, missing, missing, missing, missing],
        ),
        (
            "GET",
            "/api/v1/units/U-CAPIL/plan?period=2025-S1".into(),
            None,
            [unauth, ok, missing, ok, ok],
        ),
        (
            "PUT",
            "/api/v1/units/U-CAPIL/plan?period=2025-S1".into(),
            Some(plan.clone()),
            [unauth, forbidden, missing, ok, ok],
        ),
        (
            "PUT",
            "/api/v1/units/U-CAPIL/plan?period=2025-S1".into(),
            Some(
                json!({"items": [{"unsur": "U0", "program": "x", "quarters": ["I"], "responsible": "y"}]}),
            ),
            [unauth, forbidden, missing, bad, bad],
        ),
        (
            "GET",
            "/api/v1/units/U-CAPIL/narrative?period=2025-S1".into(),
            None,
            [unauth, ok, missing, ok, ok],
        ),
        (
            "PUT",
            "/api/v1/units/U-CAPIL/narrative?period=2025-S1".into(),
            Some(json!({"kepala_nama": "Budi"})),
            [unauth, forbidden, missing, ok, ok],
        ),
        (
            "GET",
            format!("/api/v1/responses/{id}/history"),
            None,
            [unauth, ok, missing, ok, ok],
        ),
        (
            "GET",
            format!("/api/v1/responses/{}/history", Uuid::now_v7()),
            None,
            [unauth, missing, missing, missing, missing],
        ),
        (
            "POST",
            format!("/api/v1/responses/{id}/review"),
            Some(approve),
            [unauth, forbidden, missing, none, none],
        ),
        (
            "POST",
            "/api/v1/units/U-CAPIL/responses/review".into(),
            Some(json!({"ids": [id], "state": "approved"})),
            [unauth, forbidden, missing, ok, ok],
        ),
        (
            "POST",
            format!("/api/v1/responses/{id}/resolve"),
            Some(not_a_conflict),
            [unauth, forbidden, missing, bad, bad],
        ),
        (
            "POST",
            format!("/api/v1/responses/{id}/deleted"),
            Some(restore),
            [unauth, forbidden, missing, none, none],
        ),
    ];
    let mut wrong = Vec::new();
    for (method, path, body, expected) in &table {
        for (cookie, want) in cookies.iter().zip(expected) {
            let got = call(&app, method, path, cookie.as_deref(), body.clone())
                .await
                .status();
            if got != *want {
                wrong.push(format!(
                    "{method} {path} as {cookie:?}: {got}, expected {want}"
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));

    // Each sees only their units.
    let visible = |cookie: &Option<String>| {
        let cookie = cookie.clone();
        let app = &app;
        async move {
            let units: Value = call(app, "GET", "/api/v1/units", cookie.as_deref(), None)
                .await
                .json_value()
                .await;
            let codes: Vec<String> = units
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["code"].as_str().unwrap().to_string())
                .collect();
            codes
        }
    };
    assert_eq!(visible(&cookies[1]).await, ["U-CAPIL"]);
    assert_eq!(visible(&cookies[2]).await, ["U-RSUD"]);
    assert_eq!(visible(&cookies[4]).await, ["U-CAPIL", "U-RSUD"]);
}

#[tokio::test]
async fn a_decision_on_the_web_is_written_under_the_persons_name_and_counted_in_the_report() {
    let app = spawn_app().await;
    let id = two_units_and_a_response(&app).await;
    add(&app, "Rina", Role::Supervisor, None, &["U-CAPIL"]);
    let rina = sign_in(&app, "Rina").await;

    let unnoted = json!({"state": "rejected"});
    let path = format!("/api/v1/responses/{id}/review");
    let refused = call(&app, "POST", &path, Some(&rina), Some(unnoted)).await;
    assert_error(refused, StatusCode::BAD_REQUEST, "bad_request").await;
    let rejected = json!({"state": "rejected", "note": "responden fiktif"});
    let done = call(&app, "POST", &path, Some(&rina), Some(rejected)).await;
    assert_eq!(done.status(), StatusCode::NO_CONTENT);

    let history: Value = call(
        &app,
        "GET",
        &format!("/api/v1/responses/{id}/history"),
        Some(&rina),
        None,
    )
    .await
    .json_value()
    .await;
    let last = history.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["by"], "Rina", "{last}");
    let report: Value = call(
        &app,
        "GET",
        "/api/v1/units/U-CAPIL/report",
        Some(&rina),
        None,
    )
    .await
    .json_value()
    .await;
    assert_eq!(
        report["n"], 0,
        "a rejected response leaves the IKM: {report}"
    );
}

#[tokio::test]
async fn a_request_from_another_sites_page_is_refused_but_a_script_without_origin_is_not() {
    let app = spawn_app().await;
    let id = two_units_and_a_response(&app).await;
    add(&app, "Rina", Role::Supervisor, None, &["U-CAPIL"]);
    let rina = sign_in(&app, "Rina").await;
    let path = format!("{}/api/v1/responses/{id}/review", app.address);
    let body = json!({"state": "approved"}).to_string();
    let before = app.storage.document_history(id).unwrap().len();

    let forged = app
        .client
        .post(&path)
        .header(COOKIE, &rina)
        .header(ORIGIN, "http://jahat.example")
        .header(CONTENT_TYPE, "application/json")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_error(forged, StatusCode::FORBIDDEN, "cross_site").await;
    let form = app
        .client
        .post(&path)
        .header(COOKIE, &rina)
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body("state=approved")
        .send()
        .await
        .unwrap();
    assert_error(form, StatusCode::FORBIDDEN, "cross_site").await;
    let history = app.storage.document_history(id).unwrap();
    assert_eq!(history.len(), before, "nothing was decided");

    let own_origin = app.address.clone();
    let same_site = app
        .client
        .post(&path)
        .header(COOKIE, &rina)
        .header(ORIGIN, own_origin)
        .header(CONTENT_TYPE, "application/json")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(same_site.status(), StatusCode::NO_CONTENT);
    let script = app
        .client
        .post(&path)
        .header(COOKIE, &rina)
        .header(CONTENT_TYPE, "application/json")
        .body(json!({"state": "has-issues", "note": "cek U3"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(script.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn changing_ones_password_ends_every_session_and_only_the_new_one_signs_in() {
    let app = spawn_app().await;
    app.add_unit("U-CAPIL");
    add(&app, "Rina", Role::Viewer, None, &["U-CAPIL"]);
    let laptop = sign_in(&app, "Rina").await;
    let tablet = sign_in(&app, "Rina").await;

    let wrong_current = json!({"current": "bukan-sandinya", "new": "sandi-baru-panjang"});
    let refused = call(
        &app,
        "POST",
        "/api/v1/session/password",
        Some(&laptop),
        Some(wrong_current),
    )
    .await;
    assert_error(refused, StatusCode::UNAUTHORIZED, "wrong_credentials").await;
    let too_short = json!({"current": PASSWORD, "new": "pendek"});
    let refused = call(
        &app,
        "POST",
        "/api/v1/session/password",
        Some(&laptop),
        Some(too_short),
    )
    .await;
    assert_error(refused, StatusCode::BAD_REQUEST, "bad_request").await;

    let change = json!({"current": PASSWORD, "new": "sandi-baru-panjang"});
    let changed = call(
        &app,
        "POST",
        "/api/v1/session/password",
        Some(&laptop),
        Some(change),
    )
    .await;
    assert_eq!(changed.status(), StatusCode::NO_CONTENT);
    for cookie in [&laptop, &tablet] {
        let gone = call(&app, "GET", "/api/v1/session", Some(cookie), None).await;
        assert_eq!(gone.status(), StatusCode::UNAUTHORIZED);
    }
    let old = post_session(&app, "Rina", PASSWORD).await;
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
    let new = post_session(&app, "Rina", "sandi-baru-panjang").await;
    assert_eq!(new.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_disabled_person_is_signed_out_and_cannot_sign_in_again() {
    let app = spawn_app().await;
    app.add_unit("U-CAPIL");
    add(&app, "Rina", Role::Supervisor, None, &["U-CAPIL"]);
    let rina = sign_in(&app, "Rina").await;
    admin::disable_person(app.storage.as_ref(), "Rina", Utc::now()).unwrap();

    let gone = call(&app, "GET", "/api/v1/units", Some(&rina), None).await;
    assert_eq!(gone.status(), StatusCode::UNAUTHORIZED);
    let again = post_session(&app, "Rina", PASSWORD).await;
    assert_error(again, StatusCode::UNAUTHORIZED, "wrong_credentials").await;
}

#[test]
fn a_persons_scope_must_be_one_thing_and_an_admins_none() {
    let dir = tempfile::tempdir().unwrap();
    let storage = simpul_server::storage::SqliteStorage::open(dir.path()).unwrap();
    let password = Password::parse(PASSWORD).unwrap();
    let now = Utc::now();
    let units = vec!["U-CAPIL".to_string()];
    let add = |name, role, instansi, units: &[String]| {
        admin::add_person(&storage, name, role, instansi, units, &password, now)
    };
    assert!(add("Adi", Role::Admin, None, &units).is_err());
    assert!(add("Rina", Role::Supervisor, Some("Kab. Sleman"), &units).is_err());
    assert!(add("Rina", Role::Supervisor, None, &[]).is_err());
    let unknown_unit = add("Rina", Role::Supervisor, None, &units).unwrap_err();
    assert!(
        unknown_unit.to_string().contains("U-CAPIL"),
        "{unknown_unit}"
    );
    use simpul_server::storage::People;
    assert!(storage.people().unwrap().is_empty(), "nothing half-added");
    assert!(add("Adi", Role::Admin, None, &[]).is_ok());
    assert!(add("Adi", Role::Admin, None, &[]).is_err(), "one Adi");
}

#[tokio::test]
async fn a_supervisor_of_an_instansi_sees_its_units_including_one_added_later() {
    use simpul_server::model::{Name, UnitCode};
    let app = spawn_app().await;
    let sleman = Name::parse("instansi", "Kab. Sleman").unwrap();
    for code in ["U-CAPIL", "U-RSUD"] {
        app.add_unit(code);
    }
    let capil = UnitCode::parse("U-CAPIL").unwrap();
    app.storage.set_instansi(&capil, Some(&sleman)).unwrap();
    add(&app, "Rina", Role::Supervisor, Some("Kab. Sleman"), &[]);
    let rina = sign_in(&app, "Rina").await;
    let codes = |units: Value| -> Vec<String> {
        units
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["code"].as_str().unwrap().to_string())
            .collect()
    };

    let units = call(&app, "GET", "/api/v1/units", Some(&rina), None).await;
    assert_eq!(codes(units.json_value().await), ["U-CAPIL"]);
    let other = call(
        &app,
        "GET",
        "/api/v1/units/U-RSUD/report",
        Some(&rina),
        None,
    )
    .await;
    assert_eq!(other.status(), StatusCode::NOT_FOUND);

    let rsud = UnitCode::parse("U-RSUD").unwrap();
    app.storage.set_instansi(&rsud, Some(&sleman)).unwrap();
    let units = call(&app, "GET", "/api/v1/units", Some(&rina), None).await;
    assert_eq!(codes(units.json_value().await), ["U-CAPIL", "U-RSUD"]);
    let now_hers = call(
        &app,
        "GET",
        "/api/v1/units/U-RSUD/report",
        Some(&rina),
        None,
    )
    .await;
    assert_eq!(now_hers.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_report_downloads_as_a_spreadsheet_whose_numbers_are_the_reports() {
    use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
    let app = spawn_app().await;
    let _first = two_units_and_a_response(&app).await;
    let tablet = app.device("U-CAPIL", "tablet 2").await;
    app.sync(
        &tablet,
        SyncRequest::new().push(&interview_in("U-CAPIL", 9)),
    )
    .await
    .ok();
    simpul_server::materialise::catch_up(app.storage.as_ref()).unwrap();
    add(&app, "Rina", Role::Supervisor, None, &["U-CAPIL"]);
    add(&app, "Oki", Role::Supervisor, None, &["U-RSUD"]);
    let rina = sign_in(&app, "Rina").await;
    let oki = sign_in(&app, "Oki").await;

    let report = call(
        &app,
        "GET",
        "/api/v1/units/U-CAPIL/report",
        Some(&rina),
        None,
    )
    .await
    .json_value()
    .await;
    let download = call(
        &app,
        "GET",
        "/api/v1/units/U-CAPIL/report.xlsx",
        Some(&rina),
        None,
    )
    .await;
    assert_eq!(download.status(), StatusCode::OK);
    let disposition = download.headers()["content-disposition"].to_str().unwrap();
    assert!(disposition.contains("SKM-U-CAPIL.xlsx"), "{disposition}");
    let bytes = download.bytes().await.unwrap();

    let mut book: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let sheet = book.worksheet_range("Pengolahan").unwrap();
    // Two respondents in rows 3 and 4; the sums start at row 6 and the IKM six rows lower.
    let ikm = match sheet.get_value((6 + 6, 2)) {
        Some(Data::Float(value)) => *value,
        other => panic!("the IKM cell holds {other:?}"),
    };
    let expected = report["ikm"].as_f64().unwrap();
    assert!((ikm - expected).abs() < 1e-9, "{ikm} vs {expected}");
    let data = book.worksheet_range("Data").unwrap();
    assert_eq!(data.height(), 1 + 2, "a header and the two responses");
    // Scores are numbers a spreadsheet can sum, as the CSV's are.
    let u1 = (0..data.width())
        .find(|&col| data.get_value((0, col as u32)) == Some(&Data::String("U1".into())))
        .expect("a U1 column");
    for row in 1..3 {
        assert!(
            matches!(data.get_value((row, u1 as u32)), Some(Data::Float(_))),
            "row {row}: {:?}",
            data.get_value((row, u1 as u32))
        );
    }

    let outside = call(
        &app,
        "GET",
        "/api/v1/units/U-CAPIL/report.xlsx",
        Some(&oki),
        None,
    )
    .await;
    assert_eq!(outside.status(), StatusCode::NOT_FOUND);
    let nobody = call(&app, "GET", "/api/v1/units/U-CAPIL/report.xlsx", None, None).await;
    assert_eq!(nobody.status(), StatusCode::UNAUTHORIZED);
}
