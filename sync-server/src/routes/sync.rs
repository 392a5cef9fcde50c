//! `POST /v1/sync`: push one batch, pull one batch, as `simpul_protocol::http` describes.
//!
//! Checks run cheapest first and nothing is stored until all have passed: the token (`401`),
//! the headers (`400`), the content type (`400`), the body size (`413`), then — in
//! [`exchange`] — the frame and every change in it (`400 malformed_batch`). Only a few
//! batches are decoded at once ([`crate::state::decoding_permits`]); the others wait.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use axum::response::{IntoResponse, Response};
use simpul_protocol::http::{
    BATCH_CONTENT_TYPE, CURSOR_HEADER, IDEMPOTENCY_HEADER, LOG_HEADER, MORE_HEADER,
    PROTOCOL_HEADER, PROTOCOL_VERSION, PULL_MAX_HEADER, STORED_HEADER,
};
use tracing::field::display;
use uuid::Uuid;

use crate::auth::Authenticated;
use crate::error::AppError;
use crate::exchange::{self, Reply};
use crate::routes::rejected_bytes;
use crate::state::AppState;

pub async fn sync(
    State(state): State<AppState>,
    Authenticated(device): Authenticated,
    headers: SyncHeaders,
    BatchBody(body): BatchBody,
) -> Result<Response, AppError> {
    // Held by the blocking task itself, so a client that hangs up does not free its permit
    // while its batch is still being decoded.
    state.metrics.sync_bytes_received.inc_by(body.len() as u64);
    let permit = Arc::clone(&state.decoding)
        .acquire_owned()
        .await
        .expect("the semaphore is never closed");
    let reply = state
        .with_storage(move |storage| {
            let _permit = permit;
            let request = exchange::Request {
                key: headers.key,
                cursor: headers.cursor,
                pull_max: headers.pull_max,
                body: &body,
            };
            exchange::exchange(storage, &device, request)
        })
        .await?;
    if reply.stored > 0 {
        state.materialiser.notify_one();
    }
    state.metrics.changes_pushed.inc_by(reply.stored);
    state.metrics.changes_pulled.inc_by(reply.pulled as u64);
    state
        .metrics
        .sync_bytes_sent
        .inc_by(reply.frame.len() as u64);
    let span = tracing::Span::current();
    span.record("stored", reply.stored);
    span.record("pulled", reply.pulled);
    span.record("cursor", display(reply.cursor));
    Ok(respond(reply, state.log_id.clone()))
}

fn respond(reply: Reply, log_id: HeaderValue) -> Response {
    let number = |n: u64| HeaderValue::from(n);
    let headers = [
        (CONTENT_TYPE, HeaderValue::from_static(BATCH_CONTENT_TYPE)),
        (
            HeaderName::from_static(PROTOCOL_HEADER),
            number(PROTOCOL_VERSION.into()),
        ),
        (HeaderName::from_static(CURSOR_HEADER), number(reply.cursor)),
        (
            HeaderName::from_static(MORE_HEADER),
            HeaderValue::from_static(if reply.more { "true" } else { "false" }),
        ),
        (HeaderName::from_static(STORED_HEADER), number(reply.stored)),
        (HeaderName::from_static(LOG_HEADER), log_id),
    ];
    (headers, reply.frame).into_response()
}

/// The request headers of a sync round trip, checked.
#[derive(Debug)]
pub struct SyncHeaders {
    pub key: Uuid,
    pub cursor: u64,
    pub pull_max: usize,
}

impl<S: Send + Sync> FromRequestParts<S> for SyncHeaders {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        let headers = &parts.headers;
        match header(headers, PROTOCOL_HEADER)? {
            Some(version) if version == PROTOCOL_VERSION.to_string() => {}
            Some(version) => {
                return Err(AppError::BadRequest(format!(
                    "protocol version {version:?} is not spoken here; this server speaks {PROTOCOL_VERSION}"
                )));
            }
            None => return Err(missing(PROTOCOL_HEADER)),
        }
        let key =
            header(headers, IDEMPOTENCY_HEADER)?.ok_or_else(|| missing(IDEMPOTENCY_HEADER))?;
        let key = Uuid::parse_str(key).map_err(|_| {
            AppError::BadRequest(format!("{IDEMPOTENCY_HEADER} {key:?} is not a UUID"))
        })?;
        let cursor = number(headers, CURSOR_HEADER)?.unwrap_or(0);
        let pull_max = exchange::clamp_pull_max(number(headers, PULL_MAX_HEADER)?);
        Ok(SyncHeaders {
            key,
            cursor,
            pull_max,
        })
    }
}

fn missing(name: &str) -> AppError {
    AppError::BadRequest(format!("the {name} header is missing"))
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Result<Option<&'a str>, AppError> {
    headers
        .get(name)
        .map(|value| {
            value
                .to_str()
                .map(str::trim)
                .map_err(|_| AppError::BadRequest(format!("the {name} header is not text")))
        })
        .transpose()
}

fn number(headers: &HeaderMap, name: &str) -> Result<Option<u64>, AppError> {
    header(headers, name)?
        .map(|text| {
            text.parse().map_err(|_| {
                AppError::BadRequest(format!("the {name} header {text:?} is not a whole number"))
            })
        })
        .transpose()
}

/// The request body, once the content type says it is a batch frame and it fits the limit.
pub struct BatchBody(pub Bytes);

impl FromRequest<AppState> for BatchBody {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, AppError> {
        let content_type = request
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("");
        let media_type = content_type.split(';').next().unwrap_or("").trim();
        if !media_type.eq_ignore_ascii_case(BATCH_CONTENT_TYPE) {
            return Err(AppError::BadRequest(format!(
                "the body must be a batch frame sent as {BATCH_CONTENT_TYPE}, not {content_type:?}"
            )));
        }
        Bytes::from_request(request, state)
            .await
            .map(BatchBody)
            .map_err(rejected_bytes)
    }
}
