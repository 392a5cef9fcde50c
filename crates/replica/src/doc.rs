//! The response document: the only module that knows how a questionnaire is laid out in
//! Automerge.
//!
//! The root map holds scalars only (DESIGN.md): two devices that create the same paper
//! response independently then merge field by field, and a cell typed differently on each
//! becomes one key with two values — a conflict to review — instead of one side vanishing.
//! Every form item is written at creation, unanswered ones as null, so "blank on one sheet,
//! 3 on the other" is a difference too.

use automerge::transaction::{CommitOptions, Transactable};
use automerge::{Automerge, ROOT, ReadDoc, ScalarValue};
use chrono::{DateTime, Utc};
use simpul_survey::{Answer, Form};

use crate::Result;

// The key layout is shared with the server: one definition in `simpul_document`.
use simpul_document::keys::TYPING_PREFIX;
pub use simpul_document::keys::{CHANNEL, DELETED, FORM, ID, METHOD, PERIOD, SERIAL, STATUS, UNIT};
use simpul_document::read;
pub use simpul_document::read::{Written, answer_key};

/// The key recording one typing of a paper sheet: a fingerprint of its form and every cell.
pub fn typing_key<'a>(
    form: &str,
    cells: impl IntoIterator<Item = (&'a String, &'a Option<simpul_survey::Answer>)>,
) -> String {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    hash.update(form.as_bytes());
    for (item, answer) in cells {
        // Separators no item id or canonical value contains keep the encoding unambiguous.
        hash.update([0x1f]);
        hash.update(item.as_bytes());
        hash.update([0x1e]);
        if let Some(answer) = answer {
            hash.update(answer.to_raw().as_bytes());
        }
    }
    let digest = hash.finalize();
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("{TYPING_PREFIX}{hex}")
}

pub fn has_key(doc: &Automerge, key: &str) -> Result<bool> {
    Ok(read::has_key(doc, key)?)
}

/// Who wrote a change and when: Automerge does not stamp time itself, so the app supplies
/// the capture time, and the enumerator's name rides in the change message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Author {
    pub by: String,
    pub at: DateTime<Utc>,
}

impl Author {
    pub fn new(by: impl Into<String>, at: DateTime<Utc>) -> Author {
        Author { by: by.into(), at }
    }

    fn commit_options(&self) -> CommitOptions {
        CommitOptions::default()
            .with_message(self.by.clone())
            .with_time(self.at.timestamp_millis())
    }
}

/// Run `edit` as one Automerge change by `author`; `None` when it wrote nothing.
pub fn change(
    doc: &mut Automerge,
    author: &Author,
    edit: impl FnOnce(&mut automerge::transaction::Transaction<'_>) -> Result<()>,
) -> Result<Option<automerge::Change>> {
    let mut tx = doc.transaction();
    edit(&mut tx)?;
    if tx.pending_ops() == 0 {
        tx.rollback();
        return Ok(None);
    }
    let (hash, _) = tx.commit_with(author.commit_options());
    Ok(hash.and_then(|hash| doc.get_change_by_hash(&hash)))
}

/// Write one answer; `None` writes an explicit null (asked, not answered).
pub fn put_answer(tx: &mut impl Transactable, item: &str, answer: Option<&Answer>) -> Result<()> {
    let value = match answer {
        Some(answer) => ScalarValue::Str(answer.to_raw().into()),
        None => ScalarValue::Null,
    };
    tx.put(ROOT, answer_key(item), value)?;
    Ok(())
}

pub fn put_str(tx: &mut impl Transactable, key: &str, value: &str) -> Result<()> {
    tx.put(ROOT, key, value)?;
    Ok(())
}

/// Write text, or an explicit null for `None`.
pub fn put_opt_str(tx: &mut impl Transactable, key: &str, value: Option<&str>) -> Result<()> {
    match value {
        Some(value) => tx.put(ROOT, key, value)?,
        None => tx.put(ROOT, key, ScalarValue::Null)?,
    }
    Ok(())
}

/// Write over a field holding several concurrent values. Automerge writes a value equal to
/// the one it displays as a mere deletion of the others, leaving the choice riding on that
/// value's original write: a concurrent edit of that write would then silently undo it.
/// Clearing the field first makes the choice a write of its own, which supersedes every value
/// it saw and conflicts with whatever it did not.
pub fn put_over_conflict(tx: &mut impl Transactable, key: &str, value: Option<&str>) -> Result<()> {
    tx.delete(ROOT, key)?;
    put_opt_str(tx, key, value)
}

pub fn put_bool(tx: &mut impl Transactable, key: &str, value: bool) -> Result<()> {
    tx.put(ROOT, key, value)?;
    Ok(())
}

/// The value Automerge shows for `key` (its deterministic winner among concurrent writes),
/// as text; null and absent are both `None`.
pub fn get_text(doc: &Automerge, key: &str) -> Result<Option<String>> {
    Ok(read::get_text(doc, key)?)
}

pub fn get_bool(doc: &Automerge, key: &str) -> Result<bool> {
    Ok(read::get_bool(doc, key)?)
}

/// Every distinct value `key` holds, with who wrote each: see [`read::distinct_values`].
pub fn distinct_values(doc: &Automerge, key: &str) -> Result<Vec<Written>> {
    Ok(read::distinct_values(doc, key)?)
}

impl From<simpul_document::Error> for crate::Error {
    fn from(error: simpul_document::Error) -> Self {
        match error {
            simpul_document::Error::Automerge(e) => crate::Error::Automerge(e),
        }
    }
}

/// The fields every creator of a response writes, in the same change as its answers.
/// The id is among them so that two responses with identical answers, captured by one
/// device in the same millisecond, still have different changes (changes are keyed by hash).
pub struct Header<'a> {
    pub id: uuid::Uuid,
    pub form: &'a Form,
    pub unit: &'a str,
    pub period: &'a str,
    pub channel: &'a str,
    pub serial: Option<&'a str>,
    pub status: &'a str,
}

pub fn put_header(tx: &mut impl Transactable, header: &Header<'_>) -> Result<()> {
    put_str(tx, ID, &header.id.to_string())?;
    put_str(tx, FORM, &header.form.id)?;
    put_str(tx, METHOD, header.form.method.code())?;
    put_str(tx, UNIT, header.unit)?;
    put_str(tx, PERIOD, header.period)?;
    put_str(tx, CHANNEL, header.channel)?;
    if let Some(serial) = header.serial {
        put_str(tx, SERIAL, serial)?;
    }
    put_str(tx, STATUS, header.status)
}
