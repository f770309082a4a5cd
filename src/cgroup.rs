//! Knowing which processes belong to a container, and killing its leftovers.
//!
//! With a writable cgroup2 hierarchy, the pod gets a cgroup of its own under
//! podinit's (`<own>/podinit-<pod>-<suffix>`) and each container instance a
//! child of it, which the container's first process joins before anything
//! else (`Step::JoinCgroup`). The kernel then tracks every descendant, even a
//! double-forked daemon: `cgroup.events` says when the last one is gone and
//! `cgroup.kill` (Linux 5.14) kills them all at once (cgroups(7), the kernel's
//! `admin-guide/cgroup-v2.rst`). A hierarchy without controllers is enough:
//! podinit enables none (no `cgroup.subtree_control` write), so the
//! no-internal-processes rule never applies. Hybrid hosts have such an empty
//! cgroup2 at `/sys/fs/cgroup/unified`.
//!
//! Without one (cgroup v1 only, read-only as in a plain docker container),
//! [`kill_session`] is the fallback: every container process starts a
//! session of its own, and what is still in that session is a leftover. A
//! daemon that calls `setsid(2)` itself escapes it; only a cgroup sees those.
//!
//! When to kill is the caller's state machine; resource limits are not done
//! here (they need controllers).

use std::collections::HashSet;
use std::collections::hash_map::RandomState;
use std::ffi::OsString;
use std::fs;
use std::hash::BuildHasher;
use std::io;
use std::os::fd::AsFd;
use std::os::unix::ffi::OsStringExt;
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, Instant};

use crate::procfs::{self, Stat};
use crate::sys::{self, Pid, Signal};

/// Why the pod has no cgroup.
#[derive(Debug, thiserror::Error)]
pub enum CgroupError {
    #[error("cannot read {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("no cgroup2 file system is mounted (cgroup v1 only, or none)")]
    NoCgroup2,
    #[error("the cgroup2 file system at {mount} is mounted read-only")]
    ReadOnly { mount: PathBuf },
    #[error("{path} names no cgroup2 cgroup (no `0::` line)")]
    NoOwnCgroup { path: PathBuf },
    #[error("podinit's cgroup {own} has been removed")]
    OwnRemoved { own: PathBuf },
    #[error("podinit's cgroup {own} is outside the cgroup2 mount at {mount}, whose root is {root}")]
    OutsideMount {
        own: PathBuf,
        mount: PathBuf,
        root: PathBuf,
    },
    #[error("cannot create the pod's cgroup {path}")]
    Create {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{path} is not a cgroup2 directory (it has no cgroup.procs)")]
    NotACgroup { path: PathBuf },
}

/// The pod's cgroup, or why there is none.
#[derive(Debug)]
pub struct PodCgroup {
    /// The directory, or the reason there is none (said once by the caller).
    dir: Result<PathBuf, String>,
}

impl PodCgroup {
    /// Finds the cgroup2 mount and podinit's own cgroup in `/proc/self`, and
    /// creates the pod's cgroup under it. Never fails: see
    /// [`Self::unavailable_reason`].
    pub fn setup(pod_name: &str) -> Self {
        Self::setup_at(Path::new("/proc"), pod_name)
    }

    /// [`Self::setup`] with `proc/self/mountinfo` and `proc/self/cgroup`.
    pub fn setup_at(proc: &Path, pod_name: &str) -> Self {
        let dir = read(&proc.join("self/mountinfo"))
            .and_then(|mountinfo| {
                let path = proc.join("self/cgroup");
                locate(&mountinfo, &read(&path)?, &path)
            })
            .and_then(|own| create_pod_dir(&own, pod_name));
        match dir {
            Ok(dir) => {
                log::debug!("the pod's cgroup is {}", dir.display());
                Self { dir: Ok(dir) }
            }
            Err(err) => Self {
                dir: Err(chain(&err)),
            },
        }
    }

    pub fn available(&self) -> bool {
        self.dir.is_ok()
    }

    pub fn unavailable_reason(&self) -> Option<&str> {
        self.dir.as_ref().err().map(String::as_str)
    }

    /// The pod's cgroup directory, when there is one.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref().ok()
    }

