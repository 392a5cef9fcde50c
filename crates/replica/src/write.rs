//! Local writes: capture, edit, finalise, delete, restore and resolve. Each is one SQLite
//! transaction holding one Automerge change, its log entry and the rebuilt rows.
//!
//! Input is parsed before the transaction starts, so a bad answer changes nothing.

use std::collections::BTreeMap;

use automerge::{ActorId, Automerge};
use serde::Serialize;
use simpul_document::identity::new_response_id;
use simpul_document::write::{self, Capture, Header};
use simpul_survey::{Answer, Form};
use uuid::Uuid;

use crate::doc::{self, Author};
use crate::model::{Channel, PaperSerial, PeriodCode, Status, UnitCode, paper_response_id};
use crate::store::{Origin, Session};
use crate::{Error, Replica, Result};

/// A questionnaire as typed or tapped: raw answers keyed by item id or alias.
#[derive(Clone, Debug)]
pub struct NewResponse {
    pub channel: Channel,
    /// The form; the device's active form when `None`.
    pub form: Option<String>,
    /// The unit and period; the device's active ones when `None`.
    pub unit: Option<UnitCode>,
    pub period: Option<PeriodCode>,
    /// Required for paper questionnaires: it is their identity.
    pub serial: Option<PaperSerial>,
    pub answers: Vec<(String, String)>,
    pub status: Status,
    pub author: Author,
}

/// A [`NewResponse`] whose every answer has been parsed against its form.
#[derive(Clone, Debug)]
pub struct Prepared {
    id: Uuid,
    form: String,
    unit: UnitCode,
    period: PeriodCode,
    channel: Channel,
    serial: Option<PaperSerial>,
    status: Status,
    /// Every item of the form, `None` where unanswered.
    answers: BTreeMap<String, Option<Answer>>,
    author: Author,
}

impl Prepared {
    pub fn id(&self) -> Uuid {
        self.id
    }

    /// Keep an id the response already has elsewhere (a CSV export being imported back).
    pub(crate) fn set_id(&mut self, id: Uuid) {
        self.id = id;
    }
}

/// What a capture did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Captured {
    /// A new response.
    Created { id: Uuid },
    /// The same paper sheet, typed identically, was already here: nothing written.
    AlreadyPresent { id: Uuid },
    /// The same paper sheet was already here with other values in `differing`: this entry was
    /// written beside it, and those cells are now conflicts to review (double data entry).
    Merged { id: Uuid, differing: Vec<String> },
}

impl Captured {
    pub fn id(&self) -> Uuid {
        match self {
            Captured::Created { id } | Captured::AlreadyPresent { id } => *id,
            Captured::Merged { id, .. } => *id,
        }
    }
}

impl Replica {
    /// Parse and check a questionnaire without writing anything.
    pub fn prepare(&self, new: NewResponse) -> Result<Prepared> {
        let form_id = match new.form {
            Some(form) => form,
            None => self.active_form()?,
        };
        let form = self.form(Some(&form_id))?;
        let unit = new.unit.unwrap_or_else(|| self.settings().unit.clone());
        let period = match new.period {
            Some(period) => period,
            None => self.active_period()?,
        };
        let mut answers = parse_answers(form, &new.answers)?;
        for item in &form.items {
            answers.entry(item.id.clone()).or_insert(None);
        }
        // A paper sheet is what it is, blanks included; electronic channels must be complete.
        if new.status == Status::Final && new.channel != Channel::Paper {
            form.check_required(|id| matches!(answers.get(id), Some(Some(_))))?;
        }
        let id = match (new.channel, &new.serial) {
            (Channel::Paper, Some(serial)) => paper_response_id(&unit, &period, serial),
            (Channel::Paper, None) => return Err(Error::MissingSerial),
            _ => new_response_id(),
        };
        Ok(Prepared {
            id,
            form: form.id.clone(),
            unit,
            period,
            channel: new.channel,
            serial: new.serial,
            status: new.status,
            answers,
            author: new.author,
        })
    }

