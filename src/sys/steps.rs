//! The setup of a container's process between `fork` and `execve`, as a
//! list of steps built beforehand and run by a small interpreter.
//!
//! Each [`Step`] is one syscall (or a fixed pair) on values prepared in the
//! parent: mounts, a pivot_root, joining a cgroup, identities, capabilities.
//! The child runs them in order with nothing but raw syscalls (no
//! allocation: signal-safety(7)); the first that fails is reported by its
//! index, so the parent can say which mount of which volume failed. Deciding
//! the steps (which mounts, in what order) is the `container` module's job;
//! this one only carries them out.

use std::ffi::{CString, c_int, c_ulong};

/// One thing to do in the child.
#[derive(Debug, Clone)]
pub enum Step {
    /// setsid(2): a session and process group of its own.
    Setsid,
    /// Writes the child's pid to a cgroup's `cgroup.procs`.
    JoinCgroup(CString),
    /// unshare(2) of namespaces (`CLONE_NEWNS`...).
    Unshare(c_int),
    /// mount(2).
    Mount {
        source: Option<CString>,
        target: CString,
        fstype: Option<CString>,
        flags: c_ulong,
        data: Option<CString>,
    },
    /// mkdir(2), existing is fine.
    Mkdir { path: CString, mode: libc::mode_t },
    /// Creates an empty file if nothing is there (a file mount point).
    Touch(CString),
    /// symlink(2) `link` -> `target`, existing is fine.
    Symlink { target: CString, link: CString },
    /// pivot_root(2) into `new_root`, then chdir("/") and a lazy unmount
    /// of the old root, which was put at `put_old` (a path inside
    /// `new_root`, given as seen after the pivot: `old`).
    PivotRoot {
        new_root: CString,
        put_old: CString,
        old: CString,
    },
    /// A read-only sysfs at this path; where the kernel refuses a new one
    /// (a network namespace the pod does not own: EBUSY, EPERM), a
    /// read-only recursive bind of `/sys`, as runc does.
    Sysfs(CString),
    /// A recursive bind of `base/parts...` at `target`, the path walked
    /// with `O_NOFOLLOW` one component at a time and bound through
    /// `/proc/self/fd/N`: a symlink planted in a volume cannot redirect it
    /// (ELOOP). Walked in the child, in its own mount namespace: the kernel
    /// binds only from mounts of the caller's namespace.
    BindBeneath {
        base: CString,
        parts: Vec<CString>,
        target: CString,
    },
    /// chdir(2).
    Chdir(CString),
    /// setns(2) into the namespace `fd` refers to (`nstype`, e.g.
    /// `CLONE_NEWNS`): a probe or hook joining a running container. The
    /// descriptor was opened before fork, close-on-exec.
    Setns { fd: c_int, nstype: c_int },
    /// fchdir(2) to the directory `fd`, then chroot("."): the container's
    /// root, from `/proc/PID/root` opened before fork.
    Fchroot(c_int),
    /// dup2(2) `from` onto `to` (the standard descriptors of a probe).
    Dup2 { from: c_int, to: c_int },
    /// ioctl(0, TIOCSCTTY): stdin, a terminal, becomes the controlling
    /// terminal of the session just started.
    ControllingTty,
    /// prctl(PR_SET_NO_NEW_PRIVS).
    NoNewPrivs,
    /// Keeps only these capabilities in the bounding set (a bit per
    /// capability number) and clears the ambient set.
    BoundCapabilities(u64),
    /// setgroups(2), setresgid(2), setresuid(2), in that order.
    Identity {
        uid: u32,
        gid: u32,
        groups: Vec<libc::gid_t>,
    },
    /// capset(2): effective, permitted and inheritable become these (a no-op
    /// for capabilities the process does not have).
    Capabilities(u64),
}

/// Runs `steps` in order; `Err((index, errno))` for the first that fails.
/// In a child between `fork` and `execve`: raw syscalls only.
pub(super) fn run(steps: &[Step]) -> Result<(), (usize, c_int)> {
    for (index, step) in steps.iter().enumerate() {
        if run_one(step) == -1 {
            return Err((index, errno()));
        }
    }
    Ok(())
}

fn errno() -> c_int {
    std::io::Error::last_os_error()
        .raw_os_error()
        .unwrap_or(libc::EIO)
}

