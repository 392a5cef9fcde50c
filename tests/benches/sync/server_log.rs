//! What `simpul-server` logged: one line per request, with its path, status and latency.

use std::time::Duration;

/// The sync requests in a log.
#[derive(Clone, Debug, Default)]
pub struct Requests {
    pub count: u64,
    /// Answered with anything but 200.
    pub failed: u64,
    /// Server-side latency of each, in the order logged.
    pub latencies: Vec<Duration>,
}

impl Requests {
    /// Those logged after `earlier` was read from the same log.
    pub fn since(&self, earlier: &Requests) -> Requests {
        Requests {
            count: self.count - earlier.count,
            failed: self.failed - earlier.failed,
            latencies: self.latencies[earlier.latencies.len()..].to_vec(),
        }
    }

    /// The latency below which `p` per cent of requests were answered.
    pub fn percentile(&self, p: f64) -> Option<Duration> {
        let mut sorted = self.latencies.clone();
        sorted.sort();
        let last = sorted.len().checked_sub(1)?;
        let rank = ((p / 100.0) * last as f64).round() as usize;
        sorted.get(rank.min(last)).copied()
    }
}

/// Every `POST /v1/sync` the server answered, as its text log tells.
pub fn sync_requests(log: &str) -> Requests {
    let mut requests = Requests::default();
    for line in log.lines() {
        if !(line.contains("path=/v1/sync") && line.contains("answered")) {
            continue;
        }
        requests.count += 1;
        if field(line, "status=") != Some(200) {
            requests.failed += 1;
        }
        if let Some(us) = field(line, "latency_us=") {
            requests.latencies.push(Duration::from_micros(us));
        }
    }
    requests
}

fn field(line: &str, name: &str) -> Option<u64> {
    let start = line.find(name)? + name.len();
    let digits: String = line[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}
