//! What a unit writes beside its results for the official report: the Rencana Tindak Lanjut
//! (RTL, the follow-up plan), what became of the previous period's plan, and the report's
//! narrative.
//!
//! Everything here is parsed at the boundary ([`PlanInput::parse`], [`NarrativeField::parse`]):
//! an unknown unsur, an empty program or a quarter outside I–IV is refused naming the field,
//! and nothing is stored. Past it, a [`Plan`] is valid. Periods are ordered as their codes
//! sort (`2025-S1` < `2025-S2` < `2026`): a period's "previous plan" is the plan of the
//! latest period before it that has one.

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use simpul_survey::Method;

use crate::{Error, Result};

/// Longest program, person responsible or follow-up description, in characters.
const MAX_TEXT: usize = 1_000;
/// Longest narrative section, in characters.
const MAX_NARRATIVE: usize = 20_000;
/// Most items one plan holds.
const MAX_ITEMS: usize = 50;

/// A quarter of the year a follow-up action takes place in ("TW I" … "TW IV").
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Quarter {
    I,
    II,
    III,
    IV,
}

impl Quarter {
    pub fn parse(raw: &str) -> Option<Quarter> {
        let raw = raw.trim();
        let raw = raw
            .strip_prefix("TW")
            .or_else(|| raw.strip_prefix("tw"))
            .unwrap_or(raw)
            .trim();
        match raw.to_ascii_uppercase().as_str() {
            "I" | "1" => Some(Quarter::I),
            "II" | "2" => Some(Quarter::II),
            "III" | "3" => Some(Quarter::III),
            "IV" | "4" => Some(Quarter::IV),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Quarter::I => "I",
            Quarter::II => "II",
            Quarter::III => "III",
            Quarter::IV => "IV",
        }
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// One row of the RTL table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PlanItem {
    /// The priority unsur's id in the unit's method, e.g. `U3`.
    pub unsur: String,
    pub program: String,
    /// When, by quarter; at least one, in order, each once.
    pub quarters: Vec<Quarter>,
    /// Penanggung jawab.
    pub responsible: String,
}

/// A unit's follow-up plan for one period.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// The day of the Forum Konsultasi Publik that discussed it.
    pub fkp_date: Option<NaiveDate>,
    pub items: Vec<PlanItem>,
}

/// What became of one item of the previous period's plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FollowUp {
    /// The item's number in that plan, from 1.
    pub no: usize,
    pub done: bool,
    /// What was done (or why not).
    pub description: String,
}

/// Who last changed a stored thing, and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Changed {
    pub by: String,
    pub at: DateTime<Utc>,
}

/// A plan as stored, with the follow-up recorded against each of its items.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoredPlan {
    pub period: String,
    pub plan: Plan,
    pub changed: Changed,
    /// Per item, in order: its follow-up, when one was recorded.
    pub follow_ups: Vec<Option<(FollowUp, Changed)>>,
}

