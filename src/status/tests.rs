//! Status from the state machine, table by table.
//!
//! A scene is a pod driven through `crate::pod::Pod`'s public API at whole
//! seconds after `t0`, with a fixed clock: second `s` of a scene is the wall
//! time `time(s)`, so times compare as exact strings.

use std::time::{Duration, Instant, UNIX_EPOCH};

use super::build::{Clock, Facts, Tracker, container_id, go_duration, qos_class};
use super::events::{LIMIT, Recorder, Type};
use super::model::{ContainerState, ContainerStatus, PodStatus, Running, Terminated, Waiting};
use crate::pod::{Action, BackoffConfig, Id, Pod};
use crate::spec::plan::{PodPlan, plan_of};
use crate::sys::{ExitStatus, Signal};

const UID: &str = "6f1c2a3e-0b7d-4c55-9e21-7a8b9c0d1e2f";

/// 2023-11-14T22:13:00Z, the wall time of second 0.
const BASE: u64 = 1_699_999_980;

/// The wall time of second `s` of a scene (up to the hour's end).
fn time(s: u64) -> String {
    format!("2023-11-14T22:{:02}:{:02}Z", 13 + s / 60, s % 60)
}

/// A container in a YAML flow map, with more fields in `extra`.
fn c(name: &str) -> String {
    format!("{{name: {name}, image: /, command: [x]}}")
}

fn c_with(name: &str, extra: &str) -> String {
    format!("{{name: {name}, image: /, command: [x], {extra}}}")
}

fn sidecar(name: &str) -> String {
    c_with(name, "restartPolicy: Always")
}

const READINESS: &str = "readinessProbe: {exec: {command: [p]}}";
const STARTUP: &str = "startupProbe: {exec: {command: [p]}}";

/// The pod `web` in `default`; `extra` adds lines under `spec:`.
fn manifest_with(policy: &str, extra: &str, init: &[String], apps: &[String]) -> String {
    let mut text = format!(
        "apiVersion: v1\nkind: Pod\nmetadata: {{name: web}}\nspec:\n  restartPolicy: {policy}\n{extra}"
    );
    if !init.is_empty() {
        text.push_str("  initContainers:\n");
        for one in init {
            text.push_str(&format!("  - {one}\n"));
        }
    }
    text.push_str("  containers:\n");
    for one in apps {
        text.push_str(&format!("  - {one}\n"));
    }
    text
}

fn manifest(policy: &str, init: &[String], apps: &[String]) -> String {
    manifest_with(policy, "", init, apps)
}

