//! tini mode: `podinit [OPTIONS] -- PROGRAM [ARGS...]`.
//!
//! podinit starts PROGRAM in a process group of its own (foreground on the
//! terminal, if there is one), forwards it every signal but SIGCHLD, reaps
//! every zombie, and exits with PROGRAM's exit code, as tini 0.19 does. Then,
//! beyond tini, it makes sure nothing PROGRAM started outlives podinit: the
//! processes left behind get SIGTERM (and SIGCONT, should they be stopped),
//! then SIGKILL after `--grace`, and podinit exits as soon as the last one is
//! reaped.
//!
//! The decisions are in [`Supervisor`], a state machine of plain data that
//! takes events and returns [`Action`]s and is tested without processes; the
//! [`Driver`] runs the loop and carries the actions out.

use std::ffi::OsString;
use std::io;
use std::os::fd::{AsFd, BorrowedFd};
use std::time::{Duration, Instant};

use crate::cli::{ExitCodeSet, TiniArgs};
use crate::deadline::Deadlines;
use crate::exit::ExitCode;
use crate::host::HostPaths;
use crate::init::{self, Core, Role, Wakeup};
use crate::leftovers::Leftovers;
use crate::sys::spawn::{self, ChildStep, ExecOutcome, ExecPlan, ExecReport};
use crate::sys::{self, ExitStatus, Pid, Signal};

/// How long to wait for processes to vanish after SIGKILL before giving up on
/// them (a process stuck in an uninterruptible sleep cannot die).
pub const KILL_TIMEOUT: Duration = Duration::from_secs(5);

/// Where the supervision stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// PROGRAM runs; signals are forwarded to it.
    Running,
    /// PROGRAM exited with `code`; what it left behind got SIGTERM.
    Draining { code: u8 },
    /// SIGKILL went out; waiting for the last process to be reaped.
    Killing { code: u8 },
}

/// The timers tini mode sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timer {
    /// The grace period after SIGTERM ran out.
    Kill,
    /// Processes outlived SIGKILL by [`KILL_TIMEOUT`].
    GiveUp,
}

/// What the supervisor asks the driver to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `kill(target, signal)`: PROGRAM, or its process group as `-pid`.
    Forward { target: Pid, signal: Signal },
    /// Send `signal` to every process PROGRAM left behind, but to those in
    /// process group `spare_group` (which already got a stop signal).
    SignalLeftovers {
        signal: Signal,
        spare_group: Option<Pid>,
    },
    /// Fire `timer` after `after`.
    Arm { after: Duration, timer: Timer },
    /// Exit podinit with this code.
    Exit(u8),
}

/// The rules of tini mode, without processes.
#[derive(Debug, Clone)]
pub struct Supervisor {
    child: Pid,
    signal_group: bool,
    remap: ExitCodeSet,
    grace: Duration,
    phase: Phase,
    /// With `-g`, a stop signal went to PROGRAM's whole group: its members
    /// are already stopping and need no second SIGTERM.
    group_stopping: bool,
}

impl Supervisor {
    pub fn new(child: Pid, args: &TiniArgs) -> Self {
        Self {
            child,
            signal_group: args.kill_process_group,
            remap: args.remap,
            grace: args.grace,
            phase: Phase::Running,
            group_stopping: false,
        }
    }

    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// A signal podinit received.
    pub fn on_signal(&mut self, signal: Signal, actions: &mut Vec<Action>) {
        if signal == Signal::CHLD {
            return;
        }
        match self.phase {
            Phase::Running => {
                let target = if self.signal_group {
                    self.group_stopping |= is_stop_request(signal);
                    -self.child
                } else {
                    self.child
                };
                actions.push(Action::Forward { target, signal });
            }
            // PROGRAM is gone: a request to stop means "do not wait for the
            // grace period" (Ctrl-C while leftovers linger).
            Phase::Draining { code } if is_stop_request(signal) => self.kill(code, actions),
            Phase::Draining { .. } | Phase::Killing { .. } => {}
        }
    }

    /// A child was reaped; `children_left` is false when `waitpid` has said
    /// there are none at all (and so, podinit being a reaper, no
    /// descendants): nothing to clean up then.
    pub fn on_exit(
        &mut self,
        pid: Pid,
        status: ExitStatus,
        children_left: bool,
        actions: &mut Vec<Action>,
    ) {
        if pid != self.child || self.phase != Phase::Running {
            return;
        }
        let mut code = status.code();
        if self.remap.contains(code) {
            code = 0;
        }
        if !children_left {
            self.phase = Phase::Draining { code };
            actions.push(Action::Exit(code));
        } else if self.grace.is_zero() {
            self.kill(code, actions);
        } else {
            self.phase = Phase::Draining { code };
            actions.push(Action::SignalLeftovers {
                signal: Signal::TERM,
                spare_group: self.group_stopping.then_some(self.child),
            });
            actions.push(Action::Arm {
                after: self.grace,
                timer: Timer::Kill,
            });
        }
    }

