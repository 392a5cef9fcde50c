//! The uncompressed payload of a frame: an entry count, then `(document id, change)` entries.
//!
//! Lengths are LEB128 varints because almost every change is short: a one-field edit is a
//! few hundred bytes, so two length bytes instead of a fixed four or eight add up over the
//! thousands of entries a 2G upload carries. Varints must be minimal so that one batch has
//! exactly one encoding, which keeps checksums and idempotency keys stable across clients.

use uuid::Uuid;

use crate::{Error, Limits, Result};

/// One Automerge change and the document (questionnaire response) it belongs to.
///
/// The change is opaque here: one Automerge change in its binary encoding, which only the
/// receiving document interprets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub doc: Uuid,
    pub change: Vec<u8>,
}

/// The entries carried by one frame, in the order they must be applied.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Batch {
    pub entries: Vec<Entry>,
}

impl Entry {
    /// Bytes this entry takes in a payload: document id, length varint, change.
    pub(crate) fn payload_len(&self) -> usize {
        DOC_ID_LEN
            .saturating_add(varint_len(self.change.len() as u64))
            .saturating_add(self.change.len())
    }
}

impl Batch {
    /// Bytes of the uncompressed payload this batch encodes to, exactly.
    ///
    /// This is the figure [`Limits::max_payload_bytes`] is checked against and the one
    /// [`split`](crate::split) packs batches by.
    pub fn payload_len(&self) -> usize {
        self.entries
            .iter()
            .fold(varint_len(self.entries.len() as u64), |sum, entry| {
                sum.saturating_add(entry.payload_len())
            })
    }
}

impl From<Vec<Entry>> for Batch {
    fn from(entries: Vec<Entry>) -> Self {
        Batch { entries }
    }
}

const DOC_ID_LEN: usize = 16;
/// A u64 needs at most ten 7-bit groups.
const MAX_VARINT_LEN: usize = 10;
/// The smallest possible entry, used to cap how much a declared entry count may pre-allocate.
const MIN_ENTRY_LEN: usize = DOC_ID_LEN + 1;

/// Writes `batch` as a payload, after checking it against `limits`.
pub(crate) fn encode(batch: &Batch, limits: &Limits) -> Result<Vec<u8>> {
    let count = batch.entries.len();
    if count > limits.max_entries {
        return Err(too_large("entry count", count, limits.max_entries));
    }
    if let Some(entry) = batch
        .entries
        .iter()
        .find(|entry| entry.change.len() > limits.max_change_bytes)
    {
        return Err(too_large(
            "change size",
            entry.change.len(),
            limits.max_change_bytes,
        ));
    }
    let len = batch.payload_len();
    if len > limits.max_payload_bytes {
        return Err(too_large("payload size", len, limits.max_payload_bytes));
    }

    let mut out = Vec::with_capacity(len);
    write_varint(&mut out, count as u64);
    for entry in &batch.entries {
        out.extend_from_slice(entry.doc.as_bytes());
        write_varint(&mut out, entry.change.len() as u64);
        out.extend_from_slice(&entry.change);
    }
    debug_assert_eq!(out.len(), len);
    Ok(out)
}

/// Reads a payload, enforcing the entry and change limits as it goes.
pub(crate) fn decode(payload: &[u8], limits: &Limits) -> Result<Batch> {
    let mut reader = Reader { payload, pos: 0 };

    let count = reader.varint()?;
    if count > limits.max_entries as u64 {
        return Err(too_large(
            "entry count",
            saturate(count),
            limits.max_entries,
        ));
    }
    // The count is only a claim: reserve no more than the remaining bytes could hold.
    let room = reader.remaining() / MIN_ENTRY_LEN;
    let mut entries = Vec::with_capacity(saturate(count).min(room));

    for _ in 0..count {
        let id = reader.take(DOC_ID_LEN, "document id cut short")?;
        let doc = Uuid::from_slice(id).map_err(|_| reader.malformed("document id cut short"))?;
        let len = reader.varint()?;
        if len > limits.max_change_bytes as u64 {
            return Err(too_large(
                "change size",
                saturate(len),
                limits.max_change_bytes,
            ));
        }
        let change = reader.take(saturate(len), "change cut short")?.to_vec();
        entries.push(Entry { doc, change });
    }

    if reader.remaining() > 0 {
        return Err(reader.malformed("bytes after the last entry"));
    }
    Ok(Batch { entries })
}

/// How many bytes the LEB128 encoding of `value` takes (1 to 10).
pub(crate) fn varint_len(value: u64) -> usize {
    let bits = (u64::BITS - value.leading_zeros()).max(1);
    bits.div_ceil(7) as usize
}

