//! PID-1 duties shared by every mode: owning the signals, reaping, and the
//! one `poll` that the whole process sleeps in.
//!
//! [`Core::start`] blocks every asynchronous signal and reads them from a
//! signalfd, makes podinit a child subreaper when it is not PID 1, and keeps
//! what it changed so children get it back ([`Core::inherited`]).
//! [`Core::wait`] is one turn of the event loop: it sleeps until a signal, a
//! watched descriptor or the earliest deadline, then reaps every child that
//! has ended (several exits can arrive as one SIGCHLD, so it loops on
//! `waitpid(-1, WNOHANG)` until nothing is left). What those events mean is
//! the caller's business (tini mode, later the pod); this module only
//! gathers them. It never fails: PID 1 must not exit early, so errors are
//! logged here, where they are handled.

use std::io;
use std::os::fd::{AsFd, BorrowedFd};
use std::time::{Duration, Instant};

use crate::deadline::Deadlines;
use crate::sys::signal::{Disposition, InheritedSignals, ReceivedSignal, SignalFd, SignalMask};
use crate::sys::{self, ExitStatus, Pid, PollFd, Signal};

/// What podinit is to the processes it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// PID 1 of its PID namespace: every orphan of the namespace comes to it.
    Pid1,
    /// A child subreaper (prctl(2)): orphaned descendants come to it.
    Subreaper,
    /// Neither (the prctl failed): orphans go elsewhere and are not reaped here.
    Neither,
}

/// tini's warning, word for word but for the name, when orphans will not be
/// re-parented to podinit.
pub const NOT_A_REAPER_WARNING: &str = "podinit is not running as PID 1 and isn't registered as a child subreaper.
Zombie processes will not be re-parented to podinit, so zombie reaping won't work.
To fix the problem, run podinit as PID 1, or allow prctl(PR_SET_CHILD_SUBREAPER) (a seccomp profile may forbid it).";

