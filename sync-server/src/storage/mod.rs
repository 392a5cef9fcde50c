//! Where the server keeps units, devices and changes: a small trait, so that handlers never
//! see SQL and a PostgreSQL implementation can sit beside [`SqliteStorage`].
//!
//! Methods are synchronous and may block on disk; async code calls them through
//! `tokio::task::spawn_blocking`. Callers pass the current time in, which keeps expiry and
//! timestamps testable.
//!
//! # The cursor contract
//!
//! Every stored change gets a position `seq`, and a device pulls "everything after my
//! cursor". That is only safe if a change can never become visible *behind* a cursor some
//! device already holds. An implementation must therefore guarantee that once a read sees a
//! change at position `n`, every change that will ever have a position below `n` is already
//! visible to it. Positions must be assigned in commit order, not merely in the order
//! transactions start — see [`SqliteStorage::push`] for how SQLite gives this for free, and
//! note that a PostgreSQL sequence does not (a `nextval` taken by a transaction that commits
//! late leaves a hole that a concurrent reader skips): there, assign positions under a lock
//! held until commit, or hand out positions only up to the oldest transaction still running.

pub mod links;
mod people;
mod plans;
pub mod review;
mod sqlite;

pub use links::{InvitationMark, Links, WebAnswer, WebStored};
pub use people::{NewPerson, People};
pub use plans::Plans;
pub use review::Reviews;
pub use sqlite::{Copied, FILE_NAME, SqliteStorage};

use chrono::{DateTime, Utc};
use simpul_protocol::Entry;
use uuid::Uuid;

use crate::Result;
use crate::export::ExportRow;
use crate::materialise::{Freshness, Materialised, Step};
use crate::model::{Device, DeviceId, DeviceRecord, IncomingChange, Name, Unit, UnitCode};
use crate::report::{
    ConflictRow, DayCount, ReportFilter, Tallies, UnitActivity, UnitScope, UnitTallies,
};
use crate::secret::SecretHash;
use crate::summary::AnswerCount;

/// How often a device's last sync is written at most: more often would make every pull a
/// write, and the overview only asks whether a device has been silent for days.
pub const SYNC_MARK_EVERY: chrono::TimeDelta = chrono::TimeDelta::minutes(5);

/// A device being enrolled: the code it presented and what it will be known by.
#[derive(Clone, Debug)]
pub struct NewDevice {
    pub code: SecretHash,
    pub id: DeviceId,
    pub name: Name,
    pub token: SecretHash,
    /// The unit the device already collects for, if it said: a code for another unit is
    /// then refused and left unused.
    pub expected_unit: Option<UnitCode>,
}

/// What one pull returns.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pulled {
    /// Changes for the device, in server order.
    pub entries: Vec<Entry>,
    /// The position of the last change looked at, returned or not (the device's own changes
    /// are looked at and skipped); the cursor given when nothing was looked at.
    pub cursor: u64,
    /// Whether changes after `cursor` were left for a later pull.
    pub more: bool,
}

pub trait Storage: Links + People + Plans + Reviews + Send + Sync {
    /// Checks that the database answers and takes a write.
    fn health(&self) -> Result<()>;

    /// The change log's identity, sent with every sync answer. It changes only when the
    /// database is restored from a backup: positions then mean other changes, and devices
    /// start again from the beginning (`simpul_protocol::http`).
    fn log_id(&self) -> Result<String>;

    /// Bytes free for the database to grow into, when the storage can tell.
    fn free_space(&self) -> Result<Option<u64>> {
        Ok(None)
    }

    /// Fails with [`Error::UnitExists`](crate::Error::UnitExists) for a code already in use.
    fn add_unit(&self, unit: &Unit, now: DateTime<Utc>) -> Result<()>;

    fn unit(&self, code: &UnitCode) -> Result<Option<Unit>>;

    fn units(&self) -> Result<Vec<Unit>>;

