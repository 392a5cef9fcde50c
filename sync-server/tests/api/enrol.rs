use std::net::IpAddr;

use chrono::{TimeDelta, Utc};
use reqwest::StatusCode;
use simpul_protocol::http::{ENROL_PATH, EnrolRequest, EnrolResponse, ErrorBody};
use simpul_server::admin;
use simpul_server::model::{Name, UnitCode};
use simpul_server::secret::RelayCode;

use crate::helpers::{assert_error, json, spawn_app};

#[tokio::test]
async fn an_enrolment_code_becomes_a_device_token_for_its_unit() {
    let app = spawn_app().await;
    app.add_unit("U-CAPIL");
    let code = app.enrolment_code("U-CAPIL");

    let response = app.enrol(&code, "Tablet 1").await;

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let enrolled: EnrolResponse = json(response).await;
    assert_eq!(enrolled.unit, "U-CAPIL");
    assert_eq!(enrolled.unit_name, "Unit U-CAPIL");
    assert_eq!(enrolled.token.len(), 43, "32 bytes in base64url");
    let devices = admin::devices(app.storage.as_ref()).unwrap();
    assert_eq!(devices.len(), 1);
    assert_eq!(devices[0].id.to_string(), enrolled.device_id);
    assert_eq!(devices[0].name, "Tablet 1");
}

