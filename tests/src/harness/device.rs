//! A `simpul` replica, driven one command at a time.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;
use tempfile::TempDir;

use super::process::{Run, Running, command, run};
use super::server::Server;
use super::{PERIOD, UNIT, path_str};
use crate::snapshot::Snapshot;
use crate::tables::Tables;

/// A `simpul` replica for [`UNIT`] in [`PERIOD`] in a temporary folder.
pub struct Device {
    pub name: String,
    dir: TempDir,
}

impl Device {
    /// `simpul init` with this device name; the name is recorded with every change.
    pub fn new(name: &str) -> Device {
        Device::in_unit(UNIT, name)
    }

    /// [`Device::new`], for another unit than [`UNIT`].
    pub fn in_unit(unit: &str, name: &str) -> Device {
        let device = Device {
            name: name.to_string(),
            dir: tempfile::tempdir().expect("a temporary directory"),
        };
        let mut init = command("simpul");
        init.args(["init", "--unit", unit, "--period", PERIOD, "--device", name])
            .arg("--data")
            .arg(device.data());
        run(format!("{name}: simpul init"), init).ok();
        device
    }

    /// A new device enrolled with `server` through `url` (the server's own, or a proxy's).
    pub fn enrolled(name: &str, server: &Server, url: &str) -> Device {
        let device = Device::new(name);
        device.enrol(url, &server.enrolment_code()).ok();
        device
    }

    /// `simpul enrol --server URL --code CODE`
    pub fn enrol(&self, url: &str, code: &str) -> Run {
        self.run(&["enrol", "--server", url, "--code", code])
    }

    /// The replica's folder.
    pub fn data(&self) -> PathBuf {
        self.dir.path().join("replica")
    }

    /// A path beside the replica, for files going in or out.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `simpul ARGS… --data DIR`, ready to run.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut simpul = command("simpul");
        simpul.args(args).arg("--data").arg(self.data());
        simpul
    }

    pub fn run(&self, args: &[&str]) -> Run {
        run(self.describe(args), self.command(args))
    }

    /// Starts `simpul ARGS…` in the background.
    pub fn spawn(&self, args: &[&str]) -> Running {
        Running::start(self.describe(args), self.command(args))
    }

    fn describe(&self, args: &[&str]) -> String {
        format!("{}: simpul {}", self.name, args.join(" "))
    }

    /// `simpul ARGS… --format json`, which must succeed, parsed.
    #[track_caller]
    pub fn json(&self, args: &[&str]) -> Value {
        let mut args = args.to_vec();
        args.extend(["--format", "json"]);
        self.run(&args).ok().json()
    }

    /// `simpul sync` giving up after `max_failures` failures in a row, as JSON.
    pub fn sync(&self, max_failures: u32) -> Run {
        self.run(&[
            "sync",
            "--max-failures",
            &max_failures.to_string(),
            "--format",
            "json",
        ])
    }

    /// A sync that must complete.
    #[track_caller]
    pub fn sync_ok(&self) -> Value {
        self.sync(12).ok().json()
    }

    /// `simpul status --format json`
    pub fn status(&self) -> Value {
        self.json(&["status"])
    }

    /// This device's id on the server.
    pub fn device_id(&self) -> String {
        let status = self.status();
        status["enrolment"]["device_id"]
            .as_str()
            .unwrap_or_else(|| panic!("{} is not enrolled: {status}", self.name))
            .to_string()
    }

    /// Every response, deleted ones included, as `list` gives them.
    pub fn responses(&self) -> Vec<Value> {
        match self.json(&["list", "--include-deleted"]) {
            Value::Array(list) => list,
            other => panic!("list printed {other}"),
        }
    }

    /// How many changes this replica's log holds (those waiting for a dependency aside).
    pub fn change_count(&self) -> u64 {
        let out = self.path("count.simpul");
        let exported = self.json(&["bundle", "export", "--out", path_str(&out)]);
        exported["changes"].as_u64().expect("a change count")
    }

    /// Import a CSV stack of paper questionnaires written to a file beside the replica.
    pub fn import_csv(&self, name: &str, contents: &str) -> Value {
        let file = self.path(name);
        std::fs::write(&file, contents).expect("the CSV file is written");
        self.json(&["import-csv", path_str(&file)])
    }

    /// Lists, conflicts, the report and every answer: what must be equal on converged
    /// replicas.
    pub fn snapshot(&self) -> Snapshot {
        let csv = self.path("snapshot.csv");
        self.run(&[
            "export",
            "csv",
            "--include-deleted",
            "--out",
            path_str(&csv),
        ])
        .ok();
        Snapshot {
            device: self.name.clone(),
            list: self.json(&["list", "--include-deleted"]),
            conflicts: self.json(&["conflicts", "--include-deleted"]),
            report: self.json(&["report"]),
            csv: std::fs::read_to_string(&csv).expect("the export is written"),
            shown: Default::default(),
        }
    }

    /// The materialised tables of [`UNIT`], read from the replica's database file.
    pub fn tables(&self) -> Tables {
        Tables::read(&self.name, &self.data().join(simpul_replica::DB_FILE), UNIT)
    }

    /// [`snapshot`](Self::snapshot) plus `show` of every response.
    pub fn full_snapshot(&self) -> Snapshot {
        let mut snapshot = self.snapshot();
        let ids: Vec<String> = crate::snapshot::ids(&snapshot.list);
        for id in ids {
            let shown = self.json(&["show", &id]);
            snapshot.shown.insert(id, shown);
        }
        snapshot
    }
}
