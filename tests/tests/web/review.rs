use std::time::Instant;

use serde_json::Value;
use simpul_e2e::answers::sample_with;
use simpul_e2e::browser::Browser;
use simpul_e2e::{Device, Server, UNIT};

const PASSWORD: &str = "kata-sandi-panjang";

/// Text a respondent wrote that a page must show as text, never run or render.
const HOSTILE: &str = "<script>alert(1)</script><b>tebal</b>";

/// The IKM as the pages print it in Indonesian: two decimals, a decimal comma.
fn printed(ikm: &Value) -> String {
    format!("{:.2}", ikm.as_f64().expect("an IKM")).replace('.', ",")
}

/// The response id of paper sheet `serial` on `device`.
fn sheet(device: &Device, serial: &str) -> String {
    device
        .responses()
        .iter()
        .find(|r| r["serial"] == serial)
        .and_then(|r| r["id"].as_str())
        .unwrap_or_else(|| panic!("sheet {serial} on {}", device.name))
        .to_string()
}

#[test]
fn a_supervisor_reviews_on_the_web_and_the_devices_agree() {
    let started = Instant::now();
    let server = Server::start();
    let a = Device::enrolled("laptop-a", &server, &server.url());
    let b = Device::enrolled("laptop-b", &server, &server.url());
    // One stack typed on two laptops; on the second, K-003's U2 reads otherwise. K-001's
    // suggestion holds markup, typed alike on both.
    let saran = ("K-001", "saran", HOSTILE);
    a.import_csv("stack.csv", &sample_with(&[saran]));
    b.import_csv("stack.csv", &sample_with(&[saran, ("K-003", "U2", "1")]));
    for device in [&a, &b, &a] {
        device.sync_ok();
    }
    server.add_person("Rina", "supervisor", PASSWORD);
    let report = server.json(&["report", "--unit", UNIT]);
    assert_eq!(report["n"], 29, "{report}");
    assert_eq!(a.json(&["report"]), report);
    let (k001, k003, k010) = (sheet(&a, "K-001"), sheet(&a, "K-003"), sheet(&a, "K-010"));
    let prepared = started.elapsed();

    let web = Browser::open("web", 1280, 800);
    web.goto(&server.url());
    web.find("page-sign-in");
    web.snap("sign-in");

    // A wrong password is told in words, and nothing else opens.
    web.fill("sign-in-username", "Rina");
    web.fill("sign-in-password", "bukan-sandinya");
    web.click("sign-in-submit");
    web.wait_for_text("sign-in-error", "kata sandi salah");
    web.snap("sign-in-wrong-password");
    web.fill("sign-in-password", PASSWORD);
    web.click("sign-in-submit");

    // The overview: the unit's n and IKM as `simpul report` prints them.
    web.find("page-overview");
    web.wait_for_exact(&format!("overview-n-{UNIT}"), "29");
    web.wait_for_exact(&format!("overview-ikm-{UNIT}"), &printed(&report["ikm"]));
    // Nothing reviewed yet, K-003 typed two ways, both laptops just synced, and the days
    // of the stack drawn.
    web.wait_for_exact(&format!("overview-waiting-{UNIT}"), "29");
    web.wait_for_exact(&format!("overview-conflicts-{UNIT}"), "1");
    assert!(!web.exists(&format!("overview-silent-{UNIT}")));
    assert!(web.exists("overview-per-day"));
    web.snap("overview");

    web.click(&format!("open-unit-{UNIT}"));
    web.find("page-unit");
    web.wait_for_exact("unit-ikm", &printed(&report["ikm"]));
    assert_eq!(web.text("unit-n"), "29");
    let weakest = report["weakest"].as_str().expect("a weakest unsur");
    web.wait_for_text("unit-weakest", weakest);
    assert!(web.exists(&format!("unsur-{weakest}")));
    web.snap("unit");

    // Published by choice: the public page then shows the IKM with no sign-in needed.
    assert!(!web.exists("unit-public-link"));
    web.click("unit-public");
    web.find("unit-public-link");
    let public = Browser::open("web-public", 1280, 800);
    public.goto(&format!("{}/publik/{UNIT}", server.url()));
    public.wait_for_exact("public-ikm", &printed(&report["ikm"]));
    assert_eq!(public.text("public-n"), "29");
    assert!(
        !public.page_source().contains("alert(1)"),
        "no respondent's words"
    );
    public.snap("public-results");
    public.goto(&format!("{}/publik/{UNIT}?layar=penuh", server.url()));
    public.wait_for_exact("public-ikm", &printed(&report["ikm"]));
    public.snap("public-results-counter-screen");
    drop(public);
    web.goto(&format!("{}/unit/{UNIT}", server.url()));
    web.find("page-unit");

    // The unit's devices, both laptops just synced; a code for a third one.
    web.click("open-devices");
    web.find("page-devices");
    web.find("device-row-laptop-a");
    web.find("device-row-laptop-b");
    web.click("issue-code");
    web.wait_until("an enrolment code", |w| w.text("issued-code").len() >= 8);
    // Its QR code, drawn by the server, for the tablet to scan.
    web.wait_until("the enrolment QR code", |w| {
        w.image_width("issued-code-qr") >= 200
    });
    web.snap("devices-and-enrolment-code");
    web.goto(&format!("{}/unit/{UNIT}", server.url()));
    web.find("page-unit");

    // The queue, narrowed to paper sheets still waiting.
    web.click("open-queue");
    web.find("page-queue");
    web.wait_for_text("queue-count", "29 jawaban");
    web.select("filter-state", "received");
    web.select("filter-channel", "paper");
    web.wait_for_text("queue-count", "29 jawaban");
    web.snap("queue");

    // K-001: the suggestion's markup is shown as the text it is.
    web.click(&format!("open-response-{k001}"));
    web.find("page-response");
    web.wait_for_text("answer-saran", HOSTILE);
    web.snap("response-hostile-text-shown-as-text");

    // K-003: the two typings side by side; choosing one settles it.
    web.goto(&format!("{}/response/{k003}", server.url()));
    web.find("conflict-U2");
    web.snap("response-in-conflict");
    web.click("settle-U2-1");
    web.wait_for_text("decision-message", "tersimpan");
    web.wait_until("the conflict to be settled", |w| !w.exists("conflict-U2"));
    web.snap("response-settled");

    // K-010: rejecting needs a note.
    web.goto(&format!("{}/response/{k010}", server.url()));
    web.find("page-response");
    web.click("review-reject");
    web.wait_for_text("decision-message", "alasan");
    web.snap("reject-without-note-refused");
    assert_eq!(web.text("response-review"), "Diterima");
    web.fill("review-note", "lembar rusak");
    web.click("review-reject");
    web.wait_for_text("decision-message", "tersimpan");
    web.wait_for_exact("response-review", "Ditolak");
    web.wait_for_text("response-review-note", "lembar rusak");
    web.snap("rejected-with-note");

    // The queue shows it rejected; English is one click away.
    web.goto(&format!("{}/unit/{UNIT}/review", server.url()));
    web.wait_for_exact(&format!("queue-review-{k010}"), "Ditolak");
    web.click("lang-en");
    web.wait_for_exact(&format!("queue-review-{k010}"), "Rejected");
    web.snap("queue-in-english");
    web.click("lang-id");

    // The rest of the page approved at once; the rejected sheet stays rejected.
    web.click("approve-page");
    web.click("approve-page-confirm");
    web.wait_for_text("approve-page-outcome", "28 jawaban disetujui");
    web.wait_for_exact(&format!("queue-review-{k001}"), "Disetujui");
    assert_eq!(web.text(&format!("queue-review-{k010}")), "Ditolak");
    assert!(!web.exists("approve-page"), "nothing left to approve");
    web.snap("queue-approved-at-once");

    // A tablet held upright.
    web.resize(800, 1280);
    web.goto(&format!("{}/unit/{UNIT}", server.url()));
    web.find("unit-ikm");
    web.snap("unit-on-a-tablet");
    web.resize(1280, 800);

    web.click("nav-password");
    web.find("page-password");
    web.snap("change-password");
    web.click("sign-out");
    web.find("page-sign-in");
    web.snap("signed-out");
    let browsed = started.elapsed() - prepared;

    // The devices sync and agree: one sheet fewer in the IKM, no conflict left.
    for device in [&a, &b] {
        device.sync_ok();
    }
    let decided = server.json(&["report", "--unit", UNIT]);
    assert_eq!(decided["n"], 28, "{decided}");
    for device in [&a, &b] {
        assert_eq!(device.json(&["report"])["n"], 28, "{}", device.name);
        assert_eq!(device.json(&["report"]), decided, "{}", device.name);
        let conflicts = device.json(&["conflicts"]);
        assert_eq!(conflicts, Value::Array(vec![]), "{}", device.name);
        let approved = device.json(&["list", "--state", "approved"]);
        assert_eq!(
            approved.as_array().map(Vec::len),
            Some(28),
            "{}",
            device.name
        );
    }
    let history = server.json(&["history", &k003]);
    let last = history.as_array().and_then(|h| h.last()).cloned().unwrap();
    assert_eq!(
        (&last["by"], &last["from"]),
        (&Value::from("Rina"), &Value::from("server"))
    );
    eprintln!(
        "web review: devices and server {prepared:.1?}, browser {browsed:.1?}, all {:.1?}",
        started.elapsed()
    );
}
