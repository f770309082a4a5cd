//! The pod's course as plain data: which container starts, restarts or
//! stops, and when the pod is over.
//!
//! [`Pod`] holds one [`Slot`] per container (init containers first, then
//! app containers, in spec order). The driver tells it what happened
//! ([`Pod::started`], [`Pod::start_failed`], [`Pod::exited`], [`Pod::stop`])
//! and then asks [`Pod::tick`] what to do now; [`Pod::next_deadline`] is
//! when to ask again if nothing happens. Nothing here forks, signals or
//! reads a clock: every function takes `now`, so the rules are tested with
//! tables (`pod/tests.rs`).
//!
//! The rules are the kubelet's (`../shared/reference/kubelet-semantics.md`):
//! init containers one at a time, each to exit 0; sidecars (init containers
//! with `restartPolicy: Always`) started in order and always restarted; app
//! containers started in spec order once init is done; restarts by the
//! pod's `restartPolicy` with the [`backoff`]; a pod that completes
//! (Never/OnFailure) or is stopped sends its app containers their stop
//! signal at once, its sidecars theirs after the apps, in reverse order,
//! and SIGKILL to whatever is left at the end of the grace period.

pub mod backoff;

use std::time::{Duration, Instant};

use crate::spec::plan::{PodPlan, RestartPolicy};
use crate::sys::{ExitStatus, Signal};

pub use backoff::{Backoff, Config as BackoffConfig};

/// `now + after`, or as late as an `Instant` goes: a grace period or
/// deadline of `i64::MAX` seconds (valid in a manifest) must not overflow.
pub fn later(now: Instant, after: Duration) -> Instant {
    now.checked_add(after)
        .or_else(|| now.checked_add(Duration::from_secs(u64::from(u32::MAX))))
        .unwrap_or(now)
}

/// The kubelet's floor for the time between the stop signal and SIGKILL
/// (`minimumGracePeriodInSeconds`): a grace of 0 still sends the stop
/// signal first.
pub const MIN_GRACE: Duration = Duration::from_secs(2);

/// A container, by its place: init containers first, then app containers.
pub type Id = usize;

/// What a container is to the pod.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An init container that runs to completion.
    Init,
    /// An init container with `restartPolicy: Always`.
    Sidecar,
    App,
}

/// Why a container is waiting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitReason {
    /// Not started yet, and the pod has no init containers.
    ContainerCreating,
    /// Not started yet: init containers are still running.
    PodInitializing,
    /// Waiting for its back-off before a restart.
    CrashLoopBackOff,
}

impl WaitReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ContainerCreating => "ContainerCreating",
            Self::PodInitializing => "PodInitializing",
            Self::CrashLoopBackOff => "CrashLoopBackOff",
        }
    }
}

/// How a container instance ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ended {
    /// 0..=255: the exit code, 128 + N for signal N, 128 for a start error.
    pub code: u8,
    pub signal: Option<Signal>,
    /// `Completed`, `Error` or `StartError`.
    pub reason: &'static str,
    /// What went wrong at start, or empty.
    pub message: String,
    pub started_at: Option<Instant>,
    pub finished_at: Instant,
}

impl Ended {
    pub fn succeeded(&self) -> bool {
        self.code == 0
    }
}

/// Where a container is in its course.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    /// Not running; `until` is the end of its back-off, `None` for "as soon
    /// as its turn comes".
    Waiting {
        reason: WaitReason,
        until: Option<Instant>,
    },
    /// Forked; the program is not known to run yet.
    Starting { since: Instant },
    /// The program runs.
    Running { since: Instant },
    /// Ended for good (it will not be restarted).
    Terminated,
}

/// One container's record.
#[derive(Debug, Clone)]
pub struct Slot {
    pub name: String,
    pub kind: Kind,
    pub stop_signal: Signal,
    pub state: State,
    /// Restarts so far (starts after the first).
    pub restarts: u32,
    /// How the last instance ended.
    pub last: Option<Ended>,
    /// How the instance before it ended (the status's lastState while the
    /// container is terminated).
    pub previous: Option<Ended>,
    backoff: Backoff,
    /// Starts so far.
    starts: u32,
    /// An instance reached Running once: a sidecar no longer holds init.
    ran: bool,
    /// SIGKILL went to this instance.
    killed: bool,
    has_post_start: bool,
    has_pre_stop: bool,
    has_startup_probe: bool,
    /// This instance's postStart hook.
    pub post_start: Hook,
    /// This instance passed its startup probe (or has none): `started`.
    pub startup_passed: bool,
    /// The readiness probe's verdict for this instance (true without one).
    pub ready: bool,
    has_readiness_probe: bool,
    /// This instance is being stopped.
    stopping: Option<Stopping>,
}

