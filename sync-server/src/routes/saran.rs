//! `/api/v1/units/CODE/saran`: the respondents' suggestions of a unit, searchable, and what the
//! unit did about each. Anyone who sees the unit reads them; a supervisor of the unit or an
//! admin marks them (a viewer's mark is `403`), under their name.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::Utc;
use serde::Deserialize;
use uuid::Uuid;

use crate::error::AppError;
use crate::routes::ApiJson;
use crate::routes::api::{Access, ReportQuery, SignedIn, on_unit};
use crate::saran::{self, Mark, Suggestion};
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct SaranQuery {
    /// Only suggestions whose text, service or serial holds this, ignoring case.
    pub q: Option<String>,
    #[serde(flatten)]
    pub report: ReportQuery,
}

/// `GET /api/v1/units/CODE/saran?period=P&q=TEXT` (and the report's other filters).
pub async fn list(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(code): Path<String>,
    Query(query): Query<SaranQuery>,
) -> Result<Json<Vec<Suggestion>>, AppError> {
    let search = query.q;
    let filter = query.report.filter()?;
    let list = on_unit(
        &state,
        signed.person,
        code,
        Access::Read,
        move |storage, unit, _| saran::suggestions(storage, unit, &filter, search.as_deref()),
    )
    .await?;
    Ok(Json(list))
}

/// `POST /api/v1/units/CODE/saran/RESPONSE` `{"followed_up": true, "rtl_item": 2}`.
pub async fn mark(
    State(state): State<AppState>,
    signed: SignedIn,
    Path((code, response)): Path<(String, String)>,
    ApiJson(mark): ApiJson<Mark>,
) -> Result<StatusCode, AppError> {
    let response = Uuid::parse_str(&response).map_err(|_| AppError::NotFound)?;
    on_unit(
        &state,
        signed.person,
        code,
        Access::Decide,
        move |storage, unit, person| {
            saran::mark(storage, unit, response, mark, &person.name, Utc::now())
        },
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
