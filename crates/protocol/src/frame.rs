//! One frame: the fixed header, the checksum and the zstd-compressed payload.
//!
//! The decoder checks, in this order and before spending memory: the magic, the version and
//! flags, the declared sizes against the limits, that the input holds the whole frame, and
//! the checksum. Only then does it decompress, into a buffer no larger than the declared
//! payload length.

use std::io;

use zstd::zstd_safe;

use crate::{Batch, Error, Limits, Result, payload};

/// The first four bytes of every frame.
pub const MAGIC: [u8; 4] = *b"SMPL";
/// The format version this crate writes and reads.
pub const VERSION: u8 = 1;
/// Bytes before the compressed payload.
pub const HEADER_LEN: usize = 18;

/// Flag bit 0: this frame ends a bundle. A bundle whose bytes end without it was cut short,
/// even when the cut fell exactly between two frames. Any other bit means a feature this
/// build does not know.
pub const FLAG_FINAL: u8 = 0b0000_0001;
const KNOWN_FLAGS: u8 = FLAG_FINAL;
/// Header bytes the checksum covers: everything before the checksum itself.
const CHECKED_HEADER_LEN: usize = 14;

/// zstd's own default level. Measured on 1 000 Automerge changes of a survey form (263 KB of
/// changes): level 3 gives 45.4 KB, level 1 gives 2.5 % more, level 9 0.2 % less at five
/// times the CPU, level 19 16 % less at three hundred times. Batches are encoded on low-end
/// tablets and, for downloads, by the server for every device, so level 3 it is.
const ZSTD_LEVEL: i32 = 3;

/// Encodes one batch as one frame. Fails if the batch breaks `limits` (or cannot be described
/// by the format's 32-bit lengths).
pub fn encode(batch: &Batch, limits: &Limits) -> Result<Vec<u8>> {
    encode_with_flags(batch, limits, 0)
}

/// Encodes one batch as the last frame of a bundle.
pub fn encode_final(batch: &Batch, limits: &Limits) -> Result<Vec<u8>> {
    encode_with_flags(batch, limits, FLAG_FINAL)
}

fn encode_with_flags(batch: &Batch, limits: &Limits, flags: u8) -> Result<Vec<u8>> {
    let payload = payload::encode(batch, limits)?;
    let payload_len = length_field("payload size", payload.len())?;
    let compressed = zstd::bulk::compress(&payload, ZSTD_LEVEL).map_err(Error::Compress)?;
    let compressed_len = length_field("compressed size", compressed.len())?;

    let frame_len = HEADER_LEN.saturating_add(compressed.len());
    if frame_len > limits.max_frame_bytes {
        return Err(Error::TooLarge {
            what: "frame size",
            size: frame_len,
            limit: limits.max_frame_bytes,
        });
    }

    let mut head = [0u8; CHECKED_HEADER_LEN];
    let (magic, rest) = head.split_at_mut(MAGIC.len());
    magic.copy_from_slice(&MAGIC);
    let (version_and_flags, lengths) = rest.split_at_mut(2);
    version_and_flags.copy_from_slice(&[VERSION, flags]);
    let (payload_field, compressed_field) = lengths.split_at_mut(4);
    payload_field.copy_from_slice(&payload_len.to_le_bytes());
    compressed_field.copy_from_slice(&compressed_len.to_le_bytes());

    let mut frame = Vec::with_capacity(frame_len);
    frame.extend_from_slice(&head);
    frame.extend_from_slice(&checksum(&head, &compressed).to_le_bytes());
    frame.extend_from_slice(&compressed);
    Ok(frame)
}

/// Decodes exactly one frame; bytes after it are an error.
pub fn decode(bytes: &[u8], limits: &Limits) -> Result<Batch> {
    let (batch, used) = decode_prefix(bytes, limits)?;
    match bytes.len().saturating_sub(used) {
        0 => Ok(batch),
        count => Err(Error::TrailingBytes { count }),
    }
}

/// Decodes the frame at the front of `bytes`, returning it and the number of bytes it took.
pub fn decode_prefix(bytes: &[u8], limits: &Limits) -> Result<(Batch, usize)> {
    decode_frame(bytes, limits).map(|(batch, used, _)| (batch, used))
}

