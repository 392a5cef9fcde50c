//! What a Simpul document is, shared by every replica — a device's and the server's — so that
//! they never disagree about it.
//!
//! Every questionnaire is one Automerge document whose root map holds only scalars
//! ([`keys`]); each unit has one configuration document that only the server writes
//! ([`config`]). Changes travel between replicas on their own, so a replica must decide about
//! each change, before storing it, whether it may belong to a response document at all and to
//! which unit: [`admission`] does that without loading any document. [`read`] reads a
//! response document — the values its fields show and every value a disagreeing field
//! holds, with who wrote it — for whatever materialises it. [`write`] makes every change a
//! replica authors; [`identity`] and [`codes`] say which response and which unit and period
//! a questionnaire is.
//!
//! # Example
//!
//! ```
//! use automerge::transaction::Transactable;
//! use automerge::{Automerge, ROOT};
//! use simpul_document::{admission, keys};
//!
//! let id = uuid::Uuid::now_v7();
//! let mut doc = Automerge::new();
//! let mut tx = doc.transaction();
//! for (key, value) in [
//!     (keys::ID, id.to_string().as_str()),
//!     (keys::FORM, "skm-2017"),
//!     (keys::UNIT, "U-CAPIL"),
//!     (keys::PERIOD, "2026-S2"),
//!     (keys::CHANNEL, "interview"),
//!     (keys::STATUS, "final"),
//! ] {
//!     tx.put(ROOT, key, value).unwrap();
//! }
//! tx.commit();
//! let change = doc.get_last_local_change().unwrap();
//!
//! let admitted = admission::response_change(id, &change).unwrap();
//! assert_eq!(admitted.unit.as_deref(), Some("U-CAPIL"));
//! assert!(admitted.creates);
//! ```
//!
//! No I/O happens here.

pub mod admission;
pub mod codes;
pub mod config;
mod error;
pub mod identity;
pub mod keys;
pub mod read;
pub mod review;
pub mod write;

pub use codes::{PeriodCode, UnitCode};
pub use error::{Error, Refusal, Result};
pub use identity::{PaperSerial, paper_response_id};
