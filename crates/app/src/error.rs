//! The one error type of the app crate, and the `{code, message}` the window receives.

use serde::{Deserialize, Serialize};
use simpul_replica::Error as ReplicaError;
use simpul_survey::Lang;
use ts_rs::TS;

pub type Result<T, E = AppError> = std::result::Result<T, E>;

/// What the UI branches on. Added only when a screen does something different for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// No replica yet: show the first-run screen.
    NotSetUp,
    /// Capturing needs an enumerator signed in: show the sign-in screen.
    NotSignedIn,
    /// The input was wrong; the message names the field and what is allowed.
    Invalid,
    WrongPin,
    NotFound,
    /// The server could not be reached; nothing was lost, it will be retried.
    Unreachable,
    /// The server answered no (a used enrolment code, a revoked device).
    Refused,
    /// Long work was cancelled as asked; nothing was left half done.
    Cancelled,
    /// Anything else; the message says what, and the details are in the log.
    Internal,
}

/// An error as the window shows it: a code to branch on and a sentence for the person at
/// the counter, in the app's language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> AppError {
        AppError {
            code,
            message: message.into(),
        }
    }
}

/// Lower layers' errors as the window shows them. Which code a failure gets decides what the
/// screen does, so the mapping is in one place: input mistakes are `invalid` (shown beside
/// the field), the server's voice is `unreachable` or `refused`, and whatever the person
/// cannot act on is `internal`, with the details in the log instead of the message.
pub(crate) fn from_replica(error: &ReplicaError, lang: Lang) -> AppError {
    use ReplicaError as E;
    let code = match error {
        E::Survey(_)
        | E::InvalidValue { .. }
        | E::MissingSerial
        | E::NotAConflictValue { .. }
        | E::UnknownForm(_)
        | E::AlreadyInitialised(_)
        | E::Deleted(_)
        | E::MixedMethods(_)
        | E::Csv(_)
        | E::Protocol(_) => ErrorCode::Invalid,
        E::UnknownResponse(_) => ErrorCode::NotFound,
        E::NotInitialised(_) => ErrorCode::NotSetUp,
        E::Transport(_) | E::SyncGaveUp { .. } => ErrorCode::Unreachable,
        E::Server { .. } | E::NotEnrolled => ErrorCode::Refused,
        E::Io { .. } => ErrorCode::Invalid,
        _ => {
            tracing::error!(error = %error, "internal error");
            return internal(lang);
        }
    };
    let message = match error {
        E::Server { code, message, .. } if code == "enrolment_refused" => say(
            lang,
            "server menolak kode pendaftaran ini: salah ketik, sudah dipakai, atau kedaluwarsa; \
             minta kode baru ke admin",
            &format!("the server refused this enrolment code: {message}"),
        ),
        E::Transport(_) | E::SyncGaveUp { .. } => say(
            lang,
            "server tidak dapat dihubungi; periksa alamat dan sambungan. Data di perangkat ini aman.",
            "the server cannot be reached; check the address and the connection. The data on \
             this device is safe.",
        ),
        E::MixedMethods(methods) => {
            let codes: Vec<&str> = methods.iter().map(|m| m.code()).collect();
            let codes = codes.join(", ");
            match lang {
                Lang::Id => format!(
                    "data ini memuat hasil beberapa metode survei ({codes}) yang indeksnya tidak \
                     dapat digabung; pilih periode yang memakai satu metode"
                ),
                Lang::En => format!(
                    "the data holds results of several survey methods ({codes}), whose indices \
                     cannot be pooled; choose a period that uses one method"
                ),
            }
        }
        _ => error.localized(lang),
    };
    AppError::new(code, message)
}

/// The message of an `internal` error: nothing the person can fix, and a promise that
/// matters more than the details.
pub(crate) fn internal(lang: Lang) -> AppError {
    AppError::new(
        ErrorCode::Internal,
        say(
            lang,
            "terjadi galat di perangkat ini (rinciannya ada di log aplikasi); data yang sudah \
             tersimpan tetap aman",
            "something went wrong on this device (the details are in the app log); data \
             already saved is safe",
        ),
    )
}

/// An error with a message in both languages.
pub(crate) fn fail(code: ErrorCode, lang: Lang, id: &str, en: &str) -> AppError {
    AppError::new(code, say(lang, id, en))
}

/// The phrase in the app's language.
pub(crate) fn say(lang: Lang, id: &str, en: &str) -> String {
    match lang {
        Lang::Id => id.to_string(),
        Lang::En => en.to_string(),
    }
}

/// `result.or_app(lang)?` turns a replica or survey error into the window's error.
pub(crate) trait OrApp<T> {
    fn or_app(self, lang: Lang) -> Result<T>;
}

impl<T> OrApp<T> for std::result::Result<T, ReplicaError> {
    fn or_app(self, lang: Lang) -> Result<T> {
        self.map_err(|e| from_replica(&e, lang))
    }
}

impl<T> OrApp<T> for std::result::Result<T, simpul_document::Error> {
    fn or_app(self, lang: Lang) -> Result<T> {
        self.map_err(|e| from_replica(&e.into(), lang))
    }
}

impl<T> OrApp<T> for std::result::Result<T, simpul_survey::Error> {
    fn or_app(self, lang: Lang) -> Result<T> {
        self.map_err(|e| AppError::new(ErrorCode::Invalid, e.localized(lang)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use simpul_survey::Method;

    #[test]
    fn mixed_methods_are_worded_for_the_tablet_without_a_command_line_flag() {
        for lang in [Lang::Id, Lang::En] {
            let error = from_replica(
                &ReplicaError::MixedMethods(vec![
                    Method::Kepmenpan25_2004,
                    Method::Permenpanrb14_2017,
                ]),
                lang,
            );
            assert_eq!(error.code, ErrorCode::Invalid);
            assert!(!error.message.contains("--"), "{}", error.message);
            assert!(
                error
                    .message
                    .contains("kepmenpan-25-2004, permenpanrb-14-2017"),
                "{}",
                error.message
            );
        }
    }

    #[test]
    fn no_replica_error_reaches_the_window_naming_a_command_or_a_flag() {
        let errors = [
            ReplicaError::NotInitialised("/data".into()),
            ReplicaError::NotEnrolled,
        ];
        for error in errors {
            let message = from_replica(&error, Lang::Id).message;
            assert!(!message.contains("--"), "{message}");
            assert!(!message.contains("simpul "), "{message}");
            assert!(!message.contains("galat:"), "{message}");
        }
    }
}