    /// Capture one questionnaire.
    pub fn capture(&mut self, new: NewResponse) -> Result<Captured> {
        let prepared = self.prepare(new)?;
        let mut out = self.capture_all(vec![prepared])?;
        Ok(out.pop().expect("one in, one out"))
    }

    /// Capture several prepared questionnaires in one transaction (bulk paper entry).
    pub fn capture_all(&mut self, prepared: Vec<Prepared>) -> Result<Vec<Captured>> {
        let mut session = self.session()?;
        let mut out = Vec::with_capacity(prepared.len());
        for p in prepared {
            out.push(capture_in(&mut session, p)?);
        }
        session.commit()?;
        Ok(out)
    }

    /// Change answers of an existing response. Answers equal to what is there are skipped,
    /// so an edit that changes nothing writes nothing.
    pub fn edit(&mut self, id: Uuid, answers: &[(String, String)], author: &Author) -> Result<()> {
        self.modify(id, author, |form, _| {
            let parsed = parse_answers(form, answers)?;
            Ok(parsed
                .into_iter()
                .map(|(item, answer)| (doc::answer_key(&item), answer.map(|a| a.to_raw())))
                .collect())
        })
    }

    /// Mark a response complete. Electronic responses must have every required item.
    pub fn finalise(&mut self, id: Uuid, author: &Author) -> Result<()> {
        self.modify(id, author, |form, doc| {
            let channel = doc::get_text(doc, doc::CHANNEL)?;
            if channel.as_deref() != Some(Channel::Paper.code()) {
                form.check_required(|item| {
                    matches!(doc::get_text(doc, &doc::answer_key(item)), Ok(Some(_)))
                })?;
            }
            Ok(vec![(
                doc::STATUS.to_string(),
                Some(Status::Final.code().to_string()),
            )])
        })
    }

    /// Delete a response: a tombstone, so the deletion syncs like any edit and can be undone.
    pub fn delete(&mut self, id: Uuid, author: &Author) -> Result<()> {
        self.set_deleted(id, author, true)
    }

    /// Undo a deletion.
    pub fn restore(&mut self, id: Uuid, author: &Author) -> Result<()> {
        self.set_deleted(id, author, false)
    }

    /// Settle a field holding several concurrent values by choosing one of them. The choice is
    /// an ordinary change that supersedes every value it saw.
    pub fn resolve(&mut self, id: Uuid, field: &str, raw: &str, author: &Author) -> Result<()> {
        self.write_to(id, author, |form, doc, author| {
            let item = form
                .find_item(field)
                .ok_or_else(|| simpul_survey::Error::UnknownItem(field.to_string()))?;
            let chosen = form.parse_answer(&item.id, raw)?.map(|a| a.to_raw());
            let key = doc::answer_key(&item.id);
            let values = doc::distinct_values(doc, &key)?;
            if !values.iter().any(|w| w.value == chosen) {
                return Err(Error::NotAConflictValue {
                    response: id.to_string(),
                    field: item.id.clone(),
                    value: raw.to_string(),
                });
            }
            Ok(write::settle(doc, author, &key, chosen.as_deref())?)
        })
    }

    fn set_deleted(&mut self, id: Uuid, author: &Author, deleted: bool) -> Result<()> {
        let mut session = self.session()?;
        let doc = session
            .doc(id)?
            .ok_or_else(|| Error::UnknownResponse(id.to_string()))?;
        if let Some(change) = write::set_deleted(doc, author, deleted)? {
            session.log_change(id, &change, Origin::Local)?;
        }
        session.commit()
    }

    /// One change to an existing, not deleted response: `plan` reads the document and says
    /// which keys get which values ([`write::set_fields`] skips those already so).
    fn modify(
        &mut self,
        id: Uuid,
        author: &Author,
        plan: impl FnOnce(&Form, &Automerge) -> Result<Vec<(String, Option<String>)>>,
    ) -> Result<()> {
        self.write_to(id, author, |form, doc, author| {
            let fields = plan(form, doc)?;
            Ok(write::set_fields(doc, author, &fields)?)
        })
    }

