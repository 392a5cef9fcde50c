//! The report as a spreadsheet (XLSX), the way units already keep their SKM in Excel:
//!
//! - **Ringkasan**: the unit, period, n, IKM and mutu pelayanan, then one row per unsur (NRR,
//!   NRR tertimbang, nilai konversi, mutu) and a chart of the NRR.
//! - **Pengolahan**: the rekapitulasi — one row per respondent with their score per unsur,
//!   then per unsur the total, the answers counted, the NRR, the weight and NRR × bobot, and
//!   the IKM. These are formulas, written with the results the report computed, so a reader
//!   that does not calculate (a phone's viewer) still sees every number, and one that does
//!   shows how each came about.
//! - **Data**: one row per response, the CSV export's columns.
//!
//! Text from respondents is written as text cells, never as formulas; text a spreadsheet
//! would take for one (`=`, `+`, `-`, `@` first) is also marked quote-prefixed, so editing
//! the cell does not turn it into one.

use rust_xlsxwriter::utility::row_col_to_cell;
use rust_xlsxwriter::{Chart, ChartType, Format, Formula, Workbook as Xlsx, Worksheet, XlsxError};
use simpul_survey::{IkmReport, ItemKind, UnsurResult, Weighting, round_to_hundredths};

use crate::export::{self, DEFAULT_FORM, ExportRow};
use crate::model::UnitCode;
use crate::report::{self, ReportFilter};
use crate::storage::Storage;
use crate::{Error, Result};

/// The media type of an XLSX file.
pub const CONTENT_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The spreadsheet of `unit`'s report for `filter`: the report the server computes, the
/// rekapitulasi of exactly the responses it counts, and the export's rows.
pub fn unit_workbook(
    storage: &dyn Storage,
    unit: &UnitCode,
    filter: &ReportFilter,
    weighting: Weighting,
) -> Result<Vec<u8>> {
    let about = storage
        .unit(unit)?
        .ok_or_else(|| Error::UnknownUnit(unit.to_string()))?;
    let fallback = storage
        .unit_form(unit)?
        .unwrap_or_else(|| DEFAULT_FORM.to_string());
    // The report and the rows are read on two connections at once; a unit of 100 000
    // responses takes seconds, and a district office's server has cores to spare.
    let (report, rows) = std::thread::scope(|scope| {
        let report = scope.spawn(|| report::unit_report(storage, unit, filter, weighting));
        let rows = storage.export_rows(unit, filter);
        (report.join().expect("the report thread panicked"), rows)
    });
    let (report, rows) = (report?, rows?);
    let (table, scores) = std::thread::scope(|scope| {
        let table = scope.spawn(|| export::table(&rows, &fallback));
        let scores = score_rows(&rows, &report);
        (table.join().expect("the export thread panicked"), scores)
    });
    write(&Contents {
        unit: unit.as_str(),
        unit_name: about.name.as_str(),
        period: filter.period.as_deref(),
        report: &report,
        scores: &scores,
        data: Columns::from(&table),
    })
}

/// The rekapitulasi's rows: each response the report counts (final, not rejected; deleted
/// ones are not exported at all) with its score per unsur of the report.
fn score_rows(rows: &[ExportRow], report: &IkmReport) -> Vec<ScoreRow> {
    let forms = simpul_survey::builtin_forms();
    rows.iter()
        .filter(|row| row.status == "final" && row.review != "rejected")
        .map(|row| {
            let mut scores = vec![None; report.unsur.len()];
            let form = forms.iter().find(|form| form.id == row.form);
            for item in form.iter().flat_map(|form| &form.items) {
                let ItemKind::Scored { unsur, .. } = &item.kind else {
                    continue;
                };
                if let Some(slot) = report.unsur.iter().position(|u| &u.id == unsur) {
                    scores[slot] = row
                        .answers
                        .get(&item.id)
                        .cloned()
                        .flatten()
                        .and_then(|value| value.parse().ok());
                }
            }
            ScoreRow {
                respondent: row.serial.clone().unwrap_or_else(|| row.id.to_string()),
                scores,
            }
        })
        .collect()
}

