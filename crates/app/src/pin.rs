//! PINs: parsed at the boundary, stored only as an Argon2 hash, checked offline.
//!
//! A 4–8 digit PIN is weak against anyone holding the database file, which is why it is
//! hashed with a memory-hard function and a salt per PIN: it keeps colleagues on a shared
//! tablet apart, it is not the device's encryption.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use simpul_survey::Lang;

use crate::error::{AppError, ErrorCode, fail, internal};

/// A PIN of 4 to 8 digits.
pub(crate) struct Pin(String);

impl Pin {
    pub(crate) fn parse(raw: &str, lang: Lang) -> Result<Pin, AppError> {
        let pin = raw.trim();
        if (4..=8).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Pin(pin.to_string()))
        } else {
            Err(fail(
                ErrorCode::Invalid,
                lang,
                "PIN harus 4–8 angka",
                "the PIN must be 4–8 digits",
            ))
        }
    }

    /// The PHC string to store: algorithm, parameters, salt and hash.
    pub(crate) fn hash(&self, lang: Lang) -> Result<String, AppError> {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(self.0.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|e| {
                tracing::error!(error = %e, "hashing a PIN failed");
                internal(lang)
            })
    }

    /// Whether this PIN is the one `stored` was made from. A stored hash that does not parse
    /// matches nothing rather than everything.
    pub(crate) fn matches(&self, stored: &str) -> bool {
        match PasswordHash::new(stored) {
            Ok(hash) => Argon2::default()
                .verify_password(self.0.as_bytes(), &hash)
                .is_ok(),
            Err(e) => {
                tracing::error!(error = %e, "a stored PIN hash does not parse");
                false
            }
        }
    }
}

/// The error of a PIN that does not match.
pub(crate) fn wrong_pin(lang: Lang) -> AppError {
    fail(ErrorCode::WrongPin, lang, "PIN salah", "wrong PIN")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_to_eight_digits_are_a_pin_and_nothing_else_is() {
        for ok in ["1234", " 12345678 ", "0000"] {
            assert!(Pin::parse(ok, Lang::Id).is_ok(), "{ok}");
        }
        for bad in ["123", "123456789", "12a4", "", "１２３４"] {
            let err = Pin::parse(bad, Lang::Id).err().expect(bad);
            assert_eq!(err.code, ErrorCode::Invalid);
        }
    }

    #[test]
    fn a_hash_matches_its_pin_only_and_never_contains_it() {
        let pin = Pin::parse("2468", Lang::Id).unwrap();
        let stored = pin.hash(Lang::Id).unwrap();
        assert!(!stored.contains("2468"));
        assert!(stored.starts_with("$argon2id$"));
        assert!(pin.matches(&stored));
        assert!(!Pin::parse("2469", Lang::Id).unwrap().matches(&stored));
        assert!(!pin.matches("not a hash"));
    }
}
