//! Forwarding one carried unit both ways, in bounded batches, until neither side has more.
//!
//! Up: what the relay's own devices pushed, read from the relay's change log as a pull of
//! the local device that stands for the upstream ([`Carried::local`]) — that pull skips what
//! the upstream itself brought down, so nothing echoes back. Down: the upstream's answer to
//! the same request, stored as a push of that local device, so the relay's devices pull it
//! like any other device's work. Positions are saved after each round; a round cut off
//! half-way is repeated, which stores nothing twice on either side (changes are kept by
//! their hash).
//!
//! Two kinds of change stay on the relay: the unit's configuration, which only the upstream
//! writes, and a supervisor's review taken on the relay, which the upstream takes only from
//! its own supervisors.

use automerge::Change;
use chrono::Utc;
use simpul_document::{admission, config};
use simpul_protocol::{Batch, Entry, Limits};
use uuid::Uuid;

use super::state::{Carried, RelayState};
use super::upstream::Upstream;
use crate::model::IncomingChange;
use crate::storage::Storage;
use crate::{Error, Result};

/// Payload bytes per round, each way: the size a device's batches grow to.
pub const BATCH: usize = 256 << 10;

/// What one forwarding pass moved.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Forwarded {
    pub up: u64,
    pub down: u64,
}

/// Forwards `carried` both ways until neither side has more, saving its positions in
/// `state` after every round.
pub fn forward(
    storage: &dyn Storage,
    state: &RelayState,
    upstream: &Upstream,
    carried: &mut Carried,
) -> Result<Forwarded> {
    let limits = Limits::default();
    let config_doc = config::unit_document_id(carried.unit.as_str());
    let mut forwarded = Forwarded::default();
    loop {
        let local = storage.pull(&carried.local, carried.up, BATCH)?;
        let outgoing: Vec<Entry> = local
            .entries
            .into_iter()
            .filter(|entry| !stays_local(entry, config_doc))
            .collect();
        let sent = outgoing.len() as u64;
        let body =
            simpul_protocol::encode(&Batch::from(outgoing), &limits).map_err(Error::Encode)?;
        let answer = upstream.sync(&carried.token, Uuid::now_v7(), carried.down, BATCH, body)?;
        if let Some(log) = answer.log {
            match &carried.upstream_log {
                Some(known) if *known != log => {
                    // The upstream was restored from a backup: its positions name other
                    // changes, and it lacks what it acknowledged since. Start over both ways.
                    tracing::warn!(unit = %carried.unit, "the upstream was restored: sending everything again");
                    carried.up = 0;
                    carried.down = 0;
                    carried.upstream_log = Some(log);
                    state.advanced(carried, Utc::now())?;
                    continue;
                }
                Some(_) => {}
                None => carried.upstream_log = Some(log),
            }
        }
        let pulled = simpul_protocol::decode(&answer.body, &limits)?.entries;
        forwarded.down += store_pulled(storage, carried, pulled)?;
        forwarded.up += sent;
        carried.up = local.cursor;
        carried.down = answer.cursor;
        state.advanced(carried, Utc::now())?;
        if !local.more && !answer.more {
            return Ok(forwarded);
        }
    }
}

/// Whether a change stays on the relay: the unit's configuration (`config_doc`), or a
/// supervisor's review.
pub(crate) fn stays_local(entry: &Entry, config_doc: Uuid) -> bool {
    entry.doc == config_doc
        || Change::try_from(entry.change.as_slice())
            .ok()
            .and_then(|change| admission::response_change(entry.doc, &change).ok())
            .is_some_and(|admitted| admitted.reviews)
}

/// Stores what came down: the unit's configuration as the server's own changes, the rest as
/// pushed by the local device that stands for the upstream. The upstream already checked
/// every change; here they are only parsed for their hash. Returns how many were new.
fn store_pulled(storage: &dyn Storage, carried: &Carried, pulled: Vec<Entry>) -> Result<u64> {
    let config_doc = config::unit_document_id(carried.unit.as_str());
    let (mut configuration, mut responses) = (Vec::new(), Vec::new());
    for (index, entry) in pulled.into_iter().enumerate() {
        let change =
            Change::try_from(entry.change.as_slice()).map_err(|source| Error::InvalidChange {
                index,
                doc: entry.doc,
                source,
            })?;
        let creates = admission::response_change(entry.doc, &change)
            .map(|admitted| admitted.creates)
            .unwrap_or(false);
        let incoming = IncomingChange {
            hash: change.hash().0,
            doc: entry.doc,
            bytes: entry.change,
            creates,
        };
        if entry.doc == config_doc {
            configuration.push(incoming);
        } else {
            responses.push(incoming);
        }
    }
    let now = Utc::now();
    let mut stored = 0;
    if !configuration.is_empty() {
        stored += storage.store_server_changes(&carried.unit, &configuration, now)?;
    }
    if !responses.is_empty() {
        stored += storage.push(&carried.local, Uuid::now_v7(), &responses, now)?;
    }
    Ok(stored)
}
