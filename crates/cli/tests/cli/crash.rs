//! A clerk's laptop loses power in the middle of typing in a big stack: `import-csv` is killed
//! with SIGKILL at random moments, again and again, on the same replica, and then run to the
//! end. After every kill the replica must open, pass SQLite's integrity check, hold every row
//! the import reported as imported exactly once, and hold a prefix of the file — never a
//! row without the ones before it, never half a row.
//!
//! The data and the kill delays come from one seed, printed at the start; set
//! `SIMPUL_CRASH_SEED` to replay a failure with the same file and the same delays.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::ExitStatusExt;
use std::process::{ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};

use crate::helpers::{COLUMNS, Rng, Row, Simpul, csv_file, random_rows, text};

const ROWS: usize = 20_000;
const KILLS: usize = 12;
const DEFAULT_SEED: u64 = 20_250_301;
/// Rows imported to measure the pace of an import before the kills begin.
const CALIBRATION_ROWS: usize = 1_000;
/// The fewest rows a run must report for its pace to be learnt from.
const TIMED_ROWS: usize = 200;

#[test]
fn killing_an_import_at_random_moments_never_loses_a_reported_row_nor_doubles_one() {
    let seed = std::env::var("SIMPUL_CRASH_SEED")
        .ok()
        .map(|s| s.parse().expect("SIMPUL_CRASH_SEED is a number"))
        .unwrap_or(DEFAULT_SEED);
    println!("crash test seed {seed} (replay with SIMPUL_CRASH_SEED={seed})");
    let mut rng = Rng::new(seed);
    let rows = random_rows(&mut rng, ROWS, "T");
    let position: HashMap<&str, usize> = rows
        .iter()
        .enumerate()
        .map(|(i, row)| (row.serial(), i))
        .collect();
    let started = Instant::now();
    let mut pace = Pace::measure(&rows[..CALIBRATION_ROWS]);
    println!("measured {pace:?}");

    let simpul = Simpul::new();
    let file = simpul.write("tumpukan.csv", csv_file(&rows));
    let mut present = 0;
    let mut kills = Vec::new();
    for kill in 0..KILLS {
        // One kill in four aims at start-up or the re-check of rows already present.
        let aim = if kill % 4 == 1 {
            Aim::Recheck
        } else {
            Aim::NewRows
        };
        let delay = pace.kill_delay(&mut rng, aim, present, KILLS - kill);
        let run = import_until(&simpul, &file, delay);
        let outcome = run.check_against(&rows, &position, present);
        assert!(
            run.killed || run.status.success(),
            "run {kill} failed on its own: {}\n{}",
            run.status,
            run.stderr
        );
        let after = check_replica(&simpul, &rows, &position);
        assert!(
            after >= present + outcome.imported,
            "run {kill}: {after} rows present after it reported {} new on top of {present}",
            outcome.imported
        );
        pace.learn(&run, outcome.already_present);
        kills.push(Kill {
            aim,
            delay,
            killed: run.killed,
            // Every row already there was reported so: the kill came after the re-check.
            among_new_rows: run.killed
                && outcome.already_present == present
                && (present > 0 || after > 0),
            reported: outcome,
            before: present,
            after,
        });
        present = after;
    }
    println!("learnt {pace:?}");

    let last = import_until(&simpul, &file, Duration::MAX);
    assert!(last.status.success(), "{}\n{}", last.status, last.stderr);
    let outcome = last.check_against(&rows, &position, present);
    assert_eq!(outcome.imported + outcome.already_present, ROWS);
    assert!(
        last.stdout.last().is_some_and(|(_, l)| l.contains(&format!(
            "Ringkasan: {} baru, 0 entri kedua, {present} sudah ada, 0 ditolak",
            ROWS - present
        ))),
        "{:?}",
        last.stdout.last()
    );
    assert_eq!(check_replica(&simpul, &rows, &position), ROWS);
    let report = simpul.json(&["report"]);
    assert_eq!(report["n"], ROWS);
    let total: u64 = rows.iter().map(Row::score_total).sum();
    let ikm = 25.0 * total as f64 / (ROWS as f64 * 9.0);
    assert!(
        (report["ikm"].as_f64().unwrap() - ikm).abs() < 1e-9,
        "{report}"
    );

    let mid_import = kills.iter().filter(|k| k.killed).count();
    let among_new_rows = kills.iter().filter(|k| k.among_new_rows).count();
    println!(
        "{KILLS} runs: {mid_import} killed mid-import, {among_new_rows} of them among new rows; \
         {:.1} s in all",
        started.elapsed().as_secs_f64()
    );
    for (i, kill) in kills.iter().enumerate() {
        println!("run {i:>2}: {kill}");
    }
}

