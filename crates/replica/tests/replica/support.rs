//! Replicas in temporary folders, the SKM answers they type, exchanging bundles until nobody
//! learns anything new, and a whole view of what a replica shows to compare replicas by.

use std::collections::BTreeSet;

use chrono::{DateTime, TimeZone, Utc};
use simpul_replica::{
    Applied, Author, Channel, Conflict, Detail, Filter, NewResponse, PaperSerial, PeriodCode,
    Replica, Settings, Status, Summary, UnitCode,
};
use tempfile::TempDir;
use uuid::Uuid;

/// One laptop or tablet: a replica in a folder of its own, removed on drop.
pub struct Device {
    pub name: String,
    pub replica: Replica,
    dir: TempDir,
}

impl Device {
    /// A fresh device collecting for U-CAPIL in 2025-S1 with the standard form.
    pub fn new(name: &str) -> Device {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let settings = Settings {
            unit: UnitCode::parse("U-CAPIL").unwrap(),
            period: PeriodCode::parse("2025-S1").unwrap(),
            form: "skm-2017".into(),
            device: name.into(),
        };
        let replica = Replica::init(dir.path(), settings).expect("init");
        Device {
            name: name.into(),
            replica,
            dir,
        }
    }

    /// Close the database and open it again, as after the laptop was switched off.
    pub fn reopen(&mut self) {
        self.replica = Replica::open(self.dir.path()).expect("reopen");
    }

    /// Export everything this device holds as a bundle file's bytes.
    pub fn bundle(&self) -> Vec<u8> {
        self.replica.export_bundle(0).expect("export").0
    }

    /// Changes that arrived before what they depend on, still waiting here.
    pub fn waiting(&mut self) -> usize {
        self.replica
            .apply(Vec::new())
            .expect("apply nothing")
            .waiting
    }
}

/// A moment on the survey day, `minutes` after opening time.
pub fn at(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 3, 1, 0, 0).unwrap() + chrono::Duration::minutes(minutes)
}

pub fn author(by: &str, minutes: i64) -> Author {
    Author::new(by, at(minutes))
}

/// Answers to U1–U9, in order.
pub fn scores(values: [u8; 9]) -> Vec<(String, String)> {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| (format!("U{}", i + 1), v.to_string()))
        .collect()
}

/// `answers` with `item` set to `value` (added if missing).
pub fn with(mut answers: Vec<(String, String)>, item: &str, value: &str) -> Vec<(String, String)> {
    match answers.iter_mut().find(|(i, _)| i == item) {
        Some(slot) => slot.1 = value.into(),
        None => answers.push((item.into(), value.into())),
    }
    answers
}

/// A paper sheet as a clerk types it.
pub fn paper(serial: &str, answers: Vec<(String, String)>, by: Author) -> NewResponse {
    NewResponse {
        channel: Channel::Paper,
        form: None,
        unit: None,
        period: None,
        serial: Some(PaperSerial::parse(serial).unwrap()),
        answers,
        status: Status::Final,
        author: by,
    }
}

/// A complete interview.
pub fn interview(answers: Vec<(String, String)>, by: Author) -> NewResponse {
    NewResponse {
        channel: Channel::Interview,
        form: None,
        unit: None,
        period: None,
        serial: None,
        answers,
        status: Status::Final,
        author: by,
    }
}

/// Every response, deleted ones included.
pub fn everything() -> Filter {
    Filter {
        include_deleted: true,
        ..Filter::default()
    }
}

/// Carry everything `from` holds to `to` in one bundle.
pub fn send(from: &Device, to: &mut Device) -> Applied {
    to.replica.import_bundle(&from.bundle()).expect("import")
}