/// One step: 0 on success, -1 with errno set on failure.
fn run_one(step: &Step) -> c_int {
    let ptr = |s: &Option<CString>| s.as_ref().map_or(std::ptr::null(), |c| c.as_ptr());
    // SAFETY: the arguments are NUL-terminated strings and plain values
    // built before fork; each call is a single async-signal-safe syscall.
    unsafe {
        match step {
            Step::Setsid => libc::setsid().min(0),
            Step::JoinCgroup(procs) => join_cgroup(procs),
            Step::Unshare(flags) => libc::unshare(*flags),
            Step::Mount {
                source,
                target,
                fstype,
                flags,
                data,
            } => libc::mount(
                ptr(source),
                target.as_ptr(),
                ptr(fstype),
                *flags,
                ptr(data).cast(),
            ),
            Step::Mkdir { path, mode } => match libc::mkdir(path.as_ptr(), *mode) {
                -1 if errno() == libc::EEXIST => 0,
                ret => ret,
            },
            Step::Touch(path) => {
                let fd = libc::open(
                    path.as_ptr(),
                    libc::O_CREAT | libc::O_WRONLY | libc::O_CLOEXEC,
                    0o644,
                );
                if fd >= 0 {
                    libc::close(fd);
                    0
                } else if errno() == libc::EISDIR || errno() == libc::EEXIST {
                    0
                } else {
                    -1
                }
            }
            Step::Symlink { target, link } => match libc::symlink(target.as_ptr(), link.as_ptr()) {
                -1 if errno() == libc::EEXIST => 0,
                ret => ret,
            },
            Step::PivotRoot {
                new_root,
                put_old,
                old,
            } => {
                // pivot_root(2)'s own recipe: from inside the new root, with
                // "." as put_old the old root is stacked on it and detached.
                if libc::chdir(new_root.as_ptr()) == -1
                    || libc::syscall(libc::SYS_pivot_root, c".".as_ptr(), put_old.as_ptr()) == -1
                    || libc::umount2(old.as_ptr(), libc::MNT_DETACH) == -1
                    || libc::chdir(c"/".as_ptr()) == -1
                {
                    return -1;
                }
                // A separate put_old stays as an empty directory; failing to
                // remove it is harmless.
                if old.as_bytes() != b"." {
                    libc::rmdir(old.as_ptr());
                }
                0
            }
            Step::Sysfs(target) => {
                let flags = libc::MS_RDONLY | libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC;
                let fresh = libc::mount(
                    c"sysfs".as_ptr(),
                    target.as_ptr(),
                    c"sysfs".as_ptr(),
                    flags,
                    std::ptr::null(),
                );
                let refused = fresh == -1 && matches!(errno(), libc::EBUSY | libc::EPERM);
                if !refused {
                    fresh
                } else if libc::mount(
                    c"/sys".as_ptr(),
                    target.as_ptr(),
                    std::ptr::null(),
                    libc::MS_BIND | libc::MS_REC,
                    std::ptr::null(),
                ) == -1
                {
                    -1
                } else {
                    libc::mount(
                        std::ptr::null(),
                        target.as_ptr(),
                        std::ptr::null(),
                        flags | libc::MS_BIND | libc::MS_REMOUNT,
                        std::ptr::null(),
                    )
                }
            }
            Step::BindBeneath {
                base,
                parts,
                target,
            } => bind_beneath(base, parts, target),
            Step::Chdir(path) => libc::chdir(path.as_ptr()),
            Step::Setns { fd, nstype } => libc::setns(*fd, *nstype),
            Step::Fchroot(fd) => {
                if libc::fchdir(*fd) == -1 {
                    -1
                } else {
                    libc::chroot(c".".as_ptr())
                }
            }
            Step::Dup2 { from, to } => libc::dup2(*from, *to).min(0),
            Step::ControllingTty => libc::ioctl(0, libc::TIOCSCTTY, 0 as c_ulong).min(0),
            Step::NoNewPrivs => libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1 as c_ulong, 0, 0, 0),
            Step::BoundCapabilities(keep) => bound_capabilities(*keep),
            Step::Identity { uid, gid, groups } => {
                if libc::setgroups(groups.len(), groups.as_ptr()) == -1
                    || libc::setresgid(*gid, *gid, *gid) == -1
                    || libc::setresuid(*uid, *uid, *uid) == -1
                {
                    -1
                } else {
                    0
                }
            }
            Step::Capabilities(set) => capset(*set),
        }
    }
}

