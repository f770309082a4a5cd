//! The pod as seen from outside while it runs: its status and events, the
//! state file `STATE/POD/status.json` rewritten (atomically: a new file
//! renamed over the old) whenever the status changes, and the snapshot the
//! control socket answers with.
//!
//! The status is rebuilt only when a cheap fingerprint of the state
//! machine moves, so a loop woken a hundred times a second by probes does
//! not serialize the pod each time. A state directory that cannot be
//! written (a full disk) is said once, and the pod goes on.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime};

use crate::pod::{Pod, State};
use crate::status::build::{Clock, Facts, Tracker};
use crate::status::events::{Recorder, Type};
use crate::status::model::{PodObject, Snapshot};
use crate::timefmt::rfc3339;

/// The state file's name in the pod's directory.
pub const STATUS_FILE: &str = "status.json";

/// A container's part of the fingerprint: its state and since when, its
/// restarts, readiness, startup, and its last end.
type SlotPrint = (u8, Option<Instant>, u32, bool, bool, Option<Instant>);

/// What the status depends on, compared instead of the status itself.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Fingerprint {
    slots: Vec<SlotPrint>,
    phase: &'static str,
    ending: bool,
    /// The deletionTimestamp, which a shorter `podinit stop --grace` moves.
    deletion: Option<Instant>,
}

/// The state file holds no events: they do not count.
fn fingerprint(pod: &Pod) -> Fingerprint {
    Fingerprint {
        slots: pod
            .slots
            .iter()
            .map(|s| {
                let (state, at) = match s.state {
                    State::Waiting { until, .. } => (0, until),
                    State::Starting { since } => (1, Some(since)),
                    State::Running { since } => (2, Some(since)),
                    State::Terminated => (3, None),
                };
                (
                    state,
                    at,
                    s.restarts,
                    s.ready,
                    s.startup_passed,
                    s.last.as_ref().map(|l| l.finished_at),
                )
            })
            .collect(),
        phase: pod.phase().as_str(),
        ending: pod.end_reason().is_some(),
        deletion: pod.deletion(),
    }
}

/// The status, the events and the state file.
#[derive(Debug)]
pub struct Observer {
    tracker: Tracker,
    events: Recorder,
    /// The defaulted manifest as a v1 Pod, completed at start.
    base: PodObject,
    status_path: PathBuf,
    last: Option<Fingerprint>,
    /// The last write failed (said once until one succeeds).
    failing: bool,
}

impl Observer {
    /// `manifest`: the defaulted pod as JSON (`podinit validate -o json`).
    pub fn new(
        manifest: &serde_json::Value,
        facts: &Facts,
        node_name: &str,
        pod_dir: &Path,
        now: Instant,
    ) -> Self {
        let clock = Clock::now();
        let created = rfc3339(clock.wall(now));
        let mut metadata = manifest
            .get("metadata")
            .cloned()
            .unwrap_or_else(|| serde_json::json!({}));
        let mut spec = manifest
            .get("spec")
            .cloned()
            .unwrap_or_else(|| serde_json::json!({}));
        if let Some(map) = metadata.as_object_mut() {
            map.insert("name".into(), facts.plan.name.clone().into());
            map.insert("namespace".into(), facts.plan.namespace.clone().into());
            map.insert("uid".into(), facts.uid.to_owned().into());
            map.insert("creationTimestamp".into(), created.into());
        }
        if let Some(map) = spec.as_object_mut() {
            map.insert("nodeName".into(), node_name.to_owned().into());
        }
        Self {
            tracker: Tracker::new(clock, now),
            events: Recorder::default(),
            base: PodObject {
                api_version: "v1".into(),
                kind: "Pod".into(),
                metadata,
                spec,
                status: Default::default(),
            },
            status_path: pod_dir.join(STATUS_FILE),
            last: None,
            failing: false,
        }
    }

    pub fn wall(&self, at: Instant) -> SystemTime {
        self.tracker.clock().wall(at)
    }

    /// Records an event about the object at `field_path` (`None`: the
    /// pod), and says it in podinit's log at debug level (the driver's own
    /// log line says it for people).
    pub fn event(
        &mut self,
        kind: Type,
        reason: &str,
        field_path: Option<&str>,
        message: &str,
        now: Instant,
    ) {
        log::debug!("event {} {reason}: {message}", kind.as_str());
        let at = self.wall(now);
        self.events
            .record_at(kind, reason, field_path.unwrap_or_default(), message, at);
    }

    /// The pod object with its status now.
    pub fn pod(&mut self, pod: &Pod, facts: &Facts, now: Instant) -> PodObject {
        let mut object = self.base.clone();
        object.status = self.tracker.status(pod, facts, now);
        if let (Some(deadline), Some(map)) = (pod.deletion(), object.metadata.as_object_mut()) {
            map.insert(
                "deletionTimestamp".into(),
                rfc3339(self.wall(deadline)).into(),
            );
            map.insert(
                "deletionGracePeriodSeconds".into(),
                deadline.saturating_duration_since(now).as_secs().into(),
            );
        }
        object
    }

    /// What `podinit status` and `describe` get.
    pub fn snapshot(&mut self, pod: &Pod, facts: &Facts, now: Instant) -> Snapshot {
        Snapshot {
            pod: self.pod(pod, facts, now),
            events: self.events.events().to_vec(),
            now: rfc3339(self.wall(now)),
        }
    }

    /// Rewrites the state file if the status changed.
    pub fn update(&mut self, pod: &Pod, facts: &Facts, now: Instant) {
        let print = fingerprint(pod);
        if self.last.as_ref() == Some(&print) {
            return;
        }
        self.last = Some(print);
        let object = self.pod(pod, facts, now);
        let result = serde_json::to_vec_pretty(&object)
            .map_err(std::io::Error::other)
            .and_then(|text| write_atomically(&self.status_path, &text));
        match result {
            Ok(()) if self.failing => {
                log::info!("{}: written again", self.status_path.display());
                self.failing = false;
            }
            Ok(()) => {}
            Err(err) => {
                if !self.failing {
                    log::warn!(
                        "cannot write {}: {} (the pod goes on; retried at the next change)",
                        self.status_path.display(),
                        crate::sys::strerror(&err)
                    );
                }
                self.failing = true;
                // Retry at the next change, not at every turn.
            }
        }
    }

    /// The state file goes with the pod.
    pub fn remove(&self) {
        let _ = std::fs::remove_file(&self.status_path);
    }
}

/// Writes `path` through `path.tmp` and a rename: a reader sees the old
/// file or the new one, never half of one.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let result = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&tmp)?;
        file.write_all(bytes)?;
        file.write_all(b"\n")?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
