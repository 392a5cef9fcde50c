//! What a unit's page shows beside its IKM, and its official report prints: the results per
//! service, the respondents' profile and the trend over the unit's periods. Figures stay
//! numbers here; the web formats them in the reader's language and [`crate::official`] as
//! the report prints them, so the page and the PDF can never count differently.

use serde::Serialize;
use simpul_survey::{Grade, ItemKind, Weighting};

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
    let until = filter
        .period
        .as_deref()
        .map(PeriodCode::parse)
        .transpose()?;
    Ok(UnitSummary {
        periods: storage.unit_periods(unit)?,
        services: services(storage, unit, filter, weighting)?,
        profile: profile(storage, unit, filter)?,
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

/// One line per service the selected responses name, by the most respondents first: each
/// the IKM of that service's tallies, computed as the unit's report is.
fn services(
    storage: &dyn Storage,
    unit: &UnitCode,
    filter: &ReportFilter,
    weighting: Weighting,
) -> Result<Vec<ServiceLine>> {
    let mut lines = Vec::new();
    for (service, tallies) in storage.service_tallies(unit, filter)? {
        let report = report::ikm(&tallies, weighting)?;
        lines.push(ServiceLine {
            service,
            n: report.n,
            nrr: report.unsur.iter().map(|u| (u.id.clone(), u.nrr)).collect(),
            ikm: report.ikm,
            grade: report.grade,
        });
    }
    lines.sort_by(|a, b| b.n.cmp(&a.n).then_with(|| a.service.cmp(&b.service)));
    Ok(lines)
}

/// How many counted responses of one form gave one value of an item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnswerCount {
    pub form: String,
    /// `None`: left empty.
    pub value: Option<String>,
    pub count: u64,
}

/// The official profile table of the responses `filter` selects: every option of the form
/// in its order (also those nobody chose), then any other value by count, then how many
/// left it empty. Counted by the storage, so a unit of 100 000 responses is never read row
/// by row.
pub fn profile(
    storage: &dyn Storage,
    unit: &UnitCode,
    filter: &ReportFilter,
) -> Result<Vec<Characteristic>> {
    let forms = simpul_survey::builtin_forms();
    let skm = simpul_survey::skm_2017();
    let option_label = |form: &str, item: &str, value: &str| {
        let form = forms.iter().find(|f| f.id == form)?;
        match &form.item(item)?.kind {
            ItemKind::Choice { options, .. } => options
                .iter()
                .find(|o| o.code == value)
                .map(|o| o.label.clone()),
            _ => None,
        }
    };
    PROFILE
        .iter()
        .map(|&(name, name_en, item_id)| {
            let mut rows: Vec<Indicator> = Vec::new();
            if let Some(ItemKind::Choice { options, .. }) = skm.item(item_id).map(|i| &i.kind) {
                rows.extend(options.iter().map(|o| Indicator {
                    name: o.label.id.clone(),
                    name_en: o.label.en.clone(),
                    count: 0,
                }));
            }
            let fixed = rows.len();
            let mut missing = 0;
            for answer in storage.answer_counts(unit, filter, item_id)? {
                let Some(value) = answer.value else {
                    missing += answer.count;
                    continue;
                };
                let (id, en) = match option_label(&answer.form, item_id, &value) {
                    Some(label) => (label.id, label.en),
                    None => (value.trim().to_string(), value.trim().to_string()),
                };
                match rows.iter_mut().find(|row| row.name == id) {
                    Some(row) => row.count += answer.count,
                    None => rows.push(Indicator {
                        name: id,
                        name_en: en,
                        count: answer.count,
                    }),
                }
            }
            rows[fixed..].sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
            if missing > 0 {
                rows.push(Indicator {
                    name: NOT_ANSWERED.0.into(),
                    name_en: NOT_ANSWERED.1.into(),
                    count: missing,
                });
            }
            Ok(Characteristic {
                item: item_id,
                name,
                name_en,
                rows,
            })
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
