use std::time::Duration;

use simpul_app::ErrorCode;
use simpul_app::ipc::{Language, PaperRow, ResponseFilter, ServerSetup, SyncPhase};
use simpul_survey::krejcie_morgan;

use crate::helpers::{TestApp, TestServer, offline_setup, unsur};

/// Long enough for a slow machine, short enough that a hang fails the suite.
const LIMIT: Duration = Duration::from_secs(30);

fn server_setup(server: &TestServer, code: String) -> ServerSetup {
    ServerSetup {
        server: server.address.clone(),
        code,
        device: "Tablet loket 1".into(),
    }
}

#[test]
fn an_enrolled_device_syncs_in_the_background_goes_offline_without_loss_and_catches_up() {
    let mut server = TestServer::start();
    let code = server.unit_with_code("U-CAPIL", "2025-S2", 1200);

    // First run with the server: the unit comes from the enrolment.
    let t = TestApp::fresh();
    let state = t.app.setup_server(server_setup(&server, code)).unwrap();
    assert!(state.set_up && state.enrolled);
    t.app.add_enumerator("Sari".into(), "2468".into()).unwrap();
    let first = t.interview("4", "KTP-el");

    t.app.sync_now().unwrap();
    t.wait_for(LIMIT, |s| {
        s.phase == SyncPhase::UpToDate && t.app.home().unwrap().pending_changes == 0
    });
    assert!(server.has(&first.id));
    // The server's configuration arrived and takes precedence.
    let home = t.app.home().unwrap();
    assert_eq!(home.unit_code, "U-CAPIL");
    assert_eq!(home.period, "2025-S2");
    assert_eq!(home.target, Some(krejcie_morgan(1200)));
    assert!(home.sync.last_sync.is_some());
    assert!(!t.app.open_response(first.id.clone()).unwrap().unsynced);
    assert!(
        t.events
            .lock()
            .unwrap()
            .iter()
            .any(|s| s.phase == SyncPhase::Syncing),
        "progress was reported"
    );

    // The link goes down; a paper sheet typed meanwhile waits on the device.
    server.stop();
    let paper = t
        .app
        .save_paper_row(PaperRow {
            serial: "K-77".into(),
            answers: unsur("3"),
        })
        .unwrap();
    let offline = t.wait_for(LIMIT, |s| s.phase == SyncPhase::Offline);
    assert!(offline.message.is_some());
    let home = t.app.home().unwrap();
    assert!(home.pending_changes > 0);
    assert_eq!(home.pending_responses, 1);
    assert_eq!(
        t.app
            .list_responses(ResponseFilter::default())
            .unwrap()
            .len(),
        2
    );
    assert!(t.app.open_response(paper.id.clone()).unwrap().unsynced);

    // The server is back: a nudge and everything is sent.
    server.restart();
    t.app.sync_now().unwrap();
    t.wait_for(LIMIT, |s| {
        s.phase == SyncPhase::UpToDate && t.app.home().unwrap().pending_changes == 0
    });
    assert!(server.has(&paper.id));
    assert!(server.has(&first.id));
}

#[test]
fn a_device_set_up_offline_joins_a_server_later() {
    let server = TestServer::start();
    let code = server.unit_with_code("U-CAPIL", "2025-S1", 500);
    let t = TestApp::set_up();
    let saved = t.interview("3", "Akta kelahiran");
    assert_eq!(t.app.sync_state().unwrap().phase, SyncPhase::NotEnrolled);

    assert!(t.app.enrol(server_setup(&server, code)).unwrap().enrolled);
    t.wait_for(LIMIT, |s| {
        s.phase == SyncPhase::UpToDate && t.app.home().unwrap().pending_changes == 0
    });
    assert!(server.has(&saved.id));
}

#[test]
fn a_used_enrolment_code_is_refused_in_plain_words_and_nothing_is_set_up() {
    let server = TestServer::start();
    let code = server.unit_with_code("U-CAPIL", "2025-S1", 500);
    let first = TestApp::fresh();
    first
        .app
        .setup_server(server_setup(&server, code.clone()))
        .unwrap();

    let second = TestApp::fresh();
    let err = second
        .app
        .setup_server(server_setup(&server, code))
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Refused);
    assert!(err.message.contains("kode pendaftaran"), "{}", err.message);
    assert!(!second.app.app_state().unwrap().set_up);
}

#[test]
fn an_unreachable_server_at_setup_is_reported_as_such() {
    let mut server = TestServer::start();
    let code = server.unit_with_code("U-CAPIL", "2025-S1", 500);
    server.stop();
    let t = TestApp::fresh();
    let err = t.app.setup_server(server_setup(&server, code)).unwrap_err();
    assert_eq!(err.code, ErrorCode::Unreachable);
    assert!(!t.app.app_state().unwrap().set_up);
    // Offline setup still works on the same device.
    t.app.setup_offline(offline_setup()).unwrap();
}

#[test]
fn switching_the_language_rewords_the_sync_light_at_once() {
    let mut server = TestServer::start();
    let code = server.unit_with_code("U-CAPIL", "2025-S2", 1200);
    let t = TestApp::fresh();
    t.app.setup_server(server_setup(&server, code)).unwrap();
    server.stop();
    t.app.sync_now().unwrap();
    t.wait_for(LIMIT, |s| s.phase == SyncPhase::Offline);
    // The round asked for while set-up's own round ran may follow at once; wait until the
    // worker has gone quiet (its next try is a backoff of seconds away).
    let mut told = t.events.lock().unwrap().len();
    loop {
        std::thread::sleep(Duration::from_millis(500));
        let now = t.events.lock().unwrap().len();
        if now == told && t.app.sync_state().unwrap().phase == SyncPhase::Offline {
            break;
        }
        told = now;
    }
    let said = t.app.sync_state().unwrap().message.unwrap();
    assert!(said.contains("server tidak dapat dihubungi"), "{said}");

    t.app.set_language(Language::En).unwrap();

    // Without waiting for another sync round.
    let now = t.app.sync_state().unwrap();
    assert_eq!(now.phase, SyncPhase::Offline);
    let said = now.message.unwrap();
    assert!(said.contains("the server cannot be reached"), "{said}");
    let told = t.events.lock().unwrap().last().cloned().unwrap();
    assert_eq!(
        told.message.as_deref(),
        Some(said.as_str()),
        "the window is told"
    );
}
