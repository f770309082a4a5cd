//! The thin layer over raw syscalls that the rest of podinit calls.
//!
//! Every `unsafe` block of the crate lives under this module (the post-fork
//! child path included, in [`spawn`]); the rest of the code sees safe
//! functions that return `io::Result` with the errno intact. The module knows
//! nothing of pods or of tini: it wraps one syscall or one libc idiom per
//! function and says which man page it follows.

pub mod boot;
pub mod mount;
pub mod net;
pub mod signal;
pub mod socket;
pub mod spawn;
pub mod steps;
pub mod tty;

use std::ffi::{CStr, OsString, c_char, c_int};
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStringExt;
use std::time::Duration;

pub use signal::Signal;

/// A process id as the kernel gives it (`pid_t`), in podinit's own PID
/// namespace.
pub type Pid = libc::pid_t;

/// How a child ended, decoded from a `waitpid(2)` status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// `exit(code)` or a return from `main`.
    Exited(u8),
    /// Killed by a signal; `core` when it dumped core.
    Signaled { signal: Signal, core: bool },
}

impl ExitStatus {
    /// Decodes a raw status; `None` for stops and continues, which podinit
    /// never asks for (no `WUNTRACED`/`WCONTINUED`).
    pub fn from_raw(status: c_int) -> Option<Self> {
        if libc::WIFEXITED(status) {
            Some(Self::Exited(libc::WEXITSTATUS(status) as u8))
        } else if libc::WIFSIGNALED(status) {
            Some(Self::Signaled {
                signal: Signal::from_raw(libc::WTERMSIG(status)),
                core: libc::WCOREDUMP(status),
            })
        } else {
            None
        }
    }

    /// The shell's convention, which tini and the kubelet share: the exit
    /// code, or 128 + N for a death by signal N, modulo 256.
    pub fn code(self) -> u8 {
        match self {
            Self::Exited(code) => code,
            Self::Signaled { signal, .. } => ((128 + signal.as_raw()) % 256) as u8,
        }
    }
}

impl std::fmt::Display for ExitStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Exited(code) => write!(f, "exit code {code}"),
            Self::Signaled { signal, core } => {
                write!(f, "signal {signal}")?;
                if *core {
                    f.write_str(" (core dumped)")?;
                }
                Ok(())
            }
        }
    }
}

fn cvt(ret: c_int) -> io::Result<c_int> {
    if ret == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret)
    }
}

/// `getpid(2)`.
pub fn getpid() -> Pid {
    // SAFETY: getpid has no preconditions and cannot fail.
    unsafe { libc::getpid() }
}

/// Reaps one child that has ended, without blocking: `waitpid(-1, WNOHANG |
/// __WALL)`. `Ok(None)` when children exist but none has ended; an error of
/// kind `ECHILD` when there are no children at all.
///
/// `__WALL` so that children created with `clone(2)` and a non-SIGCHLD exit
/// signal are reaped too (wait(2)).
pub fn reap_one() -> io::Result<Option<(Pid, c_int)>> {
    let mut status: c_int = 0;
    loop {
        // SAFETY: status is a valid, writable c_int.
        let pid = unsafe { libc::waitpid(-1, &mut status, libc::WNOHANG | libc::__WALL) };
        match pid {
            -1 => {
                let err = io::Error::last_os_error();
                if err.raw_os_error() == Some(libc::EINTR) {
                    continue;
                }
                return Err(err);
            }
            0 => return Ok(None),
            pid => return Ok(Some((pid, status))),
        }
    }
}

/// Waits for any child to end, blocking (`waitpid(-1, 0)`, retried on
/// EINTR): `Ok(None)` once there are no children. For a process with
/// nothing else to do (a reaper tearing its namespace down).
pub fn wait_blocking() -> io::Result<Option<Pid>> {
    let mut status: c_int = 0;
    loop {
        // SAFETY: status is a valid, writable c_int.
        let pid = unsafe { libc::waitpid(-1, &mut status, libc::__WALL) };
        if pid != -1 {
            return Ok(Some(pid));
        }
        let err = io::Error::last_os_error();
        match err.raw_os_error() {
            Some(libc::EINTR) => continue,
            Some(libc::ECHILD) => return Ok(None),
            _ => return Err(err),
        }
    }
}

