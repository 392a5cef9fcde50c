//! Form definitions: which items a questionnaire has, what each accepts, and how raw input
//! becomes an [`Answer`].
//!
//! Agencies reorder, reword and extend the standard questionnaire, so the order and wording live
//! in a [`Form`] value, not in code; the scoring only needs each scored item's unsur.

use serde::{Deserialize, Serialize};

use crate::answer::{Answer, Score};
use crate::error::{Error, Result};
use crate::method::Method;
use crate::text::Text;

/// A questionnaire definition. A changed form gets a new `version`, so stored answers always
/// point at the wording they were given under.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Form {
    /// Stable id, e.g. `"skm-2017"`.
    pub id: String,
    /// Revision of this form, from 1.
    pub version: u32,
    /// The method its scored items are computed with.
    pub method: Method,
    /// The heading shown to respondents.
    pub title: Text,
    /// The items, in the order they are asked.
    pub items: Vec<Item>,
}

/// One question or profile field.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// Stable id, e.g. `"U1"`, `"tanggal"`.
    pub id: String,
    /// The question or field label.
    pub label: Text,
    /// What the item accepts.
    pub kind: ItemKind,
    /// Whether a questionnaire is incomplete without it.
    pub required: bool,
    /// Other accepted column names, e.g. `["date"]`, so exports from other tools import as is.
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// What an item accepts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ItemKind {
    /// An unsur question: `options[0]` is score 1 … `options[3]` is score 4. `unsur` is the method's unsur id it measures.
    Scored {
        /// The method's unsur id, e.g. `"U8"`; it need not equal the item id.
        unsur: String,
        /// The answer labels, worst first.
        options: Vec<Text>,
    },
    /// One code from a list; when `other` is `Some(code)` and that code is chosen, the free-text item `other_item` holds the detail.
    Choice {
        /// The options, in the order shown.
        options: Vec<Choice>,
        /// The code that means "something else".
        other: Option<String>,
        /// The free-text item that holds the detail of `other`.
        other_item: Option<String>,
    },
    /// A whole number within inclusive bounds.
    Integer {
        /// Smallest accepted value.
        min: i64,
        /// Largest accepted value.
        max: i64,
    },
    /// A calendar date: typed `30/11/2026` (and the other forms [`crate::parse_day`] reads),
    /// kept as YYYY-MM-DD.
    Date,
    /// Free text, trimmed.
    Text {
        /// Longest accepted text, in characters.
        max_len: usize,
    },
}

/// One option of a [`ItemKind::Choice`] item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    /// The stored value, e.g. `"L"`.
    pub code: String,
    /// What the respondent sees.
    pub label: Text,
}

impl Form {
    /// The item with exactly this id.
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|item| item.id == id)
    }

    /// The item whose id or alias is `name`, ignoring case and surrounding spaces: how a CSV
    /// header or a typed field name is matched.
    pub fn find_item(&self, name: &str) -> Option<&Item> {
        let name = name.trim();
        self.items.iter().find(|item| {
            same_text(&item.id, name) || item.aliases.iter().any(|a| same_text(a, name))
        })
    }

    /// The unsur questions, in form order.
    pub fn scored_items(&self) -> impl Iterator<Item = &Item> {
        self.items
            .iter()
            .filter(|item| matches!(item.kind, ItemKind::Scored { .. }))
    }

    /// Parse one raw answer.
    ///
    /// The item is looked up by exact id, then as [`Form::find_item`] would. Empty or
    /// whitespace-only input is `Ok(None)`: the item was left unanswered, which is not an
    /// error here ([`Form::check_required`] decides whether it matters).
    ///
    /// - Scored: `1`–`4`.
    /// - Choice: the code, or either label, in any case; gives the canonical code.
    /// - Integer: within the item's bounds.
    /// - Date: a day that exists, as offices write it ([`crate::parse_day`]); gives
    ///   YYYY-MM-DD.
    /// - Text: trimmed, at most `max_len` characters.
    ///
    /// An unknown item is [`Error::UnknownItem`]; a value that does not fit is
    /// [`Error::InvalidAnswer`], naming the item id, the raw value and what is allowed.
    pub fn parse_answer(&self, item_id: &str, raw: &str) -> Result<Option<Answer>> {
        let item = self
            .item(item_id)
            .or_else(|| self.find_item(item_id))
            .ok_or_else(|| Error::UnknownItem(item_id.to_owned()))?;
        let value = raw.trim();
        if value.is_empty() {
            return Ok(None);
        }
        item.kind
            .parse(value)
            .map(Some)
            .ok_or_else(|| Error::InvalidAnswer {
                item: item.id.clone(),
                value: raw.to_owned(),
                allowed: item.kind.allowed(),
            })
    }

    /// Checks that every required item has an answer, according to `answered(item_id)`; the
    /// error names the first missing item in form order, the one the person should fill next.
    pub fn check_required(&self, answered: impl Fn(&str) -> bool) -> Result<()> {
        match self
            .items
            .iter()
            .find(|item| item.required && !answered(&item.id))
        {
            Some(item) => Err(Error::MissingRequired {
                item: item.id.clone(),
            }),
            None => Ok(()),
        }
    }
}

