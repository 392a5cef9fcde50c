//! The real `simpul-server` binary: what an operator runs.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use simpul_protocol::http::{EnrolRequest, EnrolResponse, IDEMPOTENCY_HEADER};
use uuid::Uuid;

use crate::helpers::{ServerProcess, admin_command, frame, interview_in, json, last_line};

async fn enrol(server: &ServerProcess, code: &str) -> reqwest::Response {
    let request = EnrolRequest {
        code: code.to_string(),
        device: "Tablet 1".to_string(),
        unit: None,
    };
    reqwest::Client::new()
        .post(format!("{}/v1/enrol", server.address))
        .header("content-type", "application/json")
        .body(serde_json::to_vec(&request).unwrap())
        .send()
        .await
        .unwrap()
}

async fn push(server: &ServerProcess, token: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}/v1/sync", server.address))
        .header("content-type", "application/vnd.simpul.batch")
        .header("simpul-protocol", "1")
        .header("authorization", format!("Bearer {token}"))
        .header(IDEMPOTENCY_HEADER, Uuid::now_v7().to_string())
        .body(frame(interview_in("U-CAPIL", 2)))
        .send()
        .await
        .unwrap()
}

/// Waits for the process to exit, failing the test after a few seconds.
fn wait_for_exit(server: &mut ServerProcess) -> std::process::ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < deadline, "the server did not stop");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[tokio::test]
async fn a_code_printed_by_the_admin_command_enrols_a_device_while_the_server_runs() {
    let server = ServerProcess::start();
    last_line(&server.admin(&["unit", "add", "U-CAPIL", "--name", "Dinas Dukcapil"]));

    let code = last_line(&server.admin(&["enrol-code", "--unit", "U-CAPIL"]));
    let response = enrol(&server, &code).await;

    assert_eq!(response.status(), StatusCode::OK, "code {code:?}");
    let enrolled: EnrolResponse = json(response).await;
    assert_eq!(enrolled.unit_name, "Dinas Dukcapil");
    assert_eq!(
        push(&server, &enrolled.token).await.status(),
        StatusCode::OK
    );
    let listed = server.admin(&["device", "list"]);
    assert!(String::from_utf8_lossy(&listed.stdout).contains(&enrolled.device_id));
}

