//! The sync engine, free of I/O: it decides what to send, what to do with an answer, and how
//! long to wait after a failure. A driver feeds it the outbox and the transport's results and
//! carries out what it returns, so every decision here is testable without a network.
//!
//! One round: the driver hands the engine the oldest unacknowledged changes ([`Engine::next`]);
//! the engine packs as many as fit its current batch size into a [`Request`]. The driver sends
//! it and reports the result ([`Engine::on_response`] or [`Engine::on_failure`]). A success
//! yields a [`Commit`]: the pushed changes are now on the server, the pulled ones must be
//! applied, and the new cursor saved — all in one transaction, so a crash in between only
//! repeats a round (repeats are harmless: changes are keyed by hash).
//!
//! Bad links: after a failure the batch shrinks by half (down to one change) and the next
//! attempt waits an exponentially growing, jittered delay; after a success it grows again.
//! A link that drops every few seconds still moves small batches.

use std::time::Duration;

use simpul_protocol::{Batch, Entry, Limits};
use uuid::Uuid;

/// Batch sizes in uncompressed payload bytes.
pub const MIN_BATCH: usize = 4 * 1024;
pub const MAX_BATCH: usize = 256 * 1024;
/// Backoff bounds of a `simpul sync` run: it retries quickly, for a while.
pub const BASE_DELAY: Duration = Duration::from_millis(500);
pub const MAX_DELAY: Duration = Duration::from_secs(30);

/// How the waits after failures grow: `first` after the first failure, doubling after each
/// further one, never more than `max`. Whoever runs the engine chooses: a command run in a
/// terminal retries within seconds, an app syncing in the background waits up to minutes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BackoffConfig {
    pub first: Duration,
    pub max: Duration,
}

impl Default for BackoffConfig {
    fn default() -> Self {
        BackoffConfig {
            first: BASE_DELAY,
            max: MAX_DELAY,
        }
    }
}

/// The one backoff of sync: exponential, capped, with jitter. The engine keeps one for the
/// retries within a run; a driver that retries across runs (the app's background worker)
/// keeps one of its own configuration instead of inventing another policy.
#[derive(Clone, Debug)]
pub struct Backoff {
    config: BackoffConfig,
    failures: u32,
    rng: u64,
}

impl Backoff {
    /// `seed` drives the jitter (any value; fixed in tests).
    pub fn new(config: BackoffConfig, seed: u64) -> Backoff {
        Backoff {
            config,
            failures: 0,
            rng: seed | 1,
        }
    }

    /// Count one more failure in a row and return how long to wait before the next attempt:
    /// the current step, of which a random part is kept ("equal jitter": never less than half
    /// the step, so a dead server is not hammered, and never the same across devices that
    /// lost the link together).
    pub fn fail(&mut self) -> Duration {
        self.failures = self.failures.saturating_add(1);
        let step = self.step();
        let half = step / 2;
        let jitter_ms = self.next_random() % (half.as_millis() as u64 + 1);
        half + Duration::from_millis(jitter_ms)
    }

    /// The un-jittered wait after the current number of failures (zero before any).
    pub fn step(&self) -> Duration {
        if self.failures == 0 {
            return Duration::ZERO;
        }
        self.config
            .first
            .saturating_mul(1u32 << (self.failures - 1).min(20))
            .min(self.config.max)
    }

    /// A success: the next failure starts from `first` again.
    pub fn reset(&mut self) {
        self.failures = 0;
    }

    pub fn failures(&self) -> u32 {
        self.failures
    }

    fn next_random(&mut self) -> u64 {
        // xorshift64: enough for jitter, and reproducible from the seed.
        let mut x = self.rng;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.rng = x;
        x
    }
}

/// A change waiting to be uploaded, with its local log position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outgoing {
    pub seq: i64,
    pub entry: Entry,
}

/// What the driver must send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// Reused when the very same batch is retried, so the server can recognise the replay.
    pub idempotency_key: Uuid,
    pub cursor: u64,
    pub pull_max: usize,
    /// One encoded batch frame.
    pub body: Vec<u8>,
}

/// What the server answered, as the transport read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    pub cursor: u64,
    pub more: bool,
    pub body: Vec<u8>,
    /// The identity of the server's change log (`Simpul-Log`), when the server sent one.
    pub log: Option<String>,
}

/// The outcome of a successful round, to be made durable in one transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Commit {
    /// Local positions of the changes the server now holds.
    pub acknowledged: Vec<i64>,
    /// Changes pulled from the server.
    pub pulled: Vec<Entry>,
    /// The server position to resume from.
    pub cursor: u64,
}

/// Running totals, for progress display.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Progress {
    pub pushed: u64,
    pub pulled: u64,
    pub bytes_up: u64,
    pub bytes_down: u64,
    pub requests: u64,
    pub failures: u64,
}

