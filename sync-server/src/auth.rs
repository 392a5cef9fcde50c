//! Who is asking: the bearer token of `POST /v1/sync`, checked against the database on every
//! request (no cache), so revoking a device shuts it out at its very next request.

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use crate::connections::ClientAddress;
use crate::error::AppError;
use crate::model::Device;
use crate::secret::DeviceToken;
use crate::state::AppState;

/// An extractor that succeeds only for an enrolled, unrevoked device, and otherwise answers
/// `401 unauthorized` before the request body is read.
#[derive(Clone, Debug)]
pub struct Authenticated(pub Device);

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let refused = |parts: &Parts| {
            let client = ClientAddress::from_parts(parts);
            tracing::warn!(%client, "device token refused");
            AppError::Unauthorized
        };
        let token = bearer(&parts.headers).ok_or_else(|| refused(parts))?;
        let hash = token.hash();
        let device = state
            .with_storage(move |storage| storage.authenticate(hash))
            .await?
            .ok_or_else(|| refused(parts))?;
        tracing::Span::current().record("device", tracing::field::display(&device.id));
        Ok(Authenticated(device))
    }
}

/// Tokens are 43 characters; anything far longer is not worth hashing.
const MAX_TOKEN_LEN: usize = 512;

/// The token of an `Authorization: Bearer <token>` header.
fn bearer(headers: &HeaderMap) -> Option<DeviceToken> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    let valid =
        scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() && token.len() <= MAX_TOKEN_LEN;
    valid.then(|| DeviceToken::presented(token))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn a_bearer_token_is_read_whatever_the_case_of_the_scheme() {
        let token = bearer(&headers("bearer abc-DEF_123")).unwrap();
        assert_eq!(token.expose(), "abc-DEF_123");
        assert!(bearer(&headers("Bearer abc")).is_some());
    }

    #[test]
    fn other_schemes_and_empty_tokens_are_no_token() {
        assert!(bearer(&HeaderMap::new()).is_none());
        assert!(bearer(&headers("Basic dXNlcjpwYXNz")).is_none());
        assert!(bearer(&headers("Bearer ")).is_none());
        assert!(bearer(&headers(&format!("Bearer {}", "a".repeat(513)))).is_none());
    }
}
