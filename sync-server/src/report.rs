//! Reports on the server, computed by `simpul_survey` from the materialised tables
//! ([`crate::materialise`]): the code devices use, so that the server and a unit's devices
//! can never disagree about an IKM.

use serde::Serialize;
use simpul_document::read::{SCORE_SLOTS, Written};
use simpul_survey::{IkmReport, Method, UnsurTally, Weighting};
use uuid::Uuid;

use crate::model::UnitCode;
use crate::storage::Storage;
use crate::{Error, Result};

/// Which of a unit's responses a report covers; empty fields match everything. Deleted
/// responses and drafts are never counted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReportFilter {
    pub period: Option<String>,
    pub service: Option<String>,
    pub channel: Option<String>,
}

/// One scan's worth of a report: the methods among the responses, how many there are, and
/// per score slot the total and how many answered it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tallies {
    pub methods: Vec<String>,
    pub n: u64,
    pub slots: [(u64, u64); SCORE_SLOTS],
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
    let tallies = storage.tallies(unit, filter)?;
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
