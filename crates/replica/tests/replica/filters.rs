//! Lists and reports by who captured a response and on which day, as a supervisor asks for
//! them ("what did Sari collect last week?"), on the device as on the server.

use chrono::{NaiveDate, TimeZone, Utc};
use simpul_replica::{Author, DB_FILE, Filter, Replica};
use simpul_survey::Weighting;

use crate::support::{Device, everything, interview, scores};

/// Noon (UTC) on a day of March 2025: the same calendar day from Aceh to Papua.
fn noon(day: u32, by: &str) -> Author {
    Author::new(by, Utc.with_ymd_and_hms(2025, 3, day, 12, 0, 0).unwrap())
}

fn march(day: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(2025, 3, day)
}

fn count(device: &Device, filter: Filter) -> usize {
    device.replica.list(&filter).unwrap().len()
}

#[test]
fn responses_are_found_by_the_enumerator_who_captured_them_and_by_day() {
    let mut device = Device::new("tablet");
    let mut ids = Vec::new();
    for (day, by) in [(3, "Sari"), (4, "Sari"), (4, "Budi"), (5, "Budi")] {
        let captured = device
            .replica
            .capture(interview(scores([4; 9]), noon(day, by)))
            .unwrap();
        ids.push(captured.id());
    }
    // Budi corrects one of Sari's: she still captured it.
    device
        .replica
        .edit(ids[0], &[("U1".into(), "3".into())], &noon(6, "Budi"))
        .unwrap();

    let by = |name: &str| Filter {
        enumerator: Some(name.into()),
        ..everything()
    };
    assert_eq!(count(&device, by("Sari")), 2);
    assert_eq!(count(&device, by("Budi")), 2);
    assert_eq!(count(&device, by("Ani")), 0);

    let days = |from, to| Filter {
        from,
        to,
        ..everything()
    };
    assert_eq!(count(&device, days(march(4), None)), 3, "from the 4th");
    assert_eq!(
        count(&device, days(None, march(4))),
        3,
        "up to the 4th, all of it"
    );
    assert_eq!(count(&device, days(march(4), march(4))), 2, "the 4th alone");
    assert_eq!(
        count(&device, days(march(6), None)),
        0,
        "an edit is no capture"
    );

    let budi_from_the_5th = Filter {
        enumerator: Some("Budi".into()),
        from: march(5),
        ..Filter::default()
    };
    let report = device
        .replica
        .report(&budi_from_the_5th, Weighting::Exact)
        .unwrap();
    assert_eq!(report.n, 1, "the report honours the same filter");
}

#[test]
fn a_replica_from_before_enumerators_were_kept_learns_them_at_its_next_open() {
    let mut device = Device::new("tablet");
    device
        .replica
        .capture(interview(scores([3; 9]), noon(3, "Sari")))
        .unwrap();
    let path = device.replica.dir().join(DB_FILE);
    // What the upgrade to schema 5 leaves in an older replica: the column empty, and the
    // request to read every document again.
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.execute_batch(
        "UPDATE responses SET enumerator = NULL; INSERT INTO rematerialise (id) VALUES (1);",
    )
    .unwrap();
    drop(raw);
    let sari = Filter {
        enumerator: Some("Sari".into()),
        ..Filter::default()
    };
    assert_eq!(count(&device, sari.clone()), 0);

    device.reopen();

    assert_eq!(count(&device, sari), 1);
    let raw = rusqlite::Connection::open(&path).unwrap();
    let pending: i64 = raw
        .query_row("SELECT COUNT(*) FROM rematerialise", [], |row| row.get(0))
        .unwrap();
    assert_eq!(pending, 0, "done once");
    assert!(Replica::open(device.replica.dir()).is_ok());
}
