//! One proxied connection: a reader and a writer thread per direction, and the faults the
//! writers apply chunk by chunk.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::{CHUNK, MAX_RECORDED, Shared, lock, replay};
use crate::rng::{Rng, hit};

/// Chunks queued per direction between reader and writer.
const QUEUE: usize = 64;
/// How often a thread blocked reading looks up to see whether the proxy is stopping.
const IDLE_CHECK: Duration = Duration::from_millis(200);

/// Both sockets of one proxied connection, so that any thread can cut it.
pub(super) struct Conn {
    client: TcpStream,
    server: TcpStream,
    closed: AtomicBool,
}

impl Conn {
    /// Close both sides.
    pub(super) fn close(&self) {
        if !self.closed.swap(true, Ordering::SeqCst) {
            self.shutdown();
        }
    }

    /// Close both sides on purpose, counting it in `cuts` (before either side can notice).
    pub(super) fn cut(&self, cuts: &AtomicU64) {
        if !self.closed.swap(true, Ordering::SeqCst) {
            cuts.fetch_add(1, Ordering::Relaxed);
            self.shutdown();
        }
    }

    fn shutdown(&self) {
        // Shutting down wakes any thread blocked reading or writing either socket.
        let _ = self.client.shutdown(Shutdown::Both);
        let _ = self.server.shutdown(Shutdown::Both);
    }

    pub(super) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::SeqCst)
    }
}

/// A token bucket that lends: a taker may go into debt and is told how long to wait for it,
/// so writers sharing a bucket queue fairly without holding the lock while they wait.
pub(super) struct Bucket {
    tokens: f64,
    last: Instant,
}

impl Bucket {
    pub(super) fn new() -> Bucket {
        Bucket {
            tokens: CHUNK as f64,
            last: Instant::now(),
        }
    }

    fn take(&mut self, bytes: usize, rate: u64) -> Duration {
        let rate = rate.max(1) as f64;
        let now = Instant::now();
        let refill = now.duration_since(self.last).as_secs_f64() * rate;
        self.tokens = (self.tokens + refill).min(CHUNK as f64);
        self.last = now;
        self.tokens -= bytes as f64;
        if self.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-self.tokens / rate)
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Up,
    Down,
}

