//! What a unit's page shows beside its report (results per service, the profile table, the
//! trend), the respondents' suggestions and their follow-up, the active period set for a
//! whole instansi, the enrolment QR code, and the queue's exports — over HTTP, as the web
//! asks for them.

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use serde_json::{Value, json};
use simpul_server::people::Role;
use uuid::Uuid;

use crate::helpers::{Sheet, SyncRequest, TestApp, spawn_app};
use crate::people::{add, call, sign_in};

/// Pushes `sheets` from a new tablet of their unit and materialises them.
async fn push(app: &TestApp, unit: &str, sheets: &[Sheet<'_>]) -> Vec<Uuid> {
    let tablet = app
        .device(unit, &format!("tablet-{}", Uuid::now_v7()))
        .await;
    let mut ids = Vec::new();
    let mut entries = Vec::new();
    for sheet in sheets {
        let (id, mut e) = sheet.entries();
        ids.push(id);
        entries.append(&mut e);
    }
    app.sync(&tablet, SyncRequest::new().push(&entries))
        .await
        .ok();
    simpul_server::materialise::catch_up(app.storage.as_ref()).unwrap();
    ids
}

pub(crate) async fn get(app: &TestApp, cookie: &str, path: &str) -> Value {
    let response = call(app, "GET", path, Some(cookie), None).await;
    assert_eq!(response.status(), StatusCode::OK, "GET {path}");
    response.json().await.unwrap()
}

fn sheet<'a>(period: &'a str, score: i64, answers: Vec<(&'a str, &'a str)>) -> Sheet<'a> {
    Sheet {
        period,
        answers,
        ..Sheet::new("U-CAPIL", score)
    }
}

