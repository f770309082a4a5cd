//! The copy of the containers' lines on podinit's own stdout and stderr,
//! which must never block PID 1.
//!
//! `docker logs` and a serial console show what podinit prints; a reader that
//! stops reading (a terminal on Ctrl-S, a full pipe to a dead log shipper)
//! must not stop the pod. So every write is non-blocking, each descriptor
//! has a bounded queue, and what does not fit is skipped, counted and said
//! once room is back: the CRI log files ([`super::cri`]) keep everything.
//! How each descriptor is written without blocking depends on what it is
//! (see [`Console::new`]). podinit's own messages (the `log` crate) are not
//! this module's.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt};
use std::time::Duration;

use nix::sys::socket::{MsgFlags, send};

use super::Stream;
use crate::sys::{self, PollFd};

/// The most bytes queued per descriptor; a line that does not fit is
/// skipped.
const QUEUE_MAX: usize = 256 * 1024;

/// After skipping, lines are taken again once the queue is down to this.
/// (Resuming as soon as one line fits would interleave the gap notice with
/// lines that fit by chance.)
const RESUME_AT: usize = QUEUE_MAX / 2;

/// What a blocking descriptor is given after `poll(2)` says it is writable:
/// POLLOUT on a pipe promises one free page, and a write of at most
/// PIPE_BUF bytes that finds room goes through at once. A terminal says
/// POLLOUT with less room than that and may hold such a write a moment: the
/// price of the fallback, which only a system without `/proc` pays.
const POLLED_CHUNK: usize = libc::PIPE_BUF;

/// The container lines on podinit's stdout and stderr.
#[derive(Debug)]
pub struct Console {
    prefix: bool,
    /// stdout, stderr (indexed by [`Stream::index`]).
    outputs: [Output; 2],
}

#[derive(Debug)]
struct Output {
    target: Target,
    queue: Vec<u8>,
    /// Written up to here.
    offset: usize,
    /// Whole lines skipped since the last notice...
    skipped: u64,
    /// ...and whether the start of one more was.
    skipped_part: bool,
    /// The container whose partial line was the last thing queued: its
    /// next record continues that line on the console.
    open: Option<String>,
}

/// How one descriptor is written without blocking.
#[derive(Debug)]
enum Target {
    /// A new open file description of a pipe, FIFO or terminal, with
    /// `O_NONBLOCK` (the shared one stays as it was).
    NonBlocking(File),
    /// A socket: `send(2)` with `MSG_DONTWAIT | MSG_NOSIGNAL`.
    Socket(OwnedFd),
    /// A regular file, block device or `/dev/null`: written directly, as
    /// these do not wait for a reader.
    Direct(File),
    /// A blocking descriptor that could not be reopened: only written when
    /// `poll(2)` says it is writable, [`POLLED_CHUNK`] bytes at a time.
    Polled(File),
    /// Closed, or failed for good (EPIPE): lines are dropped.
    Gone,
}

impl Console {
    /// Over podinit's fd 1 and 2 (see [`Self::over`]). `prefix`: each line
    /// reads `[container] text`.
    pub fn new(prefix: bool) -> Self {
        Self::over(prefix, io::stdout().as_fd(), io::stderr().as_fd())
    }

    /// Over two descriptors, for stdout and stderr, each written by its
    /// kind: for a pipe, FIFO, terminal or other character device, a new
    /// open file description of `/proc/self/fd/N` with
    /// `O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC` (the shared
    /// description stays blocking for the others using it, the shell's
    /// terminal for one; `O_NOCTTY` because PID 1 leads a session and would
    /// otherwise take the terminal as its controlling one); for a socket
    /// `send(2)` with `MSG_DONTWAIT | MSG_NOSIGNAL`; a regular file, block
    /// device or `/dev/null` directly. If reopening fails (no `/proc`, a
    /// FIFO without reader) the descriptor is written only when `poll(2)`
    /// with a zero timeout says it is writable. A closed descriptor drops
    /// its lines.
    pub fn over(prefix: bool, stdout: BorrowedFd<'_>, stderr: BorrowedFd<'_>) -> Self {
        Self {
            prefix,
            outputs: [
                Output::new(Target::of(stdout)),
                Output::new(Target::of(stderr)),
            ],
        }
    }

    /// Queues one line (`name` is the container; with prefix the line reads
    /// `[name] text`). A partial record's text is queued without a newline,
    /// and the record that continues it without the prefix, so the console
    /// shows the line whole. The queue per descriptor is bounded (256 KiB);
    /// a line that does not fit is skipped and counted, and so is every
    /// line after it until the queue is half empty.
    pub fn line(&mut self, stream: Stream, name: &str, text: &[u8], partial: bool) {
        let out = &mut self.outputs[stream.index()];
        if matches!(out.target, Target::Gone) {
            return;
        }
        out.resume();
        let continues = out.open.as_deref() == Some(name);
        let breaks = !continues && out.open.is_some();
        let prefix = self.prefix && !continues;
        let len = usize::from(breaks)
            + if prefix { name.len() + 3 } else { 0 }
            + text.len()
            + usize::from(!partial);
        if out.is_skipping() || out.queued() + len > QUEUE_MAX {
            if partial {
                out.skipped_part = true;
            } else {
                out.skipped += 1;
                out.skipped_part = false;
            }
            return;
        }
        out.compact();
        if breaks {
            out.queue.push(b'\n');
        }
        if prefix {
            out.queue.push(b'[');
            out.queue.extend_from_slice(name.as_bytes());
            out.queue.extend_from_slice(b"] ");
        }
        out.queue.extend_from_slice(text);
        if partial {
            if !continues {
                out.open = Some(name.to_owned());
            }
        } else {
            out.queue.push(b'\n');
            out.open = None;
        }
    }