/// Writes all of `bytes` to `fd` (`EINTR` retried, a short write resumed).
pub fn write_all(fd: BorrowedFd<'_>, mut bytes: &[u8]) -> io::Result<()> {
    while !bytes.is_empty() {
        // SAFETY: bytes is valid for reads of its length.
        let n = unsafe { libc::write(fd.as_raw_fd(), bytes.as_ptr().cast(), bytes.len()) };
        if n < 0 {
            let err = io::Error::last_os_error();
            if err.raw_os_error() == Some(libc::EINTR) {
                continue;
            }
            return Err(err);
        }
        bytes = bytes.get(n as usize..).unwrap_or_default();
    }
    Ok(())
}

/// `kill(2)` with a raw target: a pid, `-pgid` for a process group, or `-1`
/// for every process this one may signal.
pub fn kill(target: Pid, signal: Signal) -> io::Result<()> {
    // SAFETY: kill has no memory-safety preconditions.
    cvt(unsafe { libc::kill(target, signal.as_raw()) }).map(drop)
}

/// A pidfd for `pid` (`pidfd_open(2)`, Linux 5.3): a handle that keeps
/// naming that very process even if it exits and its pid is reused.
pub fn pidfd_open(pid: Pid) -> io::Result<OwnedFd> {
    // SAFETY: the raw syscall takes a pid and flags, no pointers.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    let fd = cvt(c_int::try_from(fd).unwrap_or(-1))?;
    // SAFETY: pidfd_open returned a new descriptor that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// Sends `signal` to the process a pidfd names (`pidfd_send_signal(2)`).
pub fn pidfd_send_signal(pidfd: BorrowedFd<'_>, signal: Signal) -> io::Result<()> {
    // SAFETY: the raw syscall with a live descriptor, a signal number, a null
    // siginfo (as kill(2) would fill it) and no flags.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_pidfd_send_signal,
            pidfd.as_raw_fd(),
            signal.as_raw(),
            std::ptr::null::<libc::siginfo_t>(),
            0,
        )
    };
    cvt(c_int::try_from(ret).unwrap_or(-1)).map(drop)
}

/// Registers this process as a child subreaper (`PR_SET_CHILD_SUBREAPER`,
/// prctl(2)): orphaned descendants are re-parented to it rather than to PID 1.
pub fn set_child_subreaper() -> io::Result<()> {
    // SAFETY: PR_SET_CHILD_SUBREAPER takes an integer argument only.
    cvt(unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1 as libc::c_ulong, 0, 0, 0) }).map(drop)
}

/// Whether this process is a child subreaper (`PR_GET_CHILD_SUBREAPER`).
pub fn is_child_subreaper() -> io::Result<bool> {
    let mut flag: c_int = 0;
    // SAFETY: PR_GET_CHILD_SUBREAPER writes one int to the pointer given.
    cvt(unsafe {
        libc::prctl(
            libc::PR_GET_CHILD_SUBREAPER,
            &mut flag as *mut c_int,
            0,
            0,
            0,
        )
    })?;
    Ok(flag != 0)
}

/// Asks the kernel to send `signal` to this process when its parent dies
/// (`PR_SET_PDEATHSIG`, prctl(2)).
pub fn set_parent_death_signal(signal: Signal) -> io::Result<()> {
    // SAFETY: PR_SET_PDEATHSIG takes an integer argument only.
    cvt(unsafe {
        libc::prctl(
            libc::PR_SET_PDEATHSIG,
            signal.as_raw() as libc::c_ulong,
            0,
            0,
            0,
        )
    })
    .map(drop)
}

