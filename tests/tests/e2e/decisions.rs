//! Supervisors decide on the server while devices work: two or three devices of one unit
//! capture interviews, type paper sheets (some typed again on another device, a cell or
//! more read otherwise), edit, delete and restore; meanwhile a supervisor works on the
//! server with `simpul-server` beside the running server — settles a conflict it lists,
//! reviews a response (approved, has issues, rejected with a note; a rejection without one
//! is refused and changes nothing), deletes or restores one. Devices sync in random order
//! over a link that cuts, stalls and delivers requests twice; a sync a fault defeats is left
//! for a later one.
//!
//! Once every device has synced twice on a clean link and the server's materialiser has
//! caught up, every device's materialised `responses`, `answers` and `conflicts` must equal
//! the server's, row for row, and every device's report and list of conflicts the
//! server's — with the rejected and the deleted responses counted by neither. A device
//! enrolled only then, which pulls everything at once, must agree too.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use serde_json::Value;
use simpul_e2e::answers::{
    Answers, FILLED, ITEMS, misread, random_answers, random_value, set_args,
};
use simpul_e2e::rng::seeds;
use simpul_e2e::snapshot::{first_difference, text};
use simpul_e2e::{Device, LinkProfile, Proxy, Rng, Run, Server, Tables, UNIT, assert_tables_equal};

/// Steps of one history; `SIMPUL_E2E_OPERATIONS=n` runs longer ones.
const OPERATIONS: usize = 60;
/// Run with `SIMPUL_E2E_SEED=n` to replay one history.
const SEEDS: [u64; 5] = [1, 2, 3, 4, 5];
const SUPERVISOR: &str = "Dewi (pengawas)";
/// Failures in a row after which a sync during the history gives up; the next one resumes.
const PATIENCE: u32 = 2;
const REVIEWS: [&str; 3] = ["approved", "has-issues", "rejected"];

/// A paper sheet, as typed the first time.
struct Sheet {
    serial: String,
    id: String,
    first: usize,
    answers: Answers,
    typed_twice: bool,
}

/// What a history did, to show it did what it set out to.
#[derive(Clone, Copy, Debug, Default)]
struct Tally {
    settled: u64,
    reviewed: u64,
    rejected: u64,
    refused: u64,
    deleted_on_server: u64,
    restored_on_server: u64,
    deleted_on_devices: u64,
    syncs: u64,
    syncs_cut_short: u64,
    decisions_during_syncs: u64,
}

impl Tally {
    fn add(&mut self, other: &Tally) {
        self.settled += other.settled;
        self.reviewed += other.reviewed;
        self.rejected += other.rejected;
        self.refused += other.refused;
        self.deleted_on_server += other.deleted_on_server;
        self.restored_on_server += other.restored_on_server;
        self.deleted_on_devices += other.deleted_on_devices;
        self.syncs += other.syncs;
        self.syncs_cut_short += other.syncs_cut_short;
        self.decisions_during_syncs += other.decisions_during_syncs;
    }
}

/// One history: a server, its supervisor, the devices and the link, driven by one seed.
struct History {
    seed: u64,
    rng: Rng,
    server: Server,
    link: Proxy,
    devices: Vec<Device>,
    sheets: Vec<Sheet>,
    /// Responses devices wrote to lately, and those the supervisor decided about lately:
    /// each side picks them often, so decisions and device work meet on one response.
    device_touched: Vec<String>,
    decided: Vec<String>,
    /// A device is syncing while the supervisor decides: what the server holds may change
    /// under the decision, so its immediate effect is not checked (the end state is).
    racing: bool,
    tally: Tally,
    steps: usize,
}

impl History {
    fn new(seed: u64) -> History {
        let mut rng = Rng::new(seed);
        let server = Server::start();
        let link = Proxy::start(server.addr(), LinkProfile::clean(), seed).unwrap();
        let devices = (0..2 + rng.below(2))
            .map(|i| Device::enrolled(&format!("device-{i}"), &server, &link.url()))
            .collect();
        // The faults the convergence suite uses.
        link.set_profile(LinkProfile {
            stall_probability: 0.03,
            stall: Duration::from_millis(100),
            cut_probability: 0.06,
            replay_probability: 0.3,
            ..LinkProfile::clean()
        });
        History {
            seed,
            rng,
            server,
            link,
            devices,
            sheets: Vec::new(),
            device_touched: Vec::new(),
            decided: Vec::new(),
            racing: false,
            tally: Tally::default(),
            steps: 0,
        }
    }

