//! Data that travels as files: bundles (every change, for a USB stick) and CSV (paper
//! questionnaires typed elsewhere, or a spreadsheet for the report). Relative paths are
//! taken inside the files folder.
//!
//! Each has a `_with` form for the window, which reports progress and stops when
//! [`App::cancel_work`] is called (see [`crate::work`]); the plain form runs to the end.

use std::fs::File;
use std::io::{BufReader, Read, Write};
use std::path::Path;

use simpul_replica::{Filter, ImportOptions};
use simpul_survey::Lang;

use crate::capture::outcome;
use crate::error::OrApp;
use crate::ipc::{BundleResult, Exported, ImportLine, ImportResult, SavedOutcome, WorkKind};
use crate::work::{Meter, Progress, export_cancelled, unwatched};
use crate::{App, AppError, Result};

/// Rows written per transaction: a crash loses at most this many, re-importing finishes.
const CSV_CHUNK: usize = 200;

/// Changes of a bundle applied per transaction: a step between progress reports.
const BUNDLE_STEP: usize = 500;

/// Bytes of a bundle written between progress reports.
const WRITE_STEP: usize = 64 * 1024;

impl App {
    /// Every change this device has, as one bundle file.
    pub fn export_bundle(&self, path: String) -> Result<BundleResult> {
        self.export_bundle_with(path, &unwatched)
    }

    /// [`App::export_bundle`], reporting the bytes written; a cancel leaves no file.
    pub fn export_bundle_with(&self, path: String, progress: Progress) -> Result<BundleResult> {
        self.work.start();
        let device = self.device();
        let lang = device.lang;
        let path = self.file(&path);
        let (bytes, exported) = device.replica()?.export_bundle(0).or_app(lang)?;
        drop(device);
        let mut meter = Meter::new(WorkKind::ExportBundle, bytes.len() as u64, progress);
        let written = simpul_replica::write_atomically(&path, |out| {
            for (i, piece) in bytes.chunks(WRITE_STEP).enumerate() {
                if self.work.cancelled() {
                    return Err(stopped(&path));
                }
                out.write_all(piece)
                    .map_err(|source| simpul_replica::Error::Io {
                        path: path.clone(),
                        source,
                    })?;
                meter.at((i * WRITE_STEP + piece.len()) as u64);
            }
            Ok(())
        });
        self.finish_export(written, lang)?;
        Ok(BundleResult {
            path: path.display().to_string(),
            changes: exported.changes as u64,
            responses: exported.responses as u64,
            bytes: exported.bytes as u64,
            created: 0,
            updated: 0,
            cancelled: false,
        })
    }

    /// Apply a bundle from another device. A damaged file is refused whole.
    pub fn import_bundle(&self, path: String) -> Result<BundleResult> {
        self.import_bundle_with(path, &unwatched)
    }

