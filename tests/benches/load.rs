//! Load: many devices syncing at once for a fixed time, against two `simpul-server` nodes on
//! one PostgreSQL database and against one node on SQLite, side by side.
//!
//! Each simulated device runs in a thread of this process: it captures an interview (a real
//! Automerge change, as the app writes it), and the device's own sans-IO sync engine
//! (`simpul_replica::sync::engine`) pushes it and pulls what the unit's other devices sent,
//! over real HTTP on loopback, round after round until the time is up. On PostgreSQL each
//! device talks to one of the two nodes, alternately, so every node serves every unit. Then
//! every device syncs to the end, and the run checks convergence: each device holds every
//! change of its unit, and the server holds each change once.
//!
//! Per backend: responses acknowledged per second, the round trip's p50 and p99, and errors
//! (a round that failed or was refused; the target is none).
//!
//! Run (the PostgreSQL side needs a cluster; `scripts/with-postgres` starts a throwaway one):
//!
//!     cargo build --release --workspace --bins
//!     SIMPUL_BIN_DIR=$PWD/target/release scripts/with-postgres \
//!         cargo bench --workspace --bench load
//!
//! `SIMPUL_BENCH_QUICK=1` (or `--quick`) runs 20 devices for 5 s to prove the bench still
//! runs; its numbers are not results. Prints a markdown table.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use automerge::Automerge;
use chrono::Utc;
use simpul_document::write::{Author, Capture, Header};
use simpul_e2e::{PERIOD, Server};
use simpul_protocol::Entry;
use simpul_replica::sync::engine::{Engine, Outgoing, Request, Response};
use simpul_server::admin;
use simpul_server::model::UnitCode;
use simpul_server::relay::upstream::Upstream;
use simpul_server::secret::EnrolmentCode;
use uuid::Uuid;

/// Devices per unit: an office's counter tablets and a laptop or two.
const DEVICES_PER_UNIT: usize = 10;
/// A device gives up the final sync after this many failures in a row.
const PATIENCE: u32 = 20;

struct Plan {
    devices: usize,
    duration: Duration,
}

fn main() {
    let quick = std::env::var_os("SIMPUL_BENCH_QUICK").is_some()
        || std::env::args().any(|a| a == "--quick");
    let plan = if quick {
        Plan {
            devices: 20,
            duration: Duration::from_secs(5),
        }
    } else {
        Plan {
            devices: 200,
            duration: Duration::from_secs(60),
        }
    };
    let units = plan.devices.div_ceil(DEVICES_PER_UNIT);

    let postgres = {
        let first = Server::start_on_postgres();
        let second = first.node();
        run("PostgreSQL, two nodes", &[first, second], units, &plan)
    };
    let sqlite = run(
        "SQLite, one node",
        &[Server::start_on_sqlite()],
        units,
        &plan,
    );

    println!(
        "## {} devices in {units} units syncing for {} s\n",
        plan.devices,
        plan.duration.as_secs()
    );
    println!("| backend | responses | responses/s | round trip p50 | p99 | errors | converged |");
    println!("|---|---|---|---|---|---|---|");
    for result in [&postgres, &sqlite] {
        println!(
            "| {} | {} | {:.0} | {:.1} ms | {:.1} ms | {} | {} |",
            result.name,
            result.responses,
            result.responses as f64 / plan.duration.as_secs_f64(),
            millis(percentile(&result.round_trips, 0.50)),
            millis(percentile(&result.round_trips, 0.99)),
            result.errors,
            if result.converged { "yes" } else { "NO" }
        );
    }
    let ratio = postgres.responses as f64 / sqlite.responses.max(1) as f64;
    println!("\nPostgreSQL (two nodes) / SQLite (one node), responses/s: {ratio:.2}×");
    assert!(
        postgres.converged && sqlite.converged,
        "a run did not converge"
    );
}

/// What one backend did.
struct Outcome {
    name: &'static str,
    responses: u64,
    round_trips: Vec<Duration>,
    errors: u64,
    converged: bool,
}

/// One device's share of a run.
#[derive(Default)]
struct Worked {
    unit: usize,
    pushed: BTreeSet<[u8; 32]>,
    held: BTreeSet<[u8; 32]>,
    round_trips: Vec<Duration>,
    errors: u64,
}

