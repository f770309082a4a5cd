//! The HTTP/1.1 that an `httpGet` probe or hook needs, without any I/O: the
//! request bytes, an incremental response parser, and the reading of a
//! `Location` header.
//!
//! The kubelet uses Go's `net/http` client (keep-alives and compression off,
//! body read up to 10 KiB); this module reproduces what that client puts on
//! the wire and what it accepts back, so that an application sees the same
//! probe under podinit as under a kubelet. Error texts follow Go's where a
//! user is likely to compare them (`malformed HTTP response "hello"`).
//!
//! Keeping the I/O out (it lives in [`super::net`]) lets the tests below feed
//! the parser byte by byte.

/// The most body a probe keeps: the kubelet's `maxRespBodyLength` (10 KiB).
/// The rest is never read.
pub const MAX_BODY: usize = 10 * 1024;

/// The most a response's status line and headers may take. Go allows far
/// more (1 MiB); a health endpoint never needs it, and podinit must bound
/// what a misbehaving server makes it hold.
pub const MAX_HEAD: usize = 16 * 1024;

/// The longest chunk-size or trailer line accepted (Go's limit too).
const MAX_LINE: usize = 4096;

/// The bytes of a `GET` request, as the kubelet's Go client sends it.
///
/// `host_header` is the default `Host` (the URL's `host:port`); `path` is
/// the request target (`/` when empty, a leading `/` added when missing;
/// spaces, control and non-ASCII bytes are percent-encoded so the request
/// line stays well-formed). The defaults `User-Agent: {user_agent}` and
/// `Accept: */*` apply unless the user's `headers` name them (any case), and
/// `Connection: close` is always sent because the kubelet disables
/// keep-alives. As in the kubelet:
/// - a user `Host` (its first non-empty value) replaces the Host value;
/// - a user `User-Agent` replaces the default (only its first value is sent,
///   and an empty one sends none);
/// - a user `Accept` replaces the default; an empty first value removes it;
/// - every other user header is sent, each value, in order, with Go's
///   canonical capitalisation (`x-foo` goes out as `X-Foo`).
///
/// A header name that is not an HTTP token, or a value with a control
/// character other than tab (CR and LF among them, which would let a value
/// inject headers), is refused with Go's message.
pub fn request(
    host_header: &str,
    path: &str,
    headers: &[(String, String)],
    user_agent: &str,
) -> Result<Vec<u8>, String> {
    for (name, value) in headers {
        if name.is_empty() || !name.bytes().all(is_token) {
            return Err(format!("net/http: invalid header field name {name:?}"));
        }
        if value.bytes().any(|b| (b < b' ' && b != b'\t') || b == 0x7f) {
            return Err(format!("net/http: invalid header field value for {name:?}"));
        }
    }
    let first = |wanted: &str| {
        headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(wanted))
            .map(|(_, value)| trim(value))
    };
    let host = first("Host")
        .filter(|h| !h.is_empty())
        .unwrap_or(host_header);
    let user_agent = first("User-Agent").unwrap_or(user_agent);
    let accept = first("Accept");

    let mut out = Vec::with_capacity(128 + path.len());
    out.extend_from_slice(b"GET ");
    if !path.starts_with('/') {
        out.push(b'/');
    }
    for &b in path.as_bytes() {
        if b <= b' ' || b >= 0x7f {
            out.extend_from_slice(format!("%{b:02X}").as_bytes());
        } else {
            out.push(b);
        }
    }
    out.extend_from_slice(b" HTTP/1.1\r\nHost: ");
    out.extend_from_slice(host.as_bytes());
    out.extend_from_slice(b"\r\n");
    if !user_agent.is_empty() {
        out.extend_from_slice(b"User-Agent: ");
        out.extend_from_slice(user_agent.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    if accept.is_none() {
        out.extend_from_slice(b"Accept: */*\r\n");
    }
    out.extend_from_slice(b"Connection: close\r\n");
    for (name, value) in headers {
        let skip = ["Host", "User-Agent"]
            .iter()
            .any(|h| name.eq_ignore_ascii_case(h))
            || (name.eq_ignore_ascii_case("Accept") && accept == Some(""));
        if skip {
            continue;
        }
        let mut upper = true;
        for &b in name.as_bytes() {
            out.push(if upper {
                b.to_ascii_uppercase()
            } else {
                b.to_ascii_lowercase()
            });
            upper = b == b'-';
        }
        out.extend_from_slice(b": ");
        out.extend_from_slice(trim(value).as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    Ok(out)
}

/// Whether `b` may appear in a header name (RFC 9110 `tchar`).
fn is_token(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// Go trims header values of spaces and tabs before sending them.
fn trim(value: &str) -> &str {
    value.trim_matches([' ', '\t'])
}

/// A complete response, as far as a probe cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The status code (100 to 999).
    pub status: u16,
    /// The first `Location` header, for redirects.
    pub location: Option<String>,
    /// The body, decoded from chunked encoding, cut at [`MAX_BODY`] bytes.
    pub body: Vec<u8>,
}

/// What [`ResponseParser::feed`] made of the bytes so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// The response is not complete yet: feed more, or call `eof`.
    More,
    /// The response is complete, or its body reached [`MAX_BODY`]: nothing
    /// more needs to be read, and the connection can be closed.
    Done(Response),
}

/// Where the parser is in the response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Status line and headers, until the blank line.
    Head,
    /// A body of known length; how much is still to come.
    Length(u64),
    /// A body that ends when the server closes the connection.
    UntilEof,
    /// A chunk-size line.
    ChunkSize,
    /// Chunk data; how much of this chunk is still to come.
    ChunkData(u64),
    /// The CRLF after a chunk's data.
    ChunkEnd,
    /// Trailer lines after the last chunk, until the blank line.
    Trailer,
    /// The response was handed out; the parser has nothing more to do.
    Done,
}

/// An HTTP/1.x response parser fed bytes as they arrive.
///
/// It accepts what Go's client accepts for a `GET`: `HTTP/1.0` or
/// `HTTP/1.1` status lines, LF or CRLF line ends, interim `1xx` responses
/// (skipped, except `101` which is final), and a body delimited by
/// `Content-Length`, `Transfer-Encoding: chunked` (decoded; trailers
/// ignored) or the end of the connection. `1xx`, `204` and `304` have no
/// body. It keeps at most [`MAX_HEAD`] bytes of head and [`MAX_BODY`] bytes
/// of body, so its memory stays bounded whatever the server sends.
///
/// Errors read like Go's (`malformed HTTP response "..."`, `unexpected
/// EOF`); a body cut short by the end of the connection is the error
/// `unexpected EOF in the body` (Go reports `unexpected EOF`, which the
/// kubelet treats as a probe error, not a failure), unless [`MAX_BODY`]
/// bytes of it had already arrived, since the kubelet reads no further.
#[derive(Debug)]
pub struct ResponseParser {
    /// Bytes received and not consumed yet (head or chunk framing).
    buf: Vec<u8>,
    /// Where the search for the end of the head resumes in `buf`.
    scan: usize,
    state: State,
    status: u16,
    location: Option<String>,
    body: Vec<u8>,
}

impl Default for ResponseParser {
    fn default() -> Self {
        Self::new()
    }
}

impl ResponseParser {
    /// A parser waiting for a status line.
    pub fn new() -> Self {
        Self {
            buf: Vec::new(),
            scan: 0,
            state: State::Head,
            status: 0,
            location: None,
            body: Vec::new(),
        }
    }

    /// Whether the status line and headers of the final response have been
    /// read, so an error from now on concerns the body (the kubelet reports
    /// body errors without the `Get "url":` prefix of a request error).
    pub fn in_body(&self) -> bool {
        !matches!(self.state, State::Head)
    }

    /// Takes the next bytes of the connection. `Done` once the response is
    /// complete or [`MAX_BODY`] bytes of body are held; after that (or after
    /// an error) the parser must be dropped, and further calls return an
    /// error.
    pub fn feed(&mut self, bytes: &[u8]) -> Result<Progress, String> {
        if self.state == State::Done {
            return Err("response already complete".into());
        }
        let mut pos = 0;
        let result = if self.buf.is_empty() {
            // The common case, a body arriving: no copy into `buf`.
            let result = self.process(bytes, &mut pos);
            if result.is_ok() && self.state != State::Done {
                self.buf
                    .extend_from_slice(bytes.get(pos..).unwrap_or_default());
            }
            result
        } else {
            self.buf.extend_from_slice(bytes);
            let mut buf = std::mem::take(&mut self.buf);
            let result = self.process(&buf, &mut pos);
            buf.drain(..pos.min(buf.len()));
            self.buf = buf;
            result
        };
        self.scan = self.scan.saturating_sub(pos);
        result?;
        Ok(if self.state == State::Done {
            self.buf = Vec::new();
            Progress::Done(self.take())
        } else {
            Progress::More
        })
    }

    /// The connection ended. A body read until the end of the connection,
    /// or whose last chunk came (the trailer may be cut), makes a response;
    /// anything else is an error: `EOF` when no byte of a response came,
    /// `unexpected EOF` in the head, `unexpected EOF in the body` in a body
    /// of known length or in chunked encoding.
    pub fn eof(&mut self) -> Result<Response, String> {
        match self.state {
            State::Head if self.buf.is_empty() => Err("EOF".into()),
            State::Head => Err("unexpected EOF".into()),
            State::UntilEof | State::Trailer => {
                self.state = State::Done;
                Ok(self.take())
            }
            State::Done => Err("response already complete".into()),
            _ => Err("unexpected EOF in the body".into()),
        }
    }

    fn take(&mut self) -> Response {
        Response {
            status: self.status,
            location: self.location.take(),
            body: std::mem::take(&mut self.body),
        }
    }

    /// Consumes what it can of `input` from `*pos`, advancing `*pos`; stops
    /// when more input is needed or the response is complete.
    fn process(&mut self, input: &[u8], pos: &mut usize) -> Result<(), String> {
        loop {
            let rest = input.get(*pos..).unwrap_or_default();
            match self.state {
                State::Done => return Ok(()),
                State::Head => {
                    let from = self.scan.saturating_sub(*pos);
                    let Some(end) = head_end(rest, from) else {
                        if rest.len() > MAX_HEAD {
                            return Err(too_big());
                        }
                        self.scan = *pos + rest.len().saturating_sub(3);
                        return Ok(());
                    };
                    if end > MAX_HEAD {
                        return Err(too_big());
                    }
                    self.head(rest.get(..end).unwrap_or_default())?;
                    *pos += end;
                    self.scan = *pos;
                }
                State::Length(left) | State::ChunkData(left) => {
                    if rest.is_empty() {
                        return Ok(());
                    }
                    let n = rest.len().min(usize::try_from(left).unwrap_or(usize::MAX));
                    self.keep(rest.get(..n).unwrap_or_default());
                    *pos += n;
                    let left = left - n as u64;
                    self.state = match (self.state, left) {
                        (State::Length(_), 0) => State::Done,
                        (State::Length(_), _) => State::Length(left),
                        (_, 0) => State::ChunkEnd,
                        _ => State::ChunkData(left),
                    };
                    if self.body.len() >= MAX_BODY {
                        self.state = State::Done;
                    }
                }
                State::UntilEof => {
                    self.keep(rest);
                    *pos += rest.len();
                    if self.body.len() >= MAX_BODY {
                        self.state = State::Done;
                    }
                    return Ok(());
                }
                State::ChunkEnd => match rest {
                    [] | [b'\r'] => return Ok(()),
                    [b'\n', ..] => {
                        *pos += 1;
                        self.state = State::ChunkSize;
                    }
                    [b'\r', b'\n', ..] => {
                        *pos += 2;
                        self.state = State::ChunkSize;
                    }
                    _ => return Err("malformed chunked encoding".into()),
                },
                State::ChunkSize | State::Trailer => {
                    let Some(nl) = rest.iter().position(|&b| b == b'\n') else {
                        if rest.len() > MAX_LINE {
                            return Err("header line too long".into());
                        }
                        return Ok(());
                    };
                    let line = rest.get(..nl).unwrap_or_default();
                    *pos += nl + 1;
                    let line = line.strip_suffix(b"\r").unwrap_or(line);
                    self.state = if self.state == State::Trailer {
                        if line.is_empty() {
                            State::Done
                        } else {
                            State::Trailer
                        }
                    } else {
                        match chunk_size(line)? {
                            0 => State::Trailer,
                            n => State::ChunkData(n),
                        }
                    };
                }
            }
        }
    }

    /// Keeps body bytes up to [`MAX_BODY`].
    fn keep(&mut self, bytes: &[u8]) {
        let room = MAX_BODY.saturating_sub(self.body.len());
        self.body
            .extend_from_slice(bytes.get(..room.min(bytes.len())).unwrap_or_default());
    }

    /// Reads one head (status line, headers, blank line) and sets the state
    /// for what follows it.
    fn head(&mut self, head: &[u8]) -> Result<(), String> {
        let text = String::from_utf8_lossy(head);
        let mut lines = text.lines();
        let status_line = lines.next().unwrap_or_default();
        let Some((proto, status)) = status_line.split_once(' ') else {
            return Err(format!("malformed HTTP response {status_line:?}"));
        };
        let code = status.trim_start_matches(' ');
        let code = code.split_once(' ').map_or(code, |(code, _)| code);
        let status = match code.parse::<u16>() {
            Ok(n) if code.len() == 3 && code.bytes().all(|b| b.is_ascii_digit()) => n,
            _ => return Err(format!("malformed HTTP status code {code:?}")),
        };
        let http11 = match proto {
            "HTTP/1.1" => true,
            "HTTP/1.0" => false,
            _ => return Err(format!("malformed HTTP version {proto:?}")),
        };
        let mut length: Option<u64> = None;
        let mut chunked = false;
        let mut location = None;
        for line in lines {
            if line.is_empty() {
                break;
            }
            if line.starts_with([' ', '\t']) {
                continue; // obsolete line folding: a header we do not need
            }
            let Some((name, value)) = line.split_once(':') else {
                return Err(format!("malformed MIME header line: {line}"));
            };
            let value = value.trim_matches([' ', '\t']);
            if name.eq_ignore_ascii_case("Content-Length") {
                let n = value
                    .parse::<u64>()
                    .map_err(|_| format!("bad Content-Length {value:?}"))?;
                if length.is_some_and(|old| old != n) {
                    return Err(
                        "http: message cannot contain multiple Content-Length headers".into(),
                    );
                }
                length = Some(n);
            } else if name.eq_ignore_ascii_case("Transfer-Encoding") && http11 {
                if !value.eq_ignore_ascii_case("chunked") {
                    return Err(format!("unsupported transfer encoding: {value:?}"));
                }
                chunked = true;
            } else if name.eq_ignore_ascii_case("Location") && location.is_none() {
                location = Some(value.to_string());
            }
        }
        self.status = status;
        self.location = location;
        self.state = if (100..200).contains(&status) && status != 101 {
            State::Head // interim (100 Continue, 103 Early Hints): skipped
        } else if (100..200).contains(&status) || status == 204 || status == 304 {
            State::Done
        } else if chunked {
            State::ChunkSize
        } else {
            match length {
                Some(0) => State::Done,
                Some(n) => State::Length(n),
                None => State::UntilEof,
            }
        };
        Ok(())
    }
}

fn too_big() -> String {
    format!("net/http: server response headers exceeded {MAX_HEAD} bytes; aborted")
}

/// Where the head in `bytes` ends (just after its blank line), searching
/// from `from`: a line feed followed by an empty line, CRLF or bare LF.
fn head_end(bytes: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while let Some(off) = bytes.get(i..)?.iter().position(|&b| b == b'\n') {
        let nl = i + off;
        match bytes.get(nl + 1..) {
            Some([b'\n', ..]) => return Some(nl + 2),
            Some([b'\r', b'\n', ..]) => return Some(nl + 3),
            _ => i = nl + 1,
        }
    }
    None
}

/// The size on a chunk-size line (hex, extensions after `;` ignored).
fn chunk_size(line: &[u8]) -> Result<u64, String> {
    let hex = line.split(|&b| b == b';').next().unwrap_or_default();
    let hex = String::from_utf8_lossy(hex);
    let hex = hex.trim_matches([' ', '\t']);
    if hex.is_empty() || hex.len() > 16 {
        return Err("http chunk length too large or empty".into());
    }
    u64::from_str_radix(hex, 16).map_err(|_| "invalid byte in chunk length".to_string())
}

/// What a `Location` header asks for, as the kubelet's redirect policy sees
/// it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Redirect {
    /// Plain HTTP to the probed host: follow it, on a new connection to the
    /// same IP, at `port` with request target `path`.
    SameHost {
        /// The port (the current one for a relative location, else the
        /// URL's, 80 by default).
        port: u16,
        /// The request target, query included, fragment removed.
        path: String,
    },
    /// Another host (by name, case-insensitively): the kubelet does not
    /// follow it and counts the 3xx response itself.
    OtherHost(String),
    /// HTTPS on the probed host: the kubelet would follow it over TLS,
    /// which podinit does not speak.
    Https,
    /// A location that is not a usable URL, with Go's reason.
    Invalid(String),
}

