use std::process::{Child, Command};
use std::time::{Duration, Instant};

use super::*;

const V2_ONLY: &str = "\
22 1 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
26 22 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
";

const V2_SELF: &str = "0::/user.slice/user-1000.slice/session-2.scope\n";

/// This development machine's layout: v1 controllers, an empty cgroup2.
const HYBRID: &str = "\
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
";

const HYBRID_SELF: &str = "\
9:name=systemd:/
4:memory:/process_api/d09027ecd5db4d7ed73d9fc4690020ce
1:cpu:/
0::/
";

const V1_ONLY: &str = "\
31 23 0:28 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
";

/// A plain docker container: a private cgroup namespace, mounted read-only.
const DOCKER: &str = "\
600 500 0:50 / / rw,relatime - overlay overlay rw,lowerdir=/l,upperdir=/u,workdir=/w
610 600 0:60 / /sys ro,nosuid,nodev,noexec,relatime - sysfs sysfs ro
611 610 0:26 / /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - cgroup2 cgroup cgroup2 rw,nsdelegate
";

fn locate_text(mountinfo: &str, self_cgroup: &str) -> Result<PathBuf, CgroupError> {
    locate(
        mountinfo.as_bytes(),
        self_cgroup.as_bytes(),
        Path::new("/proc/self/cgroup"),
    )
}

