//! The network side of `httpGet` and `tcpSocket` probes and hooks, as state
//! machines for the one poll loop of PID 1.
//!
//! Nothing here blocks: a check opens a non-blocking socket, says which
//! descriptor to poll and for what ([`HttpGet::interest`]), and moves on
//! when the loop calls `advance`. There is no timer either: the caller
//! enforces the probe's `timeoutSeconds` by dropping the check, which closes
//! its socket. Messages follow the Go errors a kubelet reports
//! (`dial tcp 127.0.0.1:8080: connect: connection refused`), so events read
//! the same under podinit.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};

use nix::errno::Errno;
use nix::sys::socket::{self, AddressFamily, SockFlag, SockType, SockaddrStorage};

use super::http::{self, Progress, Redirect, Response, ResponseParser};

/// The most requests one check makes: Go's client (and the kubelet's
/// redirect policy) stops when a 10th request is answered by yet another
/// redirect.
const MAX_REQUESTS: u8 = 10;

/// The most reads one `advance` makes before handing control back to the
/// poll loop, so a fast server cannot hold PID 1 (64 KiB).
const READS_PER_ADVANCE: usize = 16;

/// Where and what an HTTP check asks.
#[derive(Debug, Clone)]
pub struct Target {
    /// The address to connect to, resolved by the caller.
    pub addr: SocketAddr,
    /// The host as written in the probe (the IP's text when none was), for
    /// the `Host` header, the URL in messages, and telling same-host
    /// redirects from others.
    pub host: String,
    /// The request path (query included); `/` when empty.
    pub path: String,
    /// The user's `httpHeaders`, in order.
    pub headers: Vec<(String, String)>,
    /// `kube-probe/<major>.<minor>` for probes, `kube-lifecycle/...` for
    /// hooks, as the kubelet sends.
    pub user_agent: &'static str,
}

/// How an HTTP check ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpResult {
    /// A response came: its status, at most 10 KiB of body, and, for a
    /// final 3xx (a redirect to another host, which the kubelet does not
    /// follow, or one without `Location`), the kubelet's warning
    /// `Probe terminated redirects, Response body: ...`: the kubelet counts
    /// such a probe as a success with that warning.
    Response {
        /// The status code.
        status: u16,
        /// The body, cut at 10 KiB.
        body: Vec<u8>,
        /// The kubelet's warning for a 3xx response.
        warning: Option<String>,
    },
    /// No usable response (connection refused or reset, malformed reply,
    /// too many redirects, a redirect to https, a body cut short...), with
    /// a message in the style of Go's client errors, such as
    /// `Get "http://127.0.0.1:8080/healthz": dial tcp 127.0.0.1:8080:
    /// connect: connection refused`. The kubelet counts a client error
    /// (message starting `Get "`) as a failed probe with that output, and
    /// an error while reading the body (a bare message, such as
    /// `unexpected EOF in the body`) as a probe error; a hook fails on
    /// either.
    Error(String),
}

/// Where an [`HttpGet`] is.
#[derive(Debug)]
enum State {
    /// Connecting (until `connected`), then writing `req` from `off`.
    Sending {
        sock: TcpStream,
        req: Vec<u8>,
        off: usize,
        connected: bool,
    },
    /// Reading the response.
    Receiving {
        sock: TcpStream,
        parser: ResponseParser,
    },
    /// Finished, the result not yet handed out.
    Ready(HttpResult),
    /// The result was handed out.
    Finished,
}

/// One HTTP `GET` as the kubelet's prober makes it: keep-alives off, the
/// body read up to 10 KiB, redirects followed on the same host only (a new
/// connection each, to the same IP), at most 10 requests in all.
#[derive(Debug)]
pub struct HttpGet {
    target: Target,
    /// Port and path of the current request.
    port: u16,
    path: String,
    /// `host[:port]` of the current URL: the default `Host` header.
    authority: String,
    /// The current URL, for messages and the next request's `Referer`.
    url: String,
    /// Requests made so far (Go's `len(via)`).
    requests: u8,
    /// Whether the user's `Host` header still applies: Go keeps it across
    /// relative redirects only.
    user_host: bool,
    state: State,
}

