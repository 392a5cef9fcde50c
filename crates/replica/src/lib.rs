//! One device's Simpul data: every questionnaire as an Automerge document, the change log
//! that moves between devices, and SQLite tables that lists and the IKM read.
//!
//! A [`Replica`] lives in a folder. Every user action — capture, edit, finalise, delete,
//! resolve, a chunk of CSV rows, a received bundle — is one SQLite transaction holding the
//! Automerge change(s), their log entries and the rebuilt rows, so a crash at any moment
//! leaves either all of it or none.
//!
//! Identity makes merging safe: interviews get a fresh UUIDv7, paper sheets a UUIDv5 of
//! (unit, period, serial), so one sheet typed on two offline laptops is one response whose
//! differing cells become [conflicts](Replica::conflicts) to resolve rather than duplicates.
//!
//! ```
//! use simpul_replica::{
//!     Author, Channel, NewResponse, PeriodCode, Replica, Settings, Status, UnitCode,
//! };
//!
//! let dir = tempfile::tempdir().unwrap();
//! let settings = Settings {
//!     unit: UnitCode::parse("U-CAPIL").unwrap(),
//!     period: PeriodCode::parse("2025-S1").unwrap(),
//!     form: "skm-2017".into(),
//!     device: "tablet-1".into(),
//! };
//! let mut replica = Replica::init(dir.path(), settings).unwrap();
//! let answers = (1..=9).map(|u| (format!("U{u}"), "4".to_string())).collect();
//! replica
//!     .capture(NewResponse {
//!         channel: Channel::Interview,
//!         form: None,
//!         unit: None,
//!         period: None,
//!         serial: None,
//!         answers,
//!         status: Status::Final,
//!         author: Author::new("Sari", chrono::Utc::now()),
//!     })
//!     .unwrap();
//! let report = replica.report(&Default::default(), Default::default()).unwrap();
//! assert_eq!(report.ikm, Some(100.0));
//! ```

mod apply;
mod bundle;
mod csv_input;
mod csv_io;
mod device;
mod doc;
mod drafts;
mod error;
mod materialise;
mod migrate;
mod model;
mod period;
mod query;
mod replica;
mod safe_write;
pub mod spreadsheet;
mod store;
pub mod sync;
#[cfg(test)]
mod testing;
mod units;
mod write;

pub use apply::Applied;
pub use bundle::{BATCH_PAYLOAD_BYTES, Exported};
pub use csv_io::{ImportOptions, ImportSummary, RowReport};
pub use device::{EnumeratorRecord, MAX_NAME_LEN};
pub use doc::{Author, Written};
pub use drafts::Draft;
pub use error::{Error, Phrase, Result};
pub use migrate::SCHEMA_VERSION;
pub use model::{
    Channel, Filter, PaperSerial, PeriodCode, Status, UnitCode, paper_response_id, parse_date,
};
pub use period::current_semester;
pub use query::{AnswerRow, Conflict, Detail, Summary, Tally};
pub use replica::{DB_FILE, Replica, Settings};
pub use safe_write::write_atomically;
pub use units::UnitConfig;
pub use write::{Captured, NewResponse, Prepared};

/// The form item naming the service received; lists and reports filter on it.
pub use simpul_document::keys::SERVICE_ITEM;
/// A supervisor's review of a response, as every layer names it.
pub use simpul_document::review::ReviewState;
