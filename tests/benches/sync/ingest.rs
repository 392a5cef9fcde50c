//! Server ingest: many devices, each with its own unit and its own week of responses, sync
//! with one `simpul-server` at once over loopback. Responses per second from the first sync
//! started to the last one done, and the server's peak memory and CPU time from /proc.
//!
//! Behind the pushes the server's follower materialises every change into its tables; a
//! watcher polls the watermark against the change log during the burst, and the run ends
//! when the tables have caught up. The last run's database is then checkpointed and
//! vacuumed to count the bytes the server keeps per response, table by table.
//!
//! Two baselines get the very same changes in the very same batches, in this process, one
//! batch after another: plain SQLite inserts into the server's `changes` table with the
//! server's settings (WAL, `synchronous = FULL`, one transaction per batch), which is the
//! floor any durable server pays; and the server's own request handling without HTTP
//! (`exchange::exchange`: decode, check every change, store, pull).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, ensure};
use chrono::{SecondsFormat, Utc};
use rusqlite::{Connection, params};
use simpul_e2e::Server;
use simpul_protocol::{Batch, Entry, Limits};
use simpul_replica::sync::engine::MAX_BATCH;
use simpul_server::exchange;
use simpul_server::model::{Device, DeviceId, UnitCode};
use simpul_server::storage::SqliteStorage;
use uuid::Uuid;

use crate::fill;
use crate::sample::Survey;
use crate::server_log::{self, Requests};
use crate::tablet::Tablet;

const SYNC_DEADLINE: Duration = Duration::from_secs(900);

/// What the benchmark found, over several runs.
pub struct Ingest {
    pub devices: usize,
    pub responses: u64,
    /// One per run, in the order run.
    pub runs: Vec<ServerRun>,
    /// Changes per sync request, on average.
    pub batch_mean: f64,
    pub sqlite: Vec<Duration>,
    pub in_process: Vec<Duration>,
    /// The last run's server database, compacted.
    pub stored: Stored,
    /// One device's database, compacted.
    pub device_bytes: u64,
}

/// How far the materialised tables trailed the change log in one run.
#[derive(Clone, Debug, Default)]
pub struct Lag {
    /// The most changes stored but not yet materialised, at any poll.
    pub max_behind: u64,
    /// Changes not yet materialised when the last device finished.
    pub behind_at_end: u64,
    /// From the last device finishing to the tables holding every change.
    pub catch_up: Duration,
    /// From the first sync to the tables holding every change.
    pub until_materialised: Duration,
    /// The longest any stored change waited to reach the tables (at poll resolution).
    pub max_wait: Duration,
}

/// Bytes the server's database file holds after a checkpoint and `VACUUM`.
#[derive(Clone, Debug, Default)]
pub struct Stored {
    pub file: u64,
    /// Per table and index, largest first (from SQLite's `dbstat`).
    pub objects: Vec<(String, u64)>,
}

/// One run against a fresh server.
pub struct ServerRun {
    pub took: Duration,
    /// How far the materialised tables trailed the change log.
    pub lag: Lag,
    /// VmHWM and VmRSS before the syncs, in KiB.
    pub peak_rss_kib: u64,
    pub rss_before_kib: u64,
    pub cpu: Duration,
    pub requests: Requests,
}

impl Ingest {
    pub fn rate(&self, took: Duration) -> f64 {
        self.responses as f64 / took.as_secs_f64()
    }

    /// The run of median wall time.
    pub fn median_run(&self) -> &ServerRun {
        let mut runs: Vec<&ServerRun> = self.runs.iter().collect();
        runs.sort_by_key(|r| r.took);
        runs[runs.len() / 2]
    }
}

/// The middle of some timings.
pub fn median(times: &[Duration]) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort();
    sorted[sorted.len() / 2]
}

/// One device's share, ready to sync.
struct Member {
    unit: String,
    tablet: Tablet,
}

