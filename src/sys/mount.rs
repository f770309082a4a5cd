//! Mounts and namespaces: mount(2), umount2(2), pivot_root(2), unshare(2),
//! sethostname(2), and a fork into new namespaces (clone(2)).
//!
//! Each function takes C strings built by the caller, so that the same
//! calls serve the parent and a child between `fork` and `execve` (where
//! nothing may allocate: they are plain syscalls, async-signal-safe).

use std::ffi::{CStr, CString, c_int, c_ulong};
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use super::{Pid, cvt};

pub use libc::{
    CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWUTS, MNT_DETACH, MS_BIND,
    MS_MOVE, MS_NODEV, MS_NOEXEC, MS_NOSUID, MS_PRIVATE, MS_RDONLY, MS_REC, MS_REMOUNT, MS_SLAVE,
};

/// A path as a C string; `EINVAL` when it holds a NUL byte.
pub fn cpath(path: &Path) -> io::Result<CString> {
    CString::new(path.as_os_str().as_bytes())
        .map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))
}

/// A C string from text; `EINVAL` when it holds a NUL byte.
pub fn ctext(text: &str) -> io::Result<CString> {
    CString::new(text).map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))
}

/// mount(2). `source`, `fstype` and `data` may be absent.
pub fn mount(
    source: Option<&CStr>,
    target: &CStr,
    fstype: Option<&CStr>,
    flags: c_ulong,
    data: Option<&CStr>,
) -> io::Result<()> {
    let ptr = |s: Option<&CStr>| s.map_or(std::ptr::null(), CStr::as_ptr);
    // SAFETY: every pointer is null or a NUL-terminated string that lives
    // through the call.
    cvt(unsafe {
        libc::mount(
            ptr(source),
            target.as_ptr(),
            ptr(fstype),
            flags,
            data.map_or(std::ptr::null(), |d| d.as_ptr().cast()),
        )
    })
    .map(drop)
}

/// umount2(2).
pub fn umount(target: &CStr, flags: c_int) -> io::Result<()> {
    // SAFETY: target is a NUL-terminated string.
    cvt(unsafe { libc::umount2(target.as_ptr(), flags) }).map(drop)
}

/// pivot_root(2): `new_root` becomes `/`, the old root is moved to `put_old`.
pub fn pivot_root(new_root: &CStr, put_old: &CStr) -> io::Result<()> {
    // SAFETY: the raw syscall with two NUL-terminated strings.
    let ret = unsafe { libc::syscall(libc::SYS_pivot_root, new_root.as_ptr(), put_old.as_ptr()) };
    cvt(c_int::try_from(ret).unwrap_or(-1)).map(drop)
}

/// unshare(2) of the namespaces in `flags`.
pub fn unshare(flags: c_int) -> io::Result<()> {
    // SAFETY: unshare takes flags only.
    cvt(unsafe { libc::unshare(flags) }).map(drop)
}

/// setns(2): join the namespace `fd` refers to. For a PID namespace this
/// changes only where this process's next children go: podinit forks a
/// probe into a container's namespace, then comes back to its own.
pub fn setns(fd: BorrowedFd<'_>, nstype: c_int) -> io::Result<()> {
    // SAFETY: setns takes a descriptor and flags.
    cvt(unsafe { libc::setns(fd.as_raw_fd(), nstype) }).map(drop)
}

/// sethostname(2).
pub fn sethostname(name: &str) -> io::Result<()> {
    // SAFETY: the pointer and length describe `name`'s bytes.
    cvt(unsafe { libc::sethostname(name.as_ptr().cast(), name.len()) }).map(drop)
}

/// chdir(2).
pub fn chdir(path: &CStr) -> io::Result<()> {
    // SAFETY: path is a NUL-terminated string.
    cvt(unsafe { libc::chdir(path.as_ptr()) }).map(drop)
}

/// chroot(2).
pub fn chroot(path: &CStr) -> io::Result<()> {
    // SAFETY: path is a NUL-terminated string.
    cvt(unsafe { libc::chroot(path.as_ptr()) }).map(drop)
}

/// mkdir(2), one level; `EEXIST` is success.
pub fn mkdir(path: &CStr, mode: libc::mode_t) -> io::Result<()> {
    // SAFETY: path is a NUL-terminated string.
    match cvt(unsafe { libc::mkdir(path.as_ptr(), mode) }) {
        Err(err) if err.raw_os_error() == Some(libc::EEXIST) => Ok(()),
        other => other.map(drop),
    }
}

/// Creates an empty file (a mount point for a file bind mount) if nothing
/// is there.
pub fn touch(path: &CStr, mode: libc::mode_t) -> io::Result<()> {
    // SAFETY: path is a NUL-terminated string; the descriptor is closed
    // right away.
    let fd = cvt(unsafe {
        libc::open(
            path.as_ptr(),
            libc::O_CREAT | libc::O_WRONLY | libc::O_CLOEXEC,
            mode as c_int,
        )
    })?;
    // SAFETY: fd was just opened by this call.
    unsafe { libc::close(fd) };
    Ok(())
}

/// symlink(2) `link` -> `target`; `EEXIST` is success.
pub fn symlink(target: &CStr, link: &CStr) -> io::Result<()> {
    // SAFETY: both are NUL-terminated strings.
    match cvt(unsafe { libc::symlink(target.as_ptr(), link.as_ptr()) }) {
        Err(err) if err.raw_os_error() == Some(libc::EEXIST) => Ok(()),
        other => other.map(drop),
    }
}

/// Forks a child in new namespaces (`clone(2)` with `flags` and SIGCHLD as
/// its exit signal, no new stack: fork semantics). `Ok(None)` in the
/// child. With `CLONE_NEWPID` the child is PID 1 of a new PID namespace.
///
/// A raw clone skips libc's fork handlers; podinit is single-threaded, so
/// no lock can be held across it.
pub fn fork_into(flags: c_int) -> io::Result<Option<Pid>> {
    // SAFETY: clone without CLONE_VM and a null stack behaves as fork: the
    // child gets a copy of the address space and returns 0 here.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_clone,
            (flags | libc::SIGCHLD) as c_ulong,
            std::ptr::null_mut::<libc::c_void>(),
            std::ptr::null_mut::<c_int>(),
            std::ptr::null_mut::<c_int>(),
            0 as c_ulong,
        )
    };
    match ret {
        -1 => Err(io::Error::last_os_error()),
        0 => Ok(None),
        pid => Ok(Some(Pid::try_from(pid).unwrap_or(-1))),
    }
}

/// Whether a path is a mount point of its own (its device differs from its
/// parent's, or it is `/`).
pub fn is_mount_point(path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    match path.parent().and_then(|p| std::fs::metadata(p).ok()) {
        Some(parent) => parent.dev() != meta.dev() || parent.ino() == meta.ino(),
        None => true,
    }
}
