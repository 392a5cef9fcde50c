//! The HTTP binding of the batch format: how a device and `simpul-server` talk.
//!
//! Two endpoints carry everything:
//!
//! * `POST /v1/enrol` — JSON [`EnrolRequest`] → [`EnrolResponse`]: a one-time enrolment code
//!   (printed by `simpul-server admin enrol-code`) is exchanged for a device token.
//! * `POST /v1/sync` — one round trip pushes a batch and pulls one:
//!
//! ```text
//! POST /v1/sync
//! Authorization: Bearer <token>
//! Content-Type: application/vnd.simpul.batch
//! Simpul-Protocol: 1                  required; another version is refused with 400
//! Idempotency-Key: <uuid>             required; a fresh key per batch, a retry reuses it
//! Simpul-Cursor: <u64>                the last server position this device holds (0, or
//!                                     absent, at first)
//! Simpul-Pull-Max: <bytes>            the most uncompressed payload the device wants back;
//!                                     optional (256 KiB), clamped to 4 KiB ..= 4 MiB
//!
//! <one batch frame: this device's changes the server has not acknowledged; may be empty>
//! ```
//!
//! The server parses every pushed change as Automerge and checks that it can belong to a
//! response of the device's own unit (one that does not refuses the whole request) and stores the batch durably, all of it or none, before it answers `200`
//! with one batch frame of the changes after the cursor that this device may see, in server
//! order, and headers:
//!
//! ```text
//! Simpul-Protocol: 1
//! Simpul-Cursor: <u64>      the position to send next time; covers everything returned
//! Simpul-More: true|false   whether more changes wait after that position
//! Simpul-Stored: <n>        how many of the changes pushed under this Idempotency-Key were
//!                           new to the server; a retry gets the number the first try got
//! Simpul-Log: <id>          the identity of the server's change log, which positions count in
//! ```
//!
//! The log's identity changes only when the server is restored from a backup, and another
//! server has another one. Its positions may then name other changes than the ones a device
//! pulled, and it lacks what was acknowledged after the backup (or elsewhere). A device that
//! sees a new identity where it had kept another starts again: cursor 0, and every change it holds offered again (the server keeps what it
//! has and stores what it lost).
//!
//! What a device may see is its unit's changes except the ones it pushed itself. "Itself"
//! means first: a change another device pushed earlier (say one carried over on a USB
//! bundle) may come back, and applying it again is harmless. The pulled payload stays within
//! `Simpul-Pull-Max` except that a single change larger than it comes alone, so a device
//! always makes progress. The returned cursor is the position of the last change the server
//! looked at, skipped ones included; it can move on while the batch is empty (when the
//! device's own changes were all there was) and, rarely, an empty batch can come with
//! `Simpul-More: true` — pull again from the new cursor. A cursor never passes a change that
//! is not yet visible: positions are assigned in commit order.
//!
//! Pushing the same batch twice is harmless: changes are keyed by their hash. "Nothing to do"
//! is one request with an empty batch, answered by an empty batch with `Simpul-More: false`.
//!
//! Every error is JSON [`ErrorBody`] with a stable [`code`](ErrorBody::code): `401
//! unauthorized` for a missing, wrong or revoked token (checked before the body is read);
//! `400 malformed_batch` for a body that is not one valid frame of Automerge changes; `400
//! bad_request` for a missing or wrong header (including `Content-Type`), an unreadable JSON
//! body or a bad field in it; `413 too_large` for a body over the server's limit (8 MiB by
//! default) or a frame declaring sizes over [`Limits`](crate::Limits); `409
//! enrolment_refused` for an enrolment code that is unknown, already used or expired (7
//! days) — the same answer for each, so that guessing learns nothing; `429
//! too_many_attempts` with `Retry-After: <seconds>` once an address has had several codes
//! refused within a minute; `403 wrong_unit` for a change of another unit's document, or an
//! enrolment code for another unit than the `unit` the device named (the code stays
//! unused); `404 not_found` for an unknown address; `405 bad_request` for a wrong method;
//! `500`/`503 internal` when the server or its database fails. A rejected request stores
//! nothing.
//!
//! Two more addresses are for people and monitors: `GET /` describes the server as JSON
//! (`name`, `version`, `protocol`) and `GET /health` answers `{"status":"ok","free_bytes":N}`
//! once the database has taken a real write and the data folder has room; `503` with a
//! message otherwise.

