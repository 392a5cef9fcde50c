use reqwest::StatusCode;
use simpul_protocol::http::IDEMPOTENCY_HEADER;
use uuid::Uuid;

use crate::helpers::{SyncRequest, frame, hashes, interview, long_change, spawn_app};

#[tokio::test]
async fn changes_pushed_by_one_device_reach_another_device_of_its_unit() {
    let app = spawn_app().await;
    let a = app.device("U-X", "A").await;
    let b = app.device("U-X", "B").await;
    let changes = interview(3);

    let pushed = app.sync(&a, SyncRequest::new().push(&changes)).await.ok();
    let pulled = app.sync(&b, SyncRequest::new()).await.ok();

    assert_eq!(pushed.stored, 3);
    assert_eq!(
        pulled.entries, changes,
        "the same changes, in the order pushed"
    );
    assert_eq!(pulled.cursor, 3);
    assert!(!pulled.more);
}

#[tokio::test]
async fn a_device_never_gets_its_own_changes_back_but_its_cursor_moves_past_them() {
    let app = spawn_app().await;
    let a = app.device("U-X", "A").await;

    let pushed = app
        .sync(&a, SyncRequest::new().push(&interview(3)))
        .await
        .ok();

    assert_eq!(pushed.stored, 3);
    assert!(pushed.entries.is_empty());
    assert_eq!(pushed.cursor, 3);
    assert!(!pushed.more);
}

#[tokio::test]
async fn a_device_of_another_unit_sees_nothing() {
    let app = spawn_app().await;
    let a = app.device("U-X", "A").await;
    let c = app.device("U-Y", "C").await;
    app.sync(&a, SyncRequest::new().push(&interview(3)))
        .await
        .ok();

    let pulled = app.sync(&c, SyncRequest::new()).await.ok();

    assert!(pulled.entries.is_empty());
    assert_eq!(pulled.cursor, 0, "nothing of this unit was looked at");
    assert!(!pulled.more);
}

#[tokio::test]
async fn a_small_pull_max_pages_through_every_change_with_the_cursor() {
    let app = spawn_app().await;
    let a = app.device("U-X", "A").await;
    let b = app.device("U-X", "B").await;
    let changes: Vec<_> = (0..12).map(|_| long_change(1000)).collect();
    app.sync(&a, SyncRequest::new().push(&changes)).await.ok();

    let (mut received, mut cursor, mut pages) = (Vec::new(), 0, 0);
    loop {
        let page = app
            .sync(&b, SyncRequest::new().cursor(cursor).pull_max(4096))
            .await
            .ok();
        pages += 1;
        let payload = simpul_protocol::Batch::from(page.entries.clone()).payload_len();
        assert!(payload <= 4096, "page {pages} holds {payload} bytes");
        assert!(page.cursor > cursor, "the cursor moves on every page");
        received.extend(page.entries);
        cursor = page.cursor;
        if !page.more {
            break;
        }
    }

    assert!(pages >= 3, "{pages} pages");
    assert_eq!(received, changes);
    let after = app.sync(&b, SyncRequest::new().cursor(cursor)).await.ok();
    assert!(after.entries.is_empty() && !after.more);
}

#[tokio::test]
async fn a_change_larger_than_the_pull_max_still_comes_through_alone() {
    let app = spawn_app().await;
    let a = app.device("U-X", "A").await;
    let b = app.device("U-X", "B").await;
    let changes = vec![long_change(10_000), long_change(10)];
    app.sync(&a, SyncRequest::new().push(&changes)).await.ok();

    let first = app.sync(&b, SyncRequest::new().pull_max(4096)).await.ok();
    let second = app
        .sync(&b, SyncRequest::new().cursor(first.cursor).pull_max(4096))
        .await
        .ok();

    assert_eq!(first.entries, changes[..1]);
    assert!(first.more);
    assert_eq!(second.entries, changes[1..]);
    assert!(!second.more);
}