    /// [`App::import_bundle`] a step of changes at a time, reporting changes applied; a
    /// cancel keeps the steps already taken and says so.
    pub fn import_bundle_with(&self, path: String, progress: Progress) -> Result<BundleResult> {
        self.work.start();
        let mut device = self.device();
        let lang = device.lang;
        let path = self.file(&path);
        let content = std::fs::read(&path).map_err(|e| io_error(&path, e, lang))?;
        let mut meter: Option<Meter> = None;
        let (applied, cancelled) = device
            .replica_mut()?
            .import_bundle_in_steps(&content, BUNDLE_STEP, |done, total| {
                meter
                    .get_or_insert_with(|| {
                        Meter::new(WorkKind::ImportBundle, total as u64, progress)
                    })
                    .at(done as u64);
                !self.work.cancelled()
            })
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
            bytes: content.len() as u64,
            created: applied.created.len() as u64,
            updated: applied.updated.len() as u64,
            cancelled,
        })
    }

    /// Import paper questionnaires from CSV, typed in by the signed-in enumerator. Each line
    /// says what became of it; bad rows are named by line and skipped, good rows go in.
    pub fn import_csv(&self, path: String) -> Result<ImportResult> {
        self.import_csv_with(path, &unwatched)
    }

    /// [`App::import_csv`], reporting rows read; a cancel stops before the next row and the
    /// result counts exactly the rows that went in.
    pub fn import_csv_with(&self, path: String, progress: Progress) -> Result<ImportResult> {
        self.work.start();
        let mut device = self.device();
        let lang = device.lang;
        let author = device.author()?;
        let path = self.file(&path);
        let rows = count_rows(&path).map_err(|e| io_error(&path, e, lang))?;
        let file = File::open(&path).map_err(|e| io_error(&path, e, lang))?;
        let options = ImportOptions {
            form: None,
            author,
            chunk: CSV_CHUNK,
        };
        let mut meter = Meter::new(WorkKind::ImportCsv, rows, progress);
        let mut lines = Vec::new();
        let (summary, cancelled) = device
            .replica_mut()?
            .import_csv_until(
                BufReader::new(file),
                &options,
                |report| {
                    lines.push(ImportLine {
                        line: report.line,
                        serial: report.serial.clone(),
                        error: report.outcome.as_ref().err().map(|e| e.localized(lang)),
                        outcome: report.outcome.as_ref().ok().map(outcome),
                    });
                    meter.at(lines.len() as u64);
                },
                || self.work.cancelled(),
            )
            .or_app(lang)?;
        drop(device);
        if lines
            .iter()
            .any(|l| matches!(l.outcome, Some(o) if o != SavedOutcome::AlreadyPresent))
        {
            self.wrote();
        }
        Ok(ImportResult {
            lines,
            created: summary.created as u64,
            merged: summary.merged as u64,
            already_present: summary.already_present as u64,
            rejected: summary.rejected as u64,
            cancelled,
        })
    }

    /// Every response not deleted, as CSV that imports back losslessly, written atomically
    /// so a cut-off write never leaves half a file under the name.
    pub fn export_csv(&self, path: String) -> Result<Exported> {
        self.export_csv_with(path, &unwatched)
    }

    /// [`App::export_csv`], reporting rows written; a cancel leaves no file.
    pub fn export_csv_with(&self, path: String, progress: Progress) -> Result<Exported> {
        self.work.start();
        let device = self.device();
        let lang = device.lang;
        let path = self.file(&path);
        let replica = device.replica()?;
        let filter = Filter::default();
        let total = replica.count(&filter).or_app(lang)?;
        let mut meter = Meter::new(WorkKind::ExportCsv, total, progress);
        let written = simpul_replica::write_atomically(&path, |out| {
            let mut rows = Rows {
                out,
                lines: 0,
                meter: &mut meter,
                app: self,
            };
            replica.export_csv(&mut rows, &filter)
        });
        let rows = self.finish_export(written, lang)?;
        Ok(Exported {
            path: path.display().to_string(),
            rows: rows as u64,
        })
    }

    /// An export's outcome: a failure caused by a cancel is worded as the cancel it was.
    fn finish_export<T>(&self, written: simpul_replica::Result<T>, lang: Lang) -> Result<T> {
        match written {
            Err(_) if self.work.cancelled() => Err(export_cancelled(lang)),
            other => other.or_app(lang),
        }
    }
}

/// The CSV export's output: counts the rows going through (the header line is not one) and
/// fails the next write once a cancel is asked for, which makes the export drop its file.
/// The failure is not `Interrupted`: `write_all` would retry that for ever.
struct Rows<'a, 'm, W: Write> {
    out: &'a mut W,
    lines: u64,
    meter: &'a mut Meter<'m>,
    app: &'a App,
}

impl<W: Write> Write for Rows<'_, '_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.app.work.cancelled() {
            return Err(std::io::Error::other("export cancelled"));
        }
        let n = self.out.write(buf)?;
        let newlines = buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
        if newlines > 0 {
            self.lines += newlines;
            self.meter.at(self.lines.saturating_sub(1));
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// Data rows in a CSV file, for the progress bar: its lines less the header. A quoted cell
/// spanning lines makes this an overestimate, which the meter tolerates.
fn count_rows(path: &Path) -> std::io::Result<u64> {
    let mut file = BufReader::new(File::open(path)?);
    let mut buf = [0u8; 64 * 1024];
    let (mut lines, mut last) = (0u64, b'\n');
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        lines += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
        last = buf[n - 1];
    }
    if last != b'\n' {
        lines += 1;
    }
    Ok(lines.saturating_sub(1))
}

fn stopped(path: &Path) -> simpul_replica::Error {
    simpul_replica::Error::Io {
        path: path.to_path_buf(),
        source: std::io::Error::other("export cancelled"),
    }
}

fn io_error(path: &Path, source: std::io::Error, lang: Lang) -> AppError {
    let error = simpul_replica::Error::Io {
        path: path.to_path_buf(),
        source,
    };
    crate::error::from_replica(&error, lang)
}
