//! The server as a full replica: a follower that reads every stored change into its
//! document and keeps materialised responses, answers and conflicts per unit — the same rows
//! a device keeps — so that reports and reviews never load Automerge.
//!
//! It works behind the change log, never on the push path: a burst of pushes from twenty
//! devices only appends changes; [`catch_up`] then takes the changes after its watermark in
//! steps, reads every change of each document they touch in one query, rebuilds the
//! documents from them, and writes the rows and the new watermark in one transaction.
//! Anything that reads the tables can say how fresh they are ([`Freshness`]). Two processes
//! catching up at once (the server and an `admin` or `report` command beside it) cannot both
//! move the watermark: the second one's write finds it moved and starts again from there.
//!
//! Documents are read by `simpul_document::read`, the reader devices use, so the server and
//! its devices can never read one document differently.

use std::sync::Arc;
use std::time::Duration;

use automerge::{Automerge, Change};
use simpul_document::config;
use simpul_document::read::{Response, SCORE_SLOTS, Written};
use simpul_survey::Form;
use tokio::sync::Notify;
use uuid::Uuid;

use crate::storage::Storage;
use crate::{Error, Result};

/// Changes looked at in one step of [`catch_up`].
pub const STEP_CHANGES: usize = 5_000;

/// How far the materialised tables are behind the change log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Freshness {
    /// Every change up to this position is in the tables.
    pub watermark: u64,
    /// The newest position in the change log.
    pub head: u64,
}

impl Freshness {
    /// Changes stored but not yet in the tables.
    pub fn behind(&self) -> u64 {
        self.head.saturating_sub(self.watermark)
    }
}

/// The documents one step of [`catch_up`] rebuilds, and the change log position it ends at.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Step {
    pub documents: Vec<Touched>,
    pub to: u64,
}

/// A document that changes of a step touched, with every change the server holds for it.
#[derive(Clone, Debug, PartialEq)]
pub struct Touched {
    pub doc: Uuid,
    /// The unit the document belongs to (filed when its first change was stored).
    pub unit: String,
    /// Its changes in server order, as stored.
    pub changes: Vec<Vec<u8>>,
    /// Whether its first change comes after the step's start: no earlier step wrote rows for
    /// it, so there are none to replace (most documents of a burst are new responses).
    pub new: bool,
    /// The devices that authored its changes (the server's own are not counted).
    pub devices: Vec<String>,
}

/// What one document contributes to the tables.
#[derive(Clone, Debug, PartialEq)]
pub struct Materialised {
    pub doc: Uuid,
    pub unit: String,
    pub new: bool,
    pub devices: Vec<String>,
    /// `None` when the document is no response (a unit's configuration): it has no rows.
    pub row: Option<ResponseRow>,
    /// What a unit's configuration document says, when it is one.
    pub config: Option<UnitConfig>,
}

/// The settings of a unit's configuration document that reports read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UnitConfig {
    pub period: Option<String>,
    pub population: Option<u64>,
    pub form: Option<String>,
}

/// One response, as the tables hold it.
#[derive(Clone, Debug, PartialEq)]
pub struct ResponseRow {
    pub response: Response,
    /// The method its form follows (its code), as the device would record it.
    pub method: String,
    pub scores: [Option<u8>; SCORE_SLOTS],
    /// Milliseconds since the epoch, from the authors' clocks: the first and last change.
    pub created_at: i64,
    pub updated_at: i64,
}

impl ResponseRow {
    /// The conflicts as the tables store them: each field with every value it holds.
    pub fn conflicts(&self) -> impl Iterator<Item = (&String, &Vec<Written>)> {
        self.response.conflicts.iter()
    }
}

/// Brings the tables up to the change log's head. Returns where they stand afterwards.
pub fn catch_up(storage: &dyn Storage) -> Result<Freshness> {
    loop {
        let fresh = storage.freshness()?;
        if fresh.behind() == 0 {
            return Ok(fresh);
        }
        let step = storage.changed_documents(fresh.watermark, STEP_CHANGES)?;
        let rows = materialise_all(step.documents)?;
        // False when another process moved the watermark first: read again from there.
        storage.store_materialised(&rows, fresh.watermark, step.to)?;
    }
}

