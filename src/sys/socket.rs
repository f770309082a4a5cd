//! Unix stream sockets for the control socket: listen and accept without
//! blocking, the peer's credentials (SO_PEERCRED), messages that carry
//! descriptors (SCM_RIGHTS, for `podinit exec`'s stdin, stdout and
//! stderr). Safe wrappers over nix; the callers never see a raw socket
//! call.

use std::io::{self, IoSlice, IoSliceMut};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::path::{Path, PathBuf};

use nix::sys::socket::{
    self, AddressFamily, Backlog, ControlMessage, ControlMessageOwned, MsgFlags, SockFlag,
    SockType, UnixAddr, sockopt,
};

/// The most descriptors one message may carry.
pub const MAX_FDS: usize = 3;

fn io_err(err: nix::Error) -> io::Error {
    io::Error::from_raw_os_error(err as i32)
}

/// A path `bind`/`connect` can take: `sun_path` holds 107 bytes, a pod's
/// directory may be longer. Then the path goes through the directory's
/// descriptor (`/proc/self/fd/N/NAME`), which must stay open meanwhile.
fn short_path(path: &Path) -> io::Result<(PathBuf, Option<std::fs::File>)> {
    if path.as_os_str().len() < 100 {
        return Ok((path.to_path_buf(), None));
    }
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return Err(io::Error::from_raw_os_error(libc::ENAMETOOLONG));
    };
    let dir = std::fs::File::open(dir)?;
    let short = PathBuf::from(format!("/proc/self/fd/{}", dir.as_raw_fd())).join(name);
    Ok((short, Some(dir)))
}

/// A listening socket at `path`, non-blocking and close-on-exec, mode 0600
/// (set before `listen`, so no one connects through a wider mode).
pub fn listen(path: &Path) -> io::Result<OwnedFd> {
    let fd = socket::socket(
        AddressFamily::Unix,
        SockType::Stream,
        SockFlag::SOCK_NONBLOCK | SockFlag::SOCK_CLOEXEC,
        None,
    )
    .map_err(io_err)?;
    let (short, _dir) = short_path(path)?;
    let addr = UnixAddr::new(&short).map_err(io_err)?;
    socket::bind(fd.as_raw_fd(), &addr).map_err(io_err)?;
    std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    let backlog = Backlog::new(16).map_err(io_err)?;
    socket::listen(&fd, backlog).map_err(io_err)?;
    Ok(fd)
}

/// A blocking connection to the socket at `path` (the CLI's side).
pub fn connect(path: &Path) -> io::Result<OwnedFd> {
    let fd = socket::socket(
        AddressFamily::Unix,
        SockType::Stream,
        SockFlag::SOCK_CLOEXEC,
        None,
    )
    .map_err(io_err)?;
    let (short, _dir) = short_path(path)?;
    let addr = UnixAddr::new(&short).map_err(io_err)?;
    socket::connect(fd.as_raw_fd(), &addr).map_err(io_err)?;
    Ok(fd)
}

/// A waiting connection, non-blocking and close-on-exec; `None` when there
/// is none.
pub fn accept(listener: BorrowedFd<'_>) -> io::Result<Option<OwnedFd>> {
    match socket::accept4(
        listener.as_raw_fd(),
        SockFlag::SOCK_NONBLOCK | SockFlag::SOCK_CLOEXEC,
    ) {
        // SAFETY: accept4 returned a new descriptor that nothing else owns.
        Ok(fd) => Ok(Some(unsafe { OwnedFd::from_raw_fd(fd) })),
        Err(nix::Error::EAGAIN | nix::Error::ECONNABORTED | nix::Error::EINTR) => Ok(None),
        Err(err) => Err(io_err(err)),
    }
}

/// The uid and pid of the process at the other end (SO_PEERCRED: as it
/// was when it connected).
pub fn peer(fd: BorrowedFd<'_>) -> io::Result<(u32, i32)> {
    let cred = socket::getsockopt(&fd, sockopt::PeerCredentials).map_err(io_err)?;
    Ok((cred.uid(), cred.pid()))
}