    /// A new cgroup for one container instance, `<pod>/<container>-<instance>`.
    /// `None` when there is no pod cgroup or the directory cannot be made
    /// (logged); the container then runs without one.
    pub fn create(&self, container: &str, instance: u32) -> Option<ContainerCgroup> {
        let pod = self.dir.as_ref().ok()?;
        let dir = pod.join(format!("{}-{instance}", component(container)));
        match fs::create_dir(&dir) {
            Ok(()) => {}
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {
                let existing = ContainerCgroup { dir };
                if existing.populated() {
                    log::error!(
                        "cgroup {} already exists and holds processes: container {container} \
                         runs without a cgroup",
                        existing.dir.display()
                    );
                    return None;
                }
                return Some(existing);
            }
            Err(err) => {
                log::error!(
                    "cannot create cgroup {}: {err}; container {container} runs without one",
                    dir.display()
                );
                return None;
            }
        }
        Some(ContainerCgroup { dir })
    }

    /// Kills whatever is left in the pod's cgroup and removes it with its
    /// children, waiting up to [`SETTLE`] for what it killed to exit.
    /// `false` (logged) if something is still there: call again later.
    /// Idempotent; afterwards nothing can be created in it.
    pub fn remove(&mut self) -> bool {
        let Ok(dir) = self.dir.clone() else {
            return true;
        };
        let all = ContainerCgroup { dir: dir.clone() };
        if !dir.exists() {
            self.dir = Err(format!("the pod's cgroup {} was removed", dir.display()));
            return true;
        }
        let killed = all.kill();
        if killed > 0 {
            log::info!(
                "killed {killed} processes left in the pod's cgroup {}",
                dir.display()
            );
        }
        // The end of the pod is the one place podinit may wait a little: a
        // process just killed (here, or a probe killed as its container
        // ended) leaves the cgroup when it exits, not when it is reaped (a
        // zombie holds no cgroup busy).
        if remove_tree(&dir, 0) || (settle(&all) && remove_tree(&dir, 0)) {
            self.dir = Err(format!("the pod's cgroup {} was removed", dir.display()));
            true
        } else {
            log::warn!("cannot remove the pod's cgroup {} yet", dir.display());
            false
        }
    }
}

/// One container instance's cgroup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerCgroup {
    dir: PathBuf,
}

impl ContainerCgroup {
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `<dir>/cgroup.procs`, which the container's first process writes
    /// itself into (`Step::JoinCgroup`).
    pub fn procs_path(&self) -> PathBuf {
        self.dir.join("cgroup.procs")
    }

    /// `<dir>/cgroup.events`: the kernel signals a change of `populated` on
    /// it (POLLPRI, or an inotify modify event).
    pub fn events_path(&self) -> PathBuf {
        self.dir.join("cgroup.events")
    }

    /// The processes in it now, as podinit's PID namespace numbers them.
    pub fn pids(&self) -> Vec<Pid> {
        let path = self.procs_path();
        match fs::read_to_string(&path) {
            Ok(text) => parse_pids(&text),
            Err(err) => {
                if err.kind() != io::ErrorKind::NotFound {
                    log::warn!("cannot read {}: {err}", path.display());
                }
                Vec::new()
            }
        }
    }

    /// Whether a process is still in it (or in a child cgroup of it).
    pub fn populated(&self) -> bool {
        let path = self.events_path();
        match fs::read_to_string(&path) {
            Ok(text) => parse_populated(&text).unwrap_or_else(|| {
                log::warn!("no populated line in {}", path.display());
                !self.pids().is_empty()
            }),
            Err(err) if err.kind() == io::ErrorKind::NotFound => false,
            Err(err) => {
                log::warn!("cannot read {}: {err}", path.display());
                !self.pids().is_empty()
            }
        }
    }

    /// SIGKILLs everything in it (child cgroups included): `cgroup.kill`,
    /// else each pid of `cgroup.procs`. Returns how many processes it held.
    pub fn kill(&self) -> usize {
        let found = tree_pids(&self.dir, 0).len();
        let path = self.dir.join("cgroup.kill");
        let written = fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .and_then(|mut file| io::Write::write_all(&mut file, b"1"));
        match written {
            Ok(()) => return found,
            // Before Linux 5.14.
            Err(err) if err.kind() == io::ErrorKind::NotFound && self.dir.exists() => {}
            Err(err) if err.kind() == io::ErrorKind::NotFound => return 0,
            Err(err) => log::warn!("cannot write {}: {err}; killing pid by pid", path.display()),
        }
        self.kill_each()
    }

