//! The one error type of the protocol crate.
//!
//! Every variant names what was wrong and where, so that a rejected bundle can be explained
//! to whoever carried it ("frame 3 at byte 40211: checksum mismatch …") and a rejected
//! upload can be logged with enough detail to find the faulty client.

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input ends before the frame does. `needed` counts from the start of the frame.
    #[error("truncated: needed {needed} bytes, only {available} present")]
    Truncated { needed: usize, available: usize },

    /// The first bytes are not [`MAGIC`](crate::MAGIC): this is not a Simpul batch at all.
    #[error("not a Simpul batch (bad magic bytes)")]
    BadMagic,

    /// A Simpul batch written by a newer (or broken) client.
    #[error(
        "unsupported format version {version} with flags {flags:#04x}; \
         this build reads version 1 with flags 0x00 or 0x01"
    )]
    UnsupportedVersion { version: u8, flags: u8 },

    /// A size or count is over the [`Limits`](crate::Limits) in force, or over what the format
    /// can express (a `u32` length).
    #[error("{what} {size} exceeds the limit of {limit}")]
    TooLarge {
        what: &'static str,
        size: usize,
        limit: usize,
    },

    /// The CRC-32 stored in the header does not match the bytes: the frame was damaged.
    #[error("checksum mismatch: header says {expected:#010x}, frame bytes give {actual:#010x}")]
    ChecksumMismatch { expected: u32, actual: u32 },

    /// zstd refused the compressed bytes, or they are not exactly one zstd frame.
    #[error("cannot decompress payload: {0}")]
    Decompress(#[source] std::io::Error),

    /// zstd failed to compress (in practice only when memory runs out).
    #[error("cannot compress payload: {0}")]
    Compress(#[source] std::io::Error),

    /// The payload does not have the length the header declared.
    #[error("payload is {actual} bytes once decompressed, but the header declares {declared}")]
    PayloadLength { declared: usize, actual: usize },

    /// The decompressed payload does not follow the entry layout. `offset` counts from the
    /// start of the uncompressed payload.
    #[error("malformed payload at byte {offset}: {reason}")]
    Malformed { offset: usize, reason: &'static str },

    /// Bytes follow the one frame that [`decode`](crate::decode) expected.
    #[error("{count} unexpected bytes after the frame")]
    TrailingBytes { count: usize },

    /// A bundle with no bytes at all.
    #[error("empty input: a bundle holds at least one frame")]
    Empty,

    /// A frame of a bundle failed; `offset` is where that frame starts in the bundle.
    /// A bundle ended without its final frame: it was cut short between two frames.
    #[error(
        "the bundle ends after {frames} frame(s) at byte {offset} without its final frame; \
         the file was cut short"
    )]
    Unfinished { frames: usize, offset: usize },
    #[error("frame {index} at byte {offset}: {source}")]
    Frame {
        index: usize,
        offset: usize,
        #[source]
        source: Box<Error>,
    },
}
