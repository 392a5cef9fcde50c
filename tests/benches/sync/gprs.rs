//! The same responses through an emulated GPRS link: a throttling proxy between the device
//! and the server, once as it is and once cut every so many seconds. Wall time from the
//! start of `simpul sync` until it reports done; then the server must hold every response
//! and the device must have nothing left to upload.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Result, ensure};
use simpul_e2e::{LinkProfile, Proxy, ProxyStats, Server};

use crate::tablet::Tablet;
use crate::wire::{difference, quiet};

/// `simpul sync` stops after this many failures in a row and a new one resumes; a link that
/// needs more than this many is reported as failing the benchmark.
const MAX_INVOCATIONS: usize = 5;

pub struct LinkRun {
    pub took: Duration,
    pub stats: ProxyStats,
    pub rounds: u64,
    pub failures: u64,
    pub invocations: usize,
}

/// Syncs a copy of `template` (holding `n` new responses) through a proxy with `profile`.
pub fn run(
    template: &Tablet,
    n: u64,
    profile: LinkProfile,
    deadline: Duration,
    dir: &Path,
) -> Result<LinkRun> {
    let server = Server::start();
    let proxy = Proxy::start(server.addr(), LinkProfile::clean(), 11)?;
    let tablet = Tablet::copy_of(template, dir)?;
    tablet.enrol(&proxy.url(), &server.enrolment_code())?;
    let held = server.change_count();
    proxy.set_profile(profile);
    let before = proxy.stats();

    let started = Instant::now();
    let (mut rounds, mut failures, mut invocations) = (0, 0, 0);
    loop {
        invocations += 1;
        let left = deadline.saturating_sub(started.elapsed());
        let finished = tablet.start_sync()?.finish(left)?;
        if finished.status.success() {
            let progress = &finished.json()?["progress"];
            rounds += progress["requests"].as_u64().unwrap_or(0);
            failures += progress["failures"].as_u64().unwrap_or(0);
            break;
        }
        // A sync that gave up printed no summary: count its rounds from its progress lines,
        // one per round, a failed one naming why it retries.
        for line in finished.stderr.lines().filter(|l| l.contains('↑')) {
            if line.contains("mencoba lagi") || line.contains("retrying") {
                failures += 1;
            } else {
                rounds += 1;
            }
        }
        ensure!(
            invocations < MAX_INVOCATIONS,
            "sync did not complete in {MAX_INVOCATIONS} runs:\n{}",
            finished.stderr
        );
    }
    let took = started.elapsed();
    let after = quiet(&proxy);

    ensure!(
        server.change_count() == held + n,
        "the server holds every response: {} of {}",
        server.change_count() - held,
        n
    );
    ensure!(tablet.pending()? == 0, "nothing left to upload");
    Ok(LinkRun {
        took,
        stats: difference(&after, &before),
        rounds,
        failures,
        invocations,
    })
}
