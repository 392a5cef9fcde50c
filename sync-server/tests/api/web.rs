//! The supervisors' web on `/`: the page for browsers, the JSON for devices and scripts,
//! client-side routes falling back to the page, hashed assets cached for a year.

use std::path::Path;

use reqwest::StatusCode;
use reqwest::header::ACCEPT;
use serde_json::Value;

use crate::helpers::{TestApp, assert_error, json, spawn_app};

const BROWSER: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

/// Whether this build embedded the web (`ui/dist-web` existed when it compiled).
fn web_built() -> bool {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../ui/dist-web/web.html")
        .exists()
}

async fn browse(app: &TestApp, path: &str) -> reqwest::Response {
    app.client
        .get(format!("{}{path}", app.address))
        .header(ACCEPT, BROWSER)
        .send()
        .await
        .unwrap()
}

fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

#[tokio::test]
async fn the_root_answers_devices_and_scripts_in_json_and_a_browser_with_the_page() {
    let app = spawn_app().await;
    for accept in [None, Some("*/*"), Some("application/json")] {
        let mut request = app.client.get(&app.address);
        if let Some(accept) = accept {
            request = request.header(ACCEPT, accept);
        }
        let about: Value = json(request.send().await.unwrap()).await;
        assert_eq!(about["name"], "simpul-server", "Accept {accept:?}");
    }

    let page = browse(&app, "/").await;
    let expected = if web_built() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    assert_eq!(page.status(), expected);
    assert!(header(&page, "content-type").starts_with("text/html"));
    assert!(header(&page, "content-security-policy").contains("script-src 'self'"));
    assert_eq!(header(&page, "cache-control"), "no-cache");
    let html = page.text().await.unwrap();
    assert!(html.contains("<!doctype html>"), "{html}");
}

#[tokio::test]
async fn a_client_side_route_gets_the_page_but_unknown_api_addresses_keep_their_json_404() {
    let app = spawn_app().await;
    let route = browse(&app, "/unit/U-CAPIL/review").await;
    assert!(header(&route, "content-type").starts_with("text/html"));

    let api = browse(&app, "/api/v1/nothing-here").await;
    assert_error(api, StatusCode::NOT_FOUND, "not_found").await;
    let sync = browse(&app, "/v1/nothing-here").await;
    assert_error(sync, StatusCode::NOT_FOUND, "not_found").await;
    let script = app
        .client
        .get(format!("{}/unit/U-CAPIL", app.address))
        .send()
        .await
        .unwrap();
    assert_error(script, StatusCode::NOT_FOUND, "not_found").await;
    let missing = browse(&app, "/assets/nothing-here.js").await;
    assert_error(missing, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn the_pages_assets_are_served_with_their_type_and_cached_for_a_year() {
    if !web_built() {
        eprintln!("ui/dist-web was not built: nothing embedded to check");
        return;
    }
    let app = spawn_app().await;
    let html = browse(&app, "/").await.text().await.unwrap();
    let script = html
        .split('"')
        .find(|part| part.starts_with("/assets/") && part.ends_with(".js"))
        .unwrap_or_else(|| panic!("no script in {html}"))
        .to_string();
    let response = browse(&app, &script).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        header(&response, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert!(header(&response, "content-type").starts_with("text/javascript"));
    assert!(!response.bytes().await.unwrap().is_empty());
}

/// The page, its script and its styles as a browser first loads them: gzip-compressed, and
/// together under the 300 KB a district office's slow link can afford.
#[tokio::test]
async fn the_first_load_is_compressed_and_weighs_under_300_kb() {
    if !web_built() {
        eprintln!("ui/dist-web was not built: nothing embedded to check");
        return;
    }
    let app = spawn_app().await;
    let fetch = |path: String, gzip: bool| {
        let app = &app;
        async move {
            let mut request = app
                .client
                .get(format!("{}{path}", app.address))
                .header(ACCEPT, BROWSER);
            if gzip {
                request = request.header("accept-encoding", "gzip");
            }
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            let encoding = header(&response, "content-encoding");
            (encoding, response.bytes().await.unwrap().len())
        }
    };
    let html = browse(&app, "/").await.text().await.unwrap();
    let mut paths = vec!["/".to_string()];
    paths.extend(
        html.split('"')
            .filter(|part| part.starts_with("/assets/"))
            .map(str::to_string),
    );
    assert!(
        paths.len() >= 3,
        "the page, its script and styles: {paths:?}"
    );
    let mut total = 0;
    for path in paths {
        let (encoding, compressed) = fetch(path.clone(), true).await;
        let (plain_encoding, plain) = fetch(path.clone(), false).await;
        assert_eq!(
            plain_encoding, "",
            "{path} is sent as is to whoever does not ask"
        );
        if plain > 1024 {
            assert_eq!(encoding, "gzip", "{path}");
            assert!(compressed < plain, "{path}: {compressed} ≥ {plain}");
        }
        total += compressed;
    }
    eprintln!("first load: {total} bytes compressed");
    assert!(total < 300 * 1024, "first load {total} bytes");
}