/// A pipe whose both ends are close-on-exec (`pipe2(O_CLOEXEC)`): (read, write).
pub fn pipe_cloexec() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds: [c_int; 2] = [-1, -1];
    // SAFETY: fds points to two writable ints, as pipe2 requires.
    cvt(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) })?;
    // SAFETY: pipe2 succeeded, so both fds are open and owned by nobody else.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// Sets `O_NONBLOCK` on a file descriptor.
pub fn set_nonblocking(fd: BorrowedFd<'_>) -> io::Result<()> {
    // SAFETY: F_GETFL/F_SETFL on a descriptor we borrow; no pointers.
    unsafe {
        let flags = cvt(libc::fcntl(fd.as_raw_fd(), libc::F_GETFL))?;
        cvt(libc::fcntl(
            fd.as_raw_fd(),
            libc::F_SETFL,
            flags | libc::O_NONBLOCK,
        ))?;
    }
    Ok(())
}

/// `read(2)` into `buf`; `EINTR` retried.
pub fn read(fd: BorrowedFd<'_>, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        // SAFETY: buf is valid for writes of buf.len() bytes.
        let n = unsafe { libc::read(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
        if n >= 0 {
            return Ok(n as usize);
        }
        let err = io::Error::last_os_error();
        if err.raw_os_error() != Some(libc::EINTR) {
            return Err(err);
        }
    }
}

/// Whether `fd` refers to a terminal (`isatty(3)`).
pub fn isatty(fd: RawFd) -> bool {
    // SAFETY: isatty only inspects the descriptor number.
    unsafe { libc::isatty(fd) == 1 }
}

/// close_range(2) of `first..=last` with `flags` (`CLOSE_RANGE_CLOEXEC`:
/// marked, not closed). Async-signal-safe: one raw syscall. Without it
/// (Linux < 5.9) nothing happens.
pub(crate) fn close_range(first: RawFd, last: RawFd, flags: libc::c_uint) {
    if 0 <= first && first <= last {
        // SAFETY: a raw syscall without pointers; callers own no Rust object
        // they will use again among these descriptors.
        unsafe {
            libc::syscall(
                libc::SYS_close_range,
                first as libc::c_uint,
                last as libc::c_uint,
                flags,
            )
        };
    }
}

/// dup2(2) `from` onto `to` (a forked helper setting up its stdio); an
/// error leaves `to` as it was.
pub fn dup_onto(from: RawFd, to: RawFd) {
    if from != to {
        // SAFETY: dup2 takes two descriptor numbers and touches no memory;
        // `to` is closed and replaced atomically.
        unsafe {
            libc::dup2(from, to);
        }
    }
}

/// Closes every descriptor above stderr but `keep` (a forked helper of
/// podinit's, which must not hold podinit's sockets and pipes open).
pub fn close_other_fds(keep: Option<RawFd>) {
    match keep {
        Some(fd) if fd > 2 => {
            close_range(3, fd - 1, 0);
            close_range(fd + 1, RawFd::MAX, 0);
        }
        _ => close_range(3, RawFd::MAX, 0),
    }
}

/// A wake-up at an exact time: a `timerfd` on `CLOCK_MONOTONIC`, the
/// clock of `Instant`. poll(2)'s own timeout is stretched by 0.1 % of its
/// length (the kernel's select_estimate_accuracy): SIGKILL at the end of a
/// 30 s grace period would go out 30 ms late. A timerfd's timer has only
/// the process's timer slack (50 µs).
#[derive(Debug)]
pub struct Timer {
    fd: OwnedFd,
    armed: bool,
}

impl Timer {
    pub fn new() -> io::Result<Self> {
        // SAFETY: timerfd_create takes flags only.
        let fd = cvt(unsafe {
            libc::timerfd_create(
                libc::CLOCK_MONOTONIC,
                libc::TFD_NONBLOCK | libc::TFD_CLOEXEC,
            )
        })?;
        // SAFETY: fd was just created and is owned by nothing else.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        Ok(Self { fd, armed: false })
    }

    /// Fires `after` from now (at least 1 ns), or never (`None`). Arming
    /// again clears an earlier expiry.
    pub fn set(&mut self, after: Option<Duration>) -> io::Result<()> {
        if after.is_none() && !self.armed {
            return Ok(());
        }
        let after = after.map(|d| d.max(Duration::from_nanos(1)));
        let value = after.map_or(
            libc::timespec {
                tv_sec: 0,
                tv_nsec: 0,
            },
            |d| libc::timespec {
                // `as _`: as in `poll`; capped at 68 years.
                tv_sec: d.as_secs().min(i32::MAX as u64) as _,
                tv_nsec: d.subsec_nanos() as libc::c_long,
            },
        );
        let spec = libc::itimerspec {
            it_interval: libc::timespec {
                tv_sec: 0,
                tv_nsec: 0,
            },
            it_value: value,
        };
        // SAFETY: spec is a live itimerspec; the old value is not asked for.
        cvt(unsafe { libc::timerfd_settime(self.fd.as_raw_fd(), 0, &spec, std::ptr::null_mut()) })?;
        self.armed = after.is_some();
        Ok(())
    }

    pub fn as_fd(&self) -> BorrowedFd<'_> {
        std::os::fd::AsFd::as_fd(&self.fd)
    }
}

