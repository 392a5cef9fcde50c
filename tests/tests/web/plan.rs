use std::process::Command;

use simpul_e2e::browser::Browser;
use simpul_e2e::{Device, Server, UNIT};

const PASSWORD: &str = "kata-sandi-panjang";
const PROGRAM: &str = "Loket pagi <b>#1</b>";

#[test]
fn a_supervisor_writes_the_follow_up_plan_and_downloads_the_official_pdf() {
    let server = Server::start();
    let laptop = Device::enrolled("laptop", &server, &server.url());
    let sample = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../samples/kuesioner-kertas.csv"
    ))
    .expect("the sample stack");
    laptop.import_csv("stack.csv", &sample);
    laptop.sync_ok();
    server.add_person("Rina", "supervisor", PASSWORD);

    let web = Browser::open("web-plan", 1280, 800);
    web.goto(&server.url());
    web.fill("sign-in-username", "Rina");
    web.fill("sign-in-password", PASSWORD);
    web.click("sign-in-submit");
    web.find("page-overview");
    web.goto(&format!("{}/unit/{UNIT}", server.url()));
    web.find("download-xlsx");
    web.find("download-pdf");
    web.click("open-plan");
    web.find("page-plan");

    // One row on the weakest unsur (the page's default), in the second quarter.
    web.click("plan-add");
    web.fill("plan-program-1", PROGRAM);
    web.click("plan-quarter-1-II");
    web.fill("plan-responsible-1", "Kepala Seksi Pelayanan");
    web.click("plan-save");
    web.wait_for_text("plan-message", "Tersimpan");
    web.snap("plan-saved");

    // A part of the narrative, rewritten.
    web.fill("narrative-kepala_nama", "Dr. Budi Santoso");
    web.click("narrative-save");
    web.wait_for_text("narrative-message", "Tersimpan");
    web.snap("narrative-saved");

    let pdf = web.download("download-pdf-plan");
    assert!(pdf.starts_with(b"%PDF"), "a PDF");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("laporan.pdf");
    std::fs::write(&file, &pdf).unwrap();
    let out = Command::new("pdftotext")
        .arg("-layout")
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(PROGRAM), "the plan's row is printed:\n{text}");
    assert!(text.contains("TW II"), "{text}");
    // The cell wraps the person responsible after "Kepala Seksi".
    assert!(text.contains("Kepala Seksi"), "{text}");
    assert!(text.contains("Dr. Budi Santoso"), "{text}");
}
