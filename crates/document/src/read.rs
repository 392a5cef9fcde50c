//! Reading a response document: the value each field shows, every value a field holds with
//! who wrote it and when, and the whole response as one typed value ([`Response::read`]).
//!
//! A device materialises its lists from this and the server will do the same, so the two can
//! never read one document differently.

use std::collections::BTreeMap;

use automerge::{Automerge, ObjId, ROOT, ReadDoc, ScalarValue, Value};
use simpul_survey::{Answer, Form, ItemKind, Method};
use uuid::Uuid;

use crate::Result;
use crate::keys::{self, ANSWER_PREFIX};
use crate::review::ReviewState;

pub fn answer_key(item: &str) -> String {
    format!("{ANSWER_PREFIX}{item}")
}

pub fn item_of_key(key: &str) -> Option<&str> {
    key.strip_prefix(ANSWER_PREFIX)
}

pub fn has_key(doc: &Automerge, key: &str) -> Result<bool> {
    Ok(doc.get(ROOT, key)?.is_some())
}

/// The value Automerge shows for `key` (its deterministic winner among concurrent writes),
/// as text; null and absent are both `None`.
pub fn get_text(doc: &Automerge, key: &str) -> Result<Option<String>> {
    Ok(doc.get(ROOT, key)?.and_then(|(value, _)| as_text(&value)))
}

pub fn get_bool(doc: &Automerge, key: &str) -> Result<bool> {
    Ok(matches!(
        doc.get(ROOT, key)?,
        Some((Value::Scalar(s), _)) if matches!(s.as_ref(), ScalarValue::Boolean(true))
    ))
}

/// One of the values a field holds, with who wrote it and when.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Written {
    pub value: Option<String>,
    /// The author named in the change's message: an enumerator, a device or a person.
    pub by: Option<String>,
    /// Milliseconds since the epoch, as the author's clock said.
    pub at: Option<i64>,
}

/// Every distinct value `key` holds. More than one means concurrent writes disagreed. Equal
/// values written concurrently (the same sheet typed identically twice) count once.
pub fn distinct_values(doc: &Automerge, key: &str) -> Result<Vec<Written>> {
    let mut out: Vec<Written> = Vec::new();
    for (value, op) in doc.get_all(ROOT, key)? {
        let value = as_text(&value);
        if out.iter().any(|w| w.value == value) {
            continue;
        }
        let (by, at) = provenance(doc, &op);
        out.push(Written { value, by, at });
    }
    // Automerge returns concurrent values in op order, which is the same on every replica;
    // sort anyway so that what is materialised never depends on it.
    out.sort_by(|a, b| a.value.cmp(&b.value));
    Ok(out)
}

fn provenance(doc: &Automerge, op: &ObjId) -> (Option<String>, Option<i64>) {
    doc.hash_for_opid(op)
        .and_then(|hash| doc.get_change_meta_by_hash(&hash))
        .map(|meta| (meta.message.map(|m| m.into_owned()), Some(meta.timestamp)))
        .unwrap_or((None, None))
}

/// Every answer key present in the document, in key order.
pub fn answer_items(doc: &Automerge) -> Vec<String> {
    doc.keys(ROOT)
        .filter_map(|key| item_of_key(&key).map(str::to_string))
        .collect()
}

fn as_text(value: &Value<'_>) -> Option<String> {
    match value {
        Value::Scalar(s) => match s.as_ref() {
            ScalarValue::Null => None,
            ScalarValue::Str(s) => Some(s.to_string()),
            ScalarValue::Int(n) => Some(n.to_string()),
            ScalarValue::Uint(n) => Some(n.to_string()),
            ScalarValue::Boolean(b) => Some(b.to_string()),
            ScalarValue::F64(f) => Some(f.to_string()),
            other => Some(other.to_string()),
        },
        Value::Object(_) => None,
    }
}

/// A response as its document reads: the header, the answer each item shows, and every
/// item whose concurrent writes disagree, with all their values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    pub id: Uuid,
    pub form: String,
    pub method: Option<String>,
    pub unit: String,
    pub period: String,
    pub channel: String,
    pub serial: Option<String>,
    pub status: String,
    pub deleted: bool,
    /// A supervisor's review; `received` until one is written.
    pub review: ReviewState,
    pub review_note: Option<String>,
    /// Who wrote the header — the enumerator, device or person who captured the response —
    /// as named in that change's message.
    pub created_by: Option<String>,
    /// Item id → the value shown (`None`: asked, not answered).
    pub answers: BTreeMap<String, Option<String>>,
    /// Item id → every value it holds, when there are several.
    pub conflicts: BTreeMap<String, Vec<Written>>,
}

