//! Guessing enrolment codes, slowed down: an address that has failed [`MAX_FAILURES`] times
//! within [`WINDOW`] is refused (`429` with `Retry-After`) until its oldest failure leaves
//! the window. A right code from another address is never held up.
//!
//! Addresses are the TCP peer's: behind a reverse proxy every client shares the proxy's,
//! so one guesser makes every device there wait. (Forwarded headers are not trusted; any
//! client can write them.)
//!
//! The failures are kept in the database beside the failed sign-ins
//! ([`crate::storage::People::record_sign_in_failure`]) under their own key, so every
//! server process on one database counts together and a restart forgets nothing: a guesser
//! cannot multiply the allowance by the number of nodes behind a load balancer. An IPv6
//! client is counted by its /64 network, since one machine commonly has a whole /64 to pick
//! fresh addresses from.

use std::net::{IpAddr, Ipv6Addr};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

use crate::Result;
use crate::storage::Storage;

/// Failures an address may have within [`WINDOW`] before it is refused.
pub const MAX_FAILURES: u32 = 5;

/// How long failures count against an address.
pub const WINDOW: TimeDelta = TimeDelta::minutes(1);

/// `Err(wait)` when `address` has used up its failures at `now`: how long until it may try
/// again.
pub fn check(
    storage: &dyn Storage,
    address: IpAddr,
    now: DateTime<Utc>,
) -> Result<Result<(), Duration>> {
    // A failure exactly WINDOW old no longer counts; the storage counts from `since` on.
    let since = now - WINDOW + TimeDelta::milliseconds(1);
    let (failures, oldest) = storage.sign_in_failures(&key(address), since)?;
    if failures < MAX_FAILURES {
        return Ok(Ok(()));
    }
    let until = oldest.unwrap_or(now) + WINDOW;
    Ok(Err((until - now)
        .to_std()
        .unwrap_or(Duration::from_secs(1))))
}

/// Counts one failure against `address` at `now`.
pub fn fail(storage: &dyn Storage, address: IpAddr, now: DateTime<Utc>) -> Result<()> {
    // Failures are pruned by age whatever their key: keep those a sign-in still counts.
    let keep_since = now - WINDOW.max(crate::sessions::WINDOW);
    storage.record_sign_in_failure(&[key(address)], now, keep_since)
}

/// The key an address's failed enrolments are kept under, apart from its failed sign-ins.
fn key(address: IpAddr) -> String {
    format!("enrolment:{}", counted_as(address))
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
    use crate::storage::{People, SqliteStorage};

    const ONE: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1));
    const TWO: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 2));

    fn storage() -> (tempfile::TempDir, SqliteStorage) {
        let dir = tempfile::tempdir().unwrap();
        let storage = SqliteStorage::open(dir.path()).unwrap();
        (dir, storage)
    }

    fn start() -> DateTime<Utc> {
        DateTime::from_timestamp(1_780_000_000, 0).unwrap()
    }

    #[test]
    fn an_address_is_refused_after_its_failures_and_only_until_the_window_passes() {
        let (_dir, storage) = storage();
        for _ in 0..MAX_FAILURES {
            assert_eq!(check(&storage, ONE, start()).unwrap(), Ok(()));
            fail(&storage, ONE, start()).unwrap();
        }

        let ten_seconds_on = start() + TimeDelta::seconds(10);
        assert_eq!(
            check(&storage, ONE, ten_seconds_on).unwrap(),
            Err(Duration::from_secs(50))
        );
        assert_eq!(check(&storage, TWO, ten_seconds_on).unwrap(), Ok(()));
        assert_eq!(check(&storage, ONE, start() + WINDOW).unwrap(), Ok(()));
    }

    #[test]
    fn failures_in_a_passed_window_no_longer_count() {
        let (_dir, storage) = storage();
        for _ in 0..MAX_FAILURES - 1 {
            fail(&storage, ONE, start()).unwrap();
        }

        let later = start() + WINDOW;
        fail(&storage, ONE, later).unwrap();

        assert_eq!(check(&storage, ONE, later).unwrap(), Ok(()));
    }

    #[test]
    fn fresh_ipv6_addresses_from_one_network_count_as_one() {
        let (_dir, storage) = storage();
        for host in 0..u16::try_from(MAX_FAILURES).unwrap() {
            fail(
                &storage,
                IpAddr::from([0x2001, 0xdb8, 0, 1, 0, 0, 0, host]),
                start(),
            )
            .unwrap();
        }

        let another_host = IpAddr::from([0x2001, 0xdb8, 0, 1, 0xabcd, 0, 0, 9]);
        let another_network = IpAddr::from([0x2001, 0xdb8, 0, 2, 0, 0, 0, 1]);
        assert!(check(&storage, another_host, start()).unwrap().is_err());
        assert_eq!(check(&storage, another_network, start()).unwrap(), Ok(()));
    }

    #[test]
    fn failed_enrolments_neither_count_as_failed_sign_ins_nor_prune_them() {
        let (_dir, storage) = storage();
        let sign_in = format!("address:{ONE}");
        storage
            .record_sign_in_failure(std::slice::from_ref(&sign_in), start(), start())
            .unwrap();

        let five_minutes_on = start() + TimeDelta::minutes(5);
        for _ in 0..MAX_FAILURES {
            fail(&storage, ONE, five_minutes_on).unwrap();
        }

        assert_eq!(
            storage.sign_in_failures(&sign_in, start()).unwrap(),
            (1, Some(start()))
        );
    }
}
