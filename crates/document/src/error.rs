use uuid::Uuid;

use crate::codes::CodeKind;
use crate::identity::SerialProblem;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The crate's one error type.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Automerge could not read a document.
    #[error("document: {0}")]
    Automerge(#[from] automerge::AutomergeError),
    /// Not a unit or period code: 1–64 letters, digits, `-`, `_` or `.`.
    #[error("{kind} code {value:?}: use 1–64 letters, digits, '-', '_' or '.'")]
    InvalidCode { kind: CodeKind, value: String },
    /// Not a paper serial.
    #[error("paper serial {value:?}: {problem}")]
    InvalidSerial {
        value: String,
        problem: SerialProblem,
    },
}

/// Why a change cannot belong to a response document. Every variant names the document;
/// front ends word it for their readers.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The change writes `kind`: only the server writes configuration, and only into a
    /// unit's reserved configuration document.
    #[error("a change to document {doc} claims to be configuration (it writes `kind`)")]
    ClaimsConfiguration { doc: Uuid },
    /// Something other than a scalar in the root map: a nested object, a list, a counter.
    #[error("a change to document {doc} is not flat: {what}")]
    NotFlat { doc: Uuid, what: &'static str },
    /// A header field written with something other than text.
    #[error("a change to document {doc} writes `{key}` as something other than text")]
    NotText { doc: Uuid, key: &'static str },
    /// The change writes another document's id.
    #[error("a change to document {doc} says it belongs to document {claimed}")]
    WrongId { doc: Uuid, claimed: String },
    /// A change that starts a document without the fields every response starts with.
    #[error(
        "a change that starts document {doc} does not write its `{missing}`: it is no response"
    )]
    MissingHeader { doc: Uuid, missing: &'static str },
}
