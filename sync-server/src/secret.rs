//! Enrolment codes, device tokens and session tokens: drawn at random, shown once, stored only as hashes.
//!
//! Both wrap their text so that `Debug` and logs never print it; the one way to read it is
//! [`expose`](DeviceToken::expose), called where it is handed to its owner. Lookups compare
//! SHA-256 hashes ([`SecretHash`]), so the database never holds a usable secret.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::model::UnitCode;
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

/// A district relay's enrolment code: the units it carries and one secret, shown as
/// `U-A,U-B:KQ7M-4XPA-2H`. From it the relay works out one ordinary enrolment code per unit
/// ([`RelayCode::code_for`]) and enrols upstream as one device of each unit, so the upstream
/// server needs nothing beyond what any device uses: each unit's code is single-use and
/// throttled like any other, and a relay cut off half-way through enrolling takes up the
/// remaining units with the same code. The units are spelt out so whoever sets the relay up
/// sees what it will carry.
#[derive(Clone, PartialEq, Eq)]
pub struct RelayCode {
    units: Vec<UnitCode>,
    secret: EnrolmentCode,
}

impl RelayCode {
    /// A fresh code for `units`, which must not be empty; duplicates count once.
    pub fn generate(units: &[UnitCode]) -> Result<RelayCode> {
        let mut units = units.to_vec();
        units.sort();
        units.dedup();
        if units.is_empty() {
            return Err(Error::InvalidValue {
                what: "relay code",
                value: String::new(),
                reason: "a relay carries at least one unit",
            });
        }
        Ok(RelayCode {
            units,
            secret: EnrolmentCode::generate()?,
        })
    }

    /// A relay code as typed or pasted; `None` when it cannot be one.
    pub fn parse(raw: &str) -> Option<RelayCode> {
        let (units, secret) = raw.trim().rsplit_once(':')?;
        let units: Vec<UnitCode> = units
            .split(',')
            .map(|unit| UnitCode::parse(unit.trim()).ok())
            .collect::<Option<_>>()?;
        let code = RelayCode::generate_with(units, EnrolmentCode::parse(secret)?);
        (!code.units.is_empty()).then_some(code)
    }

    fn generate_with(mut units: Vec<UnitCode>, secret: EnrolmentCode) -> RelayCode {
        units.sort();
        units.dedup();
        RelayCode { units, secret }
    }

    pub fn units(&self) -> &[UnitCode] {
        &self.units
    }

    /// The ordinary enrolment code of `unit` within this relay code: the first
    /// [`CODE_LEN`] symbols drawn from SHA-256 of the secret and the unit.
    pub fn code_for(&self, unit: &UnitCode) -> EnrolmentCode {
        let mut code = String::with_capacity(CODE_LEN);
        let mut round = 0u32;
        while code.len() < CODE_LEN {
            let digest = Sha256::new()
                .chain_update(b"simpul relay\0")
                .chain_update(self.secret.0.as_bytes())
                .chain_update(b"\0")
                .chain_update(unit.as_str().as_bytes())
                .chain_update(round.to_be_bytes())
                .finalize();
            // As in `EnrolmentCode::generate`: only fair bytes, so every symbol is as likely.
            let fair = digest.iter().filter(|&&b| usize::from(b) < 30 * 8);
            for &byte in fair.take(CODE_LEN - code.len()) {
                code.push(char::from(ALPHABET[usize::from(byte) % ALPHABET.len()]));
            }
            round += 1;
        }
        EnrolmentCode(code)
    }

    /// `U-A,U-B:KQ7M-4XPA-2H`
    pub fn expose(&self) -> String {
        let units: Vec<&str> = self.units.iter().map(UnitCode::as_str).collect();
        format!("{}:{}", units.join(","), self.secret.expose())
    }
}

impl fmt::Debug for RelayCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RelayCode")
            .field("units", &self.units)
            .finish_non_exhaustive()
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

    fn units(codes: &[&str]) -> Vec<UnitCode> {
        codes.iter().map(|c| UnitCode::parse(c).unwrap()).collect()
    }

    #[test]
    fn a_relay_code_reads_back_as_shown_and_as_typed_by_hand() {
        let code = RelayCode::generate(&units(&["U-B", "U-A", "U-B"])).unwrap();
        let shown = code.expose();
        assert!(shown.starts_with("U-A,U-B:"), "{shown}");

        // Unit codes keep their case; the secret's case, dashes and spaces do not matter.
        let (listed, secret) = shown.split_once(':').unwrap();
        let typed = format!(" {}: {} ", listed.replace(',', ", "), secret.to_lowercase());
        let read = RelayCode::parse(&typed).unwrap();
        assert_eq!(read, code);
        let unit = &units(&["U-A"])[0];
        assert_eq!(read.code_for(unit).hash(), code.code_for(unit).hash());
    }

    #[test]
    fn each_unit_of_a_relay_code_gets_its_own_valid_enrolment_code() {
        let both = units(&["U-A", "U-B"]);
        let code = RelayCode::generate(&both).unwrap();
        let (a, b) = (code.code_for(&both[0]), code.code_for(&both[1]));

        assert_ne!(a.hash(), b.hash());
        assert_eq!(EnrolmentCode::parse(&a.expose()).unwrap().hash(), a.hash());
        let other = RelayCode::generate(&both).unwrap();
        assert_ne!(other.code_for(&both[0]).hash(), a.hash());
    }

    #[test]
    fn text_that_cannot_be_a_relay_code_is_not_one() {
        for raw in [
            "",
            "KQ7M-4XPA-2H",
            ":KQ7M-4XPA-2H",
            "U-A:KQ7M",
            "U-A,,U-B:KQ7M-4XPA-2H",
        ] {
            assert!(RelayCode::parse(raw).is_none(), "{raw:?} parsed");
        }
        assert!(RelayCode::generate(&[]).is_err());
    }

    #[test]
    fn a_relay_code_never_prints_its_secret_in_debug_output() {
        let code = RelayCode::generate(&units(&["U-A"])).unwrap();
        let printed = format!("{code:?}");
        assert!(printed.contains("U-A"), "{printed}");
        assert!(!printed.contains(&code.secret.expose()[..4]), "{printed}");
    }

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
