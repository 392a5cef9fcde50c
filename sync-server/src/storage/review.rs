//! What the review queue reads: a unit's responses as one line each, filtered the way a
//! supervisor narrows a queue, and one response in full. Read from the materialised tables,
//! so a queue of thousands never loads an Automerge document.

use chrono::{DateTime, Utc};
use serde::Serialize;
use simpul_document::read::Written;
use uuid::Uuid;

use crate::Result;
use crate::model::UnitCode;
use crate::report::Days;

/// Which of a unit's responses the queue shows; empty fields match everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QueueFilter {
    /// A review state code: `received`, `has-issues`, `approved`, `rejected`.
    pub review: Option<String>,
    pub period: Option<String>,
    pub channel: Option<String>,
    pub service: Option<String>,
    /// Who captured it.
    pub enumerator: Option<String>,
    /// The days it was captured in, on this machine's calendar, as reports count them.
    pub days: Days,
    /// At most this many, newest first.
    pub limit: usize,
}

/// One line of the review queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ResponseSummary {
    pub id: Uuid,
    pub serial: Option<String>,
    pub period: String,
    pub channel: String,
    pub service: Option<String>,
    /// `final` or `draft`.
    pub status: String,
    pub deleted: bool,
    pub review: String,
    pub review_note: Option<String>,
    /// Fields holding several values.
    pub conflicts: u32,
    /// From the authors' clocks: the first change and the last.
    pub created_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
}

/// A field holding several values, each with who wrote it and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldConflict {
    pub field: String,
    pub written: Vec<Written>,
}

/// One response in full, as its review page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ResponseDetail {
    #[serde(flatten)]
    pub summary: ResponseSummary,
    pub unit: String,
    pub form: String,
    pub method: String,
    /// Item id → the value shown (`None`: asked, not answered), in item order.
    pub answers: Vec<(String, Option<String>)>,
    pub conflicts_detail: Vec<FieldConflict>,
}

pub trait Reviews {
    /// `unit`'s responses matching `filter`, newest first.
    fn responses(&self, unit: &UnitCode, filter: &QueueFilter) -> Result<Vec<ResponseSummary>>;

    /// One response as materialised, or `None` when the follower has not reached it.
    fn response(&self, id: Uuid) -> Result<Option<ResponseDetail>>;
}

/// A response's first or last authored time as the tables keep it, in milliseconds: zero
/// means the authors' clocks said nothing.
pub(crate) fn authored_at(ms: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms).filter(|_| ms > 0)
}

/// Items as a person reads a form: `U2` before `U10`, profile fields after the unsur.
pub(crate) fn sort_items(
    mut answers: Vec<(String, Option<String>)>,
) -> Vec<(String, Option<String>)> {
    answers.sort_by_key(|(item, _)| item_order(item));
    answers
}

fn item_order(item: &str) -> (u8, String, u32, String) {
    let digits: String = item.chars().skip_while(|c| !c.is_ascii_digit()).collect();
    let prefix: String = item.chars().take_while(|c| !c.is_ascii_digit()).collect();
    let number = digits.parse().unwrap_or(u32::MAX);
    let unsur = prefix == "U" && number != u32::MAX;
    (u8::from(!unsur), prefix, number, item.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsur_come_first_in_numeric_order_then_the_other_items() {
        let items = ["gender", "U10", "U2", "service", "U1"]
            .map(|item| (item.to_string(), None))
            .to_vec();
        let sorted: Vec<String> = sort_items(items).into_iter().map(|(i, _)| i).collect();
        assert_eq!(sorted, ["U1", "U2", "U10", "gender", "service"]);
    }
}
