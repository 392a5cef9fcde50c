//! A unit's responses as CSV, from the materialised tables: the columns of a device's
//! `simpul export csv` — `id, serial, channel, status, unit, period, form, created_at,
//! updated_at`, then every item of the responses' forms — plus the supervisor's `review`
//! and `review_note`. Text cells are [neutralised](neutralise) so that no cell runs as a
//! formula when a supervisor opens the file in a spreadsheet.

use std::collections::{BTreeMap, HashSet};
use std::io::Write;
use std::path::Path;

use chrono::DateTime;
use simpul_survey::{Form, ItemKind};
use uuid::Uuid;

use crate::model::UnitCode;
use crate::report::ReportFilter;
use crate::storage::Storage;
use crate::{Result, safe_write};

/// Columns that describe a response, in the device export's order.
pub const META_COLUMNS: [&str; 9] = [
    "id",
    "serial",
    "channel",
    "status",
    "unit",
    "period",
    "form",
    "created_at",
    "updated_at",
];

/// Columns only the server's export has, after the items.
pub const REVIEW_COLUMNS: [&str; 2] = ["review", "review_note"];

/// The form an export's columns follow when the unit has no responses and no configured form.
pub const DEFAULT_FORM: &str = "skm-2017";

/// One response as an export reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportRow {
    pub id: Uuid,
    pub serial: Option<String>,
    pub channel: String,
    pub status: String,
    pub unit: String,
    pub period: String,
    pub form: String,
    /// Milliseconds since the epoch.
    pub created_at: i64,
    pub updated_at: i64,
    pub review: String,
    pub review_note: Option<String>,
    /// Item id → the value shown (`None`: asked, not answered).
    pub answers: BTreeMap<String, Option<String>>,
}

/// Writes `unit`'s responses matching `filter` to `path`, atomically. Returns how many.
pub fn export_csv(
    storage: &dyn Storage,
    unit: &UnitCode,
    filter: &ReportFilter,
    path: &Path,
) -> Result<usize> {
    let rows = storage.export_rows(unit, filter)?;
    let fallback = storage
        .unit_form(unit)?
        .unwrap_or_else(|| DEFAULT_FORM.to_string());
    safe_write::write_file(path, |out| write_csv(out, &rows, &fallback))?;
    Ok(rows.len())
}

/// An export as a table: its header, and per response the value of each column as stored.
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Columns of scores and whole numbers: numbers, not text a spreadsheet could run.
    numeric: Vec<bool>,
}

impl Table {
    /// Per column, whether it holds scores and whole numbers, to be written as numbers.
    pub fn numeric(&self) -> &[bool] {
        &self.numeric
    }
}

/// The columns of `rows`' forms (with no rows, those of `fallback_form`) and their values.
pub fn table(rows: &[ExportRow], fallback_form: &str) -> Table {
    let forms = simpul_survey::builtin_forms();
    let form = |id: &str| forms.iter().find(|f| f.id == id);
    let mut items: Vec<&str> = Vec::new();
    let mut used: Vec<&Form> = Vec::new();
    for row in rows {
        if let Some(f) = form(&row.form)
            && !used.iter().any(|u| u.id == f.id)
        {
            used.push(f);
        }
    }
    if used.is_empty()
        && let Some(f) = form(fallback_form).or_else(|| form(DEFAULT_FORM))
    {
        used.push(f);
    }
    for f in &used {
        for item in &f.items {
            if !items.contains(&item.id.as_str()) {
                items.push(&item.id);
            }
        }
    }
    let numeric_items: HashSet<&str> = forms
        .iter()
        .flat_map(|f| &f.items)
        .filter(|i| matches!(i.kind, ItemKind::Scored { .. } | ItemKind::Integer { .. }))
        .map(|i| i.id.as_str())
        .collect();
    let header: Vec<String> = META_COLUMNS
        .iter()
        .chain(items.iter())
        .chain(REVIEW_COLUMNS.iter())
        .map(|column| column.to_string())
        .collect();
    let numeric = header
        .iter()
        .map(|column| numeric_items.contains(column.as_str()))
        .collect();
    let time = |ms: i64| {
        DateTime::from_timestamp_millis(ms)
            .map(|t| t.to_rfc3339())
            .unwrap_or_default()
    };
    let rows = rows
        .iter()
        .map(|row| {
            let meta = [
                row.id.to_string(),
                row.serial.clone().unwrap_or_default(),
                row.channel.clone(),
                row.status.clone(),
                row.unit.clone(),
                row.period.clone(),
                row.form.clone(),
                time(row.created_at),
                time(row.updated_at),
            ];
            let values = items.iter().map(|item| {
                row.answers
                    .get(*item)
                    .cloned()
                    .flatten()
                    .unwrap_or_default()
            });
            let review = [
                row.review.clone(),
                row.review_note.clone().unwrap_or_default(),
            ];
            meta.into_iter().chain(values).chain(review).collect()
        })
        .collect();
    Table {
        header,
        rows,
        numeric,
    }
}

/// The CSV of `rows`; with no rows, the columns of `fallback_form`.
pub fn write_csv(out: &mut dyn Write, rows: &[ExportRow], fallback_form: &str) -> Result<()> {
    let table = table(rows, fallback_form);
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(&table.header)?;
    for row in &table.rows {
        writer.write_record(row.iter().zip(&table.numeric).map(|(value, numeric)| {
            if *numeric && value.parse::<i64>().is_ok() {
                value.clone()
            } else {
                neutralise(value)
            }
        }))?;
    }
    writer.flush()?;
    Ok(())
}

/// The first characters a spreadsheet acts on (OWASP, "CSV injection").
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// The cell to write for `text`: one `'` before a text starting with a formula character or
/// with `'`, so it shows as text and a device's import restores it exactly.
///
/// The same rule as `simpul_replica::spreadsheet::neutralise`, written again because the
/// server does not depend on the device's crate (and its HTTP client); a test holds the two
/// together.
pub fn neutralise(text: &str) -> String {
    match text.chars().next() {
        Some(first) if first == '\'' || FORMULA_STARTS.contains(&first) => format!("'{text}"),
        _ => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(saran: &str) -> ExportRow {
        ExportRow {
            id: Uuid::nil(),
            serial: None,
            channel: "paper".into(),
            status: "final".into(),
            unit: "U-X".into(),
            period: "2025-S1".into(),
            form: "skm-2017".into(),
            created_at: 0,
            updated_at: 0,
            review: "rejected".into(),
            review_note: Some("=tidak jelas".into()),
            answers: [
                ("U1".to_string(), Some("4".to_string())),
                ("saran".to_string(), Some(saran.to_string())),
            ]
            .into(),
        }
    }

    #[test]
    fn the_same_cells_are_neutralised_as_on_a_device() {
        for text in [
            "=HYPERLINK(\"http://x.invalid\",\"klik\")",
            "+1",
            "-2+3",
            "@SUM(1)",
            "\t=1",
            "\r=1",
            "'=1",
            "'halo",
            "halo",
            "",
        ] {
            assert_eq!(
                neutralise(text),
                simpul_replica::spreadsheet::neutralise(text),
                "{text:?}"
            );
        }
    }

    #[test]
    fn the_columns_are_the_devices_then_the_review() {
        let mut out = Vec::new();
        write_csv(&mut out, &[row("baik")], DEFAULT_FORM).unwrap();
        let text = String::from_utf8(out).unwrap();
        let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
        assert_eq!(header[..9], META_COLUMNS);
        assert_eq!(header[header.len() - 2..], REVIEW_COLUMNS);
        assert!(header.contains(&"U1"));
    }
}