#[tokio::test]
async fn a_link_printed_by_the_admin_command_takes_answers_until_it_is_closed() {
    let server = ServerProcess::start();
    last_line(&server.admin(&[
        "unit",
        "add",
        "U-CAPIL",
        "--name",
        "Dinas Dukcapil",
        "--period",
        "2026-S2",
    ]));
    let url = last_line(&server.admin(&[
        "link",
        "add",
        "--unit",
        "U-CAPIL",
        "--public-url",
        &server.address,
    ]));
    let token = url
        .strip_prefix(&format!("{}/f/", server.address))
        .unwrap_or_else(|| panic!("the last line is the link's address: {url}"))
        .to_string();
    let answer = |id: Uuid| {
        let mut answers =
            serde_json::json!({"jenis_kelamin": "L", "umur": 40, "layanan": "KTP-el"});
        for unsur in 1..=9 {
            answers[format!("U{unsur}")] = serde_json::json!(3);
        }
        reqwest::Client::new()
            .post(format!("{url}/responses"))
            .json(&serde_json::json!({"id": id, "answers": answers}))
            .send()
    };
    // The running server's follower materialises the unit's period moments after it is set.
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        let status = answer(Uuid::now_v7()).await.unwrap().status();
        if status != StatusCode::GONE || Instant::now() > deadline {
            break status;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(status, StatusCode::CREATED);

    let listed = server.admin(&["link", "list", "--unit", "U-CAPIL"]);
    let listed = String::from_utf8_lossy(&listed.stdout).to_string();
    assert!(
        listed.contains(&format!("{token}\t-\t-\t1\topen")),
        "{listed}"
    );
    last_line(&server.admin(&["link", "close", &token]));
    assert_eq!(
        answer(Uuid::now_v7()).await.unwrap().status(),
        StatusCode::GONE
    );
    let wrong = server.admin(&["link", "close", "abcdefghjkmn"]);
    assert!(!wrong.status.success());
    assert!(
        String::from_utf8_lossy(&wrong.stderr).contains("abcdefghjkmn"),
        "the error names the link"
    );
}

#[tokio::test]
async fn a_device_revoked_by_the_admin_command_is_refused_at_its_next_request() {
    let server = ServerProcess::start();
    last_line(&server.admin(&["unit", "add", "U-CAPIL", "--name", "Dinas Dukcapil"]));
    let code = last_line(&server.admin(&["enrol-code", "--unit", "U-CAPIL"]));
    let enrolled: EnrolResponse = json(enrol(&server, &code).await).await;
    assert_eq!(
        push(&server, &enrolled.token).await.status(),
        StatusCode::OK
    );

    let revoked = server.admin(&["device", "revoke", &enrolled.device_id]);
    let response = push(&server, &enrolled.token).await;

    assert!(last_line(&revoked).starts_with("revoked"));
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_admin_command_explains_an_unknown_unit_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    last_line(&admin_command(
        dir.path(),
        &["unit", "add", "U-CAPIL", "--name", "Dinas Dukcapil"],
    ));

    let output = admin_command(dir.path(), &["enrol-code", "--unit", "U-NOPE"]);

    assert!(!output.status.success());
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(message.contains("unit U-NOPE does not exist"), "{message}");
}

#[tokio::test]
async fn sigterm_stops_the_server_cleanly_with_exit_code_zero() {
    let mut server = ServerProcess::start();
    // A kept-alive idle connection must not hold the shutdown up.
    let client = reqwest::Client::new();
    let up = client
        .get(format!("{}/health", server.address))
        .send()
        .await
        .unwrap();
    assert_eq!(up.status(), StatusCode::OK);

    server.terminate();
    let status = wait_for_exit(&mut server);

    assert_eq!(status.code(), Some(0), "{status}");
    let log = std::fs::read_to_string(&server.log).unwrap();
    assert!(log.contains("shutting down"), "{log}");
}

#[tokio::test]
async fn with_json_logging_each_request_is_one_json_line_with_status_device_and_counts() {
    let mut server = ServerProcess::start_with_env(&[("SIMPUL_LOG_FORMAT", "json")]);
    last_line(&server.admin(&["unit", "add", "U-CAPIL", "--name", "Dinas Dukcapil"]));
    let code = last_line(&server.admin(&["enrol-code", "--unit", "U-CAPIL"]));
    let enrolled: EnrolResponse = json(enrol(&server, &code).await).await;
    push(&server, &enrolled.token).await;
    let client = reqwest::Client::new();
    client
        .get(format!("{}/missing", server.address))
        .send()
        .await
        .unwrap();
    server.terminate();
    wait_for_exit(&mut server);

    let log = std::fs::read_to_string(&server.log).unwrap();
    let answered: Vec<serde_json::Value> = log
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}")))
        .filter(|event: &serde_json::Value| event["fields"]["message"] == "answered")
        .collect();
    let statuses: Vec<_> = answered
        .iter()
        .map(|event| event["fields"]["status"].clone())
        .collect();
    assert_eq!(statuses, [200, 200, 404], "{log}");
    let sync = &answered[1]["span"];
    assert_eq!(sync["path"], "/v1/sync");
    assert_eq!(sync["device"], enrolled.device_id.as_str());
    // Its two changes stored; the unit's configuration document pulled.
    assert_eq!(
        (sync["stored"].clone(), sync["pulled"].clone()),
        (2.into(), 1.into())
    );
    assert_eq!(
        answered[2]["span"]["error"],
        "not_found: there is nothing at this address"
    );
}

#[test]
fn an_admin_command_given_a_mistyped_folder_fails_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let typo = dir.path().join("TYPO");

    for args in [
        &["device", "list"][..],
        &["unit", "list"],
        &["enrol-code", "--unit", "U-CAPIL"],
    ] {
        let output = admin_command(&typo, args);

        assert!(!output.status.success(), "{args:?}");
        let message = String::from_utf8_lossy(&output.stderr);
        assert!(message.contains("holds no simpul-server data"), "{message}");
        assert!(message.contains(&typo.display().to_string()), "{message}");
        assert!(!typo.exists(), "{args:?} created the folder");
    }
}

