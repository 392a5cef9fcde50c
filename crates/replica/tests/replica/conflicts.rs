//! Double data entry and concurrent edits between two laptops, step by step.
//!
//! Two clerks type the same stack of paper questionnaires on laptops that are never online
//! together; their work meets by USB stick. Each test narrates who does what.

use simpul_replica::{Captured, Filter};

use crate::support::{
    Device, View, answer, author, everything, exchange_until_quiet, fields, interview, paper,
    scores, send, some, with,
};

#[test]
fn the_same_sheet_typed_identically_on_two_laptops_is_one_response_without_conflicts() {
    let mut ani = Device::new("laptop-ani");
    let mut budi = Device::new("laptop-budi");

    // Ani and Budi both type sheet 17 of the stack, with the same answers, offline.
    let sheet = with(
        scores([4, 3, 3, 4, 2, 4, 4, 3, 4]),
        "saran",
        "Antrean lebih tertib",
    );
    let typed_by_ani = ani
        .replica
        .capture(paper("17", sheet.clone(), author("Ani", 0)))
        .unwrap();
    let typed_by_budi = budi
        .replica
        .capture(paper("17", sheet, author("Budi", 5)))
        .unwrap();
    assert!(matches!(typed_by_ani, Captured::Created { .. }));
    assert!(matches!(typed_by_budi, Captured::Created { .. }));
    assert_eq!(typed_by_ani.id(), typed_by_budi.id());

    // Their bundles cross.
    let mut devices = [ani, budi];
    exchange_until_quiet(&mut devices, |_, _, _| {});

    // Each laptop shows one response, with no conflict and the typed answers.
    for device in &devices {
        let rows = device.replica.list(&everything()).unwrap();
        assert_eq!(rows.len(), 1, "{}", device.name);
        assert_eq!(rows[0].conflicts, 0);
        assert!(device.replica.conflicts(&everything()).unwrap().is_empty());
        let detail = device.replica.show(typed_by_ani.id()).unwrap();
        assert_eq!(answer(&detail, "U2"), Some("3"));
        assert_eq!(answer(&detail, "saran"), Some("Antrean lebih tertib"));
    }
    View::of(&devices[0].replica).assert_same(&View::of(&devices[1].replica), ("Ani", "Budi"));
}

#[test]
fn a_sheet_typed_with_a_different_u3_and_a_blank_saran_conflicts_on_exactly_those_cells() {
    let mut ani = Device::new("laptop-ani");
    let mut budi = Device::new("laptop-budi");

    // Ani reads U3 as 3 and misses the suggestion written in the margin.
    let id = ani
        .replica
        .capture(paper(
            "21",
            scores([4, 4, 3, 4, 4, 4, 4, 4, 4]),
            author("Ani", 0),
        ))
        .unwrap()
        .id();
    // Budi reads U3 as 2 and types the suggestion.
    let budis = with(
        scores([4, 4, 2, 4, 4, 4, 4, 4, 4]),
        "saran",
        "Ruang tunggu panas",
    );
    budi.replica
        .capture(paper("21", budis, author("Budi", 3)))
        .unwrap();

    // Their bundles cross.
    let mut devices = [ani, budi];
    exchange_until_quiet(&mut devices, |_, _, _| {});

    // Both laptops flag exactly U3 and saran, each with both readings, and nothing else.
    for device in &devices {
        let conflicts = device.replica.conflicts(&Filter::default()).unwrap();
        assert_eq!(
            fields(&conflicts),
            [
                ("U3".to_string(), vec![some("2"), some("3")]),
                ("saran".to_string(), vec![None, some("Ruang tunggu panas")]),
            ],
            "{}",
            device.name
        );
        assert!(conflicts.iter().all(|c| c.response == id));
        assert_eq!(conflicts[0].serial.as_deref(), Some("21"));
        let rows = device.replica.list(&everything()).unwrap();
        assert_eq!((rows.len(), rows[0].conflicts), (1, 2));
        // Who typed which reading is kept, so a supervisor can ask the right clerk.
        let who: Vec<_> = conflicts[0].written.iter().map(|w| w.by.clone()).collect();
        assert_eq!(who, [some("Budi"), some("Ani")]);
    }
    View::of(&devices[0].replica).assert_same(&View::of(&devices[1].replica), ("Ani", "Budi"));
}

