//! The results as markdown tables on standard output.

use std::time::Duration;

use simpul_e2e::LinkProfile;

use crate::Plan;
use crate::gprs::LinkRun;
use crate::ingest::{Ingest, median};
use crate::wire::Wire;

pub fn header(plan: &Plan) {
    println!(
        "# Sync benchmarks{}\n",
        if plan.quick {
            " (quick mode: small N and a fast link, a smoke test, not results)"
        } else {
            ""
        }
    );
    println!(
        "{} CPUs ({}); loopback only; `simpul` and `simpul-server` from `target/{}`.\n",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        cpu_model(),
        crate::binaries::profile()
    );
}

pub fn wire(plan: &Plan, w: &Wire) {
    let n = w.responses;
    println!("## Bytes on the wire\n");
    println!(
        "{} new responses on one device (half interviews captured on the tablet, half paper \
         sheets imported with `simpul import-csv`; 30 % with a suggestion), synced in one \
         `simpul sync` through a proxy that counts every byte of TCP payload both ways, HTTP \
         heads included. The OpenRosa baseline sends the same responses as ODK Collect does, \
         to an endpoint in the bench, through a second counting proxy: per response a `HEAD \
         /submission` and a multipart `POST /submission` of its XForms instance, on one \
         kept-alive connection.\n",
        thousands(n)
    );
    let o = &w.openrosa;
    let s = &w.simpul;
    let sent = &w.openrosa_sent;
    println!("| | Simpul | OpenRosa | OpenRosa ÷ Simpul |");
    println!("|---|---:|---:|---:|");
    let row = |name: &str, ours: u64, theirs: u64| {
        println!(
            "| {name} | {} | {} | ×{:.1} |",
            thousands(ours),
            thousands(theirs),
            theirs as f64 / ours as f64
        );
    };
    row("bytes up (device → server)", s.bytes_up, o.bytes_up);
    row("bytes down (server → device)", s.bytes_down, o.bytes_down);
    row(
        "bytes in all",
        s.bytes_up + s.bytes_down,
        o.bytes_up + o.bytes_down,
    );
    let per = |bytes: u64| bytes as f64 / n as f64;
    let per_row = |name: &str, ours: u64, theirs: u64| {
        println!(
            "| {name} | {:.1} | {:.1} | ×{:.1} |",
            per(ours),
            per(theirs),
            theirs as f64 / ours as f64
        );
    };
    per_row("bytes up per response", s.bytes_up, o.bytes_up);
    per_row(
        "bytes in all per response",
        s.bytes_up + s.bytes_down,
        o.bytes_up + o.bytes_down,
    );
    println!(
        "| HTTP requests up / answers down | {} / {} | {} / {} | ×{:.0} |",
        thousands(w.server.count),
        thousands(w.server.count),
        thousands(sent.requests()),
        thousands(sent.requests()),
        sent.requests() as f64 / w.server.count.max(1) as f64
    );
    println!(
        "| TCP connections | {} | {} | |",
        s.connections, o.connections
    );
    println!(
        "| time on loopback | {} | {} | |",
        secs(w.took),
        secs(w.openrosa_took)
    );
    println!(
        "\nThe device counted {} rounds and the server logged {} sync requests ({} refused). \
         Without the `HEAD` before each submission (a server whose `HEAD` answer carries a \
         `Location` lets Collect skip the later ones) OpenRosa still takes {:.0} bytes up and \
         {:.0} in all per response; the XForms instance alone averages {:.0} bytes.",
        w.rounds,
        w.server.count,
        w.server.failed,
        per(sent.post_up),
        per(sent.post_up + sent.post_down),
        per(sent.xml)
    );
    let up = per(s.bytes_up);
    println!(
        "\nTarget ≤ 120 bytes per response uploaded: {} ({up:.1}){}.\n",
        verdict(up <= 120.0),
        if plan.quick {
            format!(", on {} responses in quick mode", thousands(n))
        } else {
            String::new()
        }
    );
}

