use chrono::Utc;
use simpul_app::ErrorCode;
use simpul_app::ipc::{Channel, ResponseFilter, SavedOutcome};
use simpul_replica::{Author, NewResponse, Replica, Status};

use crate::helpers::{TestApp, unsur};

#[test]
fn responses_are_listed_newest_first() {
    let t = TestApp::set_up();
    let first = t.interview("4", "KTP-el");
    let second = t.interview("3", "Akta kelahiran");
    let rows = t.app.list_responses(ResponseFilter::default()).unwrap();
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, [second.id.as_str(), first.id.as_str()]);
    let ktp = ResponseFilter {
        service: Some("KTP-el".into()),
        ..ResponseFilter::default()
    };
    assert_eq!(t.app.list_responses(ktp).unwrap().len(), 1);
}

#[test]
fn an_opened_response_shows_every_item_with_its_label_and_what_was_chosen() {
    let t = TestApp::set_up();
    let saved = t.interview("4", "KTP-el");
    assert_eq!(saved.outcome, SavedOutcome::Created);
    let detail = t.app.open_response(saved.id).unwrap();
    let form = t.app.form().unwrap();
    let items: Vec<&str> = detail.answers.iter().map(|a| a.item.as_str()).collect();
    let form_items: Vec<&str> = form.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(items, form_items);
    let u1 = detail.answers.iter().find(|a| a.item == "U1").unwrap();
    assert_eq!(u1.value.as_deref(), Some("4"));
    assert_eq!(u1.display.as_deref(), Some("Sangat sesuai"));
    assert!(detail.unsynced, "nothing has reached a server");
}

#[test]
fn a_deleted_response_leaves_the_list_and_comes_back_on_restore() {
    let t = TestApp::set_up();
    let saved = t.interview("4", "KTP-el");
    let deleted = t.app.delete_response(saved.id.clone()).unwrap();
    assert!(deleted.row.deleted);
    assert!(
        t.app
            .list_responses(ResponseFilter::default())
            .unwrap()
            .is_empty()
    );
    assert_eq!(t.app.report(ResponseFilter::default()).unwrap().n, 0);
    let with_deleted = ResponseFilter {
        include_deleted: true,
        ..ResponseFilter::default()
    };
    assert_eq!(t.app.list_responses(with_deleted).unwrap().len(), 1);

    let restored = t.app.restore_response(saved.id).unwrap();
    assert!(!restored.row.deleted);
    assert_eq!(
        t.app
            .list_responses(ResponseFilter::default())
            .unwrap()
            .len(),
        1
    );
    assert_eq!(t.app.report(ResponseFilter::default()).unwrap().n, 1);
}

#[test]
fn an_edit_changes_the_answer_and_a_bad_value_changes_nothing() {
    let t = TestApp::set_up();
    let saved = t.interview("4", "KTP-el");
    let edited = t
        .app
        .edit_response(
            saved.id.clone(),
            [("U2".to_string(), "2".to_string())].into(),
        )
        .unwrap();
    let u2 = edited.answers.iter().find(|a| a.item == "U2").unwrap();
    assert_eq!(u2.value.as_deref(), Some("2"));

    let err = t
        .app
        .edit_response(
            saved.id.clone(),
            [("U2".to_string(), "9".to_string())].into(),
        )
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Invalid);
    assert!(
        err.message.contains("U2") && err.message.contains('9'),
        "{}",
        err.message
    );
    let again = t.app.open_response(saved.id).unwrap();
    assert_eq!(
        again
            .answers
            .iter()
            .find(|a| a.item == "U2")
            .unwrap()
            .value
            .as_deref(),
        Some("2")
    );
}

#[test]
fn an_unknown_response_is_not_found() {
    let t = TestApp::set_up();
    let missing = uuid::Uuid::now_v7().to_string();
    assert_eq!(
        t.app.open_response(missing).unwrap_err().code,
        ErrorCode::NotFound
    );
    assert_eq!(
        t.app.open_response("nonsense".into()).unwrap_err().code,
        ErrorCode::NotFound
    );
}

#[test]
fn a_web_self_survey_is_listed_filtered_and_reported_as_web() {
    let t = TestApp::set_up();
    let interview = t.interview("4", "KTP-el");
    // The server writes the web self-surveys; one arrives here through the replica, as a
    // sync would apply it, beside the window's own connection.
    let mut replica = Replica::open(&t.dir.path().join("data")).unwrap();
    let web = replica
        .capture(NewResponse {
            channel: Channel::Web,
            form: None,
            unit: None,
            period: None,
            serial: None,
            answers: unsur("2").into_iter().collect(),
            status: Status::Final,
            author: Author::new("swasurvei", Utc::now()),
        })
        .unwrap();
    let by_channel = |channel| {
        t.app
            .list_responses(ResponseFilter {
                channel: Some(channel),
                ..ResponseFilter::default()
            })
            .unwrap()
    };

    let webs = by_channel(Channel::Web);
    assert_eq!(webs.len(), 1);
    assert_eq!(webs[0].id, web.id().to_string());
    assert_eq!(webs[0].channel, "web");
    let interviews = by_channel(Channel::Interview);
    assert_eq!(interviews.len(), 1);
    assert_eq!(interviews[0].id, interview.id);
    assert!(by_channel(Channel::Kiosk).is_empty());
    assert_eq!(
        t.app
            .list_responses(ResponseFilter::default())
            .unwrap()
            .len(),
        2
    );
    let report = t
        .app
        .report(ResponseFilter {
            channel: Some(Channel::Web),
            ..ResponseFilter::default()
        })
        .unwrap();
    assert_eq!(report.n, 1);
}