fn run(name: &'static str, nodes: &[Server], units: usize, plan: &Plan) -> Outcome {
    let first = &nodes[0];
    for unit in 1..units {
        first
            .admin(&["unit", "add", &unit_code(unit), "--name", &unit_code(unit)])
            .ok();
    }
    let storage = first
        .database()
        .open()
        .expect("the server's database opens");
    let links: Vec<(usize, Link)> = (0..plan.devices)
        .map(|i| {
            let unit = i % units;
            let code = admin::issue_enrolment_code(storage.as_ref(), &unit_code(unit), Utc::now())
                .expect("an enrolment code")
                .code
                .expose();
            let upstream = Upstream::new(&nodes[i % nodes.len()].url()).expect("a client");
            let token = enrol(&upstream, &code, &unit_code(unit), i);
            (unit, Link { upstream, token })
        })
        .collect();
    let changes_before = first.change_count();

    eprintln!("{name}: {} devices for {:?}…", plan.devices, plan.duration);
    let stop = Arc::new(AtomicBool::new(false));
    let everyone = Arc::new(Barrier::new(plan.devices));
    let threads: Vec<_> = links
        .into_iter()
        .enumerate()
        .map(|(i, (unit, link))| {
            let (stop, everyone) = (Arc::clone(&stop), Arc::clone(&everyone));
            thread::spawn(move || device(i, unit, link, &stop, &everyone))
        })
        .collect();
    thread::sleep(plan.duration);
    stop.store(true, Ordering::SeqCst);
    let worked: Vec<Worked> = threads
        .into_iter()
        .map(|t| t.join().expect("a device thread"))
        .collect();

    // Every device of a unit holds the same changes: everything its unit's devices pushed
    // and the unit's configuration; the server holds each change once.
    let mut by_unit: BTreeMap<usize, Vec<&Worked>> = BTreeMap::new();
    for w in &worked {
        by_unit.entry(w.unit).or_default().push(w);
    }
    let pushed: usize = worked.iter().map(|w| w.pushed.len()).sum();
    let converged = by_unit.values().all(|devices| {
        let all: BTreeSet<_> = devices.iter().flat_map(|w| w.pushed.iter()).collect();
        devices
            .iter()
            .all(|w| w.held == devices[0].held && all.iter().all(|hash| w.held.contains(*hash)))
    }) && first.change_count() == changes_before + pushed as u64;
    Outcome {
        name,
        responses: pushed as u64,
        round_trips: worked.iter().flat_map(|w| w.round_trips.clone()).collect(),
        errors: worked.iter().map(|w| w.errors).sum(),
        converged,
    }
}

fn unit_code(unit: usize) -> String {
    if unit == 0 {
        simpul_e2e::UNIT.to_string()
    } else {
        format!("U-{unit:03}")
    }
}

fn enrol(upstream: &Upstream, code: &str, unit: &str, i: usize) -> String {
    let code = EnrolmentCode::parse(code).expect("an enrolment code");
    let unit = UnitCode::parse(unit).expect("a unit code");
    upstream
        .enrol(&code, &unit, &format!("tablet-{i}"))
        .expect("the device enrols")
        .token
}

/// A device: captures an interview and syncs one round, over and over until `stop`; then
/// pushes what it still holds, waits at `everyone` for the other devices to do the same,
/// and pulls to the end.
fn device(i: usize, unit: usize, link: Link, stop: &AtomicBool, everyone: &Barrier) -> Worked {
    let mut sim = Simulated {
        i,
        link,
        engine: Engine::new(0, i as u64),
        outbox: Vec::new(),
        worked: Worked {
            unit,
            ..Worked::default()
        },
        failures_in_a_row: 0,
    };
    let mut seq = 0;
    while !stop.load(Ordering::SeqCst) {
        seq += 1;
        sim.outbox.push(Outgoing {
            seq,
            entry: interview(&unit_code(unit), i, seq),
        });
        sim.round();
    }
    while sim.round() {}
    everyone.wait();
    // A fresh engine at the same cursor always asks once more: the others' last pushes.
    sim.engine = Engine::new(sim.engine.cursor(), i as u64);
    while sim.round() {}
    sim.worked
}

