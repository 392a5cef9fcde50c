//! The supervisors' web, served from files embedded in the binary so that the server stays
//! one file to copy. `ui/` builds them into `ui/dist-web` (`npm run build`, which
//! `scripts/test` runs before any cargo command); `build.rs` makes cargo embed them again
//! whenever that folder changes.
//!
//! A build without the folder still compiles — `cargo clippy` and `cargo test` work from a
//! fresh clone — and answers a browser with a page saying how to build the web, instead of
//! failing to compile. Debug builds embed the files too (`debug-embed`), so the binary a
//! test runs serves what a release would.
//!
//! One address, two audiences: `GET /` answers the JSON [`meta::about`] to devices and
//! scripts, and the page to a browser, told apart by whether `Accept` names `text/html`.
//! Any other unknown `GET` from a browser gets the page too (the web routes on the client);
//! `/api/`, `/v1/` and everything asked for by a non-browser keep their JSON `404`.

use axum::body::Body;
use axum::extract::{Path, Request};
use axum::http::header::{
    ACCEPT, CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY,
    X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

use crate::error::AppError;
use crate::routes::meta;

#[derive(RustEmbed)]
#[folder = "../ui/dist-web"]
#[allow_missing = true]
pub(crate) struct WebAssets;

/// The page every client-side route draws in.
const PAGE: &str = "web.html";

/// Script and styles only from this server; the page may not be framed by another site.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; \
     form-action 'self'";

/// `GET /`.
pub async fn root(headers: HeaderMap) -> Response {
    if wants_html(&headers) {
        page()
    } else {
        meta::about().await.into_response()
    }
}

/// `GET /assets/{*path}`: hashed file names, so a year's caching is safe.
pub async fn asset(Path(path): Path<String>) -> Result<Response, AppError> {
    let file = WebAssets::get(&format!("assets/{path}")).ok_or(AppError::NotFound)?;
    let mut response = Response::new(Body::from(file.data.into_owned()));
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type(&path)));
    headers.insert(
        CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    Ok(response)
}

/// Everything no route matched: the page for a browser's `GET` of a client-side route, the
/// JSON `404` for the rest.
pub async fn fallback(request: Request) -> Response {
    let path = request.uri().path();
    let api = path.starts_with("/api/") || path.starts_with("/v1/") || path == "/api";
    if request.method() == Method::GET && !api && wants_html(request.headers()) {
        page()
    } else {
        meta::not_found().await.into_response()
    }
}

/// Whether the client is a browser asking for a page: browsers name `text/html` in
/// `Accept`; devices (reqwest, no `Accept`) and scripts (`*/*`, `application/json`) do not.
fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get_all(ACCEPT)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .any(|value| value.contains("text/html"))
}

fn page() -> Response {
    let (status, body) = match WebAssets::get(PAGE) {
        Some(file) => (StatusCode::OK, Body::from(file.data.into_owned())),
        None => (StatusCode::SERVICE_UNAVAILABLE, Body::from(NOT_BUILT)),
    };
    html(status, body, CSP)
}

/// An HTML page under `csp`, never framed, asked for again on every load: it names the
/// current hashed assets.
pub(crate) fn html(status: StatusCode, body: Body, csp: &'static str) -> Response {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(csp));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    response
}

/// What a server built without the web answers a browser.
pub(crate) const NOT_BUILT: &str = "<!doctype html><meta charset=utf-8><title>Simpul</title>\
<p>This simpul-server was built without its web pages. Build them with \
<code>npm run build</code> in <code>ui/</code> (or <code>scripts/test</code>), then build \
simpul-server again.</p>";

pub(crate) fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, ext)| ext) {
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("html") => "text/html; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("woff2") => "font/woff2",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accepting(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn a_browser_asks_for_html_and_a_script_or_device_does_not() {
        let chromium = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
        assert!(wants_html(&accepting(chromium)));
        assert!(!wants_html(&accepting("*/*")));
        assert!(!wants_html(&accepting("application/json")));
        assert!(!wants_html(&HeaderMap::new()));
    }

    #[test]
    fn scripts_and_styles_are_served_with_their_types() {
        assert_eq!(
            content_type("web-ZBXT8QL3.js"),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(content_type("web-2iEWja6O.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("README"), "application/octet-stream");
    }
}
