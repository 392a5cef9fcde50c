//! Randomised histories: several devices work offline — interviews, paper sheets typed twice
//! on different devices, edits (often of the few cells already contested), a supervisor's
//! choices among conflicting values, deletions — and sync in random order, over a link that
//! now and then cuts a connection, stalls or delivers a request twice. At the end every
//! replica, and a device that joins last, must hold the same documents, and those documents
//! must be what a model of Automerge's rules predicts: a cell holds several values exactly
//! when devices that had not seen each other's writes wrote different values to it.
//!
//! The model tracks each cell write (an Automerge put) with the writes it superseded, and
//! which writes each device and the server have seen. A completed `simpul sync` means the
//! device pushed everything and pulled everything, so afterwards the server has seen the
//! union and the device what the server has.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use serde_json::Value;
use simpul_e2e::answers::{Answers, ITEMS, misread, random_answers, random_value, set_args};
use simpul_e2e::rng::seeds;
use simpul_e2e::snapshot::text;
use simpul_e2e::{
    Device, LinkProfile, Proxy, Rng, Server, Snapshot, assert_converged, assert_no_duplicates,
};

const DEVICES: usize = 3;
const OPERATIONS: usize = 100;
/// Run with `SIMPUL_E2E_SEED=n` to replay one history.
const SEEDS: [u64; 5] = [1, 2, 3, 4, 5];

/// The deletion flag, modelled as one more cell. Only a response's creator deletes or
/// restores it, so the flag never holds two values.
const DELETED: &str = "#deleted";
/// Items an edit may change.
const EDITABLE: [&str; 12] = [
    "jenis_kelamin",
    "layanan",
    "saran",
    "U1",
    "U2",
    "U3",
    "U4",
    "U5",
    "U6",
    "U7",
    "U8",
    "U9",
];

/// One Automerge put on a response's cell, and the puts it replaced (those its writer saw
/// as the cell's current values).
struct Write {
    response: String,
    item: String,
    value: Option<String>,
    supersedes: Vec<usize>,
}

struct Response {
    /// The device that created it; for paper, the first to type it.
    owner: usize,
    paper: bool,
}

/// A paper sheet and the answers typed at its first entry.
struct Sheet {
    serial: String,
    id: String,
    first: usize,
    answers: Answers,
    typed_twice: bool,
}

#[derive(Default)]
struct Model {
    writes: Vec<Write>,
    /// The writes each device has, by index into `writes`.
    known: Vec<BTreeSet<usize>>,
    server: BTreeSet<usize>,
    responses: BTreeMap<String, Response>,
    sheets: Vec<Sheet>,
    /// Automerge changes made; each user action writes one or none.
    changes: u64,
}

impl Model {
    /// The server starts with one change: the unit's configuration document, which it
    /// writes when the unit is added and every device pulls like a response.
    fn new() -> Model {
        let unit_document = Write {
            response: "unit configuration".to_string(),
            item: "name".to_string(),
            value: None,
            supersedes: Vec::new(),
        };
        Model {
            writes: vec![unit_document],
            known: vec![BTreeSet::new(); DEVICES],
            server: BTreeSet::from([0]),
            changes: 1,
            ..Model::default()
        }
    }

    /// The writes among `known` that are a cell's current values: not replaced by another.
    fn visible(&self, known: &BTreeSet<usize>, response: &str, item: &str) -> Vec<usize> {
        let cell: Vec<usize> = known
            .iter()
            .copied()
            .filter(|&w| self.writes[w].response == response && self.writes[w].item == item)
            .collect();
        cell.iter()
            .copied()
            .filter(|w| !cell.iter().any(|o| self.writes[*o].supersedes.contains(w)))
            .collect()
    }

    fn values(&self, writes: &[usize]) -> BTreeSet<Option<String>> {
        writes
            .iter()
            .map(|&w| self.writes[w].value.clone())
            .collect()
    }

    /// The distinct values of a cell as `device` sees it.
    fn view(&self, device: usize, response: &str, item: &str) -> BTreeSet<Option<String>> {
        self.values(&self.visible(&self.known[device], response, item))
    }

    fn knows(&self, device: usize, response: &str) -> bool {
        self.known[device]
            .iter()
            .any(|&w| self.writes[w].response == response)
    }

    fn deleted_for(&self, device: usize, response: &str) -> bool {
        self.view(device, response, DELETED) == BTreeSet::from([Some("true".to_string())])
    }

    /// Record that `device` wrote `value` to a cell, replacing what it saw there.
    fn write(&mut self, device: usize, response: &str, item: &str, value: Option<String>) {
        let supersedes = self.visible(&self.known[device], response, item);
        self.push(device, response, item, value, supersedes);
    }