/// Where a container's postStart hook is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hook {
    /// Not run yet (or the container has none: `Done` at once).
    Pending,
    Running,
    Done,
}

/// Why a container is being stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopWhy {
    /// The pod is ending.
    Pod,
    /// Its liveness or startup probe failed.
    Probe,
    /// Its postStart hook failed.
    PostStartHook,
}

/// A container's stop, step by step (the kubelet's killContainer): its
/// preStop hook, then its turn (sidecars wait for the app containers),
/// then the stop signal, then SIGKILL when the grace period is over, but
/// never less than [`MIN_GRACE`] after the stop signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stopping {
    why: StopWhy,
    /// The end of the grace period.
    deadline: Instant,
    step: StopStep,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StopStep {
    /// Just decided: the preStop hook is to run (if any).
    Begin,
    PreStop,
    /// Waiting for its turn.
    Turn,
    /// The stop signal went out; SIGKILL at `kill_at`.
    Signalled {
        kill_at: Instant,
    },
}

impl Slot {
    /// A process of this container is alive (Starting or Running).
    pub fn is_active(&self) -> bool {
        matches!(self.state, State::Starting { .. } | State::Running { .. })
    }

    /// Which start this is (1 for the first): the driver tags each
    /// process with it, so that news of an earlier instance is not taken
    /// for the current one's.
    pub fn instance(&self) -> u32 {
        self.starts
    }

    /// Started at least once (its program ran or was tried).
    pub fn ever_started(&self) -> bool {
        self.starts > 0
    }

    /// The container is up: its program runs, its startup probe passed and
    /// its postStart hook returned. A sidecar holds the next init container
    /// until then.
    pub fn is_up(&self) -> bool {
        matches!(self.state, State::Running { .. })
            && self.startup_passed
            && self.post_start == Hook::Done
    }

    /// Its postStart hook has not returned yet: no other container starts
    /// meanwhile (the kubelet starts containers one by one, each with its
    /// hook).
    fn holds_starts(&self) -> bool {
        self.has_post_start && self.is_active() && self.post_start != Hook::Done
    }

    /// Being stopped (by the pod's end, a probe or a failed hook).
    pub fn is_stopping(&self) -> bool {
        self.stopping.is_some()
    }

    /// Why it is being stopped, while it is.
    pub fn stop_reason(&self) -> Option<StopWhy> {
        self.stopping.map(|s| s.why)
    }

    /// Done as far as the pod's initialization goes: an init container
    /// exited 0, a sidecar has been up, an app container always.
    pub fn init_done(&self) -> bool {
        match self.kind {
            Kind::Init => self.is_completed_init(),
            Kind::Sidecar => self.ran,
            Kind::App => true,
        }
    }

    fn is_completed_init(&self) -> bool {
        self.kind == Kind::Init
            && self.state == State::Terminated
            && self.last.as_ref().is_some_and(Ended::succeeded)
    }
}

/// What the driver is to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Start a new instance of the container.
    Start(Id),
    /// Run the container's postStart hook; tell [`Pod::post_start_done`].
    PostStart(Id),
    /// Run the container's preStop hook; tell [`Pod::pre_stop_done`].
    PreStop(Id),
    /// Send the container's stop signal to it.
    Stop(Id, Signal),
    /// SIGKILL it: the grace period is over.
    Kill(Id),
    /// Everything has ended: exit with this code.
    Exit(u8),
}

/// Why the pod is ending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndReason {
    /// Every app container is done and none will restart.
    Completed,
    /// An init container failed under `restartPolicy: Never`.
    InitFailed,
    /// Someone asked (a signal to podinit, `podinit stop`).
    Requested,
    /// `activeDeadlineSeconds` ran out: the pod is Failed.
    DeadlineExceeded,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Termination {
    reason: EndReason,
    deadline: Instant,
    /// Kill at once, no grace (a second Ctrl-C).
    immediate: bool,
}

