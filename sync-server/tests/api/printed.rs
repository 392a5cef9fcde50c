//! The electronic channel's printed matter, read back as a person and a phone would: the
//! poster's words and address, and each paper sheet's serial and QR code — decoded from the
//! rendered page and followed to answer as that sheet.

use std::path::Path;
use std::process::Command;

use reqwest::StatusCode;
use reqwest::header::CONTENT_TYPE;
use serde_json::{Value, json};
use simpul_document::{PaperSerial, paper_response_id};
use simpul_server::model::{PeriodCode, UnitCode};
use simpul_server::people::Role;
use simpul_server::unit_document::UnitSettings;
use uuid::Uuid;

use crate::helpers::{TestApp, spawn_app};
use crate::people::{add, call, sign_in};

async fn pdf(app: &TestApp, cookie: &str, path: &str) -> Vec<u8> {
    let response = call(app, "GET", path, Some(cookie), None).await;
    assert_eq!(response.status(), StatusCode::OK, "GET {path}");
    assert_eq!(response.headers()[CONTENT_TYPE], "application/pdf");
    response.bytes().await.unwrap().to_vec()
}

fn text_of(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .arg("-layout")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The text of the QR code on page `page` of `pdf`, rendered at 150 dpi.
fn qr_on_page(pdf: &Path, page: u32) -> String {
    let stem = pdf.file_stem().unwrap().to_string_lossy();
    let prefix = pdf.with_file_name(format!("{stem}-page{page}"));
    let status = Command::new("pdftoppm")
        .args(["-r", "150", "-png", "-singlefile", "-f", &page.to_string()])
        .args(["-l", &page.to_string()])
        .arg(pdf)
        .arg(&prefix)
        .status()
        .expect("pdftoppm (poppler-utils) is installed");
    assert!(status.success());
    let image = image::open(pdf.with_file_name(format!("{stem}-page{page}.png")))
        .expect("the rendered page")
        .to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(image);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code on page {page}");
    grids[0].decode().expect("the code reads").1
}

#[tokio::test]
async fn a_poster_and_numbered_sheets_carry_codes_that_answer_as_their_own_sheet() {
    let app = spawn_app().await;
    app.add_configured_unit(
        "U-CAPIL",
        UnitSettings {
            name: None,
            period: Some(PeriodCode::parse("2026-S2").unwrap()),
            population: Some(1200),
            form: Some("skm-2017".into()),
        },
    );
    simpul_server::materialise::catch_up(app.storage.as_ref()).unwrap();
    add(&app, "Rina", Role::Supervisor, None, &["U-CAPIL"]);
    let rina = sign_in(&app, "Rina").await;
    let base = app.address.clone();
    let dir = tempfile::tempdir().unwrap();

    // A link for one service, and its poster.
    let created = call(
        &app,
        "POST",
        "/api/v1/units/U-CAPIL/links",
        Some(&rina),
        Some(json!({"service": "KTP-el"})),
    )
    .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let link: Value = created.json().await.unwrap();
    let token = link["token"].as_str().unwrap().to_string();
    let poster = dir.path().join("poster.pdf");
    std::fs::write(
        &poster,
        pdf(
            &app,
            &rina,
            &format!("/api/v1/links/{token}/poster.pdf?base={base}"),
        )
        .await,
    )
    .unwrap();
    let words = text_of(&poster);
    assert!(words.contains("Survei Kepuasan Masyarakat"), "{words}");
    assert!(words.contains("Unit U-CAPIL"), "{words}");
    assert!(words.contains("KTP-el"), "{words}");
    let short = format!("{}/f/{token}", base.trim_start_matches("http://"));
    assert!(words.contains(&short), "the short address: {words}");
    assert!(words.contains("Pindai kode QR"), "{words}");
    assert_eq!(qr_on_page(&poster, 1), format!("{base}/f/{token}"));

    // Three sheets from K-007: one page each, each with its serial and its own code.
    let sheets = dir.path().join("kuesioner.pdf");
    std::fs::write(
        &sheets,
        pdf(
            &app,
            &rina,
            &format!(
                "/api/v1/units/U-CAPIL/paper-forms.pdf?period=2026-S2&from=7&count=3&base={base}"
            ),
        )
        .await,
    )
    .unwrap();
    let words = text_of(&sheets);
    assert_eq!(words.matches('\u{c}').count(), 3, "three pages");
    for serial in ["K-007", "K-008", "K-009"] {
        assert!(words.contains(serial), "{serial} printed");
    }
    assert!(words.contains("Jenis kelamin"), "{words}");
    let scanned = qr_on_page(&sheets, 2);
    assert!(
        scanned.starts_with(&format!("{base}/f/")) && scanned.ends_with("?serial=K-008"),
        "{scanned}"
    );

    // The respondent of sheet K-008 answers by phone: the response is that sheet's.
    let (address, serial) = scanned.split_once("?serial=").unwrap();
    let mut answers = json!({"jenis_kelamin": "L", "umur": 51, "layanan": "Akta kelahiran"});
    for unsur in 1..=9 {
        answers[format!("U{unsur}")] = json!(4);
    }
    let sent = app
        .client
        .post(format!("{address}/responses"))
        .json(&json!({"id": Uuid::now_v7(), "serial": serial, "answers": answers}))
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), StatusCode::CREATED);
    let sent: Value = sent.json().await.unwrap();
    let sheet = paper_response_id(
        &UnitCode::parse("U-CAPIL").unwrap(),
        &PeriodCode::parse("2026-S2").unwrap(),
        &PaperSerial::parse("K-008").unwrap(),
    );
    assert_eq!(sent["response"], json!(sheet));

    // Printing again points at the same link; a viewer may not print.
    let again = dir.path().join("lagi.pdf");
    std::fs::write(
        &again,
        pdf(
            &app,
            &rina,
            &format!(
                "/api/v1/units/U-CAPIL/paper-forms.pdf?period=2026-S2&from=8&count=1&base={base}"
            ),
        )
        .await,
    )
    .unwrap();
    assert_eq!(qr_on_page(&again, 1), scanned);
    add(&app, "Vera", Role::Viewer, None, &["U-CAPIL"]);
    let vera = sign_in(&app, "Vera").await;
    let refused = call(
        &app,
        "GET",
        &format!("/api/v1/units/U-CAPIL/paper-forms.pdf?period=2026-S2&count=1&base={base}"),
        Some(&vera),
        None,
    )
    .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    for bad in [
        format!("/api/v1/units/U-CAPIL/paper-forms.pdf?period=2026-S2&count=0&base={base}"),
        "/api/v1/units/U-CAPIL/paper-forms.pdf?period=2026-S2&count=1&base=ftp://x".to_string(),
        format!("/api/v1/units/U-CAPIL/paper-forms.pdf?period=2026/S2&count=1&base={base}"),
    ] {
        let refused = call(&app, "GET", &bad, Some(&rina), None).await;
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST, "{bad}");
    }
}
