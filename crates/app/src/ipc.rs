//! Every value that crosses between the app window and Rust.
//!
//! The TypeScript twins in `ui/src/bindings/` are generated from these types by ts-rs
//! (`cargo test -p simpul-app`) and committed; a test fails when they drift. Field names are
//! snake_case on both sides. Times are RFC 3339 strings in UTC; the UI formats them locally.
//! Every text here is already in the language the app is set to.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
/// Where a response came from: the replica's one list of channels, which the window's filters
/// and labels are generated from.
pub use simpul_replica::Channel;
use ts_rs::TS;

/// The two languages of the interface. Domain terms (unsur, NRR, IKM, mutu pelayanan) stay
/// Indonesian in both.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    #[default]
    Id,
    En,
}

/// What the first screen needs to know: whether this device is set up, and who may sign in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct AppState {
    pub language: Language,
    /// A replica exists in the app's data directory.
    pub set_up: bool,
    /// Enrolled with a sync server (otherwise data moves by bundle files).
    pub enrolled: bool,
    pub enumerators: Vec<Enumerator>,
    /// The enumerator signed in on this device, if any.
    pub signed_in: Option<Enumerator>,
    /// A kiosk PIN is set, so kiosk mode can be entered.
    pub kiosk_pin_set: bool,
    /// Where bundle and CSV files go by default (the user's documents folder).
    pub files_dir: String,
}

/// First run without a server: the unit and period are typed in by hand.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct OfflineSetup {
    /// Unit code, e.g. `U-CAPIL`.
    pub unit: String,
    /// The unit's name as people say it, e.g. `Disdukcapil Kota`.
    pub unit_name: String,
    /// Survey period code, e.g. `2025-S1`.
    pub period: String,
    /// People served in the period, for the Krejcie–Morgan target; optional.
    #[ts(type = "number | null")]
    pub population: Option<u64>,
    /// This device's name, e.g. `Tablet loket 2`.
    pub device: String,
}

/// First run with a server: its address and a one-time enrolment code.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct ServerSetup {
    pub server: String,
    pub code: String,
    pub device: String,
}

/// A person who captures on this device; the PIN is checked offline and never leaves it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Enumerator {
    pub id: String,
    pub name: String,
}

/// The home screen.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct Home {
    pub unit_code: String,
    pub unit_name: Option<String>,
    /// The active survey period.
    pub period: String,
    /// The title of the active form.
    pub form_title: String,
    /// Responses captured today (any channel, not deleted) on this device's data.
    #[ts(type = "number")]
    pub today: u64,
    /// Responses in the active period.
    #[ts(type = "number")]
    pub in_period: u64,
    /// Krejcie–Morgan sample for the population, when the population is known.
    #[ts(type = "number | null")]
    pub target: Option<u64>,
    #[ts(type = "number | null")]
    pub population: Option<u64>,
    /// Changes not yet acknowledged by the server, and how many responses they touch.
    #[ts(type = "number")]
    pub pending_changes: u64,
    #[ts(type = "number")]
    pub pending_responses: u64,
    /// Responses with unresolved differing values.
    #[ts(type = "number")]
    pub conflicts: u64,
    pub sync: SyncState,
}

/// A form as the app shows it, labels in the current language.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct FormView {
    pub id: String,
    pub title: String,
    pub items: Vec<ItemView>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct ItemView {
    /// Stable id, e.g. `U1`, `jenis_kelamin`.
    pub id: String,
    pub label: String,
    pub required: bool,
    pub kind: ItemKindView,
}

/// What an item accepts; `type` tells the UI which control to draw.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ItemKindView {
    /// An unsur question: `options[0]` is score 1 … `options[3]` is score 4.
    Scored {
        unsur: String,
        options: Vec<String>,
    },
    Choice {
        options: Vec<ChoiceView>,
        /// The code meaning "something else", whose detail goes in `other_item`.
        other: Option<String>,
        other_item: Option<String>,
    },
    Integer {
        #[ts(type = "number")]
        min: i64,
        #[ts(type = "number")]
        max: i64,
    },
    Date,
    Text {
        max_len: u32,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ChoiceView {
    pub code: String,
    /// In the app's language.
    pub label: String,
    /// The label in every language: a clerk may type either, and the replica accepts both.
    pub labels: Vec<String>,
}

/// A half-finished interview or kiosk session, saved after every answer so it survives the
/// app closing or the tablet dying.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct Draft {
    pub id: String,
    pub channel: Channel,
    /// Raw answers by item id, as typed or tapped.
    pub answers: BTreeMap<String, String>,
    /// The screen the person was on, so reopening lands there.
    pub step: u32,
    pub updated_at: String,
}

/// The outcome of saving a response.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct Saved {
    pub id: String,
    pub outcome: SavedOutcome,
    /// Cells of this response that now hold differing values (paper double entry).
    pub conflicts: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SavedOutcome {
    /// A new response.
    Created,
    /// This exact sheet was already here: nothing changed.
    AlreadyPresent,
    /// A second typing of a sheet already here: merged, differing cells became conflicts.
    Merged,
}

/// One paper questionnaire typed into the grid.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct PaperRow {
    pub serial: String,
    /// Raw answers by item id; empty strings are unanswered.
    pub answers: BTreeMap<String, String>,
}

