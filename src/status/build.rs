//! The pod's status from the state machine, by the kubelet's rules
//! (`pkg/kubelet/status/generate.go`, `kubelet_pods.go`
//! convertToAPIContainerStatuses): conditions, container states and
//! reasons, phase, QoS class.
//!
//! [`Tracker`] keeps what the state machine does not: the wall clock
//! (the machine counts in `Instant`s), when each condition last changed,
//! and the pod's start time. Building a status forks nothing and reads
//! nothing: it is tested with tables (`status/tests.rs`).

use std::time::{Duration, Instant, SystemTime};

use super::model::{
    Condition, ContainerState, ContainerStatus, Ip, PodStatus, Running, Terminated, Waiting,
};
use crate::pod::{EndReason, Ended, Kind, Phase, Pod, Slot, State, WaitReason};
use crate::spec::plan::{ContainerPlan, PodPlan};
use crate::timefmt::rfc3339;

/// `Instant`s to wall-clock times: one reading of both, taken at start.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    instant: Instant,
    wall: SystemTime,
}

impl Clock {
    pub fn now() -> Self {
        Self {
            instant: Instant::now(),
            wall: SystemTime::now(),
        }
    }

    /// A fixed reading, for tests.
    pub fn at(instant: Instant, wall: SystemTime) -> Self {
        Self { instant, wall }
    }

    pub fn wall(&self, at: Instant) -> SystemTime {
        match at.checked_duration_since(self.instant) {
            Some(after) => self.wall + after,
            None => self
                .wall
                .checked_sub(self.instant.duration_since(at))
                .unwrap_or(self.wall),
        }
    }

    pub fn text(&self, at: Instant) -> String {
        rfc3339(self.wall(at))
    }
}

/// What the status says besides the state machine.
#[derive(Debug, Clone)]
pub struct Facts<'a> {
    pub plan: &'a PodPlan,
    pub uid: String,
    pub pod_ip: String,
    pub host_ip: String,
    /// By container id: the resolved image (root filesystem).
    pub image_ids: Vec<String>,
}

