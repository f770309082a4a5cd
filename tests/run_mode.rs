//! `podinit run`, for real: pods of busybox containers run in host mode
//! (podinit started plainly: it makes the pod's namespaces and is their
//! shim) and in container mode (podinit as PID 1 of fresh namespaces), with
//! what they print, the files they leave and podinit's exit code checked.
//! Timing is only ever checked in order and with generous bounds.
//!
//! Every test builds its own scratch directory: a busybox image store
//! (`images/busybox/latest`), a `--state-dir`, and whatever host paths the
//! pod mounts (`@DIR@` in a manifest is that directory).

// Test code: a failed expectation is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{Duration, Instant};

use common::pod::*;
use common::*;

// ---------------------------------------------------------------- 1. basics

const SHARED_EMPTY_DIR: &str = r#"
apiVersion: v1
kind: Pod
metadata:
  name: share
spec:
  restartPolicy: Never
  volumes:
  - name: shared
    emptyDir: {}
  containers:
  - name: writer
    image: busybox
    command: [sh, -c, 'echo "hello from writer" > /data/msg.tmp && mv /data/msg.tmp /data/msg']
    volumeMounts:
    - {name: shared, mountPath: /data}
  - name: reader
    image: busybox:latest
    command: [sh, -c, 'while [ ! -f /data/msg ]; do sleep 0.05; done; echo "reader read: `cat /data/msg`"']
    volumeMounts:
    - {name: shared, mountPath: /data}
"#;

fn check_shared_empty_dir(pod: &Pod, done: &Finished) {
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    assert!(
        done.stdout.contains("reader read: hello from writer"),
        "stdout {:?}, stderr {}",
        done.stdout,
        done.stderr
    );
    assert!(
        done.stderr
            .contains("pod share: Succeeded with exit code 0"),
        "{}",
        done.stderr
    );
    pod.assert_state_empty(done);
}

#[test]
fn host_mode_runs_two_containers_sharing_an_empty_dir() {
    if !require_root() {
        return;
    }
    let pod = Pod::new("host-share", SHARED_EMPTY_DIR);
    let done = pod.host().finish();
    check_shared_empty_dir(&pod, &done);
}

#[test]
fn container_mode_runs_two_containers_sharing_an_empty_dir() {
    if !require_root() {
        return;
    }
    let pod = Pod::new("pid1-share", SHARED_EMPTY_DIR);
    let done = pod.pid1().finish();
    check_shared_empty_dir(&pod, &done);
    // As PID 1, podinit's own messages carry pid 1.
    assert!(done.stderr.contains("podinit (1)]"), "{}", done.stderr);
}

// ------------------------------------------------------------ 2. exit codes

#[test]
fn a_never_pod_exits_with_the_failed_containers_code() {
    if !require_root() {
        return;
    }
    let pod = Pod::new(
        "exit-3",
        r#"
apiVersion: v1
kind: Pod
metadata: {name: codes}
spec:
  restartPolicy: Never
  containers:
  - {name: ok, image: busybox, command: [sh, -c, "exit 0"]}
  - {name: three, image: busybox, command: [sh, -c, "exit 3"]}
"#,
    );
    let done = pod.host().finish();
    assert_eq!(done.code, Some(3), "{}", done.stderr);
    pod.assert_state_empty(&done);
}

#[test]
fn the_first_failed_container_in_spec_order_gives_the_code() {
    if !require_root() {
        return;
    }
    // `late` fails a second after `early` did: spec order, not time, counts.
    let pod = Pod::new(
        "exit-order",
        r#"
apiVersion: v1
kind: Pod
metadata: {name: codes}
spec:
  restartPolicy: Never
  containers:
  - {name: late, image: busybox, command: [sh, -c, "sleep 1; exit 5"]}
  - {name: early, image: busybox, command: [sh, -c, "exit 7"]}
"#,
    );
    let done = pod.pid1().finish();
    assert_eq!(done.code, Some(5), "{}", done.stderr);
    assert_before(
        &done.stderr,
        "container early: ended with exit code 7",
        "container late: ended with exit code 5",
    );
}

#[test]
fn a_container_killed_by_signal_n_gives_128_plus_n() {
    if !require_root() {
        return;
    }
    // In a PID namespace of its own (behind a reaper) and in the pod's.
    // `$$$$` is the shell's `$$`: podinit, as the kubelet, reads `$$` in a
    // command as an escaped `$`.
    for (share, signal, code) in [("false", "USR1", 138), ("true", "KILL", 137)] {
        let pod = Pod::new(
            &format!("exit-signal-{signal}"),
            &format!(
                r#"
apiVersion: v1
kind: Pod
metadata: {{name: codes}}
spec:
  restartPolicy: Never
  shareProcessNamespace: {share}
  containers:
  - {{name: ok, image: busybox, command: [sh, -c, "exit 0"]}}
  - {{name: killed, image: busybox, command: [sh, -c, "kill -{signal} $$$$; sleep 10"]}}
"#
            ),
        );
        let done = pod.host().finish();
        assert_eq!(
            done.code,
            Some(code),
            "SIG{signal}, shareProcessNamespace {share}: {}",
            done.stderr
        );
    }
}

#[test]
fn a_failed_init_container_under_never_fails_the_pod_before_any_app() {
    if !require_root() {
        return;
    }
    let pod = Pod::new(
        "init-fails",
        r#"
apiVersion: v1
kind: Pod
metadata: {name: initfail}
spec:
  restartPolicy: Never
  initContainers:
  - {name: setup, image: busybox, command: [sh, -c, "echo setup ran; exit 4"]}
  containers:
  - {name: app, image: busybox, command: [sh, -c, "echo app ran"]}
"#,
    );
    let done = pod.host().finish();
    assert_eq!(done.code, Some(4), "{}", done.stderr);
    assert!(done.stdout.contains("setup ran"), "{}", done.stdout);
    assert!(!done.stdout.contains("app ran"), "{}", done.stdout);
    assert!(
        !done.stderr.contains("container app: started"),
        "{}",
        done.stderr
    );
    pod.assert_state_empty(&done);
}

#[test]
fn a_missing_command_exits_128_naming_the_path_and_errno() {
    if !require_root() {
        return;
    }
    let pod = Pod::new(
        "no-command",
        r#"
apiVersion: v1
kind: Pod
metadata: {name: nocmd}
spec:
  restartPolicy: Never
  containers:
  - {name: ok, image: busybox, command: [sh, -c, "exit 0"]}
  - {name: missing, image: busybox, command: [/no/such/program, arg]}
"#,
    );
    let done = pod.host().finish();
    assert_eq!(done.code, Some(128), "{}", done.stderr);
    assert!(done.stderr.contains("/no/such/program"), "{}", done.stderr);
    assert!(
        done.stderr.contains("No such file or directory"),
        "{}",
        done.stderr
    );
    pod.assert_state_empty(&done);
}

#[test]
fn a_container_that_cannot_start_counts_128_while_it_is_retried() {
    if !require_root() {
        return;
    }
    let pod = Pod::new(
        "no-command-retried",
        r#"
apiVersion: v1
kind: Pod
metadata: {name: nocmd}
spec:
  restartPolicy: OnFailure
  containers:
  - {name: missing, image: busybox, command: [/no/such/program]}
"#,
    );
    let run = pod.host();
    // Failed at once, retried at once, then waiting 1 s before the next try.
    std::thread::sleep(Duration::from_millis(500));
    run.signal(libc::SIGTERM);
    let done = run.finish();
    // Its program never ran: no exit code but the StartError's 128.
    assert!(
        !done.stderr.contains("exit code 127"),
        "an exit code from no instance: {}",
        done.stderr
    );
    assert_eq!(done.code, Some(128), "{}", done.stderr);
}

