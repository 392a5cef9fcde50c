use simpul_app::ipc::{Channel, Language, ResponseFilter};
use simpul_survey::krejcie_morgan;

use crate::helpers::{TestApp, sample, sample_rows};

fn column(header: &[String], name: &str) -> usize {
    header.iter().position(|h| h == name).unwrap()
}

#[test]
fn the_published_sample_gives_an_ikm_of_91_48_grade_a() {
    let t = TestApp::set_up();
    let imported = t.app.import_csv(sample("kuesioner-kertas.csv")).unwrap();
    assert_eq!(imported.created, 29);

    let report = t.app.report(ResponseFilter::default()).unwrap();
    assert_eq!(report.n, 29);
    assert_eq!(report.ikm, Some(91.48));
    assert_eq!(report.grade.as_deref(), Some("A"));
    assert_eq!(report.grade_label.as_deref(), Some("Sangat baik"));
    assert_eq!(report.target, Some(krejcie_morgan(1000)));
    assert_eq!(report.periods, ["2025-S1"]);

    // The weakest unsur is the one with the lowest total in the file.
    let (header, rows) = sample_rows("kuesioner-kertas.csv");
    let total = |u: &str| -> u32 {
        rows.iter()
            .map(|r| r[column(&header, u)].parse::<u32>().unwrap())
            .sum()
    };
    let weakest = (1..=9)
        .map(|u| format!("U{u}"))
        .min_by_key(|u| total(u))
        .unwrap();
    assert_eq!(report.weakest.as_deref(), Some(weakest.as_str()));
    let bar = report.unsur.iter().find(|u| u.id == weakest).unwrap();
    assert_eq!(
        bar.nrr,
        Some((total(&weakest) as f64 / 29.0 * 100.0).round() / 100.0)
    );
}

#[test]
fn the_profile_counts_each_option_and_follows_the_service_filter() {
    let t = TestApp::set_up();
    t.app.import_csv(sample("kuesioner-kertas.csv")).unwrap();
    let (header, rows) = sample_rows("kuesioner-kertas.csv");
    let count = |col: &str, value: &str, service: Option<&str>| {
        rows.iter()
            .filter(|r| r[column(&header, col)] == value)
            .filter(|r| service.is_none_or(|s| r[column(&header, "layanan")] == s))
            .count() as u64
    };

    let report = t.app.report(ResponseFilter::default()).unwrap();
    let gender = report
        .profile
        .iter()
        .find(|b| b.item == "jenis_kelamin")
        .unwrap();
    assert_eq!(gender.label, "Jenis kelamin");
    for bar in &gender.bars {
        assert_eq!(
            bar.count,
            count("jenis_kelamin", &bar.code, None),
            "{bar:?}"
        );
    }
    assert!(report.profile.iter().any(|b| b.item == "pendidikan"));
    assert!(report.services.contains(&"KTP-el".to_string()));

    let ktp = ResponseFilter {
        service: Some("KTP-el".into()),
        ..ResponseFilter::default()
    };
    let report = t.app.report(ktp).unwrap();
    assert_eq!(
        report.n,
        rows.iter()
            .filter(|r| r[column(&header, "layanan")] == "KTP-el")
            .count() as u64
    );
    let gender = report
        .profile
        .iter()
        .find(|b| b.item == "jenis_kelamin")
        .unwrap();
    for bar in &gender.bars {
        assert_eq!(bar.count, count("jenis_kelamin", &bar.code, Some("KTP-el")));
    }

    let interviews_only = ResponseFilter {
        channel: Some(Channel::Interview),
        ..ResponseFilter::default()
    };
    assert_eq!(t.app.report(interviews_only).unwrap().n, 0);
}

#[test]
fn grade_and_profile_labels_follow_the_language_but_unsur_names_stay_indonesian() {
    let t = TestApp::set_up();
    t.app.import_csv(sample("kuesioner-kertas.csv")).unwrap();
    t.app.set_language(Language::En).unwrap();
    let report = t.app.report(ResponseFilter::default()).unwrap();
    assert_eq!(report.grade_label.as_deref(), Some("Very good"));
    let gender = report
        .profile
        .iter()
        .find(|b| b.item == "jenis_kelamin")
        .unwrap();
    assert_eq!(gender.label, "Sex");
    assert_eq!(report.unsur[0].name, "Persyaratan");
}
