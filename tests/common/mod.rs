//! Helpers for the integration tests: run the built podinit as PID 1 of a
//! fresh PID namespace (`unshare --pid --fork --mount-proc`) or as a plain
//! subreaper, feed it signals, and read what it and its children print.
//!
//! Tests that need root call [`require_root`] first and are skipped, loudly,
//! without it; CI runs as root.
#![allow(dead_code)]
// Test code: a failed expectation is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod pod;

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

/// Long enough for a loaded CI machine; tests check order, not speed.
pub const PATIENCE: Duration = Duration::from_secs(30);

pub fn podinit() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_podinit"))
}

/// The `misbehave` fixture, built by `cargo test` as an example.
pub fn misbehave() -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    // target/<profile>/deps/<test> -> target/<profile>/examples/misbehave
    let path = exe
        .parent()
        .and_then(|deps| deps.parent())
        .map(|profile| profile.join("examples").join("misbehave"))
        .expect("test binary layout");
    let source = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/misbehave.rs");
    let modified = |p: &std::path::Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let fresh = match (modified(&path), modified(&source)) {
        (Some(built), Some(written)) => built >= written,
        (built, _) => built.is_some(),
    };
    assert!(
        fresh,
        "{} is missing or older than its source: `cargo test` builds it (an example); \
         with `--test NAME`, run `cargo build --examples` first",
        path.display()
    );
    path
}

/// Whether the tests that need namespaces can run; prints why not. With
/// `PODINIT_REQUIRE_ROOT=1` (set by `.ci/run`) a missing root is a failure,
/// so that CI cannot pass by skipping.
pub fn require_root() -> bool {
    // SAFETY: geteuid cannot fail.
    let root = unsafe { libc::geteuid() } == 0;
    if !root {
        assert!(
            std::env::var_os("PODINIT_REQUIRE_ROOT").is_none(),
            "PODINIT_REQUIRE_ROOT is set but the tests do not run as root"
        );
        eprintln!("SKIPPED: this test needs root (namespaces); CI runs it as root");
    }
    root
}

/// A unique scratch directory for one test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("podinit-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// A running podinit (possibly behind `unshare`), with its output streamed.
pub struct Run {
    child: Child,
    /// Whether `child` is `unshare` with podinit below it.
    in_namespace: bool,
    lines: Receiver<String>,
    seen: Vec<String>,
    /// podinit's stderr (its log) line by line, each with the time the test
    /// read it, newline included.
    log: Receiver<(Instant, String)>,
    logged: Vec<(Instant, String)>,
    started: Instant,
}

/// How a run ended.
#[derive(Debug)]
pub struct Finished {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

fn spawn(mut cmd: Command, in_namespace: bool) -> Run {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = cmd.spawn().expect("spawn podinit");
    let stdout = child.stdout.take().expect("stdout");
    let stderr_pipe = child.stderr.take().expect("stderr");
    let (tx, lines) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let (tx, log) = channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stderr_pipe);
        let mut line = Vec::new();
        loop {
            line.clear();
            match reader.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    let text = String::from_utf8_lossy(&line).into_owned();
                    if tx.send((Instant::now(), text)).is_err() {
                        break;
                    }
                }
            }
        }
    });
    Run {
        child,
        in_namespace,
        lines,
        seen: Vec::new(),
        log,
        logged: Vec::new(),
        started,
    }
}

/// podinit as PID 1 of new PID and mount namespaces, with `args`.
pub fn as_pid1<S: AsRef<OsStr>>(args: &[S]) -> Run {
    as_pid1_with(podinit().as_os_str(), args, &[])
}

/// podinit as PID 1, with extra environment variables.
pub fn as_pid1_env<S: AsRef<OsStr>>(args: &[S], env: &[(&str, &str)]) -> Run {
    as_pid1_with(podinit().as_os_str(), args, env)
}

/// `program` (podinit, or a fixture that execs it) as PID 1 of new PID and
/// mount namespaces. `--kill-child` so that a failed test leaves nothing.
pub fn as_pid1_with<S: AsRef<OsStr>>(program: &OsStr, args: &[S], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new("unshare");
    cmd.args(["--pid", "--fork", "--mount-proc", "--kill-child"])
        .arg(program)
        .args(args);
    cmd.envs(env.iter().copied());
    spawn(cmd, true)
}

