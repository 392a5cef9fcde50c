//! The accept loop: every connection is held to account, so that idle or stalled clients
//! cannot use up the file descriptors the server needs to answer everyone else.
//!
//! - At most [`Limits::max_connections`] connections are served at once. The loop stops
//!   accepting while all are taken; further clients wait in the kernel's listen queue (or
//!   time out there) instead of `accept` failing for every client once the process runs out
//!   of file descriptors.
//! - A request's header must arrive within [`Limits::header_timeout`] of the server starting
//!   to wait for it. Hyper's timer runs from the moment a connection is ready for its next
//!   request, so a silent new socket and an idle kept-alive one are closed alike.
//! - A request body may stall for at most [`Limits::body_timeout`] between two pieces; the
//!   request is then refused and, its body unread, the connection closed.
//! - The client's address reaches handlers as `ConnectInfo<SocketAddr>`.
//!
//! On shutdown the loop stops accepting, idle connections close at once and requests in
//! flight are answered first.

use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::Request;
use axum::http::request::Parts;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::Service;
use tower_http::timeout::TimeoutBody;

/// How long the loop rests after `accept` fails (out of file descriptors, most likely)
/// before trying again, rather than spinning on the error.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// What one connection may take.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub header_timeout: Duration,
    pub body_timeout: Duration,
    pub max_connections: usize,
}

/// Serves `router` on `listener` until `stop` completes, then waits for the requests in
/// flight.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    stop: impl Future<Output = ()> + Send + 'static,
) {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    tokio::pin!(stop);
    loop {
        let permit = tokio::select! {
            () = &mut stop => break,
            permit = Arc::clone(&permits).acquire_owned() => {
                permit.expect("the semaphore is never closed")
            }
        };
        let (stream, client) = tokio::select! {
            () = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    tracing::warn!(%error, "cannot accept a connection");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            },
        };
        let router = router.clone();
        let service = hyper::service::service_fn(move |request: Request<Incoming>| {
            let mut request =
                request.map(|body| Body::new(TimeoutBody::new(limits.body_timeout, body)));
            request.extensions_mut().insert(ConnectInfo(client));
            router.clone().call(request)
        });
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%client, %error, "connection closed");
            }
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

/// The address of the client asking, for handlers that log or throttle by it; `None` when
/// the router is called without a connection (`oneshot` tests).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddress(pub Option<SocketAddr>);

impl ClientAddress {
    pub fn from_parts(parts: &Parts) -> ClientAddress {
        let address = parts.extensions.get::<ConnectInfo<SocketAddr>>();
        ClientAddress(address.map(|ConnectInfo(address)| *address))
    }

    /// The address without its port: what throttling counts by, since a client opens each
    /// connection from a new port.
    pub fn ip(&self) -> Option<IpAddr> {
        self.0.map(|address| address.ip())
    }
}

impl fmt::Display for ClientAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(address) => address.fmt(f),
            None => f.write_str("unknown"),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(ClientAddress::from_parts(parts))
    }
}
