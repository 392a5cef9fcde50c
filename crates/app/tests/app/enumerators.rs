use simpul_app::ErrorCode;

use crate::helpers::TestApp;

#[test]
fn the_right_pin_signs_in_and_a_wrong_one_does_not() {
    let t = TestApp::set_up();
    let budi = t
        .app
        .add_enumerator("Budi".into(), "135790".into())
        .unwrap();
    t.app.sign_out().unwrap();

    let err = t.app.sign_in(budi.id.clone(), "135791".into()).unwrap_err();
    assert_eq!(err.code, ErrorCode::WrongPin);
    assert_eq!(t.app.app_state().unwrap().signed_in, None);

    let signed_in = t.app.sign_in(budi.id.clone(), "135790".into()).unwrap();
    assert_eq!(signed_in, budi);
    assert_eq!(t.app.app_state().unwrap().signed_in, Some(budi));
}

#[test]
fn enumerators_and_their_pins_survive_a_restart_but_nobody_stays_signed_in() {
    let t = TestApp::set_up();
    let sari = t.app.app_state().unwrap().signed_in.unwrap();
    let t = t.reopen();
    let state = t.app.app_state().unwrap();
    assert_eq!(state.enumerators, vec![sari.clone()]);
    assert_eq!(state.signed_in, None);
    assert_eq!(
        t.app
            .sign_in(sari.id.clone(), "0000".into())
            .unwrap_err()
            .code,
        ErrorCode::WrongPin
    );
    assert_eq!(t.app.sign_in(sari.id, "2468".into()).unwrap().name, "Sari");
}

#[test]
fn a_pin_must_be_four_to_eight_digits() {
    let t = TestApp::set_up();
    for pin in ["123", "123456789", "12ab"] {
        let err = t.app.add_enumerator("Budi".into(), pin.into()).unwrap_err();
        assert_eq!(err.code, ErrorCode::Invalid, "{pin}");
        assert!(err.message.contains("PIN"), "{}", err.message);
    }
    assert_eq!(t.app.app_state().unwrap().enumerators.len(), 1);
}

#[test]
fn writing_with_nobody_signed_in_asks_for_a_sign_in() {
    let t = TestApp::set_up();
    t.app.sign_out().unwrap();
    let err = t.app.set_kiosk_pin("9999".into()).unwrap_err();
    assert_eq!(err.code, ErrorCode::NotSignedIn);
    let draft = t
        .app
        .draft_open(simpul_app::ipc::Channel::Interview)
        .unwrap();
    assert_eq!(
        t.app.draft_save(draft).unwrap_err().code,
        ErrorCode::NotSignedIn
    );
}

#[test]
fn the_kiosk_pin_is_checked_like_an_enumerators() {
    let t = TestApp::set_up();
    assert!(!t.app.app_state().unwrap().kiosk_pin_set);
    assert!(t.app.set_kiosk_pin("9999".into()).unwrap().kiosk_pin_set);
    assert_eq!(
        t.app.check_kiosk_pin("9998".into()).unwrap_err().code,
        ErrorCode::WrongPin
    );
    t.app.check_kiosk_pin("9999".into()).unwrap();
}