/// [`Step::BindBeneath`]: raw syscalls and a stack buffer only.
fn bind_beneath(base: &CString, parts: &[CString], target: &CString) -> c_int {
    let flags = libc::O_PATH | libc::O_NOFOLLOW | libc::O_CLOEXEC;
    // SAFETY: every path is NUL-terminated; each descriptor is closed once
    // and never used after; the buffer is NUL-terminated before use.
    unsafe {
        let mut fd = libc::open(base.as_ptr(), flags | libc::O_DIRECTORY);
        if fd < 0 {
            return -1;
        }
        for part in parts {
            let next = libc::openat(fd, part.as_ptr(), flags);
            libc::close(fd);
            if next < 0 {
                return -1;
            }
            fd = next;
        }
        let mut st: libc::stat = std::mem::zeroed();
        if libc::fstat(fd, &mut st) == -1 {
            libc::close(fd);
            return -1;
        }
        if st.st_mode & libc::S_IFMT == libc::S_IFLNK {
            libc::close(fd);
            *libc::__errno_location() = libc::ELOOP;
            return -1;
        }
        let mut path = [0u8; 32];
        let prefix = b"/proc/self/fd/";
        path[..prefix.len()].copy_from_slice(prefix);
        let mut digits = [0u8; 12];
        let mut n = fd as u32;
        let mut len = 0;
        loop {
            digits[len] = b'0' + (n % 10) as u8;
            len += 1;
            n /= 10;
            if n == 0 || len == digits.len() {
                break;
            }
        }
        for i in 0..len {
            path[prefix.len() + i] = digits[len - 1 - i];
        }
        let ret = libc::mount(
            path.as_ptr().cast(),
            target.as_ptr(),
            std::ptr::null(),
            libc::MS_BIND | libc::MS_REC,
            std::ptr::null(),
        );
        let saved = errno();
        libc::close(fd);
        *libc::__errno_location() = saved;
        ret
    }
}

/// Writes the caller's pid, in decimal, to `procs`.
fn join_cgroup(procs: &CString) -> c_int {
    let mut digits = [0u8; 20];
    // SAFETY: getpid cannot fail.
    let mut pid = unsafe { libc::getpid() } as u64;
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (pid % 10) as u8;
        pid /= 10;
        if pid == 0 || start == 0 {
            break;
        }
    }
    // SAFETY: procs is NUL-terminated; the write reads from a live buffer
    // of the length given; the descriptor is closed at once.
    unsafe {
        let fd = libc::open(procs.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
        if fd < 0 {
            return -1;
        }
        let len = digits.len() - start;
        let written = libc::write(fd, digits[start..].as_ptr().cast(), len);
        let saved = errno();
        libc::close(fd);
        if written == len as isize {
            0
        } else {
            *libc::__errno_location() = saved;
            -1
        }
    }
}

/// The highest capability number the kernel has.
fn last_capability() -> u32 {
    // CAP_LAST_CAP is 40 on Linux 5.9 and later (CAP_CHECKPOINT_RESTORE);
    // PR_CAPBSET_READ says EINVAL past the last one.
    let mut last = 0;
    for cap in 0..64u32 {
        // SAFETY: a read-only prctl on a capability number.
        if unsafe { libc::prctl(libc::PR_CAPBSET_READ, cap as c_ulong, 0, 0, 0) } < 0 {
            break;
        }
        last = cap;
    }
    last
}

fn bound_capabilities(keep: u64) -> c_int {
    for cap in 0..=last_capability() {
        if keep & (1u64 << cap) == 0 {
            // SAFETY: drops one capability from the bounding set.
            if unsafe { libc::prctl(libc::PR_CAPBSET_DROP, cap as c_ulong, 0, 0, 0) } == -1 {
                return -1;
            }
        }
    }
    // SAFETY: clears the ambient set; EINVAL on kernels without it is fine.
    unsafe {
        libc::prctl(
            libc::PR_CAP_AMBIENT,
            libc::PR_CAP_AMBIENT_CLEAR_ALL as c_ulong,
            0,
            0,
            0,
        )
    };
    0
}

/// The capability header and data of capset(2), version 3 (64 bits).
#[repr(C)]
struct CapHeader {
    version: u32,
    pid: c_int,
}

#[repr(C)]
#[derive(Clone, Copy)]
struct CapData {
    effective: u32,
    permitted: u32,
    inheritable: u32,
}

const LINUX_CAPABILITY_VERSION_3: u32 = 0x2008_0522;

