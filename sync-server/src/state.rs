//! What every handler shares: the storage, the request limits and the enrolment throttle.

use std::sync::Arc;

use crate::error::AppError;
use crate::storage::Storage;
use crate::throttle::Throttle;

#[derive(Clone)]
pub struct AppState {
    pub storage: Arc<dyn Storage>,
    /// Bytes of request body accepted, at most.
    pub body_limit: usize,
    /// Bytes of free space under which `/health` answers `503`.
    pub min_free_space: u64,
    /// Failed enrolments per client address.
    pub enrol_throttle: Arc<Throttle>,
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
