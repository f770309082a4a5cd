//! `podinit run` of one pod in a scratch directory: the manifest files, a
//! busybox image store and a `--state-dir`, run in host mode or as PID 1 of
//! fresh namespaces; and small helpers to check what the run printed.
// Each test binary uses only some of these.
#![allow(dead_code)]
// Test code: a failed expectation is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::{Finished, PATIENCE, Run, as_pid1_isolated, as_subreaper, busybox_store, scratch};

/// One pod to run: its manifest files, image store and state directory.
pub struct Pod {
    pub dir: PathBuf,
    pub images: PathBuf,
    pub state: PathBuf,
    pub files: Vec<PathBuf>,
}

impl Pod {
    /// A scratch directory for the test `name` with `yaml` as the manifest.
    pub fn new(name: &str, yaml: &str) -> Self {
        let dir = scratch(&format!("run-{name}"));
        let images = busybox_store(&dir);
        let state = dir.join("state");
        std::fs::create_dir_all(&state).unwrap();
        let mut pod = Self {
            dir,
            images,
            state,
            files: Vec::new(),
        };
        pod.add_file("pod.yaml", yaml);
        pod
    }

    /// Another file of the manifest (`podinit run a.yaml b.yaml`).
    pub fn add_file(&mut self, name: &str, yaml: &str) {
        let path = self.dir.join(name);
        let text = yaml.replace("@DIR@", &self.dir.to_string_lossy());
        std::fs::write(&path, text).unwrap();
        self.files.push(path);
    }

    /// Where the containers' log files go.
    pub fn logs(&self) -> PathBuf {
        self.dir.join("logs")
    }

    /// A path in the scratch directory (`@DIR@/name` in the manifest).
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    pub fn args(&self) -> Vec<OsString> {
        let mut args: Vec<OsString> = vec!["run".into()];
        args.extend(self.files.iter().map(|f| f.clone().into_os_string()));
        args.extend([
            "--images".into(),
            self.images.clone().into_os_string(),
            "--state-dir".into(),
            self.state.clone().into_os_string(),
            "--log-dir".into(),
            self.logs().into_os_string(),
            "--backoff-initial".into(),
            "1s".into(),
            "--backoff-max".into(),
            "2s".into(),
        ]);
        args
    }

    /// Host mode: podinit started plainly by root makes the namespaces.
    pub fn host(&self) -> Run {
        as_subreaper(&self.args())
    }

    /// Container mode: podinit is PID 1 of a container's namespaces.
    pub fn pid1(&self) -> Run {
        as_pid1_isolated(&self.args())
    }

    /// The state directory holds nothing once podinit has exited.
    pub fn assert_state_empty(&self, done: &Finished) {
        let left: Vec<_> = std::fs::read_dir(&self.state)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert!(
            left.is_empty(),
            "the state dir still holds {left:?} after the pod; stderr:\n{}",
            done.stderr
        );
    }
}

impl Drop for Pod {
    fn drop(&mut self) {
        // Kept for a look when the test failed.
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Where `needle` first is in `text`; a failure shows `text`.
pub fn pos(text: &str, needle: &str) -> usize {
    text.find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not found in:\n{text}"))
}

/// `first` appears in `text` before `then`.
pub fn assert_before(text: &str, first: &str, then: &str) {
    assert!(
        pos(text, first) < pos(text, then),
        "{first:?} should come before {then:?} in:\n{text}"
    );
}

pub fn count(text: &str, needle: &str) -> usize {
    text.lines().filter(|l| l.contains(needle)).count()
}

pub fn wait_for_file(path: &Path) {
    let deadline = Instant::now() + PATIENCE;
    while !path.exists() {
        assert!(
            Instant::now() < deadline,
            "{} never appeared",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Host pids of the running processes whose argv is exactly `argv`.
pub fn running_with_argv(argv: &[&str]) -> Vec<i32> {
    let mut pids = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse().ok()) else {
            continue;
        };
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let words: Vec<&[u8]> = cmdline
            .split(|&b| b == 0)
            .filter(|w| !w.is_empty())
            .collect();
        if words.len() == argv.len() && words.iter().zip(argv).all(|(w, a)| *w == a.as_bytes()) {
            pids.push(pid);
        }
    }
    pids
}

/// A number no other test (or run) uses, for a process to find by argv;
/// each test file has its own `base`.
pub fn unique_token(base: u32, offset: u32) -> String {
    (base + (std::process::id() % 100_000) * 10 + offset).to_string()
}
