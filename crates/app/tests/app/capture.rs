use simpul_app::ErrorCode;
use simpul_app::ipc::{Channel, Language, ResponseFilter, SavedOutcome};

use crate::helpers::{TestApp, unsur};

#[test]
fn a_draft_survives_the_app_dying_and_reopens_where_it_was() {
    let t = TestApp::set_up();
    let mut draft = t.app.draft_open(Channel::Interview).unwrap();
    draft.answers.insert("U1".into(), "4".into());
    draft.answers.insert("jenis_kelamin".into(), "P".into());
    draft.step = 3;
    let saved = t.app.draft_save(draft).unwrap();

    // The battery dies: the App is dropped without any goodbye, then started again.
    let t = t.reopen();
    let reopened = t.app.draft_open(Channel::Interview).unwrap();
    assert_eq!(reopened.id, saved.id);
    assert_eq!(reopened.answers, saved.answers);
    assert_eq!(reopened.step, 3);
    // The kiosk's draft is another one.
    assert_ne!(t.app.draft_open(Channel::Kiosk).unwrap().id, saved.id);
}

#[test]
fn submitting_a_draft_twice_makes_one_response() {
    let t = TestApp::set_up();
    let mut draft = t.app.draft_open(Channel::Kiosk).unwrap();
    draft.answers = unsur("3");
    let draft = t.app.draft_save(draft).unwrap();

    let first = t.app.draft_submit(draft.id.clone()).unwrap();
    let second = t.app.draft_submit(draft.id.clone()).unwrap();
    assert_eq!(first.outcome, SavedOutcome::Created);
    assert_eq!(second.outcome, SavedOutcome::AlreadyPresent);
    assert_eq!(first.id, draft.id);

    let rows = t.app.list_responses(ResponseFilter::default()).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].channel, Channel::Kiosk.code());
    // The next kiosk respondent starts afresh.
    assert_ne!(t.app.draft_open(Channel::Kiosk).unwrap().id, draft.id);
}

#[test]
fn a_missing_required_answer_is_named_and_the_draft_is_kept() {
    let t = TestApp::set_up();
    let mut draft = t.app.draft_open(Channel::Interview).unwrap();
    draft.answers = unsur("4");
    draft.answers.remove("U6");
    let draft = t.app.draft_save(draft).unwrap();
    let err = t.app.draft_submit(draft.id.clone()).unwrap_err();
    assert_eq!(err.code, ErrorCode::Invalid);
    assert!(err.message.contains("U6"), "{}", err.message);
    assert_eq!(t.app.draft_open(Channel::Interview).unwrap().id, draft.id);
    assert!(
        t.app
            .list_responses(ResponseFilter::default())
            .unwrap()
            .is_empty()
    );
}

#[test]
fn an_invalid_answer_names_the_item_and_the_value_in_indonesian_then_in_english() {
    let t = TestApp::set_up();
    let mut draft = t.app.draft_open(Channel::Interview).unwrap();
    draft.answers = unsur("4");
    draft.answers.insert("U3".into(), "7".into());
    let draft = t.app.draft_save(draft).unwrap();

    let err = t.app.draft_submit(draft.id.clone()).unwrap_err();
    assert_eq!(err.code, ErrorCode::Invalid);
    assert!(
        err.message.starts_with("isian U3: `7` tidak diterima"),
        "{}",
        err.message
    );
    let checked = t
        .app
        .check_answer("U3".into(), "7".into())
        .unwrap()
        .unwrap();
    assert_eq!(checked, err.message);

    t.app.set_language(Language::En).unwrap();
    let err = t.app.draft_submit(draft.id).unwrap_err();
    assert!(
        err.message.starts_with("item U3: `7` is not allowed"),
        "{}",
        err.message
    );
    assert_eq!(t.app.check_answer("U3".into(), "4".into()).unwrap(), None);
    assert_eq!(t.app.check_answer("U3".into(), "".into()).unwrap(), None);
}

#[test]
fn the_form_comes_in_the_current_language() {
    let t = TestApp::set_up();
    let id = t.app.form().unwrap();
    t.app.set_language(Language::En).unwrap();
    let en = t.app.form().unwrap();
    assert_eq!(id.items.len(), en.items.len());
    let label = |form: &simpul_app::ipc::FormView| {
        form.items
            .iter()
            .find(|i| i.id == "jenis_kelamin")
            .unwrap()
            .label
            .clone()
    };
    assert_eq!(
        (label(&id).as_str(), label(&en).as_str()),
        ("Jenis kelamin", "Sex")
    );
}
