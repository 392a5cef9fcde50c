//! Sync in the background: a thread with its own connection to the replica (SQLite in WAL
//! mode, so the window's connection never waits on the network) that keeps the device and
//! the server in step and reports every step as a [`SyncState`].
//!
//! It does nothing until the device is enrolled. Then it syncs at once, again after every
//! local write (the commands poke it), and every minute while up to date, so changes made
//! on other devices arrive without anyone asking. When the server cannot be reached it
//! retries with exponential backoff and jitter — 2 s doubling to 2 min — so a room full of
//! tablets that lost the same Wi-Fi do not all return in the same second. A refusal (a
//! revoked device) is reported and retried only rarely: waiting will not fix it.

use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use simpul_replica::sync::{self, SyncOptions};
use simpul_replica::{DB_FILE, Error, Replica};
use simpul_survey::Lang;

use crate::app::Notify;
use crate::error::say;
use crate::ipc::{SyncPhase, SyncState};
use crate::views::time;

/// How often an up-to-date device asks the server for news.
const PERIODIC: Duration = Duration::from_secs(60);
const BACKOFF_FIRST: Duration = Duration::from_secs(2);
const BACKOFF_MAX: Duration = Duration::from_secs(120);
/// How long after a refusal to ask again.
const AFTER_REFUSAL: Duration = Duration::from_secs(15 * 60);

/// The handle the [`App`](crate::App) keeps; dropping it stops and joins the thread.
pub(crate) struct SyncWorker {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

struct Shared {
    dir: PathBuf,
    notify: Notify,
    state: Mutex<SyncState>,
    lang: Mutex<Lang>,
    signal: Mutex<Signal>,
    wake: Condvar,
}

#[derive(Default)]
struct Signal {
    poked: bool,
    stop: bool,
}

impl SyncWorker {
    pub(crate) fn start(dir: PathBuf, lang: Lang, notify: Notify) -> SyncWorker {
        let shared = Arc::new(Shared {
            dir,
            notify,
            state: Mutex::new(idle(SyncPhase::NotEnrolled, None)),
            lang: Mutex::new(lang),
            signal: Mutex::new(Signal::default()),
            wake: Condvar::new(),
        });
        let worker = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("simpul-sync".into())
            .spawn(move || worker.run())
            .expect("the operating system starts a thread");
        SyncWorker {
            shared,
            thread: Some(thread),
        }
    }

    /// Sync as soon as possible (now, or right after the round in progress).
    pub(crate) fn poke(&self) {
        lock(&self.shared.signal).poked = true;
        self.shared.wake.notify_all();
    }

    pub(crate) fn state(&self) -> SyncState {
        lock(&self.shared.state).clone()
    }

    pub(crate) fn set_lang(&self, lang: Lang) {
        *lock(&self.shared.lang) = lang;
    }
}

impl Drop for SyncWorker {
    fn drop(&mut self) {
        lock(&self.shared.signal).stop = true;
        self.shared.wake.notify_all();
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            tracing::error!("the sync thread panicked");
        }
    }
}

impl Shared {
    fn run(&self) {
        let mut replica = None;
        let mut failures = 0u32;
        let mut random = seed();
        loop {
            let wait = self.round(&mut replica, &mut failures, &mut random);
            if !self.sleep(wait) {
                return;
            }
        }
    }

