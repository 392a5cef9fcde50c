//! Receiving changes from elsewhere, and handing out the changes a peer lacks.
//!
//! Applying is idempotent: a change already logged is skipped, so replaying a bundle or a
//! batch is harmless. A change that arrives before one it depends on waits in `pending` and
//! is applied as soon as its dependencies are here — in the same call or a later one.

use std::collections::BTreeSet;

use automerge::Change;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use simpul_document::{admission, config};
use simpul_protocol::Entry;
use uuid::Uuid;

use crate::model::UnitCode;
use crate::store::{Origin, Session};
use crate::{Error, Phrase, Replica, Result};

/// What applying a set of changes did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Applied {
    /// Changes applied now, including earlier arrivals whose dependencies came with them.
    pub new_changes: usize,
    /// Changes this replica already had.
    pub duplicates: usize,
    /// Changes still waiting for a change they depend on.
    pub waiting: usize,
    /// Responses this replica had never seen.
    pub created: BTreeSet<Uuid>,
    /// Responses it had, now changed.
    pub updated: BTreeSet<Uuid>,
}

impl Applied {
    /// Add what a later application did, as if both had been one: a response created by the
    /// first and changed by the second counts as created; what waits is what waits now.
    pub(crate) fn absorb(&mut self, later: Applied) {
        self.new_changes += later.new_changes;
        self.duplicates += later.duplicates;
        self.waiting = later.waiting;
        self.created.extend(later.created);
        self.updated.extend(later.updated);
        let created = &self.created;
        self.updated.retain(|id| !created.contains(id));
    }
}

/// Where a change stands against this replica's log.
enum Readiness {
    Ready,
    Waiting,
}

impl Replica {
    /// Apply changes received from another replica, all in one transaction. A change that is
    /// not valid Automerge rejects the whole set and changes nothing.
    pub fn apply(&mut self, entries: Vec<Entry>) -> Result<Applied> {
        let unit = self.settings().unit.clone();
        let mut session = self.session()?;
        let mut applied = apply_in(&mut session, entries, Origin::Peer, &unit)?;
        session.commit()?;
        self.only_responses(&mut applied)?;
        Ok(applied)
    }

    /// Leave configuration documents out of what `applied` calls created or updated: people
    /// read those counts as responses.
    pub(crate) fn only_responses(&self, applied: &mut Applied) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT 1 FROM responses WHERE id = ?1")?;
        let mut is_response = |id: &Uuid| stmt.exists([id.to_string()]);
        let mut keep = |ids: &mut BTreeSet<Uuid>| -> Result<()> {
            let mut kept = BTreeSet::new();
            for id in ids.iter() {
                if is_response(id)? {
                    kept.insert(*id);
                }
            }
            *ids = kept;
            Ok(())
        };
        keep(&mut applied.created)?;
        keep(&mut applied.updated)
    }

    /// Every change logged after local position `since`, in log order (dependencies first),
    /// with the position of the last one. Changes still waiting for dependencies are not
    /// included: a peer could not apply them either.
    pub fn changes_since(&self, since: i64) -> Result<(Vec<Entry>, i64)> {
        let mut stmt = self
            .conn
            .prepare("SELECT seq, doc, bytes FROM changes WHERE seq > ?1 ORDER BY seq")?;
        let mut last = since;
        let mut entries = Vec::new();
        let mut rows = stmt.query([since])?;
        while let Some(row) = rows.next()? {
            last = row.get(0)?;
            let doc: String = row.get(1)?;
            entries.push(Entry {
                doc: parse_uuid(&doc)?,
                change: row.get(2)?,
            });
        }
        Ok((entries, last))
    }

    /// The position of the newest change in this replica's log (0 when empty).
    pub fn last_seq(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("SELECT COALESCE(MAX(seq), 0) FROM changes", [], |row| {
                row.get(0)
            })?)
    }
}

/// Apply `entries` inside an open session; the caller commits. Every change must be one this
/// replica of `unit` may hold ([`admit`]); one that is not refuses them all.
pub(crate) fn apply_in(
    session: &mut Session<'_>,
    entries: Vec<Entry>,
    origin: Origin,
    unit: &UnitCode,
) -> Result<Applied> {
    let mut applied = Applied::default();
    let own_configuration = config::unit_document_id(unit.as_str());
    for entry in entries {
        let change = parse(entry.doc, entry.change)?;
        if entry.doc != own_configuration {
            admit(entry.doc, &change, unit)?;
        }
        if session.has_change(&change.hash())? || is_pending(session, &change)? {
            if origin == Origin::Server {
                // The server has it, whoever brought it here first: no need to upload it.
                session.tx.execute(
                    "UPDATE changes SET uploaded = 1 WHERE hash = ?1",
                    [change.hash().0.as_slice()],
                )?;
            }
            applied.duplicates += 1;
            continue;
        }
        match readiness(session, entry.doc, &change)? {
            Readiness::Ready => apply_one(session, entry.doc, change, origin, &mut applied)?,
            Readiness::Waiting => {
                session.tx.execute(
                    "INSERT INTO pending (hash, doc, bytes, from_server) VALUES (?1, ?2, ?3, ?4)",
                    params![
                        change.hash().0.as_slice(),
                        entry.doc.to_string(),
                        change.raw_bytes(),
                        origin == Origin::Server
                    ],
                )?;
            }
        }
    }
    drain_pending(session, &mut applied)?;
    let waiting: i64 = session
        .tx
        .query_row("SELECT COUNT(*) FROM pending", [], |row| row.get(0))?;
    applied.waiting = waiting as usize;
    Ok(applied)
}

