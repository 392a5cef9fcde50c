//! Interviews and kiosk sessions still being filled in. A draft is saved after every answer
//! so it survives the app closing or the tablet's battery dying; it stays on the device (it
//! is no response yet, so nothing syncs) until it is submitted.
//!
//! Submitting writes the response under the draft's own id and deletes the draft in the same
//! transaction: a crash leaves either the draft or the response, never both, and submitting
//! the same draft twice finds the response already there instead of making a second one.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use uuid::Uuid;

use crate::doc::Author;
use crate::model::{Channel, Status};
use crate::write::{Captured, NewResponse, capture_in};
use crate::{Error, Phrase, Replica, Result};

/// An unfinished questionnaire as typed or tapped so far.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Draft {
    /// Also the id of the response it becomes.
    pub id: Uuid,
    /// Interview or kiosk: paper sheets are typed in whole and never drafted.
    pub channel: Channel,
    /// Raw answers by item id; empty strings are unanswered.
    pub answers: BTreeMap<String, String>,
    /// The screen the person was on.
    pub step: u32,
    pub updated_at: DateTime<Utc>,
}

impl Draft {
    /// An empty draft for `channel`, with a fresh time-ordered id. The time is kept to the
    /// millisecond, as it is stored, so a saved draft reads back equal.
    pub fn new(channel: Channel, at: DateTime<Utc>) -> Draft {
        Draft {
            id: Uuid::now_v7(),
            channel,
            answers: BTreeMap::new(),
            step: 0,
            updated_at: DateTime::from_timestamp_millis(at.timestamp_millis()).unwrap_or(at),
        }
    }
}

impl Replica {
    /// The most recently saved draft of `channel`: the one to reopen.
    pub fn open_draft(&self, channel: Channel) -> Result<Option<Draft>> {
        self.query_draft(
            "SELECT id, channel, answers, step, updated_at FROM drafts WHERE channel = ?1
             ORDER BY updated_at DESC, id DESC LIMIT 1",
            channel.code(),
        )
    }

    pub fn draft(&self, id: Uuid) -> Result<Option<Draft>> {
        self.query_draft(
            "SELECT id, channel, answers, step, updated_at FROM drafts WHERE id = ?1",
            &id.to_string(),
        )
    }

    /// Save `draft` durably, creating or replacing it. Answers are kept as typed: checking
    /// them is for the moment of submitting, and a half-typed value must not be lost.
    pub fn save_draft(&mut self, draft: &Draft) -> Result<()> {
        if draft.channel == Channel::Paper {
            return Err(Error::InvalidValue {
                what: Phrase::new("saluran draf", "draft channel"),
                value: draft.channel.code().to_string(),
                reason: Phrase::new(
                    "draf hanya untuk wawancara atau kios",
                    "drafts are for interviews and the kiosk only",
                ),
            });
        }
        let answers = serde_json::to_string(&draft.answers).expect("a string map serialises");
        self.conn.execute(
            "INSERT INTO drafts (id, channel, answers, step, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (id) DO UPDATE SET channel = excluded.channel,
                 answers = excluded.answers, step = excluded.step,
                 updated_at = excluded.updated_at",
            params![
                draft.id.to_string(),
                draft.channel.code(),
                answers,
                draft.step,
                draft.updated_at.timestamp_millis()
            ],
        )?;
        Ok(())
    }

    /// Throw a draft away. Returns whether there was one.
    pub fn discard_draft(&mut self, id: Uuid) -> Result<bool> {
        let deleted = self
            .conn
            .execute("DELETE FROM drafts WHERE id = ?1", [id.to_string()])?;
        Ok(deleted == 1)
    }

    /// Turn a draft into a final response and delete it, in one transaction. Every answer is
    /// checked against the form and every required item must be answered; on any error the
    /// draft stays as it was. A draft already submitted gives
    /// [`Captured::AlreadyPresent`] with the response's id.
    pub fn submit_draft(&mut self, id: Uuid, author: Author) -> Result<Captured> {
        let Some(draft) = self.draft(id)? else {
            let submitted: bool = self.conn.query_row(
                "SELECT EXISTS (SELECT 1 FROM responses WHERE id = ?1)",
                [id.to_string()],
                |row| row.get(0),
            )?;
            return if submitted {
                Ok(Captured::AlreadyPresent { id })
            } else {
                Err(Error::UnknownResponse(id.to_string()))
            };
        };
        let mut prepared = self.prepare(NewResponse {
            channel: draft.channel,
            form: None,
            unit: None,
            period: None,
            serial: None,
            answers: draft.answers.into_iter().collect(),
            status: Status::Final,
            author,
        })?;
        prepared.set_id(id);
        let mut session = self.session()?;
        let captured = if session.doc(id)?.is_some() {
            Captured::AlreadyPresent { id }
        } else {
            capture_in(&mut session, prepared)?
        };
        session
            .tx
            .execute("DELETE FROM drafts WHERE id = ?1", [id.to_string()])?;
        session.commit()?;
        Ok(captured)
    }