/// Like [`decode_prefix`], also telling whether the frame ends a bundle.
pub(crate) fn decode_frame(bytes: &[u8], limits: &Limits) -> Result<(Batch, usize, bool)> {
    let header = Header::parse(bytes)?;

    if header.payload_len > limits.max_payload_bytes {
        return Err(Error::TooLarge {
            what: "payload size",
            size: header.payload_len,
            limit: limits.max_payload_bytes,
        });
    }
    let frame_len = HEADER_LEN.saturating_add(header.compressed_len);
    if frame_len > limits.max_frame_bytes {
        return Err(Error::TooLarge {
            what: "frame size",
            size: frame_len,
            limit: limits.max_frame_bytes,
        });
    }
    let truncated = Error::Truncated {
        needed: frame_len,
        available: bytes.len(),
    };
    let compressed = bytes.get(HEADER_LEN..frame_len).ok_or(truncated)?;

    let actual = checksum(&header.checked, compressed);
    if actual != header.checksum {
        return Err(Error::ChecksumMismatch {
            expected: header.checksum,
            actual,
        });
    }

    let payload = decompress(compressed, header.payload_len)?;
    let batch = payload::decode(&payload, limits)?;
    Ok((batch, frame_len, header.final_frame))
}

/// The fixed header, with its lengths not yet checked against any limit.
struct Header {
    final_frame: bool,
    checked: [u8; CHECKED_HEADER_LEN],
    payload_len: usize,
    compressed_len: usize,
    checksum: u32,
}

impl Header {
    fn parse(bytes: &[u8]) -> Result<Header> {
        // Judge the magic on whatever is present, so a short foreign file is called foreign
        // rather than truncated.
        let present = bytes.get(..MAGIC.len()).unwrap_or(bytes);
        if !MAGIC.starts_with(present) {
            return Err(Error::BadMagic);
        }
        let head: [u8; HEADER_LEN] = bytes
            .get(..HEADER_LEN)
            .and_then(|head| head.try_into().ok())
            .ok_or(Error::Truncated {
                needed: HEADER_LEN,
                available: bytes.len(),
            })?;
        let [
            _,
            _,
            _,
            _,
            version,
            flags,
            p0,
            p1,
            p2,
            p3,
            c0,
            c1,
            c2,
            c3,
            k0,
            k1,
            k2,
            k3,
        ] = head;
        if version != VERSION || flags & !KNOWN_FLAGS != 0 {
            return Err(Error::UnsupportedVersion { version, flags });
        }
        let [checked @ .., _, _, _, _] = head;
        Ok(Header {
            final_frame: flags & FLAG_FINAL != 0,
            checked,
            payload_len: widen(u32::from_le_bytes([p0, p1, p2, p3])),
            compressed_len: widen(u32::from_le_bytes([c0, c1, c2, c3])),
            checksum: u32::from_le_bytes([k0, k1, k2, k3]),
        })
    }
}

/// CRC-32 (IEEE) of the header up to the checksum, then the compressed payload. Checking the
/// compressed bytes lets a damaged frame be refused before zstd ever reads it.
fn checksum(checked_header: &[u8; CHECKED_HEADER_LEN], compressed: &[u8]) -> u32 {
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(checked_header);
    hasher.update(compressed);
    hasher.finalize()
}

/// Decompresses exactly one zstd frame into a buffer of at most `declared` bytes.
fn decompress(compressed: &[u8], declared: usize) -> Result<Vec<u8>> {
    // One zstd frame, nothing after it, so that every frame has a single reading.
    if let Ok(size) = zstd_safe::find_frame_compressed_size(compressed)
        && size != compressed.len()
    {
        return Err(Error::Decompress(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "the zstd frame ends at byte {size} of {} compressed bytes",
                compressed.len()
            ),
        )));
    }
    // zstd records the content size in its own header: refuse a disagreement before
    // decompressing, so a bomb is a typed error and not only a full buffer.
    if let Ok(Some(recorded)) = zstd_safe::get_frame_content_size(compressed)
        && recorded != declared as u64
    {
        return Err(Error::PayloadLength {
            declared,
            actual: usize::try_from(recorded).unwrap_or(usize::MAX),
        });
    }
    // `capacity` is the most zstd allocates and writes: a frame holding more fails here.
    let payload = zstd::bulk::decompress(compressed, declared).map_err(Error::Decompress)?;
    if payload.len() != declared {
        return Err(Error::PayloadLength {
            declared,
            actual: payload.len(),
        });
    }
    Ok(payload)
}

/// A length for a 32-bit header field, or the reason it cannot be one.
fn length_field(what: &'static str, len: usize) -> Result<u32> {
    u32::try_from(len).map_err(|_| Error::TooLarge {
        what,
        size: len,
        limit: u32::MAX as usize,
    })
}

