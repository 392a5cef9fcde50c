//! The people who use the server's web and API: admins, supervisors and viewers. An admin
//! manages everything; a supervisor sees and decides for an instansi or a list of units; a
//! viewer reads the same. Every decision a person makes is written under their name.
//!
//! Passwords are kept only as Argon2id hashes. Signing in is throttled per account and per
//! address in the database ([`crate::storage::People`]), so a guesser gains nothing by
//! spreading guesses over several server processes.

use std::collections::BTreeSet;
use std::fmt;

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

use crate::model::{Name, UnitCode};
use crate::{Error, Result};

/// What a person may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Manages people, units and devices; sees and decides everything.
    Admin,
    /// Sees and decides (review, settle, delete) within their scope.
    Supervisor,
    /// Reads within their scope.
    Viewer,
}

impl Role {
    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Supervisor => "supervisor",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(raw: &str) -> Result<Role> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "admin" => Ok(Role::Admin),
            "supervisor" => Ok(Role::Supervisor),
            "viewer" => Ok(Role::Viewer),
            _ => Err(Error::InvalidValue {
                what: "role",
                value: raw.to_string(),
                reason: "use admin, supervisor or viewer",
            }),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Which units a supervisor or viewer sees. An admin's scope is [`Scope::Everything`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    Everything,
    /// Every unit of this instansi, including units added to it later.
    Instansi(String),
    Units(BTreeSet<UnitCode>),
}

/// A person as the server knows them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    pub name: Name,
    pub role: Role,
    pub scope: Scope,
    pub disabled: bool,
}

impl Person {
    /// Whether this person may review, settle, delete and restore.
    pub fn decides(&self) -> bool {
        matches!(self.role, Role::Admin | Role::Supervisor)
    }

    /// Whether `unit`, which belongs to `instansi`, is within this person's scope.
    pub fn sees(&self, unit: &UnitCode, instansi: Option<&str>) -> bool {
        if self.role == Role::Admin {
            return true;
        }
        match &self.scope {
            Scope::Everything => true,
            Scope::Instansi(name) => instansi == Some(name.as_str()),
            Scope::Units(units) => units.contains(unit),
        }
    }
}

/// A password as typed, before it is hashed. Long enough that the throttle, not luck,
/// decides how long guessing takes.
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 10;
    pub const MAX_CHARS: usize = 256;

    pub fn parse(raw: &str) -> Result<Password> {
        // A password read from a pipe ends with the newline `echo` adds.
        let text = raw.strip_suffix('\n').unwrap_or(raw);
        let text = text.strip_suffix('\r').unwrap_or(text);
        let chars = text.chars().count();
        let reason = if chars < Self::MIN_CHARS {
            Some("use at least 10 characters")
        } else if chars > Self::MAX_CHARS {
            Some("use at most 256 characters")
        } else {
            None
        };
        match reason {
            None => Ok(Password(text.to_string())),
            Some(reason) => Err(Error::InvalidValue {
                what: "password",
                value: "(hidden)".into(),
                reason,
            }),
        }
    }

    /// The Argon2id hash to store, with a fresh salt, in the PHC string format.
    pub fn hash(&self) -> Result<String> {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(self.0.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|_| Error::PasswordHash)
    }

    /// Whether this is the password `stored` was made from. A stored hash that does not
    /// parse matches nothing.
    pub fn matches(&self, stored: &str) -> bool {
        PasswordHash::new(stored)
            .map(|hash| {
                Argon2::default()
                    .verify_password(self.0.as_bytes(), &hash)
                    .is_ok()
            })
            .unwrap_or(false)
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(..)")
    }
}

/// A hash that no password matches, checked when an unknown name signs in, so that the
/// answer takes as long as for a known one and does not tell which names exist.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| {
        Password("a password no one has".into())
            .hash()
            .unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(code: &str) -> UnitCode {
        UnitCode::parse(code).unwrap()
    }

    fn person(role: Role, scope: Scope) -> Person {
        Person {
            name: Name::parse("name", "Rina").unwrap(),
            role,
            scope,
            disabled: false,
        }
    }

    #[test]
    fn a_password_matches_its_hash_and_nothing_else() {
        let password = Password::parse("sandi-rahasia-1\n").unwrap();
        let stored = password.hash().unwrap();
        assert!(stored.starts_with("$argon2id$"), "{stored}");
        assert!(password.matches(&stored));
        assert!(Password::parse("sandi-rahasia-1").unwrap().matches(&stored));
        assert!(!Password::parse("sandi-rahasia-2").unwrap().matches(&stored));
        assert!(!password.matches("not a hash"));
        assert!(!password.matches(decoy_hash()));
    }

    #[test]
    fn a_short_password_is_refused_without_echoing_it() {
        let error = Password::parse("pendek").unwrap_err().to_string();
        assert!(error.contains("at least 10"), "{error}");
        assert!(!error.contains("pendek"), "{error}");
    }

    #[test]
    fn a_supervisor_sees_their_instansi_or_units_and_an_admin_everything() {
        let capil = unit("U-CAPIL");
        let rsud = unit("U-RSUD");
        let by_units = person(Role::Supervisor, Scope::Units([capil.clone()].into()));
        assert!(by_units.sees(&capil, None));
        assert!(!by_units.sees(&rsud, Some("Kab. Sleman")));

        let by_instansi = person(Role::Viewer, Scope::Instansi("Kab. Sleman".into()));
        assert!(by_instansi.sees(&rsud, Some("Kab. Sleman")));
        assert!(!by_instansi.sees(&capil, None));
        assert!(!by_instansi.sees(&capil, Some("Kab. Bantul")));
        assert!(!by_instansi.decides());

        let admin = person(Role::Admin, Scope::Units(BTreeSet::new()));
        assert!(admin.sees(&rsud, None) && admin.decides());
    }

    #[test]
    fn roles_parse_from_their_codes_only() {
        for role in [Role::Admin, Role::Supervisor, Role::Viewer] {
            assert_eq!(Role::parse(role.code()).unwrap(), role);
        }
        assert!(Role::parse("root").is_err());
    }
}
