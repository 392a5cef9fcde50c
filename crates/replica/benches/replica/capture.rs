//! Saving one questionnaire on the device, each in its own durable transaction, against a bare
//! SQLite insert of the same answers with the same durability.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use rusqlite::{Connection, TransactionBehavior, params_from_iter};
use simpul_replica::Replica;
use uuid::Uuid;

use crate::sample::{Sheet, Survey};

/// Individual latencies, sorted.
pub struct Latencies(Vec<Duration>);

impl Latencies {
    pub fn new(mut samples: Vec<Duration>) -> Latencies {
        samples.sort();
        Latencies(samples)
    }

    /// Nearest-rank percentile, `p` in 0–100.
    pub fn percentile(&self, p: f64) -> Duration {
        let rank = (p / 100.0 * self.0.len() as f64).ceil() as usize;
        self.0[rank.clamp(1, self.0.len()) - 1]
    }

    pub fn max(&self) -> Duration {
        *self.0.last().expect("at least one sample")
    }

    pub fn mean(&self) -> Duration {
        self.0.iter().sum::<Duration>() / self.0.len() as u32
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }
}

pub struct CaptureRun {
    pub replica: Latencies,
    pub bare: Latencies,
}

/// `n` interviews with every item answered and a suggestion. Each iteration times one
/// `Replica::capture` and one bare insert, so both see the same disk at the same moment.
pub fn run(dir: &Path, n: usize, warm_up: usize) -> Result<CaptureRun> {
    let mut replica =
        Replica::init(&dir.join("replica"), crate::sample::settings()).context("init replica")?;
    let mut bare = BareTable::create(&dir.join("bare.sqlite3"))?;
    let mut survey = Survey::new(1);
    survey.paper_share = 0.0;
    survey.suggestion_share = 1.0;

    let mut replica_times = Vec::with_capacity(n);
    let mut bare_times = Vec::with_capacity(n);
    for i in 0..warm_up + n {
        let sheet = survey.next_sheet();
        let new = sheet.new_response();
        let start = Instant::now();
        replica.capture(new).context("capture")?;
        let replica_time = start.elapsed();

        let start = Instant::now();
        bare.insert(&sheet)?;
        let bare_time = start.elapsed();
        if i >= warm_up {
            replica_times.push(replica_time);
            bare_times.push(bare_time);
        }
    }
    Ok(CaptureRun {
        replica: Latencies::new(replica_times),
        bare: Latencies::new(bare_times),
    })
}

/// `n` more interviews into an existing replica, one transaction each.
pub fn into_existing(replica: &mut Replica, n: usize) -> Result<Latencies> {
    let mut survey = Survey::new(2);
    survey.paper_share = 0.0;
    survey.suggestion_share = 1.0;
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let new = survey.next_sheet().new_response();
        let start = Instant::now();
        replica.capture(new).context("capture")?;
        times.push(start.elapsed());
    }
    Ok(Latencies::new(times))
}

/// The least a durable save can be: one row per questionnaire, one column per item, in a
/// transaction of its own, with the replica's pragmas (WAL, `synchronous = FULL`).
struct BareTable {
    conn: Connection,
}

const BARE_COLUMNS: usize = 5 + 17;

impl BareTable {
    fn create(path: &Path) -> Result<BareTable> {
        let conn = Connection::open(path).context("open the bare database")?;
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |_| Ok(()))?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.execute_batch(
            "CREATE TABLE responses (
                 id TEXT PRIMARY KEY, channel TEXT NOT NULL, serial TEXT,
                 by TEXT NOT NULL, at INTEGER NOT NULL,
                 tanggal TEXT, jenis_kelamin TEXT, umur INTEGER, pendidikan TEXT,
                 pekerjaan TEXT, pekerjaan_lainnya TEXT, layanan TEXT,
                 u1 INTEGER, u2 INTEGER, u3 INTEGER, u4 INTEGER, u5 INTEGER, u6 INTEGER,
                 u7 INTEGER, u8 INTEGER, u9 INTEGER, saran TEXT
             ) WITHOUT ROWID",
        )
        .context("create the bare table")?;
        Ok(BareTable { conn })
    }

    fn insert(&mut self, sheet: &Sheet) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let placeholders = vec!["?"; BARE_COLUMNS].join(", ");
            let mut stmt =
                tx.prepare_cached(&format!("INSERT INTO responses VALUES ({placeholders})"))?;
            let mut values: Vec<rusqlite::types::Value> = vec![
                Uuid::now_v7().to_string().into(),
                sheet.channel.code().to_string().into(),
                sheet.serial.clone().into(),
                sheet.by.to_string().into(),
                sheet.at.timestamp_millis().into(),
            ];
            values.extend(sheet.answers.iter().map(|(_, value)| {
                if value.is_empty() {
                    rusqlite::types::Value::Null
                } else {
                    value.clone().into()
                }
            }));
            stmt.execute(params_from_iter(values))
                .context("bare insert")?;
        }
        tx.commit().context("commit the bare insert")?;
        Ok(())
    }
}
