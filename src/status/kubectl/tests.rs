use std::time::{Duration, UNIX_EPOCH};

use serde_json::json;

use super::*;
use crate::status::model::{
    Condition, ContainerState, Event, Ip, PodStatus, Running, Terminated, Waiting,
};

/// 2024-05-01T12:00:00Z, the `now` of every test.
const NOW: &str = "2024-05-01T12:00:00Z";

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_714_564_800)
}

/// A pod named `web` in `phase`, with app containers `apps` and init
/// containers `inits` (a name ending in `+` is a sidecar), no statuses.
fn pod(phase: &str, apps: &[&str], inits: &[&str]) -> PodObject {
    let container = |name: &&str| match name.strip_suffix('+') {
        Some(name) => json!({"name": name, "image": "busybox", "restartPolicy": "Always"}),
        None => json!({"name": name, "image": "busybox"}),
    };
    PodObject {
        api_version: "v1".into(),
        kind: "Pod".into(),
        metadata: json!({"name": "web", "namespace": "default",
                         "creationTimestamp": "2024-05-01T11:55:00Z"}),
        spec: json!({
            "containers": apps.iter().map(container).collect::<Vec<_>>(),
            "initContainers": inits.iter().map(container).collect::<Vec<_>>(),
        }),
        status: PodStatus {
            phase: phase.into(),
            ..PodStatus::default()
        },
    }
}

fn status(name: &str, state: ContainerState) -> ContainerStatus {
    ContainerStatus {
        name: name.into(),
        state,
        image: "busybox".into(),
        ..ContainerStatus::default()
    }
}

fn running(name: &str, ready: bool) -> ContainerStatus {
    let state = ContainerState {
        running: Some(Running {
            started_at: "2024-05-01T11:56:00Z".into(),
        }),
        ..ContainerState::default()
    };
    ContainerStatus {
        ready,
        started: Some(true),
        ..status(name, state)
    }
}

fn waiting(name: &str, reason: &str) -> ContainerStatus {
    let state = ContainerState {
        waiting: Some(Waiting {
            reason: reason.into(),
            message: None,
        }),
        ..ContainerState::default()
    };
    ContainerStatus {
        started: Some(false),
        ..status(name, state)
    }
}

fn terminated(name: &str, exit_code: i32, reason: &str, signal: Option<i32>) -> ContainerStatus {
    let state = ContainerState {
        terminated: Some(Terminated {
            exit_code,
            signal,
            reason: reason.into(),
            started_at: Some("2024-05-01T11:56:00Z".into()),
            finished_at: "2024-05-01T11:58:00Z".into(),
            ..Terminated::default()
        }),
        ..ContainerState::default()
    };
    ContainerStatus {
        started: Some(false),
        ..status(name, state)
    }
}

/// `c` after `count` restarts, the last one finished at `finished_at`.
fn restarted(c: ContainerStatus, count: u32, finished_at: &str) -> ContainerStatus {
    ContainerStatus {
        restart_count: count,
        last_state: ContainerState {
            terminated: Some(Terminated {
                exit_code: 1,
                reason: "Error".into(),
                finished_at: finished_at.into(),
                ..Terminated::default()
            }),
            ..ContainerState::default()
        },
        ..c
    }
}

fn condition(kind: &str, value: bool) -> Condition {
    Condition {
        kind: kind.into(),
        status: if value { "True" } else { "False" }.into(),
        ..Condition::default()
    }
}

fn with(
    mut pod: PodObject,
    inits: Vec<ContainerStatus>,
    apps: Vec<ContainerStatus>,
    conditions: &[(&str, bool)],
) -> PodObject {
    pod.status.init_container_statuses = inits;
    pod.status.container_statuses = apps;
    pod.status.conditions = conditions.iter().map(|(k, v)| condition(k, *v)).collect();
    pod
}

fn deleted(mut pod: PodObject) -> PodObject {
    pod.metadata["deletionTimestamp"] = json!("2024-05-01T11:59:30Z");
    pod.metadata["deletionGracePeriodSeconds"] = json!(30);
    pod
}

