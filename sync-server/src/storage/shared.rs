//! What both backends build rows and queries from, so that their SQL differs only where the
//! dialects do.

use simpul_document::read::SCORE_SLOTS;
use simpul_survey::Method;

use crate::Result;
use crate::model::{Name, Unit, UnitCode};
use crate::report::Tallies;

/// The `device` of the changes the server authors itself (supervisors' decisions, web
/// answers): they count as no device of a unit.
pub(super) const SERVER_DEVICE: &str = "server";

/// A unit as stored, its names parsed again.
pub(super) fn unit_record(code: UnitCode, name: &str, instansi: Option<&str>) -> Result<Unit> {
    Ok(Unit {
        code,
        name: Name::parse("unit name", name)?,
        instansi: instansi.map(|i| Name::parse("instansi", i)).transpose()?,
    })
}

/// `COUNT(r.id)`, then per score slot (the first `slots`) its sum and how many answered it.
pub(super) fn slot_aggregates(slots: usize) -> String {
    let slots: String = (1..=slots)
        .map(|i| format!(", SUM(r.s{i}), COUNT(r.s{i})"))
        .collect();
    format!("COUNT(r.id){slots}")
}

/// Adds one method's group to `tallies`.
pub(super) fn add_group(
    tallies: &mut Tallies,
    method: Option<String>,
    n: u64,
    slots: [(u64, u64); SCORE_SLOTS],
) {
    let Some(method) = method else {
        return;
    };
    tallies.add(&Tallies {
        methods: vec![method],
        n,
        slots,
    });
}

/// Where a report across units sums its figures from.
#[derive(Clone, Copy)]
pub(super) enum Source {
    /// The running totals, every score slot.
    Totals,
    /// The responses, summing this many score slots.
    Responses(usize),
}

/// The most unsur the units' configured forms have (nine when none is configured): what a
/// report across units over the responses sums.
pub(super) fn configured_slots<'a>(forms: impl IntoIterator<Item = &'a str>) -> usize {
    forms
        .into_iter()
        .map(|form| simpul_survey::builtin(form).map_or(SCORE_SLOTS, |f| f.method.unsur().len()))
        .max()
        .unwrap_or(Method::Permenpanrb14_2017.unsur().len())
        .min(SCORE_SLOTS)
}
