//! The containers' stdout and stderr: one pipe each per container
//! instance, read by the loop into the instance's CRI log file and copied
//! to podinit's own stdout and stderr.
//!
//! Back-pressure: a pipe is read only while its file has nothing pending.
//! When the file cannot be written (a full disk), what was read stays
//! pending, the pipe is left alone (the container blocks once the pipe is
//! full, nothing is lost) and the write is tried again a second later.
//! The console copy never blocks (see [`crate::logs::console`]).
//!
//! A pipe is read to its end even after its container is reported ended:
//! the last lines are still in it. At the pod's end, [`Outputs::drain`]
//! reads what is left before podinit exits.

use std::os::fd::{AsFd, OwnedFd};
use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use crate::logs::console::Console;
use crate::logs::cri::CriFile;
use crate::logs::{Limits, Stream};
use crate::pod::Id;
use crate::sys::{self, PollFd};

/// How long a file that could not be written waits before the next try.
const RETRY: Duration = Duration::from_secs(1);
/// Bytes read per read(2).
const CHUNK: usize = 64 * 1024;
/// Reads per pipe per wake-up, so that one flooding container does not
/// starve the others (and the loop's other work).
const READS_PER_TURN: usize = 16;

/// Which pipe a polled descriptor is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Owner {
    Pipe {
        id: Id,
        instance: u32,
        stream: Stream,
    },
    Console,
}

/// One container instance's output.
#[derive(Debug)]
struct Output {
    id: Id,
    instance: u32,
    name: String,
    /// Read ends, non-blocking; `None` once at their end.
    stdout: Option<OwnedFd>,
    stderr: Option<OwnedFd>,
    file: CriFile,
    /// The file could not be written: the next try.
    retry_at: Option<Instant>,
}

impl Output {
    fn pipe(&self, stream: Stream) -> Option<&OwnedFd> {
        match stream {
            Stream::Stdout => self.stdout.as_ref(),
            Stream::Stderr => self.stderr.as_ref(),
        }
    }

    fn close(&mut self, stream: Stream) {
        match stream {
            Stream::Stdout => self.stdout = None,
            Stream::Stderr => self.stderr = None,
        }
    }

    fn done(&self) -> bool {
        self.stdout.is_none() && self.stderr.is_none() && self.file.pending() == 0
    }
}

/// Every instance's output, and the console.
#[derive(Debug)]
pub(super) struct Outputs {
    list: Vec<Output>,
    console: Console,
    limits: Limits,
    buf: Vec<u8>,
}

/// The write ends a new instance gets as stdout and stderr.
#[derive(Debug)]
pub(super) struct Pipes {
    pub stdout: OwnedFd,
    pub stderr: OwnedFd,
}

impl Outputs {
    pub(super) fn new(prefix: bool, limits: Limits) -> Self {
        Self {
            list: Vec::new(),
            console: Console::new(prefix),
            limits,
            buf: vec![0; CHUNK],
        }
    }

    /// Opens instance `instance` (restart `restart`) of container `id`'s
    /// log file in `dir`, and its pipes.
    pub(super) fn open(
        &mut self,
        id: Id,
        instance: u32,
        name: &str,
        dir: &Path,
        restart: u32,
    ) -> Result<Pipes, String> {
        let file = CriFile::open(dir, restart, self.limits).map_err(|e| crate::exit::report(&e))?;
        let pipe = || -> Result<(OwnedFd, OwnedFd), String> {
            let (read, write) = sys::pipe_cloexec()
                .map_err(|e| format!("cannot make its log pipe: {}", sys::strerror(&e)))?;
            sys::set_nonblocking(read.as_fd())
                .map_err(|e| format!("cannot make its log pipe: {}", sys::strerror(&e)))?;
            Ok((read, write))
        };
        let (out_read, out_write) = pipe()?;
        let (err_read, err_write) = pipe()?;
        self.list.push(Output {
            id,
            instance,
            name: name.to_owned(),
            stdout: Some(out_read),
            stderr: Some(err_read),
            file,
            retry_at: None,
        });
        Ok(Pipes {
            stdout: out_write,
            stderr: err_write,
        })
    }

    /// The instance did not start after all: its output goes.
    pub(super) fn abandon(&mut self, id: Id, instance: u32) {
        self.list
            .retain(|o| !(o.id == id && o.instance == instance) || o.file.pending() > 0);
    }

    /// The descriptors to poll: pipes whose file keeps up, and the console
    /// while it has something queued.
    pub(super) fn poll_fds(&self, fds: &mut Vec<PollFd>, owners: &mut Vec<Owner>) {
        for output in &self.list {
            if output.file.pending() > 0 {
                continue;
            }
            for stream in [Stream::Stdout, Stream::Stderr] {
                if let Some(pipe) = output.pipe(stream) {
                    fds.push(PollFd::readable(pipe.as_fd()));
                    owners.push(Owner::Pipe {
                        id: output.id,
                        instance: output.instance,
                        stream,
                    });
                }
            }
        }
        for fd in self.console.poll_fds() {
            fds.push(PollFd::writable(fd));
            owners.push(Owner::Console);
        }
    }

