//! Every write to a response document, on a device and on the server alike: capturing a
//! questionnaire, editing it, settling a field that holds several values, a supervisor's
//! review, deleting and restoring. Each is one Automerge change whose message names the
//! author and whose time is the author's clock, so that history can say who wrote what, when.
//!
//! The root map holds scalars only (DESIGN.md): two replicas that create the same paper
//! response independently then merge field by field, and a cell typed differently on each
//! becomes one key with two values — a conflict to review — instead of one side vanishing.
//! Every form item is written at capture, unanswered ones as null, so "blank on one sheet, 3
//! on the other" is a difference too.

use std::collections::{BTreeMap, HashMap};

use automerge::transaction::{CommitOptions, Transactable, Transaction};
use automerge::{Automerge, Change, ROOT, ReadDoc, ScalarValue, hydrate};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::Result;
use crate::keys;
use crate::read::{answer_key, distinct_values, get_bool};
use crate::review::ReviewState;

/// Who writes a change and when. Automerge does not stamp time itself, so the writer supplies
/// it; the name (an enumerator, a device, a supervisor) rides in the change's message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Author {
    pub by: String,
    pub at: DateTime<Utc>,
}

impl Author {
    pub fn new(by: impl Into<String>, at: DateTime<Utc>) -> Author {
        Author { by: by.into(), at }
    }
}

/// Runs `edit` as one change by `author`; `None` when it wrote nothing.
pub fn change<E>(
    doc: &mut Automerge,
    author: &Author,
    edit: impl FnOnce(&mut Transaction<'_>) -> Result<(), E>,
) -> Result<Option<Change>, E> {
    let mut tx = doc.transaction();
    edit(&mut tx)?;
    if tx.pending_ops() == 0 {
        tx.rollback();
        return Ok(None);
    }
    let options = CommitOptions::default()
        .with_message(author.by.clone())
        .with_time(author.at.timestamp_millis());
    let (hash, _) = tx.commit_with(options);
    Ok(hash.and_then(|hash| doc.get_change_by_hash(&hash)))
}

/// The fields every creator of a response writes, in the same change as its answers. The id
/// is among them so that two responses with identical answers, captured by one device in the
/// same millisecond, still have different changes (changes are keyed by hash).
pub struct Header<'a> {
    pub id: Uuid,
    pub form: &'a str,
    pub method: &'a str,
    pub unit: &'a str,
    pub period: &'a str,
    pub channel: &'a str,
    pub serial: Option<&'a str>,
    pub status: &'a str,
}

/// A questionnaire as captured: its header and, for every item of its form, the canonical
/// answer (`None`: asked, not answered).
pub struct Capture<'a> {
    pub header: Header<'a>,
    pub answers: &'a BTreeMap<String, Option<String>>,
    /// A paper sheet records each typing of it ([`Capture::typing_key`]).
    pub paper: bool,
}

impl Capture<'_> {
    /// The key recording this typing of a paper sheet: a fingerprint of its form and every
    /// cell, so that the same sheet typed identically again is recognised as already present.
    pub fn typing_key(&self) -> String {
        let mut hash = Sha256::new();
        hash.update(self.header.form.as_bytes());
        for (item, answer) in self.answers {
            // Separators no item id or canonical value contains keep the encoding unambiguous.
            hash.update([0x1f]);
            hash.update(item.as_bytes());
            hash.update([0x1e]);
            if let Some(answer) = answer {
                hash.update(answer.as_bytes());
            }
        }
        let digest = hash.finalize();
        let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        format!("{}{hex}", keys::TYPING_PREFIX)
    }

    /// Writes the capture as one change into `doc`: a new document, or, for a second typing
    /// of a paper sheet, a fresh document of its own that is then merged.
    ///
    /// Into an empty document (every caller's case) the fields go in as one batch: Automerge
    /// then splices its op set once instead of once per field, which was most of the server's
    /// time storing web answers. The change holds the same puts either way.
    pub fn write(&self, doc: &mut Automerge, author: &Author) -> Result<Change> {
        let fields = self.fields();
        let empty = doc.is_empty();
        let written = change(doc, author, |tx| -> Result<()> {
            if empty {
                let root: HashMap<String, hydrate::Value> = fields
                    .into_iter()
                    .map(|(key, value)| (key, hydrate::Value::Scalar(value)))
                    .collect();
                tx.init_root_from_hydrate(&root.into())?;
            } else {
                for (key, value) in fields {
                    tx.put(ROOT, key, value)?;
                }
            }
            Ok(())
        })?;
        Ok(written.expect("a capture writes its header"))
    }

    /// Every key a capture writes, with its value: the header, each answer (null when not
    /// answered) and, for paper, the typing's key.
    fn fields(&self) -> Vec<(String, ScalarValue)> {
        let header = &self.header;
        let text = |value: &str| ScalarValue::Str(value.into());
        let mut fields = vec![
            (keys::ID.to_string(), text(&header.id.to_string())),
            (keys::FORM.to_string(), text(header.form)),
            (keys::METHOD.to_string(), text(header.method)),
            (keys::UNIT.to_string(), text(header.unit)),
            (keys::PERIOD.to_string(), text(header.period)),
            (keys::CHANNEL.to_string(), text(header.channel)),
        ];
        if let Some(serial) = header.serial {
            fields.push((keys::SERIAL.to_string(), text(serial)));
        }
        fields.push((keys::STATUS.to_string(), text(header.status)));
        for (item, answer) in self.answers {
            let value = answer.as_deref().map_or(ScalarValue::Null, text);
            fields.push((answer_key(item), value));
        }
        if self.paper {
            fields.push((self.typing_key(), ScalarValue::Boolean(true)));
        }
        fields
    }
}