/// Where a kill is aimed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Aim {
    /// Start-up, or the re-check of the rows already present.
    Recheck,
    /// The rows not yet imported.
    NewRows,
}

/// One killed (or finished) run, for the account printed at the end.
struct Kill {
    aim: Aim,
    delay: Duration,
    killed: bool,
    among_new_rows: bool,
    reported: Reported,
    before: usize,
    after: usize,
}

impl std::fmt::Display for Kill {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "aimed at {:<7} killed after {:>5} ms {:<21} reported {:>5} present, {:>5} new; \
             {:>5} → {:>5} rows",
            format!("{:?},", self.aim),
            self.delay.as_millis(),
            match (self.killed, self.among_new_rows) {
                (false, _) => "(finished first),",
                (true, true) => "among new rows,",
                (true, false) => "in start-up/re-check,",
            },
            self.reported.already_present,
            self.reported.imported,
            self.before,
            self.after,
        )
    }
}

/// How long an import takes: measured on a small stack in a replica of its own, then
/// corrected by each run, since re-checking a row gets slower as the replica grows.
#[derive(Debug)]
struct Pace {
    startup: Duration,
    new_row: Duration,
    present_row: Duration,
}

impl Pace {
    fn measure(rows: &[Row]) -> Pace {
        let simpul = Simpul::new();
        let file = simpul.write("ukur.csv", csv_file(rows));
        let timed = |args: &[&str]| {
            let start = Instant::now();
            simpul.run(args).ok();
            start.elapsed()
        };
        let startup = timed(&["list"]);
        let new = timed(&["import-csv", &file]);
        let present = timed(&["import-csv", &file]);
        let per_row = |total: Duration| total.saturating_sub(startup) / rows.len() as u32;
        Pace {
            startup,
            new_row: per_row(new),
            present_row: per_row(present),
        }
    }

    /// Learn from a run's report the time per row of its re-check and of its new rows.
    fn learn(&mut self, run: &Run, already_present: usize) {
        let recheck_end = match already_present {
            0 => self.startup,
            n => run.stdout[n - 1].0,
        };
        if already_present >= TIMED_ROWS {
            self.present_row = recheck_end.saturating_sub(self.startup) / already_present as u32;
        }
        let new = run.stdout[already_present..]
            .iter()
            .filter(|(_, line)| !line.starts_with("Ringkasan: "))
            .count();
        if new >= TIMED_ROWS {
            let end = run.stdout[already_present + new - 1].0;
            self.new_row = end.saturating_sub(recheck_end) / new as u32;
        }
    }

    /// When to kill the next run, which finds `present` rows already in and has `runs_left`
    /// runs (this one included) to cover the rest.
    ///
    /// A run first re-checks the rows already present, then writes new ones. A kill aimed
    /// at the new rows lands at a random point within twice an even share of them, the final
    /// run to the end counting for two shares. Drawing from the whole length of every run
    /// instead would spend minutes re-checking the same rows.
    fn kill_delay(&self, rng: &mut Rng, aim: Aim, present: usize, runs_left: usize) -> Duration {
        let recheck = self.startup + self.present_row * present as u32;
        let new_rows = self.new_row * (ROWS - present) as u32;
        let share = new_rows * 2 / (runs_left as u32 + 2);
        if aim == Aim::Recheck || share.is_zero() {
            random_duration(rng, recheck)
        } else {
            recheck + random_duration(rng, share.min(new_rows))
        }
    }
}

fn random_duration(rng: &mut Rng, upto: Duration) -> Duration {
    Duration::from_micros(rng.below(upto.as_micros().max(1) as u64))
}

/// One `import-csv` run, killed with SIGKILL after `delay` unless it finished first.
struct Run {
    status: ExitStatus,
    killed: bool,
    /// Each line with when it was read, from the start of the run.
    stdout: Vec<(Duration, String)>,
    stderr: String,
}

/// What a run reported, row by row.
#[derive(Debug, Default)]
struct Reported {
    imported: usize,
    already_present: usize,
}

fn import_until(simpul: &Simpul, file: &str, delay: Duration) -> Run {
    let mut child = simpul
        .command(&["import-csv", file])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("simpul starts");
    let start = Instant::now();
    let stdout = child.stdout.take().expect("stdout is piped");
    let stderr = child.stderr.take().expect("stderr is piped");
    // Read as the rows are reported, so the pipe never fills and stalls the import.
    let lines = thread::spawn(move || {
        BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .map(|line| (start.elapsed(), line))
            .collect::<Vec<_>>()
    });
    let errors = thread::spawn(move || {
        let mut text = String::new();
        let _ = BufReader::new(stderr).read_to_string(&mut text);
        text
    });
    let status = loop {
        if let Some(status) = child.try_wait().expect("simpul can be waited for") {
            break status;
        }
        let elapsed = start.elapsed();
        if elapsed >= delay {
            // Child::kill sends SIGKILL: no destructors, no rollback, no flush.
            child.kill().expect("simpul can be killed");
            break child.wait().expect("simpul can be waited for");
        }
        thread::sleep((delay - elapsed).min(Duration::from_millis(5)));
    };
    Run {
        status,
        killed: status.signal() == Some(9),
        stdout: lines.join().expect("stdout reader"),
        stderr: errors.join().expect("stderr reader"),
    }
}

