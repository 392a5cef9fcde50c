//! A TCP proxy on loopback that makes a link misbehave the way a rural mobile link does: slow,
//! late, stalling, cut off, and now and then delivering a request twice.
//!
//! ```no_run
//! use std::time::Duration;
//! use simpul_e2e::proxy::{LinkProfile, Proxy};
//!
//! # let server: std::net::SocketAddr = "127.0.0.1:8080".parse().unwrap();
//! let proxy = Proxy::start(server, LinkProfile::gprs(), 42)?;
//! // Point a device at `proxy.url()` instead of the server, sync, then look at the damage:
//! proxy.set_profile(LinkProfile { cut_probability: 0.02, ..LinkProfile::clean() });
//! let stats = proxy.stats();
//! println!("{} cuts, {} stalls, {} replays", stats.cuts, stats.stalls, stats.replays);
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! # How a byte travels
//!
//! Each accepted connection gets its own upstream connection and, per direction, a reader
//! and a writer thread joined by a bounded queue. The reader splits what it reads into
//! chunks of at most [`CHUNK`] bytes (one TCP segment) and stamps each with the time it may
//! be delivered (now + [`LinkProfile::latency`]), so latency delays bytes without capping
//! throughput. The writer, per chunk, waits for that time, then for the direction's token
//! bucket ([`LinkProfile::bytes_per_sec`], shared by every connection, as a link's capacity
//! is), then perhaps stalls, then perhaps cuts the connection part-way through the chunk.
//!
//! Decisions come from a seeded xorshift per connection and direction: the same seed makes
//! the same sequence of decisions, though where chunk boundaries fall depends on how the
//! kernel splits reads. Everything is bounded: the queues, the connections held at once
//! ([`MAX_CONNECTIONS`]), the bytes kept for replay, every wait; dropping the proxy cuts
//! every connection and joins every thread.

mod link;
mod replay;

use std::collections::BTreeMap;
use std::io;
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use self::link::{Bucket, Conn};
use crate::rng::Rng;

/// The largest piece forwarded at once, and the unit that latency, stalls and cuts apply to:
/// one TCP segment on an Ethernet-sized MTU.
pub const CHUNK: usize = 1460;
/// Connections open at once; more are closed as soon as they are accepted.
pub const MAX_CONNECTIONS: usize = 64;
/// Client bytes kept per connection for replaying (the server's default body limit); a
/// connection that sends more is not replayed.
pub const MAX_RECORDED: usize = 8 << 20;
/// The longest single sleep, so that cuts and shutdown are noticed promptly.
const TICK: Duration = Duration::from_millis(10);

/// How the link behaves. Probabilities are per chunk of at most [`CHUNK`] bytes unless said
/// otherwise; zero turns a fault off.
#[derive(Clone, Debug, PartialEq)]
pub struct LinkProfile {
    /// Capacity per direction, shared by all connections; `None` for loopback speed.
    pub bytes_per_sec: Option<u64>,
    /// One-way delay, applied to every chunk.
    pub latency: Duration,
    /// Chance that a chunk is held back for [`stall`](Self::stall), holding up everything
    /// behind it, as a TCP retransmission timeout does.
    pub stall_probability: f64,
    pub stall: Duration,
    /// Close every open connection this often (a link that drops every so many seconds).
    pub cut_every: Option<Duration>,
    /// Chance that the connection is closed while forwarding a chunk, after a random part of
    /// it went through.
    pub cut_probability: f64,
    /// Chance, per complete HTTP request the client sent, that once the connection is over
    /// the same request bytes are sent again on a new upstream connection and the answer
    /// discarded: a duplicate delivery, as a retrying middlebox makes.
    pub replay_probability: f64,
}

impl LinkProfile {
    /// Loopback as it is: nothing slowed, nothing lost.
    pub fn clean() -> Self {
        LinkProfile {
            bytes_per_sec: None,
            latency: Duration::ZERO,
            stall_probability: 0.0,
            stall: Duration::ZERO,
            cut_every: None,
            cut_probability: 0.0,
            replay_probability: 0.0,
        }
    }

    /// A GPRS link: about 4 KB/s each way, 150 ms one way, and a one-second stall for about
    /// one chunk in a hundred. No cuts or replays; add them with struct update syntax.
    pub fn gprs() -> Self {
        LinkProfile {
            bytes_per_sec: Some(4 * 1024),
            latency: Duration::from_millis(150),
            stall_probability: 0.01,
            stall: Duration::from_secs(1),
            ..LinkProfile::clean()
        }
    }
}