/// Where and as whom a device syncs.
struct Link {
    upstream: Upstream,
    token: String,
}

struct Simulated {
    i: usize,
    link: Link,
    engine: Engine,
    outbox: Vec<Outgoing>,
    worked: Worked,
    failures_in_a_row: u32,
}

impl Simulated {
    /// One round trip, if the engine has one to make: `false` when sync is complete.
    fn round(&mut self) -> bool {
        let Some(request) = self.engine.next(&self.outbox).expect("a batch encodes") else {
            return false;
        };
        let started = Instant::now();
        match round(&self.link, &request) {
            Ok(response) => {
                self.worked.round_trips.push(started.elapsed());
                let commit = self
                    .engine
                    .on_response(response)
                    .expect("a readable answer");
                let acknowledged: BTreeSet<i64> = commit.acknowledged.into_iter().collect();
                let worked = &mut self.worked;
                self.outbox.retain(|out| {
                    if !acknowledged.contains(&out.seq) {
                        return true;
                    }
                    let hash = hash_of(&out.entry);
                    worked.pushed.insert(hash);
                    worked.held.insert(hash);
                    false
                });
                worked.held.extend(commit.pulled.iter().map(hash_of));
                self.failures_in_a_row = 0;
            }
            Err(reason) => {
                let i = self.i;
                self.worked.errors += 1;
                self.failures_in_a_row += 1;
                eprintln!("tablet-{i}: {reason}");
                assert!(
                    self.failures_in_a_row < PATIENCE,
                    "tablet-{i} gave up: {reason}"
                );
                thread::sleep(self.engine.on_failure());
            }
        }
        true
    }
}

/// One push-and-pull round trip, as `simpul sync` sends it (through the client a relay
/// forwards with).
fn round(link: &Link, request: &Request) -> Result<Response, String> {
    let answer = link
        .upstream
        .sync(
            &link.token,
            request.idempotency_key,
            request.cursor,
            request.pull_max,
            request.body.clone(),
        )
        .map_err(|e| e.to_string())?;
    Ok(Response {
        cursor: answer.cursor,
        more: answer.more,
        body: answer.body,
        log: answer.log,
    })
}

/// An electronic interview, all nine unsur answered, as one Automerge change.
fn interview(unit: &str, device: usize, n: i64) -> Entry {
    let id = Uuid::now_v7();
    let mut answers: BTreeMap<String, Option<String>> = BTreeMap::new();
    let score = |k: i64| ((n + k + device as i64) % 4 + 1).to_string();
    for (item, value) in [
        ("tanggal", Utc::now().date_naive().to_string()),
        (
            "jenis_kelamin",
            if n % 2 == 0 { "L" } else { "P" }.to_string(),
        ),
        ("umur", (20 + n % 50).to_string()),
        ("pendidikan", "SMA".to_string()),
        ("pekerjaan", "SWASTA".to_string()),
        ("layanan", "Akta kelahiran".to_string()),
    ] {
        answers.insert(item.to_string(), Some(value));
    }
    answers.insert("pekerjaan_lainnya".to_string(), None);
    answers.insert("saran".to_string(), None);
    for k in 1..=9 {
        answers.insert(format!("U{k}"), Some(score(k)));
    }
    let capture = Capture {
        header: Header {
            id,
            form: "skm-2017",
            method: "permenpanrb-14-2017",
            unit,
            period: PERIOD,
            channel: "interview",
            serial: None,
            status: "final",
        },
        answers: &answers,
        paper: false,
    };
    let change = capture
        .write(
            &mut Automerge::new(),
            &Author::new(format!("tablet-{device}"), Utc::now()),
        )
        .expect("an interview writes");
    Entry {
        doc: id,
        change: change.raw_bytes().to_vec(),
    }
}

fn hash_of(entry: &Entry) -> [u8; 32] {
    automerge::Change::try_from(entry.change.as_slice())
        .expect("a change parses")
        .hash()
        .0
}

fn percentile(samples: &[Duration], p: f64) -> Duration {
    let mut sorted = samples.to_vec();
    sorted.sort_unstable();
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(at).copied().unwrap_or_default()
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