/// One descriptor for [`poll`], and what came back for it.
#[derive(Debug, Clone, Copy)]
#[repr(transparent)]
pub struct PollFd(libc::pollfd);

impl PollFd {
    /// Watches `fd` for input (or hang-up, or error, which poll always reports).
    pub fn readable(fd: BorrowedFd<'_>) -> Self {
        Self(libc::pollfd {
            fd: fd.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        })
    }

    /// Watches `fd` for room to write (a non-blocking `connect` finishing),
    /// and for hang-up or error.
    pub fn writable(fd: BorrowedFd<'_>) -> Self {
        Self(libc::pollfd {
            fd: fd.as_raw_fd(),
            events: libc::POLLOUT,
            revents: 0,
        })
    }

    /// Whether the last [`poll`] found something to do on this descriptor:
    /// input, end of file or an error (a read then tells which).
    pub fn is_ready(&self) -> bool {
        self.0.revents
            & (libc::POLLIN | libc::POLLOUT | libc::POLLHUP | libc::POLLERR | libc::POLLNVAL)
            != 0
    }
}

/// Waits until one of `fds` is ready or `timeout` has passed (`None`: no
/// timeout), with `ppoll(2)` for nanosecond timeouts. An interruption by a
/// signal (`EINTR`, for instance after SIGSTOP/SIGCONT) counts as a wake-up
/// with nothing ready.
pub fn poll(fds: &mut [PollFd], timeout: Option<Duration>) -> io::Result<usize> {
    let ts = timeout.map(|t| libc::timespec {
        // `as _`: time_t is i64 or i32 by target; a cap at 68 years is harmless.
        tv_sec: t.as_secs().min(i32::MAX as u64) as _,
        tv_nsec: t.subsec_nanos() as libc::c_long,
    });
    let ts_ptr = ts
        .as_ref()
        .map_or(std::ptr::null(), |t| t as *const libc::timespec);
    // SAFETY: PollFd is #[repr(transparent)] over libc::pollfd, the slice is valid for fds.len() entries,
    // ts_ptr is null or points to a live timespec, and a null sigmask keeps
    // the current mask.
    let n = unsafe {
        libc::ppoll(
            fds.as_mut_ptr().cast::<libc::pollfd>(),
            fds.len() as libc::nfds_t,
            ts_ptr,
            std::ptr::null(),
        )
    };
    if n == -1 {
        let err = io::Error::last_os_error();
        if err.raw_os_error() == Some(libc::EINTR) {
            return Ok(0);
        }
        return Err(err);
    }
    Ok(n as usize)
}