/// Sets fields of an existing response as one change: an edit, finalising, settling. A field
/// already showing exactly that value, and nothing else, is left alone, so an edit that
/// changes nothing writes nothing. A field holding several values is cleared first, so that
/// the write supersedes every value it saw: written plainly, Automerge would record a value
/// equal to one already there as a mere deletion of the others, leaving the choice riding on
/// that value's original write, which a concurrent edit of it would then silently undo.
pub fn set_fields(
    doc: &mut Automerge,
    author: &Author,
    fields: &[(String, Option<String>)],
) -> Result<Option<Change>> {
    let mut writes = Vec::new();
    for (key, value) in fields {
        let current = distinct_values(doc, key)?;
        if !(current.len() == 1 && current[0].value == *value) {
            writes.push((key, value, current.len() > 1));
        }
    }
    change(doc, author, |tx| -> Result<()> {
        for (key, value, several) in writes {
            if several {
                tx.delete(ROOT, key.as_str())?;
            }
            put_text(tx, key, value.as_deref())?;
        }
        Ok(())
    })
}

/// Settles a field holding several values on `value`, which the caller has checked is one of
/// them: cleared and written, so that the choice supersedes every value it saw (see
/// [`set_fields`]) and conflicts with whatever concurrent edit it did not see.
pub fn settle(
    doc: &mut Automerge,
    author: &Author,
    key: &str,
    value: Option<&str>,
) -> Result<Option<Change>> {
    change(doc, author, |tx| -> Result<()> {
        tx.delete(ROOT, key)?;
        put_text(tx, key, value)
    })
}

/// Writes a review state and its note (a note of `None` clears an earlier one).
pub fn review(
    doc: &mut Automerge,
    author: &Author,
    state: ReviewState,
    note: Option<&str>,
) -> Result<Option<Change>> {
    change(doc, author, |tx| -> Result<()> {
        tx.put(ROOT, keys::REVIEW_STATE, state.code())?;
        put_text(tx, keys::REVIEW_NOTE, note)
    })
}

/// Deletes (a tombstone, never a removal) or restores; `None` when it already is so.
pub fn set_deleted(doc: &mut Automerge, author: &Author, deleted: bool) -> Result<Option<Change>> {
    if get_bool(doc, keys::DELETED)? == deleted {
        return Ok(None);
    }
    change(doc, author, |tx| -> Result<()> {
        tx.put(ROOT, keys::DELETED, deleted)?;
        Ok(())
    })
}