/// Every device sends a full bundle to every other, round after round, until a round in which
/// nobody learns anything. `on_import(to, bundle, applied)` sees each import. Returns the
/// number of rounds.
pub fn exchange_until_quiet(
    devices: &mut [Device],
    mut on_import: impl FnMut(usize, &[u8], &Applied),
) -> usize {
    for round in 1..=8 {
        let mut learned = false;
        for from in 0..devices.len() {
            let bundle = devices[from].bundle();
            for to in (0..devices.len()).filter(|&to| to != from) {
                let applied = devices[to]
                    .replica
                    .import_bundle(&bundle)
                    .expect("a full bundle imports");
                on_import(to, &bundle, &applied);
                learned |= applied.new_changes > 0;
            }
        }
        if !learned {
            return round;
        }
    }
    panic!("devices still learning after 8 rounds of full exchange");
}

/// Everything a replica shows, read through its public API only.
#[derive(Debug, PartialEq)]
pub struct View {
    /// The change log as (response, change bytes): equal logs mean equal documents.
    pub changes: BTreeSet<(Uuid, Vec<u8>)>,
    /// The materialised rows, deleted responses included.
    pub rows: Vec<Summary>,
    /// Every response in full, in list order.
    pub details: Vec<Detail>,
    /// Every conflict, deleted responses included, and those a default list shows.
    pub conflicts: Vec<Conflict>,
    pub conflicts_shown: Vec<Conflict>,
    /// The IKM report as JSON.
    pub report: String,
}

impl View {
    pub fn of(replica: &Replica) -> View {
        let (entries, _) = replica.changes_since(0).expect("changes");
        let rows = replica.list(&everything()).expect("list");
        let details = rows
            .iter()
            .map(|row| replica.show(row.id).expect("show"))
            .collect();
        let report = replica
            .report(&Filter::default(), Default::default())
            .expect("report");
        View {
            changes: entries.into_iter().map(|e| (e.doc, e.change)).collect(),
            rows,
            details,
            conflicts: replica.conflicts(&everything()).expect("conflicts"),
            conflicts_shown: replica.conflicts(&Filter::default()).expect("conflicts"),
            report: serde_json::to_string(&report).expect("report as JSON"),
        }
    }

    /// Assert `other` is the same view, naming the first part that differs.
    pub fn assert_same(&self, other: &View, names: (&str, &str)) {
        let (a, b) = names;
        if self.changes != other.changes {
            let only = |x: &View, y: &View| {
                x.changes
                    .difference(&y.changes)
                    .map(|(doc, bytes)| (*doc, bytes.len()))
                    .collect::<Vec<_>>()
            };
            panic!(
                "change logs differ: only on {a}: {:?}; only on {b}: {:?}",
                only(self, other),
                only(other, self)
            );
        }
        assert_eq!(
            self.rows, other.rows,
            "materialised rows differ: {a} vs {b}"
        );
        for (x, y) in self.details.iter().zip(&other.details) {
            assert_eq!(x, y, "response {} differs: {a} vs {b}", x.summary.id);
        }
        assert_eq!(
            self.conflicts, other.conflicts,
            "conflicts differ: {a} vs {b}"
        );
        assert_eq!(
            self.conflicts_shown, other.conflicts_shown,
            "listed conflicts differ: {a} vs {b}"
        );
        assert_eq!(self.report, other.report, "reports differ: {a} vs {b}");
    }
}

/// The value `item` shows in `detail`.
pub fn answer<'a>(detail: &'a Detail, item: &str) -> Option<&'a str> {
    detail
        .answers
        .iter()
        .find(|a| a.item == item)
        .unwrap_or_else(|| panic!("response {} has no item {item}", detail.summary.id))
        .value
        .as_deref()
}

/// Conflicts as (field, values) pairs, for compact assertions.
pub fn fields(conflicts: &[Conflict]) -> Vec<(String, Vec<Option<String>>)> {
    conflicts
        .iter()
        .map(|c| (c.field.clone(), c.values.clone()))
        .collect()
}

/// `Some(text)` as the conflict values hold it.
pub fn some(text: &str) -> Option<String> {
    Some(text.to_string())
}
