//! Probes and lifecycle hooks: the checks that run them, side by side,
//! without ever blocking the loop.
//!
//! A [`Check`] is one run of a probe or hook: an exec in the container (a
//! child of podinit, with its output on a pipe), an HTTP GET or a TCP
//! connect (non-blocking sockets, [`net`]), or a sleep (a deadline). The
//! event loop polls what [`Checks::poll_fds`] lists, tells [`Checks`] what
//! became ready and which children ended, and collects the outcomes with
//! [`Checks::take_done`]. Timeouts are deadlines: an exec that outlives its
//! timeout is killed with its whole process group, a socket is closed.
//! When probes are due and what their results mean is [`schedule`].

pub mod http;
pub mod net;
pub mod schedule;

use std::os::fd::AsFd;
use std::time::{Duration, Instant};

use crate::container::Joined;
use crate::pod::Id;
use crate::sys::spawn::ExecOutcome;
use crate::sys::{self, ExitStatus, Pid, PollFd, Signal};

/// The User-Agent of probes and of hooks (the kubelet's, with the
/// Kubernetes version podinit follows).
pub const PROBE_AGENT: &str = "kube-probe/1.34";
pub const HOOK_AGENT: &str = "kube-lifecycle/1.34";

/// Output of an exec kept for messages, as the kubelet keeps (10 KiB).
const MAX_OUTPUT: usize = 10 * 1024;

/// What a check is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Probe(schedule::Kind),
    PostStart,
    PreStop,
}

/// How a check ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// With the command's output, or empty.
    Success(String),
    /// Counted as a success, with something to say (a redirect to another
    /// host that was not followed).
    Warning(String),
    Failure(String),
    /// It could not run at all (a command that cannot start).
    Error(String),
}

/// Which container instance a check belongs to, and why it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Owner {
    pub id: Id,
    pub instance: u32,
    pub purpose: Purpose,
}

/// One running check.
#[derive(Debug)]
pub struct Check {
    pub owner: Owner,
    deadline: Option<Instant>,
    body: Body,
}

#[derive(Debug)]
enum Body {
    Exec(Exec),
    Http {
        get: net::HttpGet,
        /// A hook: any response is a success, only transport errors fail.
        hook: bool,
    },
    Tcp(net::TcpConnect),
    /// A sleep hook: done at the deadline.
    Sleep,
    /// Known without I/O.
    Done(Outcome),
}

#[derive(Debug)]
struct Exec {
    joined: Joined,
    /// The command as written, for messages.
    command: String,
    timeout: Option<Duration>,
    /// The start report is still to come.
    report_pending: bool,
    /// The output pipe is still open.
    output_open: bool,
    output: Vec<u8>,
    /// It was killed by someone else (its container's end): the outcome,
    /// held back until [`LINGER`] has passed.
    lingering: Option<Outcome>,
}

/// How long the outcome of an exec killed by someone else waits for the
/// news of its container's end, which cancels it: a check that died with
/// its container says nothing about the container.
const LINGER: Duration = Duration::from_millis(100);

impl Check {
    /// An exec already started in the container; `timeout` for probes.
    pub fn exec(
        owner: Owner,
        joined: Joined,
        command: &[String],
        timeout: Option<Duration>,
        now: Instant,
    ) -> Self {
        Self {
            owner,
            deadline: timeout.map(|t| crate::pod::later(now, t)),
            body: Body::Exec(Exec {
                joined,
                command: command.join(" "),
                timeout,
                report_pending: true,
                output_open: true,
                output: Vec::new(),
                lingering: None,
            }),
        }
    }

    /// An HTTP GET (`hook`: any response is a success); `timeout` `None`
    /// for hooks, which have none of their own.
    pub fn http(
        owner: Owner,
        target: net::Target,
        timeout: Option<Duration>,
        hook: bool,
        now: Instant,
    ) -> Self {
        Self {
            owner,
            deadline: timeout.map(|t| crate::pod::later(now, t)),
            body: Body::Http {
                get: net::HttpGet::start(target),
                hook,
            },
        }
    }

    /// A TCP connect.
    pub fn tcp(owner: Owner, addr: std::net::SocketAddr, timeout: Duration, now: Instant) -> Self {
        Self {
            owner,
            deadline: Some(crate::pod::later(now, timeout)),
            body: Body::Tcp(net::TcpConnect::start(addr)),
        }
    }

    /// A sleep hook of `length`.
    pub fn sleep(owner: Owner, length: Duration, now: Instant) -> Self {
        Self {
            owner,
            deadline: Some(crate::pod::later(now, length)),
            body: Body::Sleep,
        }
    }

    /// A check whose outcome is already known (it could not start).
    pub fn done(owner: Owner, outcome: Outcome) -> Self {
        Self {
            owner,
            deadline: None,
            body: Body::Done(outcome),
        }
    }