/// What happens at a second of a scene; every event but `Look` is followed
/// by a tick, as the driver does.
#[derive(Debug, Clone, Copy)]
enum Ev {
    /// Nothing: only look at the status.
    Look,
    Tick,
    /// The container's program runs.
    Run(&'static str),
    Exit(&'static str, u8),
    Killed(&'static str, Signal),
    Ready(&'static str, bool),
    StartupOk(&'static str),
    Stop,
}

struct Scene {
    plan: PodPlan,
    pod: Pod,
    tracker: Tracker,
    t0: Instant,
}

impl Scene {
    fn new(text: &str) -> Self {
        let plan = plan_of(text);
        let t0 = Instant::now();
        let clock = Clock::at(t0, UNIX_EPOCH + Duration::from_secs(BASE));
        Self {
            pod: Pod::new(&plan, BackoffConfig::default()),
            tracker: Tracker::new(clock, t0),
            plan,
            t0,
        }
    }

    fn at(&self, s: u64) -> Instant {
        self.t0 + Duration::from_secs(s)
    }

    fn id(&self, name: &str) -> Id {
        self.pod.slots.iter().position(|s| s.name == name).unwrap()
    }

    fn tick(&mut self, s: u64) -> Vec<Action> {
        let mut actions = Vec::new();
        self.pod.tick(self.at(s), &mut actions);
        actions
    }

    fn apply(&mut self, s: u64, event: Ev) -> Vec<Action> {
        let now = self.at(s);
        match event {
            Ev::Look => return Vec::new(),
            Ev::Tick => {}
            Ev::Run(name) => self.pod.started(self.id(name), now),
            Ev::Exit(name, code) => self
                .pod
                .exited(self.id(name), ExitStatus::Exited(code), now),
            Ev::Killed(name, signal) => self.pod.exited(
                self.id(name),
                ExitStatus::Signaled {
                    signal,
                    core: false,
                },
                now,
            ),
            Ev::Ready(name, ready) => self.pod.set_ready(self.id(name), ready),
            Ev::StartupOk(name) => self.pod.startup_succeeded(self.id(name)),
            Ev::Stop => self.pod.stop(now, false),
        }
        self.tick(s)
    }

    /// Applies each (second, event) in turn.
    fn script(&mut self, steps: &[(u64, Ev)]) {
        for (s, event) in steps {
            self.apply(*s, *event);
        }
    }

    fn status(&mut self, s: u64) -> PodStatus {
        let facts = Facts {
            plan: &self.plan,
            uid: UID.into(),
            pod_ip: "10.88.0.7".into(),
            host_ip: "192.168.1.20".into(),
            image_ids: (0..self.pod.slots.len())
                .map(|i| format!("sha256:{i:064}"))
                .collect(),
        };
        let now = self.at(s);
        self.tracker.status(&self.pod, &facts, now)
    }
}

fn container<'a>(status: &'a PodStatus, name: &str) -> &'a ContainerStatus {
    status
        .init_container_statuses
        .iter()
        .chain(&status.container_statuses)
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no status for {name}: {status:#?}"))
}

/// A condition as (status, reason, message).
type Cond<'a> = (&'a str, Option<&'a str>, Option<&'a str>);

fn cond<'a>(status: &'a PodStatus, kind: &str) -> Cond<'a> {
    let c = status
        .conditions
        .iter()
        .find(|c| c.kind == kind)
        .unwrap_or_else(|| panic!("no condition {kind}"));
    (c.status.as_str(), c.reason.as_deref(), c.message.as_deref())
}

fn since(status: &PodStatus, kind: &str) -> String {
    status
        .conditions
        .iter()
        .find(|c| c.kind == kind)
        .and_then(|c| c.last_transition_time.clone())
        .unwrap()
}

fn waiting(reason: &str, message: Option<&str>) -> ContainerState {
    ContainerState {
        waiting: Some(Waiting {
            reason: reason.into(),
            message: message.map(str::to_owned),
        }),
        ..ContainerState::default()
    }
}

fn running(s: u64) -> ContainerState {
    ContainerState {
        running: Some(Running {
            started_at: time(s),
        }),
        ..ContainerState::default()
    }
}

fn id_of(name: &str, restart: u32) -> Option<String> {
    Some(format!("podinit://{UID}/{name}/{restart}"))
}

const TRUE: Cond = ("True", None, None);

// ---- Pod-level fields ----------------------------------------------------

#[test]
fn the_pod_fields_come_from_the_facts_and_the_start() {
    let mut scene = Scene::new(&manifest("Always", &[c("init")], &[c("a")]));
    let status = scene.status(3);
    assert_eq!(status.phase, "Pending");
    assert_eq!(status.host_ip.as_deref(), Some("192.168.1.20"));
    assert_eq!(status.host_ips[0].ip, "192.168.1.20");
    assert_eq!(status.pod_ip.as_deref(), Some("10.88.0.7"));
    assert_eq!(status.pod_ips[0].ip, "10.88.0.7");
    assert_eq!(status.start_time.as_deref(), Some(time(0).as_str()));
    assert_eq!(status.qos_class, "BestEffort");
    assert_eq!(
        (status.reason.as_ref(), status.message.as_ref()),
        (None, None)
    );
    // Init containers and app containers in their lists, with their image
    // from the plan and their image id by container id.
    assert_eq!(status.init_container_statuses.len(), 1);
    assert_eq!(status.container_statuses.len(), 1);
    let a = container(&status, "a");
    assert_eq!(a.image, scene.plan.containers[0].image);
    assert_eq!(a.image_id, format!("sha256:{:064}", 1));
    assert_eq!(
        container(&status, "init").image_id,
        format!("sha256:{:064}", 0)
    );
}

#[test]
fn conditions_are_listed_in_the_kubelets_order() {
    let mut scene = Scene::new(&manifest("Always", &[], &[c("a")]));
    let kinds: Vec<String> = scene
        .status(0)
        .conditions
        .into_iter()
        .map(|c| c.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            "PodReadyToStartContainers",
            "Initialized",
            "Ready",
            "ContainersReady",
            "PodScheduled"
        ]
    );
}

// ---- Phase and conditions ------------------------------------------------

#[test]
fn conditions_follow_the_pod_from_init_to_completion() {
    let mut scene = Scene::new(&manifest("Never", &[c("init")], &[c("a"), c("b")]));
    let not_init: Cond = (
        "False",
        Some("ContainersNotInitialized"),
        Some("containers with incomplete status: [init]"),
    );
    let unready_ab: Cond = (
        "False",
        Some("ContainersNotReady"),
        Some("containers with unready status: [a b]"),
    );
    let unready_a: Cond = (
        "False",
        Some("ContainersNotReady"),
        Some("containers with unready status: [a]"),
    );
    let completed: Cond = ("False", Some("PodCompleted"), None);
    // (second, event, phase, PodReadyToStartContainers, Initialized, Ready)
    let script: &[(u64, Ev, &str, Cond, Cond, Cond)] = &[
        (0, Ev::Look, "Pending", TRUE, not_init, unready_ab),
        (0, Ev::Tick, "Pending", TRUE, not_init, unready_ab),
        (1, Ev::Run("init"), "Pending", TRUE, not_init, unready_ab),
        // getPhase: Pending while an app container has not started yet.
        (2, Ev::Exit("init", 0), "Pending", TRUE, TRUE, unready_ab),
        (
            3,
            Ev::Run("a"),
            "Pending",
            TRUE,
            TRUE,
            (
                "False",
                Some("ContainersNotReady"),
                Some("containers with unready status: [b]"),
            ),
        ),
        (3, Ev::Run("b"), "Running", TRUE, TRUE, TRUE),
        (4, Ev::Exit("a", 0), "Running", TRUE, TRUE, unready_a),
        // b done: the pod completes.
        (
            5,
            Ev::Exit("b", 0),
            "Succeeded",
            ("False", None, None),
            ("True", Some("PodCompleted"), None),
            completed,
        ),
    ];
    for (n, (s, event, phase, sandbox, initialized, ready)) in script.iter().enumerate() {
        scene.apply(*s, *event);
        let status = scene.status(*s);
        let got = (
            status.phase.as_str(),
            cond(&status, "PodReadyToStartContainers"),
            cond(&status, "Initialized"),
            cond(&status, "Ready"),
        );
        assert_eq!(
            got,
            (*phase, *sandbox, *initialized, *ready),
            "step {n}: {event:?} at {s}s"
        );
        // ContainersReady says what Ready says (no readiness gates).
        assert_eq!(cond(&status, "ContainersReady"), *ready, "step {n}");
        assert_eq!(cond(&status, "PodScheduled"), TRUE, "step {n}");
    }
}