    fn note(&mut self, what: String) {
        println!("seed {} step {}: {what}", self.seed, self.steps);
    }

    /// One of `candidates`, half the time one of the last few in `lately` if any is there.
    fn choose(&mut self, candidates: &[&String], lately: &[String]) -> String {
        let recent = &lately[lately.len().saturating_sub(4)..];
        let hot: Vec<&String> = candidates
            .iter()
            .copied()
            .filter(|id| recent.contains(id))
            .collect();
        if !hot.is_empty() && self.rng.chance(0.5) {
            return self.rng.pick(&hot).to_string();
        }
        self.rng.pick(candidates).to_string()
    }

    fn step(&mut self) {
        self.steps += 1;
        let device = self.rng.below(self.devices.len() as u64) as usize;
        let done = match self.rng.below(100) {
            0..12 => self.interview(device),
            12..22 => self.first_typing(device),
            22..32 => self.second_typing(),
            32..42 => self.edit(device),
            42..46 => self.device_toggles_deletion(device),
            46..56 => self.settle_conflict(),
            56..68 => self.review(),
            68..74 => self.supervisor_toggles_deletion(),
            74..80 => self.decide_during_sync(device),
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
        self.device_touched.push(text(&captured["id"]));
        self.note(format!(
            "device-{device} captures {channel} {}",
            captured["id"]
        ));
        true
    }

    fn first_typing(&mut self, device: usize) -> bool {
        let serial = format!("P-{}", self.sheets.len() + 1);
        let answers = random_answers(&mut self.rng);
        let id = self.type_sheet(device, &serial, &answers);
        self.sheets.push(Sheet {
            serial,
            id,
            first: device,
            answers,
            typed_twice: false,
        });
        true
    }

    /// A sheet typed once is typed again on another device, one to three cells read
    /// otherwise: a conflict once both typings meet.
    fn second_typing(&mut self) -> bool {
        let waiting: Vec<usize> = (0..self.sheets.len())
            .filter(|&s| !self.sheets[s].typed_twice)
            .collect();
        if waiting.is_empty() {
            return false;
        }
        let sheet = *self.rng.pick(&waiting);
        let others = self.devices.len() as u64 - 1;
        let device =
            (self.sheets[sheet].first + 1 + self.rng.below(others) as usize) % self.devices.len();
        let cells = self.rng.between(1, 3);
        let answers = misread(&mut self.rng, &self.sheets[sheet].answers, cells);
        self.sheets[sheet].typed_twice = true;
        let serial = self.sheets[sheet].serial.clone();
        let id = self.type_sheet(device, &serial, &answers);
        assert_eq!(
            id, self.sheets[sheet].id,
            "seed {}: one sheet, one response",
            self.seed
        );
        true
    }

    fn type_sheet(&mut self, device: usize, serial: &str, answers: &Answers) -> String {
        let mut args: Vec<String> = ["capture", "--channel", "paper", "--paper-serial", serial]
            .map(String::from)
            .to_vec();
        args.extend(set_args(answers, false));
        let captured = self.devices[device].json(&strs(&args));
        self.note(format!(
            "device-{device} types sheet {serial}: {}",
            captured["outcome"]
        ));
        self.device_touched.push(text(&captured["id"]));
        text(&captured["id"])
    }

    /// A device changes one to three answers of a response it holds and has not deleted.
    fn edit(&mut self, device: usize) -> bool {
        let tables = self.devices[device].tables();
        let live: Vec<&String> = tables
            .responses
            .iter()
            .filter(|(_, row)| row["deleted"] == 0)
            .map(|(id, _)| id)
            .collect();
        if live.is_empty() {
            return false;
        }
        let decided = self.decided.clone();
        let id = self.choose(&live, &decided);
        let mut changes = Answers::new();
        for _ in 0..self.rng.between(1, 3) {
            let item = *self.rng.pick(&FILLED);
            changes.insert(item.to_string(), random_value(&mut self.rng, item));
        }
        let mut args = vec!["edit".to_string(), id.clone()];
        args.extend(set_args(&changes, true));
        self.devices[device].run(&strs(&args)).ok();
        self.note(format!("device-{device} edits {id}: {changes:?}"));
        self.device_touched.push(id);
        true
    }

    /// A device deletes a response it holds, or restores one it sees deleted — perhaps one
    /// the supervisor decided about meanwhile.
    fn device_toggles_deletion(&mut self, device: usize) -> bool {
        let tables = self.devices[device].tables();
        let ids: Vec<&String> = tables.responses.keys().collect();
        if ids.is_empty() {
            return false;
        }
        let decided = self.decided.clone();
        let id = self.choose(&ids, &decided);
        let command = if tables.get(&id, "deleted") == 0 {
            self.tally.deleted_on_devices += 1;
            "delete"
        } else {
            "restore"
        };
        self.devices[device].run(&[command, &id]).ok();
        self.note(format!("device-{device} {command}s {id}"));
        self.device_touched.push(id);
        true
    }

    /// The server's tables once its materialiser has every stored change: what a
    /// supervisor's screen shows.
    fn server_tables(&self) -> Tables {
        self.server.wait_until_materialised(Duration::from_secs(30));
        self.server.tables(UNIT)
    }

    /// The supervisor lists the unit's conflicts and settles one on a value it lists.
    fn settle_conflict(&mut self) -> bool {
        if !self.racing {
            self.server.wait_until_materialised(Duration::from_secs(30));
        }
        let listed = self.server.json(&["conflicts", "--unit", UNIT]);
        // Answers only (not the review or deletion flags), on a value a person can type.
        let settleable: Vec<(String, String, Vec<String>)> = listed
            .as_array()
            .expect("a list of conflicts")
            .iter()
            .map(|c| {
                let values = c["values"].as_array().expect("values");
                let typed: Vec<String> = values
                    .iter()
                    .filter_map(Value::as_str)
                    .map(String::from)
                    .collect();
                (text(&c["response"]), text(&c["field"]), typed)
            })
            .filter(|(_, field, values)| ITEMS.contains(&field.as_str()) && !values.is_empty())
            .collect();
        if settleable.is_empty() {
            return false;
        }
        let (id, field, values) = self.rng.pick(&settleable).clone();
        self.decided.push(id.clone());
        let value = self.rng.pick(&values).clone();
        let resolved = self
            .server
            .run(&["resolve", &id, &field, &value, "--by", SUPERVISOR]);
        if self.racing {
            // A device's edit pushed meanwhile may have replaced the value chosen.
            self.note(format!(
                "supervisor settles {id} {field} = {value} during a sync: {}",
                resolved.status
            ));
            self.tally.settled += u64::from(resolved.status.success());
            return true;
        }
        resolved.ok();
        // Nothing else wrote meanwhile: the field holds the one value chosen.
        let after = self.server.tables(UNIT);
        let key = (id.clone(), field.clone());
        assert_eq!(
            after.answers.get(&key),
            Some(&Some(value.clone())),
            "seed {}: {id} {field} after settling it on {value:?}",
            self.seed
        );
        assert!(
            !after.conflicts.contains_key(&key),
            "seed {}: {id} {field} still in conflict after settling it: {}",
            self.seed,
            after.conflicts[&key]
        );
        self.tally.settled += 1;
        self.note(format!("supervisor settles {id} {field} = {value}"));
        true
    }

    /// The supervisor reviews a response; now and then first tries to reject it without a
    /// note, which must be refused and leave the server as it was.
    fn review(&mut self) -> bool {
        let before = self.server_tables();
        let ids: Vec<&String> = before.responses.keys().collect();
        if ids.is_empty() {
            return false;
        }
        let touched = self.device_touched.clone();
        let id = self.choose(&ids, &touched);
        self.decided.push(id.clone());
        if self.rng.chance(0.3) {
            let changes = self.server.change_count();
            let blank = self.rng.chance(0.5);
            let mut args = vec!["review", &id, "--state", "rejected", "--by", SUPERVISOR];
            if blank {
                args.extend(["--note", "  "]);
            }
            let refused = self.server.run(&args);
            assert!(
                !refused.status.success(),
                "seed {}: a rejection without a note went through: {refused}",
                self.seed
            );
            if !self.racing {
                assert_eq!(
                    self.server.change_count(),
                    changes,
                    "seed {}: a refused rejection stored a change",
                    self.seed
                );
                let unchanged = before.differences(&self.server.tables(UNIT));
                assert!(
                    unchanged.is_empty(),
                    "seed {}: a refused rejection changed the server's tables: {unchanged:?}",
                    self.seed
                );
            }
            self.tally.refused += 1;
            self.note(format!(
                "supervisor's rejection of {id} without a note refused"
            ));
        }
        let state = *self.rng.pick(&REVIEWS);
        let note = match state {
            "rejected" => Some(format!("lembar {} tidak terbaca", self.rng.below(100))),
            _ if self.rng.chance(0.3) => Some("cek ulang umur".to_string()),
            _ => None,
        };
        let mut args = vec!["review", &id, "--state", state, "--by", SUPERVISOR];
        if let Some(note) = &note {
            args.extend(["--note", note]);
        }
        self.server.run(&args).ok();
        // Only the supervisor writes reviews: no sync can change this one meanwhile.
        let after = self.server.tables(UNIT);
        assert_eq!(
            (after.get(&id, "review"), after.get(&id, "review_note")),
            (&Value::from(state), &Value::from(note.clone())),
            "seed {}: {id} after reviewing it",
            self.seed
        );
        self.tally.reviewed += 1;
        self.tally.rejected += u64::from(state == "rejected");
        self.note(format!("supervisor reviews {id}: {state} {note:?}"));
        true
    }

    /// The supervisor deletes a response, or restores a deleted one.
    fn supervisor_toggles_deletion(&mut self) -> bool {
        let before = self.server_tables();
        let ids: Vec<&String> = before.responses.keys().collect();
        if ids.is_empty() {
            return false;
        }
        let touched = self.device_touched.clone();
        let id = self.choose(&ids, &touched);
        self.decided.push(id.clone());
        let deleting = before.get(&id, "deleted") == 0;
        let command = if deleting { "delete" } else { "restore" };
        self.server.run(&[command, &id, "--by", SUPERVISOR]).ok();
        if !self.racing {
            assert_eq!(
                self.server.tables(UNIT).get(&id, "deleted"),
                &Value::from(i64::from(deleting)),
                "seed {}: {id} after the supervisor's {command}",
                self.seed
            );
        }
        if deleting {
            self.tally.deleted_on_server += 1;
        } else {
            self.tally.restored_on_server += 1;
        }
        self.note(format!("supervisor {command}s {id}"));
        true
    }

    /// The supervisor decides while a device syncs: two processes write the server's
    /// change log and catch its tables up at once.
    fn decide_during_sync(&mut self, device: usize) -> bool {
        let patience = PATIENCE.to_string();
        let args = ["sync", "--max-failures", &patience, "--format", "json"];
        let syncing = self.devices[device].spawn(&args);
        self.racing = true;
        let decided = match self.rng.below(3) {
            0 => self.settle_conflict(),
            1 => self.review(),
            _ => self.supervisor_toggles_deletion(),
        };
        self.racing = false;
        self.tally.decisions_during_syncs += u64::from(decided);
        let synced = syncing.finish(Duration::from_secs(120));
        self.after_sync(device, synced);
        true
    }

    /// A sync over the faulty link; one the faults defeat is left for a later one.
    fn sync(&mut self, device: usize) {
        let synced = self.devices[device].sync(PATIENCE);
        self.after_sync(device, synced);
    }

    fn after_sync(&mut self, device: usize, synced: Run) {
        self.tally.syncs += 1;
        if synced.status.success() {
            self.note(format!("device-{device} syncs"));
            return;
        }
        assert!(
            !synced.stderr.contains("panicked"),
            "seed {}: device-{device}'s sync crashed: {synced}",
            self.seed
        );
        self.tally.syncs_cut_short += 1;
        self.note(format!(
            "device-{device} sync cut short: {}",
            synced.stderr.lines().last().unwrap_or_default()
        ));
    }

    /// On a clean link every device syncs twice — the first round pushes everything, the
    /// second pulls it — and the server's materialiser catches up.
    fn settle(&mut self) {
        self.link.set_profile(LinkProfile::clean());
        for _ in 0..2 {
            for device in &self.devices {
                device.sync_ok();
            }
        }
        self.server.wait_until_materialised(Duration::from_secs(30));
    }

    /// Every device holds the server's rows and reports the server's IKM, and the IKM
    /// leaves out what was rejected or deleted.
    /// A device enrolled last, which pulls the server's whole copy, is checked too.
    fn check(&self) {
        let late = Device::enrolled("device-late", &self.server, &self.server.url());
        late.sync_ok();
        let devices: Vec<&Device> = self.devices.iter().chain([&late]).collect();

        let server = self.server.tables(UNIT);
        let tables: Vec<Tables> = devices.iter().map(|d| d.tables()).collect();
        assert_tables_equal(&server, &tables);

        let on_server = self.server.json(&["report", "--unit", UNIT]);
        let listed = self.server.json(&["conflicts", "--unit", UNIT]);
        for device in &devices {
            let report = device.json(&["report"]);
            if let Some(at) = first_difference(&on_server, &report, "report") {
                panic!(
                    "seed {}: {}'s report differs from the server's at {at}",
                    self.seed, device.name
                );
            }
            let conflicts = device.json(&["conflicts"]);
            if let Some(at) = first_difference(&listed, &conflicts, "conflicts") {
                panic!(
                    "seed {}: {}'s conflicts differ from the server's at {at}",
                    self.seed, device.name
                );
            }
        }

        let counted: Vec<_> = server
            .responses
            .values()
            .filter(|row| row["status"] == "final")
            .filter(|row| row["deleted"] == 0 && row["review"] != "rejected")
            .collect();
        let left_out = server.responses.len() - counted.len();
        assert_eq!(
            on_server["n"],
            counted.len(),
            "seed {}: the report counts {} of {} responses, {left_out} of them rejected, \
             deleted or drafts",
            self.seed,
            on_server["n"],
            server.responses.len()
        );
        for (slot, unsur) in on_server["unsur"]
            .as_array()
            .expect("unsur")
            .iter()
            .enumerate()
        {
            let scores: Vec<i64> = counted
                .iter()
                .filter_map(|row| row[&format!("s{}", slot + 1)].as_i64())
                .collect();
            assert_eq!(
                (&unsur["n"], &unsur["total"]),
                (
                    &Value::from(scores.len()),
                    &Value::from(scores.iter().sum::<i64>())
                ),
                "seed {}: {} counts only responses neither rejected nor deleted",
                self.seed,
                unsur["id"]
            );
        }
        let rejected = server
            .responses
            .values()
            .filter(|row| row["review"] == "rejected")
            .count();
        let deleted = server
            .responses
            .values()
            .filter(|row| row["deleted"] == 1)
            .count();
        let conflicts: BTreeSet<&String> = server.conflicts.keys().map(|(id, _)| id).collect();
        println!(
            "seed {}: {} devices, {} responses ({} counted, {rejected} rejected, {deleted} \
             deleted, {} with conflicts), {} changes; {:?}; link {:?}",
            self.seed,
            self.devices.len(),
            server.responses.len(),
            counted.len(),
            conflicts.len(),
            self.server.change_count(),
            self.tally,
            self.link.stats()
        );
    }
}

fn operations() -> usize {
    std::env::var("SIMPUL_E2E_OPERATIONS").map_or(OPERATIONS, |n| {
        n.parse().expect("SIMPUL_E2E_OPERATIONS is a number")
    })
}

fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

#[test]
fn supervisors_decisions_on_the_server_and_random_device_work_end_in_the_same_tables_everywhere() {
    let mut total = Tally::default();
    let seeds = seeds(&SEEDS);
    for &seed in &seeds {
        println!("decisions seed {seed} (replay with SIMPUL_E2E_SEED={seed})");
        let started = Instant::now();
        let mut history = History::new(seed);
        for _ in 0..operations() {
            history.step();
        }
        history.settle();
        history.check();
        total.add(&history.tally);
        println!("seed {seed} took {:.1?}", started.elapsed());
    }
    // The histories did what they are for: every kind of decision and of deletion. (One
    // replayed seed alone need not.)
    assert!(
        seeds != SEEDS
            || total.settled > 0
                && total.rejected > 0
                && total.refused > 0
                && total.deleted_on_server > 0
                && total.deleted_on_devices > 0,
        "the histories left a kind of decision out: {total:?}"
    );
}
