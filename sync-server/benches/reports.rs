//! Reports on the server over a province's worth of responses: the report across units
//! (from the running totals) over 1 000 000 responses in 500 units, against the same figures
//! computed unit by unit (500 unit reports) as the baseline; the supervisors' overview of
//! all of them; and one unit's report over its 2 000 responses. Targets: under 500 ms,
//! under 300 ms and under 20 ms. Then what the web asks for one unit's page (its report and
//! its summary: per service, profile, trend), under 50 ms; that unit's official report as a
//! PDF (typeset with Typst, the rekapitulasi listing every respondent), under 2 s; and the
//! spreadsheet of a unit of 100 000 responses (in a database of its own), under 5 s.
//!
//!     cargo bench -p simpul-server --bench reports
//!     SIMPUL_BENCH_QUICK=1 cargo bench -p simpul-server --bench reports   # 10 000 responses
//!
//! The materialised tables are filled directly, in a temporary SQLite file with the server's
//! schema, with rows shaped like real ones: nine scores, a service, a channel, an
//! enumerator, capture times over half a year, an answers object; about 1 in 10 is a draft,
//! rejected or deleted. Prints a markdown table; results are in docs/sync-benchmarks.md.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::Utc;
use rusqlite::{Connection, params};
use simpul_server::model::{Name, PeriodCode, UnitCode};
use simpul_server::official;
use simpul_server::overview;
use simpul_server::people::{Person, Role, Scope};
use simpul_server::report::{self, ReportFilter, UnitScope};
use simpul_server::storage::SqliteStorage;
use simpul_server::{summary, workbook};
use simpul_survey::Weighting;

const PERIOD: &str = "2026-S1";
const SERVICES: [&str; 5] = ["KTP", "KK", "Akta kelahiran", "Pindah datang", "KIA"];
const CHANNELS: [&str; 4] = ["interview", "paper", "kiosk", "web"];

struct Plan {
    units: usize,
    per_unit: usize,
    runs: usize,
    /// Responses of the one unit whose spreadsheet is timed.
    big_unit: usize,
}

