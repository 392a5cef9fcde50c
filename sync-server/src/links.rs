//! Survey links, the electronic channel: a unit's address where respondents answer on their
//! own phone, from a QR code on the counter's poster or a paper sheet. A link may fix the
//! service and the period; without a period it follows the unit's active one. Closing a link
//! stops it taking answers; what it took stays.
//!
//! Tokens are short and typed by hand from a poster at worst, so they use lower-case letters
//! and digits without the ones people confuse (`l`/`1`, `o`/`0`, `i`).

use std::fmt;

use chrono::{DateTime, Utc};
use serde::Serialize;
use simpul_survey::Form;

use crate::export::DEFAULT_FORM;
use crate::model::{Name, PeriodCode, UnitCode};
use crate::printed;
use crate::storage::Storage;
use crate::{Error, Result};

/// The characters of a token.
const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// Twelve of them: about 59 bits, far beyond guessing at the rate a server answers.
const TOKEN_LEN: usize = 12;

/// A link's token, the last part of its address `/f/TOKEN`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct LinkToken(String);

impl LinkToken {
    pub fn generate() -> Result<LinkToken> {
        let mut token = String::with_capacity(TOKEN_LEN);
        let mut bytes = [0u8; 32];
        while token.len() < TOKEN_LEN {
            getrandom::fill(&mut bytes).map_err(Error::Random)?;
            // Rejection sampling: bytes above the largest multiple of the alphabet's length
            // are dropped, so that every character is equally likely.
            let limit = 256 - 256 % ALPHABET.len();
            for &byte in bytes.iter().filter(|&&b| usize::from(b) < limit) {
                if token.len() == TOKEN_LEN {
                    break;
                }
                token.push(char::from(ALPHABET[usize::from(byte) % ALPHABET.len()]));
            }
        }
        Ok(LinkToken(token))
    }