/// Why a round could not be used.
#[derive(Debug, thiserror::Error)]
pub enum RoundError {
    /// The server's answer did not decode; retrying may help (a cut-off body).
    #[error("the server's batch could not be read: {0}")]
    BadResponse(#[from] simpul_protocol::Error),
}

#[derive(Debug)]
struct InFlight {
    key: Uuid,
    seqs: Vec<i64>,
    first_seq: Option<i64>,
    body_len: usize,
}

#[derive(Debug)]
pub struct Engine {
    cursor: u64,
    batch: usize,
    backoff: Backoff,
    more_to_pull: bool,
    in_flight: Option<InFlight>,
    progress: Progress,
    limits: Limits,
}

impl Engine {
    /// `cursor` is the server position saved by the last successful round; `seed` drives the
    /// backoff jitter (any value; fixed in tests).
    pub fn new(cursor: u64, seed: u64) -> Engine {
        Engine::with_backoff(cursor, seed, BackoffConfig::default())
    }

    /// An engine whose waits after failures follow `backoff`.
    pub fn with_backoff(cursor: u64, seed: u64, backoff: BackoffConfig) -> Engine {
        Engine {
            cursor,
            batch: MAX_BATCH / 4,
            backoff: Backoff::new(backoff, seed),
            more_to_pull: true,
            in_flight: None,
            progress: Progress::default(),
            limits: Limits::default(),
        }
    }

    /// The current batch size: the driver reads about this many bytes of outbox.
    pub fn batch_size(&self) -> usize {
        self.batch
    }

    pub fn progress(&self) -> Progress {
        self.progress
    }

    pub fn cursor(&self) -> u64 {
        self.cursor
    }

    /// The next request, built from the oldest unacknowledged changes, or `None` when there is
    /// nothing to push and the server said nothing more waits — sync is complete. The very
    /// first call always sends, so "nothing to do" costs exactly one small request.
    pub fn next(&mut self, outbox: &[Outgoing]) -> Result<Option<Request>, simpul_protocol::Error> {
        if outbox.is_empty() && !self.more_to_pull {
            return Ok(None);
        }
        let mut size = 0;
        let mut taken = Vec::new();
        for out in outbox {
            let len = out.entry.change.len() + 32;
            if !taken.is_empty() && size + len > self.batch {
                break;
            }
            size += len;
            taken.push(out);
        }
        let first_seq = taken.first().map(|o| o.seq);
        let seqs: Vec<i64> = taken.iter().map(|o| o.seq).collect();
        let batch = Batch::from(taken.iter().map(|o| o.entry.clone()).collect::<Vec<_>>());
        let body = simpul_protocol::encode(&batch, &self.limits)?;
        // Retrying the same batch keeps its key: the server then knows it is a replay.
        let key = match &self.in_flight {
            Some(f) if f.first_seq == first_seq && f.seqs == seqs => f.key,
            _ => Uuid::now_v7(),
        };
        self.in_flight = Some(InFlight {
            key,
            seqs,
            first_seq,
            body_len: body.len(),
        });
        Ok(Some(Request {
            idempotency_key: key,
            cursor: self.cursor,
            pull_max: self.batch,
            body,
        }))
    }

    /// The server answered. Returns what to make durable, or an error when the answer is
    /// unreadable — then the driver treats the round as failed ([`Engine::on_failure`]).
    pub fn on_response(&mut self, response: Response) -> Result<Commit, RoundError> {
        let flight = self.in_flight.take().expect("a response follows a request");
        let pulled = match simpul_protocol::decode(&response.body, &self.limits) {
            Ok(batch) => batch.entries,
            Err(e) => {
                // Keep the batch in flight: the driver reports the failure and retries it.
                self.in_flight = Some(flight);
                return Err(e.into());
            }
        };
        self.progress.requests += 1;
        self.progress.pushed += flight.seqs.len() as u64;
        self.progress.pulled += pulled.len() as u64;
        self.progress.bytes_up += flight.body_len as u64;
        self.progress.bytes_down += response.body.len() as u64;
        self.backoff.reset();
        self.batch = (self.batch * 2).min(MAX_BATCH);
        self.more_to_pull = response.more;
        self.cursor = response.cursor.max(self.cursor);
        Ok(Commit {
            acknowledged: flight.seqs,
            pulled,
            cursor: self.cursor,
        })
    }

    /// The round failed (connection cut, timeout, 5xx). Returns how long to wait before the
    /// next attempt; the batch shrinks so a flaky link can still carry it.
    pub fn on_failure(&mut self) -> Duration {
        self.progress.failures += 1;
        self.batch = (self.batch / 2).max(MIN_BATCH);
        self.backoff.fail()
    }

