//! `/api/v1`: what the supervisors' web (and any script) reads and decides through, for a
//! signed-in person. Without a session every route answers `401`; a unit or response outside
//! the person's scope answers `404`, as if it did not exist; a viewer's decision `403`.
//!
//! Cross-site requests: the session cookie is `SameSite=Strict`, so a browser never sends it
//! from another site's page; on top of that, a request that changes something must carry a
//! JSON body (which a plain HTML form cannot send), and its `Origin`, when present, must be
//! this server. A script that sends no `Origin` is not locked out.

use axum::Json;
use axum::extract::{FromRequestParts, Path, Query, Request, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE, HOST, ORIGIN};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use simpul_document::review::ReviewState;
use simpul_survey::Weighting;
use uuid::Uuid;

use crate::connections::ClientAddress;
use crate::decide::{self, Decider};
use crate::error::AppError;
use crate::model::UnitCode;
use crate::people::{Password, Person, Role, Scope};
use crate::report::{self, Days, ReportFilter};
use crate::routes::ApiJson;
use crate::sessions::{self, COOKIE, Checked, SignIn};
use crate::state::AppState;
use crate::storage::Storage;
use crate::{Error, history, workbook};

/// A signed-in person, and the token their cookie carries.
pub struct SignedIn {
    pub person: Person,
    token: String,
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let jar = CookieJar::from_headers(&parts.headers);
        let token = jar
            .get(COOKIE)
            .map(|cookie| cookie.value().to_string())
            .ok_or(AppError::NotSignedIn)?;
        let presented = token.clone();
        let person = state
            .with_storage(move |storage| sessions::person(storage, &presented, Utc::now()))
            .await?
            .ok_or(AppError::NotSignedIn)?;
        tracing::Span::current().record("person", tracing::field::display(&person.name));
        Ok(SignedIn { person, token })
    }
}

/// Refuses a request that would change something when it comes from another site.
pub async fn same_site_only(request: Request, next: Next) -> Result<Response, AppError> {
    let changes = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if changes {
        let headers = request.headers();
        if let Some(origin) = headers.get(ORIGIN) {
            let host = headers.get(HOST).and_then(|host| host.to_str().ok());
            let origin_host = origin
                .to_str()
                .ok()
                .and_then(|origin| origin.split_once("://"))
                .map(|(_, rest)| rest.trim_end_matches('/'));
            if host.is_none() || origin_host != host {
                return Err(AppError::CrossSite);
            }
        }
        let json = headers
            .get(CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.starts_with("application/json"));
        if request.method() != Method::DELETE && !json {
            return Err(AppError::CrossSite);
        }
    }
    Ok(next.run(request).await)
}

#[derive(Debug, Deserialize)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Serialize)]
pub struct Me {
    pub name: String,
    pub role: Role,
    /// The instansi a supervisor or viewer sees, or the units they see.
    pub instansi: Option<String>,
    pub units: Vec<String>,
}

impl From<&Person> for Me {
    fn from(person: &Person) -> Me {
        let (instansi, units) = match &person.scope {
            Scope::Everything => (None, Vec::new()),
            Scope::Instansi(name) => (Some(name.clone()), Vec::new()),
            Scope::Units(units) => (None, units.iter().map(|u| u.to_string()).collect()),
        };
        Me {
            name: person.name.to_string(),
            role: person.role,
            instansi,
            units,
        }
    }
}

/// `POST /api/v1/session`: signs in; the session travels in an HttpOnly cookie.
pub async fn sign_in(
    State(state): State<AppState>,
    client: ClientAddress,
    jar: CookieJar,
    ApiJson(credentials): ApiJson<Credentials>,
) -> Result<(CookieJar, Json<Me>), AppError> {
    let address = client.ip();
    let outcome = state
        .with_storage(move |storage| {
            sessions::sign_in(
                storage,
                &credentials.username,
                &credentials.password,
                address,
                Utc::now(),
            )
        })
        .await?;
    match outcome {
        SignIn::Signed { token, person, .. } => {
            let cookie = Cookie::build((COOKIE, token.expose().to_string()))
                .http_only(true)
                .same_site(SameSite::Strict)
                .path("/");
            Ok((jar.add(cookie), Json(Me::from(&person))))
        }
        SignIn::Wrong => {
            tracing::warn!(%client, "sign-in refused: wrong name or password");
            Err(AppError::WrongCredentials)
        }
        SignIn::Throttled(wait) => {
            tracing::warn!(%client, "sign-in refused: too many failures");
            Err(AppError::SignInThrottled(wait))
        }
    }
}