// ------------------------------------------------------- 3. init containers

#[test]
fn init_containers_run_one_by_one_before_the_apps() {
    if !require_root() {
        return;
    }
    let pod = Pod::new(
        "init-order",
        r#"
apiVersion: v1
kind: Pod
metadata: {name: inits}
spec:
  restartPolicy: Never
  volumes:
  - {name: work, emptyDir: {}}
  initContainers:
  - name: init-one
    image: busybox
    command: [sh, -c, "sleep 0.3; echo init-one >> /work/seq"]
    volumeMounts: [{name: work, mountPath: /work}]
  - name: init-two
    image: busybox
    command: [sh, -c, "sleep 0.2; echo init-two >> /work/seq"]
    volumeMounts: [{name: work, mountPath: /work}]
  - name: init-three
    image: busybox
    command: [sh, -c, "echo init-three >> /work/seq"]
    volumeMounts: [{name: work, mountPath: /work}]
  containers:
  - name: app
    image: busybox
    command: [sh, -c, "echo app >> /work/seq; sed 's/^/seq:/' /work/seq"]
    volumeMounts: [{name: work, mountPath: /work}]
"#,
    );
    let done = pod.host().finish();
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    let seq: Vec<&str> = done
        .stdout
        .lines()
        .filter_map(|l| l.strip_prefix("seq:"))
        .collect();
    assert_eq!(
        seq,
        ["init-one", "init-two", "init-three", "app"],
        "{}",
        done.stderr
    );
    assert_before(
        &done.stderr,
        "container init-one: ended",
        "container init-two: started",
    );
    assert_before(
        &done.stderr,
        "container init-two: ended",
        "container init-three: started",
    );
    assert_before(
        &done.stderr,
        "container init-three: ended",
        "container app: started",
    );
}

#[test]
fn a_failed_init_container_under_on_failure_is_retried_with_back_off() {
    if !require_root() {
        return;
    }
    // Fails twice, then succeeds: restarts at once, then after 1 s.
    let pod = Pod::new(
        "init-retry",
        r#"
apiVersion: v1
kind: Pod
metadata: {name: retry}
spec:
  restartPolicy: OnFailure
  volumes:
  - {name: work, emptyDir: {}}
  initContainers:
  - name: flaky
    image: busybox
    command: [sh, -c, "echo x >> /work/tries; n=`wc -l < /work/tries`; echo flaky try $n; [ $n -ge 3 ]"]
    volumeMounts: [{name: work, mountPath: /work}]
  containers:
  - name: app
    image: busybox
    command: [sh, -c, "echo app after `wc -l < /work/tries` tries"]
    volumeMounts: [{name: work, mountPath: /work}]
"#,
    );
    let done = pod.host().finish();
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    assert!(
        done.stdout.contains("app after 3 tries"),
        "stdout {:?}; stderr {}",
        done.stdout,
        done.stderr
    );
    assert_eq!(count(&done.stdout, "flaky try"), 3, "{}", done.stdout);
    // The first restart comes at once, the second after the initial
    // back-off (1 s).
    assert!(
        done.stderr
            .contains("container flaky: ended with exit code 1; restarting\n"),
        "{}",
        done.stderr
    );
    assert!(done.stderr.contains("restarting in"), "{}", done.stderr);
    assert!(
        done.elapsed >= Duration::from_millis(900),
        "three tries in {:?}: no back-off; {}",
        done.elapsed,
        done.stderr
    );
    pod.assert_state_empty(&done);
}

// ----------------------------------------------------------- 4. restarts

/// The delays podinit announced: "restarting in 1.000s", or "restarting"
/// for a restart at once (the first one).
fn restart_delays(stderr: &str, container: &str) -> Vec<f64> {
    let prefix = format!("container {container}: ended with ");
    stderr
        .lines()
        .filter(|l| l.contains(&prefix))
        .filter_map(|l| match l.split("restarting in ").nth(1) {
            Some(delay) => delay.trim_end_matches('s').parse().ok(),
            None => l.trim_end().ends_with("; restarting").then_some(0.0),
        })
        .collect()
}

#[test]
fn restart_policy_always_restarts_with_the_kubelet_back_off() {
    if !require_root() {
        return;
    }
    let pod = Pod::new(
        "always",
        r#"
apiVersion: v1
kind: Pod
metadata: {name: crashy}
spec:
  restartPolicy: Always
  containers:
  - {name: crash, image: busybox, command: [sh, -c, "echo tick; exit 1"]}
"#,
    );
    let mut run = pod.host();
    run.expect_line("tick");
    // Starts at 0 s, at once, then 1 s and 2 s apart (initial 1 s, max 2 s):
    // five in ~6 s on an idle machine.
    std::thread::sleep(Duration::from_secs(6));
    let ticks = run.seen().iter().filter(|l| l.contains("tick")).count();
    run.signal(libc::SIGTERM);
    let done = run.finish();
    assert!(
        (3..=7).contains(&ticks),
        "{ticks} starts in ~6 s; stderr {}",
        done.stderr
    );
    let delays = restart_delays(&done.stderr, "crash");
    assert!(delays.len() >= 3, "{delays:?}: {}", done.stderr);
    let expected = [0.0, 1.0, 2.0, 2.0, 2.0, 2.0, 2.0];
    for (got, want) in delays.iter().zip(expected) {
        assert!(
            (got - want).abs() < 0.25,
            "back-off delays {delays:?}, expected {expected:?}: {}",
            done.stderr
        );
    }
    pod.assert_state_empty(&done);
}

#[test]
fn restart_policy_on_failure_does_not_restart_a_success() {
    if !require_root() {
        return;
    }
    let pod = Pod::new(
        "on-failure",
        r#"
apiVersion: v1
kind: Pod
metadata: {name: once}
spec:
  restartPolicy: OnFailure
  containers:
  - {name: once, image: busybox, command: [sh, -c, "echo ran once; exit 0"]}
  - {name: slow, image: busybox, command: [sh, -c, "sleep 3; echo slow done"]}
"#,
    );
    let done = pod.host().finish();
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    assert!(done.stdout.contains("slow done"), "{}", done.stdout);
    assert_eq!(
        count(&done.stdout, "ran once"),
        1,
        "{}\n{}",
        done.stdout,
        done.stderr
    );
    assert!(!done.stderr.contains("restarting"), "{}", done.stderr);
}

// -------------------------------------------------------- 5. termination

const TRAPS_TERM: &str = r#"
apiVersion: v1
kind: Pod
metadata: {name: term}
spec:
  containers:
  - name: app
    image: busybox
    command: [sh, -c, 'trap "echo app got TERM; exit 0" TERM; echo app ready; while true; do sleep 0.1; done']
"#;

fn check_sigterm_reaches_the_app(mut run: Run, pod: &Pod) {
    run.expect_line("app ready");
    run.signal(libc::SIGTERM);
    let done = run.finish();
    assert!(
        done.stdout.contains("app got TERM"),
        "stdout {:?}; stderr {}",
        done.stdout,
        done.stderr
    );
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    assert!(
        done.stderr.contains("received SIGTERM: stopping the pod"),
        "{}",
        done.stderr
    );
    pod.assert_state_empty(&done);
}

