//! `GET /api/v1/qr.svg?text=…`: a QR code of a short text, as SVG, for a signed-in person's
//! pages — the enrolment link a new tablet scans on its first run. The web composes the text
//! itself, because only the browser knows the address it reached the server by (a proxy, a
//! LAN name). The SVG holds nothing but the code's squares: never the text.

use axum::extract::Query;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::error::AppError;
use crate::printed;
use crate::routes::api::SignedIn;

#[derive(Debug, Deserialize)]
pub struct QrQuery {
    pub text: String,
}

pub async fn qr_svg(_signed: SignedIn, Query(query): Query<QrQuery>) -> Result<Response, AppError> {
    let svg = render(&query.text)?;
    Ok((
        [
            (CONTENT_TYPE, "image/svg+xml"),
            (CACHE_CONTROL, "private, max-age=3600"),
        ],
        svg,
    )
        .into_response())
}

/// The QR code of `text` (see [`printed::qr_svg`]); a text that cannot be one is the
/// client's mistake.
pub fn render(text: &str) -> Result<String, AppError> {
    printed::qr_svg(text).map_err(|error| AppError::BadRequest(error.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_becomes_an_svg_of_squares_without_the_text() {
        let svg =
            render("simpul:enrol?server=http%3A%2F%2F10.0.0.2%3A8080&code=KQ7M-4XPA-2H").unwrap();
        assert!(svg.starts_with("<?xml") && svg.contains("<svg"), "{svg}");
        assert!(!svg.contains("KQ7M"), "the text must not be in the image");
        // Longer texts need more modules: the drawing grows.
        assert!(render(&"x".repeat(400)).unwrap().len() > svg.len());
    }

    #[test]
    fn an_empty_or_too_long_text_is_refused_with_its_length() {
        for text in [String::new(), "x".repeat(printed::MAX_QR_TEXT + 1)] {
            let Err(AppError::BadRequest(message)) = render(&text) else {
                panic!("{} bytes accepted", text.len());
            };
            assert!(message.contains(&text.len().to_string()), "{message}");
        }
    }
}
