//! The server's nouns: units, devices and the changes they exchange, parsed at the boundary
//! so that past it only valid values exist.

use std::fmt;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{Error, Result};

// Unit and period codes follow the one rule every replica uses.
pub use simpul_document::{PeriodCode, UnitCode};

/// A name a person reads: a unit's or a device's. Trimmed, not empty, one line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Name(String);

impl Name {
    pub fn parse(what: &'static str, raw: &str) -> Result<Name> {
        let name = raw.trim();
        let invalid = |reason| Error::InvalidValue {
            what,
            value: raw.chars().take(80).collect(),
            reason,
        };
        if name.is_empty() {
            return Err(invalid("it is empty"));
        }
        if name.chars().count() > 120 {
            return Err(invalid("use at most 120 characters"));
        }
        if name.chars().any(char::is_control) {
            return Err(invalid("use one line of printable characters"));
        }
        Ok(Name(name.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A device's id, given at enrolment: a UUIDv7, so ids sort by enrolment time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DeviceId(Uuid);

impl DeviceId {
    pub fn new() -> DeviceId {
        DeviceId(Uuid::now_v7())
    }

    pub fn parse(raw: &str) -> Result<DeviceId> {
        Uuid::parse_str(raw.trim())
            .map(DeviceId)
            .map_err(|_| Error::InvalidValue {
                what: "device id",
                value: raw.to_string(),
                reason: "not a UUID",
            })
    }
}

impl Default for DeviceId {
    fn default() -> Self {
        DeviceId::new()
    }
}

impl fmt::Display for DeviceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unit {
    pub code: UnitCode,
    pub name: Name,
    /// The instansi (a district or agency) the unit belongs to, whose supervisors see it and
    /// whose reports pool it with its other units.
    pub instansi: Option<Name>,
}

/// A device that presented a valid, unrevoked token: who is asking, and what it may see.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Device {
    pub id: DeviceId,
    pub unit: UnitCode,
}

/// A device as administrators see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceRecord {
    pub id: DeviceId,
    pub unit: UnitCode,
    pub name: String,
    pub enrolled_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// When it last synced with this server (to within [`crate::storage::SYNC_MARK_EVERY`]).
    pub last_sync_at: Option<DateTime<Utc>>,
}

/// A pushed change that parsed as Automerge and may belong to a response of the pushing
/// device's unit: its hash is what makes storing it idempotent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IncomingChange {
    pub hash: [u8; 32],
    pub doc: Uuid,
    pub bytes: Vec<u8>,
    /// Whether it starts its document (with the full header, in the device's unit). Only
    /// such a change may bring a document the server does not hold yet.
    pub creates: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_unit_or_period_code_is_named_with_the_rule_it_breaks() {
        let unit = Error::from(UnitCode::parse("U CAPIL").unwrap_err());
        assert_eq!(
            unit.to_string(),
            "invalid unit code \"U CAPIL\": use 1–64 letters, digits, '-', '_' or '.'"
        );
        let period = Error::from(PeriodCode::parse("2026/S2").unwrap_err());
        assert!(
            period
                .to_string()
                .starts_with("invalid period code \"2026/S2\"")
        );
    }

    #[test]
    fn a_name_must_be_one_nonempty_line() {
        assert_eq!(
            Name::parse("name", "  Tablet 3 ").unwrap().as_str(),
            "Tablet 3"
        );
        assert!(Name::parse("name", " ").is_err());
        assert!(Name::parse("name", "a\nb").is_err());
        assert!(Name::parse("name", &"é".repeat(121)).is_err());
    }

    #[test]
    fn a_device_id_must_be_a_uuid() {
        let id = DeviceId::new();
        assert_eq!(DeviceId::parse(&id.to_string()).unwrap(), id);
        assert!(DeviceId::parse("tablet-3").is_err());
    }
}
