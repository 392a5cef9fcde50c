//! Where the server keeps units, devices and changes: small traits, so that handlers never
//! see SQL and the embedded [`SqliteStorage`] and [`PostgresStorage`] sit side by side.
//!
//! Methods are synchronous and may block on disk or on the network; async code calls them
//! through `tokio::task::spawn_blocking`. Callers pass the current time in, which keeps
//! expiry and timestamps testable. The change log and its cursor contract are in
//! [`change_log`].

pub mod change_log;
pub mod links;
mod people;
mod plans;
mod postgres;
pub mod review;
mod shared;
mod sqlite;

#[cfg(test)]
mod contract;

pub use self::postgres::PostgresStorage;
pub use change_log::{ChangeLog, NewDevice, Pulled, SYNC_MARK_EVERY};
pub use links::{InvitationMark, Links, WebAnswer, WebStored};
pub use people::{NewPerson, People};
pub use plans::Plans;
pub use review::Reviews;
pub use sqlite::{Copied, FILE_NAME, SqliteStorage};

use crate::Result;
use crate::export::ExportRow;
use crate::materialise::{Freshness, Materialised, Step};
use crate::model::UnitCode;
use crate::report::{
    ConflictRow, DayCount, ReportFilter, Tallies, UnitActivity, UnitScope, UnitTallies,
};
use crate::summary::AnswerCount;

/// Everything the server keeps: the change log, the tables materialised from it and what
/// supervisors and the web keep beside them.
pub trait Storage: ChangeLog + Reports + Links + People + Plans + Reviews {}

impl<T: ChangeLog + Reports + Links + People + Plans + Reviews> Storage for T {}

/// The tables materialised from the change log, and the reports read from them.
pub trait Reports: Send + Sync {
    /// How far the materialised tables are behind the change log.
    fn freshness(&self) -> Result<Freshness>;

    /// The documents touched by the changes after position `after`, looking at `limit`
    /// changes at most, each with every change stored for it; and the position of the last
    /// change looked at.
    fn changed_documents(&self, after: u64, limit: usize) -> Result<Step>;

    /// Replaces the rows of these documents and moves the watermark from `from` to `to`, in
    /// one transaction. Does nothing and returns `false` when the watermark is no longer at
    /// `from` (another process caught up first).
    fn store_materialised(&self, rows: &[Materialised], from: u64, to: u64) -> Result<bool>;

    /// The tallies of `unit`'s final, undeleted responses matching `filter`.
    fn tallies(&self, unit: &UnitCode, filter: &ReportFilter) -> Result<Tallies>;

    /// [`Storage::tallies`] for each service the selected responses name, in service order.
    fn service_tallies(
        &self,
        unit: &UnitCode,
        filter: &ReportFilter,
    ) -> Result<Vec<(String, Tallies)>>;

    /// How many of the responses a report counts gave each value of `item`, per form; a
    /// `None` value counts those that left it empty.
    fn answer_counts(
        &self,
        unit: &UnitCode,
        filter: &ReportFilter,
        item: &str,
    ) -> Result<Vec<AnswerCount>>;

    /// Per unit in `scope`, the tallies of its counted responses matching `filter` (in its
    /// active period unless the filter names one), with its target and activity: one query
    /// for every unit, ordered by instansi (none last), then by code.
    fn unit_tallies(&self, scope: &UnitScope, filter: &ReportFilter) -> Result<Vec<UnitTallies>>;

    /// Per unit, what waits for a supervisor in `period` (each unit's active period when
    /// `None`), in the units' code order.
    fn unit_activity(&self, period: Option<&str>) -> Result<Vec<UnitActivity>>;

    /// Counted responses per unit and day of capture in `period` (each unit's active period
    /// when `None`), oldest day first; days without any are left out.
    fn responses_per_day(&self, period: Option<&str>) -> Result<Vec<DayCount>>;

    /// Fields holding several values in undeleted responses matching `filter` (its
    /// period, enumerator and days; drafts and rejected responses included), of one unit or
    /// all.
    fn conflicts(&self, unit: Option<&UnitCode>, filter: &ReportFilter)
    -> Result<Vec<ConflictRow>>;

    /// `unit`'s undeleted responses matching `filter` (drafts and rejected responses
    /// included, as a device's export includes them), oldest first, with their answers.
    fn export_rows(&self, unit: &UnitCode, filter: &ReportFilter) -> Result<Vec<ExportRow>>;
}

/// Bytes a batch of `count` entries holding `change_bytes` bytes of changes takes as an
/// uncompressed payload: the entry count, then per entry a 16-byte document id, a length
/// and the change (see the format in `simpul_protocol`).
pub(crate) fn payload_len(count: usize, change_bytes: usize, length_bytes: usize) -> usize {
    varint_len(count as u64) + count * 16 + length_bytes + change_bytes
}

/// Bytes of the LEB128 varint for `value`.
pub(crate) fn varint_len(value: u64) -> usize {
    let bits = (u64::BITS - value.leading_zeros()).max(1);
    bits.div_ceil(7) as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use simpul_protocol::{Batch, Entry};
    use uuid::Uuid;

    #[test]
    fn the_payload_length_matches_the_protocol_crate() {
        for sizes in [vec![], vec![0], vec![1, 127, 128, 16_384], vec![300; 200]] {
            let entries: Vec<Entry> = sizes
                .iter()
                .map(|&len| Entry {
                    doc: Uuid::nil(),
                    change: vec![7; len],
                })
                .collect();
            let lengths = sizes.iter().map(|&len| varint_len(len as u64)).sum();
            let expected = Batch::from(entries).payload_len();
            assert_eq!(
                payload_len(sizes.len(), sizes.iter().sum(), lengths),
                expected
            );
        }
    }
}
