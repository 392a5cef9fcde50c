//! The enumerator app's operations, with no desktop around them.
//!
//! Enumerators hold this app all day at a service counter, often without a signal: every
//! command here works offline, saves before it returns, and speaks the person's language
//! (Bahasa Indonesia by default, English on request; unsur, NRR, IKM and mutu pelayanan stay
//! Indonesian in both). The desktop shell keeps one [`App`] as its state and turns each
//! command into one line; the types that cross to the window are in [`ipc`], and every
//! failure is an [`AppError`] whose [`ErrorCode`] tells the screen what to do.
//!
//! # A tour
//!
//! 1. **Setting up** ([`App::setup_offline`], [`App::setup_server`], [`App::enrol`]) creates
//!    the device's replica: offline from a typed unit and period, or from a server's
//!    one-time enrolment code, which says which unit the device collects for.
//! 2. **Who captures** ([`App::add_enumerator`], [`App::sign_in`]): each enumerator has a
//!    PIN, hashed with Argon2 and checked offline; their name is on every change they make.
//! 3. **Capturing**: interviews and kiosk sessions are drafts saved after every answer
//!    ([`App::draft_save`]) and submitted once ([`App::draft_submit`]); paper sheets are
//!    typed row by row ([`App::save_paper_row`]) or imported as CSV ([`App::import_csv`]).
//!    The same sheet typed by two clerks is one response whose differing cells are conflicts
//!    ([`App::conflicts`], [`App::resolve_conflict`]).
//! 4. **Reading**: [`App::home`] for the day's counts and the sample target,
//!    [`App::list_responses`] and [`App::open_response`], [`App::report`] for the IKM.
//! 5. **Moving data**: a background thread syncs with the server whenever there is a
//!    connection and reports through the `notify` callback ([`App::sync_state`],
//!    [`App::sync_now`]); without a server, bundles travel on a USB stick
//!    ([`App::export_bundle`], [`App::import_bundle`]). Imports and exports of thousands of
//!    rows report progress and stop cleanly on [`App::cancel_work`] (see [`work`]).
//!
//! ```
//! use std::sync::Arc;
//! use simpul_app::App;
//! use simpul_app::ipc::{Channel, OfflineSetup, SavedOutcome};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let app = App::open(dir.path().join("data"), dir.path().into(), Arc::new(|_| {})).unwrap();
//! assert!(!app.app_state().unwrap().set_up);
//!
//! app.setup_offline(OfflineSetup {
//!     unit: "U-CAPIL".into(),
//!     unit_name: "Disdukcapil Kota".into(),
//!     period: "2025-S1".into(),
//!     population: Some(1000),
//!     device: "Tablet loket 2".into(),
//! }).unwrap();
//! app.add_enumerator("Sari".into(), "2468".into()).unwrap(); // the first is signed in
//!
//! // An interview: answers saved one by one, then submitted.
//! let mut draft = app.draft_open(Channel::Interview).unwrap();
//! for u in 1..=9 {
//!     draft.answers.insert(format!("U{u}"), "4".into());
//!     draft = app.draft_save(draft).unwrap();
//! }
//! let saved = app.draft_submit(draft.id.clone()).unwrap();
//! assert_eq!(saved.outcome, SavedOutcome::Created);
//!
//! let home = app.home().unwrap();
//! assert_eq!((home.today, home.target), (1, Some(278)));
//! assert_eq!(app.report(Default::default()).unwrap().ikm, Some(100.0));
//! ```

mod app;
mod capture;
mod enumerators;
mod error;
pub mod ipc;
mod pin;
mod report;
mod responses;
mod setup;
mod sync;
mod transfer;
mod views;
pub mod work;

pub use app::{App, Notify};
pub use error::{AppError, ErrorCode, Result};

use crate::ipc::SyncState;

impl App {
    /// What the sync light shows now.
    pub fn sync_state(&self) -> Result<SyncState> {
        Ok(self.sync.state())
    }

    /// Wake the background sync at once; progress arrives through `notify`.
    pub fn sync_now(&self) -> Result<SyncState> {
        self.sync.sync_now();
        Ok(self.sync.state())
    }
}
