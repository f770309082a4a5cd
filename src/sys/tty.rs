//! Terminals for `podinit exec -t`: a pseudo-terminal pair, raw mode on
//! the user's terminal (restored on drop), the window size.

use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, OwnedFd};

use nix::sys::termios::{self, SetArg, Termios};

/// A new pseudo-terminal: (master, slave), close-on-exec.
pub fn open_pty() -> io::Result<(OwnedFd, OwnedFd)> {
    let pair = nix::pty::openpty(None, None).map_err(|e| io::Error::from_raw_os_error(e as i32))?;
    for fd in [&pair.master, &pair.slave] {
        nix::fcntl::fcntl(
            fd,
            nix::fcntl::FcntlArg::F_SETFD(nix::fcntl::FdFlag::FD_CLOEXEC),
        )
        .map_err(|e| io::Error::from_raw_os_error(e as i32))?;
    }
    Ok((pair.master, pair.slave))
}

/// A new pseudo-terminal from the devpts instance whose multiplexer is
/// `ptmx` (a container's `/proc/PID/root/dev/pts/ptmx`): (master, slave),
/// close-on-exec. The slave is opened from the master (TIOCGPTPEER, Linux
/// 4.13), not by a path podinit would resolve in its own mounts, so the
/// command finds its terminal under the container's `/dev/pts`.
pub fn open_pty_at(ptmx: &std::ffi::CStr) -> io::Result<(OwnedFd, OwnedFd)> {
    use std::os::fd::FromRawFd;
    let flags = libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC;
    // SAFETY: open takes a NUL-terminated path; the descriptor is owned by
    // `master` from here on.
    let fd = unsafe { libc::open(ptmx.as_ptr(), flags) };
    if fd == -1 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `fd` was just opened and is owned by nothing else.
    let master = unsafe { OwnedFd::from_raw_fd(fd) };
    let unlock: libc::c_int = 0;
    // SAFETY: TIOCSPTLCK reads one int from a pointer that lives through
    // the call.
    if unsafe { libc::ioctl(master.as_raw_fd(), libc::TIOCSPTLCK, &unlock) } == -1 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: TIOCGPTPEER takes open flags as an integer and returns a new
    // descriptor, owned by `slave` from here on.
    let peer = unsafe { libc::ioctl(master.as_raw_fd(), libc::TIOCGPTPEER, flags) };
    if peer == -1 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: the ioctl just made `peer`; nothing else owns it.
    let slave = unsafe { OwnedFd::from_raw_fd(peer) };
    Ok((master, slave))
}

/// Sets the window size of terminal `fd` (rows, columns).
pub fn set_window_size(fd: BorrowedFd<'_>, rows: u16, cols: u16) {
    let size = libc::winsize {
        ws_row: rows,
        ws_col: cols,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: TIOCSWINSZ reads one winsize from `size`, which lives through
    // the call.
    unsafe { libc::ioctl(fd.as_raw_fd(), libc::TIOCSWINSZ, &size) };
}

/// The window size of terminal `fd` (rows, columns), if it is one.
pub fn window_size(fd: BorrowedFd<'_>) -> Option<(u16, u16)> {
    let mut size = libc::winsize {
        ws_row: 0,
        ws_col: 0,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: TIOCGWINSZ writes one winsize into `size`, which lives
    // through the call.
    (unsafe { libc::ioctl(fd.as_raw_fd(), libc::TIOCGWINSZ, &mut size) } == 0)
        .then_some((size.ws_row, size.ws_col))
}

/// The user's terminal in raw mode until this is dropped.
#[derive(Debug)]
pub struct RawMode<'a> {
    fd: BorrowedFd<'a>,
    saved: Termios,
}

impl<'a> RawMode<'a> {
    /// Raw mode on `fd`, if it is a terminal.
    pub fn enter(fd: BorrowedFd<'a>) -> Option<Self> {
        let saved = termios::tcgetattr(fd).ok()?;
        let mut raw = saved.clone();
        termios::cfmakeraw(&mut raw);
        termios::tcsetattr(fd, SetArg::TCSANOW, &raw).ok()?;
        Some(Self { fd, saved })
    }
}

impl Drop for RawMode<'_> {
    fn drop(&mut self) {
        let _ = termios::tcsetattr(self.fd, SetArg::TCSANOW, &self.saved);
    }
}
