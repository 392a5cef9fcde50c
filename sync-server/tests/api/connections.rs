//! Connections that send nothing, stop half-way or stay idle are closed, and a full house of
//! them delays new clients instead of shutting them out.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use simpul_server::admin;

use crate::helpers::{TestApp, spawn_app_with};

/// Short limits so that the tests wait seconds, not minutes.
const TIMEOUT: Duration = Duration::from_secs(1);

/// Far longer than any timeout above: a connection still open by then was never closed.
const PATIENCE: Duration = Duration::from_secs(20);

async fn app_with_short_timeouts(max_connections: usize) -> TestApp {
    spawn_app_with(|config| {
        config.header_timeout = TIMEOUT;
        config.body_timeout = TIMEOUT;
        config.max_connections = max_connections;
    })
    .await
}

/// A plain socket to the server, which sends exactly what a test writes.
fn connect(app: &TestApp) -> TcpStream {
    let address = app.address.strip_prefix("http://").unwrap();
    let stream = TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    stream
}

/// Reads until the server closes the connection (or resets it), on a blocking thread so the
/// server keeps running, and returns what it sent; fails the test if the connection is still
/// open after [`PATIENCE`].
async fn read_until_closed(mut stream: TcpStream) -> String {
    tokio::task::spawn_blocking(move || {
        let mut received = Vec::new();
        let mut buffer = [0; 4096];
        loop {
            match stream.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => received.extend_from_slice(&buffer[..n]),
                Err(error) => {
                    let still_open = matches!(
                        error.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    );
                    assert!(!still_open, "the server kept the connection open");
                    break;
                }
            }
        }
        String::from_utf8_lossy(&received).into_owned()
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn a_connection_that_sends_nothing_is_closed() {
    let app = app_with_short_timeouts(16).await;
    let silent = connect(&app);

    let received = read_until_closed(silent).await;

    assert_eq!(received, "");
}

#[tokio::test]
async fn a_connection_that_stops_in_the_middle_of_its_header_is_closed() {
    let app = app_with_short_timeouts(16).await;
    let mut partial = connect(&app);
    partial
        .write_all(b"POST /v1/enrol HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty")
        .unwrap();

    let received = read_until_closed(partial).await;

    assert!(!received.starts_with("HTTP/1.1 2"), "{received}");
}

#[tokio::test]
async fn a_kept_alive_connection_left_idle_after_its_answer_is_closed() {
    let app = app_with_short_timeouts(16).await;
    let mut idle = connect(&app);
    idle.write_all(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .unwrap();

    let received = read_until_closed(idle).await;

    assert!(received.starts_with("HTTP/1.1 200"), "{received}");
    assert!(!received.contains("connection: close"), "{received}");
}

#[tokio::test]
async fn a_request_whose_body_stops_half_way_is_refused_and_its_connection_closed() {
    let app = app_with_short_timeouts(16).await;
    app.add_unit("U-CAPIL");
    let code = app.enrolment_code("U-CAPIL");
    let mut stalled = connect(&app);
    let body = format!(r#"{{"code":"{code}","device":"Tablet 1"}}"#);
    let head = format!(
        "POST /v1/enrol HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n",
        body.len() + 100
    );
    stalled.write_all(head.as_bytes()).unwrap();
    stalled.write_all(body.as_bytes()).unwrap();

    let received = read_until_closed(stalled).await;

    assert!(received.starts_with("HTTP/1.1 400"), "{received}");
    assert!(admin::devices(app.storage.as_ref()).unwrap().is_empty());
}

#[tokio::test]
async fn with_every_connection_held_idle_health_answers_once_they_are_cut() {
    let app = app_with_short_timeouts(3).await;
    let started = Instant::now();
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(connect(&app));
    }

    let health = app
        .client
        .get(format!("{}/health", app.address))
        .timeout(PATIENCE)
        .send()
        .await
        .expect("health answers");

    assert_eq!(health.status(), StatusCode::OK);
    // It waited for a free place: the idle ones are cut only after the header timeout.
    assert!(started.elapsed() >= TIMEOUT / 2, "{:?}", started.elapsed());
    for stream in held {
        assert_eq!(read_until_closed(stream).await, "");
    }
}