#[test]
fn status_follows_print_pod_branch_for_branch() {
    let app = |phase| pod(phase, &["app"], &[]);
    let init2 = |inits, apps| with(pod("Pending", &["app"], &["a", "b"]), inits, apps, &[]);
    let mut evicted = app("Failed");
    evicted.status.reason = Some("Evicted".into());
    let mut gated = app("Pending");
    gated.status.conditions = vec![Condition {
        reason: Some("SchedulingGated".into()),
        ..condition("PodScheduled", false)
    }];
    let mut node_lost = deleted(with(
        app("Running"),
        vec![],
        vec![running("app", true)],
        &[],
    ));
    node_lost.status.reason = Some("NodeLost".into());
    let two = |apps, conditions: &[(&str, bool)]| {
        with(pod("Running", &["a", "b"], &[]), vec![], apps, conditions)
    };
    let cases: Vec<(&str, PodObject, &str)> = vec![
        ("phase", app("Pending"), "Pending"),
        ("status.reason overrides the phase", evicted, "Evicted"),
        ("scheduling gate", gated, "SchedulingGated"),
        (
            "first init running",
            init2(vec![running("a", false)], vec![]),
            "Init:0/2",
        ),
        (
            "second init running",
            init2(
                vec![terminated("a", 0, "Completed", None), running("b", false)],
                vec![],
            ),
            "Init:1/2",
        ),
        (
            "init PodInitializing counts",
            init2(vec![waiting("a", "PodInitializing")], vec![]),
            "Init:0/2",
        ),
        (
            "init waiting",
            init2(vec![waiting("a", "CrashLoopBackOff")], vec![]),
            "Init:CrashLoopBackOff",
        ),
        (
            "init failed",
            init2(vec![terminated("a", 1, "Error", None)], vec![]),
            "Init:Error",
        ),
        (
            "init signal",
            init2(vec![terminated("a", 137, "", Some(9))], vec![]),
            "Init:Signal:9",
        ),
        (
            "init exit code",
            init2(vec![terminated("a", 3, "", None)], vec![]),
            "Init:ExitCode:3",
        ),
        (
            "started sidecar is passed",
            with(
                pod("Running", &["app"], &["side+"]),
                vec![running("side", true)],
                vec![running("app", true)],
                &[("Initialized", true), ("Ready", true)],
            ),
            "Running",
        ),
        (
            "sidecar not started yet",
            with(
                pod("Pending", &["app"], &["side+"]),
                vec![waiting("side", "")],
                vec![],
                &[],
            ),
            "Init:0/1",
        ),
        (
            "init failed but pod initialized",
            with(
                pod("Running", &["app"], &["a"]),
                vec![terminated("a", 1, "Error", None)],
                vec![waiting("app", "CrashLoopBackOff")],
                &[("Initialized", true)],
            ),
            "CrashLoopBackOff",
        ),
        (
            "app waiting",
            with(
                app("Pending"),
                vec![],
                vec![waiting("app", "ImagePullBackOff")],
                &[],
            ),
            "ImagePullBackOff",
        ),
        (
            "app terminated",
            with(
                app("Running"),
                vec![],
                vec![terminated("app", 137, "OOMKilled", None)],
                &[],
            ),
            "OOMKilled",
        ),
        (
            "app signal",
            with(
                app("Failed"),
                vec![],
                vec![terminated("app", 143, "", Some(15))],
                &[],
            ),
            "Signal:15",
        ),
        (
            "app exit code",
            with(
                app("Failed"),
                vec![],
                vec![terminated("app", 2, "", None)],
                &[],
            ),
            "ExitCode:2",
        ),
        (
            "running app",
            with(
                app("Running"),
                vec![],
                vec![running("app", true)],
                &[("Ready", true)],
            ),
            "Running",
        ),
        (
            "the first container's reason wins",
            two(
                vec![
                    waiting("a", "ImagePullBackOff"),
                    waiting("b", "CrashLoopBackOff"),
                ],
                &[],
            ),
            "ImagePullBackOff",
        ),
        (
            "completed beside a ready running one",
            two(
                vec![terminated("a", 0, "Completed", None), running("b", true)],
                &[("Ready", true)],
            ),
            "Running",
        ),
        (
            "completed beside a running one, pod not ready",
            two(
                vec![terminated("a", 0, "Completed", None), running("b", true)],
                &[("Ready", false)],
            ),
            "NotReady",
        ),
        (
            "completed beside a failed one",
            two(
                vec![
                    terminated("a", 0, "Completed", None),
                    terminated("b", 1, "Error", None),
                ],
                &[],
            ),
            "Error",
        ),
        (
            "completed",
            with(
                app("Succeeded"),
                vec![],
                vec![terminated("app", 0, "Completed", None)],
                &[],
            ),
            "Completed",
        ),
        (
            "deleting",
            deleted(with(
                app("Running"),
                vec![],
                vec![running("app", true)],
                &[],
            )),
            "Terminating",
        ),
        (
            "deleted after it finished",
            deleted(with(
                app("Succeeded"),
                vec![],
                vec![terminated("app", 0, "Completed", None)],
                &[],
            )),
            "Completed",
        ),
        ("node lost", node_lost, "Unknown"),
    ];
    for (what, pod, want) in cases {
        assert_eq!(status_reason(&pod), want, "{what}");
    }
}

#[test]
fn ready_counts_sidecars_as_containers() {
    let plain = with(
        pod("Running", &["a", "b"], &[]),
        vec![],
        vec![running("a", true), running("b", false)],
        &[],
    );
    assert_eq!(ready_column(&plain), "1/2");
    let sidecar = with(
        pod("Running", &["app"], &["init", "side+"]),
        vec![
            terminated("init", 0, "Completed", None),
            running("side", true),
        ],
        vec![running("app", false)],
        &[("Initialized", true)],
    );
    assert_eq!(ready_column(&sidecar), "1/2");
    // A container reported running but not ready does not count, nor does
    // anything while the pod initializes.
    let initializing = with(
        pod("Pending", &["app"], &["init"]),
        vec![running("init", true)],
        vec![],
        &[],
    );
    assert_eq!(ready_column(&initializing), "0/1");
}

