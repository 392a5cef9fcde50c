//! Syncing with `simpul-server`: a sans-IO [`engine`] deciding each round, the replica's
//! side of a round in [`round`], and the HTTP transport that drives both.

pub mod engine;
mod http;
mod round;

pub use http::{SyncOptions, Synced, check_unit, enrol, request_enrolment, sync};
pub use round::{Enrolment, SyncStatus, Token};
