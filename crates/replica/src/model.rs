//! The replica's vocabulary: how a response was collected, its state, its identity, and the
//! filters lists and reports take. Each is parsed once at the boundary.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{Error, Phrase, Result};

/// How a questionnaire was filled in. The one list of channels: the app's window takes its
/// filters and labels from it, through the TypeScript generated from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    /// An enumerator asked and tapped the answers.
    Interview,
    /// A paper questionnaire typed in later; identified by its serial number.
    Paper,
    /// The respondent answered on a tablet at the counter.
    Kiosk,
    /// The respondent filled in the electronic self-survey on the web; the server writes these.
    Web,
}

impl Channel {
    pub const ALL: [Channel; 4] = [
        Channel::Interview,
        Channel::Paper,
        Channel::Kiosk,
        Channel::Web,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Channel::Interview => "interview",
            Channel::Paper => "paper",
            Channel::Kiosk => "kiosk",
            Channel::Web => "web",
        }
    }

    pub fn parse(s: &str) -> Result<Channel> {
        Channel::ALL
            .into_iter()
            .find(|c| c.code().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| Error::InvalidValue {
                what: Phrase::new("saluran", "channel"),
                value: s.to_string(),
                reason: Phrase::new(
                    "pilih interview, paper, kiosk atau web",
                    "expected interview, paper, kiosk or web",
                ),
            })
    }
}

/// Whether a response still being filled in or done.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Draft,
    Final,
}

impl Status {
    pub fn code(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Final => "final",
        }
    }

    pub fn parse(s: &str) -> Result<Status> {
        match s.trim().to_ascii_lowercase().as_str() {
            "draft" => Ok(Status::Draft),
            "final" => Ok(Status::Final),
            _ => Err(Error::InvalidValue {
                what: Phrase::new("status", "status"),
                value: s.to_string(),
                reason: Phrase::new("pilih draft atau final", "expected draft or final"),
            }),
        }
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
        let invalid = |reason| Error::InvalidValue {
            what: Phrase::new("nomor seri", "paper serial"),
            value: raw.to_string(),
            reason,
        };
        if serial.is_empty() {
            return Err(invalid(Phrase::new("kosong", "it is empty")));
        }
        if serial.chars().count() > Self::MAX_LEN {
            return Err(invalid(Phrase::new(
                "lebih dari 64 karakter",
                "it is longer than 64 characters",
            )));
        }
        if serial.chars().any(char::is_control) {
            return Err(invalid(Phrase::new(
                "memuat karakter kendali",
                "it contains control characters",
            )));
        }
        Ok(PaperSerial(serial))
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

/// A stable code for a unit (`U-CAPIL`) or a survey period (`2025-S1`): replicas that never
/// met must agree on it, so it is never a random id.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Code(String);

impl Code {
    /// `what` names the code in messages: "unit" or "period".
    pub fn parse(what: &'static str, raw: &str) -> Result<Code> {
        let code = raw.trim();
        let ok = !code.is_empty()
            && code.len() <= 64
            && code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if ok {
            Ok(Code(code.to_string()))
        } else {
            let what = match what {
                "period" => Phrase::new("periode", "period"),
                "unit" => Phrase::new("unit", "unit"),
                _ => Phrase::new("kode", "code"),
            };
            Err(Error::InvalidValue {
                what,
                value: raw.to_string(),
                reason: Phrase::new(
                    "pakai 1–64 huruf, angka, '-', '_' atau '.'",
                    "use 1–64 letters, digits, '-', '_' or '.'",
                ),
            })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The namespace of paper response ids. Fixed forever: changing it would make the same sheet
/// typed on an old and a new release two responses.
const PAPER_NAMESPACE: Uuid = Uuid::from_u128(0x5a1e_7c3b_0d2f_4e89_9b61_c4a8_f2d0_7e15);

/// The id of a paper questionnaire: the same (unit, period, serial) gives the same id on every
/// replica, so a sheet typed twice is one response.
pub fn paper_response_id(unit: &Code, period: &Code, serial: &PaperSerial) -> Uuid {
    let name = format!("{}\u{0}{}\u{0}{}", unit, period, serial);
    Uuid::new_v5(&PAPER_NAMESPACE, name.as_bytes())
}

/// Which responses a list, a report or an export covers. Empty fields match everything.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filter {
    pub period: Option<String>,
    pub unit: Option<String>,
    pub service: Option<String>,
    pub channel: Option<Channel>,
    pub status: Option<Status>,
    pub has_conflict: Option<bool>,
    pub method: Option<simpul_survey::Method>,
    /// Deleted responses are left out unless this is set.
    pub include_deleted: bool,
    /// Only responses a supervisor left in this review state.
    pub review: Option<simpul_document::review::ReviewState>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_channel_parses_from_its_code_and_serialises_as_it() {
        for channel in Channel::ALL {
            assert_eq!(Channel::parse(channel.code()).unwrap(), channel);
            assert_eq!(
                serde_json::to_value(channel).unwrap(),
                serde_json::Value::from(channel.code())
            );
        }
        assert_eq!(Channel::parse(" WEB ").unwrap(), Channel::Web);
        assert!(Channel::parse("sms").is_err());
    }

    #[test]
    fn serials_typed_differently_name_the_same_sheet() {
        let unit = Code::parse("unit", "U-CAPIL").unwrap();
        let period = Code::parse("period", "2025-S1").unwrap();
        let a = paper_response_id(&unit, &period, &PaperSerial::parse(" a-07").unwrap());
        let b = paper_response_id(&unit, &period, &PaperSerial::parse("A-07 ").unwrap());
        assert_eq!(a, b);
        assert_eq!(a.get_version_num(), 5);
    }

    #[test]
    fn the_same_serial_in_another_period_is_another_sheet() {
        let unit = Code::parse("unit", "U-CAPIL").unwrap();
        let serial = PaperSerial::parse("7").unwrap();
        let s1 = paper_response_id(&unit, &Code::parse("period", "2025-S1").unwrap(), &serial);
        let s2 = paper_response_id(&unit, &Code::parse("period", "2025-S2").unwrap(), &serial);
        assert_ne!(s1, s2);
    }

    #[test]
    fn an_empty_serial_is_refused() {
        assert!(PaperSerial::parse("   ").is_err());
        assert!(PaperSerial::parse(&"9".repeat(65)).is_err());
    }

    #[test]
    fn codes_refuse_spaces_and_accept_stable_names() {
        assert!(Code::parse("unit", "U CAPIL").is_err());
        assert_eq!(
            Code::parse("period", " 2025-S1 ").unwrap().as_str(),
            "2025-S1"
        );
    }

    #[test]
    fn channels_parse_case_insensitively() {
        assert_eq!(Channel::parse("Paper").unwrap(), Channel::Paper);
        assert!(Channel::parse("phone").is_err());
    }
}