    /// The fallback: SIGKILL to each pid read, again until a pass finds no
    /// new one (a process may fork between read and kill; once SIGKILL is
    /// pending it forks no more). Child cgroups are walked too.
    fn kill_each(&self) -> usize {
        let mut signalled = HashSet::new();
        for _ in 0..MAX_PASSES {
            let mut found = tree_pids(&self.dir, 0);
            found.retain(|pid| !signalled.contains(pid));
            if found.is_empty() {
                break;
            }
            for &pid in &found {
                match sys::kill(pid, Signal::KILL) {
                    Ok(()) => {}
                    Err(err) if err.raw_os_error() == Some(libc::ESRCH) => {}
                    Err(err) => log::warn!(
                        "cannot kill pid {pid} of cgroup {}: {err}",
                        self.dir.display()
                    ),
                }
            }
            signalled.extend(found);
        }
        signalled.len()
    }

    /// Removes the directory; `false` while it still holds a process
    /// (EBUSY until the kernel has torn a killed one down): retry later.
    pub fn remove(&self) -> bool {
        match fs::remove_dir(&self.dir) {
            Ok(()) => true,
            Err(err) if err.kind() == io::ErrorKind::NotFound => true,
            Err(err) if err.raw_os_error() == Some(libc::EBUSY) => {
                log::debug!("cgroup {} is still busy", self.dir.display());
                false
            }
            Err(err) => {
                log::warn!("cannot remove cgroup {}: {err}", self.dir.display());
                false
            }
        }
    }
}

/// How long [`PodCgroup::remove`] waits for killed processes to exit.
pub const SETTLE: Duration = Duration::from_millis(500);

/// Waits until `cgroup` is empty, at most [`SETTLE`].
fn settle(cgroup: &ContainerCgroup) -> bool {
    let deadline = Instant::now() + SETTLE;
    while cgroup.populated() {
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    true
}

/// Passes of a pid-by-pid kill before giving up on a process tree that
/// keeps growing (it cannot: every pass kills all it saw).
const MAX_PASSES: usize = 100;

/// SIGKILLs every process of session `sid` but podinit (`own_pid`) and the
/// session leader `sid` itself (the container's main process, which the
/// caller handles). Found by scanning `proc`, which must be the procfs of
/// podinit's PID namespace. Returns how many were signalled.
pub fn kill_session(proc: &Path, sid: Pid, own_pid: Pid) -> usize {
    signal_session(proc, sid, own_pid, false)
}

/// [`kill_session`], the session leader included.
pub fn kill_session_and_leader(proc: &Path, sid: Pid, own_pid: Pid) -> usize {
    signal_session(proc, sid, own_pid, true)
}

fn signal_session(proc: &Path, sid: Pid, own_pid: Pid, leader: bool) -> usize {
    // Session 0 is what procfs shows for kernel threads and for a session
    // led from outside the PID namespace: not a container's.
    if sid <= 0 {
        log::warn!("not killing session {sid}: it is no container's");
        return 0;
    }
    if !procfs::is_own_namespace(proc, own_pid) {
        log::warn!(
            "{} is not the procfs of podinit's PID namespace: the processes of session {sid} \
             cannot be found",
            proc.display()
        );
        return 0;
    }
    let mut signalled = HashSet::new();
    for _ in 0..MAX_PASSES {
        let all = match procfs::processes(proc) {
            Ok(all) => all,
            Err(err) => {
                log::error!("cannot list {} for session {sid}: {err}", proc.display());
                break;
            }
        };
        let found: Vec<Stat> = all
            .into_iter()
            .filter(|s| s.session == sid && s.pid != own_pid && (leader || s.pid != sid))
            .filter(|s| !signalled.contains(&s.pid))
            .collect();
        if found.is_empty() {
            break;
        }
        log::debug!(
            "killing session {sid}: {:?}",
            found.iter().map(|s| s.pid).collect::<Vec<_>>()
        );
        for stat in &found {
            kill_one(proc, stat);
        }
        signalled.extend(found.iter().map(|s| s.pid));
    }
    signalled.len()
}

/// SIGKILLs the process `stat` describes, if its pid still names it.
fn kill_one(proc: &Path, stat: &Stat) {
    match sys::pidfd_open(stat.pid) {
        Ok(pidfd) => {
            let same = Stat::read(proc, stat.pid).is_some_and(|now| {
                now.start_time == stat.start_time && now.session == stat.session
            });
            if same {
                if let Err(err) = sys::pidfd_send_signal(pidfd.as_fd(), Signal::KILL) {
                    if err.raw_os_error() != Some(libc::ESRCH) {
                        log::warn!("cannot kill pid {}: {err}", stat.pid);
                    }
                }
            }
        }
        Err(err) if err.raw_os_error() == Some(libc::ESRCH) => {}
        // A kernel before 5.3: kill(2), with its tiny pid-reuse race.
        Err(_) => {
            if let Err(err) = sys::kill(stat.pid, Signal::KILL) {
                if err.raw_os_error() != Some(libc::ESRCH) {
                    log::warn!("cannot kill pid {}: {err}", stat.pid);
                }
            }
        }
    }
}

// ---- finding podinit's cgroup ----

/// One cgroup2 line of mountinfo.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Mount {
    /// The cgroup the mount shows as its top (field 4).
    root: PathBuf,
    mount_point: PathBuf,
    read_only: bool,
}