#[test]
fn an_admin_command_given_an_empty_folder_writes_no_file_into_it() {
    let dir = tempfile::tempdir().unwrap();

    let output = admin_command(dir.path(), &["device", "list"]);

    assert!(!output.status.success());
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(message.contains("holds no simpul-server data"), "{message}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn a_device_folder_given_as_the_server_folder_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("simpul.sqlite3"), b"a device's replica").unwrap();

    for args in [
        &["device", "list"][..],
        &["unit", "add", "U-CAPIL", "--name", "Dinas Dukcapil"],
    ] {
        let output = admin_command(dir.path(), args);

        assert!(!output.status.success(), "{args:?}");
        let message = String::from_utf8_lossy(&output.stderr);
        assert!(message.contains("is a device's folder"), "{message}");
    }
    let files: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    assert_eq!(files, ["simpul.sqlite3"]);
}

#[tokio::test]
async fn refused_codes_and_tokens_are_logged_with_the_client_address_never_the_code() {
    let mut server = ServerProcess::start();
    last_line(&server.admin(&["unit", "add", "U-CAPIL", "--name", "Dinas Dukcapil"]));
    let wrong_code = "KQ7M-4XPA-2H";

    assert_eq!(
        enrol(&server, wrong_code).await.status(),
        StatusCode::CONFLICT
    );
    let refused = push(&server, "not-a-token").await;
    server.terminate();
    wait_for_exit(&mut server);

    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let log = std::fs::read_to_string(&server.log).unwrap();
    let line = |needle: &str| {
        log.lines()
            .find(|line| line.contains(needle))
            .unwrap_or_else(|| panic!("no {needle:?} in {log}"))
            .to_string()
    };
    assert!(
        line("enrolment refused").contains("client=127.0.0.1:"),
        "{log}"
    );
    assert!(
        line("device token refused").contains("client=127.0.0.1:"),
        "{log}"
    );
    assert!(!log.contains("KQ7M"), "the code was logged: {log}");
}

#[test]
fn a_command_whose_output_pipe_closes_early_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    last_line(&admin_command(
        dir.path(),
        &["unit", "add", "U-CAPIL", "--name", "Dinas Dukcapil"],
    ));
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_simpul-server"))
        .args(["conflicts", "--format", "json", "--data"])
        .arg(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The reader goes away before a line is written, as `| head -0` would.
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_ne!(output.status.code(), Some(101), "{stderr}");
}

#[tokio::test]
async fn a_person_added_by_the_admin_command_with_a_piped_password_signs_in_to_the_running_server()
{
    let server = ServerProcess::start();
    last_line(&server.admin(&["unit", "add", "U-CAPIL", "--name", "Dinas Dukcapil"]));
    let add = |args: &[&str], password: &str| {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_simpul-server"))
            .arg("admin")
            .arg("--data")
            .arg(&server.data)
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
        child.wait_with_output().unwrap()
    };
    let short = add(
        &[
            "user",
            "add",
            "Rina",
            "--role",
            "supervisor",
            "--units",
            "U-CAPIL",
            "--password-stdin",
        ],
        "pendek",
    );
    assert!(!short.status.success());
    let said = String::from_utf8_lossy(&short.stderr);
    assert!(said.contains("at least 10"), "{said}");
    assert!(
        !said.contains("pendek"),
        "the password is never echoed: {said}"
    );

    let added = add(
        &[
            "user",
            "add",
            "Rina",
            "--role",
            "supervisor",
            "--units",
            "U-CAPIL",
            "--password-stdin",
        ],
        "kata-sandi-panjang",
    );
    assert!(last_line(&added).starts_with("added Rina (supervisor, units U-CAPIL)"));
    let listed = last_line(&server.admin(&["user", "list"]));
    assert_eq!(listed, "Rina\tsupervisor\tunits U-CAPIL\tactive");

    let client = reqwest::Client::new();
    let signed = client
        .post(format!("{}/api/v1/session", server.address))
        .header("content-type", "application/json")
        .body(r#"{"username": "Rina", "password": "kata-sandi-panjang"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), reqwest::StatusCode::OK);
    assert!(signed.headers().contains_key("set-cookie"));
}
