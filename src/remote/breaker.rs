//! The circuit breaker and the client-side limit of calls per hour.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::{later, RemoteError, HOUR};

/// How a request's result changed the circuit, for the cache journal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Change {
    /// Opened (or opened again) for this long from now.
    Opened(Duration),
    /// Closed by a successful probe.
    Closed,
}

/// The circuit breaker and the client-side limit.
#[derive(Debug)]
pub(super) struct Breaker {
    open_for: Duration,
    open_until: Option<Instant>,
    probing: bool,
    max_per_hour: Option<u32>,
    sent: VecDeque<Instant>,
}

impl Breaker {
    pub(super) fn new(open_for: Duration, max_per_hour: Option<u32>) -> Breaker {
        Breaker {
            open_for,
            open_until: None,
            probing: false,
            max_per_hour,
            sent: VecDeque::new(),
        }
    }

    /// Opens the circuit for `left` from `now` (at most the configured time): a circuit
    /// an earlier run opened, read back from the cache journal.
    pub(super) fn resume_open(&mut self, now: Instant, left: Duration) {
        self.open_until = Some(later(now, left.min(self.open_for)));
    }

    /// Lets a request through (`Ok(true)` for the probe that may close the circuit) or not.
    pub(super) fn admit(&mut self, now: Instant) -> Result<bool, RemoteError> {
        let probe = match self.open_until {
            Some(until) if now < until || self.probing => return Err(RemoteError::CircuitOpen),
            Some(_) => true,
            None => false,
        };
        if let Some(max) = self.max_per_hour {
            while self
                .sent
                .front()
                .is_some_and(|&t| now.saturating_duration_since(t) >= HOUR)
            {
                self.sent.pop_front();
            }
            if self.sent.len() >= max as usize {
                return Err(RemoteError::RateLimited(max));
            }
            self.sent.push_back(now);
        }
        self.probing |= probe;
        Ok(probe)
    }

    /// Records a request's result: a failure (re)opens the circuit, the probe's success
    /// closes it. Never panics, whatever the configured time (`Duration::MAX` included).
    pub(super) fn record(&mut self, probe: bool, ok: bool, now: Instant) -> Option<Change> {
        if probe {
            self.probing = false;
        }
        if !ok {
            self.open_until = Some(later(now, self.open_for));
            Some(Change::Opened(self.open_for))
        } else if probe {
            self.open_until = None;
            Some(Change::Closed)
        } else {
            None
        }
    }

    pub(super) fn is_open(&self, now: Instant) -> bool {
        self.probing || self.open_until.is_some_and(|until| now < until)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breaker_opens_probes_and_closes() {
        let t0 = Instant::now();
        let mut b = Breaker::new(Duration::from_secs(10), Some(3));
        assert_eq!(b.admit(t0), Ok(false));
        assert_eq!(
            b.record(false, false, t0),
            Some(Change::Opened(Duration::from_secs(10)))
        );
        assert_eq!(
            b.admit(t0 + Duration::from_secs(5)),
            Err(RemoteError::CircuitOpen)
        );
        let t1 = t0 + Duration::from_secs(11);
        assert_eq!(b.admit(t1), Ok(true));
        // Only one probe at a time.
        assert_eq!(b.admit(t1), Err(RemoteError::CircuitOpen));
        assert_eq!(b.record(true, true, t1), Some(Change::Closed));
        assert!(!b.is_open(t1));
        assert_eq!(b.admit(t1), Ok(false));
        assert_eq!(b.admit(t1), Err(RemoteError::RateLimited(3)));
        assert_eq!(b.admit(t0 + HOUR), Ok(false));
    }

    /// `Duration::MAX` used to overflow `Instant + Duration` and panic.
    #[test]
    fn duration_max_never_panics() {
        let t0 = Instant::now();
        let mut b = Breaker::new(Duration::MAX, None);
        assert_eq!(b.admit(t0), Ok(false));
        b.record(false, false, t0);
        assert!(b.is_open(t0 + Duration::from_secs(86_400 * 365 * 100)));
        b.resume_open(t0, Duration::MAX);
        assert_eq!(b.admit(t0), Err(RemoteError::CircuitOpen));
    }

    /// A circuit read back from the journal is open for what was left, never longer than
    /// this run's setting.
    #[test]
    fn resumed_circuit_is_capped_by_the_setting() {
        let t0 = Instant::now();
        let mut b = Breaker::new(Duration::from_secs(60), None);
        b.resume_open(t0, Duration::from_secs(3600));
        assert!(b.is_open(t0 + Duration::from_secs(59)));
        assert!(!b.is_open(t0 + Duration::from_secs(61)));
        assert_eq!(b.admit(t0 + Duration::from_secs(61)), Ok(true));
    }
}