/// Sets effective, permitted and inheritable to `set`, within what the
/// process has (capget first, so that asking for more is not an error).
fn capset(set: u64) -> c_int {
    let mut header = CapHeader {
        version: LINUX_CAPABILITY_VERSION_3,
        pid: 0,
    };
    let mut data = [CapData {
        effective: 0,
        permitted: 0,
        inheritable: 0,
    }; 2];
    // SAFETY: header and data are the layout capget(2) and capset(2)
    // expect for version 3 (two data structs).
    unsafe {
        if libc::syscall(
            libc::SYS_capget,
            &mut header as *mut CapHeader,
            data.as_mut_ptr(),
        ) == -1
        {
            return -1;
        }
        let have = u64::from(data[0].permitted) | (u64::from(data[1].permitted) << 32);
        let want = set & have;
        for (i, half) in data.iter_mut().enumerate() {
            let bits = (want >> (32 * i)) as u32;
            *half = CapData {
                effective: bits,
                permitted: bits,
                inheritable: bits,
            };
        }
        header.version = LINUX_CAPABILITY_VERSION_3;
        libc::syscall(
            libc::SYS_capset,
            &mut header as *mut CapHeader,
            data.as_ptr(),
        ) as c_int
    }
}

/// Capability numbers by name (capabilities(7)), without `CAP_`.
pub const CAPABILITIES: &[(&str, u32)] = &[
    ("CHOWN", 0),
    ("DAC_OVERRIDE", 1),
    ("DAC_READ_SEARCH", 2),
    ("FOWNER", 3),
    ("FSETID", 4),
    ("KILL", 5),
    ("SETGID", 6),
    ("SETUID", 7),
    ("SETPCAP", 8),
    ("LINUX_IMMUTABLE", 9),
    ("NET_BIND_SERVICE", 10),
    ("NET_BROADCAST", 11),
    ("NET_ADMIN", 12),
    ("NET_RAW", 13),
    ("IPC_LOCK", 14),
    ("IPC_OWNER", 15),
    ("SYS_MODULE", 16),
    ("SYS_RAWIO", 17),
    ("SYS_CHROOT", 18),
    ("SYS_PTRACE", 19),
    ("SYS_PACCT", 20),
    ("SYS_ADMIN", 21),
    ("SYS_BOOT", 22),
    ("SYS_NICE", 23),
    ("SYS_RESOURCE", 24),
    ("SYS_TIME", 25),
    ("SYS_TTY_CONFIG", 26),
    ("MKNOD", 27),
    ("LEASE", 28),
    ("AUDIT_WRITE", 29),
    ("AUDIT_CONTROL", 30),
    ("SETFCAP", 31),
    ("MAC_OVERRIDE", 32),
    ("MAC_ADMIN", 33),
    ("SYSLOG", 34),
    ("WAKE_ALARM", 35),
    ("BLOCK_SUSPEND", 36),
    ("AUDIT_READ", 37),
    ("PERFMON", 38),
    ("BPF", 39),
    ("CHECKPOINT_RESTORE", 40),
];

/// The capabilities a container has unless it adds or drops some: the
/// default set of containerd and CRI-O, what Kubernetes users get.
pub const DEFAULT_CAPABILITIES: &[&str] = &[
    "CHOWN",
    "DAC_OVERRIDE",
    "FSETID",
    "FOWNER",
    "MKNOD",
    "NET_RAW",
    "SETGID",
    "SETUID",
    "SETFCAP",
    "SETPCAP",
    "NET_BIND_SERVICE",
    "SYS_CHROOT",
    "KILL",
    "AUDIT_WRITE",
];

/// The bit of a capability name (`NET_ADMIN` or `CAP_NET_ADMIN`).
pub fn capability_bit(name: &str) -> Option<u64> {
    let upper = name.to_ascii_uppercase();
    let bare = upper.strip_prefix("CAP_").unwrap_or(&upper);
    CAPABILITIES
        .iter()
        .find(|(n, _)| *n == bare)
        .map(|(_, bit)| 1u64 << bit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capability_names_map_to_bits() {
        assert_eq!(capability_bit("CHOWN"), Some(1));
        assert_eq!(capability_bit("cap_net_admin"), Some(1 << 12));
        assert_eq!(capability_bit("SYS_ADMIN"), Some(1 << 21));
        assert_eq!(capability_bit("NOPE"), None);
        for name in DEFAULT_CAPABILITIES {
            assert!(capability_bit(name).is_some(), "{name}");
        }
    }
}
