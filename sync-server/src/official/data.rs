//! What the official report prints, gathered from the storage into one serialisable value:
//! the template reads it as `data.json`. Every figure is formatted here, as Indonesian
//! reports print it (a decimal comma, rounded with `round_to_hundredths` so a figure and
//! its grade agree); the template only lays out.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Local, NaiveDate, Weekday};
use serde::Serialize;
use simpul_survey::{Form, IkmReport, ItemKind, Weighting, round_to_hundredths};

use crate::Result;
use crate::export::ExportRow;
use crate::model::{PeriodCode, Unit};
use crate::official::narrative::{self, Facts};
use crate::plan::StoredPlan;
use crate::report::{self, ReportFilter, UnitScope};
use crate::storage::Storage;
use crate::summary;

/// The whole report.
#[derive(Clone, Debug, Serialize)]
pub struct Contents {
    pub unit: UnitInfo,
    pub period: String,
    pub method: String,
    pub n: u64,
    pub ikm: String,
    pub ikm_interval: String,
    pub grade: String,
    pub grade_label: String,
    /// The printed weight, e.g. `0,111`.
    pub weight: String,
    pub unsur: Vec<UnsurLine>,
    pub weakest: Option<UnsurLine>,
    pub strongest: Option<UnsurLine>,
    pub sample: Sample,
    pub waktu: Vec<WaktuLine>,
    pub profile: Vec<Characteristic>,
    /// Every narrative part, the unit's text or the generated default.
    pub narrative: BTreeMap<&'static str, String>,
    pub plan: PlanTable,
    pub previous: Option<PreviousPlan>,
    pub trend: Vec<TrendLine>,
    pub rekap: Rekap,
    /// The respondents' suggestions, as they wrote them.
    pub saran: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct UnitInfo {
    pub code: String,
    pub name: String,
    pub instansi: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct UnsurLine {
    pub no: usize,
    pub id: String,
    pub name: String,
    pub nrr: String,
    pub weighted: String,
    pub converted: String,
    pub grade: String,
    /// The converted value as a number, for the chart; 0 without data.
    pub value: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct Sample {
    pub population: Option<String>,
    pub minimum: Option<String>,
    pub collected: String,
    /// "Sesuai" or "Belum sesuai"; none without a population.
    pub status: Option<&'static str>,
}

#[derive(Clone, Debug, Serialize)]
pub struct WaktuLine {
    pub kegiatan: String,
    pub waktu: String,
    pub hari: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Characteristic {
    pub name: String,
    pub rows: Vec<Indicator>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Indicator {
    pub name: String,
    pub count: u64,
    pub percent: String,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct PlanTable {
    pub fkp_date: Option<String>,
    pub items: Vec<PlanRow>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PlanRow {
    pub unsur: String,
    pub program: String,
    pub waktu: String,
    pub responsible: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct PreviousPlan {
    pub period: String,
    pub items: Vec<FollowUpRow>,
}

#[derive(Clone, Debug, Serialize)]
pub struct FollowUpRow {
    pub rtl: String,
    pub done: &'static str,
    pub description: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct TrendLine {
    pub period: String,
    pub n: u64,
    pub ikm: String,
    pub grade: String,
}

/// The appendix: one row per counted respondent, then the sums.
#[derive(Clone, Debug, Serialize)]
pub struct Rekap {
    pub ids: Vec<String>,
    /// Per respondent: its number, its label, its scores and their sum.
    pub rows: Vec<Vec<String>>,
    pub total: Vec<String>,
    pub nrr: Vec<String>,
    pub bobot: Vec<String>,
    pub weighted: Vec<String>,
}

/// `value` with `decimals` decimals and a decimal comma; "–" for none.
pub fn number(value: Option<f64>, decimals: usize) -> String {
    match value {
        None => "–".into(),
        Some(value) => {
            let value = if decimals == 2 {
                round_to_hundredths(value)
            } else {
                value
            };
            format!("{value:.decimals$}").replace('.', ",")
        }
    }
}

/// A whole number with dots between thousands: `1.000.000`.
pub fn whole(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(digit);
    }
    out
}

/// A day in full, as a letter is dated: `30 November 2026`.
pub fn long_day(day: NaiveDate) -> String {
    const MONTHS: [&str; 12] = [
        "Januari",
        "Februari",
        "Maret",
        "April",
        "Mei",
        "Juni",
        "Juli",
        "Agustus",
        "September",
        "Oktober",
        "November",
        "Desember",
    ];
    format!(
        "{} {} {}",
        day.day(),
        MONTHS[day.month0() as usize],
        day.year()
    )
}

/// Everything the report of `unit` for `period` prints.
pub fn gather(
    storage: &dyn Storage,
    unit: &Unit,
    period: &PeriodCode,
    weighting: Weighting,
    today: NaiveDate,
) -> Result<Contents> {
    let code = &unit.code;
    let filter = ReportFilter {
        period: Some(period.to_string()),
        ..ReportFilter::default()
    };
    let report = report::unit_report(storage, code, &filter, weighting)?;
    let rows = summary::counted_rows(storage, code, &filter)?;
    let population = storage
        .unit_tallies(
            &UnitScope {
                instansi: unit.instansi.clone(),
                units: Some([code.clone()].into()),
            },
            &filter,
        )?
        .into_iter()
        .find(|row| &row.unit.code == code)
        .and_then(|row| row.population);
    let forms = simpul_survey::builtin_forms();
    let form_of = |row: &ExportRow| forms.iter().find(|form| form.id == row.form);

    let unsur = unsur_lines(&report);
    let line_of = |id: &Option<String>| {
        id.as_ref()
            .and_then(|id| unsur.iter().find(|u| &u.id == id).cloned())
    };
    let (weakest, strongest) = (line_of(&report.weakest), line_of(&report.strongest));

    let minimum = population.map(simpul_survey::krejcie_morgan);
    let sample = Sample {
        population: population.map(whole),
        minimum: minimum.map(whole),
        collected: whole(report.n),
        status: minimum.map(|min| {
            if report.n >= min {
                "Sesuai"
            } else {
                "Belum sesuai"
            }
        }),
    };

    let stored = storage.plan(code, period)?;
    let previous = storage.previous_plan(code, period)?;
    let unsur_name = |id: &str| {
        report
            .method
            .unsur()
            .iter()
            .find(|u| u.id == id)
            .map_or_else(|| id.to_string(), |u| format!("{} {}", u.id, u.name))
    };
    let plan = stored
        .as_ref()
        .map_or_else(PlanTable::default, |stored| plan_table(stored, &unsur_name));
    let previous = previous.map(|stored| previous_plan(&stored, &unsur_name));

    let mut channels: Vec<&str> = rows.iter().map(|row| row.channel.as_str()).collect();
    channels.sort_unstable();
    channels.dedup();
    let days = collection_days(&rows);
    let weakest_name = weakest.as_ref().map(|u| u.name.clone());
    let strongest_name = strongest.as_ref().map(|u| u.name.clone());
    let facts = Facts {
        unit,
        period: period.as_str(),
        report: &report,
        weakest: weakest_name.as_deref(),
        strongest: strongest_name.as_deref(),
        channels: &channels,
        today,
    };
    let stored_narrative = storage.narrative(code, period)?;
    let narrative = narrative::resolve(&facts, &stored_narrative)
        .into_iter()
        .map(|(field, part)| (field.key(), part.value.unwrap_or(part.default)))
        .collect();

    Ok(Contents {
        unit: UnitInfo {
            code: code.to_string(),
            name: unit.name.to_string(),
            instansi: unit.instansi.as_ref().map(ToString::to_string),
        },
        period: period.to_string(),
        method: report.method.title().id,
        n: report.n,
        ikm: number(report.ikm, 2),
        ikm_interval: number(report.ikm_interval, 3),
        grade: report.grade.map_or("–", |g| g.letter()).to_string(),
        grade_label: report.grade_label.clone().unwrap_or_else(|| "–".into()),
        weight: number(Some(report.weight), 3),
        weakest,
        strongest,
        sample,
        waktu: waktu(days, today),
        profile: summary::profile(storage, code, &filter)?
            .into_iter()
            .map(|c| characteristic(c, rows.len()))
            .collect(),
        narrative,
        plan,
        previous,
        trend: summary::trend(storage, code, Some(period), weighting)?
            .into_iter()
            .map(|line| TrendLine {
                period: line.period,
                n: line.n,
                ikm: number(line.ikm, 2),
                grade: line.grade.map_or("–", |g| g.letter()).to_string(),
            })
            .collect(),
        rekap: rekap(&report, &rows, &form_of),
        saran: rows
            .iter()
            .filter_map(|row| row.answers.get("saran").cloned().flatten())
            .map(|saran| saran.trim().to_string())
            .filter(|saran| !saran.is_empty())
            .collect(),
        unsur,
    })
}

fn unsur_lines(report: &IkmReport) -> Vec<UnsurLine> {
    report
        .unsur
        .iter()
        .enumerate()
        .map(|(i, u)| UnsurLine {
            no: i + 1,
            id: u.id.clone(),
            name: u.name.clone(),
            nrr: number(u.nrr, 2),
            weighted: number(u.weighted, 3),
            converted: number(u.converted, 2),
            grade: u.grade.map_or("–", |g| g.letter()).to_string(),
            value: u.converted.map_or(0.0, round_to_hundredths),
        })
        .collect()
}

fn quarters(quarters: &[crate::plan::Quarter]) -> String {
    quarters
        .iter()
        .map(|q| format!("TW {q}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn plan_table(stored: &StoredPlan, unsur_name: &dyn Fn(&str) -> String) -> PlanTable {
    PlanTable {
        fkp_date: stored.plan.fkp_date.map(long_day),
        items: stored
            .plan
            .items
            .iter()
            .map(|item| PlanRow {
                unsur: unsur_name(&item.unsur),
                program: item.program.clone(),
                waktu: quarters(&item.quarters),
                responsible: item.responsible.clone(),
            })
            .collect(),
    }
}

fn previous_plan(stored: &StoredPlan, unsur_name: &dyn Fn(&str) -> String) -> PreviousPlan {
    PreviousPlan {
        period: stored.period.clone(),
        items: stored
            .plan
            .items
            .iter()
            .zip(&stored.follow_ups)
            .map(|(item, follow_up)| FollowUpRow {
                rtl: format!("{} ({})", item.program, unsur_name(&item.unsur)),
                done: match follow_up {
                    Some((f, _)) if f.done => "Sudah",
                    Some(_) => "Belum",
                    None => "Belum dicatat",
                },
                description: follow_up
                    .as_ref()
                    .map(|(f, _)| f.description.clone())
                    .unwrap_or_default(),
            })
            .collect(),
    }
}

/// The first and last day responses were captured, on this machine's calendar.
fn collection_days(rows: &[ExportRow]) -> Option<(NaiveDate, NaiveDate)> {
    let day = |millis: i64| {
        DateTime::from_timestamp_millis(millis).map(|at| at.with_timezone(&Local).date_naive())
    };
    let first = rows.iter().map(|row| row.created_at).min().and_then(day)?;
    let last = rows.iter().map(|row| row.created_at).max().and_then(day)?;
    Some((first, last))
}

/// Monday to Friday from `first` to `last`, both included.
fn working_days(first: NaiveDate, last: NaiveDate) -> u64 {
    first
        .iter_days()
        .take_while(|day| *day <= last)
        .filter(|day| !matches!(day.weekday(), Weekday::Sat | Weekday::Sun))
        .count() as u64
}

fn waktu(days: Option<(NaiveDate, NaiveDate)>, today: NaiveDate) -> Vec<WaktuLine> {
    let collection = match days {
        Some((first, last)) if first == last => WaktuLine {
            kegiatan: "Pengumpulan data".into(),
            waktu: long_day(first),
            hari: working_days(first, last).to_string(),
        },
        Some((first, last)) => WaktuLine {
            kegiatan: "Pengumpulan data".into(),
            waktu: format!("{} s.d. {}", long_day(first), long_day(last)),
            hari: working_days(first, last).to_string(),
        },
        None => WaktuLine {
            kegiatan: "Pengumpulan data".into(),
            waktu: "–".into(),
            hari: "–".into(),
        },
    };
    vec![
        collection,
        WaktuLine {
            kegiatan: "Pengolahan data dan penyusunan laporan".into(),
            waktu: long_day(today),
            hari: "1".into(),
        },
    ]
}

/// A characteristic of the profile as the table prints it, with each share of the `n`
/// respondents counted.
fn characteristic(c: summary::Characteristic, n: usize) -> Characteristic {
    let n = n as u64;
    Characteristic {
        name: c.name.to_string(),
        rows: c
            .rows
            .into_iter()
            .map(|row| Indicator {
                name: row.name,
                count: row.count,
                percent: number((n > 0).then(|| row.count as f64 * 100.0 / n as f64), 2) + " %",
            })
            .collect(),
    }
}

fn rekap<'f>(
    report: &IkmReport,
    rows: &[ExportRow],
    form_of: &dyn Fn(&ExportRow) -> Option<&'f Form>,
) -> Rekap {
    let ids: Vec<String> = report.unsur.iter().map(|u| u.id.clone()).collect();
    let table = rows
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let mut scores: Vec<Option<u64>> = vec![None; ids.len()];
            for item in form_of(row).iter().flat_map(|form| &form.items) {
                let ItemKind::Scored { unsur, .. } = &item.kind else {
                    continue;
                };
                if let Some(slot) = ids.iter().position(|id| id == unsur) {
                    scores[slot] = row
                        .answers
                        .get(&item.id)
                        .cloned()
                        .flatten()
                        .and_then(|value| value.parse().ok());
                }
            }
            let label = row.serial.clone().unwrap_or_else(|| {
                let id = row.id.simple().to_string();
                id[id.len() - 8..].to_string()
            });
            let mut line = vec![(i + 1).to_string(), label];
            line.extend(
                scores
                    .iter()
                    .map(|s| s.map_or_else(|| "–".to_string(), |s| s.to_string())),
            );
            line.push(scores.iter().flatten().sum::<u64>().to_string());
            line
        })
        .collect();
    Rekap {
        total: report.unsur.iter().map(|u| u.total.to_string()).collect(),
        nrr: report.unsur.iter().map(|u| number(u.nrr, 2)).collect(),
        bobot: report
            .unsur
            .iter()
            .map(|u| number(u.nrr.map(|_| report.weight), 3))
            .collect(),
        weighted: report.unsur.iter().map(|u| number(u.weighted, 3)).collect(),
        ids,
        rows: table,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_print_with_a_decimal_comma_and_thousands_with_dots() {
        assert_eq!(number(Some(91.4827), 2), "91,48");
        assert_eq!(number(Some(1.0 / 9.0), 3), "0,111");
        assert_eq!(number(None, 2), "–");
        assert_eq!(whole(1_000_000), "1.000.000");
        assert_eq!(whole(384), "384");
    }

    #[test]
    fn working_days_leave_out_weekends() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        // Monday 23 to Sunday 29 November 2026.
        assert_eq!(working_days(day(23), day(29)), 5);
        assert_eq!(working_days(day(28), day(28)), 0);
        assert_eq!(long_day(day(30)), "30 November 2026");
    }
}
