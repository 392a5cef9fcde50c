//! Text cells that are safe to open in a spreadsheet, and that import back unchanged.
//!
//! A spreadsheet runs a cell starting with `=`, `+`, `-` or `@` as a formula, and drops a
//! leading tab or carriage return so that what follows runs too: a respondent's suggestion
//! `=HYPERLINK(…)` must not become a live link on the supervisor's laptop (OWASP, "CSV
//! injection"). Every export neutralises its text cells with [`neutralise`] and every import
//! undoes it with [`restore`].
//!
//! The rule is a single leading `'`, which spreadsheets show as "this is text" and hide. It
//! is added to a text starting with one of [`FORMULA_STARTS`] *or* with `'` itself, so a
//! cell starting with `'` followed by one of those characters is always an escaped text and
//! `restore` removes exactly the one quote the export added. A `'` followed by anything
//! else was not written by an export and is kept as typed.

use std::borrow::Cow;

/// The first characters a spreadsheet acts on.
pub const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// The quote that marks a cell as text.
const QUOTE: char = '\'';

fn needs_quote(first: char) -> bool {
    first == QUOTE || FORMULA_STARTS.contains(&first)
}

/// The cell to write for `text`: unchanged unless it starts with a formula character or a
/// quote, then with one `'` before it.
pub fn neutralise(text: &str) -> Cow<'_, str> {
    match text.chars().next() {
        Some(first) if needs_quote(first) => Cow::Owned(format!("{QUOTE}{text}")),
        _ => Cow::Borrowed(text),
    }
}

/// The text a cell written by [`neutralise`] stands for.
pub fn restore(cell: &str) -> &str {
    match cell.strip_prefix(QUOTE) {
        Some(rest) if rest.chars().next().is_some_and(needs_quote) => rest,
        _ => cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const HOSTILE: [&str; 10] = [
        "=HYPERLINK(\"http://x.invalid\",\"klik\")",
        "+cmd|' /C calc'!A0",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "-2+3",
        "\t=1+1",
        "\r=1+1",
        "'=1+1",
        "'halo",
        "''",
        "'",
    ];

    #[test]
    fn every_formula_start_and_every_leading_quote_gets_one_quote_before_it() {
        for text in HOSTILE {
            let cell = neutralise(text);
            assert!(cell.starts_with('\''), "{cell:?}");
            assert_eq!(&cell[1..], text);
        }
    }

    #[test]
    fn ordinary_text_and_numbers_are_written_as_they_are() {
        for text in ["", "Antrean terlalu panjang", "4", "2025-03-01", "K-001"] {
            assert_eq!(neutralise(text), text);
        }
    }

    #[test]
    fn a_quote_not_written_by_an_export_is_kept() {
        assert_eq!(restore("'halo"), "'halo");
        assert_eq!(restore("'"), "'");
    }

    proptest! {
        #[test]
        fn restoring_a_neutralised_cell_gives_the_text_back(text in "['=+@\\t\\r-]{0,3}.{0,8}") {
            let cell = neutralise(&text);
            prop_assert!(!cell.starts_with(FORMULA_STARTS));
            prop_assert_eq!(restore(&cell), text.as_str());
        }
    }
}