/// Reads `location` against the host and port of the current request.
///
/// A relative location (`/x`, or `x`, which becomes `/x` rather than being
/// resolved against the current path) keeps the host and port. An absolute
/// one, `scheme://host[:port]/path` or `//host/path`, is compared by host
/// name with `current_host` (brackets of an IPv6 literal ignored, case
/// ignored): another host gives `OtherHost` whatever the scheme (the
/// kubelet's check comes before any connection); the same host gives
/// `SameHost` for `http` (port 80 unless given), `Https` for `https`, and
/// `Invalid` for any other scheme.
pub fn redirect(location: &str, current_host: &str, current_port: u16) -> Redirect {
    let location = location.split('#').next().unwrap_or_default();
    if location.bytes().any(|b| b < b' ' || b == 0x7f) {
        return Redirect::Invalid(format!(
            "failed to parse Location header {location:?}: invalid control character in URL"
        ));
    }
    let (scheme, rest) = if let Some(rest) = location.strip_prefix("//") {
        ("http", rest)
    } else {
        match location.split_once("://") {
            Some((scheme, rest))
                if !scheme.is_empty()
                    && scheme
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b)) =>
            {
                (scheme, rest)
            }
            _ => {
                return Redirect::SameHost {
                    port: current_port,
                    path: target(location),
                };
            }
        }
    };
    let split = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(split);
    let authority = authority.rsplit('@').next().unwrap_or_default();
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        match v6.split_once(']') {
            Some((host, port)) => (host, port.strip_prefix(':')),
            None => {
                return Redirect::Invalid(format!(
                    "failed to parse Location header {location:?}: missing ']' in host"
                ));
            }
        }
    } else {
        match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    let current = current_host.trim_start_matches('[').trim_end_matches(']');
    if !host.eq_ignore_ascii_case(current) {
        return Redirect::OtherHost(host.to_string());
    }
    if scheme.eq_ignore_ascii_case("https") {
        return Redirect::Https;
    }
    if !scheme.eq_ignore_ascii_case("http") {
        return Redirect::Invalid(format!("unsupported protocol scheme {scheme:?}"));
    }
    let port = match port {
        None | Some("") => 80,
        Some(text) => match text.parse::<u16>() {
            Ok(n) if n != 0 => n,
            _ => {
                return Redirect::Invalid(format!(
                    "failed to parse Location header {location:?}: invalid port {text:?}"
                ));
            }
        },
    };
    Redirect::SameHost {
        port,
        path: target(path),
    }
}

