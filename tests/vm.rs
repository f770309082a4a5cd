//! VM mode for real: an initramfs built by `initramfs/build` (the static
//! podinit as `/init`, a manifest, Debian's static busybox, an image
//! directory), booted by `initramfs/boot` under qemu-system-x86_64 (TCG)
//! with Debian's cloud kernel, its console read line by line.
//!
//! They need qemu-system-x86_64, cpio and a static /bin/busybox; `.ci/run`
//! installs them and sets `PODINIT_REQUIRE_VM=1`, so that CI fails rather
//! than skips. Elsewhere, without them, each test says it was skipped. The
//! boots run one at a time: an emulated machine is slow enough alone.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// How long one boot may take, kernel included, on a loaded machine
/// without KVM. Tests check what happened and in which order, not speed.
const BOOT_PATIENCE: Duration = Duration::from_secs(240);

/// One emulated machine at a time.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The static podinit and the kernel, made once; `None` (the test skips)
/// when qemu, cpio or a static busybox is missing.
fn ready() -> Option<&'static (PathBuf, PathBuf)> {
    static READY: OnceLock<Result<(PathBuf, PathBuf), String>> = OnceLock::new();
    let ready = READY.get_or_init(|| {
        let missing: Vec<&str> = [("qemu-system-x86_64", "qemu-system-x86"), ("cpio", "cpio")]
            .into_iter()
            .filter(|(program, _)| {
                !Command::new("sh")
                    .args(["-c", &format!("command -v {program}")])
                    .stdout(Stdio::null())
                    .status()
                    .is_ok_and(|s| s.success())
            })
            .map(|(_, package)| package)
            .collect();
        if !missing.is_empty() {
            return Err(format!("apt-get install {}", missing.join(" ")));
        }
        let file = Command::new("file").args(["-L", "/bin/busybox"]).output();
        if !file.is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("statically linked")) {
            return Err("apt-get install busybox-static".to_owned());
        }
        let built = Command::new(repo().join("scripts/build-static"))
            .stderr(Stdio::inherit())
            .output()
            .expect("run scripts/build-static");
        assert!(built.status.success(), "scripts/build-static failed");
        let podinit = repo().join(String::from_utf8_lossy(&built.stdout).trim());
        // PODINIT_VM_KERNEL names a kernel of one's own; otherwise Debian's,
        // fetched once (it needs apt).
        if let Some(kernel) = std::env::var_os("PODINIT_VM_KERNEL") {
            return Ok((podinit, PathBuf::from(kernel)));
        }
        let kernel = Command::new(repo().join("initramfs/fetch-kernel"))
            .stderr(Stdio::inherit())
            .output()
            .expect("run initramfs/fetch-kernel");
        if !kernel.status.success() {
            return Err(
                "initramfs/fetch-kernel could not fetch Debian's kernel (apt-get update?); \
                 or set PODINIT_VM_KERNEL"
                    .to_owned(),
            );
        }
        let kernel = PathBuf::from(String::from_utf8_lossy(&kernel.stdout).trim());
        Ok((podinit, kernel))
    });
    match ready {
        Ok(paths) => Some(paths),
        Err(missing) => {
            assert!(
                std::env::var_os("PODINIT_REQUIRE_VM").is_none(),
                "PODINIT_REQUIRE_VM is set but the VM tests cannot run: {missing}"
            );
            eprintln!(
                "SKIPPED: the VM tests need qemu, cpio, busybox-static and a kernel ({missing})"
            );
            None
        }
    }
}

/// `initramfs/build` of `pod` (YAML text) with `--image busybox:1.36`;
/// returns the initramfs.
fn build(dir: &Path, podinit: &Path, pod: &str) -> PathBuf {
    let manifest = dir.join("pod.yaml");
    std::fs::write(&manifest, pod).expect("write pod.yaml");
    let store = common::busybox_store(dir);
    let image = format!("busybox:1.36={}", store.join("busybox/latest").display());
    let out = dir.join("initramfs.cpio.gz");
    let status = Command::new(repo().join("initramfs/build"))
        .arg("--podinit")
        .arg(podinit)
        .args(["--image", &image, "-o"])
        .arg(&out)
        .arg(&manifest)
        .stdout(Stdio::null())
        .status()
        .expect("run initramfs/build");
    assert!(status.success(), "initramfs/build failed");
    out
}

