//! A unit's devices and settings on the web API: the device list with last syncs, a new
//! enrolment code, the active period and population (which devices receive by sync), and
//! revoking a device — each for those who decide for the unit, readable by its viewers.

use reqwest::StatusCode;
use serde_json::{Value, json};
use simpul_document::config;
use simpul_server::people::Role;

use crate::helpers::{SyncRequest, json as json_of, spawn_app};
use crate::people::{add, call, sign_in};

#[tokio::test]
async fn a_supervisor_enrols_configures_and_revokes_the_units_devices() {
    let app = spawn_app().await;
    let tablet = app.device("U-A", "tablet").await;
    app.add_unit("U-B");
    let cursor = app.sync(&tablet, SyncRequest::new()).await.ok().cursor;
    add(&app, "Rina", Role::Supervisor, None, &["U-A"]);
    add(&app, "Vera", Role::Viewer, None, &["U-A"]);
    add(&app, "Oki", Role::Supervisor, None, &["U-B"]);
    let (rina, vera, oki) = (
        sign_in(&app, "Rina").await,
        sign_in(&app, "Vera").await,
        sign_in(&app, "Oki").await,
    );
    let names = |devices: Value| -> Vec<String> {
        devices
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["name"].as_str().unwrap().to_string())
            .collect()
    };
    let devices = "/api/v1/units/U-A/devices";
    let listed = json_of::<Value>(call(&app, "GET", devices, Some(&vera), None).await).await;
    assert_eq!(names(listed.clone()), ["tablet"]);
    assert!(listed[0]["last_sync_at"].is_string());
    assert_eq!(
        call(&app, "GET", devices, Some(&oki), None).await.status(),
        404
    );

    // A code for a new tablet, which enrols with it once.
    let issue = "/api/v1/units/U-A/enrolment-code";
    assert_eq!(
        call(&app, "POST", issue, Some(&vera), Some(json!({})))
            .await
            .status(),
        403
    );
    let issued: Value =
        json_of(call(&app, "POST", issue, Some(&rina), Some(json!({}))).await).await;
    let code = issued["code"].as_str().unwrap();
    assert_eq!(app.enrol(code, "tablet-baru").await.status(), 200);
    assert_ne!(
        app.enrol(code, "tablet-lain").await.status(),
        200,
        "a code enrols once"
    );
    let listed = json_of::<Value>(call(&app, "GET", devices, Some(&rina), None).await).await;
    assert_eq!(names(listed), ["tablet", "tablet-baru"]);

    // The active period and population reach the tablet as a change of the unit's
    // configuration; a period that is no code is refused and changes nothing.
    let settings = "/api/v1/units/U-A/settings";
    let bad = call(
        &app,
        "POST",
        settings,
        Some(&rina),
        Some(json!({"period": "triwulan 1!"})),
    )
    .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert!(
        app.sync(&tablet, SyncRequest::new().cursor(cursor))
            .await
            .ok()
            .entries
            .is_empty()
    );
    let set = json!({"period": "2026-TW1", "population": 200});
    assert_eq!(
        call(&app, "POST", settings, Some(&vera), Some(set.clone()))
            .await
            .status(),
        403
    );
    let changed: Value =
        json_of(call(&app, "POST", settings, Some(&rina), Some(set.clone())).await).await;
    assert_eq!(changed["changed"], true);
    let again: Value = json_of(call(&app, "POST", settings, Some(&rina), Some(set)).await).await;
    assert_eq!(again["changed"], false, "the same settings write nothing");
    let pulled = app
        .sync(&tablet, SyncRequest::new().cursor(cursor))
        .await
        .ok();
    let configuration = config::unit_document_id("U-A");
    assert!(!pulled.entries.is_empty());
    assert!(pulled.entries.iter().all(|e| e.doc == configuration));
    let overview: Value =
        json_of(call(&app, "GET", "/api/v1/overview", Some(&rina), None).await).await;
    assert_eq!(overview["units"][0]["period"], "2026-TW1");
    assert_eq!(
        overview["units"][0]["target"],
        simpul_survey::krejcie_morgan(200)
    );

    // Revoked: the tablet is refused from its next request on.
    let id = &tablet.id;
    let revoke = format!("/api/v1/devices/{id}/revoke");
    let anonymous = call(&app, "POST", &revoke, None, Some(json!({}))).await;
    assert_eq!(anonymous.status(), 401);
    assert_eq!(
        call(&app, "POST", &revoke, Some(&vera), Some(json!({})))
            .await
            .status(),
        403
    );
    assert_eq!(
        call(&app, "POST", &revoke, Some(&oki), Some(json!({})))
            .await
            .status(),
        404
    );
    assert_eq!(
        call(&app, "POST", &revoke, Some(&rina), Some(json!({})))
            .await
            .status(),
        204
    );
    assert_eq!(
        app.sync(&tablet, SyncRequest::new()).await.status,
        StatusCode::UNAUTHORIZED
    );
    let listed = json_of::<Value>(call(&app, "GET", devices, Some(&rina), None).await).await;
    assert_eq!(names(listed), ["tablet-baru"]);
}