/// `GET /api/v1/session`: who is signed in.
pub async fn me(signed: SignedIn) -> Json<Me> {
    Json(Me::from(&signed.person))
}

/// `DELETE /api/v1/session`: signs out.
pub async fn sign_out(
    State(state): State<AppState>,
    signed: SignedIn,
    jar: CookieJar,
) -> Result<(CookieJar, StatusCode), AppError> {
    let token = signed.token;
    state
        .with_storage(move |storage| sessions::sign_out(storage, &token))
        .await?;
    Ok((
        jar.remove(Cookie::build(COOKIE).path("/")),
        StatusCode::NO_CONTENT,
    ))
}

#[derive(Debug, Deserialize)]
pub struct NewPassword {
    pub current: String,
    pub new: String,
}

/// `POST /api/v1/session/password`: changes one's own password. Every session of the person
/// ends, this one included: they sign in again with the new password.
pub async fn change_password(
    State(state): State<AppState>,
    client: ClientAddress,
    signed: SignedIn,
    jar: CookieJar,
    ApiJson(change): ApiJson<NewPassword>,
) -> Result<(CookieJar, StatusCode), AppError> {
    let new = Password::parse(&change.new)?;
    let name = signed.person.name.to_string();
    let address = client.ip();
    state
        .with_storage(move |storage| {
            // The current password is checked like a sign-in, throttle included.
            match sessions::check(storage, &name, &change.current, address, Utc::now())? {
                Checked::Right(_) => {
                    storage.set_password_hash(&name, &new.hash()?)?;
                    Ok(Ok(()))
                }
                Checked::Wrong => Ok(Err(AppError::WrongCredentials)),
                Checked::Throttled(wait) => Ok(Err(AppError::SignInThrottled(wait))),
            }
        })
        .await??;
    Ok((
        jar.remove(Cookie::build(COOKIE).path("/")),
        StatusCode::NO_CONTENT,
    ))
}

#[derive(Debug, Serialize)]
pub struct UnitRow {
    pub code: String,
    pub name: String,
    pub instansi: Option<String>,
    /// Whether its results page at `/publik/CODE` is shown to the public.
    pub public: bool,
}

/// `GET /api/v1/units`: the units the person may see.
pub async fn units(
    State(state): State<AppState>,
    signed: SignedIn,
) -> Result<Json<Vec<UnitRow>>, AppError> {
    let rows = state
        .with_storage(move |storage| {
            let mut rows = Vec::new();
            for unit in storage.units()? {
                let instansi = unit.instansi.as_ref().map(ToString::to_string);
                if signed.person.sees(&unit.code, instansi.as_deref()) {
                    rows.push(UnitRow {
                        public: storage.is_public(&unit.code)?,
                        code: unit.code.to_string(),
                        name: unit.name.to_string(),
                        instansi,
                    });
                }
            }
            Ok(rows)
        })
        .await?;
    Ok(Json(rows))
}

/// `GET /api/v1/units/CODE/devices`: the unit's devices and when each last synced.
pub async fn unit_devices(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(code): Path<String>,
) -> Result<Json<Vec<crate::overview::OverviewDevice>>, AppError> {
    let devices = on_unit(
        &state,
        signed.person,
        code,
        Access::Read,
        |storage, unit, _| crate::overview::devices(storage, Utc::now(), |u| u == unit.as_str()),
    )
    .await?;
    Ok(Json(devices))
}

