//! Which changes may enter a response document, decided one change at a time, before it is
//! stored and without loading the document.
//!
//! A replica receives changes from devices it does not control: a forged bundle, a device
//! with a bug, a person with a token and a script. What it stores it forwards to every other
//! device of the unit, so it checks what each change *claims*:
//!
//! - it writes only scalars into the root map, as every response does ([`keys`]);
//! - it never writes `kind`, which would make the document claim to be a unit's
//!   configuration — configuration lives only in the unit's reserved document
//!   ([`crate::config::unit_document_id`]) and comes only from the server;
//! - the id it writes, if any, is its document's;
//! - a change that starts a document (one with no dependencies) writes the whole header —
//!   id, form, unit, period, channel and status — since every creator of a response does.
//!
//! Which unit a change belongs to is what [`Admitted::unit`] reports when the change writes
//! one; a change that writes none belongs to the unit its document already belongs to, which
//! only the replica holding the document can tell.

use automerge::legacy::{Key, ObjectId, OpType};
use automerge::{Change, ScalarValue};
use uuid::Uuid;

use crate::Refusal;
use crate::config;
use crate::keys;

/// What an admitted change says about its document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Admitted {
    /// The unit the change writes into the document, when it writes one.
    pub unit: Option<String>,
    /// Whether the change starts the document (it depends on no earlier change). Two devices
    /// typing the same paper sheet each start it; both starts carry the full header.
    pub creates: bool,
    /// Whether it writes a supervisor's review, which only the server writes.
    pub reviews: bool,
}

/// Checks that `change`, sent as a change of document `doc`, can belong to a response.
pub fn response_change(doc: Uuid, change: &Change) -> Result<Admitted, Refusal> {
    let expanded = change.decode();
    let mut unit = None;
    let mut reviews = false;
    let mut written: Vec<&'static str> = Vec::new();
    for op in &expanded.operations {
        if op.obj != ObjectId::Root {
            return Err(Refusal::NotFlat {
                doc,
                what: "it writes inside a nested object",
            });
        }
        let Key::Map(key) = &op.key else {
            return Err(Refusal::NotFlat {
                doc,
                what: "it writes a list position",
            });
        };
        let key = key.as_str();
        if key == config::KIND {
            return Err(Refusal::ClaimsConfiguration { doc });
        }
        reviews |= key == keys::REVIEW_STATE || key == keys::REVIEW_NOTE;
        let value = match &op.action {
            OpType::Put(value) => Some(value),
            OpType::Delete => None,
            OpType::Make(_) => {
                return Err(Refusal::NotFlat {
                    doc,
                    what: "it creates a nested object",
                });
            }
            OpType::Increment(_) => {
                return Err(Refusal::NotFlat {
                    doc,
                    what: "it increments a counter",
                });
            }
            OpType::MarkBegin(_) | OpType::MarkEnd(_) => {
                return Err(Refusal::NotFlat {
                    doc,
                    what: "it marks text",
                });
            }
        };
        let Some(header_key) = keys::HEADER.into_iter().find(|k| *k == key) else {
            continue;
        };
        let Some(value) = value else {
            // Settling a conflict clears a field and writes it again in one change.
            continue;
        };
        let text = match value {
            ScalarValue::Str(text) => text.as_str(),
            ScalarValue::Null if header_key != keys::ID && header_key != keys::UNIT => continue,
            _ => {
                return Err(Refusal::NotText {
                    doc,
                    key: header_key,
                });
            }
        };
        if header_key == keys::ID && text != doc.to_string() {
            return Err(Refusal::WrongId {
                doc,
                claimed: text.to_string(),
            });
        }
        if header_key == keys::UNIT {
            unit = Some(text.to_string());
        }
        written.push(header_key);
    }
    let creates = change.deps().is_empty();
    if creates && let Some(missing) = keys::HEADER.into_iter().find(|k| !written.contains(k)) {
        return Err(Refusal::MissingHeader { doc, missing });
    }
    Ok(Admitted {
        unit,
        creates,
        reviews,
    })
}

#[cfg(test)]
mod tests {
    use automerge::transaction::Transactable;
    use automerge::{Automerge, ObjType, ROOT};

    use super::*;

    fn header(id: Uuid, unit: &str) -> Vec<(&'static str, String)> {
        vec![
            (keys::ID, id.to_string()),
            (keys::FORM, "skm-2017".into()),
            (keys::UNIT, unit.into()),
            (keys::PERIOD, "2026-S2".into()),
            (keys::CHANNEL, "paper".into()),
            (keys::STATUS, "final".into()),
        ]
    }