    /// Lets `edit` write at most one change to an existing, not deleted response, and logs it
    /// in the same transaction.
    fn write_to(
        &mut self,
        id: Uuid,
        author: &Author,
        edit: impl FnOnce(&Form, &mut Automerge, &Author) -> Result<Option<automerge::Change>>,
    ) -> Result<()> {
        let mut session = self.session()?;
        let forms = session.forms;
        let doc = session
            .doc(id)?
            .ok_or_else(|| Error::UnknownResponse(id.to_string()))?;
        if doc::get_bool(doc, doc::DELETED)? {
            return Err(Error::Deleted(id.to_string()));
        }
        let form_id = doc::get_text(doc, doc::FORM)?.unwrap_or_default();
        let form = forms
            .get(&form_id)
            .ok_or_else(|| Error::UnknownForm(form_id.clone()))?;
        if let Some(change) = edit(form, doc, author)? {
            session.log_change(id, &change, Origin::Local)?;
        }
        session.commit()
    }
}

/// Parse raw `(item or alias, value)` pairs against `form`; each error names the item.
fn parse_answers(
    form: &Form,
    raw: &[(String, String)],
) -> Result<BTreeMap<String, Option<Answer>>> {
    let mut out = BTreeMap::new();
    for (name, value) in raw {
        let item = form
            .find_item(name)
            .ok_or_else(|| simpul_survey::Error::UnknownItem(name.clone()))?;
        out.insert(item.id.clone(), form.parse_answer(&item.id, value)?);
    }
    Ok(out)
}

