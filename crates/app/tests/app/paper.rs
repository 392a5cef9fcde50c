use std::collections::{BTreeMap, BTreeSet};

use simpul_app::ErrorCode;
use simpul_app::ipc::{PaperRow, SavedOutcome};

use crate::helpers::{TestApp, sample, sample_rows, unsur};

fn sheet(serial: &str, answers: BTreeMap<String, String>) -> PaperRow {
    PaperRow {
        serial: serial.into(),
        answers,
    }
}

#[test]
fn a_sheet_typed_again_by_another_enumerator_keeps_both_differing_values() {
    let t = TestApp::set_up();
    let mut first = unsur("4");
    first.insert("umur".into(), "27".into());
    let created = t.app.save_paper_row(sheet("K-9", first.clone())).unwrap();
    assert_eq!(
        (created.outcome, created.conflicts),
        (SavedOutcome::Created, 0)
    );

    // The same sheet typed identically is no news.
    let again = t.app.save_paper_row(sheet(" k-9 ", first.clone())).unwrap();
    assert_eq!(
        (again.outcome, again.id.as_str()),
        (SavedOutcome::AlreadyPresent, created.id.as_str())
    );

    t.hand_over_to("Budi", "1357");
    let mut second = first.clone();
    second.insert("U3".into(), "2".into());
    second.insert("umur".into(), "37".into());
    let merged = t.app.save_paper_row(sheet("K-9", second)).unwrap();
    assert_eq!(
        (merged.outcome, merged.conflicts),
        (SavedOutcome::Merged, 2)
    );
    assert_eq!(merged.id, created.id);

    let detail = t.app.open_response(created.id.clone()).unwrap();
    let u3 = detail.conflicts.iter().find(|c| c.field == "U3").unwrap();
    let by: BTreeMap<Option<String>, Option<String>> = u3
        .values
        .iter()
        .map(|v| (v.value.clone(), v.by.clone()))
        .collect();
    assert_eq!(by[&Some("4".into())].as_deref(), Some("Sari"));
    assert_eq!(by[&Some("2".into())].as_deref(), Some("Budi"));
    assert!(
        u3.values
            .iter()
            .all(|v| v.at.is_some() && v.display.is_some())
    );
}

#[test]
fn double_entry_of_the_sample_stack_conflicts_on_exactly_the_cells_typed_differently() {
    let t = TestApp::set_up();
    t.app.import_csv(sample("kuesioner-kertas.csv")).unwrap();
    t.hand_over_to("Budi", "1357");
    let second = t
        .app
        .import_csv(sample("kuesioner-kertas-entri-kedua.csv"))
        .unwrap();
    assert_eq!(second.rejected, 0);

    // What differs, read from the two files themselves.
    let (header, first_rows) = sample_rows("kuesioner-kertas.csv");
    let (_, second_rows) = sample_rows("kuesioner-kertas-entri-kedua.csv");
    let mut expected = BTreeSet::new();
    for (a, b) in first_rows.iter().zip(&second_rows) {
        assert_eq!(a[0], b[0], "the stacks are in the same order");
        for (column, (x, y)) in header.iter().zip(a.iter().zip(b)) {
            if x != y {
                expected.insert((a[0].clone(), column.clone()));
            }
        }
    }
    assert!(!expected.is_empty());

    let conflicts = t.app.conflicts().unwrap();
    let found: BTreeSet<(String, String)> = conflicts
        .iter()
        .map(|c| (c.serial.clone().unwrap(), c.field.clone()))
        .collect();
    assert_eq!(found, expected);
    for conflict in &conflicts {
        let writers: BTreeSet<&str> = conflict
            .values
            .iter()
            .filter_map(|v| v.by.as_deref())
            .collect();
        assert_eq!(writers, BTreeSet::from(["Budi", "Sari"]), "{conflict:?}");
    }

    // The supervisor settles each with the first clerk's value.
    for conflict in &conflicts {
        let sari = conflict
            .values
            .iter()
            .find(|v| v.by.as_deref() == Some("Sari"))
            .unwrap();
        let detail = t
            .app
            .resolve_conflict(
                conflict.response.clone(),
                conflict.field.clone(),
                sari.value.clone().unwrap_or_default(),
            )
            .unwrap();
        assert!(detail.conflicts.iter().all(|c| c.field != conflict.field));
    }
    assert!(t.app.conflicts().unwrap().is_empty());
    assert_eq!(t.app.home().unwrap().conflicts, 0);
}

#[test]
fn a_value_that_is_not_one_of_the_conflicts_values_is_refused() {
    let t = TestApp::set_up();
    let saved = t.app.save_paper_row(sheet("K-1", unsur("4"))).unwrap();
    let mut other = unsur("4");
    other.insert("U1".into(), "1".into());
    t.app.save_paper_row(sheet("K-1", other)).unwrap();
    let err = t
        .app
        .resolve_conflict(saved.id, "U1".into(), "3".into())
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Invalid);
    assert!(err.message.contains("U1"), "{}", err.message);
}

#[test]
fn a_paper_row_without_a_serial_is_refused() {
    let t = TestApp::set_up();
    let err = t.app.save_paper_row(sheet("  ", unsur("4"))).unwrap_err();
    assert_eq!(err.code, ErrorCode::Invalid);
    assert!(err.message.contains("nomor seri"), "{}", err.message);
}
