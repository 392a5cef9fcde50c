//! The crate's errors: [`Error`] for everything below HTTP, [`AppError`] for what a client is
//! told.
//!
//! Handlers return [`AppError`]; its [`IntoResponse`] is the one place that turns a failure
//! into a status code and a JSON [`ErrorBody`]. Storage and I/O failures become `500
//! internal`: they are logged in full here and the client is told only that the server
//! failed, so no path, SQL or library message leaves the machine.

use std::fmt;
use std::path::PathBuf;

use axum::Json;
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use simpul_protocol::http::ErrorBody;
use uuid::Uuid;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("database error")]
    Sqlite(#[from] rusqlite::Error),

    #[error("database error")]
    Postgres(#[from] postgres::Error),

    #[error("cannot reach the database")]
    PostgresPool(#[from] r2d2::Error),

    #[error("cannot reach the database")]
    DatabaseUnreachable(#[source] postgres::Error),

    #[error("invalid database address (expected postgres://USER@HOST:PORT/DATABASE)")]
    DatabaseUrl(#[source] postgres::Error),

    #[error("TLS to the database: {0}")]
    DatabaseTls(String),

    #[error("cannot use data directory {path}")]
    DataDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error(
        "{0} holds no simpul-server data; check the folder, or start a new server there \
         with `simpul-server serve` or `simpul-server admin unit add`"
    )]
    NoServerData(PathBuf),

    #[error(
        "{0} already holds a server database; restore into an empty folder (move this one \
         aside first if it is to be replaced)"
    )]
    RestoreOverData(PathBuf),

    #[error("{0} is not a simpul-server backup (made by `simpul-server backup`)")]
    NotABackup(PathBuf),

    #[error("{0} is a device's folder (it holds a simpul replica), not a server's")]
    DeviceFolder(PathBuf),

    #[error("cannot read configuration file {path}")]
    ConfigFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("configuration file {path} is not valid")]
    ConfigSyntax {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },

    #[error(
        "no data: pass --data DIR (or set SIMPUL_DATA), or --database postgres://USER@HOST/DB \
         (or set SIMPUL_DATABASE)"
    )]
    NoDataDir,

    #[error("give either --data or --database, not both")]
    TwoDatabases,

    #[error(
        "the PostgreSQL database {0:?} holds no simpul-server data; check the address, or \
         start a new server there with `simpul-server serve` or `simpul-server admin unit add`"
    )]
    NoServerDatabase(String),

    #[error(
        "this works on a SQLite data folder only; back up and restore PostgreSQL with its own \
         tools (pg_dump, pg_restore)"
    )]
    NotOnPostgres,

    #[error("cannot listen on {addr}")]
    Bind {
        addr: std::net::SocketAddr,
        #[source]
        source: std::io::Error,
    },

    #[error(
        "the database has schema version {found}, newer than the {known} this build knows; \
         run a newer simpul-server"
    )]
    SchemaTooNew { found: i64, known: i64 },

    #[error("invalid {what} {value:?}: {reason}")]
    InvalidValue {
        what: &'static str,
        value: String,
        reason: &'static str,
    },

    /// A field of a request body, named as the body names it (`items[2].unsur`).
    #[error("{field} {value:?}: {reason}")]
    InvalidField {
        field: String,
        value: String,
        reason: &'static str,
    },

    #[error("unit {0} does not exist")]
    UnknownUnit(String),

    #[error("no unit belongs to instansi {0}")]
    UnknownInstansi(String),

    #[error("the upstream server {url} could not be reached: {reason}")]
    Upstream { url: String, reason: String },

    #[error("the upstream server {url} refused: {status} {message}")]
    UpstreamRefused {
        url: String,
        status: u16,
        message: String,
    },

    #[error(
        "this relay is not enrolled upstream yet: give the code from `simpul-server admin \
         enrol-code --relay` with --code on its first start"
    )]
    RelayNeedsCode,

    #[error("{0} is not a relay's folder: it holds no relay state (start it with --upstream)")]
    NotARelay(std::path::PathBuf),

    #[error("a relay keeps its data in a folder (--data), not on PostgreSQL")]
    RelayOnPostgres,

    #[error("there is already a person named {0}")]
    PersonExists(String),

    #[error("there is no person named {0}")]
    UnknownPerson(String),

    #[error("the password could not be hashed")]
    PasswordHash,

    #[error("an admin sees every unit: give no --instansi or --units")]
    ScopeOfAdmin,

    #[error("give either --instansi or --units, not both")]
    ScopeBoth,

    #[error("a supervisor or viewer needs --instansi NAME or --units CODE,CODE")]
    ScopeMissing,

    #[error("unit {0} already exists")]
    UnitExists(String),

    #[error("device {0} does not exist")]
    UnknownDevice(String),

    #[error("enrolment refused: {0}")]
    EnrolmentRefused(Refusal),

    /// The request body is not a well-formed batch frame.
    #[error("malformed batch")]
    Batch(#[from] simpul_protocol::Error),

    /// The reply batch could not be encoded: a bug or a damaged database, never the client.
    #[error("cannot encode the reply batch")]
    Encode(#[source] simpul_protocol::Error),

    /// A well-formed frame carrying bytes that are not an Automerge change.
    #[error("entry {index} (document {doc}) is not a valid Automerge change")]
    InvalidChange {
        index: usize,
        doc: Uuid,
        #[source]
        source: automerge::LoadChangeError,
    },

    /// A change that cannot belong to a response document: it claims to be configuration,
    /// is not flat, or starts a document without a response's header.
    #[error("entry {index} is not a change of a response")]
    NotAResponse {
        index: usize,
        #[source]
        source: simpul_document::Refusal,
    },

    /// A change that writes another unit into its document, or changes a document of
    /// another unit: a device only ever writes its own unit's responses.
    #[error(
        "entry {index} changes document {doc} of unit {owner}, but this device belongs to unit \
         {device_unit}; a device sends only its own unit's responses"
    )]
    ForeignDocument {
        index: usize,
        doc: Uuid,
        owner: String,
        device_unit: String,
    },

    /// A device wrote a review, which only supervisors write, on the server.
    #[error(
        "entry {index} writes a review of document {doc}; only a supervisor reviews, on the server"
    )]
    ReviewByDevice { index: usize, doc: Uuid },

    /// An edit of a document the server does not hold, sent without the change that starts it.
    #[error(
        "entry {index} edits document {doc}, which this server does not hold; \
         the change that starts the document must come first"
    )]
    UnknownDocument { index: usize, doc: Uuid },

    /// The code is for another unit than the one the device collects for. The code stays
    /// unused.
    #[error(
        "this enrolment code is for unit {code_unit}, but the device collects for unit \
         {expected}; ask for a code for unit {expected}"
    )]
    EnrolmentWrongUnit { code_unit: String, expected: String },

    #[error("no response with id {0}")]
    UnknownResponse(String),

    #[error("no survey link {0}")]
    UnknownLink(String),

    /// The link was closed: it takes no more answers.
    #[error("survey link {0} is closed")]
    LinkClosed(String),

    /// The link's period is no longer the unit's active one, or the unit has none yet.
    #[error("survey link {token} collects for period {period}, which is not open")]
    PeriodClosed { token: String, period: String },

    /// The database failed while storing a group of web answer sets: none of them is stored.
    #[error("answer sets could not be stored: {0}")]
    AnswersNotStored(String),

    /// An invitation's link has taken its one answer set.
    #[error("survey link {0} has been used")]
    LinkUsed(String),

    /// A recipients' CSV with bad rows, each named by its line.
    #[error("the recipients' file is not taken; fix these lines and import it again:\n{}", .0.join("\n"))]
    InvalidRecipients(Vec<String>),

    /// Sending e-mail failed; what was sent before stays marked sent.
    #[error("e-mail could not be sent: {0}")]
    Mail(String),

    /// More answer sets from one address through one link within an hour than allowed.
    #[error("too many answers from this address through link {0} this hour")]
    TooManyWebAnswers(String),

    #[error("form {0} is not known to this build")]
    UnknownForm(String),

    #[error("field {field} of response {response} holds no value {value:?} to choose")]
    NotAConflictValue {
        response: String,
        field: String,
        value: String,
    },

    #[error("a rejection needs a note saying why")]
    RejectWithoutNote,

    /// A report over responses of several methods, which one IKM cannot combine.
    #[error("these responses follow several methods ({}); report one at a time", .0.join(", "))]
    MixedMethods(Vec<String>),

    /// A device tried to write a configuration document, which only the server writes.
    #[error("entry {index} changes the configuration document {doc}, which only the server writes")]
    ConfigurationDocument { index: usize, doc: Uuid },
    /// A stored document would not load: a bug or a damaged database.
    #[error("document {doc} cannot be rebuilt from its stored changes")]
    Document {
        doc: Uuid,
        #[source]
        source: Box<automerge::AutomergeError>,
    },
    #[error("cannot draw random bytes: {0}")]
    Random(getrandom::Error),

    #[error("a storage task failed")]
    Task(#[from] tokio::task::JoinError),

    #[error("input/output error")]
    Io(#[from] std::io::Error),

    #[error("cannot write {path}")]
    Output {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("cannot write CSV")]
    Csv(#[from] csv::Error),

    /// A command-line combination that means nothing, named by the front end.
    #[error("{0}")]
    Usage(String),

    #[error("the metrics could not be written out")]
    Metrics,

    #[error("the spreadsheet could not be written: {0}")]
    Workbook(String),

    /// The official report's template failed to typeset: a bug, never the data (which the
    /// template reads as JSON and prints as text).
    #[error("the report could not be typeset: {0}")]
    Typeset(String),

    /// The official report is of one period, and none was given or configured.
    #[error("unit {0} has no active period; name the period of the report")]
    NoPeriod(String),
}

impl Error {
    /// `doc` could not be read, or held a value that is not what it should be.
    pub fn read(doc: Uuid, error: simpul_document::Error) -> Error {
        match error {
            simpul_document::Error::Automerge(source) => Error::Document {
                doc,
                source: Box::new(source),
            },
            other => other.into(),
        }
    }
}

/// A code or serial that does not parse. A document that does not load names its document,
/// so it goes through [`Error::read`].
impl From<simpul_document::Error> for Error {
    fn from(error: simpul_document::Error) -> Self {
        use simpul_document::codes::CodeKind;
        use simpul_document::identity::SerialProblem;
        match error {
            simpul_document::Error::InvalidCode { kind, value } => Error::InvalidValue {
                what: match kind {
                    CodeKind::Unit => "unit code",
                    CodeKind::Period => "period code",
                },
                value,
                reason: "use 1–64 letters, digits, '-', '_' or '.'",
            },
            simpul_document::Error::InvalidSerial { value, problem } => Error::InvalidValue {
                what: "paper serial",
                value,
                reason: match problem {
                    SerialProblem::Empty => "it is empty",
                    SerialProblem::TooLong => "it is longer than 64 characters",
                    SerialProblem::ControlCharacters => "it contains control characters",
                },
            },
            simpul_document::Error::Automerge(source) => Error::Document {
                doc: Uuid::nil(),
                source: Box::new(source),
            },
        }
    }
}

/// Why an enrolment code was not accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    Unknown,
    AlreadyUsed,
    Expired,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Refusal::Unknown => "this enrolment code is not known; check it for typing mistakes",
            Refusal::AlreadyUsed => "this enrolment code has already been used; ask for a new one",
            Refusal::Expired => "this enrolment code has expired; ask for a new one",
        })
    }
}

