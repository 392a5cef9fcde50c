//! What a unit's page shows beside its IKM, and its official report prints: the results per
//! service, the respondents' profile and the trend over the unit's periods. Figures stay
//! numbers here; the web formats them in the reader's language and [`crate::official`] as
//! the report prints them, so the page and the PDF can never count differently.

use serde::Serialize;
use simpul_survey::{Form, Grade, ItemKind, Weighting};

use crate::export::ExportRow;
use crate::model::{PeriodCode, UnitCode};
use crate::report::{self, ReportFilter};
use crate::storage::Storage;
use crate::{Error, Result};

/// At most this many periods in a trend, the latest.
pub const TREND_PERIODS: usize = 8;

/// The profile's characteristics, as the official table names them, and the items they are
/// read from.
const PROFILE: [(&str, &str, &str); 4] = [
    ("Jenis kelamin", "Gender", "jenis_kelamin"),
    ("Pendidikan", "Education", "pendidikan"),
    ("Pekerjaan", "Occupation", "pekerjaan"),
    ("Jenis layanan", "Service", "layanan"),
];

/// The value of a characteristic nobody answered, in both languages.
const NOT_ANSWERED: (&str, &str) = ("Tidak diisi", "Not answered");

/// Everything a unit's page shows besides the report itself.
#[derive(Clone, Debug, Serialize)]
pub struct UnitSummary {
    /// Every period the unit has responses or a plan in, in order: the page's period list.
    pub periods: Vec<String>,
    pub services: Vec<ServiceLine>,
    pub profile: Vec<Characteristic>,
    pub trend: Vec<TrendLine>,
}

/// One service's results: layanan | n | U1…U9 | IKM.
#[derive(Clone, Debug, Serialize)]
pub struct ServiceLine {
    /// The service as recorded. Responses that name none have no line: they count in the
    /// unit's n but in no service's.
    pub service: String,
    pub n: u64,
    /// Per unsur of the method, in its order: its id and NRR (1–4, unrounded).
    pub nrr: Vec<(String, Option<f64>)>,
    pub ikm: Option<f64>,
    pub grade: Option<Grade>,
}

/// One row group of the official profile table.
#[derive(Clone, Debug, Serialize)]
pub struct Characteristic {
    pub item: &'static str,
    pub name: &'static str,
    pub name_en: &'static str,
    pub rows: Vec<Indicator>,
}

/// One indicator of a characteristic and how many respondents gave it.
#[derive(Clone, Debug, Serialize)]
pub struct Indicator {
    pub name: String,
    pub name_en: String,
    pub count: u64,
}

/// One period of the trend.
#[derive(Clone, Debug, Serialize)]
pub struct TrendLine {
    pub period: String,
    pub n: u64,
    pub ikm: Option<f64>,
    pub grade: Option<Grade>,
}

/// The summary of `unit` for the responses `filter` selects; the trend ignores every filter
/// but the period, and ends at it.
pub fn unit_summary(
    storage: &dyn Storage,
    unit: &UnitCode,
    filter: &ReportFilter,
    weighting: Weighting,
) -> Result<UnitSummary> {
    let rows = counted_rows(storage, unit, filter)?;
    let forms = simpul_survey::builtin_forms();
    let form_of = |row: &ExportRow| forms.iter().find(|form| form.id == row.form);
    let until = filter
        .period
        .as_deref()
        .map(PeriodCode::parse)
        .transpose()?;
    Ok(UnitSummary {
        periods: storage.unit_periods(unit)?,
        services: services(storage, unit, filter, &rows, weighting)?,
        profile: profile(&rows, &form_of),
        trend: trend(storage, unit, until.as_ref(), weighting)?,
    })
}

/// The responses a report counts: final, and not rejected by a supervisor.
pub fn counted_rows(
    storage: &dyn Storage,
    unit: &UnitCode,
    filter: &ReportFilter,
) -> Result<Vec<ExportRow>> {
    Ok(storage
        .export_rows(unit, filter)?
        .into_iter()
        .filter(|row| row.status == "final" && row.review != "rejected")
        .collect())
}