impl HttpGet {
    /// Starts the check: a non-blocking socket and its `connect`. An error
    /// now (no descriptor left, network unreachable, a header that cannot
    /// be sent) is kept and handed out by the first [`advance`].
    ///
    /// [`advance`]: Self::advance
    pub fn start(target: Target) -> Self {
        let port = target.addr.port();
        let mut get = Self {
            authority: authority(&target.host, Some(port)),
            path: target.path.clone(),
            port,
            url: String::new(),
            requests: 0,
            user_host: true,
            state: State::Finished,
            target,
        };
        get.state = get.connect(None);
        get
    }

    /// The descriptor to poll, and whether the check waits to write
    /// (connecting or sending) rather than to read. `None` when the result
    /// is ready without I/O (call [`advance`]) or was handed out.
    ///
    /// [`advance`]: Self::advance
    pub fn interest(&self) -> Option<(BorrowedFd<'_>, bool)> {
        match &self.state {
            State::Sending { sock, .. } => Some((sock.as_fd(), true)),
            State::Receiving { sock, .. } => Some((sock.as_fd(), false)),
            State::Ready(_) | State::Finished => None,
        }
    }

    /// Does all the non-blocking I/O it can (call it when the descriptor is
    /// ready, or at any time): `Some` once the check has ended, which
    /// happens once; `None` while it waits. A busy server gets at most 64
    /// KiB read per call, so the caller's other work is not starved (the
    /// descriptor stays ready).
    pub fn advance(&mut self) -> Option<HttpResult> {
        loop {
            let (state, wait) = match std::mem::replace(&mut self.state, State::Finished) {
                State::Finished => return None,
                State::Ready(result) => return Some(result),
                State::Sending {
                    sock,
                    req,
                    off,
                    connected,
                } => self.send(sock, req, off, connected),
                State::Receiving { sock, parser } => self.receive(sock, parser),
            };
            self.state = state;
            if wait {
                return None;
            }
        }
    }

    /// The kubelet's message when the timeout passed before the check
    /// ended, for the caller that drops it then.
    pub fn timeout_error(&self) -> String {
        match &self.state {
            State::Receiving { parser, .. } if parser.in_body() => {
                "context deadline exceeded (Client.Timeout or context cancellation while reading body)"
                    .into()
            }
            _ => format!(
                "Get {:?}: context deadline exceeded (Client.Timeout exceeded while awaiting headers)",
                self.url
            ),
        }
    }

