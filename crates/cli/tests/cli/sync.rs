use std::net::TcpListener;
use std::time::{Duration, Instant};

use crate::helpers::{Simpul, UNSUR};

/// A server on loopback that accepts every connection and never says a word.
fn silent_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let address = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    address
}

/// Record an enrolment with `server` as `simpul enrol` would after the server said yes.
fn enrolled_with(simpul: &Simpul, server: &str) {
    let db = rusqlite::Connection::open(simpul.database()).expect("the replica opens");
    for (key, value) in [
        ("server", server),
        ("device_id", "perangkat-1"),
        ("token", "token-uji"),
        ("server_unit", "U-CAPIL"),
        ("cursor", "0"),
    ] {
        db.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key, value],
        )
        .expect("meta is written");
    }
}

#[test]
fn sync_against_a_server_that_never_answers_stops_at_its_timeout_and_marks_nothing_sent() {
    let simpul = Simpul::new();
    let mut args = vec!["capture".to_string()];
    for u in UNSUR {
        args.extend(["--set".to_string(), format!("{u}=3")]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    simpul.run(&args).ok();
    enrolled_with(&simpul, &silent_server());
    let before = simpul.json(&["status"]);
    assert!(before["pending_changes"].as_u64().unwrap() > 0, "{before}");

    let started = Instant::now();
    let out = simpul.run(&["sync", "--timeout", "2"]);
    let took = started.elapsed();

    assert!(!out.status.success(), "{out:?}");
    assert!(took < Duration::from_secs(20), "sync took {took:?}");
    assert!(
        out.stderr.contains("server tidak menjawab dalam"),
        "{}",
        out.stderr
    );
    let after = simpul.json(&["status"]);
    assert_eq!(after["pending_changes"], before["pending_changes"]);
    assert_eq!(after["last_sync"], serde_json::Value::Null);
}
