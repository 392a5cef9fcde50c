//! A week of a district office through its relay: six tablets of three units put 3 000
//! responses on the relay while the upstream cannot be reached, then the link comes up —
//! 4 KB/s with 300 ms round trips, the emulated rural link — and the relay carries the week
//! up in one session. Wall time from the relay's first attempt after the link came up
//! until the upstream holds every response (target: under 2 minutes), and bytes on the
//! link per response, both ways, HTTP heads included.
//!
//! Run:
//!
//!     cargo build --release --workspace --bins
//!     SIMPUL_BIN_DIR=$PWD/target/release cargo bench --workspace --bench relay
//!
//! `SIMPUL_BENCH_QUICK=1` (or `--quick`) carries 120 responses over a faster link to prove
//! the bench still runs; its numbers are not results. Prints a markdown table.

use std::time::{Duration, Instant};

use simpul_e2e::answers::{csv, random_sheets};
use simpul_e2e::fleet::Office;
use simpul_e2e::{Device, LinkProfile, Rng, UNIT};

const UNITS: [&str; 3] = [UNIT, "U-DINKES", "U-DPMPTSP"];
const TABLETS_PER_UNIT: usize = 2;
/// How long the upstream may take before the bench gives up.
const DEADLINE: Duration = Duration::from_secs(20 * 60);

fn main() {
    let quick = std::env::var_os("SIMPUL_BENCH_QUICK").is_some()
        || std::env::args().any(|a| a == "--quick");
    let (responses, link) = if quick {
        (
            120,
            LinkProfile {
                bytes_per_sec: Some(64 * 1024),
                latency: Duration::from_millis(20),
                ..LinkProfile::clean()
            },
        )
    } else {
        (
            3_000,
            LinkProfile {
                bytes_per_sec: Some(4 * 1024),
                // Each way: 300 ms round trips.
                latency: Duration::from_millis(150),
                ..LinkProfile::clean()
            },
        )
    };
    let tablets = UNITS.len() * TABLETS_PER_UNIT;
    let per_tablet = responses / tablets;

    let Office {
        upstream,
        link: proxy,
        relay,
    } = Office::set_up(&UNITS, 71);
    let changes_before = upstream.change_count();

    // The week, with the upstream out of reach.
    proxy.set_profile(LinkProfile {
        cut_probability: 1.0,
        ..LinkProfile::clean()
    });
    let mut rng = Rng::new(71);
    let devices: Vec<Device> = (0..tablets)
        .map(|i| {
            let unit = UNITS[i % UNITS.len()];
            let tablet = Device::in_unit(unit, &format!("tablet-{i}"));
            tablet
                .enrol(&relay.url(), &relay.enrolment_code_for(unit))
                .ok();
            let stack = random_sheets(&mut rng, &format!("T{i}-"), per_tablet);
            tablet.import_csv("week.csv", &csv(&stack));
            tablet.sync_ok();
            tablet
        })
        .collect();
    let carried = (tablets * per_tablet) as u64;
    eprintln!("{carried} responses on the relay; the link comes up…");

    proxy.set_profile(link.clone());
    let before = proxy.stats();
    let up = Instant::now();
    // The relay tries again on its own schedule, which grew while the upstream was silent
    // (up to ten times `--forward-every`): the wall time runs from its first attempt.
    while proxy.stats().connections == before.connections {
        assert!(
            up.elapsed() < DEADLINE,
            "the relay never tried the upstream"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let waited = up.elapsed();
    let started = Instant::now();
    while upstream.change_count() < changes_before + carried {
        assert!(
            started.elapsed() < DEADLINE,
            "the upstream holds {} of {carried} after {DEADLINE:?}:\n{}",
            upstream.change_count() - changes_before,
            relay.log()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let took = started.elapsed();
    let after = proxy.stats();
    let bytes = (after.bytes_up - before.bytes_up) + (after.bytes_down - before.bytes_down);
    assert_eq!(
        upstream.change_count(),
        changes_before + carried,
        "each response once upstream"
    );
    drop(devices);

    println!(
        "## A week of {tablets} tablets through a relay: {carried} responses over {} B/s, {} ms \
         each way\n",
        link.bytes_per_sec.unwrap_or(0),
        link.latency.as_millis()
    );
    println!(
        "The relay's first attempt came {:.1} s after the link did.\n",
        waited.as_secs_f64()
    );
    // The baseline: those bytes at the link's rate, with no round trip or processing at all.
    let at_link_rate = bytes as f64 / link.bytes_per_sec.unwrap_or(u64::MAX) as f64;
    println!(
        "| wall time | target | the same bytes at link rate alone | bytes on the link | per \
         response | connections |"
    );
    println!("|---|---|---|---|---|---|");
    println!(
        "| {:.1} s | under 120 s | {at_link_rate:.1} s (×{:.2}) | {bytes} | {:.1} | {} |",
        took.as_secs_f64(),
        took.as_secs_f64() / at_link_rate,
        bytes as f64 / carried as f64,
        after.connections - before.connections
    );
}
