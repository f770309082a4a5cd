//! The pod's rules as tables: a script of events at given seconds, and the
//! actions each step must produce.

use std::time::{Duration, Instant};

use super::*;
use crate::spec::plan::plan_of;

/// One step of a script: at second `at`, `event` happens, then `tick`.
#[derive(Debug, Clone, Copy)]
enum Ev {
    Tick,
    /// The container's program runs.
    Run(&'static str),
    Exit(&'static str, u8),
    Killed(&'static str, i32),
    StartFail(&'static str),
    Stop,
    StopNow,
    PostStartOk(&'static str),
    PostStartFail(&'static str),
    PreStopDone(&'static str),
    StartupOk(&'static str),
    /// A liveness failure: killed with the pod's grace.
    LivenessFail(&'static str),
}

fn manifest(policy: &str, grace: u32, inits: &[&str], sidecars: &[&str], apps: &[&str]) -> String {
    let container = |name: &&str| format!("  - {{name: {name}, image: /, command: [x]}}\n");
    let sidecar = |name: &&str| {
        format!("  - {{name: {name}, image: /, command: [x], restartPolicy: Always}}\n")
    };
    let mut text = format!(
        "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  restartPolicy: {policy}\n  terminationGracePeriodSeconds: {grace}\n"
    );
    if !inits.is_empty() || !sidecars.is_empty() {
        text.push_str("  initContainers:\n");
        // In the order of `inits`; the ones also in `sidecars` are sidecars.
        for name in inits {
            if sidecars.contains(name) {
                text.push_str(&sidecar(name));
            } else {
                text.push_str(&container(name));
            }
        }
    }
    text.push_str("  containers:\n");
    for name in apps {
        text.push_str(&container(name));
    }
    text
}

struct Run {
    pod: Pod,
    t0: Instant,
}

impl Run {
    fn new(text: &str, backoff: BackoffConfig) -> Self {
        Self {
            pod: Pod::new(&plan_of(text), backoff),
            t0: Instant::now(),
        }
    }

    fn id(&self, name: &str) -> Id {
        self.pod
            .slots
            .iter()
            .position(|s| s.name == name)
            .unwrap_or_else(|| panic!("no container {name}"))
    }

    fn step(&mut self, at: u64, event: Ev) -> Vec<String> {
        let now = self.t0 + Duration::from_secs(at);
        match event {
            Ev::Tick => {}
            Ev::Run(name) => self.pod.started(self.id(name), now),
            Ev::Exit(name, code) => self
                .pod
                .exited(self.id(name), ExitStatus::Exited(code), now),
            Ev::Killed(name, signal) => self.pod.exited(
                self.id(name),
                ExitStatus::Signaled {
                    signal: Signal::from_raw(signal),
                    core: false,
                },
                now,
            ),
            Ev::StartFail(name) => self
                .pod
                .start_failed(self.id(name), "no such file".into(), now),
            Ev::Stop => self.pod.stop(now, false),
            Ev::StopNow => self.pod.stop(now, true),
            Ev::PostStartOk(name) => self.pod.post_start_done(self.id(name), Ok(()), now),
            Ev::PostStartFail(name) => self.pod.post_start_done(self.id(name), Err(()), now),
            Ev::PreStopDone(name) => self.pod.pre_stop_done(self.id(name)),
            Ev::StartupOk(name) => self.pod.startup_succeeded(self.id(name)),
            Ev::LivenessFail(name) => {
                let grace = self.pod.grace;
                self.pod.kill(self.id(name), StopWhy::Probe, grace, now)
            }
        }
        let mut actions = Vec::new();
        self.pod.tick(now, &mut actions);
        actions
            .iter()
            .map(|a| match a {
                Action::Start(id) => format!("start {}", self.pod.name(*id)),
                Action::Stop(id, signal) => format!("stop {} {signal}", self.pod.name(*id)),
                Action::Kill(id) => format!("kill {}", self.pod.name(*id)),
                Action::Exit(code) => format!("exit {code}"),
                Action::PostStart(id) => format!("postStart {}", self.pod.name(*id)),
                Action::PreStop(id) => format!("preStop {}", self.pod.name(*id)),
            })
            .collect()
    }

    fn next(&self) -> Option<u64> {
        self.pod
            .next_deadline()
            .map(|d| d.saturating_duration_since(self.t0).as_secs())
    }
}

/// Runs `script`: each entry is (second, event, expected actions).
fn check(text: &str, backoff: BackoffConfig, script: &[(u64, Ev, &[&str])]) -> Run {
    let mut run = Run::new(text, backoff);
    for (n, (at, event, expected)) in script.iter().enumerate() {
        let got = run.step(*at, *event);
        assert_eq!(got, *expected, "step {n}: {event:?} at {at}s\n{text}");
    }
    run
}

fn fast() -> BackoffConfig {
    BackoffConfig {
        initial: Duration::from_secs(1),
        max: Duration::from_secs(4),
    }
}

#[test]
fn apps_start_in_order_and_an_always_pod_restarts_them_with_back_off() {
    let run = check(
        &manifest("Always", 30, &[], &[], &["a", "b"]),
        BackoffConfig::default(),
        &[
            (0, Ev::Tick, &["start a", "start b"]),
            (0, Ev::Run("a"), &[]),
            (0, Ev::Run("b"), &[]),
            // First crash: restart at once.
            (5, Ev::Exit("a", 0), &["start a"]),
            (5, Ev::Run("a"), &[]),
            // Second: 10 s later.
            (6, Ev::Exit("a", 1), &[]),
            (15, Ev::Tick, &[]),
            (16, Ev::Tick, &["start a"]),
            (16, Ev::Run("a"), &[]),
            (17, Ev::Exit("a", 1), &[]),
            (36, Ev::Tick, &[]),
            (37, Ev::Tick, &["start a"]),
        ],
    );
    assert_eq!(run.pod.slots[0].restarts, 3);
    assert_eq!(run.pod.phase(), Phase::Running);
}

#[test]
fn restart_policies_for_app_containers() {
    // (policy, exit code, restarted)
    let cases = [
        ("Always", 0, true),
        ("Always", 3, true),
        ("OnFailure", 0, false),
        ("OnFailure", 3, true),
        ("Never", 0, false),
        ("Never", 3, false),
    ];
    for (policy, code, restarted) in cases {
        let mut run = Run::new(&manifest(policy, 30, &[], &[], &["a", "b"]), fast());
        run.step(0, Ev::Tick);
        run.step(0, Ev::Run("a"));
        run.step(0, Ev::Run("b"));
        let got = run.step(1, Ev::Exit("a", code));
        let expected: &[&str] = if restarted { &["start a"] } else { &[] };
        assert_eq!(got, expected, "{policy} exit {code}");
        // The pod goes on while b runs.
        assert_eq!(run.pod.phase(), Phase::Running, "{policy} exit {code}");
    }
}

#[test]
fn a_never_pod_ends_with_the_first_failed_app_in_spec_order() {
    check(
        &manifest("Never", 30, &[], &[], &["a", "b", "c"]),
        fast(),
        &[
            (0, Ev::Tick, &["start a", "start b", "start c"]),
            (1, Ev::Exit("c", 7), &[]),
            (2, Ev::Exit("b", 3), &[]),
            (3, Ev::Exit("a", 0), &["exit 3"]),
            (4, Ev::Tick, &[]),
        ],
    );
    let mut ok = Run::new(&manifest("Never", 30, &[], &[], &["a"]), fast());
    ok.step(0, Ev::Tick);
    assert_eq!(ok.step(1, Ev::Exit("a", 0)), ["exit 0"]);
    assert_eq!(ok.pod.phase(), Phase::Succeeded);
    let mut signalled = Run::new(&manifest("Never", 30, &[], &[], &["a"]), fast());
    signalled.step(0, Ev::Tick);
    assert_eq!(signalled.step(1, Ev::Killed("a", 9)), ["exit 137"]);
    assert_eq!(signalled.pod.phase(), Phase::Failed);
}

#[test]
fn an_on_failure_pod_completes_when_every_app_succeeded() {
    check(
        &manifest("OnFailure", 30, &[], &[], &["a", "b"]),
        fast(),
        &[
            (0, Ev::Tick, &["start a", "start b"]),
            (1, Ev::Exit("a", 2), &["start a"]),
            (2, Ev::Exit("b", 0), &[]),
            (3, Ev::Exit("a", 2), &[]),
            (4, Ev::Tick, &["start a"]),
            (5, Ev::Exit("a", 0), &["exit 0"]),
        ],
    );
}

#[test]
fn init_containers_run_one_by_one_before_the_apps() {
    check(
        &manifest("Always", 30, &["i1", "i2"], &[], &["a", "b"]),
        fast(),
        &[
            (0, Ev::Tick, &["start i1"]),
            (0, Ev::Run("i1"), &[]),
            (1, Ev::Exit("i1", 0), &["start i2"]),
            // A failed init container restarts with back-off; nothing
            // else starts.
            (2, Ev::Exit("i2", 1), &["start i2"]),
            (3, Ev::Exit("i2", 1), &[]),
            (4, Ev::Tick, &["start i2"]),
            (5, Ev::Exit("i2", 0), &["start a", "start b"]),
            // Init containers never run again.
            (6, Ev::Exit("a", 0), &["start a"]),
        ],
    );
}

#[test]
fn a_failed_init_container_fails_a_never_pod_with_its_code() {
    let run = check(
        &manifest("Never", 30, &["i1", "i2"], &[], &["a"]),
        fast(),
        &[
            (0, Ev::Tick, &["start i1"]),
            (1, Ev::Exit("i1", 0), &["start i2"]),
            (2, Ev::Exit("i2", 4), &["exit 4"]),
        ],
    );
    assert_eq!(run.pod.phase(), Phase::Failed);
    assert_eq!(run.pod.end_reason(), Some(EndReason::InitFailed));
    // A start error counts as 128.
    check(
        &manifest("Never", 30, &["i1"], &[], &["a"]),
        fast(),
        &[
            (0, Ev::Tick, &["start i1"]),
            (0, Ev::StartFail("i1"), &["exit 128"]),
        ],
    );
}

#[test]
fn sidecars_start_in_order_hold_init_until_running_and_stop_last() {
    check(
        &manifest("Never", 30, &["s1", "i1", "s2"], &["s1", "s2"], &["a", "b"]),
        fast(),
        &[
            (0, Ev::Tick, &["start s1"]),
            // i1 waits until s1 runs.
            (0, Ev::Tick, &[]),
            (0, Ev::Run("s1"), &["start i1"]),
            (1, Ev::Exit("i1", 0), &["start s2"]),
            (1, Ev::Run("s2"), &["start a", "start b"]),
            // A sidecar that dies is restarted whatever the pod's policy.
            (2, Ev::Exit("s1", 1), &["start s1"]),
            (2, Ev::Run("s1"), &[]),
            (3, Ev::Exit("a", 0), &[]),
            // The apps are done: the sidecars stop, the last first, one at
            // a time; their codes do not count.
            (4, Ev::Exit("b", 0), &["stop s2 SIGTERM"]),
            (5, Ev::Killed("s2", 15), &["stop s1 SIGTERM"]),
            (6, Ev::Exit("s1", 143), &["exit 0"]),
        ],
    );
}

#[test]
fn a_stop_signals_apps_at_once_and_kills_at_the_deadline() {
    let mut run = check(
        &manifest("Always", 10, &["s"], &["s"], &["a", "b"]),
        fast(),
        &[
            (0, Ev::Tick, &["start s"]),
            (0, Ev::Run("s"), &["start a", "start b"]),
            (0, Ev::Run("a"), &[]),
            (0, Ev::Run("b"), &[]),
            (1, Ev::Stop, &["stop a SIGTERM", "stop b SIGTERM"]),
            // A second request changes nothing.
            (2, Ev::Stop, &[]),
            (3, Ev::Killed("a", 15), &[]),
            // No restart while ending.
            (4, Ev::Tick, &[]),
        ],
    );
    assert_eq!(run.next(), Some(11));
    // At the end of the grace period b is killed, and the sidecar's wait
    // for its turn is over: its stop signal, SIGKILL at least 2 s later
    // (the kubelet's minimum).
    assert_eq!(run.step(11, Ev::Tick), ["stop s SIGTERM", "kill b"]);
    assert_eq!(run.next(), Some(13));
    assert_eq!(run.step(11, Ev::Killed("b", 9)), Vec::<String>::new());
    assert_eq!(run.step(13, Ev::Tick), ["kill s"]);
    assert_eq!(run.next(), None);
    // The first failed app in spec order: a, by SIGTERM.
    assert_eq!(run.step(13, Ev::Killed("s", 9)), ["exit 143"]);
    assert_eq!(run.pod.phase(), Phase::Failed);
}

#[test]
fn a_second_interrupt_kills_at_once() {
    check(
        &manifest("Always", 30, &[], &[], &["a"]),
        fast(),
        &[
            (0, Ev::Tick, &["start a"]),
            (1, Ev::Stop, &["stop a SIGTERM"]),
            (2, Ev::StopNow, &["kill a"]),
            (2, Ev::Killed("a", 9), &["exit 137"]),
        ],
    );
}

#[test]
fn a_stop_during_back_off_or_before_anything_ran() {
    check(
        &manifest("Always", 30, &[], &[], &["a"]),
        fast(),
        &[
            (0, Ev::Tick, &["start a"]),
            (1, Ev::Exit("a", 1), &["start a"]),
            (1, Ev::Exit("a", 1), &[]),
            // Waiting for its back-off: nothing to stop; the last exit counts.
            (1, Ev::Stop, &["exit 1"]),
        ],
    );
    // Stopped before anything ran: the pod is Failed (its app container
    // never ended), so it does not exit 0.
    let run = check(
        &manifest("Always", 30, &["i"], &[], &["a"]),
        fast(),
        &[(0, Ev::Stop, &["exit 1"])],
    );
    assert_eq!(run.pod.phase(), Phase::Failed);
}

#[test]
fn the_stop_signal_of_the_container() {
    // stopSignal needs spec.os.name.
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  os: {name: linux}\n  containers:\n  - name: a\n    image: /\n    command: [x]\n    lifecycle: {stopSignal: SIGUSR1}\n";
    check(
        text,
        fast(),
        &[
            (0, Ev::Tick, &["start a"]),
            (1, Ev::Stop, &["stop a SIGUSR1"]),
        ],
    );
}

#[test]
fn late_reports_are_ignored() {
    check(
        &manifest("Never", 30, &[], &[], &["a", "b"]),
        fast(),
        &[
            (0, Ev::Tick, &["start a", "start b"]),
            (0, Ev::StartFail("a"), &[]),
            // The exit of the process that failed to start: already counted.
            (0, Ev::Exit("a", 127), &[]),
            (0, Ev::Run("a"), &[]),
            (1, Ev::Exit("b", 0), &["exit 128"]),
        ],
    );
}

#[test]
fn phases() {
    let mut run = Run::new(&manifest("Always", 30, &["i"], &[], &["a"]), fast());
    assert_eq!(run.pod.phase(), Phase::Pending);
    run.step(0, Ev::Tick);
    run.step(0, Ev::Run("i"));
    assert_eq!(run.pod.phase(), Phase::Pending);
    run.step(1, Ev::Exit("i", 0));
    // Forked, not running yet: getPhase counts it as waiting.
    assert_eq!(run.pod.phase(), Phase::Pending);
    run.step(1, Ev::Run("a"));
    assert_eq!(run.pod.phase(), Phase::Running);
    run.step(2, Ev::Exit("a", 1));
    assert_eq!(run.pod.phase(), Phase::Running);
    assert!(run.pod.initialized());
}

#[test]
fn idle_means_no_deadline() {
    let mut run = Run::new(&manifest("Always", 30, &[], &[], &["a"]), fast());
    run.step(0, Ev::Tick);
    run.step(0, Ev::Run("a"));
    assert_eq!(run.next(), None);
    run.step(3, Ev::Exit("a", 1));
    run.step(3, Ev::Exit("a", 1));
    assert_eq!(run.next(), Some(4));
}

#[test]
fn active_deadline_seconds_fails_the_pod() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  activeDeadlineSeconds: 5\n  terminationGracePeriodSeconds: 2\n  containers:\n  - {name: a, image: /, command: [x]}\n";
    let mut run = check(
        text,
        fast(),
        &[
            (0, Ev::Tick, &["start a"]),
            (0, Ev::Run("a"), &[]),
            (4, Ev::Tick, &[]),
        ],
    );
    assert_eq!(run.next(), Some(5));
    assert_eq!(run.step(5, Ev::Tick), ["stop a SIGTERM"]);
    assert_eq!(run.pod.end_reason(), Some(EndReason::DeadlineExceeded));
    // Exit 0 on SIGTERM: still Failed, exit code 1.
    assert_eq!(run.step(6, Ev::Exit("a", 0)), ["exit 1"]);
    assert_eq!(run.pod.phase(), Phase::Failed);
}

#[test]
fn huge_grace_and_deadline_do_not_overflow() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  activeDeadlineSeconds: 9223372036854775807\n  terminationGracePeriodSeconds: 9223372036854775807\n  containers:\n  - {name: a, image: /, command: [x]}\n";
    let mut run = check(
        text,
        fast(),
        &[
            (0, Ev::Tick, &["start a"]),
            (1, Ev::Stop, &["stop a SIGTERM"]),
        ],
    );
    assert!(run.pod.next_deadline().is_some());
    assert_eq!(run.step(2, Ev::Exit("a", 0)), ["exit 0"]);
}

#[test]
fn a_grace_of_zero_still_sends_the_stop_signal_two_seconds_before_sigkill() {
    let mut run = check(
        &manifest("Always", 0, &[], &[], &["a"]),
        fast(),
        &[
            (0, Ev::Tick, &["start a"]),
            (10, Ev::Stop, &["stop a SIGTERM"]),
        ],
    );
    assert_eq!(run.next(), Some(12));
    assert_eq!(run.step(12, Ev::Tick), ["kill a"]);
}

#[test]
fn the_pod_directory_is_one_component_whatever_the_uid() {
    let plan = plan_of(&manifest("Always", 1, &[], &[], &["a"]));
    let state = std::path::Path::new("/run/podinit");
    for uid in ["x/../../etc", "..", "../x", "a\0b", "", "ok-123"] {
        let dir = crate::run::pod_dir(state, &plan, uid);
        assert_eq!(dir.parent(), Some(state), "{uid:?} gave {dir:?}");
        assert!(
            dir.components()
                .all(|c| c != std::path::Component::ParentDir),
            "{uid:?}"
        );
    }
    assert_eq!(
        crate::run::pod_dir(state, &plan, "ok-123"),
        state.join("default_p_ok-123")
    );
}

/// A pod from `containers` and `init` lines (YAML flow maps), Always.
fn pod_with(grace: u32, policy: &str, init: &[&str], apps: &[&str]) -> String {
    let mut text = format!(
        "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  restartPolicy: {policy}\n  terminationGracePeriodSeconds: {grace}\n"
    );
    if !init.is_empty() {
        text.push_str("  initContainers:\n");
        for c in init {
            text.push_str(&format!("  - {c}\n"));
        }
    }
    text.push_str("  containers:\n");
    for c in apps {
        text.push_str(&format!("  - {c}\n"));
    }
    text
}

const HOOK: &str = "lifecycle: {postStart: {exec: {command: [h]}}}";
const PRESTOP: &str = "lifecycle: {preStop: {exec: {command: [h]}}}";

#[test]
fn post_start_holds_the_next_container_and_its_failure_kills() {
    let a = format!("{{name: a, image: /, command: [x], {HOOK}}}");
    check(
        &pod_with(5, "Always", &[], &[&a, "{name: b, image: /, command: [x]}"]),
        fast(),
        &[
            (0, Ev::Tick, &["start a"]),
            (0, Ev::Run("a"), &["postStart a"]),
            (1, Ev::Tick, &[]),
            (2, Ev::PostStartOk("a"), &["start b"]),
        ],
    );
    check(
        &pod_with(5, "Never", &[], &[&a]),
        fast(),
        &[
            (0, Ev::Tick, &["start a"]),
            (0, Ev::Run("a"), &["postStart a"]),
            (1, Ev::PostStartFail("a"), &["stop a SIGTERM"]),
            (2, Ev::Killed("a", 15), &["exit 143"]),
        ],
    );
}

#[test]
fn a_sidecar_holds_init_until_its_startup_probe_passed() {
    let s = "{name: s, image: /, command: [x], restartPolicy: Always, startupProbe: {exec: {command: [p]}}}";
    check(
        &pod_with(
            5,
            "Always",
            &[s, "{name: i, image: /, command: [x]}"],
            &["{name: a, image: /, command: [x]}"],
        ),
        fast(),
        &[
            (0, Ev::Tick, &["start s"]),
            (0, Ev::Run("s"), &[]),
            (3, Ev::StartupOk("s"), &["start i"]),
            (4, Ev::Run("i"), &[]),
            (5, Ev::Exit("i", 0), &["start a"]),
        ],
    );
}

#[test]
fn pre_stop_runs_first_and_counts_against_the_grace_period() {
    let a = format!("{{name: a, image: /, command: [x], {PRESTOP}}}");
    // The hook returns at 4 s: the stop signal then, SIGKILL at 10.
    let mut run = check(
        &pod_with(10, "Always", &[], &[&a]),
        fast(),
        &[
            (0, Ev::Tick, &["start a"]),
            (0, Ev::Run("a"), &[]),
            (0, Ev::Stop, &["preStop a"]),
            (4, Ev::PreStopDone("a"), &["stop a SIGTERM"]),
        ],
    );
    assert_eq!(run.next(), Some(10));
    assert_eq!(run.step(10, Ev::Tick), ["kill a"]);
    // A hook that outlives the grace period: the stop signal at its end,
    // SIGKILL 2 s later.
    let mut run = check(
        &pod_with(10, "Always", &[], &[&a]),
        fast(),
        &[
            (0, Ev::Tick, &["start a"]),
            (0, Ev::Run("a"), &[]),
            (0, Ev::Stop, &["preStop a"]),
        ],
    );
    assert_eq!(run.next(), Some(10));
    assert_eq!(run.step(10, Ev::Tick), ["stop a SIGTERM"]);
    assert_eq!(run.next(), Some(12));
    assert_eq!(run.step(12, Ev::Tick), ["kill a"]);
    assert_eq!(run.step(12, Ev::PreStopDone("a")), Vec::<String>::new());
    assert_eq!(run.step(12, Ev::Killed("a", 9)), ["exit 137"]);
}

#[test]
fn a_grace_of_zero_skips_pre_stop() {
    let a = format!("{{name: a, image: /, command: [x], {PRESTOP}}}");
    check(
        &pod_with(0, "Always", &[], &[&a]),
        fast(),
        &[
            (0, Ev::Tick, &["start a"]),
            (0, Ev::Run("a"), &[]),
            (1, Ev::Stop, &["stop a SIGTERM"]),
            (3, Ev::Tick, &["kill a"]),
        ],
    );
}

#[test]
fn a_liveness_failure_stops_the_container_and_the_policy_restarts_it() {
    let a = format!("{{name: a, image: /, command: [x], {PRESTOP}}}");
    let run = check(
        &pod_with(3, "Always", &[], &[&a]),
        fast(),
        &[
            (0, Ev::Tick, &["start a"]),
            (0, Ev::Run("a"), &[]),
            (5, Ev::LivenessFail("a"), &["preStop a"]),
            (6, Ev::PreStopDone("a"), &["stop a SIGTERM"]),
            // Restarted as after any exit (the first restart at once).
            (7, Ev::Killed("a", 15), &["start a"]),
        ],
    );
    assert_eq!(run.pod.slots[0].restarts, 1);
}

#[test]
fn sidecars_get_pre_stop_at_once_and_their_signal_after_the_apps() {
    let s1 = format!("{{name: s1, image: /, command: [x], restartPolicy: Always, {PRESTOP}}}");
    let s2 = "{name: s2, image: /, command: [x], restartPolicy: Always}";
    let mut run = check(
        &pod_with(
            30,
            "Never",
            &[&s1, s2],
            &["{name: a, image: /, command: [x]}"],
        ),
        fast(),
        &[
            (0, Ev::Tick, &["start s1"]),
            (0, Ev::Run("s1"), &["start s2"]),
            (0, Ev::Run("s2"), &["start a"]),
            (0, Ev::Run("a"), &[]),
            // The app completes: the pod ends; s1's preStop starts now.
            (1, Ev::Exit("a", 0), &["preStop s1", "stop s2 SIGTERM"]),
            (2, Ev::PreStopDone("s1"), &[]),
            (3, Ev::Exit("s2", 0), &["stop s1 SIGTERM"]),
        ],
    );
    assert_eq!(run.step(4, Ev::Killed("s1", 15)), ["exit 0"]);
    assert_eq!(run.pod.phase(), Phase::Succeeded);
}

#[test]
fn a_stop_with_its_own_grace_period() {
    let mut run = check(
        &pod_with(30, "Always", &[], &["{name: a, image: /, command: [x]}"]),
        fast(),
        &[(0, Ev::Tick, &["start a"]), (0, Ev::Run("a"), &[])],
    );
    let at = |s: u64| run.t0 + Duration::from_secs(s);
    let (one, five) = (at(1), Duration::from_secs(5));
    let six = at(6);
    run.pod.stop_with_grace(one, five);
    assert_eq!(run.step(1, Ev::Tick), ["stop a SIGTERM"]);
    assert_eq!(run.next(), Some(6));
    assert_eq!(run.pod.deletion(), Some(six));
    // A shorter one later shortens it, to no less than 2 s from the new
    // request (the kubelet stops the container again with the minimum).
    let (two, zero) = (run.t0 + Duration::from_secs(2), Duration::ZERO);
    run.pod.stop_with_grace(two, zero);
    assert_eq!(run.next(), Some(4));
    // The pod's deletionTimestamp follows.
    assert_eq!(run.pod.deletion(), Some(run.t0 + Duration::from_secs(4)));
    // A longer one changes nothing.
    run.pod
        .stop_with_grace(run.t0 + Duration::from_secs(3), Duration::from_secs(60));
    assert_eq!(run.pod.deletion(), Some(run.t0 + Duration::from_secs(4)));
    assert_eq!(run.next(), Some(4));
    assert_eq!(run.step(4, Ev::Tick), ["kill a"]);
}

#[test]
fn no_wake_up_for_a_back_off_while_a_post_start_holds_starts() {
    let a = format!("{{name: a, image: /, command: [x], {HOOK}}}");
    let mut run = check(
        &pod_with(5, "Always", &[], &["{name: b, image: /, command: [x]}", &a]),
        fast(),
        &[
            (0, Ev::Tick, &["start b", "start a"]),
            (0, Ev::Run("b"), &[]),
            (0, Ev::Run("a"), &["postStart a"]),
            // b crashes; its restart is due at once, but a's hook holds it.
            (1, Ev::Exit("b", 1), &[]),
        ],
    );
    assert_eq!(run.next(), None, "the loop must sleep, not spin");
    assert_eq!(run.step(3, Ev::PostStartOk("a")), ["start b"]);
}

#[test]
fn a_container_still_starting_gets_no_pre_stop() {
    let a = format!("{{name: a, image: /, command: [x], {PRESTOP}}}");
    check(
        &pod_with(5, "Always", &[], &[&a]),
        fast(),
        &[
            (0, Ev::Tick, &["start a"]),
            (0, Ev::Stop, &["stop a SIGTERM"]),
        ],
    );
}

#[test]
fn a_probe_kill_under_on_failure_restarts_even_after_exit_0() {
    let run = check(
        &pod_with(5, "OnFailure", &[], &["{name: a, image: /, command: [x]}"]),
        fast(),
        &[
            (0, Ev::Tick, &["start a"]),
            (0, Ev::Run("a"), &[]),
            (1, Ev::LivenessFail("a"), &["stop a SIGTERM"]),
            (2, Ev::Exit("a", 0), &["start a"]),
        ],
    );
    assert_eq!(run.pod.slots[0].restarts, 1);
}

#[test]
fn the_pods_end_pulls_in_a_probe_kills_sigkill() {
    let live = "{name: a, image: /, command: [x], livenessProbe: {exec: {command: [p]}, terminationGracePeriodSeconds: 60}}";
    let mut run = check(
        &pod_with(5, "Always", &[], &[live]),
        fast(),
        &[(0, Ev::Tick, &["start a"]), (0, Ev::Run("a"), &[])],
    );
    let now = run.t0 + Duration::from_secs(1);
    run.pod
        .kill(0, StopWhy::Probe, Duration::from_secs(60), now);
    assert_eq!(run.step(1, Ev::Tick), ["stop a SIGTERM"]);
    assert_eq!(run.next(), Some(61));
    // The pod stops at 2 with a 5 s grace: SIGKILL at 7, not 61.
    run.step(2, Ev::Stop);
    assert_eq!(run.next(), Some(7));
}