/// The pod phase, by the kubelet's `getPhase`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Pending,
    Running,
    Succeeded,
    Failed,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "Pending",
            Self::Running => "Running",
            Self::Succeeded => "Succeeded",
            Self::Failed => "Failed",
        }
    }
}

/// The pod's state machine.
#[derive(Debug, Clone)]
pub struct Pod {
    pub slots: Vec<Slot>,
    policy: RestartPolicy,
    grace: Duration,
    backoff: BackoffConfig,
    termination: Option<Termination>,
    /// Set once `Exit` was returned.
    exited: Option<u8>,
    /// `activeDeadlineSeconds`, and when it runs out once the pod started.
    active_deadline: Option<Duration>,
    active_until: Option<Instant>,
}

impl Pod {
    /// The machine for `plan`, nothing started.
    pub fn new(plan: &PodPlan, backoff: BackoffConfig) -> Self {
        let first_wait = if plan.init_containers.is_empty() {
            WaitReason::ContainerCreating
        } else {
            WaitReason::PodInitializing
        };
        let slot = |c: &crate::spec::plan::ContainerPlan, kind: Kind| Slot {
            has_post_start: c.post_start.is_some(),
            has_pre_stop: c.pre_stop.is_some(),
            has_startup_probe: c.startup.is_some(),
            has_readiness_probe: c.readiness.is_some(),
            post_start: Hook::Pending,
            startup_passed: false,
            ready: false,
            stopping: None,
            name: c.name.clone(),
            kind,
            stop_signal: c.stop_signal.unwrap_or(Signal::TERM),
            state: State::Waiting {
                reason: if kind == Kind::App {
                    first_wait
                } else {
                    WaitReason::PodInitializing
                },
                until: None,
            },
            restarts: 0,
            last: None,
            previous: None,
            backoff: Backoff::default(),
            starts: 0,
            ran: false,
            killed: false,
        };
        let mut slots: Vec<Slot> = plan
            .init_containers
            .iter()
            .map(|c| slot(c, if c.sidecar { Kind::Sidecar } else { Kind::Init }))
            .collect();
        slots.extend(plan.containers.iter().map(|c| slot(c, Kind::App)));
        Self {
            slots,
            policy: plan.restart_policy,
            grace: plan.grace,
            backoff,
            termination: None,
            exited: None,
            active_deadline: plan.active_deadline,
            active_until: None,
        }
    }

    /// Whether `instance` is the container's current one (news of an
    /// earlier instance must not touch it).
    pub fn is_current(&self, id: Id, instance: u32) -> bool {
        self.slots.get(id).is_some_and(|s| s.instance() == instance)
    }

    /// The container's name, for messages.
    pub fn name(&self, id: Id) -> &str {
        self.slots.get(id).map_or("?", |s| s.name.as_str())
    }

    /// Asks for a new instance of the container, and counts it as starting.
    fn start(&mut self, id: Id, now: Instant, actions: &mut Vec<Action>) {
        actions.push(Action::Start(id));
        if let Some(slot) = self.slots.get_mut(id) {
            if slot.starts > 0 {
                slot.restarts += 1;
            }
            slot.starts += 1;
            slot.state = State::Starting { since: now };
            slot.killed = false;
            slot.stopping = None;
            slot.post_start = if slot.has_post_start {
                Hook::Pending
            } else {
                Hook::Done
            };
            slot.startup_passed = !slot.has_startup_probe;
            slot.ready = !slot.has_readiness_probe;
        }
    }

    /// The container's program runs (its `execve` succeeded).
    pub fn started(&mut self, id: Id, now: Instant) {
        if let Some(slot) = self.slots.get_mut(id) {
            if let State::Starting { .. } = slot.state {
                slot.state = State::Running { since: now };
            }
        }
    }

    /// The container could not be started (StartError, exit code 128).
    pub fn start_failed(&mut self, id: Id, message: String, now: Instant) {
        let started_at = self.started_at(id);
        self.ended(
            id,
            Ended {
                code: 128,
                signal: None,
                reason: "StartError",
                message,
                started_at,
                finished_at: now,
            },
            now,
        );
    }

    /// The container's process ended with `status`.
    pub fn exited(&mut self, id: Id, status: ExitStatus, now: Instant) {
        self.exited_with_message(id, status, String::new(), now);
    }