#[test]
fn a_choice_made_on_one_laptop_clears_the_conflict_everywhere_after_the_next_exchange() {
    let mut ani = Device::new("laptop-ani");
    let mut budi = Device::new("laptop-budi");

    // Sheet 30 is typed twice, with U7 read as 1 and as 4.
    let id = ani
        .replica
        .capture(paper(
            "30",
            with(scores([3; 9]), "U7", "1"),
            author("Ani", 0),
        ))
        .unwrap()
        .id();
    budi.replica
        .capture(paper(
            "30",
            with(scores([3; 9]), "U7", "4"),
            author("Budi", 1),
        ))
        .unwrap();
    send(&ani, &mut budi);
    send(&budi, &mut ani);
    assert_eq!(
        fields(&ani.replica.conflicts(&Filter::default()).unwrap()),
        [("U7".to_string(), vec![some("1"), some("4")])]
    );

    // The supervisor, at Ani's laptop, looks at the paper: it says 4.
    ani.replica
        .resolve(id, "U7", "4", &author("Supervisor", 10))
        .unwrap();
    assert!(ani.replica.conflicts(&everything()).unwrap().is_empty());

    // After the next exchange neither laptop shows a conflict, and both show 4.
    let mut devices = [ani, budi];
    exchange_until_quiet(&mut devices, |_, _, _| {});
    for device in &devices {
        assert!(device.replica.conflicts(&everything()).unwrap().is_empty());
        let detail = device.replica.show(id).unwrap();
        assert_eq!(answer(&detail, "U7"), Some("4"), "{}", device.name);
        assert_eq!(detail.summary.conflicts, 0);
    }
    View::of(&devices[0].replica).assert_same(&View::of(&devices[1].replica), ("Ani", "Budi"));
}

#[test]
fn choosing_the_value_on_show_still_conflicts_with_a_concurrent_correction_of_it() {
    let mut ani = Device::new("laptop-ani");
    let mut budi = Device::new("laptop-budi");

    // Sheet 60 is typed with U3 = 3 by Ani and U3 = 2 by Budi, and both laptops see both.
    let id = ani
        .replica
        .capture(paper("60", scores([3; 9]), author("Ani", 0)))
        .unwrap()
        .id();
    budi.replica
        .capture(paper(
            "60",
            with(scores([3; 9]), "U3", "2"),
            author("Budi", 1),
        ))
        .unwrap();
    send(&ani, &mut budi);
    send(&budi, &mut ani);

    // At Ani's laptop the supervisor confirms the reading the list happens to show.
    let shown = answer(&ani.replica.show(id).unwrap(), "U3")
        .unwrap()
        .to_string();
    ani.replica
        .resolve(id, "U3", &shown, &author("Supervisor", 10))
        .unwrap();

    // Meanwhile Budi, who has not seen that choice, corrects U3 to 4 on his laptop.
    budi.replica
        .edit(id, &[("U3".into(), "4".into())], &author("Budi", 11))
        .unwrap();

    // Two decisions made without seeing each other: the cell shows both, on both laptops,
    // rather than one silently replacing the other.
    let mut devices = [ani, budi];
    exchange_until_quiet(&mut devices, |_, _, _| {});
    let mut both = vec![some(&shown), some("4")];
    both.sort();
    for device in &devices {
        assert_eq!(
            fields(&device.replica.conflicts(&everything()).unwrap()),
            [("U3".to_string(), both.clone())],
            "{}",
            device.name
        );
    }
}

#[test]
fn concurrent_edits_of_a_shared_interview_conflict_on_the_edited_cell_only() {
    let mut ani = Device::new("tablet-ani");
    let mut budi = Device::new("laptop-budi");

    // Ani interviews a respondent on her tablet; the response reaches Budi's laptop.
    let id = ani
        .replica
        .capture(interview(scores([3; 9]), author("Ani", 0)))
        .unwrap()
        .id();
    send(&ani, &mut budi);

    // Offline, both correct U5, differently, and both correct U6 the same way.
    ani.replica
        .edit(
            id,
            &[("U5".into(), "2".into()), ("U6".into(), "4".into())],
            &author("Ani", 10),
        )
        .unwrap();
    budi.replica
        .edit(
            id,
            &[("U5".into(), "1".into()), ("U6".into(), "4".into())],
            &author("Budi", 11),
        )
        .unwrap();

    // After the exchange U5 holds both corrections; U6 agrees, so it is no conflict.
    let mut devices = [ani, budi];
    exchange_until_quiet(&mut devices, |_, _, _| {});
    for device in &devices {
        assert_eq!(
            fields(&device.replica.conflicts(&everything()).unwrap()),
            [("U5".to_string(), vec![some("1"), some("2")])],
            "{}",
            device.name
        );
        let detail = device.replica.show(id).unwrap();
        assert_eq!(answer(&detail, "U6"), Some("4"));
    }
    View::of(&devices[0].replica).assert_same(&View::of(&devices[1].replica), ("Ani", "Budi"));
}