impl Default for LinkProfile {
    fn default() -> Self {
        LinkProfile::clean()
    }
}

/// What went through the proxy since it started.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProxyStats {
    /// Bytes delivered client → server, and server → client (replays not counted).
    pub bytes_up: u64,
    pub bytes_down: u64,
    /// Client connections accepted and forwarded.
    pub connections: u64,
    /// Connections closed on purpose (by `cut_probability` or `cut_every`).
    pub cuts: u64,
    /// Chunks held back by `stall_probability`.
    pub stalls: u64,
    /// Requests sent again by `replay_probability`.
    pub replays: u64,
}

/// A running proxy; dropping it stops every thread it started.
pub struct Proxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    threads: Vec<JoinHandle<()>>,
}

impl Proxy {
    /// Listen on a free port of 127.0.0.1 and forward every connection to `upstream`, which
    /// must be on loopback too. `seed` drives every random decision.
    pub fn start(upstream: SocketAddr, profile: LinkProfile, seed: u64) -> io::Result<Proxy> {
        Proxy::balance(&[upstream], profile, seed)
    }

    /// [`Proxy::start`] in front of several servers, as a load balancer is: each connection
    /// goes to one of `upstreams` picked at random, and one that cannot be reached (a node
    /// that was killed) is cut, as a balancer that has not yet noticed does.
    pub fn balance(upstreams: &[SocketAddr], profile: LinkProfile, seed: u64) -> io::Result<Proxy> {
        if let Some(away) = upstreams.iter().find(|u| !u.ip().is_loopback()) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("the proxy only forwards to loopback, not {away}"),
            ));
        }
        if upstreams.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "the proxy needs a server to forward to",
            ));
        }
        let listener = TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            upstreams: upstreams.to_vec(),
            served: upstreams.iter().map(|_| AtomicU64::new(0)).collect(),
            profile: RwLock::new(profile),
            stop: AtomicBool::new(false),
            stats: Counters::default(),
            buckets: [Mutex::new(Bucket::new()), Mutex::new(Bucket::new())],
            connections: Mutex::new(BTreeMap::new()),
            workers: Mutex::new(Vec::new()),
            rng: Mutex::new(Rng::new(seed)),
        });
        let threads = vec![
            spawn("proxy-accept", {
                let shared = shared.clone();
                move || accept(&shared, &listener)
            })?,
            spawn("proxy-cutter", {
                let shared = shared.clone();
                move || cut_periodically(&shared)
            })?,
        ];
        Ok(Proxy {
            addr,
            shared,
            threads,
        })
    }

    /// Where clients connect.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, to hand a device as its server.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Change how the link behaves from the next chunk on; open connections keep going.
    pub fn set_profile(&self, profile: LinkProfile) {
        *self
            .shared
            .profile
            .write()
            .unwrap_or_else(PoisonError::into_inner) = profile;
    }

    pub fn stats(&self) -> ProxyStats {
        let c = &self.shared.stats;
        let get = |n: &AtomicU64| n.load(Ordering::Relaxed);
        ProxyStats {
            bytes_up: get(&c.bytes_up),
            bytes_down: get(&c.bytes_down),
            connections: get(&c.connections),
            cuts: get(&c.cuts),
            stalls: get(&c.stalls),
            replays: get(&c.replays),
        }
    }

    /// Connections each server behind a [`Proxy::balance`] took, in the order given.
    pub fn served(&self) -> Vec<u64> {
        let served = &self.shared.served;
        served.iter().map(|n| n.load(Ordering::Relaxed)).collect()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        for conn in lock(&self.shared.connections).values() {
            conn.close();
        }
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
        let workers = std::mem::take(&mut *lock(&self.shared.workers));
        for worker in workers {
            let _ = worker.join();
        }
    }
}

#[derive(Default)]
struct Counters {
    bytes_up: AtomicU64,
    bytes_down: AtomicU64,
    connections: AtomicU64,
    cuts: AtomicU64,
    stalls: AtomicU64,
    replays: AtomicU64,
}

struct Shared {
    upstreams: Vec<SocketAddr>,
    /// Connections each of `upstreams` took.
    served: Vec<AtomicU64>,
    profile: RwLock<LinkProfile>,
    stop: AtomicBool,
    stats: Counters,
    /// Token buckets, client → server and server → client.
    buckets: [Mutex<Bucket>; 2],
    connections: Mutex<BTreeMap<u64, Arc<Conn>>>,
    workers: Mutex<Vec<JoinHandle<()>>>,
    /// Seeds each connection's own generators, in the order connections arrive.
    rng: Mutex<Rng>,
}

