//! Reading a CSV file the way offices save them: UTF-8 (with or without Excel's byte-order
//! mark) or Windows-1252, separated by `,`, `;` (Excel in an Indonesian locale) or tab, with
//! LF or CRLF line endings — and never holding more than [`MAX_RECORD_BYTES`] of one row, so
//! a file with a runaway cell is refused at that row instead of filling the memory.

use std::cell::Cell;
use std::io::{self, Read};
use std::rc::Rc;

/// The most one row may take. A full questionnaire is a few kilobytes; anything near this
/// is not a questionnaire.
pub const MAX_RECORD_BYTES: u64 = 1024 * 1024;

/// How the file is laid out, learnt from its header line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    pub delimiter: u8,
    /// Lines end in CRLF. The csv crate then places a record one line early (it counts the
    /// `\n` of the previous line ending only once it reads on), so line numbers need one more.
    pub crlf: bool,
}

/// An opened CSV input: the layout and a reader of UTF-8 bytes that refuses to run past
/// [`MAX_RECORD_BYTES`] beyond the last record boundary it was told of.
pub struct Input<R> {
    pub layout: Layout,
    pub reader: Limited<io::Chain<io::Cursor<Vec<u8>>, Utf8<R>>>,
    pub boundary: Rc<Cell<u64>>,
}

/// Open `input`: decode it to UTF-8 and read its header line to learn the layout.
pub fn open<R: Read>(input: R) -> io::Result<Input<R>> {
    let mut utf8 = Utf8::new(input);
    let header = header_line(&mut utf8)?;
    let layout = Layout {
        delimiter: delimiter(&header),
        crlf: header.ends_with(b"\r\n"),
    };
    let boundary = Rc::new(Cell::new(0));
    Ok(Input {
        layout,
        reader: Limited {
            inner: io::Cursor::new(header).chain(utf8),
            read: 0,
            boundary: boundary.clone(),
        },
        boundary,
    })
}

/// The first line, through its line break.
fn header_line(input: &mut impl Read) -> io::Result<Vec<u8>> {
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while !line.ends_with(b"\n") {
        if input.read(&mut byte)? == 0 {
            break;
        }
        line.push(byte[0]);
        if line.len() as u64 > MAX_RECORD_BYTES {
            return Err(too_large());
        }
    }
    Ok(line)
}

/// The separator the header line uses most, outside quotes; `,` when it has none.
fn delimiter(header: &[u8]) -> u8 {
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for &b in header {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted && let Some(c) = counts.iter_mut().find(|(d, _)| *d == b) {
            c.1 += 1;
        }
    }
    counts
        .iter()
        .fold((b',', 0), |best, &c| if c.1 > best.1 { c } else { best })
        .0
}

/// The error a [`Limited`] reader gives for a row larger than [`MAX_RECORD_BYTES`].
#[derive(Debug)]
pub struct RecordTooLarge;

impl std::fmt::Display for RecordTooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "a row larger than {MAX_RECORD_BYTES} bytes")
    }
}

impl std::error::Error for RecordTooLarge {}

fn too_large() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, RecordTooLarge)
}

/// Whether an i/o error is a [`Limited`] reader's refusal.
pub fn is_too_large(e: &io::Error) -> bool {
    e.get_ref().is_some_and(|e| e.is::<RecordTooLarge>())
}

/// Passes bytes through until more than [`MAX_RECORD_BYTES`] were read past `boundary`, the
/// byte offset where the current record starts (kept up to date by whoever parses).
pub struct Limited<R> {
    inner: R,
    read: u64,
    boundary: Rc<Cell<u64>>,
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.read.saturating_sub(self.boundary.get()) > MAX_RECORD_BYTES {
            return Err(too_large());
        }
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}