/// podinit as a plain child of the test: not PID 1, so a subreaper.
pub fn as_subreaper<S: AsRef<OsStr>>(args: &[S]) -> Run {
    let mut cmd = Command::new(podinit());
    cmd.args(args);
    spawn(cmd, false)
}

/// Any command, streamed the same way.
pub fn run_command(cmd: Command) -> Run {
    spawn(cmd, false)
}

impl Run {
    /// The host pid of podinit itself.
    pub fn podinit_pid(&self) -> i32 {
        let outer = self.child.id() as i32;
        if !self.in_namespace {
            return outer;
        }
        let deadline = Instant::now() + PATIENCE;
        loop {
            let children = std::fs::read_to_string(format!("/proc/{outer}/task/{outer}/children"))
                .unwrap_or_default();
            if let Some(pid) = children.split_whitespace().next() {
                return pid.parse().expect("pid");
            }
            assert!(Instant::now() < deadline, "unshare never forked podinit");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Sends `signal` to podinit.
    pub fn signal(&self, signal: i32) {
        // SAFETY: kill has no memory-safety preconditions.
        let rc = unsafe { libc::kill(self.podinit_pid(), signal) };
        assert_eq!(rc, 0, "kill podinit: {}", std::io::Error::last_os_error());
    }

    /// Waits for a stdout line containing `needle`; returns it.
    pub fn expect_line(&mut self, needle: &str) -> String {
        if let Some(line) = self.seen.iter().find(|l| l.contains(needle)) {
            return line.clone();
        }
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(needle) {
                        return line;
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    self.kill();
                    let stderr = self.log_text();
                    panic!(
                        "no line with {needle:?} within {PATIENCE:?}; saw {:?}; stderr:\n{stderr}",
                        self.seen
                    )
                }
                Err(RecvTimeoutError::Disconnected) => {
                    panic!(
                        "stdout closed before a line with {needle:?}; saw {:?}",
                        self.seen
                    )
                }
            }
        }
    }

    /// The stdout lines seen so far (after draining what is buffered).
    pub fn seen(&mut self) -> &[String] {
        while let Ok(line) = self.lines.try_recv() {
            self.seen.push(line);
        }
        &self.seen
    }

    /// Waits for the `n`th (from 1) line of podinit's stderr that contains
    /// `needle`; returns when the test read it, and the line.
    pub fn expect_log_nth(&mut self, needle: &str, n: usize) -> (Instant, String) {
        let deadline = Instant::now() + PATIENCE;
        let (mut checked, mut found) = (0, 0);
        loop {
            while let Some((at, line)) = self.logged.get(checked) {
                checked += 1;
                if line.contains(needle) {
                    found += 1;
                    if found == n {
                        return (*at, line.clone());
                    }
                }
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match self.log.recv_timeout(left) {
                Ok(entry) => self.logged.push(entry),
                Err(RecvTimeoutError::Timeout) => {
                    self.kill();
                    panic!(
                        "no {n}th stderr line with {needle:?} within {PATIENCE:?}; stderr:\n{}",
                        self.log_text()
                    )
                }
                Err(RecvTimeoutError::Disconnected) => panic!(
                    "stderr closed before a {n}th line with {needle:?}; stderr:\n{}",
                    self.log_text()
                ),
            }
        }
    }

    /// Waits for a line of podinit's stderr containing `needle`; returns
    /// when the test read it.
    pub fn expect_log(&mut self, needle: &str) -> Instant {
        self.expect_log_nth(needle, 1).0
    }

    /// podinit's stderr so far (after draining what is buffered).
    pub fn log_text(&mut self) -> String {
        while let Ok(entry) = self.log.try_recv() {
            self.logged.push(entry);
        }
        self.logged.iter().map(|(_, l)| l.as_str()).collect()
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Waits for podinit to exit (killing it after [`PATIENCE`]).
    pub fn finish(mut self) -> Finished {
        let deadline = Instant::now() + PATIENCE;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                break status;
            }
            if Instant::now() > deadline {
                self.kill();
                let stdout = self.seen().to_vec();
                std::thread::sleep(Duration::from_millis(200));
                let stderr = self.log_text();
                panic!(
                    "podinit did not exit within {PATIENCE:?}; stdout {stdout:?}, stderr {stderr}"
                );
            }
            std::thread::sleep(Duration::from_millis(2));
        };
        let elapsed = self.started.elapsed();
        // The pipes close when the last process holding them is gone. One
        // still open well after podinit exited means something it started
        // outlived it: fail, rather than wait forever.
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut stdout: Vec<String> = std::mem::take(&mut self.seen);
        let stdout_closed = loop {
            match self
                .lines
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            {
                Ok(line) => stdout.push(line),
                Err(RecvTimeoutError::Disconnected) => break true,
                Err(RecvTimeoutError::Timeout) => break false,
            }
        };
        let stderr_closed = loop {
            match self
                .log
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            {
                Ok(entry) => self.logged.push(entry),
                Err(RecvTimeoutError::Disconnected) => break true,
                Err(RecvTimeoutError::Timeout) => break false,
            }
        };
        let stderr: String = self.logged.iter().map(|(_, l)| l.as_str()).collect();
        assert!(
            stdout_closed && stderr_closed,
            "podinit exited ({status}) but its stdout or stderr is still open: a process it \
             started outlived it; stdout so far {stdout:?}, stderr so far:\n{stderr}"
        );
        Finished {
            code: status.code(),
            stdout: stdout.join("\n"),
            stderr,
            elapsed,
        }
    }
}

