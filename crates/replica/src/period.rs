//! The period a new replica starts in. Periods are named by semester (`2026-S1` for
//! January–June, `2026-S2` for July–December), the period most units report by, and the
//! semester is decided on the device's own calendar: a sheet filled at 00:30 WIB on 1 July
//! belongs to the second semester although it is still 30 June in UTC. Every front end asks
//! here, so the app and the CLI never disagree about the same moment.

use chrono::{DateTime, Datelike, Local, NaiveDate, TimeZone, Utc};

use crate::PeriodCode;

/// The semester `date` falls in.
pub fn semester(date: NaiveDate) -> PeriodCode {
    let half = if date.month() <= 6 { 1 } else { 2 };
    PeriodCode::parse(&format!("{}-S{half}", date.year())).expect("a semester name is a valid code")
}

/// The semester of the moment `at` on a calendar in `zone`.
pub fn semester_at<Tz: TimeZone>(at: DateTime<Utc>, zone: &Tz) -> PeriodCode {
    semester(at.with_timezone(zone).date_naive())
}

/// The semester it is now on this device's calendar.
pub fn current_semester() -> PeriodCode {
    semester_at(Utc::now(), &Local)
}

#[cfg(test)]
mod tests {
    use chrono::FixedOffset;

    use super::*;

    #[test]
    fn january_to_june_is_the_first_semester_and_july_to_december_the_second() {
        let day = |m, d| NaiveDate::from_ymd_opt(2025, m, d).unwrap();
        assert_eq!(semester(day(1, 1)).as_str(), "2025-S1");
        assert_eq!(semester(day(6, 30)).as_str(), "2025-S1");
        assert_eq!(semester(day(7, 1)).as_str(), "2025-S2");
        assert_eq!(semester(day(12, 31)).as_str(), "2025-S2");
    }

    #[test]
    fn half_past_midnight_on_the_first_of_july_in_jakarta_is_the_second_semester() {
        let at: DateTime<Utc> = "2026-06-30T17:30:00Z".parse().unwrap();
        let wib = FixedOffset::east_opt(7 * 3600).unwrap();
        assert_eq!(semester_at(at, &wib).as_str(), "2026-S2");
        assert_eq!(semester_at(at, &Utc).as_str(), "2026-S1");
    }

    #[test]
    fn new_year_is_decided_on_the_local_calendar_too() {
        let at: DateTime<Utc> = "2026-12-31T18:00:00Z".parse().unwrap();
        let wib = FixedOffset::east_opt(7 * 3600).unwrap();
        assert_eq!(semester_at(at, &wib).as_str(), "2027-S1");
    }
}