#[test]
fn restarts_show_the_last_one_from_the_termination_time() {
    let fresh = with(
        pod("Running", &["app"], &[]),
        vec![],
        vec![running("app", true)],
        &[],
    );
    assert_eq!(restarts_column(&fresh, now()), "0");
    let twice = with(
        pod("Running", &["a", "b"], &[]),
        vec![],
        vec![
            restarted(running("a", true), 2, "2024-05-01T11:59:15Z"),
            restarted(running("b", true), 1, "2024-05-01T11:50:00Z"),
        ],
        &[],
    );
    assert_eq!(restarts_column(&twice, now()), "3 (45s ago)");
    // While initializing, the init containers' restarts are the pod's.
    let init = with(
        pod("Pending", &["app"], &["init"]),
        vec![restarted(
            waiting("init", "CrashLoopBackOff"),
            4,
            "2024-05-01T11:57:00Z",
        )],
        vec![waiting("app", "PodInitializing")],
        &[],
    );
    assert_eq!(restarts_column(&init, now()), "4 (3m ago)");
    // Once initialized, only sidecars' restarts stay counted.
    let done = with(
        pod("Running", &["app"], &["init", "side+"]),
        vec![
            restarted(
                terminated("init", 0, "Completed", None),
                4,
                "2024-05-01T11:57:00Z",
            ),
            restarted(running("side", true), 1, "2024-05-01T11:58:00Z"),
        ],
        vec![running("app", true)],
        &[("Initialized", true)],
    );
    assert_eq!(restarts_column(&done, now()), "1 (2m ago)");
}

#[test]
fn ages_are_kubectls() {
    let at = |secs: u64| now() - Duration::from_secs(secs);
    assert_eq!(since(at(45), now()), "45s");
    assert_eq!(since(now() + Duration::from_millis(1500), now()), "0s");
    assert_eq!(since(now() + Duration::from_secs(5), now()), "<invalid>");
    assert_eq!(timestamp_since(None, now()), "<unknown>");
    assert_eq!(timestamp_since(Some("garbage"), now()), "<unknown>");
}

fn snapshot(pod: PodObject, events: Vec<Event>) -> Snapshot {
    Snapshot {
        pod,
        events,
        now: NOW.into(),
    }
}

#[test]
fn get_aligns_like_kubectl() {
    let p = with(
        pod("Running", &["app"], &[]),
        vec![],
        vec![running("app", true)],
        &[("Ready", true)],
    );
    let want = "\
NAME   READY   STATUS    RESTARTS   AGE
web    1/1     Running   0          5m
";
    assert_eq!(get(&snapshot(p, vec![]), false), want);
}

#[test]
fn get_wide_adds_ip_node_and_gates() {
    let mut p = with(
        pod("Running", &["app"], &[]),
        vec![],
        vec![running("app", true)],
        &[("Ready", true)],
    );
    p.status.pod_ips = vec![Ip {
        ip: "10.0.0.7".into(),
    }];
    p.spec["nodeName"] = json!("node-1");
    let want = "\
NAME   READY   STATUS    RESTARTS   AGE   IP         NODE     NOMINATED NODE   READINESS GATES
web    1/1     Running   0          5m    10.0.0.7   node-1   <none>           <none>
";
    assert_eq!(get(&snapshot(p, vec![]), true), want);
    let mut gated = pod("Pending", &["app"], &[]);
    gated.spec["readinessGates"] =
        json!([{"conditionType": "example.com/lb"}, {"conditionType": "x"}]);
    gated.status.conditions = vec![condition("example.com/lb", true)];
    let text = get(&snapshot(gated, vec![]), true);
    assert!(
        text.ends_with("<none>   <none>   <none>           1/2\n"),
        "{text}"
    );
}

#[test]
fn output_formats() {
    let p = pod("Pending", &["app"], &[]);
    let json = to_json(&p);
    assert!(
        json.starts_with("{\n    \"apiVersion\": \"v1\",\n    \"kind\": \"Pod\",\n"),
        "{json}"
    );
    assert!(json.ends_with("}\n"));
    // Sorted, as kubectl prints an object's map: `conditions` first.
    let mut running = with(p.clone(), vec![], vec![], &[("Ready", false)]);
    running.status.phase = "Running".into();
    let status = to_json(&running);
    let status = &status[status.find("\"status\"").unwrap()..];
    assert!(status.find("conditions") < status.find("phase"), "{status}");
    let back: PodObject = serde_json::from_str(&json).unwrap();
    assert_eq!(back, p);
    let yaml = to_yaml(&p);
    assert!(
        yaml.starts_with("apiVersion: v1\nkind: Pod\nmetadata:\n"),
        "{yaml}"
    );
    assert!(yaml.contains("\n  phase: Pending\n"), "{yaml}");
}

mod describe;