pub fn link(plan: &Plan, n: u64, plain: &LinkRun, cut: &LinkRun) {
    println!("## {} responses over an emulated GPRS link\n", thousands(n));
    println!(
        "The same device and responses, each run against a fresh server, through the proxy \
         throttled to {}. Wall time from starting `simpul sync` until it reports done; the \
         server then holds every response and the device has nothing pending. A sync that \
         gives up after 12 failures in a row is started again, as a user would.\n",
        describe(&plan.link)
    );
    println!(
        "| link | wall time | bytes up | bytes down | rounds | failed rounds | cuts | stalls | `simpul sync` runs |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (name, run) in [
        ("as it is".to_string(), plain),
        (format!("cut every {} s", plan.cut_every.as_secs()), cut),
    ] {
        println!(
            "| {name} | {} | {} | {} | {} | {} | {} | {} | {} |",
            minutes(run.took),
            thousands(run.stats.bytes_up),
            thousands(run.stats.bytes_down),
            run.rounds,
            run.failures,
            run.stats.cuts,
            run.stats.stalls,
            run.invocations
        );
    }
    let rate = plan.link.bytes_per_sec.unwrap_or(0);
    let floor = Duration::from_secs_f64(plain.stats.bytes_up as f64 / rate.max(1) as f64);
    println!(
        "\nThe upload alone needs {} at the link's rate. Target under 6 minutes for 10 000 \
         responses at 4 KB/s: {}; with the cuts it {}.\n",
        minutes(floor),
        if plan.quick {
            "not measured in quick mode".to_string()
        } else {
            format!(
                "{} ({})",
                verdict(plain.took < Duration::from_secs(360)),
                minutes(plain.took)
            )
        },
        if cut.stats.cuts > 0 {
            format!(
                "completed, nothing lost, after {} cuts ({})",
                cut.stats.cuts,
                minutes(cut.took)
            )
        } else {
            "completed before the first cut".to_string()
        }
    );
}

