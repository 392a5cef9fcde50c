//! A unit's results for the public, at `/publik/UNIT` with no sign-in: what PermenPANRB
//! 14/2017 asks a unit to publish — the IKM, mutu, how many answered against the sample the
//! method needs, and each unsur's NRR — and nothing that is a respondent's: no answer, no
//! suggestion, no enumerator. A unit shows it only once someone deciding for it turns it on.

use serde::Serialize;
use simpul_survey::{IkmReport, Weighting};

use crate::Result;
use crate::model::UnitCode;
use crate::report::{self, ReportFilter, UnitScope};
use crate::storage::Storage;

/// How the figures were made, in one sentence for the page.
pub const METHOD_ID: &str = "Survei Kepuasan Masyarakat menurut PermenPANRB Nomor 14 Tahun \
     2017: setiap unsur dinilai 1–4, nilai rata-rata tertimbang dikonversi ke skala 25–100.";
pub const METHOD_EN: &str = "Public satisfaction survey (SKM) following PermenPANRB 14/2017: \
     each unsur is rated 1–4 and the weighted mean is converted to a 25–100 scale.";

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PublicResults {
    pub unit: String,
    pub name: String,
    /// The period shown: the one asked for, else the unit's active one.
    pub period: Option<String>,
    /// The Krejcie–Morgan minimum for the unit's population, when known.
    pub target: Option<u64>,
    pub target_met: Option<bool>,
    /// n, IKM, mutu and every unsur's NRR: counts and means only.
    pub report: IkmReport,
    pub method: Method,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Method {
    pub id: &'static str,
    pub en: &'static str,
}

/// `unit`'s results for `period` (its active period when `None`), or `None` when the unit
/// does not exist or its page is not public — answered alike.
pub fn results(
    storage: &dyn Storage,
    unit: &UnitCode,
    period: Option<String>,
) -> Result<Option<PublicResults>> {
    if !storage.is_public(unit)? {
        return Ok(None);
    }
    let scope = UnitScope {
        units: Some([unit.clone()].into()),
        ..UnitScope::default()
    };
    let filter = ReportFilter {
        period,
        ..ReportFilter::default()
    };
    let across = report::cross_unit_report(storage, &scope, &filter, Weighting::Exact)?;
    let Some(line) = across.units.into_iter().next() else {
        return Ok(None);
    };
    // The unit's own report in the period the line counted, for the unsur.
    let filter = ReportFilter {
        period: line.period.clone(),
        ..ReportFilter::default()
    };
    let report = report::unit_report(storage, unit, &filter, Weighting::Exact)?;
    Ok(Some(PublicResults {
        unit: line.unit,
        name: line.name,
        period: line.period,
        target: line.target,
        target_met: line.target_met,
        report,
        method: Method {
            id: METHOD_ID,
            en: METHOD_EN,
        },
    }))
}
