//! One write: a SQLite transaction with the documents it touches held in memory. Changes are
//! logged as they happen; on [`Session::commit`] every touched document is saved and its
//! materialised rows rebuilt, then everything commits at once — so a crash leaves either the
//! whole user action or none of it.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use automerge::{ActorId, Automerge, Change};
use rusqlite::{OptionalExtension, Transaction, params};
use simpul_survey::Form;
use uuid::Uuid;

use crate::{Result, materialise};

/// Where a change came from: it decides whether the server still needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Written on this device.
    Local,
    /// From another replica by bundle: the server may not have it yet, so it is uploaded too.
    Peer,
    /// Pulled from the server, which has it by definition.
    Server,
}

pub struct Session<'a> {
    pub(crate) tx: Transaction<'a>,
    pub(crate) forms: &'a BTreeMap<String, Form>,
    actor: &'a ActorId,
    docs: HashMap<Uuid, Automerge>,
    touched: BTreeSet<Uuid>,
}

impl<'a> Session<'a> {
    pub fn new(
        tx: Transaction<'a>,
        forms: &'a BTreeMap<String, Form>,
        actor: &'a ActorId,
    ) -> Session<'a> {
        Session {
            tx,
            forms,
            actor,
            docs: HashMap::new(),
            touched: BTreeSet::new(),
        }
    }

    /// The document `id`, loaded once per session, with this device's actor set so that
    /// local edits continue its sequence.
    pub fn doc(&mut self, id: Uuid) -> Result<Option<&mut Automerge>> {
        if !self.docs.contains_key(&id) {
            let bytes: Option<Vec<u8>> = self
                .tx
                .query_row(
                    "SELECT bytes FROM documents WHERE id = ?1",
                    [id.to_string()],
                    |row| row.get(0),
                )
                .optional()?;
            let Some(bytes) = bytes else {
                return Ok(None);
            };
            let doc = Automerge::load(&bytes)?.with_actor(self.actor.clone());
            self.docs.insert(id, doc);
        }
        Ok(self.docs.get_mut(&id))
    }

    /// The document `id`, created empty when this replica has never seen it.
    pub fn doc_or_new(&mut self, id: Uuid) -> Result<&mut Automerge> {
        if self.doc(id)?.is_none() {
            self.docs
                .insert(id, Automerge::new().with_actor(self.actor.clone()));
        }
        Ok(self.docs.get_mut(&id).expect("inserted above"))
    }

    /// Log a change already applied to document `id`, and mark the document for saving.
    /// Returns false when the change was already in the log.
    pub fn log_change(&mut self, id: Uuid, change: &Change, origin: Origin) -> Result<bool> {
        let inserted = self.tx.execute(
            "INSERT OR IGNORE INTO changes (hash, doc, bytes, time, local, uploaded)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                change.hash().0.as_slice(),
                id.to_string(),
                change.raw_bytes(),
                change.timestamp(),
                origin == Origin::Local,
                origin == Origin::Server
            ],
        )?;
        self.touched.insert(id);
        Ok(inserted == 1)
    }

    pub fn has_change(&self, hash: &automerge::ChangeHash) -> Result<bool> {
        Ok(self.doc_of_change(hash)?.is_some())
    }

    /// The document a logged change belongs to.
    pub fn doc_of_change(&self, hash: &automerge::ChangeHash) -> Result<Option<String>> {
        Ok(self
            .tx
            .query_row(
                "SELECT doc FROM changes WHERE hash = ?1",
                [hash.0.as_slice()],
                |row| row.get(0),
            )
            .optional()?)
    }

    /// Save and materialise every touched document, then commit.
    pub fn commit(mut self) -> Result<()> {
        for id in std::mem::take(&mut self.touched) {
            let doc = self.docs.get(&id).expect("touched documents are loaded");
            self.tx.execute(
                "INSERT INTO documents (id, bytes) VALUES (?1, ?2)
                 ON CONFLICT (id) DO UPDATE SET bytes = excluded.bytes",
                params![id.to_string(), doc.save()],
            )?;
            materialise::document(&self.tx, self.forms, id, doc)?;
        }
        self.tx.commit()?;
        Ok(())
    }
}