pub(crate) fn capture_in(session: &mut Session<'_>, p: Prepared) -> Result<Captured> {
    let form = session
        .forms
        .get(&p.form)
        .ok_or_else(|| Error::UnknownForm(p.form.clone()))?;
    let answers: BTreeMap<String, Option<String>> = p
        .answers
        .iter()
        .map(|(item, answer)| (item.clone(), answer.as_ref().map(Answer::to_raw)))
        .collect();
    let capture = Capture {
        header: Header {
            id: p.id,
            form: &form.id,
            method: form.method.code(),
            unit: p.unit.as_str(),
            period: p.period.as_str(),
            channel: p.channel.code(),
            serial: p.serial.as_ref().map(PaperSerial::as_str),
            status: p.status.code(),
        },
        answers: &answers,
        paper: p.channel == Channel::Paper,
    };

    let Some(existing) = session.doc(p.id)? else {
        let doc = session.doc_or_new(p.id)?;
        let change = capture.write(doc, &p.author)?;
        session.log_change(p.id, &change, Origin::Local)?;
        return Ok(Captured::Created { id: p.id });
    };

    // The same sheet again. This very typing was recorded before (perhaps its disagreements
    // were settled since): nothing to add.
    if capture.paper && doc::has_key(existing, &capture.typing_key())? {
        return Ok(Captured::AlreadyPresent { id: p.id });
    }
    // Cells matching a value already there are no news.
    let mut differing = Vec::new();
    for (item, value) in &answers {
        let values = doc::distinct_values(existing, &doc::answer_key(item))?;
        if !values.iter().any(|w| w.value == *value) {
            differing.push(item.clone());
        }
    }
    if differing.is_empty() {
        return Ok(Captured::AlreadyPresent { id: p.id });
    }
    // Write this entry as if typed on a machine that never saw the first one: a fresh actor
    // and no dependencies, so every differing cell ends up holding both values.
    let mut entry = Automerge::new().with_actor(ActorId::random());
    let change = capture.write(&mut entry, &p.author)?;
    existing.apply_changes([change.clone()])?;
    session.log_change(p.id, &change, Origin::Local)?;
    Ok(Captured::Merged {
        id: p.id,
        differing,
    })
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::Filter;

    fn replica() -> (tempfile::TempDir, Replica) {
        crate::testing::replica("test")
    }

    fn answers(scores: [&str; 9]) -> Vec<(String, String)> {
        scores
            .iter()
            .enumerate()
            .map(|(i, s)| (format!("U{}", i + 1), s.to_string()))
            .collect()
    }

    fn new(channel: Channel, serial: Option<&str>, answers: Vec<(String, String)>) -> NewResponse {
        NewResponse {
            channel,
            form: None,
            unit: None,
            period: None,
            serial: serial.map(|s| PaperSerial::parse(s).unwrap()),
            answers,
            status: Status::Final,
            author: Author::new("Sari", Utc::now()),
        }
    }

    fn all() -> Filter {
        Filter {
            include_deleted: true,
            ..Filter::default()
        }
    }

    #[test]
    fn an_invalid_answer_is_refused_and_writes_nothing() {
        let (_dir, mut replica) = replica();
        let mut bad = answers(["4"; 9]);
        bad[2].1 = "7".into();
        let err = replica
            .capture(new(Channel::Interview, None, bad))
            .unwrap_err();
        assert!(err.to_string().contains("U3"), "{err}");
        assert!(err.to_string().contains('7'), "{err}");
        assert_eq!(replica.last_seq().unwrap(), 0);
        assert!(replica.list(&all()).unwrap().is_empty());
    }

    #[test]
    fn a_final_interview_must_answer_every_unsur_but_paper_may_have_blanks() {
        let (_dir, mut replica) = replica();
        let mut partial = answers(["4"; 9]);
        partial.truncate(8);
        let err = replica
            .capture(new(Channel::Interview, None, partial.clone()))
            .unwrap_err();
        assert!(err.to_string().contains("U9"), "{err}");
        let paper = replica
            .capture(new(Channel::Paper, Some("K-1"), partial))
            .unwrap();
        assert!(matches!(paper, Captured::Created { .. }));
    }

    #[test]
    fn a_draft_can_be_finalised_only_once_complete() {
        let (_dir, mut replica) = replica();
        let mut draft = new(Channel::Interview, None, answers(["3"; 9])[..4].to_vec());
        draft.status = Status::Draft;
        let id = replica.capture(draft).unwrap().id();
        let author = Author::new("Sari", Utc::now());
        assert!(replica.finalise(id, &author).is_err());
        replica.edit(id, &answers(["3"; 9]), &author).unwrap();
        replica.finalise(id, &author).unwrap();
        assert_eq!(replica.show(id).unwrap().summary.status, "final");
    }

    #[test]
    fn an_edit_that_changes_nothing_writes_no_change() {
        let (_dir, mut replica) = replica();
        let id = replica
            .capture(new(Channel::Interview, None, answers(["4"; 9])))
            .unwrap()
            .id();
        let before = replica.last_seq().unwrap();
        let author = Author::new("Sari", Utc::now());
        replica
            .edit(id, &[("U1".into(), "4".into())], &author)
            .unwrap();
        assert_eq!(replica.last_seq().unwrap(), before);
        replica
            .edit(id, &[("U1".into(), "2".into())], &author)
            .unwrap();
        assert_eq!(replica.last_seq().unwrap(), before + 1);
    }

    #[test]
    fn the_same_sheet_typed_identically_again_is_already_present() {
        let (_dir, mut replica) = replica();
        let first = replica
            .capture(new(Channel::Paper, Some("k-7"), answers(["4"; 9])))
            .unwrap();
        let again = replica
            .capture(new(Channel::Paper, Some("K-7 "), answers(["4"; 9])))
            .unwrap();
        assert_eq!(again, Captured::AlreadyPresent { id: first.id() });
        assert_eq!(replica.list(&all()).unwrap().len(), 1);
    }

    #[test]
    fn a_second_typing_that_differs_becomes_conflicts_on_exactly_those_cells() {
        let (_dir, mut replica) = replica();
        let id = replica
            .capture(new(Channel::Paper, Some("K-8"), answers(["4"; 9])))
            .unwrap()
            .id();
        let mut second = answers(["4"; 9]);
        second[2].1 = "3".into();
        second.push(("saran".into(), "lebih cepat".into()));
        let merged = replica
            .capture(new(Channel::Paper, Some("K-8"), second))
            .unwrap();
        assert_eq!(
            merged,
            Captured::Merged {
                id,
                differing: vec!["U3".into(), "saran".into()]
            }
        );
        let fields: Vec<String> = replica
            .conflicts(&Filter::default())
            .unwrap()
            .into_iter()
            .map(|c| c.field)
            .collect();
        assert_eq!(fields, ["U3", "saran"]);
    }

    #[test]
    fn resolving_keeps_the_chosen_value_and_clears_the_conflict() {
        let (_dir, mut replica) = replica();
        let id = replica
            .capture(new(Channel::Paper, Some("K-9"), answers(["4"; 9])))
            .unwrap()
            .id();
        let mut second = answers(["4"; 9]);
        second[0].1 = "2".into();
        replica
            .capture(new(Channel::Paper, Some("K-9"), second))
            .unwrap();
        let author = Author::new("Supervisor", Utc::now());
        let err = replica.resolve(id, "U1", "3", &author).unwrap_err();
        assert!(matches!(err, Error::NotAConflictValue { .. }), "{err}");
        replica.resolve(id, "u1", "2", &author).unwrap();
        assert!(replica.conflicts(&Filter::default()).unwrap().is_empty());
        let detail = replica.show(id).unwrap();
        let u1 = detail.answers.iter().find(|a| a.item == "U1").unwrap();
        assert_eq!(u1.value.as_deref(), Some("2"));
    }

    #[test]
    fn a_deleted_response_leaves_lists_and_reports_until_restored() {
        let (_dir, mut replica) = replica();
        let id = replica
            .capture(new(Channel::Kiosk, None, answers(["1"; 9])))
            .unwrap()
            .id();
        let author = Author::new("Sari", Utc::now());
        replica.delete(id, &author).unwrap();
        assert!(replica.list(&Filter::default()).unwrap().is_empty());
        assert_eq!(
            replica
                .report(&Filter::default(), Default::default())
                .unwrap()
                .n,
            0
        );
        assert!(matches!(
            replica.edit(id, &[("U1".into(), "2".into())], &author),
            Err(Error::Deleted(_))
        ));
        replica.restore(id, &author).unwrap();
        assert_eq!(
            replica
                .report(&Filter::default(), Default::default())
                .unwrap()
                .n,
            1
        );
    }

    #[test]
    fn identical_interviews_in_the_same_millisecond_are_two_responses_with_two_changes() {
        let (_dir, mut replica) = replica();
        let same = new(Channel::Interview, None, answers(["4"; 9]));
        let prepared = vec![
            replica.prepare(same.clone()).unwrap(),
            replica.prepare(same).unwrap(),
        ];
        replica.capture_all(prepared).unwrap();
        assert_eq!(replica.list(&all()).unwrap().len(), 2);
        let (entries, _) = replica.changes_since(0).unwrap();
        assert_eq!(entries.len(), 2);
        assert_ne!(entries[0].doc, entries[1].doc);
    }

    #[test]
    fn a_replica_holding_two_methods_asks_which_one_to_report() {
        let (_dir, mut replica) = replica();
        replica
            .capture(new(Channel::Interview, None, answers(["4"; 9])))
            .unwrap();
        let mut old = new(Channel::Paper, Some("A-1"), Vec::new());
        old.form = Some("skm-2004".into());
        old.answers = (1..=14)
            .map(|u| (format!("U{u}"), "2".to_string()))
            .collect();
        replica.capture(old).unwrap();
        let err = replica
            .report(&Filter::default(), Default::default())
            .unwrap_err();
        assert!(matches!(err, Error::MixedMethods(_)), "{err}");
        let filter = Filter {
            method: Some(simpul_survey::Method::Kepmenpan25_2004),
            ..Filter::default()
        };
        let report = replica.report(&filter, Default::default()).unwrap();
        assert_eq!((report.n, report.ikm), (1, Some(50.0)));
    }
}