    /// Does the I/O it can; the outcome once known.
    fn advance(&mut self) -> Option<Outcome> {
        match &mut self.body {
            Body::Done(outcome) => Some(outcome.clone()),
            Body::Sleep => None,
            Body::Exec(exec) => exec.advance(),
            Body::Http { get, hook, .. } => get.advance().map(|result| match result {
                net::HttpResult::Response { status, .. } if *hook => {
                    Outcome::Success(format!("HTTP {status}"))
                }
                net::HttpResult::Response {
                    warning: Some(warning),
                    ..
                } => Outcome::Warning(warning),
                net::HttpResult::Response { status, .. } if (200..400).contains(&status) => {
                    Outcome::Success(String::new())
                }
                net::HttpResult::Response { status, .. } => {
                    Outcome::Failure(format!("HTTP probe failed with statuscode: {status}"))
                }
                // A request that failed is a failure; a body that could not
                // be read (a bare message, not `Get "url": ...`) an error,
                // as the kubelet has it.
                net::HttpResult::Error(message) if message.starts_with("Get ") => {
                    Outcome::Failure(message)
                }
                net::HttpResult::Error(message) => Outcome::Error(message),
            }),
            Body::Tcp(connect) => connect.advance().map(|result| match result {
                Ok(()) => Outcome::Success(String::new()),
                Err(message) => Outcome::Failure(message),
            }),
        }
    }

    /// The deadline came: a sleep is over, anything else timed out.
    fn expire(&mut self) -> Outcome {
        match &mut self.body {
            Body::Sleep => Outcome::Success(String::new()),
            Body::Done(outcome) => outcome.clone(),
            Body::Exec(exec) if exec.lingering.is_some() => exec
                .lingering
                .take()
                .unwrap_or(Outcome::Error(String::new())),
            Body::Exec(exec) => {
                exec.kill();
                Outcome::Failure(format!(
                    "command {:?} timed out after {}s",
                    exec.command,
                    exec.timeout.unwrap_or_default().as_secs()
                ))
            }
            Body::Http { get, .. } => Outcome::Failure(get.timeout_error()),
            Body::Tcp(connect) => Outcome::Failure(connect.timeout_error()),
        }
    }

    fn poll_fd(&self) -> impl Iterator<Item = PollFd> + '_ {
        let (first, second) = match &self.body {
            Body::Exec(exec) => (
                exec.report_pending
                    .then(|| PollFd::readable(exec.joined.report.as_fd())),
                exec.output_open
                    .then(|| PollFd::readable(exec.joined.output.as_fd())),
            ),
            Body::Http { get, .. } => (get.interest().map(interest), None),
            Body::Tcp(connect) => (connect.interest().map(interest), None),
            Body::Sleep | Body::Done(_) => (None, None),
        };
        first.into_iter().chain(second)
    }
}