/// `devices` tablets of `per_device` responses each, synced at once against a fresh server
/// `runs` times (each run with fresh copies of the tablets), then the baselines as often.
pub fn run(devices: usize, per_device: usize, runs: usize, dir: &Path) -> Result<Ingest> {
    let mut templates = Vec::with_capacity(devices);
    for i in 1..=devices {
        let unit = format!("U-KEC{i:02}");
        let mut survey = Survey::new(1000 + i as u64, &format!("K{i:02}"), 0.5);
        let (tablet, _) = fill::tablet(
            &dir.join("templates").join(&unit),
            &unit,
            &format!("tablet-{i:02}"),
            per_device,
            &mut survey,
            false,
        )?;
        templates.push(Member { unit, tablet });
    }
    let total = (devices * per_device) as u64;

    let mut server_runs = Vec::with_capacity(runs);
    let mut stored = Stored::default();
    let mut rounds = 0;
    for run in 1..=runs {
        eprintln!("ingest: run {run} of {runs}…");
        let members = templates
            .iter()
            .map(|t| {
                let copy = dir.join(format!("run-{run}")).join(&t.unit);
                Ok(Member {
                    unit: t.unit.clone(),
                    tablet: Tablet::copy_of(&t.tablet, &copy)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let last = run == runs;
        let (server_run, run_rounds, measured) = sync_at_once(&members, total, last)?;
        if let Some(measured) = measured {
            stored = measured;
        }
        server_runs.push(server_run);
        rounds = run_rounds;
    }

    let batches = templates
        .iter()
        .map(|m| Ok((m.unit.clone(), batches(&m.tablet)?)))
        .collect::<Result<Vec<_>>>()?;
    let mut sqlite = Vec::with_capacity(runs);
    let mut in_process = Vec::with_capacity(runs);
    for run in 1..=runs {
        let base = dir.join(format!("baselines-{run}"));
        sqlite.push(raw_sqlite(&base.join("sqlite"), &batches)?);
        in_process.push(server_in_process(&base.join("exchange"), &batches)?);
    }

    let device_bytes = compacted_size(&templates[0].tablet.data().join("simpul.sqlite3"))?;
    Ok(Ingest {
        stored,
        device_bytes,
        devices,
        responses: total,
        runs: server_runs,
        batch_mean: total as f64 / rounds.max(1) as f64,
        sqlite,
        in_process,
    })
}

/// A fresh server, every member enrolled in its unit, then all of them syncing at once.
/// Returns the run, the number of sync rounds the devices counted and, when `measure`, the
/// bytes the database keeps.
fn sync_at_once(
    members: &[Member],
    total: u64,
    measure: bool,
) -> Result<(ServerRun, u64, Option<Stored>)> {
    let mut server = Server::start_on_sqlite();
    for member in members {
        let name = format!("Kecamatan {}", &member.unit[5..]);
        server
            .admin(&["unit", "add", &member.unit, "--name", &name])
            .ok();
        let code = server
            .admin(&["enrol-code", "--unit", &member.unit])
            .ok()
            .last_line()
            .to_string();
        member.tablet.enrol(&server.url(), &code)?;
    }
    let pid = server_pid(&server.data_dir())?;
    let rss_before_kib = status_kib(pid, "VmRSS:")?;
    let cpu_before = cpu_time(pid)?;
    let held = server.change_count();
    let logged_before = server_log::sync_requests(&server.log());

    let database = server.data_dir().join(simpul_server::storage::FILE_NAME);
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let watcher = {
        let (database, done) = (database.clone(), done.clone());
        std::thread::spawn(move || watch(&database, held + total, &done))
    };
    let started = Instant::now();
    let running = members
        .iter()
        .map(|m| m.tablet.start_sync())
        .collect::<Result<Vec<_>>>()?;
    let mut rounds = 0u64;
    for sync in running {
        let left = SYNC_DEADLINE.saturating_sub(started.elapsed());
        rounds += sync.finish_ok(left)?.json()?["progress"]["requests"]
            .as_u64()
            .unwrap_or(0);
    }
    let took = started.elapsed();
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let samples = watcher
        .join()
        .map_err(|_| anyhow::anyhow!("the watcher panicked"))??;
    let lag = lag(&samples, started, started + took);

    let peak_rss_kib = status_kib(pid, "VmHWM:")?;
    let cpu = cpu_time(pid)?.saturating_sub(cpu_before);
    let requests = server_log::sync_requests(&server.log()).since(&logged_before);
    ensure!(
        server.change_count() == held + total,
        "the server holds every response: {} of {total}",
        server.change_count() - held
    );
    for member in members {
        ensure!(
            member.tablet.pending()? == 0,
            "{} uploaded everything",
            member.unit
        );
    }
    let stored = match measure {
        true => {
            server.kill();
            Some(stored(&database)?)
        }
        false => None,
    };
    let run = ServerRun {
        lag,
        took,
        peak_rss_kib,
        rss_before_kib,
        cpu,
        requests,
    };
    Ok((run, rounds, stored))
}

/// One poll of the server's database: when, the watermark and the change log's head.
type Sample = (Instant, u64, u64);

/// Polls the materialised watermark against the change log every 50 ms until the devices
/// are `done` and the tables hold all `expected` changes (or two minutes pass).
fn watch(
    database: &Path,
    expected: u64,
    done: &std::sync::atomic::AtomicBool,
) -> Result<Vec<Sample>> {
    let conn = Connection::open_with_flags(database, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    let deadline = Instant::now() + Duration::from_secs(900);
    let mut samples = Vec::new();
    loop {
        let (watermark, head): (i64, i64) = conn.query_row(
            "SELECT (SELECT watermark FROM materialised),
                    (SELECT COALESCE(MAX(seq), 0) FROM changes)",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        samples.push((Instant::now(), watermark as u64, head as u64));
        let finished = done.load(std::sync::atomic::Ordering::SeqCst);
        if finished && watermark as u64 >= expected {
            return Ok(samples);
        }
        ensure!(
            Instant::now() < deadline,
            "the tables never caught up: {watermark} of {head}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// What the samples say about the lag, the burst running from `started` to `ended`.
fn lag(samples: &[Sample], started: Instant, ended: Instant) -> Lag {
    let caught_up = samples.last().map_or(ended, |s| s.0);
    let behind_at_end = samples
        .iter()
        .rev()
        .find(|s| s.0 <= ended)
        .map_or(0, |s| s.2.saturating_sub(s.1));
    let max_wait = samples
        .iter()
        .enumerate()
        .map(|(i, (at, _, head))| {
            let reached = samples[i..]
                .iter()
                .find(|later| later.1 >= *head)
                .map_or(caught_up, |later| later.0);
            reached.saturating_duration_since(*at)
        })
        .max()
        .unwrap_or_default();
    Lag {
        max_behind: samples
            .iter()
            .map(|s| s.2.saturating_sub(s.1))
            .max()
            .unwrap_or(0),
        behind_at_end,
        catch_up: caught_up.saturating_duration_since(ended),
        until_materialised: caught_up.saturating_duration_since(started),
        max_wait,
    }
}

/// The server's database checkpointed and vacuumed (the server stopped): its size, and
/// what each table and index takes.
fn stored(database: &Path) -> Result<Stored> {
    let conn = Connection::open(database)?;
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    conn.execute_batch("VACUUM")?;
    let file = std::fs::metadata(database)?.len();
    let mut objects = Vec::new();
    // dbstat is compiled into some SQLite builds only; without it, the file size alone.
    if let Ok(mut stmt) =
        conn.prepare("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC")
    {
        let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get::<_, i64>(1)? as u64)))?;
        objects = rows.collect::<rusqlite::Result<_>>()?;
    }
    Ok(Stored { file, objects })
}

/// A copy of a device's database vacuumed into a temporary file: its compacted size.
fn compacted_size(database: &Path) -> Result<u64> {
    let dir = tempfile::tempdir()?;
    let copy = dir.path().join("device.sqlite3");
    let conn = Connection::open_with_flags(database, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    conn.execute("VACUUM INTO ?1", [copy.to_str().context("a UTF-8 path")?])?;
    Ok(std::fs::metadata(&copy)?.len())
}

/// A device's changes cut into batches as the sync engine cuts them: a quarter of the
/// largest batch first, doubling after each success up to the largest.
fn batches(tablet: &Tablet) -> Result<Vec<Vec<Entry>>> {
    let (entries, _) = tablet.open()?.changes_since(0)?;
    let mut out = Vec::new();
    let mut limit = MAX_BATCH / 4;
    let mut current: Vec<Entry> = Vec::new();
    let mut size = 0;
    for entry in entries {
        let len = entry.change.len() + 32;
        if !current.is_empty() && size + len > limit {
            out.push(std::mem::take(&mut current));
            size = 0;
            limit = (limit * 2).min(MAX_BATCH);
        }
        size += len;
        current.push(entry);
    }
    if !current.is_empty() {
        out.push(current);
    }
    Ok(out)
}

/// Plain inserts of the same rows into the server's table, durably, one transaction per
/// batch. Hashes are worked out before the clock starts.
fn raw_sqlite(dir: &Path, batches: &[(String, Vec<Vec<Entry>>)]) -> Result<Duration> {
    std::fs::create_dir_all(dir)?;
    let mut conn = Connection::open(dir.join("changes.sqlite3"))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.execute_batch(
        "CREATE TABLE changes (
             seq INTEGER PRIMARY KEY AUTOINCREMENT,
             hash BLOB NOT NULL UNIQUE,
             doc TEXT NOT NULL,
             unit TEXT NOT NULL,
             device TEXT NOT NULL,
             bytes BLOB NOT NULL,
             received_at TEXT NOT NULL
         ) STRICT;
         CREATE INDEX changes_by_unit ON changes (unit, seq);",
    )?;
    let rows = batches
        .iter()
        .map(|(unit, batches)| {
            let batches = batches
                .iter()
                .map(|batch| {
                    batch
                        .iter()
                        .map(|e| Ok((hash(&e.change)?, e)))
                        .collect::<Result<Vec<_>>>()
                })
                .collect::<Result<Vec<_>>>()?;
            Ok(Rows {
                unit,
                device: Uuid::now_v7().to_string(),
                batches,
            })
        })
        .collect::<Result<Vec<_>>>()?;

    let started = Instant::now();
    for Rows {
        unit,
        device,
        batches,
    } in &rows
    {
        for batch in batches {
            let now = Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true);
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            {
                let mut insert = tx.prepare_cached(
                    "INSERT INTO changes (hash, doc, unit, device, bytes, received_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                     ON CONFLICT (hash) DO NOTHING",
                )?;
                for (hash, entry) in batch {
                    insert.execute(params![
                        hash.as_slice(),
                        entry.doc.to_string(),
                        unit,
                        device,
                        entry.change,
                        now
                    ])?;
                }
            }
            tx.commit()?;
        }
    }
    Ok(started.elapsed())
}

/// One device's batches, each change with its hash.
struct Rows<'a> {
    unit: &'a str,
    device: String,
    batches: Vec<Vec<([u8; 32], &'a Entry)>>,
}

fn hash(change: &[u8]) -> Result<[u8; 32]> {
    let change = automerge::Change::try_from(change).context("a change")?;
    Ok(change.hash().0)
}

/// The server's handling of each batch as a request body, without HTTP: decode the frame,
/// check every change, store the batch, pull what the device would get back.
fn server_in_process(dir: &Path, batches: &[(String, Vec<Vec<Entry>>)]) -> Result<Duration> {
    let storage = SqliteStorage::open(dir)?;
    let limits = Limits::default();
    let requests: Vec<(Device, Vec<Vec<u8>>)> = batches
        .iter()
        .map(|(unit, batches)| {
            let device = Device {
                id: DeviceId::new(),
                unit: UnitCode::parse(unit)?,
            };
            let bodies = batches
                .iter()
                .map(|b| simpul_protocol::encode(&Batch::from(b.clone()), &limits))
                .collect::<Result<Vec<_>, _>>()?;
            Ok((device, bodies))
        })
        .collect::<Result<_>>()?;

    let started = Instant::now();
    for (device, bodies) in &requests {
        let mut cursor = 0;
        for body in bodies {
            let request = exchange::Request {
                key: Uuid::now_v7(),
                cursor,
                pull_max: MAX_BATCH,
                body,
            };
            cursor = exchange::exchange(&storage, device, request)?.cursor;
        }
    }
    Ok(started.elapsed())
}

/// The id of the `simpul-server serve` process working on `data_dir`.
fn server_pid(data_dir: &Path) -> Result<u32> {
    let wanted = data_dir.as_os_str().as_encoded_bytes();
    for entry in std::fs::read_dir("/proc")? {
        let entry = entry?;
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let args: Vec<&[u8]> = cmdline.split(|b| *b == 0).collect();
        if args.contains(&b"serve".as_slice()) && args.contains(&wanted) {
            return Ok(pid);
        }
    }
    anyhow::bail!("no simpul-server process serves {}", data_dir.display())
}

fn proc_path(pid: u32, file: &str) -> PathBuf {
    PathBuf::from(format!("/proc/{pid}/{file}"))
}

/// A `kB` line of /proc/PID/status.
fn status_kib(pid: u32, key: &str) -> Result<u64> {
    let status = std::fs::read_to_string(proc_path(pid, "status"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(key))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .with_context(|| format!("{key} in /proc/{pid}/status"))
}

/// User plus system CPU time of a process so far.
fn cpu_time(pid: u32) -> Result<Duration> {
    let stat = std::fs::read_to_string(proc_path(pid, "stat"))?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat
        .rsplit_once(')')
        .map(|(_, r)| r)
        .context("/proc/PID/stat")?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the name.
    let ticks: u64 = fields
        .get(11..13)
        .context("utime and stime")?
        .iter()
        .map(|f| f.parse::<u64>())
        .sum::<Result<u64, _>>()?;
    Ok(Duration::from_secs_f64(ticks as f64 / clock_ticks() as f64))
}

fn clock_ticks() -> u64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100)
}
