//! Decoding hostile frames allocates no more than the declared payload length.
//!
//! A separate test binary, because measuring needs a global allocator that records the largest
//! allocation made on the measuring thread.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::Write;

use simpul_protocol::{Error, HEADER_LEN, Limits, MAGIC, VERSION, decode};

struct Recording;

thread_local! {
    static LARGEST: Cell<Option<usize>> = const { Cell::new(None) };
}

// SAFETY: every call is forwarded unchanged to the system allocator; recording only touches a
// thread-local `Cell`, which neither allocates nor panics.
unsafe impl GlobalAlloc for Recording {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        record(layout.size());
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        record(layout.size());
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        record(new_size);
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Recording = Recording;

fn record(size: usize) {
    let _ = LARGEST.try_with(|largest| {
        if let Some(seen) = largest.get() {
            largest.set(Some(seen.max(size)));
        }
    });
}

/// Runs `f` and returns its result with the largest allocation it made on this thread.
fn largest_allocation<T>(f: impl FnOnce() -> T) -> (T, usize) {
    LARGEST.with(|largest| largest.set(Some(0)));
    let result = f();
    let largest = LARGEST.with(|largest| largest.take()).unwrap_or(0);
    (result, largest)
}

/// A frame with a valid checksum around `compressed`, declaring `payload_len`.
fn frame_around(payload_len: u32, compressed: &[u8]) -> Vec<u8> {
    let mut frame = Vec::with_capacity(HEADER_LEN + compressed.len());
    frame.extend_from_slice(&MAGIC);
    frame.extend_from_slice(&[VERSION, 0]);
    frame.extend_from_slice(&payload_len.to_le_bytes());
    frame.extend_from_slice(&(compressed.len() as u32).to_le_bytes());
    let mut crc = crc32fast::Hasher::new();
    crc.update(&frame);
    crc.update(compressed);
    frame.extend_from_slice(&crc.finalize().to_le_bytes());
    frame.extend_from_slice(compressed);
    frame
}

/// `len` zero bytes as one zstd frame that does not record its size, so only the decoder's
/// own bound can stop it.
fn unsized_zeros(len: usize) -> Vec<u8> {
    let mut encoder = zstd::stream::Encoder::new(Vec::new(), 1).unwrap();
    encoder.include_contentsize(false).unwrap();
    let chunk = vec![0u8; 1 << 20];
    for _ in 0..len / chunk.len() {
        encoder.write_all(&chunk).unwrap();
    }
    encoder.finish().unwrap()
}

const MIB: usize = 1 << 20;

#[test]
fn a_bomb_declaring_a_small_payload_allocates_only_that_much() {
    let frame = frame_around(MIB as u32, &unsized_zeros(256 * MIB));
    let (result, largest) = largest_allocation(|| decode(&frame, &Limits::default()));
    assert!(matches!(result, Err(Error::Decompress(_))), "{result:?}");
    assert!(largest <= MIB, "allocated {largest} bytes");
    // The measurement is real: the declared megabyte was allocated.
    assert!(largest >= MIB, "allocated only {largest} bytes");
}

#[test]
fn a_bomb_declaring_a_payload_over_the_limit_allocates_nothing_large() {
    let frame = frame_around(u32::MAX, &unsized_zeros(256 * MIB));
    let (result, largest) = largest_allocation(|| decode(&frame, &Limits::default()));
    assert!(matches!(result, Err(Error::TooLarge { .. })), "{result:?}");
    assert!(largest < 4096, "allocated {largest} bytes");
}
