//! A private X server for one window.

use std::os::unix::net::UnixStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// `Xvfb` on the first display number from :90 it can take, stopped when dropped.
pub struct Display {
    child: Child,
    name: String,
}

impl Display {
    pub fn start() -> Display {
        for number in 90..190 {
            // A number in use makes Xvfb exit at once; a stale lock left by a killed server
            // is cleared by Xvfb itself. So just try, and move on when it exits.
            let mut child = Command::new("Xvfb")
                .arg(format!(":{number}"))
                .args(["-screen", "0", "1280x1280x24", "-nolisten", "tcp"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("Xvfb does not start ({e}); install Debian's `xvfb`"));
            let socket = format!("/tmp/.X11-unix/X{number}");
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if child.try_wait().ok().flatten().is_some() {
                    break;
                }
                // Accepting a connection, not just a socket file (which may be stale), is
                // what tells that this server is up.
                if UnixStream::connect(&socket).is_ok() {
                    return Display {
                        child,
                        name: format!(":{number}"),
                    };
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            stop(&mut child);
        }
        panic!("Xvfb could not take any display between :90 and :189");
    }

    /// The value for `DISPLAY`, e.g. `:90`.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        stop(&mut self.child);
    }
}

/// SIGTERM, so Xvfb removes its lock file and socket; SIGKILL only if it does not go.
fn stop(child: &mut Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}