/// A header length as a usize; saturates on targets narrower than 32 bits, where any such
/// length is over every limit anyway.
fn widen(len: u32) -> usize {
    usize::try_from(len).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Entry;
    use proptest::prelude::*;
    use uuid::Uuid;

    fn sample() -> Batch {
        Batch::from(
            (0..20u8)
                .map(|i| Entry {
                    doc: Uuid::from_bytes([i % 3; 16]),
                    change: (0..=i).map(|j| j.wrapping_mul(31)).collect(),
                })
                .collect::<Vec<_>>(),
        )
    }

    fn sample_frame() -> Vec<u8> {
        encode(&sample(), &Limits::default()).unwrap()
    }

    /// Builds a frame around arbitrary compressed bytes, with a valid checksum, so tests can
    /// reach the checks behind it.
    fn frame_around(payload_len: u32, compressed: &[u8]) -> Vec<u8> {
        let mut head = [0u8; CHECKED_HEADER_LEN];
        head[..4].copy_from_slice(&MAGIC);
        head[4] = VERSION;
        head[6..10].copy_from_slice(&payload_len.to_le_bytes());
        head[10..14].copy_from_slice(&(compressed.len() as u32).to_le_bytes());
        let mut frame = head.to_vec();
        frame.extend_from_slice(&checksum(&head, compressed).to_le_bytes());
        frame.extend_from_slice(compressed);
        frame
    }

    /// Compresses `len` zero bytes without holding them all in memory.
    fn zeros_compressed(len: usize) -> Vec<u8> {
        use std::io::Write;
        let mut encoder = zstd::stream::Encoder::new(Vec::new(), 1).unwrap();
        encoder.set_pledged_src_size(Some(len as u64)).unwrap();
        let chunk = vec![0u8; 1 << 20];
        let mut left = len;
        while left > 0 {
            let n = left.min(chunk.len());
            encoder.write_all(&chunk[..n]).unwrap();
            left -= n;
        }
        encoder.finish().unwrap()
    }

    #[test]
    fn the_header_is_laid_out_as_documented() {
        let batch = sample();
        let frame = encode(&batch, &Limits::default()).unwrap();
        let compressed_len = frame.len() - HEADER_LEN;
        assert_eq!(&frame[0..4], b"SMPL");
        assert_eq!(frame[4], 1);
        assert_eq!(frame[5], 0);
        assert_eq!(frame[6..10], (batch.payload_len() as u32).to_le_bytes());
        assert_eq!(frame[10..14], (compressed_len as u32).to_le_bytes());
        let mut crc = crc32fast::Hasher::new();
        crc.update(&frame[..14]);
        crc.update(&frame[18..]);
        assert_eq!(frame[14..18], crc.finalize().to_le_bytes());
        assert_eq!(
            zstd::bulk::decompress(&frame[18..], batch.payload_len()).unwrap(),
            payload::encode(&batch, &Limits::default()).unwrap()
        );
    }

    #[test]
    fn the_checksum_is_the_common_crc32() {
        let head = *b"12345678900000";
        let mut crc = crc32fast::Hasher::new();
        crc.update(b"123456789");
        assert_eq!(crc.finalize(), 0xCBF4_3926);
        // Header and compressed bytes are one continuous input, not two checksums combined.
        let whole = crc32fast::hash(b"12345678900000abc");
        assert_eq!(checksum(&head, b"abc"), whole);
    }

    #[test]
    fn an_empty_batch_round_trips() {
        let frame = encode(&Batch::default(), &Limits::default()).unwrap();
        assert_eq!(
            decode(&frame, &Limits::default()).unwrap(),
            Batch::default()
        );
    }

    #[test]
    fn every_truncation_is_reported_as_truncated() {
        let frame = sample_frame();
        for len in 0..frame.len() {
            match decode(&frame[..len], &Limits::default()) {
                Err(Error::Truncated { needed, available }) => {
                    assert_eq!(available, len);
                    assert!(needed > len, "needed {needed} at length {len}");
                }
                other => panic!("length {len}: {other:?}"),
            }
        }
    }

    #[test]
    fn every_single_byte_change_is_detected() {
        let frame = sample_frame();
        for at in 0..frame.len() {
            for flip in [0x01, 0x80, 0xff] {
                let mut damaged = frame.clone();
                damaged[at] ^= flip;
                let result = decode(&damaged, &Limits::default());
                assert!(result.is_err(), "byte {at} ^ {flip:#x} decoded: {result:?}");
            }
        }
    }

    #[test]
    fn a_damaged_header_field_gets_its_own_error() {
        let frame = sample_frame();
        let damage = |at: usize| {
            let mut damaged = frame.clone();
            damaged[at] ^= 0x01;
            decode(&damaged, &Limits::default()).unwrap_err()
        };
        assert!(matches!(damage(0), Error::BadMagic));
        assert!(matches!(
            damage(4),
            Error::UnsupportedVersion {
                version: 0,
                flags: 0
            }
        ));
        // Bit 0 is the final-frame flag, covered by the checksum; bit 1 is unknown.
        assert!(matches!(damage(5), Error::ChecksumMismatch { .. }));
        let mut unknown = frame.clone();
        unknown[5] ^= 0x02;
        assert!(matches!(
            decode(&unknown, &Limits::default()).unwrap_err(),
            Error::UnsupportedVersion {
                version: 1,
                flags: 2
            }
        ));
        assert!(matches!(damage(6), Error::ChecksumMismatch { .. }));
        assert!(matches!(damage(16), Error::ChecksumMismatch { .. }));
        assert!(matches!(
            damage(HEADER_LEN + 3),
            Error::ChecksumMismatch { .. }
        ));
    }

    #[test]
    fn a_short_foreign_file_is_called_foreign() {
        assert!(matches!(
            decode(b"PK", &Limits::default()),
            Err(Error::BadMagic)
        ));
        assert!(matches!(
            decode(b"SM", &Limits::default()),
            Err(Error::Truncated {
                needed: HEADER_LEN,
                available: 2
            })
        ));
    }

    #[test]
    fn bytes_after_the_frame_are_refused_by_decode_but_not_by_decode_prefix() {
        let mut bytes = sample_frame();
        let len = bytes.len();
        bytes.extend_from_slice(b"xyz");
        assert!(matches!(
            decode(&bytes, &Limits::default()),
            Err(Error::TrailingBytes { count: 3 })
        ));
        let (batch, used) = decode_prefix(&bytes, &Limits::default()).unwrap();
        assert_eq!((batch, used), (sample(), len));
    }

    #[test]
    fn a_declared_payload_over_the_limit_is_refused_before_decompressing() {
        let limits = Limits::default();
        // Garbage where the zstd frame would be: reaching zstd would be a different error.
        let frame = frame_around(limits.max_payload_bytes as u32 + 1, b"not zstd");
        assert!(matches!(
            decode(&frame, &limits),
            Err(Error::TooLarge {
                what: "payload size",
                ..
            })
        ));
    }

    #[test]
    fn a_declared_frame_over_the_limit_is_refused_before_reading_it() {
        let limits = Limits {
            max_frame_bytes: 100,
            ..Limits::default()
        };
        let mut frame = frame_around(10, &[0; 83]);
        assert!(matches!(
            decode(&frame, &limits),
            Err(Error::TooLarge {
                what: "frame size",
                size: 101,
                limit: 100
            })
        ));
        // Only the header present: the limit is still what is reported.
        frame.truncate(HEADER_LEN);
        assert!(matches!(
            decode(&frame, &limits),
            Err(Error::TooLarge {
                what: "frame size",
                ..
            })
        ));
    }

    #[test]
    fn a_batch_compressing_beyond_the_frame_limit_is_not_encoded() {
        let limits = Limits {
            max_frame_bytes: 1_000,
            ..Limits::default()
        };
        // Bytes from a linear congruential generator: zstd cannot shrink them.
        let mut state = 1u32;
        let change = (0..4_000)
            .map(|_| {
                state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                (state >> 16) as u8
            })
            .collect();
        let batch = Batch::from(vec![Entry {
            doc: Uuid::nil(),
            change,
        }]);
        assert!(matches!(
            encode(&batch, &limits),
            Err(Error::TooLarge {
                what: "frame size",
                ..
            })
        ));
    }

    #[test]
    fn a_zstd_bomb_within_the_payload_limit_is_refused() {
        // 64 MiB of zeros declared as 1 KiB: zstd's recorded size gives it away.
        let compressed = zeros_compressed(64 << 20);
        assert!(compressed.len() < 64 << 10);
        let frame = frame_around(1024, &compressed);
        assert!(matches!(
            decode(&frame, &Limits::default()),
            Err(Error::PayloadLength {
                declared: 1024,
                actual
            }) if actual == 64 << 20
        ));
    }

    #[test]
    fn a_zstd_bomb_declared_honestly_is_refused_by_the_payload_limit() {
        let compressed = zeros_compressed(64 << 20);
        let frame = frame_around(64 << 20, &compressed);
        assert!(matches!(
            decode(&frame, &Limits::default()),
            Err(Error::TooLarge {
                what: "payload size",
                size,
                ..
            }) if size == 64 << 20
        ));
    }

    #[test]
    fn a_zstd_frame_without_a_recorded_size_cannot_overflow_the_declared_length() {
        use std::io::Write;
        // A streamed frame with no content size: only the bounded buffer stops it.
        let mut encoder = zstd::stream::Encoder::new(Vec::new(), 1).unwrap();
        encoder.include_contentsize(false).unwrap();
        encoder.write_all(&vec![0u8; 1 << 20]).unwrap();
        let compressed = encoder.finish().unwrap();
        let frame = frame_around(1024, &compressed);
        assert!(matches!(
            decode(&frame, &Limits::default()),
            Err(Error::Decompress(_))
        ));
    }

    #[test]
    fn a_payload_shorter_than_declared_is_refused() {
        let payload = payload::encode(&sample(), &Limits::default()).unwrap();
        let mut encoder = zstd::stream::Encoder::new(Vec::new(), 1).unwrap();
        encoder.include_contentsize(false).unwrap();
        std::io::Write::write_all(&mut encoder, &payload).unwrap();
        let compressed = encoder.finish().unwrap();
        let frame = frame_around(payload.len() as u32 + 1, &compressed);
        assert!(matches!(
            decode(&frame, &Limits::default()),
            Err(Error::PayloadLength { declared, actual }) if declared == actual + 1
        ));
    }

    #[test]
    fn two_zstd_frames_in_one_batch_frame_are_refused() {
        let payload = payload::encode(&sample(), &Limits::default()).unwrap();
        let (first, second) = payload.split_at(10);
        let mut compressed = zstd::bulk::compress(first, 3).unwrap();
        compressed.extend(zstd::bulk::compress(second, 3).unwrap());
        let frame = frame_around(payload.len() as u32, &compressed);
        assert!(matches!(
            decode(&frame, &Limits::default()),
            Err(Error::Decompress(_))
        ));
    }

    #[test]
    fn garbage_with_a_valid_checksum_is_a_decompression_error() {
        let frame = frame_around(10, b"definitely not a zstd frame");
        assert!(matches!(
            decode(&frame, &Limits::default()),
            Err(Error::Decompress(_))
        ));
    }

    fn entries() -> impl Strategy<Value = Vec<Entry>> {
        let entry = (
            any::<[u8; 16]>(),
            prop::collection::vec(any::<u8>(), 0..600),
        )
            .prop_map(|(doc, change)| Entry {
                doc: Uuid::from_bytes(doc),
                change,
            });
        prop::collection::vec(entry, 0..40)
    }

    proptest! {
        #[test]
        fn random_batches_round_trip(entries in entries()) {
            let batch = Batch::from(entries);
            let frame = encode(&batch, &Limits::default()).unwrap();
            prop_assert_eq!(decode(&frame, &Limits::default()).unwrap(), batch);
        }
    }

    proptest! {

        #![proptest_config(ProptestConfig::with_cases(16))]

        #[test]
        fn large_changes_round_trip(
            sizes in prop::collection::vec(100_000usize..=(1 << 20), 1..4),
            seed: u8,
        ) {
            let batch = Batch::from(
                sizes
                    .into_iter()
                    .enumerate()
                    .map(|(i, size)| Entry {
                        doc: Uuid::from_u128(i as u128),
                        change: (0..size).map(|j| (j as u8).wrapping_mul(seed) ^ (j >> 9) as u8).collect(),
                    })
                    .collect::<Vec<_>>(),
            );
            let frame = encode(&batch, &Limits::default()).unwrap();
            prop_assert_eq!(decode(&frame, &Limits::default()).unwrap(), batch);
        }

    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4_096))]

        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2_000)) {
            let _ = decode(&bytes, &Limits::default());
        }

        #[test]
        fn arbitrary_bytes_behind_a_valid_header_never_panic(
            payload_len in 0u32..4_096,
            compressed in prop::collection::vec(any::<u8>(), 0..2_000),
        ) {
            let _ = decode(&frame_around(payload_len, &compressed), &Limits::default());
        }

        #[test]
        fn arbitrary_payloads_behind_a_valid_frame_never_panic(
            payload in prop::collection::vec(any::<u8>(), 0..2_000),
        ) {
            let compressed = zstd::bulk::compress(&payload, 1).unwrap();
            let _ = decode(&frame_around(payload.len() as u32, &compressed), &Limits::default());
        }

        #[test]
        fn a_valid_payload_with_random_damage_never_panics(
            entries in entries(),
            damage in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        ) {
            let mut payload = payload::encode(&Batch::from(entries), &Limits::default()).unwrap();
            for (at, byte) in damage {
                let at = at.index(payload.len());
                payload[at] = byte;
            }
            let compressed = zstd::bulk::compress(&payload, 1).unwrap();
            let _ = decode(&frame_around(payload.len() as u32, &compressed), &Limits::default());
        }
    }
}