#[test]
fn sigterm_to_podinit_in_host_mode_reaches_the_app() {
    if !require_root() {
        return;
    }
    let pod = Pod::new("term-host", TRAPS_TERM);
    check_sigterm_reaches_the_app(pod.host(), &pod);
}

#[test]
fn sigterm_to_podinit_in_container_mode_reaches_the_app() {
    if !require_root() {
        return;
    }
    let pod = Pod::new("term-pid1", TRAPS_TERM);
    check_sigterm_reaches_the_app(pod.pid1(), &pod);
}

const IGNORES_TERM: &str = r#"
apiVersion: v1
kind: Pod
metadata: {name: stubborn}
spec:
  terminationGracePeriodSeconds: GRACE
  containers:
  - name: stubborn
    image: busybox
    command: [sh, -c, 'trap "" TERM INT; echo stubborn ready; while true; do sleep 0.1; done']
"#;

#[test]
fn containers_ignoring_sigterm_are_killed_at_the_end_of_the_grace_period() {
    if !require_root() {
        return;
    }
    // Two that ignore SIGTERM, one that stops at once: all get their stop
    // signal together, then both stubborn ones SIGKILL after 2 s.
    let pod = Pod::new(
        "grace",
        r#"
apiVersion: v1
kind: Pod
metadata: {name: stubborn}
spec:
  terminationGracePeriodSeconds: 2
  containers:
  - name: stubborn-1
    image: busybox
    command: [sh, -c, 'trap "" TERM; echo stubborn-1 ready; while true; do sleep 0.1; done']
  - name: polite
    image: busybox
    command: [sh, -c, 'trap "echo polite got TERM; exit 0" TERM; echo polite ready; while true; do sleep 0.1; done']
  - name: stubborn-2
    image: busybox
    command: [sh, -c, 'trap "" TERM; echo stubborn-2 ready; while true; do sleep 0.1; done']
"#,
    );
    let mut run = pod.host();
    for name in ["stubborn-1", "polite", "stubborn-2"] {
        run.expect_line(&format!("{name} ready"));
    }
    let sent = Instant::now();
    run.signal(libc::SIGTERM);
    let done = run.finish();
    let took = sent.elapsed();
    assert!(
        took >= Duration::from_millis(1800) && took < Duration::from_secs(20),
        "ended {took:?} after SIGTERM with a grace of 2 s: {}",
        done.stderr
    );
    assert_eq!(done.code, Some(137), "{}", done.stderr);
    assert!(done.stdout.contains("polite got TERM"), "{}", done.stdout);
    let err = &done.stderr;
    assert_before(
        err,
        "container stubborn-2: stopping with SIGTERM",
        "SIGKILL",
    );
    assert_before(
        err,
        "container stubborn-1: stopping with SIGTERM",
        "SIGKILL",
    );
    assert_before(err, "container polite: ended with exit code 0", "SIGKILL");
    assert!(
        err.contains("container stubborn-1: ended with signal SIGKILL")
            && err.contains("container stubborn-2: ended with signal SIGKILL"),
        "{err}"
    );
    pod.assert_state_empty(&done);
}

#[test]
fn sigpwr_stops_the_pod_with_each_containers_stop_signal() {
    if !require_root() {
        return;
    }
    let pod = Pod::new(
        "sigpwr",
        r#"
apiVersion: v1
kind: Pod
metadata: {name: power}
spec:
  os: {name: linux}
  containers:
  - name: usr1
    image: busybox
    lifecycle: {stopSignal: SIGUSR1}
    command: [sh, -c, 'trap "echo usr1 got USR1; exit 0" USR1; trap "echo usr1 got TERM; exit 0" TERM; echo usr1 ready; while true; do sleep 0.1; done']
  - name: term
    image: busybox
    command: [sh, -c, 'trap "echo term got TERM; exit 0" TERM; echo term ready; while true; do sleep 0.1; done']
"#,
    );
    let mut run = pod.pid1();
    run.expect_line("usr1 ready");
    run.expect_line("term ready");
    run.signal(libc::SIGPWR);
    let done = run.finish();
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    assert!(done.stdout.contains("usr1 got USR1"), "{}", done.stdout);
    assert!(!done.stdout.contains("usr1 got TERM"), "{}", done.stdout);
    assert!(done.stdout.contains("term got TERM"), "{}", done.stdout);
    assert!(
        done.stderr.contains("received SIGPWR: stopping the pod"),
        "{}",
        done.stderr
    );
    pod.assert_state_empty(&done);
}

#[test]
fn sigterm_during_an_init_container_stops_it_and_no_app_starts() {
    if !require_root() {
        return;
    }
    let pod = Pod::new(
        "term-init",
        r#"
apiVersion: v1
kind: Pod
metadata: {name: terminit}
spec:
  initContainers:
  - {name: slow, image: busybox, command: [sh, -c, 'echo slow init running; exec sleep 300']}
  containers:
  - {name: app, image: busybox, command: [sh, -c, 'echo app ran']}
"#,
    );
    let mut run = pod.host();
    run.expect_line("slow init running");
    run.signal(libc::SIGTERM);
    let done = run.finish();
    // The init container died of the SIGTERM: 128 + 15.
    assert_eq!(done.code, Some(143), "{}", done.stderr);
    assert!(!done.stdout.contains("app ran"), "{}", done.stdout);
    assert!(
        !done.stderr.contains("container app: started"),
        "{}",
        done.stderr
    );
    pod.assert_state_empty(&done);
}

#[test]
fn a_second_sigint_kills_at_once() {
    if !require_root() {
        return;
    }
    for host in [true, false] {
        let pod = Pod::new(
            &format!("sigint-{host}"),
            &IGNORES_TERM.replace("GRACE", "60"),
        );
        let mut run = if host { pod.host() } else { pod.pid1() };
        run.expect_line("stubborn ready");
        let sent = Instant::now();
        run.signal(libc::SIGINT);
        std::thread::sleep(Duration::from_millis(500));
        run.signal(libc::SIGINT);
        let done = run.finish();
        let took = sent.elapsed();
        assert!(
            took < Duration::from_secs(20),
            "host mode {host}: ended {took:?} after the first SIGINT, grace 60 s: {}",
            done.stderr
        );
        assert_eq!(done.code, Some(137), "host mode {host}: {}", done.stderr);
        pod.assert_state_empty(&done);
    }
}

// ---------------------------------------------------------- 6. sidecars