    /// A token as it arrives in an address. Only its shape is checked here; whether a link
    /// has it is the storage's to say.
    pub fn parse(raw: &str) -> Result<LinkToken> {
        let token = raw.trim().to_ascii_lowercase();
        if token.len() == TOKEN_LEN && token.bytes().all(|b| ALPHABET.contains(&b)) {
            Ok(LinkToken(token))
        } else {
            Err(Error::InvalidValue {
                what: "link token",
                value: raw.to_string(),
                reason: "a link's token is 12 letters and digits, as printed after /f/",
            })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for LinkToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a new link is for.
#[derive(Clone, Debug)]
pub struct NewLink {
    pub unit: UnitCode,
    /// The service every answer through it is about; the respondent is not asked.
    pub service: Option<String>,
    /// The period it collects for; `None` follows the unit's active period.
    pub period: Option<PeriodCode>,
    pub created_by: Name,
}

/// A stored link, with what it has taken.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Link {
    pub token: LinkToken,
    pub unit: UnitCode,
    pub service: Option<String>,
    pub period: Option<PeriodCode>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    /// An invitation's link, which takes one answer set.
    pub single_use: bool,
    /// Answer sets stored through it.
    pub answers: u64,
}

impl Link {
    /// Whether it takes answers: not closed, and not an invitation already answered.
    pub fn is_open(&self) -> bool {
        self.closed_at.is_none() && !(self.single_use && self.answers > 0)
    }

    /// The address respondents open, under the server's public address.
    pub fn url(&self, public_url: &str) -> String {
        format!("{}/f/{}", public_url.trim_end_matches('/'), self.token)
    }
}

/// The link paper questionnaires of `unit` for `period` point at: its open link for that
/// period without a service, made when there is none, so that reprinting a stack keeps
/// every sheet's code pointing at one link.
pub fn paper_link(
    storage: &dyn Storage,
    unit: &UnitCode,
    period: &PeriodCode,
    by: &Name,
    now: DateTime<Utc>,
) -> Result<Link> {
    let existing = storage.links(unit)?.into_iter().find(|link| {
        link.is_open() && link.service.is_none() && link.period.as_ref() == Some(period)
    });
    if let Some(link) = existing {
        return Ok(link);
    }
    let new = NewLink {
        unit: unit.clone(),
        service: None,
        period: Some(period.clone()),
        created_by: by.clone(),
    };
    storage.add_link(&LinkToken::generate()?, &new, now)
}

/// `link`'s poster, its address under `public_url`.
pub fn poster_pdf(storage: &dyn Storage, link: &Link, public_url: &str) -> Result<Vec<u8>> {
    let unit = storage
        .unit(&link.unit)?
        .ok_or_else(|| Error::UnknownUnit(link.unit.to_string()))?;
    printed::poster(&unit, link, &link.url(public_url))
}

/// Paper questionnaires of `link`'s unit for `period`, with the unit's form.
pub fn questionnaires_pdf(
    storage: &dyn Storage,
    link: &Link,
    period: &PeriodCode,
    public_url: &str,
    sheets: &printed::Sheets,
) -> Result<Vec<u8>> {
    let unit = storage
        .unit(&link.unit)?
        .ok_or_else(|| Error::UnknownUnit(link.unit.to_string()))?;
    let form = form_of(storage, &link.unit)?;
    printed::questionnaires(
        &unit,
        link,
        period.as_str(),
        form,
        &link.url(public_url),
        sheets,
    )
}

/// The form `unit`'s new responses use, the default one when its configuration names none.
pub fn form_of(storage: &dyn Storage, unit: &UnitCode) -> Result<&'static Form> {
    let id = storage
        .unit_form(unit)?
        .unwrap_or_else(|| DEFAULT_FORM.to_string());
    simpul_survey::builtin(&id).ok_or(Error::UnknownForm(id))
}

/// Longest service name a link takes, as the form's `layanan` item does.
const MAX_SERVICE_LEN: usize = 200;

/// A link's service as given by a person: trimmed; empty means none.
pub fn parse_service(raw: Option<&str>) -> Result<Option<String>> {
    let Some(service) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    if service.chars().count() > MAX_SERVICE_LEN || service.chars().any(char::is_control) {
        return Err(Error::InvalidValue {
            what: "service",
            value: service.to_string(),
            reason: "a service is a name of at most 200 characters on one line",
        });
    }
    Ok(Some(service.to_string()))
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn tokens_are_twelve_unambiguous_characters_and_differ() {
        let tokens: HashSet<String> = (0..200).map(|_| LinkToken::generate().unwrap().0).collect();
        assert_eq!(tokens.len(), 200, "no token repeats");
        for token in &tokens {
            assert_eq!(token.len(), TOKEN_LEN, "{token}");
            assert!(
                !token.contains(['l', '1', 'o', '0', 'i']),
                "no confusable character: {token}"
            );
            assert_eq!(LinkToken::parse(token).unwrap().as_str(), token);
        }
    }

    #[test]
    fn a_token_typed_in_capitals_is_read_and_a_malformed_one_refused() {
        assert_eq!(
            LinkToken::parse(" ABCDEFGHJKMN ").unwrap().as_str(),
            "abcdefghjkmn"
        );
        for bad in ["", "abc", "abcdefghjkm0", "abcdefghjkmnp", "../etc/passw"] {
            assert!(LinkToken::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn a_service_is_trimmed_and_an_empty_one_is_none() {
        assert_eq!(
            parse_service(Some("  KTP-el ")).unwrap().as_deref(),
            Some("KTP-el")
        );
        assert_eq!(parse_service(Some("  ")).unwrap(), None);
        assert!(parse_service(Some("a\nb")).is_err());
        assert!(parse_service(Some(&"x".repeat(201))).is_err());
    }

    #[test]
    fn the_url_joins_the_public_address_and_the_token() {
        let link = Link {
            token: LinkToken::parse("abcdefghjkmn").unwrap(),
            unit: UnitCode::parse("U-CAPIL").unwrap(),
            service: None,
            period: None,
            created_by: "Rina".into(),
            created_at: Utc::now(),
            closed_at: None,
            single_use: false,
            answers: 0,
        };
        assert_eq!(
            link.url("https://skm.example.go.id/"),
            "https://skm.example.go.id/f/abcdefghjkmn"
        );
    }
}
