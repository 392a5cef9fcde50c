//! The official report as a PDF, read back as a person would: its text extracted with
//! `pdftotext -layout` and its pages rendered with `pdftoppm` (Debian's poppler-utils). And
//! the follow-up plan (RTL) and narrative a unit writes for it, through the API.

use std::path::Path;
use std::process::Command;

use reqwest::StatusCode;
use serde_json::{Value, json};
use simpul_server::model::PeriodCode;
use simpul_server::people::Role;
use simpul_server::unit_document::UnitSettings;
use simpul_survey::round_to_hundredths;

use crate::helpers::{Sheet, SyncRequest, TestApp, spawn_app};
use crate::people::{add, call, sign_in};

const PERIOD: &str = "2026-S2";

/// What respondents may write, and must come out as written.
const HOSTILE: [&str; 3] = ["<script>alert(1)</script>", "#set page(width: 1pt)", "=1+1"];

/// U-CAPIL (population 100 → 80 respondents at least) with `n` final responses of 2026-S2,
/// the first three carrying the hostile suggestions; Rina supervises it, Vera views it.
async fn unit_with_responses(n: usize) -> (TestApp, String, String) {
    let app = spawn_app().await;
    app.add_configured_unit(
        "U-CAPIL",
        UnitSettings {
            period: Some(PeriodCode::parse(PERIOD).unwrap()),
            population: Some(100),
            ..UnitSettings::default()
        },
    );
    let tablet = app.device("U-CAPIL", "tablet").await;
    let mut entries = Vec::new();
    for i in 0..n {
        let mut sheet = Sheet::new("U-CAPIL", 3);
        sheet.scores = (0..9).map(|u| 1 + ((i + u) % 4) as i64).collect();
        sheet.saran = HOSTILE.get(i).copied();
        entries.extend(sheet.entries().1);
    }
    for chunk in entries.chunks(200) {
        app.sync(&tablet, SyncRequest::new().push(chunk)).await.ok();
    }
    simpul_server::materialise::catch_up(app.storage.as_ref()).unwrap();
    add(&app, "Rina", Role::Supervisor, None, &["U-CAPIL"]);
    add(&app, "Vera", Role::Viewer, None, &["U-CAPIL"]);
    let rina = sign_in(&app, "Rina").await;
    let vera = sign_in(&app, "Vera").await;
    (app, rina, vera)
}