/// `POST /api/v1/devices/ID/revoke`: the device's next request is refused; its changes
/// stay. For those who decide for the device's unit.
pub async fn revoke_device(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    let person = signed.person;
    state
        .with_storage(move |storage| {
            let Ok(id) = crate::model::DeviceId::parse(&id) else {
                return Ok(Err(AppError::NotFound));
            };
            let Some(device) = storage.devices()?.into_iter().find(|d| d.id == id) else {
                return Ok(Err(AppError::NotFound));
            };
            if visible_unit(storage, &person, device.unit.as_str())?.is_none() {
                return Ok(Err(AppError::NotFound));
            }
            if !person.decides() {
                return Ok(Err(AppError::Forbidden));
            }
            storage.revoke(id, Utc::now()).map(|_| Ok(()))
        })
        .await??;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize)]
pub struct IssuedCode {
    pub code: String,
    pub unit: String,
    pub expires_at: chrono::DateTime<Utc>,
}

/// `POST /api/v1/units/CODE/enrolment-code`: a one-time code for a new device's first run.
pub async fn enrolment_code(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(code): Path<String>,
) -> Result<Json<IssuedCode>, AppError> {
    let issued = on_unit(
        &state,
        signed.person,
        code,
        Access::Decide,
        |storage, unit, _| crate::admin::issue_enrolment_code(storage, unit.as_str(), Utc::now()),
    )
    .await?;
    Ok(Json(IssuedCode {
        code: issued.code.expose().to_string(),
        unit: issued.unit.code.to_string(),
        expires_at: issued.expires_at,
    }))
}

#[derive(Debug, Deserialize)]
pub struct SettingsRequest {
    pub period: Option<String>,
    pub population: Option<u64>,
}