impl Response {
    /// `None` when `doc` is no response: its id is not `id`, or a header field is missing.
    ///
    /// The document's keys are walked once: looking each field up by name costs a search
    /// of the document per field, and the server reads every stored document this way.
    /// Only a field that holds several values is looked at again, for all of them.
    pub fn read(id: Uuid, doc: &Automerge) -> Result<Option<Response>> {
        let mut fields: BTreeMap<String, Field> = BTreeMap::new();
        for item in doc.map_range(ROOT, ..) {
            let op = (item.key == keys::ID).then(|| item.id());
            let value = Value::from(item.value);
            let field = Field {
                yes: matches!(&value, Value::Scalar(s) if matches!(s.as_ref(), ScalarValue::Boolean(true))),
                value: as_text(&value),
                conflict: item.conflict,
                op,
            };
            fields.insert(item.key.into_owned(), field);
        }
        let text = |key: &str| fields.get(key).and_then(|f| f.value.clone());
        if text(keys::ID).as_deref() != Some(id.to_string().as_str()) {
            return Ok(None);
        }
        let mut header = BTreeMap::new();
        for key in keys::HEADER {
            match text(key) {
                Some(value) => header.insert(key, value),
                None => return Ok(None),
            };
        }
        let mut take = |key| header.remove(key).unwrap_or_default();
        let (form, unit, period, channel, status) = (
            take(keys::FORM),
            take(keys::UNIT),
            take(keys::PERIOD),
            take(keys::CHANNEL),
            take(keys::STATUS),
        );
        let mut answers = BTreeMap::new();
        let mut conflicts = BTreeMap::new();
        for (key, field) in &fields {
            let Some(item) = item_of_key(key) else {
                continue;
            };
            answers.insert(item.to_string(), field.value.clone());
            if field.conflict {
                let values = distinct_values(doc, key)?;
                if values.len() > 1 {
                    conflicts.insert(item.to_string(), values);
                }
            }
        }
        // Two typings of one sheet both write the id; op order, the same on every replica,
        // picks the first of them.
        let id_field = &fields[keys::ID];
        let created_by = match (id_field.conflict, &id_field.op) {
            (false, Some(op)) => provenance(doc, op).0,
            _ => distinct_values(doc, keys::ID)?
                .into_iter()
                .next()
                .and_then(|written| written.by),
        };
        Ok(Some(Response {
            id,
            form,
            method: text(keys::METHOD),
            unit,
            period,
            channel,
            serial: text(keys::SERIAL),
            status,
            deleted: fields.get(keys::DELETED).is_some_and(|f| f.yes),
            review: text(keys::REVIEW_STATE)
                .and_then(|state| ReviewState::parse(&state))
                .unwrap_or_default(),
            review_note: text(keys::REVIEW_NOTE),
            created_by,
            answers,
            conflicts,
        }))
    }
}

/// One key of a response document as [`Response::read`] walks it.
struct Field {
    /// The value shown, as text.
    value: Option<String>,
    /// Whether the value shown is the boolean `true`.
    yes: bool,
    /// Whether the key holds several values (concurrent writes, equal or not).
    conflict: bool,
    /// The op that wrote the value shown, kept for the id only.
    op: Option<ObjId>,
}

/// Score slots a materialised row keeps: enough for the largest method (KepMenPAN 25/2004,
/// 14 unsur).
pub const SCORE_SLOTS: usize = 14;

impl Response {
    /// Each unsur's score under `form`, in the order of the form's method; an unanswered or
    /// unreadable answer is `None`.
    pub fn scores(&self, form: &Form) -> [Option<u8>; SCORE_SLOTS] {
        let mut scores = [None; SCORE_SLOTS];
        for (item, value) in &self.answers {
            if let Some(value) = value
                && let Some(slot) = score_slot(form, item)
                && let Ok(Some(Answer::Score(score))) = form.parse_answer(item, value)
            {
                scores[slot] = Some(score.get());
            }
        }
        scores
    }

    /// The service the respondent received, if answered.
    pub fn service(&self) -> Option<&str> {
        self.answers.get(keys::SERVICE_ITEM)?.as_deref()
    }
}

/// The 0-based score slot of a scored item: its unsur's position in the form's method.
pub fn score_slot(form: &Form, item: &str) -> Option<usize> {
    let ItemKind::Scored { unsur, .. } = &form.item(item)?.kind else {
        return None;
    };
    unsur_slot(form.method, unsur)
}

pub fn unsur_slot(method: Method, unsur: &str) -> Option<usize> {
    method.unsur().iter().position(|u| u.id == unsur)
}

#[cfg(test)]
mod tests {
    use automerge::transaction::{CommitOptions, Transactable};

    use super::*;

    fn write(doc: &mut Automerge, by: &str, puts: &[(&str, &str)]) {
        let mut tx = doc.transaction();
        for (key, value) in puts {
            tx.put(ROOT, *key, *value).unwrap();
        }
        tx.commit_with(
            CommitOptions::default()
                .with_message(by.to_string())
                .with_time(7),
        );
    }

    fn started(id: Uuid) -> Automerge {
        let mut doc = Automerge::new();
        let id = id.to_string();
        write(
            &mut doc,
            "Sari",
            &[
                (keys::ID, &id),
                (keys::FORM, "skm-2017"),
                (keys::UNIT, "U-CAPIL"),
                (keys::PERIOD, "2026-S2"),
                (keys::CHANNEL, "paper"),
                (keys::SERIAL, "K-001"),
                (keys::STATUS, "final"),
                ("q.U1", "3"),
                ("q.U2", "4"),
            ],
        );
        doc
    }