    /// A polled descriptor is ready.
    pub(super) fn ready(&mut self, owner: Owner, now: Instant) {
        match owner {
            Owner::Console => self.console.flush(),
            Owner::Pipe {
                id,
                instance,
                stream,
            } => {
                if let Some(index) = self
                    .list
                    .iter()
                    .position(|o| o.id == id && o.instance == instance)
                {
                    self.read(index, stream, READS_PER_TURN, now);
                }
                self.list.retain(|o| !o.done());
            }
        }
    }

    /// Reads up to `reads` chunks of one pipe into its file.
    fn read(&mut self, index: usize, stream: Stream, reads: usize, now: Instant) {
        let Self {
            list, console, buf, ..
        } = self;
        let Some(output) = list.get_mut(index) else {
            return;
        };
        for _ in 0..reads {
            if output.file.pending() > 0 {
                break;
            }
            let Some(pipe) = output.pipe(stream) else {
                break;
            };
            let wall = SystemTime::now();
            let name = output.name.as_str();
            let mut on_line = |s: Stream, text: &[u8], partial: bool| {
                console.line(s, name, text, partial);
            };
            match sys::read(pipe.as_fd(), buf) {
                Ok(0) => {
                    output.file.finish(stream, wall, &mut on_line);
                    output.close(stream);
                }
                Ok(n) => {
                    let bytes = buf.get(..n).unwrap_or_default();
                    output.file.push(stream, bytes, wall, &mut on_line);
                }
                Err(err) if err.kind() == std::io::ErrorKind::WouldBlock => break,
                Err(err) if err.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(err) => {
                    log::warn!(
                        "container {}: cannot read its {}: {}",
                        output.name,
                        stream.as_str(),
                        sys::strerror(&err)
                    );
                    output.file.finish(stream, wall, &mut on_line);
                    output.close(stream);
                }
            }
            Self::write(output, now);
        }
        console.flush();
    }

    /// Writes what is pending; on an error, says so (once per streak) and
    /// waits.
    fn write(output: &mut Output, now: Instant) {
        match output.file.flush() {
            Ok(()) => {
                if output.retry_at.take().is_some() {
                    log::info!(
                        "container {}: its log file {} is written again",
                        output.name,
                        output.file.path().display()
                    );
                }
            }
            Err(err) => {
                if output.retry_at.is_none() {
                    log::warn!(
                        "container {}: {}: its output is held (the container waits) and retried every {}s",
                        output.name,
                        crate::exit::report(&err),
                        RETRY.as_secs()
                    );
                }
                output.retry_at = Some(now + RETRY);
            }
        }
    }

    /// When a file that could not be written is to be tried again.
    pub(super) fn next_deadline(&self) -> Option<Instant> {
        self.list.iter().filter_map(|o| o.retry_at).min()
    }

    /// Tries the files whose time has come.
    pub(super) fn retry(&mut self, now: Instant) {
        for output in &mut self.list {
            if output.retry_at.is_some_and(|at| at <= now) {
                Self::write(output, now);
            }
        }
        self.list.retain(|o| !o.done());
    }

    /// At the pod's end: everything still in the pipes to the files (the
    /// writers are gone, so every pipe ends), and as much to the console
    /// as it takes without blocking.
    pub(super) fn drain(&mut self, now: Instant) {
        for index in 0..self.list.len() {
            for stream in [Stream::Stdout, Stream::Stderr] {
                // A pipe holds at most 1 MiB by default; more reads than
                // that end the loop anyway at EAGAIN.
                self.read(index, stream, usize::MAX, now);
            }
        }
        for output in &mut self.list {
            if output.file.pending() > 0 {
                if let Err(err) = output.file.flush() {
                    log::error!(
                        "container {}: {}: {} bytes of its output are lost",
                        output.name,
                        crate::exit::report(&err),
                        output.file.pending()
                    );
                }
            }
        }
        self.list.retain(|o| !o.done());
        self.console.flush();
    }

    /// The last `lines` lines (at most `bytes` bytes) the instance wrote,
    /// for a termination message `FallbackToLogsOnError`: read from its
    /// file, after what its pipes still hold.
    pub(super) fn tail(
        &mut self,
        id: Id,
        instance: u32,
        lines: usize,
        bytes: usize,
        now: Instant,
    ) -> Option<String> {
        let index = self
            .list
            .iter()
            .position(|o| o.id == id && o.instance == instance)?;
        let path = self.list.get(index)?.file.path().to_path_buf();
        for stream in [Stream::Stdout, Stream::Stderr] {
            self.read(index, stream, READS_PER_TURN, now);
        }
        let options = crate::logs::read::Options {
            timestamps: false,
            tail: Some(lines),
            since: None,
        };
        let mut text = Vec::new();
        crate::logs::read::print(&[path], &options, &mut text).ok()?;
        let cut = text.len().saturating_sub(bytes);
        Some(String::from_utf8_lossy(text.get(cut..).unwrap_or_default()).into_owned())
    }
}
