//! The supervisors' overview over HTTP, on responses pushed by real devices: each person
//! sees their own units ranked, what waits for them, their devices (a silent one marked) and
//! responses per day, and the figures agree with each unit's own report. Then what empties
//! "waiting": approving a page of the review queue at once.

use chrono::{Local, TimeDelta, TimeZone, Utc};
use rusqlite::Connection;
use serde_json::{Value, json};
use simpul_server::admin;
use simpul_server::materialise;
use simpul_server::people::Role;
use simpul_server::unit_document::UnitSettings;

use crate::helpers::{Sheet, SyncRequest, TestApp, TestDevice, json as json_of, spawn_app};
use crate::people::{add, call, sign_in};

fn add_unit(app: &TestApp, code: &str) {
    let settings = UnitSettings {
        period: Some(simpul_server::model::PeriodCode::parse("2026-S2").unwrap()),
        population: Some(10),
        ..UnitSettings::default()
    };
    admin::add_unit_in(
        app.storage.as_ref(),
        code,
        &format!("Unit {code}"),
        None,
        settings,
        Utc::now(),
    )
    .unwrap();
}

async fn push(app: &TestApp, device: &TestDevice, entries: &[simpul_protocol::Entry]) {
    app.sync(device, SyncRequest::new().push(entries))
        .await
        .ok();
}

async fn get(app: &TestApp, cookie: &str, path: &str) -> Value {
    let response = call(app, "GET", path, Some(cookie), None).await;
    assert_eq!(response.status(), 200, "GET {path}");
    json_of(response).await
}

fn unit<'a>(overview: &'a Value, code: &str) -> &'a Value {
    overview["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit"] == code)
        .unwrap_or_else(|| panic!("{code} in {overview}"))
}