#[test]
fn sidecars_start_before_what_follows_and_stop_after_the_apps_in_reverse() {
    if !require_root() {
        return;
    }
    let pod = Pod::new(
        "sidecars",
        r#"
apiVersion: v1
kind: Pod
metadata: {name: sidecars}
spec:
  restartPolicy: Never
  volumes:
  - name: out
    hostPath: {path: "@DIR@/out", type: DirectoryOrCreate}
  initContainers:
  - name: init-a
    image: busybox
    command: [sh, -c, "echo init-a >> /out/seq"]
    volumeMounts: [{name: out, mountPath: /out}]
  - name: side-1
    image: busybox
    restartPolicy: Always
    command: [sh, -c, 'trap "echo side-1-stop >> /out/seq; exit 0" TERM; echo side-1-start >> /out/seq; while true; do sleep 0.1; done']
    volumeMounts: [{name: out, mountPath: /out}]
  - name: init-b
    image: busybox
    command: [sh, -c, "echo init-b >> /out/seq"]
    volumeMounts: [{name: out, mountPath: /out}]
  - name: side-2
    image: busybox
    restartPolicy: Always
    command: [sh, -c, 'trap "echo side-2-stop >> /out/seq; exit 0" TERM; echo side-2-start >> /out/seq; while true; do sleep 0.1; done']
    volumeMounts: [{name: out, mountPath: /out}]
  containers:
  - name: app
    image: busybox
    command: [sh, -c, "echo app-start >> /out/seq; sleep 1; echo app-end >> /out/seq"]
    volumeMounts: [{name: out, mountPath: /out}]
"#,
    );
    let done = pod.host().finish();
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    let err = &done.stderr;
    // The starts, as podinit made them.
    assert_before(err, "container init-a: ended", "container side-1: started");
    assert_before(
        err,
        "container side-1: started",
        "container init-b: started",
    );
    assert_before(err, "container init-b: ended", "container side-2: started");
    assert_before(err, "container side-2: started", "container app: started");
    // The stops: the sidecars after the app, in reverse order.
    assert_before(err, "container app: ended", "container side-2: stopping");
    assert_before(err, "container side-2: ended", "container side-1: stopping");
    let seq = std::fs::read_to_string(pod.path("out/seq")).unwrap();
    let lines: Vec<&str> = seq.lines().collect();
    assert_eq!(lines.first(), Some(&"init-a"), "{seq}");
    for line in ["side-1-start", "init-b", "side-2-start", "app-start"] {
        assert!(lines.contains(&line), "{line} missing: {seq}");
    }
    assert_eq!(
        &lines[lines.len() - 3..],
        ["app-end", "side-2-stop", "side-1-stop"],
        "{seq}"
    );
    pod.assert_state_empty(&done);
}

// --------------------------------------------------------- 7. isolation

const HOSTS: &str = r#"
apiVersion: v1
kind: Pod
metadata: {name: iso-pod}
spec:
  restartPolicy: Never
  HOSTNAME
  hostAliases:
  - ip: 10.1.2.3
    hostnames: [foo.local, bar.local]
  containers:
  - name: a
    image: busybox
    command: [sh, -c, 'echo "hostname=`hostname`"; echo "etc-hostname=`cat /etc/hostname`"; echo ==hosts==; cat /etc/hosts; echo ==end==']
"#;

#[test]
fn the_hostname_and_etc_hosts_are_the_pods() {
    if !require_root() {
        return;
    }
    let cases = [
        ("hosts-default", "", "iso-pod", true),
        ("hosts-custom", "hostname: custom-host", "custom-host", true),
        ("hosts-pid1", "hostname: custom-host", "custom-host", false),
    ];
    for (name, field, want, host) in cases {
        let pod = Pod::new(name, &HOSTS.replace("HOSTNAME", field));
        let done = if host { pod.host() } else { pod.pid1() }.finish();
        assert_eq!(done.code, Some(0), "{name}: {}", done.stderr);
        let out = &done.stdout;
        assert!(out.contains(&format!("hostname={want}\n")), "{name}: {out}");
        assert!(
            out.contains(&format!("etc-hostname={want}\n")),
            "{name}: {out}"
        );
        let hosts = &out[pos(out, "==hosts==\n") + "==hosts==\n".len()..];
        assert!(
            hosts.starts_with("# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n"),
            "{name}: {hosts}"
        );
        assert!(hosts.contains(&format!("\t{want}\n")), "{name}: {hosts}");
        assert_before(
            hosts,
            "# Entries added by HostAliases.\n",
            "10.1.2.3\tfoo.local\tbar.local\n==end==",
        );
    }
}

const HOST_NETWORK: &str = r#"
apiVersion: v1
kind: Pod
metadata: {name: on-host-net}
spec:
  restartPolicy: Never
  hostNetwork: true
  hostAliases:
  - ip: 10.1.2.3
    hostnames: [foo.local]
  containers:
  - name: a
    image: busybox
    command: [sh, -c, 'echo "hostname=`hostname`"; echo "etc-hostname=`cat /etc/hostname`"; echo "env-hostname=$HOSTNAME"; echo ==hosts==; cat /etc/hosts; echo ==end==']
"#;

fn node_hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .unwrap()
        .trim_end()
        .to_owned()
}

#[test]
fn host_network_keeps_the_nodes_hostname_and_hosts_file() {
    if !require_root() {
        return;
    }
    let pod = Pod::new("host-net", HOST_NETWORK);
    let done = pod.host().finish();
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    let out = &done.stdout;
    let node = node_hostname();
    assert!(out.contains(&format!("hostname={node}\n")), "{out}");
    // The node's /etc/hosts, then the HostAliases part.
    let node_hosts = std::fs::read_to_string("/etc/hosts").unwrap();
    let hosts = &out[pos(out, "==hosts==\n") + "==hosts==\n".len()..];
    assert!(
        hosts.starts_with(node_hosts.trim_end()),
        "not the node's /etc/hosts:\n{hosts}"
    );
    assert_before(
        hosts,
        "# Entries added by HostAliases.\n",
        "10.1.2.3\tfoo.local\n==end==",
    );
}

#[test]
fn host_network_hostname_env_and_file_are_the_nodes() {
    if !require_root() {
        return;
    }
    let pod = Pod::new("host-net-env", HOST_NETWORK);
    let done = pod.host().finish();
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    let node = node_hostname();
    for line in [
        format!("hostname={node}"),
        format!("etc-hostname={node}"),
        format!("env-hostname={node}"),
    ] {
        assert!(
            done.stdout.lines().any(|l| l == line),
            "{line:?} missing: {}",
            done.stdout
        );
    }
}

const PS: &str = r#"
apiVersion: v1
kind: Pod
metadata: {name: pids}
spec:
  restartPolicy: Never
  shareProcessNamespace: SHARE
  volumes:
  - {name: shared, emptyDir: {}}
  containers:
  - name: a
    image: busybox
    command: [sh, -c, ': MARKER-A; touch /data/a-ready; while [ ! -f /data/b-done ]; do sleep 0.05; done']
    volumeMounts: [{name: shared, mountPath: /data}]
  - name: b
    image: busybox
    command: [sh, -c, 'while [ ! -f /data/a-ready ]; do sleep 0.05; done; ps -o pid,args > /tmp/ps; sed "s/^/ps:/" /tmp/ps; touch /data/b-done']
    volumeMounts: [{name: shared, mountPath: /data}]
"#;

/// What `ps` printed in container b: (pid, args).
fn ps_lines(stdout: &str) -> Vec<(u32, String)> {
    stdout
        .lines()
        .filter_map(|l| l.strip_prefix("ps:"))
        .filter_map(|l| {
            let l = l.trim_start();
            let (pid, args) = l.split_once(' ')?;
            Some((pid.parse().ok()?, args.trim().to_owned()))
        })
        .collect()
}

#[test]
fn each_container_has_a_pid_namespace_of_its_own_with_a_reaper_as_pid_1() {
    if !require_root() {
        return;
    }
    let pod = Pod::new("ps-own", &PS.replace("SHARE", "false"));
    let done = pod.host().finish();
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    let ps = ps_lines(&done.stdout);
    let one = ps.iter().find(|(pid, _)| *pid == 1);
    assert!(
        one.is_some_and(|(_, args)| args.contains("podinit")),
        "PID 1 of b is not podinit's reaper: {ps:?}"
    );
    assert!(
        !ps.iter().any(|(_, args)| args.contains("MARKER-A")),
        "b sees a: {ps:?}"
    );
    // The reaper, b's shell, ps: nothing of the pod's podinit or of a.
    assert!(ps.len() <= 3, "b sees more than its own: {ps:?}");
}

