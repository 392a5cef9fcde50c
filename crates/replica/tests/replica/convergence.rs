//! The convergence property: devices making random offline captures, edits and deletes, and
//! typing the same paper sheets, exchange bundles in any order — repeated, cut short, tampered
//! with, carrying forged configuration or another unit's responses — and all end with the
//! same documents and the same tables, listing as conflicts exactly the cells where writes
//! that never saw each other disagree. A hostile bundle is refused whole and changes nothing.
//!
//! A model follows the history. It knows every change by hash: what it wrote, and which
//! changes its author had seen when writing it. From that alone it predicts what each import
//! does (applied, duplicate, waiting) and which values each cell ends with: a write hides
//! every write it saw, so a cell keeps the values of the writes no later write saw. Which of
//! several values Automerge displays is Automerge's choice, not the model's: there the test
//! reads the replica and checks only what is determined.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use automerge::{Change, ChangeHash};
use proptest::prelude::*;
use proptest::sample::Index;
use simpul_protocol::{Entry, Limits, decode_bundle, encode_bundle};
use simpul_replica::{
    Applied, BATCH_PAYLOAD_BYTES, Captured, Channel, Error, NewResponse, PaperSerial, Status,
    paper_response_id,
};
use uuid::Uuid;

use crate::support::{Device, View, author, exchange_until_quiet};

const SCORES: &[&str] = &["1", "2", "3", "4"];

/// Each item of the standard form with the few values random sheets use: few enough that two
/// typings of a sheet often agree.
const ITEMS: [(&str, &[&str]); 17] = [
    ("tanggal", &["2025-03-03", "2025-03-04"]),
    ("jenis_kelamin", &["L", "P"]),
    ("umur", &["19", "35", "62"]),
    ("pendidikan", &["SMA", "S1"]),
    ("pekerjaan", &["PNS", "SWASTA", "LAINNYA"]),
    ("pekerjaan_lainnya", &["Petani", "Nelayan"]),
    ("layanan", &["KTP", "KK", "Akta lahir"]),
    ("U1", SCORES),
    ("U2", SCORES),
    ("U3", SCORES),
    ("U4", SCORES),
    ("U5", SCORES),
    ("U6", SCORES),
    ("U7", SCORES),
    ("U8", SCORES),
    ("U9", SCORES),
    (
        "saran",
        &[
            "Antrean terlalu lama",
            "Petugas ramah",
            "Ruang tunggu panas",
        ],
    ),
];

/// The positions of U1–U9 in [`ITEMS`]: required on a final interview or kiosk response.
const UNSUR: std::ops::Range<usize> = 7..16;

/// Fields the model tracks besides the answers (which are keyed by item id).
const STATUS: &str = "#status";
const DELETED: &str = "#deleted";

/// One questionnaire: for each item of [`ITEMS`], blank or a value's position.
type Sheet = [Option<u8>; 17];

/// What a cell holds: text, or null for blank.
type Value = Option<String>;

fn value(item: usize, choice: Option<u8>) -> Value {
    let options = ITEMS[item].1;
    choice.map(|c| options[c as usize % options.len()].to_string())
}

/// The canonical values of a sheet, keyed by item id.
fn cells(sheet: &Sheet) -> BTreeMap<String, Value> {
    ITEMS
        .iter()
        .enumerate()
        .map(|(i, (item, _))| (item.to_string(), value(i, sheet[i])))
        .collect()
}

fn raw(cells: &BTreeMap<String, Value>) -> Vec<(String, String)> {
    cells
        .iter()
        .map(|(item, value)| (item.clone(), value.clone().unwrap_or_default()))
        .collect()
}

#[derive(Clone, Debug)]
enum Since {
    /// Everything the device holds.
    Start,
    /// Where its last export ended: the weekly bundle of what is new.
    LastTime,
    /// Where one of its earlier exports ended.
    Remembered(Index),
    /// Any position of its log: the bundle may lack what its changes depend on.
    Anywhere(Index),
}

/// One step of a history. Devices are named by number (modulo how many there are); `Index`
/// picks among whatever exists when the step runs.
#[derive(Clone, Debug)]
enum Op {
    /// An interview or kiosk response: final with every unsur answered, or a draft.
    Capture {
        on: usize,
        kiosk: bool,
        draft: bool,
        sheet: Sheet,
    },
    /// A sheet from a small stack typed on one device, with a few cells misread; the same
    /// serial comes up again, on this device or another, before or after the earlier typing
    /// arrived. The first typing of a serial fixes what the sheet really says.
    TypePaper {
        on: usize,
        serial: u8,
        sheet: Sheet,
        misread: BTreeMap<usize, Option<u8>>,
    },
    /// A new sheet typed on two devices before either has seen the other's typing, with some
    /// cells read differently on the second.
    TypeTwice {
        on: (usize, usize),
        sheet: Sheet,
        differ: BTreeMap<usize, Option<u8>>,
    },
    Edit {
        on: usize,
        target: Index,
        item: usize,
        to: Option<u8>,
    },
    Delete {
        on: usize,
        target: Index,
    },
    Restore {
        on: usize,
        target: Index,
    },
    /// Choose one of the values of a cell that holds several on the device.
    Resolve {
        on: usize,
        pick: Index,
    },
    Finalise {
        on: usize,
        target: Index,
    },
    Export {
        from: usize,
        since: Since,
    },
    Deliver {
        bundle: Index,
        to: usize,
        twice: bool,
    },
    /// The newest few bundles, newest first.
    DeliverBackwards {
        count: usize,
        to: usize,
    },
    /// Everything one device holds, carried to another.
    Sync {
        from: usize,
        to: usize,
    },
    /// Everything one device holds, in two bundles cut at some point of its log, the later
    /// part arriving first.
    SyncBackwards {
        from: usize,
        to: usize,
        split: Index,
    },
    /// A copy of a bundle cut off at some byte.
    DeliverTruncated {
        bundle: Index,
        to: usize,
        cut: Index,
    },
    /// A bundle re-framed around one change with one bit flipped.
    DeliverAltered {
        bundle: Index,
        to: usize,
        entry: Index,
        byte: Index,
    },
    /// A bundle with one hostile change slipped in among genuine ones.
    DeliverForged {
        bundle: Index,
        to: usize,
        forgery: Forgery,
        at: Index,
    },
}