    /// Opens the connection for the current port and path; `referer` is
    /// the previous URL after a redirect.
    fn connect(&mut self, referer: Option<String>) -> State {
        self.url = format!("http://{}{}", self.authority, http::target(&self.path));
        self.requests += 1;
        let stripped: Vec<(String, String)>;
        let headers = if self.user_host {
            &self.target.headers
        } else {
            stripped = self
                .target
                .headers
                .iter()
                .filter(|(name, _)| !name.eq_ignore_ascii_case("Host"))
                .cloned()
                .collect();
            &stripped
        };
        let mut req =
            match http::request(&self.authority, &self.path, headers, self.target.user_agent) {
                Ok(req) => req,
                Err(err) => return self.error(&err),
            };
        let has_referer = headers
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case("Referer"));
        if let Some(referer) = referer.filter(|_| !has_referer) {
            // Go's client names the previous URL on a redirected request.
            req.truncate(req.len().saturating_sub(2));
            req.extend_from_slice(format!("Referer: {referer}\r\n\r\n").as_bytes());
        }
        match open(SocketAddr::new(self.target.addr.ip(), self.port)) {
            Ok(sock) => State::Sending {
                sock,
                req,
                off: 0,
                connected: false,
            },
            Err(err) => self.error(&err),
        }
    }

    /// A request error, with Go's `Get "url": ` prefix.
    fn error(&self, err: &str) -> State {
        State::Ready(HttpResult::Error(format!("Get {:?}: {err}", self.url)))
    }

    fn send(
        &mut self,
        sock: TcpStream,
        req: Vec<u8>,
        mut off: usize,
        mut connected: bool,
    ) -> (State, bool) {
        if !connected {
            match is_connected(&sock) {
                Ok(true) => connected = true,
                Ok(false) => {
                    let state = State::Sending {
                        sock,
                        req,
                        off,
                        connected,
                    };
                    return (state, true);
                }
                Err(err) => {
                    let addr = SocketAddr::new(self.target.addr.ip(), self.port);
                    return (self.error(&dial_error(addr, "connect", &err)), false);
                }
            }
        }
        while let Some(rest) = req.get(off..).filter(|rest| !rest.is_empty()) {
            match (&sock).write(rest) {
                Ok(0) => return (self.error(&io_error(&sock, "write", &zero())), false),
                Ok(n) => off += n,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => {
                    let state = State::Sending {
                        sock,
                        req,
                        off,
                        connected,
                    };
                    return (state, true);
                }
                Err(err) => return (self.error(&io_error(&sock, "write", &err)), false),
            }
        }
        let state = State::Receiving {
            sock,
            parser: ResponseParser::new(),
        };
        (state, false)
    }

    fn receive(&mut self, sock: TcpStream, mut parser: ResponseParser) -> (State, bool) {
        let mut chunk = [0u8; 4096];
        for _ in 0..READS_PER_ADVANCE {
            let in_body = parser.in_body();
            let outcome = match (&sock).read(&mut chunk) {
                Ok(0) => parser.eof().map(Progress::Done),
                Ok(n) => parser.feed(chunk.get(..n).unwrap_or_default()),
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => break,
                Err(err) => Err(io_error(&sock, "read", &err)),
            };
            match outcome {
                Ok(Progress::More) => {}
                Ok(Progress::Done(response)) => {
                    drop(sock);
                    return (self.response(response), false);
                }
                // The kubelet reads the body itself and reports its error
                // bare; errors before it come from the client, with the URL.
                Err(err) if in_body => return (State::Ready(HttpResult::Error(err)), false),
                Err(err) if err == "EOF" || err.starts_with("read tcp") => {
                    return (self.error(&err), false);
                }
                Err(err) => {
                    let err = format!("net/http: HTTP/1.x transport connection broken: {err}");
                    return (self.error(&err), false);
                }
            }
        }
        (State::Receiving { sock, parser }, true)
    }

    /// A complete response: follow it if it is a same-host redirect, else
    /// it is the result.
    fn response(&mut self, response: Response) -> State {
        let Response {
            status,
            location,
            body,
        } = response;
        let location = location.filter(|l| !l.is_empty());
        if let (301 | 302 | 303 | 307 | 308, Some(loc)) = (status, location.as_deref()) {
            match http::redirect(loc, &self.target.host, self.port) {
                Redirect::OtherHost(_) => {}
                Redirect::Invalid(err) => return self.error(&err),
                _ if self.requests >= MAX_REQUESTS => {
                    let err = format!("Get {loc:?}: stopped after {MAX_REQUESTS} redirects");
                    return State::Ready(HttpResult::Error(err));
                }
                Redirect::Https => {
                    let err = format!("Get {loc:?}: redirect to https not followed (no TLS)");
                    return State::Ready(HttpResult::Error(err));
                }
                Redirect::SameHost { port, path } => {
                    let relative = !(loc.starts_with("//") || loc.contains("://"));
                    if !relative {
                        self.authority =
                            authority(&self.target.host, Some(port).filter(|&p| p != 80));
                    }
                    self.user_host = relative;
                    self.port = port;
                    self.path = path;
                    let referer = std::mem::take(&mut self.url);
                    return self.connect(Some(referer));
                }
            }
        }
        let warning = (300..400).contains(&status).then(|| {
            format!(
                "Probe terminated redirects, Response body: {}",
                String::from_utf8_lossy(&body)
            )
        });
        State::Ready(HttpResult::Response {
            status,
            body,
            warning,
        })
    }
}

/// A `tcpSocket` check: success once the connection is established, which
/// is closed at once, as the kubelet does.
#[derive(Debug)]
pub struct TcpConnect {
    addr: SocketAddr,
    /// The connecting socket, or the error `start` met; `None` once the
    /// result was handed out.
    state: Option<Result<TcpStream, String>>,
}

impl TcpConnect {
    /// Starts connecting to `addr` without blocking; an immediate error is
    /// handed out by the first [`advance`](Self::advance).
    pub fn start(addr: SocketAddr) -> Self {
        Self {
            addr,
            state: Some(open(addr)),
        }
    }

    /// The descriptor to poll for writing while connecting; `None` when
    /// the result is ready without I/O or was handed out.
    pub fn interest(&self) -> Option<(BorrowedFd<'_>, bool)> {
        match &self.state {
            Some(Ok(sock)) => Some((sock.as_fd(), true)),
            _ => None,
        }
    }