/// UTF-8 as it comes; from the first byte that is not UTF-8 on, Windows-1252 — the encoding
/// of a CSV saved by Excel on an Indonesian Windows. A byte-order mark is dropped.
pub struct Utf8<R> {
    inner: R,
    /// Read but not yet decoded: an incomplete UTF-8 sequence at the end of a chunk.
    pending: Vec<u8>,
    decoded: Vec<u8>,
    at: usize,
    windows_1252: bool,
    started: bool,
    eof: bool,
}

impl<R: Read> Utf8<R> {
    fn new(inner: R) -> Utf8<R> {
        Utf8 {
            inner,
            pending: Vec::new(),
            decoded: Vec::new(),
            at: 0,
            windows_1252: false,
            started: false,
            eof: false,
        }
    }

    /// Read and decode the next chunk into `decoded`; false at the end of the input.
    fn refill(&mut self) -> io::Result<bool> {
        self.decoded.clear();
        self.at = 0;
        while self.decoded.is_empty() {
            if self.eof && self.pending.is_empty() {
                return Ok(false);
            }
            if !self.eof {
                let mut chunk = [0u8; 64 * 1024];
                let n = self.inner.read(&mut chunk)?;
                self.eof = n == 0;
                self.pending.extend_from_slice(&chunk[..n]);
            }
            if !self.started {
                if self.pending.len() < 3 && !self.eof {
                    continue;
                }
                self.started = true;
                if self.pending.starts_with(b"\xEF\xBB\xBF") {
                    self.pending.drain(..3);
                }
            }
            self.decode();
        }
        Ok(true)
    }

    fn decode(&mut self) {
        if !self.windows_1252 {
            match std::str::from_utf8(&self.pending) {
                Ok(_) => {
                    std::mem::swap(&mut self.decoded, &mut self.pending);
                    return;
                }
                Err(e) if e.error_len().is_none() && !self.eof => {
                    // A character cut by the chunk's end: keep its bytes for the next read.
                    let tail = self.pending.split_off(e.valid_up_to());
                    self.decoded = std::mem::replace(&mut self.pending, tail);
                    return;
                }
                Err(e) => {
                    self.windows_1252 = true;
                    self.decoded
                        .extend_from_slice(&self.pending[..e.valid_up_to()]);
                    self.pending.drain(..e.valid_up_to());
                }
            }
        }
        let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(&self.pending);
        self.decoded.extend_from_slice(text.as_bytes());
        self.pending.clear();
    }
}

impl<R: Read> Read for Utf8<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.at == self.decoded.len() && !self.refill()? {
            return Ok(0);
        }
        let n = buf.len().min(self.decoded.len() - self.at);
        buf[..n].copy_from_slice(&self.decoded[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(bytes: &[u8]) -> String {
        let mut out = String::new();
        Utf8::new(bytes).read_to_string(&mut out).unwrap();
        out
    }

    #[test]
    fn utf8_passes_through_and_a_byte_order_mark_is_dropped() {
        assert_eq!(decoded("café – ok".as_bytes()), "café – ok");
        assert_eq!(decoded(b"\xEF\xBB\xBFserial"), "serial");
        assert_eq!(decoded(b""), "");
    }

    #[test]
    fn a_file_that_is_not_utf8_is_read_as_windows_1252() {
        assert_eq!(
            decoded(b"Jl. Cikini No. 5 \x96 caf\xE9"),
            "Jl. Cikini No. 5 – café"
        );
    }

    #[test]
    fn a_character_cut_by_a_chunk_boundary_stays_whole() {
        let mut text = "a".repeat(64 * 1024 - 1);
        text.push('é');
        assert_eq!(decoded(text.as_bytes()), text);
    }

    #[test]
    fn the_separator_is_the_one_the_header_uses() {
        assert_eq!(delimiter(b"serial,U1,U2\n"), b',');
        assert_eq!(delimiter(b"serial;U1;U2\r\n"), b';');
        assert_eq!(delimiter(b"serial\tU1\tU2\n"), b'\t');
        assert_eq!(delimiter(b"\"a;b\",U1\n"), b',');
        assert_eq!(delimiter(b"serial\n"), b',');
    }
}
