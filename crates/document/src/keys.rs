//! The key layout of a response document: a flat root map of scalars.
//!
//! Flat because two replicas that create the same paper response independently must merge
//! field by field: a nested map created on two devices becomes two competing objects and one
//! side's fields vanish (DESIGN.md).

/// The response's own id, written into the document so that a change can be checked against
/// the document it claims to belong to.
pub const ID: &str = "id";
pub const FORM: &str = "form";
pub const METHOD: &str = "method";
pub const UNIT: &str = "unit";
pub const PERIOD: &str = "period";
pub const CHANNEL: &str = "channel";
pub const SERIAL: &str = "serial";
pub const STATUS: &str = "status";
pub const DELETED: &str = "deleted";

/// A supervisor's review ([`crate::review::ReviewState`]) and its note; only the server
/// writes them.
pub const REVIEW_STATE: &str = "review.state";
pub const REVIEW_NOTE: &str = "review.note";

/// The fields every creator of a response writes in its first change.
pub const HEADER: [&str; 6] = [ID, FORM, UNIT, PERIOD, CHANNEL, STATUS];

/// Answers live under `q.<item id>`, apart from the fields above.
pub const ANSWER_PREFIX: &str = "q.";

/// Each typing of a paper sheet leaves `t.<fingerprint of its cells>` = true.
pub const TYPING_PREFIX: &str = "t.";

/// The item naming the service a respondent received (jenis layanan): lists and reports
/// filter and group by it.
pub const SERVICE_ITEM: &str = "layanan";