impl Shared {
    fn profile(&self) -> LinkProfile {
        self.profile
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    /// Sleep until `until`, in short naps; false if the proxy stopped or `conn` was closed
    /// meanwhile.
    fn wait_until(&self, until: Instant, conn: &Conn) -> bool {
        loop {
            if self.stopping() || conn.is_closed() {
                return false;
            }
            let now = Instant::now();
            if now >= until {
                return true;
            }
            std::thread::sleep((until - now).min(TICK));
        }
    }
}

fn spawn(name: &str, f: impl FnOnce() + Send + 'static) -> io::Result<JoinHandle<()>> {
    std::thread::Builder::new().name(name.into()).spawn(f)
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn accept(shared: &Arc<Shared>, listener: &TcpListener) {
    let mut next_id = 0u64;
    while !shared.stopping() {
        let client = match listener.accept() {
            Ok((client, peer)) if peer.ip().is_loopback() => client,
            Ok(_) => continue,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(5));
                continue;
            }
            Err(_) => {
                std::thread::sleep(TICK);
                continue;
            }
        };
        if lock(&shared.connections).len() >= MAX_CONNECTIONS {
            continue;
        }
        next_id += 1;
        let id = next_id;
        let rng = lock(&shared.rng).fork(id);
        let worker = spawn("proxy-conn", {
            let shared = shared.clone();
            move || link::serve(&shared, client, id, rng)
        });
        let mut workers = lock(&shared.workers);
        workers.retain(|w| !w.is_finished());
        if let Ok(worker) = worker {
            workers.push(worker);
        }
    }
}

