//! A conflicting edit from another device, received by sync and settled in the window.

use std::time::Duration;

use simpul_e2e::Device;
use simpul_e2e::window::testid;

use crate::steps::*;

#[test]
fn a_second_devices_conflicting_edit_arrives_by_sync_and_is_settled_with_one_tap() {
    let setup = Setup::open("conflict");
    first_run_with_server(&setup);
    let w = &setup.window;

    // The clerk types sheet K-101 on the tablet; it reaches the server.
    go(w, "paper");
    type_sheet(w, "K-101", "444444444");
    w.wait_until("the sheet to be saved", Duration::from_secs(30), |w| {
        saved_rows(w) == 1
    });
    sync_now(w);

    // The district laptop receives it.
    let laptop = Device::enrolled("laptop", &setup.server, &setup.server.url());
    laptop.sync_ok();
    let id = laptop
        .responses()
        .iter()
        .find(|r| r["serial"] == "K-101")
        .and_then(|r| r["id"].as_str().map(String::from))
        .expect("the laptop received K-101");

    // Neither having seen the other's change, the tablet corrects U2 to 2 …
    go(w, "responses");
    let row = w.find_css(&format!("{}[data-id=\"{id}\"]", testid("response-row")));
    w.click_element(&row, "the K-101 row");
    w.find("screen-response");
    w.click("edit");
    let option = w.find_css(&format!("{} option[value=\"2\"]", testid("input-U2")));
    w.click_element(&option, "U2 = 2");
    w.click("edit-save");
    w.wait_until("the edit to show", Duration::from_secs(30), |w| {
        w.all("[data-testid=\"answer-row\"][data-item=\"U2\"]")
            .first()
            .is_some_and(|e| w.element_text(e).contains('2'))
    });
    // … and a supervisor on the laptop corrects it to 1.
    laptop
        .run(&["edit", &id, "--set", "U2=1", "--enumerator", "Budi"])
        .ok();
    laptop.sync_ok();

    // The tablet syncs and shows both values side by side, with who wrote each.
    sync_now(w);
    go(w, "responses");
    let row = w.find_css(&format!("{}[data-id=\"{id}\"]", testid("response-row")));
    w.click_element(&row, "the K-101 row");
    let block = w.find("conflict-U2");
    let shown = w.element_text(&block);
    assert!(
        shown.contains("Budi"),
        "the laptop's writer is named: {shown}"
    );
    assert!(
        shown.contains(ENUMERATOR),
        "the tablet's writer is named: {shown}"
    );
    assert_eq!(
        w.all(&format!(
            "{} [data-testid^=\"choose-\"]",
            testid("conflict-U2")
        ))
        .len(),
        2
    );
    w.snap("conflict");

    // One tap settles it; the choice travels like any other change.
    let choice = w.find_css(&format!("{} {}", testid("conflict-U2"), testid("choose-0")));
    let chosen = w
        .element_attr(&choice, "data-value")
        .expect("a choice carries its value");
    assert!(
        w.element_text(&choice).starts_with(&chosen),
        "the choice shows the value as typed"
    );
    w.click_element(&choice, "the first value");
    w.wait_until("the conflict to disappear", Duration::from_secs(30), |w| {
        !w.exists("conflict-U2")
    });
    w.snap("conflict-settled");
    sync_now(w);
    laptop.sync_ok();
    let settled = laptop.json(&["show", &id]);
    let value = settled["answers"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["item"] == "U2"))
        .and_then(|x| x["value"].as_str().map(String::from))
        .expect("U2 has a value on the laptop");
    assert!(
        value == "1" || value == "2",
        "the chosen value is one of the two: {value}"
    );
    assert_eq!(value, chosen, "the laptop holds what the tablet chose");
    assert_eq!(
        settled["conflicting_fields"].as_array().map(Vec::len),
        Some(0),
        "the laptop sees the conflict settled too"
    );
}
