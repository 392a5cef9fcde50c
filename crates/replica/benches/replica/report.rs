//! The IKM over a large replica: `Replica::report` against the same figures computed by
//! reading every score into Rust.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, ensure};
use rusqlite::{Connection, OpenFlags};
use simpul_replica::{DB_FILE, Replica};
use simpul_survey::{IkmReport, Method, UnsurTally, Weighting, compute};

use crate::sample::Survey;

/// A replica holding `n` final questionnaires, written `chunk` per transaction the way a bulk
/// paper entry writes them, and how long that took.
pub fn seed(dir: &Path, n: usize, chunk: usize) -> Result<(Replica, Duration)> {
    let mut replica = Replica::init(dir, crate::sample::settings()).context("init replica")?;
    let mut survey = Survey::new(3);
    let start = Instant::now();
    let mut done = 0;
    while done < n {
        let size = chunk.min(n - done);
        let prepared = (0..size)
            .map(|_| replica.prepare(survey.next_sheet().new_response()))
            .collect::<Result<Vec<_>, _>>()
            .context("prepare a chunk")?;
        replica.capture_all(prepared).context("capture a chunk")?;
        done += size;
    }
    Ok((replica, start.elapsed()))
}

/// Median, fastest and slowest of several runs.
pub struct Timing {
    pub median: Duration,
    pub min: Duration,
    pub max: Duration,
    pub runs: usize,
}

/// Run `f` `warm_up` times untimed, then `runs` times timed; returns the last result.
pub fn time<T>(
    warm_up: usize,
    runs: usize,
    mut f: impl FnMut() -> Result<T>,
) -> Result<(Timing, T)> {
    for _ in 0..warm_up {
        black_box(f()?);
    }
    let mut times = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        let out = black_box(f()?);
        times.push(start.elapsed());
        last = Some(out);
    }
    times.sort();
    let timing = Timing {
        median: times[times.len() / 2],
        min: times[0],
        max: times[times.len() - 1],
        runs: times.len(),
    };
    Ok((timing, last.expect("at least one run")))
}

/// A second, read-only connection to the replica's file, with SQLite's default cache like
/// the replica's own.
pub fn reader(dir: &Path) -> Result<Connection> {
    Connection::open_with_flags(dir.join(DB_FILE), OpenFlags::SQLITE_OPEN_READ_ONLY)
        .context("open the replica read-only")
}

const METHOD: Method = Method::Permenpanrb14_2017;
const UNSUR: [&str; 9] = ["U1", "U2", "U3", "U4", "U5", "U6", "U7", "U8", "U9"];

/// The naive way: fetch the nine scores of every final, not deleted questionnaire and add
/// them up in Rust.
pub fn scores_in_rust(conn: &Connection) -> Result<IkmReport> {
    let mut stmt = conn.prepare_cached(
        "SELECT s1, s2, s3, s4, s5, s6, s7, s8, s9 FROM responses
         WHERE status = 'final' AND deleted = 0",
    )?;
    let mut rows = stmt.query([])?;
    let mut n = 0u64;
    let mut totals = [(0u64, 0u64); 9];
    while let Some(row) = rows.next()? {
        n += 1;
        for (i, (total, count)) in totals.iter_mut().enumerate() {
            if let Some(score) = row.get::<_, Option<i64>>(i)? {
                *total += score as u64;
                *count += 1;
            }
        }
    }
    Ok(report_of(n, &totals))
}

/// Without score columns: every unsur answer as text from `answers`, parsed and added up in
/// Rust — what the IKM would cost if it read the answers table.
pub fn answers_in_rust(conn: &Connection) -> Result<IkmReport> {
    let n: i64 = conn.query_row(
        "SELECT COUNT(*) FROM responses WHERE status = 'final' AND deleted = 0",
        [],
        |row| row.get(0),
    )?;
    let mut stmt = conn.prepare_cached(
        "SELECT a.item, a.value FROM answers a JOIN responses r ON r.id = a.response
         WHERE r.status = 'final' AND r.deleted = 0
           AND a.item IN ('U1', 'U2', 'U3', 'U4', 'U5', 'U6', 'U7', 'U8', 'U9')",
    )?;
    let mut rows = stmt.query([])?;
    let mut totals = [(0u64, 0u64); 9];
    while let Some(row) = rows.next()? {
        let item = row.get_ref(0)?.as_str()?;
        let Some(value) = row.get_ref(1)?.as_str_or_null()? else {
            continue;
        };
        let slot = UNSUR.iter().position(|u| *u == item).context("an unsur")?;
        let score: u64 = value.parse().context("a score")?;
        totals[slot].0 += score;
        totals[slot].1 += 1;
    }
    Ok(report_of(n as u64, &totals))
}

fn report_of(n: u64, totals: &[(u64, u64); 9]) -> IkmReport {
    let tallies: Vec<UnsurTally> = UNSUR
        .iter()
        .zip(totals)
        .map(|(id, &(total, n))| UnsurTally {
            id: id.to_string(),
            total,
            n,
        })
        .collect();
    compute(METHOD, Weighting::Exact, n, &tallies)
}

/// Both ways must give the same figures, or the comparison means nothing.
pub fn check_same(a: &IkmReport, b: &IkmReport, what: &str) -> Result<()> {
    ensure!(
        a.n == b.n && a.ikm == b.ikm,
        "{what}: n {} ikm {:?} against n {} ikm {:?}",
        a.n,
        a.ikm,
        b.n,
        b.ikm
    );
    Ok(())
}
