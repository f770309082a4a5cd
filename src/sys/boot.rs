//! What only the machine's init does: the console as stdin/stdout/stderr
//! and controlling terminal, Ctrl-Alt-Del as a signal, the boot clock,
//! sync(2) and reboot(2).
//!
//! VM mode ([`crate::vm`]) calls these; nothing here knows of pods.

use std::ffi::CStr;
use std::io;
use std::os::fd::{AsRawFd, OwnedFd};
use std::time::Duration;

use super::cvt;

/// What reboot(2) is asked to do at the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PowerAction {
    PowerOff,
    Reboot,
    Halt,
}

impl PowerAction {
    fn cmd(self) -> libc::c_int {
        match self {
            Self::PowerOff => libc::RB_POWER_OFF,
            Self::Reboot => libc::RB_AUTOBOOT,
            Self::Halt => libc::RB_HALT_SYSTEM,
        }
    }
}

/// reboot(2). Returns only on failure: the kernel stops the machine (or, in
/// a PID namespace other than the first, ends its init with SIGINT for a
/// power-off or halt and SIGHUP for a reboot).
pub fn reboot(action: PowerAction) -> io::Error {
    // SAFETY: reboot takes one integer command and touches no memory.
    unsafe { libc::reboot(action.cmd()) };
    io::Error::last_os_error()
}

/// Ctrl-Alt-Del sends SIGINT to init instead of rebooting at once
/// (reboot(2), `LINUX_REBOOT_CMD_CAD_OFF`).
pub fn ctrl_alt_del_to_signal() -> io::Result<()> {
    // SAFETY: reboot takes one integer command and touches no memory.
    cvt(unsafe { libc::reboot(libc::RB_DISABLE_CAD) }).map(drop)
}

/// _exit(2): ends the process at once, without running anything (a child
/// forked by podinit that must not go on).
pub fn exit_now(code: i32) -> ! {
    // SAFETY: _exit takes an integer and does not return.
    unsafe { libc::_exit(code) }
}

/// sync(2): every filesystem's dirty data to its disk.
pub fn sync() {
    // SAFETY: sync takes no arguments and cannot fail.
    unsafe { libc::sync() };
}

/// The time since the kernel started (CLOCK_BOOTTIME, suspend included).
pub fn since_boot() -> Duration {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec into `now`, which lives
    // through the call.
    if unsafe { libc::clock_gettime(libc::CLOCK_BOOTTIME, &mut now) } != 0 {
        return Duration::ZERO;
    }
    Duration::new(
        u64::try_from(now.tv_sec).unwrap_or(0),
        u32::try_from(now.tv_nsec).unwrap_or(0),
    )
}

/// Fills closed descriptors 0, 1 and 2 with `/` opened read-only, so that
/// the next files opened do not land on them. The kernel starts init
/// without them when the initramfs has no `/dev/console`; a descriptor
/// opened later would then become stdout and get podinit's messages.
pub fn hold_standard_fds() {
    for fd in 0..=2 {
        // SAFETY: F_GETFD reads the flags of a descriptor number; no memory.
        if unsafe { libc::fcntl(fd, libc::F_GETFD) } == -1 {
            // SAFETY: open takes a NUL-terminated path; the descriptor it
            // returns is the lowest free one, which is `fd` or below.
            unsafe { libc::open(c"/".as_ptr(), libc::O_RDONLY | libc::O_DIRECTORY) };
        }
    }
}

/// Opens `console` as stdin, stdout and stderr, starts a new session and
/// makes the console its controlling terminal, as an init does: Ctrl-C on
/// the console then reaches podinit as SIGINT.
pub fn attach_console(console: &CStr) -> io::Result<()> {
    // SAFETY: open takes a NUL-terminated path; the descriptor is owned
    // by `file` from here on.
    let fd = cvt(unsafe { libc::open(console.as_ptr(), libc::O_RDWR | libc::O_NOCTTY) })?;
    // SAFETY: `fd` was just opened and is owned by nothing else.
    let file: OwnedFd = unsafe { std::os::fd::FromRawFd::from_raw_fd(fd) };
    for to in 0..=2 {
        if file.as_raw_fd() != to {
            // SAFETY: dup2 takes two descriptor numbers; `to` is replaced
            // atomically.
            cvt(unsafe { libc::dup2(file.as_raw_fd(), to) })?;
        }
    }
    if file.as_raw_fd() <= 2 {
        // One of the three now: it must stay open.
        std::mem::forget(file);
    }
    // Already a session leader is fine (EPERM): the terminal is what
    // matters.
    // SAFETY: setsid takes no arguments.
    unsafe { libc::setsid() };
    // SAFETY: TIOCSCTTY takes an integer argument (1: steal it from another
    // session, which only root may); no memory.
    cvt(unsafe { libc::ioctl(0, libc::TIOCSCTTY, 1 as libc::c_ulong) })?;
    // Ctrl-S on a serial console would stop every write to it, podinit's
    // own log lines included, until Ctrl-Q: no flow control.
    use nix::sys::termios::{self, InputFlags, SetArg};
    // SAFETY: descriptor 0 is the console just put there, open for the
    // life of the process.
    let console = unsafe { std::os::fd::BorrowedFd::borrow_raw(0) };
    if let Ok(mut modes) = termios::tcgetattr(console) {
        modes
            .input_flags
            .remove(InputFlags::IXON | InputFlags::IXOFF);
        let _ = termios::tcsetattr(console, SetArg::TCSANOW, &modes);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// In a forked child (only async-signal-safe calls: the test process
    /// has threads): 0, 1 and 2 closed, as the kernel may start init, are
    /// held, and the next file opened lands above them.
    #[test]
    fn closed_standard_descriptors_are_held() {
        // SAFETY: the child calls only close, fcntl, open and _exit.
        let pid = unsafe { libc::fork() };
        assert!(pid >= 0, "fork failed");
        if pid == 0 {
            // SAFETY: closing descriptor numbers touches no memory.
            unsafe {
                libc::close(0);
                libc::close(1);
                libc::close(2);
            }
            hold_standard_fds();
            // SAFETY: F_GETFD reads a descriptor's flags; open takes a
            // NUL-terminated path.
            let held = (0..=2).all(|fd| unsafe { libc::fcntl(fd, libc::F_GETFD) } != -1);
            // SAFETY: as above.
            let next = unsafe { libc::open(c"/".as_ptr(), libc::O_RDONLY) };
            exit_now(if held && next > 2 { 0 } else { 1 });
        }
        let mut status = 0;
        // SAFETY: status is a writable c_int.
        unsafe { libc::waitpid(pid, &mut status, 0) };
        assert!(libc::WIFEXITED(status), "child status {status:#x}");
        assert_eq!(
            libc::WEXITSTATUS(status),
            0,
            "a standard descriptor stayed closed"
        );
    }

    #[test]
    fn the_boot_clock_runs() {
        let a = since_boot();
        assert!(a > Duration::ZERO);
        assert!(since_boot() >= a);
    }
}