/// A machine booting: its console, line by line.
struct Boot {
    child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
}

impl Boot {
    fn start(kernel: &Path, initramfs: &Path, append: &str, monitor: Option<&Path>) -> Self {
        let mut cmd = Command::new(repo().join("initramfs/boot"));
        cmd.arg("--kernel")
            .arg(kernel)
            .args(["--timeout", &BOOT_PATIENCE.as_secs().to_string()])
            .args(["--append", append]);
        if let Some(socket) = monitor {
            cmd.arg("--monitor").arg(socket);
        }
        // Its own process group: killing the test's boot kills qemu too.
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        cmd.arg(initramfs)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("run initramfs/boot");
        let (tx, lines) = channel();
        for pipe in [
            Box::new(child.stdout.take().expect("stdout")) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().expect("stderr")),
        ] {
            let tx = tx.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(pipe);
                let mut line = Vec::new();
                while reader.read_until(b'\n', &mut line).is_ok_and(|n| n > 0) {
                    let text = String::from_utf8_lossy(&line);
                    let _ = tx.send(text.trim_end_matches(['\r', '\n']).to_owned());
                    line.clear();
                }
            });
        }
        Self {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Waits for a console line containing `needle`.
    fn expect(&mut self, needle: &str) -> String {
        let deadline = Instant::now() + BOOT_PATIENCE;
        loop {
            if let Some(line) = self.seen.iter().find(|l| l.contains(needle)) {
                return line.clone();
            }
            match self
                .lines
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            {
                Ok(line) => self.seen.push(line),
                Err(RecvTimeoutError::Timeout) => {
                    self.kill();
                    panic!(
                        "no console line with {needle:?}; saw:\n{}",
                        self.seen.join("\n")
                    );
                }
                Err(RecvTimeoutError::Disconnected) => panic!(
                    "the console closed before a line with {needle:?}; saw:\n{}",
                    self.seen.join("\n")
                ),
            }
        }
    }

    /// Waits for the machine to stop: the boot script's exit code and the
    /// whole console.
    fn finish(mut self) -> (Option<i32>, Vec<String>) {
        let status = self.child.wait().expect("wait for initramfs/boot");
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(5)) {
            self.seen.push(line);
        }
        (status.code(), std::mem::take(&mut self.seen))
    }
}

impl Boot {
    /// Kills the boot script's process group: the script, qemu, tee.
    fn kill(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let group = i32::try_from(self.child.id()).unwrap_or(i32::MAX);
            // SAFETY: kill has no memory-safety preconditions.
            unsafe { libc::kill(-group, libc::SIGKILL) };
            let _ = self.child.wait();
        }
    }
}

