//! When a probe runs and what its results mean: the kubelet's prober
//! worker (pkg/kubelet/prober/worker.go) as plain data.
//!
//! One [`Worker`] per container instance and probe kind. It is due
//! `initialDelaySeconds` after the container started, then every
//! `periodSeconds` (one check at a time: a check that outlasts the period
//! delays the next one). Until the startup probe has succeeded only it
//! runs; liveness and readiness wait. A result counts after
//! `failureThreshold` failures or `successThreshold` successes in a row; a
//! check that could not even run (an error) is retried up to three times at
//! once and then changes nothing. After a liveness failure, and after any
//! startup result, the worker is held until the container is replaced.

use std::time::{Duration, Instant};

use crate::spec::plan::Probe;

/// Which probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Startup,
    Liveness,
    Readiness,
}

impl Kind {
    /// As events name it: `Liveness probe failed: ...`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Startup => "Startup",
            Self::Liveness => "Liveness",
            Self::Readiness => "Readiness",
        }
    }
}

/// A probe's published result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Unknown,
    Success,
    Failure,
}

/// What one check came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Failure,
    /// It could not run at all (an exec whose command cannot start).
    Error,
}

/// What the caller does after a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Run the check again now (an error, fewer than three tries so far).
    Retry,
    /// Nothing changes.
    Nothing,
    /// The published result changed to this.
    Changed(Verdict),
}

/// The kubelet's `maxProbeRetries`.
pub const MAX_TRIES: u32 = 3;

/// One probe of one container instance.
#[derive(Debug, Clone)]
pub struct Worker {
    pub kind: Kind,
    period: Duration,
    success_threshold: u32,
    failure_threshold: u32,
    /// What the probe says now.
    verdict: Verdict,
    /// The last check's outcome and how many in a row.
    last: Option<Outcome>,
    run: u32,
    /// Checks of the current round so far (errors are retried).
    tries: u32,
    held: bool,
    in_flight: bool,
    next: Instant,
}

impl Worker {
    /// A worker for a container instance that started at `started_at`.
    pub fn new(kind: Kind, probe: &Probe, started_at: Instant) -> Self {
        let verdict = match kind {
            Kind::Readiness => Verdict::Failure,
            Kind::Liveness => Verdict::Success,
            Kind::Startup => Verdict::Unknown,
        };
        Self {
            kind,
            period: probe.period,
            success_threshold: probe.success_threshold.max(1),
            failure_threshold: probe.failure_threshold.max(1),
            verdict,
            last: None,
            run: 0,
            tries: 0,
            held: false,
            in_flight: false,
            next: crate::pod::later(started_at, probe.initial_delay),
        }
    }

    pub fn verdict(&self) -> Verdict {
        self.verdict
    }

    /// Whether this kind runs now: only the startup probe until the
    /// container has started (`started`), only the others after.
    fn gated(&self, started: bool) -> bool {
        self.held || self.in_flight || (self.kind == Kind::Startup) == started
    }

    /// Whether a check is to start now.
    pub fn due(&self, now: Instant, started: bool) -> bool {
        !self.gated(started) && now >= self.next
    }

    /// A check starts now.
    pub fn begin(&mut self, now: Instant) {
        self.in_flight = true;
        if self.tries == 0 {
            // A ticker: the next round is a period after this one was due,
            // or after now when this one came late.
            self.next = crate::pod::later(self.next, self.period);
            if self.next <= now {
                self.next = crate::pod::later(now, self.period);
            }
        }
        self.tries += 1;
    }

    /// The check ended with `outcome`.
    pub fn finish(&mut self, outcome: Outcome) -> Next {
        self.in_flight = false;
        if outcome == Outcome::Error {
            if self.tries < MAX_TRIES {
                return Next::Retry;
            }
            self.tries = 0;
            return Next::Nothing;
        }
        self.tries = 0;
        if self.last == Some(outcome) {
            self.run = self.run.saturating_add(1);
        } else {
            self.last = Some(outcome);
            self.run = 1;
        }
        let threshold = match outcome {
            Outcome::Failure => self.failure_threshold,
            _ => self.success_threshold,
        };
        if self.run < threshold {
            return Next::Nothing;
        }
        let verdict = match outcome {
            Outcome::Failure => Verdict::Failure,
            _ => Verdict::Success,
        };
        let changed = verdict != self.verdict;
        self.verdict = verdict;
        if (self.kind == Kind::Liveness && verdict == Verdict::Failure)
            || self.kind == Kind::Startup
        {
            self.held = true;
            self.run = 0;
        }
        if changed {
            Next::Changed(verdict)
        } else {
            Next::Nothing
        }
    }