/// One respondent's row of the rekapitulasi.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScoreRow {
    /// The paper serial, or the response id when there is none.
    pub respondent: String,
    /// The score given to each unsur of the report's method, in its order.
    pub scores: Vec<Option<u8>>,
}

/// What the spreadsheet holds.
pub struct Contents<'a> {
    pub unit: &'a str,
    pub unit_name: &'a str,
    pub period: Option<&'a str>,
    pub report: &'a IkmReport,
    /// The responses the report counts.
    pub scores: &'a [ScoreRow],
    /// The CSV export's columns and rows, for the Data sheet.
    pub data: Columns<'a>,
}

/// The export's header and rows, as a Data sheet writes them.
pub struct Columns<'a> {
    pub header: &'a [String],
    pub rows: &'a [Vec<String>],
    /// Per column, whether its values are numbers (scores, ages): written as numbers.
    pub numeric: &'a [bool],
}

impl<'a> From<&'a export::Table> for Columns<'a> {
    fn from(table: &'a export::Table) -> Columns<'a> {
        Columns {
            header: &table.header,
            rows: &table.rows,
            numeric: table.numeric(),
        }
    }
}

/// The XLSX file's bytes.
pub fn write(contents: &Contents<'_>) -> Result<Vec<u8>> {
    build(contents).map_err(|error| Error::Workbook(error.to_string()))
}

fn build(contents: &Contents<'_>) -> std::result::Result<Vec<u8>, XlsxError> {
    let mut book = Xlsx::new();
    let bold = Format::new().set_bold();
    let two = Format::new().set_num_format("0.00");
    let text = Format::new().set_quote_prefix();

    summary(book.add_worksheet(), contents, &bold, &two)?;
    // The two long sheets, one row per response, are written row by row straight to
    // temporary files (strings inline, no table of them in memory), each on its own thread.
    let mut pengolahan = book.new_worksheet_with_constant_memory();
    let mut data = book.new_worksheet_with_constant_memory();
    std::thread::scope(|scope| {
        let rekap = scope.spawn(|| rekapitulasi(&mut pengolahan, contents, &bold, &two));
        data_sheet(&mut data, &contents.data, &bold, &text)?;
        rekap.join().expect("the rekapitulasi thread panicked")
    })?;
    book.push_worksheet(pengolahan);
    book.push_worksheet(data);
    book.save_to_buffer()
}

/// A spreadsheet of one Data sheet: the review queue's export, with the same columns as its
/// CSV (the device's export plus the review state and note).
pub fn table_workbook(table: &export::Table) -> Result<Vec<u8>> {
    let build = || -> std::result::Result<Vec<u8>, XlsxError> {
        let mut book = Xlsx::new();
        let mut data = book.new_worksheet_with_constant_memory();
        let bold = Format::new().set_bold();
        let text = Format::new().set_quote_prefix();
        data_sheet(&mut data, &Columns::from(table), &bold, &text)?;
        book.push_worksheet(data);
        book.save_to_buffer()
    };
    build().map_err(|error| Error::Workbook(error.to_string()))
}

/// The export's rows as they are, scores and ages as numbers.
fn data_sheet(
    data: &mut Worksheet,
    contents: &Columns<'_>,
    bold: &Format,
    text: &Format,
) -> std::result::Result<(), XlsxError> {
    data.set_name("Data")?;
    for (col, name) in contents.header.iter().enumerate() {
        data.write_string_with_format(0, col as u16, name, bold)?;
    }
    for (row, values) in contents.rows.iter().enumerate() {
        // An unanswered item stays a blank cell, as in the CSV: nothing to write.
        for (col, value) in values.iter().enumerate().filter(|(_, v)| !v.is_empty()) {
            let number = contents
                .numeric
                .get(col)
                .is_some_and(|numeric| *numeric)
                .then(|| value.parse::<i64>().ok())
                .flatten();
            let (row, col) = (row as u32 + 1, col as u16);
            if let Some(number) = number {
                data.write_number(row, col, number as f64)?;
            } else if looks_like_a_formula(value) {
                data.write_string_with_format(row, col, value, text)?;
            } else {
                data.write_string(row, col, value)?;
            }
        }
    }
    Ok(())
}

