//! Paper questionnaires in bulk: CSV import with line-numbered errors, and an export that
//! imports back losslessly.
//!
//! One row per questionnaire. Headers are matched case-insensitively in any order: `serial`,
//! the form's item ids and their aliases (`tanggal`/`date`, `U1`…), and the columns an export
//! adds (`id`, `channel`, `status`, `unit`, `period`, `form`, `created_at`, `updated_at`).
//! A bad row is reported and skipped; good rows are written in chunks, each one transaction,
//! and reported only after their chunk committed — so whatever was reported as imported
//! survives a crash, and re-running the import finishes the job without duplicates.
//!
//! Files are read as offices save them — `,`, `;` or tab separated, UTF-8 or Windows-1252,
//! LF or CRLF (see `csv_input`) — and an export is safe to open in a spreadsheet: text
//! cells are [neutralised](crate::spreadsheet) there and restored here.

use std::io::{Read, Write};

use chrono::{DateTime, Utc};
use serde::Serialize;

use simpul_survey::ItemKind;

use crate::doc::Author;
use crate::model::{Channel, Filter, PaperSerial, PeriodCode, Status, UnitCode};
use crate::write::{Captured, NewResponse, Prepared};
use crate::{Error, Phrase, Replica, Result, csv_input, spreadsheet};

/// Columns that describe a response rather than answer a question.
const META_COLUMNS: [&str; 9] = [
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

/// How to import.
#[derive(Clone, Debug)]
pub struct ImportOptions {
    /// The form rows use unless they name one; the device's active form when `None`.
    pub form: Option<String>,
    /// Who typed the sheets in, and when (rows with `created_at` keep theirs).
    pub author: Author,
    /// Rows per transaction.
    pub chunk: usize,
}

/// The fate of one data row.
#[derive(Debug)]
pub struct RowReport {
    /// The line in the file where the row starts (the header is line 1).
    pub line: u64,
    pub serial: Option<String>,
    pub outcome: std::result::Result<Captured, Error>,
}

/// Totals of an import.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    pub created: usize,
    pub merged: usize,
    pub already_present: usize,
    pub rejected: usize,
}

impl ImportSummary {
    fn count(&mut self, report: &RowReport) {
        match &report.outcome {
            Ok(Captured::Created { .. }) => self.created += 1,
            Ok(Captured::Merged { .. }) => self.merged += 1,
            Ok(Captured::AlreadyPresent { .. }) => self.already_present += 1,
            Err(_) => self.rejected += 1,
        }
    }
}

/// Which column feeds what.
struct Columns {
    meta: Vec<(usize, &'static str)>,
    items: Vec<(usize, String)>,
}

impl Columns {
    fn meta(&self, record: &csv::StringRecord, name: &str) -> Option<String> {
        self.meta
            .iter()
            .find(|(_, m)| *m == name)
            .and_then(|(i, _)| record.get(*i))
            .map(|v| spreadsheet::restore(v).trim())
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    }
}

impl Replica {
    /// Import questionnaires from CSV. `progress` hears about every row, in file order, once
    /// its fate is final. Fails as a whole only when the file itself is unusable (unreadable,
    /// no `serial` or `id` column, an unknown column) — then nothing is written.
    pub fn import_csv(
        &mut self,
        input: impl Read,
        options: &ImportOptions,
        progress: impl FnMut(&RowReport),
    ) -> Result<ImportSummary> {
        self.import_csv_until(input, options, progress, || false)
            .map(|(summary, _)| summary)
    }

    /// [`Replica::import_csv`] that asks `stop` before reading each row. Once it says yes, the
    /// rows read so far are written (each whole, as ever) and reported, and the import ends
    /// there; the flag says whether it ended early. Importing the same file again later
    /// finishes the job: rows already in are `already_present`.
    pub fn import_csv_until(
        &mut self,
        input: impl Read,
        options: &ImportOptions,
        mut progress: impl FnMut(&RowReport),
        stop: impl Fn() -> bool,
    ) -> Result<(ImportSummary, bool)> {
        let csv_input::Input {
            layout,
            reader,
            boundary,
        } = csv_input::open(input).map_err(|e| read_error(e, 1))?;
        // Lines as people count them: the csv crate places a record one line early when
        // lines end in CRLF.
        let line_of = |p: &csv::Position| p.line() + u64::from(layout.crlf);
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(layout.delimiter)
            .flexible(false)
            .trim(csv::Trim::Headers)
            .from_reader(reader);
        let headers = reader.headers().map_err(|e| csv_error(e, 1))?.clone();
        let columns = self.columns(&headers, options.form.as_deref())?;

        let mut summary = ImportSummary::default();
        let mut chunk: Vec<(u64, Option<String>, std::result::Result<Prepared, Error>)> =
            Vec::new();
        let mut record = csv::StringRecord::new();
        let mut stopped = false;
        loop {
            if stop() {
                stopped = true;
                break;
            }
            let line;
            let next = reader.position().clone();
            boundary.set(next.byte());
            let parsed = match reader.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {
                    line = record.position().map_or(0, line_of);
                    if record.iter().all(|f| f.trim().is_empty()) {
                        continue;
                    }
                    self.row(&columns, &record, options).map_err(shortened)
                }
                Err(e) if too_large(&e) => {
                    // The rest of the file cannot be parsed reliably past a runaway row:
                    // keep what came before it and stop here.
                    let line = line_of(&next);
                    self.flush(&mut chunk, &mut summary, &mut progress)?;
                    return Err(Error::RecordTooLarge {
                        line,
                        limit: csv_input::MAX_RECORD_BYTES,
                    });
                }
                Err(e) => {
                    line = e.position().map_or(0, line_of);
                    Err(Error::Csv(e))
                }
            };
            let serial = columns.meta(&record, "serial").map(|s| elide(&s));
            chunk.push((line, serial, parsed));
            if chunk.len() >= options.chunk.max(1) {
                self.flush(&mut chunk, &mut summary, &mut progress)?;
            }
        }
        self.flush(&mut chunk, &mut summary, &mut progress)?;
        Ok((summary, stopped))
    }

