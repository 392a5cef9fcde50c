//! `simpul-server` as a process: started, killed, restarted, administered.

use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, ChildStdout, Stdio};
use std::sync::mpsc::channel;
use std::time::{Duration, Instant};

use simpul_server::database::Database;
use simpul_server::materialise::Freshness;
use simpul_server::storage::{FILE_NAME, Storage};
use tempfile::TempDir;

use super::postgres::TestDatabase;
use super::process::{Run, command, run, terminate};
use super::{PERIOD, UNIT, UNIT_NAME};
use crate::tables::Tables;

/// `simpul-server serve` on a free port of 127.0.0.1 over a temporary data directory, or a
/// fresh PostgreSQL database when the suites run on PostgreSQL (see [`super::postgres`]),
/// with unit [`UNIT`] added. Stopped with SIGTERM when dropped.
pub struct Server {
    child: Option<Child>,
    /// Held open: the server writes its address there.
    _stdout: Option<ChildStdout>,
    addr: SocketAddr,
    dir: TempDir,
    /// The PostgreSQL database it runs on, if it does.
    postgres_url: Option<String>,
    /// More arguments of `serve` (a relay's upstream).
    serve_args: Vec<String>,
    /// Dropped after the server stops (fields drop in order); `None` on a second node of
    /// another server's database.
    postgres: Option<TestDatabase>,
}

impl Server {
    /// On the backend the suites run on: SQLite unless `SIMPUL_E2E_DATABASE=postgres`.
    pub fn start() -> Server {
        Server::start_on(TestDatabase::wanted())
    }

    /// On a SQLite data folder whatever the suites run on, for what only SQLite does (its
    /// backup and restore, reading its file).
    pub fn start_on_sqlite() -> Server {
        Server::start_on(None)
    }

    /// On a fresh database of the test cluster whatever the suites run on, for what only
    /// PostgreSQL does (several nodes on one database).
    pub fn start_on_postgres() -> Server {
        Server::start_on(Some(TestDatabase::create()))
    }

    /// Another `simpul-server serve` on this server's PostgreSQL database: a second node
    /// serving the same devices. Its data stays when it is dropped; this server's goes.
    #[track_caller]
    pub fn node(&self) -> Server {
        let url = self.postgres_url.clone();
        assert!(
            url.is_some(),
            "nodes share a PostgreSQL database, not a SQLite file"
        );
        let mut node = Server::unstarted(url, None);
        node.spawn(node.addr);
        node
    }

    /// A district relay on a SQLite folder: `serve --upstream URL --code CODE`, trying the
    /// upstream every second. It enrols upstream as it starts, so `upstream` must answer
    /// then; its units are the code's, named as upstream.
    pub fn relay(upstream: &str, code: &str) -> Server {
        let mut relay = Server::unstarted(None, None);
        relay.serve_args = [
            "--upstream",
            upstream,
            "--code",
            code,
            "--relay-name",
            "relay-kecamatan",
            "--forward-every",
            "1",
        ]
        .map(str::to_string)
        .to_vec();
        relay.spawn(relay.addr);
        relay
    }

    fn start_on(postgres: Option<TestDatabase>) -> Server {
        let mut server = Server::unstarted(postgres.as_ref().map(TestDatabase::url), postgres);
        server.spawn(server.addr);
        server
            .admin(&["unit", "add", UNIT, "--name", UNIT_NAME])
            .ok();
        server
    }

    fn unstarted(postgres_url: Option<String>, postgres: Option<TestDatabase>) -> Server {
        Server {
            child: None,
            _stdout: None,
            addr: "127.0.0.1:0".parse().unwrap(),
            dir: tempfile::tempdir().expect("a temporary directory"),
            postgres_url,
            serve_args: Vec::new(),
            postgres,
        }
    }

