use reqwest::StatusCode;
use reqwest::header::CONTENT_TYPE;
use serde_json::Value;

use simpul_protocol::http::ErrorBody;

use crate::helpers::{assert_error, json, spawn_app, spawn_app_with};

#[tokio::test]
async fn the_root_tells_a_person_what_this_server_is() {
    let app = spawn_app().await;

    let response = app.client.get(&app.address).send().await.unwrap();

    assert_eq!(response.status(), StatusCode::OK);
    let about: Value = json(response).await;
    assert_eq!(about["name"], "simpul-server");
    assert_eq!(about["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(about["protocol"], 1);
}

#[tokio::test]
async fn health_is_ok_when_the_database_answers() {
    let app = spawn_app().await;

    let response = app
        .client
        .get(format!("{}/health", app.address))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::OK);
    let health: Value = json(response).await;
    assert_eq!(health["status"], "ok");
    assert!(health["free_bytes"].as_u64().unwrap() > 0, "{health}");
}

#[tokio::test]
async fn health_is_unavailable_when_the_disk_is_almost_full() {
    let app = spawn_app_with(|config| config.min_free_space = u64::MAX).await;

    let response = app
        .client
        .get(format!("{}/health", app.address))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let error: ErrorBody = json(response).await;
    assert!(
        error.message.contains("disk is almost full"),
        "{}",
        error.message
    );
}

#[tokio::test]
async fn an_unknown_address_gets_a_json_not_found() {
    let app = spawn_app().await;

    let response = app
        .client
        .get(format!("{}/v1/nothing-here", app.address))
        .send()
        .await
        .unwrap();

    assert_error(response, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn a_wrong_method_gets_a_json_error() {
    let app = spawn_app().await;

    let response = app
        .client
        .get(format!("{}/v1/sync", app.address))
        .send()
        .await
        .unwrap();

    assert_error(response, StatusCode::METHOD_NOT_ALLOWED, "bad_request").await;
}

#[tokio::test]
async fn an_enrolment_body_that_is_not_json_gets_a_json_error() {
    let app = spawn_app().await;
    let url = format!("{}/v1/enrol", app.address);

    let broken = app
        .client
        .post(&url)
        .header(CONTENT_TYPE, "application/json")
        .body("{\"code\": ")
        .send()
        .await
        .unwrap();
    let untyped = app.client.post(&url).body("{}").send().await.unwrap();
    let incomplete = app
        .client
        .post(&url)
        .header(CONTENT_TYPE, "application/json")
        .body("{\"code\": \"KQ7M-4XPA-2H\"}")
        .send()
        .await
        .unwrap();

    assert_error(broken, StatusCode::BAD_REQUEST, "bad_request").await;
    assert_error(untyped, StatusCode::BAD_REQUEST, "bad_request").await;
    assert_error(incomplete, StatusCode::BAD_REQUEST, "bad_request").await;
}

#[tokio::test]
async fn metrics_count_requests_changes_and_bytes_and_show_the_materialisers_lag() {
    let app = spawn_app().await;
    let tablet = app.device("U-CAPIL", "tablet").await;
    let entries = crate::helpers::interview_in("U-CAPIL", 9);
    let pushed = app
        .sync(&tablet, crate::helpers::SyncRequest::new().push(&entries))
        .await
        .ok();
    app.client
        .get(format!("{}/no/such/place", app.address))
        .send()
        .await
        .unwrap();

    let response = app
        .client
        .get(format!("{}/metrics", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/openmetrics-text")
    );
    let text = response.text().await.unwrap();
    let value = |series: &str| -> f64 {
        text.lines()
            .find_map(|line| line.strip_prefix(series)?.trim().parse().ok())
            .unwrap_or_else(|| panic!("no {series} in\n{text}"))
    };
    assert_eq!(value("simpul_changes_pushed_total"), pushed.stored as f64);
    assert!(value("simpul_sync_received_bytes_total") > 0.0);
    assert!(value("simpul_sync_sent_bytes_total") > 0.0);
    assert_eq!(
        value(r#"simpul_http_requests_total{route="/v1/sync",status="200"}"#),
        1.0
    );
    assert_eq!(
        value(r#"simpul_http_requests_total{route="unmatched",status="404"}"#),
        1.0
    );
    assert!(value("simpul_changes_stored") >= pushed.stored as f64);
    let lag = value("simpul_materialiser_lag_changes");
    assert!((0.0..=pushed.stored as f64).contains(&lag), "lag {lag}");
}
