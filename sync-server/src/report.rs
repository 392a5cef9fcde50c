//! Reports on the server, computed by `simpul_survey` from the materialised tables
//! ([`crate::materialise`]): the code devices use, so that the server and a unit's devices
//! can never disagree about an IKM.
//!
//! [`unit_report`] is one unit's IKM; [`cross_unit_report`] puts every unit (or an
//! instansi's) side by side, each row computed exactly as the unit report would, with the
//! Krejcie–Morgan target, and pools them into one figure.

use std::collections::BTreeSet;

use chrono::{DateTime, Local, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::Serialize;
use simpul_document::read::{SCORE_SLOTS, Written};
use simpul_survey::{Grade, IkmReport, Method, UnsurTally, Weighting};
use uuid::Uuid;

use crate::model::{Name, Unit, UnitCode};
use crate::storage::Storage;
use crate::{Error, Result};

/// Which responses a report covers; empty fields match everything. Deleted responses,
/// drafts and rejected responses are never counted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReportFilter {
    pub period: Option<String>,
    pub service: Option<String>,
    pub channel: Option<String>,
    /// Who captured the response (`Response::created_by`).
    pub enumerator: Option<String>,
    /// The days the response was captured in, both inclusive, in this machine's time zone.
    pub days: Days,
}

/// An inclusive range of calendar days, either end open. A response belongs to a day by its
/// `created_at` read in the machine's local time zone ([`chrono::Local`]): the rule devices
/// use, so "from 1 to 7 March" counts the same interviews on both.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Days {
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
}

impl Days {
    /// Refuses a range that ends before it starts.
    pub fn new(from: Option<NaiveDate>, to: Option<NaiveDate>) -> Result<Days> {
        if let (Some(from), Some(to)) = (from, to)
            && to < from
        {
            return Err(Error::InvalidValue {
                what: "date range",
                value: format!("{from} … {to}"),
                reason: "the last day comes before the first",
            });
        }
        Ok(Days { from, to })
    }

    pub fn from(&self) -> Option<NaiveDate> {
        self.from
    }

    pub fn to(&self) -> Option<NaiveDate> {
        self.to
    }

    /// `created_at` bounds in milliseconds since the epoch: at or after the first,
    /// strictly before the second (the start of the day after `to`).
    pub fn millis(&self) -> (Option<i64>, Option<i64>) {
        let start = |day: NaiveDate| local_midnight(day).timestamp_millis();
        (
            self.from.map(start),
            self.to.and_then(|to| to.succ_opt()).map(start),
        )
    }
}

/// The first instant of `day` on this machine's clock. Where a time-zone change skips
/// midnight, the first instant that exists.
fn local_midnight(day: NaiveDate) -> DateTime<Local> {
    let midnight = day.and_time(NaiveTime::MIN);
    Local
        .from_local_datetime(&midnight)
        .earliest()
        .unwrap_or_else(|| {
            Local
                .from_local_datetime(&(midnight + chrono::TimeDelta::hours(1)))
                .earliest()
                .expect("an hour after a skipped midnight exists")
        })
}

/// A calendar day as the command line and exports write it: `YYYY-MM-DD`.
pub fn parse_day(raw: &str) -> std::result::Result<NaiveDate, String> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| format!("expected a date like 2025-03-01, got {raw:?}"))
}

/// One scan's worth of a report: the methods among the responses, how many there are, and
/// per score slot the total and how many answered it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tallies {
    pub methods: Vec<String>,
    pub n: u64,
    pub slots: [(u64, u64); SCORE_SLOTS],
}

impl Tallies {
    /// Adds another set of responses: the tallies of both together.
    pub fn add(&mut self, other: &Tallies) {
        for method in &other.methods {
            if !self.methods.contains(method) {
                self.methods.push(method.clone());
            }
        }
        self.methods.sort();
        self.n += other.n;
        for (slot, (total, n)) in self.slots.iter_mut().zip(other.slots) {
            slot.0 += total;
            slot.1 += n;
        }
    }
}