#[test]
fn share_process_namespace_shows_every_container_with_podinit_as_pid_1() {
    if !require_root() {
        return;
    }
    for host in [true, false] {
        let pod = Pod::new(&format!("ps-shared-{host}"), &PS.replace("SHARE", "true"));
        let done = if host { pod.host() } else { pod.pid1() }.finish();
        assert_eq!(done.code, Some(0), "{}", done.stderr);
        let ps = ps_lines(&done.stdout);
        let one = ps.iter().find(|(pid, _)| *pid == 1);
        assert!(
            one.is_some_and(|(_, args)| args.contains("podinit") && args.contains(" run ")),
            "PID 1 is not podinit: {ps:?}"
        );
        assert!(
            ps.iter()
                .any(|(pid, args)| *pid != 1 && args.contains("MARKER-A")),
            "b does not see a: {ps:?}"
        );
    }
}

#[test]
fn an_image_root_is_an_overlay_of_its_own_per_container() {
    if !require_root() {
        return;
    }
    let pod = Pod::new(
        "overlay",
        r#"
apiVersion: v1
kind: Pod
metadata: {name: overlay}
spec:
  restartPolicy: Never
  volumes:
  - {name: shared, emptyDir: {}}
  containers:
  - name: a
    image: busybox
    command: [sh, -c, 'echo mine > /written-by-a && echo "a reads `cat /written-by-a`"; rm /bin/wc && echo a removed wc; touch /data/a-done']
    volumeMounts: [{name: shared, mountPath: /data}]
  - name: b
    image: busybox
    command: [sh, -c, 'while [ ! -f /data/a-done ]; do sleep 0.05; done; if [ -e /written-by-a ]; then echo b sees it; else echo b clean; fi; [ -e /bin/wc ] && echo b has wc']
    volumeMounts: [{name: shared, mountPath: /data}]
"#,
    );
    let done = pod.host().finish();
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    for line in ["a reads mine", "a removed wc", "b clean", "b has wc"] {
        assert!(
            done.stdout.contains(line),
            "{line:?} missing: {}\n{}",
            done.stdout,
            done.stderr
        );
    }
    let image = pod.images.join("busybox/latest");
    assert!(
        !image.join("written-by-a").exists(),
        "a wrote into the image"
    );
    assert!(
        image.join("bin/wc").symlink_metadata().is_ok(),
        "a removed a file of the image"
    );
    pod.assert_state_empty(&done);
}

#[test]
fn read_only_root_filesystem_refuses_writes() {
    if !require_root() {
        return;
    }
    let pod = Pod::new(
        "ro-root",
        r#"
apiVersion: v1
kind: Pod
metadata: {name: roroot}
spec:
  restartPolicy: Never
  volumes:
  - {name: scratch, emptyDir: {}}
  containers:
  - name: a
    image: busybox
    securityContext: {readOnlyRootFilesystem: true}
    command: [sh, -c, 'touch /x 2>&1; echo "root-rc=$?"; touch /data/y && echo volume-writable']
    volumeMounts: [{name: scratch, mountPath: /data}]
"#,
    );
    let done = pod.host().finish();
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    assert!(done.stdout.contains("root-rc=1"), "{}", done.stdout);
    assert!(
        done.stdout.contains("Read-only file system"),
        "{}",
        done.stdout
    );
    assert!(done.stdout.contains("volume-writable"), "{}", done.stdout);
    assert!(!pod.images.join("busybox/latest/x").exists());
}

// ------------------------------------------------------------ 8. volumes

#[test]
fn host_path_directory_or_create_creates_and_keeps_what_was_written() {
    if !require_root() {
        return;
    }
    let pod = Pod::new(
        "hostpath",
        r#"
apiVersion: v1
kind: Pod
metadata: {name: hostpath}
spec:
  restartPolicy: Never
  volumes:
  - name: made
    hostPath: {path: "@DIR@/made/deeper", type: DirectoryOrCreate}
  - name: untyped
    hostPath: {path: "@DIR@/untyped"}
  containers:
  - name: a
    image: busybox
    command: [sh, -c, 'echo from-pod > /made/file.txt; echo other > /untyped/f']
    volumeMounts:
    - {name: made, mountPath: /made}
    - {name: untyped, mountPath: /untyped}
"#,
    );
    let done = pod.host().finish();
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    assert_eq!(
        std::fs::read_to_string(pod.path("made/deeper/file.txt")).unwrap(),
        "from-pod\n"
    );
    assert!(pod.path("untyped").is_dir());
    assert_eq!(
        std::fs::read_to_string(pod.path("untyped/f")).unwrap(),
        "other\n"
    );
    pod.assert_state_empty(&done);
}

const MISSING_HOST_FILE: &str = r#"
apiVersion: v1
kind: Pod
metadata: {name: hostfile}
spec:
  restartPolicy: Never
  volumes:
  - name: settings
    hostPath: {path: "@DIR@/no-such-file", type: File}
  containers:
  - name: a
    image: busybox
    command: [sh, -c, "echo should not run"]
    volumeMounts: [{name: settings, mountPath: /settings}]
"#;

#[test]
fn a_missing_host_path_file_is_a_start_error_naming_volume_and_path() {
    if !require_root() {
        return;
    }
    let pod = Pod::new("hostfile", MISSING_HOST_FILE);
    let done = pod.host().finish();
    assert_eq!(done.code, Some(1), "{}", done.stderr);
    assert!(done.stderr.contains("settings"), "{}", done.stderr);
    let path = pod.path("no-such-file");
    assert!(
        done.stderr.contains(&*path.to_string_lossy()),
        "{}",
        done.stderr
    );
    assert!(!done.stdout.contains("should not run"), "{}", done.stdout);
    assert!(!path.exists(), "a hostPath of type File was created");
}

#[test]
fn config_map_and_secret_volumes_and_env_from_two_files() {
    if !require_root() {
        return;
    }
    let mut pod = Pod::new(
        "configmap",
        r#"
apiVersion: v1
kind: Pod
metadata: {name: cfg}
spec:
  restartPolicy: Never
  volumes:
  - name: cfg
    configMap: {name: app-config}
  - name: sec
    secret: {secretName: app-secret}
  containers:
  - name: a
    image: busybox
    env:
    - name: GREETING
      valueFrom: {configMapKeyRef: {name: app-config, key: greeting}}
    - name: PASSWORD
      valueFrom: {secretKeyRef: {name: app-secret, key: password}}
    command: [sh, -c, 'echo "file-greeting=`cat /cfg/greeting`"; echo "file-props=`cat /cfg/app.properties`"; echo "file-password=`cat /sec/password`"; echo "env-greeting=$GREETING"; echo "env-password=$PASSWORD"; touch /cfg/new 2>/dev/null || echo cfg-read-only']
    volumeMounts:
    - {name: cfg, mountPath: /cfg}
    - {name: sec, mountPath: /sec}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: app-config}
data:
  greeting: hello-cm
  app.properties: color=blue
"#,
    );
    pod.add_file(
        "secret.yaml",
        r#"
apiVersion: v1
kind: Secret
metadata: {name: app-secret}
data:
  password: czNjcjN0
"#,
    );
    let done = pod.host().finish();
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    for line in [
        "file-greeting=hello-cm",
        "file-props=color=blue",
        "file-password=s3cr3t",
        "env-greeting=hello-cm",
        "env-password=s3cr3t",
        "cfg-read-only",
    ] {
        assert!(
            done.stdout.lines().any(|l| l == line),
            "{line:?} missing: {}\n{}",
            done.stdout,
            done.stderr
        );
    }
    pod.assert_state_empty(&done);
}

