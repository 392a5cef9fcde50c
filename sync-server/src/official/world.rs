//! Typst as a library: a [`World`] holding exactly two files — the report's template and
//! the `data.json` it reads — and the fonts `typst-assets` embeds, so typesetting touches no
//! disk, no network and no font installed on the machine.
//!
//! The data never becomes markup: the template reads it with `json("data.json")` and prints
//! its strings as text, so whatever a respondent or a supervisor typed (`#set page(..)`,
//! `]`, `<script>`) is printed as it was typed.

use std::sync::LazyLock;

use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

use crate::{Error, Result};

/// The template's path inside the world; `data.json` sits beside it.
const MAIN: &str = "report.typ";
const DATA: &str = "data.json";

/// The fonts and the standard library, loaded once per process: parsing the fonts' tables
/// is the slowest part of a small document.
struct Shared {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

static SHARED: LazyLock<Shared> = LazyLock::new(|| {
    let fonts: Vec<Font> = typst_assets::fonts()
        .flat_map(|data| Font::iter(Bytes::new(data)))
        .collect();
    Shared {
        library: LazyHash::new(Library::default()),
        book: LazyHash::new(FontBook::from_fonts(&fonts)),
        fonts,
    }
});

/// One document to typeset: the template and its data.
struct ReportWorld {
    main: FileId,
    data: FileId,
    source: Source,
    json: Bytes,
}

fn file_id(path: &str) -> FileId {
    RootedPath::new(
        VirtualRoot::Project,
        VirtualPath::new(path).expect("a plain relative path"),
    )
    .intern()
}

impl ReportWorld {
    fn new(template: &str, json: Vec<u8>) -> ReportWorld {
        let main = file_id(MAIN);
        ReportWorld {
            main,
            data: file_id(DATA),
            source: Source::new(main, template.to_string()),
            json: Bytes::new(json),
        }
    }
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        &SHARED.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &SHARED.book
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main {
            Ok(self.source.clone())
        } else {
            Err(not_found(id))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.data {
            Ok(self.json.clone())
        } else {
            Err(not_found(id))
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        SHARED.fonts.get(index).cloned()
    }

    /// The template prints the dates it is given, never today's.
    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}

fn not_found(id: FileId) -> FileError {
    FileError::NotFound(id.vpath().get_without_slash().into())
}

/// Typesets `template` over `json` (read by the template as `data.json`) into a PDF.
pub fn render(template: &str, json: Vec<u8>) -> Result<Vec<u8>> {
    let world = ReportWorld::new(template, json);
    let compiled = typst::compile::<PagedDocument>(&world).output;
    // Typst memoises across compilations; a server typesets many documents, so what the
    // last few did not reuse is dropped rather than kept for the life of the process.
    typst::comemo::evict(2);
    let document = compiled.map_err(|errors| typeset_error(&errors[..]))?;
    typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default())
        .map_err(|errors| typeset_error(&errors[..]))
}

fn typeset_error(errors: &[SourceDiagnostic]) -> Error {
    Error::Typeset(
        errors
            .iter()
            .map(|error| error.message.to_string())
            .collect::<Vec<_>>()
            .join("; "),
    )
}