    /// One attempt; returns how long to wait before the next (`None`: until poked).
    fn round(
        &self,
        replica: &mut Option<Replica>,
        failures: &mut u32,
        random: &mut u64,
    ) -> Option<Duration> {
        let lang = *lock(&self.lang);
        if replica.is_none() {
            if !self.dir.join(DB_FILE).exists() {
                self.publish(idle(SyncPhase::NotEnrolled, None));
                return None;
            }
            match Replica::open(&self.dir) {
                Ok(opened) => *replica = Some(opened),
                Err(error) => {
                    tracing::error!(%error, "the sync thread cannot open the replica");
                    *failures += 1;
                    return Some(backoff(*failures, next(random)));
                }
            }
        }
        let replica = replica.as_mut().expect("opened above");
        let status = match replica.sync_status() {
            Ok(status) => status,
            Err(error) => {
                tracing::error!(%error, "reading the sync status failed");
                *failures += 1;
                return Some(backoff(*failures, next(random)));
            }
        };
        let last_sync = status.last_sync.map(time);
        if status.enrolment.is_none() {
            self.publish(idle(SyncPhase::NotEnrolled, last_sync));
            return None;
        }
        let mut state = SyncState {
            to_push: status.pending_changes,
            ..idle(SyncPhase::Syncing, last_sync.clone())
        };
        self.publish(state.clone());
        // One attempt per round: the retrying is done here, where a poke or a stop can
        // interrupt the wait.
        let options = SyncOptions {
            max_consecutive_failures: 1,
            deadline: Duration::from_secs(60 * 60),
        };
        let result = sync::sync(replica, options, |progress, failure| {
            if failure.is_none() {
                state.pushed = progress.pushed;
                state.pulled = progress.pulled;
                state.bytes_up = progress.bytes_up;
                state.bytes_down = progress.bytes_down;
                self.publish(state.clone());
            }
        });
        match result {
            Ok(synced) => {
                *failures = 0;
                let last_sync = replica
                    .sync_status()
                    .ok()
                    .and_then(|s| s.last_sync)
                    .map(time)
                    .or(last_sync);
                self.publish(SyncState {
                    pushed: synced.progress.pushed,
                    pulled: synced.progress.pulled,
                    bytes_up: synced.progress.bytes_up,
                    bytes_down: synced.progress.bytes_down,
                    to_push: status.pending_changes,
                    ..idle(SyncPhase::UpToDate, last_sync)
                });
                Some(PERIODIC)
            }
            Err(error @ (Error::Transport(_) | Error::SyncGaveUp { .. })) => {
                tracing::info!(%error, "server unreachable; retrying later");
                *failures += 1;
                self.publish(SyncState {
                    message: Some(say(
                        lang,
                        "server tidak dapat dihubungi; data aman di perangkat ini dan akan \
                         dikirim otomatis begitu tersambung",
                        "the server cannot be reached; the data is safe on this device and \
                         will be sent as soon as there is a connection",
                    )),
                    to_push: status.pending_changes,
                    ..idle(SyncPhase::Offline, last_sync)
                });
                Some(backoff(*failures, next(random)))
            }
            Err(error) => {
                let message = match &error {
                    Error::Server { .. } | Error::NotEnrolled => error.localized(lang),
                    _ => {
                        tracing::error!(%error, "sync failed");
                        crate::error::internal(lang).message
                    }
                };
                *failures += 1;
                self.publish(SyncState {
                    message: Some(message),
                    to_push: status.pending_changes,
                    ..idle(SyncPhase::Error, last_sync)
                });
                Some(AFTER_REFUSAL.max(backoff(*failures, next(random))))
            }
        }
    }

    /// Remember `state` and tell the window, when it says something new.
    fn publish(&self, state: SyncState) {
        {
            let mut current = lock(&self.state);
            if *current == state {
                return;
            }
            *current = state.clone();
        }
        (self.notify)(&state);
    }

    /// Wait until `wait` has passed or someone pokes; false when the app is closing.
    fn sleep(&self, wait: Option<Duration>) -> bool {
        let deadline = wait.map(|w| Instant::now() + w);
        let mut signal = lock(&self.signal);
        loop {
            if signal.stop {
                return false;
            }
            if signal.poked {
                signal.poked = false;
                return true;
            }
            signal = match deadline {
                None => self.wake.wait(signal).unwrap_or_else(|p| p.into_inner()),
                Some(deadline) => {
                    let now = Instant::now();
                    if now >= deadline {
                        return true;
                    }
                    self.wake
                        .wait_timeout(signal, deadline - now)
                        .unwrap_or_else(|p| p.into_inner())
                        .0
                }
            };
        }
    }
}

fn idle(phase: SyncPhase, last_sync: Option<String>) -> SyncState {
    SyncState {
        phase,
        pushed: 0,
        pulled: 0,
        bytes_up: 0,
        bytes_down: 0,
        to_push: 0,
        message: None,
        last_sync,
    }
}

/// The wait after the `failures`-th failure in a row: the exponential step, of which a
/// random part is kept ("equal jitter": never less than half the step, so a dead server is
/// not hammered, and never the same across devices).
fn backoff(failures: u32, random: u64) -> Duration {
    let step = BACKOFF_FIRST
        .saturating_mul(1u32 << failures.saturating_sub(1).min(16))
        .min(BACKOFF_MAX);
    let half = step / 2;
    let jitter_ms = random % (half.as_millis() as u64 + 1);
    half + Duration::from_millis(jitter_ms)
}

fn seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.as_nanos() as u64);
    nanos | 1
}

/// xorshift64: enough to spread retries, no dependency for it.
fn next(state: &mut u64) -> u64 {
    let mut x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *state = x;
    x
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_two_seconds_and_stops_at_two_minutes() {
        for (failures, step) in [(1, 2), (2, 4), (3, 8), (7, 120), (40, 120)] {
            let step = Duration::from_secs(step);
            for random in [0, 1, 977, u64::MAX] {
                let wait = backoff(failures, random);
                assert!(wait >= step / 2 && wait <= step, "{failures}: {wait:?}");
            }
        }
    }

    #[test]
    fn jitter_spreads_devices_that_failed_together() {
        let mut state = seed();
        let waits: std::collections::BTreeSet<Duration> =
            (0..20).map(|_| backoff(6, next(&mut state))).collect();
        assert!(waits.len() > 10, "{waits:?}");
    }
}
