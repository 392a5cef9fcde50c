//! Bundles: frames back to back, and the splitting of a change log into frame-sized batches.
//!
//! A bundle is what travels on a USB stick; the same batches go one per HTTP request when a
//! connection exists. Splitting keeps each batch near a target size so that a cut connection
//! loses little, and keeps the order of entries because a change must follow the changes it
//! depends on.

use crate::{Batch, Entry, Error, HEADER_LEN, Limits, Result, frame, payload};

/// Decodes a bundle: one or more frames back to back, the last one marked final.
///
/// Any bad frame, including trailing bytes that do not form a frame or bytes after the final
/// frame, fails the whole bundle with [`Error::Frame`], and a bundle that ends without its
/// final frame — cut short exactly between two frames — with [`Error::Unfinished`], so that
/// the caller can refuse the file and change nothing. Empty input is [`Error::Empty`].
///
/// Every batch is held in memory at once. To apply a large bundle batch by batch (inside one
/// transaction, say), iterate [`frames`] instead.
pub fn decode_bundle(bytes: &[u8], limits: &Limits) -> Result<Vec<Batch>> {
    frames(bytes, limits).collect()
}

/// Iterates over the frames of a bundle, decoding each when it is reached.
///
/// Yields the same batches and errors as [`decode_bundle`]: [`Error::Empty`] for empty input,
/// otherwise one item per frame, stopping after the first error.
pub fn frames<'a>(bytes: &'a [u8], limits: &Limits) -> Frames<'a> {
    Frames {
        bytes,
        limits: *limits,
        offset: 0,
        index: 0,
        done: false,
        finished: false,
    }
}

/// Iterator returned by [`frames`].
#[derive(Clone, Debug)]
pub struct Frames<'a> {
    bytes: &'a [u8],
    limits: Limits,
    offset: usize,
    index: usize,
    done: bool,
    /// The final frame has been read.
    finished: bool,
}

impl Frames<'_> {
    /// Where the next frame starts in the bundle: the bytes read so far, for progress reports.
    pub fn offset(&self) -> usize {
        self.offset
    }
}

impl Iterator for Frames<'_> {
    type Item = Result<Batch>;

    fn next(&mut self) -> Option<Result<Batch>> {
        if self.done {
            return None;
        }
        if self.bytes.is_empty() {
            self.done = true;
            return Some(Err(Error::Empty));
        }
        let rest = self
            .bytes
            .get(self.offset..)
            .filter(|rest| !rest.is_empty());
        let Some(rest) = rest else {
            self.done = true;
            return (!self.finished).then_some(Err(Error::Unfinished {
                frames: self.index,
                offset: self.offset,
            }));
        };
        if self.finished {
            self.done = true;
            return Some(Err(Error::Frame {
                index: self.index,
                offset: self.offset,
                source: Box::new(Error::TrailingBytes { count: rest.len() }),
            }));
        }
        match frame::decode_frame(rest, &self.limits) {
            Ok((batch, used, final_frame)) => {
                self.offset = self.offset.saturating_add(used);
                self.index = self.index.saturating_add(1);
                self.finished = final_frame;
                Some(Ok(batch))
            }
            Err(source) => {
                self.done = true;
                Some(Err(Error::Frame {
                    index: self.index,
                    offset: self.offset,
                    source: Box::new(source),
                }))
            }
        }
    }
}

/// Splits entries into batches whose payload stays within `target_payload_bytes`, keeping
/// their order. An entry larger than the target on its own forms its own batch. No entries,
/// no batches.
pub fn split(entries: Vec<Entry>, target_payload_bytes: usize) -> Vec<Batch> {
    split_within(entries, target_payload_bytes, usize::MAX)
}