#[tokio::test]
async fn a_supervisor_sees_their_units_ranked_with_what_waits_their_devices_and_the_days() {
    let app = spawn_app().await;
    for code in ["U-A", "U-B", "U-LAIN"] {
        add_unit(&app, code);
    }
    let a1 = app.device("U-A", "tablet-a1").await;
    let a2 = app.device("U-A", "tablet-a2").await;
    let b1 = app.device("U-B", "tablet-b1").await;
    let other = app.device("U-LAIN", "tablet-lain").await;
    let day = |d| {
        Local
            .with_ymd_and_hms(2026, 3, d, 10, 0, 0)
            .unwrap()
            .with_timezone(&Utc)
    };

    // U-A: two fours on 1 March, a three on 2 March, and a sheet typed twice that disagrees
    // on U1 (a conflict). U-B: one two. U-LAIN, outside the supervisor's units: one four.
    for (score, d) in [(4, 1), (4, 1), (3, 2)] {
        push(
            &app,
            &a1,
            &Sheet {
                at: day(d),
                ..Sheet::new("U-A", score)
            }
            .entries()
            .1,
        )
        .await;
    }
    let (_, one, two) = Sheet {
        at: day(2),
        ..Sheet::new("U-A", 3)
    }
    .disputed("U1", 1, 2);
    push(&app, &a1, &one).await;
    push(&app, &a2, &two).await;
    push(
        &app,
        &b1,
        &Sheet {
            at: day(2),
            ..Sheet::new("U-B", 2)
        }
        .entries()
        .1,
    )
    .await;
    push(&app, &other, &Sheet::new("U-LAIN", 4).entries().1).await;
    // A third tablet of U-A, enrolled ten days ago and never synced since.
    let quiet = app.device("U-A", "tablet-lama").await;
    let conn = Connection::open(app.storage_dir().join(simpul_server::storage::FILE_NAME)).unwrap();
    let long_ago =
        (Utc::now() - TimeDelta::days(10)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    conn.execute(
        "UPDATE devices SET enrolled_at = ?2 WHERE id = ?1",
        [quiet.id.to_string(), long_ago],
    )
    .unwrap();
    materialise::catch_up(app.storage.as_ref()).unwrap();

    add(&app, "Rina", Role::Supervisor, None, &["U-A", "U-B"]);
    let rina = sign_in(&app, "Rina").await;
    let overview = get(&app, &rina, "/api/v1/overview?period=2026-S2").await;

    let codes: Vec<&str> = overview["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["unit"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        ["U-A", "U-B"],
        "ranked by IKM, and only Rina's units"
    );
    let a = unit(&overview, "U-A");
    assert_eq!((a["rank"].clone(), a["n"].clone()), (json!(1), json!(4)));
    assert_eq!(
        (a["waiting"].clone(), a["conflicted"].clone()),
        (json!(4), json!(1))
    );
    assert_eq!(a["silent_devices"], 1);
    assert_eq!(
        (a["target"].clone(), a["target_met"].clone()),
        (json!(10), json!(false))
    );
    let report = get(&app, &rina, "/api/v1/units/U-A/report?period=2026-S2").await;
    assert_eq!(
        a["ikm"], report["ikm"],
        "the overview's IKM is the unit report's"
    );
    assert_eq!(unit(&overview, "U-B")["rank"], 2);
    assert_eq!(
        overview["pooled"]["n"], 5,
        "U-LAIN's response is not pooled in"
    );

    let days: Vec<(String, u64)> = overview["per_day"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["day"].as_str().unwrap().to_string(),
                d["n"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        days,
        [("2026-03-01".to_string(), 2), ("2026-03-02".to_string(), 3)]
    );

    let devices: Vec<(String, bool, bool)> = overview["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["name"].as_str().unwrap().to_string(),
                d["last_sync_at"].is_string(),
                d["silent"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        devices,
        [
            ("tablet-a1".to_string(), true, false),
            ("tablet-a2".to_string(), true, false),
            ("tablet-lama".to_string(), false, true),
            ("tablet-b1".to_string(), true, false),
        ]
    );

    // A supervisor's approval leaves one fewer waiting; a rejection takes it out of n too.
    let queue = get(&app, &rina, "/api/v1/units/U-A/responses?period=2026-S2").await;
    let ids: Vec<String> = queue
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert!(ids.len() >= 2, "the review queue lists U-A's responses");
    for (id, body) in [
        (&ids[0], json!({"state": "approved"})),
        (
            &ids[1],
            json!({"state": "rejected", "note": "lembar rusak"}),
        ),
    ] {
        let path = format!("/api/v1/responses/{id}/review");
        let response = call(&app, "POST", &path, Some(&rina), Some(body)).await;
        assert_eq!(response.status(), 204);
    }
    materialise::catch_up(app.storage.as_ref()).unwrap();
    let after = get(&app, &rina, "/api/v1/overview?period=2026-S2").await;
    let a = unit(&after, "U-A");
    assert_eq!((a["n"].clone(), a["waiting"].clone()), (json!(3), json!(2)));
}

#[tokio::test]
async fn a_device_that_syncs_is_marked_once_and_not_written_again_at_every_pull() {
    let app = spawn_app().await;
    add_unit(&app, "U-A");
    let tablet = app.device("U-A", "tablet").await;
    let last_sync = || {
        app.storage
            .devices()
            .unwrap()
            .into_iter()
            .find(|d| d.name == "tablet")
            .unwrap()
            .last_sync_at
    };
    assert_eq!(last_sync(), None, "enrolled, not yet synced");
    let before = Utc::now();
    app.sync(&tablet, SyncRequest::new()).await.ok();
    let first = last_sync().expect("marked by its first sync");
    assert!(first >= before - TimeDelta::seconds(1));
    app.sync(&tablet, SyncRequest::new()).await.ok();
    assert_eq!(
        last_sync(),
        Some(first),
        "a pull a moment later writes nothing"
    );
}

#[tokio::test]
async fn a_page_of_the_queue_is_approved_at_once_or_not_at_all_and_devices_receive_it() {
    let app = spawn_app().await;
    add_unit(&app, "U-A");
    add_unit(&app, "U-B");
    let tablet = app.device("U-A", "tablet-a").await;
    let other = app.device("U-B", "tablet-b").await;
    let mut ids = Vec::new();
    for score in [4, 3, 2] {
        let (id, entries) = Sheet::new("U-A", score).entries();
        push(&app, &tablet, &entries).await;
        ids.push(id);
    }
    let (foreign, entries) = Sheet::new("U-B", 4).entries();
    push(&app, &other, &entries).await;
    let cursor = app.sync(&tablet, SyncRequest::new()).await.ok().cursor;
    materialise::catch_up(app.storage.as_ref()).unwrap();
    add(&app, "Rina", Role::Supervisor, None, &["U-A", "U-B"]);
    add(&app, "Vera", Role::Viewer, None, &["U-A"]);
    let (rina, vera) = (sign_in(&app, "Rina").await, sign_in(&app, "Vera").await);
    let path = "/api/v1/units/U-A/responses/review";
    let post = |cookie: &str, body: Value| {
        let cookie = cookie.to_string();
        let app = &app;
        async move { call(app, "POST", path, Some(&cookie), Some(body)).await }
    };
    let waiting =
        || async { unit(&get(&app, &rina, "/api/v1/overview").await, "U-A")["waiting"].clone() };
    let held = app.change_count();

    // Refused, changing nothing: a viewer; a list holding another unit's response; a
    // rejection without a note; no responses at all.
    let approve = |ids: &[uuid::Uuid]| json!({"ids": ids, "state": "approved"});
    assert_eq!(post(&vera, approve(&ids)).await.status(), 403);
    let mixed: Vec<_> = ids.iter().copied().chain([foreign]).collect();
    let refused = post(&rina, approve(&mixed)).await;
    assert_eq!(refused.status(), 400);
    let body: Value = json_of(refused).await;
    assert!(
        body.to_string().contains(&foreign.to_string()),
        "names the response: {body}"
    );
    let reject = json!({"ids": ids, "state": "rejected"});
    assert_eq!(post(&rina, reject).await.status(), 400);
    assert_eq!(post(&rina, approve(&[])).await.status(), 400);
    assert_eq!(app.change_count(), held, "nothing was written");
    assert_eq!(waiting().await, 3);

    let approved = post(&rina, approve(&ids)).await;
    assert_eq!(approved.status(), 200);
    assert_eq!(json_of::<Value>(approved).await["reviewed"], 3);
    assert_eq!(waiting().await, 0);
    let again = post(&rina, approve(&ids)).await;
    assert_eq!(
        json_of::<Value>(again).await["reviewed"],
        0,
        "already approved: no change"
    );
    assert_eq!(app.change_count(), held + 3);

    // The tablet's next sync brings one change per approved response.
    let pulled = app
        .sync(&tablet, SyncRequest::new().cursor(cursor))
        .await
        .ok();
    let mut docs: Vec<_> = pulled.entries.iter().map(|e| e.doc).collect();
    docs.sort();
    let mut expected = ids.clone();
    expected.sort();
    assert_eq!(docs, expected);
}