#[test]
fn a_failed_app_under_never_fails_the_pod() {
    let mut scene = Scene::new(&manifest("Never", &[], &[c("a"), c("b")]));
    scene.script(&[
        (0, Ev::Tick),
        (0, Ev::Run("a")),
        (0, Ev::Run("b")),
        (1, Ev::Exit("a", 3)),
    ]);
    // b still runs: Running.
    assert_eq!(scene.status(1).phase, "Running");
    scene.apply(2, Ev::Exit("b", 0));
    let status = scene.status(2);
    assert_eq!(status.phase, "Failed");
    // No PodCompleted for a failed pod.
    assert_eq!(cond(&status, "Initialized"), TRUE);
    assert_eq!(
        cond(&status, "PodReadyToStartContainers"),
        ("False", None, None)
    );
}

#[test]

fn a_failed_pod_is_not_ready_with_reason_pod_failed() {
    let mut scene = Scene::new(&manifest("Never", &[], &[c("a")]));
    scene.script(&[(0, Ev::Tick), (0, Ev::Run("a")), (1, Ev::Exit("a", 3))]);
    let status = scene.status(1);
    assert_eq!(status.phase, "Failed");
    assert_eq!(cond(&status, "Ready"), ("False", Some("PodFailed"), None));
    assert_eq!(
        cond(&status, "ContainersReady"),
        ("False", Some("PodFailed"), None)
    );
}

#[test]
fn a_restarting_app_keeps_an_always_pod_running() {
    // (policy, exit code, phase after the exit of the only app)
    let cases = [
        ("Always", 0, "Running"),
        ("Always", 1, "Running"),
        ("OnFailure", 1, "Running"),
        ("OnFailure", 0, "Succeeded"),
        ("Never", 0, "Succeeded"),
        ("Never", 1, "Failed"),
    ];
    for (policy, code, phase) in cases {
        let mut scene = Scene::new(&manifest(policy, &[], &[c("a")]));
        scene.script(&[(0, Ev::Tick), (0, Ev::Run("a")), (1, Ev::Exit("a", code))]);
        assert_eq!(scene.status(1).phase, phase, "{policy} exit {code}");
    }
}

#[test]

fn an_app_container_still_waiting_keeps_the_pod_pending() {
    let mut scene = Scene::new(&manifest("Always", &[], &[c("a"), c("b")]));
    scene.script(&[(0, Ev::Tick), (0, Ev::Run("a"))]);
    let status = scene.status(0);
    assert_eq!(
        container(&status, "b").state,
        waiting("ContainerCreating", None)
    );
    assert_eq!(status.phase, "Pending");
}

#[test]
fn last_transition_time_moves_only_when_the_status_flips() {
    let mut scene = Scene::new(&manifest("Always", &[], &[c("a"), c("b")]));
    // The first look, 4 s after the start: what is true dates from the
    // start, what is false from now.
    scene.apply(4, Ev::Tick);
    let status = scene.status(4);
    assert_eq!(since(&status, "PodScheduled"), time(0));
    assert_eq!(since(&status, "Initialized"), time(0));
    assert_eq!(since(&status, "PodReadyToStartContainers"), time(0));
    assert_eq!(since(&status, "Ready"), time(4));
    assert_eq!(since(&status, "ContainersReady"), time(4));
    // (second, event, Ready's status, its message, its lastTransitionTime)
    let script: &[(u64, Ev, &str, Option<&str>, u64)] = &[
        // The message changes, the status does not: the time stays.
        (
            5,
            Ev::Run("a"),
            "False",
            Some("containers with unready status: [b]"),
            4,
        ),
        (6, Ev::Run("b"), "True", None, 6),
        (8, Ev::Look, "True", None, 6),
        // a restarts at once: not ready while it starts.
        (
            9,
            Ev::Exit("a", 1),
            "False",
            Some("containers with unready status: [a]"),
            9,
        ),
        (
            10,
            Ev::Look,
            "False",
            Some("containers with unready status: [a]"),
            9,
        ),
        (11, Ev::Run("a"), "True", None, 11),
    ];
    for (s, event, ok, message, at) in script {
        scene.apply(*s, *event);
        let status = scene.status(*s);
        let (got_ok, _, got_message) = cond(&status, "Ready");
        assert_eq!((got_ok, got_message), (*ok, *message), "{event:?} at {s}s");
        assert_eq!(since(&status, "Ready"), time(*at), "{event:?} at {s}s");
        assert_eq!(
            since(&status, "ContainersReady"),
            time(*at),
            "{event:?} at {s}s"
        );
        assert_eq!(since(&status, "PodScheduled"), time(0));
    }
}