#[test]
fn downward_api_volume_has_the_labels_and_name() {
    if !require_root() {
        return;
    }
    let pod = Pod::new(
        "downward",
        r#"
apiVersion: v1
kind: Pod
metadata:
  name: downward
  labels: {app: demo, tier: web}
  annotations: {note: hi}
spec:
  restartPolicy: Never
  volumes:
  - name: podinfo
    downwardAPI:
      items:
      - {path: labels, fieldRef: {fieldPath: metadata.labels}}
      - {path: name, fieldRef: {fieldPath: metadata.name}}
  containers:
  - name: a
    image: busybox
    command: [sh, -c, 'sed "s/^/label:/" /podinfo/labels; echo; echo "name=`cat /podinfo/name`"']
    volumeMounts: [{name: podinfo, mountPath: /podinfo}]
"#,
    );
    let done = pod.host().finish();
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    assert!(
        done.stdout.contains("label:app=\"demo\""),
        "{}",
        done.stdout
    );
    assert!(
        done.stdout.contains("label:tier=\"web\""),
        "{}",
        done.stdout
    );
    assert!(done.stdout.contains("name=downward"), "{}", done.stdout);
}

#[test]
fn read_only_mounts_and_sub_paths() {
    if !require_root() {
        return;
    }
    let pod = Pod::new(
        "mounts",
        r#"
apiVersion: v1
kind: Pod
metadata: {name: mounts}
spec:
  restartPolicy: Never
  volumes:
  - {name: vol, emptyDir: {}}
  containers:
  - name: a
    image: busybox
    command: [sh, -c, 'echo hi > /rw/f; echo "ro reads `cat /ro/f`"; touch /ro/g 2>&1; echo "ro-rc=$?"; echo via-rw > /rw/inner/dir/h; echo "sub reads `cat /sub/h`"; echo via-sub > /sub/k; echo "rw reads `cat /rw/inner/dir/k`"; ls /sub | sed "s/^/sub-entry:/"']
    volumeMounts:
    - {name: vol, mountPath: /rw}
    - {name: vol, mountPath: /ro, readOnly: true}
    - {name: vol, mountPath: /sub, subPath: inner/dir}
"#,
    );
    let done = pod.host().finish();
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    let out = &done.stdout;
    for line in [
        "ro reads hi",
        "ro-rc=1",
        "sub reads via-rw",
        "rw reads via-sub",
    ] {
        assert!(out.lines().any(|l| l == line), "{line:?} missing: {out}");
    }
    assert!(out.contains("Read-only file system"), "{out}");
    // The sub path shows only its own directory.
    let entries: Vec<&str> = out
        .lines()
        .filter_map(|l| l.strip_prefix("sub-entry:"))
        .collect();
    assert_eq!(entries, ["h", "k"], "{out}");
    pod.assert_state_empty(&done);
}

#[test]
fn a_memory_empty_dir_is_bounded_and_dev_shm_is_the_pods() {
    if !require_root() {
        return;
    }
    let pod = Pod::new(
        "memory",
        r#"
apiVersion: v1
kind: Pod
metadata: {name: memory}
spec:
  restartPolicy: Never
  volumes:
  - name: mem
    emptyDir: {medium: Memory, sizeLimit: 1Mi}
  containers:
  - name: a
    image: busybox
    command: [sh, -c, 'echo "mem-fs=`stat -f -c %T /mem`"; dd if=/dev/zero of=/mem/big bs=1024 count=4096 2>/dev/null; echo "dd-rc=$?"; echo "mem-size=`du -k /mem/big | cut -f1`"; echo from-a > /dev/shm/note']
    volumeMounts: [{name: mem, mountPath: /mem}]
  - name: b
    image: busybox
    command: [sh, -c, 'while [ ! -s /dev/shm/note ]; do sleep 0.05; done; echo "b reads `cat /dev/shm/note` from /dev/shm"']
"#,
    );
    let done = pod.host().finish();
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    let out = &done.stdout;
    assert!(out.contains("mem-fs=tmpfs"), "{out}");
    assert!(
        out.contains("dd-rc=1"),
        "4 MiB fit in a 1 MiB emptyDir: {out}"
    );
    let size: u64 = out
        .lines()
        .find_map(|l| l.strip_prefix("mem-size="))
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or_else(|| panic!("{out}"));
    assert!(size <= 1024, "{size} KiB in a 1 MiB emptyDir: {out}");
    assert!(out.contains("b reads from-a from /dev/shm"), "{out}");
    pod.assert_state_empty(&done);
}

// ---------------------------------------------------------------- 9. env

#[test]
fn env_field_refs_expansion_and_env_from() {
    if !require_root() {
        return;
    }
    let pod = Pod::new(
        "env",
        r#"
apiVersion: v1
kind: Pod
metadata:
  name: envpod
  namespace: testns
  uid: 0b3c2a1e-1111-4222-8333-444455556666
  labels: {app: demo}
spec:
  restartPolicy: Never
  containers:
  - name: shell
    image: busybox
    workingDir: /tmp
    env:
    - {name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
    - {name: POD_NS, valueFrom: {fieldRef: {fieldPath: metadata.namespace}}}
    - {name: POD_UID, valueFrom: {fieldRef: {fieldPath: metadata.uid}}}
    - {name: POD_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}
    - {name: APP, valueFrom: {fieldRef: {fieldPath: "metadata.labels['app']"}}}
    - {name: FIRST, value: alpha}
    - {name: SECOND, value: "$(FIRST)-beta"}
    envFrom:
    - prefix: CFG_
      configMapRef: {name: env-config}
    - secretRef: {name: env-secret}
    command: [sh, -c]
    args:
    - 'echo "name=$POD_NAME"; echo "ns=$POD_NS"; echo "uid=$POD_UID"; echo "ip=$POD_IP"; echo "app=$APP"; echo "second=$SECOND"; echo "cfg=$CFG_color"; echo "token=$TOKEN"; echo "pwd=`pwd`"; echo "hostname-env=$HOSTNAME"'
  - name: plain
    image: busybox
    env:
    - {name: FIRST, value: alpha}
    - {name: SECOND, value: "$(FIRST)-beta"}
    command: [echo, "expanded=$(SECOND)"]
    args: ["escaped=$$(FIRST)", "unknown=$(NOPE)"]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: env-config, namespace: testns}
data: {color: blue}
---
apiVersion: v1
kind: Secret
metadata: {name: env-secret, namespace: testns}
stringData: {TOKEN: t0ken}
"#,
    );
    let done = pod.host().finish();
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    let out = &done.stdout;
    for line in [
        "name=envpod",
        "ns=testns",
        "uid=0b3c2a1e-1111-4222-8333-444455556666",
        "app=demo",
        "second=alpha-beta",
        "cfg=blue",
        "token=t0ken",
        "pwd=/tmp",
        "hostname-env=envpod",
        "expanded=alpha-beta escaped=$(FIRST) unknown=$(NOPE)",
    ] {
        assert!(
            out.lines().any(|l| l == line),
            "{line:?} missing: {out}\n{}",
            done.stderr
        );
    }
    let ip = out
        .lines()
        .find_map(|l| l.strip_prefix("ip="))
        .unwrap_or_default();
    assert!(
        ip.parse::<std::net::IpAddr>().is_ok(),
        "status.podIP {ip:?} is not an address: {out}"
    );
}

