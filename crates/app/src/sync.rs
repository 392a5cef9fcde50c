//! Sync in the background: a thread with its own connection to the replica (SQLite in WAL
//! mode, so the window's connection never waits on the network) that keeps the device and
//! the server in step and reports every step as a [`SyncState`].
//!
//! It does nothing until the device is enrolled. Then it syncs at once, again after every
//! local write (the commands nudge it), and every minute while up to date, so changes made
//! on other devices arrive without anyone asking. What to do after each round or wait is
//! decided by the pure [`machine`]: when the server cannot be reached it retries with the
//! sync engine's backoff (2 s doubling to 2 min, jittered), so a room full of tablets that
//! lost the same Wi-Fi do not all return in the same second; a refusal (a revoked device) is
//! reported and retried only rarely, because waiting will not fix it.

mod machine;

use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use simpul_replica::sync::{self, SyncOptions};
use simpul_replica::{DB_FILE, Error, Replica};
use simpul_survey::Lang;

use self::machine::{Action, Event, Machine};
use crate::app::Notify;
use crate::ipc::{SyncPhase, SyncState};
use crate::views::time;

/// The handle the [`App`](crate::App) keeps; dropping it stops and joins the thread.
pub(crate) struct SyncWorker {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

struct Shared {
    dir: PathBuf,
    notify: Notify,
    state: Mutex<SyncState>,
    /// The message of the current state in both languages, so that switching the language
    /// rewords the sync light at once instead of at the next state.
    words: Mutex<Option<Words>>,
    lang: Mutex<Lang>,
    signal: Mutex<Signal>,
    wake: Condvar,
}

#[derive(Default)]
struct Signal {
    /// A local write is waiting to be sent.
    nudged: bool,
    /// The person asked to sync now.
    asked: bool,
    stop: bool,
}

/// What ended a wait.
enum Woken {
    Event(Event),
    Stop,
}

impl SyncWorker {
    pub(crate) fn start(dir: PathBuf, lang: Lang, notify: Notify) -> SyncWorker {
        let shared = Arc::new(Shared {
            dir,
            notify,
            state: Mutex::new(idle(None)),
            words: Mutex::new(None),
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

    /// There is something new to send: sync soon, unless the server refused this device
    /// (then every write would be another refused request).
    pub(crate) fn nudge(&self) {
        lock(&self.shared.signal).nudged = true;
        self.shared.wake.notify_all();
    }

    /// Sync as soon as possible (now, or right after the round in progress), whatever the
    /// last round said.
    pub(crate) fn sync_now(&self) {
        lock(&self.shared.signal).asked = true;
        self.shared.wake.notify_all();
    }

    pub(crate) fn state(&self) -> SyncState {
        lock(&self.shared.state).clone()
    }

    /// Switches the language of what the worker says, and rewords what it says now.
    pub(crate) fn set_lang(&self, lang: Lang) {
        *lock(&self.shared.lang) = lang;
        let words = lock(&self.shared.words).clone();
        let mut state = lock(&self.shared.state).clone();
        if let (Some(words), Some(_)) = (words, &state.message) {
            state.message = Some(words.get(lang).to_string());
            self.shared.publish(state);
        }
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
        let mut machine = Machine::new(seed());
        let mut action = Action::Sync;
        loop {
            let event = match action {
                Action::Sync => {
                    let (event, state) = self.round(&mut replica);
                    action = machine.step(event);
                    if let Some(state) = state {
                        self.publish(SyncState {
                            phase: machine.phase(),
                            ..state
                        });
                    }
                    continue;
                }
                Action::Wait { for_, nudges_wake } => match self.sleep(for_, nudges_wake) {
                    Woken::Stop => return,
                    Woken::Event(event) => event,
                },
            };
            action = machine.step(event);
        }
    }

    /// One attempt: what happened, and what the window should see of it (its phase is the
    /// machine's to set; `None` when there is nothing new to show).
    fn round(&self, replica: &mut Option<Replica>) -> (Event, Option<SyncState>) {
        let lang = *lock(&self.lang);
        if replica.is_none() {
            if !self.dir.join(DB_FILE).exists() {
                return (Event::NotEnrolled, Some(idle(None)));
            }
            match Replica::open(&self.dir) {
                Ok(opened) => *replica = Some(opened),
                Err(error) => {
                    tracing::error!(%error, "the sync thread cannot open the replica");
                    return (Event::LocalFailure, None);
                }
            }
        }
        let replica = replica.as_mut().expect("opened above");
        let status = match replica.sync_status() {
            Ok(status) => status,
            Err(error) => {
                tracing::error!(%error, "reading the sync status failed");
                return (Event::LocalFailure, None);
            }
        };
        let last_sync = status.last_sync.map(time);
        if status.enrolment.is_none() {
            return (Event::NotEnrolled, Some(idle(last_sync)));
        }
        let mut state = SyncState {
            phase: SyncPhase::Syncing,
            to_push: status.pending_changes,
            ..idle(last_sync.clone())
        };
        self.publish(state.clone());
        // One attempt per round: the waiting between attempts is done by the worker, with
        // the engine's backoff as the machine configures it, where a nudge or a stop can
        // interrupt it.
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
        let after = |words: Option<Words>, last_sync: Option<String>| {
            let message = words.as_ref().map(|words| words.get(lang).to_string());
            *lock(&self.words) = words;
            SyncState {
                message,
                to_push: status.pending_changes,
                ..idle(last_sync)
            }
        };
        match result {
            Ok(synced) => {
                let last_sync = replica
                    .sync_status()
                    .ok()
                    .and_then(|s| s.last_sync)
                    .map(time)
                    .or(last_sync);
                // A server restored from a backup, or another server, took this device's work
                // again: worth saying, so that an office knows why this sync sent so much.
                let restored = synced.offered_again.map(|changes| Words {
                    id: format!(
                        "server ini dipulihkan dari cadangan atau baru bagi perangkat ini; \
                         {changes} perubahan dari perangkat ini dikirim ulang"
                    ),
                    en: format!(
                        "this server was restored from a backup or is new to this device; \
                         this device sent its {changes} changes again"
                    ),
                });
                let state = SyncState {
                    pushed: synced.progress.pushed,
                    pulled: synced.progress.pulled,
                    bytes_up: synced.progress.bytes_up,
                    bytes_down: synced.progress.bytes_down,
                    ..after(restored, last_sync)
                };
                (Event::Synced, Some(state))
            }
            Err(error @ (Error::Transport(_) | Error::SyncGaveUp { .. })) => {
                tracing::info!(%error, "server unreachable; retrying later");
                let words = Words {
                    id: "server tidak dapat dihubungi; data aman di perangkat ini dan akan \
                         dikirim otomatis begitu tersambung"
                        .into(),
                    en: "the server cannot be reached; the data is safe on this device and \
                         will be sent as soon as there is a connection"
                        .into(),
                };
                (Event::Unreachable, Some(after(Some(words), last_sync)))
            }
            Err(error @ (Error::Server { .. } | Error::NotEnrolled)) => {
                tracing::warn!(%error, "the server refused");
                let words = Words::each(|lang| crate::error::from_replica(&error, lang).message);
                (Event::Refused, Some(after(Some(words), last_sync)))
            }
            Err(error) => {
                tracing::error!(%error, "sync failed");
                let words = Words::each(|lang| crate::error::internal(lang).message);
                (Event::LocalFailure, Some(after(Some(words), last_sync)))
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

    /// Wait until `wait` has passed, someone asks to sync now, or (when `nudges_wake`) a
    /// write nudges.
    fn sleep(&self, wait: Option<Duration>, nudges_wake: bool) -> Woken {
        let deadline = wait.map(|w| Instant::now() + w);
        let mut signal = lock(&self.signal);
        loop {
            if signal.stop {
                return Woken::Stop;
            }
            if signal.asked {
                signal.asked = false;
                signal.nudged = false;
                return Woken::Event(Event::SyncNow);
            }
            if signal.nudged && nudges_wake {
                signal.nudged = false;
                return Woken::Event(Event::Nudged);
            }
            signal = match deadline {
                None => self.wake.wait(signal).unwrap_or_else(|p| p.into_inner()),
                Some(deadline) => {
                    let now = Instant::now();
                    if now >= deadline {
                        // A nudge that came meanwhile is sent by the round that follows.
                        signal.nudged = false;
                        return Woken::Event(Event::TimeUp);
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

/// What the sync light says, in both languages.
#[derive(Clone, Debug)]
struct Words {
    id: String,
    en: String,
}

impl Words {
    fn each(say: impl Fn(Lang) -> String) -> Words {
        Words {
            id: say(Lang::Id),
            en: say(Lang::En),
        }
    }

    fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Id => &self.id,
            Lang::En => &self.en,
        }
    }
}

/// A state with no progress to show; the machine sets its phase.
fn idle(last_sync: Option<String>) -> SyncState {
    SyncState {
        phase: SyncPhase::NotEnrolled,
        pushed: 0,
        pulled: 0,
        bytes_up: 0,
        bytes_down: 0,
        to_push: 0,
        message: None,
        last_sync,
    }
}

fn seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.as_nanos() as u64);
    nanos | 1
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}
