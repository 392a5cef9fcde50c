//! Running the programs: each command a process with a deadline, its output kept for the
//! failure message.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{COMMAND_DEADLINE, binary};

/// What one finished process did.
#[derive(Debug)]
pub struct Run {
    pub what: String,
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
    pub took: Duration,
}

impl Run {
    /// Asserts that the process exited 0.
    #[track_caller]
    pub fn ok(self) -> Run {
        assert!(self.status.success(), "{} failed: {self}", self.what);
        self
    }

    /// Asserts that the process failed.
    #[track_caller]
    pub fn failed(self) -> Run {
        assert!(!self.status.success(), "{} succeeded: {self}", self.what);
        self
    }

    /// Standard output as JSON.
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("{} did not print JSON ({e}): {self}", self.what))
    }

    /// The last line of standard output.
    pub fn last_line(&self) -> &str {
        self.stdout.lines().last().unwrap_or_default().trim()
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} after {:.1?}\n--- stdout\n{}\n--- stderr\n{}",
            self.status,
            self.took,
            tail(&self.stdout, 40),
            tail(&self.stderr, 40)
        )
    }
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    let skip = all.len().saturating_sub(lines);
    let mut out = String::new();
    if skip > 0 {
        out.push_str(&format!("[… {skip} lines]\n"));
    }
    out.push_str(&all[skip..].join("\n"));
    out
}

/// A process started in the background, its standard error readable line by line while it
/// runs. Stopped with SIGTERM if dropped before it finished.
pub struct Running {
    what: String,
    child: Child,
    started: Instant,
    lines: Receiver<String>,
    stderr: Vec<String>,
    stdout: Option<JoinHandle<String>>,
}

impl Running {
    pub(super) fn start(what: String, mut command: Command) -> Running {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{what} could not start: {e}"));
        let mut out = child.stdout.take().expect("stdout is piped");
        let stdout = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = out.read_to_string(&mut text);
            text
        });
        let err = child.stderr.take().expect("stderr is piped");
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines() {
                let Ok(line) = line else { return };
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        Running {
            what,
            child,
            started: Instant::now(),
            lines,
            stderr: Vec::new(),
            stdout: Some(stdout),
        }
    }

    /// The next line the process writes to standard error, or `None` if it ends or `wait`
    /// passes first.
    pub fn next_line(&mut self, wait: Duration) -> Option<String> {
        match self.lines.recv_timeout(wait) {
            Ok(line) => {
                self.stderr.push(line.clone());
                Some(line)
            }
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => None,
        }
    }

    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Whether the process has not exited yet.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Waits for the process to end, killing it and failing the test after `deadline`.
    #[track_caller]
    pub fn finish(mut self, deadline: Duration) -> Run {
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("the process can be waited on") {
                break status;
            }
            if self.started.elapsed() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!(
                    "{} did not finish within {deadline:?}; stderr so far:\n{}",
                    self.what,
                    self.stderr.join("\n")
                );
            }
            if self.next_line(Duration::from_millis(20)).is_none() {
                // Nothing written, or standard error already closed: do not spin.
                std::thread::sleep(Duration::from_millis(5));
            }
        };
        while self.next_line(Duration::from_millis(200)).is_some() {}
        let stdout = self
            .stdout
            .take()
            .map(|t| t.join().unwrap_or_default())
            .unwrap_or_default();
        Run {
            what: std::mem::take(&mut self.what),
            status,
            stdout,
            stderr: self.stderr.join("\n"),
            took: self.started.elapsed(),
        }
    }
}

impl Running {
    /// SIGKILL: the process dies at once, mid-write or not.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            terminate(&mut self.child);
        }
    }
}

/// SIGTERM, as a service manager stops a program, then SIGKILL if it has not stopped within
/// ten seconds.
pub(super) fn terminate(child: &mut Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
}

pub(super) fn run(what: String, command: Command) -> Run {
    Running::start(what, command).finish(COMMAND_DEADLINE)
}

/// Environment that would change how the programs behave under test.
const SCRUBBED: [&str; 14] = [
    "SIMPUL_LANG",
    "SIMPUL_ENUMERATOR",
    "SIMPUL_DATA",
    "SIMPUL_LISTEN",
    "SIMPUL_CONFIG",
    "SIMPUL_BODY_LIMIT",
    "SIMPUL_LOG_FORMAT",
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
    "SIMPUL_BIN_DIR",
];

pub(super) fn command(binary_name: &str) -> Command {
    let mut command = Command::new(binary(binary_name));
    for name in SCRUBBED {
        command.env_remove(name);
    }
    command
}