#[tokio::test]
async fn the_unit_page_counts_per_service_and_profile_as_the_report_does_and_trends_by_period() {
    let app = spawn_app().await;
    push(
        &app,
        "U-CAPIL",
        &[
            sheet("2026-S1", 2, vec![("layanan", "KTP")]),
            sheet(
                "2026-S2",
                4,
                vec![("layanan", "KTP"), ("jenis_kelamin", "P")],
            ),
            sheet(
                "2026-S2",
                3,
                vec![("layanan", "KTP"), ("jenis_kelamin", "P")],
            ),
            sheet(
                "2026-S2",
                2,
                vec![("layanan", "Akta"), ("jenis_kelamin", "L")],
            ),
            sheet("2026-S2", 1, vec![("pendidikan", "Lainnya sekali")]),
        ],
    )
    .await;
    add(&app, "Vera", Role::Viewer, None, &["U-CAPIL"]);
    let vera = sign_in(&app, "Vera").await;

    let summary = get(&app, &vera, "/api/v1/units/U-CAPIL/summary?period=2026-S2").await;
    assert_eq!(summary["periods"], json!(["2026-S1", "2026-S2"]));

    // Each service's line is the report filtered to that service, by most respondents.
    let services = summary["services"].as_array().unwrap();
    let names: Vec<&str> = services
        .iter()
        .map(|s| s["service"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["KTP", "Akta"]);
    for line in services {
        let service = line["service"].as_str().unwrap();
        let report = get(
            &app,
            &vera,
            &format!("/api/v1/units/U-CAPIL/report?period=2026-S2&service={service}"),
        )
        .await;
        assert_eq!(line["n"], report["n"], "{service}");
        assert_eq!(line["ikm"], report["ikm"], "{service}");
        assert_eq!(line["grade"], report["grade"], "{service}");
        let nrr: Vec<Value> = report["unsur"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| json!([u["id"], u["nrr"]]))
            .collect();
        assert_eq!(line["nrr"], json!(nrr), "{service}");
    }
    assert_eq!(services[0]["n"], 2);
    assert_eq!(services[0]["ikm"], 87.5);

    // The profile: every option in the form's order, others after, then the unanswered.
    let gender = &summary["profile"][0];
    assert_eq!(gender["name"], "Jenis kelamin");
    assert_eq!(
        gender["rows"],
        json!([
            {"name": "Laki-laki", "name_en": "Male", "count": 1},
            {"name": "Perempuan", "name_en": "Female", "count": 2},
            {"name": "Tidak diisi", "name_en": "Not answered", "count": 1},
        ])
    );
    let education = summary["profile"][1]["rows"].as_array().unwrap();
    let other = education
        .iter()
        .find(|row| row["name"] == "Lainnya sekali")
        .unwrap();
    assert_eq!(other["count"], 1);
    assert!(
        education
            .iter()
            .any(|row| row["name"] == "Tidak diisi" && row["count"] == 3)
    );
    for characteristic in summary["profile"].as_array().unwrap() {
        let total: u64 = characteristic["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["count"].as_u64().unwrap())
            .sum();
        assert_eq!(total, 4, "{}", characteristic["name"]);
    }

    // The trend: each period's IKM as its own report gives it.
    let trend = summary["trend"].as_array().unwrap();
    assert_eq!(trend.len(), 2);
    for line in trend {
        let period = line["period"].as_str().unwrap();
        let report = get(
            &app,
            &vera,
            &format!("/api/v1/units/U-CAPIL/report?period={period}"),
        )
        .await;
        assert_eq!(
            (&line["n"], &line["ikm"]),
            (&report["n"], &report["ikm"]),
            "{period}"
        );
    }
    assert_eq!(trend[0]["ikm"], 50.0);
    // A trend ends at the chosen period.
    let earlier = get(&app, &vera, "/api/v1/units/U-CAPIL/summary?period=2026-S1").await;
    assert_eq!(earlier["trend"].as_array().unwrap().len(), 1);
    // An empty filter field means no filter: every period's responses.
    let all = get(
        &app,
        &vera,
        "/api/v1/units/U-CAPIL/summary?period=&service=",
    )
    .await;
    assert_eq!(all["services"][0]["n"], 3);
}

#[tokio::test]
async fn suggestions_are_searched_marked_by_a_supervisor_and_linked_only_to_an_rtl_item_that_exists()
 {
    let app = spawn_app().await;
    app.add_unit("U-RSUD");
    let saran = |period, text| Sheet {
        period,
        saran: Some(text),
        ..Sheet::new("U-CAPIL", 3)
    };
    let ids = push(
        &app,
        "U-CAPIL",
        &[
            Sheet {
                answers: vec![("tanggal", "2026-11-02")],
                ..saran("2026-S2", "Antrean terlalu PANJANG")
            },
            saran("2026-S2", "<script>alert(1)</script>"),
            saran("2026-S2", "Petugas ramah"),
            saran("2026-S1", "Parkir sempit, antrean lama"),
            Sheet::new("U-CAPIL", 3),
        ],
    )
    .await;
    let other_unit = push(
        &app,
        "U-RSUD",
        &[Sheet {
            saran: Some("Dokter telat"),
            ..Sheet::new("U-RSUD", 2)
        }],
    )
    .await[0];
    add(&app, "Rina", Role::Supervisor, None, &["U-CAPIL"]);
    add(&app, "Vera", Role::Viewer, None, &["U-CAPIL"]);
    let rina = sign_in(&app, "Rina").await;
    let vera = sign_in(&app, "Vera").await;

    let list = get(&app, &vera, "/api/v1/units/U-CAPIL/saran").await;
    let texts: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts.len(), 4, "{texts:?}");
    assert!(
        texts.contains(&"<script>alert(1)</script>"),
        "verbatim: {texts:?}"
    );
    let found = get(&app, &vera, "/api/v1/units/U-CAPIL/saran?q=antrean").await;
    assert_eq!(found.as_array().unwrap().len(), 2, "ignoring case: {found}");
    let found = get(
        &app,
        &vera,
        "/api/v1/units/U-CAPIL/saran?q=antrean&period=2026-S2",
    )
    .await;
    assert_eq!(found[0]["text"], "Antrean terlalu PANJANG");
    assert_eq!(
        found[0]["survey_date"], "2026-11-02",
        "the date the questionnaire gives: {found}"
    );
    let petugas = get(&app, &vera, "/api/v1/units/U-CAPIL/saran?q=petugas").await;
    assert_eq!(
        petugas[0]["survey_date"],
        Value::Null,
        "none given: {petugas}"
    );

    let mark = |id: Uuid, body: Value, cookie: String| {
        let app = &app;
        async move {
            call(
                app,
                "POST",
                &format!("/api/v1/units/U-CAPIL/saran/{id}"),
                Some(&cookie),
                Some(body),
            )
            .await
        }
    };
    // A viewer reads only; a response without a suggestion, or of another unit, is unknown.
    let viewer = mark(ids[0], json!({"followed_up": true}), vera.clone()).await;
    assert_eq!(viewer.status(), StatusCode::FORBIDDEN);
    for id in [ids[4], other_unit, Uuid::now_v7()] {
        let status = mark(id, json!({"followed_up": true}), rina.clone())
            .await
            .status();
        assert_eq!(status, StatusCode::NOT_FOUND, "{id}");
    }
    // No RTL yet: linking is refused in words, and nothing is stored.
    let refused = mark(
        ids[0],
        json!({"followed_up": true, "rtl_item": 1}),
        rina.clone(),
    )
    .await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let message = refused.json::<Value>().await.unwrap()["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.contains("rtl_item") && message.contains("no follow-up plan"),
        "{message}"
    );
    let unchanged = get(&app, &vera, "/api/v1/units/U-CAPIL/saran?period=2026-S2").await;
    assert!(
        unchanged
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["followed_up"] == false && s["changed"].is_null())
    );

    let plan = json!({"items": [
        {"unsur": "U3", "program": "Loket tambahan", "quarters": ["II"], "responsible": "Kasi"},
        {"unsur": "U5", "program": "Pelatihan petugas", "quarters": ["III"], "responsible": "Kabid"},
    ]});
    let put = call(
        &app,
        "PUT",
        "/api/v1/units/U-CAPIL/plan?period=2026-S2",
        Some(&rina),
        Some(plan),
    )
    .await;
    assert_eq!(put.status(), StatusCode::OK);
    let too_far = mark(ids[0], json!({"rtl_item": 3}), rina.clone()).await;
    assert_eq!(too_far.status(), StatusCode::BAD_REQUEST);
    let done = mark(
        ids[0],
        json!({"followed_up": true, "rtl_item": 2}),
        rina.clone(),
    )
    .await;
    assert_eq!(done.status(), StatusCode::NO_CONTENT);
    // The 2026-S1 suggestion belongs to a period without a plan.
    let earlier = mark(ids[3], json!({"rtl_item": 1}), rina.clone()).await;
    assert_eq!(earlier.status(), StatusCode::BAD_REQUEST);

    let list = get(&app, &vera, "/api/v1/units/U-CAPIL/saran").await;
    let marked: Vec<&Value> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["changed"].is_object())
        .collect();
    assert_eq!(marked.len(), 1, "{list}");
    assert_eq!(marked[0]["response"], ids[0].to_string());
    assert_eq!(
        (
            marked[0]["followed_up"].clone(),
            marked[0]["rtl_item"].clone()
        ),
        (json!(true), json!(2))
    );
    assert_eq!(marked[0]["changed"]["by"], "Rina");

    // A rejected response's suggestion leaves the list, as it leaves the report.
    let reject = json!({"state": "rejected", "note": "kuesioner ganda"});
    let review = call(
        &app,
        "POST",
        &format!("/api/v1/responses/{}/review", ids[2]),
        Some(&rina),
        Some(reject),
    )
    .await;
    assert_eq!(review.status(), StatusCode::NO_CONTENT);
    simpul_server::materialise::catch_up(app.storage.as_ref()).unwrap();
    let list = get(&app, &vera, "/api/v1/units/U-CAPIL/saran").await;
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .all(|s| s["text"] != "Petugas ramah"),
        "{list}"
    );
}

