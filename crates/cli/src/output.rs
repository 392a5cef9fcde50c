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

/// The error as the person at the counter should read it. Domain errors carry their own
/// translations; anything else shows its chain of causes.
pub fn error_message(err: &anyhow::Error, lang: Lang) -> String {
    let prefix = tr(lang, "galat", "error");
    if let Some(e) = err.downcast_ref::<simpul_replica::Error>() {
        return format!("{prefix}: {}", e.localized(lang));
    }
    if let Some(e) = err.downcast_ref::<simpul_survey::Error>() {
        return format!("{prefix}: {}", e.localized(lang));
    }
    format!("{prefix}: {err:#}")
}
