//! End-to-end testing of Simpul across processes: real `simpul` devices, a real
//! `simpul-server`, and between them, when wanted, a link that fails the way rural mobile
//! links do.
//!
//! The suites in `tests/e2e` use these pieces:
//!
//! * [`harness`]: a [`Server`] spawned on a free port over a temporary data directory (kill
//!   it with SIGKILL, restart it on the same data and address) and [`Device`]s, each a
//!   replica folder driven one `simpul` command at a time.
//! * [`proxy`]: a fault-injecting TCP [`Proxy`] — throttling, latency, stalls, cuts and
//!   replayed requests, all from a seed. Benchmarks use it to model a GPRS link.
//! * [`snapshot`]: what a replica shows (lists, conflicts, the report, every answer) and the
//!   checks made on it: replicas converged, nothing held twice, nothing missing.
//! * [`tables`]: the materialised rows a replica or the server keeps, read from its SQLite
//!   file and compared column by column.
//!
//! A typical test:
//!
//! ```no_run
//! use simpul_e2e::{Device, LinkProfile, Proxy, Server, assert_converged};
//!
//! let server = Server::start();
//! let proxy = Proxy::start(server.addr(), LinkProfile::gprs(), 7).unwrap();
//! let tablet = Device::enrolled("tablet", &server, &proxy.url());
//! let laptop = Device::enrolled("laptop", &server, &server.url());
//! tablet.run(&["capture", "--channel", "paper", "--paper-serial", "K-1", "--set", "U1=4"]).ok();
//! tablet.sync_ok();
//! laptop.sync_ok();
//! assert_converged(&[tablet.snapshot(), laptop.snapshot()]);
//! ```
//!
//! [`browser`] drives the supervisors' web in a headless Chromium the same way.
//!
//! The binaries must be built before the tests run: `cargo build --workspace --bins`
//! (`scripts/test` does it). See [`harness::binary`].

pub mod answers;
pub mod browser;
pub mod fleet;
pub mod harness;
pub mod proxy;
pub mod rng;
pub mod snapshot;
pub mod tables;
pub mod window;

pub use harness::{Device, PERIOD, Run, Running, Server, UNIT};
pub use proxy::{LinkProfile, Proxy, ProxyStats};
pub use rng::Rng;
pub use snapshot::{Snapshot, assert_converged, assert_holds_exactly, assert_no_duplicates};
pub use tables::{Tables, assert_tables_equal};