#[test]
fn a_sidecar_counts_for_readiness() {
    let s = c_with("s", &format!("restartPolicy: Always, {READINESS}"));
    let mut scene = Scene::new(&manifest("Always", &[c("init"), s], &[c("a")]));
    scene.script(&[
        (0, Ev::Tick),
        (0, Ev::Run("init")),
        (1, Ev::Exit("init", 0)),
        (1, Ev::Run("s")),
        (2, Ev::Run("a")),
    ]);
    let status = scene.status(2);
    // The regular init container is not listed; the sidecar is, first.
    assert_eq!(
        cond(&status, "Ready"),
        (
            "False",
            Some("ContainersNotReady"),
            Some("containers with unready status: [s]")
        )
    );
    let s = container(&status, "s");
    assert_eq!((s.ready, s.started), (false, Some(true)));
    scene.apply(3, Ev::Ready("s", true));
    let status = scene.status(3);
    assert_eq!(cond(&status, "Ready"), TRUE);
    assert_eq!(cond(&status, "ContainersReady"), TRUE);
    assert!(container(&status, "s").ready);
}

#[test]
fn unready_sidecars_and_apps_are_listed_in_spec_order() {
    let mut scene = Scene::new(&manifest(
        "Always",
        &[sidecar("s1"), sidecar("s2")],
        &[c("a"), c("b")],
    ));
    assert_eq!(
        cond(&scene.status(0), "ContainersReady").2,
        Some("containers with unready status: [s1 s2 a b]")
    );
    // Sidecars not started yet hold the pod's initialization.
    assert_eq!(
        cond(&scene.status(0), "Initialized").2,
        Some("containers with incomplete status: [s1 s2]")
    );
    scene.script(&[
        (0, Ev::Tick),
        (0, Ev::Run("s1")),
        (0, Ev::Run("s2")),
        (0, Ev::Run("b")),
    ]);
    let status = scene.status(0);
    assert_eq!(cond(&status, "Initialized"), TRUE);
    assert_eq!(
        cond(&status, "ContainersReady").2,
        Some("containers with unready status: [a]")
    );
}

#[test]
fn a_restarting_sidecar_is_incomplete_until_an_app_started() {
    let mut scene = Scene::new(&manifest("Always", &[sidecar("s"), c("i")], &[c("a")]));
    scene.script(&[
        (0, Ev::Tick),
        (0, Ev::Run("s")),
        (1, Ev::Run("i")),
        // The sidecar dies while i runs: restarted at once, not started.
        (2, Ev::Exit("s", 1)),
    ]);
    let status = scene.status(2);
    assert_eq!(container(&status, "s").started, Some(false));
    assert_eq!(
        cond(&status, "Initialized"),
        (
            "False",
            Some("ContainersNotInitialized"),
            Some("containers with incomplete status: [s i]")
        )
    );
}

#[test]
fn a_failed_init_container_under_never_fails_the_pod() {
    let mut scene = Scene::new(&manifest("Never", &[c("i1"), c("i2")], &[c("a")]));
    scene.script(&[
        (0, Ev::Tick),
        (0, Ev::Run("i1")),
        (1, Ev::Exit("i1", 0)),
        (1, Ev::Run("i2")),
    ]);
    assert_eq!(
        cond(&scene.status(1), "Initialized").2,
        Some("containers with incomplete status: [i2]")
    );
    scene.apply(2, Ev::Exit("i2", 4));
    let status = scene.status(2);
    assert_eq!(status.phase, "Failed");
    assert_eq!(
        cond(&status, "Initialized"),
        (
            "False",
            Some("ContainersNotInitialized"),
            Some("containers with incomplete status: [i2]")
        )
    );
    let i2 = container(&status, "i2");
    assert_eq!(i2.state.terminated.as_ref().unwrap().exit_code, 4);
    assert_eq!(i2.state.terminated.as_ref().unwrap().reason, "Error");
}

#[test]

fn containers_that_never_started_keep_waiting_when_init_failed() {
    let mut scene = Scene::new(&manifest("Never", &[c("i1"), c("i2")], &[c("a")]));
    scene.script(&[(0, Ev::Tick), (0, Ev::Run("i1")), (1, Ev::Exit("i1", 1))]);
    let status = scene.status(1);
    assert_eq!(status.phase, "Failed");
    assert_eq!(
        container(&status, "i2").state,
        waiting("PodInitializing", None)
    );
    assert_eq!(
        container(&status, "a").state,
        waiting("PodInitializing", None)
    );
}

#[test]
fn deadline_exceeded_fails_the_pod_with_its_reason() {
    let mut scene = Scene::new(&manifest_with(
        "Always",
        "  activeDeadlineSeconds: 5\n  terminationGracePeriodSeconds: 2\n",
        &[],
        &[c("a")],
    ));
    scene.script(&[(0, Ev::Tick), (0, Ev::Run("a")), (4, Ev::Tick)]);
    let status = scene.status(4);
    assert_eq!(
        (status.phase.as_str(), status.reason.as_deref()),
        ("Running", None)
    );
    // At the deadline the pod is Failed at once, while a is being stopped.
    scene.apply(5, Ev::Tick);
    let expected_message = "Pod was active on the node longer than the specified deadline";
    for s in [5, 6] {
        if s == 6 {
            // Exit 0 on SIGTERM: still Failed.
            scene.apply(6, Ev::Exit("a", 0));
        }
        let status = scene.status(s);
        assert_eq!(status.phase, "Failed", "at {s}s");
        assert_eq!(
            status.reason.as_deref(),
            Some("DeadlineExceeded"),
            "at {s}s"
        );
        assert_eq!(status.message.as_deref(), Some(expected_message), "at {s}s");
    }
}