    /// Writes what the descriptors take now, without blocking; when lines
    /// were skipped and room is back, first writes one line `podinit:
    /// skipped N line(s) of console output; the log files have them` to that
    /// descriptor.
    pub fn flush(&mut self) {
        for out in &mut self.outputs {
            out.flush();
        }
    }

    /// Descriptors to poll for POLLOUT (only while something is queued), for
    /// podinit's poll loop.
    pub fn poll_fds(&self) -> Vec<BorrowedFd<'_>> {
        self.outputs
            .iter()
            .filter(|out| out.queued() > 0 || out.is_skipping())
            .filter_map(|out| out.target.fd())
            .collect()
    }

    /// Bytes queued for `stream`'s descriptor.
    pub fn queued(&self, stream: Stream) -> usize {
        self.outputs[stream.index()].queued()
    }
}

impl Output {
    fn new(target: Target) -> Self {
        Self {
            target,
            queue: Vec::new(),
            offset: 0,
            skipped: 0,
            skipped_part: false,
            open: None,
        }
    }

    fn queued(&self) -> usize {
        self.queue.len() - self.offset
    }

    fn is_skipping(&self) -> bool {
        self.skipped > 0 || self.skipped_part
    }

    /// After a skip, once the queue is down to [`RESUME_AT`]: queues the
    /// notice (on a line of its own) and takes lines again.
    fn resume(&mut self) {
        if !self.is_skipping() || self.queued() > RESUME_AT {
            return;
        }
        let lines = self.skipped + u64::from(self.skipped_part);
        self.skipped = 0;
        self.skipped_part = false;
        self.compact();
        if self.open.take().is_some() {
            self.queue.push(b'\n');
        }
        let notice = format!(
            "podinit: skipped {lines} line(s) of console output; the log files have them\n"
        );
        self.queue.extend_from_slice(notice.as_bytes());
    }

    /// Drops the written part when it is all of the queue or most of it
    /// (at most one move of half the queue per half a queue written).
    fn compact(&mut self) {
        if self.offset == self.queue.len() {
            self.queue.clear();
            self.offset = 0;
        } else if self.offset * 2 >= self.queue.len() {
            self.queue.drain(..self.offset);
            self.offset = 0;
        }
    }

    fn flush(&mut self) {
        loop {
            self.resume();
            if self.queued() == 0 {
                self.queue.clear();
                self.offset = 0;
                return;
            }
            match self.target.write(&self.queue[self.offset..]) {
                Ok(0) => return,
                Ok(n) => self.offset += n,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => return,
                Err(_) => {
                    // EPIPE, EIO...: nobody will read this descriptor again
                    // and no one is there to tell. The log files have it all.
                    self.target = Target::Gone;
                    self.queue = Vec::new();
                    self.offset = 0;
                    self.skipped = 0;
                    self.skipped_part = false;
                    return;
                }
            }
        }
    }
}

impl Target {
    /// How to write `fd` without blocking (see [`Console::over`]).
    fn of(fd: BorrowedFd<'_>) -> Self {
        // A descriptor of podinit's own (close-on-exec), so the caller's fd
        // may be closed or replaced without this one writing elsewhere.
        let Ok(own) = fd.try_clone_to_owned() else {
            return Self::Gone;
        };
        let file = File::from(own);
        let Ok(meta) = file.metadata() else {
            return Self::Gone;
        };
        let kind = meta.file_type();
        if kind.is_socket() {
            return Self::Socket(file.into());
        }
        let dev_null = kind.is_char_device() && meta.rdev() == libc::makedev(1, 3);
        if kind.is_file() || kind.is_block_device() || dev_null {
            return Self::Direct(file);
        }
        let proc_path = format!("/proc/self/fd/{}", file.as_raw_fd());
        match OpenOptions::new()
            .write(true)
            .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
            .open(proc_path)
        {
            Ok(reopened) => Self::NonBlocking(reopened),
            Err(_) => Self::Polled(file),
        }
    }

    fn fd(&self) -> Option<BorrowedFd<'_>> {
        match self {
            Self::NonBlocking(file) | Self::Direct(file) | Self::Polled(file) => Some(file.as_fd()),
            Self::Socket(fd) => Some(fd.as_fd()),
            Self::Gone => None,
        }
    }

    /// One write of what the descriptor takes now; `WouldBlock` when it
    /// takes nothing.
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        match self {
            Self::NonBlocking(file) | Self::Direct(file) => file.write(bytes),
            Self::Socket(fd) => send(
                fd.as_raw_fd(),
                bytes,
                MsgFlags::MSG_DONTWAIT | MsgFlags::MSG_NOSIGNAL,
            )
            .map_err(io::Error::from),
            Self::Polled(file) => {
                let mut fds = [PollFd::writable(file.as_fd())];
                if sys::poll(&mut fds, Some(Duration::ZERO))? == 0 || !fds[0].is_ready() {
                    return Err(io::ErrorKind::WouldBlock.into());
                }
                file.write(&bytes[..bytes.len().min(POLLED_CHUNK)])
            }
            Self::Gone => Ok(bytes.len()),
        }
    }
}