impl Drop for Boot {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Boots `pod` with `append` on the kernel command line; the exit code
/// and the console.
fn boot(name: &str, pod: &str, append: &str) -> Option<(Option<i32>, Vec<String>)> {
    let (podinit, kernel) = ready()?;
    let dir = common::scratch(name);
    let initramfs = build(&dir, podinit, pod);
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let run = Boot::start(kernel, &initramfs, append, None).finish();
    let _ = std::fs::remove_dir_all(&dir);
    Some(run)
}

fn position(console: &[String], needle: &str) -> usize {
    console
        .iter()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no console line with {needle:?}:\n{}", console.join("\n")))
}

fn assert_clean(console: &[String]) {
    let text = console.join("\n");
    for bad in [
        "Kernel panic",
        "[ERROR",
        "cannot mount",
        "no cgroup for the containers",
        "cannot take /dev/console",
    ] {
        assert!(!text.contains(bad), "the console says {bad:?}:\n{text}");
    }
}

/// An init container and two app containers sharing an emptyDir, one from
/// the image store (pivot_root out of the initramfs) and one on podinit's
/// own root; the machine powers off when the pod has succeeded.
#[test]
fn a_pod_boots_runs_and_powers_off() {
    let pod = r#"
apiVersion: v1
kind: Pod
metadata: {name: trio}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 5
  initContainers:
  - name: prepare
    image: busybox:1.36
    command: [sh, -c, 'echo "greeting from prepare" > /shared/note; echo prepared']
    volumeMounts: [{name: shared, mountPath: /shared}]
  containers:
  - name: writer
    image: busybox:1.36
    command: [sh, -c, 'cat /shared/note; echo "writer on $(hostname)" >> /shared/note; touch /shared/written']
    volumeMounts: [{name: shared, mountPath: /shared}]
  - name: reader
    image: /
    command: [sh, -c, 'until [ -e /shared/written ]; do sleep 0.1; done; sed "s/^/read: /" /shared/note; test -e /etc/podinit/pod.yaml']
    volumeMounts: [{name: shared, mountPath: /shared}]
  volumes:
  - name: shared
    emptyDir: {}
"#;
    let Some((code, console)) = boot("vm-trio", pod, "") else {
        return;
    };
    let text = console.join("\n");
    assert_eq!(code, Some(0), "boot exit code; console:\n{text}");
    assert_clean(&console);
    let running = position(&console, "podinit: pod trio running, ");
    let prepared = position(&console, "[prepare] prepared");
    let greeted = position(&console, "[writer] greeting from prepare");
    let read = position(&console, "[reader] read: writer on trio");
    let summary = position(
        &console,
        "podinit: pod trio Succeeded with exit code 0; powering off",
    );
    let off = position(&console, "reboot: Power down");
    // The init container ends before the pod runs; the app containers'
    // lines and the running line come in any order.
    assert!(prepared < running && running < summary, "{text}");
    assert!(prepared < greeted && greeted < read, "{text}");
    assert!(read < summary && summary < off, "{text}");
    assert!(
        console[running].ends_with("s after the kernel started"),
        "{text}"
    );
}

/// A pod that fails: the summary line has its phase and exit code, the
/// machine halts as `podinit.on_exit=halt` asks (the boot script stops
/// qemu then), and the boot script exits with the pod's code.
#[test]
fn a_failed_pod_halts_with_its_exit_code() {
    let pod = r#"
apiVersion: v1
kind: Pod
metadata: {name: broken}
spec:
  restartPolicy: Never
  containers:
  - name: fails
    image: busybox:1.36
    command: [sh, -c, 'echo about to fail; exit 3']
  - name: fine
    image: /
    command: ['true']
"#;
    let append = "podinit.loglevel=debug podinit.on_exit=halt";
    let Some((code, console)) = boot("vm-broken", pod, append) else {
        return;
    };
    let text = console.join("\n");
    assert_eq!(code, Some(3), "boot exit code; console:\n{text}");
    assert_clean(&console);
    let said = position(&console, "[fails] about to fail");
    let summary = position(
        &console,
        "podinit: pod broken Failed with exit code 3; halting",
    );
    let halted = position(&console, "reboot: System halted");
    assert!(said < summary && summary < halted, "{text}");
    assert!(text.contains("[DEBUG"), "podinit.loglevel=debug: {text}");
}

/// Bad words on the command line and a manifest that is not there: each
/// is named, the summary line still comes, and `podinit.on_exit=reboot`
/// reboots (qemu's -no-reboot ends the machine instead).
#[test]
fn a_missing_manifest_and_bad_settings_still_stop_the_machine() {
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: unused}\nspec:\n  containers:\n  - {name: c, image: /, command: ['true']}\n";
    let append = "podinit.pod=/etc/podinit/missing.yaml podinit.on_exit=reboot podinit.colour=blue";
    let Some((code, console)) = boot("vm-missing", pod, append) else {
        return;
    };
    let text = console.join("\n");
    assert_eq!(code, Some(2), "boot exit code; console:\n{text}");
    assert!(!text.contains("Kernel panic"), "{text}");
    position(&console, "unknown setting podinit.colour");
    let named = position(&console, "/etc/podinit/missing.yaml");
    let summary = position(
        &console,
        "podinit: pod /etc/podinit/missing.yaml Failed with exit code 2; rebooting",
    );
    let restart = position(&console, "reboot: Restarting system");
    assert!(named < summary && summary < restart, "{text}");
}