#[test]
fn podinits_cgroup_is_found_on_each_kind_of_machine() {
    assert_eq!(
        locate_text(V2_ONLY, V2_SELF).unwrap(),
        Path::new("/sys/fs/cgroup/user.slice/user-1000.slice/session-2.scope")
    );
    assert_eq!(
        locate_text(HYBRID, HYBRID_SELF).unwrap(),
        Path::new("/sys/fs/cgroup/unified/")
    );
    assert!(matches!(
        locate_text(V1_ONLY, HYBRID_SELF),
        Err(CgroupError::NoCgroup2)
    ));
    assert!(matches!(locate_text("", ""), Err(CgroupError::NoCgroup2)));
    let err = locate_text(DOCKER, "0::/\n").unwrap_err();
    assert!(matches!(err, CgroupError::ReadOnly { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        "the cgroup2 file system at /sys/fs/cgroup is mounted read-only"
    );
}

#[test]
fn the_preferred_mount_wins_and_an_overmounted_one_is_ignored() {
    let both = format!("{HYBRID}50 1 0:40 / /mnt/other rw - cgroup2 none rw\n{V2_ONLY}");
    let mounts = cgroup2_mounts(both.as_bytes());
    assert_eq!(mounts.len(), 3);
    assert_eq!(
        pick(&mounts).unwrap().mount_point,
        Path::new("/sys/fs/cgroup")
    );
    let other = "50 1 0:40 / /mnt/other rw - cgroup2 none rw\n";
    assert_eq!(
        pick(&cgroup2_mounts(other.as_bytes())).unwrap().mount_point,
        Path::new("/mnt/other")
    );
    // A tmpfs later mounted over /sys/fs/cgroup hides the cgroup2 there.
    let hidden = format!("{V2_ONLY}30 26 0:40 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n");
    assert!(cgroup2_mounts(hidden.as_bytes()).is_empty());
}

#[test]
fn escaped_paths_and_bind_mounted_subtrees_are_understood() {
    let spaced = "70 1 0:40 /pods /run/my\\040cgroups rw - cgroup2 cgroup2 rw\n";
    let mounts = cgroup2_mounts(spaced.as_bytes());
    assert_eq!(mounts[0].mount_point, Path::new("/run/my cgroups"));
    assert_eq!(mounts[0].root, Path::new("/pods"));
    assert_eq!(
        locate_text(spaced, "0::/pods/a b\n").unwrap(),
        Path::new("/run/my cgroups/a b")
    );
    assert_eq!(
        unescape(b"a\\011b\\134c\\012\\04"),
        Path::new("a\tb\\c\n\\04")
    );
    let outside = locate_text(spaced, "0::/elsewhere\n").unwrap_err();
    assert!(
        matches!(outside, CgroupError::OutsideMount { .. }),
        "{outside}"
    );
    let above = locate_text(V2_ONLY, "0::/../../x\n").unwrap_err();
    assert!(matches!(above, CgroupError::OutsideMount { .. }), "{above}");
    let gone = locate_text(V2_ONLY, "0::/a (deleted)\n").unwrap_err();
    assert!(matches!(gone, CgroupError::OwnRemoved { .. }), "{gone}");
    let none = locate_text(V2_ONLY, "4:memory:/x\n").unwrap_err();
    assert_eq!(
        none.to_string(),
        "/proc/self/cgroup names no cgroup2 cgroup (no `0::` line)"
    );
}

#[test]
fn names_become_safe_directory_names() {
    assert_eq!(component("web-1_a"), "web-1_a");
    assert_eq!(component("../x.y"), "___x_y");
    assert_eq!(component(""), "_");
    assert_eq!(component(&"a".repeat(300)).len(), 100);
}

#[test]
fn cgroup_files_parse() {
    assert_eq!(parse_pids("12\n0\n345\n\nx\n"), [12, 345]);
    assert_eq!(parse_populated("populated 1\nfrozen 0\n"), Some(true));
    assert_eq!(parse_populated("populated 0\nfrozen 0\n"), Some(false));
    assert_eq!(parse_populated("frozen 0\n"), None);
}

#[test]
fn a_directory_that_is_not_a_cgroup_is_refused_and_left_clean() {
    let dir = std::env::temp_dir().join(format!("podinit-cgroup-{}", std::process::id()));
    fs::create_dir_all(&dir).unwrap();
    let err = create_pod_dir(&dir, "web").unwrap_err();
    assert!(matches!(err, CgroupError::NotACgroup { .. }), "{err}");
    assert_eq!(fs::read_dir(&dir).unwrap().count(), 0);
    fs::remove_dir(&dir).unwrap();
    let missing = create_pod_dir(&dir.join("gone"), "web").unwrap_err();
    assert!(
        chain(&missing).starts_with("cannot create the pod's cgroup "),
        "{}",
        chain(&missing)
    );
}

#[test]
fn an_unreadable_proc_gives_a_reason_not_an_error() {
    let mut pod = PodCgroup::setup_at(Path::new("/nonexistent/proc"), "web");
    assert!(!pod.available());
    let reason = pod.unavailable_reason().unwrap();
    assert!(
        reason.starts_with("cannot read /nonexistent/proc/self/mountinfo: "),
        "{reason}"
    );
    assert!(pod.create("a", 0).is_none());
    assert!(pod.remove());
}

/// Polls `check` for up to five seconds.
fn eventually(mut check: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if check() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    check()
}

/// Waits for `child` for up to five seconds; kills it if it is still there.
fn reap(child: &mut Child) -> Option<std::process::ExitStatus> {
    let mut status = None;
    eventually(|| {
        status = child.try_wait().ok().flatten();
        status.is_some()
    });
    if status.is_none() {
        let _ = child.kill();
        let _ = child.wait();
    }
    status
}

#[test]
fn a_container_cgroup_holds_a_process_and_kills_it() {
    let name = format!("test-{}", std::process::id());
    let mut pod = PodCgroup::setup(&name);
    if !pod.available() {
        eprintln!(
            "skipped: no writable cgroup2: {}",
            pod.unavailable_reason().unwrap_or("")
        );
        return;
    }
    let pod_dir = pod.dir().unwrap().to_path_buf();
    let cgroup = pod.create("app", 0).unwrap();
    assert_eq!(cgroup.procs_path(), pod_dir.join("app-0/cgroup.procs"));
    assert!(!cgroup.populated());
    let script = format!(
        "echo $$ > '{}' && exec sleep 100",
        cgroup.procs_path().display()
    );
    let mut child = Command::new("sh").arg("-c").arg(script).spawn().unwrap();
    let pid = child.id() as Pid;
    assert!(eventually(|| cgroup.pids() == [pid]), "{:?}", cgroup.pids());
    assert!(cgroup.populated());
    assert!(
        pod.create("app", 0).is_none(),
        "a populated cgroup is not reused"
    );

    let has_kill = cgroup.dir().join("cgroup.kill").exists();
    assert_eq!(cgroup.kill(), 1);
    let status = reap(&mut child).unwrap();
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&status),
        Some(libc::SIGKILL)
    );
    assert!(eventually(|| !cgroup.populated()));
    assert!(cgroup.pids().is_empty());
    assert!(cgroup.remove());
    assert!(cgroup.remove(), "removing twice is fine");
    eprintln!("cgroup at {}, cgroup.kill: {has_kill}", pod_dir.display());

    // The pod's removal kills what is left in its containers' cgroups.
    let other = pod.create("side", 2).unwrap();
    let script = format!(
        "echo $$ > '{}' && exec sleep 100",
        other.procs_path().display()
    );
    let mut child = Command::new("sh").arg("-c").arg(script).spawn().unwrap();
    assert!(eventually(|| other.populated()));
    // Killed, exited, not yet reaped: the cgroup goes all the same.
    assert!(pod.remove());
    assert!(reap(&mut child).is_some());
    assert!(!pod_dir.exists());
    assert!(!pod.available() && pod.create("app", 1).is_none());
    assert!(pod.remove(), "idempotent");
}

