//! The change log: units, their devices and the changes they push and pull. This is the part
//! of the storage every node of a deployment shares to keep devices in step; the reports over
//! the materialised tables are in [`Reports`](super::Reports).
//!
//! # The cursor contract
//!
//! Every stored change gets a position `seq`, and a device pulls "everything after my
//! cursor". That is only safe if a change can never become visible *behind* a cursor some
//! device already holds. An implementation must therefore guarantee that once a read sees a
//! change at position `n`, every change that will ever have a position below `n` is already
//! visible to it. Positions must be assigned in commit order, not merely in the order
//! transactions start — see [`SqliteStorage::push`](super::SqliteStorage) for how SQLite gives
//! this for free, and [`PostgresStorage`](super::PostgresStorage) for how a PostgreSQL
//! sequence, which does not, is made to.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::Result;
use crate::model::{Device, DeviceId, DeviceRecord, IncomingChange, Name, Unit, UnitCode};
use crate::secret::SecretHash;

use simpul_protocol::Entry;

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

pub trait ChangeLog: Send + Sync {
    /// Checks that the database answers and takes a write.
    fn health(&self) -> Result<()>;

    /// The change log's identity, sent with every sync answer. It changes only when the
    /// database is restored from a backup: positions then mean other changes, and devices
    /// start again from the beginning (`simpul_protocol::http`).
    fn log_id(&self) -> Result<String>;

    /// Gives the change log a new identity, as a restore does, and returns it. Running
    /// servers keep sending the old one until they restart.
    fn renew_log_id(&self) -> Result<String>;

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

    /// Records that `device` has just synced. Cheap when it did so a moment ago: the time is
    /// written at most every [`SYNC_MARK_EVERY`], so that pulls stay read-only.
    fn mark_synced(&self, device: &DeviceId, now: DateTime<Utc>) -> Result<()>;
}

/// Rows one pull looks at, at most. Changes are skipped when the puller pushed them itself,
/// so without a bound a device that just uploaded a week's work would make the server read
/// all of it to return nothing; with it, the device advances its cursor and asks again.
pub(crate) const MAX_SCAN: usize = 20_000;

/// Fills a [`Pulled`] from the rows of a pull, in position order, the same way for every
/// storage: up to `max_payload` bytes of payload (but always one change when one is waiting)
/// and [`MAX_SCAN`] rows looked at.
pub(crate) struct PullFiller {
    pulled: Pulled,
    max_payload: usize,
    change_bytes: usize,
    length_bytes: usize,
    scanned: usize,
}

impl PullFiller {
    pub fn new(after: u64, max_payload: usize) -> PullFiller {
        PullFiller {
            pulled: Pulled {
                cursor: after,
                ..Pulled::default()
            },
            max_payload,
            change_bytes: 0,
            length_bytes: 0,
            scanned: 0,
        }
    }

    /// Takes the row at `seq`: `change` is its document and bytes, `None` for a change the
    /// puller pushed itself (looked at, not returned). Returns `false`, taking nothing, when
    /// the pull is full; the row is then left for the next pull.
    pub fn take(&mut self, seq: i64, change: Option<(Uuid, &[u8])>) -> bool {
        if self.scanned == MAX_SCAN {
            return false;
        }
        if let Some((doc, bytes)) = change {
            let len = bytes.len();
            let count = self.pulled.entries.len() + 1;
            let with_it = super::payload_len(
                count,
                self.change_bytes + len,
                self.length_bytes + super::varint_len(len as u64),
            );
            // At least one change, however large, so that the device always advances.
            if count > 1 && with_it > self.max_payload {
                return false;
            }
            self.change_bytes += len;
            self.length_bytes += super::varint_len(len as u64);
            self.pulled.entries.push(Entry {
                doc,
                change: bytes.to_vec(),
            });
        }
        self.pulled.cursor = u64::try_from(seq).unwrap_or(0);
        self.scanned += 1;
        true
    }

    /// The pull, `more` saying whether rows were left after the last one taken.
    pub fn finish(mut self, more: bool) -> Pulled {
        self.pulled.more = more;
        self.pulled
    }
}