impl ItemKind {
    /// What the item accepts, in words for the person typing, e.g. "bilangan bulat 10–120".
    pub fn allowed(&self) -> Text {
        match self {
            ItemKind::Scored { options, .. } => match (options.first(), options.last()) {
                (Some(worst), Some(best)) => Text::new(
                    format!("angka 1–4 (1 = {} … 4 = {})", worst.id, best.id),
                    format!("a number 1–4 (1 = {} … 4 = {})", worst.en, best.en),
                ),
                _ => Text::new("angka 1–4", "a number 1–4"),
            },
            ItemKind::Choice { options, .. } => {
                let codes: Vec<&str> = options.iter().map(|c| c.code.as_str()).collect();
                Text::new(or_list(&codes, "atau"), or_list(&codes, "or"))
            }
            ItemKind::Integer { min, max } => Text::new(
                format!("bilangan bulat {min}–{max}"),
                format!("a whole number {min}–{max}"),
            ),
            ItemKind::Date => Text::new(
                "tanggal yang ada, mis. 30/11/2026",
                "a day that exists, e.g. 30/11/2026",
            ),
            ItemKind::Text { max_len } => Text::new(
                format!("teks sampai {max_len} karakter"),
                format!("text up to {max_len} characters"),
            ),
        }
    }

    /// The answer `value` (trimmed, non-empty) stands for, if the item accepts it.
    fn parse(&self, value: &str) -> Option<Answer> {
        match self {
            ItemKind::Scored { .. } => value.parse().ok().and_then(Score::new).map(Answer::Score),
            ItemKind::Choice { options, .. } => options
                .iter()
                .find(|c| {
                    same_text(&c.code, value)
                        || same_text(&c.label.id, value)
                        || same_text(&c.label.en, value)
                })
                .map(|c| Answer::Choice(c.code.clone())),
            ItemKind::Integer { min, max } => value
                .parse()
                .ok()
                .filter(|n| (min..=max).contains(&n))
                .map(Answer::Integer),
            ItemKind::Date => crate::parse_day(value).map(Answer::Date),
            ItemKind::Text { max_len } => {
                (value.chars().count() <= *max_len).then(|| Answer::Text(value.to_owned()))
            }
        }
    }
}

