use std::process::Command;

use simpul_e2e::answers::sample_stack;
use simpul_e2e::browser::Browser;
use simpul_e2e::{Device, Server, UNIT};

const PASSWORD: &str = "kata-sandi-panjang";
const PROGRAM: &str = "Loket pagi <b>#1</b>";

#[test]
fn a_supervisor_writes_the_follow_up_plan_downloads_the_official_pdf_and_follows_up_suggestions() {
    let server = Server::start();
    let laptop = Device::enrolled("laptop", &server, &server.url());
    let sample = sample_stack();
    laptop.import_csv("stack.csv", &sample);
    laptop.sync_ok();
    server.add_person("Rina", "supervisor", PASSWORD);

    let web = Browser::open("web-plan", 1280, 800);
    web.sign_in(&server.url(), "Rina", PASSWORD);
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

    // The unit's page beside its report: per service, the profile table, the trend.
    web.goto(&format!("{}/unit/{UNIT}", server.url()));
    web.wait_for_text("unit-services", "Akta kelahiran");
    web.wait_for_text("unit-profile", "Laki-laki");
    // A ring chart per characteristic of the table, its slices the counts the stack holds.
    web.find("unit-profile-chart");
    let characteristics = web.attrs(
        "[data-testid=\"unit-profile\"] th[scope=\"rowgroup\"]",
        "scope",
    );
    let charts = web.attrs("[data-testid=\"unit-profile-chart\"]", "data-item");
    assert_eq!(charts.len(), characteristics.len(), "{charts:?}");
    let mut gender: Vec<u64> = web
        .attrs(
            "[data-item=\"jenis_kelamin\"] [data-testid=\"unit-profile-slice\"]",
            "data-count",
        )
        .into_iter()
        .map(|count| count.and_then(|c| c.parse().ok()).expect("a slice's count"))
        .collect();
    gender.sort_unstable();
    let mut typed: Vec<u64> = ["L", "P"]
        .iter()
        .map(|code| {
            sample
                .lines()
                .skip(1)
                .filter(|line| line.split(',').nth(2) == Some(code))
                .count() as u64
        })
        .filter(|&count| count > 0)
        .collect();
    typed.sort_unstable();
    assert_eq!(gender, typed, "the gender ring counts the stack's L and P");
    web.snap_at("unit-profile-charts", "unit-profile-charts");
    web.find("unit-trend");
    web.snap("unit-summary");

    // The suggestions: searched, one followed up and linked to the plan's row written above.
    web.click("open-saran");
    web.find("page-saran");
    web.fill("saran-search", "ANTREAN");
    web.click("saran-search-go");
    web.wait_for_text("saran-table", "Antrean pagi terlalu panjang");
    web.click("saran-followed");
    web.wait_for_text("saran-table", "ditandai oleh Rina");
    web.wait_for_text("saran-table", PROGRAM);
    web.select("saran-rtl", "1");
    web.snap("saran");
    // Kept by the server, not the page: a fresh load counts it.
    web.goto(&format!("{}/unit/{UNIT}/saran", server.url()));
    web.wait_for_text("saran-count", "1 sudah ditindaklanjuti");
}
