//! What the background sync does next, as a pure function of where it is and what just
//! happened: no thread, no clock, no network, so every rule is a unit test.
//!
//! The waits after failures come from the sync engine's one [`Backoff`], configured here for
//! a device that syncs in the background: 2 s doubling to 2 min.

use std::time::Duration;

use simpul_replica::sync::engine::{Backoff, BackoffConfig};

use crate::ipc::SyncPhase;

/// How often an up-to-date device asks the server for news.
pub(crate) const PERIODIC: Duration = Duration::from_secs(60);
/// The app's backoff: tablets that lost the same Wi-Fi come back spread over seconds, and
/// one that stays offline asks at most every two minutes.
pub(crate) const BACKOFF: BackoffConfig = BackoffConfig {
    first: Duration::from_secs(2),
    max: Duration::from_secs(120),
};
/// How long after a refusal to ask again by itself: waiting will not fix a revoked device.
pub(crate) const AFTER_REFUSAL: Duration = Duration::from_secs(15 * 60);

/// What happened: the outcome of a round, or what ended a wait.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Event {
    /// There is nothing to sync with: no replica yet, or it is not enrolled.
    NotEnrolled,
    /// Everything was pushed and pulled.
    Synced,
    /// The server could not be reached, or the round gave up on a bad link.
    Unreachable,
    /// The server said no (a revoked token, a request it will never take).
    Refused,
    /// Something failed on this device (the database could not be opened or read).
    LocalFailure,
    /// A local write: there is something new to send.
    Nudged,
    /// The person asked to sync now (or the device was just enrolled).
    SyncNow,
    /// The wait is over.
    TimeUp,
}

/// What the worker must do next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Action {
    /// Run one sync round now.
    Sync,
    /// Sleep `for_` (for ever when `None`) unless woken; a nudge wakes it only when
    /// `nudges_wake`, while [`Event::SyncNow`] always does.
    Wait {
        for_: Option<Duration>,
        nudges_wake: bool,
    },
}

/// Where the worker is: the phase the window shows and the failures counted so far.
#[derive(Clone, Debug)]
pub(crate) struct Machine {
    phase: SyncPhase,
    backoff: Backoff,
}

impl Machine {
    /// A worker that has not looked at the replica yet; `seed` drives the backoff's jitter.
    pub(crate) fn new(seed: u64) -> Machine {
        Machine {
            phase: SyncPhase::NotEnrolled,
            backoff: Backoff::new(BACKOFF, seed),
        }
    }

    /// The phase to show.
    pub(crate) fn phase(&self) -> SyncPhase {
        self.phase
    }

    /// The transition: the new phase, and what to do about it.
    pub(crate) fn step(&mut self, event: Event) -> Action {
        let wait = |for_, nudges_wake| Action::Wait { for_, nudges_wake };
        match event {
            Event::NotEnrolled => {
                self.phase = SyncPhase::NotEnrolled;
                self.backoff.reset();
                // Enrolling wakes it.
                wait(None, true)
            }
            Event::Synced => {
                self.phase = SyncPhase::UpToDate;
                self.backoff.reset();
                wait(Some(PERIODIC), true)
            }
            Event::Unreachable => {
                self.phase = SyncPhase::Offline;
                wait(Some(self.backoff.fail()), true)
            }
            Event::LocalFailure => {
                self.phase = SyncPhase::Error;
                wait(Some(self.backoff.fail()), true)
            }
            Event::Refused => {
                self.phase = SyncPhase::Error;
                self.backoff.fail();
                // Every capture would otherwise be another refused request.
                wait(Some(AFTER_REFUSAL), false)
            }
            Event::Nudged | Event::SyncNow | Event::TimeUp => {
                self.phase = SyncPhase::Syncing;
                Action::Sync
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn waits(action: Action) -> Duration {
        match action {
            Action::Wait { for_: Some(d), .. } => d,
            other => panic!("expected a timed wait, got {other:?}"),
        }
    }

    #[test]
    fn a_successful_round_is_up_to_date_and_asks_again_in_a_minute() {
        let mut machine = Machine::new(7);
        assert_eq!(machine.step(Event::TimeUp), Action::Sync);
        assert_eq!(machine.phase(), SyncPhase::Syncing);
        let action = machine.step(Event::Synced);
        assert_eq!(machine.phase(), SyncPhase::UpToDate);
        assert_eq!(
            action,
            Action::Wait {
                for_: Some(PERIODIC),
                nudges_wake: true
            }
        );
    }

    #[test]
    fn an_unreachable_server_is_offline_with_a_growing_delay_capped_at_two_minutes() {
        for seed in [1, 42, u64::MAX] {
            let mut machine = Machine::new(seed);
            let mut steps = Vec::new();
            for _ in 0..12 {
                machine.step(Event::TimeUp);
                let wait = waits(machine.step(Event::Unreachable));
                assert_eq!(machine.phase(), SyncPhase::Offline);
                assert!(wait <= BACKOFF.max, "{wait:?}");
                steps.push(wait);
            }
            // Equal jitter: each wait is at least half its step, at most the step.
            assert!(steps[0] >= Duration::from_secs(1) && steps[0] <= Duration::from_secs(2));
            assert!(steps[3] >= Duration::from_secs(8), "{steps:?}");
            assert!(steps[11] >= BACKOFF.max / 2, "{steps:?}");
            // Coming back starts the count again.
            machine.step(Event::TimeUp);
            machine.step(Event::Synced);
            machine.step(Event::TimeUp);
            assert!(waits(machine.step(Event::Unreachable)) <= BACKOFF.first);
        }
    }

    #[test]
    fn a_refusal_is_an_error_retried_rarely_and_not_on_every_write() {
        let mut machine = Machine::new(3);
        for _ in 0..5 {
            machine.step(Event::TimeUp);
            let action = machine.step(Event::Refused);
            assert_eq!(machine.phase(), SyncPhase::Error);
            assert_eq!(
                action,
                Action::Wait {
                    for_: Some(AFTER_REFUSAL),
                    nudges_wake: false
                }
            );
        }
    }

    #[test]
    fn sync_now_wakes_at_once_whatever_the_wait() {
        for before in [
            Event::Refused,
            Event::Unreachable,
            Event::Synced,
            Event::NotEnrolled,
            Event::LocalFailure,
        ] {
            let mut machine = Machine::new(5);
            machine.step(before);
            assert_eq!(machine.step(Event::SyncNow), Action::Sync, "{before:?}");
            assert_eq!(machine.phase(), SyncPhase::Syncing);
        }
    }

    #[test]
    fn a_device_without_enrolment_waits_for_one_without_a_timer() {
        let mut machine = Machine::new(9);
        assert_eq!(
            machine.step(Event::NotEnrolled),
            Action::Wait {
                for_: None,
                nudges_wake: true
            }
        );
        assert_eq!(machine.phase(), SyncPhase::NotEnrolled);
    }
}
