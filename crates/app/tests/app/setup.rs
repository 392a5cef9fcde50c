use simpul_app::ErrorCode;
use simpul_app::ipc::{Language, SyncPhase};
use simpul_survey::krejcie_morgan;

use crate::helpers::{TestApp, offline_setup};

#[test]
fn a_fresh_device_is_not_set_up_and_refuses_to_capture() {
    let t = TestApp::fresh();
    let state = t.app.app_state().unwrap();
    assert!(!state.set_up);
    assert_eq!(state.language, Language::Id);
    assert_eq!(t.app.home().unwrap_err().code, ErrorCode::NotSetUp);
    assert_eq!(t.app.form().unwrap_err().code, ErrorCode::NotSetUp);
}

#[test]
fn setting_up_offline_shows_the_unit_and_the_sample_target_on_home() {
    let t = TestApp::fresh();
    let state = t.app.setup_offline(offline_setup()).unwrap();
    assert!(state.set_up);
    assert!(!state.enrolled);

    let home = t.app.home().unwrap();
    assert_eq!(home.unit_code, "U-CAPIL");
    assert_eq!(home.unit_name.as_deref(), Some("Disdukcapil Kota"));
    assert_eq!(home.period, "2025-S1");
    assert_eq!(home.population, Some(1000));
    assert_eq!(home.target, Some(krejcie_morgan(1000)));
    assert_eq!(
        (home.today, home.in_period, home.pending_changes),
        (0, 0, 0)
    );
    assert_eq!(home.sync.phase, SyncPhase::NotEnrolled);
}

#[test]
fn home_counts_what_was_captured_today_and_what_waits_for_the_server() {
    let t = TestApp::set_up();
    t.interview("4", "KTP-el");
    t.interview("3", "Akta kelahiran");
    let home = t.app.home().unwrap();
    assert_eq!((home.today, home.in_period), (2, 2));
    assert_eq!(home.pending_responses, 2);
    assert!(home.pending_changes >= 2);
    assert_eq!(home.conflicts, 0);
}

#[test]
fn the_setup_survives_a_restart_and_cannot_be_done_twice() {
    let t = TestApp::set_up().reopen();
    assert!(t.app.app_state().unwrap().set_up);
    assert_eq!(
        t.app.home().unwrap().unit_name.as_deref(),
        Some("Disdukcapil Kota")
    );
    let err = t.app.setup_offline(offline_setup()).unwrap_err();
    assert_eq!(err.code, ErrorCode::Invalid);
}

#[test]
fn a_unit_code_with_spaces_is_refused_with_what_is_allowed() {
    let t = TestApp::fresh();
    let mut setup = offline_setup();
    setup.unit = "U CAPIL".into();
    let err = t.app.setup_offline(setup).unwrap_err();
    assert_eq!(err.code, ErrorCode::Invalid);
    assert!(err.message.contains("U CAPIL"), "{}", err.message);
    assert!(!t.app.app_state().unwrap().set_up);
}

#[test]
fn the_language_is_remembered_across_restarts() {
    let t = TestApp::set_up();
    t.app.set_language(Language::En).unwrap();
    let t = t.reopen();
    assert_eq!(t.app.app_state().unwrap().language, Language::En);
    assert_eq!(
        t.app.form().unwrap().title,
        "Community satisfaction survey (SKM)"
    );
}
