//! The pod's events, as the kubelet records them and `kubectl describe`
//! lists them: an event identical to an earlier one (same type, reason,
//! object and message) is counted on that one, with its first and last
//! time, as client-go's event correlator aggregates them.
//!
//! The list is bounded: a crash-looping container makes the same few
//! events again and again, which are counted, and past [`LIMIT`] distinct
//! events the oldest go.

use std::time::SystemTime;

use super::model::Event;
use crate::timefmt::rfc3339;

/// Distinct events kept.
pub const LIMIT: usize = 200;

/// `Normal` or `Warning`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    Normal,
    Warning,
}

impl Type {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Normal => "Normal",
            Self::Warning => "Warning",
        }
    }
}

/// The events so far, oldest first by their last occurrence.
#[derive(Debug, Clone, Default)]
pub struct Recorder {
    events: Vec<Event>,
    /// Bumped on every change: the state file is rewritten when it moves.
    generation: u64,
}

impl Recorder {
    /// Records an event about the pod (`container` empty) or one of its
    /// containers (`spec.containers{NAME}`, as the kubelet's field path).
    pub fn record(
        &mut self,
        kind: Type,
        reason: &str,
        container: Option<&str>,
        message: &str,
        at: SystemTime,
    ) {
        let field_path = container.map_or_else(String::new, |c| format!("spec.containers{{{c}}}"));
        self.record_at(kind, reason, &field_path, message, at);
    }

    /// Records an event about the object at `field_path` (empty: the pod).
    pub fn record_at(
        &mut self,
        kind: Type,
        reason: &str,
        field_path: &str,
        message: &str,
        at: SystemTime,
    ) {
        let field_path = field_path.to_owned();
        let time = rfc3339(at);
        self.generation += 1;
        let same = |e: &Event| {
            e.kind == kind.as_str()
                && e.reason == reason
                && e.message == message
                && e.field_path == field_path
        };
        if let Some(index) = self.events.iter().position(same) {
            let mut event = self.events.remove(index);
            event.count = event.count.saturating_add(1);
            event.last_timestamp = time;
            self.events.push(event);
            return;
        }
        if self.events.len() >= LIMIT {
            self.events.remove(0);
        }
        self.events.push(Event {
            kind: kind.as_str().to_owned(),
            reason: reason.to_owned(),
            message: message.to_owned(),
            field_path,
            count: 1,
            first_timestamp: time.clone(),
            last_timestamp: time,
            source: "kubelet".to_owned(),
        });
    }

    pub fn events(&self) -> &[Event] {
        &self.events
    }

    pub fn generation(&self) -> u64 {
        self.generation
    }
}