    fn columns(&self, headers: &csv::StringRecord, form: Option<&str>) -> Result<Columns> {
        let form = self.form(form)?;
        let mut columns = Columns {
            meta: Vec::new(),
            items: Vec::new(),
        };
        for (i, name) in headers.iter().enumerate() {
            if let Some(meta) = META_COLUMNS.iter().find(|m| m.eq_ignore_ascii_case(name)) {
                columns.meta.push((i, meta));
            } else if let Some(item) = form.find_item(name) {
                columns.items.push((i, item.id.clone()));
            } else {
                return Err(Error::InvalidValue {
                    what: Phrase::new("kolom CSV", "CSV column"),
                    value: elide(name),
                    reason: Phrase::new(
                        "bukan kolom formulir ini; lihat kolom hasil `simpul export csv`",
                        "not a column of this form; see `simpul export csv` for the columns",
                    ),
                });
            }
        }
        if !columns
            .meta
            .iter()
            .any(|(_, m)| *m == "serial" || *m == "id")
        {
            return Err(Error::InvalidValue {
                what: Phrase::new("kepala kolom CSV", "CSV header"),
                value: elide(&headers.iter().collect::<Vec<_>>().join(",")),
                reason: Phrase::new("tidak ada kolom `serial`", "it has no `serial` column"),
            });
        }
        Ok(columns)
    }

    fn row(
        &self,
        columns: &Columns,
        record: &csv::StringRecord,
        options: &ImportOptions,
    ) -> Result<Prepared> {
        let meta = |name| columns.meta(record, name);
        let channel = meta("channel")
            .map(|c| Channel::parse(&c))
            .transpose()?
            .unwrap_or(Channel::Paper);
        let serial = meta("serial").map(|s| PaperSerial::parse(&s)).transpose()?;
        let author = match meta("created_at") {
            Some(at) => Author::new(options.author.by.clone(), parse_time(&at)?),
            None => options.author.clone(),
        };
        let new = NewResponse {
            channel,
            form: meta("form").or_else(|| options.form.clone()),
            unit: meta("unit").map(|u| UnitCode::parse(&u)).transpose()?,
            period: meta("period").map(|p| PeriodCode::parse(&p)).transpose()?,
            serial,
            answers: columns
                .items
                .iter()
                .map(|(i, item)| {
                    let cell = record.get(*i).unwrap_or("");
                    (item.clone(), spreadsheet::restore(cell).to_string())
                })
                .collect(),
            status: meta("status")
                .map(|s| Status::parse(&s))
                .transpose()?
                .unwrap_or(Status::Final),
            author,
        };
        let mut prepared = self.prepare(new)?;
        if let Some(id) = meta("id") {
            let id = crate::apply::parse_uuid(&id)?;
            if channel == Channel::Paper && id != prepared.id() {
                return Err(Error::InvalidValue {
                    what: Phrase::new("id", "id"),
                    value: id.to_string(),
                    reason: Phrase::new(
                        "tidak cocok dengan unit, periode dan nomor seri kuesioner ini",
                        "it does not match the unit, period and serial of this paper sheet",
                    ),
                });
            }
            prepared.set_id(id);
        }
        Ok(prepared)
    }

    fn flush(
        &mut self,
        chunk: &mut Vec<(u64, Option<String>, std::result::Result<Prepared, Error>)>,
        summary: &mut ImportSummary,
        progress: &mut impl FnMut(&RowReport),
    ) -> Result<()> {
        let rows = std::mem::take(chunk);
        let good: Vec<Prepared> = rows
            .iter()
            .filter_map(|(_, _, p)| p.as_ref().ok().cloned())
            .collect();
        let mut captured = self.capture_all(good)?.into_iter();
        for (line, serial, prepared) in rows {
            let outcome = match prepared {
                Ok(_) => Ok(captured.next().expect("one outcome per good row")),
                Err(e) => Err(e),
            };
            let report = RowReport {
                line,
                serial,
                outcome,
            };
            summary.count(&report);
            progress(&report);
        }
        Ok(())
    }