/// podinit's own cgroup directory, from the bytes of
/// `/proc/self/mountinfo` and `/proc/self/cgroup` (`cgroup_path` for errors).
fn locate(
    mountinfo: &[u8],
    self_cgroup: &[u8],
    cgroup_path: &Path,
) -> Result<PathBuf, CgroupError> {
    let mount = pick(&cgroup2_mounts(mountinfo)).ok_or(CgroupError::NoCgroup2)?;
    if mount.read_only {
        return Err(CgroupError::ReadOnly {
            mount: mount.mount_point,
        });
    }
    let own = own_cgroup(self_cgroup).ok_or_else(|| CgroupError::NoOwnCgroup {
        path: cgroup_path.to_path_buf(),
    })?;
    if own.as_os_str().as_encoded_bytes().ends_with(b" (deleted)") {
        return Err(CgroupError::OwnRemoved { own });
    }
    let outside = || CgroupError::OutsideMount {
        own: own.clone(),
        mount: mount.mount_point.clone(),
        root: mount.root.clone(),
    };
    // In a cgroup namespace, a cgroup above its root reads as `/../..`.
    if own.components().any(|c| c == Component::ParentDir) {
        return Err(outside());
    }
    let relative = own.strip_prefix(&mount.root).map_err(|_| outside())?;
    Ok(mount.mount_point.join(relative))
}

/// The cgroup2 mounts of a mountinfo (proc(5)) that no later mount on the
/// same point hides. (One on a parent directory may hide it too, but
/// mountinfo's order is not reliably the mount order for that:
/// [`create_pod_dir`] checks that it made a cgroup instead.)
fn cgroup2_mounts(mountinfo: &[u8]) -> Vec<Mount> {
    let lines: Vec<(PathBuf, Option<Mount>)> = mountinfo
        .split(|&b| b == b'\n')
        .filter_map(parse_mount_line)
        .collect();
    let mut found = Vec::new();
    for (index, (point, mount)) in lines.iter().enumerate() {
        let hidden = lines
            .get(index + 1..)
            .unwrap_or_default()
            .iter()
            .any(|(later, _)| later == point);
        if let (Some(mount), false) = (mount, hidden) {
            found.push(mount.clone());
        }
    }
    found
}

/// A mountinfo line's mount point, and the mount if it is cgroup2.
fn parse_mount_line(line: &[u8]) -> Option<(PathBuf, Option<Mount>)> {
    let fields: Vec<&[u8]> = line.split(|&b| b == b' ').collect();
    let dash = fields.iter().position(|&f| f == b"-")?;
    let root = unescape(fields.get(3)?);
    let mount_point = unescape(fields.get(4)?);
    let options = fields.get(5)?;
    let fstype = fields.get(dash + 1)?;
    let super_options = fields.get(dash + 3).copied().unwrap_or_default();
    if *fstype != b"cgroup2" {
        return Some((mount_point, None));
    }
    let has_ro = |opts: &[u8]| opts.split(|&b| b == b',').any(|o| o == b"ro");
    let mount = Mount {
        root,
        mount_point: mount_point.clone(),
        read_only: has_ro(options) || has_ro(super_options),
    };
    Some((mount_point, Some(mount)))
}

