//! What the storage keeps about people: accounts, sessions and failed sign-ins. Sessions and
//! failures live in the database, not in a process, so several server processes on one
//! database share them.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use crate::Result;
use crate::model::{Name, UnitCode};
use crate::people::{Person, Role};
use crate::secret::SecretHash;

/// A person being added.
#[derive(Clone, Debug)]
pub struct NewPerson {
    pub name: Name,
    pub role: Role,
    pub instansi: Option<String>,
    pub units: BTreeSet<UnitCode>,
    /// Argon2id, PHC string.
    pub password_hash: String,
}

pub trait People {
    /// Fails with `PersonExists`, or `UnknownUnit` when a listed unit does not exist.
    fn add_person(&self, person: &NewPerson, now: DateTime<Utc>) -> Result<()>;

    /// A person and their password hash, disabled or not.
    fn person(&self, name: &str) -> Result<Option<(Person, String)>>;

    fn people(&self) -> Result<Vec<Person>>;

    /// Disables a person and ends their sessions. Fails with `UnknownPerson`.
    fn disable_person(&self, name: &str, now: DateTime<Utc>) -> Result<()>;

    /// Replaces a person's password hash and ends every session of theirs. Fails with
    /// `UnknownPerson`.
    fn set_password_hash(&self, name: &str, hash: &str) -> Result<()>;

    fn add_session(
        &self,
        token: SecretHash,
        person: &Name,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<()>;

    /// The person signed in with this token, unless the session expired or the person was
    /// disabled. Read from the database on every call.
    fn session_person(&self, token: SecretHash, now: DateTime<Utc>) -> Result<Option<Person>>;

    fn end_session(&self, token: SecretHash) -> Result<()>;

    /// Records a failed sign-in against each key and forgets failures older than `since`.
    fn record_sign_in_failure(
        &self,
        keys: &[String],
        now: DateTime<Utc>,
        since: DateTime<Utc>,
    ) -> Result<()>;

    /// How many failures `key` has had since `since`, and when the oldest of them was.
    fn sign_in_failures(
        &self,
        key: &str,
        since: DateTime<Utc>,
    ) -> Result<(u32, Option<DateTime<Utc>>)>;

    /// Forgets `key`'s failures: after a right password, the account starts afresh.
    fn clear_sign_in_failures(&self, key: &str) -> Result<()>;
}