#[test]
fn a_stopped_pod_whose_app_died_of_sigterm_is_failed() {
    let mut scene = Scene::new(&manifest("Always", &[], &[c("a")]));
    scene.script(&[
        (0, Ev::Tick),
        (0, Ev::Run("a")),
        (1, Ev::Stop),
        (2, Ev::Killed("a", Signal::TERM)),
    ]);
    let status = scene.status(2);
    assert_eq!(status.phase, "Failed");
    assert_eq!(status.reason, None);
    let a = container(&status, "a");
    let ended = a.state.terminated.as_ref().unwrap();
    assert_eq!((ended.exit_code, ended.signal), (143, Some(15)));
    assert_eq!(cond(&status, "PodReadyToStartContainers").0, "False");
}

// ---- Container states ----------------------------------------------------

#[test]
fn waiting_reasons_before_a_container_runs() {
    // (init containers, container, when: 0 before the first tick, 1 after
    // it, expected waiting reason)
    let cases: &[(&[&str], &str, u8, &str)] = &[
        (&[], "a", 0, "ContainerCreating"),
        // Forked, not yet running its program.
        (&[], "a", 1, "ContainerCreating"),
        (&["init"], "a", 0, "PodInitializing"),
        (&["init"], "a", 1, "PodInitializing"),
        (&["init"], "init", 0, "PodInitializing"),
        (&["init"], "init", 1, "ContainerCreating"),
    ];
    for (inits, name, when, reason) in cases {
        let inits: Vec<String> = inits.iter().map(|n| c(n)).collect();
        let mut scene = Scene::new(&manifest("Always", &inits, &[c("a")]));
        if *when == 1 {
            scene.apply(0, Ev::Tick);
        }
        let status = scene.status(0);
        let one = container(&status, name);
        assert_eq!(one.state, waiting(reason, None), "{inits:?} {name} {when}");
        assert_eq!(
            one.last_state,
            ContainerState::default(),
            "{inits:?} {name}"
        );
        assert_eq!(
            (one.ready, one.started, one.restart_count),
            (false, Some(false), 0)
        );
        // A forked container has its id; one never started has none.
        let started = *when == 1 && (inits.is_empty() || *name == "init");
        assert_eq!(
            one.container_id,
            started.then(|| id_of(name, 0).unwrap()),
            "{inits:?} {name} {when}"
        );
    }
}

#[test]
fn a_running_container_is_started_and_ready_without_probes() {
    let mut scene = Scene::new(&manifest("Always", &[], &[c("a")]));
    scene.script(&[(0, Ev::Tick), (3, Ev::Run("a"))]);
    let status = scene.status(4);
    let a = container(&status, "a");
    assert_eq!(a.state, running(3));
    assert_eq!(a.last_state, ContainerState::default());
    assert_eq!((a.ready, a.started, a.restart_count), (true, Some(true), 0));
    assert_eq!(a.container_id, id_of("a", 0));
}

#[test]
fn probes_hold_started_and_ready() {
    let a = c_with("a", &format!("{STARTUP}, {READINESS}"));
    let mut scene = Scene::new(&manifest("Always", &[], &[a]));
    scene.script(&[(0, Ev::Tick), (0, Ev::Run("a"))]);
    // (event, started, ready)
    let script: &[(Ev, bool, bool)] = &[
        (Ev::Look, false, false),
        // Readiness is not acted on before the startup probe passed.
        (Ev::Ready("a", true), false, false),
        (Ev::StartupOk("a"), true, true),
        (Ev::Ready("a", false), true, false),
        (Ev::Ready("a", true), true, true),
    ];
    for (event, started, ready) in script {
        scene.apply(1, *event);
        let status = scene.status(1);
        let a = container(&status, "a");
        assert_eq!((a.started, a.ready), (Some(*started), *ready), "{event:?}");
        assert_eq!(cond(&status, "Ready").0 == "True", *ready, "{event:?}");
    }
}

#[test]
fn a_crash_loop_waits_with_the_kubelets_back_off_message() {
    let mut scene = Scene::new(&manifest("Always", &[], &[c("app")]));
    scene.script(&[(0, Ev::Tick), (0, Ev::Run("app"))]);
    // The first exit restarts at once.
    scene.script(&[(5, Ev::Exit("app", 1))]);
    let status = scene.status(5);
    let app = container(&status, "app");
    assert_eq!(app.state, waiting("ContainerCreating", None));
    assert_eq!(app.restart_count, 1);
    assert_eq!(app.container_id, id_of("app", 1));
    assert_eq!(
        app.last_state.terminated.as_ref().unwrap().container_id,
        id_of("app", 0)
    );
    scene.apply(5, Ev::Run("app"));
    // The second waits 10 s, the third 20 s.
    let loops: &[(u64, u64, &str)] = &[(6, 16, "10s"), (17, 37, "20s")];
    for (n, (exit, restart, wait)) in loops.iter().enumerate() {
        let restarts = n as u32 + 1;
        scene.apply(*exit, Ev::Exit("app", 2));
        let status = scene.status(*exit);
        assert_eq!(status.phase, "Running");
        let app = container(&status, "app");
        let message =
            format!("back-off {wait} restarting failed container=app pod=web_default({UID})");
        assert_eq!(app.state, waiting("CrashLoopBackOff", Some(&message)));
        assert_eq!(app.restart_count, restarts);
        assert_eq!((app.ready, app.started), (false, Some(false)));
        // The id is the instance that ended, as is its lastState's.
        assert_eq!(app.container_id, id_of("app", restarts));
        let last = app.last_state.terminated.as_ref().unwrap();
        assert_eq!(last.exit_code, 2);
        assert_eq!(last.reason, "Error");
        assert_eq!(last.finished_at, time(*exit));
        assert_eq!(last.container_id, id_of("app", restarts));
        assert_eq!(
            cond(&status, "Ready").2,
            Some("containers with unready status: [app]")
        );
        // Restarted at the end of the back-off.
        assert!(scene.apply(*restart - 1, Ev::Tick).is_empty());
        assert_eq!(scene.apply(*restart, Ev::Tick), [Action::Start(0)]);
        scene.apply(*restart, Ev::Run("app"));
        let status = scene.status(*restart);
        let app = container(&status, "app");
        assert_eq!(app.state, running(*restart));
        assert_eq!(app.restart_count, restarts + 1);
        assert_eq!(app.container_id, id_of("app", restarts + 1));
        assert_eq!(
            app.last_state.terminated.as_ref().unwrap().container_id,
            id_of("app", restarts)
        );
    }
}