/// Everything a handler can answer instead of success.
#[derive(Debug)]
pub enum AppError {
    /// Missing, unknown or revoked device token.
    Unauthorized,
    /// The body is not a valid batch of Automerge changes.
    MalformedBatch(String),
    /// A header, a JSON body or a field in it is missing or wrong.
    BadRequest(String),
    /// The body, or a size a frame declares, is over a limit.
    TooLarge(String),
    /// Unknown, used and expired codes get the same answer, so that guessing tells nothing;
    /// the log keeps which it was.
    EnrolmentRefused(Refusal),
    /// Data or a code of another unit than the device's.
    WrongUnit(String),
    /// Too many failed enrolments from one address: try again after the duration.
    TooManyAttempts(std::time::Duration),
    NotFound,
    MethodNotAllowed,
    /// The database cannot be reached or written: only `/health` answers this.
    Unavailable(Error),
    /// Less free space than configured is left for the database: only `/health` answers
    /// this, in bytes.
    LowDiskSpace {
        free: u64,
        needed: u64,
    },
    /// A person's request without a valid session.
    NotSignedIn,
    /// A wrong name or password (never saying which).
    WrongCredentials,
    /// Too many failed sign-ins for this account or address: try again after the duration.
    SignInThrottled(std::time::Duration),
    /// A request that changes something, sent from another site's page.
    CrossSite,
    /// Signed in, but the role does not allow it.
    Forbidden,
    /// Anything else: logged, never shown.
    Internal(Error),
}

