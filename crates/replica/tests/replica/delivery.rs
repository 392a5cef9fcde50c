//! Bundles that arrive out of order, twice, cut short or tampered with.
//!
//! Field bundles travel on USB sticks and flaky links: an older stick turns up after a newer
//! one, the same file is imported twice, a copy is cut off when the stick is pulled. Each
//! must either apply in full or change nothing.

use simpul_protocol::{Entry, Limits, encode_bundle};
use simpul_replica::{Applied, Error, Filter};

use crate::support::{Device, View, answer, author, everything, interview, scores};

/// Ani's tablet with one interview (change 1) and a correction to it (change 2), and the two
/// bundles she exported: the first holding change 1, the second only change 2.
fn interview_then_correction() -> (Device, uuid::Uuid, Vec<u8>, Vec<u8>) {
    let mut ani = Device::new("tablet-ani");
    let id = ani
        .replica
        .capture(interview(scores([3; 9]), author("Ani", 0)))
        .unwrap()
        .id();
    let (first, exported) = ani.replica.export_bundle(0).unwrap();
    ani.replica
        .edit(id, &[("U4".into(), "1".into())], &author("Ani", 5))
        .unwrap();
    let (second, later) = ani.replica.export_bundle(exported.last_seq).unwrap();
    assert_eq!((exported.changes, later.changes), (1, 1));
    (ani, id, first, second)
}

#[test]
fn a_change_arriving_before_the_one_it_depends_on_waits_until_that_one_comes() {
    let (_ani, id, first, second) = interview_then_correction();
    let mut office = Device::new("office");

    // The stick with the correction arrives first: it cannot apply yet, so it waits and the
    // response is not listed.
    let applied = office.replica.import_bundle(&second).unwrap();
    assert_eq!((applied.new_changes, applied.waiting), (0, 1));
    assert!(office.replica.list(&everything()).unwrap().is_empty());

    // The older stick arrives: the interview applies, and the correction right after it.
    let applied = office.replica.import_bundle(&first).unwrap();
    assert_eq!(
        (applied.new_changes, applied.duplicates, applied.waiting),
        (2, 0, 0)
    );
    assert!(applied.created.contains(&id));
    let detail = office.replica.show(id).unwrap();
    assert_eq!(answer(&detail, "U4"), Some("1"));
    assert_eq!(office.replica.changes_since(0).unwrap().0.len(), 2);
}

#[test]
fn a_chain_of_corrections_delivered_newest_first_applies_in_full_when_the_interview_arrives() {
    // Ani captures an interview and corrects it six times, exporting after each step.
    let mut ani = Device::new("tablet-ani");
    let id = ani
        .replica
        .capture(interview(scores([3; 9]), author("Ani", 0)))
        .unwrap()
        .id();
    let (interview_bundle, mut exported) = ani.replica.export_bundle(0).unwrap();
    let mut corrections = Vec::new();
    for (minute, value) in [(1, "1"), (2, "2"), (3, "4"), (4, "1"), (5, "3"), (6, "2")] {
        ani.replica
            .edit(id, &[("U8".into(), value.into())], &author("Ani", minute))
            .unwrap();
        let (bundle, next) = ani.replica.export_bundle(exported.last_seq).unwrap();
        corrections.push(bundle);
        exported = next;
    }

    // The office gets the corrections newest first: each waits for the one before it.
    let mut office = Device::new("office");
    for (waiting, bundle) in corrections.iter().rev().enumerate() {
        let applied = office.replica.import_bundle(bundle).unwrap();
        assert_eq!((applied.new_changes, applied.waiting), (0, waiting + 1));
    }
    assert!(office.replica.list(&everything()).unwrap().is_empty());

    // The interview arrives last, and the whole chain applies behind it.
    let applied = office.replica.import_bundle(&interview_bundle).unwrap();
    assert_eq!((applied.new_changes, applied.waiting), (7, 0));
    assert_eq!(answer(&office.replica.show(id).unwrap(), "U8"), Some("2"));
    View::of(&office.replica).assert_same(&View::of(&ani.replica), ("office", "Ani"));
}

#[test]
fn a_waiting_change_is_not_passed_on_while_it_waits() {
    let (_ani, _id, _first, second) = interview_then_correction();
    let mut office = Device::new("office");

    // The office holds the correction but not the interview it corrects.
    office.replica.import_bundle(&second).unwrap();

    // Its own bundle carries nothing: no peer could apply the correction either.
    let (_, exported) = office.replica.export_bundle(0).unwrap();
    assert_eq!(exported.changes, 0);
}

#[test]
fn a_waiting_change_survives_closing_the_replica_and_applies_when_its_dependency_comes() {
    let (_ani, id, first, second) = interview_then_correction();
    let mut office = Device::new("office");

    // The correction arrives and waits; then the office laptop is switched off and on.
    office.replica.import_bundle(&second).unwrap();
    office.reopen();
    assert_eq!(office.waiting(), 1);

    // The interview arrives after the restart: both apply.
    let applied = office.replica.import_bundle(&first).unwrap();
    assert_eq!((applied.new_changes, applied.waiting), (2, 0));
    assert_eq!(answer(&office.replica.show(id).unwrap(), "U4"), Some("1"));
}

#[test]
fn a_waiting_change_delivered_again_counts_as_a_duplicate() {
    let (_ani, _id, _first, second) = interview_then_correction();
    let mut office = Device::new("office");

    office.replica.import_bundle(&second).unwrap();
    let again = office.replica.import_bundle(&second).unwrap();
    assert_eq!(
        (again.new_changes, again.duplicates, again.waiting),
        (0, 1, 1)
    );
}