/// A plan as a client sends it (`PUT /api/v1/units/CODE/plan`).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanInput {
    #[serde(default)]
    pub fkp_date: Option<String>,
    #[serde(default)]
    pub items: Vec<PlanItemInput>,
    /// About the previous period's plan.
    #[serde(default)]
    pub follow_ups: Vec<FollowUpInput>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanItemInput {
    pub unsur: String,
    pub program: String,
    #[serde(default)]
    pub quarters: Vec<String>,
    #[serde(default)]
    pub responsible: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowUpInput {
    pub no: usize,
    pub done: bool,
    #[serde(default)]
    pub description: String,
}

fn invalid(field: String, value: &str, reason: &'static str) -> Error {
    Error::InvalidField {
        field,
        value: value.chars().take(80).collect(),
        reason,
    }
}

/// Trimmed, not empty, at most `max` characters, no control characters but line breaks.
fn text(field: String, raw: &str, max: usize, required: bool) -> Result<String> {
    let value = raw.trim();
    if required && value.is_empty() {
        return Err(invalid(field, raw, "it is empty"));
    }
    if value.chars().count() > max {
        return Err(invalid(field, raw, "it is too long"));
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(invalid(field, raw, "it holds control characters"));
    }
    Ok(value.to_string())
}

impl PlanInput {
    /// The plan and follow-ups, checked against `method`'s unsur.
    pub fn parse(self, method: Method) -> Result<(Plan, Vec<FollowUp>)> {
        let fkp_date = match self.fkp_date.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => Some(simpul_survey::parse_day(raw).ok_or_else(|| {
                invalid(
                    "fkp_date".into(),
                    raw,
                    "write a day that exists, e.g. 30/11/2026",
                )
            })?),
        };
        if self.items.len() > MAX_ITEMS {
            return Err(invalid(
                "items".into(),
                &self.items.len().to_string(),
                "a plan holds at most 50 items",
            ));
        }
        let mut items = Vec::with_capacity(self.items.len());
        for (i, item) in self.items.into_iter().enumerate() {
            let at = |name: &str| format!("items[{}].{name}", i + 1);
            let unsur = item.unsur.trim().to_ascii_uppercase();
            if !method.unsur().iter().any(|u| u.id == unsur) {
                return Err(invalid(
                    at("unsur"),
                    &item.unsur,
                    "not an unsur of the unit's method (U1–U9)",
                ));
            }
            let mut quarters = Vec::new();
            for raw in &item.quarters {
                let quarter = Quarter::parse(raw)
                    .ok_or_else(|| invalid(at("quarters"), raw, "use I, II, III or IV"))?;
                if !quarters.contains(&quarter) {
                    quarters.push(quarter);
                }
            }
            if quarters.is_empty() {
                return Err(invalid(
                    at("quarters"),
                    "",
                    "name at least one quarter, I–IV",
                ));
            }
            quarters.sort();
            items.push(PlanItem {
                unsur,
                program: text(at("program"), &item.program, MAX_TEXT, true)?,
                quarters,
                responsible: text(at("responsible"), &item.responsible, MAX_TEXT, true)?,
            });
        }
        let mut follow_ups: Vec<FollowUp> = Vec::new();
        for (i, follow_up) in self.follow_ups.into_iter().enumerate() {
            if follow_ups.iter().any(|f| f.no == follow_up.no) {
                return Err(invalid(
                    format!("follow_ups[{}].no", i + 1),
                    &follow_up.no.to_string(),
                    "this item is followed up twice",
                ));
            }
            follow_ups.push(FollowUp {
                no: follow_up.no,
                done: follow_up.done,
                description: text(
                    format!("follow_ups[{}].description", i + 1),
                    &follow_up.description,
                    MAX_TEXT,
                    false,
                )?,
            });
        }
        Ok((Plan { fkp_date, items }, follow_ups))
    }
}

