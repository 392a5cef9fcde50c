//! A supervisor makes a survey link on the unit's page, sees its QR code, downloads its
//! poster and a stack of numbered paper questionnaires, and closes it: the link then refuses
//! the respondents' page.

use std::process::Command;

use simpul_e2e::browser::Browser;
use simpul_e2e::{PERIOD, Server, UNIT};

const PASSWORD: &str = "kata-sandi-panjang";

/// The text of a PDF, as poppler reads it.
fn pdf_text(pdf: &[u8]) -> String {
    assert!(pdf.starts_with(b"%PDF"), "a PDF");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("file.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = Command::new("pdftotext")
        .arg("-layout")
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_supervisor_makes_a_link_prints_its_poster_and_numbered_sheets_and_closes_it() {
    let server = Server::start();
    server
        .admin(&["unit", "set", UNIT, "--period", PERIOD])
        .ok();
    server.add_person("Rina", "supervisor", PASSWORD);

    let web = Browser::open("web-links", 1280, 800);
    web.sign_in(&server.url(), "Rina", PASSWORD);
    web.goto(&format!("{}/unit/{UNIT}", server.url()));
    web.click("open-links");
    web.find("page-links");

    web.fill("link-service", "KTP-el");
    web.click("link-create");
    web.wait_for_text("links-table", "KTP-el");
    web.wait_until("the link's QR code to be drawn", |web| {
        web.image_width("link-qr") > 0
    });
    let address = web.text("link-address");
    assert!(
        address.starts_with(&format!("{}/f/", server.url())),
        "{address}"
    );
    let poster = pdf_text(&web.download("link-poster"));
    assert!(poster.contains("KTP-el"), "{poster}");
    assert!(
        poster.contains(address.trim_start_matches("http://")),
        "{poster}"
    );

    web.fill("paper-count", "2");
    // The first print makes the period's paper link, which then heads the list.
    let sheets = pdf_text(&web.download("paper-download"));
    assert_eq!(sheets.matches('\u{c}').count(), 2, "two sheets");
    assert!(
        sheets.contains("K-001") && sheets.contains("K-002"),
        "{sheets}"
    );
    web.snap("links");

    let page = reqwest::blocking::get(&address).unwrap();
    assert_eq!(page.status().as_u16(), 200);
    web.click("link-close");
    web.click("link-close-confirm");
    web.wait_for_text("links-table", "Ditutup");
    web.snap("link-closed");
    let page = reqwest::blocking::get(&address).unwrap();
    assert_eq!(page.status().as_u16(), 410, "a closed link's page is gone");
}