pub fn ingest(plan: &Plan, i: &Ingest) {
    println!("## Server ingest: {} devices at once\n", i.devices);
    println!(
        "{} devices, each enrolled in a unit of its own with {} new responses ({} in all), run \
         `simpul sync` at the same moment against one `simpul-server` on loopback (SQLite, WAL, \
         `synchronous = FULL`). Responses per second from the first start to the last finish; \
         the server is fresh and the devices are fresh copies on each of {} runs, and the \
         table gives the median run. The baselines store the same changes in the same \
         batches (about {:.0} changes each) in this process, one batch after another, on the \
         same disk, as many times.\n",
        i.devices,
        thousands(plan.per_device as u64),
        thousands(i.responses),
        i.runs.len(),
        i.batch_mean
    );
    println!("| | wall time | responses/s | every run, responses/s | ÷ server over HTTP |");
    println!("|---|---:|---:|---:|---:|");
    let run = i.median_run();
    let server_rate = i.rate(run.took);
    let row = |name: &str, times: &[Duration]| {
        let took = median(times);
        let all: Vec<String> = times
            .iter()
            .map(|t| thousands(i.rate(*t).round() as u64))
            .collect();
        println!(
            "| {name} | {} | {} | {} | ×{:.2} |",
            secs(took),
            thousands(i.rate(took).round() as u64),
            all.join(", "),
            i.rate(took) / server_rate
        );
    };
    let server_times: Vec<Duration> = i.runs.iter().map(|r| r.took).collect();
    row(
        &format!("`simpul-server`, {} devices syncing over HTTP", i.devices),
        &server_times,
    );
    row(
        "the server's `exchange::exchange` in process, no HTTP",
        &i.in_process,
    );
    row(
        "plain SQLite inserts of the same rows, one transaction per batch",
        &i.sqlite,
    );
    let latency = |p: f64| {
        run.requests.percentile(p).map_or_else(
            || "–".to_string(),
            |d| format!("{:.1} ms", d.as_secs_f64() * 1e3),
        )
    };
    let peak = i.runs.iter().map(|r| r.peak_rss_kib).max().unwrap_or(0);
    println!(
        "\nServer process: peak resident memory (VmHWM) {:.1} MiB at most over the runs, {:.1} \
         MiB before the syncs began; in the median run {:.1} s of CPU ({:.0} % of one core over \
         its wall time), {} sync requests ({} refused), answered in {} at the median and {} at \
         p99 (server-side, from its log).\n",
        peak as f64 / 1024.0,
        run.rss_before_kib as f64 / 1024.0,
        run.cpu.as_secs_f64(),
        100.0 * run.cpu.as_secs_f64() / run.took.as_secs_f64(),
        thousands(run.requests.count),
        run.requests.failed,
        latency(50.0),
        latency(99.0)
    );
    println!(
        "Target ≥ 2 000 responses/s: {} ({:.0}/s){}.\n",
        verdict(server_rate >= 2000.0),
        server_rate,
        if plan.quick {
            ", on a small quick-mode load"
        } else {
            ""
        }
    );
    let lag = &run.lag;
    let materialised_rate = i.rate(lag.until_materialised);
    println!("### Materialisation behind the burst\n");
    println!(
        "The server's follower reads every stored change into its document and its \
         responses, answers and conflicts rows, behind the change log. A watcher in the bench \
         polled the watermark against the log every 50 ms (median run):\n"
    );
    // Each figure of the median run, then the same figure of every run in order.
    type Figure<'a> = &'a dyn Fn(&crate::ingest::ServerRun) -> String;
    let every = |figure: Figure<'_>| i.runs.iter().map(figure).collect::<Vec<_>>().join(", ");
    let rows: [(&str, Figure<'_>); 5] = [
        ("most changes stored but not yet in the tables", &|r| {
            thousands(r.lag.max_behind)
        }),
        (
            "changes not yet in the tables when the last device finished",
            &|r| thousands(r.lag.behind_at_end),
        ),
        (
            "from the last device finishing to every change in the tables",
            &|r| secs(r.lag.catch_up),
        ),
        ("longest any change waited to reach the tables", &|r| {
            secs(r.lag.max_wait)
        }),
        (
            "responses/s from the first sync to every response materialised",
            &|r| thousands(i.rate(r.lag.until_materialised).round() as u64),
        ),
    ];
    println!("| | median run | every run |");
    println!("|---|---:|---:|");
    for (what, figure) in rows {
        println!("| {what} | {} | {} |", figure(run), every(figure));
    }
    println!(
        "\nTargets ≥ 2 000 responses/s materialised and lag < 5 s: {} ({:.0}/s, longest wait {}).\n",
        verdict(materialised_rate >= 2000.0 && lag.max_wait < Duration::from_secs(5)),
        materialised_rate,
        secs(lag.max_wait)
    );
    let per = |bytes: u64| bytes as f64 / i.responses as f64;
    println!("### Bytes stored per response\n");
    println!(
        "The last run's server database after `PRAGMA wal_checkpoint(TRUNCATE)` and `VACUUM`, \
         divided by the {} responses it holds (per table and index from SQLite's `dbstat`); a \
         device's database with its {} responses, vacuumed into a copy, beside it.\n",
        thousands(i.responses),
        thousands(plan.per_device as u64)
    );
    println!("| | bytes | per response |");
    println!("|---|---:|---:|");
    println!(
        "| server database file | {} | {:.0} |",
        thousands(i.stored.file),
        per(i.stored.file)
    );
    for (name, bytes) in &i.stored.objects {
        println!(
            "| — `{name}` | {} | {:.0} |",
            thousands(*bytes),
            per(*bytes)
        );
    }
    println!(
        "| one device's database file | {} | {:.0} |",
        thousands(i.device_bytes),
        i.device_bytes as f64 / plan.per_device as f64
    );
    println!(
        "\nTarget server < 1.5 KB per response: {} ({:.0} bytes).\n",
        verdict(per(i.stored.file) < 1536.0),
        per(i.stored.file)
    );
}

fn describe(link: &LinkProfile) -> String {
    format!(
        "{} each way, {} ms one way ({} ms round trip), {:.0} % of {}-byte segments held {} ms",
        link.bytes_per_sec.map_or_else(
            || "unthrottled".to_string(),
            |b| format!("{} B/s", thousands(b))
        ),
        link.latency.as_millis(),
        2 * link.latency.as_millis(),
        link.stall_probability * 100.0,
        simpul_e2e::proxy::CHUNK,
        link.stall.as_millis()
    )
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|rest| rest.trim_start_matches([' ', '\t', ':']).to_string())
        })
        .unwrap_or_else(|| "unknown CPU".to_string())
}

fn secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 10.0 {
        format!("{s:.2} s")
    } else {
        format!("{s:.1} s")
    }
}

fn minutes(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 60.0 {
        format!("{s:.1} s")
    } else {
        format!("{}:{:04.1} min", (s / 60.0) as u64, s % 60.0)
    }
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "**not met**" }
}

pub fn thousands(n: u64) -> String {
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
