//! Syncing through trouble: a link that cuts connections, stalls and delivers requests twice,
//! a link that drops every second, and a server or a device killed with SIGKILL mid-sync.
//! Every sync must end (exit 0), and afterwards every device and the server hold each
//! response exactly once.

use std::collections::BTreeSet;
use std::time::Duration;

use simpul_e2e::answers::{Answers, FILLED, csv, random_sheets, random_value};
use simpul_e2e::fleet::{
    assert_nothing_lost_or_doubled, capture_interview, imported_ids, sync_together,
};
use simpul_e2e::harness::COMMAND_DEADLINE;
use simpul_e2e::snapshot::text;
use simpul_e2e::{Device, LinkProfile, Proxy, Rng, Server};

/// Failures in a row a sync may meet before giving up: generous, the link is bad on purpose.
const PATIENCE: &str = "100";

/// Sheets to be typed on two devices: the first typing, and the second with one or two cells
/// read differently.
fn double_entries(rng: &mut Rng, prefix: &str, count: usize) -> Vec<(String, Answers, Answers)> {
    random_sheets(rng, prefix, count)
        .into_iter()
        .map(|(serial, first)| {
            let mut second = first.clone();
            for _ in 0..rng.between(1, 2) {
                let item = *rng.pick(&FILLED);
                second.insert(item.to_string(), random_value(rng, item));
            }
            (serial, first, second)
        })
        .collect()
}

#[test]
fn devices_syncing_over_a_link_that_cuts_stalls_and_replays_converge_with_nothing_lost_or_doubled()
{
    let mut rng = Rng::new(21);
    let server = Server::start();
    let proxy = Proxy::start(server.addr(), LinkProfile::clean(), 21).unwrap();
    let devices: Vec<Device> = (0..3)
        .map(|i| Device::enrolled(&format!("tablet-{i}"), &server, &proxy.url()))
        .collect();
    // Offline, each tablet types its own stack, the first typing of ten sheets the next
    // tablet types again, and the second typing of the previous tablet's ten.
    let shared: Vec<_> = (0..3)
        .map(|i| double_entries(&mut rng, &format!("S{i}"), 10))
        .collect();
    let mut expected = BTreeSet::new();
    for (i, device) in devices.iter().enumerate() {
        let mut stack = random_sheets(&mut rng, &format!("D{i}"), 400);
        stack.extend(
            shared[i]
                .iter()
                .map(|(s, first, _)| (s.clone(), first.clone())),
        );
        let previous = &shared[(i + 2) % 3];
        stack.extend(
            previous
                .iter()
                .map(|(s, _, second)| (s.clone(), second.clone())),
        );
        expected.extend(imported_ids(&device.import_csv("stack.csv", &csv(&stack))));
        for _ in 0..4 {
            expected.insert(capture_interview(device, &mut rng));
        }
    }
    let typed_differently: BTreeSet<(String, String)> = shared
        .iter()
        .flatten()
        .flat_map(|(serial, first, second)| {
            FILLED
                .iter()
                .filter(|item| first[**item] != second[**item])
                .map(|item| (serial.clone(), item.to_string()))
        })
        .collect();

    proxy.set_profile(LinkProfile {
        latency: Duration::from_millis(2),
        stall_probability: 0.05,
        stall: Duration::from_millis(300),
        cut_probability: 0.05,
        replay_probability: 0.3,
        ..LinkProfile::clean()
    });
    let all: Vec<&Device> = devices.iter().collect();
    // The first round pushes everything to the server, the second pulls it everywhere.
    sync_together(&all, PATIENCE);
    sync_together(&all, PATIENCE);

    let stats = proxy.stats();
    println!("faulty link: {stats:?}");
    assert!(
        stats.cuts > 0 && stats.stalls > 0 && stats.replays > 0,
        "{stats:?}"
    );
    let snapshot = assert_nothing_lost_or_doubled(&server, &all, &expected);
    let conflicts: BTreeSet<(String, String)> = snapshot
        .conflicts
        .as_array()
        .expect("conflicts")
        .iter()
        .map(|c| (text(&c["serial"]), text(&c["field"])))
        .collect();
    assert_eq!(conflicts, typed_differently);
}

