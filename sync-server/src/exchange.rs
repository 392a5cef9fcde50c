//! One sync round trip, without HTTP: check the pushed batch, store it, read what to send
//! back. The route in [`crate::routes::sync`] only moves headers and bytes in and out.
//!
//! The server never loads an Automerge document here. It parses each pushed change on its
//! own — enough to refuse bytes that are not a change and to learn the change's hash, which
//! is what makes storing it idempotent — and forwards the bytes as they came.

use automerge::Change;
use chrono::Utc;
use std::collections::HashSet;

use simpul_protocol::{Batch, Limits, config};
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
    let mut changes = validate(batch)?;
    drop_configuration_changes(storage, &mut changes)?;
    let stored = storage.push(device, request.key, &changes, Utc::now())?;
    drop(changes);

    let pulled = storage.pull(device, request.cursor, request.pull_max)?;
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
    changes: &mut Vec<IncomingChange>,
) -> Result<()> {
    let reserved: HashSet<Uuid> = storage
        .units()?
        .iter()
        .map(|unit| config::unit_document_id(unit.code.as_str()))
        .collect();
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

fn validate(batch: Batch) -> Result<Vec<IncomingChange>> {
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
            Ok(IncomingChange {
                hash: change.hash().0,
                doc: entry.doc,
                bytes: entry.change,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use automerge::transaction::Transactable;
    use automerge::{Automerge, ROOT};
    use simpul_protocol::Entry;

    use super::*;

    fn a_change() -> Vec<u8> {
        let mut doc = Automerge::new();
        let mut tx = doc.transaction();
        tx.put(ROOT, "q.U1", "4").unwrap();
        tx.commit();
        doc.get_last_local_change().unwrap().raw_bytes().to_vec()
    }

    fn batch_of(change: Vec<u8>) -> Batch {
        Batch::from(vec![Entry {
            doc: Uuid::nil(),
            change,
        }])
    }

    #[test]
    fn a_real_change_is_accepted_under_its_hash() {
        let change = a_change();
        let valid = validate(batch_of(change.clone())).unwrap();
        assert_eq!(valid.len(), 1);
        assert_eq!(&valid[0].hash[..4], &change[4..8]);
    }

    #[test]
    fn a_change_altered_in_any_byte_is_refused() {
        let genuine = a_change();
        // Some alterations still parse as a change (under a new hash): only the checksum can
        // tell. Every position must be refused.
        for position in 0..genuine.len() {
            let mut altered = genuine.clone();
            altered[position] ^= 0x10;
            let err = validate(batch_of(altered))
                .expect_err(&format!("a change altered at byte {position} was accepted"));
            assert!(
                matches!(err, Error::InvalidChange { index: 0, .. }),
                "{err}"
            );
        }
    }

    #[test]
    fn a_missing_pull_max_means_the_default_and_extremes_are_clamped() {
        assert_eq!(clamp_pull_max(None), PULL_MAX_DEFAULT);
        assert_eq!(clamp_pull_max(Some(0)), PULL_MAX_MIN);
        assert_eq!(clamp_pull_max(Some(10_000)), 10_000);
        assert_eq!(clamp_pull_max(Some(u64::MAX)), PULL_MAX_MAX);
    }
}
