//! Benchmarks for DESIGN.md's performance targets on one device: capture latency (p50/p99),
//! the IKM report over 100 000 responses, and bundle bytes per response for 1 000 responses —
//! each beside a baseline measured in the same run. Prints markdown tables to stdout.
//!
//!     cargo bench -p simpul-replica --bench replica              # full, about a minute
//!     cargo bench -p simpul-replica --bench replica -- --quick   # smoke test, seconds
//!     SIMPUL_BENCH_QUICK=1 cargo bench -p simpul-replica --bench replica
//!
//! The replicas are real SQLite files under Cargo's target tmp directory, on a real disk so
//! that `synchronous = FULL` really waits for it; capture is timed again on tmpfs, where the
//! flush costs nothing. Results and how to read them: docs/benchmarks.md.

// The modules live in benches/replica/ so that Cargo does not take each for a bench of its own.
#[path = "replica/bundle.rs"]
mod bundle;
#[path = "replica/capture.rs"]
mod capture;
#[path = "replica/report.rs"]
mod report;
#[path = "replica/sample.rs"]
mod sample;

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result};
use simpul_replica::{DB_FILE, Filter, SERVICE_ITEM};
use simpul_survey::{IkmReport, Weighting};

/// How much to measure.
struct Plan {
    quick: bool,
    captures: usize,
    capture_warm_up: usize,
    report_responses: usize,
    report_chunk: usize,
    report_runs: usize,
    naive_runs: usize,
    captures_into_large: usize,
    bundle_responses: usize,
}

impl Plan {
    fn from_env() -> Plan {
        let quick = std::env::args().any(|arg| arg == "--quick")
            || std::env::var("SIMPUL_BENCH_QUICK").is_ok_and(|v| !v.is_empty() && v != "0");
        if quick {
            Plan {
                quick,
                captures: 100,
                capture_warm_up: 10,
                report_responses: 2_000,
                report_chunk: 1_000,
                report_runs: 5,
                naive_runs: 3,
                captures_into_large: 20,
                bundle_responses: 1_000,
            }
        } else {
            Plan {
                quick,
                captures: 2_000,
                capture_warm_up: 50,
                report_responses: 100_000,
                report_chunk: 1_000,
                report_runs: 51,
                naive_runs: 11,
                captures_into_large: 500,
                bundle_responses: 1_000,
            }
        }
    }
}

