//! Simpul's batch format: how devices exchange Automerge changes, over HTTP and on USB sticks.
//!
//! Every device keeps one Automerge document per questionnaire response. To sync, a device
//! sends the changes its peer lacks, in *batches*: each batch is one self-checking binary
//! *frame* holding an ordered list of `(document id, change)` entries. A *bundle* is the same
//! frames written back to back into a file, carried on a USB stick where there is no network.
//!
//! This crate only frames bytes. It knows nothing of Automerge (a change is an opaque byte
//! string, applied by the receiver in the order given) nor of storage or transport, so the
//! format below is all another client needs to interoperate.
//!
//! # Typical flow
//!
//! The sender reads the changes a peer has not acknowledged, dependencies first, and calls
//! [`split`] to cut them into batches of a few tens of kilobytes, then [`encode`] for each
//! HTTP request, or [`encode_bundle`] to write a file. The receiver calls [`decode`] on a
//! request body, or [`decode_bundle`] on a file, and applies the entries in order.
//!
//! ```
//! use simpul_protocol::{Entry, Limits, decode_bundle, encode_bundle};
//! use uuid::Uuid;
//!
//! let doc = Uuid::from_u128(0x0011_2233_4455_6677_8899_aabb_ccdd_eeff);
//! let entries: Vec<Entry> = (0..100u8)
//!     .map(|i| Entry { doc, change: vec![i; 300] })
//!     .collect();
//! let limits = Limits::default();
//!
//! // Aim for about 8 KB of payload per frame.
//! let bundle = encode_bundle(entries.clone(), 8_000, &limits)?;
//! let batches = decode_bundle(&bundle, &limits)?;
//!
//! assert!(batches.len() > 1);
//! let received: Vec<Entry> = batches.into_iter().flat_map(|b| b.entries).collect();
//! assert_eq!(received, entries);
//!
//! // A damaged file is refused as a whole, naming the frame at fault.
//! let mut damaged = bundle.clone();
//! *damaged.last_mut().unwrap() ^= 1;
//! let error = decode_bundle(&damaged, &limits).unwrap_err();
//! assert!(error.to_string().contains("checksum mismatch"));
//! # Ok::<(), simpul_protocol::Error>(())
//! ```
//!
//! # Format, version 1
//!
//! All integers in the header are unsigned little-endian. A frame is:
//!
//! | offset | size | field                                                              |
//! |-------:|-----:|--------------------------------------------------------------------|
//! | 0      | 4    | magic, the ASCII bytes `SMPL` ([`MAGIC`])                          |
//! | 4      | 1    | version, `1` ([`VERSION`])                                         |
//! | 5      | 1    | flags: bit 0 marks the final frame of a bundle; other bits unsupported |
//! | 6      | 4    | payload length: bytes of the payload *uncompressed*, `u32`         |
//! | 10     | 4    | compressed length: bytes of the compressed payload that follow, `u32` |
//! | 14     | 4    | checksum, `u32`: CRC-32 of bytes 0..14, then of the compressed bytes |
//! | 18     | n    | the payload compressed with zstd, n = compressed length            |
//!
//! The header is [`HEADER_LEN`] (18) bytes, so a frame is 18 + compressed length bytes.
//!
//! **Checksum.** CRC-32 as in zlib, PNG and Ethernet (IEEE 802.3: reflected polynomial
//! `0xEDB88320`, initial value and final XOR `0xFFFFFFFF`), computed over the 14 header bytes
//! before the checksum field followed directly by the compressed bytes. The check value of
//! `123456789` is `0xCBF43926`.
//!
//! **Compression.** The compressed bytes are exactly one zstd frame (RFC 8878), no dictionary,
//! nothing after it. Any compression level may be used; this crate uses level 3. The zstd
//! frame may record its content size; if it does, it must equal the payload length.
//!
//! **Payload.** Once decompressed, the payload is:
//!
//! ```text
//! count                 varint   number of entries
//! count times:
//!     document id       16 bytes the UUID in its standard (RFC 9562, big-endian) byte order
//!     change length     varint   bytes of the change
//!     change            change length bytes: one Automerge change in its binary encoding
//! ```
//!
//! Nothing may follow the last entry. Entries are ordered: the receiver applies them in the
//! order written, so a sender puts every change after the changes it depends on.
//!
//! For example, one entry for document `00112233-4455-6677-8899-aabbccddeeff` with the
//! two-byte change `de ad` has the 20-byte payload
//! `01 00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff 02 de ad`.
//!
//! **Varints** are unsigned LEB128: seven bits per byte, least significant group first, the
//! high bit set on every byte but the last. A varint must be the shortest encoding of its
//! value (no final `00` byte after other bytes) and at most 10 bytes, holding a value below
//! 2^64. Anything else is malformed.
//!
//! **Bundles.** A bundle file is one or more frames back to back, with no header, padding or
//! separator; each frame's compressed length says where the next begins, and the last frame,
//! and only it, has the final flag (bit 0 of the flags byte) set. A reader refuses the whole
//! file if any frame is bad, if bytes follow the final frame, or if the bytes end before a
//! final frame — a file cut exactly between two frames is still refused. An empty file is not
//! a bundle; a bundle with nothing to carry holds one final frame of zero entries. A frame
//! sent alone (an HTTP request or answer) may carry the flag or not.
//!
//! **Limits.** Every length is checked before it is trusted: a decoder refuses a frame whose
//! declared payload length or frame size exceeds its [`Limits`] before reading further, never
//! allocates more than the declared payload length to decompress, and checks entry counts and
//! change lengths as it reads them. See [`Limits::default`] for the values all Simpul peers use.
//!
//! **Checks, in order.** Magic, version and flags, declared sizes against the limits, that
//! the whole frame is present, checksum, decompression, payload length, payload layout. A
//! reader may check in another order; this one is what [`Error`] reports.
//!
//! **Versions.** Any change a version 1 reader could misread gets a new version number; a
//! reader refuses versions it does not know rather than guessing. Flags are reserved for
//! future versions and must be zero in version 1.

mod bundle;
mod error;
mod frame;
pub mod http;
mod limits;
mod payload;

pub use bundle::{Frames, decode_bundle, encode_bundle, frames, split};
pub use error::{Error, Result};
pub use frame::{HEADER_LEN, MAGIC, VERSION, decode, decode_prefix, encode};
pub use limits::Limits;
pub use payload::{Batch, Entry};
