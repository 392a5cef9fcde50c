//! The crate's one error type.
//!
//! Every message exists in English ([`std::fmt::Display`], for logs and developers) and in the
//! language of the person at the counter ([`Error::localized`]), because most of these errors
//! are caused by a typed answer and have to be fixed by whoever typed it.

use crate::text::{Lang, Text};

/// The result of this crate's fallible operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What can go wrong when reading forms, answers and settings.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// The form has no item with this id or alias.
    #[error("unknown item `{0}`")]
    UnknownItem(String),
    /// The value does not fit the item; `allowed` says, in both languages, what would.
    #[error("item {item}: `{value}` is not allowed; expected {}", .allowed.en)]
    InvalidAnswer {
        /// The item's id.
        item: String,
        /// The value as it was given.
        value: String,
        /// What the item accepts.
        allowed: Text,
    },
    /// A required item has no answer.
    #[error("item {item} is required")]
    MissingRequired {
        /// The item's id.
        item: String,
    },
    /// The survey method code is not one this crate knows.
    #[error("unknown survey method `{0}`; expected permenpanrb-14-2017 or kepmenpan-25-2004")]
    UnknownMethod(String),
    /// The weighting name is not `exact` or `template`.
    #[error("unknown weighting `{0}`; expected exact or template")]
    UnknownWeighting(String),
}

impl Error {
    /// The message for the person at the counter, in their language (Bahasa Indonesia first).
    ///
    /// ```
    /// use simpul_survey::{skm_2017, Lang};
    ///
    /// let err = skm_2017().parse_answer("U3", "7").unwrap_err();
    /// assert!(err.localized(Lang::Id).starts_with("isian U3: `7` tidak diterima; yang boleh: angka 1–4"));
    /// assert!(err.localized(Lang::En).starts_with("item U3: `7` is not allowed; expected a number 1–4"));
    /// ```
    pub fn localized(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.to_string(),
            Lang::Id => match self {
                Error::UnknownItem(name) => format!("isian `{name}` tidak dikenal"),
                Error::InvalidAnswer {
                    item,
                    value,
                    allowed,
                } => format!(
                    "isian {item}: `{value}` tidak diterima; yang boleh: {}",
                    allowed.id
                ),
                Error::MissingRequired { item } => format!("isian {item} wajib diisi"),
                Error::UnknownMethod(code) => format!(
                    "metode survei `{code}` tidak dikenal; yang ada: permenpanrb-14-2017 atau kepmenpan-25-2004"
                ),
                Error::UnknownWeighting(name) => {
                    format!("pembobotan `{name}` tidak dikenal; yang ada: exact atau template")
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invalid_u3() -> Error {
        Error::InvalidAnswer {
            item: "U3".into(),
            value: "7".into(),
            allowed: Text::new("angka 1–4", "a number 1–4"),
        }
    }

    #[test]
    fn the_default_language_gives_the_indonesian_message() {
        assert_eq!(
            invalid_u3().localized(Lang::default()),
            "isian U3: `7` tidak diterima; yang boleh: angka 1–4"
        );
        assert_eq!(
            Error::MissingRequired { item: "U1".into() }.localized(Lang::default()),
            "isian U1 wajib diisi"
        );
    }

    #[test]
    fn english_gives_the_display_message() {
        let err = invalid_u3();
        assert_eq!(err.localized(Lang::En), err.to_string());
        assert_eq!(
            err.to_string(),
            "item U3: `7` is not allowed; expected a number 1–4"
        );
    }

    #[test]
    fn every_variant_has_its_own_indonesian_message() {
        let errors = [
            Error::UnknownItem("x".into()),
            invalid_u3(),
            Error::MissingRequired { item: "U1".into() },
            Error::UnknownMethod("2010".into()),
            Error::UnknownWeighting("rounded".into()),
        ];
        for err in errors {
            assert_ne!(err.localized(Lang::Id), err.to_string(), "{err:?}");
        }
    }
}