    /// A timer fired.
    pub fn on_timer(&mut self, timer: Timer, actions: &mut Vec<Action>) {
        match (timer, self.phase) {
            (Timer::Kill, Phase::Draining { code }) => self.kill(code, actions),
            (Timer::GiveUp, Phase::Killing { code }) => actions.push(Action::Exit(code)),
            _ => {}
        }
    }

    /// `waitpid` found no children left: once PROGRAM has exited, that is the
    /// end.
    pub fn on_no_children(&mut self, actions: &mut Vec<Action>) {
        match self.phase {
            Phase::Draining { code } | Phase::Killing { code } => actions.push(Action::Exit(code)),
            Phase::Running => {}
        }
    }

    fn kill(&mut self, code: u8, actions: &mut Vec<Action>) {
        self.phase = Phase::Killing { code };
        actions.push(Action::SignalLeftovers {
            signal: Signal::KILL,
            spare_group: None,
        });
        actions.push(Action::Arm {
            after: KILL_TIMEOUT,
            timer: Timer::GiveUp,
        });
    }
}

/// Signals that ask podinit to stop, rather than to pass something on.
/// SIGHUP is not one: programs take it as "reload".
fn is_stop_request(signal: Signal) -> bool {
    [Signal::TERM, Signal::INT, Signal::QUIT, Signal::PWR].contains(&signal)
}

/// Why tini mode could not start.
#[derive(Debug, thiserror::Error)]
pub enum TiniError {
    #[error("cannot set the parent death signal {signal}")]
    ParentDeathSignal {
        signal: Signal,
        #[source]
        source: io::Error,
    },
    #[error(transparent)]
    Init(#[from] init::InitError),
    #[error("cannot prepare the command line of {program:?}")]
    Plan {
        program: String,
        #[source]
        source: io::Error,
    },
    #[error("cannot fork to start {program:?}")]
    Fork {
        program: String,
        #[source]
        source: io::Error,
    },
}

impl TiniError {
    /// The error and its causes, strerror-style, on one line.
    pub fn report(&self) -> String {
        crate::exit::report(self)
    }
}

/// Runs tini mode to the end and returns podinit's exit code.
pub fn run(args: TiniArgs, host: &HostPaths) -> ExitCode {
    match Driver::start(args, host) {
        Ok(driver) => driver.run(),
        Err(err) => {
            log::error!("{}", err.report());
            ExitCode::Failure
        }
    }
}

/// The event loop of tini mode.
#[derive(Debug)]
pub struct Driver {
    core: Core,
    supervisor: Supervisor,
    program: String,
    report: Option<ExecReport>,
    warn_on_reap: bool,
    leftovers: Leftovers,
}

impl Driver {
    /// Sets podinit up and starts PROGRAM.
    pub fn start(args: TiniArgs, host: &HostPaths) -> Result<Self, TiniError> {
        // 1. Signals and reaping first, so that nothing sent from here on is
        //    lost or kills podinit: signals queue on the signalfd until the
        //    loop forwards them.
        let core = Core::start()?;
        if core.role() == Role::Neither {
            log::warn!("{}", init::NOT_A_REAPER_WARNING);
        }
        // 2. The parent death signal, now blocked like the rest: it arrives
        //    on the signalfd and is forwarded to PROGRAM.
        if let Some(signal) = args.parent_death_signal {
            sys::set_parent_death_signal(signal)
                .map_err(|source| TiniError::ParentDeathSignal { signal, source })?;
        }
        // 3. Everything the child needs, before fork.
        let program = args
            .program
            .first()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        let env: Vec<(OsString, OsString)> = std::env::vars_os().collect();
        let search_path = std::env::var_os("PATH").unwrap_or_else(|| spawn::DEFAULT_PATH.into());
        let mut plan =
            ExecPlan::new(&args.program, &env, &search_path).map_err(|source| TiniError::Plan {
                program: program.clone(),
                source,
            })?;
        plan.new_process_group = true;
        plan.foreground = true;
        // 4. The child.
        let (child, report) =
            spawn::spawn(&mut plan, core.inherited()).map_err(|source| TiniError::Fork {
                program: program.clone(),
                source,
            })?;
        log::info!("spawned child process '{program}' with pid '{child}'");
        Ok(Self {
            supervisor: Supervisor::new(child, &args),
            leftovers: Leftovers::new(host.proc.clone(), core.pid(), core.role()),
            core,
            program,
            report: Some(report),
            warn_on_reap: args.warn_on_reap,
        })
    }

