//! A clerk's day at the paper grid: a stack typed from the keyboard alone, a cell fixed in a
//! saved row, and a long CSV import cancelled half way. The replica is then read with the
//! `simpul` command line on the app's own folder.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use simpul_e2e::harness::{self, path_str};
use simpul_e2e::window::{Window, testid};
use tempfile::TempDir;

use crate::steps::*;

const ARROW_UP: char = '\u{E013}';

/// The service every sheet of the stack names.
const SERVICE: &str = "KTP-el";

/// The sheets of the stack: the same respondent profile, unsur digits varying by sheet.
fn digits(n: usize) -> String {
    let d = 1 + n % 4;
    d.to_string().repeat(9)
}

/// Every response in the app's replica as CSV, read by `simpul export csv`: the header and
/// one map per row.
fn replica_rows(data: &Path, out: &Path) -> Vec<std::collections::BTreeMap<String, String>> {
    let status = Command::new(harness::binary("simpul"))
        .args([
            "export",
            "csv",
            "--data",
            path_str(data),
            "--out",
            path_str(out),
        ])
        .stdout(Stdio::null())
        .status()
        .expect("simpul runs");
    assert!(status.success(), "simpul export csv failed");
    let text = std::fs::read_to_string(out).expect("the export is readable");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("a header").split(',').collect();
    lines
        .map(|line| {
            header
                .iter()
                .zip(line.split(','))
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

#[test]
fn a_stack_of_twenty_is_typed_from_the_keyboard_and_a_cell_two_rows_up_is_fixed_in_place() {
    let dir = TempDir::new().expect("a temporary directory");
    let data = dir.path().join("app");
    let w = Window::open(&app_binary(), &data, "stack");
    first_run_offline(&w);
    go(&w, "paper");

    // The first sheet: serial and date typed; the date in the Indonesian way. Every profile
    // code moves on by itself (P, an age of 35, option 3 of pendidikan, option 1 of
    // pekerjaan), the service needs a Tab, then nine digits and Enter.
    w.click("paper-serial");
    w.type_active(&format!("K-001{}", Window::tab()));
    w.type_active("30/11/2026");
    w.type_active(&format!("P3531{SERVICE}{}", Window::tab()));
    w.type_active(&digits(1));
    w.type_active(&Window::enter());
    w.wait_until("the first sheet saved", Duration::from_secs(30), |w| {
        saved_rows(w) == 1 && w.focused("paper-serial")
    });

    // Sheets 2 to 20: the offered serial and the day are kept with a Tab each. These are
    // the keys the README counts for one sheet: 18 and the letters of the service.
    for n in 2..=20 {
        let tab = Window::tab();
        let keys = format!(
            "{tab}{tab}P3531{SERVICE}{tab}{}{}",
            digits(n),
            Window::enter()
        );
        assert_eq!(keys.chars().count(), 18 + SERVICE.len());
        w.type_active(&keys);
        w.wait_until(&format!("sheet {n} saved"), Duration::from_secs(30), |w| {
            saved_rows(w) == n && w.focused("paper-serial")
        });
    }
    w.wait_for_text("paper-stack-count", "20");
    assert!(
        w.all(&testid("paper-saved-row"))
            .iter()
            .all(|row| w.element_attr(row, "data-outcome").as_deref() == Some("created")),
        "every sheet is a new response"
    );
    w.snap("paper-stack");
    w.resize(800, 1280);
    w.snap("paper-stack-portrait");
    w.resize(1280, 800);

    // K-018 (two rows above the last) had 3 in U3; the sheet says 1. Up three rows from the
    // entry row, along to U3, type the digit, Enter: an edit of that response.
    let tab = Window::tab();
    w.type_active(&format!("{ARROW_UP}{ARROW_UP}{ARROW_UP}"));
    assert!(w.focused("paper-stack-17-serial"), "the cursor is on K-018");
    w.type_active(&tab.repeat(9));
    assert!(
        w.focused("paper-stack-17-U3"),
        "the cursor is on U3 of K-018"
    );
    w.type_active("1");
    w.type_active(&Window::enter());
    w.wait_until("the fix saved", Duration::from_secs(30), |w| {
        w.focused("paper-serial")
    });
    assert_eq!(saved_rows(&w), 20, "a fix adds no row");
    w.snap("paper-stack-fixed");

    let rows = replica_rows(&data, &dir.path().join("replica.csv"));
    assert_eq!(rows.len(), 20, "twenty responses, no duplicate");
    let mut serials: Vec<&str> = rows.iter().map(|r| r["serial"].as_str()).collect();
    serials.sort();
    let expected: Vec<String> = (1..=20).map(|n| format!("K-{n:03}")).collect();
    assert_eq!(
        serials, expected,
        "each sheet once, the offered serials counting up"
    );
    for row in &rows {
        let n: usize = row["serial"][2..].parse().expect("a numbered serial");
        let u3 = if n == 18 {
            "1".to_string()
        } else {
            (1 + n % 4).to_string()
        };
        assert_eq!(row["U3"], u3, "U3 of {}", row["serial"]);
        assert_eq!(
            row["U9"],
            (1 + n % 4).to_string(),
            "U9 of {}",
            row["serial"]
        );
        assert_eq!(
            row["tanggal"], "2026-11-30",
            "30/11/2026 lands as the day it names"
        );
        assert_eq!(row["layanan"], SERVICE);
        assert_eq!(
            (
                row["jenis_kelamin"].as_str(),
                row["umur"].as_str(),
                row["pendidikan"].as_str(),
                row["pekerjaan"].as_str()
            ),
            ("P", "35", "SMA", "PNS"),
            "the profile codes of {}",
            row["serial"]
        );
    }
}

#[test]
fn a_cancelled_import_of_ten_thousand_rows_leaves_only_whole_rows() {
    let dir = TempDir::new().expect("a temporary directory");
    let data = dir.path().join("app");
    let csv = dir.path().join("sepuluh-ribu.csv");
    let mut text = String::from(
        "serial,tanggal,jenis_kelamin,umur,pendidikan,pekerjaan,layanan,U1,U2,U3,U4,U5,U6,U7,U8,U9\n",
    );
    for i in 1..=10_000 {
        let d = 1 + i % 4;
        text.push_str(&format!(
            "B-{i:05},2025-03-03,L,40,S1,SWASTA,KTP-el,{d},{d},{d},{d},{d},{d},{d},{d},{d}\n"
        ));
    }
    std::fs::write(&csv, text).expect("the CSV is written");

    let w = Window::open(&app_binary(), &data, "cancel");
    first_run_offline(&w);
    go(&w, "paper");
    w.fill("csv-path", path_str(&csv));
    w.click("csv-import");
    // Some rows are in and the bar shows them: cancel.
    w.wait_until(
        "the import to show progress",
        Duration::from_secs(60),
        |w| {
            w.all(&testid("csv-work-progress"))
                .first()
                .and_then(|bar| w.element_attr(bar, "data-done"))
                .and_then(|done| done.parse::<u64>().ok())
                .is_some_and(|done| done > 0)
        },
    );
    w.snap("csv-import-progress");
    w.click("csv-work-cancel");
    w.wait_until("the import to stop", Duration::from_secs(60), |w| {
        w.exists("csv-summary")
    });
    w.snap("csv-import-cancelled");
    assert_eq!(
        w.attr("csv-summary", "data-cancelled").as_deref(),
        Some("true"),
        "the result says it was cancelled"
    );
    let created: usize = w
        .attr("csv-summary", "data-created")
        .and_then(|n| n.parse().ok())
        .expect("a count of created rows");
    assert!(
        created > 0 && created < 10_000,
        "the import stopped part way: {created}"
    );

    let rows = replica_rows(&data, &dir.path().join("replica.csv"));
    assert_eq!(
        rows.len(),
        created,
        "the replica holds exactly the rows reported"
    );
    for row in &rows {
        let n: usize = row["serial"][2..].parse().expect("a numbered serial");
        let d = (1 + n % 4).to_string();
        for u in 1..=9 {
            assert_eq!(row[&format!("U{u}")], d, "U{u} of {}", row["serial"]);
        }
        assert_eq!(row["pendidikan"], "S1", "the profile of {}", row["serial"]);
    }
}