#[test]
fn a_bundle_imported_twice_counts_duplicates_and_changes_nothing() {
    let (ani, _id, _first, _second) = interview_then_correction();
    let mut office = Device::new("office");
    let bundle = ani.bundle();

    let once = office.replica.import_bundle(&bundle).unwrap();
    assert_eq!(once.new_changes, 2);
    let before = View::of(&office.replica);
    let seq = office.replica.last_seq().unwrap();

    let twice = office.replica.import_bundle(&bundle).unwrap();
    assert_eq!(
        twice,
        Applied {
            duplicates: 2,
            ..Applied::default()
        }
    );
    assert_eq!(office.replica.last_seq().unwrap(), seq);
    View::of(&office.replica).assert_same(&before, ("after", "before"));
}

#[test]
fn a_truncated_bundle_is_refused_at_every_cut_and_changes_nothing() {
    let (ani, _id, first, _second) = interview_then_correction();
    let mut office = Device::new("office");
    // The office already holds the interview, so "nothing changed" has something to keep.
    office.replica.import_bundle(&first).unwrap();
    let before = View::of(&office.replica);

    let bundle = ani.bundle();
    for cut in 0..bundle.len() {
        let err = office.replica.import_bundle(&bundle[..cut]).unwrap_err();
        assert!(matches!(err, Error::Protocol(_)), "cut at {cut}: {err}");
    }
    View::of(&office.replica).assert_same(&before, ("after", "before"));
    assert_eq!(office.waiting(), 0);
}

#[test]
fn a_bundle_with_a_garbage_change_is_refused_whole_and_changes_nothing() {
    let (ani, _id, _first, _second) = interview_then_correction();
    let mut office = Device::new("office");
    let before = View::of(&office.replica);

    // A well-framed bundle: Ani's two genuine changes, then bytes that are no change at all.
    let (mut entries, _) = ani.replica.changes_since(0).unwrap();
    let doc = entries[0].doc;
    entries.push(Entry {
        doc,
        change: b"not an automerge change".to_vec(),
    });
    let bundle = encode_bundle(entries, 1 << 16, &Limits::default()).unwrap();

    let err = office.replica.import_bundle(&bundle).unwrap_err();
    assert!(matches!(err, Error::InvalidChange { .. }), "{err}");
    // The genuine changes in front of it were not kept either.
    View::of(&office.replica).assert_same(&before, ("after", "before"));
    assert_eq!(office.waiting(), 0);
}

#[test]
fn a_change_altered_after_it_was_made_is_refused_whichever_byte_changed() {
    let (ani, _id, _first, _second) = interview_then_correction();
    let mut office = Device::new("office");
    let before = View::of(&office.replica);
    let (entries, _) = ani.replica.changes_since(0).unwrap();

    // Flip one bit of the interview's change, in every position in turn, and re-frame it so
    // the bundle's own checksum is right: only the change itself can tell.
    let genuine = &entries[0];
    for position in 0..genuine.change.len() {
        let mut altered = genuine.change.clone();
        altered[position] ^= 0x10;
        let entry = Entry {
            doc: genuine.doc,
            change: altered,
        };
        let bundle = encode_bundle(vec![entry], 1 << 16, &Limits::default()).unwrap();
        let err = office
            .replica
            .import_bundle(&bundle)
            .expect_err(&format!("a change altered at byte {position} was accepted"));
        assert!(
            matches!(err, Error::InvalidChange { .. }),
            "byte {position}: {err}"
        );
    }
    View::of(&office.replica).assert_same(&before, ("after", "before"));
}

#[test]
fn a_change_filed_under_another_response_is_refused() {
    let (ani, _id, first, _second) = interview_then_correction();
    let mut office = Device::new("office");
    office.replica.import_bundle(&first).unwrap();
    let before = View::of(&office.replica);

    // The correction, labelled as belonging to some other response.
    let (entries, _) = ani.replica.changes_since(0).unwrap();
    let forged = Entry {
        doc: uuid::Uuid::from_u128(7),
        change: entries[1].change.clone(),
    };
    let bundle = encode_bundle(vec![forged], 1 << 16, &Limits::default()).unwrap();

    let err = office.replica.import_bundle(&bundle).unwrap_err();
    assert!(matches!(err, Error::ForeignDependency { .. }), "{err}");
    View::of(&office.replica).assert_same(&before, ("after", "before"));
    assert!(
        office
            .replica
            .list(&Filter::default())
            .unwrap()
            .iter()
            .all(|row| row.id != uuid::Uuid::from_u128(7))
    );
}

#[test]
fn a_document_that_is_no_response_is_refused_and_never_shows_as_a_blank_draft() {
    use automerge::transaction::Transactable;
    let mut office = Device::new("office");
    office
        .replica
        .capture(interview(scores([3; 9]), author("Ani", 0)))
        .unwrap();
    let before = View::of(&office.replica);
    // A valid Automerge change of arbitrary content, as a script could make one.
    let mut junk = automerge::AutoCommit::new();
    junk.put(automerge::ROOT, "hello", "world").unwrap();
    junk.commit();
    let entry = Entry {
        doc: uuid::Uuid::now_v7(),
        change: junk.get_last_local_change().unwrap().raw_bytes().to_vec(),
    };
    let bundle = encode_bundle(vec![entry], 64 << 10, &Limits::default()).unwrap();

    let err = office.replica.import_bundle(&bundle).unwrap_err();

    assert!(matches!(err, Error::NotAResponse(_)), "{err}");
    View::of(&office.replica).assert_same(&before, ("after", "before"));
    assert_eq!(office.replica.list(&everything()).unwrap().len(), 1);
}
