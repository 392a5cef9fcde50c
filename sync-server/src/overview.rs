//! The supervisors' overview: every unit a person may see, for one period, in one answer —
//! n against the Krejcie–Morgan target, IKM and mutu, what waits for review, open conflicts,
//! the devices and when each last synced, and responses per day.
//!
//! Everything here comes from figures the server keeps up to date as it materialises (the
//! running totals, the per-day counts, the devices' last sync), never from reading the
//! responses, so it costs the same for a district of ten responses or a province of a million.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use serde::Serialize;
use simpul_survey::Weighting;

use crate::Result;
use crate::model::Name;
use crate::people::{Person, Role, Scope};
use crate::report::{self, Pooled, ReportFilter, UnitLine, UnitScope};
use crate::storage::Storage;

/// A device that has not synced for longer than this is marked silent.
pub const SILENT_AFTER: TimeDelta = TimeDelta::days(7);

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Overview {
    /// The period asked for; `None`: each unit's active period.
    pub period: Option<String>,
    /// Ranked by IKM, highest first; units without responses last, by code.
    pub units: Vec<OverviewUnit>,
    /// Every listed unit's responses together, labelled as pooled.
    pub pooled: Pooled,
    /// Counted responses per day of capture, over every listed unit.
    pub per_day: Vec<DayTotal>,
    /// The listed units' devices that are not revoked, by unit then name.
    pub devices: Vec<OverviewDevice>,
    /// Days after which a device counts as silent.
    pub silent_after_days: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OverviewUnit {
    #[serde(flatten)]
    pub line: UnitLine,
    /// 1 for the highest IKM; `None` without responses.
    pub rank: Option<usize>,
    /// Counted responses no supervisor has reviewed yet.
    pub waiting: u64,
    /// Responses holding a field with several values.
    pub conflicted: u64,
    /// Of its devices, how many are silent.
    pub silent_devices: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DayTotal {
    pub day: NaiveDate,
    pub n: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OverviewDevice {
    pub id: String,
    pub unit: String,
    pub name: String,
    pub enrolled_at: DateTime<Utc>,
    pub last_sync_at: Option<DateTime<Utc>>,
    /// No sync for longer than [`SILENT_AFTER`] (counted from enrolment when it never synced).
    pub silent: bool,
}

/// The units of `person`'s scope as a report across units lists them.
pub fn scope_of(person: &Person) -> UnitScope {
    match (&person.role, &person.scope) {
        (Role::Admin, _) | (_, Scope::Everything) => UnitScope::default(),
        (_, Scope::Instansi(name)) => match Name::parse("instansi", name) {
            Ok(name) => UnitScope {
                instansi: Some(name),
                units: None,
            },
            // An instansi that no longer reads as a name matches no unit.
            Err(_) => UnitScope {
                instansi: None,
                units: Some(BTreeSet::new()),
            },
        },
        (_, Scope::Units(units)) => UnitScope {
            instansi: None,
            units: Some(units.clone()),
        },
    }
}

/// The overview of `period` (each unit's active period when `None`) for `person`, at `now`.
pub fn overview(
    storage: &dyn Storage,
    person: &Person,
    period: Option<String>,
    now: DateTime<Utc>,
) -> Result<Overview> {
    let filter = ReportFilter {
        period: period.clone(),
        ..ReportFilter::default()
    };
    let report = report::cross_unit_report(storage, &scope_of(person), &filter, Weighting::Exact)?;
    let listed: BTreeSet<&str> = report.units.iter().map(|u| u.unit.as_str()).collect();

    let activity: BTreeMap<String, (u64, u64)> = storage
        .unit_activity(period.as_deref())?
        .into_iter()
        .map(|a| (a.unit, (a.waiting, a.conflicted)))
        .collect();
    let mut per_day: BTreeMap<NaiveDate, u64> = BTreeMap::new();
    for day in storage.responses_per_day(period.as_deref())? {
        if listed.contains(day.unit.as_str()) {
            *per_day.entry(day.day).or_default() += day.n;
        }
    }
    let devices = devices(storage, now, |unit| listed.contains(unit))?;

    let mut units: Vec<OverviewUnit> = report
        .units
        .into_iter()
        .map(|line| {
            let (waiting, conflicted) = activity.get(&line.unit).copied().unwrap_or_default();
            let silent_devices = devices
                .iter()
                .filter(|d| d.silent && d.unit == line.unit)
                .count() as u64;
            OverviewUnit {
                line,
                rank: None,
                waiting,
                conflicted,
                silent_devices,
            }
        })
        .collect();
    rank(&mut units);
    Ok(Overview {
        period,
        units,
        pooled: report.pooled,
        per_day: per_day
            .into_iter()
            .map(|(day, n)| DayTotal { day, n })
            .collect(),
        devices,
        silent_after_days: SILENT_AFTER.num_days(),
    })
}

/// The devices, not revoked, of the units `listed` accepts, by unit then name, each marked
/// silent when it has not synced for longer than [`SILENT_AFTER`] at `now`.
pub fn devices(
    storage: &dyn Storage,
    now: DateTime<Utc>,
    listed: impl Fn(&str) -> bool,
) -> Result<Vec<OverviewDevice>> {
    let mut devices: Vec<OverviewDevice> = storage
        .devices()?
        .into_iter()
        .filter(|d| d.revoked_at.is_none() && listed(d.unit.as_str()))
        .map(|d| OverviewDevice {
            silent: now - d.last_sync_at.unwrap_or(d.enrolled_at) > SILENT_AFTER,
            id: d.id.to_string(),
            unit: d.unit.to_string(),
            name: d.name,
            enrolled_at: d.enrolled_at,
            last_sync_at: d.last_sync_at,
        })
        .collect();
    devices.sort_by(|a, b| (&a.unit, &a.name).cmp(&(&b.unit, &b.name)));
    Ok(devices)
}

/// Orders by IKM, highest first (ties by code), units without responses last by code, and
/// numbers the ranked ones.
fn rank(units: &mut [OverviewUnit]) {
    units.sort_by(|a, b| match (a.line.ikm, b.line.ikm) {
        (Some(x), Some(y)) => y.total_cmp(&x).then_with(|| a.line.unit.cmp(&b.line.unit)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.line.unit.cmp(&b.line.unit),
    });
    for (index, unit) in units.iter_mut().enumerate() {
        unit.rank = unit.line.ikm.map(|_| index + 1);
    }
}
