//! Bundles: the sync batch format written to a file, for data that travels by USB stick.
//! A bundle is validated whole before anything is applied, so a truncated or corrupt file
//! is refused and changes nothing.

use std::io::Write;
use std::path::Path;

use serde::Serialize;
use simpul_protocol::Limits;

use crate::{Applied, Error, Replica, Result};

/// Uncompressed payload per batch: compresses to a few tens of KB, the size a flaky link
/// can carry in one request, and the same batches sync sends.
pub const BATCH_PAYLOAD_BYTES: usize = 256 * 1024;

/// What an export wrote.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Exported {
    pub changes: usize,
    pub responses: usize,
    pub bytes: usize,
    /// The log position to pass as `since` next time to export only what came after.
    pub last_seq: i64,
}

impl Replica {
    /// Encode every change after log position `since` as a bundle.
    pub fn export_bundle(&self, since: i64) -> Result<(Vec<u8>, Exported)> {
        let (entries, last_seq) = self.changes_since(since)?;
        let changes = entries.len();
        let responses = entries
            .iter()
            .map(|e| e.doc)
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        let bytes =
            simpul_protocol::encode_bundle(entries, BATCH_PAYLOAD_BYTES, &Limits::default())?;
        let info = Exported {
            changes,
            responses,
            bytes: bytes.len(),
            last_seq,
        };
        Ok((bytes, info))
    }

    /// Write a bundle file atomically (see [`crate::write_atomically`]): a cut-off write never
    /// leaves a half bundle under the final name.
    pub fn export_bundle_file(&self, path: &Path, since: i64) -> Result<Exported> {
        let (bytes, info) = self.export_bundle(since)?;
        crate::write_atomically(path, |out| {
            out.write_all(&bytes).map_err(|source| Error::Io {
                path: path.to_path_buf(),
                source,
            })
        })?;
        Ok(info)
    }

    /// Apply a bundle's bytes. Any bad frame refuses the whole bundle.
    pub fn import_bundle(&mut self, bytes: &[u8]) -> Result<Applied> {
        let batches = simpul_protocol::decode_bundle(bytes, &Limits::default())?;
        self.apply(batches.into_iter().flat_map(|b| b.entries).collect())
    }

    /// [`Replica::import_bundle`] in steps of at most `step` changes, each its own
    /// transaction, for a bundle too big to apply without showing progress. The whole file is
    /// still checked before anything is applied. After each step `go_on` hears (changes done,
    /// changes in all); when it says no, the import ends there with every step so far kept,
    /// and the flag says it ended early. Importing the same bundle again finishes the job.
    pub fn import_bundle_in_steps(
        &mut self,
        bytes: &[u8],
        step: usize,
        mut go_on: impl FnMut(usize, usize) -> bool,
    ) -> Result<(Applied, bool)> {
        let batches = simpul_protocol::decode_bundle(bytes, &Limits::default())?;
        let entries: Vec<_> = batches.into_iter().flat_map(|b| b.entries).collect();
        let total = entries.len();
        let mut applied = Applied::default();
        let mut done = 0;
        let mut rest = entries.into_iter().peekable();
        while rest.peek().is_some() {
            let part: Vec<_> = rest.by_ref().take(step.max(1)).collect();
            done += part.len();
            applied.absorb(self.apply(part)?);
            if !go_on(done, total) && rest.peek().is_some() {
                return Ok((applied, true));
            }
        }
        Ok((applied, false))
    }

    pub fn import_bundle_file(&mut self, path: &Path) -> Result<Applied> {
        let bytes = std::fs::read(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        self.import_bundle(&bytes)
    }
}