#[test]
fn a_missing_working_dir_is_created() {
    if !require_root() {
        return;
    }
    let pod = Pod::new(
        "workdir",
        r#"
apiVersion: v1
kind: Pod
metadata: {name: workdir}
spec:
  restartPolicy: Never
  containers:
  - {name: a, image: busybox, workingDir: /srv/app/data, command: [sh, -c, 'echo "pwd=`pwd`"']}
"#,
    );
    let done = pod.host().finish();
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    assert!(
        done.stdout.lines().any(|l| l == "pwd=/srv/app/data"),
        "{}",
        done.stdout
    );
    assert!(!pod.images.join("busybox/latest/srv").exists());
}

#[test]
fn security_context_sets_user_group_and_supplemental_groups() {
    if !require_root() {
        return;
    }
    let pod = Pod::new(
        "security",
        r#"
apiVersion: v1
kind: Pod
metadata: {name: users}
spec:
  restartPolicy: Never
  securityContext: {runAsUser: 1000, runAsGroup: 2000, supplementalGroups: [3000, 3001]}
  containers:
  - name: pod-level
    image: busybox
    command: [sh, -c, 'echo "pod-level uid=`id -u` gid=`id -g` groups=`id -G`"']
  - name: own
    image: busybox
    securityContext: {runAsUser: 1234, runAsGroup: 4321}
    command: [sh, -c, 'echo "own uid=`id -u` gid=`id -g`"; touch /x 2>/dev/null || echo own cannot write the root']
"#,
    );
    let done = pod.host().finish();
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    let out = &done.stdout;
    let pod_level = out
        .lines()
        .find(|l| l.starts_with("pod-level "))
        .unwrap_or_else(|| panic!("{out}\n{}", done.stderr));
    assert!(pod_level.contains("uid=1000 gid=2000 "), "{pod_level}");
    let groups: Vec<&str> = pod_level
        .split("groups=")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .collect();
    assert!(
        groups.contains(&"3000") && groups.contains(&"3001"),
        "{pod_level}"
    );
    assert!(out.contains("own uid=1234 gid=4321"), "{out}");
}

// --------------------------------------------------------- 10. leftovers

const LEFTOVER: &str = r#"
apiVersion: v1
kind: Pod
metadata: {name: leftover}
spec:
  restartPolicy: Never
  shareProcessNamespace: SHARE
  volumes:
  - name: ctl
    hostPath: {path: "@DIR@/ctl", type: DirectoryOrCreate}
  containers:
  - name: forker
    image: busybox
    command: [sh, -c, 'sleep TOKEN & sleep 0.1; kill -0 $! && echo leftover running; touch /ctl/forker-done']
    volumeMounts: [{name: ctl, mountPath: /ctl}]
  - name: waiter
    image: busybox
    command: [sh, -c, 'while [ ! -f /ctl/stop ]; do sleep 0.05; done; echo waiter done']
    volumeMounts: [{name: ctl, mountPath: /ctl}]
"#;

fn check_leftover_killed(share: bool, offset: u32) {
    let token = unique_token(100_000, offset);
    let pod = Pod::new(
        &format!("leftover-{share}"),
        &LEFTOVER
            .replace("SHARE", &share.to_string())
            .replace("TOKEN", &token),
    );
    let mut run = pod.host();
    run.expect_line("leftover running");
    wait_for_file(&pod.path("ctl/forker-done"));
    // The pod still runs (the waiter waits), and `sleep TOKEN` must go now
    // that the container that started it has ended.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let left = running_with_argv(&["sleep", &token]);
        if left.is_empty() {
            break;
        }
        if Instant::now() > deadline {
            std::fs::write(pod.path("ctl/stop"), "").unwrap();
            let done = run.finish();
            panic!(
                "shareProcessNamespace {share}: the leftover sleep {left:?} outlived its container by 10 s; {}",
                done.stderr
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        !run.seen().iter().any(|l| l.contains("waiter done")),
        "the pod ended before the check"
    );
    std::fs::write(pod.path("ctl/stop"), "").unwrap();
    let done = run.finish();
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    assert!(done.stdout.contains("waiter done"), "{}", done.stdout);
    pod.assert_state_empty(&done);
}

#[test]
fn a_containers_leftover_dies_with_it_in_its_own_pid_namespace() {
    if !require_root() {
        return;
    }
    check_leftover_killed(false, 1);
}

#[test]
fn a_containers_leftover_dies_with_it_in_a_shared_pid_namespace() {
    if !require_root() {
        return;
    }
    check_leftover_killed(true, 2);
}

// ------------------------------------------------------------ 11. faults

const MANY_CHILDREN: &str = r#"
apiVersion: v1
kind: Pod
metadata: {name: many}
spec:
  restartPolicy: Never
  shareProcessNamespace: SHARE
  volumes:
  - {name: shared, emptyDir: {}}
  containers:
  - name: forker
    image: busybox
    command: [sh, -c, 'n=0; while [ $n -lt 2000 ]; do sleep 100 & n=$((n+1)); done; echo forked $n; touch /data/forked']
    volumeMounts: [{name: shared, mountPath: /data}]
  - name: other
    image: busybox
    command: [sh, -c, 'while [ ! -f /data/forked ]; do sleep 0.05; done; sleep 0.5; echo other still fine']
    volumeMounts: [{name: shared, mountPath: /data}]
"#;

#[test]
fn two_thousand_children_left_behind_end_cleanly() {
    if !require_root() {
        return;
    }
    for share in [false, true] {
        let pod = Pod::new(
            &format!("many-{share}"),
            &MANY_CHILDREN.replace("SHARE", &share.to_string()),
        );
        let started = Instant::now();
        // finish() fails if any of the 2000 (holding stdout) outlives podinit.
        let done = pod.host().finish();
        eprintln!(
            "shareProcessNamespace {share}: 2000 leftovers, pod done in {:?}",
            started.elapsed()
        );
        assert_eq!(done.code, Some(0), "share {share}: {}", done.stderr);
        assert!(done.stdout.contains("forked 2000"), "{}", done.stdout);
        assert!(done.stdout.contains("other still fine"), "{}", done.stdout);
        pod.assert_state_empty(&done);
    }
}

#[test]
fn a_container_that_closes_its_stdout_and_stderr() {
    if !require_root() {
        return;
    }
    let pod = Pod::new(
        "closes-stdout",
        r#"
apiVersion: v1
kind: Pod
metadata: {name: closer}
spec:
  restartPolicy: Never
  containers:
  - {name: no-stdout, image: busybox, command: [sh, -c, 'exec >&-; echo lost 2>/dev/null; echo no-stdout on stderr >&2; sleep 0.3']}
  - {name: no-output, image: busybox, command: [sh, -c, 'exec >&- 2>&-; sleep 0.3; exit 0']}
  - {name: speaker, image: busybox, command: [sh, -c, 'sleep 1; echo speaker on stdout']}
"#,
    );
    let done = pod.host().finish();
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    assert!(done.stdout.contains("speaker on stdout"), "{}", done.stdout);
    assert!(
        done.stderr.contains("no-stdout on stderr"),
        "{}",
        done.stderr
    );
    assert!(
        done.stderr.contains("pod closer: Succeeded"),
        "{}",
        done.stderr
    );
}

const NO_IMAGE: &str = r#"
apiVersion: v1
kind: Pod
metadata: {name: noimage}
spec:
  restartPolicy: Never
  containers:
  - {name: ok, image: busybox, command: [sh, -c, "echo should not run"]}
  - {name: missing, image: "nosuch:1.0", command: [sh, -c, "echo should not run"]}
"#;

#[test]
fn a_missing_image_exits_1_saying_where_it_looked_and_what_the_store_holds() {
    if !require_root() {
        return;
    }
    let pod = Pod::new("no-image", NO_IMAGE);
    let done = pod.host().finish();
    assert_eq!(done.code, Some(1), "{}", done.stderr);
    assert!(done.stderr.contains("nosuch"), "{}", done.stderr);
    assert!(
        done.stderr.contains(&*pod.images.to_string_lossy()),
        "{}",
        done.stderr
    );
    assert!(done.stderr.contains("busybox:latest"), "{}", done.stderr);
    assert!(!done.stdout.contains("should not run"), "{}", done.stdout);
}

#[test]
fn a_start_error_leaves_no_pod_directory() {
    if !require_root() {
        return;
    }
    for (name, yaml) in [
        ("left-image", NO_IMAGE),
        ("left-hostfile", MISSING_HOST_FILE),
    ] {
        let pod = Pod::new(name, yaml);
        let done = pod.host().finish();
        assert_eq!(done.code, Some(1), "{}", done.stderr);
        pod.assert_state_empty(&done);
    }
}

#[test]
fn an_invalid_manifest_exits_2_with_the_diagnostics() {
    if !require_root() {
        return;
    }
    let pod = Pod::new(
        "invalid",
        r#"
apiVersion: v1
kind: Pod
metadata: {name: invalid}
spec:
  restartPolicy: Sometimes
  containers:
  - {name: a, image: busybox, command: [sh, -c, "echo should not run"]}
"#,
    );
    let done = pod.host().finish();
    assert_eq!(done.code, Some(2), "{}", done.stderr);
    assert!(
        done.stderr.contains("spec.restartPolicy"),
        "{}",
        done.stderr
    );
    assert!(done.stderr.contains("Sometimes"), "{}", done.stderr);
    assert!(!done.stdout.contains("should not run"), "{}", done.stdout);
    pod.assert_state_empty(&done);
}

// ---------------------------------------------------------- 12. ten apps

#[test]
fn ten_containers_start_and_a_sigterm_ends_them() {
    if !require_root() {
        return;
    }
    let mut yaml = String::from(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: ten}\nspec:\n  terminationGracePeriodSeconds: 10\n  containers:\n",
    );
    for i in 0..10 {
        yaml.push_str(&format!(
            "  - {{name: c{i}, image: busybox, command: [sh, -c, 'echo c{i} started; exec sleep 300']}}\n"
        ));
    }
    let pod = Pod::new("ten", &yaml);
    let spawned = Instant::now();
    let mut run = pod.host();
    for i in 0..10 {
        run.expect_line(&format!("c{i} started"));
    }
    eprintln!(
        "ten containers: all 10 started {:?} after spawn",
        spawned.elapsed()
    );
    let sent = Instant::now();
    run.signal(libc::SIGTERM);
    let done = run.finish();
    eprintln!("ten containers: ended {:?} after SIGTERM", sent.elapsed());
    // sleep dies of SIGTERM: 128 + 15.
    assert_eq!(done.code, Some(143), "{}", done.stderr);
    assert_eq!(count(&done.stderr, ": started (pid"), 10, "{}", done.stderr);
    assert!(
        sent.elapsed() < Duration::from_secs(10),
        "the SIGKILL was needed: {}",
        done.stderr
    );
    pod.assert_state_empty(&done);
}