    fn commit(doc: &mut Automerge, puts: &[(&str, String)]) -> Change {
        let mut tx = doc.transaction();
        for (key, value) in puts {
            tx.put(ROOT, *key, value.as_str()).unwrap();
        }
        tx.commit();
        doc.get_last_local_change().unwrap().clone()
    }

    #[test]
    fn a_response_start_is_admitted_with_its_unit() {
        let id = Uuid::now_v7();
        let mut doc = Automerge::new();
        let mut puts = header(id, "U-CAPIL");
        puts.push(("q.U1", "4".into()));
        let admitted = response_change(id, &commit(&mut doc, &puts)).unwrap();
        assert_eq!(
            admitted,
            Admitted {
                unit: Some("U-CAPIL".into()),
                creates: true,
                reviews: false,
            }
        );
    }

    #[test]
    fn an_edit_writes_no_unit_and_needs_no_header() {
        let id = Uuid::now_v7();
        let mut doc = Automerge::new();
        commit(&mut doc, &header(id, "U-CAPIL"));
        let edit = commit(&mut doc, &[("q.U1", "2".into())]);
        assert_eq!(
            response_change(id, &edit).unwrap(),
            Admitted {
                unit: None,
                creates: false,
                reviews: false,
            }
        );
    }

    #[test]
    fn a_document_claiming_to_be_configuration_is_refused() {
        let id = Uuid::now_v7();
        let mut doc = Automerge::new();
        let mut puts = header(id, "U-CAPIL");
        puts.push((config::KIND, config::KIND_UNIT.into()));
        puts.push((config::PERIOD, "2099-S9".into()));
        assert_eq!(
            response_change(id, &commit(&mut doc, &puts)),
            Err(Refusal::ClaimsConfiguration { doc: id })
        );
        // A later change may not turn a response into configuration either.
        let mut doc = Automerge::new();
        commit(&mut doc, &header(id, "U-CAPIL"));
        let turn = commit(&mut doc, &[(config::KIND, config::KIND_UNIT.into())]);
        assert_eq!(
            response_change(id, &turn),
            Err(Refusal::ClaimsConfiguration { doc: id })
        );
    }

    #[test]
    fn a_document_of_arbitrary_content_is_no_response() {
        let id = Uuid::now_v7();
        let mut doc = Automerge::new();
        let change = commit(&mut doc, &[("hello", "world".into())]);
        assert_eq!(
            response_change(id, &change),
            Err(Refusal::MissingHeader {
                doc: id,
                missing: keys::ID
            })
        );
    }

    #[test]
    fn a_change_naming_another_document_is_refused() {
        let (id, other) = (Uuid::now_v7(), Uuid::now_v7());
        let mut doc = Automerge::new();
        let change = commit(&mut doc, &header(other, "U-CAPIL"));
        assert!(matches!(
            response_change(id, &change),
            Err(Refusal::WrongId { .. })
        ));
    }

    #[test]
    fn nested_objects_and_counters_are_refused() {
        let id = Uuid::now_v7();
        let mut doc = Automerge::new();
        commit(&mut doc, &header(id, "U-CAPIL"));
        let mut tx = doc.transaction();
        tx.put_object(ROOT, "profile", ObjType::Map).unwrap();
        tx.commit();
        let nested = doc.get_last_local_change().unwrap().clone();
        assert!(matches!(
            response_change(id, &nested),
            Err(Refusal::NotFlat { .. })
        ));

        let mut tx = doc.transaction();
        tx.put(ROOT, "n", ScalarValue::counter(1)).unwrap();
        tx.increment(ROOT, "n", 2).unwrap();
        tx.commit();
        let counter = doc.get_last_local_change().unwrap().clone();
        assert!(matches!(
            response_change(id, &counter),
            Err(Refusal::NotFlat { .. })
        ));
    }

    #[test]
    fn a_unit_written_as_a_number_is_refused() {
        let id = Uuid::now_v7();
        let mut doc = Automerge::new();
        let mut tx = doc.transaction();
        for (key, value) in header(id, "U-CAPIL") {
            if key != keys::UNIT {
                tx.put(ROOT, key, value).unwrap();
            }
        }
        tx.put(ROOT, keys::UNIT, 7_i64).unwrap();
        tx.commit();
        let change = doc.get_last_local_change().unwrap().clone();
        assert_eq!(
            response_change(id, &change),
            Err(Refusal::NotText {
                doc: id,
                key: keys::UNIT
            })
        );
    }
}