fn main() -> anyhow::Result<()> {
    let quick = std::env::args().any(|a| a == "--quick")
        || std::env::var("SIMPUL_BENCH_QUICK").is_ok_and(|v| !v.is_empty() && v != "0");
    let plan = match quick {
        true => Plan {
            units: 50,
            per_unit: 200,
            runs: 3,
            big_unit: 2_000,
        },
        false => Plan {
            units: 500,
            per_unit: 2_000,
            runs: 7,
            big_unit: 100_000,
        },
    };
    let dir = tempfile::Builder::new()
        .prefix("simpul-report-bench-")
        .tempdir()?;
    let storage = SqliteStorage::open(dir.path())?;
    let filling = Instant::now();
    fill(storage.path(), &plan)?;
    let total = plan.units * plan.per_unit;
    eprintln!(
        "filled {total} responses in {} units in {:.1} s",
        plan.units,
        filling.elapsed().as_secs_f64()
    );
    let bytes = std::fs::metadata(storage.path())?.len();

    let scope = UnitScope::default();
    let filter = ReportFilter::default();
    let across = time(plan.runs, || {
        let report = report::cross_unit_report(&storage, &scope, &filter, Weighting::Exact)?;
        assert_eq!(report.units.len(), plan.units);
        Ok(report.pooled.n)
    })?;
    let unit_by_unit = time(plan.runs, || {
        let mut n = 0;
        for u in 0..plan.units {
            let filter = ReportFilter {
                period: Some(PERIOD.into()),
                ..ReportFilter::default()
            };
            n += report::unit_report(&storage, &unit(u), &filter, Weighting::Exact)?.n;
        }
        Ok(n)
    })?;
    let one_unit = time(plan.runs * 3, || {
        let filter = ReportFilter {
            period: Some(PERIOD.into()),
            ..ReportFilter::default()
        };
        Ok(report::unit_report(&storage, &unit(plan.units / 2), &filter, Weighting::Exact)?.n)
    })?;
    let instansi = time(plan.runs, || {
        let scope = UnitScope {
            instansi: Some(Name::parse("instansi", "Kabupaten 1")?),
            ..UnitScope::default()
        };
        Ok(
            report::cross_unit_report(&storage, &scope, &filter, Weighting::Exact)?
                .pooled
                .n,
        )
    })?;
    let period = PeriodCode::parse(PERIOD)?;
    let today = chrono::NaiveDate::from_ymd_opt(2026, 7, 1).expect("a day");
    let pdf = time(3, || {
        let bytes = official::unit_pdf(
            &storage,
            &unit(plan.units / 2),
            &period,
            Weighting::Exact,
            today,
        )?;
        assert!(bytes.starts_with(b"%PDF"));
        Ok(bytes.len() as u64)
    })?;
    let unit_page = time(plan.runs * 3, || {
        let filter = ReportFilter {
            period: Some(PERIOD.into()),
            ..ReportFilter::default()
        };
        let code = unit(plan.units / 2);
        let report = report::unit_report(&storage, &code, &filter, Weighting::Exact)?;
        let summary = summary::unit_summary(&storage, &code, &filter, Weighting::Exact)?;
        assert_eq!(summary.services.len(), SERVICES.len());
        let in_services: u64 = summary.services.iter().map(|s| s.n).sum();
        assert_eq!(
            in_services, report.n,
            "every counted response names a service"
        );
        Ok(report.n)
    })?;
    let big_dir = tempfile::Builder::new()
        .prefix("simpul-report-bench-big-")
        .tempdir()?;
    let big = SqliteStorage::open(big_dir.path())?;
    fill(
        big.path(),
        &Plan {
            units: 1,
            per_unit: plan.big_unit,
            ..plan
        },
    )?;
    let xlsx = time(3, || {
        let filter = ReportFilter {
            period: Some(PERIOD.into()),
            ..ReportFilter::default()
        };
        let bytes = workbook::unit_workbook(&big, &unit(0), &filter, Weighting::Exact)?;
        assert!(bytes.starts_with(b"PK"), "an XLSX is a zip");
        Ok(bytes.len() as u64)
    })?;
    assert_eq!(
        across.1, unit_by_unit.1,
        "both ways count the same responses"
    );
    let admin = Person {
        name: Name::parse("person", "Admin")?,
        role: Role::Admin,
        scope: Scope::Everything,
        disabled: false,
    };
    let whole_overview = time(plan.runs, || {
        Ok(overview::overview(&storage, &admin, None, Utc::now())?
            .pooled
            .n)
    })?;
    assert_eq!(whole_overview.1, across.1, "the overview counts the same");

    println!(
        "## Server reports over {} responses in {} units\n",
        thousands(total),
        plan.units
    );
    println!(
        "Materialised tables filled directly ({:.0} bytes per response in the file, indexes \
         included); median of {} runs, each on a warm cache.\n",
        bytes as f64 / total as f64,
        plan.runs
    );
    println!("| report | median | target | ÷ baseline |");
    println!("|---|---:|---:|---:|");
    let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1e3);
    println!(
        "| every unit side by side and pooled (running totals), {} counted | {} | < 500 ms | ×{:.2} |",
        thousands(across.1 as usize),
        ms(across.0),
        unit_by_unit.0.as_secs_f64() / across.0.as_secs_f64()
    );
    println!(
        "| baseline: {} unit reports one after another | {} | | ×1.00 |",
        plan.units,
        ms(unit_by_unit.0)
    );
    println!(
        "| the supervisors' overview: every unit ranked, waiting, conflicts, devices, per day | {} | < 300 ms | |",
        ms(whole_overview.0)
    );
    println!(
        "| one instansi's {} units | {} | | |",
        plan.units / 10,
        ms(instansi.0)
    );
    println!(
        "| one unit of {} responses | {} | < 20 ms | |",
        thousands(plan.per_unit),
        ms(one_unit.0)
    );
    println!(
        "| one unit's page: its report and summary (per service, profile, trend) | {} | < 50 ms | |",
        ms(unit_page.0)
    );
    println!(
        "| one unit's official report as a PDF ({} responses, {} KiB) | {} | < 2 s | |",
        thousands(plan.per_unit),
        pdf.1 / 1024,
        ms(pdf.0)
    );
    println!(
        "| the spreadsheet of a unit of {} responses ({} KiB) | {} | < 5 s | |",
        thousands(plan.big_unit),
        xlsx.1 / 1024,
        ms(xlsx.0)
    );
    Ok(())
}

fn unit(u: usize) -> UnitCode {
    UnitCode::parse(&format!("U-{u:04}")).expect("a valid code")
}

/// The median wall time of `runs` runs, and what the last returned.
fn time(
    runs: usize,
    mut f: impl FnMut() -> anyhow::Result<u64>,
) -> anyhow::Result<(Duration, u64)> {
    let mut times = Vec::with_capacity(runs);
    let mut value = 0;
    for _ in 0..runs {
        let started = Instant::now();
        value = f()?;
        times.push(started.elapsed());
    }
    times.sort();
    Ok((times[times.len() / 2], value))
}