#[tokio::test]
async fn an_instansis_active_period_is_set_for_its_units_in_the_persons_scope_only() {
    let app = spawn_app().await;
    for code in ["U-CAPIL", "U-RSUD", "U-LAIN"] {
        app.add_unit(code);
    }
    for code in ["U-CAPIL", "U-RSUD"] {
        simpul_server::admin::set_instansi(app.storage.as_ref(), code, Some("Kota Contoh"))
            .unwrap();
    }
    add(&app, "Kota", Role::Supervisor, Some("Kota Contoh"), &[]);
    add(&app, "Rina", Role::Supervisor, None, &["U-CAPIL"]);
    add(&app, "Oki", Role::Supervisor, None, &["U-LAIN"]);
    add(&app, "Vera", Role::Viewer, Some("Kota Contoh"), &[]);
    add(&app, "Adi", Role::Admin, None, &[]);
    let path = "/api/v1/instansi/Kota%20Contoh/period";
    let set = |who: String, body: Value| {
        let app = &app;
        async move { call(app, "POST", path, Some(&who), Some(body)).await }
    };
    let periods = || async {
        let overview = get(&app, &sign_in(&app, "Adi").await, "/api/v1/overview").await;
        let mut lines: Vec<(String, Value)> = overview["units"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| (u["unit"].as_str().unwrap().to_string(), u["period"].clone()))
            .collect();
        lines.sort_by(|a, b| a.0.cmp(&b.0));
        lines
    };
    let before = periods().await;

    let bad = set(
        sign_in(&app, "Kota").await,
        json!({"period": "semester satu"}),
    )
    .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        set(sign_in(&app, "Vera").await, json!({"period": "2027-S1"}))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        set(sign_in(&app, "Oki").await, json!({"period": "2027-S1"}))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(periods().await, before, "a refused request changes nothing");

    // A supervisor of one unit of the instansi sets it for that unit only.
    let rina = set(sign_in(&app, "Rina").await, json!({"period": "2027-S1"})).await;
    assert_eq!(
        rina.json::<Value>().await.unwrap()["changed"],
        json!(["U-CAPIL"])
    );
    let whole = set(sign_in(&app, "Kota").await, json!({"period": "2027-S1"})).await;
    assert_eq!(whole.status(), StatusCode::OK);
    assert_eq!(
        whole.json::<Value>().await.unwrap()["changed"],
        json!(["U-RSUD"])
    );
    let after = periods().await;
    let period_of = |lines: &[(String, Value)], unit: &str| {
        lines
            .iter()
            .find(|(u, _)| u == unit)
            .map(|(_, p)| p.clone())
            .unwrap()
    };
    assert_eq!(period_of(&after, "U-CAPIL"), "2027-S1");
    assert_eq!(period_of(&after, "U-RSUD"), "2027-S1");
    // The unit outside the instansi keeps its period.
    assert_eq!(period_of(&after, "U-LAIN"), period_of(&before, "U-LAIN"));
    assert_ne!(period_of(&before, "U-LAIN"), "2027-S1");
}

