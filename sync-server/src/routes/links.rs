//! Survey links on the web API, for signed-in people: a unit's links, a new one, closing one.
//! Anyone who sees a unit sees its links; only those who decide for it create and close them.
//! The web shows each link's address as the browser reached the server, so the API gives
//! tokens, not addresses, and the printed PDFs take that address as `base`.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::invitations::{ByChannel, Invitation};
use crate::links::{self, Link, LinkToken, NewLink};
use crate::model::{PeriodCode, UnitCode};
use crate::printed::Sheets;
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

/// A unit's invitations and how each channel fared.
#[derive(Debug, Serialize)]
pub struct InvitationsView {
    pub by_channel: ByChannel,
    pub invitations: Vec<Invitation>,
}

/// `GET /api/v1/units/CODE/invitations`: oldest first, with the response rate by channel.
pub async fn invitations(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(code): Path<String>,
) -> Result<Json<InvitationsView>, AppError> {
    let invitations = on_unit(
        &state,
        signed.person,
        code,
        Access::Read,
        |storage, unit, _| storage.invitations(unit),
    )
    .await?;
    Ok(Json(InvitationsView {
        by_channel: ByChannel::of(&invitations),
        invitations,
    }))
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

#[derive(Debug, Deserialize)]
pub struct PosterQuery {
    /// The address people reach the server by, as the browser knows it.
    pub base: String,
}

/// `GET /api/v1/links/TOKEN/poster.pdf?base=URL`: the link's A4 poster.
pub async fn poster(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(token): Path<String>,
    Query(query): Query<PosterQuery>,
) -> Result<Response, AppError> {
    let base = public_base(&query.base)?;
    let person = signed.person;
    let (token, pdf) = state
        .with_storage(move |storage| {
            let Ok(token) = LinkToken::parse(&token) else {
                return Ok(None);
            };
            let Some(link) = storage.link(&token)? else {
                return Ok(None);
            };
            if visible_unit(storage, &person, link.unit.as_str())?.is_none() {
                return Ok(None);
            }
            Ok(Some((token, links::poster_pdf(storage, &link, &base)?)))
        })
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(pdf_response(&format!("Poster-SKM-{token}.pdf"), pdf))
}

#[derive(Debug, Deserialize)]
pub struct PaperFormsQuery {
    pub period: String,
    #[serde(default = "first_serial")]
    pub from: u32,
    pub count: u32,
    #[serde(default = "default_prefix")]
    pub prefix: String,
    pub base: String,
}

fn first_serial() -> u32 {
    1
}

fn default_prefix() -> String {
    "K".into()
}

/// `GET /api/v1/units/CODE/paper-forms.pdf?period=P&from=1&count=50&prefix=K&base=URL`:
/// pre-numbered questionnaires, each with the QR code of its own survey address. Only those
/// who decide for the unit print them: the first print makes the period's paper link.
pub async fn paper_forms(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(code): Path<String>,
    Query(query): Query<PaperFormsQuery>,
) -> Result<Response, AppError> {
    let base = public_base(&query.base)?;
    let period = PeriodCode::parse(query.period.trim()).map_err(crate::Error::from)?;
    let sheets = Sheets {
        prefix: query.prefix,
        from: query.from,
        count: query.count,
    };
    let name_period = period.clone();
    let (unit, pdf) = on_unit(
        &state,
        signed.person,
        code,
        Access::Decide,
        move |storage, unit: &UnitCode, person| {
            let link = links::paper_link(storage, unit, &period, &person.name, Utc::now())?;
            let pdf = links::questionnaires_pdf(storage, &link, &period, &base, &sheets)?;
            Ok((unit.clone(), pdf))
        },
    )
    .await?;
    Ok(pdf_response(
        &format!("Kuesioner-SKM-{unit}-{name_period}.pdf"),
        pdf,
    ))
}

/// `base` when it is an http(s) address of a reasonable length, without a trailing slash.
fn public_base(base: &str) -> Result<String, AppError> {
    let base = base.trim().trim_end_matches('/');
    let scheme = base.starts_with("http://") || base.starts_with("https://");
    if !scheme || base.len() > 200 || base.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(AppError::BadRequest(format!(
            "base: give the address people reach this server by, such as \
             https://skm.example.go.id, not {base:?}"
        )));
    }
    Ok(base.to_string())
}

/// A PDF to download; `name` holds only codes, tokens and `-`, safe inside the quotes.
fn pdf_response(name: &str, pdf: Vec<u8>) -> Response {
    (
        [
            (CONTENT_TYPE, "application/pdf".to_string()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        pdf,
    )
        .into_response()
}