    /// When the next check is due, if one can be (nothing while held, while
    /// a check runs, or while gated by the startup probe).
    pub fn next_deadline(&self, started: bool) -> Option<Instant> {
        (!self.gated(started)).then_some(self.next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::plan::ProbeAction;

    fn probe(delay: u64, period: u64, success: u32, failure: u32) -> Probe {
        Probe {
            action: ProbeAction::TcpSocket {
                host: None,
                port: 1,
            },
            initial_delay: Duration::from_secs(delay),
            period: Duration::from_secs(period),
            timeout: Duration::from_secs(1),
            success_threshold: success,
            failure_threshold: failure,
            termination_grace: None,
        }
    }

    /// Runs checks with `outcomes` back to back, each at the time the
    /// worker says it is due; returns (second it ran, what followed).
    fn drive(kind: Kind, p: &Probe, outcomes: &[Outcome]) -> Vec<(u64, Next)> {
        let t0 = Instant::now();
        let mut w = Worker::new(kind, p, t0);
        let started = kind != Kind::Startup;
        let mut out = Vec::new();
        let mut now = t0;
        let mut retry = false;
        for &o in outcomes {
            if !retry && !w.due(now, started) {
                match w.next_deadline(started) {
                    Some(at) => now = now.max(at),
                    None => break,
                }
            }
            assert!(retry || w.due(now, started));
            w.begin(now);
            let next = w.finish(o);
            retry = next == Retry;
            out.push((now.duration_since(t0).as_secs(), next));
        }
        out
    }

    use Next::{Changed, Nothing, Retry};
    use Outcome::{Error, Failure, Success};

    #[test]
    fn liveness_fails_after_the_threshold_and_is_held() {
        let got = drive(
            Kind::Liveness,
            &probe(5, 10, 1, 3),
            &[Success, Failure, Failure, Failure, Success],
        );
        assert_eq!(
            got,
            [
                (5, Nothing),
                (15, Nothing),
                (25, Nothing),
                (35, Changed(Verdict::Failure)),
            ]
        );
    }

    #[test]
    fn readiness_needs_its_success_threshold_and_flips_both_ways() {
        let got = drive(
            Kind::Readiness,
            &probe(0, 1, 2, 2),
            &[Success, Success, Failure, Failure, Success, Success],
        );
        assert_eq!(
            got,
            [
                (0, Nothing),
                (1, Changed(Verdict::Success)),
                (2, Nothing),
                (3, Changed(Verdict::Failure)),
                (4, Nothing),
                (5, Changed(Verdict::Success)),
            ]
        );
    }

    #[test]
    fn a_failure_run_is_broken_by_a_success() {
        let got = drive(
            Kind::Liveness,
            &probe(0, 1, 1, 2),
            &[Failure, Success, Failure, Failure],
        );
        assert_eq!(got.last(), Some(&(3, Changed(Verdict::Failure))));
        assert_eq!(got[1], (1, Nothing));
    }

    #[test]
    fn errors_are_retried_three_times_then_change_nothing() {
        let got = drive(
            Kind::Liveness,
            &probe(0, 10, 1, 1),
            &[Error, Error, Error, Error, Failure],
        );
        assert_eq!(
            got,
            [
                (0, Retry),
                (0, Retry),
                (0, Nothing),
                (10, Retry),
                (10, Changed(Verdict::Failure)),
            ]
        );
    }

    #[test]
    fn startup_holds_after_its_result_and_gates_the_others() {
        let p = probe(0, 1, 1, 1);
        let t0 = Instant::now();
        let mut startup = Worker::new(Kind::Startup, &p, t0);
        let live = Worker::new(Kind::Liveness, &p, t0);
        assert!(startup.due(t0, false));
        assert!(!live.due(t0, false), "liveness waits for the startup probe");
        assert_eq!(live.next_deadline(false), None, "no wake-up while gated");
        startup.begin(t0);
        assert_eq!(startup.finish(Success), Changed(Verdict::Success));
        assert_eq!(startup.next_deadline(false), None, "held after success");
        assert!(live.due(t0, true));
    }

    #[test]
    fn initial_verdicts_are_the_kubelets() {
        let p = probe(0, 1, 1, 1);
        let t0 = Instant::now();
        assert_eq!(
            Worker::new(Kind::Readiness, &p, t0).verdict(),
            Verdict::Failure
        );
        assert_eq!(
            Worker::new(Kind::Liveness, &p, t0).verdict(),
            Verdict::Success
        );
        assert_eq!(
            Worker::new(Kind::Startup, &p, t0).verdict(),
            Verdict::Unknown
        );
    }

    #[test]
    fn a_slow_check_delays_the_next_and_none_overlap() {
        let p = probe(0, 2, 1, 3);
        let t0 = Instant::now();
        let mut w = Worker::new(Kind::Liveness, &p, t0);
        w.begin(t0);
        assert!(!w.due(t0 + Duration::from_secs(5), true), "one at a time");
        assert_eq!(w.next_deadline(true), None);
        w.finish(Success);
        // Due at 2 s, it is late: it runs now, the next one a period later.
        let late = t0 + Duration::from_secs(5);
        assert!(w.due(late, true));
        w.begin(late);
        w.finish(Success);
        assert_eq!(w.next_deadline(true), Some(late + Duration::from_secs(2)));
    }
}
