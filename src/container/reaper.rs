//! The reaper: PID 1 of a container's own PID namespace.
//!
//! A fork of podinit (podinit is single-threaded, so the fork is a full,
//! consistent copy; it never execs). It starts the container's program,
//! relays its start report, forwards every signal podinit sends it to the
//! program, reaps every process of the namespace, and when the program
//! exits writes its status to podinit, kills what is left in the namespace
//! (`kill(-1, SIGKILL)` from its PID 1) and exits. If podinit dies first,
//! the kernel kills the reaper (parent death signal), and with it the
//! namespace.
//!
//! Records on the pipe, each one `write(2)` below PIPE_BUF, so atomic:
//! `S` started; `F` + step (u32) + errno (i32): could not start; `X` + raw
//! wait status (i32): exited.

use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};

use super::{About, News, describe};
use crate::sys::signal::{InheritedSignals, SignalFd, SignalMask};
use crate::sys::spawn::{self, ChildStep, ExecOutcome, ExecPlan};
use crate::sys::{self, ExitStatus, PollFd, Signal};

const STARTED: u8 = b'S';
const FAILED: u8 = b'F';
const EXITED: u8 = b'X';

/// Runs the reaper; never returns.
pub fn run(plan: &mut ExecPlan, inherited: &InheritedSignals, out: OwnedFd) -> ! {
    let _ = sys::set_parent_death_signal(Signal::KILL);
    // podinit's descriptors (probe sockets, other containers' pipes, its
    // signalfd and timer) are not the reaper's to hold open.
    sys::close_other_fds(Some(std::os::fd::AsRawFd::as_raw_fd(&out)));
    let mut block = SignalMask::full();
    block.remove(Signal::TTIN);
    block.remove(Signal::TTOU);
    let signals = match SignalFd::new(&block) {
        Ok(fd) => fd,
        Err(err) => fail(&out, ChildStep::Fork, &err),
    };
    let (child, report) = match spawn::spawn(plan, inherited) {
        Ok(spawned) => spawned,
        Err(err) => fail(&out, ChildStep::Fork, &err),
    };
    let mut report = Some(report);
    let mut received = Vec::new();
    loop {
        let mut fds = vec![PollFd::readable(signals.as_fd())];
        if let Some(r) = &report {
            fds.push(PollFd::readable(r.as_fd()));
        }
        let _ = sys::poll(&mut fds, None);
        if fds.get(1).is_some_and(PollFd::is_ready) {
            relay_report(&mut report, &out);
        }
        received.clear();
        let _ = signals.drain_into(&mut received);
        for r in &received {
            if r.signal != Signal::CHLD {
                let _ = sys::kill(child, r.signal);
            }
        }
        while let Ok(Some((pid, raw))) = sys::reap_one() {
            if pid == child {
                // The start report was written before the exit: it goes
                // first, whatever order poll saw them in.
                relay_report(&mut report, &out);
                // What the program left goes first: when podinit hears of
                // the exit, the namespace is empty (ports and locks free
                // for the next instance).
                let _ = sys::kill(-1, Signal::KILL);
                while let Ok(Some(_)) = sys::wait_blocking() {}
                let mut record = [EXITED, 0, 0, 0, 0];
                record[1..].copy_from_slice(&raw.to_ne_bytes());
                send(&out, &record);
                std::process::exit(0);
            }
        }
    }
}

/// Passes the program's start report on once it has something to say.
fn relay_report(report: &mut Option<spawn::ExecReport>, out: &OwnedFd) {
    let Some(r) = report else {
        return;
    };
    match r.read() {
        Ok(ExecOutcome::Pending) => return,
        Ok(ExecOutcome::Started) => send(out, &[STARTED]),
        Ok(ExecOutcome::Failed(failure)) => send(out, &failed_record(failure.step, &failure.error)),
        Err(_) => {}
    }
    *report = None;
}

fn failed_record(step: ChildStep, error: &io::Error) -> [u8; 9] {
    let mut record = [FAILED, 0, 0, 0, 0, 0, 0, 0, 0];
    let code = step.to_wire();
    record[1..5].copy_from_slice(&code.to_ne_bytes());
    record[5..].copy_from_slice(&error.raw_os_error().unwrap_or(libc::EIO).to_ne_bytes());
    record
}

fn fail(out: &OwnedFd, step: ChildStep, error: &io::Error) -> ! {
    send(out, &failed_record(step, error));
    std::process::exit(1)
}

fn send(out: &OwnedFd, record: &[u8]) {
    let _ = sys::write_all(out.as_fd(), record);
}

/// Reads the records a reaper wrote so far into `news`; true once the pipe
/// is closed (the reaper is gone).
pub(super) fn read_records(fd: BorrowedFd<'_>, about: &About, news: &mut Vec<News>) -> bool {
    let mut buf = [0u8; 256];
    loop {
        let n = match sys::read(fd, &mut buf) {
            Ok(0) => return true,
            Ok(n) => n,
            Err(err) if err.kind() == io::ErrorKind::WouldBlock => return false,
            Err(_) => return true,
        };
        let mut rest = &buf[..n];
        while let Some((&kind, tail)) = rest.split_first() {
            let (record, used) = match (kind, tail) {
                (STARTED, _) => (Some(News::Started), 0),
                (FAILED, [a, b, c, d, e, f, g, h, ..]) => {
                    let code = u32::from_ne_bytes([*a, *b, *c, *d]);
                    let errno = i32::from_ne_bytes([*e, *f, *g, *h]);
                    let step = ChildStep::from_wire(code).unwrap_or(ChildStep::Exec);
                    (
                        Some(News::Failed(describe(
                            step,
                            &io::Error::from_raw_os_error(errno),
                            about,
                        ))),
                        8,
                    )
                }
                (EXITED, [a, b, c, d, ..]) => {
                    let raw = i32::from_ne_bytes([*a, *b, *c, *d]);
                    (ExitStatus::from_raw(raw).map(News::Exited), 4)
                }
                _ => (None, tail.len()),
            };
            news.extend(record);
            rest = tail.get(used..).unwrap_or_default();
        }
    }
}
