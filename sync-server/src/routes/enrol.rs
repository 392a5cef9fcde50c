//! `POST /v1/enrol`: a one-time code becomes a device token.
//!
//! Every refused code is counted against the client's address ([`crate::throttle`]) and
//! logged with that address, never with the code.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderValue;
use axum::http::header::CACHE_CONTROL;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use simpul_protocol::http::{EnrolRequest, EnrolResponse};

use crate::connections::ClientAddress;
use crate::error::{AppError, Error, Refusal};
use crate::model::{DeviceId, Name, UnitCode};
use crate::routes::ApiJson;
use crate::secret::{DeviceToken, EnrolmentCode};
use crate::state::AppState;
use crate::storage::NewDevice;
use crate::throttle;

/// Answers the token once; the server keeps only its hash. A code that cannot be a code
/// (mistyped, wrong length) is refused like an unknown one: `409 enrolment_refused`; an
/// address with too many refusals gets `429 too_many_attempts` before its code is looked at.
pub async fn enrol(
    State(state): State<AppState>,
    client: ClientAddress,
    ApiJson(request): ApiJson<EnrolRequest>,
) -> Result<Response, AppError> {
    let now = Utc::now();
    if let Some(ip) = client.ip() {
        state
            .with_storage(move |storage| throttle::check(storage, ip, now))
            .await?
            .map_err(|wait| {
                tracing::warn!(%client, "enrolment refused: too many failures from this address");
                AppError::TooManyAttempts(wait)
            })?;
    }
    let answer = enrol_device(&state, request).await;
    if let Err(AppError::EnrolmentRefused(refusal)) = &answer {
        tracing::warn!(%client, reason = ?refusal, "enrolment refused");
        if let Some(ip) = client.ip() {
            state
                .with_storage(move |storage| throttle::fail(storage, ip, now))
                .await?;
        }
    }
    answer
}

async fn enrol_device(state: &AppState, request: EnrolRequest) -> Result<Response, AppError> {
    let name = Name::parse("device name", &request.device)?;
    let code =
        EnrolmentCode::parse(&request.code).ok_or(AppError::EnrolmentRefused(Refusal::Unknown))?;
    let expected_unit = request
        .unit
        .as_deref()
        .map(UnitCode::parse)
        .transpose()
        .map_err(Error::from)?;
    let token = DeviceToken::generate()?;
    let device = NewDevice {
        code: code.hash(),
        id: DeviceId::new(),
        name,
        token: token.hash(),
        expected_unit,
    };
    let id = device.id;
    let unit = state
        .with_storage(move |storage| storage.enrol(&device, Utc::now()))
        .await?;
    tracing::Span::current().record("device", tracing::field::display(id));

    let body = EnrolResponse {
        device_id: id.to_string(),
        token: token.expose().to_string(),
        unit: unit.code.to_string(),
        unit_name: unit.name.to_string(),
    };
    // A token must not linger in a proxy's or a browser's cache.
    let no_store = [(CACHE_CONTROL, HeaderValue::from_static("no-store"))];
    Ok((no_store, Json(body)).into_response())
}
