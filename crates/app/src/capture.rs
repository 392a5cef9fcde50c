//! Capturing: the form to draw, one answer checked as it is typed, interview and kiosk
//! drafts saved after every answer, and paper sheets typed into the grid.

use chrono::Utc;
use simpul_replica::{Captured, Channel, NewResponse, PaperSerial, Status};
use simpul_survey::Lang;
use uuid::Uuid;

use crate::error::{ErrorCode, OrApp, fail};
use crate::ipc::{Draft, FormView, PaperRow, Saved, SavedOutcome};
use crate::views::{form_view, time};
use crate::{App, AppError, Result};

impl App {
    /// The active form, labels in the current language.
    pub fn form(&self) -> Result<FormView> {
        let device = self.device();
        Ok(form_view(device.active_form()?, device.lang))
    }

    /// `None` when `raw` is a fine answer to `item` (blank included: whether it may be blank
    /// is decided on submitting); otherwise the message to show beside the field.
    pub fn check_answer(&self, item: String, raw: String) -> Result<Option<String>> {
        let device = self.device();
        let form = device.active_form()?;
        Ok(form
            .parse_answer(&item, &raw)
            .err()
            .map(|e| e.localized(device.lang)))
    }

    /// The unfinished draft of `channel`, or a fresh one saved at once, so that even an
    /// untouched questionnaire reopens after a restart.
    pub fn draft_open(&self, channel: Channel) -> Result<Draft> {
        let mut device = self.device();
        let lang = device.lang;
        let channel = draft_channel(channel, lang)?;
        let replica = device.replica_mut()?;
        let draft = match replica.open_draft(channel).or_app(lang)? {
            Some(draft) => draft,
            None => {
                let draft = simpul_replica::Draft::new(channel, Utc::now());
                replica.save_draft(&draft).or_app(lang)?;
                draft
            }
        };
        Ok(draft_view(draft))
    }

    /// Save the draft as it stands; durable once this returns.
    pub fn draft_save(&self, draft: Draft) -> Result<Draft> {
        let mut device = self.device();
        let lang = device.lang;
        device.author()?;
        let saved = simpul_replica::Draft {
            id: draft_id(&draft.id, lang)?,
            channel: draft_channel(draft.channel, lang)?,
            answers: draft.answers,
            step: draft.step,
            updated_at: Utc::now(),
        };
        device.replica_mut()?.save_draft(&saved).or_app(lang)?;
        Ok(draft_view(saved))
    }

    pub fn draft_discard(&self, id: String) -> Result<()> {
        let mut device = self.device();
        let lang = device.lang;
        device.author()?;
        let id = draft_id(&id, lang)?;
        device.replica_mut()?.discard_draft(id).or_app(lang)?;
        Ok(())
    }

    /// Check the draft, save it as a final response and remove it, all at once. A second
    /// submit of the same draft (a double tap, a retry after a crash) changes nothing and
    /// says `already_present`.
    pub fn draft_submit(&self, id: String) -> Result<Saved> {
        let mut device = self.device();
        let lang = device.lang;
        let author = device.author()?;
        let id = draft_id(&id, lang)?;
        let captured = device
            .replica_mut()?
            .submit_draft(id, author)
            .or_app(lang)?;
        drop(device);
        self.wrote();
        Ok(saved(&captured, 0))
    }

    /// One paper questionnaire. Its id comes from (unit, period, serial), so the same sheet
    /// typed by a second clerk merges into it and every cell typed differently becomes a
    /// conflict to settle.
    pub fn save_paper_row(&self, row: PaperRow) -> Result<Saved> {
        let mut device = self.device();
        let lang = device.lang;
        let author = device.author()?;
        let serial = PaperSerial::parse(&row.serial).or_app(lang)?;
        let replica = device.replica_mut()?;
        let captured = replica
            .capture(NewResponse {
                channel: Channel::Paper,
                form: None,
                unit: None,
                period: None,
                serial: Some(serial),
                answers: row.answers.into_iter().collect(),
                status: Status::Final,
                author,
            })
            .or_app(lang)?;
        let conflicts = replica.show(captured.id()).or_app(lang)?.summary.conflicts;
        drop(device);
        if !matches!(captured, Captured::AlreadyPresent { .. }) {
            self.wrote();
        }
        Ok(saved(&captured, conflicts))
    }
}

pub(crate) fn outcome(captured: &Captured) -> SavedOutcome {
    match captured {
        Captured::Created { .. } => SavedOutcome::Created,
        Captured::AlreadyPresent { .. } => SavedOutcome::AlreadyPresent,
        Captured::Merged { .. } => SavedOutcome::Merged,
    }
}

fn saved(captured: &Captured, conflicts: u32) -> Saved {
    Saved {
        id: captured.id().to_string(),
        outcome: outcome(captured),
        conflicts,
    }
}

fn draft_view(draft: simpul_replica::Draft) -> Draft {
    Draft {
        id: draft.id.to_string(),
        channel: draft.channel,
        answers: draft.answers,
        step: draft.step,
        updated_at: time(draft.updated_at),
    }
}

fn draft_channel(channel: Channel, lang: Lang) -> Result<Channel> {
    match channel {
        Channel::Interview | Channel::Kiosk => Ok(channel),
        Channel::Paper | Channel::Web => Err(fail(
            ErrorCode::Invalid,
            lang,
            "draf hanya untuk wawancara atau kios",
            "drafts are for interviews and the kiosk only",
        )),
    }
}

fn draft_id(raw: &str, lang: Lang) -> Result<Uuid> {
    Uuid::parse_str(raw.trim()).map_err(|_| {
        AppError::new(
            ErrorCode::NotFound,
            match lang {
                Lang::Id => format!("tidak ada draf dengan id {raw}"),
                Lang::En => format!("no draft with id {raw}"),
            },
        )
    })
}
