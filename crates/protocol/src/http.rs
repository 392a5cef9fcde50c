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
//! Simpul-Protocol: 1
//! Idempotency-Key: <uuid>             a fresh key per batch; a retry reuses it
//! Simpul-Cursor: <u64>                the last server position this device holds (0 at first)
//! Simpul-Pull-Max: <bytes>            the most uncompressed payload the device wants back
//!
//! <one batch frame: this device's changes the server has not acknowledged; may be empty>
//! ```
//!
//! The server stores every pushed change durably (all of the batch or none of it) before it
//! answers `200` with one batch frame of the changes after the cursor that this device may
//! see (its unit's responses, never its own changes back), in server order, and headers:
//!
//! ```text
//! Simpul-Cursor: <u64>      the position to send next time; covers everything returned
//! Simpul-More: true|false   whether more changes wait after that position
//! Simpul-Stored: <n>        how many of the pushed changes were new to the server
//! ```
//!
//! Pushing the same batch twice is harmless: changes are keyed by their hash. "Nothing to do"
//! is one request with an empty batch, answered by an empty batch with `Simpul-More: false`.
//!
//! Every error is JSON [`ErrorBody`] with a stable [`code`](ErrorBody::code): `401` for a
//! missing, wrong or revoked token, `400` for a malformed batch or header, `413` for a body
//! over the limit, `409` for an enrolment code already used or expired. A rejected request
//! stores nothing.

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

/// The body of `POST /v1/enrol`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolRequest {
    /// The one-time code an administrator handed out.
    pub code: String,
    /// A name for the device, shown to administrators.
    pub device: String,
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
    /// `too_large`, `enrolment_refused`, `not_found`, `internal`.
    pub code: String,
    /// For the person reading the log or the screen.
    pub message: String,
}
