//! Building and running the server: [`Application::build`] opens the storage and binds the
//! port (port 0 picks a free one, which tests use), [`router`] wires the routes, and
//! [`Application::run_until_stopped`] serves until SIGTERM or Ctrl-C, letting requests in
//! flight finish. How each connection is limited is in [`connections`](crate::connections).

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, Request, Response};
use axum::routing::{get, post};
use axum::{Router, middleware};
use simpul_protocol::http::{ENROL_PATH, HEALTH_PATH, SYNC_PATH};
use tokio::net::TcpListener;
use tokio::sync::{Notify, Semaphore};
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;
use tracing::Span;
use tracing::field::Empty;

use crate::answer_writer::AnswerWriter;
use crate::config::Config;
use crate::connections::{self, Limits};
use crate::routes::{
    api, enrol, links, meta, official, qr, review, saran, summary, survey, sync, web,
};
use crate::state::{self, AppState};
use crate::storage::Storage;
use crate::{Error, Result, materialise, metrics};

pub struct Application {
    listener: TcpListener,
    local_addr: SocketAddr,
    router: Router,
    storage: Arc<dyn Storage>,
    materialiser: Arc<Notify>,
    limits: Limits,
}

impl Application {
    /// Opens (and migrates) `config.database` and binds `config.listen`.
    pub async fn build(config: Config) -> Result<Application> {
        let database = config.database.clone();
        let storage = tokio::task::spawn_blocking(move || database.open()).await??;
        Application::with_storage(config, storage).await
    }

    /// Serves any [`Storage`]; `config.database` is not used.
    pub async fn with_storage(config: Config, storage: Arc<dyn Storage>) -> Result<Application> {
        let listener = TcpListener::bind(config.listen)
            .await
            .map_err(|source| Error::Bind {
                addr: config.listen,
                source,
            })?;
        let local_addr = listener.local_addr().map_err(|source| Error::Bind {
            addr: config.listen,
            source,
        })?;
        let materialiser = Arc::new(Notify::new());
        let log_id = {
            let storage = Arc::clone(&storage);
            tokio::task::spawn_blocking(move || storage.log_id()).await??
        };
        let state = AppState {
            storage: Arc::clone(&storage),
            body_limit: config.body_limit,
            min_free_space: config.min_free_space,
            decoding: Arc::new(Semaphore::new(state::decoding_permits())),
            materialiser: Arc::clone(&materialiser),
            metrics: Arc::default(),
            web_answers_per_hour: config.web_answers_per_hour,
            answers: AnswerWriter::start(Arc::clone(&storage), Arc::clone(&materialiser)),
            log_id: HeaderValue::from_str(&log_id).map_err(|_| Error::InvalidValue {
                what: "change log id",
                value: log_id.clone(),
                reason: "the database holds an id that cannot travel in a header",
            })?,
        };
        Ok(Application {
            listener,
            local_addr,
            router: router(state),
            storage,
            materialiser,
            limits: Limits {
                header_timeout: config.header_timeout,
                body_timeout: config.body_timeout,
                max_connections: config.max_connections,
            },
        })
    }

    /// The port actually bound, which differs from the configured one when that was 0.
    pub fn port(&self) -> u16 {
        self.local_addr.port()
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    pub fn storage(&self) -> Arc<dyn Storage> {
        Arc::clone(&self.storage)
    }

    /// Serves until SIGTERM or Ctrl-C, then stops accepting connections and returns once the
    /// requests in flight are answered.
    pub async fn run_until_stopped(self) -> Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `stop` completes, then shuts down as [`run_until_stopped`] does.
    ///
    /// [`run_until_stopped`]: Application::run_until_stopped
    pub async fn run_until(self, stop: impl Future<Output = ()> + Send + 'static) -> Result<()> {
        tracing::info!(
            address = %self.local_addr,
            max_connections = self.limits.max_connections,
            "serving"
        );
        let follower = tokio::spawn(materialise::follow(
            Arc::clone(&self.storage),
            Arc::clone(&self.materialiser),
        ));
        connections::serve(self.listener, self.router, self.limits, stop).await;
        follower.abort();
        tracing::info!("stopped");
        Ok(())
    }
}

/// Every route, the supervisors' web, the JSON answers for unknown addresses and methods, the body limit and one
/// log line per request.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(
            Router::new()
                .route("/", get(web::root))
                .route("/assets/{*path}", get(web::asset))
                .route("/f/sw.js", get(survey::worker))
                .route("/f/{token}", get(survey::page))
                .route("/f/{token}/berhenti", get(survey::opt_out))
                .route(
                    "/f/{token}/responses",
                    post(survey::answer).layer(DefaultBodyLimit::max(survey::SURVEY_BODY_LIMIT)),
                )
                .merge(api_router())
                .layer(CompressionLayer::new()),
        )
        .route(HEALTH_PATH, get(meta::health))
        .route(ENROL_PATH, post(enrol::enrol))
        .route(SYNC_PATH, post(sync::sync))
        .route("/metrics", get(metrics::scrape))
        .fallback(web::fallback)
        .method_not_allowed_fallback(meta::method_not_allowed)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            metrics::count_requests,
        ))
        .layer(DefaultBodyLimit::max(state.body_limit))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_request(())
                .on_response(log_response)
                .on_failure(()),
        )
        .with_state(state)
}

