//! The responses on this device: the list, one opened in full, and the changes a supervisor
//! makes — edit, delete and its undo, settling a conflict. Every change is an ordinary
//! change by the signed-in enumerator, so it syncs and merges like a capture.

use std::collections::BTreeMap;

use simpul_replica::{Filter, Replica};
use simpul_survey::Lang;
use uuid::Uuid;

use crate::error::{ErrorCode, OrApp};
use crate::ipc::{AnswerView, ConflictView, ResponseDetail, ResponseFilter, ResponseRow};
use crate::views::{conflict_view, display, row};
use crate::{App, AppError, Result};

impl App {
    /// Responses matching `filter`, newest first.
    pub fn list_responses(&self, filter: ResponseFilter) -> Result<Vec<ResponseRow>> {
        let device = self.device();
        let replica = device.replica()?;
        let filter = crate::views::filter(&filter);
        let mut rows: Vec<ResponseRow> = replica
            .list(&filter)
            .or_app(device.lang)?
            .iter()
            .map(row)
            .collect();
        rows.reverse();
        Ok(rows)
    }

    pub fn open_response(&self, id: String) -> Result<ResponseDetail> {
        let device = self.device();
        let id = response_id(&id, device.lang)?;
        detail(device.replica()?, id, device.lang)
    }

    /// Change answers; an empty value clears one. Unchanged answers write nothing.
    pub fn edit_response(
        &self,
        id: String,
        answers: BTreeMap<String, String>,
    ) -> Result<ResponseDetail> {
        self.change(&id, |replica, id, author| {
            let answers: Vec<(String, String)> = answers.into_iter().collect();
            replica.edit(id, &answers, author)
        })
    }

    /// Delete: a tombstone that syncs like any edit and can be undone.
    pub fn delete_response(&self, id: String) -> Result<ResponseDetail> {
        self.change(&id, |replica, id, author| replica.delete(id, author))
    }

    pub fn restore_response(&self, id: String) -> Result<ResponseDetail> {
        self.change(&id, |replica, id, author| replica.restore(id, author))
    }

    /// Settle a conflict by choosing one of its values (`""` = unanswered).
    pub fn resolve_conflict(
        &self,
        id: String,
        field: String,
        value: String,
    ) -> Result<ResponseDetail> {
        self.change(&id, |replica, id, author| {
            replica.resolve(id, &field, &value, author)
        })
    }

    /// Every unresolved conflict among the responses not deleted: the double-entry review.
    pub fn conflicts(&self) -> Result<Vec<ConflictView>> {
        let device = self.device();
        let replica = device.replica()?;
        let conflicts = replica.conflicts(&Filter::default()).or_app(device.lang)?;
        let mut views = Vec::with_capacity(conflicts.len());
        for conflict in &conflicts {
            let form_id = replica
                .show(conflict.response)
                .or_app(device.lang)?
                .summary
                .form;
            let form = replica.form(Some(&form_id)).ok();
            views.push(conflict_view(conflict, form, device.lang));
        }
        Ok(views)
    }

    /// One write to response `id` by the signed-in enumerator, then the response as it now is.
    fn change(
        &self,
        id: &str,
        write: impl FnOnce(&mut Replica, Uuid, &simpul_replica::Author) -> simpul_replica::Result<()>,
    ) -> Result<ResponseDetail> {
        let mut device = self.device();
        let lang = device.lang;
        let author = device.author()?;
        let id = response_id(id, lang)?;
        let replica = device.replica_mut()?;
        write(replica, id, &author).or_app(lang)?;
        let detail = detail(replica, id, lang);
        drop(device);
        self.wrote();
        detail
    }
}

fn detail(replica: &Replica, id: Uuid, lang: Lang) -> Result<ResponseDetail> {
    let detail = replica.show(id).or_app(lang)?;
    let form = replica.form(Some(&detail.summary.form)).ok();
    let value = |item: &str| {
        detail
            .answers
            .iter()
            .find(|a| a.item == item)
            .and_then(|a| a.value.clone())
    };
    let answers = match form {
        Some(form) => form
            .items
            .iter()
            .map(|item| {
                let value = value(&item.id);
                AnswerView {
                    item: item.id.clone(),
                    label: item.label.get(lang).to_string(),
                    display: display(form, &item.id, value.as_deref(), lang),
                    value,
                }
            })
            .collect(),
        // A form this build does not know: the stored answers as they are.
        None => detail
            .answers
            .iter()
            .map(|a| AnswerView {
                item: a.item.clone(),
                label: a.item.clone(),
                value: a.value.clone(),
                display: a.value.clone(),
            })
            .collect(),
    };
    Ok(ResponseDetail {
        row: row(&detail.summary),
        answers,
        conflicts: detail
            .conflicts
            .iter()
            .map(|c| conflict_view(c, form, lang))
            .collect(),
        unsynced: replica.unsynced(id).or_app(lang)?,
    })
}

fn response_id(raw: &str, lang: Lang) -> Result<Uuid> {
    Uuid::parse_str(raw.trim()).map_err(|_| {
        AppError::new(
            ErrorCode::NotFound,
            simpul_replica::Error::UnknownResponse(raw.to_string()).localized(lang),
        )
    })
}
