//! Syncing with `simpul-server`: a sans-IO [`engine`] and the replica's side of each round.

pub mod engine;
