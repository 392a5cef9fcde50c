//! Survey links on the web API, for signed-in people: a unit's links, a new one, closing one.
//! Anyone who sees a unit sees its links; only those who decide for it create and close them.
//! The web shows each link's address as the browser reached the server, so the API gives
//! tokens, not addresses.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::Utc;
use serde::Deserialize;

use crate::error::AppError;
use crate::links::{self, Link, LinkToken, NewLink};
use crate::model::PeriodCode;
use crate::routes::ApiJson;
use crate::routes::api::{Access, SignedIn, on_unit, visible_unit};
use crate::state::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewLinkRequest {
    #[serde(default)]
    pub service: Option<String>,
    #[serde(default)]
    pub period: Option<String>,
}

/// `GET /api/v1/units/CODE/links`: newest first.
pub async fn list(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(code): Path<String>,
) -> Result<Json<Vec<Link>>, AppError> {
    let links = on_unit(
        &state,
        signed.person,
        code,
        Access::Read,
        |storage, unit, _| storage.links(unit),
    )
    .await?;
    Ok(Json(links))
}

/// `POST /api/v1/units/CODE/links`: `201` with the new link.
pub async fn create(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(code): Path<String>,
    ApiJson(request): ApiJson<NewLinkRequest>,
) -> Result<(StatusCode, Json<Link>), AppError> {
    let link = on_unit(
        &state,
        signed.person,
        code,
        Access::Decide,
        move |storage, unit, person| {
            let period = request
                .period
                .as_deref()
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(PeriodCode::parse)
                .transpose()?;
            let new = NewLink {
                unit: unit.clone(),
                service: links::parse_service(request.service.as_deref())?,
                period,
                created_by: person.name.clone(),
            };
            storage.add_link(&LinkToken::generate()?, &new, Utc::now())
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(link)))
}

/// `POST /api/v1/links/TOKEN/close`: the closed link. `404` for a link of a unit the person
/// does not see, as for one that does not exist.
pub async fn close(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(token): Path<String>,
) -> Result<Json<Link>, AppError> {
    let person = signed.person;
    state
        .with_storage(move |storage| {
            let Ok(token) = LinkToken::parse(&token) else {
                return Ok(Err(AppError::NotFound));
            };
            let Some(link) = storage.link(&token)? else {
                return Ok(Err(AppError::NotFound));
            };
            if visible_unit(storage, &person, link.unit.as_str())?.is_none() {
                return Ok(Err(AppError::NotFound));
            }
            if !person.decides() {
                return Ok(Err(AppError::Forbidden));
            }
            storage.close_link(&token, Utc::now()).map(Ok)
        })
        .await?
        .map(Json)
}
