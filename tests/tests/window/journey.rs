//! A working day at the counter, in the real window.

use std::time::Duration;

use simpul_e2e::Device;
use simpul_e2e::window::{Window, testid};

use crate::steps::*;

#[test]
fn an_interview_paper_with_a_typing_mistake_and_a_kiosk_session_reach_the_report_and_the_server() {
    let setup = Setup::open("working-day");
    first_run_with_server(&setup);
    let w = &setup.window;
    let today = number(w, "home-today");
    let target = w.text("home-target");
    assert!(
        numbers(&target).contains(&291),
        "Krejcie–Morgan for 1200 is 291: {target}"
    );

    // An interview at the counter: profile, each unsur on its own screen, review, save.
    go(w, "interview");
    answer_until(w, 4, |w| w.exists("screen-review"));
    w.snap("interview-review");
    w.click("save");
    w.find("saved-message");
    go(w, "home");
    w.wait_until("today's count to grow", Duration::from_secs(30), |w| {
        number(w, "home-today") == today + 1
    });
    // The same screen held upright, as tablets often are.
    w.resize(800, 1280);
    w.snap("home-portrait");
    w.resize(1280, 800);

    // A stack of paper typed from the keyboard alone; Enter saves and opens the next row.
    go(w, "paper");
    type_sheet(w, "K-001", "434343434");
    w.wait_until(
        "the first sheet to be saved",
        Duration::from_secs(30),
        |w| saved_rows(w) == 1,
    );
    w.wait_until(
        "the cursor back in the serial column",
        Duration::from_secs(30),
        |w| w.focused("paper-serial"),
    );
    // A typing mistake is named as it is typed, and Enter does not save the row.
    w.fill("paper-serial", "K-002");
    w.click("paper-cell-U1");
    w.type_active("447");
    w.wait_for_text("paper-row-error", "U3");
    w.snap("paper-typing-mistake");
    w.type_active(&Window::enter());
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(saved_rows(w), 1, "a row with a bad cell is not saved");
    w.fill("paper-cell-U3", "3");
    w.click("paper-cell-U4");
    w.type_active("444444");
    w.type_active(&Window::enter());
    w.wait_until(
        "the corrected sheet to be saved",
        Duration::from_secs(30),
        |w| saved_rows(w) == 2,
    );
    w.snap("paper-saved");

    go(w, "report");
    let before = number(w, "report-n");
    assert_eq!(before, 3, "one interview and two sheets");
    assert_eq!(w.all(&testid("unsur-bar")).len(), 9, "a bar per unsur");
    let weakest = w.all("[data-testid=\"unsur-bar\"][data-weakest=\"true\"]");
    assert_eq!(weakest.len(), 1, "exactly one unsur is marked weakest");

    // A respondent answers alone at the kiosk; leaving needs the PIN.
    go(w, "kiosk");
    if w.exists("kiosk-pin") && !w.exists("kiosk-start") {
        w.fill("kiosk-pin", PIN);
        w.click("kiosk-pin-submit");
    }
    w.click("kiosk-start");
    w.snap("kiosk-question");
    answer_until(w, 3, |w| w.exists("screen-kiosk-thanks"));
    w.snap("kiosk-thanks");
    w.wait_until(
        "the thank-you page to reset itself",
        Duration::from_secs(20),
        |w| !w.exists("screen-kiosk-thanks") && w.exists("kiosk-start"),
    );
    w.click("kiosk-exit");
    w.fill("kiosk-pin", "0000");
    w.click("kiosk-pin-submit");
    w.find("kiosk-pin-error");
    w.snap("kiosk-wrong-pin");
    assert!(
        w.exists("screen-kiosk"),
        "a wrong PIN keeps the kiosk locked"
    );
    w.fill("kiosk-pin", PIN);
    w.click("kiosk-pin-submit");
    w.find("nav-report");

    // The report follows: the kiosk answer counts.
    go(w, "report");
    w.wait_until(
        "the report to count the kiosk answer",
        Duration::from_secs(30),
        |w| number(w, "report-n") == before + 1,
    );

    // Everything reaches the server: another device enrolled there receives all four.
    sync_now(w);
    w.snap("sync-up-to-date");
    let office = Device::enrolled("kantor", &setup.server, &setup.server.url());
    office.sync_ok();
    let serials: Vec<_> = office
        .responses()
        .iter()
        .map(|r| {
            (
                r["channel"].as_str().unwrap_or_default().to_string(),
                r["serial"].as_str().map(String::from),
            )
        })
        .collect();
    assert_eq!(
        serials.len(),
        4,
        "the server holds every response once: {serials:?}"
    );
    for channel in ["interview", "paper", "kiosk"] {
        assert!(
            serials.iter().any(|(c, _)| c == channel),
            "a {channel} response reached the server: {serials:?}"
        );
    }
    go(w, "home");
    assert_eq!(number(w, "home-pending"), 0, "nothing left to upload");
}