fn cut_periodically(shared: &Shared) {
    let mut last = Instant::now();
    while !shared.stopping() {
        std::thread::sleep(TICK);
        match shared.profile().cut_every {
            Some(every) if last.elapsed() >= every => {
                for conn in lock(&shared.connections).values() {
                    conn.cut(&shared.stats.cuts);
                }
                last = Instant::now();
            }
            Some(_) => {}
            None => last = Instant::now(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::TcpStream;

    use super::*;

    /// An upstream that answers each line with the same line, upper-cased.
    fn shouting_server() -> (SocketAddr, JoinHandle<()>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let handle = std::thread::spawn(move || {
            for stream in listener.incoming().take(64) {
                let Ok(mut stream) = stream else { return };
                std::thread::spawn(move || {
                    let mut buf = [0; 4096];
                    while let Ok(n) = stream.read(&mut buf) {
                        if n == 0 || stream.write_all(&buf[..n].to_ascii_uppercase()).is_err() {
                            return;
                        }
                    }
                });
            }
        });
        (addr, handle)
    }

    fn exchange(proxy: &Proxy, message: &[u8]) -> io::Result<Vec<u8>> {
        let mut stream = TcpStream::connect(proxy.addr())?;
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        stream.write_all(message)?;
        let mut answer = vec![0; message.len()];
        stream.read_exact(&mut answer)?;
        Ok(answer)
    }

    #[test]
    fn a_clean_link_carries_every_byte_both_ways_and_counts_them() {
        let (upstream, _server) = shouting_server();
        let proxy = Proxy::start(upstream, LinkProfile::clean(), 1).unwrap();
        let message: Vec<u8> = (0..100_000).map(|i| b'a' + (i % 26) as u8).collect();

        let answer = exchange(&proxy, &message).unwrap();

        assert_eq!(answer, message.to_ascii_uppercase());
        let stats = proxy.stats();
        assert_eq!((stats.bytes_up, stats.bytes_down), (100_000, 100_000));
        assert_eq!((stats.connections, stats.cuts, stats.stalls), (1, 0, 0));
    }

    #[test]
    fn a_throttled_link_takes_as_long_as_its_rate_says() {
        let (upstream, _server) = shouting_server();
        let profile = LinkProfile {
            bytes_per_sec: Some(20_000),
            ..LinkProfile::clean()
        };
        let proxy = Proxy::start(upstream, profile, 1).unwrap();
        let started = Instant::now();

        exchange(&proxy, &[b'x'; 10_000]).unwrap();

        // 10 KB each way at 20 KB/s, the two directions overlapping: about half a second.
        let took = started.elapsed();
        assert!(took >= Duration::from_millis(400), "{took:?}");
        assert!(took < Duration::from_secs(3), "{took:?}");
    }

    #[test]
    fn latency_delays_each_direction_once() {
        let (upstream, _server) = shouting_server();
        let profile = LinkProfile {
            latency: Duration::from_millis(100),
            ..LinkProfile::clean()
        };
        let proxy = Proxy::start(upstream, profile, 1).unwrap();
        let started = Instant::now();

        exchange(&proxy, b"ping").unwrap();

        let took = started.elapsed();
        assert!(took >= Duration::from_millis(200), "{took:?}");
        assert!(took < Duration::from_secs(2), "{took:?}");
    }

    #[test]
    fn a_link_that_always_cuts_delivers_at_most_part_of_one_chunk() {
        let (upstream, _server) = shouting_server();
        let profile = LinkProfile {
            cut_probability: 1.0,
            ..LinkProfile::clean()
        };
        let proxy = Proxy::start(upstream, profile, 7).unwrap();

        assert!(exchange(&proxy, &[b'x'; 5_000]).is_err());

        let stats = proxy.stats();
        assert_eq!(stats.cuts, 1);
        assert!(stats.bytes_up <= CHUNK as u64, "{stats:?}");
    }

    #[test]
    fn cut_every_closes_a_connection_left_open() {
        let (upstream, _server) = shouting_server();
        let profile = LinkProfile {
            cut_every: Some(Duration::from_millis(200)),
            ..LinkProfile::clean()
        };
        let proxy = Proxy::start(upstream, profile, 1).unwrap();
        let mut stream = TcpStream::connect(proxy.addr()).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();

        let mut buf = [0; 16];
        let read = stream.read(&mut buf);

        assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");
        assert!(proxy.stats().cuts >= 1);
    }

    #[test]
    fn stalls_are_counted_and_hold_the_chunk_back() {
        let (upstream, _server) = shouting_server();
        let profile = LinkProfile {
            stall_probability: 1.0,
            stall: Duration::from_millis(150),
            ..LinkProfile::clean()
        };
        let proxy = Proxy::start(upstream, profile, 1).unwrap();
        let started = Instant::now();

        exchange(&proxy, b"ping").unwrap();

        assert!(started.elapsed() >= Duration::from_millis(300));
        assert_eq!(proxy.stats().stalls, 2);
    }

    /// The next connection to `listener`, or a panic after a few seconds.
    fn accept_within(listener: &TcpListener) -> TcpStream {
        listener.set_nonblocking(true).unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            match listener.accept() {
                Ok((stream, _)) => {
                    stream.set_nonblocking(false).unwrap();
                    return stream;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    assert!(Instant::now() < deadline, "no connection came");
                    std::thread::sleep(TICK);
                }
                Err(e) => panic!("{e}"),
            }
        }
    }

    #[test]
    fn a_replayed_request_reaches_the_server_again_after_the_connection_ends() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let profile = LinkProfile {
            replay_probability: 1.0,
            ..LinkProfile::clean()
        };
        let proxy = Proxy::start(listener.local_addr().unwrap(), profile, 1).unwrap();
        let request = b"POST /v1/sync HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello";
        let answer = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok";
        let serve_one = |mut conn: TcpStream| {
            let mut got = vec![0; request.len()];
            conn.read_exact(&mut got).unwrap();
            conn.write_all(answer).unwrap();
            got
        };

        // One request, answered, and the client hangs up.
        let mut client = TcpStream::connect(proxy.addr()).unwrap();
        client.write_all(request).unwrap();
        let first = serve_one(accept_within(&listener));
        let mut got = vec![0; answer.len()];
        client.read_exact(&mut got).unwrap();
        drop(client);
        // The same bytes arrive again on a connection of their own.
        let second = serve_one(accept_within(&listener));

        assert_eq!(
            (first.as_slice(), second.as_slice()),
            (&request[..], &request[..])
        );
        let deadline = Instant::now() + Duration::from_secs(5);
        while proxy.stats().replays == 0 && Instant::now() < deadline {
            std::thread::sleep(TICK);
        }
        assert_eq!(proxy.stats().replays, 1);
        assert_eq!(proxy.stats().connections, 1);
    }

    #[test]
    fn the_proxy_refuses_an_upstream_off_loopback() {
        let far: SocketAddr = "192.0.2.1:80".parse().unwrap();
        assert!(Proxy::start(far, LinkProfile::clean(), 1).is_err());
    }
}