fn interest((fd, write): (std::os::fd::BorrowedFd<'_>, bool)) -> PollFd {
    if write {
        PollFd::writable(fd)
    } else {
        PollFd::readable(fd)
    }
}

impl Exec {
    fn advance(&mut self) -> Option<Outcome> {
        if self.report_pending {
            match self.joined.report.read() {
                Ok(ExecOutcome::Pending) => {}
                Ok(ExecOutcome::Started) => self.report_pending = false,
                Ok(ExecOutcome::Failed(failure)) => {
                    self.report_pending = false;
                    return Some(Outcome::Error(self.joined.describe(&failure)));
                }
                Err(err) => {
                    self.report_pending = false;
                    return Some(Outcome::Error(format!(
                        "cannot read the start report of {:?}: {err}",
                        self.command
                    )));
                }
            }
        }
        self.read_output();
        None
    }

    /// Reads what the pipe holds now, 64 KiB at most in one go (poll says
    /// when there is more: a command writing without end cannot hold the
    /// loop); past 10 KiB it is read and dropped.
    fn read_output(&mut self) {
        let mut buf = [0u8; 4096];
        for _ in 0..16 {
            if !self.output_open {
                break;
            }
            match sys::read(self.joined.output.as_fd(), &mut buf) {
                Ok(0) => self.output_open = false,
                Ok(n) => {
                    let room = MAX_OUTPUT.saturating_sub(self.output.len());
                    self.output.extend_from_slice(&buf[..n.min(room)]);
                }
                Err(err) if err.kind() == std::io::ErrorKind::WouldBlock => break,
                Err(_) => self.output_open = false,
            }
        }
    }

    /// The command ended with `status`: what is in the pipe now is its
    /// output (a background child may keep the pipe open: not waited for).
    fn ended(&mut self, status: ExitStatus) -> Outcome {
        if let Some(outcome) = self.advance() {
            return outcome;
        }
        self.output_open = false;
        let output = String::from_utf8_lossy(&self.output).trim_end().to_owned();
        match status {
            ExitStatus::Exited(0) => Outcome::Success(output),
            ExitStatus::Exited(code) if output.is_empty() => {
                Outcome::Failure(format!("command {:?} exited with {code}", self.command))
            }
            ExitStatus::Exited(code) => Outcome::Failure(format!(
                "command {:?} exited with {code}: {output}",
                self.command
            )),
            ExitStatus::Signaled { signal, .. } => {
                Outcome::Failure(format!("command {:?} was killed by {signal}", self.command))
            }
        }
    }

    /// Kills the command and whatever it started (its own session).
    fn kill(&mut self) {
        let _ = sys::kill(-self.joined.pid, Signal::KILL);
        let _ = sys::kill(self.joined.pid, Signal::KILL);
        self.output_open = false;
    }
}

/// A finished check.
#[derive(Debug)]
pub struct Finished {
    pub owner: Owner,
    pub outcome: Outcome,
}

/// Every running check.
#[derive(Debug, Default)]
pub struct Checks {
    running: Vec<Check>,
    done: Vec<Finished>,
}

impl Checks {
    pub fn add(&mut self, mut check: Check) {
        match check.advance() {
            Some(outcome) => self.done.push(Finished {
                owner: check.owner,
                outcome,
            }),
            None => self.running.push(check),
        }
    }

    /// Outcomes are waiting to be taken.
    pub fn has_done(&self) -> bool {
        !self.done.is_empty()
    }

    /// Whether a check of `owner`'s kind runs for that instance.
    pub fn runs(&self, owner: Owner) -> bool {
        self.running.iter().any(|c| c.owner == owner)
    }

    /// The descriptors to poll, with the index of the check each is for.
    pub fn poll_fds(&self, fds: &mut Vec<PollFd>, owners: &mut Vec<usize>) {
        for (index, check) in self.running.iter().enumerate() {
            for fd in check.poll_fd() {
                fds.push(fd);
                owners.push(index);
            }
        }
    }

    /// The check at `index` (from [`Checks::poll_fds`]) has I/O to do.
    /// Call [`Checks::settle`] after the batch.
    pub fn ready(&mut self, index: usize) {
        if let Some(check) = self.running.get_mut(index) {
            if let Some(outcome) = check.advance() {
                check.body = Body::Done(outcome);
            }
        }
    }

    /// A child ended: if it is an exec check's, that check is done (or,
    /// killed by SIGKILL that podinit did not send, done in 100 ms
    /// unless its container's end cancels it first).
    pub fn exited(&mut self, pid: Pid, status: ExitStatus, now: Instant) -> bool {
        for check in &mut self.running {
            if let Body::Exec(exec) = &mut check.body {
                if exec.joined.pid == pid {
                    let outcome = exec.ended(status);
                    if matches!(status, ExitStatus::Signaled { signal, .. } if signal == Signal::KILL)
                    {
                        exec.lingering = Some(outcome);
                        check.deadline = Some(crate::pod::later(now, LINGER));
                    } else {
                        check.body = Body::Done(outcome);
                    }
                    return true;
                }
            }
        }
        false
    }

    /// Checks whose deadline has come end now.
    pub fn expire(&mut self, now: Instant) {
        for check in &mut self.running {
            if check.deadline.is_some_and(|d| now >= d) && !matches!(check.body, Body::Done(_)) {
                let outcome = check.expire();
                check.body = Body::Done(outcome);
                check.deadline = None;
            }
        }
    }

    /// Moves the finished checks to the done list.
    pub fn settle(&mut self) {
        let mut index = 0;
        while index < self.running.len() {
            if let Body::Done(outcome) = &self.running[index].body {
                let outcome = outcome.clone();
                let check = self.running.swap_remove(index);
                self.done.push(Finished {
                    owner: check.owner,
                    outcome,
                });
            } else {
                index += 1;
            }
        }
    }

    /// The finished checks, oldest first.
    pub fn take_done(&mut self) -> Vec<Finished> {
        std::mem::take(&mut self.done)
    }

    /// The earliest deadline of a running check.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.running.iter().filter_map(|c| c.deadline).min()
    }

    /// Ends every check of an instance of container `id` that ended:
    /// execs are killed with their process group, sockets closed, outcomes
    /// dropped.
    pub fn cancel(&mut self, id: Id, instance: u32) {
        let of = |owner: &Owner| owner.id == id && owner.instance == instance;
        for check in &mut self.running {
            if of(&check.owner) {
                // A lingering exec was reaped: its pid may be another's now.
                if let Body::Exec(exec) = &mut check.body {
                    if exec.lingering.is_none() {
                        exec.kill();
                    }
                }
            }
        }
        self.running.retain(|c| !of(&c.owner));
        self.done.retain(|f| !of(&f.owner));
    }
}