    /// The container's process ended with `status`, leaving its termination
    /// message.
    pub fn exited_with_message(
        &mut self,
        id: Id,
        status: ExitStatus,
        message: String,
        now: Instant,
    ) {
        let code = status.code();
        let signal = match status {
            ExitStatus::Signaled { signal, .. } => Some(signal),
            ExitStatus::Exited(_) => None,
        };
        let started_at = self.started_at(id);
        self.ended(
            id,
            Ended {
                code,
                signal,
                reason: if code == 0 { "Completed" } else { "Error" },
                message,
                started_at,
                finished_at: now,
            },
            now,
        );
    }

    fn started_at(&self, id: Id) -> Option<Instant> {
        match self.slots.get(id)?.state {
            State::Running { since } => Some(since),
            _ => None,
        }
    }

    fn ended(&mut self, id: Id, ended: Ended, now: Instant) {
        let terminating = self.termination.is_some();
        let (policy, config) = (self.policy, self.backoff);
        let Some(slot) = self.slots.get_mut(id) else {
            return;
        };
        if !slot.is_active() {
            // A late report about an instance already accounted for.
            return;
        }
        // Killed for a failed liveness or startup probe, it failed
        // whatever its exit code (the kubelet restarts it unless Never).
        let failed = !ended.succeeded() || slot.stop_reason() == Some(StopWhy::Probe);
        let restart = !terminating
            && match slot.kind {
                Kind::Sidecar => true,
                Kind::Init => failed && policy != RestartPolicy::Never,
                Kind::App => match policy {
                    RestartPolicy::Always => true,
                    RestartPolicy::OnFailure => failed,
                    RestartPolicy::Never => false,
                },
            };
        let init_failed = slot.kind == Kind::Init && !ended.succeeded() && !restart;
        slot.state = if restart {
            let wait = slot.backoff.on_exit(now, config);
            State::Waiting {
                reason: WaitReason::CrashLoopBackOff,
                until: Some(later(now, wait)),
            }
        } else {
            State::Terminated
        };
        slot.previous = slot.last.replace(ended);
        if init_failed && !terminating {
            self.begin_termination(EndReason::InitFailed, now);
        }
    }

    /// Stop the pod: gracefully, or at once when `immediate`. A second
    /// graceful request changes nothing; an immediate one after a graceful
    /// one kills what is left.
    pub fn stop(&mut self, now: Instant, immediate: bool) {
        match &mut self.termination {
            Some(termination) => termination.immediate |= immediate,
            None => {
                self.begin_termination(EndReason::Requested, now);
                if let Some(termination) = &mut self.termination {
                    termination.immediate = immediate;
                }
            }
        }
    }

    /// Stop the pod with `grace` instead of its own grace period (`podinit
    /// stop --grace`, as `kubectl delete --grace-period`): a shorter grace
    /// also shortens a stop already under way, a longer one changes nothing
    /// then.
    pub fn stop_with_grace(&mut self, now: Instant, grace: Duration) {
        if self.termination.is_none() {
            self.grace = grace;
            self.stop(now, false);
            return;
        }
        let deadline = later(now, grace);
        // The pod's own end moves too: its deletionTimestamp, as a
        // shorter `kubectl delete --grace-period` moves the API's.
        if let Some(termination) = &mut self.termination {
            termination.deadline = termination.deadline.min(later(now, grace.max(MIN_GRACE)));
        }
        for slot in &mut self.slots {
            if let Some(stopping) = &mut slot.stopping {
                stopping.deadline = stopping.deadline.min(deadline);
                if let StopStep::Signalled { kill_at } = &mut stopping.step {
                    *kill_at = (*kill_at).min(deadline.max(later(now, MIN_GRACE)));
                }
            }
        }
    }

