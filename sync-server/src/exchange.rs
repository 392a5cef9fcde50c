//! One sync round trip, without HTTP: check the pushed batch, store it, read what to send
//! back. The route in [`crate::routes::sync`] only moves headers and bytes in and out.
//!
//! The server never loads an Automerge document here. It parses each pushed change on its
//! own — enough to refuse bytes that are not a change and to learn the change's hash, which
//! is what makes storing it idempotent — and forwards the bytes as they came.

use automerge::Change;
use chrono::Utc;
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
    let changes = validate(batch)?;
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

fn validate(batch: Batch) -> Result<Vec<IncomingChange>> {
    batch
        .entries
        .into_iter()
        .enumerate()
        .map(|(index, entry)| {
            let change = Change::try_from(entry.change.as_slice()).map_err(|source| {
                Error::InvalidChange {
                    index,
                    doc: entry.doc,
                    source,
                }
            })?;
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
    use super::*;

    #[test]
    fn a_missing_pull_max_means_the_default_and_extremes_are_clamped() {
        assert_eq!(clamp_pull_max(None), PULL_MAX_DEFAULT);
        assert_eq!(clamp_pull_max(Some(0)), PULL_MAX_MIN);
        assert_eq!(clamp_pull_max(Some(10_000)), 10_000);
        assert_eq!(clamp_pull_max(Some(u64::MAX)), PULL_MAX_MAX);
    }
}
