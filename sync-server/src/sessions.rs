//! Signing in and out. A right name and password give a session: a random token in an
//! HttpOnly, SameSite=Strict cookie, kept in the database as a hash for [`SESSION_LENGTH`].
//!
//! Wrong passwords are counted per account and per address over [`WINDOW`]; past
//! [`MAX_FAILURES_PER_ACCOUNT`] or [`MAX_FAILURES_PER_ADDRESS`] the sign-in is refused
//! until the oldest failure leaves the window, even with the right password — a guesser
//! learns nothing from the answer. An unknown name costs the same hashing as a known one.

use std::net::IpAddr;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

use crate::Result;
use crate::people::{Password, Person, decoy_hash};
use crate::secret::SessionToken;
use crate::storage::Storage;
use crate::throttle::counted_as;

/// How long a session lasts: a working day, with room to spare.
pub const SESSION_LENGTH: TimeDelta = TimeDelta::hours(12);

/// How long failed sign-ins count.
pub const WINDOW: TimeDelta = TimeDelta::minutes(15);

/// Wrong passwords one account may have within [`WINDOW`].
pub const MAX_FAILURES_PER_ACCOUNT: u32 = 5;

/// Wrong passwords one address may have within [`WINDOW`]: an office behind one address
/// has several people signing in.
pub const MAX_FAILURES_PER_ADDRESS: u32 = 20;

/// The cookie holding the session token.
pub const COOKIE: &str = "simpul_session";

/// What a sign-in attempt came to.
#[derive(Debug)]
pub enum SignIn {
    Signed {
        token: SessionToken,
        person: Person,
        expires_at: DateTime<Utc>,
    },
    Wrong,
    /// Refused without looking at the password; try again after this long.
    Throttled(Duration),
}

/// Tries `name` and `password` from `address` at `now`, and starts a session when they are
/// right.
pub fn sign_in(
    storage: &dyn Storage,
    name: &str,
    password: &str,
    address: Option<IpAddr>,
    now: DateTime<Utc>,
) -> Result<SignIn> {
    let person = match check(storage, name, password, address, now)? {
        Checked::Right(person) => person,
        Checked::Wrong => return Ok(SignIn::Wrong),
        Checked::Throttled(wait) => return Ok(SignIn::Throttled(wait)),
    };
    let token = SessionToken::generate()?;
    let expires_at = now + SESSION_LENGTH;
    storage.add_session(token.hash(), &person.name, now, expires_at)?;
    Ok(SignIn::Signed {
        token,
        person,
        expires_at,
    })
}

/// What checking a password came to.
#[derive(Debug)]
pub enum Checked {
    Right(Person),
    Wrong,
    /// Refused without looking at the password; try again after this long.
    Throttled(Duration),
}

/// Checks `name` and `password` from `address` at `now`, counting a failure against the
/// account and the address: signing in, and confirming one's password before changing it.
pub fn check(
    storage: &dyn Storage,
    name: &str,
    password: &str,
    address: Option<IpAddr>,
    now: DateTime<Utc>,
) -> Result<Checked> {
    let name = name.trim();
    let mut keys = vec![(
        format!("account:{}", name.to_lowercase()),
        MAX_FAILURES_PER_ACCOUNT,
    )];
    if let Some(address) = address {
        keys.push((
            format!("address:{}", counted_as(address)),
            MAX_FAILURES_PER_ADDRESS,
        ));
    }
    let since = now - WINDOW;
    for (key, limit) in &keys {
        let (failures, oldest) = storage.sign_in_failures(key, since)?;
        if failures >= *limit {
            let until = oldest.unwrap_or(now) + WINDOW;
            let wait = (until - now).to_std().unwrap_or(Duration::from_secs(1));
            return Ok(Checked::Throttled(wait));
        }
    }

    let candidate = Password::parse(password).ok();
    let known = storage.person(name)?;
    let right = match (&known, &candidate) {
        (Some((person, hash)), Some(candidate)) if !person.disabled => candidate.matches(hash),
        (_, Some(candidate)) => {
            // The same work as for a known name, so timing tells nothing.
            candidate.matches(decoy_hash());
            false
        }
        (_, None) => false,
    };
    let Some((person, _)) = known.filter(|_| right) else {
        let keys: Vec<String> = keys.into_iter().map(|(key, _)| key).collect();
        storage.record_sign_in_failure(&keys, now, since)?;
        return Ok(Checked::Wrong);
    };
    storage.clear_sign_in_failures(&keys[0].0)?;
    Ok(Checked::Right(person))
}

/// The person a cookie's token signs in, if the session is still good.
pub fn person(storage: &dyn Storage, token: &str, now: DateTime<Utc>) -> Result<Option<Person>> {
    storage.session_person(SessionToken::presented(token).hash(), now)
}

/// Ends the session of this token.
pub fn sign_out(storage: &dyn Storage, token: &str) -> Result<()> {
    storage.end_session(SessionToken::presented(token).hash())
}