    /// Record a write that replaces nothing (a new document, or a paper entry typed as if on
    /// a machine that never saw the first).
    fn write_fresh(&mut self, device: usize, response: &str, item: &str, value: Option<String>) {
        self.push(device, response, item, value, Vec::new());
    }

    fn push(
        &mut self,
        device: usize,
        response: &str,
        item: &str,
        value: Option<String>,
        supersedes: Vec<usize>,
    ) {
        self.writes.push(Write {
            response: response.to_string(),
            item: item.to_string(),
            value,
            supersedes,
        });
        self.known[device].insert(self.writes.len() - 1);
    }

    /// What a completed sync of `device` brings it: (responses new to it, responses updated).
    /// The unit's configuration document is not a response and counts as neither.
    fn sync(&mut self, device: usize) -> (usize, usize) {
        self.server.extend(self.known[device].iter().copied());
        let incoming: BTreeSet<&str> = self
            .server
            .difference(&self.known[device])
            .map(|&w| self.writes[w].response.as_str())
            .filter(|response| self.responses.contains_key(*response))
            .collect();
        let (updated, created): (Vec<&str>, Vec<&str>) =
            incoming.iter().partition(|r| self.knows(device, r));
        let counts = (created.len(), updated.len());
        self.known[device] = self.server.clone();
        counts
    }

    /// How many writes a cell has had, on any device.
    fn writes_to(&self, response: &str, item: &str) -> usize {
        self.writes
            .iter()
            .filter(|w| w.response == response && w.item == item)
            .count()
    }

    /// Responses `device` holds and sees as not deleted.
    fn live_for(&self, device: usize) -> Vec<String> {
        self.responses
            .keys()
            .filter(|id| self.knows(device, id) && !self.deleted_for(device, id))
            .cloned()
            .collect()
    }
}

/// One history: the devices, the server and the model, driven by one seed.
struct History {
    seed: u64,
    rng: Rng,
    server: Server,
    link: Proxy,
    devices: Vec<Device>,
    model: Model,
    log: Vec<String>,
}

impl History {
    /// Devices enrolled through a link that now and then cuts a connection, stalls, or
    /// delivers a request twice.
    fn new(seed: u64) -> History {
        let server = Server::start();
        let link = Proxy::start(server.addr(), LinkProfile::clean(), seed).unwrap();
        let devices = (0..DEVICES)
            .map(|i| Device::enrolled(&format!("device-{i}"), &server, &link.url()))
            .collect();
        link.set_profile(LinkProfile {
            stall_probability: 0.03,
            stall: Duration::from_millis(100),
            cut_probability: 0.06,
            replay_probability: 0.3,
            ..LinkProfile::clean()
        });
        History {
            seed,
            rng: Rng::new(seed),
            server,
            link,
            devices,
            model: Model::new(),
            log: Vec::new(),
        }
    }

    fn note(&mut self, what: String) {
        println!("seed {} step {}: {what}", self.seed, self.log.len());
        self.log.push(what);
    }

    fn step(&mut self) {
        let device = self.rng.below(DEVICES as u64) as usize;
        let done = match self.rng.below(100) {
            0..15 => self.interview(device),
            15..27 => self.first_typing(device),
            27..40 => self.second_typing(),
            40..60 => self.edit(device),
            60..70 => self.resolve(device),
            70..75 => self.set_deleted(device, true),
            75..77 => self.set_deleted(device, false),
            _ => false,
        };
        if !done {
            self.sync(device);
        }
    }

    fn interview(&mut self, device: usize) -> bool {
        let answers = random_answers(&mut self.rng);
        let channel = *self.rng.pick(&["interview", "kiosk"]);
        let mut args = vec!["capture".to_string(), "--channel".into(), channel.into()];
        args.extend(set_args(&answers, false));
        let captured = self.devices[device].json(&strs(&args));
        assert_eq!(captured["outcome"], "created", "{captured}");
        let id = text(&captured["id"]);
        for (item, value) in answers {
            self.model.write_fresh(device, &id, &item, value);
        }
        self.model.changes += 1;
        self.model.responses.insert(
            id.clone(),
            Response {
                owner: device,
                paper: false,
            },
        );
        self.note(format!("device-{device} captures {channel} {id}"));
        true
    }

    fn first_typing(&mut self, device: usize) -> bool {
        let serial = format!("P-{}", self.model.sheets.len() + 1);
        let answers = random_answers(&mut self.rng);
        let id = self.type_sheet(device, &serial, &answers);
        self.model.responses.insert(
            id.clone(),
            Response {
                owner: device,
                paper: true,
            },
        );
        self.model.sheets.push(Sheet {
            serial,
            id,
            first: device,
            answers,
            typed_twice: false,
        });
        true
    }

