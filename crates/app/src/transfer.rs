//! Data that travels as files: bundles (every change, for a USB stick) and CSV (paper
//! questionnaires typed elsewhere, or a spreadsheet for the report). Relative paths are
//! taken inside the files folder.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use simpul_replica::{Filter, ImportOptions};
use simpul_survey::Lang;

use crate::capture::outcome;
use crate::error::OrApp;
use crate::ipc::{BundleResult, ImportLine, ImportResult};
use crate::{App, AppError, Result};

/// Rows written per transaction: a crash loses at most this many, re-importing finishes.
const CSV_CHUNK: usize = 200;

impl App {
    /// Every change this device has, as one bundle file.
    pub fn export_bundle(&self, path: String) -> Result<BundleResult> {
        let device = self.device();
        let lang = device.lang;
        let path = self.file(&path);
        let exported = device
            .replica()?
            .export_bundle_file(&path, 0)
            .or_app(lang)?;
        Ok(BundleResult {
            path: path.display().to_string(),
            changes: exported.changes as u64,
            responses: exported.responses as u64,
            bytes: exported.bytes as u64,
            created: 0,
            updated: 0,
        })
    }

    /// Apply a bundle from another device. A damaged file is refused whole.
    pub fn import_bundle(&self, path: String) -> Result<BundleResult> {
        let mut device = self.device();
        let lang = device.lang;
        let path = self.file(&path);
        let bytes = std::fs::metadata(&path)
            .map_err(|e| io_error(&path, e, lang))?
            .len();
        let applied = device
            .replica_mut()?
            .import_bundle_file(&path)
            .or_app(lang)?;
        drop(device);
        if applied.new_changes > 0 {
            // Changes from a peer may be news to the server too.
            self.wrote();
        }
        Ok(BundleResult {
            path: path.display().to_string(),
            changes: applied.new_changes as u64,
            responses: (applied.created.len() + applied.updated.len()) as u64,
            bytes,
            created: applied.created.len() as u64,
            updated: applied.updated.len() as u64,
        })
    }

    /// Import paper questionnaires from CSV, typed in by the signed-in enumerator. Each line
    /// says what became of it; bad rows are named by line and skipped, good rows go in.
    pub fn import_csv(&self, path: String) -> Result<ImportResult> {
        let mut device = self.device();
        let lang = device.lang;
        let author = device.author()?;
        let path = self.file(&path);
        let file = File::open(&path).map_err(|e| io_error(&path, e, lang))?;
        let options = ImportOptions {
            form: None,
            author,
            chunk: CSV_CHUNK,
        };
        let mut lines = Vec::new();
        let summary = device
            .replica_mut()?
            .import_csv(BufReader::new(file), &options, |report| {
                lines.push(ImportLine {
                    line: report.line,
                    serial: report.serial.clone(),
                    error: report.outcome.as_ref().err().map(|e| e.localized(lang)),
                    outcome: report.outcome.as_ref().ok().map(outcome),
                });
            })
            .or_app(lang)?;
        drop(device);
        if lines
            .iter()
            .any(|l| matches!(l.outcome, Some(o) if o != crate::ipc::SavedOutcome::AlreadyPresent))
        {
            self.wrote();
        }
        Ok(ImportResult {
            lines,
            created: summary.created as u64,
            merged: summary.merged as u64,
            already_present: summary.already_present as u64,
            rejected: summary.rejected as u64,
        })
    }

    /// Every response not deleted, as CSV that imports back losslessly, written atomically
    /// so a cut-off write never leaves half a file under the name.
    pub fn export_csv(&self, path: String) -> Result<u64> {
        let device = self.device();
        let lang = device.lang;
        let path = self.file(&path);
        let replica = device.replica()?;
        let rows = simpul_replica::write_atomically(&path, |out| {
            replica.export_csv(out, &Filter::default())
        })
        .or_app(lang)?;
        Ok(rows as u64)
    }
}

fn io_error(path: &Path, source: std::io::Error, lang: Lang) -> AppError {
    let error = simpul_replica::Error::Io {
        path: path.to_path_buf(),
        source,
    };
    crate::error::from_replica(&error, lang)
}
