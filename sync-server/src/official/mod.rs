//! The official SKM report of one unit and period as a PDF, laid out as PermenPANRB 14/2017
//! reports are: a cover, BAB I Pendahuluan, BAB II Pengumpulan data, BAB III Hasil, BAB IV
//! Analisis (with the follow-up plan and the previous plan's follow-up), BAB V Penutup with
//! the unit head's signature block, and the rekapitulasi as an appendix.
//!
//! [`data::gather`] reads everything from the storage into one value; [`world::render`]
//! typesets `report.typ` over it with Typst, as a library. The value goes to the template as
//! JSON, never as markup: text a person typed is printed, never run.

pub mod data;
pub mod narrative;
pub mod world;

use chrono::{Local, NaiveDate};
use simpul_survey::Weighting;

use crate::model::{PeriodCode, UnitCode};
use crate::report::{ReportFilter, UnitScope};
use crate::storage::Storage;
use crate::{Error, Result};

/// The report's layout; it reads `data.json`.
pub const TEMPLATE: &str = include_str!("report.typ");

/// The PDF of `unit`'s report for `period`, dated `today`.
pub fn unit_pdf(
    storage: &dyn Storage,
    unit: &UnitCode,
    period: &PeriodCode,
    weighting: Weighting,
    today: NaiveDate,
) -> Result<Vec<u8>> {
    let about = storage
        .unit(unit)?
        .ok_or_else(|| Error::UnknownUnit(unit.to_string()))?;
    let contents = data::gather(storage, &about, period, weighting, today)?;
    render(&contents)
}

/// Typesets gathered contents.
pub fn render(contents: &data::Contents) -> Result<Vec<u8>> {
    let json = serde_json::to_vec(contents).map_err(|error| Error::Typeset(error.to_string()))?;
    world::render(TEMPLATE, json)
}

/// Today on this machine's calendar, the date a report is signed by default.
pub fn today() -> NaiveDate {
    Local::now().date_naive()
}

/// The period a report is of: the one named, else the unit's active period. Fails with
/// [`Error::NoPeriod`] when there is neither.
pub fn report_period(
    storage: &dyn Storage,
    unit: &UnitCode,
    named: Option<&str>,
) -> Result<PeriodCode> {
    if let Some(named) = named.map(str::trim).filter(|p| !p.is_empty()) {
        return Ok(PeriodCode::parse(named)?);
    }
    let about = storage
        .unit(unit)?
        .ok_or_else(|| Error::UnknownUnit(unit.to_string()))?;
    let active = storage
        .unit_tallies(
            &UnitScope {
                instansi: about.instansi,
                units: Some([unit.clone()].into()),
            },
            &ReportFilter::default(),
        )?
        .into_iter()
        .find(|row| &row.unit.code == unit)
        .and_then(|row| row.period);
    match active {
        Some(active) => Ok(PeriodCode::parse(&active)?),
        None => Err(Error::NoPeriod(unit.to_string())),
    }
}