/// Reads what is there into `buf`, with the descriptors that came along
/// (at most [`MAX_FDS`]; more are closed). `Ok((0, _))` is the end.
pub fn recv_with_fds(fd: BorrowedFd<'_>, buf: &mut [u8]) -> io::Result<(usize, Vec<OwnedFd>)> {
    let mut iov = [IoSliceMut::new(buf)];
    let mut space = nix::cmsg_space!([RawFd; MAX_FDS]);
    let msg = socket::recvmsg::<()>(
        fd.as_raw_fd(),
        &mut iov,
        Some(&mut space),
        MsgFlags::MSG_CMSG_CLOEXEC | MsgFlags::MSG_DONTWAIT,
    )
    .map_err(io_err)?;
    let mut fds = Vec::new();
    if let Ok(cmsgs) = msg.cmsgs() {
        for cmsg in cmsgs {
            if let ControlMessageOwned::ScmRights(raw) = cmsg {
                for one in raw {
                    // SAFETY: the kernel installed these descriptors for
                    // this process with this message; nothing else owns them.
                    fds.push(unsafe { OwnedFd::from_raw_fd(one) });
                }
            }
        }
    }
    fds.truncate(MAX_FDS);
    Ok((msg.bytes, fds))
}

/// Sends what the socket takes now, without blocking and without SIGPIPE.
pub fn send_some(fd: BorrowedFd<'_>, bytes: &[u8]) -> io::Result<usize> {
    match socket::send(
        fd.as_raw_fd(),
        bytes,
        MsgFlags::MSG_DONTWAIT | MsgFlags::MSG_NOSIGNAL,
    ) {
        Ok(n) => Ok(n),
        Err(nix::Error::EAGAIN) => Ok(0),
        Err(err) => Err(io_err(err)),
    }
}

/// Sends what the socket takes now of `bytes`, with `fds` attached to the
/// first byte, without blocking and without SIGPIPE. `Ok(0)`: nothing was
/// sent, the descriptors neither.
pub fn send_some_with_fds(
    fd: BorrowedFd<'_>,
    bytes: &[u8],
    fds: &[BorrowedFd<'_>],
) -> io::Result<usize> {
    let raw: Vec<RawFd> = fds.iter().map(AsRawFd::as_raw_fd).collect();
    let cmsg = [ControlMessage::ScmRights(&raw)];
    let iov = [IoSlice::new(bytes)];
    match socket::sendmsg::<()>(
        fd.as_raw_fd(),
        &iov,
        if raw.is_empty() { &[] } else { &cmsg },
        MsgFlags::MSG_DONTWAIT | MsgFlags::MSG_NOSIGNAL,
        None,
    ) {
        Ok(n) => Ok(n),
        Err(nix::Error::EAGAIN) => Ok(0),
        Err(err) => Err(io_err(err)),
    }
}

/// Sends `bytes` with `fds` attached (blocking; the CLI's side).
pub fn send_with_fds(fd: BorrowedFd<'_>, bytes: &[u8], fds: &[BorrowedFd<'_>]) -> io::Result<()> {
    let raw: Vec<RawFd> = fds.iter().map(AsRawFd::as_raw_fd).collect();
    let cmsg = [ControlMessage::ScmRights(&raw)];
    let iov = [IoSlice::new(bytes)];
    let sent = socket::sendmsg::<()>(
        fd.as_fd().as_raw_fd(),
        &iov,
        if raw.is_empty() { &[] } else { &cmsg },
        MsgFlags::MSG_NOSIGNAL,
        None,
    )
    .map_err(io_err)?;
    if sent < bytes.len() {
        let rest = bytes.get(sent..).unwrap_or_default();
        crate::sys::write_all(fd, rest)?;
    }
    Ok(())
}
