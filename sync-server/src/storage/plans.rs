//! What the storage keeps of a unit's follow-up plans (RTL) and of its report's narrative,
//! per period, and of what it did about its respondents' suggestions. Every write names the
//! person who made it.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::Result;
use crate::model::{Name, PeriodCode, UnitCode};
use crate::plan::{Changed, FollowUp, NarrativeField, Plan, StoredPlan};
use crate::saran::{Mark, StoredMark};

pub trait Plans {
    /// `unit`'s plan for `period`, with the follow-ups recorded against its items.
    fn plan(&self, unit: &UnitCode, period: &PeriodCode) -> Result<Option<StoredPlan>>;

    /// The plan of the latest period before `period` that has one.
    fn previous_plan(&self, unit: &UnitCode, period: &PeriodCode) -> Result<Option<StoredPlan>>;

    /// Replaces `unit`'s plan for `period` and records `follow_ups` against the previous
    /// plan's items, in one transaction. Fails with `InvalidField`, changing nothing, when a
    /// follow-up names an item the previous plan does not have.
    fn put_plan(
        &self,
        unit: &UnitCode,
        period: &PeriodCode,
        plan: &Plan,
        follow_ups: &[FollowUp],
        by: &Name,
        now: DateTime<Utc>,
    ) -> Result<()>;

    /// The narrative parts `unit` rewrote for `period`.
    fn narrative(
        &self,
        unit: &UnitCode,
        period: &PeriodCode,
    ) -> Result<Vec<(NarrativeField, String, Changed)>>;

    /// Sets each field to its text, or back to its default (`None`), in one transaction.
    fn put_narrative(
        &self,
        unit: &UnitCode,
        period: &PeriodCode,
        changes: &[(NarrativeField, Option<String>)],
        by: &Name,
        now: DateTime<Utc>,
    ) -> Result<()>;

    /// Every period `unit` has responses or a plan in, in order.
    fn unit_periods(&self, unit: &UnitCode) -> Result<Vec<String>>;

    /// What `unit` did about its respondents' suggestions, by response.
    fn saran_marks(&self, unit: &UnitCode) -> Result<HashMap<Uuid, StoredMark>>;

    /// Records what `unit` did about the suggestion of `response`, replacing any earlier mark.
    fn put_saran_mark(
        &self,
        unit: &UnitCode,
        response: Uuid,
        mark: Mark,
        by: &Name,
        now: DateTime<Utc>,
    ) -> Result<()>;
}