#[tokio::test]
async fn the_enrolment_qr_code_is_an_svg_for_a_signed_in_person_only() {
    let app = spawn_app().await;
    app.add_unit("U-CAPIL");
    add(&app, "Vera", Role::Viewer, None, &["U-CAPIL"]);
    let vera = sign_in(&app, "Vera").await;
    let path =
        "/api/v1/qr.svg?text=simpul%3Aenrol%3Fserver%3Dhttp%253A%252F%252F10.0.0.2%26code%3DKQ7M";
    let nobody = call(&app, "GET", path, None, None).await;
    assert_eq!(nobody.status(), StatusCode::UNAUTHORIZED);
    let image = call(&app, "GET", path, Some(&vera), None).await;
    assert_eq!(image.status(), StatusCode::OK);
    assert_eq!(image.headers()[CONTENT_TYPE], "image/svg+xml");
    let svg = image.text().await.unwrap();
    assert!(svg.contains("<svg") && !svg.contains("KQ7M"), "{svg}");
    let long = format!("/api/v1/qr.svg?text={}", "x".repeat(600));
    let refused = call(&app, "GET", &long, Some(&vera), None).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_queues_csv_holds_every_response_its_filters_select_and_no_formula() {
    let app = spawn_app().await;
    let with = |period, saran| Sheet {
        period,
        saran: Some(saran),
        ..Sheet::new("U-CAPIL", 3)
    };
    let ids = push(
        &app,
        "U-CAPIL",
        &[
            with("2026-S2", "=HYPERLINK(\"http://x\")"),
            with("2026-S2", "baik"),
            with("2026-S2", "cukup"),
            with("2026-S1", "lama"),
        ],
    )
    .await;
    add(&app, "Rina", Role::Supervisor, None, &["U-CAPIL"]);
    let rina = sign_in(&app, "Rina").await;
    for id in &ids[..2] {
        let approve = json!({"state": "approved"});
        let done = call(
            &app,
            "POST",
            &format!("/api/v1/responses/{id}/review"),
            Some(&rina),
            Some(approve),
        )
        .await;
        assert_eq!(done.status(), StatusCode::NO_CONTENT);
    }
    simpul_server::materialise::catch_up(app.storage.as_ref()).unwrap();

    let csv = |query: &str| {
        let (app, rina) = (&app, rina.clone());
        let path = format!("/api/v1/units/U-CAPIL/responses.csv{query}");
        async move {
            let response = call(app, "GET", &path, Some(&rina), None).await;
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            assert!(
                response.headers()[CONTENT_TYPE]
                    .to_str()
                    .unwrap()
                    .starts_with("text/csv")
            );
            let text = response.text().await.unwrap();
            let mut reader = csv::Reader::from_reader(text.as_bytes());
            let header = reader.headers().unwrap().clone();
            let column = |name: &str| header.iter().position(|h| h == name).unwrap();
            let (id, saran, review) = (column("id"), column("saran"), column("review"));
            reader
                .records()
                .map(|r| {
                    let r = r.unwrap();
                    (
                        r[id].to_string(),
                        r[saran].to_string(),
                        r[review].to_string(),
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(csv("").await.len(), 4);
    let approved = csv("?state=approved&period=2026-S2").await;
    let mut got: Vec<&str> = approved.iter().map(|(id, _, _)| id.as_str()).collect();
    got.sort_unstable();
    let mut want = [ids[0].to_string(), ids[1].to_string()];
    want.sort_unstable();
    assert_eq!(got, want);
    assert!(approved.iter().all(|(_, _, review)| review == "approved"));
    let formula = approved
        .iter()
        .find(|(id, _, _)| *id == ids[0].to_string())
        .unwrap();
    assert!(!formula.1.starts_with('='), "neutralised: {:?}", formula.1);
    assert!(
        formula.1.contains("HYPERLINK"),
        "kept as text: {:?}",
        formula.1
    );
    assert_eq!(csv("?period=2026-S1&state=").await.len(), 1);

    // The same selection as a spreadsheet: the same rows, the formula kept as text.
    let response = call(
        &app,
        "GET",
        "/api/v1/units/U-CAPIL/responses.xlsx?state=approved&period=2026-S2",
        Some(&rina),
        None,
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()[CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .ends_with(".xlsx\""),
        "{:?}",
        response.headers()
    );
    let bytes = response.bytes().await.unwrap();
    let mut book: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let data = book.worksheet_range("Data").unwrap();
    let header: Vec<String> = data
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let mut sheet_rows: Vec<(String, String, String)> = data
        .rows()
        .skip(1)
        .map(|r| {
            let cell = |name: &str| r[column(name)].to_string();
            (cell("id"), cell("saran"), cell("review"))
        })
        .collect();
    sheet_rows.sort();
    let mut csv_rows = approved.clone();
    csv_rows.sort();
    assert_eq!(sheet_rows.len(), 2);
    assert_eq!(
        sheet_rows
            .iter()
            .map(|(id, _, review)| (id, review))
            .collect::<Vec<_>>(),
        csv_rows
            .iter()
            .map(|(id, _, review)| (id, review))
            .collect::<Vec<_>>()
    );
    let formula_cell = &sheet_rows
        .iter()
        .find(|(id, _, _)| *id == ids[0].to_string())
        .unwrap()
        .1;
    assert!(
        formula_cell.starts_with("=HYPERLINK"),
        "as typed: {formula_cell:?}"
    );
    assert!(
        data.rows()
            .skip(1)
            .all(|r| !matches!(r[column("id")], Data::Empty)),
        "every row has its id"
    );

    let bad = call(
        &app,
        "GET",
        "/api/v1/units/U-CAPIL/responses.csv?state=maybe",
        Some(&rina),
        None,
    )
    .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
}