/// Checks follow-ups against the plan they follow up: `Some(items)` of the previous plan, or
/// `None` when there is none.
pub fn check_follow_ups(follow_ups: &[FollowUp], previous_items: Option<usize>) -> Result<()> {
    for (i, follow_up) in follow_ups.iter().enumerate() {
        let field = format!("follow_ups[{}].no", i + 1);
        let value = follow_up.no.to_string();
        match previous_items {
            None => {
                return Err(invalid(
                    field,
                    &value,
                    "there is no earlier period's plan to follow up",
                ));
            }
            Some(count) if follow_up.no == 0 || follow_up.no > count => {
                return Err(invalid(
                    field,
                    &value,
                    "the previous period's plan has no item with this number",
                ));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// The parts of the report a unit may rewrite; each has a generated default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NarrativeField {
    LatarBelakang,
    DasarHukum,
    MaksudTujuan,
    Pelaksana,
    Metode,
    Lokasi,
    Kesimpulan,
    Saran,
    Tempat,
    Tanggal,
    KepalaJabatan,
    KepalaNama,
    KepalaNip,
}

impl NarrativeField {
    pub const ALL: [NarrativeField; 13] = [
        NarrativeField::LatarBelakang,
        NarrativeField::DasarHukum,
        NarrativeField::MaksudTujuan,
        NarrativeField::Pelaksana,
        NarrativeField::Metode,
        NarrativeField::Lokasi,
        NarrativeField::Kesimpulan,
        NarrativeField::Saran,
        NarrativeField::Tempat,
        NarrativeField::Tanggal,
        NarrativeField::KepalaJabatan,
        NarrativeField::KepalaNama,
        NarrativeField::KepalaNip,
    ];

    pub fn key(self) -> &'static str {
        match self {
            NarrativeField::LatarBelakang => "latar_belakang",
            NarrativeField::DasarHukum => "dasar_hukum",
            NarrativeField::MaksudTujuan => "maksud_tujuan",
            NarrativeField::Pelaksana => "pelaksana",
            NarrativeField::Metode => "metode",
            NarrativeField::Lokasi => "lokasi",
            NarrativeField::Kesimpulan => "kesimpulan",
            NarrativeField::Saran => "saran",
            NarrativeField::Tempat => "tempat",
            NarrativeField::Tanggal => "tanggal",
            NarrativeField::KepalaJabatan => "kepala_jabatan",
            NarrativeField::KepalaNama => "kepala_nama",
            NarrativeField::KepalaNip => "kepala_nip",
        }
    }

    pub fn parse(raw: &str) -> Option<NarrativeField> {
        NarrativeField::ALL.into_iter().find(|f| f.key() == raw)
    }

    /// Whether the field is one line (a name, a place) rather than paragraphs.
    pub fn one_line(self) -> bool {
        matches!(
            self,
            NarrativeField::Tempat
                | NarrativeField::Tanggal
                | NarrativeField::KepalaJabatan
                | NarrativeField::KepalaNama
                | NarrativeField::KepalaNip
        )
    }
}

/// A narrative change: each named field set to a text, or back to its default (`null` or
/// an empty text).
pub fn parse_narrative(
    input: &serde_json::Map<String, serde_json::Value>,
) -> Result<Vec<(NarrativeField, Option<String>)>> {
    let mut changes = Vec::new();
    for (key, value) in input {
        let field = NarrativeField::parse(key)
            .ok_or_else(|| invalid(key.clone(), key, "not a part of the report one can edit"))?;
        let text_value = match value {
            serde_json::Value::Null => None,
            serde_json::Value::String(raw) => {
                let max = if field.one_line() { 200 } else { MAX_NARRATIVE };
                let value = text(key.clone(), raw, max, false)?;
                if field.one_line() && value.contains('\n') {
                    return Err(invalid(key.clone(), raw, "write it on one line"));
                }
                (!value.is_empty()).then_some(value)
            }
            other => {
                return Err(invalid(
                    key.clone(),
                    &other.to_string(),
                    "write a text, or null for the default",
                ));
            }
        };
        changes.push((field, text_value));
    }
    Ok(changes)
}

#[cfg(test)]
mod tests {
    use super::*;

    const M17: Method = Method::Permenpanrb14_2017;

    fn item(unsur: &str, program: &str, quarters: &[&str]) -> PlanItemInput {
        PlanItemInput {
            unsur: unsur.into(),
            program: program.into(),
            quarters: quarters.iter().map(|q| q.to_string()).collect(),
            responsible: "Kepala Seksi".into(),
        }
    }

    fn field_of(error: Error) -> String {
        match error {
            Error::InvalidField { field, .. } => field,
            other => panic!("{other}"),
        }
    }

    #[test]
    fn quarters_are_read_as_offices_write_them_and_kept_in_order_once() {
        let input = PlanInput {
            items: vec![item("u3", " Loket tambahan ", &["TW IV", "2", "ii"])],
            ..PlanInput::default()
        };
        let (plan, _) = input.parse(M17).unwrap();
        assert_eq!(plan.items[0].unsur, "U3");
        assert_eq!(plan.items[0].program, "Loket tambahan");
        assert_eq!(plan.items[0].quarters, [Quarter::II, Quarter::IV]);
    }

    #[test]
    fn an_unknown_unsur_an_empty_program_and_a_fifth_quarter_name_their_field() {
        for (bad, field) in [
            (item("U10", "x", &["I"]), "items[1].unsur"),
            (item("U1", "  ", &["I"]), "items[1].program"),
            (item("U1", "x", &["V"]), "items[1].quarters"),
            (item("U1", "x", &[]), "items[1].quarters"),
        ] {
            let input = PlanInput {
                items: vec![bad],
                ..PlanInput::default()
            };
            assert_eq!(field_of(input.parse(M17).unwrap_err()), field);
        }
    }

    #[test]
    fn a_follow_up_needs_an_item_of_the_previous_plan() {
        let follow_up = FollowUp {
            no: 2,
            done: true,
            description: String::new(),
        };
        assert!(check_follow_ups(std::slice::from_ref(&follow_up), Some(2)).is_ok());
        assert!(check_follow_ups(std::slice::from_ref(&follow_up), Some(1)).is_err());
        assert!(check_follow_ups(&[follow_up], None).is_err());
    }

    #[test]
    fn a_narrative_names_known_fields_and_an_empty_text_means_the_default() {
        let input = serde_json::json!({"kesimpulan": "  ", "kepala_nama": "Budi"});
        let changes = parse_narrative(input.as_object().unwrap()).unwrap();
        assert_eq!(
            changes,
            [
                (NarrativeField::KepalaNama, Some("Budi".into())),
                (NarrativeField::Kesimpulan, None),
            ]
        );
        let unknown = serde_json::json!({"judul": "x"});
        assert_eq!(
            field_of(parse_narrative(unknown.as_object().unwrap()).unwrap_err()),
            "judul"
        );
    }
}