impl Run {
    /// Checks the run's report: row after row in file order, the first `present` already
    /// there, the rest imported, nothing rejected.
    fn check_against(
        &self,
        rows: &[Row],
        position: &HashMap<&str, usize>,
        present: usize,
    ) -> Reported {
        let mut reported = Reported::default();
        let rows_reported = self
            .stdout
            .iter()
            .map(|(_, line)| line)
            .filter(|line| !line.starts_with("Ringkasan: "));
        for (expected, line) in rows_reported.enumerate() {
            let (number, serial, outcome) = parse_row_line(line);
            let at = position[serial];
            assert_eq!(at, expected, "rows reported out of order at `{line}`");
            assert_eq!(number, at as u64 + 2, "wrong line number in `{line}`");
            assert_eq!(rows[at].serial(), serial);
            match outcome {
                "diimpor" => {
                    assert!(at >= present, "row {at} was present yet imported again");
                    reported.imported += 1;
                }
                "sudah ada, dilewati" => {
                    assert!(at < present, "row {at} reported present before it was");
                    reported.already_present += 1;
                }
                other => panic!("unexpected outcome `{other}` in `{line}`"),
            }
        }
        reported
    }
}

/// `baris 7: seri T-00006 diimpor` → (7, "T-00006", "diimpor").
fn parse_row_line(line: &str) -> (u64, &str, &str) {
    let parse = || {
        let rest = line.strip_prefix("baris ")?;
        let (number, rest) = rest.split_once(": seri ")?;
        let (serial, outcome) = rest.split_once(' ')?;
        Some((number.parse().ok()?, serial, outcome))
    };
    parse().unwrap_or_else(|| panic!("not a row report: `{line}`"))
}

/// Checks the replica as a killed import left it and returns how many rows it holds: the
/// database is sound, each response is whole, and the responses are the first rows of the
/// file, each once.
fn check_replica(simpul: &Simpul, rows: &[Row], position: &HashMap<&str, usize>) -> usize {
    let db = Connection::open_with_flags(
        simpul.database(),
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .expect("the database opens");
    let integrity: String = db
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    let count = |sql: &str| -> usize {
        db.query_row(sql, [], |row| row.get::<_, i64>(0)).unwrap() as usize
    };
    let responses = count("SELECT COUNT(*) FROM responses");
    assert_eq!(
        count("SELECT COUNT(DISTINCT serial) FROM responses"),
        responses
    );
    assert_eq!(count("SELECT COUNT(*) FROM documents"), responses);
    assert_eq!(count("SELECT COUNT(*) FROM changes"), responses);
    assert_eq!(count("SELECT COUNT(*) FROM pending"), 0);
    assert_eq!(count("SELECT COUNT(*) FROM answers"), responses * 17);

    // Every stored answer is the file's cell; the one item the file lacks is blank.
    let mut stmt = db
        .prepare(
            "SELECT r.serial, a.item, a.value FROM answers a JOIN responses r ON r.id = a.response",
        )
        .unwrap();
    let mut answers = stmt.query([]).unwrap();
    while let Some(answer) = answers.next().unwrap() {
        let serial: String = answer.get(0).unwrap();
        let item: String = answer.get(1).unwrap();
        let value: Option<String> = answer.get(2).unwrap();
        let row = &rows[position[serial.as_str()]];
        let expected = COLUMNS
            .contains(&item.as_str())
            .then(|| row.get(&item))
            .filter(|cell| !cell.is_empty());
        assert_eq!(value.as_deref(), expected, "{serial} {item}");
    }
    drop(answers);
    drop(stmt);
    drop(db);

    // And through the program itself: it opens, and lists the first rows, each once.
    let listed = simpul.list(&["--include-deleted"]);
    assert_eq!(listed.len(), responses);
    let mut seen = vec![false; rows.len()];
    for response in &listed {
        let serial = text(&response["serial"]);
        let at = position[serial];
        assert!(!seen[at], "{serial} is listed twice");
        seen[at] = true;
    }
    assert!(
        seen[..responses].iter().all(|s| *s),
        "the responses are not the first {responses} rows of the file"
    );
    responses
}
