//! A heap of deadlines that gives the event loop its poll timeout.
//!
//! The loop sleeps until the earliest deadline, or forever when there is
//! none: an idle podinit never wakes up. The heap only orders items by time;
//! what an item means (a grace period ending, a probe falling due) is the
//! caller's.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::time::{Duration, Instant};

#[derive(Debug)]
struct Entry<T> {
    at: Instant,
    /// Insertion order, so that equal deadlines fire first in, first out.
    seq: u64,
    item: T,
}

impl<T> PartialEq for Entry<T> {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}

impl<T> Eq for Entry<T> {}

impl<T> PartialOrd for Entry<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<T> Ord for Entry<T> {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.at, self.seq).cmp(&(other.at, other.seq))
    }
}

/// Items due at instants, earliest first.
#[derive(Debug)]
pub struct Deadlines<T> {
    heap: BinaryHeap<Reverse<Entry<T>>>,
    seq: u64,
}

impl<T> Default for Deadlines<T> {
    fn default() -> Self {
        Self {
            heap: BinaryHeap::new(),
            seq: 0,
        }
    }
}

impl<T> Deadlines<T> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Schedules `item` for `at`.
    pub fn insert(&mut self, at: Instant, item: T) {
        self.seq += 1;
        self.heap.push(Reverse(Entry {
            at,
            seq: self.seq,
            item,
        }));
    }

    /// Drops every scheduled item for which `cancelled` is true.
    pub fn cancel_where(&mut self, mut cancelled: impl FnMut(&T) -> bool) {
        self.heap.retain(|Reverse(entry)| !cancelled(&entry.item));
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// The earliest deadline.
    pub fn next(&self) -> Option<Instant> {
        self.heap.peek().map(|Reverse(entry)| entry.at)
    }

    /// How long to sleep from `now`: zero when something is already due,
    /// `None` (forever) when nothing is scheduled.
    pub fn timeout(&self, now: Instant) -> Option<Duration> {
        self.next().map(|at| at.saturating_duration_since(now))
    }

    /// Moves every item due at or before `now` into `out`, earliest first.
    pub fn pop_due(&mut self, now: Instant, out: &mut Vec<T>) {
        while self.next().is_some_and(|at| at <= now) {
            if let Some(Reverse(entry)) = self.heap.pop() {
                out.push(entry.item);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_scheduled_means_no_timeout() {
        let deadlines = Deadlines::<u8>::new();
        assert_eq!(deadlines.timeout(Instant::now()), None);
    }

    #[test]
    fn items_come_out_in_time_order_then_insertion_order() {
        let t0 = Instant::now();
        let mut deadlines = Deadlines::new();
        deadlines.insert(t0 + Duration::from_secs(3), "c");
        deadlines.insert(t0 + Duration::from_secs(1), "a");
        deadlines.insert(t0 + Duration::from_secs(1), "b");
        deadlines.insert(t0 + Duration::from_secs(9), "late");
        assert_eq!(deadlines.timeout(t0), Some(Duration::from_secs(1)));
        let mut out = Vec::new();
        deadlines.pop_due(t0 + Duration::from_secs(3), &mut out);
        assert_eq!(out, ["a", "b", "c"]);
        assert_eq!(
            deadlines.timeout(t0 + Duration::from_secs(10)),
            Some(Duration::ZERO)
        );
    }

    #[test]
    fn cancelled_items_never_fire() {
        let t0 = Instant::now();
        let mut deadlines = Deadlines::new();
        deadlines.insert(t0, 1);
        deadlines.insert(t0, 2);
        deadlines.cancel_where(|&item| item == 1);
        let mut out = Vec::new();
        deadlines.pop_due(t0, &mut out);
        assert_eq!(out, [2]);
        assert!(deadlines.is_empty());
    }
}
