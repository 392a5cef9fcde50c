//! The replica's view of a response document. What a document *is* — its key layout, how
//! it reads, every write — is `simpul_document`'s, shared with the server; this module only
//! brings its errors into the replica's, worded for the people who read them.

use automerge::Automerge;

use crate::{Error, Phrase, Result};

pub use simpul_document::keys::{CHANNEL, DELETED, FORM, STATUS};
use simpul_document::read;
pub use simpul_document::read::{Written, answer_key};
pub use simpul_document::write::Author;

pub fn has_key(doc: &Automerge, key: &str) -> Result<bool> {
    Ok(read::has_key(doc, key)?)
}

/// The value Automerge shows for `key` (its deterministic winner among concurrent writes),
/// as text; null and absent are both `None`.
pub fn get_text(doc: &Automerge, key: &str) -> Result<Option<String>> {
    Ok(read::get_text(doc, key)?)
}

pub fn get_bool(doc: &Automerge, key: &str) -> Result<bool> {
    Ok(read::get_bool(doc, key)?)
}

/// Every distinct value `key` holds, with who wrote each: see [`read::distinct_values`].
pub fn distinct_values(doc: &Automerge, key: &str) -> Result<Vec<Written>> {
    Ok(read::distinct_values(doc, key)?)
}

impl From<simpul_document::Error> for Error {
    fn from(error: simpul_document::Error) -> Self {
        use simpul_document::codes::CodeKind;
        use simpul_document::identity::SerialProblem;
        match error {
            simpul_document::Error::Automerge(e) => Error::Automerge(e),
            simpul_document::Error::InvalidCode { kind, value } => Error::InvalidValue {
                what: match kind {
                    CodeKind::Unit => Phrase::new("unit", "unit"),
                    CodeKind::Period => Phrase::new("periode", "period"),
                },
                value,
                reason: Phrase::new(
                    "pakai 1–64 huruf, angka, '-', '_' atau '.'",
                    "use 1–64 letters, digits, '-', '_' or '.'",
                ),
            },
            simpul_document::Error::InvalidSerial { value, problem } => Error::InvalidValue {
                what: Phrase::new("nomor seri", "paper serial"),
                value,
                reason: match problem {
                    SerialProblem::Empty => Phrase::new("kosong", "it is empty"),
                    SerialProblem::TooLong => {
                        Phrase::new("lebih dari 64 karakter", "it is longer than 64 characters")
                    }
                    SerialProblem::ControlCharacters => {
                        Phrase::new("memuat karakter kendali", "it contains control characters")
                    }
                },
            },
        }
    }
}