    /// Puts a unit in an instansi, or in none. Fails with
    /// [`Error::UnknownUnit`](crate::Error::UnknownUnit).
    fn set_instansi(&self, unit: &UnitCode, instansi: Option<&Name>) -> Result<()>;

    /// Shows or hides a unit's public results page. Fails with
    /// [`Error::UnknownUnit`](crate::Error::UnknownUnit).
    fn set_public(&self, unit: &UnitCode, public: bool) -> Result<()>;

    /// Whether a unit's results page is public; `false` for a unit that does not exist.
    fn is_public(&self, unit: &UnitCode) -> Result<bool>;

    /// The form a unit's configuration names for new responses, as last materialised.
    fn unit_form(&self, unit: &UnitCode) -> Result<Option<String>>;

    /// Records a one-time enrolment code for `unit`, usable until `expires_at`.
    fn add_enrolment_code(
        &self,
        unit: &UnitCode,
        code: SecretHash,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<()>;

    /// Uses up the enrolment code and creates the device in its unit, atomically: two devices
    /// racing with one code get one device and one
    /// [`Error::EnrolmentRefused`](crate::Error::EnrolmentRefused).
    fn enrol(&self, device: &NewDevice, now: DateTime<Utc>) -> Result<Unit>;

    /// The device holding this token, unless it was revoked. Read from the database on every
    /// call: a revocation takes effect at the next request.
    fn authenticate(&self, token: SecretHash) -> Result<Option<Device>>;

    /// Every stored change of one document, in server order. Only configuration documents,
    /// which are small, are ever rebuilt from these, and only on the admin path.
    fn document_changes(&self, doc: Uuid) -> Result<Vec<Vec<u8>>>;

    /// Store changes the server itself wrote (configuration documents) in `unit`'s scope.
    /// Returns how many were new.
    fn store_server_changes(
        &self,
        unit: &UnitCode,
        changes: &[IncomingChange],
        now: DateTime<Utc>,
    ) -> Result<u64>;

    fn devices(&self) -> Result<Vec<DeviceRecord>>;

    /// Revokes a device; revoking it again keeps the first time. Fails with
    /// [`Error::UnknownDevice`](crate::Error::UnknownDevice).
    fn revoke(&self, device: DeviceId, now: DateTime<Utc>) -> Result<DeviceRecord>;

    /// Stores the changes not yet held, all or none, durably before returning, in `device`'s
    /// unit. Returns how many changes pushed under `key` by this device were new: a retry of
    /// a request that was stored but whose answer was lost gets the first answer again.
    fn push(
        &self,
        device: &Device,
        key: Uuid,
        changes: &[IncomingChange],
        now: DateTime<Utc>,
    ) -> Result<u64>;

    /// Changes after position `after` in `device`'s unit that `device` did not push, in
    /// order, stopping before the entries' payload would pass `max_payload` bytes (but
    /// always returning at least one change when one is waiting).
    fn pull(&self, device: &Device, after: u64, max_payload: usize) -> Result<Pulled>;

    /// How many changes the server holds, across all units.
    fn change_count(&self) -> Result<u64>;

    /// The unit a document belongs to, when the server holds it.
    fn document_unit(&self, doc: Uuid) -> Result<Option<UnitCode>>;

    /// Every stored change of one document, in server order, with the name of the device
    /// that sent it (`server` for the server's own).
    fn document_history(&self, doc: Uuid) -> Result<Vec<(Vec<u8>, String)>>;

    /// Whether the server holds the change with this hash.
    fn holds_change(&self, hash: &[u8; 32]) -> Result<bool>;

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

    /// Records that `device` has just synced. Cheap when it did so a moment ago: the time is
    /// written at most every [`SYNC_MARK_EVERY`], so that pulls stay read-only.
    fn mark_synced(&self, device: &DeviceId, now: DateTime<Utc>) -> Result<()>;

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
    use simpul_protocol::Batch;

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
