//! Everything the API tests share: a server per test on a fresh database, enrolled devices,
//! real Automerge changes, and a sync call that returns the reply parsed.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;

use automerge::transaction::Transactable;
use automerge::{AutoCommit, Change, ROOT};
use chrono::Utc;
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};
use simpul_document::keys;
use simpul_protocol::http::{
    BATCH_CONTENT_TYPE, CURSOR_HEADER, ENROL_PATH, EnrolRequest, EnrolResponse, ErrorBody,
    IDEMPOTENCY_HEADER, MORE_HEADER, PROTOCOL_HEADER, PULL_MAX_HEADER, STORED_HEADER, SYNC_PATH,
};
use simpul_protocol::{Batch, Entry, Limits};
use simpul_server::model::{Name, Unit, UnitCode};
use simpul_server::storage::Storage;
use simpul_server::unit_document::UnitSettings;
use simpul_server::{Application, Config, admin};
use tempfile::TempDir;
use uuid::Uuid;

pub struct TestApp {
    /// `http://127.0.0.1:PORT`
    pub address: String,
    /// The same storage the running server uses, for arranging and counting.
    pub storage: Arc<dyn Storage>,
    pub client: reqwest::Client,
    _data: TempDir,
}

/// Builds the application on a free port of 127.0.0.1 over a fresh database and serves it
/// on a task of the test's runtime.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(configure: impl FnOnce(&mut Config)) -> TestApp {
    let data = tempfile::tempdir().expect("a temporary directory");
    let mut config = Config::new(data.path());
    config.listen = "127.0.0.1:0".parse().unwrap();
    configure(&mut config);
    let app = Application::build(config)
        .await
        .expect("the application builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let storage = app.storage();
    tokio::spawn(app.run_until(std::future::pending()));
    TestApp {
        address,
        storage,
        client: reqwest::Client::new(),
        _data: data,
    }
}

/// An enrolled device as the tests hold it.
#[derive(Clone, Debug)]
pub struct TestDevice {
    pub id: String,
    pub token: String,
}

impl TestApp {
    /// A bare unit, without the configuration document `admin unit add` writes: the tests
    /// of push and pull then see only the changes they make.
    pub fn add_unit(&self, code: &str) {
        let unit = Unit {
            code: UnitCode::parse(code).expect("a valid code"),
            name: Name::parse("unit name", &format!("Unit {code}")).expect("a valid name"),
            instansi: None,
        };
        self.storage
            .add_unit(&unit, Utc::now())
            .expect("the unit is added");
    }

    /// A unit as an administrator adds it, configuration document included.
    pub fn add_configured_unit(&self, code: &str, settings: UnitSettings) {
        admin::add_unit(
            self.storage.as_ref(),
            code,
            &format!("Unit {code}"),
            settings,
            Utc::now(),
        )
        .expect("the unit is added");
    }

    pub fn enrolment_code(&self, unit: &str) -> String {
        admin::issue_enrolment_code(self.storage.as_ref(), unit, Utc::now())
            .expect("a code is issued")
            .code
            .expose()
    }

    pub async fn enrol(&self, code: &str, device: &str) -> reqwest::Response {
        let body = EnrolRequest {
            code: code.to_string(),
            device: device.to_string(),
            unit: None,
        };
        self.client
            .post(format!("{}{ENROL_PATH}", self.address))
            .header(CONTENT_TYPE, "application/json")
            .body(serde_json::to_vec(&body).unwrap())
            .send()
            .await
            .expect("the server answers")
    }

    /// A device enrolled into `unit`, which is created if needed.
    pub async fn device(&self, unit: &str, name: &str) -> TestDevice {
        if self
            .storage
            .units()
            .unwrap()
            .iter()
            .all(|u| u.code.as_str() != unit)
        {
            self.add_unit(unit);
        }
        let response = self.enrol(&self.enrolment_code(unit), name).await;
        assert_eq!(response.status(), StatusCode::OK);
        let enrolled: EnrolResponse = json(response).await;
        TestDevice {
            id: enrolled.device_id,
            token: enrolled.token,
        }
    }

