//! Many small frames that each unpack to a full payload of junk, pushed at once with one
//! valid token: the real server decodes only a few at a time, so its peak memory stays flat.

use std::io::Write;

use reqwest::StatusCode;
use simpul_protocol::http::{EnrolRequest, EnrolResponse, IDEMPOTENCY_HEADER};
use simpul_server::storage::ChangeLog;
use simpul_server::storage::SqliteStorage;
use uuid::Uuid;

use crate::helpers::{ServerProcess, json, last_line};

/// Frames pushed at once.
const PARALLEL: usize = 120;

/// The peak the server must stay under, in bytes.
const MEMORY_CEILING: u64 = 400 << 20;

/// A valid frame header (magic, version 1, no flags, payload and compressed lengths, CRC-32
/// of both), as `simpul_protocol` lays it out, around a zstd frame that unpacks to the
/// largest payload allowed, 32 MiB of zeros, which is no batch at all.
fn bomb_frame() -> Vec<u8> {
    let payload_len: u32 = 32 << 20;
    let mut encoder = zstd::stream::Encoder::new(Vec::new(), 3).unwrap();
    encoder
        .set_pledged_src_size(Some(u64::from(payload_len)))
        .unwrap();
    let chunk = vec![0u8; 1 << 20];
    for _ in 0..(payload_len >> 20) {
        encoder.write_all(&chunk).unwrap();
    }
    let compressed = encoder.finish().unwrap();
    let mut frame = b"SMPL".to_vec();
    frame.extend_from_slice(&[1, 0]);
    frame.extend_from_slice(&payload_len.to_le_bytes());
    frame.extend_from_slice(&(compressed.len() as u32).to_le_bytes());
    let mut crc = crc32fast::Hasher::new();
    crc.update(&frame);
    crc.update(&compressed);
    frame.extend_from_slice(&crc.finalize().to_le_bytes());
    frame.extend_from_slice(&compressed);
    frame
}

/// The most memory the process has held so far (`VmHWM`), in bytes.
fn peak_memory(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status
        .lines()
        .find(|line| line.starts_with("VmHWM:"))
        .unwrap();
    let kib: u64 = line
        .trim_start_matches("VmHWM:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .unwrap();
    kib << 10
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_frames_unpacking_to_junk_at_once_keep_the_servers_memory_flat() {
    let server = ServerProcess::start();
    last_line(&server.admin(&["unit", "add", "U-CAPIL", "--name", "Dinas Dukcapil"]));
    let code = last_line(&server.admin(&["enrol-code", "--unit", "U-CAPIL"]));
    let client = reqwest::Client::new();
    let enrolled: EnrolResponse = json(
        client
            .post(format!("{}/v1/enrol", server.address))
            .header("content-type", "application/json")
            .body(
                serde_json::to_vec(&EnrolRequest {
                    code,
                    device: "Tablet 1".to_string(),
                    unit: None,
                })
                .unwrap(),
            )
            .send()
            .await
            .unwrap(),
    )
    .await;
    let stored_before = SqliteStorage::open_existing(&server.data)
        .unwrap()
        .change_count()
        .unwrap();
    let bomb = bomb_frame();
    assert!(bomb.len() < 4 << 10, "{} bytes", bomb.len());

    let mut pushes = tokio::task::JoinSet::new();
    for _ in 0..PARALLEL {
        let request = client
            .post(format!("{}/v1/sync", server.address))
            .header("content-type", "application/vnd.simpul.batch")
            .header("simpul-protocol", "1")
            .header("authorization", format!("Bearer {}", enrolled.token))
            .header(IDEMPOTENCY_HEADER, Uuid::now_v7().to_string())
            .body(bomb.clone());
        pushes.spawn(async move { request.send().await.unwrap().status() });
    }
    let statuses = pushes.join_all().await;

    let peak = peak_memory(server.child.id());
    assert!(
        peak < MEMORY_CEILING,
        "the server peaked at {} MiB",
        peak >> 20
    );
    for status in statuses {
        assert!(
            [StatusCode::BAD_REQUEST, StatusCode::PAYLOAD_TOO_LARGE].contains(&status),
            "{status}"
        );
    }
    let stored_after = SqliteStorage::open_existing(&server.data)
        .unwrap()
        .change_count()
        .unwrap();
    assert_eq!(stored_after, stored_before);
}
