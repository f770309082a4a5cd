//! Looking at a running pod from outside, as a user would: `podinit status`,
//! `describe`, `logs`, `exec` and `stop` against real pods in host mode,
//! the state file, the CRI log files, and clients and disks that misbehave.
// Test code: a failed expectation is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::pod::Pod;
use common::{PATIENCE, podinit, require_root};

/// `podinit ARGS --state-dir STATE`.
fn ctl(pod: &Pod, args: &[&str]) -> Output {
    ctl_in(&pod.state, args, None)
}

fn ctl_in(state: &Path, args: &[&str], stdin: Option<&[u8]>) -> Output {
    // The options first: for exec, what follows `--` is the command.
    let mut cmd = Command::new(podinit());
    cmd.arg(args[0])
        .arg("--state-dir")
        .arg(state)
        .args(&args[1..]);
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    if let Some(bytes) = stdin {
        child.stdin.take().unwrap().write_all(bytes).unwrap();
    }
    child.wait_with_output().unwrap()
}

fn text(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn err(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Waits until `check` holds, or fails with what `describe` says.
fn wait_until(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + PATIENCE;
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The pod's status as JSON, through the socket.
fn status_json(pod: &Pod) -> serde_json::Value {
    let out = ctl(pod, &["status", "-o", "json"]);
    assert!(out.status.success(), "status -o json: {}", err(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The status of container `name` (app or init) from a pod JSON.
fn container<'a>(pod: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    ["containerStatuses", "initContainerStatuses"]
        .iter()
        .filter_map(|k| pod["status"][k].as_array())
        .flatten()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no container {name} in {pod:#}"))
}

/// The only pod directory under the state dir.
fn pod_dir(pod: &Pod) -> PathBuf {
    std::fs::read_dir(&pod.state)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.join("podinit.sock").exists())
        .expect("a pod directory with its socket")
}

const DEMO: &str = r#"
apiVersion: v1
kind: Pod
metadata:
  name: demo
spec:
  initContainers:
  - name: init
    image: busybox
    command: [sh, -c, 'echo init says hi; echo init on stderr >&2']
  containers:
  - name: web
    image: busybox
    command: [sh, -c, 'i=0; while true; do echo "tick $i"; i=$((i+1)); sleep 0.2; done']
    readinessProbe:
      exec: {command: ["true"]}
      periodSeconds: 1
  - name: crash
    image: busybox
    command: [sh, -c, 'echo "run $(cat /dev/termination-log | wc -c)"; echo goodbye > /dev/termination-log; exit 3']
"#;

#[test]
fn status_json_describe_and_the_state_file_follow_the_pod() {
    if !require_root() {
        return;
    }
    let pod = Pod::new("status", DEMO);
    let mut run = pod.host();
    run.expect_log("container web: ready");
    run.expect_log_nth("container crash: ended with exit code 3", 2);
    // The kubectl line.
    let out = ctl(&pod, &["status"]);
    assert!(out.status.success(), "{}", err(&out));
    let lines: Vec<String> = text(&out).lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    for column in ["NAME", "READY", "STATUS", "RESTARTS", "AGE"] {
        assert!(lines[0].contains(column), "{lines:?}");
    }
    let fields: Vec<&str> = lines[1].split_whitespace().collect();
    assert_eq!(fields[0], "demo", "{lines:?}");
    assert_eq!(fields[1], "1/2", "{lines:?}");
    assert!(
        ["CrashLoopBackOff", "Error", "Running"].contains(&fields[2]),
        "{lines:?}"
    );
    // The object.
    let json = status_json(&pod);
    assert_eq!(json["kind"], "Pod");
    assert_eq!(json["metadata"]["name"], "demo");
    assert_eq!(json["status"]["phase"], "Running");
    assert_eq!(json["status"]["qosClass"], "BestEffort");
    let conditions: Vec<(String, String)> = json["status"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["type"].as_str().unwrap().to_owned(),
                c["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    for (kind, want) in [
        ("PodScheduled", "True"),
        ("Initialized", "True"),
        ("Ready", "False"),
        ("ContainersReady", "False"),
    ] {
        assert!(
            conditions.contains(&(kind.to_owned(), want.to_owned())),
            "{kind} should be {want}: {conditions:?}"
        );
    }
    let ready = json["status"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "Ready")
        .unwrap();
    assert_eq!(
        ready["message"], "containers with unready status: [crash]",
        "{ready:#}"
    );
    let web = container(&json, "web");
    assert_eq!(web["ready"], true);
    assert!(web["state"]["running"]["startedAt"].is_string(), "{web:#}");
    let init = container(&json, "init");
    assert_eq!(init["state"]["terminated"]["reason"], "Completed");
    let crash = container(&json, "crash");
    assert!(crash["restartCount"].as_u64().unwrap() >= 1, "{crash:#}");
    let last = &crash["lastState"]["terminated"];
    assert_eq!(last["exitCode"], 3, "{crash:#}");
    assert_eq!(last["reason"], "Error", "{crash:#}");
    // The termination message, from a file each instance gets empty.
    assert_eq!(last["message"], "goodbye\n", "{crash:#}");
    // The state file says the same, whole (written by a rename).
    let file: serde_json::Value =
        serde_json::from_slice(&std::fs::read(pod_dir(&pod).join("status.json")).unwrap()).unwrap();
    assert_eq!(file["metadata"]["uid"], json["metadata"]["uid"]);
    assert_eq!(file["status"]["phase"], "Running");
    // YAML too.
    let yaml = text(&ctl(&pod, &["status", "-o", "yaml"]));
    assert!(yaml.contains("phase: Running"), "{yaml}");
    // describe: containers, conditions, events with counts.
    let out = ctl(&pod, &["describe"]);
    let described = text(&out);
    for needle in [
        "Name:",
        "demo",
        "Init Containers:",
        "Containers:",
        "CrashLoopBackOff",
        "Exit Code:    3",
        "Conditions:",
        "Events:",
        "Started container web",
        "Back-off restarting failed container crash",
    ] {
        assert!(described.contains(needle), "{needle:?} in:\n{described}");
    }
    assert!(described.contains("(x"), "counted events in:\n{described}");
    // Stop: Terminating, then the pod ends and takes its files along.
    let out = ctl(&pod, &["stop", "--grace", "1"]);
    assert!(out.status.success(), "{}", err(&out));
    let done = run.finish();
    assert!(
        done.stderr.contains("podinit stop: stopping the pod"),
        "{}",
        done.stderr
    );
    pod.assert_state_empty(&done);
}

#[test]
fn logs_are_cri_files_and_podinit_logs_reads_them() {
    if !require_root() {
        return;
    }
    let yaml = r#"
apiVersion: v1
kind: Pod
metadata: {name: logs, uid: 1234-abcd}
spec:
  restartPolicy: OnFailure
  containers:
  - name: talk
    image: busybox
    command:
    - sh
    - -c
    - |
      if [ -e /tmp/second ]; then echo second run; exit 0; fi
      touch /tmp/second
      echo out one; echo err one >&2
      printf 'crlf\r\n'
      printf 'no newline at the end'
      exit 1
    volumeMounts: [{name: tmp, mountPath: /tmp}]
  - name: long
    image: busybox
    command: [sh, -c, 'head -c 20000 /dev/zero | tr "\0" x; echo; echo after; sleep 30']
  volumes: [{name: tmp, emptyDir: {}}]
"#;
    let pod = Pod::new("logs", yaml);
    let mut run = pod.host();
    run.expect_log("container talk: ended with exit code 0");
    run.expect_log("container long: started");
    let dir = pod.logs().join("default_logs_1234-abcd");
    // The first instance's file, record by record.
    let first = std::fs::read_to_string(dir.join("talk/0.log")).unwrap();
    let records: Vec<&str> = first.lines().collect();
    assert_eq!(records.len(), 4, "{first}");
    for record in &records {
        let mut parts = record.splitn(4, ' ');
        let time = parts.next().unwrap();
        assert!(
            time.ends_with('Z') && time.contains('T'),
            "RFC3339Nano: {record}"
        );
        assert!(
            matches!(parts.next(), Some("stdout" | "stderr")),
            "{record}"
        );
        assert_eq!(parts.next(), Some("F"), "{record}");
    }
    assert!(first.contains(" stdout F out one\n"), "{first}");
    assert!(first.contains(" stderr F err one\n"), "{first}");
    assert!(first.contains(" stdout F crlf\n"), "the CR goes: {first:?}");
    assert!(
        first.contains(" stdout F no newline at the end\n"),
        "{first}"
    );
    let second = std::fs::read_to_string(dir.join("talk/1.log")).unwrap();
    assert!(second.contains(" stdout F second run\n"), "{second}");
    // A 20000-byte line: a P record of 16 KiB, then F.
    let mut long = String::new();
    wait_until("the long line's file", || {
        long = std::fs::read_to_string(dir.join("long/0.log")).unwrap_or_default();
        long.contains("after")
    });
    let tags: Vec<&str> = long.lines().map(|l| l.split(' ').nth(2).unwrap()).collect();
    assert_eq!(tags, ["P", "F", "F"], "{}", &long[..200]);
    assert_eq!(
        long.lines()
            .next()
            .unwrap()
            .split(' ')
            .nth(3)
            .unwrap()
            .len(),
        16384
    );
    // The CLI: current, previous, tail, timestamps.
    let out = ctl(&pod, &["logs", "talk"]);
    assert_eq!(text(&out), "second run\n", "{}", err(&out));
    // stdout and stderr are two pipes, read in turn: the order between
    // them is the order podinit read them in, as with containerd.
    let out = ctl(&pod, &["logs", "talk", "--previous"]);
    let mut previous: Vec<String> = text(&out).lines().map(str::to_owned).collect();
    previous.sort();
    assert_eq!(
        previous,
        ["crlf", "err one", "no newline at the end", "out one"],
        "{}",
        err(&out)
    );
    let out = ctl(&pod, &["logs", "-p", "talk", "--tail", "1"]);
    assert_eq!(text(&out), "no newline at the end\n");
    let out = ctl(&pod, &["logs", "-c", "talk", "--timestamps"]);
    let line = text(&out);
    assert!(
        line.ends_with("Z second run\n") && line.starts_with("20"),
        "{line:?}"
    );
    let out = ctl(&pod, &["logs", "long", "--tail", "1"]);
    assert_eq!(text(&out), "after\n");
    let out = ctl(&pod, &["logs", "nosuch"]);
    assert!(!out.status.success());
    assert!(
        err(&out).contains("container nosuch is not valid"),
        "{}",
        err(&out)
    );
    // The console had the same lines.
    let done = {
        ctl(&pod, &["stop", "--grace", "0"]);
        run.finish()
    };
    assert!(done.stdout.contains("out one"), "{}", done.stdout);
    assert!(done.stderr.contains("err one"), "{}", done.stderr);
}

#[test]
fn logs_follow_prints_lines_as_they_come_and_ends_with_the_container() {
    if !require_root() {
        return;
    }
    let yaml = r#"
apiVersion: v1
kind: Pod
metadata: {name: follow}
spec:
  restartPolicy: Never
  containers:
  - name: count
    image: busybox
    command: [sh, -c, 'for i in 1 2 3 4 5 6; do echo "line $i"; sleep 0.5; done']
"#;
    let pod = Pod::new("follow", yaml);
    let mut run = pod.host();
    run.expect_log("container count: started");
    let out = ctl(&pod, &["logs", "-f", "count"]);
    assert!(out.status.success(), "{}", err(&out));
    assert_eq!(
        text(&out),
        "line 1\nline 2\nline 3\nline 4\nline 5\nline 6\n",
        "{}",
        err(&out)
    );
    run.finish();
}

#[test]
fn exec_runs_in_the_container_with_its_exit_code() {
    if !require_root() {
        return;
    }
    let yaml = r#"
apiVersion: v1
kind: Pod
metadata: {name: exec}
spec:
  containers:
  - name: app
    image: busybox
    env: [{name: GREETING, value: hello}]
    workingDir: /work
    command: [sleep, "1000"]
  - name: other
    image: busybox
    command: [sleep, "1000"]
"#;
    let pod = Pod::new("exec", yaml);
    let mut run = pod.host();
    run.expect_log("container app: started");
    run.expect_log("container other: started");
    let state = pod.state.clone();
    // Its root, working directory, environment, PID namespace.
    let out = ctl_in(
        &state,
        &[
            "exec",
            "app",
            "--",
            "sh",
            "-c",
            "echo $GREETING from $(pwd); ps -o pid,comm; exit 7",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(7), "{}", err(&out));
    let said = text(&out);
    assert!(said.starts_with("hello from /work\n"), "{said}");
    // Under its reaper, the program is PID 2 of the container's namespace.
    assert!(
        said.lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["2", "sleep"]),
        "{said}"
    );
    // stdin with -i.
    let out = ctl_in(
        &state,
        &["exec", "-i", "app", "--", "wc", "-l"],
        Some(b"a\nb\nc\n"),
    );
    assert_eq!(text(&out).trim(), "3", "{}", err(&out));
    assert_eq!(out.status.code(), Some(0));
    // Without -i, stdin is empty.
    let out = ctl_in(&state, &["exec", "app", "--", "cat"], Some(b"ignored\n"));
    assert_eq!(text(&out), "");
    // With a terminal (script(1) gives this test one): the command's
    // stdin is a terminal, its controlling one, and its exit code comes back.
    // The terminal is the container's own (`tty` names it under its
    // /dev/pts), with the user's window size.
    let line = format!(
        "stty rows 33 cols 77; {} exec --state-dir {} -it app -- sh -c 'test -t 0 && echo on-a-terminal; tty; stty size; exit 4'",
        podinit().display(),
        state.display()
    );
    let out = Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let said = text(&out);
    assert!(said.contains("on-a-terminal"), "{said}{}", err(&out));
    assert!(said.contains("/dev/pts/"), "{said}");
    assert!(!said.contains("not a tty"), "{said}");
    assert!(said.contains("33 77"), "{said}");
    assert_eq!(out.status.code(), Some(4), "{said}");
    // A window change on the user's side reaches the command (SIGWINCH).
    let line = format!(
        "stty rows 33 cols 77; {} exec --state-dir {} -t app -- sh -c 'stty size; sleep 2; stty size' >/dev/tty & c=$!; \
         sleep 0.8; stty rows 44 cols 88; kill -WINCH $c; wait $c",
        podinit().display(),
        state.display()
    );
    let out = Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let said = text(&out);
    let first = said.find("33 77");
    let second = said.find("44 88");
    assert!(first.is_some() && first < second, "{said}{}", err(&out));
    // Errors: a missing command, a missing container, a dead one.
    let out = ctl_in(&state, &["exec", "app", "--", "no-such-command"], None);
    assert_eq!(out.status.code(), Some(127));
    assert!(err(&out).contains("not found"), "{}", err(&out));
    let out = ctl_in(&state, &["exec", "nosuch", "--", "true"], None);
    assert!(!out.status.success());
    assert!(
        err(&out).contains("not valid for pod exec"),
        "{}",
        err(&out)
    );
    // The pod went on through all of it.
    let json = status_json(&pod);
    assert_eq!(json["status"]["phase"], "Running");
    assert_eq!(container(&json, "app")["restartCount"], 0);
    ctl(&pod, &["stop"]);
    let done = run.finish();
    assert!(done.stderr.contains("podinit exec"), "{}", done.stderr);
}

#[test]
fn stop_with_a_short_grace_ends_a_pod_whose_containers_ignore_sigterm() {
    if !require_root() {
        return;
    }
    let yaml = r#"
apiVersion: v1
kind: Pod
metadata: {name: stubborn}
spec:
  terminationGracePeriodSeconds: 600
  containers:
  - name: app
    image: busybox
    command: [sh, -c, 'trap "" TERM; while true; do sleep 1; done']
"#;
    let pod = Pod::new("stop", yaml);
    let mut run = pod.host();
    run.expect_log("container app: started");
    let asked = Instant::now();
    let out = ctl(&pod, &["stop", "--grace", "1"]);
    assert!(out.status.success(), "{}", err(&out));
    // Terminating while the grace runs.
    let line = text(&ctl(&pod, &["status"]));
    assert!(line.contains("Terminating") || line.is_empty(), "{line}");
    let done = run.finish();
    // SIGKILL after max(grace, 2 s), not after 600 s.
    assert!(
        asked.elapsed() < Duration::from_secs(60),
        "{:?}",
        asked.elapsed()
    );
    assert!(done.stderr.contains("SIGKILL"), "{}", done.stderr);
    // No pod: the CLI says so.
    let out = ctl(&pod, &["status"]);
    assert!(!out.status.success());
    assert!(err(&out).contains("no pod runs"), "{}", err(&out));
}

#[test]
fn misbehaving_control_clients_never_stall_the_pod() {
    if !require_root() {
        return;
    }
    let yaml = r#"
apiVersion: v1
kind: Pod
metadata: {name: clients}
spec:
  containers:
  - name: tick
    image: busybox
    command: [sh, -c, 'while true; do echo tick; sleep 0.1; done']
"#;
    let pod = Pod::new("clients", yaml);
    let mut run = pod.host();
    run.expect_log("container tick: started");
    let socket = pod_dir(&pod).join("podinit.sock");
    // Silent clients, more than the server serves at once.
    let mut silent: Vec<UnixStream> = (0..40)
        .filter_map(|_| UnixStream::connect(&socket).ok())
        .collect();
    // Half a request, never finished.
    let mut half = UnixStream::connect(&socket).unwrap();
    half.write_all(b"{\"op\":\"sta").unwrap();
    // A request over the limit, without a newline.
    let mut flood = UnixStream::connect(&socket).unwrap();
    flood.set_nonblocking(true).unwrap();
    let junk = vec![b'x'; 256 * 1024];
    let _ = flood.write(&junk);
    // Garbage with a newline gets an error, and the connection stays.
    let mut garbage = UnixStream::connect(&socket).unwrap();
    garbage.write_all(b"not json\n").unwrap();
    let mut answer = [0u8; 256];
    garbage
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    // A read with a timeout returns EINTR after a stop and a continue,
    // even without a handler (signal(7)): read again.
    let n = loop {
        match garbage.read(&mut answer) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            other => break other.unwrap(),
        }
    };
    assert!(
        String::from_utf8_lossy(&answer[..n]).contains("error"),
        "{:?}",
        String::from_utf8_lossy(&answer[..n])
    );
    // Meanwhile the pod runs and a real client gets its answer: the
    // silent ones are dropped after their idle time, at the latest.
    let asked = Instant::now();
    let mut line = String::new();
    wait_until("an answer among misbehaving clients", || {
        let out = ctl(&pod, &["status"]);
        line = text(&out);
        out.status.success()
    });
    assert!(line.contains("clients"), "{line}");
    assert!(asked.elapsed() < PATIENCE);
    // The container's output kept flowing.
    let before = std::fs::read_to_string(
        std::fs::read_dir(pod.logs())
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path()
            .join("tick/0.log"),
    )
    .unwrap()
    .lines()
    .count();
    assert!(before > 5, "{before} lines");
    silent.clear();
    drop(half);
    ctl(&pod, &["stop", "--grace", "0"]);
    let done = run.finish();
    assert_eq!(done.code, Some(143), "{}", done.stderr);
}

#[test]
fn a_second_podinit_and_a_stale_socket_get_clear_answers() {
    if !require_root() {
        return;
    }
    let yaml = r#"
apiVersion: v1
kind: Pod
metadata: {name: twice, uid: fixed-uid}
spec:
  containers:
  - name: app
    image: busybox
    command: [sleep, "1000"]
"#;
    let pod = Pod::new("twice", yaml);
    // A socket file left by a podinit that crashed: replaced.
    let dir = pod.state.join("default_twice_fixed-uid");
    std::fs::create_dir_all(&dir).unwrap();
    drop(std::os::unix::net::UnixListener::bind(dir.join("podinit.sock")).unwrap());
    let mut run = pod.host();
    run.expect_log("container app: started");
    assert!(ctl(&pod, &["status"]).status.success());
    // The same pod again, with the same state directory.
    let second = Command::new(podinit())
        .args(pod.args())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!second.status.success());
    let said = String::from_utf8_lossy(&second.stderr);
    assert!(
        said.contains("another podinit") || said.contains("lock"),
        "{said}"
    );
    // The first goes on.
    let json = status_json(&pod);
    assert_eq!(json["status"]["phase"], "Running");
    ctl(&pod, &["stop", "--grace", "0"]);
    run.finish();
}

/// A tmpfs of `size` at `dir`, unmounted on drop.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn new(dir: PathBuf, size: &str) -> Self {
        std::fs::create_dir_all(&dir).unwrap();
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&dir)
            .status()
            .unwrap();
        assert!(status.success());
        Self(dir)
    }

    fn resize(&self, size: &str) {
        let status = Command::new("mount")
            .args(["-o", &format!("remount,size={size}")])
            .arg(&self.0)
            .status()
            .unwrap();
        assert!(status.success());
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

#[test]
fn a_full_log_disk_slows_the_container_and_loses_no_line() {
    if !require_root() {
        return;
    }
    let yaml = r#"
apiVersion: v1
kind: Pod
metadata: {name: full, uid: u1}
spec:
  restartPolicy: Never
  containers:
  - name: writer
    image: busybox
    command: [sh, -c, 'seq 1 200000; echo done']
"#;
    let pod = Pod::new("fulllogs", yaml);
    // 512 KiB of log space for about 1.3 MB of output (records included).
    let disk = Tmpfs::new(pod.logs(), "512k");
    let mut run = pod.host();
    run.expect_log("cannot write the log file");
    // The container is held, not killed; the pod answers.
    let json = status_json(&pod);
    assert!(
        container(&json, "writer")["state"]["running"].is_object(),
        "{json:#}"
    );
    disk.resize("64m");
    let done = run.finish();
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    assert!(done.stderr.contains("is written again"), "{}", done.stderr);
    let file = pod.logs().join("default_full_u1/writer/0.log");
    let lines: Vec<String> = std::fs::read_to_string(&file)
        .unwrap()
        .lines()
        .map(|l| l.splitn(4, ' ').nth(3).unwrap().to_owned())
        .collect();
    assert_eq!(lines.len(), 200_001);
    for (i, line) in lines.iter().take(200_000).enumerate() {
        assert_eq!(line, &(i + 1).to_string(), "line {i}");
    }
    assert_eq!(lines.last().unwrap(), "done");
    drop(disk);
}

#[test]
fn a_full_state_disk_is_said_once_and_the_pod_goes_on() {
    if !require_root() {
        return;
    }
    let yaml = r#"
apiVersion: v1
kind: Pod
metadata: {name: statefull, uid: u2}
spec:
  containers:
  - name: flap
    image: busybox
    command: [sh, -c, 'sleep 0.3; exit 1']
"#;
    let pod = Pod::new("fullstate", yaml);
    let disk = Tmpfs::new(pod.state.clone(), "1m");
    let mut run = pod.host();
    run.expect_log("container flap: started");
    // Fill what is left.
    let filler = pod.state.join("filler");
    let _ = Command::new("dd")
        .args(["if=/dev/zero", "bs=64k", "count=64"])
        .arg(format!("of={}", filler.display()))
        .stderr(Stdio::null())
        .status();
    run.expect_log("cannot write");
    // The socket still answers, and the restarts go on.
    let json = status_json(&pod);
    assert!(json["status"]["phase"].is_string());
    run.expect_log_nth("container flap: started", 3);
    std::fs::remove_file(&filler).unwrap();
    run.expect_log("written again");
    ctl(&pod, &["stop", "--grace", "0"]);
    let done = run.finish();
    assert_eq!(
        done.stderr.matches("cannot write").count(),
        1,
        "said once: {}",
        done.stderr
    );
    drop(disk);
}

#[test]
fn a_log_flood_reaches_the_files_line_by_line() {
    if !require_root() {
        return;
    }
    // About 300 MB in 3,000,000 numbered lines, through one pipe.
    const LINES: usize = 3_000_000;
    let yaml = format!(
        r#"
apiVersion: v1
kind: Pod
metadata: {{name: flood, uid: u3}}
spec:
  restartPolicy: Never
  containers:
  - name: flood
    image: busybox
    command: [sh, -c, 'seq -w 1 {LINES} | sed "s/$/ {pad}/"']
"#,
        pad = "x".repeat(90)
    );
    let pod = Pod::new("flood", &yaml);
    let mut args = pod.args();
    args.extend(["--log-max-size".into(), "2Gi".into()]);
    // The console goes to /dev/null: a file, which never holds podinit up.
    let started = Instant::now();
    let status = Command::new(podinit())
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    let elapsed = started.elapsed();
    assert_eq!(status.code(), Some(0));
    let file = pod.logs().join("default_flood_u3/flood/0.log");
    let bytes = std::fs::read(&file).unwrap();
    let mut count = 0;
    for (i, record) in bytes
        .split(|&b| b == b'\n')
        .filter(|r| !r.is_empty())
        .enumerate()
    {
        let text = record.splitn(4, |&b| b == b' ').nth(3).unwrap();
        let number = std::str::from_utf8(&text[..7]).unwrap();
        assert_eq!(number.parse::<usize>().unwrap(), i + 1, "record {i}");
        count += 1;
    }
    assert_eq!(count, LINES);
    eprintln!(
        "flood: {LINES} lines, {} MB of records in {:.2}s",
        bytes.len() / 1_000_000,
        elapsed.as_secs_f64()
    );
}
