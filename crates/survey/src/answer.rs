//! Answers, as values that are valid by construction.
//!
//! Raw text from a tablet, a CSV column or a clerk's keyboard becomes an [`Answer`] only
//! through [`Form::parse_answer`](crate::Form::parse_answer); past that point a score is
//! always 1–4 and a date is always a real date.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A score on the 4-point scale, 1 worst to 4 best.
///
/// Deserialising checks the range too, so a stored `7` fails loudly instead of skewing an IKM.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8")]
pub struct Score(u8);

impl Score {
    /// The score `v`, if it is on the scale.
    pub fn new(v: i64) -> Option<Score> {
        (1..=4).contains(&v).then_some(Score(v as u8))
    }

    /// The score as a number, 1–4.
    pub fn get(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for Score {
    type Error = &'static str;

    fn try_from(v: u8) -> Result<Score, Self::Error> {
        Score::new(v.into()).ok_or("a score must be 1–4")
    }
}

impl From<Score> for u8 {
    fn from(score: Score) -> u8 {
        score.0
    }
}

/// One item's answer, in the shape its [`ItemKind`](crate::ItemKind) gives it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Answer {
    /// An unsur score.
    Score(Score),
    /// The canonical code of the chosen option.
    Choice(String),
    /// A whole number within the item's bounds.
    Integer(i64),
    /// A calendar date.
    Date(NaiveDate),
    /// Trimmed free text.
    Text(String),
}

impl Answer {
    /// Canonical text form: score digit, choice code, integer, YYYY-MM-DD, the text itself.
    ///
    /// This is what goes into a CSV export or a text column; reading it back with
    /// `form.parse_answer(item, &a.to_raw())` gives `a` back.
    pub fn to_raw(&self) -> String {
        match self {
            Answer::Score(score) => score.get().to_string(),
            Answer::Choice(code) => code.clone(),
            Answer::Integer(n) => n.to_string(),
            Answer::Date(date) => date.format("%Y-%m-%d").to_string(),
            Answer::Text(text) => text.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_exist_only_from_one_to_four() {
        assert_eq!(Score::new(0), None);
        assert_eq!(Score::new(5), None);
        assert_eq!(Score::new(-1), None);
        assert_eq!(Score::new(i64::MAX), None);
        assert_eq!(Score::new(260), None);
        for v in 1..=4 {
            assert_eq!(Score::new(v).map(Score::get), Some(v as u8));
        }
    }

    #[test]
    fn a_score_out_of_range_does_not_deserialise() {
        assert_eq!(serde_json::from_str::<Score>("3").unwrap().get(), 3);
        assert!(serde_json::from_str::<Score>("7").is_err());
        assert!(serde_json::from_str::<Score>("0").is_err());
        assert!(serde_json::from_str::<Answer>(r#"{"Score":5}"#).is_err());
    }

    #[test]
    fn a_score_serialises_as_a_plain_number() {
        let a = Answer::Score(Score::new(4).unwrap());
        assert_eq!(serde_json::to_string(&a).unwrap(), r#"{"Score":4}"#);
    }

    #[test]
    fn raw_forms_are_canonical() {
        let date = NaiveDate::from_ymd_opt(2024, 3, 7).unwrap();
        assert_eq!(Answer::Score(Score::new(2).unwrap()).to_raw(), "2");
        assert_eq!(Answer::Choice("D1-D3".into()).to_raw(), "D1-D3");
        assert_eq!(Answer::Integer(-5).to_raw(), "-5");
        assert_eq!(Answer::Date(date).to_raw(), "2024-03-07");
        assert_eq!(Answer::Text("Antre lama".into()).to_raw(), "Antre lama");
    }
}