    pub fn consecutive_failures(&self) -> u32 {
        self.backoff.failures()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outbox(n: usize, size: usize) -> Vec<Outgoing> {
        (1..=n as i64)
            .map(|seq| Outgoing {
                seq,
                entry: Entry {
                    doc: Uuid::from_u128(seq as u128),
                    change: vec![seq as u8; size],
                },
            })
            .collect()
    }

    fn empty_response(cursor: u64, more: bool) -> Response {
        Response {
            cursor,
            more,
            body: simpul_protocol::encode(&Batch::default(), &Limits::default()).unwrap(),
            log: None,
        }
    }

    #[test]
    fn nothing_to_do_costs_one_request_and_then_sync_is_complete() {
        let mut engine = Engine::new(0, 1);
        let request = engine.next(&[]).unwrap().expect("first round always asks");
        assert!(request.body.len() < 64, "an empty batch is tiny");
        engine.on_response(empty_response(0, false)).unwrap();
        assert_eq!(engine.next(&[]).unwrap(), None);
    }

    #[test]
    fn a_batch_takes_the_oldest_changes_up_to_its_size() {
        let mut engine = Engine::new(0, 1);
        let out = outbox(100, 1000);
        let request = engine.next(&out).unwrap().unwrap();
        let sent = simpul_protocol::decode(&request.body, &Limits::default()).unwrap();
        let n = sent.entries.len();
        assert!(n > 1 && n < 100, "{n}");
        assert_eq!(sent.entries[0].doc, Uuid::from_u128(1));
        let commit = engine.on_response(empty_response(0, false)).unwrap();
        assert_eq!(commit.acknowledged, (1..=n as i64).collect::<Vec<_>>());
    }

    #[test]
    fn failures_shrink_the_batch_to_one_change_and_success_grows_it_back() {
        let mut engine = Engine::new(0, 1);
        let out = outbox(400, 3000);
        for _ in 0..10 {
            engine.next(&out).unwrap();
            engine.on_failure();
        }
        assert_eq!(engine.batch_size(), MIN_BATCH);
        let request = engine.next(&out).unwrap().unwrap();
        let sent = simpul_protocol::decode(&request.body, &Limits::default()).unwrap();
        assert_eq!(sent.entries.len(), 1, "one 3 KB change fits a 4 KB batch");
        engine.on_response(empty_response(0, false)).unwrap();
        assert_eq!(engine.batch_size(), MIN_BATCH * 2);
    }

    #[test]
    fn a_retried_batch_keeps_its_idempotency_key_and_a_new_batch_gets_a_new_one() {
        let mut engine = Engine::new(0, 1);
        let out = outbox(3, 10);
        let first = engine.next(&out).unwrap().unwrap();
        engine.on_failure();
        let retry = engine.next(&out).unwrap().unwrap();
        assert_eq!(first.idempotency_key, retry.idempotency_key);
        engine.on_response(empty_response(0, true)).unwrap();
        let next = engine.next(&out[3..]).unwrap().unwrap();
        assert_ne!(next.idempotency_key, first.idempotency_key);
    }

    #[test]
    fn backoff_grows_with_failures_but_stays_under_the_cap() {
        let mut engine = Engine::new(0, 42);
        let mut longest = Duration::ZERO;
        for _ in 0..50 {
            engine.next(&[]).unwrap();
            let wait = engine.on_failure();
            assert!(wait <= MAX_DELAY);
            longest = longest.max(wait);
        }
        assert!(longest > BASE_DELAY * 4, "{longest:?}");
    }

    #[test]
    fn a_configured_backoff_doubles_from_its_first_wait_and_stops_at_its_cap() {
        let config = BackoffConfig {
            first: Duration::from_secs(2),
            max: Duration::from_secs(120),
        };
        for seed in [1, 977, u64::MAX] {
            let mut backoff = Backoff::new(config, seed);
            for step in [2, 4, 8, 16, 32, 64, 120, 120, 120] {
                let step = Duration::from_secs(step);
                let wait = backoff.fail();
                assert!(wait >= step / 2 && wait <= step, "{step:?}: {wait:?}");
            }
            backoff.reset();
            assert!(backoff.fail() <= config.first);
        }
    }

    #[test]
    fn jitter_spreads_devices_that_failed_together() {
        let config = BackoffConfig {
            first: Duration::from_secs(2),
            max: Duration::from_secs(120),
        };
        let waits: std::collections::BTreeSet<Duration> = (0..20u64)
            .map(|device| {
                let mut backoff = Backoff::new(config, device * 7919 + 13);
                (0..5).map(|_| backoff.fail()).last().unwrap()
            })
            .collect();
        assert!(waits.len() > 10, "{waits:?}");
    }

    #[test]
    fn the_cursor_only_moves_forward_and_more_keeps_pulling() {
        let mut engine = Engine::new(10, 1);
        engine.next(&[]).unwrap();
        let commit = engine.on_response(empty_response(25, true)).unwrap();
        assert_eq!(commit.cursor, 25);
        let request = engine.next(&[]).unwrap().expect("more waits on the server");
        assert_eq!(request.cursor, 25);
        engine.on_response(empty_response(3, false)).unwrap();
        assert_eq!(engine.cursor(), 25);
    }

    #[test]
    fn a_garbled_answer_counts_as_a_failure_and_the_batch_is_retried() {
        let mut engine = Engine::new(0, 1);
        let out = outbox(2, 10);
        let first = engine.next(&out).unwrap().unwrap();
        let err = engine.on_response(Response {
            cursor: 9,
            more: false,
            body: b"SMPL garbage".to_vec(),
            log: None,
        });
        assert!(err.is_err());
        engine.on_failure();
        assert_eq!(engine.cursor(), 0);
        let retry = engine.next(&out).unwrap().unwrap();
        assert_eq!(retry.idempotency_key, first.idempotency_key);
    }
}
