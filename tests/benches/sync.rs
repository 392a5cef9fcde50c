//! Benchmarks for DESIGN.md's sync targets, each beside a baseline measured in the same run:
//! bytes on the wire per response against OpenRosa submissions, a week of responses over an
//! emulated GPRS link (and one cut every 30 s), and server ingest from 20 devices at once.
//! Prints markdown tables; results are in docs/sync-benchmarks.md.
//!
//!     cargo build --release -p simpul-cli -p simpul-server   # the processes it drives
//!     cargo bench -p simpul-e2e --bench sync                 # full: about 8 minutes
//!     cargo bench -p simpul-e2e --bench sync -- --quick      # smoke test: about 20 s
//!     SIMPUL_BENCH_QUICK=1 cargo bench -p simpul-e2e --bench sync
//!
//! The binaries are looked for in `target/release`, or in `SIMPUL_BIN_DIR` (a quick run can
//! use the debug builds the tests use: `SIMPUL_BIN_DIR=target/debug`). `SIMPUL_BENCH_ONLY`
//! names the parts to run, comma-separated (`wire`, `link`, `ingest`); all by default.
//!
//! Everything runs on 127.0.0.1: real `simpul` and `simpul-server` processes, with the
//! fault-injecting proxy of `simpul_e2e` in between where a link is measured.

// The modules live in benches/sync/ so that Cargo does not take each for a bench of its own.
#[path = "sync/binaries.rs"]
mod binaries;
#[path = "sync/fill.rs"]
mod fill;
#[path = "sync/gprs.rs"]
mod gprs;
#[path = "sync/ingest.rs"]
mod ingest;
#[path = "sync/openrosa.rs"]
mod openrosa;
#[path = "sync/report.rs"]
mod report;
#[path = "sync/sample.rs"]
mod sample;
#[path = "sync/server_log.rs"]
mod server_log;
#[path = "sync/tablet.rs"]
mod tablet;
#[path = "sync/wire.rs"]
mod wire;

use std::time::Duration;

use anyhow::{Context, Result};
use simpul_e2e::{LinkProfile, UNIT};

/// How much to measure.
pub struct Plan {
    pub quick: bool,
    /// Responses on the device for the wire and link benchmarks.
    pub responses: usize,
    pub link: LinkProfile,
    pub cut_every: Duration,
    pub link_deadline: Duration,
    pub devices: usize,
    pub per_device: usize,
    /// Times the ingest benchmark and its baselines run.
    pub ingest_runs: usize,
    /// The parts to run (`SIMPUL_BENCH_ONLY`); `None` runs them all.
    pub only: Option<Vec<String>>,
}

impl Plan {
    fn from_env() -> Plan {
        let quick = std::env::args().any(|arg| arg == "--quick")
            || std::env::var("SIMPUL_BENCH_QUICK").is_ok_and(|v| !v.is_empty() && v != "0");
        let only = std::env::var("SIMPUL_BENCH_ONLY")
            .ok()
            .filter(|v| !v.trim().is_empty())
            .map(|v| v.split(',').map(|p| p.trim().to_string()).collect());
        let plan = Plan::sized(quick);
        Plan { only, ..plan }
    }

    fn runs(&self, part: &str) -> bool {
        self.only
            .as_ref()
            .is_none_or(|parts| parts.iter().any(|p| p == part))
    }

    fn sized(quick: bool) -> Plan {
        if quick {
            Plan {
                quick,
                responses: 300,
                // GPRS's shape at four times its speed, so the run takes seconds.
                link: LinkProfile {
                    bytes_per_sec: Some(16 * 1024),
                    latency: Duration::from_millis(20),
                    stall: Duration::from_millis(100),
                    ..LinkProfile::gprs()
                },
                cut_every: Duration::from_secs(1),
                link_deadline: Duration::from_secs(120),
                devices: 20,
                per_device: 100,
                ingest_runs: 1,
                only: None,
            }
        } else {
            Plan {
                quick,
                responses: 10_000,
                link: LinkProfile::gprs(),
                cut_every: Duration::from_secs(30),
                link_deadline: Duration::from_secs(30 * 60),
                devices: 20,
                per_device: 2_000,
                ingest_runs: 3,
                only: None,
            }
        }
    }
}

fn main() -> Result<()> {
    let plan = Plan::from_env();
    binaries::require()?;
    report::header(&plan);
    let tmp = tempfile::Builder::new()
        .prefix("simpul-sync-bench-")
        .tempdir()
        .context("create a temporary directory")?;

    if plan.runs("wire") || plan.runs("link") {
        device_to_server(&plan, tmp.path())?;
    }
    if !plan.runs("ingest") {
        return Ok(());
    }
    eprintln!(
        "ingest: {} devices × {} responses…",
        plan.devices, plan.per_device
    );
    let ingest = ingest::run(
        plan.devices,
        plan.per_device,
        plan.ingest_runs,
        &tmp.path().join("ingest"),
    )?;
    report::ingest(&plan, &ingest);
    Ok(())
}

/// Bytes on the wire and the emulated GPRS link, from one device filled once.
fn device_to_server(plan: &Plan, dir: &std::path::Path) -> Result<()> {
    eprintln!("filling a device with {} responses…", plan.responses);
    let mut survey = sample::Survey::new(7, "P", 0.5);
    let (template, responses) = fill::tablet(
        &dir.join("template"),
        UNIT,
        "tablet-1",
        plan.responses,
        &mut survey,
        true,
    )?;

    if plan.runs("wire") {
        eprintln!("wire: syncing through a counting proxy, then the OpenRosa baseline…");
        let wire = wire::run(&template, &responses, &dir.join("wire"))?;
        report::wire(plan, &wire);
    }
    if !plan.runs("link") {
        return Ok(());
    }
    let n = responses.len() as u64;
    eprintln!("link: {} responses over the emulated GPRS link…", n);
    let plain = gprs::run(
        &template,
        n,
        plan.link.clone(),
        plan.link_deadline,
        &dir.join("link"),
    )?;
    eprintln!("link: again, cut every {:?}…", plan.cut_every);
    let cut = gprs::run(
        &template,
        n,
        LinkProfile {
            cut_every: Some(plan.cut_every),
            ..plan.link.clone()
        },
        plan.link_deadline,
        &dir.join("link-cut"),
    )?;
    report::link(plan, n, &plain, &cut);
    Ok(())
}
