//! Arbitrary bytes into every decoder: none may panic, allocate beyond its limits or hang,
//! and whatever decodes must encode back to a batch that decodes to the same entries.
#![no_main]

use libfuzzer_sys::fuzz_target;
use simpul_protocol::{Limits, decode, decode_bundle, encode};

fuzz_target!(|data: &[u8]| {
    // Small limits so the fuzzer explores the limit checks too.
    let limits = Limits {
        max_frame_bytes: 1 << 20,
        max_payload_bytes: 4 << 20,
        max_entries: 10_000,
        max_change_bytes: 1 << 16,
    };
    if let Ok(batch) = decode(data, &limits) {
        let again = encode(&batch, &limits).expect("a decoded batch encodes");
        assert_eq!(decode(&again, &limits).expect("and decodes"), batch);
    }
    let _ = decode_bundle(data, &limits);
});