    /// One sync round trip with every header right.
    pub async fn sync(&self, device: &TestDevice, request: SyncRequest) -> SyncReply {
        let response = self
            .sync_request(Some(&device.token))
            .header(IDEMPOTENCY_HEADER, request.key.to_string())
            .header(CURSOR_HEADER, request.cursor.to_string())
            .header(PULL_MAX_HEADER, request.pull_max.to_string())
            .body(frame(request.entries))
            .send()
            .await
            .expect("the server answers");
        SyncReply::read(response).await
    }

    /// `POST /v1/sync` with the content type and protocol headers set, for tests that break
    /// the rest.
    pub fn sync_request(&self, token: Option<&str>) -> reqwest::RequestBuilder {
        self.sync_request_as(token, BATCH_CONTENT_TYPE)
    }

    pub fn sync_request_as(
        &self,
        token: Option<&str>,
        content_type: &str,
    ) -> reqwest::RequestBuilder {
        let request = self
            .client
            .post(format!("{}{SYNC_PATH}", self.address))
            .header(CONTENT_TYPE, content_type)
            .header(PROTOCOL_HEADER, "1");
        match token {
            Some(token) => request.header(AUTHORIZATION, format!("Bearer {token}")),
            None => request,
        }
    }

    /// The directory holding the server's database files.
    pub fn storage_dir(&self) -> PathBuf {
        self._data.path().to_path_buf()
    }

    pub fn change_count(&self) -> u64 {
        self.storage.change_count().unwrap()
    }
}

pub struct SyncRequest {
    pub key: Uuid,
    pub cursor: u64,
    pub pull_max: u64,
    pub entries: Vec<Entry>,
}

impl SyncRequest {
    /// Nothing to push, from the beginning, the default pull size.
    pub fn new() -> SyncRequest {
        SyncRequest {
            key: Uuid::now_v7(),
            cursor: 0,
            pull_max: 256 << 10,
            entries: Vec::new(),
        }
    }

    pub fn push(mut self, entries: &[Entry]) -> SyncRequest {
        self.entries = entries.to_vec();
        self
    }

    pub fn cursor(mut self, cursor: u64) -> SyncRequest {
        self.cursor = cursor;
        self
    }

    pub fn pull_max(mut self, bytes: u64) -> SyncRequest {
        self.pull_max = bytes;
        self
    }

    pub fn key(mut self, key: Uuid) -> SyncRequest {
        self.key = key;
        self
    }
}

#[derive(Debug)]
pub struct SyncReply {
    pub status: StatusCode,
    pub cursor: u64,
    pub more: bool,
    pub stored: u64,
    pub entries: Vec<Entry>,
    /// The raw body: a frame on success, JSON on error.
    pub body: Vec<u8>,
}

impl SyncReply {
    pub async fn read(response: reqwest::Response) -> SyncReply {
        let status = response.status();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .map(|value| value.to_str().unwrap().to_string())
        };
        let number = |name: &str| header(name).map(|v| v.parse::<u64>().unwrap()).unwrap_or(0);
        let (cursor, stored) = (number(CURSOR_HEADER), number(STORED_HEADER));
        let more = header(MORE_HEADER).as_deref() == Some("true");
        let body = response.bytes().await.unwrap().to_vec();
        let entries = if status == StatusCode::OK {
            simpul_protocol::decode(&body, &Limits::default())
                .expect("a 200 answer is one batch frame")
                .entries
        } else {
            Vec::new()
        };
        SyncReply {
            status,
            cursor,
            more,
            stored,
            entries,
            body,
        }
    }

    /// Asserts success and returns the reply.
    pub fn ok(self) -> SyncReply {
        assert_eq!(
            self.status,
            StatusCode::OK,
            "{}",
            String::from_utf8_lossy(&self.body)
        );
        self
    }

    pub fn error(&self) -> ErrorBody {
        serde_json::from_slice(&self.body).expect("an error body is JSON {code, message}")
    }
}

pub async fn json<T: serde::de::DeserializeOwned>(response: reqwest::Response) -> T {
    let body = response.bytes().await.unwrap();
    serde_json::from_slice(&body)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&body)))
}