/// Keeps the conditions' transition times and the pod's start.
#[derive(Debug, Clone)]
pub struct Tracker {
    clock: Clock,
    started: Instant,
    /// By condition type: its status and since when.
    conditions: Vec<(&'static str, bool, Instant)>,
}

/// The condition types, in the order the kubelet lists them.
const CONDITIONS: [&str; 5] = [
    "PodReadyToStartContainers",
    "Initialized",
    "Ready",
    "ContainersReady",
    "PodScheduled",
];

impl Tracker {
    /// The pod was accepted at `started` (its startTime and the
    /// scheduling condition's time).
    pub fn new(clock: Clock, started: Instant) -> Self {
        Self {
            clock,
            started,
            conditions: Vec::new(),
        }
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// The status of `pod` at `now`.
    pub fn status(&mut self, pod: &Pod, facts: &Facts, now: Instant) -> PodStatus {
        let phase = pod.phase();
        let mut status = PodStatus {
            phase: phase.as_str().to_owned(),
            host_ip: Some(facts.host_ip.clone()),
            host_ips: vec![Ip {
                ip: facts.host_ip.clone(),
            }],
            pod_ip: Some(facts.pod_ip.clone()),
            pod_ips: vec![Ip {
                ip: facts.pod_ip.clone(),
            }],
            start_time: Some(self.clock.text(self.started)),
            qos_class: qos_class(facts.plan).to_owned(),
            ..PodStatus::default()
        };
        if pod.end_reason() == Some(EndReason::DeadlineExceeded) {
            status.reason = Some("DeadlineExceeded".into());
            status.message =
                Some("Pod was active on the node longer than the specified deadline".into());
        }
        for (id, slot) in pod.slots.iter().enumerate() {
            let plan = container_plan(facts.plan, id);
            let one = self.container(slot, plan, facts, id);
            if slot.kind == Kind::App {
                status.container_statuses.push(one);
            } else {
                status.init_container_statuses.push(one);
            }
        }
        status.conditions = self.conditions(pod, phase, &status, now);
        status
    }

    fn container(
        &self,
        slot: &Slot,
        plan: Option<&ContainerPlan>,
        facts: &Facts,
        id: usize,
    ) -> ContainerStatus {
        let running = matches!(slot.state, State::Running { .. });
        let (state, last_state) = match &slot.state {
            State::Terminated => (
                self.terminated(slot.last.as_ref(), facts, slot, 0),
                self.terminated(slot.previous.as_ref(), facts, slot, 1),
            ),
            other => {
                let state = match other {
                    State::Running { since } => ContainerState {
                        running: Some(Running {
                            started_at: self.clock.text(*since),
                        }),
                        ..ContainerState::default()
                    },
                    State::Waiting { reason, until } => ContainerState {
                        waiting: Some(Waiting {
                            reason: reason.as_str().to_owned(),
                            message: self.back_off_message(slot, *reason, *until, facts),
                        }),
                        ..ContainerState::default()
                    },
                    // Forked, not yet running its program.
                    _ => ContainerState {
                        waiting: Some(Waiting {
                            reason: "ContainerCreating".into(),
                            message: None,
                        }),
                        ..ContainerState::default()
                    },
                };
                let before = if slot.is_active() { 1 } else { 0 };
                (
                    state,
                    self.terminated(slot.last.as_ref(), facts, slot, before),
                )
            }
        };
        let ever = slot.ever_started();
        // Never started and never will (the pod ended first): still
        // waiting, as the kubelet leaves it.
        let (state, last_state) = if !ever && slot.state == State::Terminated {
            let reason = if slot.kind == Kind::App && !facts.plan.init_containers.is_empty() {
                "PodInitializing"
            } else if slot.kind == Kind::App {
                "ContainerCreating"
            } else {
                "PodInitializing"
            };
            let waiting = ContainerState {
                waiting: Some(Waiting {
                    reason: reason.to_owned(),
                    message: None,
                }),
                ..ContainerState::default()
            };
            (waiting, ContainerState::default())
        } else {
            (state, last_state)
        };
        // The prober manager marks an init container that completed ready.
        let completed_init = slot.kind == Kind::Init
            && slot.state == State::Terminated
            && slot.last.as_ref().is_some_and(Ended::succeeded);
        ContainerStatus {
            name: slot.name.clone(),
            state,
            last_state,
            ready: (running && slot.startup_passed && slot.ready) || completed_init,
            restart_count: slot.restarts,
            image: plan.map(|c| c.image.clone()).unwrap_or_default(),
            image_id: facts.image_ids.get(id).cloned().unwrap_or_default(),
            container_id: ever.then(|| container_id(&facts.uid, &slot.name, slot.restarts)),
            started: Some(running && slot.startup_passed),
        }
    }

    /// A terminated state from `ended`, `back` instances before the current
    /// one (for its containerID).
    fn terminated(
        &self,
        ended: Option<&Ended>,
        facts: &Facts,
        slot: &Slot,
        back: u32,
    ) -> ContainerState {
        let Some(ended) = ended else {
            return ContainerState::default();
        };
        // The instance the record is about: the current one's restart
        // count, minus how far back it is.
        let restart = slot.restarts.saturating_sub(back);
        ContainerState {
            terminated: Some(Terminated {
                exit_code: i32::from(ended.code),
                signal: ended.signal.map(crate::sys::Signal::as_raw),
                reason: ended.reason.to_owned(),
                message: (!ended.message.is_empty()).then(|| ended.message.clone()),
                started_at: ended.started_at.map(|at| self.clock.text(at)),
                finished_at: self.clock.text(ended.finished_at),
                container_id: Some(container_id(&facts.uid, &slot.name, restart)),
            }),
            ..ContainerState::default()
        }
    }

    /// The kubelet's message for a container in its back-off:
    /// `back-off 20s restarting failed container=web pod=web_default(UID)`.
    fn back_off_message(
        &self,
        slot: &Slot,
        reason: WaitReason,
        until: Option<Instant>,
        facts: &Facts,
    ) -> Option<String> {
        if reason != WaitReason::CrashLoopBackOff {
            return None;
        }
        let finished = slot.last.as_ref()?.finished_at;
        let wait = until?.saturating_duration_since(finished);
        Some(format!(
            "back-off {} restarting failed container={} pod={}_{}({})",
            go_duration(wait),
            slot.name,
            facts.plan.name,
            facts.plan.namespace,
            facts.uid
        ))
    }

    fn conditions(
        &mut self,
        pod: &Pod,
        phase: Phase,
        status: &PodStatus,
        now: Instant,
    ) -> Vec<Condition> {
        let completed = phase == Phase::Succeeded;
        let failed = phase == Phase::Failed;
        let sandbox_ready = pod.slots.iter().any(Slot::is_active) || pod.end_reason().is_none();
        // generate.go: once an app container has started, the pod stays
        // initialized (its sidecars may restart); before that, a regular
        // init container is done when it exited 0 and a sidecar only while
        // it is started.
        let app_started = pod
            .slots
            .iter()
            .any(|s| s.kind == Kind::App && s.ever_started());
        let unfinished: Vec<&str> = if app_started {
            Vec::new()
        } else {
            status
                .init_container_statuses
                .iter()
                .zip(pod.slots.iter().filter(|s| s.kind != Kind::App))
                .filter(|(c, s)| match s.kind {
                    Kind::Sidecar => c.started != Some(true),
                    _ => !s.init_done(),
                })
                .map(|(_, s)| s.name.as_str())
                .collect()
        };
        // App containers and sidecars count for readiness.
        let unready: Vec<&str> = status
            .init_container_statuses
            .iter()
            .zip(pod.slots.iter().filter(|s| s.kind != Kind::App))
            .filter(|(_, s)| s.kind == Kind::Sidecar)
            .map(|(c, _)| c)
            .chain(&status.container_statuses)
            .filter(|c| !c.ready)
            .map(|c| c.name.as_str())
            .collect();
        let list = |names: &[&str]| format!("[{}]", names.join(" "));
        let mut out = Vec::new();
        for kind in CONDITIONS {
            let (ok, reason, message) = match kind {
                "PodScheduled" => (true, None, None),
                "PodReadyToStartContainers" => (sandbox_ready, None, None),
                "Initialized" if completed => (true, Some("PodCompleted"), None),
                "Initialized" if unfinished.is_empty() => (true, None, None),
                "Initialized" => (
                    false,
                    Some("ContainersNotInitialized"),
                    Some(format!(
                        "containers with incomplete status: {}",
                        list(&unfinished)
                    )),
                ),
                _ if completed => (false, Some("PodCompleted"), None),
                _ if failed => (false, Some("PodFailed"), None),
                _ if unready.is_empty() => (true, None, None),
                _ => (
                    false,
                    Some("ContainersNotReady"),
                    Some(format!(
                        "containers with unready status: {}",
                        list(&unready)
                    )),
                ),
            };
            let since = self.transition(kind, ok, now);
            out.push(Condition {
                kind: kind.to_owned(),
                status: if ok { "True" } else { "False" }.to_owned(),
                reason: reason.map(str::to_owned),
                message,
                last_probe_time: None,
                last_transition_time: Some(self.clock.text(since)),
            });
        }
        out
    }

    /// When condition `kind` took its status `ok`.
    fn transition(&mut self, kind: &'static str, ok: bool, now: Instant) -> Instant {
        match self.conditions.iter_mut().find(|(k, _, _)| *k == kind) {
            Some(entry) if entry.1 == ok => entry.2,
            Some(entry) => {
                *entry = (kind, ok, now);
                now
            }
            None => {
                // The first status: PodScheduled and the sandbox date from
                // the pod's start.
                let since = if ok { self.started.min(now) } else { now };
                self.conditions.push((kind, ok, since));
                since
            }
        }
    }
}

/// The container of the plan with this id.
fn container_plan(plan: &PodPlan, id: usize) -> Option<&ContainerPlan> {
    let inits = plan.init_containers.len();
    if id < inits {
        plan.init_containers.get(id)
    } else {
        plan.containers.get(id - inits)
    }
}

/// `podinit://UID/NAME/RESTART`: one per instance, as a runtime's id is.
pub fn container_id(uid: &str, name: &str, restart: u32) -> String {
    format!("podinit://{uid}/{name}/{restart}")
}

/// The pod's QoS class (`pkg/apis/core/v1/helper/qos` GetPodQOS): only
/// CPU and memory count. BestEffort: no container sets a request or limit
/// on them. Guaranteed: every container has both limits, and requests
/// (which default to the limits) equal to them. Else Burstable.
pub fn qos_class(plan: &PodPlan) -> &'static str {
    let all: Vec<&ContainerPlan> = plan
        .init_containers
        .iter()
        .chain(&plan.containers)
        .collect();
    let resources = ["cpu", "memory"];
    // Only quantities above zero count.
    let set = |q: Option<&crate::spec::quantity::Amount>| q.is_some_and(|q| q.nanos() > 0);
    let any = all.iter().any(|c| {
        resources
            .iter()
            .any(|r| set(c.requests.get(*r)) || set(c.limits.get(*r)))
    });
    if !any {
        return "BestEffort";
    }
    let guaranteed = all.iter().all(|c| {
        resources.iter().all(|r| match c.limits.get(*r) {
            Some(limit) => c.requests.get(*r).is_none_or(|req| req == limit),
            None => false,
        })
    });
    if guaranteed {
        "Guaranteed"
    } else {
        "Burstable"
    }
}

/// A duration as Go's `time.Duration.String()` prints whole seconds and
/// minutes (`10s`, `1m20s`, `5m0s`), as the back-off message has it.
pub fn go_duration(d: Duration) -> String {
    let secs = d.as_secs() + u64::from(d.subsec_millis() >= 500);
    match (secs / 3600, secs / 60 % 60, secs % 60) {
        (0, 0, s) => format!("{s}s"),
        (0, m, s) => format!("{m}m{s}s"),
        (h, m, s) => format!("{h}h{m}m{s}s"),
    }
}
