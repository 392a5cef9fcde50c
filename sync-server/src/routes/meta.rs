//! What a person or a monitoring script asks first: what is this, is it up. And the answers
//! for addresses and methods that lead nowhere.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use simpul_protocol::http::{ENROL_PATH, PROTOCOL_VERSION, SYNC_PATH};

use crate::error::AppError;
use crate::state::AppState;

#[derive(Debug, Serialize)]
pub struct About {
    pub name: &'static str,
    pub version: &'static str,
    pub protocol: u32,
    pub description: &'static str,
    pub endpoints: [&'static str; 2],
}

/// `GET /`: enough to tell that this is a Simpul sync server, and which protocol it speaks.
pub async fn about() -> Json<About> {
    Json(About {
        name: "simpul-server",
        version: env!("CARGO_PKG_VERSION"),
        protocol: PROTOCOL_VERSION,
        description: "Simpul sync server: devices enrol, then push and pull survey changes",
        endpoints: [ENROL_PATH, SYNC_PATH],
    })
}

#[derive(Debug, Serialize)]
pub struct Health {
    pub status: &'static str,
    /// Bytes free in the data directory, when the storage can tell.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub free_bytes: Option<u64>,
}

/// `GET /health`: `200 {"status":"ok","free_bytes":…}` once the database has answered a
/// query and taken a write; `503` when it cannot, or when less than the configured minimum
/// of free space is left — a server whose pushes will fail is not healthy, however well it
/// still reads.
pub async fn health(State(state): State<AppState>) -> Result<Json<Health>, AppError> {
    let checked = state
        .with_storage(|storage| {
            storage.health()?;
            storage.free_space()
        })
        .await;
    match checked {
        Ok(Some(free)) if free < state.min_free_space => Err(AppError::LowDiskSpace {
            free,
            needed: state.min_free_space,
        }),
        Ok(free_bytes) => Ok(Json(Health {
            status: "ok",
            free_bytes,
        })),
        Err(AppError::Internal(error)) => Err(AppError::Unavailable(error)),
        Err(other) => Err(other),
    }
}

pub async fn not_found() -> AppError {
    AppError::NotFound
}

pub async fn method_not_allowed() -> AppError {
    AppError::MethodNotAllowed
}
