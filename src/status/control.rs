//! The control socket: `podinit status|describe|logs|exec|stop` talk to
//! the running pod through `STATE/POD/podinit.sock`, one JSON line per
//! request and per answer.
//!
//! It lives in PID 1's loop, so nothing here may block or grow without
//! bound: the socket and every client are non-blocking; a client has one
//! request at a time (the next is not read until the answer is out), a
//! request of at most [`MAX_REQUEST`] bytes that must arrive within
//! [`IDLE`], an answer of at most [`MAX_ANSWER`] bytes that must be taken
//! within [`IDLE`]; at most [`MAX_CLIENTS`] at once. A client that breaks
//! a rule is dropped. Only root and podinit's own user may connect (the
//! socket is 0600, and SO_PEERCRED is checked too, for a socket reached
//! through a descriptor passed on).

use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::sys::socket;
use crate::sys::{self, PollFd};

/// The socket's file name in the pod's directory.
pub const SOCKET: &str = "podinit.sock";
/// Clients served at once.
pub const MAX_CLIENTS: usize = 32;
/// The longest request line.
pub const MAX_REQUEST: usize = 64 * 1024;
/// The longest answer line.
pub const MAX_ANSWER: usize = 8 * 1024 * 1024;
/// How long a client may take to send its request, or to take an answer.
pub const IDLE: Duration = Duration::from_secs(10);

/// What a client asks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum Request {
    /// The pod with its status, and the events.
    Status,
    /// Stop the pod, with this grace (seconds) instead of its own.
    Stop {
        #[serde(default)]
        grace: Option<f64>,
    },
    /// Where a container's log files are.
    Logs {
        container: String,
        #[serde(default)]
        previous: bool,
    },
    /// Run `command` in the container, with the descriptors that come
    /// with the request as stdin, stdout and stderr (stdin `/dev/null`
    /// without `stdin`); `tty`: they are a terminal, made the command's
    /// controlling one.
    Exec {
        container: String,
        command: Vec<String>,
        #[serde(default)]
        stdin: bool,
        #[serde(default)]
        tty: bool,
        /// With `tty`: the user's window, rows and columns.
        #[serde(default)]
        size: Option<(u16, u16)>,
    },
}

/// The answer to [`Request::Logs`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogsAnswer {
    /// `LOGDIR/NS_POD_UID/CONTAINER`.
    pub dir: PathBuf,
    /// The instance's restart number (its files are `RESTART.log*`).
    pub restart: u32,
    /// That instance is still running (a follower keeps following).
    pub running: bool,
}

/// A client, by the order it came.
pub type ClientId = u64;

/// A request with where it came from.
#[derive(Debug)]
pub struct Incoming {
    pub client: ClientId,
    pub request: Result<Request, String>,
    /// Descriptors that came with it.
    pub fds: Vec<OwnedFd>,
}

#[derive(Debug)]
struct Client {
    id: ClientId,
    fd: OwnedFd,
    input: Vec<u8>,
    fds: Vec<OwnedFd>,
    output: Vec<u8>,
    written: usize,
    /// Descriptors to go with the first byte of `output`.
    out_fds: Vec<OwnedFd>,
    /// `output` is an interim answer (an exec's terminal): once it is out,
    /// the request is still being handled.
    interim: bool,
    /// A request is being handled: no reading until its answer is out.
    busy: bool,
    /// Close once the answer is out.
    last: bool,
    /// Dropped if still waiting on the client then.
    deadline: Option<Instant>,
}

/// The listening socket and its clients.
#[derive(Debug)]
pub struct Server {
    listener: OwnedFd,
    path: PathBuf,
    clients: Vec<Client>,
    next_id: ClientId,
    uid: u32,
    /// Requests read, for the driver to take.
    incoming: Vec<Incoming>,
}