    /// `Some(Ok(()))` once connected (the socket is then closed), or
    /// `Some(Err(..))` with Go's dial error (`dial tcp 127.0.0.1:9:
    /// connect: connection refused`); `None` while connecting and after the
    /// result was handed out.
    pub fn advance(&mut self) -> Option<Result<(), String>> {
        match self.state.take()? {
            Err(err) => Some(Err(err)),
            Ok(sock) => match is_connected(&sock) {
                Ok(true) => Some(Ok(())),
                Ok(false) => {
                    self.state = Some(Ok(sock));
                    None
                }
                Err(err) => Some(Err(dial_error(self.addr, "connect", &err))),
            },
        }
    }

    /// Go's message when the timeout passed while connecting.
    pub fn timeout_error(&self) -> String {
        format!("dial tcp {}: i/o timeout", self.addr)
    }
}

/// A non-blocking, close-on-exec TCP socket connecting to `addr`.
fn open(addr: SocketAddr) -> Result<TcpStream, String> {
    let family = if addr.is_ipv4() {
        AddressFamily::Inet
    } else {
        AddressFamily::Inet6
    };
    let flags = SockFlag::SOCK_NONBLOCK | SockFlag::SOCK_CLOEXEC;
    let fd = socket::socket(family, SockType::Stream, flags, None)
        .map_err(|err| dial_error(addr, "socket", &err.into()))?;
    match socket::connect(fd.as_raw_fd(), &SockaddrStorage::from(addr)) {
        // EINTR: the connection goes on asynchronously, as with EINPROGRESS.
        Ok(()) | Err(Errno::EINPROGRESS | Errno::EINTR) => Ok(TcpStream::from(fd)),
        Err(err) => Err(dial_error(addr, "connect", &err.into())),
    }
}

/// Whether a non-blocking connect has finished: `Ok(false)` while it is in
/// progress, its error (`SO_ERROR`) if it failed.
fn is_connected(sock: &TcpStream) -> io::Result<bool> {
    if let Some(err) = sock.take_error()? {
        return Err(err);
    }
    match sock.peer_addr() {
        Ok(_) => Ok(true),
        Err(err) if err.raw_os_error() == Some(libc::ENOTCONN) => Ok(false),
        Err(err) => Err(err),
    }
}

fn dial_error(addr: SocketAddr, op: &str, err: &io::Error) -> String {
    format!("dial tcp {addr}: {op}: {}", go_error(err))
}

/// Go's `read tcp local->remote: read: ...` for an error on a connection.
fn io_error(sock: &TcpStream, op: &str, err: &io::Error) -> String {
    let end = |addr: io::Result<SocketAddr>| addr.map_or_else(|_| "?".into(), |a| a.to_string());
    format!(
        "{op} tcp {}->{}: {op}: {}",
        end(sock.local_addr()),
        end(sock.peer_addr()),
        go_error(err)
    )
}

fn zero() -> io::Error {
    io::Error::from(io::ErrorKind::WriteZero)
}

/// An errno's text as Go prints it: Go has its own table (glibc's texts,
/// lower-cased), which musl's strerror does not match for the network
/// errors a probe meets.
fn go_error(err: &io::Error) -> String {
    let known = match err.raw_os_error() {
        Some(libc::ECONNREFUSED) => "connection refused",
        Some(libc::ECONNRESET) => "connection reset by peer",
        Some(libc::ETIMEDOUT) => "connection timed out",
        Some(libc::EHOSTUNREACH) => "no route to host",
        Some(libc::ENETUNREACH) => "network is unreachable",
        Some(libc::EPIPE) => "broken pipe",
        Some(libc::EADDRNOTAVAIL) => "cannot assign requested address",
        Some(libc::EMFILE) => "too many open files",
        Some(libc::ECONNABORTED) => "software caused connection abort",
        _ => "",
    };
    if !known.is_empty() {
        return known.into();
    }
    let text = err.to_string();
    let text = text.split(" (os error").next().unwrap_or_default();
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_lowercase().chain(chars).collect()
    })
}

