//! Eight devices push fifty batches each while a ninth pulls with the smallest page size.
//! If a change could commit with a position below a cursor already handed out, the puller
//! would step over it and never see it: the union of its pulls would miss pushed changes.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::helpers::{SyncRequest, hashes, interview, spawn_app};

const PUSHERS: usize = 8;
const BATCHES: usize = 50;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_puller_misses_no_change_while_many_devices_push_at_once() {
    let app = Arc::new(spawn_app().await);
    let puller = app.device("U-X", "puller").await;
    let mut pushers = Vec::new();
    for i in 0..PUSHERS {
        pushers.push(app.device("U-X", &format!("pusher {i}")).await);
    }
    let pushing_done = Arc::new(AtomicBool::new(false));

    // The puller pulls in small pages for as long as the pushers push, then once more
    // until nothing is left.
    let pulling = {
        let (app, done) = (Arc::clone(&app), Arc::clone(&pushing_done));
        tokio::spawn(async move {
            let (mut received, mut cursor, mut pulls_during_pushes) = (Vec::new(), 0, 0);
            loop {
                let finished = done.load(Ordering::SeqCst);
                let page = app
                    .sync(&puller, SyncRequest::new().cursor(cursor).pull_max(4096))
                    .await
                    .ok();
                assert!(page.cursor >= cursor, "the cursor went back");
                cursor = page.cursor;
                received.extend(page.entries);
                if !finished {
                    pulls_during_pushes += 1;
                } else if !page.more {
                    return (received, pulls_during_pushes);
                }
            }
        })
    };

    // Each pusher sends its batches one after another, all pushers at once.
    let mut tasks = Vec::new();
    for device in pushers {
        let app = Arc::clone(&app);
        tasks.push(tokio::spawn(async move {
            let mut sent = Vec::new();
            for _ in 0..BATCHES {
                let batch = interview(1 + sent.len() % 2);
                let reply = app
                    .sync(&device, SyncRequest::new().push(&batch))
                    .await
                    .ok();
                assert_eq!(reply.stored as usize, batch.len());
                sent.extend(batch);
            }
            sent
        }));
    }
    let mut pushed = Vec::new();
    for task in tasks {
        pushed.extend(task.await.unwrap());
    }
    pushing_done.store(true, Ordering::SeqCst);
    let (received, pulls_during_pushes) = pulling.await.unwrap();

    assert!(
        pulls_during_pushes >= 5,
        "the puller pulled only {pulls_during_pushes} times while the pushers pushed"
    );
    assert_eq!(received.len(), pushed.len(), "every change exactly once");
    let received: BTreeSet<_> = hashes(&received);
    assert_eq!(received, hashes(&pushed));
    assert_eq!(app.change_count() as usize, pushed.len());
}