/// `/api/v1`, for signed-in people, behind the cross-site check.
fn api_router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/session",
            post(api::sign_in).get(api::me).delete(api::sign_out),
        )
        .route("/api/v1/session/password", post(api::change_password))
        .route("/api/v1/units", get(api::units))
        .route("/api/v1/qr.svg", get(qr::qr_svg))
        .route("/api/v1/overview", get(api::overview))
        .route("/api/v1/units/{code}/public", post(api::set_public))
        .route(
            "/api/v1/units/{code}/links",
            get(links::list).post(links::create),
        )
        .route("/api/v1/links/{token}/close", post(links::close))
        .route("/api/v1/units/{code}/invitations", get(links::invitations))
        .route("/api/v1/links/{token}/poster.pdf", get(links::poster))
        .route(
            "/api/v1/units/{code}/paper-forms.pdf",
            get(links::paper_forms),
        )
        .route("/api/v1/units/{code}/devices", get(api::unit_devices))
        .route(
            "/api/v1/units/{code}/enrolment-code",
            post(api::enrolment_code),
        )
        .route("/api/v1/units/{code}/settings", post(api::unit_settings))
        .route("/api/v1/instansi/{name}/period", post(api::instansi_period))
        .route("/api/v1/devices/{id}/revoke", post(api::revoke_device))
        .route("/api/v1/public/{code}", get(api::public_results))
        .route("/api/v1/units/{code}/report", get(api::unit_report))
        .route("/api/v1/units/{code}/summary", get(summary::unit_summary))
        .route("/api/v1/units/{code}/saran", get(saran::list))
        .route("/api/v1/units/{code}/saran/{response}", post(saran::mark))
        .route("/api/v1/units/{code}/report.xlsx", get(api::unit_workbook))
        .route("/api/v1/units/{code}/report.pdf", get(official::unit_pdf))
        .route(
            "/api/v1/units/{code}/plan",
            get(official::get_plan).put(official::put_plan),
        )
        .route(
            "/api/v1/units/{code}/narrative",
            get(official::get_narrative).put(official::put_narrative),
        )
        .route("/api/v1/units/{code}/conflicts", get(api::unit_conflicts))
        .route(
            "/api/v1/units/{code}/responses.csv",
            get(review::unit_responses_csv),
        )
        .route(
            "/api/v1/units/{code}/responses.xlsx",
            get(review::unit_responses_xlsx),
        )
        .route(
            "/api/v1/units/{code}/responses",
            get(review::unit_responses),
        )
        .route(
            "/api/v1/units/{code}/responses/review",
            post(api::review_many),
        )
        .route("/api/v1/responses/{id}", get(review::response))
        .route("/api/v1/responses/{id}/history", get(api::response_history))
        .route("/api/v1/responses/{id}/review", post(api::review))
        .route("/api/v1/responses/{id}/resolve", post(api::resolve))
        .route("/api/v1/responses/{id}/deleted", post(api::set_deleted))
        .route_layer(middleware::from_fn(api::same_site_only))
}

/// The span every log line of a request carries; handlers fill in the empty fields.
fn request_span<B>(request: &Request<B>) -> Span {
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = %request.uri().path(),
        device = Empty,
        person = Empty,
        stored = Empty,
        pulled = Empty,
        cursor = Empty,
        error = Empty,
    )
}

/// The one line per request, with the status and, through the span, who asked and what moved.
fn log_response<B>(response: &Response<B>, latency: Duration, _: &Span) {
    let status = response.status().as_u16();
    let latency_us = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
    tracing::info!(status, latency_us, "answered");
}

/// Completes on SIGTERM (how service managers stop a server) or Ctrl-C.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::warn!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                terminate.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutting down: finishing the requests in flight");
}
