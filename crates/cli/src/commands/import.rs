//! `import-csv`: typing in a stack of paper questionnaires in bulk.

use std::io::Write;
use std::process::ExitCode;

use serde::Serialize;
use simpul_replica::{Captured, ImportOptions, ImportSummary, RowReport};
use simpul_survey::Lang;

use super::{author, open};
use crate::cli::{Format, ImportCsvArgs};
use crate::output::{json, tr};

/// Rows per transaction: large enough to import thousands of rows a second with a durable
/// commit each, small enough that a crash loses at most a moment's work — and nothing that
/// was reported as imported.
const CHUNK: usize = 200;

#[derive(Serialize)]
struct JsonRow {
    line: u64,
    serial: Option<String>,
    #[serde(flatten)]
    outcome: Option<Captured>,
    error: Option<String>,
}

#[derive(Serialize)]
struct JsonReport {
    rows: Vec<JsonRow>,
    #[serde(flatten)]
    summary: ImportSummary,
}

pub fn import_csv(args: ImportCsvArgs, lang: Lang) -> anyhow::Result<ExitCode> {
    let mut replica = open(&args.data)?;
    let file = std::fs::File::open(&args.file).map_err(|source| simpul_replica::Error::Io {
        path: args.file.clone(),
        source,
    })?;
    let options = ImportOptions {
        form: args.form,
        author: author(&replica, &args.who),
        chunk: CHUNK,
    };
    let as_json = args.format.format == Format::Json;
    let mut rows = Vec::new();
    let mut stdout = std::io::stdout().lock();
    let summary = replica.import_csv(std::io::BufReader::new(file), &options, |row| {
        if as_json {
            rows.push(json_row(row, lang));
        } else {
            // Flushed line by line: whatever is printed as imported has been committed.
            let _ = writeln!(stdout, "{}", text_row(row, lang));
            let _ = stdout.flush();
        }
    })?;
    drop(stdout);
    if as_json {
        json(&JsonReport {
            rows,
            summary: summary.clone(),
        })?;
    } else {
        println!(
            "{}: {} {}, {} {}, {} {}, {} {}",
            tr(lang, "Ringkasan", "Summary"),
            summary.created,
            tr(lang, "baru", "new"),
            summary.merged,
            tr(lang, "entri kedua", "second entries"),
            summary.already_present,
            tr(lang, "sudah ada", "already present"),
            summary.rejected,
            tr(lang, "ditolak", "rejected"),
        );
    }
    Ok(if summary.rejected == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn text_row(row: &RowReport, lang: Lang) -> String {
    let serial = row.serial.as_deref().unwrap_or("-");
    let what = match &row.outcome {
        Ok(Captured::Created { .. }) => tr(lang, "diimpor", "imported").to_string(),
        Ok(Captured::AlreadyPresent { .. }) => {
            tr(lang, "sudah ada, dilewati", "already present, skipped").to_string()
        }
        Ok(Captured::Merged { differing, .. }) => format!(
            "{} {}",
            tr(
                lang,
                "diimpor sebagai entri kedua; isian berbeda:",
                "imported as a second entry; differing cells:"
            ),
            differing.join(", ")
        ),
        Err(e) => format!("{}: {}", tr(lang, "DITOLAK", "REJECTED"), e.localized(lang)),
    };
    format!(
        "{} {}: {} {serial} {what}",
        tr(lang, "baris", "line"),
        row.line,
        tr(lang, "seri", "serial")
    )
}

fn json_row(row: &RowReport, lang: Lang) -> JsonRow {
    JsonRow {
        line: row.line,
        serial: row.serial.clone(),
        outcome: row.outcome.as_ref().ok().cloned(),
        error: row.outcome.as_ref().err().map(|e| e.localized(lang)),
    }
}