/// What a hostile change pretends.
#[derive(Clone, Debug)]
enum Forgery {
    /// A new document, under a random id, claiming to be the unit's configuration with a
    /// period of its own.
    Configuration,
    /// A response of another unit.
    OtherUnit,
    /// A response that exists here, started again as another unit's.
    ClaimedByOtherUnit(Index),
}

fn sheet() -> impl Strategy<Value = Sheet> {
    prop::array::uniform17(cell())
}

fn cell() -> impl Strategy<Value = Option<u8>> {
    prop_oneof![3 => (0u8..4).prop_map(Some), 1 => Just(None)]
}

/// Which cell an edit changes: mostly U1–U3, so that edits on two devices often meet.
fn edited_item() -> impl Strategy<Value = usize> {
    prop_oneof![2 => UNSUR.start..UNSUR.start + 3, 1 => 0..ITEMS.len()]
}

/// Cells typed otherwise than the sheet says: item position to what was typed instead.
fn misreadings(
    count: std::ops::Range<usize>,
) -> impl Strategy<Value = BTreeMap<usize, Option<u8>>> {
    prop::collection::btree_map(0..ITEMS.len(), cell(), count)
}

/// `sheet` as typed with the `misread` cells, each made to differ from what the sheet says.
fn misread(sheet: &Sheet, misread: &BTreeMap<usize, Option<u8>>) -> Sheet {
    let mut typed = *sheet;
    for (&item, &choice) in misread {
        typed[item] = if value(item, choice) != value(item, sheet[item]) {
            choice
        } else if sheet[item].is_none() {
            Some(0)
        } else {
            None
        };
    }
    typed
}

