//! The respondents' suggestions (saran) of a unit, and what the unit did about each: marked as
//! followed up, or linked to the item of the follow-up plan (RTL) that answers it.
//!
//! A suggestion is read from the materialised answers of the responses a report counts (final,
//! not rejected), so the list and the official report's appendix hold the same texts. The
//! marks are the unit's bookkeeping, kept beside the responses by the storage and written by
//! a person who decides for the unit, under their name.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::model::{Name, PeriodCode, UnitCode};
use crate::plan::Changed;
use crate::report::ReportFilter;
use crate::storage::Storage;
use crate::summary::counted_rows;
use crate::{Error, Result};

/// The item a suggestion is read from.
pub const SARAN_ITEM: &str = "saran";

/// The item of the standard form holding the survey date written on the questionnaire.
const SURVEY_DATE_ITEM: &str = "tanggal";

/// What a unit did about one suggestion.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mark {
    #[serde(default)]
    pub followed_up: bool,
    /// The number (from 1) of the item of the response period's RTL that answers it.
    #[serde(default)]
    pub rtl_item: Option<u32>,
}

/// A mark as stored, with who wrote it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredMark {
    pub mark: Mark,
    pub changed: Changed,
}

/// One suggestion, as the list shows it.
#[derive(Clone, Debug, Serialize)]
pub struct Suggestion {
    pub response: Uuid,
    pub serial: Option<String>,
    pub period: String,
    pub service: Option<String>,
    /// Milliseconds since the epoch: when the response was captured (typed in, for paper).
    pub created_at: i64,
    /// The survey date the questionnaire itself gives (its `tanggal` item, `YYYY-MM-DD`),
    /// when it gives one: for paper typed in later, the day the respondent was served.
    pub survey_date: Option<String>,
    pub text: String,
    #[serde(flatten)]
    pub mark: Mark,
    /// Who last marked it, and when; `None` while nobody has.
    pub changed: Option<Changed>,
}

/// The suggestions of `unit`'s counted responses that `filter` selects, oldest first; with
/// `search`, only those whose text, service or serial holds it (ignoring case).
pub fn suggestions(
    storage: &dyn Storage,
    unit: &UnitCode,
    filter: &ReportFilter,
    search: Option<&str>,
) -> Result<Vec<Suggestion>> {
    let search = search
        .map(|s| s.trim().to_lowercase())
        .filter(|s| !s.is_empty());
    let holds = |text: &str| {
        search
            .as_ref()
            .is_none_or(|s| text.to_lowercase().contains(s))
    };
    let mut marks: HashMap<Uuid, StoredMark> = storage.saran_marks(unit)?;
    Ok(counted_rows(storage, unit, filter)?
        .into_iter()
        .filter_map(|row| {
            let text = row.answers.get(SARAN_ITEM).cloned().flatten()?;
            let text = text.trim().to_string();
            let service = row.answers.get("layanan").cloned().flatten();
            let found = holds(&text)
                || service.as_deref().is_some_and(holds)
                || row.serial.as_deref().is_some_and(holds);
            if text.is_empty() || !found {
                return None;
            }
            let stored = marks.remove(&row.id);
            Some(Suggestion {
                response: row.id,
                serial: row.serial,
                period: row.period,
                service,
                created_at: row.created_at,
                survey_date: row.answers.get(SURVEY_DATE_ITEM).cloned().flatten(),
                text,
                mark: stored.as_ref().map(|s| s.mark).unwrap_or_default(),
                changed: stored.map(|s| s.changed),
            })
        })
        .collect())
}

/// Records `mark` for the suggestion of `response`, a response of `unit`. Refused, changing
/// nothing, when the response is not one of the unit's counted responses with a suggestion
/// (`UnknownResponse`), or when the RTL item does not exist in the plan of the response's
/// period (`InvalidField`).
pub fn mark(
    storage: &dyn Storage,
    unit: &UnitCode,
    response: Uuid,
    mark: Mark,
    by: &Name,
    now: DateTime<Utc>,
) -> Result<()> {
    let unknown = || Error::UnknownResponse(response.to_string());
    let detail = storage.response(response)?.ok_or_else(unknown)?;
    let summary = &detail.summary;
    let has_text = detail.answers.iter().any(|(item, value)| {
        item == SARAN_ITEM && value.as_deref().is_some_and(|t| !t.trim().is_empty())
    });
    let counted = summary.status == "final" && !summary.deleted && summary.review != "rejected";
    if detail.unit != unit.as_str() || !counted || !has_text {
        return Err(unknown());
    }
    if let Some(item) = mark.rtl_item {
        let period = PeriodCode::parse(&summary.period)?;
        let items = storage
            .plan(unit, &period)?
            .map_or(0, |stored| stored.plan.items.len());
        if item == 0 || item as usize > items {
            return Err(Error::InvalidField {
                field: "rtl_item".into(),
                value: item.to_string(),
                reason: if items == 0 {
                    "the response's period has no follow-up plan (RTL) yet"
                } else {
                    "the follow-up plan (RTL) of the response's period has no such item"
                },
            });
        }
    }
    storage.put_saran_mark(unit, response, mark, by, now)
}