/// One line of a CSV import.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct ImportLine {
    #[ts(type = "number")]
    pub line: u64,
    pub serial: Option<String>,
    /// `None` when the row went in; otherwise why it was refused.
    pub error: Option<String>,
    pub outcome: Option<SavedOutcome>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct ImportResult {
    pub lines: Vec<ImportLine>,
    #[ts(type = "number")]
    pub created: u64,
    #[ts(type = "number")]
    pub merged: u64,
    #[ts(type = "number")]
    pub already_present: u64,
    #[ts(type = "number")]
    pub rejected: u64,
    /// The import was cancelled: the counts say what went in before it stopped, every row
    /// whole; importing the file again finishes the job.
    pub cancelled: bool,
}

/// Filters shared by the response list and the report; `None` means any.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct ResponseFilter {
    pub period: Option<String>,
    /// The service received (`layanan`).
    pub service: Option<String>,
    pub channel: Option<Channel>,
    pub has_conflict: Option<bool>,
    pub include_deleted: bool,
}

/// A line of the response list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct ResponseRow {
    pub id: String,
    /// The channel's code: one of [`Channel`]'s, or a newer one a later server wrote, which
    /// the window shows as it is rather than guess.
    pub channel: String,
    pub serial: Option<String>,
    pub service: Option<String>,
    pub period: String,
    /// `draft` or `final`.
    pub status: String,
    pub deleted: bool,
    pub conflicts: u32,
    pub created_at: String,
    pub updated_at: String,
}

/// One response opened.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct ResponseDetail {
    pub row: ResponseRow,
    /// Every item of its form in order, with the current value (`None` = unanswered).
    pub answers: Vec<AnswerView>,
    pub conflicts: Vec<ConflictView>,
    /// Some of its changes have not reached the server yet: a delete can still be undone
    /// without anyone else having seen it.
    pub unsynced: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct AnswerView {
    pub item: String,
    pub label: String,
    pub value: Option<String>,
    /// The value as shown: the option label for scored and choice items.
    pub display: Option<String>,
}

/// A field that concurrent writers left with several values.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct ConflictView {
    pub response: String,
    pub serial: Option<String>,
    pub field: String,
    pub label: String,
    pub values: Vec<ConflictValue>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct ConflictValue {
    pub value: Option<String>,
    pub display: Option<String>,
    /// Who wrote it (enumerator name), when known.
    pub by: Option<String>,
    pub at: Option<String>,
}

/// The report screen's model: everything computed, the UI only draws.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct ReportView {
    /// Nilai IKM, 25–100, rounded to hundredths; `None` without data.
    pub ikm: Option<f64>,
    /// Mutu pelayanan letter, A–D.
    pub grade: Option<String>,
    /// Its label, e.g. "Sangat baik".
    pub grade_label: Option<String>,
    #[ts(type = "number")]
    pub n: u64,
    #[ts(type = "number | null")]
    pub target: Option<u64>,
    pub unsur: Vec<UnsurView>,
    /// The unsur id with the lowest NRR: the follow-up priority.
    pub weakest: Option<String>,
    pub profile: Vec<Breakdown>,
    /// What the filter lists can offer.
    pub periods: Vec<String>,
    pub services: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct UnsurView {
    pub id: String,
    pub name: String,
    #[ts(type = "number")]
    pub n: u64,
    /// Nilai rata-rata, 1–4, rounded to hundredths.
    pub nrr: Option<f64>,
    /// NRR × 25, rounded to hundredths.
    pub converted: Option<f64>,
    pub grade: Option<String>,
}

/// Respondents counted by one profile item (gender, education, …).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct Breakdown {
    pub item: String,
    pub label: String,
    pub bars: Vec<Bar>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct Bar {
    pub code: String,
    pub label: String,
    #[ts(type = "number")]
    pub count: u64,
}

/// What the sync light shows. Sent as the `sync` event whenever it changes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct SyncState {
    pub phase: SyncPhase,
    #[ts(type = "number")]
    pub pushed: u64,
    #[ts(type = "number")]
    pub pulled: u64,
    #[ts(type = "number")]
    pub bytes_up: u64,
    #[ts(type = "number")]
    pub bytes_down: u64,
    /// Changes waiting when this sync began, for the progress bar (`pushed / to_push`).
    #[ts(type = "number")]
    pub to_push: u64,
    /// In plain words, when `phase` is `error` or `offline`.
    pub message: Option<String>,
    pub last_sync: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SyncPhase {
    /// Not enrolled: data moves by bundle files.
    NotEnrolled,
    /// The server cannot be reached; retrying in the background.
    Offline,
    Syncing,
    UpToDate,
    /// The server refused (e.g. the device was revoked): retrying will not help by itself.
    Error,
}

/// A bundle written or read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct BundleResult {
    pub path: String,
    #[ts(type = "number")]
    pub changes: u64,
    #[ts(type = "number")]
    pub responses: u64,
    #[ts(type = "number")]
    pub bytes: u64,
    /// On import: responses new to this device, and responses updated.
    #[ts(type = "number")]
    pub created: u64,
    #[ts(type = "number")]
    pub updated: u64,
    /// The import was cancelled: the counts say what went in before it stopped.
    pub cancelled: bool,
}

/// A file written by an export.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct Exported {
    pub path: String,
    /// Responses written.
    #[ts(type = "number")]
    pub rows: u64,
}

/// Long work the window shows with a progress bar and a cancel button.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum WorkKind {
    ImportCsv,
    ExportCsv,
    ImportBundle,
    ExportBundle,
}

/// How far long work is, sent as the `work` event while it runs. `done` never passes
/// `total`; the units are the work's own (CSV rows, a bundle's changes, bytes written).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct WorkProgress {
    pub kind: WorkKind,
    #[ts(type = "number")]
    pub done: u64,
    #[ts(type = "number")]
    pub total: u64,
}
