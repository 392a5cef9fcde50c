use std::sync::Mutex;

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
    assert_eq!(written.rows, 30);

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

/// A CSV of `rows` complete paper questionnaires, serials K-00001 on.
fn many_sheets(t: &TestApp, rows: usize) -> String {
    let mut text = String::from(
        "serial,tanggal,jenis_kelamin,umur,pendidikan,pekerjaan,pekerjaan_lainnya,layanan,\
         U1,U2,U3,U4,U5,U6,U7,U8,U9,saran\n",
    );
    for i in 1..=rows {
        let score = 1 + i % 4;
        text.push_str(&format!(
            "K-{i:05},2025-03-03,P,30,SMA,SWASTA,,KTP-el,{score},{score},{score},{score},\
             {score},{score},{score},{score},{score},\n"
        ));
    }
    let path = t.path("banyak.csv");
    std::fs::write(&path, text).unwrap();
    path
}

/// Every response on the device has all nine unsur answered: nothing went in half.
fn all_whole(t: &TestApp) -> usize {
    let csv = t.path("periksa.csv");
    let exported = t.app.export_csv(csv.clone()).unwrap();
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let unsur: Vec<usize> = (1..=9)
        .map(|u| header.iter().position(|h| *h == format!("U{u}")).unwrap())
        .collect();
    let mut rows = 0;
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        assert!(unsur.iter().all(|&i| !cells[i].is_empty()), "{line}");
        rows += 1;
    }
    assert_eq!(rows as u64, exported.rows);
    rows
}

#[test]
fn a_cancelled_csv_import_keeps_whole_rows_and_counts_exactly_those() {
    let t = TestApp::set_up();
    let path = many_sheets(&t, 600);
    let seen = Mutex::new(Vec::new());
    let result = t
        .app
        .import_csv_with(path.clone(), &|p| {
            seen.lock().unwrap().push((p.done, p.total));
            if p.done >= 250 {
                t.app.cancel_work().unwrap();
            }
        })
        .unwrap();

    assert!(result.cancelled);
    assert!(
        result.created > 0 && result.created < 600,
        "{}",
        result.created
    );
    assert_eq!(result.lines.len() as u64, result.created);
    assert_eq!(all_whole(&t) as u64, result.created);
    let seen = seen.into_inner().unwrap();
    assert_eq!(seen.first(), Some(&(0, 600)));
    assert!(seen.windows(2).all(|w| w[0].0 < w[1].0), "{seen:?}");

    // The same file again finishes the job without a duplicate.
    let again = t.app.import_csv(path).unwrap();
    assert!(!again.cancelled);
    assert_eq!(again.already_present, result.created);
    assert_eq!(again.created, 600 - result.created);
    assert_eq!(all_whole(&t), 600);
}

#[test]
fn a_cancelled_csv_export_leaves_no_file_behind() {
    let t = TestApp::set_up();
    t.app.import_csv(many_sheets(&t, 300)).unwrap();
    let target = t.path("ekspor.csv");
    let err = t
        .app
        .export_csv_with(target.clone(), &|p| {
            if p.done > 0 {
                t.app.cancel_work().unwrap();
            }
        })
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Cancelled);
    let left: Vec<_> = std::fs::read_dir(t.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("ekspor"))
        .collect();
    assert!(left.is_empty(), "{left:?}");

    // A later export is not cancelled by the earlier request.
    assert_eq!(t.app.export_csv(target).unwrap().rows, 300);
}

#[test]
fn a_cancelled_bundle_import_keeps_the_steps_taken_and_a_second_run_finishes() {
    let a = TestApp::set_up();
    a.app.import_csv(many_sheets(&a, 1200)).unwrap();
    let bundle = a.path("semua.simpul");
    let written = a.app.export_bundle(bundle.clone()).unwrap();

    let b = TestApp::set_up();
    let result = b
        .app
        .import_bundle_with(bundle.clone(), &|p| {
            if p.done > 0 {
                b.app.cancel_work().unwrap();
            }
        })
        .unwrap();
    assert!(result.cancelled);
    assert!(result.changes > 0 && result.changes < written.changes);
    let count = |t: &TestApp| {
        t.app
            .list_responses(ResponseFilter::default())
            .unwrap()
            .len()
    };
    assert_eq!(count(&b) as u64, result.created);

    let again = b.app.import_bundle(bundle).unwrap();
    assert!(!again.cancelled);
    assert_eq!(count(&b), 1200);
    assert_eq!(all_whole(&b), 1200);
}
