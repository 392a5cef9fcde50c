//! Several `simpul-server` processes on one PostgreSQL database, serving the same devices
//! behind a balancer that sends each connection to one of them at random — as a national
//! deployment runs them. Devices enrol through one node and push and pull through whichever
//! they are given; a node is killed in the middle of the traffic and started again. Every
//! device and the database end up holding each response once, and the server's reports,
//! worked out by whichever node's materialiser got there first, equal the devices'.

use std::collections::BTreeSet;
use std::time::Duration;

use simpul_e2e::answers::{csv, random_sheets};
use simpul_e2e::fleet::{
    assert_nothing_lost_or_doubled, capture_interview, finish_syncs, imported_ids, start_syncs,
    sync_together,
};
use simpul_e2e::{Device, LinkProfile, Proxy, Rng, Server, UNIT, assert_tables_equal};

const DEVICES: usize = 6;
/// Rounds of offline work, each followed by every device syncing at once.
const ROUNDS: usize = 4;
/// Failures in a row a sync may meet: a killed node cuts whatever it was serving.
const PATIENCE: &str = "50";

#[test]
fn devices_syncing_through_three_nodes_at_random_converge_though_a_node_is_killed_mid_run() {
    let mut rng = Rng::new(41);
    let first = Server::start_on_postgres();
    let mut others = [first.node(), first.node()];
    let addrs = [first.addr(), others[0].addr(), others[1].addr()];
    // A slow link keeps requests in flight long enough for the kill to cut some.
    let profile = LinkProfile {
        latency: Duration::from_millis(5),
        bytes_per_sec: Some(256 * 1024),
        ..LinkProfile::clean()
    };
    let balancer = Proxy::balance(&addrs, profile, 41).unwrap();
    let devices: Vec<Device> = (0..DEVICES)
        .map(|i| Device::enrolled(&format!("tablet-{i}"), &first, &balancer.url()))
        .collect();
    let all: Vec<&Device> = devices.iter().collect();
    // Every node reaches the database over TLS and checked its certificate on the way.
    let (connections, over_tls) = first.postgres().connections();
    assert!(
        connections >= 3 && over_tls == connections,
        "{over_tls} of {connections} connections over TLS (is SIMPUL_TEST_POSTGRES_CA set?)"
    );

    let mut expected = BTreeSet::new();
    let mut served_when_restarted = Vec::new();
    let mut failures_at_the_kill = 0;
    for round in 0..ROUNDS {
        for (i, device) in devices.iter().enumerate() {
            let stack = random_sheets(&mut rng, &format!("R{round}D{i}-"), 150);
            expected.extend(imported_ids(&device.import_csv("stack.csv", &csv(&stack))));
            expected.insert(capture_interview(device, &mut rng));
        }
        let syncs = start_syncs(&all, PATIENCE);
        match round {
            1 => {
                std::thread::sleep(Duration::from_millis(300));
                others[1].kill();
            }
            2 => {
                std::thread::sleep(Duration::from_millis(300));
                others[1].restart();
                served_when_restarted = balancer.served();
            }
            _ => {}
        }
        let synced = finish_syncs(syncs);
        if round == 1 {
            failures_at_the_kill = synced
                .iter()
                .map(|s| {
                    s["progress"]["failures"]
                        .as_u64()
                        .expect("a sync's failures")
                })
                .sum();
        }
    }
    // One more round brings everyone what the last round's others pushed.
    sync_together(&all, PATIENCE);

    let served = balancer.served();
    println!("connections per node: {served:?}; failed rounds at the kill: {failures_at_the_kill}");
    assert!(failures_at_the_kill > 0, "the kill cut no sync");
    assert!(served.iter().all(|n| *n > 0), "{served:?}");
    assert!(
        served[2] > served_when_restarted[2],
        "the restarted node took no connection: {served_when_restarted:?} then {served:?}"
    );
    assert_nothing_lost_or_doubled(&first, &all, &expected);
    first.wait_until_materialised(Duration::from_secs(60));
    let device_tables: Vec<_> = devices.iter().map(Device::tables).collect();
    assert_tables_equal(&first.tables(UNIT), &device_tables);
    for node in others.iter().chain([&first]) {
        assert!(
            !node.log().contains("panicked"),
            "a node panicked:\n{}",
            node.log()
        );
    }
}