#[tokio::test]
async fn a_code_typed_in_lower_case_with_spaces_still_enrols() {
    let app = spawn_app().await;
    app.add_unit("U-CAPIL");
    let code = app.enrolment_code("U-CAPIL");

    let response = app
        .enrol(&code.replace('-', " ").to_lowercase(), "Tablet 1")
        .await;

    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_enrolment_code_works_only_once() {
    let app = spawn_app().await;
    app.add_unit("U-CAPIL");
    let code = app.enrolment_code("U-CAPIL");
    assert_eq!(app.enrol(&code, "Tablet 1").await.status(), StatusCode::OK);

    let again = app.enrol(&code, "Tablet 2").await;

    assert_error(again, StatusCode::CONFLICT, "enrolment_refused").await;
    assert_eq!(admin::devices(app.storage.as_ref()).unwrap().len(), 1);
}

#[tokio::test]
async fn an_expired_enrolment_code_is_refused() {
    let app = spawn_app().await;
    app.add_unit("U-CAPIL");
    let eight_days_ago = Utc::now() - TimeDelta::days(8);
    let issued =
        admin::issue_enrolment_code(app.storage.as_ref(), "U-CAPIL", eight_days_ago).unwrap();

    let response = app.enrol(&issued.code.expose(), "Tablet 1").await;

    assert_error(response, StatusCode::CONFLICT, "enrolment_refused").await;
    assert!(admin::devices(app.storage.as_ref()).unwrap().is_empty());
}

#[tokio::test]
async fn unknown_and_malformed_codes_are_refused_like_used_ones() {
    let app = spawn_app().await;
    app.add_unit("U-CAPIL");
    let _live = app.enrolment_code("U-CAPIL");

    for code in ["KQ7M-4XPA-2H", "not a code", ""] {
        let response = app.enrol(code, "Tablet 1").await;
        assert_error(response, StatusCode::CONFLICT, "enrolment_refused").await;
    }
    assert!(admin::devices(app.storage.as_ref()).unwrap().is_empty());
}

#[tokio::test]
async fn a_device_without_a_name_is_a_bad_request_and_keeps_the_code_usable() {
    let app = spawn_app().await;
    app.add_unit("U-CAPIL");
    let code = app.enrolment_code("U-CAPIL");

    let nameless = app.enrol(&code, "   ").await;
    assert_error(nameless, StatusCode::BAD_REQUEST, "bad_request").await;

    assert_eq!(app.enrol(&code, "Tablet 1").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn neither_codes_nor_tokens_are_stored_in_clear() {
    let app = spawn_app().await;
    app.add_unit("U-CAPIL");
    let used = app.enrolment_code("U-CAPIL");
    let unused = app.enrolment_code("U-CAPIL");
    let enrolled: EnrolResponse = json(app.enrol(&used, "Tablet 1").await).await;

    let mut stored = Vec::new();
    let dir = app.storage_dir();
    for entry in std::fs::read_dir(&dir).unwrap() {
        stored.extend(std::fs::read(entry.unwrap().path()).unwrap());
    }

    let readable = |text: &str| stored.windows(text.len()).any(|w| w == text.as_bytes());
    assert!(readable("Tablet 1"), "the database files were not read");
    for secret in [
        enrolled.token.as_str(),
        &used.replace('-', ""),
        &unused.replace('-', ""),
    ] {
        assert!(!readable(secret), "a secret is stored in clear");
    }
}

#[tokio::test]
async fn unknown_used_and_expired_codes_get_the_same_answer() {
    let app = spawn_app().await;
    app.add_unit("U-CAPIL");
    let used = app.enrolment_code("U-CAPIL");
    assert_eq!(app.enrol(&used, "Tablet 1").await.status(), StatusCode::OK);
    let expired = admin::issue_enrolment_code(
        app.storage.as_ref(),
        "U-CAPIL",
        Utc::now() - TimeDelta::days(8),
    )
    .unwrap();

    let mut answers = Vec::new();
    for code in ["KQ7M-4XPA-2H", &used, &expired.code.expose()] {
        let response = app.enrol(code, "Tablet 2").await;
        let status = response.status();
        let error: ErrorBody = json(response).await;
        answers.push((status, error.code, error.message));
    }

    assert_eq!(answers[0].0, StatusCode::CONFLICT);
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0], answers[2]);
    assert_eq!(admin::devices(app.storage.as_ref()).unwrap().len(), 1);
}

#[tokio::test]
async fn after_five_wrong_codes_an_address_must_wait_even_with_a_right_code() {
    let app = spawn_app().await;
    app.add_unit("U-CAPIL");
    let code = app.enrolment_code("U-CAPIL");
    for _ in 0..5 {
        let wrong = app.enrol("KQ7M-4XPA-2H", "Tablet 1").await;
        assert_eq!(wrong.status(), StatusCode::CONFLICT);
    }

    let response = app.enrol(&code, "Tablet 1").await;

    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "Retry-After: {wait}");
    assert_error(response, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts").await;
    assert!(admin::devices(app.storage.as_ref()).unwrap().is_empty());
}

#[tokio::test]
async fn a_right_code_from_another_address_enrols_while_one_address_must_wait() {
    let app = spawn_app().await;
    app.add_unit("U-CAPIL");
    let code = app.enrolment_code("U-CAPIL");
    for _ in 0..6 {
        app.enrol("KQ7M-4XPA-2H", "Tablet 1").await;
    }
    assert_eq!(
        app.enrol(&code, "Tablet 1").await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    // Another loopback address: the whole of 127.0.0.0/8 reaches this machine.
    let elsewhere = reqwest::Client::builder()
        .local_address(IpAddr::from([127, 0, 0, 2]))
        .build()
        .unwrap();

    let response = elsewhere
        .post(format!("{}{ENROL_PATH}", app.address))
        .header("content-type", "application/json")
        .body(
            serde_json::to_vec(&EnrolRequest {
                code: code.clone(),
                device: "Tablet 2".to_string(),
                unit: None,
            })
            .unwrap(),
        )
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::OK);
    let devices = admin::devices(app.storage.as_ref()).unwrap();
    assert_eq!(devices.len(), 1);
    assert_eq!(devices[0].name, "Tablet 2");
}

#[tokio::test]
async fn a_relay_code_enrols_one_device_in_each_of_its_units_once() {
    let app = spawn_app().await;
    for unit in ["U-A", "U-B", "U-C"] {
        app.add_unit(unit);
    }
    let listed = admin::RelayUnits::Listed(vec!["U-B".into(), "U-A".into()]);
    let issued = admin::issue_relay_code(app.storage.as_ref(), &listed, Utc::now()).unwrap();
    let shown = issued.code.expose();
    assert!(shown.starts_with("U-A,U-B:"), "{shown}");

    // What the relay does with it: one ordinary code per unit, each sent as any device does.
    let code = RelayCode::parse(&shown).unwrap();
    for unit in code.units() {
        let response = app
            .enrol(&code.code_for(unit).expose(), "Relay Kecamatan")
            .await;
        assert_eq!(response.status(), StatusCode::OK, "{unit}");
        let enrolled: EnrolResponse = json(response).await;
        assert_eq!(enrolled.unit, unit.as_str());
    }
    let again = app
        .enrol(&code.code_for(&code.units()[0]).expose(), "Relay lain")
        .await;
    assert_error(again, StatusCode::CONFLICT, "enrolment_refused").await;

    let mut units: Vec<String> = admin::devices(app.storage.as_ref())
        .unwrap()
        .iter()
        .map(|device| device.unit.to_string())
        .collect();
    units.sort();
    assert_eq!(units, ["U-A", "U-B"]);
}

#[tokio::test]
async fn a_relay_code_for_a_unit_or_instansi_that_does_not_exist_is_refused_naming_it() {
    let app = spawn_app().await;
    app.add_unit("U-A");
    let listed = admin::RelayUnits::Listed(vec!["U-A".into(), "U-ZZ".into()]);

    let refused = admin::issue_relay_code(app.storage.as_ref(), &listed, Utc::now()).unwrap_err();

    assert!(refused.to_string().contains("U-ZZ"), "{refused}");
    let instansi = admin::RelayUnits::Instansi("Pemkab Contoh".into());
    let refused = admin::issue_relay_code(app.storage.as_ref(), &instansi, Utc::now()).unwrap_err();
    assert!(refused.to_string().contains("Pemkab Contoh"), "{refused}");
}

#[tokio::test]
async fn a_relay_code_for_an_instansi_carries_its_units_as_they_are_now() {
    let app = spawn_app().await;
    let instansi = Name::parse("instansi", "Pemkab Contoh").unwrap();
    for unit in ["U-A", "U-B", "U-C"] {
        app.add_unit(unit);
    }
    for unit in ["U-A", "U-C"] {
        let unit = UnitCode::parse(unit).unwrap();
        app.storage.set_instansi(&unit, Some(&instansi)).unwrap();
    }

    let by_instansi = admin::RelayUnits::Instansi("Pemkab Contoh".into());
    let issued = admin::issue_relay_code(app.storage.as_ref(), &by_instansi, Utc::now()).unwrap();

    let units: Vec<&str> = issued.code.units().iter().map(UnitCode::as_str).collect();
    assert_eq!(units, ["U-A", "U-C"]);
}