    /// Starts `serve` listening on `listen`, retrying for a few seconds while the address is
    /// still taken (a port just freed by a killed server).
    fn spawn(&mut self, listen: SocketAddr) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let log = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(self.log_path())
                .expect("the server log opens");
            let mut child = command("simpul-server")
                .args(["serve", "--listen", &listen.to_string()])
                .args(self.database_args())
                .args(&self.serve_args)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(log)
                .spawn()
                .expect("simpul-server starts");
            let mut stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
            let (tx, rx) = channel();
            std::thread::spawn(move || {
                let mut line = String::new();
                let _ = stdout.read_line(&mut line);
                let _ = tx.send((line, stdout.into_inner()));
            });
            let (line, stdout) = rx
                .recv_timeout(Duration::from_secs(30))
                .expect("simpul-server prints its address within 30 s");
            let address = line.trim().strip_prefix("listening on http://");
            if let Some(addr) = address.and_then(|a| a.parse().ok()) {
                self.addr = addr;
                self.child = Some(child);
                self._stdout = Some(stdout);
                return;
            }
            let _ = child.kill();
            let _ = child.wait();
            assert!(
                Instant::now() < deadline,
                "simpul-server did not start on {listen}: {line:?}\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The directory holding the server's SQLite database, when it runs on one.
    #[track_caller]
    pub fn data_dir(&self) -> PathBuf {
        assert!(
            self.postgres_url.is_none(),
            "this server runs on PostgreSQL: start it with Server::start_on_sqlite"
        );
        self.folder()
    }

    /// The PostgreSQL database this server owns, to dump and restore.
    #[track_caller]
    pub fn postgres(&self) -> &TestDatabase {
        self.postgres
            .as_ref()
            .expect("this server owns no PostgreSQL database: start it with start_on_postgres")
    }

    /// A path for a file of the test's own (an export, a report) beside the server's data.
    pub fn scratch(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn folder(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// Where the server's data is, as every command names it.
    pub fn database(&self) -> Database {
        match &self.postgres_url {
            Some(url) => Database::Postgres(url.clone()),
            None => Database::Folder(self.folder()),
        }
    }

    /// `--data DIR` or `--database URL`.
    fn database_args(&self) -> [std::ffi::OsString; 2] {
        match self.database() {
            Database::Folder(folder) => ["--data".into(), folder.into()],
            Database::Postgres(url) => ["--database".into(), url.into()],
        }
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("server.log")
    }

    /// Everything the server logged, across restarts.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    /// SIGKILL: the process dies at once, mid-write or not.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        self._stdout = None;
    }

    /// Kills the server if it runs and starts it again on the same data directory and the
    /// same address, so enrolled devices find it where they left it.
    pub fn restart(&mut self) {
        self.kill();
        self.spawn(self.addr);
    }

    /// `simpul-server admin --data DIR ARGS…`
    pub fn admin(&self, args: &[&str]) -> Run {
        let mut admin = command("simpul-server");
        admin.arg("admin").args(self.database_args()).args(args);
        run(format!("simpul-server admin {}", args.join(" ")), admin)
    }

    /// `simpul-server ARGS… --data DIR --format json` (`report`, `conflicts`), which must
    /// succeed, parsed.
    #[track_caller]
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut command = command("simpul-server");
        command
            .args(args)
            .args(self.database_args())
            .args(["--format", "json"]);
        run(format!("simpul-server {}", args.join(" ")), command)
            .ok()
            .json()
    }

    /// `simpul-server ARGS… --data DIR` (`resolve`, `review`, …).
    pub fn run(&self, args: &[&str]) -> Run {
        let mut command = command("simpul-server");
        command.args(args).args(self.database_args());
        run(format!("simpul-server {}", args.join(" ")), command)
    }

    /// Sets [`UNIT`]'s active period to [`PERIOD`], waits for the server to take it, and
    /// makes a survey link for the unit: its address.
    pub fn survey_link(&self) -> String {
        self.admin(&["unit", "set", UNIT, "--period", PERIOD]).ok();
        self.wait_until_materialised(Duration::from_secs(30));
        self.admin(&["link", "add", "--unit", UNIT, "--public-url", &self.url()])
            .ok()
            .last_line()
            .to_string()
    }

    /// A fresh one-time enrolment code for [`UNIT`].
    pub fn enrolment_code(&self) -> String {
        self.enrolment_code_for(UNIT)
    }

    /// A fresh one-time enrolment code for `unit`.
    pub fn enrolment_code_for(&self, unit: &str) -> String {
        self.admin(&["enrol-code", "--unit", unit])
            .ok()
            .last_line()
            .to_string()
    }

    /// `simpul-server admin user add NAME --role ROLE --units UNIT --password-stdin`, the
    /// password written to its standard input as an operator pipes it.
    pub fn add_person(&self, name: &str, role: &str, password: &str) {
        let mut admin = command("simpul-server");
        let mut child = admin
            .arg("admin")
            .args(self.database_args())
            .args(["user", "add", name, "--role", role, "--units", UNIT])
            .arg("--password-stdin")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("simpul-server admin starts");
        let mut stdin = child.stdin.take().expect("stdin is piped");
        stdin
            .write_all(format!("{password}\n").as_bytes())
            .expect("the password is written");
        drop(stdin);
        let out = child.wait_with_output().expect("simpul-server admin ends");
        assert!(
            out.status.success(),
            "user add {name} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    pub fn revoke(&self, device_id: &str) {
        self.admin(&["device", "revoke", device_id]).ok();
    }

    /// How many changes the server holds, read from its database beside the running server
    /// (as `admin` commands do).
    pub fn change_count(&self) -> u64 {
        self.storage()
            .change_count()
            .expect("the server's database answers")
    }

    /// How far the server's materialised tables are behind its change log.
    pub fn freshness(&self) -> Freshness {
        self.storage()
            .freshness()
            .expect("the server's database answers")
    }

    /// The server's storage, opened beside the running server.
    fn storage(&self) -> std::sync::Arc<dyn Storage> {
        self.database().open().expect("the server's database opens")
    }

    /// Waits until the running server's materialiser has every stored change in its tables.
    #[track_caller]
    pub fn wait_until_materialised(&self, within: Duration) {
        let deadline = Instant::now() + within;
        loop {
            let fresh = self.freshness();
            if fresh.behind() == 0 {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the server's tables are still {} changes behind after {within:?}: {fresh:?}",
                fresh.behind()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The materialised tables of `unit`, read from the server's database file beside the
    /// running server.
    pub fn tables(&self, unit: &str) -> Tables {
        match &self.postgres_url {
            Some(url) => Tables::read_postgres("server", url, unit),
            None => Tables::read("server", &self.folder().join(FILE_NAME), unit),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            terminate(&mut child);
        }
    }
}
