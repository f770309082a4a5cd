//! Probes, lifecycle hooks, native sidecars and graceful termination, for
//! real: busybox pods run by `podinit run` in host mode and as PID 1 of
//! fresh namespaces, with podinit's log (stderr) read line by line as it
//! comes. Every probe has `periodSeconds: 1`; timing is only checked as an
//! order or with generous bounds (a lower bound where a delay is the point,
//! an upper bound with seconds of slack).

// Test code: a failed expectation is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{Duration, Instant};

use common::pod::*;
use common::*;

/// `needle` is nowhere in `text`.
fn assert_absent(text: &str, needle: &str) {
    assert!(
        !text.contains(needle),
        "{needle:?} should not be in:\n{text}"
    );
}

/// The part of `text` from the first `needle` on.
fn from<'t>(text: &'t str, needle: &str) -> &'t str {
    &text[pos(text, needle)..]
}

/// Waits until `n` lines of the container's output (podinit's stdout)
/// contain `needle`.
fn expect_lines(run: &mut Run, needle: &str, n: usize) {
    let deadline = Instant::now() + PATIENCE;
    while run.seen().iter().filter(|l| l.contains(needle)).count() < n {
        assert!(
            Instant::now() < deadline,
            "fewer than {n} lines with {needle:?} within {PATIENCE:?}: {:?}",
            run.seen()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

// ------------------------------------------------------------ 1. liveness

const LIVENESS: &str = r#"
apiVersion: v1
kind: Pod
metadata: {name: liveness}
spec:
  restartPolicy: POLICY
  terminationGracePeriodSeconds: 5
  containers:
  - name: app
    image: busybox
    env: [{name: MARK, value: "yes"}]
    command: [sh, -c, 'trap "echo app got TERM; exit 3" TERM; touch /tmp/alive; echo app up; sleep 2; rm /tmp/alive; while true; do sleep 0.1; done']
    livenessProbe:
      exec: {command: [test, -f, /tmp/alive]}
      initialDelaySeconds: 1
      periodSeconds: 1
      failureThreshold: 2
    readinessProbe:
      exec: {command: [sh, -c, 'test "$MARK" = yes && test -f /tmp/alive']}
      initialDelaySeconds: 1
      periodSeconds: 1
      failureThreshold: 1
"#;

#[test]
fn a_failing_liveness_probe_kills_and_restarts_the_container() {
    if !require_root() {
        return;
    }
    let pod = Pod::new("liveness", &LIVENESS.replace("POLICY", "Always"));
    let mut run = pod.host();
    run.expect_log(
        "container app: Killing: Container app failed liveness probe, will be restarted",
    );
    run.expect_log_nth("container app: started (pid", 2);
    // The second instance has set its trap.
    expect_lines(&mut run, "app up", 2);
    run.signal(libc::SIGTERM);
    let done = run.finish();
    let err = &done.stderr;
    // The exec probe ran in the container, with its env: it saw the file
    // the app made in its own /tmp, so the container was ready first.
    assert_before(err, "container app: ready", "container app: Killing");
    assert_before(
        err,
        "container app: Unhealthy: Liveness probe failed: ",
        "container app: Killing",
    );
    assert_before(err, "container app: not ready", "container app: Killing");
    assert_before(
        err,
        "container app: Killing",
        "container app: stopping with SIGTERM",
    );
    assert_before(
        err,
        "container app: stopping with SIGTERM",
        "container app: ended with exit code 3; restarting",
    );
    // Two failures in a row before the kill (threshold 2), not one.
    let before_kill = &err[..pos(err, "container app: Killing")];
    assert!(count(before_kill, "Liveness probe failed") >= 2, "{err}");
    assert!(count(&done.stdout, "app up") >= 2, "{}", done.stdout);
    assert_eq!(done.code, Some(3), "{err}");
    pod.assert_state_empty(&done);
}

#[test]
fn a_failing_liveness_probe_under_never_ends_the_pod_with_the_containers_code() {
    if !require_root() {
        return;
    }
    let pod = Pod::new("liveness-never", &LIVENESS.replace("POLICY", "Never"));
    let done = pod.pid1().finish();
    let err = &done.stderr;
    assert!(
        err.contains("container app: Killing: Container app failed liveness probe\n"),
        "{err}"
    );
    assert_absent(err, "will be restarted");
    assert_absent(err, "; restarting");
    assert!(done.stdout.contains("app got TERM"), "{}", done.stdout);
    assert_eq!(count(err, "container app: started (pid"), 1, "{err}");
    assert!(
        err.contains("container app: ended with exit code 3"),
        "{err}"
    );
    assert!(
        err.trim_end()
            .ends_with("pod liveness: Failed with exit code 3"),
        "{err}"
    );
    assert_eq!(done.code, Some(3), "{err}");
    pod.assert_state_empty(&done);
}

// ----------------------------------------------- 2. a probe that errors

#[test]
fn a_liveness_probe_that_cannot_run_errors_and_never_kills() {
    if !require_root() {
        return;
    }
    let pod = Pod::new(
        "probe-error",
        r#"
apiVersion: v1
kind: Pod
metadata: {name: errored}
spec:
  terminationGracePeriodSeconds: 5
  containers:
  - name: app
    image: busybox
    command: [sh, -c, 'trap "echo app got TERM; exit 0" TERM; echo app up; while true; do sleep 0.1; done']
    livenessProbe:
      exec: {command: [/no/such/probe]}
      periodSeconds: 1
      failureThreshold: 1
"#,
    );
    let mut run = pod.host();
    let first = run.expect_log("container app: Unhealthy: Liveness probe errored: ");
    // Three tries a round: the tenth error is from the fourth round, 3 s on.
    let (tenth, _) = run.expect_log_nth("Liveness probe errored", 10);
    assert!(
        tenth - first >= Duration::from_millis(2500),
        "ten errors within {:?}: the errors are retried at once, three times a period only; {}",
        tenth - first,
        run.log_text()
    );
    run.signal(libc::SIGTERM);
    let done = run.finish();
    let err = &done.stderr;
    assert!(
        err.contains("container app: Unhealthy: Liveness probe errored: ")
            && err.contains("/no/such/probe"),
        "{err}"
    );
    assert_absent(err, "Liveness probe failed");
    assert_absent(err, "Killing");
    assert_absent(err, "; restarting");
    assert_eq!(count(err, "container app: started (pid"), 1, "{err}");
    assert_eq!(count(&done.stdout, "app up"), 1, "{}", done.stdout);
    assert!(done.stdout.contains("app got TERM"), "{}", done.stdout);
    assert_eq!(done.code, Some(0), "{err}");
    pod.assert_state_empty(&done);
}

// ------------------------------------------------------ 3. startup probe

#[test]
fn liveness_waits_for_the_startup_probe_then_takes_over() {
    if !require_root() {
        return;
    }
    // The liveness probe (threshold 1) would kill the container at once
    // before /tmp/started exists; it must not run until the startup probe
    // has seen the file. The file goes away 2 s later: then it kills.
    let pod = Pod::new(
        "startup-gate",
        r#"
apiVersion: v1
kind: Pod
metadata: {name: gate}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 5
  containers:
  - name: app
    image: busybox
    command: [sh, -c, 'echo app up; sleep 2; touch /tmp/started; sleep 2; rm /tmp/started; exec sleep 300']
    startupProbe:
      exec: {command: [test, -f, /tmp/started]}
      periodSeconds: 1
      failureThreshold: 10
    livenessProbe:
      exec: {command: [test, -f, /tmp/started]}
      periodSeconds: 1
      failureThreshold: 1
"#,
    );
    let done = pod.pid1().finish();
    let err = &done.stderr;
    assert_before(
        err,
        "container app: Unhealthy: Startup probe failed: ",
        "container app: startup probe succeeded",
    );
    assert_before(err, "container app: startup probe succeeded", "Liveness");
    assert_before(
        err,
        "container app: startup probe succeeded",
        "container app: Unhealthy: Liveness probe failed: ",
    );
    assert!(
        err.contains("container app: Killing: Container app failed liveness probe\n"),
        "{err}"
    );
    // Held once it succeeded: no startup check after that.
    assert_absent(from(err, "startup probe succeeded"), "Startup probe");
    assert_eq!(count(err, "startup probe succeeded"), 1, "{err}");
    assert_eq!(done.code, Some(143), "{err}");
    pod.assert_state_empty(&done);
}

#[test]
fn a_startup_probe_that_never_succeeds_kills_the_container() {
    if !require_root() {
        return;
    }
    let pod = Pod::new(
        "startup-never",
        r#"
apiVersion: v1
kind: Pod
metadata: {name: nostart}
spec:
  terminationGracePeriodSeconds: 5
  containers:
  - name: app
    image: busybox
    command: [sh, -c, 'echo app up; exec sleep 300']
    startupProbe:
      exec: {command: [test, -f, /tmp/never]}
      periodSeconds: 1
      failureThreshold: 2
    livenessProbe:
      exec: {command: ["false"]}
      periodSeconds: 1
      failureThreshold: 1
"#,
    );
    let mut run = pod.host();
    run.expect_log("container app: Killing: Container app failed startup probe, will be restarted");
    run.expect_log("container app: ended with signal SIGTERM; restarting");
    run.expect_log_nth("container app: started (pid", 2);
    run.signal(libc::SIGTERM);
    let done = run.finish();
    let err = &done.stderr;
    let first_kill = &err[..pos(err, "Killing")];
    assert_eq!(count(first_kill, "Startup probe failed"), 2, "{err}");
    // The liveness probe (`false`) never ran: startup never succeeded.
    assert_absent(err, "Liveness");
    assert_absent(err, "startup probe succeeded");
    assert_eq!(done.code, Some(143), "{err}");
    pod.assert_state_empty(&done);
}

// ---------------------------------------------------------- 4. readiness

#[test]
fn readiness_over_http_follows_the_server_and_never_restarts() {
    if !require_root() {
        return;
    }
    let pod = Pod::new(
        "readiness",
        r##"
apiVersion: v1
kind: Pod
metadata: {name: ready}
spec:
  terminationGracePeriodSeconds: 5
  containers:
  - name: web
    image: busybox
    ports: [{name: http, containerPort: 8080}]
    command: [sh, -c, 'mkdir -p /www; (sleep 2; echo hi > /www/index.html; sleep 2; rm /www/index.html) & exec httpd -f -p 8080 -h /www']
    readinessProbe:
      httpGet: {path: /index.html, port: http}
      periodSeconds: 1
      failureThreshold: 1
  - name: redirect
    image: busybox
    command: [sh, -c, 'mkdir -p /www/cgi-bin; printf "#!/bin/sh\necho \"Status: 302 Found\"\necho \"Location: http://192.0.2.1/elsewhere\"\necho\n" > /www/cgi-bin/go; chmod +x /www/cgi-bin/go; exec httpd -f -p 8090 -h /www']
    readinessProbe:
      httpGet: {path: /cgi-bin/go, port: 8090}
      initialDelaySeconds: 1
      periodSeconds: 1
"##,
    );
    let mut run = pod.host();
    run.expect_log("container web: ready");
    run.expect_log("container web: not ready");
    // Failing on: still not restarted.
    let n = count(&run.log_text(), "container web: Unhealthy: Readiness") + 2;
    run.expect_log_nth("container web: Unhealthy: Readiness probe failed", n);
    run.expect_log("container redirect: ready");
    run.signal(libc::SIGTERM);
    let done = run.finish();
    let err = &done.stderr;
    assert!(
        err.contains(
            "container web: Unhealthy: Readiness probe failed: HTTP probe failed with statuscode: 404"
        ),
        "{err}"
    );
    assert_before(
        err,
        "container web: Unhealthy: Readiness probe failed",
        "container web: ready",
    );
    assert_eq!(count(err, "container web: ready"), 1, "{err}");
    assert_eq!(count(err, "container web: started (pid"), 1, "{err}");
    assert_absent(err, "Killing");
    assert_absent(err, "; restarting");
    // A redirect to another host is a success, with a warning.
    assert!(err.contains("container redirect: ProbeWarning: "), "{err}");
    assert_absent(
        err,
        "container redirect: Unhealthy: Readiness probe failed: HTTP",
    );
    assert_eq!(done.code, Some(143), "{err}");
    pod.assert_state_empty(&done);
}

// ------------------------------------------------ 5. network failures

#[test]
fn refused_and_silent_servers_fail_probes_and_the_loop_stays_responsive() {
    if !require_root() {
        return;
    }
    // Port 9: nobody. Port 8081: a server that accepts and never answers
    // (each connection gets a `sleep`). The liveness probe against it has
    // a timeout of 60 s: it is in flight when the SIGTERM comes.
    let pod = Pod::new(
        "net-failures",
        r#"
apiVersion: v1
kind: Pod
metadata: {name: silent}
spec:
  terminationGracePeriodSeconds: 20
  containers:
  - name: app
    image: busybox
    command: [sh, -c, 'trap "echo app got TERM; exit 0" TERM; nc -ll -p 8081 -e sleep 300 & echo app up; while true; do sleep 0.1; done']
    readinessProbe:
      tcpSocket: {port: 9}
      periodSeconds: 1
  - name: client
    image: busybox
    command: [sh, -c, 'trap "exit 0" TERM; while true; do sleep 0.1; done']
    readinessProbe:
      httpGet: {port: 8081, path: /silent}
      initialDelaySeconds: 1
      timeoutSeconds: 1
      periodSeconds: 1
    livenessProbe:
      httpGet: {port: 8081, path: /slow}
      initialDelaySeconds: 1
      timeoutSeconds: 60
      periodSeconds: 1
"#,
    );
    let mut run = pod.pid1();
    let started = run.expect_log("container client: started (pid");
    run.expect_log("container app: Unhealthy: Readiness probe failed: ");
    let (timed_out, line) =
        run.expect_log_nth("container client: Unhealthy: Readiness probe failed: ", 2);
    assert!(
        line.contains("Get \"http://127.0.0.1:8081/silent\": context deadline exceeded"),
        "{line}"
    );
    // initialDelaySeconds 1 + timeoutSeconds 1, twice over at least.
    assert!(
        timed_out - started >= Duration::from_millis(2500),
        "two time-outs {:?} after the start",
        timed_out - started
    );
    let sent = Instant::now();
    run.signal(libc::SIGTERM);
    let done = run.finish();
    let took = sent.elapsed();
    let err = &done.stderr;
    assert!(
        err.contains(
            "container app: Unhealthy: Readiness probe failed: dial tcp 127.0.0.1:9: connect: connection refused"
        ),
        "{err}"
    );
    assert!(
        took < Duration::from_secs(10),
        "stopped {took:?} after the SIGTERM, with a 60 s liveness check in flight: {err}"
    );
    assert_absent(err, "SIGKILL");
    assert_absent(err, "Killing");
    assert!(done.stdout.contains("app got TERM"), "{}", done.stdout);
    assert_eq!(done.code, Some(0), "{err}");
    pod.assert_state_empty(&done);
}

// ---------------------------------------------------------- 6. postStart

#[test]
fn post_start_runs_in_the_container_and_holds_the_next_one() {
    if !require_root() {
        return;
    }
    let pod = Pod::new(
        "post-start",
        r#"
apiVersion: v1
kind: Pod
metadata: {name: poststart}
spec:
  restartPolicy: Never
  volumes:
  - {name: shared, emptyDir: {}}
  - name: out
    hostPath: {path: "@DIR@/out", type: DirectoryOrCreate}
  containers:
  - name: first
    image: busybox
    workingDir: /work
    securityContext: {runAsUser: 1000}
    env: [{name: MARK, value: hooked}]
    volumeMounts: [{name: shared, mountPath: /shared}]
    command: [sh, -c, 'echo "first ns: `readlink /proc/self/ns/pid` `readlink /proc/self/ns/mnt`"; while [ ! -f /shared/hook ]; do sleep 0.05; done; echo "first read: `cat /shared/hook`"']
    lifecycle:
      postStart:
        exec: {command: [sh, -c, 'echo hook stdout is captured; echo hook stderr >&2; sleep 1; echo "ns: `readlink /proc/self/ns/pid` `readlink /proc/self/ns/mnt` uid=`id -u` mark=$MARK pwd=`pwd`" > /shared/hook.tmp && mv /shared/hook.tmp /shared/hook']}
  - name: second
    image: busybox
    volumeMounts: [{name: shared, mountPath: /shared}, {name: out, mountPath: /out}]
    command: [sh, -c, 'if [ -f /shared/hook ]; then echo second started after the hook; else echo second started too early; fi']
    lifecycle:
      # Never run: the container ends on its own.
      preStop:
        exec: {command: [touch, /out/second-pre-stopped]}
"#,
    );
    let done = pod.host().finish();
    let out = &done.stdout;
    let err = &done.stderr;
    assert_eq!(done.code, Some(0), "{out}\n{err}");
    assert!(
        out.contains("second started after the hook"),
        "{out}\n{err}"
    );
    assert_before(err, "container first: started", "container second: started");
    let app_ns = out
        .lines()
        .find_map(|l| l.strip_prefix("first ns: "))
        .unwrap_or_else(|| panic!("{out}"));
    // The hook: in the container's PID and mount namespaces (it wrote into
    // the emptyDir mounted there), as its user, in its working dir, with
    // its env.
    let read = out
        .lines()
        .find_map(|l| l.strip_prefix("first read: "))
        .unwrap_or_else(|| panic!("{out}"));
    assert_eq!(
        read,
        format!("ns: {app_ns} uid=1000 mark=hooked pwd=/work"),
        "{out}"
    );
    assert_absent(out, "hook stdout is captured");
    assert_absent(err, "hook stdout is captured");
    assert_absent(err, "FailedPostStartHook");
    assert!(
        !pod.path("out/second-pre-stopped").exists(),
        "a preStop ran for a container that ended on its own: {err}"
    );
    assert!(
        err.contains("pod poststart: Succeeded with exit code 0"),
        "{err}"
    );
    pod.assert_state_empty(&done);
}

const FAILED_POST_START: &str = r#"
apiVersion: v1
kind: Pod
metadata: {name: badhook}
spec:
  restartPolicy: POLICY
  terminationGracePeriodSeconds: 5
  containers:
  - name: app
    image: busybox
    command: [sh, -c, 'trap "echo app got TERM; exit 7" TERM; echo app up; while true; do sleep 0.1; done']
    lifecycle:
      postStart:
        exec: {command: [sh, -c, 'sleep 0.5; exit 1']}
  - name: next
    image: busybox
    command: [sh, -c, 'echo next ran']
"#;

#[test]
fn a_failed_post_start_stops_the_container_and_the_restart_policy_decides() {
    if !require_root() {
        return;
    }
    // Always: restarted, again and again.
    let pod = Pod::new(
        "post-start-always",
        &FAILED_POST_START.replace("POLICY", "Always"),
    );
    let mut run = pod.host();
    run.expect_log("container app: FailedPostStartHook: ");
    run.expect_log("container app: ended with exit code 7; restarting");
    run.expect_log_nth("container app: FailedPostStartHook: ", 2);
    run.signal(libc::SIGTERM);
    let done = run.finish();
    let err = &done.stderr;
    assert_before(
        err,
        "container app: FailedPostStartHook: ",
        "container app: stopping with SIGTERM",
    );
    assert!(count(err, "container app: started (pid") >= 2, "{err}");
    assert!(done.stdout.contains("app got TERM"), "{}", done.stdout);
    assert_eq!(done.code, Some(7), "{err}");
    pod.assert_state_empty(&done);

    // Never: the pod fails with the container's code.
    let pod = Pod::new(
        "post-start-never",
        &FAILED_POST_START.replace("POLICY", "Never"),
    );
    let done = pod.pid1().finish();
    let err = &done.stderr;
    assert!(
        err.contains("container app: FailedPostStartHook: "),
        "{err}"
    );
    assert_eq!(count(err, "container app: started (pid"), 1, "{err}");
    assert!(
        err.trim_end()
            .ends_with("pod badhook: Failed with exit code 7"),
        "{err}"
    );
    assert_eq!(done.code, Some(7), "{err}");
    pod.assert_state_empty(&done);
}

// ------------------------------------------------------------ 7. preStop

#[test]
fn pre_stop_runs_before_the_stop_signal() {
    if !require_root() {
        return;
    }
    // The TERM trap tells whether the preStop had run: 42 yes, 41 no.
    let pod = Pod::new(
        "pre-stop",
        r#"
apiVersion: v1
kind: Pod
metadata: {name: prestop}
spec:
  terminationGracePeriodSeconds: 10
  volumes: [{name: shared, emptyDir: {}}]
  containers:
  - name: app
    image: busybox
    volumeMounts: [{name: shared, mountPath: /shared}]
    command: [sh, -c, 'trap "if [ -f /shared/pre-stopped ]; then exit 42; else exit 41; fi" TERM; echo app up; while true; do sleep 0.1; done']
    lifecycle:
      preStop:
        exec: {command: [sh, -c, 'sleep 1; touch /shared/pre-stopped']}
  - name: plain
    image: busybox
    command: [sh, -c, 'trap "exit 0" TERM; echo plain up; while true; do sleep 0.1; done']
"#,
    );
    let mut run = pod.pid1();
    run.expect_line("app up");
    run.expect_line("plain up");
    run.signal(libc::SIGTERM);
    let done = run.finish();
    let err = &done.stderr;
    assert_before(
        err,
        "received SIGTERM: stopping the pod",
        "container app: stopping with SIGTERM",
    );
    assert_absent(err, "FailedPreStopHook");
    assert_absent(err, "has not returned");
    assert_absent(err, "SIGKILL");
    // 42: the marker was there when the TERM came.
    assert!(
        err.contains("container app: ended with exit code 42"),
        "{err}"
    );
    assert_eq!(done.code, Some(42), "{err}");
    pod.assert_state_empty(&done);
}

#[test]
fn a_pre_stop_longer_than_the_grace_period_is_cut_short() {
    if !require_root() {
        return;
    }
    let sleep = unique_token(200_000, 1);
    let pod = Pod::new(
        "pre-stop-long",
        &r#"
apiVersion: v1
kind: Pod
metadata: {name: longstop}
spec:
  terminationGracePeriodSeconds: 3
  containers:
  - name: app
    image: busybox
    command: [sh, -c, 'trap "" TERM; echo app up; while true; do sleep 0.1; done']
    lifecycle:
      preStop:
        exec: {command: [sleep, "TOKEN"]}
  - name: failing
    image: busybox
    command: [sh, -c, 'trap "exit 0" TERM; echo failing up; while true; do sleep 0.1; done']
    lifecycle:
      preStop:
        exec: {command: [sh, -c, 'exit 9']}
"#
        .replace("TOKEN", &sleep),
    );
    let mut run = pod.host();
    run.expect_line("app up");
    run.expect_line("failing up");
    let sent = Instant::now();
    run.signal(libc::SIGTERM);
    let received = run.expect_log("received SIGTERM: stopping the pod");
    let stopped = run.expect_log("container app: stopping with SIGTERM");
    let killed =
        run.expect_log("container app: still running at the end of the grace period: SIGKILL");
    let done = run.finish();
    let took = sent.elapsed();
    let err = &done.stderr;
    assert!(
        stopped - received >= Duration::from_millis(2500),
        "the stop signal {:?} after the SIGTERM, with a preStop of 100 s and a grace of 3 s: {err}",
        stopped - received
    );
    assert!(
        killed - stopped >= Duration::from_millis(1500),
        "SIGKILL {:?} after the stop signal: at least 2 s expected: {err}",
        killed - stopped
    );
    assert!(
        took < Duration::from_secs(3 + 2 + 5),
        "podinit took {took:?} with a grace of 3 s: {err}"
    );
    assert_before(
        err,
        "container app: the preStop hook has not returned within the grace period",
        "container app: stopping with SIGTERM",
    );
    // A failed preStop is told, and the stop goes on at once.
    assert!(
        err.contains("container failing: FailedPreStopHook: "),
        "{err}"
    );
    assert_before(
        err,
        "container failing: FailedPreStopHook: ",
        "container failing: stopping with SIGTERM",
    );
    assert_before(
        err,
        "container failing: ended with exit code 0",
        "container app: stopping with SIGTERM",
    );
    assert!(
        err.contains("container app: ended with signal SIGKILL"),
        "{err}"
    );
    assert_eq!(done.code, Some(137), "{err}");
    let left = running_with_argv(&["sleep", &sleep]);
    assert!(
        left.is_empty(),
        "the preStop's sleep outlived the pod: {left:?}"
    );
    pod.assert_state_empty(&done);
}

// ------------------------------------------------------- 8. sleep hook

#[test]
fn sleep_hooks_hold_the_next_container_and_delay_the_stop_signal() {
    if !require_root() {
        return;
    }
    let pod = Pod::new(
        "sleep-hook",
        r#"
apiVersion: v1
kind: Pod
metadata: {name: sleephook}
spec:
  terminationGracePeriodSeconds: 10
  containers:
  - name: app
    image: busybox
    command: [sh, -c, 'trap "echo app got TERM; exit 0" TERM; echo app up; while true; do sleep 0.1; done']
    lifecycle:
      postStart: {sleep: {seconds: 1}}
      preStop: {sleep: {seconds: 2}}
  - name: later
    image: busybox
    command: [sh, -c, 'trap "exit 0" TERM; echo later up; while true; do sleep 0.1; done']
"#,
    );
    let mut run = pod.host();
    let app = run.expect_log("container app: started (pid");
    let later = run.expect_log("container later: started (pid");
    assert!(
        later - app >= Duration::from_millis(800),
        "the next container started {:?} after one with a postStart sleep of 1 s",
        later - app
    );
    run.expect_line("app up");
    run.expect_line("later up");
    run.signal(libc::SIGTERM);
    let received = run.expect_log("received SIGTERM: stopping the pod");
    let stopped = run.expect_log("container app: stopping with SIGTERM");
    let done = run.finish();
    let err = &done.stderr;
    // No preStop: at once.
    assert_before(err, "container later: ended", "container app: stopping");
    let delay = stopped - received;
    assert!(
        delay >= Duration::from_millis(1500) && delay < Duration::from_secs(8),
        "the stop signal came {delay:?} after the SIGTERM, with a preStop sleep of 2 s: {err}"
    );
    assert_absent(err, "FailedPreStopHook");
    assert_absent(err, "SIGKILL");
    assert!(done.stdout.contains("app got TERM"), "{}", done.stdout);
    assert!(
        err.contains("pod sleephook: Succeeded with exit code 0"),
        "{err}"
    );
    assert_eq!(done.code, Some(0), "{err}");
    pod.assert_state_empty(&done);
}

// ------------------------------------------------ 9. SIGTERM ignored

#[test]
fn a_container_ignoring_sigterm_is_killed_after_the_grace_period() {
    if !require_root() {
        return;
    }
    let pod = Pod::new(
        "ignore-term",
        r#"
apiVersion: v1
kind: Pod
metadata: {name: deaf}
spec:
  terminationGracePeriodSeconds: 2
  containers:
  - name: deaf
    image: busybox
    command: [sh, -c, 'trap "" TERM; echo deaf up; while true; do sleep 0.1; done']
"#,
    );
    let mut run = pod.pid1();
    run.expect_line("deaf up");
    let sent = Instant::now();
    run.signal(libc::SIGTERM);
    let stopped = run.expect_log("container deaf: stopping with SIGTERM");
    let killed =
        run.expect_log("container deaf: still running at the end of the grace period: SIGKILL");
    let done = run.finish();
    let took = sent.elapsed();
    let err = &done.stderr;
    assert!(
        killed - stopped >= Duration::from_millis(1500),
        "SIGKILL {:?} after SIGTERM with a grace of 2 s: {err}",
        killed - stopped
    );
    assert!(took < Duration::from_secs(10), "took {took:?}: {err}");
    assert!(
        err.contains("container deaf: ended with signal SIGKILL"),
        "{err}"
    );
    assert!(err.contains("pod deaf: Failed with exit code 137"), "{err}");
    assert_eq!(done.code, Some(137), "{err}");
    pod.assert_state_empty(&done);
}

// ------------------------------------------------------ 10. sidecars

#[test]
fn a_sidecars_startup_probe_holds_what_follows_and_sidecars_stop_last_in_reverse() {
    if !require_root() {
        return;
    }
    let pod = Pod::new(
        "sidecar-probe",
        r#"
apiVersion: v1
kind: Pod
metadata: {name: sidecars}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 10
  volumes:
  - name: out
    hostPath: {path: "@DIR@/out", type: DirectoryOrCreate}
  initContainers:
  - name: side-1
    image: busybox
    restartPolicy: Always
    volumeMounts: [{name: out, mountPath: /out}]
    command: [sh, -c, 'echo side-1-start >> /out/seq; sleep 2; echo side-1-up >> /out/seq; touch /tmp/up; exec sleep 300']
    startupProbe:
      exec: {command: [test, -f, /tmp/up]}
      periodSeconds: 1
      failureThreshold: 10
  - name: init
    image: busybox
    volumeMounts: [{name: out, mountPath: /out}]
    command: [sh, -c, 'echo init >> /out/seq']
  - name: side-2
    image: busybox
    restartPolicy: Always
    volumeMounts: [{name: out, mountPath: /out}]
    command: [sh, -c, 'echo side-2-start >> /out/seq; exec sleep 300']
    readinessProbe:
      exec: {command: ["true"]}
      periodSeconds: 1
  containers:
  - name: app
    image: busybox
    volumeMounts: [{name: out, mountPath: /out}]
    command: [sh, -c, 'echo app >> /out/seq; sleep 1; echo app-end >> /out/seq']
"#,
    );
    let done = pod.host().finish();
    let err = &done.stderr;
    assert_before(
        err,
        "container side-1: Unhealthy: Startup probe failed: ",
        "container side-1: startup probe succeeded",
    );
    assert_before(
        err,
        "container side-1: startup probe succeeded",
        "container init: started",
    );
    assert_before(err, "container init: ended", "container side-2: started");
    assert_before(err, "container side-2: started", "container app: started");
    assert_before(err, "container app: ended", "container side-2: stopping");
    assert_before(
        err,
        "container side-2: ended with signal SIGTERM",
        "container side-1: stopping with SIGTERM",
    );
    assert!(
        err.contains("container side-1: ended with signal SIGTERM"),
        "{err}"
    );
    let seq = std::fs::read_to_string(pod.path("out/seq")).unwrap();
    assert_eq!(
        seq.lines().collect::<Vec<_>>(),
        [
            "side-1-start",
            "side-1-up",
            "init",
            "side-2-start",
            "app",
            "app-end"
        ],
        "{seq}"
    );
    assert!(
        err.contains("pod sidecars: Succeeded with exit code 0"),
        "{err}"
    );
    assert_eq!(done.code, Some(0), "{err}");
    pod.assert_state_empty(&done);
}

// ---------------------------------------------------- 11. Ctrl-C twice

#[test]
fn a_second_sigint_kills_at_once_even_during_a_pre_stop() {
    if !require_root() {
        return;
    }
    let pod = Pod::new(
        "ctrl-c",
        r#"
apiVersion: v1
kind: Pod
metadata: {name: ctrlc}
spec:
  containers:
  - name: app
    image: busybox
    command: [sh, -c, 'trap "" TERM INT; echo app up; while true; do sleep 0.1; done']
    lifecycle:
      preStop:
        exec: {command: [sleep, "100"]}
"#,
    );
    let mut run = pod.host();
    run.expect_line("app up");
    let sent = Instant::now();
    run.signal(libc::SIGINT);
    run.expect_log("received SIGINT: stopping the pod (again to kill it at once)");
    std::thread::sleep(Duration::from_millis(500));
    run.signal(libc::SIGINT);
    let done = run.finish();
    let took = sent.elapsed();
    let err = &done.stderr;
    assert!(
        took < Duration::from_secs(10),
        "ended {took:?} after the first SIGINT, with a grace of 30 s: {err}"
    );
    assert_before(
        err,
        "received SIGINT again: killing the pod now",
        "container app: killing it at once (interrupted twice): SIGKILL",
    );
    assert_absent(err, "stopping with SIGTERM");
    assert_eq!(done.code, Some(137), "{err}");
    pod.assert_state_empty(&done);
}

// ------------------------------------------------------------ 12. flood

#[test]
fn twenty_probed_containers_stay_healthy_and_stop_promptly() {
    if !require_root() {
        return;
    }
    let mut yaml = String::from(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: flood}\nspec:\n  terminationGracePeriodSeconds: 20\n  containers:\n",
    );
    for i in 0..20 {
        let port = 9100 + i;
        yaml.push_str(&format!(
            "  - name: c{i}
    image: busybox
    command: [sh, -c, 'mkdir -p /www; echo c{i} up; exec httpd -f -p {port} -h /www']
    livenessProbe:
      exec: {{command: [test, -d, /bin]}}
      periodSeconds: 1
    readinessProbe:
      tcpSocket: {{port: {port}}}
      initialDelaySeconds: 1
      periodSeconds: 1
"
        ));
    }
    let pod = Pod::new("flood", &yaml);
    let spawned = Instant::now();
    let mut run = pod.pid1();
    let mut last_ready = spawned;
    for i in 0..20 {
        last_ready = last_ready.max(run.expect_log(&format!("container c{i}: ready")));
    }
    std::thread::sleep(Duration::from_secs(4));
    let sent = Instant::now();
    run.signal(libc::SIGTERM);
    let done = run.finish();
    let took = sent.elapsed();
    let err = &done.stderr;
    eprintln!(
        "flood: all 20 ready {:?} after the spawn; stopped {took:?} after SIGTERM",
        last_ready - spawned
    );
    // While the pod runs; readiness goes on while it stops, and may fail
    // as the servers go.
    let running = &err[..pos(err, "received SIGTERM")];
    assert_absent(running, "Unhealthy");
    assert_absent(running, "not ready");
    assert_absent(err, "Killing");
    assert_absent(err, "; restarting");
    assert_eq!(count(err, ": started (pid"), 20, "{err}");
    assert_eq!(count(err, ": ready"), 20, "{err}");
    assert!(
        took < Duration::from_secs(10),
        "stopped {took:?} after SIGTERM: {err}"
    );
    assert_absent(err, "SIGKILL");
    assert_eq!(done.code, Some(143), "{err}");
    pod.assert_state_empty(&done);
}

// ------------------------------------- liveness during the termination

#[test]
fn liveness_probes_stop_once_the_pod_is_terminating() {
    if !require_root() {
        return;
    }
    // The kubelet stops liveness and startup probes when the pod is being
    // deleted (prober manager StopLivenessAndStartup): a preStop that makes
    // the liveness probe fail must not cause a "Killing" while the pod stops.
    let pod = Pod::new(
        "liveness-terminating",
        r#"
apiVersion: v1
kind: Pod
metadata: {name: quiet}
spec:
  terminationGracePeriodSeconds: 10
  containers:
  - name: app
    image: busybox
    command: [sh, -c, 'touch /tmp/alive; trap "echo app got TERM; exit 5" TERM; echo app up; while true; do sleep 0.1; done']
    livenessProbe:
      exec: {command: [test, -f, /tmp/alive]}
      initialDelaySeconds: 1
      periodSeconds: 1
      failureThreshold: 1
      terminationGracePeriodSeconds: 1
    lifecycle:
      preStop:
        exec: {command: [sh, -c, 'rm /tmp/alive; sleep 3']}
"#,
    );
    let mut run = pod.host();
    run.expect_line("app up");
    // A success first: the probe runs.
    std::thread::sleep(Duration::from_millis(1500));
    run.signal(libc::SIGTERM);
    let received = run.expect_log("received SIGTERM: stopping the pod");
    let stopped = run.expect_log("container app: stopping with SIGTERM");
    let done = run.finish();
    let err = &done.stderr;
    assert!(
        stopped - received >= Duration::from_millis(2500),
        "the stop signal {:?} after the SIGTERM, before the preStop (3 s) returned: {err}",
        stopped - received
    );
    let terminating = from(err, "received SIGTERM");
    assert_absent(terminating, "Liveness probe");
    assert_absent(terminating, "Killing");
    assert_absent(err, "will be restarted");
    assert_eq!(done.code, Some(5), "{err}");
    pod.assert_state_empty(&done);
}

// ------------------------------------------------------ httpGet hooks

#[test]
fn http_get_hooks_reach_the_server_whatever_its_status() {
    if !require_root() {
        return;
    }
    // web: a CGI that logs each request's query and User-Agent and answers
    // 500; its postStart waits until it serves, holding the next ones; its
    // preStop keeps it up while the others' preStop hooks call it.
    let pod = Pod::new(
        "http-hooks",
        r##"
apiVersion: v1
kind: Pod
metadata: {name: httphooks}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 10
  volumes:
  - name: out
    hostPath: {path: "@DIR@/out", type: DirectoryOrCreate}
  containers:
  - name: web
    image: busybox
    volumeMounts: [{name: out, mountPath: /out}]
    command: [sh, -c, 'mkdir -p /www/cgi-bin; echo hi > /www/index.html; printf "#!/bin/sh\necho \"\$QUERY_STRING \$HTTP_USER_AGENT\" >> /out/log\necho \"Status: 500 Oops\"\necho\n" > /www/cgi-bin/log; chmod +x /www/cgi-bin/log; exec httpd -f -p 8080 -h /www']
    lifecycle:
      postStart:
        exec: {command: [sh, -c, 'until wget -q -O /dev/null http://127.0.0.1:8080/; do sleep 0.1; done']}
      preStop: {sleep: {seconds: 1}}
  - name: app
    image: busybox
    command: [sh, -c, 'trap "exit 0" TERM; echo app up; while true; do sleep 0.1; done']
    lifecycle:
      postStart:
        httpGet: {port: 8080, path: "/cgi-bin/log?post-start"}
      preStop:
        httpGet: {port: 8080, path: "/cgi-bin/log?pre-stop"}
  - name: refused
    image: busybox
    command: [sh, -c, 'trap "exit 0" TERM; while true; do sleep 0.1; done']
    lifecycle:
      postStart:
        httpGet: {port: 9, path: /}
"##,
    );
    let mut run = pod.pid1();
    run.expect_line("app up");
    run.expect_log("container refused: ended");
    run.signal(libc::SIGTERM);
    let done = run.finish();
    let err = &done.stderr;
    let log = std::fs::read_to_string(pod.path("out/log")).unwrap_or_default();
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 2, "{log}\n{err}");
    assert!(lines[0].starts_with("post-start kube-lifecycle/"), "{log}");
    assert!(lines[1].starts_with("pre-stop kube-lifecycle/"), "{log}");
    // The 500 does not matter to a hook; a refused connection does.
    assert_absent(err, "container app: Failed");
    assert!(
        err.contains(
            "container refused: FailedPostStartHook: Get \"http://127.0.0.1:9/\": dial tcp 127.0.0.1:9: connect: connection refused"
        ),
        "{err}"
    );
    assert_before(
        err,
        "container refused: FailedPostStartHook",
        "container refused: stopping with SIGTERM",
    );
    assert!(
        err.contains("container app: ended with exit code 0"),
        "{err}"
    );
    // web, first in spec order, died of the SIGTERM.
    assert_eq!(done.code, Some(143), "{err}");
    pod.assert_state_empty(&done);
}

// ------------------------------------------- probes' own grace, sidecars

#[test]
fn a_liveness_kill_uses_the_probes_own_grace_period() {
    if !require_root() {
        return;
    }
    // Pod grace 30 s, probe grace 1 s: SIGKILL 2 s (the minimum) after the
    // stop signal.
    let pod = Pod::new(
        "probe-grace",
        r#"
apiVersion: v1
kind: Pod
metadata: {name: probegrace}
spec:
  restartPolicy: Never
  containers:
  - name: app
    image: busybox
    command: [sh, -c, 'trap "" TERM; echo app up; while true; do sleep 0.1; done']
    livenessProbe:
      exec: {command: [test, -f, /tmp/never]}
      initialDelaySeconds: 1
      periodSeconds: 1
      failureThreshold: 1
      terminationGracePeriodSeconds: 1
"#,
    );
    let mut run = pod.host();
    let stopped = run.expect_log("container app: stopping with SIGTERM");
    let killed =
        run.expect_log("container app: still running at the end of the grace period: SIGKILL");
    let done = run.finish();
    let err = &done.stderr;
    let after = killed - stopped;
    assert!(
        after >= Duration::from_millis(1500) && after < Duration::from_secs(10),
        "SIGKILL {after:?} after the stop signal, probe grace 1 s, pod grace 30 s: {err}"
    );
    assert_before(
        err,
        "container app: Killing: Container app failed liveness probe\n",
        "container app: stopping with SIGTERM",
    );
    assert_eq!(done.code, Some(137), "{err}");
    pod.assert_state_empty(&done);
}

#[test]
fn a_sidecar_failing_its_liveness_probe_is_restarted_even_under_never() {
    if !require_root() {
        return;
    }
    let pod = Pod::new(
        "sidecar-liveness",
        r#"
apiVersion: v1
kind: Pod
metadata: {name: sideliveness}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 5
  initContainers:
  - name: side
    image: busybox
    restartPolicy: Always
    command: [sh, -c, 'echo side up; exec sleep 300']
    livenessProbe:
      exec: {command: [test, -f, /tmp/never]}
      periodSeconds: 1
      failureThreshold: 1
  containers:
  - name: app
    image: busybox
    command: [sh, -c, 'echo app up; while [ ! -f /tmp/done ]; do sleep 0.1; done']
"#,
    );
    let mut run = pod.pid1();
    run.expect_log(
        "container side: Killing: Container side failed liveness probe, will be restarted",
    );
    run.expect_log_nth("container side: started (pid", 2);
    run.signal(libc::SIGTERM);
    let done = run.finish();
    let err = &done.stderr;
    assert!(
        err.contains("container side: ended with signal SIGTERM; restarting"),
        "{err}"
    );
    assert_eq!(count(err, "container app: started (pid"), 1, "{err}");
    // The app died of the SIGTERM; the sidecar's code does not count.
    assert_eq!(done.code, Some(143), "{err}");
    pod.assert_state_empty(&done);
}

#[test]
fn an_exec_probe_is_killed_at_its_timeout_and_its_output_drained() {
    if !require_root() {
        return;
    }
    // Readiness: a check that sleeps far longer than its timeout. Liveness:
    // a check printing 300 KB (more than a pipe holds) that must succeed.
    let sleep = unique_token(200_000, 2);
    let pod = Pod::new(
        "exec-timeout",
        &r#"
apiVersion: v1
kind: Pod
metadata: {name: exectimeout}
spec:
  terminationGracePeriodSeconds: 5
  containers:
  - name: app
    image: busybox
    command: [sh, -c, 'trap "exit 0" TERM; echo app up; while true; do sleep 0.1; done']
    readinessProbe:
      exec: {command: [sleep, "TOKEN"]}
      timeoutSeconds: 1
      periodSeconds: 1
    livenessProbe:
      exec: {command: [sh, -c, 'yes | head -c 300000; exit 0']}
      periodSeconds: 1
      failureThreshold: 1
"#
        .replace("TOKEN", &sleep),
    );
    let mut run = pod.host();
    let (_, line) = run.expect_log_nth("container app: Unhealthy: Readiness probe failed: ", 3);
    // The timed-out checks are gone: at most the one in flight is left.
    let left = running_with_argv(&["sleep", &sleep]);
    assert!(
        left.len() <= 1,
        "timed-out checks still run: {left:?}; {}",
        run.log_text()
    );
    run.signal(libc::SIGTERM);
    let done = run.finish();
    let err = &done.stderr;
    assert!(line.contains("timed out"), "{line}");
    // (Checks in flight when the container ends are another matter.)
    let running = &err[..pos(err, "received SIGTERM")];
    assert_absent(running, "Liveness probe");
    assert_absent(running, "Killing");
    assert_absent(err, "container app: ready");
    assert_absent(&done.stdout, "yyyy");
    assert_eq!(done.code, Some(0), "{err}");
    assert!(running_with_argv(&["sleep", &sleep]).is_empty());
    pod.assert_state_empty(&done);
}

#[test]
fn a_liveness_check_in_flight_when_the_pod_terminates_is_not_acted_on() {
    if !require_root() {
        return;
    }
    // Each check takes 1 s, so one is always in flight; the one running
    // when the SIGTERM comes sees the file the preStop removed. Its result
    // belongs to a stopped worker (the kubelet's StopLivenessAndStartup).
    let pod = Pod::new(
        "liveness-in-flight",
        r#"
apiVersion: v1
kind: Pod
metadata: {name: inflight}
spec:
  terminationGracePeriodSeconds: 10
  containers:
  - name: app
    image: busybox
    command: [sh, -c, 'touch /tmp/alive; trap "echo app got TERM; exit 5" TERM; echo app up; while true; do sleep 0.1; done']
    livenessProbe:
      exec: {command: [sh, -c, 'sleep 1; test -f /tmp/alive']}
      initialDelaySeconds: 1
      timeoutSeconds: 5
      periodSeconds: 1
      failureThreshold: 1
    lifecycle:
      preStop:
        exec: {command: [sh, -c, 'rm /tmp/alive; sleep 3']}
"#,
    );
    let mut run = pod.host();
    run.expect_line("app up");
    std::thread::sleep(Duration::from_millis(2500));
    run.signal(libc::SIGTERM);
    run.expect_log("received SIGTERM: stopping the pod");
    let done = run.finish();
    let err = &done.stderr;
    let terminating = from(err, "received SIGTERM");
    assert_absent(terminating, "Liveness probe");
    assert_absent(terminating, "Killing");
    assert_absent(err, "will be restarted");
    assert_eq!(done.code, Some(5), "{err}");
    pod.assert_state_empty(&done);
}
