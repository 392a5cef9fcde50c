//! Guessing enrolment codes, slowed down: an address that has failed
//! [`MAX_FAILURES`] times within [`WINDOW`] is refused (`429` with `Retry-After`) until the
//! window that its first failure opened has passed. A right code from another address is
//! never held up.
//!
//! Addresses are the TCP peer's: behind a reverse proxy every client shares the proxy's,
//! so one guesser makes every device there wait. (Forwarded headers are not trusted; any
//! client can write them.)
//!
//! The counts live in memory, per server process, and are forgotten when it restarts;
//! windows that have passed are pruned as new failures arrive, so the map holds little more
//! than the addresses that failed in the last [`WINDOW`]. An IPv6 client is counted by its
//! /64 network, since one machine commonly has a whole /64 to pick fresh addresses from.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Failures an address may have within [`WINDOW`] before it is refused.
pub const MAX_FAILURES: u32 = 5;

/// How long failures count against an address.
pub const WINDOW: Duration = Duration::from_secs(60);

/// Failures seen before the map is swept for windows that have passed.
const PRUNE_EVERY: usize = 1024;

#[derive(Debug, Default)]
pub struct Throttle {
    failures: Mutex<Failures>,
}

#[derive(Debug, Default)]
struct Failures {
    by_address: HashMap<IpAddr, Window>,
    since_prune: usize,
}

#[derive(Clone, Copy, Debug)]
struct Window {
    opened: Instant,
    count: u32,
}

impl Window {
    fn has_passed(&self, now: Instant) -> bool {
        now.saturating_duration_since(self.opened) >= WINDOW
    }
}

impl Throttle {
    /// `Err(wait)` when `address` has used up its failures: how long until it may try again.
    pub fn check(&self, address: IpAddr, now: Instant) -> Result<(), Duration> {
        let address = counted_as(address);
        let failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        match failures.by_address.get(&address) {
            Some(window) if window.count >= MAX_FAILURES && !window.has_passed(now) => {
                Err(WINDOW.saturating_sub(now.saturating_duration_since(window.opened)))
            }
            _ => Ok(()),
        }
    }

    /// Counts one failure against `address`.
    pub fn fail(&self, address: IpAddr, now: Instant) {
        let address = counted_as(address);
        let mut failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        failures.since_prune += 1;
        if failures.since_prune >= PRUNE_EVERY {
            failures.since_prune = 0;
            failures
                .by_address
                .retain(|_, window| !window.has_passed(now));
        }
        let window = failures.by_address.entry(address).or_insert(Window {
            opened: now,
            count: 0,
        });
        if window.has_passed(now) {
            *window = Window {
                opened: now,
                count: 0,
            };
        }
        window.count += 1;
    }

    /// Addresses with failures on record, for tests of pruning.
    #[cfg(test)]
    fn len(&self) -> usize {
        let failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        failures.by_address.len()
    }
}

/// The address failures are counted under: an IPv4 address itself, an IPv6 one's /64.
pub(crate) fn counted_as(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(_) => address,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from_bits(v6.to_bits() & !u128::from(u64::MAX))),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1));
    const TWO: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 2));

    #[test]
    fn an_address_is_refused_after_its_failures_and_only_until_the_window_passes() {
        let throttle = Throttle::default();
        let start = Instant::now();
        for _ in 0..MAX_FAILURES {
            assert_eq!(throttle.check(ONE, start), Ok(()));
            throttle.fail(ONE, start);
        }

        let ten_seconds_on = start + Duration::from_secs(10);
        assert_eq!(
            throttle.check(ONE, ten_seconds_on),
            Err(WINDOW - Duration::from_secs(10))
        );
        assert_eq!(throttle.check(TWO, ten_seconds_on), Ok(()));
        assert_eq!(throttle.check(ONE, start + WINDOW), Ok(()));
    }

    #[test]
    fn failures_in_a_passed_window_no_longer_count() {
        let throttle = Throttle::default();
        let start = Instant::now();
        for _ in 0..MAX_FAILURES - 1 {
            throttle.fail(ONE, start);
        }

        let later = start + WINDOW;
        throttle.fail(ONE, later);

        assert_eq!(throttle.check(ONE, later), Ok(()));
    }

    #[test]
    fn fresh_ipv6_addresses_from_one_network_count_as_one() {
        let throttle = Throttle::default();
        let now = Instant::now();
        for host in 0..u16::try_from(MAX_FAILURES).unwrap() {
            throttle.fail(IpAddr::from([0x2001, 0xdb8, 0, 1, 0, 0, 0, host]), now);
        }

        let another_host = IpAddr::from([0x2001, 0xdb8, 0, 1, 0xabcd, 0, 0, 9]);
        let another_network = IpAddr::from([0x2001, 0xdb8, 0, 2, 0, 0, 0, 1]);
        assert!(throttle.check(another_host, now).is_err());
        assert_eq!(throttle.check(another_network, now), Ok(()));
    }

    #[test]
    fn addresses_whose_window_passed_are_pruned() {
        let throttle = Throttle::default();
        let start = Instant::now();
        throttle.fail(ONE, start);

        for _ in 0..PRUNE_EVERY {
            throttle.fail(TWO, start + WINDOW);
        }

        assert_eq!(throttle.len(), 1);
    }
}