fn summary(
    sheet: &mut Worksheet,
    contents: &Contents<'_>,
    bold: &Format,
    two: &Format,
) -> std::result::Result<(), XlsxError> {
    let report = contents.report;
    sheet.set_name("Ringkasan")?;
    sheet.set_column_width(1, 48)?;
    sheet.write_string_with_format(0, 0, "Survei Kepuasan Masyarakat", bold)?;
    let facts: [(&str, String); 5] = [
        (
            "Unit pelayanan",
            format!("{} ({})", contents.unit_name, contents.unit),
        ),
        ("Periode", contents.period.unwrap_or("semua periode").into()),
        ("Jumlah responden (n)", report.n.to_string()),
        // A number when there is one (below), so a reader can calculate with it.
        ("Nilai IKM", "—".into()),
        (
            "Mutu pelayanan",
            match (&report.grade, &report.grade_label) {
                (Some(grade), Some(label)) => format!("{grade:?} ({label})"),
                _ => "—".into(),
            },
        ),
    ];
    for (i, (what, value)) in facts.iter().enumerate() {
        let row = 2 + i as u32;
        sheet.write_string(row, 0, *what)?;
        match report.ikm {
            Some(ikm) if *what == "Nilai IKM" => {
                sheet.write_number_with_format(row, 1, round_to_hundredths(ikm), two)?
            }
            _ => sheet.write_string(row, 1, value)?,
        };
    }

    let top = 9;
    for (col, name) in [
        "Unsur",
        "Nama",
        "NRR",
        "NRR tertimbang",
        "Nilai konversi",
        "Mutu",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string_with_format(top, col as u16, *name, bold)?;
    }
    for (i, unsur) in report.unsur.iter().enumerate() {
        let row = top + 1 + i as u32;
        sheet.write_string(row, 0, &unsur.id)?;
        sheet.write_string(row, 1, &unsur.name)?;
        for (col, value) in [(2, unsur.nrr), (3, unsur.weighted), (4, unsur.converted)] {
            if let Some(value) = value {
                sheet.write_number_with_format(row, col, value, two)?;
            }
        }
        if let Some(grade) = &unsur.grade {
            sheet.write_string(row, 5, format!("{grade:?}"))?;
        }
    }
    if !report.unsur.is_empty() {
        let last = top + report.unsur.len() as u32;
        let mut chart = Chart::new(ChartType::Column);
        chart.title().set_name("NRR per unsur");
        chart
            .add_series()
            .set_name("NRR")
            .set_categories(("Ringkasan", top + 1, 0, last, 0))
            .set_values(("Ringkasan", top + 1, 2, last, 2));
        chart.y_axis().set_min(0).set_max(4);
        chart.legend().set_hidden();
        sheet.insert_chart(last + 2, 0, &chart)?;
    }
    Ok(())
}