    fn begin_termination(&mut self, reason: EndReason, now: Instant) {
        if self.termination.is_some() {
            return;
        }
        let deadline = later(now, self.grace);
        self.termination = Some(Termination {
            reason,
            deadline: later(now, self.grace.max(MIN_GRACE)),
            immediate: false,
        });
        for slot in &mut self.slots {
            if let State::Waiting { .. } = slot.state {
                slot.state = State::Terminated;
            }
            if slot.is_active() {
                match &mut slot.stopping {
                    // Already being stopped (a probe): the earlier end wins.
                    Some(stopping) => {
                        stopping.deadline = stopping.deadline.min(deadline);
                        if let StopStep::Signalled { kill_at } = &mut stopping.step {
                            *kill_at = (*kill_at).min(deadline.max(later(now, MIN_GRACE)));
                        }
                    }
                    None => {
                        slot.stopping = Some(Stopping {
                            why: StopWhy::Pod,
                            deadline,
                            step: StopStep::Begin,
                        });
                    }
                }
            }
        }
    }

    /// Stops one container with `grace` (a failed liveness or startup
    /// probe, a failed postStart hook); the restart policy decides what
    /// follows its end. Nothing happens if it is not running or already
    /// being stopped.
    pub fn kill(&mut self, id: Id, why: StopWhy, grace: Duration, now: Instant) {
        if let Some(slot) = self.slots.get_mut(id) {
            if slot.is_active() && slot.stopping.is_none() {
                slot.stopping = Some(Stopping {
                    why,
                    deadline: later(now, grace),
                    step: StopStep::Begin,
                });
            }
        }
    }

    /// The postStart hook returned: `Ok`, or failed with a message (the
    /// container is then stopped, reason `FailedPostStartHook`).
    pub fn post_start_done(&mut self, id: Id, result: Result<(), ()>, now: Instant) {
        let grace = self.grace;
        if let Some(slot) = self.slots.get_mut(id) {
            if slot.post_start == Hook::Running {
                slot.post_start = Hook::Done;
                if result.is_err() {
                    self.kill(id, StopWhy::PostStartHook, grace, now);
                }
            }
        }
    }

    /// The preStop hook returned (or failed: the stop goes on either way).
    pub fn pre_stop_done(&mut self, id: Id) {
        if let Some(slot) = self.slots.get_mut(id) {
            if let Some(stopping) = &mut slot.stopping {
                if stopping.step == StopStep::PreStop {
                    stopping.step = StopStep::Turn;
                }
            }
        }
    }

    /// The startup probe succeeded: liveness and readiness take over.
    pub fn startup_succeeded(&mut self, id: Id) {
        if let Some(slot) = self.slots.get_mut(id) {
            if slot.is_active() {
                slot.startup_passed = true;
            }
        }
    }

    /// The readiness probe's verdict changed.
    pub fn set_ready(&mut self, id: Id, ready: bool) {
        if let Some(slot) = self.slots.get_mut(id) {
            if slot.is_active() {
                slot.ready = ready;
            }
        }
    }

    /// Why the pod is ending, once it is.
    pub fn end_reason(&self) -> Option<EndReason> {
        self.termination.map(|t| t.reason)
    }

    /// The pod is being killed at once (a second interrupt), not at the
    /// end of its grace period.
    pub fn killing_at_once(&self) -> bool {
        self.termination.is_some_and(|t| t.immediate)
    }

    /// When a requested stop (a signal, `podinit stop`) ends its grace
    /// period: a deleted pod's deletionTimestamp.
    pub fn deletion(&self) -> Option<Instant> {
        self.termination
            .filter(|t| t.reason == EndReason::Requested)
            .map(|t| t.deadline)
    }

    /// When the grace period ends, once the pod is ending.
    pub fn deadline(&self) -> Option<Instant> {
        self.termination.map(|t| t.deadline)
    }

    /// Init containers are done: every regular one exited 0, every sidecar
    /// started.
    pub fn initialized(&self) -> bool {
        self.slots.iter().all(Slot::init_done)
    }

    /// What to do now.
    pub fn tick(&mut self, now: Instant, actions: &mut Vec<Action>) {
        if self.exited.is_some() {
            return;
        }
        if self.active_until.is_none() {
            self.active_until = self.active_deadline.map(|d| later(now, d));
        }
        if self.termination.is_none() && self.active_until.is_some_and(|t| now >= t) {
            self.begin_termination(EndReason::DeadlineExceeded, now);
        }
        for slot in &mut self.slots {
            if slot.is_up() {
                slot.ran = true;
            }
        }
        if self.termination.is_none() {
            self.post_start_hooks(actions);
            self.run(now, actions);
            if self.completed() {
                self.begin_termination(EndReason::Completed, now);
            }
        }
        self.stops(now, actions);
        if self.termination.is_some() && self.slots.iter().all(|s| !s.is_active()) {
            let mut code = self.exit_code();
            // A Failed pod never exits 0: an app container that never
            // started (the pod stopped first, or its start kept failing)
            // has no exit code of its own.
            if code == 0 && self.phase() == Phase::Failed {
                code = 1;
            }
            self.exited = Some(code);
            actions.push(Action::Exit(code));
        }
    }

