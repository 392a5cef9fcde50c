//! The replica's vocabulary: how a response was collected, its state, its identity, and the
//! filters lists and reports take. Each is parsed once at the boundary.

use chrono::{Local, NaiveDate, NaiveTime, TimeZone};
use serde::{Deserialize, Serialize};

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

// Identity and codes are the document's: one rule on every replica, device and server.
pub use simpul_document::{PaperSerial, PeriodCode, UnitCode, paper_response_id};

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
    /// Only responses captured by this enumerator (the name their first change carries).
    pub enumerator: Option<String>,
    /// Only responses captured on or after this day, on this device's calendar.
    pub from: Option<NaiveDate>,
    /// Only responses captured on or before this day, on this device's calendar.
    pub to: Option<NaiveDate>,
}

/// A day as typed: `30/11/2026`, `30-11-2026`, `30112026` or `2026-11-30`
/// ([`simpul_survey::parse_day`], the rule answers follow too). A day that does not exist
/// (`31/02/2026`) is refused.
pub fn parse_date(raw: &str) -> Result<NaiveDate> {
    simpul_survey::parse_day(raw).ok_or_else(|| Error::InvalidValue {
        what: Phrase::new("tanggal", "date"),
        value: raw.to_string(),
        reason: Phrase::new(
            "tulis tanggal yang ada, mis. 30/11/2026",
            "write a day that exists, e.g. 30/11/2026",
        ),
    })
}

/// Milliseconds since the epoch at the start of `day` on this device's calendar.
pub(crate) fn start_of_day(day: NaiveDate) -> i64 {
    let midnight = day.and_time(NaiveTime::MIN);
    Local
        .from_local_datetime(&midnight)
        .earliest()
        .map(|at| at.timestamp_millis())
        .unwrap_or_else(|| midnight.and_utc().timestamp_millis())
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
    fn a_bad_code_or_serial_is_worded_for_the_counter_in_both_languages() {
        use simpul_survey::Lang;
        let period = Error::from(PeriodCode::parse("2025 S1").unwrap_err());
        assert_eq!(
            period.localized(Lang::Id),
            "periode `2025 S1` tidak sah: pakai 1–64 huruf, angka, '-', '_' atau '.'"
        );
        let unit = Error::from(UnitCode::parse("U/CAPIL").unwrap_err());
        assert_eq!(
            unit.localized(Lang::En),
            "invalid unit `U/CAPIL`: use 1–64 letters, digits, '-', '_' or '.'"
        );
        let serial = Error::from(PaperSerial::parse("  ").unwrap_err());
        assert_eq!(
            serial.localized(Lang::Id),
            "nomor seri `  ` tidak sah: kosong"
        );
    }

    #[test]
    fn a_day_is_read_as_offices_write_it_and_a_day_that_does_not_exist_is_refused() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        for raw in ["2026-11-30", "30/11/2026", " 30-11-2026 ", "30112026"] {
            assert_eq!(parse_date(raw).unwrap(), day, "{raw:?}");
        }
        for raw in ["31/02/2026", "2026-13-01", "30.11.2026", ""] {
            let error = parse_date(raw).unwrap_err();
            assert!(
                error
                    .localized(simpul_survey::Lang::Id)
                    .starts_with("tanggal"),
                "{raw:?}: {error}"
            );
        }
    }

    #[test]
    fn a_day_starts_at_local_midnight() {
        let day = NaiveDate::from_ymd_opt(2026, 7, 1).unwrap();
        let next = day.succ_opt().unwrap();
        // Indonesia keeps no daylight saving: every day is 24 hours long here.
        assert_eq!(start_of_day(next) - start_of_day(day), 86_400_000);
        let midnight = Local.timestamp_millis_opt(start_of_day(day)).unwrap();
        assert_eq!(midnight.date_naive(), day);
        assert_eq!(midnight.time(), NaiveTime::MIN);
    }

    #[test]
    fn channels_parse_case_insensitively() {
        assert_eq!(Channel::parse("Paper").unwrap(), Channel::Paper);
        assert!(Channel::parse("phone").is_err());
    }
}