#[test]
fn a_link_that_drops_every_second_still_carries_a_large_sync_to_the_end() {
    let mut rng = Rng::new(22);
    let server = Server::start();
    let proxy = Proxy::start(server.addr(), LinkProfile::clean(), 22).unwrap();
    let a = Device::enrolled("tablet-a", &server, &proxy.url());
    let b = Device::enrolled("tablet-b", &server, &proxy.url());
    let imported = a.import_csv("stack.csv", &csv(&random_sheets(&mut rng, "K", 1000)));
    let expected: BTreeSet<String> = imported_ids(&imported).into_iter().collect();

    proxy.set_profile(LinkProfile {
        bytes_per_sec: Some(32 * 1024),
        latency: Duration::from_millis(20),
        cut_every: Some(Duration::from_secs(1)),
        ..LinkProfile::clean()
    });
    a.sync(100).ok();
    b.sync(100).ok();

    let stats = proxy.stats();
    println!("link cut every second: {stats:?}");
    assert!(stats.cuts >= 2, "{stats:?}");
    assert_nothing_lost_or_doubled(&server, &[&a, &b], &expected);
}

#[test]
fn a_server_killed_mid_sync_and_restarted_on_its_data_loses_nothing_and_doubles_nothing() {
    let seed = 23;
    let mut rng = Rng::new(seed);
    let mut server = Server::start();
    // A slow link keeps the sync going long enough to be interrupted; it also holds each
    // answer back a while, so a kill can fall after a batch is stored but before the device
    // hears so.
    let proxy = Proxy::start(
        server.addr(),
        LinkProfile {
            bytes_per_sec: Some(64 * 1024),
            latency: Duration::from_millis(50),
            ..LinkProfile::clean()
        },
        seed,
    )
    .unwrap();
    let a = Device::enrolled("tablet-a", &server, &proxy.url());
    let b = Device::enrolled("tablet-b", &server, &server.url());
    let imported = a.import_csv("stack.csv", &csv(&random_sheets(&mut rng, "K", 3000)));
    let expected: BTreeSet<String> = imported_ids(&imported).into_iter().collect();

    let mut sync = a.spawn(&["sync", "--max-failures", PATIENCE, "--format", "json"]);
    let mut killed_mid_sync = 0;
    for _ in 0..2 {
        std::thread::sleep(Duration::from_millis(rng.between(200, 1200)));
        killed_mid_sync += u32::from(sync.is_running());
        server.kill();
        std::thread::sleep(Duration::from_millis(rng.between(100, 500)));
        server.restart();
    }
    // The interrupted sync retries until the server is back, and finishes.
    let interrupted = sync.finish(COMMAND_DEADLINE).ok();
    a.sync_ok();
    b.sync_ok();

    println!(
        "{killed_mid_sync} of 2 kills mid-sync; the interrupted sync: {}",
        interrupted.stderr.lines().last().unwrap_or_default()
    );
    assert!(killed_mid_sync >= 1, "the sync ended before any kill");
    assert!(
        interrupted.stderr.contains("mencoba lagi"),
        "the kill went unnoticed: {interrupted}"
    );
    assert_nothing_lost_or_doubled(&server, &[&a, &b], &expected);
}

#[test]
fn a_device_killed_mid_sync_picks_up_where_it_stopped_and_doubles_nothing() {
    let mut rng = Rng::new(24);
    let server = Server::start();
    // Slow enough that 2000 responses take seconds to push.
    let proxy = Proxy::start(
        server.addr(),
        LinkProfile {
            bytes_per_sec: Some(40 * 1024),
            latency: Duration::from_millis(50),
            ..LinkProfile::clean()
        },
        24,
    )
    .unwrap();
    let a = Device::enrolled("tablet-a", &server, &proxy.url());
    let b = Device::enrolled("tablet-b", &server, &server.url());
    let imported = a.import_csv("stack.csv", &csv(&random_sheets(&mut rng, "K", 2000)));
    let expected: BTreeSet<String> = imported_ids(&imported).into_iter().collect();

    // The tablet's battery dies twice mid-sync (SIGKILL): each time soon after a batch went
    // through (a progress line), and long before the last.
    for _ in 0..2 {
        let mut sync = a.spawn(&["sync", "--format", "json"]);
        let progress = sync.next_line(Duration::from_secs(60));
        assert!(progress.is_some(), "no round went through");
        std::thread::sleep(Duration::from_millis(rng.below(300)));
        assert!(sync.is_running(), "the sync ended before the kill");
        sync.kill();
    }
    let resumed = a.sync_ok();
    b.sync_ok();

    let pushed = resumed["progress"]["pushed"].as_u64().unwrap();
    assert!(
        pushed < 2000,
        "acknowledged changes were sent again: {resumed}"
    );
    assert_nothing_lost_or_doubled(&server, &[&a, &b], &expected);
}