/// One unit's row of a report across units, as storage reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnitTallies {
    pub unit: Unit,
    /// The period counted: the one asked for, else the unit's active one; `None` when it has
    /// none configured, and then every period is counted, as the unit's own report does.
    pub period: Option<String>,
    /// Service users in the previous period, from the unit's configuration.
    pub population: Option<u64>,
    /// When the server last stored a change of the unit.
    pub last_received: Option<DateTime<Utc>>,
    /// Devices that sent changes of the unit's responses in `period`.
    pub devices: u64,
    pub tallies: Tallies,
}

/// A field holding several values, as `simpul conflicts --format json` shows one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConflictRow {
    pub response: Uuid,
    pub serial: Option<String>,
    pub field: String,
    pub values: Vec<Option<String>>,
    pub written: Vec<Written>,
}

/// The IKM of `unit`'s final responses matching `filter`, weighted by `weighting`.
pub fn unit_report(
    storage: &dyn Storage,
    unit: &UnitCode,
    filter: &ReportFilter,
    weighting: Weighting,
) -> Result<IkmReport> {
    ikm(&storage.tallies(unit, filter)?, weighting)
}

/// The IKM of a set of tallies, by `simpul_survey::compute`. Responses of several methods
/// cannot make one IKM and are refused.
pub fn ikm(tallies: &Tallies, weighting: Weighting) -> Result<IkmReport> {
    let method = match tallies.methods.as_slice() {
        [] => Method::Permenpanrb14_2017,
        [one] => Method::parse(one).map_err(|_| Error::InvalidValue {
            what: "method",
            value: one.clone(),
            reason: "this build does not know it",
        })?,
        several => return Err(Error::MixedMethods(several.to_vec())),
    };
    let unsur: Vec<UnsurTally> = method
        .unsur()
        .iter()
        .zip(tallies.slots)
        .map(|(unsur, (total, n))| UnsurTally {
            id: unsur.id.to_string(),
            total,
            n,
        })
        .collect();
    Ok(simpul_survey::compute(method, weighting, tallies.n, &unsur))
}

/// Which units a report across units lists.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UnitScope {
    /// Only the units of this instansi; every unit when `None`.
    pub instansi: Option<Name>,
    /// Only these units (a supervisor's own list); no restriction when `None`. Units left
    /// out are left out of every pooled figure too.
    pub units: Option<BTreeSet<UnitCode>>,
}

/// One unit's line of [`CrossUnitReport`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UnitLine {
    pub unit: String,
    pub name: String,
    pub instansi: Option<String>,
    pub period: Option<String>,
    pub n: u64,
    /// The converted IKM (25–100), unrounded; `None` with no responses.
    pub ikm: Option<f64>,
    pub grade: Option<Grade>,
    /// The Krejcie–Morgan minimum for the unit's population; `None` when none is configured.
    pub target: Option<u64>,
    /// Whether `n` reaches `target` ("Sesuai" / "Belum sesuai" in a published report).
    pub target_met: Option<bool>,
    pub last_received: Option<DateTime<Utc>>,
    pub devices: u64,
}

/// The IKM of several units' responses taken together.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Pooled {
    /// Always `"gabungan"`: a pooled figure is not any unit's IKM, and says so.
    pub label: &'static str,
    pub units: usize,
    pub n: u64,
    pub ikm: Option<f64>,
    pub grade: Option<Grade>,
}

/// The units of one instansi (or of none), pooled.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InstansiGroup {
    pub instansi: Option<String>,
    pub pooled: Pooled,
}

/// Every listed unit side by side, then all of them pooled.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CrossUnitReport {
    /// Ordered by instansi (units without one last), then by unit code.
    pub units: Vec<UnitLine>,
    /// Over every listed unit's counted responses together.
    pub pooled: Pooled,
    /// Per instansi, in the order of `units`.
    pub instansi: Vec<InstansiGroup>,
}

/// What waits for a supervisor in one unit, in its period: from the running totals.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct UnitActivity {
    pub unit: String,
    /// Counted responses no supervisor has reviewed yet.
    pub waiting: u64,
    /// Responses (not deleted, not rejected) holding a field with several values.
    pub conflicted: u64,
}

/// Counted responses of one unit captured on one day, on this machine's calendar.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DayCount {
    pub unit: String,
    pub day: NaiveDate,
    pub n: u64,
}