/// Encodes entries as a bundle: [`split`], encode each batch as a frame, concatenate.
///
/// The target is lowered where needed so that every frame respects `limits` (payload size,
/// entry count, and frame size even if the changes do not compress); only a change over
/// [`Limits::max_change_bytes`] makes it fail. No entries give a bundle of one empty frame,
/// so that the file is still a valid bundle.
pub fn encode_bundle(
    entries: Vec<Entry>,
    target_payload_bytes: usize,
    limits: &Limits,
) -> Result<Vec<u8>> {
    if entries.is_empty() {
        return frame::encode_final(&Batch::default(), limits);
    }
    let target = target_payload_bytes
        .min(limits.max_payload_bytes)
        .min(payload_fitting(limits.max_frame_bytes));
    let batches = split_within(entries, target, limits.max_entries);
    let last = batches.len() - 1;
    let mut bundle = Vec::new();
    for (index, batch) in batches.iter().enumerate() {
        let frame = if index == last {
            frame::encode_final(batch, limits)?
        } else {
            frame::encode(batch, limits)?
        };
        bundle.extend_from_slice(&frame);
    }
    Ok(bundle)
}

/// Greedy split: close the current batch when the next entry would take it over `target`
/// bytes or `max_entries` entries.
fn split_within(entries: Vec<Entry>, target: usize, max_entries: usize) -> Vec<Batch> {
    let mut batches = Vec::new();
    let mut current: Vec<Entry> = Vec::new();
    // Payload bytes of the entries in `current`, without the count in front of them.
    let mut entries_len = 0usize;
    for entry in entries {
        let entry_len = entry.payload_len();
        let count = current.len().saturating_add(1);
        let grown = payload::varint_len(count as u64)
            .saturating_add(entries_len)
            .saturating_add(entry_len);
        if !current.is_empty() && (grown > target || count > max_entries) {
            batches.push(Batch::from(std::mem::take(&mut current)));
            entries_len = 0;
        }
        entries_len = entries_len.saturating_add(entry_len);
        current.push(entry);
    }
    if !current.is_empty() {
        batches.push(Batch::from(current));
    }
    batches
}