fn main() -> Result<()> {
    let plan = Plan::from_env();
    let tmp = tempfile::Builder::new()
        .prefix("simpul-bench-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .context("create a temporary directory")?;

    println!(
        "# simpul-replica benchmarks{}\n",
        if plan.quick {
            " (quick mode: small N, a smoke test, not results)"
        } else {
            ""
        }
    );
    println!(
        "SQLite {}, {} CPUs available.\n",
        rusqlite::version(),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );

    eprintln!("capture: {} interviews…", plan.captures);
    let captures = capture::run(
        &tmp.path().join("capture"),
        plan.captures,
        plan.capture_warm_up,
    )?;
    // The same in memory-backed files, where fsync costs nothing: what capture itself costs.
    let in_memory = match tempfile::tempdir_in("/dev/shm") {
        Ok(shm) => Some(capture::run(
            shm.path(),
            plan.captures,
            plan.capture_warm_up,
        )?),
        Err(_) => None,
    };

    eprintln!("report: seeding {} responses…", plan.report_responses);
    let large_dir = tmp.path().join("large");
    let (mut large, seeding) = report::seed(&large_dir, plan.report_responses, plan.report_chunk)?;
    let db_bytes = (
        file_size(&large_dir.join(DB_FILE)),
        file_size(&large_dir.join(format!("{DB_FILE}-wal"))),
    );
    eprintln!("report: timing…");
    let reports = time_reports(&plan, &large, &large_dir)?;
    let into_large = capture::into_existing(&mut large, plan.captures_into_large)?;
    drop(large);

    eprintln!("bundle: {} responses, twice…", plan.bundle_responses);
    let realistic = bundle::measure(
        &tmp.path().join("bundle-a"),
        plan.bundle_responses,
        sample::Survey::new(4),
    )?;
    let mut plain = sample::Survey::new(4);
    plain.suggestion_share = 0.0;
    let plain = bundle::measure(&tmp.path().join("bundle-b"), plan.bundle_responses, plain)?;

    print_capture(&plan, &captures, in_memory.as_ref(), &into_large);
    print_report(&plan, seeding, db_bytes, &reports);
    print_bundle(&realistic, &plain);
    Ok(())
}

struct Reports {
    all: (report::Timing, IkmReport),
    service: (report::Timing, IkmReport),
    scores_in_rust: (report::Timing, IkmReport),
    answers_in_rust: (report::Timing, IkmReport),
}

fn time_reports(plan: &Plan, replica: &simpul_replica::Replica, dir: &Path) -> Result<Reports> {
    let runs = plan.report_runs;
    let all = report::time(3, runs, || {
        Ok(replica.report(&Filter::default(), Weighting::Exact)?)
    })?;
    let by_service = Filter {
        service: Some(sample::SERVICES[0].to_string()),
        ..Filter::default()
    };
    let service = report::time(3, runs, || {
        Ok(replica.report(&by_service, Weighting::Exact)?)
    })?;
    let reader = report::reader(dir)?;
    let scores_in_rust = report::time(1, runs, || report::scores_in_rust(&reader))?;
    let answers_in_rust = report::time(1, plan.naive_runs, || report::answers_in_rust(&reader))?;
    report::check_same(&all.1, &scores_in_rust.1, "scores read into Rust")?;
    report::check_same(&all.1, &answers_in_rust.1, "answers read into Rust")?;
    anyhow::ensure!(
        all.1.n as usize == plan.report_responses,
        "every response counted"
    );
    Ok(Reports {
        all,
        service,
        scores_in_rust,
        answers_in_rust,
    })
}

fn print_capture(
    plan: &Plan,
    on_disk: &capture::CaptureRun,
    in_memory: Option<&capture::CaptureRun>,
    into_large: &capture::Latencies,
) {
    println!("## Capture latency\n");
    println!(
        "{} interviews (profile, U1–U9, a suggestion), each one `Replica::capture` in its own \
         transaction (WAL, `synchronous = FULL`), after {} untimed. Each iteration also times \
         a bare insert of the same answers into a one-row-per-questionnaire table with the same \
         pragmas, so both see the disk at the same moment. On tmpfs fsync costs nothing, which \
         leaves the work capture itself does.\n",
        thousands(on_disk.replica.len()),
        plan.capture_warm_up
    );
    println!("| | p50 | p90 | p99 | max | mean |");
    println!("|---|---:|---:|---:|---:|---:|");
    let row = |name: &str, l: &capture::Latencies| {
        println!(
            "| {name} | {} | {} | {} | {} | {} |",
            ms(l.percentile(50.0)),
            ms(l.percentile(90.0)),
            ms(l.percentile(99.0)),
            ms(l.max()),
            ms(l.mean())
        );
    };
    let pair = |place: &str, run: &capture::CaptureRun| {
        let (r, b) = (&run.replica, &run.bare);
        row(&format!("{place}: `Replica::capture`"), r);
        row(&format!("{place}: bare SQLite insert"), b);
        println!(
            "| {place}: capture ÷ bare insert | {} | {} | {} | {} | {} |",
            ratio(r.percentile(50.0), b.percentile(50.0)),
            ratio(r.percentile(90.0), b.percentile(90.0)),
            ratio(r.percentile(99.0), b.percentile(99.0)),
            ratio(r.max(), b.max()),
            ratio(r.mean(), b.mean())
        );
    };
    pair("disk", on_disk);
    row(
        &format!(
            "disk: `Replica::capture` into the {}-response replica ({} captures)",
            thousands(plan.report_responses),
            into_large.len()
        ),
        into_large,
    );
    if let Some(run) = in_memory {
        pair("tmpfs", run);
    }
    let p99 = on_disk
        .replica
        .percentile(99.0)
        .max(into_large.percentile(99.0));
    println!(
        "\nTarget p99 < 20 ms: {}.\n",
        verdict(p99 < Duration::from_millis(20))
    );
}

fn print_report(plan: &Plan, seeding: Duration, (db, wal): (u64, u64), r: &Reports) {
    let n = plan.report_responses;
    println!("## IKM report over {} responses\n", thousands(n));
    println!(
        "Seeded with `capture_all` in chunks of {}: {:.1} s ({} responses/s); the database \
         file is {:.1} MB ({:.0} bytes per response) and its WAL {:.1} MB. Each figure is the \
         median of {} runs after warm-up; the naive ways run on a second read-only connection \
         to the same file and must give the same IKM.\n",
        thousands(plan.report_chunk),
        seeding.as_secs_f64(),
        thousands((n as f64 / seeding.as_secs_f64()).round() as usize),
        db as f64 / 1e6,
        db as f64 / n as f64,
        wal as f64 / 1e6,
        plan.report_runs
    );
    println!("| | responses | median | min | max | ÷ naive |");
    println!("|---|---:|---:|---:|---:|---:|");
    let naive = r.scores_in_rust.0.median;
    let row = |name: &str, (t, report): &(report::Timing, IkmReport)| {
        println!(
            "| {name} | {} | {} | {} | {} | {} |",
            thousands(report.n as usize),
            ms(t.median),
            ms(t.min),
            ms(t.max),
            ratio(t.median, naive)
        );
    };
    row("`report(&Filter::default(), Weighting::Exact)`", &r.all);
    row(
        &format!(
            "`report`, one service (`{SERVICE_ITEM} = {}`)",
            sample::SERVICES[0]
        ),
        &r.service,
    );
    row(
        "naive: `SELECT s1…s9` of every response, summed in Rust",
        &r.scores_in_rust,
    );
    row(
        &format!(
            "naive without score columns: unsur answers from `answers`, parsed in Rust ({} runs)",
            r.answers_in_rust.0.runs
        ),
        &r.answers_in_rust,
    );
    let ikm = r.all.1.ikm.unwrap_or_default();
    println!(
        "\nIKM {:.2}, grade {}. Target < 100 ms for 100 000 responses: {}.\n",
        ikm,
        r.all.1.grade.map_or("–", |g| g.letter()),
        if n == 100_000 {
            verdict(r.all.0.median < Duration::from_millis(100)).to_string()
        } else {
            "not measured in quick mode".to_string()
        }
    );
}

fn print_bundle(realistic: &bundle::Sizes, plain: &bundle::Sizes) {
    println!("## Bytes per response\n");
    println!(
        "{} new responses, half paper and half interview, captured on one device. \"Realistic\": \
         40 % write a suggestion; \"no free text\": nobody does. The bundle is `export_bundle(0)`, \
         the format sync uploads; the XML is what an OpenRosa client posts per questionnaire, one \
         HTTP request each, not counting the request.\n",
        thousands(realistic.responses)
    );
    println!(
        "| encoding | realistic, bytes/response | no free text, bytes/response | ÷ bundle (realistic) |"
    );
    println!("|---|---:|---:|---:|");
    let per = |bytes: usize, s: &bundle::Sizes| bytes as f64 / s.responses as f64;
    let row = |name: &str, f: &dyn Fn(&bundle::Sizes) -> usize| {
        let a = per(f(realistic), realistic);
        let b = per(f(plain), plain);
        let base = per(realistic.bundle, realistic);
        println!("| {name} | {a:.1} | {b:.1} | ×{:.2} |", a / base);
    };
    row("Simpul bundle (`export_bundle`, zstd level 3)", &|s| {
        s.bundle
    });
    row("Automerge changes, raw", &|s| s.changes);
    row("sync payload uncompressed (id + length + change)", &|s| {
        s.payload
    });
    row("JSON of the same fields", &|s| s.json);
    row("JSON of the same fields, zstd level 3", &|s| s.json_zstd);
    row("OpenRosa XForms XML submission", &|s| s.xml);
    println!(
        "\nLargest single XML submission: {} bytes. Target ≤ 120 bytes per response in batches \
         of ≥ 100: {}.\n",
        realistic.xml_largest,
        verdict(per(realistic.bundle, realistic) <= 120.0)
    );
}

fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn ratio(a: Duration, b: Duration) -> String {
    format!("×{:.1}", a.as_secs_f64() / b.as_secs_f64())
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "**not met**" }
}

fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}
