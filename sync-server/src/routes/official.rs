//! `/api/v1/units/CODE/…` for the official report: the PDF, the follow-up plan (RTL) and the
//! report's narrative of one period. The access rules are the other unit routes': no session
//! `401`, a unit outside the person's scope `404`; a viewer reads, a supervisor of the unit or
//! an admin writes (a viewer's write is `403`), and every write is stored under the writer's
//! name.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use simpul_survey::{Method, Weighting};

use crate::error::AppError;
use crate::export::DEFAULT_FORM;
use crate::model::{PeriodCode, UnitCode};
use crate::official;
use crate::official::narrative::{self, Facts, Part};
use crate::plan::{self, Changed, FollowUp, PlanInput, PlanItem, StoredPlan};
use crate::report::{self, ReportFilter};
use crate::routes::ApiJson;
use crate::routes::api::{Access, SignedIn, on_unit, weighting};
use crate::state::AppState;
use crate::storage::Storage;

#[derive(Debug, Deserialize)]
pub struct PeriodQuery {
    pub period: Option<String>,
    pub weight: Option<String>,
}

/// The period a plan or narrative is of: required, and a valid code.
fn named_period(raw: Option<&str>) -> Result<PeriodCode, AppError> {
    let raw = raw
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .ok_or_else(|| {
            AppError::BadRequest("period: name the survey period, e.g. ?period=2025-S1".into())
        })?;
    Ok(PeriodCode::parse(raw).map_err(crate::Error::from)?)
}

