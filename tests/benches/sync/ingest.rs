//! Server ingest: many devices, each with its own unit and its own week of responses, sync
//! with one `simpul-server` at once over loopback. Responses per second from the first sync
//! started to the last one done, and the server's peak memory and CPU time from /proc.
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
}

/// One run against a fresh server.
pub struct ServerRun {
    pub took: Duration,
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
        let (server_run, run_rounds) = sync_at_once(&members, total)?;
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

    Ok(Ingest {
        devices,
        responses: total,
        runs: server_runs,
        batch_mean: total as f64 / rounds.max(1) as f64,
        sqlite,
        in_process,
    })
}

/// A fresh server, every member enrolled in its unit, then all of them syncing at once.
/// Returns the run and the number of sync rounds the devices counted.
fn sync_at_once(members: &[Member], total: u64) -> Result<(ServerRun, u64)> {
    let server = Server::start();
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
    let run = ServerRun {
        took,
        peak_rss_kib,
        rss_before_kib,
        cpu,
        requests,
    };
    Ok((run, rounds))
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
