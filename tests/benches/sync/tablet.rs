//! A device for the benchmarks: a replica folder that the bench fills through the replica
//! library and the `simpul` binary, and that syncs as `simpul sync` in a process of its own.
//! Every process is given a deadline and killed when it passes.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use serde_json::Value;
use simpul_e2e::{PERIOD, harness};
use simpul_replica::{PeriodCode, Replica, Settings, UnitCode};

/// Numbers the files each process writes its output to.
static SPAWNED: AtomicU64 = AtomicU64::new(0);

/// How long a command other than `sync` may take.
const COMMAND_DEADLINE: Duration = Duration::from_secs(300);

/// Environment that would change how `simpul` behaves or where its requests go.
const SCRUBBED: [&str; 9] = [
    "SIMPUL_LANG",
    "SIMPUL_ENUMERATOR",
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
];

pub struct Tablet {
    dir: PathBuf,
}

/// A finished process.
pub struct Finished {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
    pub took: Duration,
}

/// A `simpul` process started in the background.
pub struct Started {
    child: std::process::Child,
    started: Instant,
    out: PathBuf,
    err: PathBuf,
    what: String,
}

impl Tablet {
    /// A new, empty replica for `unit` in [`PERIOD`].
    pub fn create(dir: &Path, unit: &str, name: &str) -> Result<Tablet> {
        let settings = Settings {
            unit: UnitCode::parse(unit)?,
            period: PeriodCode::parse(PERIOD)?,
            form: "skm-2017".into(),
            device: name.into(),
        };
        Replica::init(&dir.join("replica"), settings).context("init a replica")?;
        Ok(Tablet {
            dir: dir.to_path_buf(),
        })
    }

    /// A copy of `template`'s replica, which must not be open.
    pub fn copy_of(template: &Tablet, dir: &Path) -> Result<Tablet> {
        let to = dir.join("replica");
        std::fs::create_dir_all(&to)?;
        for entry in std::fs::read_dir(template.data())? {
            let entry = entry?;
            if entry.file_type()?.is_file() {
                std::fs::copy(entry.path(), to.join(entry.file_name()))?;
            }
        }
        Ok(Tablet {
            dir: dir.to_path_buf(),
        })
    }

    pub fn data(&self) -> PathBuf {
        self.dir.join("replica")
    }

    pub fn open(&self) -> Result<Replica> {
        Replica::open(&self.data()).context("open the replica")
    }

    /// `simpul ARGS… --data DIR`, started.
    pub fn spawn(&self, args: &[&str]) -> Result<Started> {
        let what = format!("simpul {}", args.join(" "));
        let id = SPAWNED.fetch_add(1, Ordering::Relaxed);
        let out = self.dir.join(format!("{id}.out"));
        let err = self.dir.join(format!("{id}.err"));
        let mut command = Command::new(harness::binary("simpul"));
        for name in SCRUBBED {
            command.env_remove(name);
        }
        let child = command
            .args(args)
            .arg("--data")
            .arg(self.data())
            .stdin(Stdio::null())
            .stdout(File::create(&out)?)
            .stderr(File::create(&err)?)
            .spawn()
            .with_context(|| format!("start {what}"))?;
        Ok(Started {
            child,
            started: Instant::now(),
            out,
            err,
            what,
        })
    }

    /// `simpul ARGS…`, which must succeed within a few minutes.
    pub fn run(&self, args: &[&str]) -> Result<Finished> {
        self.spawn(args)?.finish_ok(COMMAND_DEADLINE)
    }

    pub fn enrol(&self, url: &str, code: &str) -> Result<()> {
        self.run(&["enrol", "--server", url, "--code", code])?;
        Ok(())
    }

    /// Starts `simpul sync --format json`.
    pub fn start_sync(&self) -> Result<Started> {
        self.spawn(&["sync", "--format", "json"])
    }

    /// Changes the server has not acknowledged.
    pub fn pending(&self) -> Result<u64> {
        let status = self.run(&["status", "--format", "json"])?.json()?;
        status["pending_changes"]
            .as_u64()
            .context("status without pending_changes")
    }
}

impl Started {
    /// Waits for the process; kills it and fails once `deadline` has passed.
    pub fn finish(mut self, deadline: Duration) -> Result<Finished> {
        let status = loop {
            if let Some(status) = self.child.try_wait()? {
                break status;
            }
            if self.started.elapsed() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                bail!(
                    "{} did not finish within {deadline:?}; it wrote:\n{}",
                    self.what,
                    tail(&std::fs::read_to_string(&self.err).unwrap_or_default())
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        let took = self.started.elapsed();
        Ok(Finished {
            status,
            stdout: std::fs::read_to_string(&self.out)?,
            stderr: std::fs::read_to_string(&self.err)?,
            took,
        })
    }

    /// [`finish`](Self::finish), and the process must have succeeded.
    pub fn finish_ok(self, deadline: Duration) -> Result<Finished> {
        let what = self.what.clone();
        let finished = self.finish(deadline)?;
        ensure!(
            finished.status.success(),
            "{what} failed ({}):\n{}",
            finished.status,
            tail(&finished.stderr)
        );
        Ok(finished)
    }
}

impl Drop for Started {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

impl Finished {
    pub fn json(&self) -> Result<Value> {
        serde_json::from_str(&self.stdout)
            .with_context(|| format!("not JSON: {}", tail(&self.stdout)))
    }
}

/// The last lines of a process's output, for an error message.
fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(30)..].join("\n")
}