/// The largest payload that fits a frame of `max_frame_bytes` even if zstd cannot compress
/// it. zstd's worst case (`ZSTD_COMPRESSBOUND`) is the input plus 1/256 of it plus at most 64
/// bytes of frame overhead for small inputs.
fn payload_fitting(max_frame_bytes: usize) -> usize {
    let room = max_frame_bytes
        .saturating_sub(HEADER_LEN)
        .saturating_sub(64);
    room / 257 * 256
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use uuid::Uuid;

    fn entry(n: u32, len: usize) -> Entry {
        Entry {
            doc: Uuid::from_u128(u128::from(n % 7)),
            change: n.to_le_bytes().iter().copied().cycle().take(len).collect(),
        }
    }

    fn entries(count: u32, len: usize) -> Vec<Entry> {
        (0..count).map(|n| entry(n, len)).collect()
    }

    fn flatten(batches: Vec<Batch>) -> Vec<Entry> {
        batches
            .into_iter()
            .flat_map(|batch| batch.entries)
            .collect()
    }

    #[test]
    fn several_frames_decode_in_order() {
        let limits = Limits::default();
        let batches = split(entries(30, 50), 500);
        assert!(batches.len() > 3);
        let last = batches.len() - 1;
        let bundle: Vec<u8> = batches
            .iter()
            .enumerate()
            .flat_map(|(i, batch)| match i == last {
                true => frame::encode_final(batch, &limits).unwrap(),
                false => frame::encode(batch, &limits).unwrap(),
            })
            .collect();
        assert_eq!(decode_bundle(&bundle, &limits).unwrap(), batches);
    }

    #[test]
    fn a_bundle_cut_exactly_between_two_frames_is_unfinished() {
        let limits = Limits::default();
        let bundle = encode_bundle(entries(30, 50), 500, &limits).unwrap();
        let (_, first_len) = frame::decode_prefix(&bundle, &limits).unwrap();
        assert!(first_len < bundle.len(), "the bundle has several frames");
        let cut = &bundle[..first_len];
        assert!(matches!(
            decode_bundle(cut, &limits),
            Err(Error::Unfinished {
                frames: 1,
                offset
            }) if offset == first_len
        ));
        assert!(decode_bundle(&bundle, &limits).is_ok());
    }

    #[test]
    fn frames_without_a_final_one_are_not_a_whole_bundle() {
        let limits = Limits::default();
        let bundle = frame::encode(&Batch::from(entries(2, 10)), &limits).unwrap();
        assert!(matches!(
            decode_bundle(&bundle, &limits),
            Err(Error::Unfinished { frames: 1, .. })
        ));
    }

    #[test]
    fn a_bad_second_frame_is_reported_with_its_index_and_offset() {
        let limits = Limits::default();
        let first = frame::encode(&Batch::from(entries(3, 10)), &limits).unwrap();
        let mut second = frame::encode(&Batch::from(entries(4, 10)), &limits).unwrap();
        let third = frame::encode(&Batch::from(entries(5, 10)), &limits).unwrap();
        *second.last_mut().unwrap() ^= 0x40;
        let bundle = [first.clone(), second, third].concat();
        match decode_bundle(&bundle, &limits) {
            Err(Error::Frame {
                index: 1,
                offset,
                source,
            }) => {
                assert_eq!(offset, first.len());
                assert!(matches!(*source, Error::ChecksumMismatch { .. }));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_frame_error_names_the_frame_and_the_fault() {
        let limits = Limits::default();
        let mut bundle = frame::encode(&Batch::default(), &limits).unwrap();
        let offset = bundle.len();
        bundle.extend_from_slice(b"SMPL\x02");
        let message = decode_bundle(&bundle, &limits).unwrap_err().to_string();
        assert_eq!(
            message,
            format!("frame 1 at byte {offset}: truncated: needed 18 bytes, only 5 present")
        );
    }

    #[test]
    fn trailing_garbage_fails_the_bundle() {
        let limits = Limits::default();
        let mut bundle = encode_bundle(entries(10, 20), 1_000, &limits).unwrap();
        let end = bundle.len();
        bundle.extend_from_slice(b"\n");
        match decode_bundle(&bundle, &limits) {
            Err(Error::Frame { offset, source, .. }) => {
                assert_eq!(offset, end);
                assert!(matches!(*source, Error::TrailingBytes { count: 1 }));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_empty_bundle_is_an_error() {
        assert!(matches!(
            decode_bundle(&[], &Limits::default()),
            Err(Error::Empty)
        ));
    }

    #[test]
    fn a_bundle_of_no_entries_is_one_empty_frame() {
        let limits = Limits::default();
        let bundle = encode_bundle(vec![], 1_000, &limits).unwrap();
        assert_eq!(
            decode_bundle(&bundle, &limits).unwrap(),
            vec![Batch::default()]
        );
    }

    #[test]
    fn frames_stop_after_the_first_error_and_track_the_offset() {
        let limits = Limits::default();
        let good = frame::encode(&Batch::from(entries(2, 5)), &limits).unwrap();
        let bundle = [good.clone(), b"junk".to_vec(), good.clone()].concat();
        let mut frames = frames(&bundle, &limits);
        assert!(frames.next().unwrap().is_ok());
        assert_eq!(frames.offset(), good.len());
        assert!(matches!(
            frames.next(),
            Some(Err(Error::Frame { index: 1, .. }))
        ));
        assert!(frames.next().is_none());
    }

    #[test]
    fn split_keeps_each_batch_within_the_target() {
        let batches = split(entries(100, 40), 300);
        // 1 count byte + 5 entries of 16 + 1 + 40 bytes = 286; a sixth would make 343.
        assert!(batches.iter().all(|batch| batch.entries.len() == 5));
        assert_eq!(batches.len(), 20);
    }

    #[test]
    fn an_entry_larger_than_the_target_forms_its_own_batch() {
        let list = vec![entry(0, 10), entry(1, 10), entry(2, 5_000), entry(3, 10)];
        let batches = split(list.clone(), 100);
        let sizes: Vec<usize> = batches.iter().map(|batch| batch.entries.len()).collect();
        assert_eq!(sizes, [2, 1, 1]);
        assert_eq!(flatten(batches), list);
    }

    #[test]
    fn no_entries_split_into_no_batches() {
        assert!(split(vec![], 100).is_empty());
    }

    #[test]
    fn encode_bundle_respects_the_entry_limit() {
        let limits = Limits {
            max_entries: 3,
            ..Limits::default()
        };
        let list = entries(10, 1);
        let bundle = encode_bundle(list.clone(), 1 << 20, &limits).unwrap();
        let batches = decode_bundle(&bundle, &limits).unwrap();
        assert_eq!(batches.len(), 4);
        assert_eq!(flatten(batches), list);
    }

    #[test]
    fn encode_bundle_keeps_incompressible_frames_under_the_frame_limit() {
        let limits = Limits {
            max_frame_bytes: 4_096,
            ..Limits::default()
        };
        // Bytes from a linear congruential generator: zstd cannot shrink them.
        let mut state = 1u32;
        let list: Vec<Entry> = (0..40)
            .map(|n| Entry {
                doc: Uuid::from_u128(n),
                change: (0..500)
                    .map(|_| {
                        state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                        (state >> 16) as u8
                    })
                    .collect(),
            })
            .collect();
        let bundle = encode_bundle(list.clone(), usize::MAX, &limits).unwrap();
        assert_eq!(flatten(decode_bundle(&bundle, &limits).unwrap()), list);
    }

    #[test]
    fn encode_bundle_refuses_a_change_over_the_limit() {
        let limits = Limits {
            max_change_bytes: 100,
            ..Limits::default()
        };
        assert!(matches!(
            encode_bundle(vec![entry(0, 10), entry(1, 101)], 1_000, &limits),
            Err(Error::TooLarge {
                what: "change size",
                ..
            })
        ));
    }

    fn entry_lists() -> impl Strategy<Value = Vec<Entry>> {
        prop::collection::vec(
            (any::<u128>(), prop::collection::vec(any::<u8>(), 0..300)).prop_map(
                |(doc, change)| Entry {
                    doc: Uuid::from_u128(doc),
                    change,
                },
            ),
            0..60,
        )
    }

    proptest! {
        #[test]
        fn split_preserves_order_and_loses_nothing(list in entry_lists(), target in 0usize..2_000) {
            let batches = split(list.clone(), target);
            for batch in &batches {
                prop_assert!(!batch.entries.is_empty());
                prop_assert!(batch.payload_len() <= target || batch.entries.len() == 1);
            }
            prop_assert_eq!(flatten(batches), list);
        }

        #[test]
        fn split_closes_a_batch_only_when_the_next_entry_would_not_fit(
            list in entry_lists(),
            target in 0usize..2_000,
        ) {
            let batches = split(list, target);
            for pair in batches.windows(2) {
                let mut grown = pair[0].clone();
                grown.entries.push(pair[1].entries[0].clone());
                prop_assert!(grown.payload_len() > target);
            }
        }

        #[test]
        fn bundles_round_trip(list in entry_lists(), target in 0usize..4_000) {
            let limits = Limits::default();
            let bundle = encode_bundle(list.clone(), target, &limits).unwrap();
            let batches = decode_bundle(&bundle, &limits).unwrap();
            if !list.is_empty() {
                prop_assert_eq!(&batches, &split(list.clone(), target));
            }
            prop_assert_eq!(flatten(batches), list);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4_096))]

        #[test]
        fn arbitrary_bytes_never_panic_a_bundle(bytes in prop::collection::vec(any::<u8>(), 0..1_000)) {
            let _ = decode_bundle(&bytes, &Limits::default());
        }

        #[test]
        fn arbitrary_bytes_after_a_magic_never_panic_a_bundle(
            bytes in prop::collection::vec(any::<u8>(), 0..1_000),
        ) {
            let _ = decode_bundle(&[b"SMPL\x01\x00".as_slice(), &bytes].concat(), &Limits::default());
        }
    }
}
