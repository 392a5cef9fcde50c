//! Long work — importing or exporting thousands of questionnaires — reports how far it is
//! and can be cancelled. A cancel is honoured only between whole units of work: a CSV row
//! goes in whole or not at all, a step of a bundle's changes is one transaction, and an
//! export that stops never renames its temporary file into place. So a cancelled job leaves
//! exactly what its result reports, and running it again finishes it.

use std::sync::atomic::{AtomicBool, Ordering};

use simpul_survey::Lang;

use crate::error::{ErrorCode, fail};
use crate::ipc::{WorkKind, WorkProgress};
use crate::{App, AppError, Result};

/// Told how far the work is; called from the thread doing it. Calls are spaced out (about
/// a hundred per job), so forwarding each one to the window is cheap.
pub type Progress<'a> = &'a dyn Fn(&WorkProgress);

/// Progress nobody watches.
pub fn unwatched(_: &WorkProgress) {}

/// The one cancel switch: there is one window, and it runs one long job at a time.
#[derive(Default)]
pub(crate) struct Work {
    cancel: AtomicBool,
}

impl Work {
    /// A job starts: an earlier cancel is forgotten.
    pub(crate) fn start(&self) {
        self.cancel.store(false, Ordering::SeqCst);
    }

    pub(crate) fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::SeqCst)
    }
}

impl App {
    /// Ask the running import or export to stop at the next whole row. Harmless when none
    /// runs. Takes no lock, so it is heard while the job holds the replica.
    pub fn cancel_work(&self) -> Result<()> {
        self.work.cancel.store(true, Ordering::SeqCst);
        Ok(())
    }
}

/// Reports progress about once per hundredth of the total, and at the end.
pub(crate) struct Meter<'a> {
    kind: WorkKind,
    total: u64,
    step: u64,
    /// The last `done` reported; 0 is reported on creation.
    last: u64,
    progress: Progress<'a>,
}

impl<'a> Meter<'a> {
    pub(crate) fn new(kind: WorkKind, total: u64, progress: Progress<'a>) -> Meter<'a> {
        let meter = Meter {
            kind,
            total,
            step: (total / 100).max(1),
            last: 0,
            progress,
        };
        meter.send(0);
        meter
    }

    /// `done` so far; the total grows if an estimate was short.
    pub(crate) fn at(&mut self, done: u64) {
        self.total = self.total.max(done);
        let due = done >= self.last + self.step || done == self.total;
        if due && self.last != done {
            self.last = done;
            self.send(done);
        }
    }

    fn send(&self, done: u64) {
        (self.progress)(&WorkProgress {
            kind: self.kind,
            done,
            total: self.total,
        });
    }
}

/// The error of an export that was cancelled: no file was written.
pub(crate) fn export_cancelled(lang: Lang) -> AppError {
    fail(
        ErrorCode::Cancelled,
        lang,
        "ekspor dibatalkan; tidak ada berkas yang ditulis",
        "export cancelled; no file was written",
    )
}
