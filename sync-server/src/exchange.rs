//! One sync round trip, without HTTP: check the pushed batch, store it, read what to send
//! back. The route in [`crate::routes::sync`] only moves headers and bytes in and out.
//!
//! The server never loads an Automerge document here. It parses each pushed change on its
//! own — enough to refuse bytes that are not a change, to learn the change's hash, which is
//! what makes storing it idempotent, and to check with [`simpul_document::admission`] that it
//! can belong to a response of the device's own unit — and forwards the bytes as they came.
//! Which unit an already-held document belongs to is checked by the storage, in the same
//! transaction that stores the change.

use automerge::Change;
use chrono::Utc;
use std::collections::HashSet;

use simpul_document::{admission, config};
use simpul_protocol::{Batch, Limits};
use uuid::Uuid;

use crate::model::{Device, IncomingChange};
use crate::storage::Storage;
use crate::{Error, Result};

/// The bounds on what a device may ask to pull in one round trip (uncompressed payload).
pub const PULL_MAX_DEFAULT: usize = 256 << 10;
pub const PULL_MAX_MIN: usize = 4 << 10;
pub const PULL_MAX_MAX: usize = 4 << 20;

/// What the device sent, its headers already parsed.
#[derive(Debug)]
pub struct Request<'a> {
    pub key: Uuid,
    pub cursor: u64,
    /// Already clamped to [`PULL_MAX_MIN`]`..=`[`PULL_MAX_MAX`].
    pub pull_max: usize,
    pub body: &'a [u8],
}

/// What goes back.
#[derive(Debug)]
pub struct Reply {
    /// One encoded batch frame.
    pub frame: Vec<u8>,
    pub pulled: usize,
    pub cursor: u64,
    pub more: bool,
    pub stored: u64,
}

/// Clamps a requested pull size to what the server is willing to assemble.
pub fn clamp_pull_max(requested: Option<u64>) -> usize {
    match requested {
        None => PULL_MAX_DEFAULT,
        Some(bytes) => usize::try_from(bytes)
            .unwrap_or(usize::MAX)
            .clamp(PULL_MAX_MIN, PULL_MAX_MAX),
    }
}

/// Decodes and validates the whole batch before storing any of it, then stores it and pulls.
/// A batch with one bad change is refused whole: the device must not believe half of it
/// was acknowledged.
pub fn exchange(storage: &dyn Storage, device: &Device, request: Request<'_>) -> Result<Reply> {
    let limits = Limits::default();
    let batch = simpul_protocol::decode(request.body, &limits)?;
    let reserved = configuration_documents(storage)?;
    let mut changes = validate(storage, batch, device, &reserved)?;
    drop_configuration_changes(storage, &reserved, &mut changes)?;
    let stored = storage.push(device, request.key, &changes, Utc::now())?;
    drop(changes);

    let pulled = storage.pull(device, request.cursor, request.pull_max)?;
    storage.mark_synced(&device.id, Utc::now())?;
    let count = pulled.entries.len();
    let frame =
        simpul_protocol::encode(&Batch::from(pulled.entries), &limits).map_err(Error::Encode)?;
    Ok(Reply {
        frame,
        pulled: count,
        cursor: pulled.cursor,
        more: pulled.more,
        stored,
    })
}

/// Configuration documents are written by the server alone. A device may hand back a change
/// the server wrote (it travelled by bundle and is still in the device's outbox): that one is
/// already stored and is dropped here. Any other change to a configuration document refuses
/// the batch.
fn drop_configuration_changes(
    storage: &dyn Storage,
    reserved: &HashSet<Uuid>,
    changes: &mut Vec<IncomingChange>,
) -> Result<()> {
    let touched: HashSet<Uuid> = changes
        .iter()
        .map(|c| c.doc)
        .filter(|doc| reserved.contains(doc))
        .collect();
    for doc in touched {
        let known: HashSet<Vec<u8>> = storage.document_changes(doc)?.into_iter().collect();
        if let Some(index) = changes
            .iter()
            .position(|c| c.doc == doc && !known.contains(&c.bytes))
        {
            return Err(Error::ConfigurationDocument { index, doc });
        }
        changes.retain(|c| c.doc != doc);
    }
    Ok(())
}

/// The reserved ids of every unit's configuration document.
fn configuration_documents(storage: &dyn Storage) -> Result<HashSet<Uuid>> {
    Ok(storage
        .units()?
        .iter()
        .map(|unit| config::unit_document_id(unit.code.as_str()))
        .collect())
}

/// Parses every change and checks that it can belong to a response of the device's unit
/// (changes to configuration documents are left to [`drop_configuration_changes`]). The
/// batch is refused whole at the first change that cannot.
fn validate(
    storage: &dyn Storage,
    batch: Batch,
    device: &Device,
    reserved: &HashSet<Uuid>,
) -> Result<Vec<IncomingChange>> {
    batch
        .entries
        .into_iter()
        .enumerate()
        .map(|(index, entry)| {
            let invalid = |source| Error::InvalidChange {
                index,
                doc: entry.doc,
                source,
            };
            let change = Change::try_from(entry.change.as_slice()).map_err(invalid)?;
            // Automerge does not check a lone change's checksum (the four bytes after its
            // magic, the start of its hash): an altered change would parse under a new hash
            // and could break every device that pulls it. Refuse it here.
            if entry.change.get(4..8) != Some(&change.hash().0[..4]) {
                return Err(invalid(automerge::LoadChangeError::Parse(
                    "its checksum does not match its contents".into(),
                )));
            }
            let creates = if reserved.contains(&entry.doc) {
                false
            } else {
                admit(storage, index, entry.doc, &change, device)?
            };
            Ok(IncomingChange {
                hash: change.hash().0,
                doc: entry.doc,
                bytes: entry.change,
                creates,
            })
        })
        .collect()
}