async fn pdf(app: &TestApp, cookie: &str, query: &str) -> Vec<u8> {
    let response = call(
        app,
        "GET",
        &format!("/api/v1/units/U-CAPIL/report.pdf?{query}"),
        Some(cookie),
        None,
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    let bytes = response.bytes().await.unwrap().to_vec();
    assert!(bytes.starts_with(b"%PDF"), "a PDF");
    bytes
}

/// The PDF's text as `pdftotext -layout` reads it.
fn text_of(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = Command::new("pdftotext")
        .arg("-layout")
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Renders every page with `pdftoppm` and returns how many it rendered; checks with
/// `pdfinfo` that every page is A4.
fn render_pages(pdf: &[u8]) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.pdf");
    std::fs::write(&file, pdf).unwrap();
    let info = Command::new("pdfinfo").arg(&file).output().unwrap();
    let info = String::from_utf8_lossy(&info.stdout).to_string();
    let pages: usize = info
        .lines()
        .find_map(|line| line.strip_prefix("Pages:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let sizes = Command::new("pdfinfo")
        .args(["-f", "1", "-l", &pages.to_string()])
        .arg(&file)
        .output()
        .unwrap();
    let sizes = String::from_utf8_lossy(&sizes.stdout).to_string();
    let page_lines: Vec<&str> = sizes
        .lines()
        .filter(|line| line.starts_with("Page") && line.contains("size:"))
        .collect();
    assert_eq!(page_lines.len(), pages);
    assert!(
        page_lines.iter().all(|line| line.contains("(A4)")),
        "every page is A4:\n{}",
        page_lines.join("\n")
    );
    let status = Command::new("pdftoppm")
        .args(["-r", "15", "-png"])
        .arg(&file)
        .arg(dir.path().join("page"))
        .status()
        .expect("pdftoppm (poppler-utils) is installed");
    assert!(status.success());
    let rendered = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|entry| {
            entry
                .as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".png")
        })
        .count();
    assert_eq!(rendered, pages, "every page renders");
    pages
}

/// A figure as the report prints it: rounded to hundredths, a decimal comma.
fn printed(value: f64) -> String {
    format!("{:.2}", round_to_hundredths(value)).replace('.', ",")
}

fn has_line(text: &str, parts: &[&str]) -> bool {
    text.lines()
        .any(|line| parts.iter().all(|part| line.contains(part)))
}

#[tokio::test]
async fn the_official_report_prints_every_chapter_the_ikm_the_unsur_and_the_sample() {
    let (app, rina, _) = unit_with_responses(12).await;
    let report: Value = call(
        &app,
        "GET",
        &format!("/api/v1/units/U-CAPIL/report?period={PERIOD}"),
        Some(&rina),
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    let bytes = pdf(&app, &rina, &format!("period={PERIOD}")).await;
    let text = text_of(&bytes);

    for title in [
        "BAB I",
        "PENDAHULUAN",
        "BAB II",
        "PENGUMPULAN DATA",
        "BAB III",
        "HASIL PENGOLAHAN DATA",
        "BAB IV",
        "ANALISIS",
        "BAB V",
        "PENUTUP",
        "LAMPIRAN",
        "REKAPITULASI",
        "Latar Belakang",
        "Dasar Hukum",
        "Maksud dan Tujuan",
        "Rencana Tindak Lanjut",
        "Tren IKM",
    ] {
        assert!(text.contains(title), "{title} is missing:\n{text}");
    }
    assert!(
        text.contains("UNIT U-CAPIL"),
        "the unit's name on the cover"
    );
    let ikm = printed(report["ikm"].as_f64().unwrap());
    assert!(
        has_line(&text, &["Nilai IKM unit pelayanan", &ikm]),
        "IKM {ikm}:\n{text}"
    );
    for unsur in report["unsur"].as_array().unwrap() {
        let id = unsur["id"].as_str().unwrap();
        let first_word = unsur["name"].as_str().unwrap().split(' ').next().unwrap();
        let converted = printed(unsur["converted"].as_f64().unwrap());
        assert!(
            has_line(&text, &[&format!("{id} {first_word}"), &converted]),
            "{id} {first_word} … {converted}:\n{text}"
        );
    }
    // Population 100, Krejcie–Morgan minimum 80, 12 collected.
    assert!(
        has_line(&text, &["100", "80", "12", "Belum sesuai"]),
        "{text}"
    );
    for hostile in HOSTILE {
        assert!(
            text.contains(hostile),
            "{hostile} printed as written:\n{text}"
        );
    }
    render_pages(&bytes);
}

#[tokio::test]
async fn the_rekapitulasi_of_300_respondents_spans_pages_repeating_its_header() {
    let (app, rina, _) = unit_with_responses(300).await;
    let bytes = pdf(&app, &rina, &format!("period={PERIOD}")).await;
    let text = text_of(&bytes);
    let headers = text
        .lines()
        .filter(|line| {
            ["No", "Responden", "U1", "U9", "Jumlah"]
                .iter()
                .all(|part| line.contains(part))
        })
        .count();
    assert!(headers >= 3, "the header repeats on each page: {headers}");
    assert!(has_line(&text, &["300 "]), "the last respondent is printed");
    assert!(text.contains("Sesuai"), "300 ≥ 80");
    let pages = render_pages(&bytes);
    assert!(pages >= 12, "{pages} pages");
}

#[tokio::test]
async fn the_command_line_writes_the_same_report_to_a_file() {
    let (app, _, _) = unit_with_responses(5).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("laporan.pdf");
    let out = Command::new(env!("CARGO_BIN_EXE_simpul-server"))
        .args(["report", "--data"])
        .arg(app.storage_dir())
        .args(["--unit", "U-CAPIL", "--period", PERIOD, "--pdf"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(&file).unwrap();
    assert!(text_of(&bytes).contains("PENUTUP"));
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "no temporary file is left");
    assert!(Path::new(&file).is_file());
}

async fn put(app: &TestApp, path: &str, cookie: &str, body: Value) -> reqwest::Response {
    call(app, "PUT", path, Some(cookie), Some(body)).await
}

async fn get(app: &TestApp, path: &str, cookie: &str) -> Value {
    let response = call(app, "GET", path, Some(cookie), None).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

#[tokio::test]
async fn a_plan_and_its_follow_up_round_trip_and_print_in_the_report() {
    let (app, rina, vera) = unit_with_responses(4).await;
    // The plan of the earlier period.
    let earlier = "/api/v1/units/U-CAPIL/plan?period=2026-S1";
    let plan = json!({
        "fkp_date": "2026-02-10",
        "items": [{"unsur": "U3", "program": "Menambah loket antrean", "quarters": ["I", "II"],
                   "responsible": "Kepala Seksi Pelayanan"}]
    });
    assert_eq!(
        put(&app, earlier, &rina, plan).await.status(),
        StatusCode::OK
    );

    // This period's plan, and what became of the earlier one's only item.
    let path = format!("/api/v1/units/U-CAPIL/plan?period={PERIOD}");
    let plan = json!({
        "fkp_date": "20/08/2026",
        "items": [
            {"unsur": "u8", "program": "Kotak pengaduan daring #1 [baru]", "quarters": ["TW III", "4"],
             "responsible": "Sekretariat"},
            {"unsur": "U9", "program": "Ruang tunggu ber-AC", "quarters": ["IV"],
             "responsible": "Subbagian Umum"}
        ],
        "follow_ups": [{"no": 1, "done": true, "description": "Dua loket baru dibuka Maret"}]
    });
    let response = put(&app, &path, &rina, plan).await;
    assert_eq!(response.status(), StatusCode::OK);
    let view = get(&app, &path, &vera).await;
    assert_eq!(view["fkp_date"], "2026-08-20");
    assert_eq!(view["items"][0]["unsur"], "U8");
    assert_eq!(view["items"][0]["quarters"], json!(["III", "IV"]));
    assert_eq!(view["changed"]["by"], "Rina");
    assert_eq!(view["previous"]["period"], "2026-S1");
    assert_eq!(view["previous"]["items"][0]["done"], true);
    assert_eq!(view["previous"]["items"][0]["changed"]["by"], "Rina");
    assert_eq!(view["unsur"].as_array().unwrap().len(), 9);

    // Bad input names its field and changes nothing.
    for (bad, field) in [
        (
            json!({"items": [{"unsur": "U10", "program": "x", "quarters": ["I"], "responsible": "y"}]}),
            "items[1].unsur",
        ),
        (
            json!({"items": [{"unsur": "U1", "program": " ", "quarters": ["I"], "responsible": "y"}]}),
            "items[1].program",
        ),
        (
            json!({"items": [{"unsur": "U1", "program": "x", "quarters": ["V"], "responsible": "y"}]}),
            "items[1].quarters",
        ),
        (
            json!({"items": [], "follow_ups": [{"no": 2, "done": true}]}),
            "follow_ups[1].no",
        ),
        (json!({"fkp_date": "31/02/2026"}), "fkp_date"),
    ] {
        let response = put(&app, &path, &rina, bad).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let body: Value = response.json().await.unwrap();
        let message = body["message"].as_str().unwrap();
        assert!(message.starts_with(field), "{message} names {field}");
    }
    assert_eq!(get(&app, &path, &rina).await, view, "nothing changed");
    let no_period = call(&app, "GET", "/api/v1/units/U-CAPIL/plan", Some(&rina), None).await;
    assert_eq!(no_period.status(), StatusCode::BAD_REQUEST);

    let text = text_of(&pdf(&app, &rina, &format!("period={PERIOD}")).await);
    // The program wraps in its cell: each line as written.
    assert!(
        has_line(&text, &["Kotak pengaduan daring #1", "TW III, TW IV"]),
        "{text}"
    );
    assert!(text.contains("[baru]"), "{text}");
    assert!(has_line(&text, &["TW III, TW IV"]), "{text}");
    assert!(text.contains("20 Agustus 2026"), "the FKP date");
    assert!(
        text.contains("Dua loket baru dibuka Maret"),
        "the follow-up"
    );
    assert!(
        has_line(&text, &["Menambah loket antrean", "Sudah"]),
        "{text}"
    );
}

#[tokio::test]
async fn the_narrative_has_defaults_a_unit_may_rewrite_and_restore() {
    let (app, rina, vera) = unit_with_responses(4).await;
    let path = format!("/api/v1/units/U-CAPIL/narrative?period={PERIOD}");
    let before = get(&app, &path, &vera).await;
    let part = |view: &Value, field: &str| -> Value {
        view["parts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["field"] == field)
            .unwrap()
            .clone()
    };
    assert!(part(&before, "kesimpulan")["value"].is_null());
    let default = part(&before, "kesimpulan")["default"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(default.contains("Nilai IKM"), "{default}");

    let response = put(
        &app,
        &path,
        &rina,
        json!({"kepala_nama": "Dr. Budi Santoso, M.Si.", "kepala_nip": "19700101 199003 1 001",
               "tempat": "Sleman", "kesimpulan": "Pelayanan baik.\n]#strong[x]"}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let after = get(&app, &path, &vera).await;
    assert_eq!(
        part(&after, "kepala_nama")["value"],
        "Dr. Budi Santoso, M.Si."
    );
    assert_eq!(part(&after, "kepala_nama")["changed"]["by"], "Rina");

    let viewer = put(&app, &path, &vera, json!({"tempat": "x"})).await;
    assert_eq!(viewer.status(), StatusCode::FORBIDDEN);
    let unknown = put(&app, &path, &rina, json!({"judul": "x", "tempat": "y"})).await;
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
    let body: Value = unknown.json().await.unwrap();
    assert!(body["message"].as_str().unwrap().starts_with("judul"));
    assert_eq!(get(&app, &path, &vera).await, after, "nothing changed");

    let text = text_of(&pdf(&app, &rina, &format!("period={PERIOD}")).await);
    assert!(text.contains("Dr. Budi Santoso, M.Si."));
    assert!(text.contains("NIP. 19700101 199003 1 001"));
    assert!(text.contains("]#strong[x]"), "printed as written");

    let reset = put(&app, &path, &rina, json!({"kesimpulan": null})).await;
    assert_eq!(reset.status(), StatusCode::OK);
    let reset = get(&app, &path, &rina).await;
    assert!(part(&reset, "kesimpulan")["value"].is_null());
}