/// A test that panics before [`Run::finish`] must not leave its podinit
/// running: kill it (`unshare --kill-child` and host mode's parent-death
/// signal take what is below it along).
impl Drop for Run {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.kill();
        }
    }
}

/// Whether a process with this host pid still exists (zombies included).
pub fn exists(pid: i32) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists()
}

/// Reads a pid a fixture wrote to `path`, waiting for it to appear.
pub fn read_pid(path: &std::path::Path) -> i32 {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(pid) = std::fs::read_to_string(path)
            .ok()
            .and_then(|t| t.trim().parse().ok())
        {
            return pid;
        }
        assert!(
            Instant::now() < deadline,
            "{} never appeared",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Asserts that every daemon whose pid a fixture wrote to `pidfiles` is gone
/// now that podinit has exited, killed rather than given up on.
pub fn assert_killed(done: &Finished, pidfiles: &[&std::path::Path]) {
    for pidfile in pidfiles {
        let pid = read_pid(pidfile);
        assert!(
            !exists(pid),
            "{} ({pid}) outlived podinit: {}",
            pidfile.display(),
            done.stderr
        );
    }
    assert!(
        !done.stderr.contains("stuck in the kernel"),
        "{}",
        done.stderr
    );
}

/// An image store for `podinit run` under `dir`: `dir/images/busybox/latest`
/// with the host's static busybox (`/bin/busybox`, Debian's busybox-static),
/// a relative symlink per applet (`sh`, `ls`, `ps`...), and the empty
/// directories a root filesystem needs. Returns the store (`dir/images`).
pub fn busybox_store(dir: &std::path::Path) -> PathBuf {
    let store = dir.join("images");
    let root = store.join("busybox").join("latest");
    for sub in ["bin", "proc", "sys", "dev", "etc", "tmp"] {
        std::fs::create_dir_all(root.join(sub)).expect("image dir");
    }
    let busybox = root.join("bin").join("busybox");
    std::fs::copy("/bin/busybox", &busybox)
        .expect("copy /bin/busybox (apt-get install busybox-static)");
    // The original, not the copy: exec'ing a file just written fails with
    // ETXTBSY while another test thread forks with it still open.
    let list = Command::new("/bin/busybox")
        .arg("--list")
        .output()
        .expect("busybox --list");
    assert!(list.status.success(), "busybox --list failed");
    for applet in String::from_utf8_lossy(&list.stdout).split_whitespace() {
        if applet != "busybox" {
            std::os::unix::fs::symlink("busybox", root.join("bin").join(applet))
                .expect("applet symlink");
        }
    }
    store
}

/// podinit as PID 1 of new PID, mount, UTS, IPC and network namespaces, as a
/// container runtime starts a container's ENTRYPOINT: container mode sets the
/// hostname of the UTS namespace it is in, which must not be the host's.
pub fn as_pid1_isolated<S: AsRef<OsStr>>(args: &[S]) -> Run {
    let mut cmd = Command::new("unshare");
    cmd.args([
        "--pid",
        "--fork",
        "--mount-proc",
        "--uts",
        "--ipc",
        "--net",
        "--kill-child",
    ])
    .arg(podinit())
    .args(args);
    spawn(cmd, true)
}
