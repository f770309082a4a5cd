//! The filesystems a machine's init mounts before anything runs, and what
//! it unmounts on the way out.
//!
//! Each mount is skipped when its target is already a mount point (a root
//! filesystem whose initramfs mounted some of them, or a kernel that
//! mounted devtmpfs itself); a failure is reported and the boot goes on,
//! since a pod can often run without, say, cgroup2.

use std::ffi::CString;
use std::path::Path;

use crate::sys::mount::{self, MS_NODEV, MS_NOEXEC, MS_NOSUID};
use crate::sys::strerror;

/// One early mount: `fstype` on `target` with `flags` and `data`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Early {
    pub target: &'static str,
    pub fstype: &'static str,
    pub flags: libc::c_ulong,
    pub data: &'static str,
}

const fn early(
    target: &'static str,
    fstype: &'static str,
    flags: libc::c_ulong,
    data: &'static str,
) -> Early {
    Early {
        target,
        fstype,
        flags,
        data,
    }
}

/// `/proc`, first: the rest of the boot reads it.
pub const PROC: Early = early("/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "");

/// `/dev`, second: the console is in it.
pub const DEV: Early = early("/dev", "devtmpfs", MS_NOSUID, "mode=0755");

/// The rest, in order (a target's parent before it).
pub const REST: &[Early] = &[
    early("/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, ""),
    early(
        "/dev/pts",
        "devpts",
        MS_NOSUID | MS_NOEXEC,
        "mode=0620,ptmxmode=0666,gid=5",
    ),
    early("/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777"),
    early("/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755"),
    early("/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777"),
    early(
        "/sys/fs/cgroup",
        "cgroup2",
        MS_NOSUID | MS_NODEV | MS_NOEXEC,
        "",
    ),
];

/// The links every `/dev` has that devtmpfs does not make: `(link,
/// target)`. `/dev/ptmx` goes to the devpts just mounted.
pub const LINKS: &[(&str, &str)] = &[
    ("/dev/ptmx", "pts/ptmx"),
    ("/dev/fd", "/proc/self/fd"),
    ("/dev/stdin", "/proc/self/fd/0"),
    ("/dev/stdout", "/proc/self/fd/1"),
    ("/dev/stderr", "/proc/self/fd/2"),
];

/// What happened to one early mount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Done {
    Mounted,
    /// Its target was a mount point already.
    Skipped,
    /// The message says what failed and why.
    Failed(String),
}

/// Mounts one early filesystem, making its directory first.
pub fn apply(what: &Early) -> Done {
    let target = Path::new(what.target);
    if mount::is_mount_point(target) {
        return Done::Skipped;
    }
    let Ok(ctarget) = mount::cpath(target) else {
        return Done::Failed(format!("{}: not a path", what.target));
    };
    if let Err(err) = mount::mkdir(&ctarget, 0o755)
        && err.raw_os_error() != Some(libc::EEXIST)
    {
        return Done::Failed(format!("cannot make {}: {}", what.target, strerror(&err)));
    }
    let fstype = CString::new(what.fstype).unwrap_or_default();
    let data = CString::new(what.data).unwrap_or_default();
    let data = (!what.data.is_empty()).then_some(data.as_c_str());
    match mount::mount(Some(&fstype), &ctarget, Some(&fstype), what.flags, data) {
        Ok(()) => Done::Mounted,
        Err(err) => Done::Failed(format!(
            "cannot mount {} on {}: {}",
            what.fstype,
            what.target,
            strerror(&err)
        )),
    }
}

/// Makes the links of [`LINKS`] that are missing; a failure is a message.
pub fn links() -> Vec<String> {
    let mut problems = Vec::new();
    for (link, target) in LINKS {
        if std::fs::symlink_metadata(link).is_ok() {
            continue;
        }
        if let Err(err) = std::os::unix::fs::symlink(target, link) {
            problems.push(format!(
                "cannot link {link} to {target}: {}",
                strerror(&err)
            ));
        }
    }
    problems
}

/// The mount points of a `/proc/self/mountinfo`, in its order (the order
/// they were mounted in), octal escapes (`\040` for a space) decoded.
pub fn mount_points(mountinfo: &str) -> Vec<String> {
    mountinfo
        .lines()
        .filter_map(|line| line.split(' ').nth(4))
        .map(unescape)
        .collect()
}

/// mountinfo's `\NNN` octal escapes back to bytes.
fn unescape(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let octal = bytes
            .get(i + 1..i + 4)
            .filter(|d| bytes[i] == b'\\' && d.iter().all(|b| (b'0'..=b'7').contains(b)));
        match octal {
            Some(digits) => {
                let value = digits
                    .iter()
                    .fold(0u32, |acc, d| acc * 8 + u32::from(d - b'0'));
                out.push(u8::try_from(value).unwrap_or(b'?'));
                i += 4;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Unmounts everything but `/`, last mounted first; what is busy is
/// detached instead. Then `/` is made read-only, so that a disk root is
/// clean. Returns what failed, one message each.
pub fn unmount_all() -> Vec<String> {
    let Ok(mountinfo) = std::fs::read_to_string("/proc/self/mountinfo") else {
        return vec!["cannot read /proc/self/mountinfo: nothing unmounted".to_owned()];
    };
    let mut problems = Vec::new();
    for point in mount_points(&mountinfo).iter().rev() {
        if point == "/" {
            continue;
        }
        let Ok(target) = mount::ctext(point) else {
            continue;
        };
        if let Err(err) = mount::umount(&target, 0) {
            let detached = mount::umount(&target, mount::MNT_DETACH);
            // Gone already (under an earlier one) is fine.
            if detached.is_err() && err.raw_os_error() != Some(libc::ENOENT) {
                problems.push(format!("cannot unmount {point}: {}", strerror(&err)));
            }
        }
    }
    let remount = mount::mount(None, c"/", None, mount::MS_REMOUNT | mount::MS_RDONLY, None);
    if let Err(err) = remount
        && !matches!(err.raw_os_error(), Some(libc::EINVAL | libc::EBUSY))
    {
        problems.push(format!("cannot make / read-only: {}", strerror(&err)));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mount_points_in_mount_order() {
        let mountinfo = "\
1 1 0:2 / / rw - rootfs rootfs rw
20 1 0:5 / /dev rw,nosuid - devtmpfs devtmpfs rw
21 1 0:20 / /proc rw - proc proc rw
22 1 0:21 / /a\\040b rw - tmpfs tmpfs rw
23 1 0:22 / /c\\134d rw - tmpfs tmpfs rw
";
        assert_eq!(
            mount_points(mountinfo),
            ["/", "/dev", "/proc", "/a b", "/c\\d"]
        );
        assert_eq!(unescape("\\0"), "\\0");
        assert_eq!(unescape("x\\"), "x\\");
        assert_eq!(unescape("\\011tab"), "\ttab");
    }

    #[test]
    fn every_target_comes_after_its_parent() {
        let all: Vec<&str> = [PROC, DEV].iter().chain(REST).map(|e| e.target).collect();
        for (i, target) in all.iter().enumerate() {
            for (j, other) in all.iter().enumerate() {
                if target.starts_with(&format!("{other}/")) {
                    assert!(j < i, "{target} is mounted before {other}");
                }
            }
        }
        for (link, _) in LINKS {
            assert!(link.starts_with("/dev/"), "{link}");
        }
    }
}
