//! A unit's results for the public: hidden until someone deciding for the unit shows them,
//! then readable with no sign-in — the unit report's figures and never a respondent's words.

use reqwest::StatusCode;
use serde_json::{Value, json};
use simpul_server::materialise;
use simpul_server::people::Role;

use crate::helpers::{Sheet, SyncRequest, json as json_of, spawn_app};
use crate::people::{add, call, sign_in};

const SARAN: &str = "<script>alert('rahasia')</script> loket 3 lambat";

#[tokio::test]
async fn a_unit_publishes_its_results_by_choice_and_never_a_respondents_words() {
    let app = spawn_app().await;
    let tablet = app.device("U-A", "tablet").await;
    let mut ids = Vec::new();
    for (score, saran) in [(4, Some(SARAN)), (3, None)] {
        let sheet = Sheet {
            saran,
            by: "Enumerator Ani",
            ..Sheet::new("U-A", score)
        };
        let (id, entries) = sheet.entries();
        app.sync(&tablet, SyncRequest::new().push(&entries))
            .await
            .ok();
        ids.push(id);
    }
    materialise::catch_up(app.storage.as_ref()).unwrap();
    add(&app, "Rina", Role::Supervisor, None, &["U-A"]);
    add(&app, "Vera", Role::Viewer, None, &["U-A"]);
    let (rina, vera) = (sign_in(&app, "Rina").await, sign_in(&app, "Vera").await);
    let public = "/api/v1/public/U-A?period=2026-S2";
    let show = |cookie: String, on: bool| {
        let app = &app;
        async move {
            call(
                app,
                "POST",
                "/api/v1/units/U-A/public",
                Some(&cookie),
                Some(json!({"public": on})),
            )
            .await
            .status()
        }
    };

    assert_eq!(
        call(&app, "GET", public, None, None).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        call(&app, "GET", "/api/v1/public/U-NONE", None, None)
            .await
            .status(),
        StatusCode::NOT_FOUND,
        "a unit that does not exist is answered alike"
    );
    assert_eq!(show(vera.clone(), true).await, StatusCode::FORBIDDEN);
    assert_eq!(
        call(&app, "GET", public, None, None).await.status(),
        StatusCode::NOT_FOUND
    );

    assert_eq!(show(rina.clone(), true).await, StatusCode::NO_CONTENT);
    let response = call(&app, "GET", public, None, None).await;
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.unwrap();
    let published: Value = serde_json::from_str(&text).unwrap();
    let report: Value = json_of(
        call(
            &app,
            "GET",
            "/api/v1/units/U-A/report?period=2026-S2",
            Some(&rina),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(published["report"], report, "the unit report's figures");
    assert_eq!(published["report"]["n"], 2);
    assert_eq!(published["period"], "2026-S2");
    assert!(
        published["method"]["id"]
            .as_str()
            .unwrap()
            .contains("PermenPANRB")
    );
    for secret in ["rahasia", "loket 3", "Enumerator Ani", &ids[0].to_string()] {
        assert!(
            !text.contains(secret),
            "{secret:?} is not published: {text}"
        );
    }
    let units: Value = json_of(call(&app, "GET", "/api/v1/units", Some(&vera), None).await).await;
    assert_eq!(units[0]["public"], true);

    assert_eq!(show(rina, false).await, StatusCode::NO_CONTENT);
    assert_eq!(
        call(&app, "GET", public, None, None).await.status(),
        StatusCode::NOT_FOUND
    );
}