    /// A container whose program now runs gets its postStart hook.
    fn post_start_hooks(&mut self, actions: &mut Vec<Action>) {
        for (id, slot) in self.slots.iter_mut().enumerate() {
            if matches!(slot.state, State::Running { .. })
                && slot.post_start == Hook::Pending
                && slot.stopping.is_none()
            {
                slot.post_start = Hook::Running;
                actions.push(Action::PostStart(id));
            }
        }
    }

    /// Not ending: start what is due, in order. Nothing starts while a
    /// postStart hook runs, and a container with one holds the containers
    /// after it until its hook returned.
    fn run(&mut self, now: Instant, actions: &mut Vec<Action>) {
        if self.slots.iter().any(Slot::holds_starts) {
            return;
        }
        let due = |slot: &Slot| match slot.state {
            State::Waiting { until, .. } => until.is_none_or(|t| t <= now),
            _ => false,
        };
        // Init containers, one at a time; a sidecar must be up before the
        // next one starts.
        let mut blocked = false;
        for id in 0..self.slots.len() {
            let slot = &self.slots[id];
            match slot.kind {
                Kind::App => {}
                Kind::Init if blocked => {}
                Kind::Init => {
                    if slot.is_completed_init() {
                        continue;
                    }
                    if due(slot) {
                        self.start(id, now, actions);
                    }
                    blocked = true;
                }
                Kind::Sidecar => {
                    // Its first start waits for its turn; restarts do not.
                    if (slot.ever_started() || !blocked) && due(slot) {
                        self.start(id, now, actions);
                        if self.slots[id].has_post_start {
                            return;
                        }
                    }
                    if !self.slots[id].ran {
                        blocked = true;
                    }
                }
            }
        }
        if blocked {
            return;
        }
        for id in 0..self.slots.len() {
            if self.slots[id].kind == Kind::App && due(&self.slots[id]) {
                self.start(id, now, actions);
                if self.slots[id].has_post_start {
                    return;
                }
            }
        }
    }

    /// Every app container has ended for good.
    fn completed(&self) -> bool {
        let mut apps = self.slots.iter().filter(|s| s.kind == Kind::App).peekable();
        apps.peek().is_some() && apps.all(|s| s.state == State::Terminated)
    }

    /// Moves every stop along: preStop hooks, turns, stop signals, SIGKILL.
    fn stops(&mut self, now: Instant, actions: &mut Vec<Action>) {
        let immediate = self.killing_at_once();
        for id in 0..self.slots.len() {
            if !self.slots[id].is_active() || self.slots[id].killed {
                continue;
            }
            if immediate {
                self.slots[id].killed = true;
                actions.push(Action::Kill(id));
                continue;
            }
            let turn = self.has_turn(id);
            let slot = &mut self.slots[id];
            let Some(stopping) = &mut slot.stopping else {
                continue;
            };
            if stopping.step == StopStep::Begin {
                // The kubelet runs preStop only with some grace left.
                // A container still starting (its root not in place yet)
                // gets no hook: it goes straight to its stop signal.
                let running = matches!(slot.state, State::Running { .. });
                stopping.step = if slot.has_pre_stop && running && stopping.deadline > now {
                    actions.push(Action::PreStop(id));
                    StopStep::PreStop
                } else {
                    StopStep::Turn
                };
            }
            // The grace period counts the hook's time and the wait for the
            // turn: at its end the stop signal goes out regardless.
            let over = now >= stopping.deadline;
            if stopping.step == StopStep::PreStop && over {
                stopping.step = StopStep::Turn;
            }
            if stopping.step == StopStep::Turn && (turn || over) {
                stopping.step = StopStep::Signalled {
                    kill_at: stopping.deadline.max(later(now, MIN_GRACE)),
                };
                actions.push(Action::Stop(id, slot.stop_signal));
            }
            if let StopStep::Signalled { kill_at } = stopping.step {
                if now >= kill_at {
                    slot.killed = true;
                    actions.push(Action::Kill(id));
                }
            }
        }
    }

