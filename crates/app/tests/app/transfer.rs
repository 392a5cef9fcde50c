use simpul_app::ErrorCode;
use simpul_app::ipc::{Language, ResponseFilter};

use crate::helpers::{TestApp, sample};

#[test]
fn a_csv_with_typing_mistakes_names_each_bad_line_and_imports_the_rest() {
    let t = TestApp::set_up();
    let result = t
        .app
        .import_csv(sample("kuesioner-salah-ketik.csv"))
        .unwrap();
    let bad: Vec<(u64, String)> = result
        .lines
        .iter()
        .filter_map(|l| Some((l.line, l.error.clone()?)))
        .collect();
    let lines: Vec<u64> = bad.iter().map(|(line, _)| *line).collect();
    assert_eq!(lines, [3, 4, 5, 6]);
    assert!(
        bad[0].1.contains("U3") && bad[0].1.contains('7'),
        "{}",
        bad[0].1
    );
    assert!(
        bad[1].1.contains("tanggal") && bad[1].1.contains("2025-04-31"),
        "{}",
        bad[1].1
    );
    assert!(bad[2].1.contains("jenis_kelamin"), "{}", bad[2].1);
    assert!(bad[3].1.contains("nomor seri"), "{}", bad[3].1);
    assert_eq!((result.created, result.rejected), (2, 4));
    assert_eq!(
        t.app
            .list_responses(ResponseFilter::default())
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn csv_errors_come_in_english_when_the_app_is_in_english() {
    let t = TestApp::set_up();
    t.app.set_language(Language::En).unwrap();
    let result = t
        .app
        .import_csv(sample("kuesioner-salah-ketik.csv"))
        .unwrap();
    let first = result.lines.iter().find_map(|l| l.error.clone()).unwrap();
    assert!(first.starts_with("item U3: `7` is not allowed"), "{first}");
}

#[test]
fn a_missing_csv_file_is_reported_by_name() {
    let t = TestApp::set_up();
    let err = t.app.import_csv("tidak-ada.csv".into()).unwrap_err();
    assert_eq!(err.code, ErrorCode::Invalid);
    assert!(err.message.contains("tidak-ada.csv"), "{}", err.message);
}

#[test]
fn a_csv_export_imports_back_on_another_device_as_the_same_responses() {
    let a = TestApp::set_up();
    a.app.import_csv(sample("kuesioner-kertas.csv")).unwrap();
    a.interview("4", "KTP-el");
    let written = a.app.export_csv(a.path("semua.csv")).unwrap();
    assert_eq!(written, 30);

    let b = TestApp::set_up();
    let imported = b.app.import_csv(a.path("semua.csv")).unwrap();
    assert_eq!((imported.created, imported.rejected), (30, 0));
    let ids = |t: &TestApp| {
        let mut ids: Vec<String> = t
            .app
            .list_responses(ResponseFilter::default())
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(ids(&a), ids(&b));
}

#[test]
fn a_bundle_carries_every_response_to_another_device_once() {
    let a = TestApp::set_up();
    a.app.import_csv(sample("kuesioner-kertas.csv")).unwrap();
    let interview = a.interview("4", "KTP-el");
    let exported = a.app.export_bundle("laptop-a.simpul".into()).unwrap();
    assert_eq!(exported.responses, 30);
    assert!(exported.bytes > 0);

    let b = TestApp::set_up();
    let imported = b.app.import_bundle(exported.path.clone()).unwrap();
    assert_eq!((imported.created, imported.updated), (30, 0));
    assert_eq!(imported.changes, exported.changes);
    assert_eq!(
        b.app
            .open_response(interview.id)
            .unwrap()
            .row
            .service
            .as_deref(),
        Some("KTP-el")
    );
    assert_eq!(
        b.app.report(ResponseFilter::default()).unwrap().ikm,
        a.app.report(ResponseFilter::default()).unwrap().ikm
    );

    let again = b.app.import_bundle(exported.path).unwrap();
    assert_eq!((again.created, again.changes), (0, 0));
}

#[test]
fn a_damaged_bundle_is_refused_and_changes_nothing() {
    let a = TestApp::set_up();
    a.interview("4", "KTP-el");
    let exported = a.app.export_bundle("a.simpul".into()).unwrap();
    let bytes = std::fs::read(&exported.path).unwrap();
    std::fs::write(a.path("cut.simpul"), &bytes[..bytes.len() / 2]).unwrap();

    let b = TestApp::set_up();
    let err = b.app.import_bundle(a.path("cut.simpul")).unwrap_err();
    assert_eq!(err.code, ErrorCode::Invalid);
    assert!(
        b.app
            .list_responses(ResponseFilter::default())
            .unwrap()
            .is_empty()
    );
}