/// One line per service among `rows`, each computed as the unit's report with that service
/// as its filter, by the most respondents first.
fn services(
    storage: &dyn Storage,
    unit: &UnitCode,
    filter: &ReportFilter,
    rows: &[ExportRow],
    weighting: Weighting,
) -> Result<Vec<ServiceLine>> {
    let mut names: Vec<String> = rows
        .iter()
        .filter_map(|row| row.answers.get("layanan").cloned().flatten())
        .collect();
    names.sort_unstable();
    names.dedup();
    let mut lines = Vec::with_capacity(names.len());
    for name in names {
        let by_service = ReportFilter {
            service: Some(name.clone()),
            ..filter.clone()
        };
        let report = report::unit_report(storage, unit, &by_service, weighting)?;
        lines.push(ServiceLine {
            service: name,
            n: report.n,
            nrr: report.unsur.iter().map(|u| (u.id.clone(), u.nrr)).collect(),
            ikm: report.ikm,
            grade: report.grade,
        });
    }
    lines.sort_by(|a, b| b.n.cmp(&a.n).then_with(|| a.service.cmp(&b.service)));
    Ok(lines)
}

/// The official profile table: every option of the form in its order (also those nobody
/// chose), then any other value by count, then how many left it empty.
pub fn profile<'f>(
    rows: &[ExportRow],
    form_of: &dyn Fn(&ExportRow) -> Option<&'f Form>,
) -> Vec<Characteristic> {
    PROFILE
        .iter()
        .map(|&(name, name_en, item_id)| {
            let mut counts: Vec<Indicator> = Vec::new();
            if let Some(ItemKind::Choice { options, .. }) = simpul_survey::skm_2017()
                .item(item_id)
                .map(|item| item.kind.clone())
            {
                counts.extend(options.iter().map(|o| Indicator {
                    name: o.label.id.clone(),
                    name_en: o.label.en.clone(),
                    count: 0,
                }));
            }
            let fixed = counts.len();
            let mut missing = 0;
            for row in rows {
                let Some(value) = row.answers.get(item_id).cloned().flatten() else {
                    missing += 1;
                    continue;
                };
                let label = form_of(row)
                    .and_then(|form| form.item(item_id))
                    .and_then(|item| match &item.kind {
                        ItemKind::Choice { options, .. } => options
                            .iter()
                            .find(|o| o.code == value)
                            .map(|o| o.label.clone()),
                        _ => None,
                    });
                let (id, en) = match label {
                    Some(label) => (label.id, label.en),
                    None => (value.trim().to_string(), value.trim().to_string()),
                };
                match counts.iter_mut().find(|indicator| indicator.name == id) {
                    Some(indicator) => indicator.count += 1,
                    None => counts.push(Indicator {
                        name: id,
                        name_en: en,
                        count: 1,
                    }),
                }
            }
            counts[fixed..].sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
            if missing > 0 {
                counts.push(Indicator {
                    name: NOT_ANSWERED.0.into(),
                    name_en: NOT_ANSWERED.1.into(),
                    count: missing,
                });
            }
            Characteristic {
                item: item_id,
                name,
                name_en,
                rows: counts,
            }
        })
        .collect()
}

/// The unit's IKM in each of its last [`TREND_PERIODS`] periods up to `until` (all when
/// `None`). Periods without responses are left out, except `until` itself; an earlier period
/// of another method cannot make one row and is left out too.
pub fn trend(
    storage: &dyn Storage,
    unit: &UnitCode,
    until: Option<&PeriodCode>,
    weighting: Weighting,
) -> Result<Vec<TrendLine>> {
    let periods: Vec<String> = storage
        .unit_periods(unit)?
        .into_iter()
        .filter(|p| until.is_none_or(|until| p.as_str() <= until.as_str()))
        .collect();
    let start = periods.len().saturating_sub(TREND_PERIODS);
    let mut lines = Vec::new();
    for period in &periods[start..] {
        let filter = ReportFilter {
            period: Some(period.clone()),
            ..ReportFilter::default()
        };
        let report = match report::unit_report(storage, unit, &filter, weighting) {
            Ok(report) => report,
            Err(Error::MixedMethods(_)) => continue,
            Err(other) => return Err(other),
        };
        if report.n == 0 && until.is_none_or(|until| period != until.as_str()) {
            continue;
        }
        lines.push(TrendLine {
            period: period.clone(),
            n: report.n,
            ikm: report.ikm,
            grade: report.grade,
        });
    }
    Ok(lines)
}