/// Whether a change that may belong to a response of the device's unit starts its document.
/// A review is a supervisor's, written on the server: a device may hand one back (it came
/// to it by sync and travelled on in a bundle), never make one.
fn admit(
    storage: &dyn Storage,
    index: usize,
    doc: Uuid,
    change: &Change,
    device: &Device,
) -> Result<bool> {
    let admitted = admission::response_change(doc, change)
        .map_err(|source| Error::NotAResponse { index, source })?;
    if let Some(unit) = admitted.unit
        && unit != device.unit.as_str()
    {
        return Err(Error::ForeignDocument {
            index,
            doc,
            owner: unit,
            device_unit: device.unit.to_string(),
        });
    }
    if admitted.reviews && !storage.holds_change(&change.hash().0)? {
        return Err(Error::ReviewByDevice { index, doc });
    }
    Ok(admitted.creates)
}

#[cfg(test)]
mod tests {
    use automerge::transaction::Transactable;
    use automerge::{Automerge, ROOT};
    use simpul_document::keys;
    use simpul_protocol::Entry;

    use super::*;
    use crate::model::{DeviceId, UnitCode};

    const DOC: Uuid = Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0001);

    fn device() -> Device {
        Device {
            id: DeviceId::new(),
            unit: UnitCode::parse("U-CAPIL").unwrap(),
        }
    }

    /// The change that starts a response of `unit`, plus whatever `extra` writes.
    fn a_change(unit: &str, extra: &[(&str, &str)]) -> Vec<u8> {
        let mut doc = Automerge::new();
        let mut tx = doc.transaction();
        let id = DOC.to_string();
        for (key, value) in [
            (keys::ID, id.as_str()),
            (keys::FORM, "skm-2017"),
            (keys::UNIT, unit),
            (keys::PERIOD, "2026-S2"),
            (keys::CHANNEL, "interview"),
            (keys::STATUS, "final"),
            ("q.U1", "4"),
        ]
        .into_iter()
        .chain(extra.iter().copied())
        {
            tx.put(ROOT, key, value).unwrap();
        }
        tx.commit();
        doc.get_last_local_change().unwrap().raw_bytes().to_vec()
    }

    fn batch_of(change: Vec<u8>) -> Batch {
        Batch::from(vec![Entry { doc: DOC, change }])
    }

    fn check(change: Vec<u8>) -> Result<Vec<IncomingChange>> {
        let dir = tempfile::tempdir().unwrap();
        let storage = crate::storage::SqliteStorage::open(dir.path()).unwrap();
        validate(&storage, batch_of(change), &device(), &HashSet::new())
    }

    #[test]
    fn a_real_change_is_accepted_under_its_hash() {
        let change = a_change("U-CAPIL", &[]);
        let valid = check(change.clone()).unwrap();
        assert_eq!(valid.len(), 1);
        assert_eq!(&valid[0].hash[..4], &change[4..8]);
        assert!(valid[0].creates);
    }

    #[test]
    fn a_change_altered_in_any_byte_is_refused() {
        let genuine = a_change("U-CAPIL", &[]);
        // Some alterations still parse as a change (under a new hash): only the checksum can
        // tell. Every position must be refused.
        for position in 0..genuine.len() {
            let mut altered = genuine.clone();
            altered[position] ^= 0x10;
            let err = check(altered)
                .expect_err(&format!("a change altered at byte {position} was accepted"));
            assert!(
                matches!(err, Error::InvalidChange { index: 0, .. }),
                "{err}"
            );
        }
    }

    #[test]
    fn a_document_claiming_to_be_configuration_is_refused_under_any_id() {
        let forged = a_change(
            "U-CAPIL",
            &[(config::KIND, config::KIND_UNIT), (config::CODE, "U-CAPIL")],
        );
        let err = check(forged).unwrap_err();
        assert!(
            matches!(
                err,
                Error::NotAResponse {
                    index: 0,
                    source: simpul_document::Refusal::ClaimsConfiguration { .. }
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn a_response_of_another_unit_is_refused() {
        let err = check(a_change("U-OTHER", &[])).unwrap_err();
        assert!(
            matches!(&err, Error::ForeignDocument { owner, .. } if owner == "U-OTHER"),
            "{err}"
        );
    }

    #[test]
    fn a_review_written_by_a_device_is_refused() {
        let review = a_change("U-CAPIL", &[("review.state", "approved")]);
        let err = check(review).unwrap_err();
        assert!(
            matches!(err, Error::ReviewByDevice { index: 0, .. }),
            "{err}"
        );
    }

    #[test]
    fn a_missing_pull_max_means_the_default_and_extremes_are_clamped() {
        assert_eq!(clamp_pull_max(None), PULL_MAX_DEFAULT);
        assert_eq!(clamp_pull_max(Some(0)), PULL_MAX_MIN);
        assert_eq!(clamp_pull_max(Some(10_000)), 10_000);
        assert_eq!(clamp_pull_max(Some(u64::MAX)), PULL_MAX_MAX);
    }
}