    /// Whether the container may get its stop signal now: at once, but for
    /// a sidecar in an ending pod, which waits until every other container
    /// and every sidecar after it has exited.
    fn has_turn(&self, id: Id) -> bool {
        let Some(slot) = self.slots.get(id) else {
            return false;
        };
        if slot.kind != Kind::Sidecar || slot.stop_reason() != Some(StopWhy::Pod) {
            return true;
        }
        self.slots.iter().enumerate().all(|(other, s)| {
            !s.is_active() || other == id || (s.kind == Kind::Sidecar && other < id)
        })
    }

    /// The pod's exit code: 0 when it succeeded, else the code of the first
    /// failed container in spec order, init containers first (sidecars do
    /// not count).
    ///
    /// A pod stopped by `activeDeadlineSeconds` is Failed even when its
    /// containers exited 0 on SIGTERM: it exits 1 then.
    pub fn exit_code(&self) -> u8 {
        let failed = self
            .slots
            .iter()
            .filter(|s| s.kind != Kind::Sidecar)
            .filter_map(|s| s.last.as_ref())
            .find(|e| !e.succeeded())
            .map_or(0, |e| e.code);
        if failed == 0 && self.end_reason() == Some(EndReason::DeadlineExceeded) {
            1
        } else {
            failed
        }
    }

    /// The phase, by the kubelet's rules.
    pub fn phase(&self) -> Phase {
        if matches!(
            self.end_reason(),
            Some(EndReason::InitFailed | EndReason::DeadlineExceeded)
        ) {
            return Phase::Failed;
        }
        let apps: Vec<&Slot> = self.slots.iter().filter(|s| s.kind == Kind::App).collect();
        let finished = self.exited.is_some()
            || (self.termination.is_some() && self.slots.iter().all(|s| !s.is_active()));
        if finished {
            return if self.exit_code() == 0
                && apps
                    .iter()
                    .all(|s| s.last.as_ref().is_some_and(Ended::succeeded))
            {
                Phase::Succeeded
            } else {
                Phase::Failed
            };
        }
        if !self.initialized() && apps.iter().all(|s| !s.ever_started()) {
            return Phase::Pending;
        }
        // getPhase counts an app container that is waiting and never
        // ended (not started yet, or forked but not running) before the
        // running ones: the pod stays Pending until every app container
        // has started once.
        let waiting = |s: &&Slot| {
            s.last.is_none() && matches!(s.state, State::Waiting { .. } | State::Starting { .. })
        };
        if apps.iter().any(waiting) {
            return Phase::Pending;
        }
        if apps.iter().any(|s| s.is_active()) {
            return Phase::Running;
        }
        if apps.iter().any(|s| matches!(s.state, State::Waiting { reason, .. } if reason != WaitReason::CrashLoopBackOff)) {
            return Phase::Pending;
        }
        // Every app container stopped, not ending yet.
        match self.policy {
            RestartPolicy::Always | RestartPolicy::OnFailure => Phase::Running,
            RestartPolicy::Never => Phase::Failed,
        }
    }

    /// When `tick` has something to do next without any event: the end of
    /// a back-off, of a preStop's or a grace period, of the pod's deadline.
    pub fn next_deadline(&self) -> Option<Instant> {
        if self.exited.is_some() || self.killing_at_once() {
            return None;
        }
        let stops = self.slots.iter().filter_map(|s| {
            let stopping = s.stopping.filter(|_| s.is_active() && !s.killed)?;
            match stopping.step {
                StopStep::Signalled { kill_at } => Some(kill_at),
                StopStep::Begin | StopStep::PreStop | StopStep::Turn => Some(stopping.deadline),
            }
        });
        // While a postStart hook holds every start, the end of a back-off
        // is no reason to wake: the hook's end is an event of its own.
        let held = self.slots.iter().any(Slot::holds_starts);
        let waits = self.slots.iter().filter_map(|s| match s.state {
            State::Waiting { until, .. } if self.termination.is_none() && !held => until,
            _ => None,
        });
        let active = self.active_until.filter(|_| self.termination.is_none());
        stops.chain(waits).chain(active).min()
    }
}

#[cfg(test)]
mod tests;