/// Text, or an explicit null for `None`.
fn put_text(tx: &mut Transaction<'_>, key: &str, value: Option<&str>) -> Result<()> {
    match value {
        Some(value) => tx.put(ROOT, key, value)?,
        None => tx.put(ROOT, key, ScalarValue::Null)?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::read::{Response, get_text};

    fn at(minute: u32) -> Author {
        Author::new(
            "Sari",
            Utc.with_ymd_and_hms(2026, 11, 30, 9, minute, 0).unwrap(),
        )
    }

    fn sheet(answers: &BTreeMap<String, Option<String>>) -> Capture<'_> {
        Capture {
            header: Header {
                id: Uuid::from_u128(7),
                form: "skm-2017",
                method: "permenpanrb-14-2017",
                unit: "U-CAPIL",
                period: "2026-S2",
                channel: "paper",
                serial: Some("K-001"),
                status: "final",
            },
            answers,
            paper: true,
        }
    }

    fn answers(u1: Option<&str>) -> BTreeMap<String, Option<String>> {
        BTreeMap::from([
            ("U1".to_string(), u1.map(str::to_string)),
            ("U2".to_string(), Some("4".to_string())),
        ])
    }

    #[test]
    fn a_typing_fingerprint_never_changes_between_releases() {
        // Pinned: sheets already typed carry it; another value would make a second
        // identical typing look new. SHA-256 of "skm-2017", 0x1f "U1" 0x1e "3", 0x1f "U2"
        // 0x1e "4", its first eight bytes in hex.
        assert_eq!(
            sheet(&answers(Some("3"))).typing_key(),
            "t.960593a9ee87cd86"
        );
        assert_ne!(
            sheet(&answers(Some("3"))).typing_key(),
            sheet(&answers(None)).typing_key(),
            "a blank is a value of its own"
        );
    }

    #[test]
    fn a_capture_writes_its_header_every_answer_and_its_typing_in_one_change() {
        let answers = answers(None);
        let capture = sheet(&answers);
        let mut doc = Automerge::new();
        capture.write(&mut doc, &at(0)).unwrap();

        assert_eq!(doc.get_changes(&[]).len(), 1);
        let read = Response::read(Uuid::from_u128(7), &doc).unwrap().unwrap();
        assert_eq!(read.serial.as_deref(), Some("K-001"));
        assert_eq!(read.answers["U1"], None, "asked, not answered");
        assert_eq!(read.created_by.as_deref(), Some("Sari"));
        assert!(crate::read::has_key(&doc, &capture.typing_key()).unwrap());
    }

    #[test]
    fn a_batched_capture_holds_what_one_put_per_field_would_and_merges_the_same() {
        let (three, four) = (answers(Some("3")), answers(Some("4")));
        let by_puts = |capture: &Capture<'_>| {
            let mut doc = Automerge::new().with_actor(automerge::ActorId::random());
            let mut tx = doc.transaction();
            for (key, value) in capture.fields() {
                tx.put(ROOT, key, value).unwrap();
            }
            tx.commit();
            doc
        };
        let batched = |capture: &Capture<'_>| {
            let mut doc = Automerge::new().with_actor(automerge::ActorId::random());
            capture.write(&mut doc, &at(0)).unwrap();
            doc
        };
        let (mut batch, mut puts) = (batched(&sheet(&three)), by_puts(&sheet(&three)));
        assert_eq!(batch.hydrate(None), puts.hydrate(None));
        assert_eq!(
            batch.get_changes(&[])[0].len(),
            puts.get_changes(&[])[0].len(),
            "one op per field"
        );

        // A second typing with U1 = 4 merged into each: the same conflict, both values.
        batch.merge(&mut batched(&sheet(&four))).unwrap();
        puts.merge(&mut by_puts(&sheet(&four))).unwrap();
        let key = answer_key("U1");
        let values = |doc: &Automerge| {
            let mut values: Vec<_> = distinct_values(doc, &key)
                .unwrap()
                .into_iter()
                .map(|w| w.value)
                .collect();
            values.sort();
            values
        };
        assert_eq!(values(&batch), [Some("3".into()), Some("4".into())]);
        assert_eq!(values(&batch), values(&puts));
    }

    #[test]
    fn a_capture_into_a_document_that_holds_something_writes_every_field() {
        let answers = answers(Some("3"));
        let mut doc = Automerge::new();
        let mut tx = doc.transaction();
        tx.put(ROOT, "x.note", "already here").unwrap();
        tx.commit();
        sheet(&answers).write(&mut doc, &at(1)).unwrap();

        let read = Response::read(Uuid::from_u128(7), &doc).unwrap().unwrap();
        assert_eq!(read.answers["U1"].as_deref(), Some("3"));
        assert_eq!(
            get_text(&doc, "x.note").unwrap().as_deref(),
            Some("already here")
        );
    }

    #[test]
    fn setting_fields_to_what_they_hold_writes_nothing_and_a_write_over_a_conflict_settles_it() {
        let answers = answers(Some("3"));
        let mut doc = Automerge::new();
        sheet(&answers).write(&mut doc, &at(0)).unwrap();
        let unchanged = [("q.U1".to_string(), Some("3".to_string()))];
        assert!(set_fields(&mut doc, &at(1), &unchanged).unwrap().is_none());

        // Two clerks who never met change U1 differently: a conflict.
        let mut other = doc.fork();
        let two = |value: &str| [("q.U1".to_string(), Some(value.to_string()))];
        set_fields(&mut doc, &at(2), &two("2")).unwrap();
        set_fields(&mut other, &at(2), &two("1")).unwrap();
        doc.merge(&mut other).unwrap();
        assert_eq!(distinct_values(&doc, "q.U1").unwrap().len(), 2);

        // Choosing the value already shown still writes, and leaves one value.
        let shown = get_text(&doc, "q.U1").unwrap();
        assert!(
            set_fields(&mut doc, &at(3), &[("q.U1".to_string(), shown.clone())])
                .unwrap()
                .is_some()
        );
        let left = distinct_values(&doc, "q.U1").unwrap();
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].value, shown);
    }
}