/// One client connection, from accept to the last replay.
pub(super) fn serve(shared: &Shared, client: TcpStream, id: u64, mut rng: Rng) {
    let _ = client.set_nonblocking(false);
    // One server draws nothing, so a seed makes the same faults as before balancing existed.
    let index = match shared.upstreams.len() {
        1 => 0,
        several => rng.below(several as u64) as usize,
    };
    let upstream = shared.upstreams[index];
    let Ok(server) = TcpStream::connect_timeout(&upstream, Duration::from_secs(5)) else {
        return;
    };
    shared.served[index].fetch_add(1, Ordering::Relaxed);
    let (Ok(client_half), Ok(server_half)) = (client.try_clone(), server.try_clone()) else {
        return;
    };
    for stream in [&client, &server] {
        let _ = stream.set_nodelay(true);
        // Blocking calls wake up now and then to notice a stop; a peer that stops reading
        // for a minute is gone.
        let _ = stream.set_read_timeout(Some(IDLE_CHECK));
        let _ = stream.set_write_timeout(Some(Duration::from_secs(60)));
    }
    let conn = Arc::new(Conn {
        client: client_half,
        server: server_half,
        closed: AtomicBool::new(false),
    });
    lock(&shared.connections).insert(id, conn.clone());
    shared.stats.connections.fetch_add(1, Ordering::Relaxed);
    if shared.stopping() {
        // Accepted as the proxy was being dropped, perhaps after it closed the others.
        conn.close();
    }

    let recorded = Mutex::new(Some(Vec::new()));
    let (up_rng, down_rng) = (rng.fork(1), rng.fork(2));
    std::thread::scope(|s| {
        let (up_tx, up_rx) = sync_channel(QUEUE);
        let (down_tx, down_rx) = sync_channel(QUEUE);
        let (client_in, server_in) = (&client, &server);
        let (conn_up, conn_down) = (&conn, &conn);
        let recorded = &recorded;
        s.spawn(move || read_side(shared, conn_up, client_in, up_tx, Some(recorded)));
        s.spawn(move || read_side(shared, conn_down, server_in, down_tx, None));
        s.spawn(move || write_side(shared, conn_up, server_in, up_rx, Direction::Up, up_rng));
        write_side(
            shared,
            conn_down,
            client_in,
            down_rx,
            Direction::Down,
            down_rng,
        );
    });
    conn.close();
    lock(&shared.connections).remove(&id);

    let recorded = recorded
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    let Some(recorded) = recorded else { return };
    for request in replay::split_requests(&recorded) {
        let replay = rng.chance(shared.profile().replay_probability);
        if replay && !shared.stopping() && replay::send_again(shared, upstream, request) {
            shared.stats.replays.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// Read from `from` until it ends, queueing chunks stamped with their delivery time.
fn read_side(
    shared: &Shared,
    conn: &Conn,
    mut from: &TcpStream,
    to: SyncSender<(Instant, Vec<u8>)>,
    recorded: Option<&Mutex<Option<Vec<u8>>>>,
) {
    let mut buf = vec![0; 16 * 1024];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) => return,
            Ok(n) => n,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                if shared.stopping() || conn.is_closed() {
                    return;
                }
                continue;
            }
            Err(_) => return,
        };
        if let Some(recorded) = recorded {
            let mut recorded = lock(recorded);
            if recorded
                .as_ref()
                .is_some_and(|r| r.len() + n > MAX_RECORDED)
            {
                *recorded = None;
            }
            if let Some(r) = recorded.as_mut() {
                r.extend_from_slice(&buf[..n]);
            }
        }
        let at = Instant::now() + shared.profile().latency;
        for chunk in buf[..n].chunks(CHUNK) {
            if to.send((at, chunk.to_vec())).is_err() {
                return;
            }
        }
    }
}

/// Deliver queued chunks to `to`, applying the link's faults; half-close `to` when the source
/// ended.
fn write_side(
    shared: &Shared,
    conn: &Conn,
    to: &TcpStream,
    from: Receiver<(Instant, Vec<u8>)>,
    direction: Direction,
    mut rng: Rng,
) {
    let (bucket, delivered) = match direction {
        Direction::Up => (&shared.buckets[0], &shared.stats.bytes_up),
        Direction::Down => (&shared.buckets[1], &shared.stats.bytes_down),
    };
    while let Ok((at, chunk)) = from.recv() {
        // Draw every decision for every chunk, so the sequence does not depend on the profile.
        let (stall_roll, cut_roll, cut_at) = (rng.next_u64(), rng.next_u64(), rng.next_u64());
        if !shared.wait_until(at, conn) {
            return;
        }
        let profile = shared.profile();
        if let Some(rate) = profile.bytes_per_sec {
            let wait = lock(bucket).take(chunk.len(), rate);
            if !shared.wait_until(Instant::now() + wait, conn) {
                return;
            }
        }
        if hit(stall_roll, profile.stall_probability) {
            shared.stats.stalls.fetch_add(1, Ordering::Relaxed);
            if !shared.wait_until(Instant::now() + profile.stall, conn) {
                return;
            }
        }
        if hit(cut_roll, profile.cut_probability) {
            let part = (cut_at % (chunk.len() as u64 + 1)) as usize;
            deliver(to, &chunk[..part], delivered);
            conn.cut(&shared.stats.cuts);
            return;
        }
        if !deliver(to, &chunk, delivered) {
            conn.close();
            return;
        }
    }
    let _ = to.shutdown(Shutdown::Write);
}

/// Write `bytes`, counting them first so that whoever reads them finds them counted.
fn deliver(mut to: &TcpStream, bytes: &[u8], delivered: &AtomicU64) -> bool {
    delivered.fetch_add(bytes.len() as u64, Ordering::Relaxed);
    let written = to.write_all(bytes).is_ok();
    if !written {
        delivered.fetch_sub(bytes.len() as u64, Ordering::Relaxed);
    }
    written
}
