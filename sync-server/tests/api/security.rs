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

/// One change that starts a document holding whatever `puts` write, as a script would forge it.
fn forged(doc: Uuid, puts: &[(&str, &str)]) -> Entry {
    use automerge::transaction::Transactable;
    let mut forged = automerge::AutoCommit::new();
    for (key, value) in puts {
        forged.put(automerge::ROOT, *key, *value).unwrap();
    }
    forged.commit();
    Entry {
        doc,
        change: forged.get_last_local_change().unwrap().raw_bytes().to_vec(),
    }
}

#[tokio::test]
async fn a_document_claiming_to_be_the_units_configuration_under_a_random_id_is_refused() {
    let (app, a, b) = arranged().await;
    let doc = Uuid::now_v7();
    let id = doc.to_string();
    let claim = forged(
        doc,
        &[
            ("kind", "unit"),
            ("code", "U-X"),
            ("period", "2099-S9"),
            ("id", &id),
            ("form", "skm-2017"),
            ("unit", "U-X"),
            ("channel", "interview"),
            ("status", "final"),
        ],
    );

    let reply = app.sync(&a, SyncRequest::new().push(&[claim])).await;

    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let error = reply.error();
    assert_eq!(error.code, "malformed_batch");
    assert!(error.message.contains("configuration"), "{}", error.message);
    assert_unharmed(&app, &b).await;
}

#[tokio::test]
async fn a_document_that_is_no_response_is_refused() {
    let (app, a, b) = arranged().await;
    let junk = forged(Uuid::now_v7(), &[("hello", "world")]);

    let reply = app.sync(&a, SyncRequest::new().push(&[junk])).await;

    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let error = reply.error();
    assert_eq!(error.code, "malformed_batch");
    assert!(error.message.contains("no response"), "{}", error.message);
    assert_unharmed(&app, &b).await;
}

#[tokio::test]
async fn another_units_device_cannot_file_a_units_responses_or_make_them_vanish() {
    let app = spawn_app().await;
    let capil = app.device("U-CAPIL", "capil tablet").await;
    let capil_laptop = app.device("U-CAPIL", "capil laptop").await;
    let other = app.device("U-OTHER", "other tablet").await;
    // U-CAPIL's response, imported into U-OTHER's device from a bundle, reaches the server
    // through U-OTHER first.
    let response = crate::helpers::interview_in("U-CAPIL", 3);

    let reply = app.sync(&other, SyncRequest::new().push(&response)).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let error = reply.error();
    assert_eq!(error.code, "wrong_unit");
    assert!(error.message.contains("U-CAPIL"), "{}", error.message);
    assert_eq!(app.change_count(), 0, "nothing was filed under U-OTHER");

    // U-CAPIL's own device then stores every change as new, and its other device gets them.
    let pushed = app
        .sync(&capil, SyncRequest::new().push(&response))
        .await
        .ok();
    assert_eq!(pushed.stored, 3);
    let pulled = app.sync(&capil_laptop, SyncRequest::new()).await.ok();
    assert_eq!(
        crate::helpers::hashes(&pulled.entries),
        crate::helpers::hashes(&response)
    );

    // Once U-CAPIL holds the document, U-OTHER cannot edit it either.
    let reply = app.sync(&other, SyncRequest::new().push(&response)).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(app.change_count(), 3);
    let pulled = app.sync(&other, SyncRequest::new()).await.ok();
    assert!(pulled.entries.is_empty(), "U-OTHER sees nothing of U-CAPIL");
}

#[tokio::test]
async fn an_edit_sent_without_the_change_that_starts_its_document_is_refused() {
    let (app, a, b) = arranged().await;
    let response = interview(3);

    let reply = app.sync(&a, SyncRequest::new().push(&response[1..])).await;

    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.error().code, "malformed_batch");
    assert_unharmed(&app, &b).await;
}

#[tokio::test]
async fn a_code_for_another_unit_is_refused_before_it_is_spent() {
    let app = spawn_app().await;
    app.add_unit("U-CAPIL");
    app.add_unit("U-OTHER");
    let code = app.enrolment_code("U-OTHER");
    let request = |unit: &str| {
        app.client
            .post(format!("{}/v1/enrol", app.address))
            .header("content-type", "application/json")
            .body(
                serde_json::to_vec(&simpul_protocol::http::EnrolRequest {
                    code: code.clone(),
                    device: "tablet".into(),
                    unit: Some(unit.into()),
                })
                .unwrap(),
            )
            .send()
    };

    let refused = request("U-CAPIL").await.unwrap();
    assert_error(refused, StatusCode::FORBIDDEN, "wrong_unit").await;

    let enrolled = request("U-OTHER").await.unwrap();
    assert_eq!(enrolled.status(), StatusCode::OK, "the code was still good");
}