    #[test]
    fn a_response_reads_with_its_header_answers_and_the_cells_two_typings_disagree_on() {
        let id = Uuid::now_v7();
        let mut first = started(id);
        let mut second = first.fork();
        write(&mut first, "Sari", &[("q.U1", "2")]);
        write(&mut second, "Budi", &[("q.U1", "1")]);
        first.merge(&mut second).unwrap();

        let response = Response::read(id, &first).unwrap().unwrap();

        assert_eq!(
            (response.unit.as_str(), response.period.as_str()),
            ("U-CAPIL", "2026-S2")
        );
        assert_eq!(response.serial.as_deref(), Some("K-001"));
        assert_eq!(
            response.created_by.as_deref(),
            Some("Sari"),
            "who captured it"
        );
        assert_eq!(response.answers["U2"].as_deref(), Some("4"));
        let values: Vec<_> = response.conflicts["U1"]
            .iter()
            .map(|w| (w.value.as_deref(), w.by.as_deref()))
            .collect();
        assert_eq!(
            values,
            [(Some("1"), Some("Budi")), (Some("2"), Some("Sari"))]
        );
        assert!(!response.conflicts.contains_key("U2"));
    }

    /// What [`Response::read`] must agree with: every field looked up by name.
    fn read_field_by_field(id: Uuid, doc: &Automerge) -> Option<Response> {
        let text = |key: &str| get_text(doc, key).unwrap();
        if text(keys::ID)? != id.to_string() {
            return None;
        }
        let mut answers = BTreeMap::new();
        let mut conflicts = BTreeMap::new();
        for item in answer_items(doc) {
            let key = answer_key(&item);
            answers.insert(item.clone(), text(&key));
            let values = distinct_values(doc, &key).unwrap();
            if values.len() > 1 {
                conflicts.insert(item, values);
            }
        }
        Some(Response {
            id,
            form: text(keys::FORM)?,
            method: text(keys::METHOD),
            unit: text(keys::UNIT)?,
            period: text(keys::PERIOD)?,
            channel: text(keys::CHANNEL)?,
            serial: text(keys::SERIAL),
            status: text(keys::STATUS)?,
            deleted: get_bool(doc, keys::DELETED).unwrap(),
            review: text(keys::REVIEW_STATE)
                .and_then(|s| ReviewState::parse(&s))
                .unwrap_or_default(),
            review_note: text(keys::REVIEW_NOTE),
            created_by: distinct_values(doc, keys::ID).unwrap()[0].by.clone(),
            answers,
            conflicts,
        })
    }

    #[test]
    fn walking_the_keys_once_reads_what_looking_each_field_up_reads() {
        let id = Uuid::now_v7();
        let mut doc = started(id);
        let check = |doc: &Automerge, what: &str| {
            assert_eq!(
                Response::read(id, doc).unwrap(),
                read_field_by_field(id, doc),
                "{what}"
            );
        };
        check(&doc, "as captured");

        // The same sheet typed identically by a second clerk: the id and the answers are
        // written twice with equal values, by Budi this time.
        let mut second = Automerge::new();
        write(
            &mut second,
            "Budi",
            &[(keys::ID, &id.to_string()), ("q.U1", "3"), ("q.U3", "")],
        );
        doc.merge(&mut second).unwrap();
        check(&doc, "typed twice, once differently");

        let mut other = doc.fork();
        write(
            &mut doc,
            "Sari",
            &[("q.U2", "1"), (keys::REVIEW_STATE, "approved")],
        );
        write(
            &mut other,
            "Pengawas",
            &[("q.U2", "2"), (keys::REVIEW_NOTE, "cek")],
        );
        doc.merge(&mut other).unwrap();
        check(&doc, "edited on two devices");

        let mut tx = doc.transaction();
        tx.put(ROOT, keys::DELETED, true).unwrap();
        tx.put(ROOT, keys::METHOD, ScalarValue::Null).unwrap();
        tx.commit();
        assert!(Response::read(id, &doc).unwrap().unwrap().deleted);
        check(&doc, "deleted");

        let mut tx = doc.transaction();
        tx.put(ROOT, keys::DELETED, "true").unwrap();
        tx.commit();
        assert!(
            !Response::read(id, &doc).unwrap().unwrap().deleted,
            "only a boolean deletes"
        );
        check(&doc, "a text where the flag belongs");
    }

    #[test]
    fn a_document_without_the_header_or_under_another_id_is_no_response() {
        let id = Uuid::now_v7();
        assert_eq!(Response::read(Uuid::now_v7(), &started(id)).unwrap(), None);
        let mut junk = Automerge::new();
        write(&mut junk, "x", &[("hello", "world")]);
        assert_eq!(Response::read(id, &junk).unwrap(), None);
    }
}
