//! How fast `simpul-desktop` is ready, and how much memory it takes, on a replica of 10 000
//! responses; beside it the same on a replica with none, measured in the same run.
//!
//!     (cd ui && npm run build) && cargo build --release --workspace --bins
//!     cargo build --workspace --bins                # makes the replicas
//!     SIMPUL_APP_BINARY=$PWD/target/release/simpul-desktop cargo bench --workspace --bench startup
//!
//! Without `SIMPUL_APP_BINARY` the app is the debug build beside the CLI, as the window
//! tests use it. `cargo test --bench` runs this `main` once, built like the tests.
//!
//! Launch to first usable screen: from the kernel's start time of the `simpul-desktop`
//! process to the moment the sign-in screen is in the page, as WebDriver finds it (polled
//! every round trip, a few milliseconds). The window is opened by `tauri-driver` under
//! Xvfb, as the window tests open it. Memory, read once the screen is up, of the app's
//! process and the WebKit processes it starts (web content, network), two ways: the sum of
//! their peak resident sets (`VmHWM`), which bounds the peak from above but counts every
//! shared library (WebKit's are most of it) once per process; and the sum of their
//! proportional sets (`Pss` in `smaps_rollup`), which counts a page shared by n processes
//! as 1/n in each — what the app family actually takes from the machine.
//!
//! `SIMPUL_BENCH_RUNS` sets the launches per replica (default 5); each figure is the median.
//! `SIMPUL_BENCH_QUICK=1` (or `--quick`) launches once on 1 000 responses: it proves the
//! benchmark still runs, and its numbers are not results.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use simpul_e2e::harness::{self, PERIOD, UNIT, path_str};
use simpul_e2e::window::{Window, testid};

fn main() {
    let quick = std::env::var_os("SIMPUL_BENCH_QUICK").is_some()
        || std::env::args().any(|a| a == "--quick");
    let responses = if quick { 1_000 } else { 10_000 };
    let runs: usize = std::env::var("SIMPUL_BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(if quick { 1 } else { 5 });
    let app = std::env::var_os("SIMPUL_APP_BINARY")
        .map(PathBuf::from)
        .unwrap_or_else(harness::app_binary);
    println!("app: {}", app.display());
    let dir = tempfile::tempdir().expect("a temporary directory");

    let empty = replica(dir.path(), "kosong", 0);
    let full = replica(dir.path(), "penuh", responses);
    let full_name = format!("{responses} responses");

    let mut breakdown = Vec::new();
    println!(
        "| replica | launch to sign-in screen (median of {runs}) | peak RSS, app + WebKit (median) | PSS, app + WebKit (median) |"
    );
    println!("|---|---|---|---|");
    for (name, data) in [
        ("no responses (baseline)", &empty),
        (full_name.as_str(), &full),
    ] {
        let mut times = Vec::new();
        let mut memory = Vec::new();
        let mut proportional = Vec::new();
        let mut parts = Vec::new();
        for run in 0..runs {
            let (time, processes) = launch(&app, data, &format!("startup-{run}"));
            times.push(time);
            memory.push(processes.iter().map(|p| p.peak_rss).sum::<u64>());
            proportional.push(processes.iter().map(|p| p.pss).sum::<u64>());
            parts = processes;
        }
        times.sort();
        memory.sort();
        proportional.sort();
        let time = times[runs / 2];
        let rss = memory[runs / 2];
        let pss = proportional[runs / 2];
        println!(
            "| {name} | {:.2} s (all: {}) | {:.1} MiB | {:.1} MiB |",
            time.as_secs_f64(),
            times
                .iter()
                .map(|t| format!("{:.2}", t.as_secs_f64()))
                .collect::<Vec<_>>()
                .join(", "),
            rss as f64 / 1024.0,
            pss as f64 / 1024.0
        );
        breakdown.push((name, parts));
    }
    println!();
    for (name, parts) in breakdown {
        let parts: Vec<String> = parts
            .iter()
            .filter(|p| p.peak_rss > 0)
            .map(|p| {
                format!(
                    "{} {:.1} MiB peak RSS, {:.1} MiB PSS",
                    p.name,
                    p.peak_rss as f64 / 1024.0,
                    p.pss as f64 / 1024.0
                )
            })
            .collect();
        println!("{name}, last launch: {}", parts.join(", "));
    }
}

/// A replica set up for the unit and period, with `responses` paper sheets imported.
fn replica(dir: &Path, name: &str, responses: usize) -> PathBuf {
    let data = dir.join(name);
    let simpul = harness::binary("simpul");
    let ok = |cmd: &mut Command, what: &str| {
        let status = cmd.status().expect("simpul runs");
        assert!(status.success(), "{what} failed");
    };
    ok(
        Command::new(&simpul).stdout(Stdio::null()).args([
            "init",
            "--unit",
            UNIT,
            "--period",
            PERIOD,
            "--device",
            name,
            "--data",
            path_str(&data),
        ]),
        "simpul init",
    );
    if responses > 0 {
        let csv = dir.join(format!("{name}.csv"));
        let mut text = String::from(
            "serial,tanggal,jenis_kelamin,umur,pendidikan,pekerjaan,layanan,U1,U2,U3,U4,U5,U6,U7,U8,U9\n",
        );
        for i in 1..=responses {
            let d = 1 + i % 4;
            text.push_str(&format!(
                "S-{i:05},2025-03-03,P,33,SMA,SWASTA,KTP-el,{d},{d},{d},{d},{d},{d},{d},{d},{d}\n"
            ));
        }
        std::fs::write(&csv, text).expect("the CSV is written");
        ok(
            Command::new(&simpul).stdout(Stdio::null()).args([
                "import-csv",
                path_str(&csv),
                "--enumerator",
                "Bench",
                "--data",
                path_str(&data),
            ]),
            "simpul import-csv",
        );
    }
    data
}

/// One process of the app's family and its memory, in KiB.
struct Process {
    name: String,
    peak_rss: u64,
    pss: u64,
}

/// One launch: the time to the first usable screen, and the memory of each process.
fn launch(app: &Path, data: &Path, run: &str) -> (Duration, Vec<Process>) {
    let w = Window::open(app, data, run);
    let screen = testid("screen-signin");
    let deadline = Instant::now() + Duration::from_secs(60);
    while w.all(&screen).is_empty() {
        assert!(Instant::now() < deadline, "the sign-in screen never came");
    }
    let seen = uptime();
    let pid = app_pid(data).expect("the app's process is found");
    let started = start_time(pid);
    // Let the first screen settle (its requests answered) before reading the peaks.
    std::thread::sleep(Duration::from_secs(1));
    let processes = family(pid)
        .into_iter()
        .map(|p| Process {
            name: name(p),
            peak_rss: status_kib(p, "VmHWM:"),
            pss: proportional_kib(p),
        })
        .collect();
    drop(w);
    (seen.saturating_sub(started), processes)
}

/// Seconds since boot, as /proc/uptime gives them.
fn uptime() -> Duration {
    let text = std::fs::read_to_string("/proc/uptime").expect("/proc/uptime");
    let secs: f64 = text
        .split_whitespace()
        .next()
        .and_then(|s| s.parse().ok())
        .expect("a number");
    Duration::from_secs_f64(secs)
}

/// Fields of /proc/PID/stat after the command name.
fn stat(pid: u32) -> Vec<String> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    text.rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default()
}

