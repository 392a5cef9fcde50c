use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use chrono::Utc;
use simpul_app::App;
use simpul_app::ipc::{Channel, OfflineSetup, Saved, SyncState};
use simpul_server::model::PeriodCode;
use simpul_server::storage::Storage;
use simpul_server::unit_document::UnitSettings;
use simpul_server::{Application, Config, admin};
use tempfile::TempDir;

/// An app over its own folder, with every sync state it reported.
pub struct TestApp {
    pub app: App,
    pub dir: TempDir,
    pub events: Arc<Mutex<Vec<SyncState>>>,
}

impl TestApp {
    /// A device that has never been set up.
    pub fn fresh() -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let events = Arc::new(Mutex::new(Vec::new()));
        let app = open(&dir, &events);
        TestApp { app, dir, events }
    }

    /// Set up offline for U-CAPIL, 2025-S1, population 1000, with Sari (PIN 2468) signed in.
    pub fn set_up() -> TestApp {
        let t = TestApp::fresh();
        t.app.setup_offline(offline_setup()).unwrap();
        t.app.add_enumerator("Sari".into(), "2468".into()).unwrap();
        t
    }

    /// A second clerk added on this device and signed in in place of the first.
    pub fn hand_over_to(&self, name: &str, pin: &str) {
        let added = self.app.add_enumerator(name.into(), pin.into()).unwrap();
        self.app.sign_in(added.id, pin.into()).unwrap();
    }

    /// The app closed and started again on the same folder, as after the tablet died.
    pub fn reopen(self) -> TestApp {
        let TestApp { app, dir, events } = self;
        drop(app);
        let app = open(&dir, &events);
        TestApp { app, dir, events }
    }

    pub fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }

    /// A complete interview, submitted through a draft.
    pub fn interview(&self, score: &str, service: &str) -> Saved {
        let mut draft = self.app.draft_open(Channel::Interview).unwrap();
        draft.answers = unsur(score);
        draft.answers.insert("layanan".into(), service.into());
        let draft = self.app.draft_save(draft).unwrap();
        self.app.draft_submit(draft.id).unwrap()
    }

    /// Poll the sync state until `done` holds; panics with the last state after `limit`.
    pub fn wait_for(&self, limit: Duration, done: impl Fn(&SyncState) -> bool) -> SyncState {
        let deadline = Instant::now() + limit;
        loop {
            let state = self.app.sync_state().unwrap();
            if done(&state) {
                return state;
            }
            assert!(
                Instant::now() < deadline,
                "gave up waiting; last state {state:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

fn open(dir: &TempDir, events: &Arc<Mutex<Vec<SyncState>>>) -> App {
    let sink = Arc::clone(events);
    App::open(
        dir.path().join("data"),
        dir.path().to_path_buf(),
        Arc::new(move |state: &SyncState| sink.lock().unwrap().push(state.clone())),
    )
    .unwrap()
}

pub fn offline_setup() -> OfflineSetup {
    OfflineSetup {
        unit: "U-CAPIL".into(),
        unit_name: "Disdukcapil Kota".into(),
        period: "2025-S1".into(),
        population: Some(1000),
        device: "Tablet loket 2".into(),
    }
}

/// U1–U9 all answered `score`.
pub fn unsur(score: &str) -> BTreeMap<String, String> {
    (1..=9)
        .map(|u| (format!("U{u}"), score.to_string()))
        .collect()
}

/// A file of the repository's `samples/` folder.
pub fn sample(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../samples")
        .join(name)
        .display()
        .to_string()
}

/// A sample CSV as (header, rows of cells). The samples quote only their last column, so
/// splitting on commas keeps every other column in place.
pub fn sample_rows(name: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(sample(name)).unwrap();
    let mut lines = text
        .lines()
        .map(|l| l.split(',').map(str::to_string).collect::<Vec<_>>());
    let header = lines.next().unwrap();
    (header, lines.collect())
}

/// `simpul-server` in this process, on a loopback port, on a runtime of its own thread.
/// Stopping it drops the runtime, cutting every connection as a crash or a lost link would;
/// restarting serves the same database on the same port.
pub struct TestServer {
    pub address: String,
    port: u16,
    data: TempDir,
    running: Option<Running>,
}

struct Running {
    storage: Arc<dyn Storage>,
    stop: tokio::sync::oneshot::Sender<()>,
    thread: JoinHandle<()>,
}

impl TestServer {
    pub fn start() -> TestServer {
        let data = tempfile::tempdir().unwrap();
        let running = serve(&data, 0);
        let port = running.1;
        TestServer {
            address: format!("http://127.0.0.1:{port}"),
            port,
            data,
            running: Some(running.0),
        }
    }

    pub fn storage(&self) -> &dyn Storage {
        self.running
            .as_ref()
            .expect("the server runs")
            .storage
            .as_ref()
    }

    /// A unit with its active period and population, and a fresh enrolment code for it.
    pub fn unit_with_code(&self, unit: &str, period: &str, population: u64) -> String {
        let settings = UnitSettings {
            name: None,
            period: Some(PeriodCode::parse(period).unwrap()),
            population: Some(population),
            form: Some("skm-2017".into()),
        };
        admin::add_unit(
            self.storage(),
            unit,
            "Disdukcapil Kota",
            settings,
            Utc::now(),
        )
        .unwrap();
        self.code(unit)
    }

    pub fn code(&self, unit: &str) -> String {
        admin::issue_enrolment_code(self.storage(), unit, Utc::now())
            .unwrap()
            .code
            .expose()
    }

    /// Whether the server holds changes of response `id`.
    pub fn has(&self, id: &str) -> bool {
        let id = uuid::Uuid::parse_str(id).unwrap();
        !self.storage().document_changes(id).unwrap().is_empty()
    }

    pub fn stop(&mut self) {
        if let Some(running) = self.running.take() {
            let _ = running.stop.send(());
            running.thread.join().unwrap();
        }
    }

    pub fn restart(&mut self) {
        self.stop();
        let (running, port) = serve(&self.data, self.port);
        assert_eq!(port, self.port);
        self.running = Some(running);
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn serve(data: &TempDir, port: u16) -> (Running, u16) {
    let mut config = Config::new(data.path());
    config.listen = format!("127.0.0.1:{port}").parse().unwrap();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let app = Application::build(config).await.expect("the server starts");
            ready_tx.send((app.port(), app.storage())).unwrap();
            tokio::select! {
                served = app.run_until(std::future::pending()) => served.unwrap(),
                _ = stopped => {}
            }
        });
        runtime.shutdown_timeout(Duration::from_secs(1));
    });
    let (port, storage) = ready_rx.recv().expect("the server reports its port");
    (
        Running {
            storage,
            stop,
            thread,
        },
        port,
    )
}