/// Failures of [`Core::start`]; after it, nothing fails.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    #[error("cannot take over the signal mask and dispositions")]
    Signals(#[source] io::Error),
    #[error("cannot create the signalfd")]
    SignalFd(#[source] io::Error),
}

/// Everything one turn of the loop brought, in the order to handle it.
#[derive(Debug)]
pub struct Wakeup<T> {
    /// Signals received, in arrival order (SIGCHLD included).
    pub signals: Vec<ReceivedSignal>,
    /// Indexes into the watched descriptors that are ready.
    pub ready: Vec<usize>,
    /// Children reaped, in reaping order.
    pub exited: Vec<(Pid, ExitStatus)>,
    /// `waitpid` said there are no children left at all (ECHILD).
    pub no_children: bool,
    /// Deadlines that came due, earliest first.
    pub due: Vec<T>,
}

impl<T> Default for Wakeup<T> {
    fn default() -> Self {
        Self {
            signals: Vec::new(),
            ready: Vec::new(),
            exited: Vec::new(),
            no_children: false,
            due: Vec::new(),
        }
    }
}

impl<T> Wakeup<T> {
    fn clear(&mut self) {
        self.signals.clear();
        self.ready.clear();
        self.exited.clear();
        self.no_children = false;
        self.due.clear();
    }
}

/// The signal and reaping state of a running podinit.
#[derive(Debug)]
pub struct Core {
    signals: SignalFd,
    inherited: InheritedSignals,
    role: Role,
    pid: Pid,
    pollfds: Vec<PollFd>,
    /// Exact wake-ups for deadlines; `None` if no timerfd could be made
    /// (poll's own, coarser timeout then).
    timer: Option<sys::Timer>,
}

impl Core {
    /// Takes over the process's signals and becomes a reaper.
    ///
    /// Every signal is blocked, libc's own real-time signals included, but
    /// SIGTTIN/SIGTTOU, which are ignored so that podinit can hand the
    /// terminal to its child without being stopped (tini does the same).
    /// Unlike tini, the fault signals (SIGSEGV, SIGABRT, SIGBUS...) are
    /// blocked too: a real fault of podinit's is still fatal (the kernel
    /// forces delivery, and abort(3) unblocks SIGABRT), while the same
    /// signals sent with kill(2), as `docker kill -s ABRT` does, are
    /// forwarded rather than killing podinit. SIGCHLD is set to its default
    /// action: an inherited SIG_IGN would make the kernel reap children
    /// itself and lose their exit status.
    pub fn start() -> Result<Self, InitError> {
        let mut block = SignalMask::full();
        block.remove(Signal::TTIN);
        block.remove(Signal::TTOU);
        let set = [
            (Signal::TTIN, Disposition::Ignore),
            (Signal::TTOU, Disposition::Ignore),
            (Signal::CHLD, Disposition::Default),
        ];
        let inherited = InheritedSignals::take_over(&block, &set).map_err(InitError::Signals)?;
        let signals = SignalFd::new(&block).map_err(InitError::SignalFd)?;
        let pid = sys::getpid();
        let role = if pid == 1 {
            Role::Pid1
        } else {
            match sys::set_child_subreaper() {
                Ok(()) => Role::Subreaper,
                Err(err) => {
                    log::debug!("prctl(PR_SET_CHILD_SUBREAPER) failed: {err}");
                    if sys::is_child_subreaper().unwrap_or(false) {
                        Role::Subreaper
                    } else {
                        Role::Neither
                    }
                }
            }
        };
        Ok(Self {
            signals,
            inherited,
            role,
            pid,
            pollfds: Vec::new(),
            timer: sys::Timer::new().ok(),
        })
    }

    /// In a child forked after [`Core::start`] that goes on as a podinit of
    /// its own (host mode's pod PID 1): its pid, its role. The signalfd is
    /// the same descriptor and reads the child's own signals (signalfd(2));
    /// the inherited signal state is still what podinit's parent gave.
    pub fn after_fork(&mut self) {
        // The timerfd is shared with the parent: one of its own.
        self.timer = sys::Timer::new().ok();
        self.pid = sys::getpid();
        self.role = if self.pid == 1 {
            Role::Pid1
        } else if sys::set_child_subreaper().is_ok() {
            Role::Subreaper
        } else {
            Role::Neither
        };
    }

    pub fn role(&self) -> Role {
        self.role
    }

    /// podinit's own pid, read once.
    pub fn pid(&self) -> Pid {
        self.pid
    }

    /// The signal state to give back to every child before `execve`.
    pub fn inherited(&self) -> &InheritedSignals {
        &self.inherited
    }

    /// One turn of the event loop: sleeps until a signal arrives, one of
    /// `watch` becomes ready, or the earliest of `deadlines` is due; then
    /// fills `out` (cleared first) with all that happened.
    pub fn wait<T>(
        &mut self,
        watch: &[BorrowedFd<'_>],
        deadlines: &mut Deadlines<T>,
        out: &mut Wakeup<T>,
    ) {
        let watch: Vec<PollFd> = watch.iter().map(|fd| PollFd::readable(*fd)).collect();
        self.wait_for(&watch, deadlines, out);
    }

    /// [`Core::wait`] with descriptors watched for reading or writing (a
    /// socket connecting): `ready` indexes into `watch`.
    pub fn wait_for<T>(
        &mut self,
        watch: &[PollFd],
        deadlines: &mut Deadlines<T>,
        out: &mut Wakeup<T>,
    ) {
        out.clear();
        self.pollfds.clear();
        self.pollfds.push(PollFd::readable(self.signals.as_fd()));
        self.pollfds.extend_from_slice(watch);
        let mut timeout = deadlines.timeout(Instant::now());
        if let Some(timer) = &mut self.timer {
            // Beyond a millisecond poll's rounding matters: the timer
            // wakes the loop instead.
            let exact = timeout.filter(|t| *t > Duration::from_millis(1));
            match timer.set(exact) {
                Ok(()) if exact.is_some() => {
                    self.pollfds.push(PollFd::readable(timer.as_fd()));
                    timeout = None;
                }
                Ok(()) => {}
                Err(err) => log::debug!("timerfd_settime failed: {err}"),
            }
        }
        if let Err(err) = sys::poll(&mut self.pollfds, timeout) {
            // Only a kernel out of memory makes poll fail with valid
            // arguments. Do not spin: pause briefly, then reap and carry on.
            log::error!("poll failed, retrying in 100 ms: {err}");
            std::thread::sleep(Duration::from_millis(100));
        }
        if self.pollfds[0].is_ready() {
            if let Err(err) = self.signals.drain_into(&mut out.signals) {
                log::error!("cannot read the signalfd: {err}");
            }
        }
        out.ready.extend(
            self.pollfds[1..=watch.len()]
                .iter()
                .enumerate()
                .filter(|(_, fd)| fd.is_ready())
                .map(|(index, _)| index),
        );
        out.no_children = reap_all(&mut out.exited);
        deadlines.pop_due(Instant::now(), &mut out.due);
    }
}

/// Reaps every child that has ended into `exited`; returns whether there are
/// no children left at all.
pub fn reap_all(exited: &mut Vec<(Pid, ExitStatus)>) -> bool {
    loop {
        match sys::reap_one() {
            Ok(Some((pid, raw))) => match ExitStatus::from_raw(raw) {
                Some(status) => {
                    log::debug!("reaped pid {pid}: {status}");
                    exited.push((pid, status));
                }
                None => log::debug!("pid {pid} changed state (raw status {raw:#x})"),
            },
            Ok(None) => return false,
            Err(err) if err.raw_os_error() == Some(libc::ECHILD) => return true,
            Err(err) => {
                log::error!("waitpid failed: {err}");
                return false;
            }
        }
    }
}