/// The text of an errno, as strerror(3) gives it ("No such file or
/// directory"), without the " (os error 2)" that `io::Error` appends.
pub fn strerror(err: &io::Error) -> String {
    let Some(errno) = err.raw_os_error() else {
        return err.to_string();
    };
    let mut buf = [0 as c_char; 128];
    // SAFETY: buf is writable for its length; the XSI strerror_r that the
    // libc crate binds writes a NUL-terminated string into it.
    if unsafe { libc::strerror_r(errno, buf.as_mut_ptr(), buf.len()) } != 0 {
        return err.to_string();
    }
    // SAFETY: strerror_r succeeded, so buf holds a NUL-terminated string.
    unsafe { CStr::from_ptr(buf.as_ptr()) }
        .to_string_lossy()
        .into_owned()
}

/// The arguments a C `main` received, as owned strings.
///
/// # Safety
///
/// `argv` must point to `argc` valid NUL-terminated strings, as the C
/// runtime passes them to `main`.
pub unsafe fn args_from_c(argc: c_int, argv: *const *const c_char) -> Vec<OsString> {
    let count = usize::try_from(argc).unwrap_or(0);
    let mut args = Vec::with_capacity(count);
    for i in 0..count {
        // SAFETY: the caller guarantees argv holds argc valid pointers.
        let ptr = unsafe { *argv.add(i) };
        if ptr.is_null() {
            break;
        }
        // SAFETY: each argv entry is a NUL-terminated string (caller's contract).
        let bytes = unsafe { CStr::from_ptr(ptr) }.to_bytes().to_vec();
        args.push(OsString::from_vec(bytes));
    }
    args
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_status_codes_follow_the_shell_convention() {
        let cases = [
            (ExitStatus::Exited(0), 0),
            (ExitStatus::Exited(255), 255),
            (
                ExitStatus::Signaled {
                    signal: Signal::TERM,
                    core: false,
                },
                143,
            ),
            (
                ExitStatus::Signaled {
                    signal: Signal::KILL,
                    core: false,
                },
                137,
            ),
            (
                ExitStatus::Signaled {
                    signal: Signal::from_raw(64),
                    core: false,
                },
                192,
            ),
        ];
        for (status, code) in cases {
            assert_eq!(status.code(), code, "{status}");
        }
    }

    #[test]
    fn a_timer_wakes_poll_once_per_arming_and_can_be_disarmed() {
        let mut timer = Timer::new().unwrap();
        timer.set(Some(Duration::from_millis(20))).unwrap();
        let start = std::time::Instant::now();
        let mut fds = [PollFd::readable(timer.as_fd())];
        assert_eq!(poll(&mut fds, Some(Duration::from_secs(5))).unwrap(), 1);
        assert!(start.elapsed() >= Duration::from_millis(20));
        // Arming again clears the expiry; disarming stops it.
        timer.set(Some(Duration::from_secs(60))).unwrap();
        let mut fds = [PollFd::readable(timer.as_fd())];
        assert_eq!(poll(&mut fds, Some(Duration::ZERO)).unwrap(), 0);
        timer.set(None).unwrap();
        assert_eq!(poll(&mut fds, Some(Duration::from_millis(10))).unwrap(), 0);
    }

    #[test]
    fn strerror_reads_like_c() {
        assert_eq!(
            strerror(&io::Error::from_raw_os_error(libc::ENOENT)),
            "No such file or directory"
        );
        assert_eq!(strerror(&io::Error::other("plain")), "plain");
    }

    #[test]
    fn raw_wait_statuses_decode() {
        // exit(3): 0x0300; killed by SIGSEGV with core: 0x8b.
        assert_eq!(ExitStatus::from_raw(0x0300), Some(ExitStatus::Exited(3)));
        assert_eq!(
            ExitStatus::from_raw(0x8b),
            Some(ExitStatus::Signaled {
                signal: Signal::from_raw(libc::SIGSEGV),
                core: true
            })
        );
        // stopped by SIGSTOP: 0x137f.
        assert_eq!(ExitStatus::from_raw(0x137f), None);
    }
}