/// `GET /api/v1/units/CODE/report.pdf?period=P`: the official report, ready to sign.
pub async fn unit_pdf(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(code): Path<String>,
    Query(query): Query<PeriodQuery>,
) -> Result<Response, AppError> {
    let weighting = weighting(query.weight.as_deref())?;
    let (unit, period, bytes) = on_unit(
        &state,
        signed.person,
        code,
        Access::Read,
        move |storage, unit, _| {
            let period = official::report_period(storage, unit, query.period.as_deref())?;
            let bytes = official::unit_pdf(storage, unit, &period, weighting, official::today())?;
            Ok((unit.clone(), period, bytes))
        },
    )
    .await?;
    // Codes are letters, digits, '-', '_' and '.': safe inside the quotes as they are.
    let disposition = format!("attachment; filename=\"Laporan-SKM-{unit}-{period}.pdf\"");
    Ok((
        [
            (CONTENT_TYPE, "application/pdf".to_string()),
            (CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

/// One unsur a plan item may name.
#[derive(Debug, Serialize)]
pub struct UnsurChoice {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Serialize)]
pub struct PlanItemView {
    pub no: usize,
    #[serde(flatten)]
    pub item: PlanItem,
}

#[derive(Debug, Serialize)]
pub struct PreviousItemView {
    pub no: usize,
    #[serde(flatten)]
    pub item: PlanItem,
    pub done: Option<bool>,
    pub description: Option<String>,
    pub changed: Option<Changed>,
}

#[derive(Debug, Serialize)]
pub struct PreviousView {
    pub period: String,
    pub items: Vec<PreviousItemView>,
}

/// What `GET …/plan` answers.
#[derive(Debug, Serialize)]
pub struct PlanView {
    pub unit: String,
    pub period: String,
    pub fkp_date: Option<String>,
    pub items: Vec<PlanItemView>,
    /// Who last changed the plan, and when; none before the first change.
    pub changed: Option<Changed>,
    /// The previous period's plan and what became of each item.
    pub previous: Option<PreviousView>,
    /// The unsur an item may name, with the weakest first.
    pub unsur: Vec<UnsurChoice>,
    pub weakest: Option<String>,
}

/// The method of the unit's form: the unsur its plan items may name.
fn unit_method(storage: &dyn Storage, unit: &UnitCode) -> crate::Result<Method> {
    let form = storage
        .unit_form(unit)?
        .unwrap_or_else(|| DEFAULT_FORM.to_string());
    Ok(simpul_survey::builtin_form(&form).map_or(Method::Permenpanrb14_2017, |form| form.method))
}

fn plan_view(
    storage: &dyn Storage,
    unit: &UnitCode,
    period: &PeriodCode,
) -> crate::Result<PlanView> {
    let stored = storage.plan(unit, period)?;
    let previous = storage.previous_plan(unit, period)?;
    let method = unit_method(storage, unit)?;
    let filter = ReportFilter {
        period: Some(period.to_string()),
        ..ReportFilter::default()
    };
    let weakest = match report::unit_report(storage, unit, &filter, Weighting::Exact) {
        Ok(report) => report.weakest,
        Err(_) => None,
    };
    let items = |stored: &StoredPlan| -> Vec<PlanItemView> {
        stored
            .plan
            .items
            .iter()
            .enumerate()
            .map(|(i, item)| PlanItemView {
                no: i + 1,
                item: item.clone(),
            })
            .collect()
    };
    Ok(PlanView {
        unit: unit.to_string(),
        period: period.to_string(),
        fkp_date: stored
            .as_ref()
            .and_then(|s| s.plan.fkp_date.map(|d| d.to_string())),
        items: stored.as_ref().map(items).unwrap_or_default(),
        changed: stored.as_ref().map(|s| s.changed.clone()),
        previous: previous.map(|previous| PreviousView {
            period: previous.period.clone(),
            items: previous
                .plan
                .items
                .iter()
                .zip(&previous.follow_ups)
                .enumerate()
                .map(|(i, (item, follow_up))| PreviousItemView {
                    no: i + 1,
                    item: item.clone(),
                    done: follow_up.as_ref().map(|(f, _)| f.done),
                    description: follow_up.as_ref().map(|(f, _)| f.description.clone()),
                    changed: follow_up.as_ref().map(|(_, c)| c.clone()),
                })
                .collect(),
        }),
        unsur: method
            .unsur()
            .iter()
            .map(|u| UnsurChoice {
                id: u.id.to_string(),
                name: u.name.to_string(),
            })
            .collect(),
        weakest,
    })
}

/// `GET /api/v1/units/CODE/plan?period=P`: the period's RTL and the previous one's follow-up.
pub async fn get_plan(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(code): Path<String>,
    Query(query): Query<PeriodQuery>,
) -> Result<Json<PlanView>, AppError> {
    let period = named_period(query.period.as_deref())?;
    let view = on_unit(
        &state,
        signed.person,
        code,
        Access::Read,
        move |storage, unit, _| plan_view(storage, unit, &period),
    )
    .await?;
    Ok(Json(view))
}

/// `PUT /api/v1/units/CODE/plan?period=P`: replaces the period's RTL and records the
/// follow-ups of the previous period's items. Invalid input changes nothing.
pub async fn put_plan(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(code): Path<String>,
    Query(query): Query<PeriodQuery>,
    ApiJson(input): ApiJson<PlanInput>,
) -> Result<Json<PlanView>, AppError> {
    let period = named_period(query.period.as_deref())?;
    let view = on_unit(
        &state,
        signed.person,
        code,
        Access::Decide,
        move |storage, unit, person| {
            let (plan, follow_ups): (plan::Plan, Vec<FollowUp>) =
                input.parse(unit_method(storage, unit)?)?;
            storage.put_plan(unit, &period, &plan, &follow_ups, &person.name, Utc::now())?;
            plan_view(storage, unit, &period)
        },
    )
    .await?;
    Ok(Json(view))
}

#[derive(Debug, Serialize)]
pub struct NarrativePart {
    pub field: &'static str,
    #[serde(flatten)]
    pub part: Part,
}

/// What `GET …/narrative` answers: every part, with the unit's text (or none) and the
/// generated default.
#[derive(Debug, Serialize)]
pub struct NarrativeView {
    pub unit: String,
    pub period: String,
    pub parts: Vec<NarrativePart>,
}

fn narrative_view(
    storage: &dyn Storage,
    unit: &UnitCode,
    period: &PeriodCode,
) -> crate::Result<NarrativeView> {
    let about = storage
        .unit(unit)?
        .ok_or_else(|| crate::Error::UnknownUnit(unit.to_string()))?;
    let filter = ReportFilter {
        period: Some(period.to_string()),
        ..ReportFilter::default()
    };
    let report = report::unit_report(storage, unit, &filter, Weighting::Exact)?;
    let name = |id: &Option<String>| {
        id.as_ref()
            .and_then(|id| report.unsur.iter().find(|u| &u.id == id))
            .map(|u| u.name.clone())
    };
    let (weakest, strongest) = (name(&report.weakest), name(&report.strongest));
    let mut channels: Vec<String> = storage
        .export_rows(unit, &filter)?
        .into_iter()
        .filter(|row| row.status == "final" && row.review != "rejected")
        .map(|row| row.channel)
        .collect();
    channels.sort_unstable();
    channels.dedup();
    let channels: Vec<&str> = channels.iter().map(String::as_str).collect();
    let facts = Facts {
        unit: &about,
        period: period.as_str(),
        report: &report,
        weakest: weakest.as_deref(),
        strongest: strongest.as_deref(),
        channels: &channels,
        today: official::today(),
    };
    let stored = storage.narrative(unit, period)?;
    Ok(NarrativeView {
        unit: unit.to_string(),
        period: period.to_string(),
        parts: narrative::resolve(&facts, &stored)
            .into_iter()
            .map(|(field, part)| NarrativePart {
                field: field.key(),
                part,
            })
            .collect(),
    })
}

/// `GET /api/v1/units/CODE/narrative?period=P`.
pub async fn get_narrative(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(code): Path<String>,
    Query(query): Query<PeriodQuery>,
) -> Result<Json<NarrativeView>, AppError> {
    let period = named_period(query.period.as_deref())?;
    let view = on_unit(
        &state,
        signed.person,
        code,
        Access::Read,
        move |storage, unit, _| narrative_view(storage, unit, &period),
    )
    .await?;
    Ok(Json(view))
}

/// `PUT /api/v1/units/CODE/narrative?period=P`: `{"kesimpulan": "…", "saran": null}` sets
/// each named part, `null` or an empty text restoring its default; parts not named stay.
pub async fn put_narrative(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(code): Path<String>,
    Query(query): Query<PeriodQuery>,
    ApiJson(input): ApiJson<serde_json::Map<String, serde_json::Value>>,
) -> Result<Json<NarrativeView>, AppError> {
    let period = named_period(query.period.as_deref())?;
    let view = on_unit(
        &state,
        signed.person,
        code,
        Access::Decide,
        move |storage, unit, person| {
            let changes = plan::parse_narrative(&input)?;
            storage.put_narrative(unit, &period, &changes, &person.name, Utc::now())?;
            narrative_view(storage, unit, &period)
        },
    )
    .await?;
    Ok(Json(view))
}
