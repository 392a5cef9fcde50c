//! The writes a supervisor makes on the server — settling a conflict, a review, deleting and
//! restoring — as ordinary Automerge changes, so that they travel to devices like any other.
//!
//! Each is one change whose message names the person and whose time is the decision's.

use automerge::transaction::{CommitOptions, Transactable, Transaction};
use automerge::{Automerge, Change, ROOT, ReadDoc, ScalarValue};

use crate::Result;
use crate::keys;
use crate::read::get_bool;
use crate::review::ReviewState;

/// Who decides, and when (milliseconds since the epoch).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Author {
    pub by: String,
    pub at: i64,
}

/// Runs `edit` as one change by `author`; `None` when it wrote nothing.
pub fn change(
    doc: &mut Automerge,
    author: &Author,
    edit: impl FnOnce(&mut Transaction<'_>) -> Result<()>,
) -> Result<Option<Change>> {
    let mut tx = doc.transaction();
    edit(&mut tx)?;
    if tx.pending_ops() == 0 {
        tx.rollback();
        return Ok(None);
    }
    let options = CommitOptions::default()
        .with_message(author.by.clone())
        .with_time(author.at);
    let (hash, _) = tx.commit_with(options);
    Ok(hash.and_then(|hash| doc.get_change_by_hash(&hash)))
}

/// Settles a field holding several values on `value`. The field is cleared first so that the
/// choice is a write of its own: it supersedes every value it saw, and a concurrent edit it
/// did not see still shows as a conflict rather than silently undoing it.
pub fn settle(
    doc: &mut Automerge,
    author: &Author,
    key: &str,
    value: Option<&str>,
) -> Result<Option<Change>> {
    change(doc, author, |tx| {
        tx.delete(ROOT, key)?;
        match value {
            Some(value) => tx.put(ROOT, key, value)?,
            None => tx.put(ROOT, key, ScalarValue::Null)?,
        }
        Ok(())
    })
}

/// Writes a review state and its note (a note of `None` clears an earlier one).
pub fn review(
    doc: &mut Automerge,
    author: &Author,
    state: ReviewState,
    note: Option<&str>,
) -> Result<Option<Change>> {
    change(doc, author, |tx| {
        tx.put(ROOT, keys::REVIEW_STATE, state.code())?;
        match note {
            Some(note) => tx.put(ROOT, keys::REVIEW_NOTE, note)?,
            None => tx.put(ROOT, keys::REVIEW_NOTE, ScalarValue::Null)?,
        }
        Ok(())
    })
}

/// Deletes (a tombstone, never a removal) or restores; `None` when it already is so.
pub fn set_deleted(doc: &mut Automerge, author: &Author, deleted: bool) -> Result<Option<Change>> {
    if get_bool(doc, keys::DELETED)? == deleted {
        return Ok(None);
    }
    change(doc, author, |tx| {
        tx.put(ROOT, keys::DELETED, deleted)?;
        Ok(())
    })
}