/// Parse a received change. Automerge does not verify a lone change's checksum (the four
/// bytes after the magic, the start of its hash), so an altered change would parse under a new
/// hash, and some alterations make Automerge panic when the change is applied.
fn parse(doc: Uuid, bytes: Vec<u8>) -> Result<Change> {
    let checksum = bytes.get(4..8).map(<[u8]>::to_vec);
    let change =
        Change::from_bytes(bytes).map_err(|source| Error::InvalidChange { doc, source })?;
    if checksum.as_deref() != Some(&change.hash().0[..4]) {
        return Err(Error::InvalidChange {
            doc,
            source: automerge::LoadChangeError::Parse(
                "its checksum does not match its contents".into(),
            ),
        });
    }
    Ok(change)
}

/// A replica holds its own unit's responses and its unit's configuration, nothing else: a
/// change that could not belong to a response (say, a document claiming to be configuration
/// under another id), or that writes another unit into its document, is refused.
fn admit(doc: Uuid, change: &Change, unit: &UnitCode) -> Result<()> {
    let admitted = admission::response_change(doc, change)?;
    match admitted.unit {
        Some(theirs) if theirs != unit.as_str() => Err(Error::WrongUnit {
            theirs,
            ours: unit.to_string(),
        }),
        _ => Ok(()),
    }
}

pub(crate) fn parse_uuid(s: &str) -> Result<Uuid> {
    Uuid::parse_str(s).map_err(|_| Error::InvalidValue {
        what: Phrase::new("id respons", "response id"),
        value: s.to_string(),
        reason: Phrase::new("bukan UUID", "not a UUID"),
    })
}

fn is_pending(session: &Session<'_>, change: &Change) -> Result<bool> {
    Ok(session
        .tx
        .query_row(
            "SELECT 1 FROM pending WHERE hash = ?1",
            [change.hash().0.as_slice()],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// Ready when every dependency is logged here for the same document. A dependency logged for
/// another document means the sender mixed documents up: refuse rather than corrupt.
fn readiness(session: &Session<'_>, doc: Uuid, change: &Change) -> Result<Readiness> {
    let mut ready = true;
    for dep in change.deps() {
        match session.doc_of_change(dep)? {
            Some(owner) if owner == doc.to_string() => {}
            Some(_) => {
                return Err(Error::ForeignDependency {
                    doc,
                    hash: change.hash().to_string(),
                });
            }
            None => ready = false,
        }
    }
    Ok(if ready {
        Readiness::Ready
    } else {
        Readiness::Waiting
    })
}

fn apply_one(
    session: &mut Session<'_>,
    doc_id: Uuid,
    change: Change,
    origin: Origin,
    applied: &mut Applied,
) -> Result<()> {
    if session.doc(doc_id)?.is_some() {
        if !applied.created.contains(&doc_id) {
            applied.updated.insert(doc_id);
        }
    } else {
        applied.created.insert(doc_id);
    }
    let doc = session.doc_or_new(doc_id)?;
    doc.apply_changes([change.clone()])?;
    session.log_change(doc_id, &change, origin)?;
    applied.new_changes += 1;
    Ok(())
}

/// Apply waiting changes whose dependencies have arrived, until none can move.
fn drain_pending(session: &mut Session<'_>, applied: &mut Applied) -> Result<()> {
    loop {
        let waiting: Vec<(Vec<u8>, String, Vec<u8>, bool)> = {
            let mut stmt = session
                .tx
                .prepare("SELECT hash, doc, bytes, from_server FROM pending")?;
            stmt.query_map([], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
            })?
            .collect::<Result<_, _>>()?
        };
        let mut progressed = false;
        for (hash, doc, bytes, from_server) in waiting {
            let origin = if from_server {
                Origin::Server
            } else {
                Origin::Peer
            };
            let doc = parse_uuid(&doc)?;
            let change = parse(doc, bytes)?;
            if let Readiness::Ready = readiness(session, doc, &change)? {
                session
                    .tx
                    .execute("DELETE FROM pending WHERE hash = ?1", [&hash])?;
                apply_one(session, doc, change, origin, applied)?;
                progressed = true;
            }
        }
        if !progressed {
            return Ok(());
        }
    }
}