fn write_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8 & 0x7f) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// A cursor over the payload whose errors carry the offset of the item being read.
struct Reader<'a> {
    payload: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn remaining(&self) -> usize {
        self.payload.len().saturating_sub(self.pos)
    }

    fn malformed(&self, reason: &'static str) -> Error {
        Error::Malformed {
            offset: self.pos,
            reason,
        }
    }

    fn take(&mut self, len: usize, reason: &'static str) -> Result<&'a [u8]> {
        let end = self
            .pos
            .checked_add(len)
            .ok_or_else(|| self.malformed(reason))?;
        let bytes = self
            .payload
            .get(self.pos..end)
            .ok_or_else(|| self.malformed(reason))?;
        self.pos = end;
        Ok(bytes)
    }

    /// Reads an unsigned LEB128 varint, rejecting every encoding but the shortest.
    fn varint(&mut self) -> Result<u64> {
        let start = self.pos;
        let malformed = |reason| Error::Malformed {
            offset: start,
            reason,
        };
        let mut value = 0u64;
        for i in 0..MAX_VARINT_LEN {
            let byte = *self
                .payload
                .get(start.saturating_add(i))
                .ok_or_else(|| malformed("varint cut short"))?;
            // The tenth group holds bit 63 only; anything more would not fit a u64.
            if i == MAX_VARINT_LEN - 1 && byte > 1 {
                return Err(malformed("varint overflows 64 bits"));
            }
            value |= u64::from(byte & 0x7f) << (7 * i);
            if byte & 0x80 == 0 {
                // A zero final group after others means the value fitted in fewer bytes.
                if i > 0 && byte == 0 {
                    return Err(malformed("varint is not minimal"));
                }
                self.pos = start.saturating_add(i + 1);
                return Ok(value);
            }
        }
        // Not reached: a tenth byte of 0 or 1 ends the varint above. Kept as an error, not a
        // panic, so that no input can crash the decoder.
        Err(malformed("varint overflows 64 bits"))
    }
}

fn too_large(what: &'static str, size: usize, limit: usize) -> Error {
    Error::TooLarge { what, size, limit }
}