impl From<Error> for AppError {
    fn from(error: Error) -> Self {
        match error {
            Error::EnrolmentRefused(refusal) => AppError::EnrolmentRefused(refusal),
            Error::Batch(simpul_protocol::Error::TooLarge { .. }) => {
                AppError::TooLarge(Chain(&error).to_string())
            }
            Error::Batch(_)
            | Error::InvalidChange { .. }
            | Error::ConfigurationDocument { .. }
            | Error::NotAResponse { .. }
            | Error::UnknownDocument { .. } => AppError::MalformedBatch(Chain(&error).to_string()),
            Error::ReviewByDevice { .. } => AppError::MalformedBatch(error.to_string()),
            Error::ForeignDocument { .. } | Error::EnrolmentWrongUnit { .. } => {
                AppError::WrongUnit(error.to_string())
            }
            Error::InvalidValue { .. }
            | Error::InvalidField { .. }
            | Error::NoPeriod(_)
            | Error::MixedMethods(_)
            | Error::UnknownForm(_)
            | Error::NotAConflictValue { .. }
            | Error::InvalidRecipients(_)
            | Error::RejectWithoutNote => AppError::BadRequest(error.to_string()),
            Error::UnknownPerson(_) => AppError::NotFound,
            Error::PersonExists(_)
            | Error::ScopeOfAdmin
            | Error::ScopeBoth
            | Error::ScopeMissing => AppError::BadRequest(error.to_string()),
            Error::UnknownResponse(_) | Error::UnknownLink(_) => AppError::NotFound,
            other => AppError::Internal(other),
        }
    }
}