/// When the process started, since boot (field 22, in clock ticks of 1/100 s on Linux).
fn start_time(pid: u32) -> Duration {
    let ticks: u64 = stat(pid)[19].parse().expect("a start time");
    Duration::from_millis(ticks * 10)
}

fn pids() -> Vec<u32> {
    std::fs::read_dir("/proc")
        .expect("/proc")
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .collect()
}

/// The `simpul-desktop` running on this data folder.
fn app_pid(data: &Path) -> Option<u32> {
    let data = path_str(data);
    pids().into_iter().find(|pid| {
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        let args: Vec<&[u8]> = cmdline.split(|&b| b == 0).collect();
        args.first()
            .is_some_and(|exe| exe.ends_with(b"simpul-desktop"))
            && args.contains(&data.as_bytes())
    })
}

/// The process and every process under it.
fn family(root: u32) -> Vec<u32> {
    let parents: Vec<(u32, u32)> = pids()
        .into_iter()
        .filter_map(|pid| Some((pid, stat(pid).get(1)?.parse().ok()?)))
        .collect();
    let mut family = vec![root];
    let mut i = 0;
    while i < family.len() {
        let parent = family[i];
        family.extend(
            parents
                .iter()
                .filter(|(_, pp)| *pp == parent)
                .map(|(p, _)| *p),
        );
        i += 1;
    }
    family
}

/// The process's name as the kernel keeps it.
fn name(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// A `… kB` field of /proc/PID/status (`VmHWM:`: the peak resident set), in KiB.
fn status_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    kib_field(&status, field)
}

/// The proportional set size of a process in KiB, from /proc/PID/smaps_rollup.
fn proportional_kib(pid: u32) -> u64 {
    let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
    kib_field(&rollup, "Pss:")
}

fn kib_field(text: &str, field: &str) -> u64 {
    text.lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}
