//! Supervisors' decisions, written on the server as ordinary changes: settling a conflict,
//! a review, deleting and restoring. Each loads the response's document from the changes
//! the server holds, writes one change whose message names the person, and stores it in the
//! response's unit, where devices pull it at their next sync like any other change. Nothing
//! is kept beside the document: a response's history is its Automerge history.

use automerge::{Automerge, Change};
use chrono::{DateTime, Utc};
use simpul_document::read::{Response, answer_key, distinct_values};
use simpul_document::review::ReviewState;
use simpul_document::write::{self, Author};
use uuid::Uuid;

use crate::materialise;
use crate::model::{IncomingChange, Name, UnitCode};
use crate::storage::Storage;
use crate::{Error, Result};

/// Who decides and when.
#[derive(Clone, Debug)]
pub struct Decider {
    pub by: Name,
    pub at: DateTime<Utc>,
}

impl Decider {
    fn author(&self) -> Author {
        Author::new(self.by.to_string(), self.at)
    }
}

/// Settles `field` (an item id, e.g. `U3`) of `response` on one of the values it holds.
pub fn resolve(
    storage: &dyn Storage,
    response: Uuid,
    field: &str,
    value: &str,
    decider: &Decider,
) -> Result<()> {
    decide(storage, response, decider, |doc, read, author| {
        let form = simpul_survey::builtin_form(&read.form)
            .ok_or_else(|| Error::UnknownForm(read.form.clone()))?;
        let item = form
            .find_item(field)
            .ok_or_else(|| not_a_value(response, field, value))?;
        let chosen = form
            .parse_answer(&item.id, value)
            .map_err(|_| not_a_value(response, field, value))?
            .map(|answer| answer.to_raw());
        let key = answer_key(&item.id);
        let held = distinct_values(doc, &key).map_err(read_error(response))?;
        if !held.iter().any(|written| written.value == chosen) {
            return Err(not_a_value(response, field, value));
        }
        write::settle(doc, author, &key, chosen.as_deref()).map_err(read_error(response))
    })
}

/// Marks `response` received, has-issues, approved or rejected. Rejecting needs a note
/// saying why: the enumerator who sees it must know what to do.
pub fn review(
    storage: &dyn Storage,
    response: Uuid,
    state: ReviewState,
    note: Option<&str>,
    decider: &Decider,
) -> Result<()> {
    let note = note.map(str::trim).filter(|note| !note.is_empty());
    if state == ReviewState::Rejected && note.is_none() {
        return Err(Error::RejectWithoutNote);
    }
    decide(storage, response, decider, |doc, _, author| {
        write::review(doc, author, state, note).map_err(read_error(response))
    })
}

/// Marks every one of `responses`, all of `unit`, with one review state, storing their
/// changes in one transaction: either every response gets it or, when one is not `unit`'s
/// (refused naming it, whatever unit it is in) or cannot be read, none does. Returns how many changed (one already in that state
/// writes nothing).
pub fn review_all(
    storage: &dyn Storage,
    unit: &UnitCode,
    responses: &[Uuid],
    state: ReviewState,
    note: Option<&str>,
    decider: &Decider,
) -> Result<usize> {
    let note = note.map(str::trim).filter(|note| !note.is_empty());
    if state == ReviewState::Rejected && note.is_none() {
        return Err(Error::RejectWithoutNote);
    }
    let author = decider.author();
    let mut changes = Vec::with_capacity(responses.len());
    for &response in responses {
        if storage.document_unit(response)?.as_ref() != Some(unit) {
            return Err(Error::InvalidValue {
                what: "response",
                value: response.to_string(),
                reason: "it is not a response of this unit; nothing was reviewed",
            });
        }
        let mut doc = materialise::load(storage, response)?;
        Response::read(response, &doc)
            .map_err(read_error(response))?
            .ok_or_else(|| Error::UnknownResponse(response.to_string()))?;
        let written =
            write::review(&mut doc, &author, state, note).map_err(read_error(response))?;
        if let Some(change) = written {
            changes.push(IncomingChange {
                hash: change.hash().0,
                doc: response,
                bytes: change.raw_bytes().to_vec(),
                creates: false,
            });
        }
    }
    if !changes.is_empty() {
        storage.store_server_changes(unit, &changes, decider.at)?;
    }
    materialise::catch_up(storage)?;
    Ok(changes.len())
}

/// Deletes `response` (a tombstone: it leaves lists and the IKM) or restores it.
pub fn set_deleted(
    storage: &dyn Storage,
    response: Uuid,
    deleted: bool,
    decider: &Decider,
) -> Result<()> {
    decide(storage, response, decider, |doc, _, author| {
        write::set_deleted(doc, author, deleted).map_err(read_error(response))
    })
}

/// Loads `response`, lets `edit` write at most one change, stores it in the response's unit
/// and brings the materialised tables up to date.
fn decide(
    storage: &dyn Storage,
    response: Uuid,
    decider: &Decider,
    edit: impl FnOnce(&mut Automerge, &Response, &Author) -> Result<Option<Change>>,
) -> Result<()> {
    let unit: UnitCode = storage
        .document_unit(response)?
        .ok_or_else(|| Error::UnknownResponse(response.to_string()))?;
    let mut doc = materialise::load(storage, response)?;
    let read = Response::read(response, &doc)
        .map_err(read_error(response))?
        .ok_or_else(|| Error::UnknownResponse(response.to_string()))?;
    if let Some(change) = edit(&mut doc, &read, &decider.author())? {
        let incoming = IncomingChange {
            hash: change.hash().0,
            doc: response,
            bytes: change.raw_bytes().to_vec(),
            creates: false,
        };
        storage.store_server_changes(&unit, &[incoming], decider.at)?;
    }
    materialise::catch_up(storage)?;
    Ok(())
}

fn read_error(doc: Uuid) -> impl Fn(simpul_document::Error) -> Error {
    move |error| Error::read(doc, error)
}

fn not_a_value(response: Uuid, field: &str, value: &str) -> Error {
    Error::NotAConflictValue {
        response: response.to_string(),
        field: field.to_string(),
        value: value.to_string(),
    }
}
