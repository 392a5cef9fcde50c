//! The numbers an operator watches, at `GET /metrics` in the Prometheus text format:
//! requests by route and status, changes pushed and pulled, bytes in and out of the sync
//! endpoint, and how far the materialised tables are behind the change log.
//!
//! Counters live in this process: with several server processes, the monitoring sums them.
//! The lag and the number of stored changes are read from the database at each scrape, so
//! every process reports the same.

use axum::extract::{MatchedPath, Request, State};
use axum::http::HeaderValue;
use axum::http::header::CONTENT_TYPE;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use crate::error::AppError;
use crate::state::AppState;

/// The path a request matched (`/api/v1/units/{code}/report`, not the unit it named, so the
/// number of series stays small), or `unmatched`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub route: String,
    pub status: u16,
}

pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    pub changes_pushed: Counter,
    pub changes_pulled: Counter,
    pub sync_bytes_received: Counter,
    pub sync_bytes_sent: Counter,
    changes_stored: Gauge,
    materialiser_lag: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("simpul");
        let metrics = Metrics {
            requests: Family::default(),
            changes_pushed: Counter::default(),
            changes_pulled: Counter::default(),
            sync_bytes_received: Counter::default(),
            sync_bytes_sent: Counter::default(),
            changes_stored: Gauge::default(),
            materialiser_lag: Gauge::default(),
            registry: Registry::default(),
        };
        registry.register(
            "http_requests",
            "Requests answered, by matched route and status",
            metrics.requests.clone(),
        );
        registry.register(
            "changes_pushed",
            "Changes devices pushed that were new to the server",
            metrics.changes_pushed.clone(),
        );
        registry.register(
            "changes_pulled",
            "Changes sent to devices",
            metrics.changes_pulled.clone(),
        );
        registry.register(
            "sync_received_bytes",
            "Bytes of sync request bodies",
            metrics.sync_bytes_received.clone(),
        );
        registry.register(
            "sync_sent_bytes",
            "Bytes of sync response bodies",
            metrics.sync_bytes_sent.clone(),
        );
        registry.register(
            "changes_stored",
            "Changes the server holds, all units",
            metrics.changes_stored.clone(),
        );
        registry.register(
            "materialiser_lag_changes",
            "Stored changes not yet in the materialised tables that reports read",
            metrics.materialiser_lag.clone(),
        );
        Metrics {
            registry,
            ..metrics
        }
    }

    fn count_request(&self, route: &str, status: u16) {
        self.requests
            .get_or_create(&RequestLabels {
                route: route.to_string(),
                status,
            })
            .inc();
    }
}

/// Counts every request by the route it matched and the status it got.
pub async fn count_requests(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |path| path.as_str().to_string());
    let response = next.run(request).await;
    state
        .metrics
        .count_request(&route, response.status().as_u16());
    response
}

/// `GET /metrics`.
pub async fn scrape(State(state): State<AppState>) -> Result<Response, AppError> {
    let (freshness, stored) = state
        .with_storage(|storage| Ok((storage.freshness()?, storage.change_count()?)))
        .await?;
    let metrics = &state.metrics;
    metrics.changes_stored.set(gauge(stored));
    metrics.materialiser_lag.set(gauge(freshness.behind()));
    let mut text = String::new();
    encode(&mut text, &metrics.registry).map_err(|_| AppError::Internal(crate::Error::Metrics))?;
    let content_type =
        HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8");
    Ok(([(CONTENT_TYPE, content_type)], text).into_response())
}

fn gauge(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}
