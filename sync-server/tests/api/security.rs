//! Every refused request must leave the server serving and its data as it was.

use chrono::Utc;
use reqwest::StatusCode;
use simpul_protocol::Entry;
use simpul_protocol::http::IDEMPOTENCY_HEADER;
use simpul_server::admin;
use uuid::Uuid;

use crate::helpers::{
    SyncReply, SyncRequest, TestApp, TestDevice, assert_error, frame, interview, spawn_app,
    spawn_app_with,
};

/// A unit with a device `a` that has pushed three changes, and a device `b` that pulls.
async fn arranged() -> (TestApp, TestDevice, TestDevice) {
    let app = spawn_app().await;
    let a = app.device("U-X", "A").await;
    let b = app.device("U-X", "B").await;
    let pushed = app
        .sync(&a, SyncRequest::new().push(&interview(3)))
        .await
        .ok();
    assert_eq!(pushed.stored, 3);
    (app, a, b)
}

/// The server still answers a good request, and holds exactly the three changes it had.
async fn assert_unharmed(app: &TestApp, device: &TestDevice) {
    assert_eq!(
        app.change_count(),
        3,
        "a refused request changed the stored data"
    );
    let pulled = app.sync(device, SyncRequest::new()).await.ok();
    assert_eq!(pulled.cursor, 3);
}

async fn send(app: &TestApp, token: Option<&str>, body: Vec<u8>) -> reqwest::Response {
    app.sync_request(token)
        .header(IDEMPOTENCY_HEADER, Uuid::now_v7().to_string())
        .body(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_sync_without_a_token_is_unauthorized() {
    let (app, _, b) = arranged().await;

    let response = send(&app, None, frame(interview(2))).await;

    assert_error(response, StatusCode::UNAUTHORIZED, "unauthorized").await;
    assert_unharmed(&app, &b).await;
}

#[tokio::test]
async fn a_sync_with_a_wrong_token_is_unauthorized() {
    let (app, a, b) = arranged().await;
    let mut wrong = a.token.clone();
    wrong.replace_range(..1, if wrong.starts_with('A') { "B" } else { "A" });

    let response = send(&app, Some(&wrong), frame(interview(2))).await;

    assert_error(response, StatusCode::UNAUTHORIZED, "unauthorized").await;
    assert_unharmed(&app, &b).await;
}

#[tokio::test]
async fn a_device_revoked_while_the_server_runs_is_refused_at_its_next_request() {
    let (app, a, b) = arranged().await;
    app.sync(&a, SyncRequest::new()).await.ok();

    admin::revoke_device(app.storage.as_ref(), &a.id, Utc::now()).unwrap();
    let response = send(&app, Some(&a.token), frame(interview(2))).await;

    assert_error(response, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let listed = admin::devices(app.storage.as_ref()).unwrap();
    let revoked = listed.iter().find(|d| d.id.to_string() == a.id).unwrap();
    assert!(revoked.revoked_at.is_some());
    assert_unharmed(&app, &b).await;
}

#[tokio::test]
async fn a_valid_frame_carrying_garbage_for_a_change_is_refused_whole() {
    let (app, _, b) = arranged().await;
    let mut forged = interview(2);
    forged.push(Entry {
        doc: Uuid::now_v7(),
        change: b"\x85\x6f\x4a\x83 not an automerge change".to_vec(),
    });

    let response = send(&app, Some(&b.token), frame(forged)).await;

    assert_error(response, StatusCode::BAD_REQUEST, "malformed_batch").await;
    assert_unharmed(&app, &b).await;
}

#[tokio::test]
async fn a_truncated_frame_is_refused() {
    let (app, _, b) = arranged().await;
    let whole = frame(interview(2));

    let response = send(&app, Some(&b.token), whole[..whole.len() - 5].to_vec()).await;

    assert_error(response, StatusCode::BAD_REQUEST, "malformed_batch").await;
    assert_unharmed(&app, &b).await;
}

#[tokio::test]
async fn an_empty_body_is_not_a_frame() {
    let (app, _, b) = arranged().await;

    let response = send(&app, Some(&b.token), Vec::new()).await;

    assert_error(response, StatusCode::BAD_REQUEST, "malformed_batch").await;
    assert_unharmed(&app, &b).await;
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_as_too_large() {
    let app = spawn_app_with(|config| config.body_limit = 64 << 10).await;
    let a = app.device("U-X", "A").await;
    app.sync(&a, SyncRequest::new().push(&interview(3)))
        .await
        .ok();

    let response = send(&app, Some(&a.token), vec![0x53; (64 << 10) + 1]).await;

    assert_error(response, StatusCode::PAYLOAD_TOO_LARGE, "too_large").await;
    assert_unharmed(&app, &a).await;
}

#[tokio::test]
async fn the_default_limit_refuses_a_body_over_eight_mebibytes() {
    let (app, _, b) = arranged().await;

    let response = send(&app, Some(&b.token), vec![0x53; (8 << 20) + 1]).await;

    assert_error(response, StatusCode::PAYLOAD_TOO_LARGE, "too_large").await;
    assert_unharmed(&app, &b).await;
}

#[tokio::test]
async fn a_frame_declaring_a_payload_over_the_limits_is_refused_as_too_large() {
    let (app, _, b) = arranged().await;
    let mut inflated = frame(interview(1));
    // The declared payload length, bytes 6..10: 64 MiB, over the 32 MiB limit.
    inflated[6..10].copy_from_slice(&(64u32 << 20).to_le_bytes());

    let response = send(&app, Some(&b.token), inflated).await;

    assert_error(response, StatusCode::PAYLOAD_TOO_LARGE, "too_large").await;
    assert_unharmed(&app, &b).await;
}

#[tokio::test]
async fn a_body_with_the_wrong_content_type_gets_a_json_error() {
    let (app, _, b) = arranged().await;

    let response = app
        .sync_request_as(Some(&b.token), "application/json")
        .header(IDEMPOTENCY_HEADER, Uuid::now_v7().to_string())
        .body(frame(interview(2)))
        .send()
        .await
        .unwrap();

    let reply = SyncReply::read(response).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.error().code, "bad_request");
    assert_unharmed(&app, &b).await;
}