/// Case-insensitive equality that also folds non-ASCII letters.
fn same_text(a: &str, b: &str) -> bool {
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

/// "L atau P", "SD, SMP atau SMA".
fn or_list(words: &[&str], or: &str) -> String {
    match words {
        [] => String::new(),
        [only] => (*only).to_owned(),
        [init @ .., last] => format!("{} {or} {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::builtin::skm_2017;
    use crate::text::Lang;
    use proptest::prelude::*;

    fn parse(item: &str, raw: &str) -> Result<Option<Answer>> {
        skm_2017().parse_answer(item, raw)
    }

    fn score(v: i64) -> Option<Answer> {
        Some(Answer::Score(Score::new(v).unwrap()))
    }

    fn rejected(item: &str, raw: &str) -> Text {
        match parse(item, raw) {
            Err(Error::InvalidAnswer {
                item: named,
                value,
                allowed,
            }) => {
                assert_eq!(named, item);
                assert_eq!(value, raw);
                allowed
            }
            other => panic!("{item} = {raw:?} gave {other:?}"),
        }
    }

    #[test]
    fn scored_items_accept_one_to_four_with_spaces_around() {
        assert_eq!(parse("U1", "1"), Ok(score(1)));
        assert_eq!(parse("U1", " 4\t"), Ok(score(4)));
    }

    #[test]
    fn scored_items_reject_anything_off_the_scale() {
        for raw in ["0", "5", "7", "3.5", "tiga", "-1"] {
            rejected("U3", raw);
        }
        let allowed = rejected("U3", "7");
        assert_eq!(
            allowed,
            Text::new(
                "angka 1–4 (1 = Tidak cepat … 4 = Sangat cepat)",
                "a number 1–4 (1 = Not fast … 4 = Very fast)"
            )
        );
    }

    #[test]
    fn empty_or_blank_input_is_unanswered() {
        for item in ["U1", "jenis_kelamin", "umur", "tanggal", "saran"] {
            assert_eq!(parse(item, ""), Ok(None));
            assert_eq!(parse(item, "  \t "), Ok(None));
        }
    }

    #[test]
    fn unknown_items_are_named_in_the_error() {
        assert_eq!(parse("U10", "3"), Err(Error::UnknownItem("U10".into())));
    }

    #[test]
    fn choices_accept_the_code_or_either_label_in_any_case() {
        let p = Some(Answer::Choice("P".into()));
        for raw in ["P", "p", "Perempuan", "PEREMPUAN", "female", " Female "] {
            assert_eq!(parse("jenis_kelamin", raw), Ok(p.clone()), "{raw}");
        }
        assert_eq!(
            parse("pendidikan", "sma/sederajat"),
            Ok(Some(Answer::Choice("SMA".into())))
        );
        assert_eq!(
            parse("pendidikan", "d1-d3"),
            Ok(Some(Answer::Choice("D1-D3".into())))
        );
    }

    #[test]
    fn a_choice_not_on_the_list_names_the_codes() {
        let allowed = rejected("jenis_kelamin", "X");
        assert_eq!(allowed, Text::new("L atau P", "L or P"));
        let allowed = rejected("pekerjaan", "petani");
        assert_eq!(
            allowed.id,
            "PNS, TNI, POLRI, SWASTA, WIRAUSAHA atau LAINNYA"
        );
    }

    #[test]
    fn integers_must_lie_within_the_bounds() {
        assert_eq!(parse("umur", "10"), Ok(Some(Answer::Integer(10))));
        assert_eq!(parse("umur", " 120 "), Ok(Some(Answer::Integer(120))));
        for raw in ["9", "121", "tiga puluh", "30.5", "99999999999999999999"] {
            let allowed = rejected("umur", raw);
            assert_eq!(
                allowed,
                Text::new("bilangan bulat 10–120", "a whole number 10–120")
            );
        }
    }

    #[test]
    fn dates_must_exist_and_are_kept_year_first_however_typed() {
        let leap_day = Ok(Some(Answer::Date(
            NaiveDate::from_ymd_opt(2024, 2, 29).unwrap(),
        )));
        for raw in ["2024-02-29", "29/02/2024", "29-02-2024", "29022024"] {
            assert_eq!(parse("tanggal", raw), leap_day, "{raw:?}");
        }
        for raw in ["2023-02-29", "2024-13-01", "29/02/2023", "kemarin"] {
            let allowed = rejected("tanggal", raw);
            assert_eq!(allowed.id, "tanggal yang ada, mis. 30/11/2026");
        }
    }

    #[test]
    fn text_is_trimmed_and_limited_in_characters_not_bytes() {
        assert_eq!(
            parse("saran", "  Antrean terlalu lama \n"),
            Ok(Some(Answer::Text("Antrean terlalu lama".into())))
        );
        // 200 two-byte characters fit a 200-character limit.
        let long = "é".repeat(200);
        assert_eq!(
            parse("layanan", &long),
            Ok(Some(Answer::Text(long.clone())))
        );
        let allowed = rejected("layanan", &format!("{long}x"));
        assert_eq!(
            allowed,
            Text::new("teks sampai 200 karakter", "text up to 200 characters")
        );
        assert_eq!(
            rejected("saran", &"a".repeat(2001)).id,
            "teks sampai 2000 karakter"
        );
    }

    #[test]
    fn the_invalid_answer_error_reads_well_in_both_languages() {
        let err = parse("jenis_kelamin", "X").unwrap_err();
        assert_eq!(
            err.localized(Lang::Id),
            "isian jenis_kelamin: `X` tidak diterima; yang boleh: L atau P"
        );
        assert_eq!(
            err.to_string(),
            "item jenis_kelamin: `X` is not allowed; expected L or P"
        );
    }

    #[test]
    fn items_are_found_by_alias_or_id_in_any_case() {
        let form = skm_2017();
        assert_eq!(form.find_item("date").unwrap().id, "tanggal");
        assert_eq!(form.find_item(" Gender ").unwrap().id, "jenis_kelamin");
        assert_eq!(form.find_item("UMUR").unwrap().id, "umur");
        assert_eq!(form.find_item("u7").unwrap().id, "U7");
        assert_eq!(
            form.find_item("occupation_other").unwrap().id,
            "pekerjaan_lainnya"
        );
        assert!(form.find_item("nama").is_none());
        // `item` is the exact lookup.
        assert!(form.item("u7").is_none());
        assert!(form.item("U7").is_some());
    }

    #[test]
    fn answers_can_be_given_under_an_alias_and_name_the_real_item() {
        assert_eq!(parse("age", "30"), Ok(Some(Answer::Integer(30))));
        assert_eq!(rejected("umur", "5").id, "bilangan bulat 10–120");
        match parse("AGE", "5") {
            Err(Error::InvalidAnswer { item, .. }) => assert_eq!(item, "umur"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn scored_items_come_in_form_order() {
        let ids: Vec<String> = skm_2017().scored_items().map(|i| i.id.clone()).collect();
        assert_eq!(ids, ["U1", "U2", "U3", "U4", "U5", "U6", "U7", "U8", "U9"]);
    }

    #[test]
    fn the_first_missing_required_item_is_named() {
        let form = skm_2017();
        assert_eq!(form.check_required(|id| id.starts_with('U')), Ok(()));
        assert_eq!(
            form.check_required(|id| id != "U4" && id != "U7"),
            Err(Error::MissingRequired { item: "U4".into() })
        );
        // Profile items and saran are optional.
        assert_eq!(
            form.check_required(|id| form.item(id).unwrap().required),
            Ok(())
        );
    }

    #[test]
    fn a_form_survives_a_json_round_trip() {
        let form = skm_2017();
        let json = serde_json::to_string(&form).unwrap();
        assert_eq!(serde_json::from_str::<Form>(&json).unwrap(), form);
    }

    /// Raw input an item would plausibly receive: mostly valid, in varied spelling.
    fn raw_for(kind: &ItemKind) -> BoxedStrategy<String> {
        match kind.clone() {
            ItemKind::Scored { .. } => ("[ \t]{0,2}", 0i64..=5, "[ \t]{0,2}")
                .prop_map(|(a, v, b)| format!("{a}{v}{b}"))
                .boxed(),
            ItemKind::Choice { options, .. } => {
                (proptest::sample::select(options), 0..3usize, any::<bool>())
                    .prop_map(|(c, which, upper)| {
                        let s = [c.code, c.label.id, c.label.en][which].clone();
                        if upper {
                            s.to_uppercase()
                        } else {
                            s.to_lowercase()
                        }
                    })
                    .boxed()
            }
            ItemKind::Integer { min, max } => {
                (min - 5..=max + 5).prop_map(|n| n.to_string()).boxed()
            }
            ItemKind::Date => (1900i32..2100, 1u32..=12, 1u32..=31)
                .prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}"))
                .boxed(),
            ItemKind::Text { max_len } => {
                proptest::string::string_regex(&format!("\\PC{{0,{}}}", (max_len + 5).min(300)))
                    .unwrap()
                    .boxed()
            }
        }
    }

    fn item_and_raw() -> impl Strategy<Value = (String, String)> {
        proptest::sample::select(skm_2017().items)
            .prop_flat_map(|item| (Just(item.id.clone()), raw_for(&item.kind)))
    }

    proptest! {
        #[test]
        fn every_parsed_answer_reads_back_from_its_raw_form((item, raw) in item_and_raw()) {
            let form = skm_2017();
            match form.parse_answer(&item, &raw) {
                Ok(Some(answer)) => {
                    prop_assert_eq!(form.parse_answer(&item, &answer.to_raw()), Ok(Some(answer)));
                }
                Ok(None) => prop_assert!(raw.trim().is_empty()),
                Err(Error::InvalidAnswer { item: named, value, .. }) => {
                    prop_assert_eq!(named, item);
                    prop_assert_eq!(value, raw);
                }
                Err(other) => prop_assert!(false, "unexpected {:?}", other),
            }
        }
    }
}