    /// The loop: one wake-up at a time, until the supervisor says exit.
    pub fn run(mut self) -> ExitCode {
        let mut deadlines = Deadlines::new();
        let mut wakeup = Wakeup::default();
        let mut actions = Vec::new();
        loop {
            let report_fd: Option<BorrowedFd<'_>> = self.report.as_ref().map(|r| r.as_fd());
            let watch = report_fd.as_slice();
            self.core.wait(watch, &mut deadlines, &mut wakeup);
            if !wakeup.ready.is_empty() {
                self.read_report();
            }
            // A signal that arrives with PROGRAM's exit was meant for a pid
            // that is already reaped (and could be reused): drop it.
            let child_gone = self.supervisor.phase() == Phase::Running
                && wakeup
                    .exited
                    .iter()
                    .any(|&(pid, _)| pid == self.supervisor.child);
            for received in &wakeup.signals {
                if child_gone && received.signal != Signal::CHLD {
                    log::debug!("dropping {}: the child has just exited", received.signal);
                    continue;
                }
                if received.signal == Signal::PIPE && received.sender == self.core.pid() {
                    // podinit's own write to a closed pipe (its stderr):
                    // not for the child.
                    log::debug!("ignoring SIGPIPE raised by podinit itself");
                    continue;
                }
                log::debug!("received {} from pid {}", received.signal, received.sender);
                self.supervisor.on_signal(received.signal, &mut actions);
            }
            for &(pid, status) in &wakeup.exited {
                self.log_exit(pid, status);
                self.supervisor
                    .on_exit(pid, status, !wakeup.no_children, &mut actions);
            }
            for &timer in &wakeup.due {
                match (timer, self.supervisor.phase()) {
                    (Timer::Kill, Phase::Draining { .. }) => log::warn!(
                        "processes left behind by '{}' are still running {:?} after SIGTERM: sending SIGKILL",
                        self.program,
                        self.supervisor.grace
                    ),
                    (Timer::GiveUp, Phase::Killing { .. }) => log::warn!(
                        "processes survived SIGKILL for {KILL_TIMEOUT:?} (stuck in the kernel?): exiting without them"
                    ),
                    _ => {}
                }
                self.supervisor.on_timer(timer, &mut actions);
            }
            if wakeup.no_children {
                self.supervisor.on_no_children(&mut actions);
            }
            for action in actions.drain(..) {
                if let Some(code) = self.perform(action, &mut deadlines) {
                    return ExitCode::Program(code);
                }
            }
        }
    }

    fn log_exit(&mut self, pid: Pid, status: ExitStatus) {
        if pid != self.supervisor.child {
            if self.warn_on_reap {
                log::warn!("reaped zombie process with pid={pid}");
            }
            return;
        }
        // The child wrote its failure, if any, before it exited.
        self.read_report();
        match status {
            ExitStatus::Exited(code) => {
                log::info!("main child exited normally (with status '{code}')")
            }
            ExitStatus::Signaled { signal, .. } => {
                log::info!("main child exited with signal (with signal '{signal}')")
            }
        }
    }

    /// Reads the child's exec report, if it has something to say.
    fn read_report(&mut self) {
        let Some(report) = &self.report else {
            return;
        };
        match report.read() {
            Ok(ExecOutcome::Pending) => return,
            Ok(ExecOutcome::Started) => log::debug!("'{}' is running", self.program),
            Ok(ExecOutcome::Failed(failure)) => {
                let error = sys::strerror(&failure.error);
                match failure.step {
                    ChildStep::Exec => log::error!("exec {} failed: {error}", self.program),
                    ChildStep::Setup(index) => {
                        log::error!("setup step {index} of '{}' failed: {error}", self.program)
                    }
                    ChildStep::Fork => log::error!("cannot fork '{}': {error}", self.program),
                    ChildStep::ProcessGroup => log::error!(
                        "cannot put '{}' in a process group of its own: {error}",
                        self.program
                    ),
                }
            }
            Err(err) => log::error!("cannot read the exec report of '{}': {err}", self.program),
        }
        self.report = None;
    }

    /// Carries out one action; `Some(code)` when podinit should exit.
    fn perform(&mut self, action: Action, deadlines: &mut Deadlines<Timer>) -> Option<u8> {
        match action {
            Action::Forward { target, signal } => {
                log::debug!("passing signal '{signal}' to {target}");
                match sys::kill(target, signal) {
                    Ok(()) => {}
                    Err(err) if err.raw_os_error() == Some(libc::ESRCH) => {
                        log::warn!("child was dead when forwarding signal {signal}")
                    }
                    Err(err) => log::error!("cannot forward {signal} to {target}: {err}"),
                }
            }
            Action::SignalLeftovers {
                signal,
                spare_group,
            } => self
                .leftovers
                .signal(signal, spare_group, self.supervisor.child),
            Action::Arm { after, timer } => deadlines.insert(Instant::now() + after, timer),
            Action::Exit(code) => return Some(code),
        }
        None
    }
}

#[cfg(test)]
mod tests;
