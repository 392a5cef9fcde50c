//! Bytes on the wire: one device syncs its new responses through a clean proxy that counts
//! every byte both ways (HTTP heads included), and the same responses go to an OpenRosa
//! endpoint through a second clean proxy, as ODK Collect would send them.

use std::path::Path;
use std::time::Duration;

use anyhow::{Result, ensure};
use simpul_e2e::{LinkProfile, Proxy, ProxyStats, Server};

use crate::fill::Response;
use crate::openrosa::{self, Endpoint, Sent};
use crate::server_log::{self, Requests};
use crate::tablet::Tablet;

/// A sync on loopback of a week's responses takes seconds; give it ample room.
const SYNC_DEADLINE: Duration = Duration::from_secs(600);

pub struct Wire {
    pub responses: u64,
    pub simpul: ProxyStats,
    /// Rounds as the device counted them.
    pub rounds: u64,
    /// Sync requests as the server logged them.
    pub server: Requests,
    pub took: Duration,
    pub openrosa: ProxyStats,
    pub openrosa_sent: Sent,
    pub openrosa_took: Duration,
}

pub fn run(template: &Tablet, responses: &[Response], dir: &Path) -> Result<Wire> {
    let n = responses.len() as u64;
    let server = Server::start();
    let proxy = Proxy::start(server.addr(), LinkProfile::clean(), 1)?;
    let tablet = Tablet::copy_of(template, dir)?;
    tablet.enrol(&proxy.url(), &server.enrolment_code())?;
    let held = server.change_count();
    let before = proxy.stats();
    let logged_before = server_log::sync_requests(&server.log());

    let synced = tablet.start_sync()?.finish_ok(SYNC_DEADLINE)?;
    let progress = synced.json()?["progress"].clone();
    let after = quiet(&proxy);
    ensure!(
        server.change_count() == held + n,
        "the server holds every response"
    );
    ensure!(tablet.pending()? == 0, "nothing left to upload");
    let server_requests = server_log::sync_requests(&server.log()).since(&logged_before);
    let simpul = difference(&after, &before);

    let endpoint = Endpoint::start()?;
    let counted = Proxy::start(endpoint.addr(), LinkProfile::clean(), 2)?;
    let started = std::time::Instant::now();
    let sent = openrosa::submit_all(responses, counted.addr(), 3)?;
    let openrosa_took = started.elapsed();
    let openrosa_stats = quiet(&counted);
    ensure!(
        endpoint.seen() == (n, n),
        "the endpoint saw every HEAD and every submission: {:?}",
        endpoint.seen()
    );
    ensure!(
        (openrosa_stats.bytes_up, openrosa_stats.bytes_down) == (sent.up(), sent.down()),
        "the proxy counted what the client sent and read: {openrosa_stats:?} vs {sent:?}"
    );

    Ok(Wire {
        responses: n,
        simpul,
        rounds: progress["requests"].as_u64().unwrap_or(0)
            + progress["failures"].as_u64().unwrap_or(0),
        server: server_requests,
        took: synced.took,
        openrosa: openrosa_stats,
        openrosa_sent: sent,
        openrosa_took,
    })
}

/// What went through a proxy between two readings of its counters.
pub fn difference(after: &ProxyStats, before: &ProxyStats) -> ProxyStats {
    ProxyStats {
        bytes_up: after.bytes_up - before.bytes_up,
        bytes_down: after.bytes_down - before.bytes_down,
        connections: after.connections - before.connections,
        cuts: after.cuts - before.cuts,
        stalls: after.stalls - before.stalls,
        replays: after.replays - before.replays,
    }
}

/// The proxy's counters once they stop moving: it counts a byte after passing it on, which
/// can trail the process that read it by a moment.
pub fn quiet(proxy: &Proxy) -> ProxyStats {
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    let mut last = proxy.stats();
    loop {
        std::thread::sleep(Duration::from_millis(100));
        let now = proxy.stats();
        if now == last || std::time::Instant::now() > deadline {
            return now;
        }
        last = now;
    }
}
