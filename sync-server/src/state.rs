//! What every handler shares: the storage, the request limits, and the decoding permits.

use std::sync::Arc;

use axum::http::HeaderValue;
use simpul_protocol::Limits;
use tokio::sync::{Notify, Semaphore};

use crate::answer_writer::AnswerWriter;
use crate::error::AppError;
use crate::metrics::Metrics;
use crate::storage::Storage;

#[derive(Clone)]
pub struct AppState {
    pub storage: Arc<dyn Storage>,
    /// Bytes of request body accepted, at most.
    pub body_limit: usize,
    /// Bytes of free space under which `/health` answers `503`.
    pub min_free_space: u64,
    /// Permits to decode a pushed batch; see [`decoding_permits`].
    pub decoding: Arc<Semaphore>,
    /// Wakes the materialiser ([`crate::materialise::follow`]) when a push stored changes.
    pub materialiser: Arc<Notify>,
    /// What `/metrics` reports.
    pub metrics: Arc<Metrics>,
    /// Answer sets one address may send through one survey link in an hour.
    pub web_answers_per_hour: u32,
    /// Stores web answer sets, several to a transaction when they arrive together.
    pub answers: AnswerWriter,
    /// The change log's identity, sent with every sync answer ([`Storage::log_id`]).
    pub log_id: HeaderValue,
}

/// Memory the server may spend decoding pushed batches at once.
pub const DECODING_BUDGET: usize = 256 << 20;

/// Batches decoded at once. A 1 KB frame may unpack to a full payload (32 MiB), and decoding
/// holds it beside the entries copied out of it: twice the payload limit per batch. However
/// many such frames arrive together, the others wait for a permit, so memory stays within
/// [`DECODING_BUDGET`] instead of growing with every request in flight.
pub fn decoding_permits() -> usize {
    (DECODING_BUDGET / (2 * Limits::default().max_payload_bytes)).max(1)
}

impl AppState {
    /// Runs a storage call on the blocking thread pool: SQLite waits on locks and `fsync`,
    /// which must not stall the threads that serve other connections.
    pub async fn with_storage<T, F>(&self, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&dyn Storage) -> crate::Result<T> + Send + 'static,
    {
        let storage = Arc::clone(&self.storage);
        let result = tokio::task::spawn_blocking(move || f(storage.as_ref()))
            .await
            .map_err(crate::Error::from)?;
        Ok(result?)
    }
}
