//! A response's identity. Interviews and kiosk sessions get a fresh UUIDv7 (time-ordered, so
//! ids sort roughly by capture). A paper questionnaire's id is derived from its unit, period
//! and serial, so the same sheet typed on two devices that never met is one response.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::codes::{PeriodCode, UnitCode};
use crate::{Error, Result};

/// What is wrong with a paper serial.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SerialProblem {
    Empty,
    TooLong,
    ControlCharacters,
}

impl fmt::Display for SerialProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SerialProblem::Empty => "it is empty",
            SerialProblem::TooLong => "it is longer than 64 characters",
            SerialProblem::ControlCharacters => "it contains control characters",
        })
    }
}

/// The number printed on a paper questionnaire. Trimmed and upper-cased, so "a-07 " and
/// "A-07" typed by two clerks name the same sheet.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PaperSerial(String);

impl PaperSerial {
    pub const MAX_LEN: usize = 64;

    pub fn parse(raw: &str) -> Result<PaperSerial> {
        let serial = raw.trim().to_uppercase();
        let problem = if serial.is_empty() {
            Some(SerialProblem::Empty)
        } else if serial.chars().count() > Self::MAX_LEN {
            Some(SerialProblem::TooLong)
        } else if serial.chars().any(char::is_control) {
            Some(SerialProblem::ControlCharacters)
        } else {
            None
        };
        match problem {
            None => Ok(PaperSerial(serial)),
            Some(problem) => Err(Error::InvalidSerial {
                value: raw.to_string(),
                problem,
            }),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PaperSerial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The namespace of paper response ids. Fixed forever: changing it would make the same sheet
/// typed on an old and a new release two responses.
const PAPER_NAMESPACE: Uuid = Uuid::from_u128(0x5a1e_7c3b_0d2f_4e89_9b61_c4a8_f2d0_7e15);

/// The id of a paper questionnaire: the same (unit, period, serial) gives the same id on every
/// replica, so a sheet typed twice is one response.
pub fn paper_response_id(unit: &UnitCode, period: &PeriodCode, serial: &PaperSerial) -> Uuid {
    let name = format!("{unit}\u{0}{period}\u{0}{serial}");
    Uuid::new_v5(&PAPER_NAMESPACE, name.as_bytes())
}

/// The id of a response captured electronically: new every time.
pub fn new_response_id() -> Uuid {
    Uuid::now_v7()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(unit: &str, period: &str, serial: &str) -> Uuid {
        paper_response_id(
            &UnitCode::parse(unit).unwrap(),
            &PeriodCode::parse(period).unwrap(),
            &PaperSerial::parse(serial).unwrap(),
        )
    }

    #[test]
    fn a_paper_sheets_id_depends_on_unit_period_and_serial_only() {
        assert_eq!(
            id("U-CAPIL", "2026-S2", "a-07 "),
            id("U-CAPIL", "2026-S2", "A-07")
        );
        assert_ne!(
            id("U-CAPIL", "2026-S2", "A-07"),
            id("U-CAPIL", "2026-S1", "A-07")
        );
        assert_ne!(
            id("U-CAPIL", "2026-S2", "A-07"),
            id("U-DUKCAPIL", "2026-S2", "A-07")
        );
    }

    #[test]
    fn paper_ids_never_change_between_releases() {
        // Pinned: responses already on devices carry ids derived this way.
        assert_eq!(
            id("U-CAPIL", "2026-S2", "K-001").to_string(),
            "358744e8-371f-5695-a9f2-8d80c2a32ac3"
        );
        assert_eq!(id("U-CAPIL", "2026-S2", "K-001").get_version_num(), 5);
    }

    #[test]
    fn a_serial_that_is_empty_too_long_or_holds_control_characters_is_refused() {
        let long = "7".repeat(PaperSerial::MAX_LEN + 1);
        for (raw, expected) in [
            (" ", SerialProblem::Empty),
            (long.as_str(), SerialProblem::TooLong),
            ("A\u{7}1", SerialProblem::ControlCharacters),
        ] {
            assert!(
                matches!(PaperSerial::parse(raw), Err(Error::InvalidSerial { problem, .. }) if problem == expected),
                "{raw:?}"
            );
        }
    }
}
