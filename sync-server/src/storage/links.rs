//! What the storage keeps of survey links and the answer sets that came through them.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::Result;
use crate::invitations::{Invitation, Recipient};
use crate::links::{Link, LinkToken, NewLink};
use crate::model::{Name, PeriodCode, UnitCode};
use crate::web_answer::Prepared;

/// An answer set ready to store: the browser's id for it and the change written for it.
#[derive(Debug)]
pub struct WebAnswer {
    pub token: LinkToken,
    pub id: Uuid,
    pub unit: UnitCode,
    pub prepared: Prepared,
    /// The client's address, which the per-hour limit counts by; `None` is not counted.
    pub address: Option<String>,
    /// Answer sets one address may send through one link in an hour.
    pub per_hour: u32,
}

/// What storing an answer set did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WebStored {
    Created {
        response: Uuid,
    },
    /// The browser's id was stored before: a retry whose answer was lost. Nothing new.
    AlreadyStored {
        response: Uuid,
    },
}

/// What happened to invitations, recorded by [`Links::mark_invitations`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvitationMark {
    /// E-mailed, or written to an outbox for a gateway.
    Sent,
    /// Sent its one reminder.
    Reminded,
    /// Its page was opened (the first time counts).
    Opened,
    /// The recipient asked to hear no more; their link closes.
    OptedOut,
}

pub trait Links {
    /// Records a link. Fails with `UnknownUnit` for a unit the server does not have.
    fn add_link(&self, token: &LinkToken, link: &NewLink, now: DateTime<Utc>) -> Result<Link>;

    /// The link with this token, open or closed.
    fn link(&self, token: &LinkToken) -> Result<Option<Link>>;

    /// `unit`'s links, newest first.
    fn links(&self, unit: &UnitCode) -> Result<Vec<Link>>;

    /// Closes a link; closing it again keeps the first time. Fails with `UnknownLink`.
    fn close_link(&self, token: &LinkToken, now: DateTime<Utc>) -> Result<Link>;

    /// The unit's active period, as its configuration last set it.
    fn active_period(&self, unit: &UnitCode) -> Result<Option<String>>;

    /// The response an answer set with this browser id became, if it was stored.
    fn web_answer(&self, id: Uuid) -> Result<Option<Uuid>>;

    /// Makes, for each recipient, a link of `unit` that takes one answer set (for the
    /// recipient's service and `period`) and the invitation that holds it: all or none.
    fn add_invitations(
        &self,
        unit: &UnitCode,
        period: Option<&PeriodCode>,
        recipients: &[(LinkToken, Recipient)],
        created_by: &Name,
        now: DateTime<Utc>,
    ) -> Result<()>;

    /// `unit`'s invitations, oldest first, with what became of each.
    fn invitations(&self, unit: &UnitCode) -> Result<Vec<Invitation>>;

    /// The invitation holding this link, if it is one.
    fn invitation(&self, token: &LinkToken) -> Result<Option<Invitation>>;

    /// Records `mark` on these invitations, keeping the first time of each. Opting out also
    /// closes the link.
    fn mark_invitations(
        &self,
        tokens: &[LinkToken],
        mark: InvitationMark,
        now: DateTime<Utc>,
    ) -> Result<()>;

    /// Stores answer sets in one transaction — one sync to disk for all of them, however
    /// many arrived together: each one's change in its unit's log, where devices pull it,
    /// and its browser id, so that a retry stores nothing. Each set has its own outcome:
    /// `LinkClosed` when its link closed meanwhile, `TooManyWebAnswers` when its address
    /// has used up the hour; an id already stored (before, or earlier in `answers`) answers
    /// `AlreadyStored` before either check. Only a failure of the database fails them all.
    fn store_web_answers(
        &self,
        answers: &[WebAnswer],
        now: DateTime<Utc>,
    ) -> Result<Vec<Result<WebStored>>>;
}