/// An initramfs made without the project's scripts, as a user would make
/// one: nothing but `/init`, the manifest and an image directory, packed
/// uncompressed. No `/dev/console` of its own (Debian's kernel has one in
/// its built-in initramfs, so init still gets descriptors 0 to 2: the
/// closed-descriptor path is tested in `sys::boot`), no mount points, no
/// busybox on the root.
#[test]
fn a_bare_initramfs_boots_too() {
    let Some((podinit, kernel)) = ready() else {
        return;
    };
    let dir = common::scratch("vm-bare");
    let root = dir.join("root");
    std::fs::create_dir_all(root.join("etc/podinit")).unwrap();
    std::fs::copy(podinit, root.join("init")).unwrap();
    let store = common::busybox_store(&dir);
    std::fs::rename(store.join("busybox/latest"), root.join("busybox")).unwrap();
    std::fs::write(
        root.join("etc/podinit/pod.yaml"),
        r#"
apiVersion: v1
kind: Pod
metadata: {name: bare}
spec:
  restartPolicy: Never
  containers:
  - name: hello
    image: /busybox
    command: [sh, -c, 'echo "hello from $(hostname)"; grep -c . /etc/hosts']
"#,
    )
    .unwrap();
    let initramfs = dir.join("bare.cpio");
    let packed = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "cd {} && find . | cpio -o -H newc --quiet > {}",
            root.display(),
            initramfs.display()
        ))
        .status()
        .unwrap();
    assert!(packed.success(), "cpio failed");
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let (code, console) = Boot::start(kernel, &initramfs, "", None).finish();
    let _ = std::fs::remove_dir_all(&dir);
    let text = console.join("\n");
    assert_eq!(code, Some(0), "boot exit code; console:\n{text}");
    assert_clean(&console);
    let hello = position(&console, "[hello] hello from bare");
    let summary = position(
        &console,
        "podinit: pod bare Succeeded with exit code 0; powering off",
    );
    let off = position(&console, "reboot: Power down");
    assert!(hello < summary && summary < off, "{text}");
}

/// Ctrl-Alt-Del (sent by qemu's monitor) reaches podinit as SIGINT: the
/// pod of a container that would run forever is stopped with its preStop
/// hook and SIGTERM, then the machine powers off.
#[test]
fn ctrl_alt_del_stops_the_pod_and_the_machine() {
    let pod = r#"
apiVersion: v1
kind: Pod
metadata: {name: forever}
spec:
  terminationGracePeriodSeconds: 20
  containers:
  - name: server
    image: busybox:1.36
    command: [sh, -c, 'trap "echo got TERM after \$(cat /tmp/stopping); exit 0" TERM; echo serving; while true; do sleep 0.2; done']
    lifecycle:
      preStop:
        exec: {command: [sh, -c, 'echo the preStop hook > /tmp/stopping']}
"#;
    let Some((podinit, kernel)) = ready() else {
        return;
    };
    let dir = common::scratch("vm-cad");
    let initramfs = build(&dir, podinit, pod);
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let socket = dir.join("monitor.sock");
    let mut machine = Boot::start(kernel, &initramfs, "", Some(&socket));
    machine.expect("[server] serving");
    let mut monitor =
        std::os::unix::net::UnixStream::connect(&socket).expect("connect to qemu's monitor");
    monitor
        .write_all(b"sendkey ctrl-alt-delete\n")
        .expect("send ctrl-alt-delete");
    machine.expect("received SIGINT: stopping the pod");
    let (code, console) = machine.finish();
    let _ = std::fs::remove_dir_all(&dir);
    let text = console.join("\n");
    assert_clean(&console);
    let term = position(&console, "[server] got TERM after the preStop hook");
    // The container ended on SIGTERM with 0: the kubelet's phase for that
    // is Succeeded.
    let summary = position(
        &console,
        "podinit: pod forever Succeeded with exit code 0; powering off",
    );
    let off = position(&console, "reboot: Power down");
    assert!(term < summary && summary < off, "{text}");
    assert_eq!(code, Some(0), "boot exit code; console:\n{text}");
}