fn since() -> impl Strategy<Value = Since> {
    prop_oneof![
        1 => Just(Since::Start),
        3 => Just(Since::LastTime),
        1 => any::<Index>().prop_map(Since::Remembered),
        2 => any::<Index>().prop_map(Since::Anywhere),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    let device = || 0usize..4;
    prop_oneof![
        2 => (device(), any::<bool>(), prop::bool::weighted(0.2), sheet())
            .prop_map(|(on, kiosk, draft, sheet)| Op::Capture { on, kiosk, draft, sheet }),
        3 => (device(), 0u8..3, sheet(), misreadings(0..3))
            .prop_map(|(on, serial, sheet, misread)| Op::TypePaper { on, serial, sheet, misread }),
        2 => ((device(), device()), sheet(), misreadings(1..4))
            .prop_map(|(on, sheet, differ)| Op::TypeTwice { on, sheet, differ }),
        10 => (device(), any::<Index>(), edited_item(), cell())
            .prop_map(|(on, target, item, to)| Op::Edit { on, target, item, to }),
        1 => (device(), any::<Index>()).prop_map(|(on, target)| Op::Delete { on, target }),
        1 => (device(), any::<Index>()).prop_map(|(on, target)| Op::Restore { on, target }),
        3 => (device(), any::<Index>()).prop_map(|(on, pick)| Op::Resolve { on, pick }),
        1 => (device(), any::<Index>()).prop_map(|(on, target)| Op::Finalise { on, target }),
        5 => (device(), since()).prop_map(|(from, since)| Op::Export { from, since }),
        5 => (any::<Index>(), device(), prop::bool::weighted(0.2))
            .prop_map(|(bundle, to, twice)| Op::Deliver { bundle, to, twice }),
        3 => (2usize..=4, device()).prop_map(|(count, to)| Op::DeliverBackwards { count, to }),
        2 => (device(), device()).prop_map(|(from, to)| Op::Sync { from, to }),
        2 => (device(), device(), any::<Index>())
            .prop_map(|(from, to, split)| Op::SyncBackwards { from, to, split }),
        1 => (any::<Index>(), device(), any::<Index>())
            .prop_map(|(bundle, to, cut)| Op::DeliverTruncated { bundle, to, cut }),
        1 => (any::<Index>(), device(), any::<Index>(), any::<Index>()).prop_map(
            |(bundle, to, entry, byte)| Op::DeliverAltered { bundle, to, entry, byte }
        ),
        1 => (any::<Index>(), device(), forgery(), any::<Index>())
            .prop_map(|(bundle, to, forgery, at)| Op::DeliverForged { bundle, to, forgery, at }),
    ]
}

fn forgery() -> impl Strategy<Value = Forgery> {
    prop_oneof![
        Just(Forgery::Configuration),
        Just(Forgery::OtherUnit),
        any::<Index>().prop_map(Forgery::ClaimedByOtherUnit),
    ]
}

/// One change starting document `doc` as a response of `unit`, plus whatever `extra` writes.
fn forged_start(doc: Uuid, unit: &str, extra: &[(&str, &str)]) -> Entry {
    use automerge::transaction::Transactable;
    let id = doc.to_string();
    let mut forged = automerge::AutoCommit::new();
    for (key, value) in [
        ("id", id.as_str()),
        ("form", "skm-2017"),
        ("method", "permenpanrb-14-2017"),
        ("unit", unit),
        ("period", "2025-S1"),
        ("channel", "interview"),
        ("status", "final"),
        ("q.U1", "4"),
    ]
    .into_iter()
    .chain(extra.iter().copied())
    {
        forged.put(automerge::ROOT, key, value).unwrap();
    }
    forged.commit();
    Entry {
        doc,
        change: forged.get_last_local_change().unwrap().raw_bytes().to_vec(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn random_offline_histories_converge_with_exactly_the_conflicting_cells_flagged(
        devices in 3usize..=4,
        history in prop::collection::vec(op(), 20..=40),
    ) {
        run(devices, history);
    }
}

/// A change as the model knows it.
struct Known {
    doc: Uuid,
    /// The fields it wrote: item ids, [`STATUS`] and [`DELETED`].
    writes: BTreeMap<String, Value>,
    /// Every change of the same response its author had when writing it.
    seen: BTreeSet<usize>,
}

/// What every device knows, change by change.
struct Model {
    changes: Vec<Known>,
    ids: HashMap<ChangeHash, usize>,
    by_doc: BTreeMap<Uuid, Vec<usize>>,
    /// Per device: changes applied, and changes waiting for a dependency.
    applied: Vec<BTreeSet<usize>>,
    waiting: Vec<BTreeSet<usize>>,
    /// Interview and kiosk responses: they must answer every unsur to be final.
    electronic: BTreeSet<Uuid>,
    /// Every typing of every paper sheet, and the sheets whose answers were written since.
    typings: BTreeMap<Uuid, Vec<BTreeMap<String, Value>>>,
    retouched: BTreeSet<Uuid>,
    /// The cells each typing change recorded (blanks left out): a replica recognises a typing
    /// it holds and answers "already present", whatever was settled since.
    typing_changes: HashMap<usize, BTreeMap<String, Value>>,
}

impl Model {
    fn new(devices: usize) -> Model {
        Model {
            changes: Vec::new(),
            ids: HashMap::new(),
            by_doc: BTreeMap::new(),
            applied: vec![BTreeSet::new(); devices],
            waiting: vec![BTreeSet::new(); devices],
            electronic: BTreeSet::new(),
            typings: BTreeMap::new(),
            retouched: BTreeSet::new(),
            typing_changes: HashMap::new(),
        }
    }

    /// Whether device `on` holds a typing of `doc` with exactly these cells.
    fn typed_before(&self, on: usize, doc: Uuid, cells: &BTreeMap<String, Value>) -> bool {
        let cells = answered(cells);
        self.by_doc
            .get(&doc)
            .into_iter()
            .flatten()
            .any(|id| self.applied[on].contains(id) && self.typing_changes.get(id) == Some(&cells))
    }

    /// Responses device `on` holds, in the order they were first written anywhere (not by
    /// id: interview ids are random, and a replayed history should pick the same targets).
    fn docs_on(&self, on: usize) -> Vec<Uuid> {
        let mut docs: Vec<(usize, Uuid)> = self
            .by_doc
            .iter()
            .filter(|(_, ids)| ids.iter().any(|id| self.applied[on].contains(id)))
            .map(|(doc, ids)| (ids[0], *doc))
            .collect();
        docs.sort();
        docs.into_iter().map(|(_, doc)| doc).collect()
    }

    /// The distinct values `field` of `doc` holds on device `on`, or once everything is
    /// everywhere (`None`): the values of the writes that no other write saw. Sorted.
    fn values(&self, on: Option<usize>, doc: Uuid, field: &str) -> Vec<Value> {
        let writers: Vec<usize> = self
            .by_doc
            .get(&doc)
            .into_iter()
            .flatten()
            .copied()
            .filter(|id| on.is_none_or(|on| self.applied[on].contains(id)))
            .filter(|&id| self.changes[id].writes.contains_key(field))
            .collect();
        let mut values: Vec<Value> = writers
            .iter()
            .filter(|&&id| !writers.iter().any(|&w| self.changes[w].seen.contains(&id)))
            .map(|&id| self.changes[id].writes[field].clone())
            .collect();
        values.sort();
        values.dedup();
        values
    }

    /// Whether `doc` is deleted, when that does not hang on which concurrent value shows.
    fn deleted(&self, on: Option<usize>, doc: Uuid) -> Option<bool> {
        match self.values(on, doc, DELETED).as_slice() {
            [] => Some(false),
            [one] => Some(one.as_deref() == Some("true")),
            _ => None,
        }
    }

    fn id_of(&self, change: &[u8]) -> usize {
        let hash = Change::from_bytes(change.to_vec())
            .expect("replicas hand out valid changes")
            .hash();
        *self
            .ids
            .get(&hash)
            .unwrap_or_else(|| panic!("change {hash} was never made by any device"))
    }

    /// Take note of a change device `on` just wrote, deriving what its author had seen from
    /// the change's own dependencies.
    fn wrote(&mut self, on: usize, entry: &Entry, writes: BTreeMap<String, Value>) -> &Known {
        let change = Change::from_bytes(entry.change.clone()).expect("a valid change");
        let mut seen = BTreeSet::new();
        for dep in change.deps() {
            let dep = self.ids[dep];
            assert_eq!(
                self.changes[dep].doc, entry.doc,
                "a dependency on another response"
            );
            seen.insert(dep);
            seen.extend(self.changes[dep].seen.iter().copied());
        }
        let id = self.changes.len();
        self.changes.push(Known {
            doc: entry.doc,
            writes,
            seen,
        });
        self.ids.insert(change.hash(), id);
        self.by_doc.entry(entry.doc).or_default().push(id);
        self.applied[on].insert(id);
        &self.changes[id]
    }

    /// Import a bundle on device `to`; returns what the replica must report.
    fn import(&mut self, to: usize, bundle: &[u8]) -> Applied {
        let had = self.docs_on(to);
        let mut expected = Applied::default();
        let mut new = Vec::new();
        for entry in entries(bundle) {
            let id = self.id_of(&entry.change);
            assert_eq!(
                self.changes[id].doc, entry.doc,
                "bundle names the wrong response"
            );
            if self.applied[to].contains(&id) || self.waiting[to].contains(&id) {
                expected.duplicates += 1;
            } else if self.changes[id].seen.is_subset(&self.applied[to]) {
                self.applied[to].insert(id);
                new.push(id);
            } else {
                self.waiting[to].insert(id);
            }
        }
        loop {
            let ready: Vec<usize> = self.waiting[to]
                .iter()
                .copied()
                .filter(|&id| self.changes[id].seen.is_subset(&self.applied[to]))
                .collect();
            if ready.is_empty() {
                break;
            }
            for id in ready {
                self.waiting[to].remove(&id);
                self.applied[to].insert(id);
                new.push(id);
            }
        }
        expected.new_changes = new.len();
        expected.waiting = self.waiting[to].len();
        for id in new {
            let doc = self.changes[id].doc;
            if had.contains(&doc) {
                expected.updated.insert(doc);
            } else {
                expected.created.insert(doc);
            }
        }
        expected
    }
}

fn entries(bundle: &[u8]) -> Vec<Entry> {
    decode_bundle(bundle, &Limits::default())
        .expect("bundles made by export decode")
        .into_iter()
        .flat_map(|batch| batch.entries)
        .collect()
}

/// Everything a history run holds.
struct World {
    devices: Vec<Device>,
    model: Model,
    bundles: Vec<Vec<u8>>,
    /// Per device, where its exports ended (starting with 0).
    remembered: Vec<Vec<i64>>,
    /// Minutes on the survey day, advancing one per step.
    clock: i64,
    /// What each sheet of the small stack really says, once first typed.
    stack: BTreeMap<u8, Sheet>,
    /// Sheets typed twice get serials of their own.
    fresh_serials: u32,
}

fn run(devices: usize, history: Vec<Op>) {
    let mut world = World {
        devices: (0..devices)
            .map(|i| Device::new(&format!("device-{i}")))
            .collect(),
        model: Model::new(devices),
        bundles: Vec::new(),
        remembered: vec![vec![0]; devices],
        clock: 0,
        stack: BTreeMap::new(),
        fresh_serials: 0,
    };
    for op in history {
        world.clock += 1;
        world.step(op);
    }
    world.converge();
}

impl World {
    fn step(&mut self, op: Op) {
        let n = self.devices.len();
        match op {
            Op::Capture {
                on,
                kiosk,
                draft,
                mut sheet,
            } => {
                if !draft {
                    for u in UNSUR {
                        sheet[u].get_or_insert(3);
                    }
                }
                let channel = if kiosk {
                    Channel::Kiosk
                } else {
                    Channel::Interview
                };
                let status = if draft { Status::Draft } else { Status::Final };
                self.capture(on % n, channel, None, status, cells(&sheet));
            }
            Op::TypePaper {
                on,
                serial,
                sheet,
                misread: misreadings,
            } => {
                let truth = *self.stack.entry(serial).or_insert(sheet);
                let typed = misread(&truth, &misreadings);
                let serial = format!("S-{serial}");
                self.capture(
                    on % n,
                    Channel::Paper,
                    Some(&serial),
                    Status::Final,
                    cells(&typed),
                );
            }
            Op::TypeTwice { on, sheet, differ } => {
                let first = on.0 % n;
                let second = if on.1 % n == first {
                    (first + 1) % n
                } else {
                    on.1 % n
                };
                self.fresh_serials += 1;
                let serial = format!("D-{}", self.fresh_serials);
                let other = misread(&sheet, &differ);
                let first_id = self.capture(
                    first,
                    Channel::Paper,
                    Some(&serial),
                    Status::Final,
                    cells(&sheet),
                );
                let second_id = self.capture(
                    second,
                    Channel::Paper,
                    Some(&serial),
                    Status::Final,
                    cells(&other),
                );
                assert_eq!(first_id, second_id, "one sheet, one response");
            }
            Op::Edit {
                on,
                target,
                item,
                to,
            } => {
                let on = on % n;
                let Some(doc) = self.target(on, &target) else {
                    return;
                };
                let (item, new) = (ITEMS[item].0, value(item, to));
                let raw = vec![(item.to_string(), new.clone().unwrap_or_default())];
                let changes = self.model.values(Some(on), doc, item) != [new.clone()];
                self.modify(on, doc, (item, new), changes, |replica, who| {
                    replica.edit(doc, &raw, who)
                });
            }
            Op::Delete { on, target } => self.set_deleted(on % n, &target, true),
            Op::Restore { on, target } => self.set_deleted(on % n, &target, false),
            Op::Resolve { on, pick } => {
                let on = on % n;
                let mut choices: Vec<(Uuid, &str, Value)> = Vec::new();
                for doc in self.model.docs_on(on) {
                    for (item, _) in ITEMS {
                        let values = self.model.values(Some(on), doc, item);
                        if values.len() > 1 {
                            choices.extend(values.into_iter().map(|v| (doc, item, v)));
                        }
                    }
                }
                if choices.is_empty() {
                    return;
                }
                let (doc, item, chosen) = choices[pick.index(choices.len())].clone();
                let raw = chosen.clone().unwrap_or_default();
                self.modify(on, doc, (item, chosen), true, |replica, who| {
                    replica.resolve(doc, item, &raw, who)
                });
            }
            Op::Finalise { on, target } => self.finalise(on % n, &target),
            Op::Export { from, since } => {
                let from = from % n;
                let replica = &self.devices[from].replica;
                let since = match since {
                    Since::Start => 0,
                    Since::LastTime => *self.remembered[from].last().expect("starts with 0"),
                    Since::Remembered(i) => *i.get(&self.remembered[from]),
                    Since::Anywhere(i) => i.index(replica.last_seq().unwrap() as usize + 1) as i64,
                };
                let (bundle, exported) = replica.export_bundle(since).expect("export");
                let (expected, _) = replica.changes_since(since).unwrap();
                assert_eq!(
                    entries(&bundle),
                    expected,
                    "a bundle carries its changes in order"
                );
                self.remembered[from].push(exported.last_seq);
                self.bundles.push(bundle);
            }
            Op::Deliver { bundle, to, twice } => {
                if self.bundles.is_empty() {
                    return;
                }
                let bundle = bundle.get(&self.bundles).clone();
                for _ in 0..if twice { 2 } else { 1 } {
                    self.deliver(to % n, &bundle);
                }
            }
            Op::DeliverBackwards { count, to } => {
                let newest = self.bundles.len().saturating_sub(count);
                for bundle in self.bundles[newest..].to_vec().iter().rev() {
                    self.deliver(to % n, bundle);
                }
            }
            Op::Sync { from, to } => {
                let bundle = self.devices[from % n].bundle();
                self.deliver(to % n, &bundle);
            }
            Op::SyncBackwards { from, to, split } => {
                let (mut earlier, _) = self.devices[from % n].replica.changes_since(0).unwrap();
                let later = earlier.split_off(split.index(earlier.len() + 1));
                for part in [later, earlier] {
                    let bundle = encode_bundle(part, BATCH_PAYLOAD_BYTES, &Limits::default())
                        .expect("encode");
                    self.deliver(to % n, &bundle);
                    self.bundles.push(bundle);
                }
            }
            Op::DeliverTruncated { bundle, to, cut } => {
                if self.bundles.is_empty() {
                    return;
                }
                let bundle = bundle.get(&self.bundles).clone();
                let cut = &bundle[..cut.index(bundle.len())];
                let err = self.refused(to % n, cut);
                assert!(matches!(err, Error::Protocol(_)), "truncated bundle: {err}");
            }
            Op::DeliverAltered {
                bundle,
                to,
                entry,
                byte,
            } => {
                if self.bundles.is_empty() {
                    return;
                }
                let mut changes = entries(&self.bundles[bundle.index(self.bundles.len())]);
                if changes.is_empty() {
                    return;
                }
                let change = &mut entry.get_mut(&mut changes).change;
                let position = byte.index(change.len());
                change[position] ^= 1 << (position % 8);
                let altered =
                    encode_bundle(changes, BATCH_PAYLOAD_BYTES, &Limits::default()).unwrap();
                let err = self.refused(to % n, &altered);
                assert!(
                    matches!(err, Error::InvalidChange { .. }),
                    "altered change: {err}"
                );
            }
            Op::DeliverForged {
                bundle,
                to,
                forgery,
                at,
            } => {
                let mut changes = match self.bundles.is_empty() {
                    true => Vec::new(),
                    false => entries(&self.bundles[bundle.index(self.bundles.len())]),
                };
                let forged = match &forgery {
                    Forgery::Configuration => forged_start(
                        Uuid::now_v7(),
                        "U-CAPIL",
                        &[("kind", "unit"), ("code", "U-CAPIL"), ("period", "2099-S9")],
                    ),
                    Forgery::OtherUnit => forged_start(Uuid::now_v7(), "U-OTHER", &[]),
                    Forgery::ClaimedByOtherUnit(target) => {
                        let docs: Vec<Uuid> = self.model.by_doc.keys().copied().collect();
                        let doc = if docs.is_empty() {
                            Uuid::now_v7()
                        } else {
                            *target.get(&docs)
                        };
                        forged_start(doc, "U-OTHER", &[])
                    }
                };
                changes.insert(at.index(changes.len() + 1), forged);
                let hostile =
                    encode_bundle(changes, BATCH_PAYLOAD_BYTES, &Limits::default()).unwrap();
                let err = self.refused(to % n, &hostile);
                match forgery {
                    Forgery::Configuration => assert!(
                        matches!(
                            err,
                            Error::NotAResponse(
                                simpul_document::Refusal::ClaimsConfiguration { .. }
                            )
                        ),
                        "forged configuration: {err}"
                    ),
                    Forgery::OtherUnit | Forgery::ClaimedByOtherUnit(_) => assert!(
                        matches!(&err, Error::WrongUnit { theirs, .. } if theirs == "U-OTHER"),
                        "another unit's response: {err}"
                    ),
                }
            }
        }
    }

    fn author(&self, on: usize) -> simpul_replica::Author {
        author(&self.devices[on].name, self.clock)
    }

    /// A response device `on` holds, picked by `target`.
    fn target(&self, on: usize, target: &Index) -> Option<Uuid> {
        let docs = self.model.docs_on(on);
        (!docs.is_empty()).then(|| *target.get(&docs))
    }

    /// Capture a questionnaire on device `on`, checking the outcome the model expects.
    fn capture(
        &mut self,
        on: usize,
        channel: Channel,
        serial: Option<&str>,
        status: Status,
        cells: BTreeMap<String, Value>,
    ) -> Uuid {
        let new = NewResponse {
            channel,
            form: None,
            unit: None,
            period: None,
            serial: serial.map(|s| PaperSerial::parse(s).unwrap()),
            answers: raw(&cells),
            status,
            author: self.author(on),
        };
        let device = &mut self.devices[on];
        let before = device.replica.last_seq().unwrap();
        let captured = device
            .replica
            .capture(new)
            .expect("a valid sheet is captured");
        let (written, _) = device.replica.changes_since(before).unwrap();

        let doc = captured.id();
        let expected = match serial {
            None => Captured::Created { id: doc },
            Some(serial) => {
                let settings = device.replica.settings();
                let id = paper_response_id(
                    &settings.unit,
                    &settings.period,
                    &PaperSerial::parse(serial).unwrap(),
                );
                if !self.model.docs_on(on).contains(&id) {
                    Captured::Created { id }
                } else if self.model.typed_before(on, id, &cells) {
                    Captured::AlreadyPresent { id }
                } else {
                    let differing: Vec<String> = cells
                        .iter()
                        .filter(|(item, value)| {
                            !self.model.values(Some(on), id, item).contains(value)
                        })
                        .map(|(item, _)| item.clone())
                        .collect();
                    if differing.is_empty() {
                        Captured::AlreadyPresent { id }
                    } else {
                        Captured::Merged { id, differing }
                    }
                }
            }
        };
        assert_eq!(captured, expected, "capture on device {on}");
        if serial.is_some() {
            self.model
                .typings
                .entry(doc)
                .or_default()
                .push(cells.clone());
        } else {
            self.model.electronic.insert(doc);
        }

        if let Captured::AlreadyPresent { .. } = captured {
            assert!(written.is_empty(), "a sheet already present writes nothing");
            return doc;
        }
        // A new typing is written as if on a machine that never saw the sheet: it depends on
        // nothing, so every value already there stays beside it.
        assert_eq!(written.len(), 1, "one capture, one change");
        assert_eq!(written[0].doc, doc);
        let typing = serial.is_some().then(|| answered(&cells));
        let mut writes = cells;
        writes.insert(STATUS.into(), Some(status.code().into()));
        let known = self.model.wrote(on, &written[0], writes);
        assert!(known.seen.is_empty(), "a typing depends on nothing");
        if let Some(typing) = typing {
            let id = self.model.ids[&hash_of(&written[0])];
            self.model.typing_changes.insert(id, typing);
        }
        doc
    }

    /// Run a local change to `doc` on device `on` that writes `field = value` when `changes`
    /// and the response is not deleted; checks it wrote exactly that, after everything the
    /// device had of the response.
    fn modify(
        &mut self,
        on: usize,
        doc: Uuid,
        (field, value): (&str, Value),
        changes: bool,
        write: impl FnOnce(
            &mut simpul_replica::Replica,
            &simpul_replica::Author,
        ) -> simpul_replica::Result<()>,
    ) {
        let who = self.author(on);
        let deleted = self.deleted_on(on, doc);
        let device = &mut self.devices[on];
        let before = device.replica.last_seq().unwrap();
        let result = write(&mut device.replica, &who);
        let (written, _) = device.replica.changes_since(before).unwrap();
        if deleted {
            assert!(
                matches!(result, Err(Error::Deleted(_))),
                "writing to a deleted response: {result:?}"
            );
            assert!(written.is_empty());
            return;
        }
        result.expect("a valid write to a response");
        if !changes {
            assert!(written.is_empty(), "{field} already held {value:?} alone");
            return;
        }
        assert_eq!(written.len(), 1, "one write, one change");
        if self.model.typings.contains_key(&doc) && !field.starts_with('#') {
            self.model.retouched.insert(doc);
        }
        self.record_after_everything(
            on,
            doc,
            &written[0],
            BTreeMap::from([(field.into(), value)]),
        );
    }

    fn record_after_everything(
        &mut self,
        on: usize,
        doc: Uuid,
        entry: &Entry,
        writes: BTreeMap<String, Value>,
    ) {
        assert_eq!(entry.doc, doc);
        let had: BTreeSet<usize> = self.model.by_doc[&doc]
            .iter()
            .copied()
            .filter(|id| self.model.applied[on].contains(id))
            .collect();
        let known = self.model.wrote(on, entry, writes);
        assert_eq!(
            known.seen, had,
            "a local change follows everything the device had"
        );
    }

    /// Whether `doc` shows as deleted on device `on`: the model's answer, checked against the
    /// replica, or the replica's when concurrent deletes and restores leave it to Automerge.
    fn deleted_on(&self, on: usize, doc: Uuid) -> bool {
        let shown = self.devices[on].replica.show(doc).unwrap().summary.deleted;
        if let Some(expected) = self.model.deleted(Some(on), doc) {
            assert_eq!(shown, expected, "deleted flag of {doc} on device {on}");
        }
        shown
    }

    fn set_deleted(&mut self, on: usize, target: &Index, deleted: bool) {
        let mut docs = self.model.docs_on(on);
        if !deleted {
            // Restore what is deleted when there is some; otherwise restoring is a no-op.
            let replica = &self.devices[on].replica;
            let gone: Vec<Uuid> = (docs.iter().copied())
                .filter(|&doc| replica.show(doc).unwrap().summary.deleted)
                .collect();
            if !gone.is_empty() {
                docs = gone;
            }
        }
        if docs.is_empty() {
            return;
        }
        let doc = *target.get(&docs);
        let changes = self.deleted_on(on, doc) != deleted;
        let who = self.author(on);
        let device = &mut self.devices[on];
        let before = device.replica.last_seq().unwrap();
        if deleted {
            device.replica.delete(doc, &who).expect("delete");
        } else {
            device.replica.restore(doc, &who).expect("restore");
        }
        let (written, _) = device.replica.changes_since(before).unwrap();
        if !changes {
            assert!(written.is_empty(), "the flag already showed {deleted}");
            return;
        }
        assert_eq!(written.len(), 1);
        let writes = BTreeMap::from([(DELETED.into(), Some(deleted.to_string()))]);
        self.record_after_everything(on, doc, &written[0], writes);
    }

    fn finalise(&mut self, on: usize, target: &Index) {
        let Some(doc) = self.target(on, target) else {
            return;
        };
        // Paper is final as typed; an electronic response needs every unsur answered. With
        // an unsur holding both a blank and a value the displayed one decides, so either
        // outcome is right there.
        let mut complete = Some(true);
        if self.model.electronic.contains(&doc) {
            for (item, _) in &ITEMS[UNSUR] {
                let values = self.model.values(Some(on), doc, item);
                if values.iter().all(Option::is_none) {
                    complete = Some(false);
                    break;
                }
                if values.iter().any(Option::is_none) {
                    complete = complete.and(None);
                }
            }
        }
        let already = self.model.values(Some(on), doc, STATUS) == [Some("final".to_string())];
        let deleted = self.deleted_on(on, doc);
        let who = self.author(on);
        let device = &mut self.devices[on];
        let before = device.replica.last_seq().unwrap();
        let result = device.replica.finalise(doc, &who);
        let (written, _) = device.replica.changes_since(before).unwrap();
        let outcome = match (&result, deleted) {
            (Err(Error::Deleted(_)), true) => return assert!(written.is_empty()),
            (_, true) => panic!("finalising a deleted response: {result:?}"),
            (Ok(()), false) => true,
            (Err(Error::Survey(simpul_survey::Error::MissingRequired { .. })), false) => false,
            (Err(other), false) => panic!("finalise: {other}"),
        };
        if let Some(complete) = complete {
            assert_eq!(
                outcome, complete,
                "finalise of {doc} on device {on}: {result:?}"
            );
        }
        if !outcome || already {
            assert!(written.is_empty());
            return;
        }
        assert_eq!(written.len(), 1);
        let writes = BTreeMap::from([(STATUS.into(), Some("final".to_string()))]);
        self.record_after_everything(on, doc, &written[0], writes);
    }

    /// Import `bundle` on device `to`, checking every count against the model.
    fn deliver(&mut self, to: usize, bundle: &[u8]) {
        let applied = self.devices[to]
            .replica
            .import_bundle(bundle)
            .expect("a bundle made by export imports");
        let expected = self.model.import(to, bundle);
        assert_eq!(applied, expected, "import on device {to}");
        self.check_log(to);
    }

    /// Import bytes that must be refused; checks that nothing changed and returns the error.
    fn refused(&mut self, to: usize, bytes: &[u8]) -> Error {
        let device = &mut self.devices[to];
        let before = View::of(&device.replica);
        let waiting = device.waiting();
        let err = device
            .replica
            .import_bundle(bytes)
            .expect_err("damaged bytes must be refused");
        View::of(&device.replica).assert_same(&before, ("after", "before"));
        assert_eq!(device.waiting(), waiting);
        err
    }

    /// The device's log holds exactly the changes the model says it applied.
    fn check_log(&self, on: usize) {
        let (log, _) = self.devices[on].replica.changes_since(0).unwrap();
        let held: BTreeSet<usize> = log.iter().map(|e| self.model.id_of(&e.change)).collect();
        assert_eq!(held, self.model.applied[on], "changes held by device {on}");
    }

    /// Exchange full bundles until quiet, then compare every device with every other and
    /// with the model.
    fn converge(mut self) {
        let model = &mut self.model;
        exchange_until_quiet(&mut self.devices, |to, bundle, applied| {
            assert_eq!(
                *applied,
                model.import(to, bundle),
                "final exchange into device {to}"
            );
        });
        for on in 0..self.devices.len() {
            self.check_log(on);
            assert_eq!(self.devices[on].waiting(), 0, "device {on} still waits");
            assert_eq!(
                self.model.applied[on].len(),
                self.model.changes.len(),
                "every change reached device {on}"
            );
        }

        // Every device shows the same documents, rows, conflicts and report.
        let views: Vec<View> = self.devices.iter().map(|d| View::of(&d.replica)).collect();
        for (i, view) in views.iter().enumerate().skip(1) {
            views[0].assert_same(view, (&self.devices[0].name, &self.devices[i].name));
        }
        let view = &views[0];

        // The conflicts are exactly the cells left holding several values.
        let listed: BTreeMap<(Uuid, String), Vec<Value>> = view
            .conflicts
            .iter()
            .map(|c| ((c.response, c.field.clone()), c.values.clone()))
            .collect();
        let mut expected = BTreeMap::new();
        for &doc in self.model.by_doc.keys() {
            for (item, _) in ITEMS {
                let values = self.model.values(None, doc, item);
                if values.len() > 1 {
                    expected.insert((doc, item.to_string()), values);
                }
            }
        }
        assert_eq!(
            listed, expected,
            "conflicts listed vs cells holding several values"
        );

        // Plainly: a sheet whose answers nobody wrote after typing conflicts exactly on the
        // cells its typings disagree on.
        for (&doc, typings) in &self.model.typings {
            if self.model.retouched.contains(&doc) {
                continue;
            }
            let disagreeing: BTreeSet<&str> = ITEMS
                .iter()
                .map(|(item, _)| *item)
                .filter(|item| {
                    typings
                        .iter()
                        .map(|t| &t[*item])
                        .collect::<BTreeSet<_>>()
                        .len()
                        > 1
                })
                .collect();
            let flagged: BTreeSet<&str> = listed
                .keys()
                .filter(|(response, _)| *response == doc)
                .map(|(_, field)| field.as_str())
                .collect();
            assert_eq!(
                flagged,
                disagreeing,
                "sheet {doc} typed {} times",
                typings.len()
            );
        }

        // Every determined cell, status and deletion shows what the model says.
        for detail in &view.details {
            let doc = detail.summary.id;
            for row in &detail.answers {
                if let [one] = self.model.values(None, doc, &row.item).as_slice() {
                    assert_eq!(&row.value, one, "{doc} {}", row.item);
                }
            }
            if let [Some(status)] = self.model.values(None, doc, STATUS).as_slice() {
                assert_eq!(&detail.summary.status, status, "status of {doc}");
            }
            if let Some(deleted) = self.model.deleted(None, doc) {
                assert_eq!(detail.summary.deleted, deleted, "deleted flag of {doc}");
            }
            let conflicts = listed.keys().filter(|(r, _)| *r == doc).count();
            assert_eq!(detail.summary.conflicts as usize, conflicts);
        }
        assert_eq!(view.details.len(), self.model.by_doc.len());
    }
}

/// A typing's cells without its blanks: the replica fills every unanswered item with a blank,
/// so two typings differing only in which blanks they name are the same typing.
fn answered(cells: &BTreeMap<String, Value>) -> BTreeMap<String, Value> {
    cells
        .iter()
        .filter(|(_, value)| value.is_some())
        .map(|(item, value)| (item.clone(), value.clone()))
        .collect()
}

fn hash_of(entry: &Entry) -> ChangeHash {
    Change::from_bytes(entry.change.clone())
        .expect("a valid change")
        .hash()
}
