//! Prometheus-style counters for `GET /metrics`: requests by HTTP code and answer, a
//! latency histogram, connections. Plain atomics: no lock on the request path.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

/// What a request was answered with, as the `status` label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// An `idcard.get` answer with this status.
    Answer(cnid::Status),
    /// The error envelope (`"success":"0"`).
    Error,
    /// Not the API: `/healthz`, `/metrics`, a CORS preflight.
    Other,
}

impl Outcome {
    const LABELS: [&'static str; 6] = [
        "ALREADY_ATT",
        "WAIT_PROCESS",
        "NOT_ATT",
        "WRONG_IDCARD",
        "error",
        "other",
    ];

    fn index(self) -> usize {
        match self {
            Outcome::Answer(cnid::Status::AlreadyAtt) => 0,
            Outcome::Answer(cnid::Status::WaitProcess) => 1,
            Outcome::Answer(cnid::Status::NotAtt) => 2,
            Outcome::Answer(cnid::Status::WrongIdcard) => 3,
            Outcome::Error => 4,
            Outcome::Other => 5,
        }
    }

    /// The label, as in the log line.
    pub fn label(self) -> &'static str {
        Self::LABELS[self.index()]
    }
}

/// The HTTP codes the server sends.
pub const CODES: [u16; 11] = [200, 204, 400, 404, 405, 408, 413, 414, 431, 501, 503];

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 14] = [
    0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0,
    5.0,
];

/// The server's counters.
#[derive(Debug)]
pub struct Metrics {
    requests: [[AtomicU64; 6]; CODES.len()],
    buckets: [AtomicU64; BUCKETS.len() + 1],
    latency_sum_ns: AtomicU64,
    connections_total: AtomicU64,
    connections_rejected: AtomicU64,
    timeouts: AtomicU64,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            requests: std::array::from_fn(|_| std::array::from_fn(|_| AtomicU64::new(0))),
            buckets: std::array::from_fn(|_| AtomicU64::new(0)),
            latency_sum_ns: AtomicU64::new(0),
            connections_total: AtomicU64::new(0),
            connections_rejected: AtomicU64::new(0),
            timeouts: AtomicU64::new(0),
        }
    }
}

impl Metrics {
    /// Counts one request answered with `code` and `outcome` in `latency`.
    pub fn request(&self, code: u16, outcome: Outcome, latency: Duration) {
        let c = CODES.iter().position(|&k| k == code).unwrap_or(0);
        self.requests[c][outcome.index()].fetch_add(1, Relaxed);
        let secs = latency.as_secs_f64();
        let b = BUCKETS
            .iter()
            .position(|&le| secs <= le)
            .unwrap_or(BUCKETS.len());
        self.buckets[b].fetch_add(1, Relaxed);
        let ns = u64::try_from(latency.as_nanos()).unwrap_or(u64::MAX);
        self.latency_sum_ns.fetch_add(ns, Relaxed);
    }

    /// Counts an accepted connection.
    pub fn connection(&self) {
        self.connections_total.fetch_add(1, Relaxed);
    }

    /// Counts a connection turned away at the connection cap.
    pub fn rejected(&self) {
        self.connections_rejected.fetch_add(1, Relaxed);
    }

    /// Counts a connection closed because the client was too slow or idle too long.
    pub fn timeout(&self) {
        self.timeouts.fetch_add(1, Relaxed);
    }

    /// The Prometheus text exposition.
    pub fn render(&self, out: &mut String, open_connections: usize) {
        out.push_str("# HELP cnid_requests_total Requests by HTTP code and answer status.\n");
        out.push_str("# TYPE cnid_requests_total counter\n");
        for (c, code) in CODES.iter().enumerate() {
            for (o, label) in Outcome::LABELS.iter().enumerate() {
                let n = self.requests[c][o].load(Relaxed);
                if n > 0 {
                    let _ = writeln!(
                        out,
                        "cnid_requests_total{{code=\"{code}\",status=\"{label}\"}} {n}"
                    );
                }
            }
        }
        out.push_str("# HELP cnid_request_duration_seconds Time from a complete request head to the answer written.\n");
        out.push_str("# TYPE cnid_request_duration_seconds histogram\n");
        let mut cumulative = 0;
        for (i, b) in self.buckets.iter().enumerate() {
            cumulative += b.load(Relaxed);
            match BUCKETS.get(i) {
                Some(le) => {
                    let _ = writeln!(
                        out,
                        "cnid_request_duration_seconds_bucket{{le=\"{le}\"}} {cumulative}"
                    );
                }
                None => {
                    let _ = writeln!(
                        out,
                        "cnid_request_duration_seconds_bucket{{le=\"+Inf\"}} {cumulative}"
                    );
                }
            }
        }
        let sum = self.latency_sum_ns.load(Relaxed) as f64 / 1e9;
        let _ = writeln!(out, "cnid_request_duration_seconds_sum {sum}");
        let _ = writeln!(out, "cnid_request_duration_seconds_count {cumulative}");
        let gauges = [
            (
                "cnid_connections_open",
                "gauge",
                "Connections open now.",
                open_connections as u64,
            ),
            (
                "cnid_connections_total",
                "counter",
                "Connections accepted.",
                self.connections_total.load(Relaxed),
            ),
            (
                "cnid_connections_rejected_total",
                "counter",
                "Connections answered 503 at the connection cap.",
                self.connections_rejected.load(Relaxed),
            ),
            (
                "cnid_timeouts_total",
                "counter",
                "Connections closed for a slow request or a long idle time.",
                self.timeouts.load(Relaxed),
            ),
        ];
        for (name, kind, help, v) in gauges {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {v}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP cnid_build_info The program's version and the data it answers from.\n\
             # TYPE cnid_build_info gauge\n\
             cnid_build_info{{version=\"{}\",data_version=\"{}\",codes=\"{}\"}} 1",
            env!("CARGO_PKG_VERSION"),
            cnid::DATA_VERSION,
            cnid::CODE_COUNT
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_is_cumulative_and_counts_by_label() {
        let m = Metrics::default();
        m.request(
            200,
            Outcome::Answer(cnid::Status::AlreadyAtt),
            Duration::from_micros(30),
        );
        m.request(200, Outcome::Error, Duration::from_millis(3));
        m.request(413, Outcome::Error, Duration::from_secs(9));
        let mut out = String::new();
        m.render(&mut out, 2);
        assert!(out.contains("cnid_requests_total{code=\"200\",status=\"ALREADY_ATT\"} 1\n"));
        assert!(out.contains("cnid_requests_total{code=\"413\",status=\"error\"} 1\n"));
        assert!(out.contains("cnid_request_duration_seconds_bucket{le=\"0.00005\"} 1\n"));
        assert!(out.contains("cnid_request_duration_seconds_bucket{le=\"0.005\"} 2\n"));
        assert!(out.contains("cnid_request_duration_seconds_bucket{le=\"5\"} 2\n"));
        assert!(out.contains("cnid_request_duration_seconds_bucket{le=\"+Inf\"} 3\n"));
        assert!(out.contains("cnid_request_duration_seconds_count 3\n"));
        assert!(out.contains("cnid_connections_open 2\n"));
        assert!(out.contains(&format!("data_version=\"{}\"", cnid::DATA_VERSION)));
    }
}