/// `/sys/fs/cgroup`, else `/sys/fs/cgroup/unified`, else the first.
fn pick(mounts: &[Mount]) -> Option<Mount> {
    ["/sys/fs/cgroup", "/sys/fs/cgroup/unified"]
        .iter()
        .find_map(|want| mounts.iter().find(|m| m.mount_point == Path::new(want)))
        .or_else(|| mounts.first())
        .cloned()
}

/// mountinfo escapes space, tab, newline and backslash as `\ooo`.
fn unescape(field: &[u8]) -> PathBuf {
    let mut out = Vec::with_capacity(field.len());
    let mut i = 0;
    while let Some(&b) = field.get(i) {
        let octal = field
            .get(i + 1..i + 4)
            .filter(|d| d.iter().all(|c| (b'0'..=b'7').contains(c)));
        match octal {
            Some(d) if b == b'\\' => {
                let value = d.iter().fold(0u32, |acc, c| acc * 8 + u32::from(c - b'0'));
                out.push(u8::try_from(value).unwrap_or(b'?'));
                i += 4;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    PathBuf::from(OsString::from_vec(out))
}

/// The path of the `0::` line of `/proc/self/cgroup` (cgroups(7)).
fn own_cgroup(text: &[u8]) -> Option<PathBuf> {
    text.split(|&b| b == b'\n')
        .find_map(|line| line.strip_prefix(b"0::"))
        .map(|path| PathBuf::from(OsString::from_vec(path.to_vec())))
}

/// Makes `<own>/podinit-<pod>-<random>`, checking that it is a cgroup.
fn create_pod_dir(own: &Path, pod_name: &str) -> Result<PathBuf, CgroupError> {
    let random = RandomState::new();
    let mut attempt = 0u32;
    loop {
        let suffix = random.hash_one((sys::getpid(), attempt)) as u32;
        let dir = own.join(format!("podinit-{}-{suffix:08x}", component(pod_name)));
        match fs::create_dir(&dir) {
            Ok(()) if dir.join("cgroup.procs").exists() => return Ok(dir),
            Ok(()) => {
                let _ = fs::remove_dir(&dir);
                return Err(CgroupError::NotACgroup {
                    path: own.to_path_buf(),
                });
            }
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists && attempt < 4 => attempt += 1,
            Err(source) => return Err(CgroupError::Create { path: dir, source }),
        }
    }
}

/// The pids in `dir` and every cgroup under it.
fn tree_pids(dir: &Path, depth: usize) -> Vec<Pid> {
    let mut pids = ContainerCgroup {
        dir: dir.to_path_buf(),
    }
    .pids();
    if depth < MAX_DEPTH {
        for child in child_dirs(dir) {
            pids.extend(tree_pids(&child, depth + 1));
        }
    }
    pids
}

/// How deep podinit looks under a container's cgroup (a container may make
/// cgroups of its own if it can write to the hierarchy).
const MAX_DEPTH: usize = 32;

/// Removes `dir` and every cgroup under it, deepest first.
fn remove_tree(dir: &Path, depth: usize) -> bool {
    let mut all = true;
    if depth < MAX_DEPTH {
        for child in child_dirs(dir) {
            all &= remove_tree(&child, depth + 1);
        }
    }
    all && ContainerCgroup {
        dir: dir.to_path_buf(),
    }
    .remove()
}

fn child_dirs(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .collect()
}

/// A name usable as one cgroup directory: letters, digits, `-` and `_`
/// (a `.` could clash with the kernel's `cgroup.*` files), at most 100.
fn component(name: &str) -> String {
    let clean: String = name
        .chars()
        .take(100)
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if clean.is_empty() { "_".into() } else { clean }
}

fn parse_pids(text: &str) -> Vec<Pid> {
    // A process outside podinit's PID namespace reads as 0.
    text.lines()
        .filter_map(|l| l.trim().parse().ok())
        .filter(|&pid: &Pid| pid > 0)
        .collect()
}

fn parse_populated(text: &str) -> Option<bool> {
    text.lines()
        .find_map(|l| l.strip_prefix("populated "))
        .map(|v| v.trim() != "0")
}

fn read(path: &Path) -> Result<Vec<u8>, CgroupError> {
    fs::read(path).map_err(|source| CgroupError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// An error with its causes, `: `-separated, for the one-line reason.
fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests;