/// `POST /api/v1/units/CODE/settings`: the unit's active period and population; its devices
/// receive them at their next sync. Answers whether anything changed.
pub async fn unit_settings(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(code): Path<String>,
    ApiJson(request): ApiJson<SettingsRequest>,
) -> Result<Json<serde_json::Value>, AppError> {
    let period = request
        .period
        .map(|p| crate::model::PeriodCode::parse(&p).map_err(Error::from))
        .transpose()?;
    let settings = crate::unit_document::UnitSettings {
        period,
        population: request.population,
        ..Default::default()
    };
    let changed = on_unit(
        &state,
        signed.person,
        code,
        Access::Decide,
        move |storage, unit, _| {
            let changed =
                crate::admin::configure_unit(storage, unit.as_str(), &settings, Utc::now())?;
            crate::materialise::catch_up(storage)?;
            Ok(changed)
        },
    )
    .await?;
    Ok(Json(serde_json::json!({ "changed": changed })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstansiPeriodRequest {
    pub period: String,
}

/// `POST /api/v1/instansi/NAME/period` `{"period": "2026-S1"}`: the active period of every
/// unit of the instansi within the person's scope; their devices receive it at their next
/// sync. Answers which units changed. `404` when the person sees no unit of that instansi.
pub async fn instansi_period(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(instansi): Path<String>,
    ApiJson(request): ApiJson<InstansiPeriodRequest>,
) -> Result<Json<serde_json::Value>, AppError> {
    let period = crate::model::PeriodCode::parse(&request.period).map_err(Error::from)?;
    let person = signed.person;
    let changed = state
        .with_storage(move |storage| {
            let units: Vec<UnitCode> = storage
                .units()?
                .into_iter()
                .filter(|unit| {
                    unit.instansi
                        .as_ref()
                        .is_some_and(|i| i.as_str() == instansi)
                })
                .filter(|unit| person.sees(&unit.code, Some(instansi.as_str())))
                .map(|unit| unit.code)
                .collect();
            if units.is_empty() {
                return Ok(Err(AppError::NotFound));
            }
            if !person.decides() {
                return Ok(Err(AppError::Forbidden));
            }
            let settings = crate::unit_document::UnitSettings {
                period: Some(period),
                ..Default::default()
            };
            let mut changed = Vec::new();
            for unit in units {
                if crate::admin::configure_unit(storage, unit.as_str(), &settings, Utc::now())? {
                    changed.push(unit.to_string());
                }
            }
            crate::materialise::catch_up(storage)?;
            Ok(Ok(changed))
        })
        .await??;
    Ok(Json(serde_json::json!({ "changed": changed })))
}

#[derive(Debug, Deserialize)]
pub struct PublicRequest {
    pub public: bool,
}

/// `POST /api/v1/units/CODE/public`: shows or hides the unit's results page for the public.
pub async fn set_public(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(code): Path<String>,
    ApiJson(request): ApiJson<PublicRequest>,
) -> Result<StatusCode, AppError> {
    on_unit(
        &state,
        signed.person,
        code,
        Access::Decide,
        move |storage, unit, _| storage.set_public(unit, request.public),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/public/CODE?period=P`, with no session: the unit's published results
/// (`404` when it does not exist or its page is not public).
pub async fn public_results(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(query): Query<OverviewQuery>,
) -> Result<Json<crate::publication::PublicResults>, AppError> {
    let period = query.period.filter(|p| !p.trim().is_empty());
    let results = state
        .with_storage(move |storage| {
            let Ok(unit) = UnitCode::parse(&code) else {
                return Ok(None);
            };
            crate::publication::results(storage, &unit, period)
        })
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(results))
}

#[derive(Debug, Deserialize)]
pub struct OverviewQuery {
    pub period: Option<String>,
}

/// `GET /api/v1/overview?period=P`: every unit of the person's scope side by side, with
/// what waits for them, their devices and responses per day — one request for the page.
pub async fn overview(
    State(state): State<AppState>,
    signed: SignedIn,
    Query(query): Query<OverviewQuery>,
) -> Result<Json<crate::overview::Overview>, AppError> {
    let period = query.period.filter(|p| !p.trim().is_empty());
    let overview = state
        .with_storage(move |storage| {
            crate::overview::overview(storage, &signed.person, period, Utc::now())
        })
        .await?;
    Ok(Json(overview))
}

#[derive(Debug, Deserialize)]
pub struct ReportQuery {
    pub period: Option<String>,
    pub service: Option<String>,
    pub channel: Option<String>,
    pub enumerator: Option<String>,
    /// Days as offices write them (`30/11/2026`) or `2026-11-30`, both inclusive.
    pub from: Option<String>,
    pub to: Option<String>,
    pub weight: Option<String>,
}

impl ReportQuery {
    pub(crate) fn filter(self) -> Result<ReportFilter, AppError> {
        let day = |raw: Option<String>, name: &'static str| -> Result<_, AppError> {
            raw.filter(|raw| !raw.trim().is_empty())
                .map(|raw| {
                    simpul_survey::parse_day(&raw).ok_or_else(|| {
                        AppError::BadRequest(format!(
                            "{name} {raw:?}: write a day that exists, e.g. 30/11/2026"
                        ))
                    })
                })
                .transpose()
        };
        let days = Days::new(day(self.from, "from")?, day(self.to, "to")?)?;
        // A form's empty field (`?period=`) means no filter, not "the empty period".
        let given = |raw: Option<String>| raw.filter(|raw| !raw.trim().is_empty());
        Ok(ReportFilter {
            period: given(self.period),
            service: given(self.service),
            channel: given(self.channel),
            enumerator: given(self.enumerator),
            days,
        })
    }
}

/// `GET /api/v1/units/CODE/report`: the report JSON, as `simpul report --format json`.
pub async fn unit_report(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(code): Path<String>,
    Query(query): Query<ReportQuery>,
) -> Result<Response, AppError> {
    let weighting = weighting(query.weight.as_deref())?;
    let filter = query.filter()?;
    let report = state
        .with_storage(move |storage| {
            let Some(unit) = visible_unit(storage, &signed.person, &code)? else {
                return Ok(None);
            };
            report::unit_report(storage, &unit, &filter, weighting).map(Some)
        })
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(report).into_response())
}

/// `GET /api/v1/units/CODE/report.xlsx`: the report as a spreadsheet, with the same filters.
pub async fn unit_workbook(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(code): Path<String>,
    Query(query): Query<ReportQuery>,
) -> Result<Response, AppError> {
    let weighting = weighting(query.weight.as_deref())?;
    let filter = query.filter()?;
    let period = filter.period.clone();
    let bytes = state
        .with_storage(move |storage| {
            let Some(unit) = visible_unit(storage, &signed.person, &code)? else {
                return Ok(None);
            };
            let bytes = workbook::unit_workbook(storage, &unit, &filter, weighting)?;
            Ok(Some((unit, bytes)))
        })
        .await?
        .ok_or(AppError::NotFound)?;
    let (unit, bytes) = bytes;
    let name = match period {
        Some(period) => format!("SKM-{unit}-{period}.xlsx"),
        None => format!("SKM-{unit}.xlsx"),
    };
    // Codes are letters, digits, '-', '_' and '.': safe inside the quotes as they are.
    let disposition = format!("attachment; filename=\"{name}\"");
    Ok((
        [
            (CONTENT_TYPE, crate::workbook::CONTENT_TYPE.to_string()),
            (CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

/// The weight convention a `?weight=` names; the exact one when none.
pub(crate) fn weighting(raw: Option<&str>) -> Result<Weighting, AppError> {
    match raw {
        None | Some("exact") => Ok(Weighting::Exact),
        Some("template") => Ok(Weighting::Template),
        Some(other) => Err(AppError::BadRequest(format!(
            "weight {other:?}: use exact or template"
        ))),
    }
}

/// `GET /api/v1/units/CODE/conflicts`: fields holding several values in the unit.
pub async fn unit_conflicts(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    let rows = state
        .with_storage(move |storage| {
            let Some(unit) = visible_unit(storage, &signed.person, &code)? else {
                return Ok(None);
            };
            storage
                .conflicts(Some(&unit), &ReportFilter::default())
                .map(Some)
        })
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(rows).into_response())
}

/// `GET /api/v1/responses/ID/history`: who wrote what, when, from which device or person.
pub async fn response_history(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<Uuid>,
) -> Result<Response, AppError> {
    let entries = state
        .with_storage(move |storage| {
            visible_response(storage, &signed.person, id)?;
            history::history(storage, id)
        })
        .await?;
    Ok(Json(entries).into_response())
}

#[derive(Debug, Deserialize)]
pub struct ReviewRequest {
    pub state: String,
    pub note: Option<String>,
}

/// `POST /api/v1/responses/ID/review`: approved, has-issues or rejected (with a note).
pub async fn review(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<Uuid>,
    ApiJson(request): ApiJson<ReviewRequest>,
) -> Result<StatusCode, AppError> {
    let review = ReviewState::parse(&request.state).ok_or_else(|| Error::InvalidValue {
        what: "review state",
        value: request.state.clone(),
        reason: "use received, has-issues, approved or rejected",
    })?;
    decide_as(&state, signed, id, move |storage, id, decider| {
        decide::review(storage, id, review, request.note.as_deref(), decider)
    })
    .await
}

/// Responses one bulk review may name: a page of the review queue, with room to spare.
pub const MAX_BULK_REVIEW: usize = 500;

#[derive(Debug, Deserialize)]
pub struct BulkReviewRequest {
    pub ids: Vec<Uuid>,
    pub state: String,
    pub note: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct BulkReviewed {
    /// Responses whose review changed; those already in the state are left as they are.
    pub reviewed: usize,
}

/// `POST /api/v1/units/CODE/responses/review`: one review state for every response listed
/// (a filtered page of the queue), all of them or, when one is not the unit's, none.
pub async fn review_many(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(code): Path<String>,
    ApiJson(request): ApiJson<BulkReviewRequest>,
) -> Result<Json<BulkReviewed>, AppError> {
    let review = ReviewState::parse(&request.state).ok_or_else(|| Error::InvalidValue {
        what: "review state",
        value: request.state.clone(),
        reason: "use received, has-issues, approved or rejected",
    })?;
    if request.ids.is_empty() || request.ids.len() > MAX_BULK_REVIEW {
        return Err(Error::InvalidValue {
            what: "ids",
            value: request.ids.len().to_string(),
            reason: "name between 1 and 500 responses",
        }
        .into());
    }
    let reviewed = on_unit(
        &state,
        signed.person,
        code,
        Access::Decide,
        move |storage, unit, person| {
            let decider = Decider {
                by: person.name.clone(),
                at: Utc::now(),
            };
            let note = request.note.as_deref();
            decide::review_all(storage, unit, &request.ids, review, note, &decider)
        },
    )
    .await?;
    Ok(Json(BulkReviewed { reviewed }))
}

#[derive(Debug, Deserialize)]
pub struct ResolveRequest {
    pub field: String,
    pub value: String,
}

/// `POST /api/v1/responses/ID/resolve`: settles a field on one of the values it holds.
pub async fn resolve(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<Uuid>,
    ApiJson(request): ApiJson<ResolveRequest>,
) -> Result<StatusCode, AppError> {
    decide_as(&state, signed, id, move |storage, id, decider| {
        decide::resolve(storage, id, &request.field, &request.value, decider)
    })
    .await
}

#[derive(Debug, Deserialize)]
pub struct DeletedRequest {
    pub deleted: bool,
}

/// `POST /api/v1/responses/ID/deleted`: deletes (`true`) or restores (`false`).
pub async fn set_deleted(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<Uuid>,
    ApiJson(request): ApiJson<DeletedRequest>,
) -> Result<StatusCode, AppError> {
    decide_as(&state, signed, id, move |storage, id, decider| {
        decide::set_deleted(storage, id, request.deleted, decider)
    })
    .await
}

/// Runs a decision by the signed-in person on a response within their scope; it is written
/// under their name.
async fn decide_as(
    state: &AppState,
    signed: SignedIn,
    id: Uuid,
    decision: impl FnOnce(&dyn Storage, Uuid, &Decider) -> crate::Result<()> + Send + 'static,
) -> Result<StatusCode, AppError> {
    let person = signed.person;
    state
        .with_storage(move |storage| {
            visible_response(storage, &person, id)?;
            if !person.decides() {
                return Ok(Err(AppError::Forbidden));
            }
            let decider = Decider {
                by: person.name.clone(),
                at: Utc::now(),
            };
            decision(storage, id, &decider).map(Ok)
        })
        .await??;
    Ok(StatusCode::NO_CONTENT)
}

/// Who may do something to a unit: anyone who sees it, or only those who decide for it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    Read,
    Decide,
}

/// Runs `work` on the unit `code` for `person`: `404` when they may not see it (or it does
/// not exist), `403` when `access` is [`Access::Decide`] and they only read.
pub(crate) async fn on_unit<T: Send + 'static>(
    state: &AppState,
    person: Person,
    code: String,
    access: Access,
    work: impl FnOnce(&dyn Storage, &UnitCode, &Person) -> crate::Result<T> + Send + 'static,
) -> Result<T, AppError> {
    state
        .with_storage(move |storage| {
            let Some(unit) = visible_unit(storage, &person, &code)? else {
                return Ok(Err(AppError::NotFound));
            };
            if access == Access::Decide && !person.decides() {
                return Ok(Err(AppError::Forbidden));
            }
            work(storage, &unit, &person).map(Ok)
        })
        .await?
}

/// The unit `code` when the person may see it; `None` when it does not exist or is out of
/// their scope — the two are answered alike.
pub(crate) fn visible_unit(
    storage: &dyn Storage,
    person: &Person,
    code: &str,
) -> crate::Result<Option<UnitCode>> {
    let Ok(code) = UnitCode::parse(code) else {
        return Ok(None);
    };
    let Some(unit) = storage.unit(&code)? else {
        return Ok(None);
    };
    let instansi = unit.instansi.as_ref().map(|name| name.as_str());
    Ok(person.sees(&code, instansi).then_some(code))
}

/// Fails with `UnknownResponse` (answered `404`) unless the person may see the response.
pub(crate) fn visible_response(
    storage: &dyn Storage,
    person: &Person,
    id: Uuid,
) -> crate::Result<()> {
    let unit = storage
        .document_unit(id)?
        .ok_or_else(|| Error::UnknownResponse(id.to_string()))?;
    let instansi = storage.unit(&unit)?.and_then(|unit| unit.instansi);
    if person.sees(&unit, instansi.as_ref().map(|name| name.as_str())) {
        Ok(())
    } else {
        Err(Error::UnknownResponse(id.to_string()))
    }
}
