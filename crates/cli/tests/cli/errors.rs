//! How `simpul` words a failure: one prefix, one language, the command-line hint where the
//! command line can help.

use crate::helpers::{Simpul, simpul};

/// Words that would give away English (or a doubled layer) in an Indonesian message, once the
/// lower layer's own text, kept as the cause, has been taken out.
const ENGLISH: [&str; 8] = [
    "error",
    "database",
    "invalid",
    "run ",
    "no replica",
    "file",
    "failed",
    "choose",
];

#[track_caller]
fn assert_indonesian_once(stderr: &str, cause: Option<&str>) {
    assert_eq!(stderr.matches("galat").count(), 1, "{stderr}");
    assert!(stderr.starts_with("galat: "), "{stderr}");
    let mut words = stderr.to_lowercase();
    if let Some(cause) = cause {
        assert_eq!(stderr.matches(cause).count(), 1, "{stderr}");
        words = words.replace(&cause.to_lowercase(), "");
    }
    for english in ENGLISH {
        assert!(!words.contains(english), "`{english}` in: {stderr}");
    }
}

#[test]
fn a_damaged_database_is_reported_once_in_indonesian_with_sqlite_text_as_the_cause() {
    let simpul = Simpul::new();
    std::fs::write(simpul.database(), vec![b'x'; 8192]).unwrap();

    let out = simpul.run(&["list"]).refused();

    assert_indonesian_once(&out.stderr, Some("file is not a database"));
    assert!(out.stderr.contains("basis data"), "{}", out.stderr);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
}

#[test]
fn a_damaged_database_is_reported_in_english_with_lang_en() {
    let simpul = Simpul::new();
    std::fs::write(simpul.database(), vec![b'x'; 8192]).unwrap();

    let out = simpul.run(&["--lang", "en", "list"]).refused();

    assert_eq!(out.stderr.matches("error").count(), 1, "{}", out.stderr);
    assert!(out.stderr.starts_with("error: "), "{}", out.stderr);
    assert!(!out.stderr.contains("galat"), "{}", out.stderr);
    assert!(!out.stderr.contains("basis data"), "{}", out.stderr);
}

#[test]
fn a_folder_without_a_replica_says_so_once_and_names_the_command_that_makes_one() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("kosong");
    let folder = folder.to_str().unwrap();

    let out = simpul(&["list", "--data", folder]).refused();

    assert_indonesian_once(&out.stderr, Some(folder));
    assert!(out.stderr.contains("`simpul init`"), "{}", out.stderr);
    assert!(!dir.path().join("kosong").exists(), "nothing was created");
}

#[test]
fn a_report_over_two_methods_asks_for_one_with_the_method_flag() {
    let simpul = Simpul::new();
    let capture = |form: &str, unsur: u32, score: &str| {
        let answers: Vec<String> = (1..=unsur).map(|u| format!("U{u}={score}")).collect();
        let mut args = vec!["capture", "--form", form];
        for answer in &answers {
            args.extend(["--set", answer.as_str()]);
        }
        simpul.run(&args).ok();
    };
    capture("skm-2017", 9, "4");
    capture("skm-2004", 14, "2");

    let out = simpul.run(&["report"]).refused();
    assert_indonesian_once(&out.stderr, None);
    assert!(out.stderr.contains("--method"), "{}", out.stderr);
    assert!(
        out.stderr
            .contains("kepmenpan-25-2004, permenpanrb-14-2017"),
        "{}",
        out.stderr
    );
    assert!(out.stdout.is_empty(), "{}", out.stdout);

    let english = simpul.run(&["--lang", "en", "report"]).refused();
    assert!(
        english.stderr.contains("choose one with --method"),
        "{}",
        english.stderr
    );
}

#[test]
fn answers_on_standard_input_that_are_not_an_object_are_refused_in_indonesian() {
    let simpul = Simpul::new();

    let out = simpul
        .run_with_stdin(&["capture", "--json"], "[4, 4, 4]")
        .refused();

    assert_indonesian_once(&out.stderr, None);
    assert!(out.stderr.contains("objek JSON"), "{}", out.stderr);
    assert!(simpul.ids().is_empty(), "nothing was captured");
}

#[test]
fn an_answer_that_is_neither_text_nor_a_number_is_named_in_indonesian() {
    let simpul = Simpul::new();

    let out = simpul
        .run_with_stdin(&["capture", "--json"], r#"{"U1": [4]}"#)
        .refused();

    assert_indonesian_once(&out.stderr, None);
    assert!(out.stderr.contains("jawaban `U1`"), "{}", out.stderr);
    assert!(simpul.ids().is_empty(), "nothing was captured");
}
