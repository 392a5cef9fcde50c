//! Paper entry on a laptop set up without a server.

use std::time::Duration;

use simpul_e2e::window::{Window, testid};
use tempfile::TempDir;

use crate::steps::*;

/// The disagreeing cells listed on the paper screen (not the writer labels inside them).
const CONFLICTS: &str = "[data-testid=\"paper-conflicts\"] [data-testid^=\"conflict-\"]:not([data-testid=\"conflict-by\"])";

#[test]
fn a_second_typing_of_the_stack_shows_each_disagreeing_cell_and_a_csv_names_its_bad_lines() {
    let data = TempDir::new().expect("a temporary directory");
    let w = Window::open(&app_binary(), &data.path().join("app"), "paper");
    first_run_offline(&w);

    // The first clerk types two sheets.
    go(&w, "paper");
    type_sheet(&w, "K-201", "444444444");
    type_sheet(&w, "K-202", "333333333");
    w.wait_until("both sheets saved", Duration::from_secs(30), |w| {
        saved_rows(w) == 2
    });

    // The second typing of the same stack: K-201 agrees, K-202 has U5 typed as 1.
    w.click("paper-mode-second");
    type_sheet(&w, "K-201", "444444444");
    type_sheet(&w, "K-202", "333313333");
    w.wait_until("both sheets typed again", Duration::from_secs(30), |w| {
        saved_rows(w) == 2
            && w.all(&testid("paper-saved-row"))
                .iter()
                .all(|row| w.element_attr(row, "data-outcome").as_deref() != Some("created"))
    });
    // Exactly the one disagreeing cell is offered for settling.
    w.wait_until(
        "the disagreement to be listed",
        Duration::from_secs(30),
        |w| w.all(CONFLICTS).len() == 1,
    );
    let conflict = w.find_css("[data-testid=\"paper-conflicts\"] [data-testid$=\"-U5\"]");
    let shown = w.element_text(&conflict);
    assert!(shown.contains("K-202"), "the sheet is named: {shown}");
    w.snap("paper-double-entry");
    let three = w.find_css("[data-testid$=\"-U5\"] [data-value=\"3\"]");
    w.click_element(&three, "the value on the sheet, 3");
    w.wait_until(
        "the disagreement to be settled",
        Duration::from_secs(30),
        |w| w.all(CONFLICTS).is_empty(),
    );

    // A CSV with typing mistakes: good rows go in, each bad one is named by its line.
    let csv = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../samples/kuesioner-salah-ketik.csv")
        .canonicalize()
        .expect("the sample exists");
    w.fill("csv-path", csv.to_str().expect("a UTF-8 path"));
    w.click("csv-import");
    w.find("csv-line-error");
    w.snap("paper-csv-import");
    let mut bad: Vec<u64> = w
        .all(&testid("csv-line-error"))
        .iter()
        .filter_map(|line| w.element_attr(line, "data-line")?.parse().ok())
        .collect();
    bad.sort();
    assert_eq!(
        bad,
        [3, 4, 5, 6],
        "the broken lines of the sample, by number"
    );
    assert!(
        !w.all(&testid("csv-line")).is_empty(),
        "the good lines went in"
    );
}