#[test]
fn container_mode_in_the_machines_uts_namespace_leaves_the_hostname_alone() {
    if !require_root() {
        return;
    }
    let before = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    let pod = Pod::new(
        "uts-host",
        r#"
apiVersion: v1
kind: Pod
metadata: {name: not-the-hosts-name}
spec:
  restartPolicy: Never
  containers:
  - {name: a, image: /, command: [hostname]}
"#,
    );
    // `unshare --pid --fork --mount-proc` without --uts: PID 1 in the
    // machine's UTS namespace.
    let done = as_pid1(&pod.args()).finish();
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    let after = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    assert_eq!(before, after, "{}", done.stderr);
    assert!(
        done.stderr.contains("shares the machine's UTS namespace"),
        "{}",
        done.stderr
    );
}

#[test]
fn a_sub_path_through_a_symlink_or_out_of_the_volume_is_refused() {
    if !require_root() {
        return;
    }
    let pod = Pod::new(
        "symsub",
        r#"
apiVersion: v1
kind: Pod
metadata: {name: symsub}
spec:
  restartPolicy: Never
  initContainers:
  - name: plant
    image: busybox
    command: [sh, -c, 'ln -s /etc /data/evil; mkdir -p /data/ok/x; echo fine > /data/ok/x/f']
    volumeMounts: [{name: data, mountPath: /data}]
  containers:
  - name: link
    image: busybox
    command: [sh, -c, 'touch /host/podinit-escaped']
    volumeMounts: [{name: data, mountPath: /host, subPath: evil}]
  - name: ok
    image: busybox
    command: [cat, /in/f]
    volumeMounts: [{name: data, mountPath: /in, subPath: ok/x}]
  - name: absolute
    image: busybox
    env: [{name: X, value: /etc}]
    command: [sh, -c, 'touch /in/podinit-escaped']
    volumeMounts: [{name: data, mountPath: /in, subPathExpr: $(X)}]
  volumes:
  - {name: data, emptyDir: {}}
"#,
    );
    let done = pod.host().finish();
    assert!(!std::path::Path::new("/etc/podinit-escaped").exists());
    assert_eq!(done.code, Some(128), "{}", done.stderr);
    assert!(done.stdout.contains("fine"), "{}", done.stdout);
    for message in [
        "container link: cannot use the subPath \"evil\" of volume data: a subPath may not go through a symbolic link",
        "container absolute: cannot use the subPath \"/etc\" of volume data: a subPath must be a relative path",
    ] {
        assert!(done.stderr.contains(message), "{}", done.stderr);
    }
}

#[test]
fn containers_do_not_inherit_the_callers_descriptors() {
    if !require_root() {
        return;
    }
    let pod = Pod::new(
        "fds",
        r#"
apiVersion: v1
kind: Pod
metadata: {name: fds}
spec:
  restartPolicy: Never
  containers:
  - {name: a, image: busybox, command: [sh, -c, 'for f in /proc/self/fd/*; do echo "fd:${f##*/}"; done']}
"#,
    );
    // podinit started with descriptor 7 open on / (not close-on-exec).
    let mut cmd = std::process::Command::new("sh");
    cmd.arg("-c")
        .arg("exec 7</; exec \"$0\" \"$@\"")
        .arg(podinit())
        .args(pod.args());
    let done = run_command(cmd).finish();
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    let fds: Vec<&str> = done
        .stdout
        .lines()
        .filter_map(|l| l.strip_prefix("fd:"))
        .collect();
    assert!(!fds.is_empty(), "{}", done.stdout);
    // 0, 1, 2, and the shell's own for the glob at most.
    assert!(!fds.contains(&"7"), "{fds:?}");
    assert!(fds.len() <= 4, "{fds:?}");
}