    /// A sheet typed once is typed again on another device, a few cells read differently.
    fn second_typing(&mut self) -> bool {
        let waiting: Vec<usize> = (0..self.model.sheets.len())
            .filter(|&s| !self.model.sheets[s].typed_twice)
            .collect();
        let Some(&sheet) = waiting.get(self.rng.below(waiting.len().max(1) as u64) as usize) else {
            return false;
        };
        let first = self.model.sheets[sheet].first;
        let device = (first + 1 + self.rng.below(DEVICES as u64 - 1) as usize) % DEVICES;
        let cells = self.rng.below(4);
        let answers = misread(&mut self.rng, &self.model.sheets[sheet].answers, cells);
        self.model.sheets[sheet].typed_twice = true;
        let serial = self.model.sheets[sheet].serial.clone();
        let id = self.type_sheet(device, &serial, &answers);
        assert_eq!(id, self.model.sheets[sheet].id, "one sheet, one response");
        true
    }

    /// `capture --channel paper`, checked against what the model expects it to report.
    fn type_sheet(&mut self, device: usize, serial: &str, answers: &Answers) -> String {
        let mut args = vec![
            "capture".to_string(),
            "--channel".into(),
            "paper".into(),
            "--paper-serial".into(),
            serial.into(),
        ];
        args.extend(set_args(answers, false));
        let captured = self.devices[device].json(&strs(&args));
        let id = text(&captured["id"]);
        let differing: BTreeSet<String> = if self.model.knows(device, &id) {
            answers
                .iter()
                .filter(|(item, value)| !self.model.view(device, &id, item).contains(*value))
                .map(|(item, _)| item.clone())
                .collect()
        } else {
            answers.keys().cloned().collect()
        };
        let expected = match (self.model.knows(device, &id), differing.is_empty()) {
            (false, _) => "created",
            (true, true) => "already_present",
            (true, false) => "merged",
        };
        assert_eq!(captured["outcome"], expected, "{serial}: {captured}");
        if expected == "merged" {
            let reported: BTreeSet<String> = captured["differing"]
                .as_array()
                .expect("differing cells")
                .iter()
                .map(text)
                .collect();
            assert_eq!(reported, differing, "{serial}: {captured}");
        }
        if expected != "already_present" {
            for (item, value) in answers {
                self.model.write_fresh(device, &id, item, value.clone());
            }
            self.model.changes += 1;
        }
        self.note(format!(
            "device-{device} types sheet {serial}: {expected} {differing:?}"
        ));
        id
    }

    fn edit(&mut self, device: usize) -> bool {
        let live = self.model.live_for(device);
        if live.is_empty() {
            return false;
        }
        // Half the time a cell written more than once already (typed twice, edited,
        // resolved): contention is where merging can go wrong.
        let hot: Vec<(String, &str)> = live
            .iter()
            .flat_map(|id| EDITABLE.into_iter().map(move |item| (id.clone(), item)))
            .filter(|(id, item)| self.model.writes_to(id, item) > 1)
            .collect();
        let (id, items) = if hot.is_empty() || self.rng.chance(0.5) {
            (self.rng.pick(&live).clone(), EDITABLE.to_vec())
        } else {
            let (id, item) = self.rng.pick(&hot).clone();
            (id, vec![item])
        };
        let mut changes = Answers::new();
        for _ in 0..self.rng.between(1, 3) {
            let item = *self.rng.pick(&items);
            changes.insert(item.to_string(), random_value(&mut self.rng, item));
        }
        let mut args = vec!["edit".to_string(), id.clone()];
        args.extend(set_args(&changes, true));
        self.devices[device].run(&strs(&args)).ok();
        let mut wrote = false;
        for (item, value) in &changes {
            if self.model.view(device, &id, item) != BTreeSet::from([value.clone()]) {
                self.model.write(device, &id, item, value.clone());
                wrote = true;
            }
        }
        self.model.changes += u64::from(wrote);
        self.note(format!("device-{device} edits {id}: {changes:?}"));
        true
    }

