//! The real app window, driven the way a person uses it: `simpul-desktop` under a private
//! X server (Xvfb), opened by `tauri-driver` and Debian's `WebKitWebDriver`, and steered
//! over WebDriver (fantoccini) by the `data-testid` attributes of the UI.
//!
//! Every [`Window`] has its own display, driver and replica folder, and saves a screenshot
//! of each screen it is asked to ([`Window::snap`]) under `target/e2e-screenshots/`, the
//! artifact a person looks at when a run fails. Screenshots come from the X server's
//! framebuffer, not WebDriver, which cannot take them from the app as it ships.
//!
//! Needs, besides the binaries (`scripts/test` builds and installs all of them):
//! `target/debug/simpul-desktop`, `tauri-driver` on `PATH` or in `~/.cargo/bin`,
//! `WebKitWebDriver` (Debian `webkit2gtk-driver`) and `Xvfb` (Debian `xvfb`). A missing
//! piece fails the test with what to install; nothing is skipped.

mod display;
mod driver;
mod framebuffer;
mod session;

pub use display::Display;
pub use driver::Driver;
pub use session::{Window, testid};
