//! The kubelet's restart back-off (client-go `flowcontrol.Backoff` as
//! `pkg/kubelet` uses it).
//!
//! Per container, an entry holds the current delay and the time of the last
//! exit. On an exit at `F`: with no entry, or more than twice the maximum
//! since the last exit, the entry restarts at the initial delay and the
//! container restarts at once; otherwise it restarts at `F + delay` and the
//! delay doubles, up to the maximum. With the defaults (10 s, 300 s) the
//! waits are 0, 10, 20, 40, 80, 160, 300, 300... seconds, and ten quiet
//! minutes forget the crashes.

use std::time::{Duration, Instant};

/// The kubelet's initial delay.
pub const INITIAL: Duration = Duration::from_secs(10);
/// The kubelet's cap (`maxContainerRestartPeriod`).
pub const MAX: Duration = Duration::from_secs(300);

/// The two numbers of the back-off (`--backoff-initial`, `--backoff-max`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    pub initial: Duration,
    pub max: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            initial: INITIAL,
            max: MAX,
        }
    }
}

/// One container's back-off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Backoff {
    entry: Option<Entry>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    delay: Duration,
    last_exit: Instant,
}

impl Backoff {
    /// Records an exit at `at` and says how long to wait before the
    /// restart.
    pub fn on_exit(&mut self, at: Instant, config: Config) -> Duration {
        let fresh = match self.entry {
            None => true,
            Some(entry) => at.saturating_duration_since(entry.last_exit) > config.max * 2,
        };
        if fresh {
            self.entry = Some(Entry {
                delay: config.initial.min(config.max),
                last_exit: at,
            });
            return Duration::ZERO;
        }
        let Some(entry) = &mut self.entry else {
            return Duration::ZERO;
        };
        let wait = entry.delay;
        entry.delay = (entry.delay * 2).min(config.max);
        entry.last_exit = at;
        wait
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn waits(config: Config, exits: &[u64]) -> Vec<u64> {
        let start = Instant::now();
        let mut backoff = Backoff::default();
        exits
            .iter()
            .map(|&s| {
                backoff
                    .on_exit(start + Duration::from_secs(s), config)
                    .as_secs()
            })
            .collect()
    }

    #[test]
    fn the_kubelet_schedule() {
        // A container that crashes as soon as it starts: each exit comes
        // right after the restart.
        let config = Config::default();
        let mut at = 0;
        let mut exits = Vec::new();
        let mut backoff = Backoff::default();
        let start = Instant::now();
        let mut seen = Vec::new();
        for _ in 0..9 {
            exits.push(at);
            let wait = backoff.on_exit(start + Duration::from_secs(at), config);
            seen.push(wait.as_secs());
            at += wait.as_secs() + 1;
        }
        assert_eq!(seen, [0, 10, 20, 40, 80, 160, 300, 300, 300]);
    }

    #[test]
    fn resets_after_twice_the_cap() {
        let cases: &[(&[u64], &[u64])] = &[
            (&[0, 1, 12], &[0, 10, 20]),
            // 600 s after the last exit is not more than twice the cap...
            (&[0, 1, 601], &[0, 10, 20]),
            // ... 602 s is.
            (&[0, 1, 603], &[0, 10, 0]),
            (&[0, 1000], &[0, 0]),
        ];
        for (exits, expected) in cases {
            assert_eq!(waits(Config::default(), exits), *expected, "{exits:?}");
        }
    }

    #[test]
    fn configured_numbers() {
        let config = Config {
            initial: Duration::from_secs(1),
            max: Duration::from_secs(4),
        };
        assert_eq!(waits(config, &[0, 1, 2, 3, 4, 5, 6]), [0, 1, 2, 4, 4, 4, 4]);
        // Past 2 × 4 s of quiet, it starts over.
        assert_eq!(waits(config, &[0, 1, 10]), [0, 1, 0]);
        // An initial delay above the cap is the cap.
        let odd = Config {
            initial: Duration::from_secs(9),
            max: Duration::from_secs(4),
        };
        assert_eq!(waits(odd, &[0, 1, 2]), [0, 4, 4]);
    }
}