/// Label of every pooled figure.
pub const POOLED_LABEL: &str = "gabungan";

/// The IKM of every unit in `scope` and their pooled IKM, over responses matching `filter`
/// (each unit in its active period unless `filter.period` names one, every period for a unit
/// without one). One grouped query
/// reads every unit's tallies at once.
pub fn cross_unit_report(
    storage: &dyn Storage,
    scope: &UnitScope,
    filter: &ReportFilter,
    weighting: Weighting,
) -> Result<CrossUnitReport> {
    let mut rows = storage.unit_tallies(scope, filter)?;
    if let Some(listed) = &scope.units {
        rows.retain(|row| listed.contains(&row.unit.code));
    }
    let mut units = Vec::with_capacity(rows.len());
    let mut all = Tallies::default();
    let mut instansi: Vec<(Option<String>, Tallies, usize)> = Vec::new();
    for row in &rows {
        let report = ikm(&row.tallies, weighting)?;
        let target = row.population.map(simpul_survey::krejcie_morgan);
        let group = row.unit.instansi.as_ref().map(Name::to_string);
        match instansi.last_mut() {
            Some((last, tallies, count)) if *last == group => {
                tallies.add(&row.tallies);
                *count += 1;
            }
            _ => instansi.push((group.clone(), row.tallies.clone(), 1)),
        }
        all.add(&row.tallies);
        units.push(UnitLine {
            unit: row.unit.code.to_string(),
            name: row.unit.name.to_string(),
            instansi: group,
            period: row.period.clone(),
            n: row.tallies.n,
            ikm: report.ikm,
            grade: report.grade,
            target,
            target_met: target.map(|target| row.tallies.n >= target),
            last_received: row.last_received,
            devices: row.devices,
        });
    }
    let pooled = |tallies: &Tallies, units: usize| -> Result<Pooled> {
        let report = ikm(tallies, weighting)?;
        Ok(Pooled {
            label: POOLED_LABEL,
            units,
            n: tallies.n,
            ikm: report.ikm,
            grade: report.grade,
        })
    };
    Ok(CrossUnitReport {
        pooled: pooled(&all, units.len())?,
        instansi: instansi
            .iter()
            .map(|(name, tallies, count)| {
                Ok(InstansiGroup {
                    instansi: name.clone(),
                    pooled: pooled(tallies, *count)?,
                })
            })
            .collect::<Result<_>>()?,
        units,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_that_ends_before_it_starts_is_refused() {
        let day = |s| parse_day(s).unwrap();
        assert!(Days::new(Some(day("2025-03-02")), Some(day("2025-03-01"))).is_err());
        assert!(Days::new(Some(day("2025-03-01")), Some(day("2025-03-01"))).is_ok());
    }

    #[test]
    fn the_last_day_is_counted_whole() {
        let day = parse_day("2025-03-01").unwrap();
        let days = Days::new(Some(day), Some(day)).unwrap();
        let (from, to) = days.millis();
        assert_eq!(to.unwrap() - from.unwrap(), 24 * 3_600_000);
        assert_eq!(from, Some(local_midnight(day).timestamp_millis()));
    }

    #[test]
    fn a_date_must_be_year_month_day() {
        for bad in ["2025-13-01", "01-03-2025", "2025/03/01", "kemarin", ""] {
            assert!(parse_day(bad).is_err(), "{bad:?} was accepted");
        }
        assert_eq!(
            parse_day(" 2025-03-01 ").unwrap(),
            NaiveDate::from_ymd_opt(2025, 3, 1).unwrap()
        );
    }

    #[test]
    fn tallies_add_up_slot_by_slot_and_keep_each_method_once() {
        let mut a = Tallies {
            methods: vec!["m".into()],
            n: 2,
            ..Tallies::default()
        };
        a.slots[0] = (7, 2);
        let mut b = a.clone();
        b.slots[1] = (3, 1);
        a.add(&b);
        assert_eq!(a.n, 4);
        assert_eq!(a.slots[0], (14, 4));
        assert_eq!(a.slots[1], (3, 1));
        assert_eq!(a.methods, ["m"]);
    }
}
