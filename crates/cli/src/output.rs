//! Printing: plain text for people (Bahasa Indonesia first, decimal commas), JSON for scripts.

use serde::Serialize;
use simpul_survey::Lang;

/// Pick the text for `lang`.
pub fn tr<'a>(lang: Lang, id: &'a str, en: &'a str) -> &'a str {
    match lang {
        Lang::Id => id,
        Lang::En => en,
    }
}

/// A number with `decimals` places, with a decimal comma in Indonesian.
pub fn num(lang: Lang, value: f64, decimals: usize) -> String {
    let s = format!("{value:.decimals$}");
    match lang {
        Lang::Id => s.replace('.', ","),
        Lang::En => s,
    }
}

pub fn json(value: &impl Serialize) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// Failures of the command line's own, as data; [`error_message`] words them.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("`{raw}` matches {matches} responses; give more of the id")]
    AmbiguousId { raw: String, matches: usize },
    #[error("reading answers from standard input: {0}")]
    Stdin(#[source] std::io::Error),
    #[error("answers on standard input must be a JSON object: {0}")]
    AnswersNotAnObject(#[source] serde_json::Error),
    #[error("answer `{item}`: expected a string or number, got {got}")]
    AnswerNotText { item: String, got: String },
}

impl CliError {
    fn localized(&self, lang: Lang) -> String {
        match (self, lang) {
            (CliError::AmbiguousId { raw, matches }, Lang::Id) => {
                format!("`{raw}` cocok dengan {matches} respons; tulis id lebih panjang")
            }
            (CliError::Stdin(e), Lang::Id) => {
                format!("jawaban dari masukan standar tidak terbaca: {e}")
            }
            (CliError::AnswersNotAnObject(e), Lang::Id) => format!(
                "jawaban di masukan standar harus berupa objek JSON (baris {}, kolom {})",
                e.line(),
                e.column()
            ),
            (CliError::AnswerNotText { item, got }, Lang::Id) => {
                format!("jawaban `{item}`: harus teks atau angka, bukan {got}")
            }
            (other, Lang::En) => other.to_string(),
        }
    }
}

/// The error as the person at the counter should read it: one prefix, one language. Domain
/// errors carry data and their own translations, and this adds what only the command line
/// can say (which command or flag to use); anything else shows its chain of causes, each
/// once.
pub fn error_message(err: &anyhow::Error, lang: Lang) -> String {
    let prefix = tr(lang, "galat", "error");
    let mut parts: Vec<String> = Vec::new();
    for cause in err.chain() {
        let part = if let Some(e) = cause.downcast_ref::<simpul_replica::Error>() {
            Some(replica_message(e, lang))
        } else if let Some(e) = cause.downcast_ref::<CliError>() {
            Some(e.localized(lang))
        } else {
            cause
                .downcast_ref::<simpul_survey::Error>()
                .map(|e| e.localized(lang))
        };
        if let Some(part) = part {
            // The domain's words already hold their cause.
            parts.push(part);
            break;
        }
        let text = cause.to_string();
        // Errors that print their source would otherwise say it twice.
        if !parts.last().is_some_and(|last| last.ends_with(&text)) {
            parts.push(text);
        }
    }
    format!("{prefix}: {}", parts.join(": "))
}

/// A replica error, with the command or flag that fixes it where there is one.
fn replica_message(err: &simpul_replica::Error, lang: Lang) -> String {
    use simpul_replica::Error as E;
    let words = err.localized(lang);
    match err {
        E::NotInitialised(_) => format!(
            "{words}; {}",
            tr(
                lang,
                "jalankan `simpul init` dulu",
                "run `simpul init` first"
            )
        ),
        E::NotEnrolled => format!(
            "{words}; {}",
            tr(
                lang,
                "jalankan `simpul enrol` dulu",
                "run `simpul enrol` first"
            )
        ),
        E::MixedMethods(methods) => {
            let codes: Vec<&str> = methods.iter().map(|m| m.code()).collect();
            let codes = codes.join(", ");
            match lang {
                Lang::Id => format!(
                    "data ini memuat hasil beberapa metode ({codes}); pilih satu dengan --method"
                ),
                Lang::En => format!(
                    "this replica holds results of several methods ({codes}); choose one with \
                     --method"
                ),
            }
        }
        _ => words,
    }
}