#[test]
fn the_pid_by_pid_fallback_kills_a_cgroup_too() {
    let mut pod = PodCgroup::setup(&format!("test-each-{}", std::process::id()));
    if !pod.available() {
        eprintln!(
            "skipped: no writable cgroup2: {}",
            pod.unavailable_reason().unwrap_or("")
        );
        return;
    }
    let cgroup = pod.create("app", 0).unwrap();
    let script = format!(
        "echo $$ > '{}'; sleep 100 & sleep 100 & wait",
        cgroup.procs_path().display()
    );
    let mut child = Command::new("sh").arg("-c").arg(script).spawn().unwrap();
    // sh joins, then its two sleeps are born in the cgroup.
    assert!(
        eventually(|| cgroup.pids().len() == 3),
        "{:?}",
        cgroup.pids()
    );
    assert_eq!(cgroup.kill_each(), 3);
    assert!(reap(&mut child).is_some());
    assert!(eventually(|| !cgroup.populated()));
    assert!(eventually(|| pod.remove()));
}

/// The processes of session `sid` but its leader, from the real /proc.
fn session_members(sid: Pid) -> Vec<Pid> {
    let all = procfs::processes(Path::new("/proc")).unwrap_or_default();
    all.iter()
        .filter(|s| s.session == sid && s.pid != sid)
        .map(|s| s.pid)
        .collect()
}

#[test]
fn kill_session_kills_the_leaders_leftovers_only() {
    let own = sys::getpid();
    if !procfs::is_own_namespace(Path::new("/proc"), own) {
        eprintln!("skipped: /proc is not this PID namespace's");
        return;
    }
    // setsid(1) does not fork: a spawned child leads no process group.
    let mut child = Command::new("setsid")
        .args(["sh", "-c", "sleep 100 & sleep 100 & wait; exit 7"])
        .spawn()
        .unwrap();
    let sid = child.id() as Pid;
    assert!(
        eventually(|| session_members(sid).len() == 2),
        "{:?}",
        session_members(sid)
    );
    assert_eq!(
        Stat::read(Path::new("/proc"), sid).map(|s| s.session),
        Some(sid)
    );
    let members = session_members(sid);

    assert_eq!(kill_session(Path::new("/proc"), sid, own), 2);
    // The leader survives; its wait returns once both sleeps are dead.
    let status = reap(&mut child).unwrap();
    assert_eq!(status.code(), Some(7));
    for pid in members {
        assert!(Stat::read(Path::new("/proc"), pid).is_none_or(|s| s.session != sid));
    }
    assert_eq!(kill_session(Path::new("/proc"), sid, own), 0);
    assert_eq!(kill_session(Path::new("/proc"), 0, own), 0);
}

#[test]
fn kill_session_and_leader_takes_the_leader_too() {
    let own = sys::getpid();
    if !procfs::is_own_namespace(Path::new("/proc"), own) {
        eprintln!("skipped: /proc is not this PID namespace's");
        return;
    }
    let mut child = Command::new("setsid")
        .args(["sh", "-c", "sleep 100; exit 7"])
        .spawn()
        .unwrap();
    let sid = child.id() as Pid;
    assert!(eventually(|| session_members(sid).len() == 1));
    assert_eq!(kill_session_and_leader(Path::new("/proc"), sid, own), 2);
    let status = reap(&mut child).unwrap();
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&status),
        Some(libc::SIGKILL)
    );
}
