//! The electronic channel's two targets, each beside a baseline measured in the same run:
//!
//! - **First load of the respondents' page** over an emulated 4 KB/s link with 300 ms round
//!   trips (Chromium's network conditions, a fresh profile each time): bytes transferred,
//!   compressed, and the time from navigation until the first button can be pressed. The
//!   baseline is the supervisors' web sign-in page over the same link.
//! - **Web answer sets stored per second by one node**: 32 clients at once post complete,
//!   distinct answer sets to one link of a real `simpul-server`; each `201` means stored
//!   durably. The baseline is the floor of any durable one-at-a-time store: the same number
//!   of single-row transactions into SQLite with the server's settings (WAL,
//!   `synchronous = FULL`), in this process.
//!
//! Run:
//!
//!     (cd ui && npm run build) && cargo build --release --workspace --bins
//!     SIMPUL_BIN_DIR=$PWD/target/release cargo bench --workspace --bench survey
//!
//! `SIMPUL_BENCH_QUICK=1` (or `--quick`) runs a small version to prove the bench still
//! runs; its numbers are not results. Prints a markdown table.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rusqlite::{Connection, params};
use serde_json::{Value, json};
use simpul_e2e::Server;
use simpul_e2e::browser::Browser;
use uuid::Uuid;

/// The link the target is set for.
const LINK_BYTES_PER_SECOND: u64 = 4 * 1024;
const LINK_LATENCY: Duration = Duration::from_millis(300);
const CLIENTS: usize = 32;

fn main() {
    let quick = std::env::var_os("SIMPUL_BENCH_QUICK").is_some()
        || std::env::args().any(|a| a == "--quick");
    // SAFETY: set before any thread starts; the server processes inherit it. One address
    // (loopback) sends every answer here, as a whole office behind one router would.
    unsafe { std::env::set_var("SIMPUL_WEB_ANSWERS_PER_HOUR", "1000000") };
    let answers = if quick { 200 } else { 10_000 };

    let server = Server::start();
    let link = server.survey_link();

    let survey = first_load("bench-survey-page", &link, "survey-start");
    let web = first_load("bench-web-page", &server.url(), "sign-in-username");

    let (took, refused) = post_answers(&link, answers);
    let floor = sqlite_floor(answers);

    println!("## The respondents' page, first load over 4 KB/s and 300 ms round trips\n");
    println!("| page | transferred (compressed) | until the first button |");
    println!("|---|---|---|");
    for (name, load) in [
        ("respondents' page `/f/TOKEN`", &survey),
        ("baseline: supervisors' sign-in `/`", &web),
    ] {
        println!(
            "| {name} | {:.1} KB | {:.1} s |",
            load.bytes as f64 / 1024.0,
            load.ready.as_secs_f64()
        );
    }
    println!(
        "\nThe respondents' page is ×{:.1} lighter and ready ×{:.1} sooner than the baseline.\n",
        web.bytes as f64 / survey.bytes.max(1) as f64,
        web.ready.as_secs_f64() / survey.ready.as_secs_f64().max(1e-9),
    );
    println!("## Web answer sets stored by one node ({answers}, {CLIENTS} clients at once)\n");
    println!("| | answer sets/s |");
    println!("|---|---|");
    println!(
        "| `POST /f/TOKEN/responses` → 201 | {:.0} |",
        answers as f64 / took.as_secs_f64()
    );
    println!(
        "| baseline: one durable SQLite transaction per row | {:.0} |",
        answers as f64 / floor.as_secs_f64()
    );
    println!(
        "\nRefused: {refused}. Server over the floor: ×{:.2}.",
        floor.as_secs_f64() / took.as_secs_f64()
    );
    assert_eq!(refused, 0, "every answer set is stored");
}

struct Load {
    /// Bytes over the wire for the page and everything it loaded, headers included.
    bytes: u64,
    /// From navigation start to `ready` being in the page.
    ready: Duration,
}

/// `url` opened in a fresh headless Chromium over the emulated link, until the element with
/// test id `ready` shows.
fn first_load(run: &str, url: &str, ready: &str) -> Load {
    let web = Browser::open(run, 390, 844);
    web.set_network(false, LINK_LATENCY, Some(LINK_BYTES_PER_SECOND));
    let start = Instant::now();
    web.goto(url);
    web.find(ready);
    let ready = start.elapsed();
    web.snap("loaded");
    let bytes = web.eval(
        "const all = [...performance.getEntriesByType('navigation'),
                      ...performance.getEntriesByType('resource')];
         return all.reduce((sum, e) => sum + (e.transferSize || 0), 0);",
    );
    Load {
        bytes: bytes.as_u64().expect("a byte count"),
        ready,
    }
}

/// Posts `count` distinct, complete answer sets from [`CLIENTS`] threads; how long until the
/// last was stored, and how many were not answered `201`.
fn post_answers(link: &str, count: usize) -> (Duration, usize) {
    let next = Arc::new(AtomicUsize::new(0));
    let refused = Arc::new(Mutex::new(0usize));
    let url = format!("{link}/responses");
    let start = Instant::now();
    let workers: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (next, refused, url) = (Arc::clone(&next), Arc::clone(&refused), url.clone());
            std::thread::spawn(move || {
                let client = reqwest::blocking::Client::new();
                while next.fetch_add(1, Ordering::Relaxed) < count {
                    let body = answer_set();
                    let status = client
                        .post(&url)
                        .header("content-type", "application/json")
                        .body(serde_json::to_vec(&body).expect("JSON"))
                        .send()
                        .map(|response| response.status().as_u16());
                    if status.ok() != Some(201) {
                        *refused.lock().unwrap() += 1;
                    }
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().expect("a client thread");
    }
    let took = start.elapsed();
    let refused = *refused.lock().unwrap();
    (took, refused)
}

fn answer_set() -> Value {
    let mut answers = json!({
        "jenis_kelamin": "P", "umur": 34, "pendidikan": "SMA", "pekerjaan": "SWASTA",
        "layanan": "KTP-el", "saran": "Ruang tunggu kurang sejuk",
    });
    let id = Uuid::now_v7();
    for unsur in 1..=9 {
        // Scores vary with the id, so that no two sets are alike.
        let score = 1 + (id.as_u128() >> (unsur * 2)) % 4;
        answers[format!("U{unsur}")] = json!(score as u64);
    }
    json!({"id": id, "answers": answers, "website": ""})
}

/// `count` single-row durable transactions, one after another, as the server stores them.
fn sqlite_floor(count: usize) -> Duration {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let conn = Connection::open(dir.path().join("floor.sqlite3")).expect("SQLite opens");
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.pragma_update(None, "synchronous", "FULL").unwrap();
    conn.execute_batch(
        "CREATE TABLE changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, doc TEXT NOT NULL,
             bytes BLOB NOT NULL) STRICT;",
    )
    .unwrap();
    let row = vec![7u8; 700];
    let start = Instant::now();
    for _ in 0..count {
        conn.execute(
            "INSERT INTO changes (doc, bytes) VALUES (?1, ?2)",
            params![Uuid::now_v7().to_string(), row],
        )
        .unwrap();
    }
    start.elapsed()
}