impl AppError {
    fn parts(&self) -> (StatusCode, &'static str, String) {
        match self {
            AppError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "this device is not enrolled, or its access was revoked; enrol it again".into(),
            ),
            AppError::MalformedBatch(message) => {
                (StatusCode::BAD_REQUEST, "malformed_batch", message.clone())
            }
            AppError::BadRequest(message) => {
                (StatusCode::BAD_REQUEST, "bad_request", message.clone())
            }
            AppError::TooLarge(message) => {
                (StatusCode::PAYLOAD_TOO_LARGE, "too_large", message.clone())
            }
            AppError::EnrolmentRefused(_) => (
                StatusCode::CONFLICT,
                "enrolment_refused",
                "this enrolment code is not valid: it may be mistyped, already used or expired; \
                 check it, or ask for a new one"
                    .into(),
            ),
            AppError::TooManyAttempts(_) => (
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_attempts",
                "too many wrong enrolment codes from this address; wait a minute and try again"
                    .into(),
            ),
            AppError::WrongUnit(message) => (StatusCode::FORBIDDEN, "wrong_unit", message.clone()),
            AppError::NotFound => (
                StatusCode::NOT_FOUND,
                "not_found",
                "there is nothing at this address".into(),
            ),
            AppError::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                "bad_request",
                "this address does not accept that method".into(),
            ),
            AppError::Unavailable(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "internal",
                "the server cannot read and write its database".into(),
            ),
            AppError::LowDiskSpace { free, needed } => (
                StatusCode::SERVICE_UNAVAILABLE,
                "internal",
                format!(
                    "the server's disk is almost full: {} MiB free, at least {} MiB needed",
                    free >> 20,
                    needed >> 20
                ),
            ),
            AppError::NotSignedIn => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "sign in first; a session ends after 12 hours or when you sign out".into(),
            ),
            AppError::WrongCredentials => (
                StatusCode::UNAUTHORIZED,
                "wrong_credentials",
                "the name or the password is wrong".into(),
            ),
            AppError::SignInThrottled(_) => (
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_attempts",
                "too many wrong passwords for this name or from this address; wait and try again"
                    .into(),
            ),
            AppError::CrossSite => (
                StatusCode::FORBIDDEN,
                "cross_site",
                "this request came from another site's page and was refused".into(),
            ),
            AppError::Forbidden => (
                StatusCode::FORBIDDEN,
                "forbidden",
                "your role does not allow this; ask an admin".into(),
            ),
            AppError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "the server failed to handle this request; try again later".into(),
            ),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(error) | AppError::Unavailable(error) = &self {
            tracing::error!(error = %Chain(error), "request failed");
        }
        if let AppError::LowDiskSpace { free, needed } = &self {
            tracing::error!(free, needed, "the data directory is almost full");
        }
        let (status, code, message) = self.parts();
        // Shown on the request's log line, so a refused client can be told why.
        tracing::Span::current().record(
            "error",
            tracing::field::display(format_args!("{code}: {message}")),
        );
        let body = ErrorBody {
            code: code.to_string(),
            message,
        };
        let mut response = (status, Json(body)).into_response();
        if let AppError::TooManyAttempts(wait) | AppError::SignInThrottled(wait) = self {
            // Whole seconds, rounded up: never an invitation to come back too early.
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(seconds.max(1)));
        }
        response
    }
}

/// An error with its sources, `outer: inner: innermost`, for one log line.
pub struct Chain<'a>(pub &'a (dyn std::error::Error + 'static));

impl fmt::Display for Chain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(error) = source {
            write!(f, ": {error}")?;
            source = error.source();
        }
        Ok(())
    }
}