#[test]
fn terminated_states_carry_code_signal_reason_and_message() {
    #[derive(Debug, Clone, Copy)]
    enum End {
        Code(u8),
        Signal(Signal),
        Message(u8, &'static str),
        StartError,
    }
    /// (how it ended, exitCode, signal, reason, message, ran)
    type Case = (
        End,
        i32,
        Option<i32>,
        &'static str,
        Option<&'static str>,
        bool,
    );
    let cases: &[Case] = &[
        (End::Code(0), 0, None, "Completed", None, true),
        (End::Code(3), 3, None, "Error", None, true),
        (
            End::Signal(Signal::TERM),
            143,
            Some(15),
            "Error",
            None,
            true,
        ),
        (End::Signal(Signal::KILL), 137, Some(9), "Error", None, true),
        (
            End::Message(1, "disk full"),
            1,
            None,
            "Error",
            Some("disk full"),
            true,
        ),
        (
            End::Message(0, "done"),
            0,
            None,
            "Completed",
            Some("done"),
            true,
        ),
        (
            End::StartError,
            128,
            None,
            "StartError",
            Some("exec: no such file"),
            false,
        ),
    ];
    for (end, code, signal, reason, message, ran) in cases {
        let mut scene = Scene::new(&manifest("Never", &[], &[c("a")]));
        scene.apply(0, Ev::Tick);
        if *ran {
            scene.apply(2, Ev::Run("a"));
        }
        let now = scene.at(7);
        match *end {
            End::Code(code) => scene.pod.exited(0, ExitStatus::Exited(code), now),
            End::Signal(signal) => scene.pod.exited(
                0,
                ExitStatus::Signaled {
                    signal,
                    core: false,
                },
                now,
            ),
            End::Message(code, text) => {
                scene
                    .pod
                    .exited_with_message(0, ExitStatus::Exited(code), text.into(), now)
            }
            End::StartError => scene.pod.start_failed(0, "exec: no such file".into(), now),
        }
        scene.tick(7);
        let status = scene.status(7);
        let a = container(&status, "a");
        let expected = Terminated {
            exit_code: *code,
            signal: *signal,
            reason: (*reason).into(),
            message: message.map(str::to_owned),
            started_at: ran.then(|| time(2)),
            finished_at: time(7),
            container_id: id_of("a", 0),
        };
        assert_eq!(a.state.terminated.as_ref(), Some(&expected), "{end:?}");
        assert_eq!(
            (a.state.waiting.as_ref(), a.state.running.as_ref()),
            (None, None)
        );
        assert_eq!(a.last_state, ContainerState::default(), "{end:?}");
        assert_eq!(
            (a.ready, a.started, a.restart_count),
            (false, Some(false), 0)
        );
        assert_eq!(a.container_id, id_of("a", 0));
    }
}

#[test]
fn a_terminated_container_shows_the_instance_before_as_last_state() {
    let mut scene = Scene::new(&manifest("OnFailure", &[], &[c("a")]));
    scene.script(&[
        (0, Ev::Tick),
        (1, Ev::Run("a")),
        (2, Ev::Exit("a", 1)),
        (3, Ev::Run("a")),
        (4, Ev::Exit("a", 0)),
    ]);
    let status = scene.status(4);
    assert_eq!(status.phase, "Succeeded");
    let a = container(&status, "a");
    assert_eq!(a.restart_count, 1);
    assert_eq!(a.container_id, id_of("a", 1));
    let now = a.state.terminated.as_ref().unwrap();
    assert_eq!(
        (
            now.exit_code,
            now.reason.as_str(),
            now.started_at.clone(),
            now.finished_at.clone()
        ),
        (0, "Completed", Some(time(3)), time(4))
    );
    assert_eq!(now.container_id, id_of("a", 1));
    let before = a.last_state.terminated.as_ref().unwrap();
    assert_eq!(
        (
            before.exit_code,
            before.reason.as_str(),
            before.started_at.clone(),
            before.finished_at.clone()
        ),
        (1, "Error", Some(time(1)), time(2))
    );
    assert_eq!(before.container_id, id_of("a", 0));
}

#[test]
fn a_completed_init_container_is_terminated_and_not_started() {
    let mut scene = Scene::new(&manifest("Always", &[c("init")], &[c("a")]));
    scene.script(&[
        (0, Ev::Tick),
        (1, Ev::Run("init")),
        (2, Ev::Exit("init", 0)),
    ]);
    let status = scene.status(2);
    let init = container(&status, "init");
    let ended = init.state.terminated.as_ref().unwrap();
    assert_eq!((ended.exit_code, ended.reason.as_str()), (0, "Completed"));
    assert_eq!((init.started, init.restart_count), (Some(false), 0));
    assert_eq!(init.container_id, id_of("init", 0));
    assert_eq!(cond(&status, "Initialized"), TRUE);
}

#[test]

fn a_completed_init_container_is_ready() {
    let mut scene = Scene::new(&manifest("Always", &[c("init")], &[c("a")]));
    scene.script(&[
        (0, Ev::Tick),
        (1, Ev::Run("init")),
        (2, Ev::Exit("init", 0)),
    ]);
    assert!(container(&scene.status(2), "init").ready);
}

#[test]
fn container_ids_name_the_pod_the_container_and_the_instance() {
    assert_eq!(container_id("u-1", "web", 0), "podinit://u-1/web/0");
    assert_eq!(container_id("u-1", "web", 12), "podinit://u-1/web/12");
}

// ---- QoS class -------------------------------------------------------------

#[test]
fn qos_class_by_requests_and_limits() {
    let res = |name: &str, resources: &str| c_with(name, &format!("resources: {resources}"));
    let full = "{limits: {cpu: 500m, memory: 128Mi}}";
    // (init containers, app containers, class)
    let cases: &[(Vec<String>, Vec<String>, &str)] = &[
        (vec![], vec![c("a")], "BestEffort"),
        (vec![], vec![c("a"), c("b")], "BestEffort"),
        // Only CPU and memory count.
        (
            vec![],
            vec![res("a", "{limits: {ephemeral-storage: 1Gi}}")],
            "BestEffort",
        ),
        (
            vec![],
            vec![res("a", "{requests: {memory: 64Mi}}")],
            "Burstable",
        ),
        (
            vec![],
            vec![res("a", "{limits: {cpu: \"1\"}}")],
            "Burstable",
        ),
        // Requests default to the limits.
        (vec![], vec![res("a", full)], "Guaranteed"),
        (
            vec![],
            vec![res(
                "a",
                "{requests: {cpu: 500m, memory: 128Mi}, limits: {cpu: 500m, memory: 128Mi}}",
            )],
            "Guaranteed",
        ),
        // Equal quantities written differently.
        (
            vec![],
            vec![res(
                "a",
                "{requests: {cpu: \"1\", memory: 1Gi}, limits: {cpu: 1000m, memory: 1024Mi}}",
            )],
            "Guaranteed",
        ),
        (
            vec![],
            vec![res(
                "a",
                "{requests: {cpu: 250m}, limits: {cpu: 500m, memory: 128Mi}}",
            )],
            "Burstable",
        ),
        // Every container must be Guaranteed, init containers included.
        (vec![], vec![res("a", full), c("b")], "Burstable"),
        (vec![c("init")], vec![res("a", full)], "Burstable"),
        (vec![res("init", full)], vec![res("a", full)], "Guaranteed"),
        (vec![res("init", full)], vec![c("a")], "Burstable"),
    ];
    for (inits, apps, class) in cases {
        let text = manifest("Always", inits, apps);
        let plan = plan_of(&text);
        assert_eq!(qos_class(&plan), *class, "{inits:?} {apps:?}");
        // And in the status.
        let mut scene = Scene::new(&text);
        assert_eq!(scene.status(0).qos_class, *class, "{inits:?} {apps:?}");
    }
}

#[test]
fn a_limit_without_its_request_counts_as_requested() {
    // A plan built by hand, without the defaulting that copies limits to
    // requests.
    let mut plan = plan_of(&manifest(
        "Always",
        &[],
        &[c_with(
            "a",
            "resources: {limits: {cpu: 500m, memory: 128Mi}}",
        )],
    ));
    plan.containers[0].requests.clear();
    assert_eq!(qos_class(&plan), "Guaranteed");
}

#[test]

fn a_zero_request_does_not_count_for_qos() {
    let plan = plan_of(&manifest(
        "Always",
        &[],
        &[c_with(
            "a",
            "resources: {requests: {cpu: \"0\", memory: \"0\"}}",
        )],
    ));
    assert_eq!(qos_class(&plan), "BestEffort");
}

// ---- Durations and clock ---------------------------------------------------

#[test]
fn go_duration_prints_like_go() {
    let cases = [
        (0, "0s"),
        (1, "1s"),
        (10, "10s"),
        (59, "59s"),
        (60, "1m0s"),
        (80, "1m20s"),
        (160, "2m40s"),
        (300, "5m0s"),
        (3599, "59m59s"),
        (3600, "1h0m0s"),
        (3725, "1h2m5s"),
        (90_000, "25h0m0s"),
    ];
    for (secs, text) in cases {
        assert_eq!(go_duration(Duration::from_secs(secs)), text, "{secs}");
    }
}

#[test]
fn a_clock_maps_instants_to_wall_times_both_ways() {
    let t0 = Instant::now();
    let anchor = t0 + Duration::from_secs(100);
    let clock = Clock::at(anchor, UNIX_EPOCH + Duration::from_secs(BASE + 100));
    assert_eq!(
        clock.wall(anchor),
        UNIX_EPOCH + Duration::from_secs(BASE + 100)
    );
    assert_eq!(clock.text(anchor), time(100));
    assert_eq!(clock.text(anchor + Duration::from_secs(5)), time(105));
    // Before the reading.
    assert_eq!(clock.text(t0), time(0));
    assert_eq!(clock.text(t0 + Duration::from_millis(40_900)), time(40));
    assert_eq!(time(0), "2023-11-14T22:13:00Z");
}

// ---- Events ----------------------------------------------------------------

fn wall(s: u64) -> std::time::SystemTime {
    UNIX_EPOCH + Duration::from_secs(BASE + s)
}

/// An event as (type, reason, fieldPath, message, count, first, last).
type Listed = (String, String, String, String, u32, String, String);

fn listed(recorder: &Recorder) -> Vec<Listed> {
    recorder
        .events()
        .iter()
        .map(|e| {
            (
                e.kind.clone(),
                e.reason.clone(),
                e.field_path.clone(),
                e.message.clone(),
                e.count,
                e.first_timestamp.clone(),
                e.last_timestamp.clone(),
            )
        })
        .collect()
}

#[test]
fn identical_events_are_counted_and_moved_to_the_end() {
    let mut events = Recorder::default();
    events.record(
        Type::Normal,
        "Scheduled",
        None,
        "Successfully assigned",
        wall(0),
    );
    events.record(
        Type::Normal,
        "Started",
        Some("web"),
        "Started container web",
        wall(1),
    );
    events.record(
        Type::Warning,
        "BackOff",
        Some("web"),
        "Back-off restarting failed container web",
        wall(2),
    );
    events.record(
        Type::Normal,
        "Started",
        Some("web"),
        "Started container web",
        wall(12),
    );
    let e =
        |kind: &str, reason: &str, path: &str, message: &str, count: u32, first, last| -> Listed {
            (
                kind.to_owned(),
                reason.to_owned(),
                path.to_owned(),
                message.to_owned(),
                count,
                time(first),
                time(last),
            )
        };
    assert_eq!(
        listed(&events),
        [
            e("Normal", "Scheduled", "", "Successfully assigned", 1, 0, 0),
            e(
                "Warning",
                "BackOff",
                "spec.containers{web}",
                "Back-off restarting failed container web",
                1,
                2,
                2
            ),
            e(
                "Normal",
                "Started",
                "spec.containers{web}",
                "Started container web",
                2,
                1,
                12
            ),
        ]
    );
    assert!(events.events().iter().all(|e| e.source == "kubelet"));
}

#[test]
fn events_differing_in_any_key_are_separate() {
    // (type, reason, container, message) after a first
    // (Normal, Killing, Some("a"), "Stopping container a").
    let cases: &[(Type, &str, Option<&str>, &str, usize)] = &[
        (
            Type::Normal,
            "Killing",
            Some("a"),
            "Stopping container a",
            1,
        ),
        (
            Type::Warning,
            "Killing",
            Some("a"),
            "Stopping container a",
            2,
        ),
        (
            Type::Normal,
            "Stopping",
            Some("a"),
            "Stopping container a",
            2,
        ),
        (
            Type::Normal,
            "Killing",
            Some("b"),
            "Stopping container a",
            2,
        ),
        (Type::Normal, "Killing", None, "Stopping container a", 2),
        (
            Type::Normal,
            "Killing",
            Some("a"),
            "Stopping container b",
            2,
        ),
    ];
    for (kind, reason, container, message, len) in cases {
        let mut events = Recorder::default();
        events.record(
            Type::Normal,
            "Killing",
            Some("a"),
            "Stopping container a",
            wall(0),
        );
        events.record(*kind, reason, *container, message, wall(1));
        assert_eq!(
            events.events().len(),
            *len,
            "{kind:?} {reason} {container:?} {message}"
        );
    }
}

#[test]
fn every_record_moves_the_generation() {
    let mut events = Recorder::default();
    assert_eq!(events.generation(), 0);
    events.record(Type::Normal, "Pulled", Some("a"), "m", wall(0));
    events.record(Type::Normal, "Pulled", Some("a"), "m", wall(1));
    assert_eq!(events.generation(), 2);
    assert_eq!(events.events().len(), 1);
}

#[test]
fn past_the_limit_the_oldest_distinct_event_goes() {
    let mut events = Recorder::default();
    for n in 0..=LIMIT {
        events.record(Type::Normal, &format!("R{n}"), None, "m", wall(0));
    }
    let reasons = |events: &Recorder| -> Vec<String> {
        events.events().iter().map(|e| e.reason.clone()).collect()
    };
    let got = reasons(&events);
    assert_eq!(got.len(), LIMIT);
    assert_eq!(got.first().map(String::as_str), Some("R1"));
    assert_eq!(
        got.last().map(String::as_str),
        Some(format!("R{LIMIT}").as_str())
    );
    // A repeat is counted, not added: nothing goes.
    events.record(Type::Normal, "R1", None, "m", wall(5));
    let got = reasons(&events);
    assert_eq!(got.len(), LIMIT);
    assert_eq!(got.first().map(String::as_str), Some("R2"));
    let last = events.events().last().unwrap();
    assert_eq!((last.reason.as_str(), last.count), ("R1", 2));
    assert_eq!(last.last_timestamp, time(5));
    // A new one pushes out the oldest.
    events.record(Type::Warning, "New", None, "m", wall(6));
    let got = reasons(&events);
    assert_eq!(got.len(), LIMIT);
    assert_eq!(got.first().map(String::as_str), Some("R3"));
    assert_eq!(got.last().map(String::as_str), Some("New"));
}