/// A small deterministic generator: the same rows on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn fill(path: &std::path::Path, plan: &Plan) -> anyhow::Result<()> {
    let mut conn = Connection::open(path)?;
    conn.pragma_update(None, "synchronous", "OFF")?;
    let tx = conn.transaction()?;
    let mut rng = Rng(2026);
    let start = 1_767_225_600_000i64; // 2026-01-01
    {
        let mut add_unit = tx.prepare(
            "INSERT INTO units (code, name, created_at, instansi, period, population, form)
             VALUES (?1, ?2, '2026-01-01T00:00:00.000Z', ?3, ?4, ?5, 'skm-2017')",
        )?;
        let mut add_response = tx.prepare(
            "INSERT INTO responses (unit, period, id, form, method, channel, serial, service,
                 enumerator, status, deleted, review, review_note, conflicts, created_at,
                 updated_at, s1, s2, s3, s4, s5, s6, s7, s8, s9)
             VALUES (?1, ?2, ?3, 'skm-2017', 'permenpanrb-14-2017', ?4, NULL, ?5, ?6, ?7, ?8,
                 ?9, NULL, 0, ?10, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
        )?;
        let mut add_answers =
            tx.prepare("INSERT INTO answers (response, items) VALUES (?1, ?2)")?;
        let mut add_device =
            tx.prepare("INSERT INTO unit_devices (unit, period, device) VALUES (?1, ?2, ?3)")?;
        let mut add_change = tx.prepare(
            "INSERT INTO changes (hash, doc, unit, device, bytes, received_at)
             VALUES (?1, ?2, ?3, ?4, x'00', '2026-06-30T08:00:00.000Z')",
        )?;
        for u in 0..plan.units {
            let code = unit(u).to_string();
            let instansi = format!("Kabupaten {}", u % 10);
            add_unit.execute(params![
                code,
                format!("Unit pelayanan {u}"),
                instansi,
                PERIOD,
                500 + rng.below(20_000) as i64
            ])?;
            for d in 0..3 {
                let device = format!("0190f000-0000-7000-8000-{u:08}{d:04}");
                add_device.execute(params![code, PERIOD, device])?;
                let mut hash = [0u8; 32];
                hash[..8].copy_from_slice(&(u as u64).to_be_bytes());
                hash[8] = d as u8;
                add_change.execute(params![hash.as_slice(), code, code, device])?;
            }
            for i in 0..plan.per_unit {
                // A real UUIDv7 shape for any count: the unit and the row's number in the
                // first groups, randomness after.
                let id = format!(
                    "0190f{u:03x}-{:04x}-7{:03x}-8000-{:012x}",
                    i >> 12,
                    i & 0xfff,
                    rng.next()
                );
                let scores: Vec<i64> = (0..9)
                    .map(|_| 1 + rng.below(4) as i64 / 2 + rng.below(3) as i64)
                    .map(|s| s.min(4))
                    .collect();
                let roll = rng.below(100);
                let (status, deleted, review) = match roll {
                    0..=4 => ("draft", false, "received"),
                    5..=7 => ("final", false, "rejected"),
                    8..=9 => ("final", true, "received"),
                    10..=39 => ("final", false, "approved"),
                    _ => ("final", false, "received"),
                };
                let created = start + rng.below(180 * 86_400_000) as i64;
                let service = SERVICES[rng.below(5) as usize];
                add_response.execute(params![
                    code,
                    PERIOD,
                    id,
                    CHANNELS[rng.below(4) as usize],
                    service,
                    format!("petugas-{}", rng.below(10)),
                    status,
                    deleted,
                    review,
                    created,
                    scores[0],
                    scores[1],
                    scores[2],
                    scores[3],
                    scores[4],
                    scores[5],
                    scores[6],
                    scores[7],
                    scores[8],
                ])?;
                let mut answers: BTreeMap<String, Option<String>> = (0..9)
                    .map(|k| (format!("U{}", k + 1), Some(scores[k].to_string())))
                    .collect();
                answers.insert("layanan".into(), Some(service.into()));
                answers.insert(
                    "jenis_kelamin".into(),
                    Some(["L", "P"][rng.below(2) as usize].into()),
                );
                answers.insert("pendidikan".into(), Some("SMA".into()));
                answers.insert("pekerjaan".into(), Some("Swasta".into()));
                answers.insert("umur".into(), Some((18 + rng.below(50)).to_string()));
                answers.insert("saran".into(), None);
                add_answers.execute(params![id, serde_json::to_string(&answers)?])?;
            }
        }
    }
    tx.commit()?;
    Ok(())
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