/// Why the socket could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    #[error("{path}: another podinit serves this pod")]
    InUse { path: PathBuf },
    #[error("cannot create the control socket {path}")]
    Create {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// Where the control socket of the pod in `pod_dir` is.
pub fn socket_path(pod_dir: &Path) -> PathBuf {
    pod_dir.join(SOCKET)
}

impl Server {
    /// Listens at `pod_dir/podinit.sock`. A socket file left by a podinit
    /// that crashed (nothing answers on it) is replaced; one that answers
    /// belongs to a live podinit, and is an error.
    pub fn bind(pod_dir: &Path) -> Result<Self, ControlError> {
        let path = socket_path(pod_dir);
        if std::fs::symlink_metadata(&path).is_ok() {
            if socket::connect(&path).is_ok() {
                return Err(ControlError::InUse { path });
            }
            let _ = std::fs::remove_file(&path);
        }
        let listener = socket::listen(&path).map_err(|source| ControlError::Create {
            path: path.clone(),
            source,
        })?;
        Ok(Self {
            listener,
            path,
            clients: Vec::new(),
            next_id: 1,
            uid: nix::unistd::geteuid().as_raw(),
            incoming: Vec::new(),
        })
    }

    /// The descriptors to poll, appended to `fds`: the listener, then each
    /// client that has something to read or to write.
    pub fn poll_fds(&self, fds: &mut Vec<PollFd>, owners: &mut Vec<Option<ClientId>>) {
        if self.clients.len() < MAX_CLIENTS {
            fds.push(PollFd::readable(self.listener.as_fd()));
            owners.push(None);
        }
        for client in &self.clients {
            if client.written < client.output.len() {
                fds.push(PollFd::writable(client.fd.as_fd()));
                owners.push(Some(client.id));
            } else if !client.busy {
                fds.push(PollFd::readable(client.fd.as_fd()));
                owners.push(Some(client.id));
            }
        }
    }

    /// A descriptor of `owner` is ready.
    pub fn ready(&mut self, owner: Option<ClientId>, now: Instant) {
        match owner {
            None => self.accept(now),
            Some(id) => {
                let Some(index) = self.clients.iter().position(|c| c.id == id) else {
                    return;
                };
                let keep = match self.clients.get_mut(index) {
                    // A request sent along with the previous one is taken
                    // once that one is answered.
                    Some(client) if client.written < client.output.len() => {
                        let keep = client.write(now);
                        if keep && !client.busy {
                            client.take_request(&mut self.incoming);
                        }
                        keep
                    }
                    Some(client) => client.read(&mut self.incoming, now),
                    None => true,
                };
                if !keep {
                    self.clients.remove(index);
                }
            }
        }
    }

    fn accept(&mut self, now: Instant) {
        while self.clients.len() < MAX_CLIENTS {
            let fd = match socket::accept(self.listener.as_fd()) {
                Ok(Some(fd)) => fd,
                Ok(None) => return,
                Err(err) => {
                    log::warn!("control socket {}: accept: {err}", self.path.display());
                    return;
                }
            };
            let id = self.next_id;
            self.next_id += 1;
            let mut client = Client {
                id,
                fd,
                input: Vec::new(),
                fds: Vec::new(),
                output: Vec::new(),
                written: 0,
                out_fds: Vec::new(),
                interim: false,
                busy: false,
                last: false,
                deadline: Some(now + IDLE),
            };
            match socket::peer(client.fd.as_fd()) {
                Ok((uid, _)) if uid == 0 || uid == self.uid => {}
                Ok((uid, pid)) => {
                    log::warn!(
                        "control socket: refused pid {pid} of uid {uid} (only root and uid {} may ask)",
                        self.uid
                    );
                    client.answer_error("permission denied: only root may control the pod", now);
                    client.last = true;
                    client.busy = true;
                }
                Err(err) => {
                    log::warn!("control socket: cannot check a client: {err}");
                    continue;
                }
            }
            self.clients.push(client);
        }
    }

    /// The requests read since the last call.
    pub fn take(&mut self) -> Vec<Incoming> {
        std::mem::take(&mut self.incoming)
    }

    /// Answers `client`'s request with `value`; with `last` the
    /// connection closes once it is out. The client may read its next
    /// request after that.
    pub fn answer<T: Serialize>(&mut self, client: ClientId, value: &T, last: bool, now: Instant) {
        let Some(c) = self.clients.iter_mut().find(|c| c.id == client) else {
            return;
        };
        let mut line = serde_json::to_vec(value).unwrap_or_default();
        if line.len() > MAX_ANSWER {
            line = serde_json::to_vec(&serde_json::json!({
                "error": format!("the answer is over {MAX_ANSWER} bytes")
            }))
            .unwrap_or_default();
        }
        line.push(b'\n');
        c.output = line;
        c.written = 0;
        c.last |= last;
        c.busy = true;
        c.deadline = Some(now + IDLE);
        if !c.write(now) {
            self.clients.retain(|c| c.id != client);
        } else if !c.busy {
            c.take_request(&mut self.incoming);
        }
    }

    /// An interim answer with descriptors attached (`podinit exec -t`: the
    /// terminal's master side). The request is still being handled
    /// afterwards: its last answer comes later, the client is not dropped
    /// for waiting meanwhile.
    pub fn answer_with_fds<T: Serialize>(
        &mut self,
        client: ClientId,
        value: &T,
        fds: Vec<OwnedFd>,
        now: Instant,
    ) {
        let Some(c) = self.clients.iter_mut().find(|c| c.id == client) else {
            return;
        };
        let mut line = serde_json::to_vec(value).unwrap_or_default();
        line.push(b'\n');
        c.output = line;
        c.written = 0;
        c.out_fds = fds;
        c.interim = true;
        c.busy = true;
        c.deadline = Some(now + IDLE);
        if !c.write(now) {
            self.clients.retain(|c| c.id != client);
        }
    }

    /// Answers with an error message.
    pub fn error(&mut self, client: ClientId, message: &str, now: Instant) {
        self.answer(client, &serde_json::json!({ "error": message }), false, now);
    }

    /// A request is handled but its answer comes later (an exec's exit):
    /// the client is not dropped for waiting meanwhile.
    pub fn hold(&mut self, client: ClientId) {
        if let Some(c) = self.clients.iter_mut().find(|c| c.id == client) {
            c.busy = true;
            c.deadline = None;
        }
    }

    /// When a client's time runs out next.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.clients.iter().filter_map(|c| c.deadline).min()
    }

    /// Drops the clients whose time is out.
    pub fn expire(&mut self, now: Instant) {
        self.clients.retain(|c| {
            let late = c.deadline.is_some_and(|d| d <= now);
            if late {
                log::debug!("control socket: dropped client {} (too slow)", c.id);
            }
            !late
        });
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

impl Client {
    /// Reads what is there; a whole line is a request. False: drop it.
    fn read(&mut self, incoming: &mut Vec<Incoming>, now: Instant) -> bool {
        let mut buf = [0u8; 4096];
        loop {
            let (n, fds) = match socket::recv_with_fds(self.fd.as_fd(), &mut buf) {
                Ok(read) => read,
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => return true,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => return false,
            };
            if n == 0 {
                return false;
            }
            self.fds.extend(fds);
            self.fds.truncate(socket::MAX_FDS);
            self.input
                .extend_from_slice(buf.get(..n).unwrap_or_default());
            if self.take_request(incoming) {
                return true;
            }
            if self.input.len() > MAX_REQUEST {
                log::debug!(
                    "control socket: dropped client {}: request too long",
                    self.id
                );
                return false;
            }
            if self.deadline.is_none() {
                self.deadline = Some(now + IDLE);
            }
        }
    }

    /// A whole line in the input is the next request: handed over, and
    /// nothing more is read until it is answered.
    fn take_request(&mut self, incoming: &mut Vec<Incoming>) -> bool {
        let Some(end) = self.input.iter().position(|&b| b == b'\n') else {
            return false;
        };
        let line: Vec<u8> = self.input.drain(..=end).collect();
        let request = serde_json::from_slice::<Request>(line.get(..end).unwrap_or_default())
            .map_err(|e| format!("not a request: {e}"));
        incoming.push(Incoming {
            client: self.id,
            request,
            fds: std::mem::take(&mut self.fds),
        });
        self.busy = true;
        self.deadline = None;
        true
    }

    /// Writes what the socket takes. False: drop it.
    fn write(&mut self, now: Instant) -> bool {
        while self.written < self.output.len() {
            let rest = self.output.get(self.written..).unwrap_or_default();
            let sent = if self.out_fds.is_empty() {
                socket::send_some(self.fd.as_fd(), rest)
            } else {
                let fds: Vec<_> = self.out_fds.iter().map(AsFd::as_fd).collect();
                socket::send_some_with_fds(self.fd.as_fd(), rest, &fds)
            };
            match sent {
                Ok(0) => return true,
                Ok(n) => {
                    self.written += n;
                    self.out_fds.clear();
                }
                Err(_) => return false,
            }
        }
        self.output = Vec::new();
        self.written = 0;
        if self.last {
            return false;
        }
        if self.interim {
            self.interim = false;
            self.deadline = None;
            return true;
        }
        self.busy = false;
        self.deadline = Some(now + IDLE);
        true
    }

    fn answer_error(&mut self, message: &str, now: Instant) {
        let mut line =
            serde_json::to_vec(&serde_json::json!({ "error": message })).unwrap_or_default();
        line.push(b'\n');
        self.output = line;
        self.deadline = Some(now + IDLE);
    }
}

/// The CLI's side: sends `request` with `fds` attached (blocking).
pub fn send(
    path: &Path,
    request: &Request,
    fds: &[std::os::fd::BorrowedFd<'_>],
) -> io::Result<OwnedFd> {
    let fd = socket::connect(path)?;
    let mut line = serde_json::to_vec(request).map_err(io::Error::other)?;
    line.push(b'\n');
    socket::send_with_fds(fd.as_fd(), &line, fds)?;
    Ok(fd)
}

/// The CLI's side: one request, one answer (blocking); an answer that is
/// an error is an `Err` with its message.
pub fn ask(
    path: &Path,
    request: &Request,
    fds: &[std::os::fd::BorrowedFd<'_>],
) -> io::Result<(OwnedFd, serde_json::Value)> {
    let fd = send(path, request, fds)?;
    let answer = read_answer_raw(fd.as_fd())?;
    if let Some(error) = answer.get("error").and_then(|e| e.as_str()) {
        return Err(io::Error::other(error.to_owned()));
    }
    Ok((fd, answer))
}

/// Reads one answer line from `fd` (blocking), with the descriptors that
/// came with it: the interim answer of `podinit exec -t`. The kernel ends a
/// read at the message that carries descriptors, so the answer after it
/// (the exit code) is left for [`read_answer_raw`].
pub fn read_answer_with_fds(
    fd: std::os::fd::BorrowedFd<'_>,
) -> io::Result<(serde_json::Value, Vec<OwnedFd>)> {
    let mut fds = Vec::new();
    let value = read_line(|buf| {
        let mut poll = [sys::PollFd::readable(fd)];
        sys::poll(&mut poll, None)?;
        let (n, more) = socket::recv_with_fds(fd, buf)?;
        fds.extend(more);
        Ok(n)
    })?;
    Ok((value, fds))
}

/// Reads one answer line from `fd` (blocking). The server sends one line
/// per request and reads no other until it is out, so nothing follows it.
pub fn read_answer_raw(fd: std::os::fd::BorrowedFd<'_>) -> io::Result<serde_json::Value> {
    read_line(|buf| {
        loop {
            match sys::read(fd, buf) {
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                other => return other,
            }
        }
    })
}

/// One JSON line, from chunks `read` gives (0: the connection closed).
fn read_line(
    mut read: impl FnMut(&mut [u8]) -> io::Result<usize>,
) -> io::Result<serde_json::Value> {
    let mut line = Vec::new();
    let mut buf = [0u8; 65536];
    loop {
        let n = read(&mut buf)?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "podinit closed the connection",
            ));
        }
        let chunk = buf.get(..n).unwrap_or_default();
        if let Some(end) = chunk.iter().position(|&b| b == b'\n') {
            line.extend_from_slice(chunk.get(..end).unwrap_or_default());
            break;
        }
        line.extend_from_slice(chunk);
        if line.len() > MAX_ANSWER {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "answer too long",
            ));
        }
    }
    serde_json::from_slice(&line).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}
