//! What the storage keeps of survey links and the answer sets that came through them.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::Result;
use crate::links::{Link, LinkToken, NewLink};
use crate::model::UnitCode;
use crate::web_answer::Prepared;

/// An answer set ready to store: the browser's id for it and the change written for it.
pub struct WebAnswer<'a> {
    pub token: &'a LinkToken,
    pub id: Uuid,
    pub unit: &'a UnitCode,
    pub prepared: &'a Prepared,
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

    /// Stores an answer set in one transaction: its change in the unit's log, where devices
    /// pull it, and its browser id, so that a retry stores nothing. Fails with `LinkClosed`
    /// when the link closed meanwhile and with `TooManyWebAnswers` when the address has used
    /// up its hour; an id already stored answers `AlreadyStored` before either check.
    fn store_web_answer(&self, answer: &WebAnswer<'_>, now: DateTime<Utc>) -> Result<WebStored>;
}
