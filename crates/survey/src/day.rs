//! Days as people in an Indonesian office write them. Paper questionnaires, registers and
//! spreadsheets say `30/11/2026`; clerks type `30-11-2026` or, in a hurry, `30112026`;
//! exports and older files hold `2026-11-30`. Every one of them is read here, once, so the
//! app, the CLI and CSV files accept the same days. A day that does not exist (`31/02/2026`)
//! is none of them.

use chrono::{Datelike, NaiveDate};

use crate::Lang;

/// The day `raw` names, if it names one that exists.
pub fn parse_day(raw: &str) -> Option<NaiveDate> {
    let text = raw.trim();
    if text.len() == 8 && text.bytes().all(|b| b.is_ascii_digit()) {
        // Day first, as the other Indonesian forms: 30112026.
        return NaiveDate::parse_from_str(text, "%d%m%Y").ok();
    }
    ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"]
        .iter()
        .find_map(|format| NaiveDate::parse_from_str(text, format).ok())
        // chrono reads `%Y` as any number of digits: hold years to four.
        .filter(|day| (1000..=9999).contains(&day.year()))
}

/// A day as people read it: `30 Nov 2026`, `5 Agu 2026` (`5 Aug 2026` in English).
pub fn show_day(day: NaiveDate, lang: Lang) -> String {
    const ID: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des",
    ];
    const EN: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let months = match lang {
        Lang::Id => ID,
        Lang::En => EN,
    };
    let month = months[day.month0() as usize];
    format!("{} {month} {}", day.day(), day.year())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_is_read_as_offices_write_it() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 30);
        for raw in [
            "30/11/2026",
            "30-11-2026",
            "30112026",
            "2026-11-30",
            " 30/11/2026 ",
        ] {
            assert_eq!(parse_day(raw), day, "{raw:?}");
        }
        assert_eq!(parse_day("1/2/2026"), NaiveDate::from_ymd_opt(2026, 2, 1));
    }

    #[test]
    fn a_day_is_shown_with_its_month_in_words() {
        let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        assert_eq!(show_day(day(11, 30), Lang::Id), "30 Nov 2026");
        assert_eq!(show_day(day(8, 5), Lang::Id), "5 Agu 2026");
        assert_eq!(show_day(day(8, 5), Lang::En), "5 Aug 2026");
        assert_eq!(show_day(day(5, 1), Lang::Id), "1 Mei 2026");
    }

    #[test]
    fn a_day_that_does_not_exist_or_is_no_day_is_refused() {
        for raw in [
            "31/02/2026",
            "29-02-2025",
            "2026-13-01",
            "31112026",
            "30.11.2026",
            "11/30/2026",
            "kemarin",
            "",
            "30/11/26",
        ] {
            assert_eq!(parse_day(raw), None, "{raw:?}");
        }
    }
}
