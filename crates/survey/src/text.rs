//! Bilingual text: every word a person at the counter reads exists in Bahasa Indonesia, with
//! an English form for visitors and auditors.

use serde::{Deserialize, Serialize};

/// The language a message is shown in. Bahasa Indonesia comes first: it is what the counter speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Bahasa Indonesia.
    #[default]
    Id,
    /// English.
    En,
}

impl Lang {
    /// Reads a language code, `id` or `en`, ignoring case and surrounding spaces.
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("id") {
            Some(Lang::Id)
        } else if s.eq_ignore_ascii_case("en") {
            Some(Lang::En)
        } else {
            None
        }
    }
}

/// A text in Bahasa Indonesia with its English form.
///
/// Domain terms (unsur, NRR, IKM, mutu pelayanan) stay Indonesian in both: they are the words
/// of the regulation and of the published reports, and translating them would hide what a
/// reader has to look up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Text {
    /// Bahasa Indonesia.
    pub id: String,
    /// English.
    pub en: String,
}

impl Text {
    /// A text from its Indonesian and English forms.
    pub fn new(id: impl Into<String>, en: impl Into<String>) -> Text {
        Text {
            id: id.into(),
            en: en.into(),
        }
    }

    /// The form in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Id => &self.id,
            Lang::En => &self.en,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lang_codes_are_read_in_any_case() {
        assert_eq!(Lang::parse("id"), Some(Lang::Id));
        assert_eq!(Lang::parse(" EN "), Some(Lang::En));
        assert_eq!(Lang::parse("Id"), Some(Lang::Id));
        assert_eq!(Lang::parse("fr"), None);
        assert_eq!(Lang::parse(""), None);
    }

    #[test]
    fn indonesian_is_the_default_language() {
        assert_eq!(Lang::default(), Lang::Id);
    }

    #[test]
    fn lang_serialises_as_its_lower_case_code() {
        assert_eq!(serde_json::to_string(&Lang::En).unwrap(), r#""en""#);
        assert_eq!(serde_json::from_str::<Lang>(r#""id""#).unwrap(), Lang::Id);
    }

    #[test]
    fn text_gives_each_language_its_own_form() {
        let t = Text::new("Sangat baik", "Very good");
        assert_eq!(t.get(Lang::Id), "Sangat baik");
        assert_eq!(t.get(Lang::En), "Very good");
    }
}
