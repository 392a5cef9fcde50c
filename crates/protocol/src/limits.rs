//! Bounds on what one frame may hold, checked on both sides.
//!
//! The decoder reads files from USB sticks and bodies from the network, so every size it is
//! told is a claim to be checked before memory is spent on it. The encoder checks the same
//! limits so that a device never produces a batch its peers would refuse.

/// Upper bounds for one frame. Both peers should use the same values; the defaults are
/// what every Simpul client and server uses unless configured otherwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Header plus compressed bytes of one frame.
    pub max_frame_bytes: usize,
    /// Uncompressed payload of one frame: the most a decoder allocates for it.
    pub max_payload_bytes: usize,
    /// Entries in one frame.
    pub max_entries: usize,
    /// Bytes of one change.
    pub max_change_bytes: usize,
}

impl Default for Limits {
    /// Generous next to the tens of kilobytes a sync batch aims for, so a bundle written with
    /// large batches still imports, yet small enough that a hostile frame costs a low-end
    /// tablet at most a few tens of megabytes.
    fn default() -> Self {
        Limits {
            // 8 MiB: reached only by poorly compressible payloads; typical Automerge changes
            // compress five- to sixfold, so a full payload makes a frame of about 6 MiB.
            max_frame_bytes: 8 << 20,
            // 32 MiB: the most one frame makes a decoder allocate.
            max_payload_bytes: 32 << 20,
            // Room for a full payload of changes averaging 160 bytes; caps per-entry work.
            max_entries: 200_000,
            // 1 MiB: far above any form edit; stops one entry from taking the whole payload.
            max_change_bytes: 1 << 20,
        }
    }
}