#[test]
fn a_response_deleted_on_one_laptop_and_edited_on_the_other_stays_deleted_with_the_edit_kept() {
    let mut ani = Device::new("laptop-ani");
    let mut budi = Device::new("laptop-budi");

    // An interview captured by Ani reaches Budi.
    let id = ani
        .replica
        .capture(interview(scores([2; 9]), author("Ani", 0)))
        .unwrap()
        .id();
    send(&ani, &mut budi);

    // Offline, Ani deletes it (a test entry, she thinks) while Budi corrects U1.
    ani.replica.delete(id, &author("Ani", 5)).unwrap();
    budi.replica
        .edit(id, &[("U1".into(), "4".into())], &author("Budi", 6))
        .unwrap();

    // After the exchange it is deleted on both, and the correction is in it, ready for a
    // restore; lists and the IKM leave it out.
    let mut devices = [ani, budi];
    exchange_until_quiet(&mut devices, |_, _, _| {});
    for device in &devices {
        let detail = device.replica.show(id).unwrap();
        assert!(detail.summary.deleted, "{}", device.name);
        assert_eq!(answer(&detail, "U1"), Some("4"));
        assert!(device.replica.conflicts(&everything()).unwrap().is_empty());
        assert!(device.replica.list(&Filter::default()).unwrap().is_empty());
        let report = device
            .replica
            .report(&Filter::default(), Default::default())
            .unwrap();
        assert_eq!(report.n, 0);
    }
    View::of(&devices[0].replica).assert_same(&View::of(&devices[1].replica), ("Ani", "Budi"));
}

#[test]
fn an_edit_made_after_seeing_both_typings_settles_the_cell() {
    let mut ani = Device::new("laptop-ani");
    let mut budi = Device::new("laptop-budi");

    // Sheet 40 is typed with U3 = 3 by Ani and U3 = 2 by Budi.
    let id = ani
        .replica
        .capture(paper("40", scores([3; 9]), author("Ani", 0)))
        .unwrap()
        .id();
    budi.replica
        .capture(paper(
            "40",
            with(scores([3; 9]), "U3", "2"),
            author("Budi", 1),
        ))
        .unwrap();

    // Budi's typing reaches Ani, who now sees both readings and overwrites U3 with 1.
    send(&budi, &mut ani);
    ani.replica
        .edit(id, &[("U3".into(), "1".into())], &author("Ani", 5))
        .unwrap();

    // Her edit supersedes both readings, on both laptops.
    let mut devices = [ani, budi];
    exchange_until_quiet(&mut devices, |_, _, _| {});
    for device in &devices {
        assert!(device.replica.conflicts(&everything()).unwrap().is_empty());
        assert_eq!(answer(&device.replica.show(id).unwrap(), "U3"), Some("1"));
    }
}

#[test]
fn an_edit_made_before_the_other_typing_arrived_keeps_the_conflict() {
    let mut ani = Device::new("laptop-ani");
    let mut budi = Device::new("laptop-budi");

    // Sheet 41 is typed with U3 = 3 by Ani and U3 = 2 by Budi.
    let id = ani
        .replica
        .capture(paper("41", scores([3; 9]), author("Ani", 0)))
        .unwrap()
        .id();
    budi.replica
        .capture(paper(
            "41",
            with(scores([3; 9]), "U3", "2"),
            author("Budi", 1),
        ))
        .unwrap();

    // Before anything crosses, Ani changes her U3 to 1: she never saw Budi's 2.
    ani.replica
        .edit(id, &[("U3".into(), "1".into())], &author("Ani", 5))
        .unwrap();

    // Her edit replaces only her own reading: Budi's 2 still stands beside it.
    let mut devices = [ani, budi];
    exchange_until_quiet(&mut devices, |_, _, _| {});
    for device in &devices {
        assert_eq!(
            fields(&device.replica.conflicts(&everything()).unwrap()),
            [("U3".to_string(), vec![some("1"), some("2")])],
            "{}",
            device.name
        );
    }
}

#[test]
fn a_sheet_typed_again_after_the_first_typing_arrived_merges_and_reports_the_differences() {
    let mut ani = Device::new("laptop-ani");
    let mut budi = Device::new("laptop-budi");

    // Ani types sheet 50, and it reaches Budi.
    let id = ani
        .replica
        .capture(paper("50", scores([4; 9]), author("Ani", 0)))
        .unwrap()
        .id();
    send(&ani, &mut budi);

    // Budi types the same sheet again, reading U9 as 3: capture says what differed.
    let again = budi
        .replica
        .capture(paper(
            "50",
            with(scores([4; 9]), "U9", "3"),
            author("Budi", 4),
        ))
        .unwrap();
    assert_eq!(
        again,
        Captured::Merged {
            id,
            differing: vec!["U9".into()]
        }
    );

    // A third typing that agrees with one of the readings adds nothing.
    let third = budi
        .replica
        .capture(paper("50", scores([4; 9]), author("Budi", 6)))
        .unwrap();
    assert_eq!(third, Captured::AlreadyPresent { id });

    // Once exchanged, both laptops show the one conflict on U9.
    let mut devices = [ani, budi];
    exchange_until_quiet(&mut devices, |_, _, _| {});
    for device in &devices {
        assert_eq!(
            fields(&device.replica.conflicts(&everything()).unwrap()),
            [("U9".to_string(), vec![some("3"), some("4")])],
            "{}",
            device.name
        );
    }
    View::of(&devices[0].replica).assert_same(&View::of(&devices[1].replica), ("Ani", "Budi"));
}