use serde::{Deserialize, Serialize};

/// The protocol version this crate speaks, sent in [`PROTOCOL_HEADER`].
pub const PROTOCOL_VERSION: u32 = 1;

pub const ENROL_PATH: &str = "/v1/enrol";
pub const SYNC_PATH: &str = "/v1/sync";
pub const HEALTH_PATH: &str = "/health";

pub const BATCH_CONTENT_TYPE: &str = "application/vnd.simpul.batch";
pub const PROTOCOL_HEADER: &str = "simpul-protocol";
pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";
pub const CURSOR_HEADER: &str = "simpul-cursor";
pub const PULL_MAX_HEADER: &str = "simpul-pull-max";
pub const MORE_HEADER: &str = "simpul-more";
pub const STORED_HEADER: &str = "simpul-stored";
pub const LOG_HEADER: &str = "simpul-log";

/// The headers of `POST /v1/sync` besides the device's bearer token, as every client (a
/// device, a relay) sends them.
pub fn sync_request_headers(
    idempotency_key: uuid::Uuid,
    cursor: u64,
    pull_max: usize,
) -> [(&'static str, String); 5] {
    [
        ("content-type", BATCH_CONTENT_TYPE.to_string()),
        (PROTOCOL_HEADER, PROTOCOL_VERSION.to_string()),
        (IDEMPOTENCY_HEADER, idempotency_key.to_string()),
        (CURSOR_HEADER, cursor.to_string()),
        (PULL_MAX_HEADER, pull_max.to_string()),
    ]
}

/// What the headers of a successful sync answer say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncAnswerHeaders {
    /// Where the device's pull now stands.
    pub cursor: u64,
    /// Whether more changes wait after this answer's.
    pub more: bool,
    /// The identity of the server's change log, new after a restore.
    pub log: Option<String>,
}

impl SyncAnswerHeaders {
    /// Reads them through `header` (a name to its value); `None` without a cursor, which
    /// every answer of this protocol carries.
    pub fn read<'a>(header: impl Fn(&str) -> Option<&'a str>) -> Option<SyncAnswerHeaders> {
        Some(SyncAnswerHeaders {
            cursor: header(CURSOR_HEADER)?.parse().ok()?,
            more: header(MORE_HEADER) == Some("true"),
            log: header(LOG_HEADER).map(str::to_string),
        })
    }
}

/// The body of `POST /v1/enrol`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolRequest {
    /// The one-time code an administrator handed out.
    pub code: String,
    /// A name for the device, shown to administrators.
    pub device: String,
    /// The unit the device already collects for, when it has data: the server refuses a code
    /// for another unit (`403 wrong_unit`) and leaves the code unused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

/// The answer to a successful enrolment. The token is shown once; the server keeps only a hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolResponse {
    pub device_id: String,
    pub token: String,
    /// The unit whose responses this device syncs.
    pub unit: String,
    pub unit_name: String,
}

/// Every error the server returns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Stable, machine-readable: `unauthorized`, `malformed_batch`, `bad_request`,
    /// `too_large`, `enrolment_refused`, `too_many_attempts`, `wrong_unit` (data or a code of another unit than
    /// the device's), `not_found`, `internal`.
    pub code: String,
    /// For the person reading the log or the screen.
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answers_headers_are_read_and_one_without_a_cursor_is_not_an_answer() {
        let headers = [
            (CURSOR_HEADER, "42"),
            (MORE_HEADER, "true"),
            (LOG_HEADER, "0190-log"),
        ];
        let lookup = |name: &str| headers.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
        assert_eq!(
            SyncAnswerHeaders::read(lookup),
            Some(SyncAnswerHeaders {
                cursor: 42,
                more: true,
                log: Some("0190-log".into()),
            })
        );
        let last = |name: &str| (name == CURSOR_HEADER).then_some("7");
        assert_eq!(
            SyncAnswerHeaders::read(last),
            Some(SyncAnswerHeaders {
                cursor: 7,
                more: false,
                log: None,
            })
        );
        assert_eq!(SyncAnswerHeaders::read(|_| None), None);
        assert_eq!(SyncAnswerHeaders::read(|_| Some("not a number")), None);
    }
}