fn rekapitulasi(
    sheet: &mut Worksheet,
    contents: &Contents<'_>,
    bold: &Format,
    two: &Format,
) -> std::result::Result<(), XlsxError> {
    let report = contents.report;
    sheet.set_name("Pengolahan")?;
    sheet.set_column_width(1, 28)?;
    sheet.write_string_with_format(0, 0, "Rekapitulasi nilai per unsur", bold)?;
    let header = 2;
    sheet.write_string_with_format(header, 0, "No", bold)?;
    sheet.write_string_with_format(header, 1, "Responden", bold)?;
    for (i, unsur) in report.unsur.iter().enumerate() {
        sheet.write_string_with_format(header, 2 + i as u16, &unsur.id, bold)?;
    }
    let first = header + 1;
    for (i, row) in contents.scores.iter().enumerate() {
        let at = first + i as u32;
        sheet.write_number(at, 0, (i + 1) as f64)?;
        sheet.write_string(at, 1, &row.respondent)?;
        for (col, score) in row.scores.iter().enumerate() {
            if let Some(score) = score {
                sheet.write_number(at, 2 + col as u16, f64::from(*score))?;
            }
        }
    }
    // Below the respondents: what the report makes of each column.
    let last = first + contents.scores.len().max(1) as u32 - 1;
    let below = last + 2;
    let labels = [
        "Jumlah nilai",
        "Jumlah jawaban",
        "NRR",
        "Bobot",
        "NRR × bobot",
    ];
    // Row by row, left to right: the sheet is written in constant memory, which takes each
    // row once, in order.
    let formulas: Vec<_> = report
        .unsur
        .iter()
        .enumerate()
        .map(|(i, unsur)| summary_formulas(report, unsur, first, last, below, 2 + i as u16, two))
        .collect();
    for (k, label) in labels.iter().enumerate() {
        let row = below + k as u32;
        sheet.write_string_with_format(row, 1, *label, bold)?;
        for (i, column) in formulas.iter().enumerate() {
            let col = 2 + i as u16;
            let (formula, result, format) = &column[k];
            match (formula.is_empty(), result) {
                (true, Some(value)) => {
                    sheet.write_number_with_format(
                        row,
                        col,
                        *value,
                        format.unwrap_or(&Format::new()),
                    )?;
                }
                (true, None) => {}
                (false, result) => {
                    let result = result.map(|value| value.to_string()).unwrap_or_default();
                    let formula = Formula::new(formula).set_result(result);
                    match format {
                        Some(format) => {
                            sheet.write_formula_with_format(row, col, formula, format)?
                        }
                        None => sheet.write_formula(row, col, formula)?,
                    };
                }
            }
        }
    }
    if let Some(ikm) = report.ikm {
        let row = below + labels.len() as u32 + 1;
        let weighted_row = below + 4;
        let from = row_col_to_cell(weighted_row, 2);
        let to = row_col_to_cell(weighted_row, 1 + report.unsur.len() as u16);
        sheet.write_string_with_format(row, 1, "Nilai IKM unit pelayanan", bold)?;
        let formula = Formula::new(format!("=SUM({from}:{to})*25")).set_result(ikm.to_string());
        sheet.write_formula_with_format(row, 2, formula, two)?;
    }
    Ok(())
}

