//! Enrolment codes, device tokens and session tokens: drawn at random, shown once, stored only as hashes.
//!
//! Both wrap their text so that `Debug` and logs never print it; the one way to read it is
//! [`expose`](DeviceToken::expose), called where it is handed to its owner. Lookups compare
//! SHA-256 hashes ([`SecretHash`]), so the database never holds a usable secret.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::{Error, Result};

/// The SHA-256 of a secret: what the database stores and looks up by.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SecretHash(pub [u8; 32]);

impl SecretHash {
    fn of(text: &str) -> SecretHash {
        SecretHash(Sha256::digest(text.as_bytes()).into())
    }
}

impl fmt::Debug for SecretHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretHash(..)")
    }
}

/// A device's bearer token: 32 random bytes, base64url without padding (43 characters).
#[derive(Clone, PartialEq, Eq)]
pub struct DeviceToken(String);

impl DeviceToken {
    pub fn generate() -> Result<DeviceToken> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(Error::Random)?;
        Ok(DeviceToken(URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// A token as presented by a client. Any text is accepted here: an unknown token simply
    /// matches no device.
    pub fn presented(text: &str) -> DeviceToken {
        DeviceToken(text.to_string())
    }

    pub fn hash(&self) -> SecretHash {
        SecretHash::of(&self.0)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for DeviceToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DeviceToken(..)")
    }
}

/// A signed-in browser's session: the same kind of secret as a device's token, carried in
/// a cookie instead of a header.
pub type SessionToken = DeviceToken;

/// Symbols of an enrolment code: digits and capitals without `0 1 I L O U`, so a code read
/// aloud or copied from paper cannot be mistyped into another valid code.
const ALPHABET: &[u8; 30] = b"23456789ABCDEFGHJKMNPQRSTVWXYZ";
/// 30^10 ≈ 2^49 codes: guessing one of the few live codes online is hopeless.
const CODE_LEN: usize = 10;
/// How the code is shown: `KQ7M-4XPA-2H`.
const GROUPS: [usize; 3] = [4, 4, 2];

/// A one-time enrolment code, held without its dashes.
#[derive(Clone, PartialEq, Eq)]
pub struct EnrolmentCode(String);

impl EnrolmentCode {
    pub fn generate() -> Result<EnrolmentCode> {
        let mut code = String::with_capacity(CODE_LEN);
        while code.len() < CODE_LEN {
            let mut bytes = [0u8; 16];
            getrandom::fill(&mut bytes).map_err(Error::Random)?;
            // Only bytes below a multiple of 30 are used, so every symbol is equally likely.
            let fair = bytes.iter().filter(|&&b| usize::from(b) < 30 * 8);
            for &byte in fair.take(CODE_LEN - code.len()) {
                code.push(char::from(ALPHABET[usize::from(byte) % ALPHABET.len()]));
            }
        }
        Ok(EnrolmentCode(code))
    }

    /// A code as typed by a person: case, dashes and spaces do not matter. `None` when it
    /// cannot be a code at all.
    pub fn parse(raw: &str) -> Option<EnrolmentCode> {
        let code: String = raw
            .chars()
            .filter(|c| !matches!(c, '-' | ' '))
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let valid = code.len() == CODE_LEN && code.bytes().all(|b| ALPHABET.contains(&b));
        valid.then_some(EnrolmentCode(code))
    }

    pub fn hash(&self) -> SecretHash {
        SecretHash::of(&self.0)
    }

    /// The code grouped for reading aloud: `KQ7M-4XPA-2H`.
    pub fn expose(&self) -> String {
        let mut shown = String::with_capacity(CODE_LEN + GROUPS.len());
        let mut rest = self.0.as_str();
        for len in GROUPS {
            let (group, tail) = rest.split_at(len.min(rest.len()));
            if !shown.is_empty() {
                shown.push('-');
            }
            shown.push_str(group);
            rest = tail;
        }
        shown
    }
}

impl fmt::Debug for EnrolmentCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EnrolmentCode(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_shown_in_three_groups_of_unambiguous_symbols() {
        let shown = EnrolmentCode::generate().unwrap().expose();
        let groups: Vec<&str> = shown.split('-').collect();
        assert_eq!(
            groups.iter().map(|g| g.len()).collect::<Vec<_>>(),
            [4, 4, 2]
        );
        assert!(
            shown
                .chars()
                .all(|c| c == '-' || ALPHABET.contains(&(c as u8))),
            "{shown}"
        );
        assert!(!shown.contains(['0', '1', 'I', 'L', 'O', 'U']), "{shown}");
    }

    #[test]
    fn a_code_typed_in_lower_case_without_dashes_is_the_same_code() {
        let code = EnrolmentCode::generate().unwrap();
        let typed = code.expose().replace('-', " ").to_lowercase();
        assert_eq!(EnrolmentCode::parse(&typed).unwrap().hash(), code.hash());
    }

    #[test]
    fn text_that_cannot_be_a_code_is_not_one() {
        for raw in ["", "KQ7M-4XPA", "KQ7M-4XPA-2H7", "KQ7M-4XPA-2O"] {
            assert!(EnrolmentCode::parse(raw).is_none(), "{raw:?} parsed");
        }
    }

    #[test]
    fn two_codes_or_tokens_drawn_in_a_row_differ() {
        assert_ne!(
            EnrolmentCode::generate().unwrap().hash(),
            EnrolmentCode::generate().unwrap().hash()
        );
        let token = DeviceToken::generate().unwrap();
        assert_eq!(token.expose().len(), 43);
        assert_ne!(token.hash(), DeviceToken::generate().unwrap().hash());
    }

    #[test]
    fn secrets_never_print_in_debug_output() {
        let token = DeviceToken::generate().unwrap();
        let code = EnrolmentCode::generate().unwrap();
        let printed = format!("{token:?} {code:?} {:?}", token.hash());
        assert!(!printed.contains(token.expose()), "{printed}");
        assert!(!printed.contains(&code.expose()[..4]), "{printed}");
    }
}