/// Rebuilds `docs`, in their order, on a thread per core: each document is rebuilt on its
/// own (Automerge is the cost), and a burst of pushes leaves thousands waiting.
fn materialise_all(mut docs: Vec<Touched>) -> Result<Vec<Materialised>> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (total, chunk) = (docs.len(), docs.len().div_ceil(threads).max(1));
    std::thread::scope(|scope| {
        let workers: Vec<_> = docs
            .chunks_mut(chunk)
            .map(|part| {
                scope.spawn(move || {
                    let forms = simpul_survey::builtin_forms();
                    part.iter_mut()
                        .map(|touched| materialise(&forms, touched))
                        .collect::<Result<Vec<_>>>()
                })
            })
            .collect();
        let mut rows = Vec::with_capacity(total);
        for worker in workers {
            rows.extend(worker.join().expect("a materialising thread panicked")?);
        }
        Ok(rows)
    })
}

/// Rebuilds one document from every change stored for it (taken out of `touched`).
fn materialise(forms: &[Form], touched: &mut Touched) -> Result<Materialised> {
    let doc = touched.doc;
    let load = |source: automerge::AutomergeError| Error::Document {
        doc,
        source: Box::new(source),
    };
    let changes = parse_changes(doc, std::mem::take(&mut touched.changes))?;
    let created_at = changes.iter().map(Change::timestamp).min().unwrap_or(0);
    let updated_at = changes.iter().map(Change::timestamp).max().unwrap_or(0);
    let mut document = Automerge::new();
    document.apply_changes(changes).map_err(load)?;
    let text =
        |key| simpul_document::read::get_text(&document, key).map_err(|e| Error::read(doc, e));
    let configuration = text(config::KIND)?.is_some();
    let unit_config = match configuration {
        true => Some(UnitConfig {
            period: text(config::PERIOD)?,
            population: text(config::POPULATION)?.and_then(|p| p.parse().ok()),
            form: text(config::FORM)?,
        }),
        false => None,
    };
    let response = match configuration {
        true => None,
        false => Response::read(doc, &document).map_err(|e| Error::read(doc, e))?,
    };
    let row = response.map(|response| {
        let form = forms.iter().find(|f| f.id == response.form);
        let method = form
            .map(|f| f.method.code().to_string())
            .or_else(|| response.method.clone())
            .unwrap_or_default();
        let scores = form.map(|f| response.scores(f)).unwrap_or_default();
        ResponseRow {
            response,
            method,
            scores,
            created_at,
            updated_at,
        }
    });
    Ok(Materialised {
        doc,
        unit: std::mem::take(&mut touched.unit),
        new: touched.new,
        devices: std::mem::take(&mut touched.devices),
        row,
        config: unit_config,
    })
}

/// Every change the server holds for `doc`, parsed, in server order.
pub fn stored_changes(storage: &dyn Storage, doc: Uuid) -> Result<Vec<Change>> {
    parse_changes(doc, storage.document_changes(doc)?)
}

/// `stored`, the changes of `doc` as stored, parsed.
fn parse_changes(doc: Uuid, stored: Vec<Vec<u8>>) -> Result<Vec<Change>> {
    let mut changes = Vec::with_capacity(stored.len());
    for bytes in stored {
        changes.push(
            Change::from_bytes(bytes).map_err(|source| Error::InvalidChange {
                index: changes.len(),
                doc,
                source,
            })?,
        );
    }
    Ok(changes)
}

/// `doc` rebuilt from every change the server holds for it.
pub fn load(storage: &dyn Storage, doc: Uuid) -> Result<Automerge> {
    let mut document = Automerge::new();
    document
        .apply_changes(stored_changes(storage, doc)?)
        .map_err(|source| Error::Document {
            doc,
            source: Box::new(source),
        })?;
    Ok(document)
}

/// Catches up whenever `wake` is notified (after a push stored something) and once a
/// second besides, until the process ends. A failure is logged and tried again later: the
/// change log, which is the truth, is untouched by it.
pub async fn follow(storage: Arc<dyn Storage>, wake: Arc<Notify>) {
    loop {
        let storage = Arc::clone(&storage);
        match tokio::task::spawn_blocking(move || catch_up(storage.as_ref())).await {
            Ok(Ok(_)) => {}
            Ok(Err(error)) => {
                tracing::error!(error = %crate::error::Chain(&error), "materialising failed")
            }
            Err(error) => tracing::error!(%error, "the materialiser stopped"),
        }
        let _ = tokio::time::timeout(Duration::from_secs(1), wake.notified()).await;
    }
}