/// Asserts that `response` is the JSON error `status` / `code`.
pub async fn assert_error(response: reqwest::Response, status: StatusCode, code: &str) {
    assert_eq!(response.status(), status);
    let content_type = response.headers().get(CONTENT_TYPE).cloned();
    let error: ErrorBody = json(response).await;
    assert_eq!(error.code, code, "{}", error.message);
    assert!(!error.message.is_empty());
    assert_eq!(content_type.unwrap(), "application/json");
}

pub fn frame(entries: Vec<Entry>) -> Vec<u8> {
    simpul_protocol::encode(&Batch::from(entries), &Limits::default()).unwrap()
}

/// One interview: a response document with `answers` changes, each setting one scalar
/// field, in dependency order.
/// A response of unit `U-X` written as `answers` changes: the first starts the document with
/// its header and the first answer, each further one adds an answer.
pub fn interview(answers: usize) -> Vec<Entry> {
    interview_in("U-X", answers)
}

/// [`interview`], for a response of `unit`.
pub fn interview_in(unit: &str, answers: usize) -> Vec<Entry> {
    let doc = Uuid::now_v7();
    let mut response = AutoCommit::new();
    put_header(&mut response, doc, unit);
    for i in 0..answers {
        response
            .put(ROOT, format!("q.U{}", i + 1), (i % 4 + 1) as i64)
            .unwrap();
        response.commit();
    }
    response
        .get_changes(&[])
        .into_iter()
        .map(|change| Entry {
            doc,
            change: change.raw_bytes().to_vec(),
        })
        .collect()
}

/// One questionnaire as a test lays it out: written by `by` at `at`, in one change.
#[derive(Clone, Debug)]
pub struct Sheet<'a> {
    pub unit: &'a str,
    pub period: &'a str,
    pub status: &'a str,
    pub form: &'a str,
    /// U1, U2, … in order.
    pub scores: Vec<i64>,
    pub by: &'a str,
    pub at: chrono::DateTime<Utc>,
    pub saran: Option<&'a str>,
    /// Other answers, item id → value as a device stores it (`("jenis_kelamin", "P")`).
    pub answers: Vec<(&'a str, &'a str)>,
}

