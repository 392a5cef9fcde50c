//! The enumerator app in its real window: `simpul-desktop` under Xvfb, driven over
//! WebDriver (`tauri-driver` + `WebKitWebDriver`) by the UI's `data-testid`s, against a real
//! `simpul-server`. Needs `cargo build -p simpul-cli -p simpul-server -p simpul-tauri` first;
//! `scripts/test` does that and installs the rest. Every screen visited is saved as a
//! screenshot under `target/e2e-screenshots/<test>/`.

// The steps every test shares: first run against a server, the first enumerator, signing in.
mod steps;
// A working day: an interview, a stack of paper with a typing mistake, a kiosk session, the
// report following along, and the sync reaching the server.
mod journey;
// A second device's conflicting edit arrives by sync and is settled with one tap.
mod conflicts;
// Paper double entry and CSV import on a device set up without a server.
mod paper;
// A stack of twenty sheets typed from the keyboard with a fix in place, and a 10 000-row
// CSV import cancelled part way.
mod stack;
// An interview cut short by closing the app resumes where it stopped.
mod resume;
