//! A private X server for one window.

use std::os::unix::net::UnixStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::framebuffer::{self, Area};

/// `Xvfb` on the first display number from :90 it can take, stopped when dropped. Its
/// screen is kept in a file, from which [`Display::capture`] takes screenshots.
pub struct Display {
    child: Child,
    name: String,
    framebuffer: tempfile::TempDir,
}

impl Display {
    pub fn start() -> Display {
        let framebuffer = tempfile::tempdir().expect("a folder for the X screen");
        for number in 90..190 {
            // A number in use makes Xvfb exit at once; a stale lock left by a killed server
            // is cleared by Xvfb itself. So just try, and move on when it exits.
            // The pointer starts in the middle of the screen: at 2000×2000 that is outside
            // both a 1280×800 and an 800×1280 window, so no tooltip shows in a screenshot.
            let mut child = Command::new("Xvfb")
                .arg(format!(":{number}"))
                .args([
                    "-screen",
                    "0",
                    "2000x2000x24",
                    "-nolisten",
                    "tcp",
                    "-nocursor",
                ])
                .arg("-fbdir")
                .arg(framebuffer.path())
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
                // what tells that a server is up; its screen in our folder, that it is ours
                // and not one a killed run left on this number.
                if UnixStream::connect(&socket).is_ok()
                    && framebuffer.path().join("Xvfb_screen0").exists()
                {
                    return Display {
                        child,
                        name: format!(":{number}"),
                        framebuffer,
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

    /// A PNG of `area` of the screen as it is now.
    pub fn capture(&self, area: Area) -> Result<Vec<u8>, String> {
        framebuffer::capture(&self.framebuffer.path().join("Xvfb_screen0"), area)
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