/// `host:port` for a URL or `Host` header (an IPv6 literal in brackets),
/// `host` alone when `port` is `None`.
fn authority(host: &str, port: Option<u16>) -> String {
    let host = if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host.to_string()
    };
    match port {
        Some(port) => format!("{host}:{port}"),
        None => host,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sys::{self, PollFd};
    use std::net::TcpListener;
    use std::thread;
    use std::time::{Duration, Instant};

    /// Runs `get` the way the poll loop would, for at most `limit`.
    fn drive(get: &mut HttpGet, limit: Duration) -> Option<HttpResult> {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(result) = get.advance() {
                return Some(result);
            }
            let now = Instant::now();
            let (fd, write) = get.interest()?;
            if now >= deadline {
                return None;
            }
            let mut fds = [if write {
                PollFd::writable(fd)
            } else {
                PollFd::readable(fd)
            }];
            sys::poll(&mut fds, Some(deadline - now)).unwrap();
        }
    }

    fn target(port: u16, path: &str) -> Target {
        Target {
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            host: "127.0.0.1".into(),
            path: path.into(),
            headers: Vec::new(),
            user_agent: "kube-probe/1.34",
        }
    }

    fn get(target: Target) -> HttpResult {
        drive(&mut HttpGet::start(target), Duration::from_secs(5)).expect("timed out")
    }

    /// Reads one request head from a blocking connection.
    fn read_request(conn: &mut TcpStream) -> String {
        let mut req = Vec::new();
        let mut byte = [0u8; 1];
        while !req.ends_with(b"\r\n\r\n") {
            match conn.read(&mut byte) {
                Ok(1) => req.push(byte[0]),
                _ => break,
            }
        }
        String::from_utf8(req).unwrap()
    }

    /// A server answering one connection per reply, in order (a `{port}`
    /// in a reply becomes the server's port); returns its port and the
    /// requests it read. It gives up on a connection that does not come
    /// within 3 s.
    fn serve(replies: Vec<String>) -> (u16, thread::JoinHandle<Vec<String>>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let handle = thread::spawn(move || {
            let mut requests = Vec::new();
            for reply in replies {
                let deadline = Instant::now() + Duration::from_secs(3);
                let mut conn = loop {
                    match listener.accept() {
                        Ok((conn, _)) => break conn,
                        Err(_) if Instant::now() < deadline => {
                            thread::sleep(Duration::from_millis(5))
                        }
                        Err(_) => return requests,
                    }
                };
                conn.set_nonblocking(false).unwrap();
                requests.push(read_request(&mut conn));
                let _ = conn.write_all(reply.replace("{port}", &port.to_string()).as_bytes());
            }
            requests
        });
        (port, handle)
    }

    fn response(status: u16, body: &str) -> HttpResult {
        HttpResult::Response {
            status,
            body: body.as_bytes().to_vec(),
            warning: None,
        }
    }

    fn closed_port() -> u16 {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    }

    #[test]
    fn ok_200() {
        let (port, server) = serve(vec![
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".into(),
        ]);
        assert_eq!(get(target(port, "/healthz")), response(200, "ok"));
        let requests = server.join().unwrap();
        assert_eq!(
            requests[0],
            format!(
                "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: kube-probe/1.34\r\n\
                 Accept: */*\r\nConnection: close\r\n\r\n"
            )
        );
    }

    #[test]
    fn status_500() {
        let (port, _server) = serve(vec![
            "HTTP/1.0 500 Internal Server Error\r\n\r\nboom".into(),
        ]);
        assert_eq!(get(target(port, "/")), response(500, "boom"));
    }

    #[test]
    fn connection_refused() {
        let port = closed_port();
        let HttpResult::Error(err) = get(target(port, "/healthz")) else {
            panic!("not an error");
        };
        assert_eq!(
            err,
            format!(
                "Get \"http://127.0.0.1:{port}/healthz\": dial tcp 127.0.0.1:{port}: connect: \
                 connection refused"
            )
        );
    }

    #[test]
    fn garbage_reply() {
        let (port, _server) = serve(vec!["hello\r\n\r\n".into()]);
        let HttpResult::Error(err) = get(target(port, "/")) else {
            panic!("not an error");
        };
        assert_eq!(
            err,
            format!(
                "Get \"http://127.0.0.1:{port}/\": net/http: HTTP/1.x transport connection \
                 broken: malformed HTTP response \"hello\""
            )
        );
    }

    #[test]
    fn closed_without_reply() {
        let (port, _server) = serve(vec![String::new()]);
        assert_eq!(
            get(target(port, "/")),
            HttpResult::Error(format!("Get \"http://127.0.0.1:{port}/\": EOF"))
        );
    }

    #[test]
    fn body_cut_short() {
        let (port, _server) = serve(vec![
            "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort".into(),
        ]);
        assert_eq!(
            get(target(port, "/")),
            HttpResult::Error("unexpected EOF in the body".into())
        );
    }

    #[test]
    fn endless_body() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = thread::spawn(move || {
            let (mut conn, _) = listener.accept().unwrap();
            read_request(&mut conn);
            conn.write_all(b"HTTP/1.1 200 OK\r\n\r\n").unwrap();
            let block = [b'x'; 4096];
            let mut sent = 0usize;
            // Until the client closes (EPIPE or ECONNRESET).
            while conn.write_all(&block).is_ok() {
                sent += block.len();
            }
            sent
        });
        let HttpResult::Response { status, body, .. } = get(target(port, "/")) else {
            panic!("not a response");
        };
        assert_eq!((status, body.len()), (200, http::MAX_BODY));
        assert!(server.join().unwrap() >= http::MAX_BODY);
    }

    #[test]
    fn silent_server_stays_pending_and_drop_closes() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = thread::spawn(move || {
            let (mut conn, _) = listener.accept().unwrap();
            read_request(&mut conn);
            conn.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            // Answers nothing; the read ends when the client closes.
            let mut buf = [0u8; 16];
            conn.read(&mut buf).unwrap()
        });
        let mut check = HttpGet::start(target(port, "/"));
        assert_eq!(drive(&mut check, Duration::from_millis(300)), None);
        assert!(matches!(check.interest(), Some((_, false))));
        assert!(
            check
                .timeout_error()
                .ends_with("(Client.Timeout exceeded while awaiting headers)")
        );
        drop(check);
        assert_eq!(server.join().unwrap(), 0, "the connection was not closed");
    }

    #[test]
    fn same_host_redirects_followed() {
        let (port, server) = serve(vec![
            "HTTP/1.1 302 Found\r\nLocation: /second?x=1\r\nContent-Length: 0\r\n\r\n".into(),
            "HTTP/1.1 301 Moved\r\nLocation: http://127.0.0.1:{port}/third\r\n\r\n".into(),
            "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ndone".into(),
        ]);
        let mut t = target(port, "/first");
        t.headers = vec![("Host".into(), "app.example".into())];
        assert_eq!(get(t), response(200, "done"));
        let requests = server.join().unwrap();
        assert_eq!(requests.len(), 3);
        assert!(requests[0].starts_with("GET /first HTTP/1.1\r\nHost: app.example\r\n"));
        // A relative redirect keeps the user's Host; Go adds a Referer.
        assert!(requests[1].starts_with("GET /second?x=1 HTTP/1.1\r\nHost: app.example\r\n"));
        assert!(requests[1].contains(&format!("\r\nReferer: http://127.0.0.1:{port}/first\r\n")));
        // An absolute one uses the URL's host.
        let host = format!("GET /third HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n");
        assert!(requests[2].starts_with(&host), "{}", requests[2]);
    }

    #[test]
    fn other_host_redirect_not_followed() {
        let (port, server) = serve(vec![
            "HTTP/1.1 302 Found\r\nLocation: http://elsewhere.example/x\r\n\
             Content-Length: 5\r\n\r\nmoved"
                .into(),
        ]);
        let want = HttpResult::Response {
            status: 302,
            body: b"moved".to_vec(),
            warning: Some("Probe terminated redirects, Response body: moved".into()),
        };
        assert_eq!(get(target(port, "/")), want);
        assert_eq!(server.join().unwrap().len(), 1);
    }

    #[test]
    fn redirect_to_https_is_an_error() {
        let (port, _server) = serve(vec![
            "HTTP/1.1 302 Found\r\nLocation: https://127.0.0.1/x\r\n\r\n".into(),
        ]);
        let HttpResult::Error(err) = get(target(port, "/")) else {
            panic!("not an error");
        };
        assert!(err.starts_with("Get \"https://127.0.0.1/x\": "), "{err}");
    }

    /// Go's limit: the 10th request may still be answered by a redirect
    /// only to fail; 9 redirects then a 200 succeed.
    #[test]
    fn redirect_limit() {
        let redirect = "HTTP/1.1 307 Again\r\nLocation: /again\r\n\r\n".to_string();
        // An 11th connection would be refused, and the error would differ.
        let mut replies = vec![redirect.clone(); 10];
        let (port, server) = serve(replies.clone());
        assert_eq!(
            get(target(port, "/")),
            HttpResult::Error("Get \"/again\": stopped after 10 redirects".into())
        );
        assert_eq!(server.join().unwrap().len(), 10);

        replies.truncate(9);
        replies.push("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".into());
        let (port, server) = serve(replies);
        assert_eq!(get(target(port, "/")), response(200, ""));
        assert_eq!(server.join().unwrap().len(), 10);
    }

    #[test]
    fn redirect_without_location_is_final() {
        let (port, _server) = serve(vec![
            "HTTP/1.1 302 Found\r\nContent-Length: 0\r\n\r\n".into(),
        ]);
        let HttpResult::Response {
            status, warning, ..
        } = get(target(port, "/"))
        else {
            panic!("not a response");
        };
        assert_eq!(status, 302);
        assert!(warning.is_some());
    }

    #[test]
    fn chunked_body_decoded() {
        let (port, _server) = serve(vec![
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\
             4\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\n"
                .into(),
        ]);
        assert_eq!(get(target(port, "/")), response(200, "Wikipedia"));
    }

    #[test]
    fn request_headers_as_sent() {
        let (port, server) = serve(vec!["HTTP/1.1 204 No Content\r\n\r\n".into()]);
        let mut t = target(port, "ready");
        t.user_agent = "kube-lifecycle/1.34";
        t.headers = vec![
            ("host".into(), "svc.local".into()),
            ("x-custom".into(), "one".into()),
            ("X-Custom".into(), "two".into()),
        ];
        assert_eq!(get(t), response(204, ""));
        assert_eq!(
            server.join().unwrap()[0],
            "GET /ready HTTP/1.1\r\nHost: svc.local\r\nUser-Agent: kube-lifecycle/1.34\r\n\
             Accept: */*\r\nConnection: close\r\nX-Custom: one\r\nX-Custom: two\r\n\r\n"
        );

        let (port, server) = serve(vec!["HTTP/1.1 200 OK\r\n\r\n".into()]);
        let mut t = target(port, "/");
        t.headers = vec![("User-Agent".into(), "mine/1".into())];
        assert_eq!(get(t), response(200, ""));
        assert!(server.join().unwrap()[0].contains("\r\nUser-Agent: mine/1\r\n"));
    }

    #[test]
    fn bad_header_is_an_error_without_connecting() {
        let mut t = target(closed_port(), "/");
        t.headers = vec![("X-A".into(), "a\r\nX-Evil: 1".into())];
        let mut check = HttpGet::start(t);
        assert!(check.interest().is_none());
        let Some(HttpResult::Error(err)) = check.advance() else {
            panic!("not an error");
        };
        assert!(err.contains("invalid header field value"), "{err}");
        assert_eq!(check.advance(), None);
    }

    fn connect(addr: SocketAddr) -> Option<Result<(), String>> {
        let mut check = TcpConnect::start(addr);
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            if let Some(result) = check.advance() {
                assert_eq!(check.advance(), None);
                assert!(check.interest().is_none());
                return Some(result);
            }
            let (fd, _) = check.interest()?;
            let mut fds = [PollFd::writable(fd)];
            let left = deadline.checked_duration_since(Instant::now())?;
            sys::poll(&mut fds, Some(left)).unwrap();
        }
    }

    #[test]
    fn tcp_connect_ok() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        assert_eq!(connect(addr), Some(Ok(())));
        // The connection was made, then closed at once.
        let (mut conn, _) = listener.accept().unwrap();
        conn.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        assert_eq!(conn.read(&mut [0u8; 4]).unwrap(), 0);
    }

    #[test]
    fn tcp_connect_refused() {
        let addr = SocketAddr::from(([127, 0, 0, 1], closed_port()));
        assert_eq!(
            connect(addr),
            Some(Err(format!("dial tcp {addr}: connect: connection refused")))
        );
    }

    #[test]
    fn helpers() {
        assert_eq!(authority("::1", Some(80)), "[::1]:80");
        assert_eq!(authority("[::1]", None), "[::1]");
        assert_eq!(authority("example.com", Some(8080)), "example.com:8080");
        assert_eq!(
            go_error(&io::Error::from_raw_os_error(libc::ENOENT)),
            "no such file or directory"
        );
        assert_eq!(
            go_error(&io::Error::from_raw_os_error(libc::ECONNRESET)),
            "connection reset by peer"
        );
    }
}