#[tokio::test]
async fn nothing_to_do_is_one_small_request_answered_by_an_empty_frame() {
    let app = spawn_app().await;
    let a = app.device("U-X", "A").await;
    let b = app.device("U-X", "B").await;
    app.sync(&a, SyncRequest::new().push(&interview(2)))
        .await
        .ok();
    let caught_up = app.sync(&b, SyncRequest::new()).await.ok();

    let idle = app
        .sync(&b, SyncRequest::new().cursor(caught_up.cursor))
        .await
        .ok();

    assert!(idle.entries.is_empty());
    assert!(idle.body.len() < 40, "{} bytes", idle.body.len());
    assert_eq!(idle.body, frame(Vec::new()));
    assert_eq!(
        (idle.cursor, idle.more, idle.stored),
        (caught_up.cursor, false, 0)
    );
}

#[tokio::test]
async fn a_retry_with_the_same_idempotency_key_reports_the_same_stored_count() {
    let app = spawn_app().await;
    let a = app.device("U-X", "A").await;
    let changes = interview(3);
    let key = Uuid::now_v7();

    let first = app
        .sync(&a, SyncRequest::new().push(&changes).key(key))
        .await
        .ok();
    let retry = app
        .sync(&a, SyncRequest::new().push(&changes).key(key))
        .await
        .ok();

    assert_eq!((first.stored, retry.stored), (3, 3));
    assert_eq!(app.change_count(), 3);
}

#[tokio::test]
async fn changes_pushed_twice_under_new_keys_are_stored_once() {
    let app = spawn_app().await;
    let a = app.device("U-X", "A").await;
    let b = app.device("U-X", "B").await;
    let changes = interview(3);

    app.sync(&a, SyncRequest::new().push(&changes)).await.ok();
    let again = app.sync(&a, SyncRequest::new().push(&changes)).await.ok();
    let from_b = app.sync(&b, SyncRequest::new().push(&changes)).await.ok();

    assert_eq!((again.stored, from_b.stored), (0, 0));
    assert_eq!(app.change_count(), 3);
    assert_eq!(hashes(&from_b.entries), hashes(&changes));
}

#[tokio::test]
async fn a_change_repeated_within_one_batch_is_stored_once() {
    let app = spawn_app().await;
    let a = app.device("U-X", "A").await;
    let change = interview(1);
    let twice = [change.clone(), change].concat();

    let pushed = app.sync(&a, SyncRequest::new().push(&twice)).await.ok();

    assert_eq!(pushed.stored, 1);
    assert_eq!(app.change_count(), 1);
}

#[tokio::test]
async fn a_sync_without_a_valid_idempotency_key_is_refused() {
    let app = spawn_app().await;
    let a = app.device("U-X", "A").await;

    for key in [None, Some("batch-7")] {
        let mut request = app.sync_request(Some(&a.token)).body(frame(interview(1)));
        if let Some(key) = key {
            request = request.header(IDEMPOTENCY_HEADER, key);
        }
        let reply = crate::helpers::SyncReply::read(request.send().await.unwrap()).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        assert_eq!(reply.error().code, "bad_request");
    }
    assert_eq!(app.change_count(), 0);
}

#[tokio::test]
async fn a_sync_speaking_another_protocol_version_is_refused() {
    let app = spawn_app().await;
    let a = app.device("U-X", "A").await;

    let response = app
        .client
        .post(format!("{}/v1/sync", app.address))
        .header("content-type", "application/vnd.simpul.batch")
        .header("authorization", format!("Bearer {}", a.token))
        .header("simpul-protocol", "2")
        .header(IDEMPOTENCY_HEADER, Uuid::now_v7().to_string())
        .body(frame(interview(1)))
        .send()
        .await
        .unwrap();

    crate::helpers::assert_error(response, StatusCode::BAD_REQUEST, "bad_request").await;
    assert_eq!(app.change_count(), 0);
}
