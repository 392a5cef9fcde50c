//! The HTTP surface, one module per concern. Each handler unpacks the request, calls the
//! storage (on the blocking pool) or [`crate::exchange`], and packs the answer; every failure
//! leaves as an [`AppError`], so every error body has the same JSON shape — including the
//! ones axum's extractors and router would otherwise answer in plain text.

pub mod api;
pub mod enrol;
pub mod links;
pub mod meta;
pub mod official;
pub mod qr;
pub mod review;
pub mod saran;
pub mod summary;
pub mod survey;
pub mod sync;
pub mod web;

use axum::extract::rejection::{BytesRejection, JsonRejection};
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// `axum::Json`, with its rejections answered as [`AppError`]s.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, AppError> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(rejected_json(rejection)),
        }
    }
}

fn rejected_json(rejection: JsonRejection) -> AppError {
    rejected(rejection.status(), rejection.body_text())
}

pub(crate) fn rejected_bytes(rejection: BytesRejection) -> AppError {
    rejected(rejection.status(), rejection.body_text())
}

/// A body over the limit is `413 too_large`; anything else an extractor refuses is the
/// client's mistake, `400 bad_request`, with axum's explanation as the message.
fn rejected(status: StatusCode, text: String) -> AppError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::TooLarge(text)
    } else {
        AppError::BadRequest(text)
    }
}
