//! Several replicas exchanging bundles: double data entry, concurrent edits, messy delivery,
//! and the property that ties them together — every replica ends with the same data.

mod conflicts; // Double entry, concurrent edits, resolve and delete across two laptops, narrated.
mod convergence; // Random offline histories delivered in random order converge exactly.
mod delivery; // Out-of-order, repeated, truncated and forged bundles.
mod filters; // Lists and reports by enumerator and by day, and the upgrade that learns who.
mod support; // Replicas in temporary folders, SKM answers, exchange until quiet, whole views.