/// What the five rows below the respondents hold in column `col`, for `unsur`: a formula (or
/// none) with the value it comes to, and the cell's format.
fn summary_formulas<'f>(
    report: &IkmReport,
    unsur: &UnsurResult,
    first: u32,
    last: u32,
    below: u32,
    col: u16,
    two: &'f Format,
) -> [(String, Option<f64>, Option<&'f Format>); 5] {
    let range = format!(
        "{}:{}",
        row_col_to_cell(first, col),
        row_col_to_cell(last, col)
    );
    let cell = |row: u32| row_col_to_cell(row, col);
    [
        (format!("=SUM({range})"), Some(unsur.total as f64), None),
        (format!("=COUNT({range})"), Some(unsur.n as f64), None),
        (
            format!(
                "=IF({}>0,{}/{},\"\")",
                cell(below + 1),
                cell(below),
                cell(below + 1)
            ),
            unsur.nrr,
            Some(two),
        ),
        (String::new(), unsur.nrr.map(|_| report.weight), Some(two)),
        (
            format!(
                "=IF({}=\"\",\"\",{}*{})",
                cell(below + 2),
                cell(below + 2),
                cell(below + 3)
            ),
            unsur.weighted,
            Some(two),
        ),
    ]
}

/// Text a spreadsheet would run as a formula if it were typed into the cell.
fn looks_like_a_formula(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@'])
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use calamine::{Data, Reader, Xlsx as Read, open_workbook_from_rs};
    use simpul_survey::{Method, UnsurTally, Weighting, compute};

    use super::*;

    /// Three respondents; the third left U9 blank.
    fn scores() -> Vec<ScoreRow> {
        let row = |respondent: &str, scores: [Option<u8>; 9]| ScoreRow {
            respondent: respondent.into(),
            scores: scores.to_vec(),
        };
        vec![
            row("K-001", [Some(4); 9]),
            row(
                "K-002",
                [
                    Some(3),
                    Some(3),
                    Some(2),
                    Some(4),
                    Some(3),
                    Some(3),
                    Some(3),
                    Some(3),
                    Some(1),
                ],
            ),
            row(
                "K-003",
                [
                    Some(4),
                    Some(2),
                    Some(3),
                    Some(4),
                    Some(4),
                    Some(4),
                    Some(4),
                    Some(4),
                    None,
                ],
            ),
        ]
    }

    fn report(rows: &[ScoreRow]) -> IkmReport {
        let method = Method::Permenpanrb14_2017;
        let tallies: Vec<UnsurTally> = method
            .unsur()
            .iter()
            .enumerate()
            .map(|(i, unsur)| UnsurTally {
                id: unsur.id.to_string(),
                total: rows.iter().filter_map(|r| r.scores[i]).map(u64::from).sum(),
                n: rows.iter().filter(|r| r.scores[i].is_some()).count() as u64,
            })
            .collect();
        compute(method, Weighting::Exact, rows.len() as u64, &tallies)
    }

    fn number(range: &calamine::Range<Data>, row: u32, col: u32) -> f64 {
        match range.get_value((row, col)) {
            Some(Data::Float(value)) => *value,
            Some(Data::Int(value)) => *value as f64,
            other => panic!("({row}, {col}) holds {other:?}"),
        }
    }

    #[test]
    fn every_sheet_holds_the_reports_numbers_for_a_reader_that_does_not_calculate() {
        let rows = scores();
        let report = report(&rows);
        let header = vec!["serial".to_string(), "saran".to_string()];
        let data = vec![
            vec!["K-001".to_string(), "=HYPERLINK(\"http://x\")".to_string()],
            vec!["K-002".to_string(), "<script>alert(1)</script>".to_string()],
        ];
        let bytes = write(&Contents {
            unit: "U-CAPIL",
            unit_name: "Disdukcapil",
            period: Some("2026-S2"),
            report: &report,
            scores: &rows,
            data: Columns {
                header: &header,
                rows: &data,
                numeric: &[false, false],
            },
        })
        .unwrap();

        let mut book: Read<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
        assert_eq!(book.sheet_names(), ["Ringkasan", "Pengolahan", "Data"]);

        let pengolahan = book.worksheet_range("Pengolahan").unwrap();
        // Respondents from row 3; the sums start two rows below the last.
        assert_eq!(number(&pengolahan, 4, 10), 1.0, "K-002's U9");
        let below = 3 + 3 + 1;
        for (i, unsur) in report.unsur.iter().enumerate() {
            let col = 2 + i as u32;
            assert_eq!(
                number(&pengolahan, below, col),
                unsur.total as f64,
                "{}",
                unsur.id
            );
            assert_eq!(
                number(&pengolahan, below + 1, col),
                unsur.n as f64,
                "{}",
                unsur.id
            );
            let nrr = number(&pengolahan, below + 2, col);
            assert!((nrr - unsur.nrr.unwrap()).abs() < 1e-9, "{}", unsur.id);
        }
        let ikm = number(&pengolahan, below + 6, 2);
        assert!((ikm - report.ikm.unwrap()).abs() < 1e-9);
        let formulas = book.worksheet_formula("Pengolahan").unwrap();
        let sum = formulas.get_value((below, 2)).unwrap();
        assert_eq!(
            sum, "SUM(C4:C6)",
            "the total is a formula a reader can follow"
        );

        let ringkasan = book.worksheet_range("Ringkasan").unwrap();
        let shown = number(&ringkasan, 5, 1);
        assert_eq!(shown, round_to_hundredths(report.ikm.unwrap()));

        let data_sheet = book.worksheet_range("Data").unwrap();
        assert_eq!(
            data_sheet.get_value((1, 1)),
            Some(&Data::String("=HYPERLINK(\"http://x\")".into())),
            "kept as text, exactly"
        );
        let data_formulas = book.worksheet_formula("Data").unwrap();
        assert!(
            data_formulas.get_value((1, 1)).is_none_or(|f| f.is_empty()),
            "never a formula"
        );
    }
}