/// A request target from a path (and query): a leading `/` is added (the
/// path of a probe's URL too).
pub fn target(path: &str) -> String {
    if path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn request_bytes() {
        let ua = "kube-probe/1.34";
        type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str);
        let cases: &[Case] = &[
            (
                "/healthz",
                &[],
                "GET /healthz HTTP/1.1\r\nHost: 10.0.0.1:8080\r\nUser-Agent: kube-probe/1.34\r\n\
                 Accept: */*\r\nConnection: close\r\n\r\n",
            ),
            (
                "",
                &[],
                "GET / HTTP/1.1\r\nHost: 10.0.0.1:8080\r\nUser-Agent: kube-probe/1.34\r\n\
                 Accept: */*\r\nConnection: close\r\n\r\n",
            ),
            (
                "ready?x=1",
                &[("host", "example.com"), ("x-custom", " a ")],
                "GET /ready?x=1 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: kube-probe/1.34\r\n\
                 Accept: */*\r\nConnection: close\r\nX-Custom: a\r\n\r\n",
            ),
            (
                "/",
                &[
                    ("User-Agent", "mine"),
                    ("user-agent", "ignored"),
                    ("ACCEPT", "text/plain"),
                ],
                "GET / HTTP/1.1\r\nHost: 10.0.0.1:8080\r\nUser-Agent: mine\r\n\
                 Connection: close\r\nAccept: text/plain\r\n\r\n",
            ),
            (
                "/",
                &[("Accept", ""), ("User-Agent", ""), ("Host", "")],
                "GET / HTTP/1.1\r\nHost: 10.0.0.1:8080\r\nConnection: close\r\n\r\n",
            ),
            (
                "/a b\u{e9}",
                &[("X-Dup", "1"), ("x-dup", "2")],
                "GET /a%20b%C3%A9 HTTP/1.1\r\nHost: 10.0.0.1:8080\r\nUser-Agent: kube-probe/1.34\r\n\
                 Accept: */*\r\nConnection: close\r\nX-Dup: 1\r\nX-Dup: 2\r\n\r\n",
            ),
        ];
        for (path, headers, want) in cases {
            let got = request("10.0.0.1:8080", path, &h(headers), ua).unwrap();
            assert_eq!(String::from_utf8(got).unwrap(), *want, "path {path:?}");
        }
    }

    #[test]
    fn request_refuses_bad_headers() {
        let cases: &[(&str, &str, &str)] = &[
            ("X-A", "a\r\nEvil: 1", "invalid header field value"),
            ("X-A", "a\nb", "invalid header field value"),
            ("X-A\r\n", "a", "invalid header field name"),
            ("X A", "a", "invalid header field name"),
            ("", "a", "invalid header field name"),
        ];
        for (name, value, want) in cases {
            let err = request("h", "/", &h(&[(name, value)]), "ua").unwrap_err();
            assert!(err.contains(want), "{name:?}: {err}");
        }
        assert!(request("h", "/", &h(&[("X-A", "a\tb")]), "ua").is_ok());
    }

    /// Feeds `input` whole, then byte by byte, and checks both agree.
    fn parse(input: &[u8]) -> Result<Response, String> {
        let whole = parse_in(input, input.len().max(1));
        let bytewise = parse_in(input, 1);
        assert_eq!(whole, bytewise, "{:?}", String::from_utf8_lossy(input));
        whole
    }

    fn parse_in(input: &[u8], step: usize) -> Result<Response, String> {
        let mut parser = ResponseParser::new();
        for piece in input.chunks(step) {
            if let Progress::Done(response) = parser.feed(piece)? {
                return Ok(response);
            }
        }
        parser.eof()
    }

    fn ok(status: u16, body: &str) -> Result<Response, String> {
        Ok(Response {
            status,
            location: None,
            body: body.as_bytes().to_vec(),
        })
    }

    #[test]
    fn parser_table() {
        let cases: &[(&str, Result<Response, String>)] = &[
            (
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA",
                ok(200, "ok"),
            ),
            ("HTTP/1.0 500 Oops\r\n\r\nuntil eof", ok(500, "until eof")),
            (
                "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n",
                ok(204, ""),
            ),
            ("HTTP/1.1 200\nContent-Length: 3\n\nabc", ok(200, "abc")),
            (
                "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Hints\r\nLink: x\r\n\r\n\
                 HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx",
                ok(200, "x"),
            ),
            (
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 99\r\n\r\n\
                 4;ext=1\r\nWiki\r\n5\r\npedia\r\n0\r\nX-Trailer: 1\r\n\r\n",
                ok(200, "Wikipedia"),
            ),
            (
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n3\r\nabc\r\n0\r\n",
                ok(200, "abc"),
            ),
            (
                "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc",
                ok(200, "3\r\nabc"),
            ),
            (
                "HTTP/1.1 302 Found\r\nLocation: /next\r\nLocation: /no\r\nContent-Length: 0\r\n\r\n",
                Ok(Response {
                    status: 302,
                    location: Some("/next".into()),
                    body: Vec::new(),
                }),
            ),
            ("", Err("EOF".into())),
            ("HTTP/1.1 200 OK\r\n", Err("unexpected EOF".into())),
            (
                "hello\r\n\r\n",
                Err("malformed HTTP response \"hello\"".into()),
            ),
            (
                "HTTP/1.1 2000 OK\r\n\r\n",
                Err("malformed HTTP status code \"2000\"".into()),
            ),
            (
                "HTTP/2.0 200 OK\r\n\r\n",
                Err("malformed HTTP version \"HTTP/2.0\"".into()),
            ),
            (
                "SSH-2.0-OpenSSH_9.6 x\r\n\r\n",
                Err("malformed HTTP status code \"x\"".into()),
            ),
            (
                "HTTP/1.1 200 OK\r\nbad header\r\n\r\n",
                Err("malformed MIME header line: bad header".into()),
            ),
            (
                "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n",
                Err("bad Content-Length \"x\"".into()),
            ),
            (
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
                Err("unsupported transfer encoding: \"gzip\"".into()),
            ),
            (
                "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
                Err("unexpected EOF in the body".into()),
            ),
            (
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
                Err("unexpected EOF in the body".into()),
            ),
            (
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                Err("invalid byte in chunk length".into()),
            ),
            (
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nabc",
                Err("malformed chunked encoding".into()),
            ),
        ];
        for (input, want) in cases {
            assert_eq!(&parse(input.as_bytes()), want, "{input:?}");
        }
    }

    #[test]
    fn parser_limits() {
        // An endless body is cut at MAX_BODY, which ends the response.
        let mut parser = ResponseParser::new();
        assert_eq!(parser.feed(b"HTTP/1.1 200 OK\r\n\r\n"), Ok(Progress::More));
        let block = [b'x'; 4096];
        let mut done = None;
        for _ in 0..3 {
            if let Progress::Done(r) = parser.feed(&block).unwrap() {
                done = Some(r);
                break;
            }
        }
        let r = done.unwrap();
        assert_eq!(r.body.len(), MAX_BODY);
        assert!(parser.feed(b"more").is_err());

        // So is a long chunked or Content-Length body.
        let mut input = b"HTTP/1.1 200 OK\r\nContent-Length: 20000\r\n\r\n".to_vec();
        input.extend_from_slice(&[b'y'; 20000]);
        assert_eq!(parse(&input).unwrap().body.len(), MAX_BODY);
        let mut input = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
        for _ in 0..20 {
            input.extend_from_slice(b"400\r\n");
            input.extend_from_slice(&[b'z'; 0x400]);
            input.extend_from_slice(b"\r\n");
        }
        assert_eq!(parse(&input).unwrap().body.len(), MAX_BODY);

        // A head beyond MAX_HEAD is refused, whole or in pieces.
        let mut input = b"HTTP/1.1 200 OK\r\n".to_vec();
        while input.len() <= MAX_HEAD {
            input.extend_from_slice(b"X-Filler: 0123456789012345678901234567890123456789\r\n");
        }
        input.extend_from_slice(b"\r\n");
        let err = parse(&input).unwrap_err();
        assert!(err.contains("exceeded 16384 bytes"), "{err}");
        // Exactly at the limit is fine.
        let mut input = b"HTTP/1.1 200 OK\r\nX-Pad: ".to_vec();
        input.resize(MAX_HEAD - 4, b'p');
        input.extend_from_slice(b"\r\n\r\n");
        assert_eq!(input.len(), MAX_HEAD);
        assert_eq!(parse(&input), ok(200, ""));
    }

    #[test]
    fn redirects() {
        use Redirect::*;
        let same = |port: u16, path: &str| SameHost {
            port,
            path: path.into(),
        };
        let cases: &[(&str, Redirect)] = &[
            ("/next", same(8080, "/next")),
            ("next?a=1", same(8080, "/next?a=1")),
            ("/x#frag", same(8080, "/x")),
            ("http://10.0.0.1:9090/p", same(9090, "/p")),
            ("http://10.0.0.1/p", same(80, "/p")),
            ("HTTP://10.0.0.1", same(80, "/")),
            ("http://10.0.0.1?q", same(80, "/?q")),
            ("//10.0.0.1:81/z", same(81, "/z")),
            ("http://user@10.0.0.1:82/", same(82, "/")),
            ("http://example.com/p", OtherHost("example.com".into())),
            ("https://example.com/p", OtherHost("example.com".into())),
            ("https://10.0.0.1/p", Https),
            ("ftp://10.0.0.1/p", Invalid("unsupported protocol scheme \"ftp\"".into())),
            (
                "http://10.0.0.1:99999/",
                Invalid(
                    "failed to parse Location header \"http://10.0.0.1:99999/\": invalid port \"99999\""
                        .into(),
                ),
            ),
        ];
        for (location, want) in cases {
            assert_eq!(&redirect(location, "10.0.0.1", 8080), want, "{location:?}");
        }
        assert_eq!(
            redirect("http://Example.COM/", "example.com", 80),
            same(80, "/")
        );
        assert_eq!(redirect("http://[::1]:8/v6", "::1", 80), same(8, "/v6"));
        assert_eq!(redirect("http://[::1]/v6", "[::1]", 80), same(80, "/v6"));
        assert!(matches!(redirect("/a\nb", "h", 80), Invalid(_)));
    }
}