    fn query_draft(&self, sql: &str, param: &str) -> Result<Option<Draft>> {
        let row = self
            .conn
            .query_row(sql, [param], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, u32>(3)?,
                    row.get::<_, i64>(4)?,
                ))
            })
            .optional()?;
        let Some((id, channel, answers, step, updated_at)) = row else {
            return Ok(None);
        };
        let answers = serde_json::from_str(&answers).map_err(|_| Error::InvalidValue {
            what: Phrase::new("draf tersimpan", "stored draft"),
            value: answers.clone(),
            reason: Phrase::new(
                "bukan JSON yang ditulis program ini",
                "not the JSON this program writes",
            ),
        })?;
        Ok(Some(Draft {
            id: crate::apply::parse_uuid(&id)?,
            channel: Channel::parse(&channel)?,
            answers,
            step,
            updated_at: DateTime::from_timestamp_millis(updated_at).unwrap_or_default(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Filter;

    fn replica() -> (tempfile::TempDir, Replica) {
        crate::testing::replica("tablet")
    }

    fn complete(channel: Channel) -> Draft {
        let mut draft = Draft::new(channel, Utc::now());
        for u in 1..=9 {
            draft.answers.insert(format!("U{u}"), "3".into());
        }
        draft
    }

    #[test]
    fn the_newest_draft_of_a_channel_is_the_one_reopened() {
        let (_dir, mut replica) = replica();
        let mut old = Draft::new(
            Channel::Interview,
            Utc::now() - chrono::TimeDelta::minutes(5),
        );
        old.answers.insert("U1".into(), "4".into());
        let new = Draft::new(Channel::Interview, Utc::now());
        let kiosk = Draft::new(Channel::Kiosk, Utc::now());
        for d in [&old, &new, &kiosk] {
            replica.save_draft(d).unwrap();
        }
        assert_eq!(replica.open_draft(Channel::Interview).unwrap(), Some(new));
        assert_eq!(replica.open_draft(Channel::Kiosk).unwrap(), Some(kiosk));
        assert_eq!(replica.draft(old.id).unwrap(), Some(old));
    }

    #[test]
    fn submitting_twice_makes_one_response_and_removes_the_draft() {
        let (_dir, mut replica) = replica();
        let draft = complete(Channel::Kiosk);
        replica.save_draft(&draft).unwrap();
        let first = replica
            .submit_draft(draft.id, Author::new("Sari", Utc::now()))
            .unwrap();
        let second = replica
            .submit_draft(draft.id, Author::new("Sari", Utc::now()))
            .unwrap();
        assert_eq!(first, Captured::Created { id: draft.id });
        assert_eq!(second, Captured::AlreadyPresent { id: draft.id });
        assert_eq!(replica.draft(draft.id).unwrap(), None);
        let list = replica.list(&Filter::default()).unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].channel, "kiosk");
    }

    #[test]
    fn an_incomplete_draft_is_refused_and_kept() {
        let (_dir, mut replica) = replica();
        let mut draft = complete(Channel::Interview);
        draft.answers.remove("U9");
        replica.save_draft(&draft).unwrap();
        let err = replica
            .submit_draft(draft.id, Author::new("Sari", Utc::now()))
            .unwrap_err();
        assert!(err.to_string().contains("U9"), "{err}");
        assert_eq!(replica.draft(draft.id).unwrap(), Some(draft));
        assert_eq!(replica.count(&Filter::default()).unwrap(), 0);
    }

    #[test]
    fn paper_sheets_are_never_drafted() {
        let (_dir, mut replica) = replica();
        assert!(
            replica
                .save_draft(&Draft::new(Channel::Paper, Utc::now()))
                .is_err()
        );
    }
}