    /// A supervisor on `device` settles a cell it sees holding several values by choosing
    /// one of them (`simpul resolve`), perhaps while another device edits the same cell.
    fn resolve(&mut self, device: usize) -> bool {
        let mut cells = Vec::new();
        for id in self.model.live_for(device) {
            for item in ITEMS {
                let choices: Vec<String> = self
                    .model
                    .view(device, &id, item)
                    .into_iter()
                    .flatten()
                    .collect();
                if self.model.view(device, &id, item).len() > 1 && !choices.is_empty() {
                    cells.push((id.clone(), item, choices));
                }
            }
        }
        if cells.is_empty() {
            return false;
        }
        let (id, item, choices) = self.rng.pick(&cells).clone();
        // Mostly the value on screen (Automerge's pick among the values), sometimes another.
        let shown = self.devices[device].json(&["show", &id]);
        let on_screen = shown["answers"]
            .as_array()
            .expect("answers")
            .iter()
            .find(|a| a["item"] == item)
            .and_then(|a| a["value"].as_str())
            .map(str::to_string);
        let value = match on_screen {
            Some(value) if self.rng.chance(0.7) => value,
            _ => self.rng.pick(&choices).clone(),
        };
        self.devices[device]
            .run(&["resolve", &id, item, &value])
            .ok();
        self.model.write(device, &id, item, Some(value.clone()));
        self.model.changes += 1;
        self.note(format!("device-{device} resolves {id} {item} = {value}"));
        true
    }

    /// The creator of an electronic response deletes or restores it.
    fn set_deleted(&mut self, device: usize, deleted: bool) -> bool {
        let candidates: Vec<String> = self
            .model
            .responses
            .iter()
            .filter(|(id, r)| {
                r.owner == device && !r.paper && self.model.deleted_for(device, id) != deleted
            })
            .map(|(id, _)| id.clone())
            .collect();
        if candidates.is_empty() {
            return false;
        }
        let id = self.rng.pick(&candidates).clone();
        let command = if deleted { "delete" } else { "restore" };
        self.devices[device].run(&[command, &id]).ok();
        self.model
            .write(device, &id, DELETED, Some(deleted.to_string()));
        self.model.changes += 1;
        self.note(format!("device-{device} {command}s {id}"));
        true
    }

    fn sync(&mut self, device: usize) {
        let synced = self.devices[device].sync(40).ok().json();
        let (created, updated) = self.model.sync(device);
        let count = |key: &str| synced[key].as_u64().expect("a count") as usize;
        // `updated` adds up rounds: a response created in one round and changed in the next
        // counts in both. In one round it is exact.
        let one_round = synced["progress"]["requests"] == 1;
        assert!(
            count("created") == created
                && (count("updated") == updated || !one_round && count("updated") > updated),
            "seed {}: device-{device} sync brought {synced}, expected {created} new and \
             {updated} updated",
            self.seed
        );
        self.note(format!(
            "device-{device} syncs: {created} new, {updated} updated"
        ));
    }

    /// Every device syncs until quiet: one round pushes everything, the next pulls it.
    fn settle(&mut self) {
        for _ in 0..2 {
            for device in 0..DEVICES {
                self.sync(device);
            }
        }
        let everything: BTreeSet<usize> = (0..self.model.writes.len()).collect();
        for known in &self.model.known {
            assert_eq!(known, &everything, "the model settles too");
        }
    }

    /// The documents `snapshot` shows are those the model predicts.
    fn check_against_model(&self, snapshot: &Snapshot) {
        let all: BTreeSet<usize> = (0..self.model.writes.len()).collect();
        let listed: BTreeSet<String> = snapshot.shown.keys().cloned().collect();
        let expected_ids: BTreeSet<String> = self.model.responses.keys().cloned().collect();
        assert_eq!(listed, expected_ids, "seed {}", self.seed);
        let mut expected_conflicts = BTreeSet::new();
        let mut live = 0;
        for (id, shown) in &snapshot.shown {
            let deleted = self.model.values(&self.model.visible(&all, id, DELETED))
                == BTreeSet::from([Some("true".to_string())]);
            assert_eq!(shown["deleted"], deleted, "seed {}: {id}", self.seed);
            live += u64::from(!deleted);
            let answers: BTreeMap<String, Option<String>> = shown["answers"]
                .as_array()
                .expect("answers")
                .iter()
                .map(|a| (text(&a["item"]), a["value"].as_str().map(str::to_string)))
                .collect();
            let items: BTreeSet<&str> = answers.keys().map(String::as_str).collect();
            assert_eq!(items, BTreeSet::from(ITEMS), "every item is stored");
            let conflicts: BTreeMap<String, Vec<Option<String>>> = shown["conflicting_fields"]
                .as_array()
                .expect("conflicting fields")
                .iter()
                .map(|c| (text(&c["field"]), option_strings(&c["values"])))
                .collect();
            for item in ITEMS {
                let values = self.model.values(&self.model.visible(&all, id, item));
                let shown_value = &answers[item];
                assert!(
                    values.contains(shown_value),
                    "seed {}: {id} {item} shows {shown_value:?}, expected one of {values:?}",
                    self.seed
                );
                if values.len() > 1 {
                    expected_conflicts.insert((id.clone(), item.to_string()));
                    assert_eq!(
                        conflicts.get(item),
                        Some(&values.into_iter().collect::<Vec<_>>()),
                        "seed {}: {id} {item}",
                        self.seed
                    );
                } else {
                    assert!(
                        !conflicts.contains_key(item),
                        "seed {}: {id} {item} is a conflict the model does not expect: {shown}",
                        self.seed
                    );
                }
            }
        }
        assert_eq!(
            snapshot.conflicting_cells(),
            expected_conflicts,
            "seed {}",
            self.seed
        );
        assert_eq!(snapshot.report["n"], live, "seed {}", self.seed);
    }
}

fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

fn option_strings(values: &Value) -> Vec<Option<String>> {
    values
        .as_array()
        .expect("values")
        .iter()
        .map(|v| v.as_str().map(str::to_string))
        .collect()
}

#[test]
fn random_offline_work_converges_with_conflicts_exactly_where_devices_wrote_differently() {
    for seed in seeds(&SEEDS) {
        println!("convergence seed {seed} (replay with SIMPUL_E2E_SEED={seed})");
        let mut history = History::new(seed);
        for _ in 0..OPERATIONS {
            history.step();
        }
        history.settle();
        // A device enrolled last pulls the server's whole copy.
        let late = Device::enrolled("device-late", &history.server, &history.server.url());
        late.sync_ok();

        let snapshots: Vec<Snapshot> = history
            .devices
            .iter()
            .chain([&late])
            .map(Device::full_snapshot)
            .collect();
        assert_converged(&snapshots);
        assert_no_duplicates(&snapshots[0]);
        history.check_against_model(&snapshots[0]);
        assert_eq!(
            history.server.change_count(),
            history.model.changes,
            "seed {seed}: the server holds each change once"
        );
        let conflicts = snapshots[0].conflicting_cells().len();
        println!(
            "seed {seed}: {} responses, {} changes, {conflicts} conflicting cells; link {:?}",
            history.model.responses.len(),
            history.model.changes,
            history.link.stats()
        );
    }
}

#[test]
fn a_supervisors_choice_and_a_concurrent_edit_of_the_same_cell_end_as_a_conflict_everywhere() {
    let server = Server::start();
    let [a, b, supervisor] =
        ["laptop-a", "laptop-b", "supervisor"].map(|n| Device::enrolled(n, &server, &server.url()));
    // Two clerks type sheet K-7 offline; U3 reads 4 on one and 2 on the other.
    let scores = |u3: &str| -> Vec<String> {
        let mut args: Vec<String> = ["capture", "--channel", "paper", "--paper-serial", "K-7"]
            .map(String::from)
            .to_vec();
        for item in simpul_e2e::answers::UNSUR {
            let value = if item == "U3" { u3 } else { "4" };
            args.extend(["--set".into(), format!("{item}={value}")]);
        }
        args
    };
    a.json(&strs(&scores("4")));
    b.json(&strs(&scores("2")));
    for device in [&a, &b, &supervisor, &a, &b] {
        device.sync_ok();
    }
    let id = text(&supervisor.responses()[0]["id"]);
    let on_screen = |device: &Device| -> String {
        let shown = device.json(&["show", &id]);
        let u3 = shown["answers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["item"] == "U3")
            .unwrap()["value"]
            .clone();
        text(&u3)
    };

    // The supervisor confirms the value on screen while clerk A, not synced since,
    // corrects the cell to 3.
    let chosen = on_screen(&supervisor);
    supervisor.run(&["resolve", &id, "U3", &chosen]).ok();
    a.run(&["edit", &id, "--set", "U3=3"]).ok();
    for device in [&a, &b, &supervisor, &a, &b, &supervisor] {
        device.sync_ok();
    }

    // Neither write saw the other: both values stay, for a person to settle.
    let snapshots: Vec<Snapshot> = [&a, &b, &supervisor]
        .iter()
        .map(|d| d.full_snapshot())
        .collect();
    assert_converged(&snapshots);
    let conflicts = snapshots[0].conflicts.as_array().unwrap();
    assert_eq!(conflicts.len(), 1, "{}", snapshots[0].conflicts);
    assert_eq!(conflicts[0]["field"], "U3");
    let mut expected = vec![Some("3".to_string()), Some(chosen)];
    expected.sort();
    assert_eq!(option_strings(&conflicts[0]["values"]), expected);
}