    /// Write the responses matching `filter` as CSV: the import columns plus id, channel,
    /// status, unit, period, form and timestamps, one row per response. Text cells are
    /// [neutralised](spreadsheet::neutralise) so no cell runs as a formula.
    pub fn export_csv(&self, output: impl Write, filter: &Filter) -> Result<usize> {
        let responses = self.list(filter)?;
        let mut items: Vec<String> = Vec::new();
        for form_id in responses.iter().map(|r| r.form.as_str()) {
            if let Some(form) = self.forms.get(form_id) {
                for item in &form.items {
                    if !items.contains(&item.id) {
                        items.push(item.id.clone());
                    }
                }
            }
        }
        if items.is_empty() {
            items = self
                .form(None)?
                .items
                .iter()
                .map(|i| i.id.clone())
                .collect();
        }
        // Scores and whole numbers are numbers, not text a spreadsheet could run.
        let numeric: std::collections::HashSet<&str> = self
            .forms
            .values()
            .flat_map(|f| &f.items)
            .filter(|i| matches!(i.kind, ItemKind::Scored { .. } | ItemKind::Integer { .. }))
            .map(|i| i.id.as_str())
            .collect();
        let mut writer = csv::Writer::from_writer(output);
        let header = META_COLUMNS
            .iter()
            .map(|s| s.to_string())
            .chain(items.iter().cloned());
        writer.write_record(header)?;
        let mut stmt = self
            .conn
            .prepare("SELECT item, value FROM answers WHERE response = ?1")?;
        for r in &responses {
            let answers: std::collections::HashMap<String, Option<String>> = stmt
                .query_map([r.id.to_string()], |row| Ok((row.get(0)?, row.get(1)?)))?
                .collect::<Result<_, _>>()?;
            let meta = [
                r.id.to_string(),
                r.serial.clone().unwrap_or_default(),
                r.channel.clone(),
                r.status.clone(),
                r.unit.clone(),
                r.period.clone(),
                r.form.clone(),
                r.created_at.to_rfc3339(),
                r.updated_at.to_rfc3339(),
            ];
            let values = items.iter().map(|item| {
                let value = answers.get(item).cloned().flatten().unwrap_or_default();
                if numeric.contains(item.as_str()) && value.parse::<i64>().is_ok() {
                    value
                } else {
                    spreadsheet::neutralise(&value).into_owned()
                }
            });
            let meta = meta.iter().map(|m| spreadsheet::neutralise(m).into_owned());
            writer.write_record(meta.chain(values))?;
        }
        writer.flush().map_err(|source| Error::Io {
            path: "CSV output".into(),
            source,
        })?;
        Ok(responses.len())
    }
}

fn parse_time(raw: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| Error::InvalidValue {
            what: Phrase::new("created_at", "created_at"),
            value: elide(raw),
            reason: Phrase::new(
                "waktu harus seperti 2025-03-01T08:30:00Z",
                "expected a time like 2025-03-01T08:30:00Z",
            ),
        })
}

/// The most characters of a value a message quotes: enough to find it in the file.
const QUOTED_CHARS: usize = 60;

/// `value`, cut to [`QUOTED_CHARS`] with "…" when longer, for quoting in a message.
fn elide(value: &str) -> String {
    match value.char_indices().nth(QUOTED_CHARS) {
        Some((at, _)) => format!("{}…", &value[..at]),
        None => value.to_string(),
    }
}

/// A row's error with the values it quotes cut short: a message names the cell, it does not
/// repeat a runaway one.
fn shortened(error: Error) -> Error {
    match error {
        Error::Survey(simpul_survey::Error::InvalidAnswer {
            item,
            value,
            allowed,
        }) => Error::Survey(simpul_survey::Error::InvalidAnswer {
            item,
            value: elide(&value),
            allowed,
        }),
        Error::InvalidValue {
            what,
            value,
            reason,
        } => Error::InvalidValue {
            what,
            value: elide(&value),
            reason,
        },
        other => other,
    }
}

fn too_large(e: &csv::Error) -> bool {
    matches!(e.kind(), csv::ErrorKind::Io(io) if csv_input::is_too_large(io))
}

fn csv_error(e: csv::Error, line: u64) -> Error {
    if too_large(&e) {
        Error::RecordTooLarge {
            line,
            limit: csv_input::MAX_RECORD_BYTES,
        }
    } else {
        Error::Csv(e)
    }
}

fn read_error(e: std::io::Error, line: u64) -> Error {
    if csv_input::is_too_large(&e) {
        Error::RecordTooLarge {
            line,
            limit: csv_input::MAX_RECORD_BYTES,
        }
    } else {
        Error::Csv(e.into())
    }
}