/// A declared u64 as a usize, saturating: only ever compared against limits or used as a
/// bound that is checked against the real input.
fn saturate(value: u64) -> usize {
    usize::try_from(value).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn decode_default(payload: &[u8]) -> Result<Batch> {
        decode(payload, &Limits::default())
    }

    fn entry(byte: u8, len: usize) -> Entry {
        Entry {
            doc: Uuid::from_bytes([byte; 16]),
            change: vec![byte; len],
        }
    }

    #[test]
    fn varints_take_one_byte_per_seven_bits() {
        for (value, len) in [
            (0, 1),
            (127, 1),
            (128, 2),
            (16_383, 2),
            (16_384, 3),
            (u64::MAX, 10),
        ] {
            let mut out = Vec::new();
            write_varint(&mut out, value);
            assert_eq!(out.len(), len, "{value}");
            assert_eq!(varint_len(value), len, "{value}");
        }
    }

    proptest! {
        #[test]
        fn every_u64_survives_a_varint_round_trip(value: u64) {
            let mut out = Vec::new();
            write_varint(&mut out, value);
            let mut reader = Reader { payload: &out, pos: 0 };
            prop_assert_eq!(reader.varint().unwrap(), value);
            prop_assert_eq!(reader.remaining(), 0);
        }
    }

    #[test]
    fn a_non_minimal_varint_is_rejected() {
        // 1 written as two bytes: 0x81 0x00.
        let mut payload = vec![0x81, 0x00];
        payload.extend_from_slice(&[7; 16]);
        payload.push(0);
        assert!(matches!(
            decode_default(&payload),
            Err(Error::Malformed {
                offset: 0,
                reason: "varint is not minimal"
            })
        ));
    }

    #[test]
    fn a_padded_zero_varint_is_rejected() {
        let payload = [0x80, 0x80, 0x00];
        assert!(matches!(
            decode_default(&payload),
            Err(Error::Malformed {
                offset: 0,
                reason: "varint is not minimal"
            })
        ));
    }

    #[test]
    fn a_varint_beyond_64_bits_is_rejected() {
        let mut payload = vec![0xff; 9];
        payload.push(0x02);
        assert!(matches!(
            decode_default(&payload),
            Err(Error::Malformed {
                offset: 0,
                reason: "varint overflows 64 bits"
            })
        ));
        // Eleven bytes: the tenth still has its continuation bit set.
        let payload = [0xff; 11];
        assert!(matches!(
            decode_default(&payload),
            Err(Error::Malformed {
                reason: "varint overflows 64 bits",
                ..
            })
        ));
    }

    #[test]
    fn a_varint_cut_short_is_rejected_with_its_offset() {
        let mut payload = vec![1];
        payload.extend_from_slice(&[7; 16]);
        payload.push(0x80);
        assert!(matches!(
            decode_default(&payload),
            Err(Error::Malformed {
                offset: 17,
                reason: "varint cut short"
            })
        ));
    }

    #[test]
    fn an_empty_payload_is_malformed() {
        assert!(matches!(
            decode_default(&[]),
            Err(Error::Malformed {
                offset: 0,
                reason: "varint cut short"
            })
        ));
    }

    #[test]
    fn the_documented_example_payload_is_what_is_written() {
        let batch = Batch::from(vec![Entry {
            doc: Uuid::from_u128(0x0011_2233_4455_6677_8899_aabb_ccdd_eeff),
            change: vec![0xde, 0xad],
        }]);
        let payload = encode(&batch, &Limits::default()).unwrap();
        let mut expected = vec![0x01];
        expected.extend((0..16).map(|i| i * 0x11));
        expected.extend([0x02, 0xde, 0xad]);
        assert_eq!(payload, expected);
        assert_eq!(decode_default(&payload).unwrap(), batch);
    }

    #[test]
    fn the_payload_length_is_predicted_exactly() {
        let batch = Batch::from(vec![
            entry(1, 0),
            entry(2, 127),
            entry(3, 128),
            entry(4, 70_000),
        ]);
        let payload = encode(&batch, &Limits::default()).unwrap();
        assert_eq!(payload.len(), batch.payload_len());
        assert_eq!(Batch::default().payload_len(), 1);
    }

    #[test]
    fn a_missing_entry_is_reported_where_it_should_start() {
        let batch = Batch::from(vec![entry(1, 10)]);
        let mut payload = encode(&batch, &Limits::default()).unwrap();
        payload[0] = 2;
        assert!(matches!(
            decode_default(&payload),
            Err(Error::Malformed {
                offset: 28,
                reason: "document id cut short"
            })
        ));
    }

    #[test]
    fn a_short_change_is_rejected() {
        let batch = Batch::from(vec![entry(1, 10)]);
        let mut payload = encode(&batch, &Limits::default()).unwrap();
        payload.pop();
        assert!(matches!(
            decode_default(&payload),
            Err(Error::Malformed {
                offset: 18,
                reason: "change cut short"
            })
        ));
    }

    #[test]
    fn bytes_after_the_declared_entries_are_rejected() {
        let batch = Batch::from(vec![entry(1, 10)]);
        let mut payload = encode(&batch, &Limits::default()).unwrap();
        payload.push(0);
        assert!(matches!(
            decode_default(&payload),
            Err(Error::Malformed {
                offset: 28,
                reason: "bytes after the last entry"
            })
        ));
    }

    #[test]
    fn a_huge_entry_count_is_rejected_before_reading_entries() {
        let mut payload = Vec::new();
        write_varint(&mut payload, u64::MAX);
        assert!(matches!(
            decode_default(&payload),
            Err(Error::TooLarge {
                what: "entry count",
                ..
            })
        ));
    }

    #[test]
    fn a_plausible_but_false_entry_count_reserves_only_what_the_bytes_allow() {
        let limits = Limits::default();
        let mut payload = Vec::new();
        write_varint(&mut payload, limits.max_entries as u64);
        // No entries follow: the decoder must fail on the first id, not pre-allocate 200 000.
        assert!(matches!(
            decode(&payload, &limits),
            Err(Error::Malformed {
                reason: "document id cut short",
                ..
            })
        ));
    }

    #[test]
    fn too_many_entries_are_rejected_both_ways() {
        let limits = Limits {
            max_entries: 2,
            ..Limits::default()
        };
        let batch = Batch::from(vec![entry(1, 1), entry(2, 1), entry(3, 1)]);
        let expected = |result: Result<()>| {
            matches!(
                result,
                Err(Error::TooLarge {
                    what: "entry count",
                    size: 3,
                    limit: 2
                })
            )
        };
        assert!(expected(encode(&batch, &limits).map(|_| ())));
        let payload = encode(&batch, &Limits::default()).unwrap();
        assert!(expected(decode(&payload, &limits).map(|_| ())));
    }

    #[test]
    fn a_change_over_the_limit_is_rejected_both_ways() {
        let limits = Limits {
            max_change_bytes: 100,
            ..Limits::default()
        };
        let batch = Batch::from(vec![entry(1, 100), entry(2, 101)]);
        let expected = |result: Result<()>| {
            matches!(
                result,
                Err(Error::TooLarge {
                    what: "change size",
                    size: 101,
                    limit: 100
                })
            )
        };
        assert!(expected(encode(&batch, &limits).map(|_| ())));
        let payload = encode(&batch, &Limits::default()).unwrap();
        assert!(expected(decode(&payload, &limits).map(|_| ())));
    }

    #[test]
    fn a_payload_over_the_limit_is_not_encoded() {
        let limits = Limits {
            max_payload_bytes: 100,
            ..Limits::default()
        };
        let batch = Batch::from(vec![entry(1, 90)]);
        assert!(matches!(
            encode(&batch, &limits),
            Err(Error::TooLarge {
                what: "payload size",
                size: 108,
                limit: 100
            })
        ));
    }
}