impl<'a> Sheet<'a> {
    /// A final response of `unit` in 2026-S2 scoring `score` on every unsur, by `ani`, now.
    pub fn new(unit: &'a str, score: i64) -> Sheet<'a> {
        Sheet {
            unit,
            period: "2026-S2",
            status: "final",
            form: "skm-2017",
            scores: vec![score; 9],
            by: "ani",
            at: Utc::now(),
            saran: None,
            answers: Vec::new(),
        }
    }

    /// The response's id and its one change.
    pub fn entries(&self) -> (Uuid, Vec<Entry>) {
        let (doc, mut response) = self.document();
        (doc, all_entries(doc, &mut response))
    }

    /// The response, then two devices' concurrent edits setting `item` to `a` and to `b`:
    /// what the first pushes (the response and its edit) and what the second pushes.
    pub fn disputed(&self, item: &str, a: i64, b: i64) -> (Uuid, Vec<Entry>, Vec<Entry>) {
        let (doc, mut first) = self.document();
        let base = first.get_heads();
        let mut second = first.fork();
        for (response, value) in [(&mut first, a), (&mut second, b)] {
            response.put(ROOT, format!("q.{item}"), value).unwrap();
            response.commit_with(
                automerge::transaction::CommitOptions::default()
                    .with_message(self.by.to_string())
                    .with_time(self.at.timestamp_millis()),
            );
        }
        let edit = second
            .get_changes(&base)
            .into_iter()
            .map(|change| Entry {
                doc,
                change: change.raw_bytes().to_vec(),
            })
            .collect();
        (doc, all_entries(doc, &mut first), edit)
    }

    fn document(&self) -> (Uuid, AutoCommit) {
        let doc = Uuid::now_v7();
        let mut response = AutoCommit::new();
        let id = doc.to_string();
        for (key, value) in [
            (keys::ID, id.as_str()),
            (keys::FORM, self.form),
            (keys::UNIT, self.unit),
            (keys::PERIOD, self.period),
            (keys::CHANNEL, "paper"),
            (keys::STATUS, self.status),
        ] {
            response.put(ROOT, key, value).unwrap();
        }
        for (i, score) in self.scores.iter().enumerate() {
            response.put(ROOT, format!("q.U{}", i + 1), *score).unwrap();
        }
        if let Some(saran) = self.saran {
            response.put(ROOT, "q.saran", saran).unwrap();
        }
        for (item, value) in &self.answers {
            response.put(ROOT, format!("q.{item}"), *value).unwrap();
        }
        response.commit_with(
            automerge::transaction::CommitOptions::default()
                .with_message(self.by.to_string())
                .with_time(self.at.timestamp_millis()),
        );
        (doc, response)
    }
}

fn all_entries(doc: Uuid, response: &mut AutoCommit) -> Vec<Entry> {
    response
        .get_changes(&[])
        .into_iter()
        .map(|change| Entry {
            doc,
            change: change.raw_bytes().to_vec(),
        })
        .collect()
}

/// The fields every response starts with, as a device writes them.
fn put_header(response: &mut AutoCommit, doc: Uuid, unit: &str) {
    let id = doc.to_string();
    for (key, value) in [
        (keys::ID, id.as_str()),
        (keys::FORM, "skm-2017"),
        (keys::UNIT, unit),
        (keys::PERIOD, "2026-S2"),
        (keys::CHANNEL, "interview"),
        (keys::STATUS, "final"),
    ] {
        response.put(ROOT, key, value).unwrap();
    }
}

/// One change carrying a suggestion of `len` characters that do not compress.
pub fn long_change(len: usize) -> Entry {
    let mut seed = Uuid::now_v7().as_u128();
    let text: String = (0..len)
        .map(|_| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            char::from(b'a' + (seed >> 100) as u8 % 26)
        })
        .collect();
    let doc = Uuid::now_v7();
    let mut response = AutoCommit::new();
    put_header(&mut response, doc, "U-X");
    response.put(ROOT, "suggestion", text).unwrap();
    response.commit();
    Entry {
        doc,
        change: response
            .get_last_local_change()
            .unwrap()
            .raw_bytes()
            .to_vec(),
    }
}

pub fn hashes(entries: &[Entry]) -> BTreeSet<automerge::ChangeHash> {
    entries
        .iter()
        .map(|entry| Change::from_bytes(entry.change.clone()).unwrap().hash())
        .collect()
}

/// The `simpul-server` binary running as its own process, killed when dropped.
pub struct ServerProcess {
    pub child: Child,
    pub address: String,
    pub data: PathBuf,
    pub log: PathBuf,
    _dir: TempDir,
}

impl ServerProcess {
    pub fn start() -> ServerProcess {
        ServerProcess::start_with_env(&[])
    }

    pub fn start_with_env(env: &[(&str, &str)]) -> ServerProcess {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let log = dir.path().join("server.log");
        let mut child = Command::new(env!("CARGO_BIN_EXE_simpul-server"))
            .args(["serve", "--listen", "127.0.0.1:0", "--data"])
            .arg(&data)
            .envs(env.iter().copied())
            .env_remove("SIMPUL_LISTEN")
            .env_remove("SIMPUL_CONFIG")
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("the server starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let address = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("first line {line:?}"))
            .to_string();
        ServerProcess {
            child,
            address,
            data,
            log,
            _dir: dir,
        }
    }

    /// Runs `simpul-server admin --data DIR ARGS…` against this server's database.
    pub fn admin(&self, args: &[&str]) -> Output {
        admin_command(&self.data, args)
    }

    /// Sends SIGTERM, as a service manager stopping the server would.
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn admin_command(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_simpul-server"))
        .arg("admin")
        .arg("--data")
        .arg(data)
        .args(args)
        .output()
        .unwrap()
}

/// The last line of an admin command's standard output, after checking that it succeeded.
pub fn last_line(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .last()
        .unwrap()
        .trim()
        .to_string()
}
