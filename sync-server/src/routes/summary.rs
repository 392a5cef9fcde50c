//! `GET /api/v1/units/CODE/summary`: what a unit's page shows beside its report — the results
//! per service, the respondents' profile, the trend over its periods and the list of those
//! periods — with the report's filters. Access as the report's: no session `401`, a unit
//! outside the person's scope `404`.

use axum::Json;
use axum::extract::{Path, Query, State};

use crate::error::AppError;
use crate::routes::api::{Access, ReportQuery, SignedIn, on_unit, weighting};
use crate::state::AppState;
use crate::summary::{self, UnitSummary};

pub async fn unit_summary(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(code): Path<String>,
    Query(query): Query<ReportQuery>,
) -> Result<Json<UnitSummary>, AppError> {
    let weighting = weighting(query.weight.as_deref())?;
    let filter = query.filter()?;
    let summary = on_unit(
        &state,
        signed.person,
        code,
        Access::Read,
        move |storage, unit, _| summary::unit_summary(storage, unit, &filter, weighting),
    )
    .await?;
    Ok(Json(summary))
}
