//! Turning one container of the plan into a running process.
//!
//! [`spawn()`] builds everything before `fork` (the setup steps of
//! [`setup`], argv, envp, the `PATH` candidates inside the container), then
//! starts the process one of two ways:
//!
//! - in the pod's PID namespace (`shareProcessNamespace`, `hostPID`): a
//!   direct child of podinit, which reaps it;
//! - in a PID namespace of its own (the default): podinit forks a reaper
//!   that is PID 1 of the new namespace ([`reaper`]); it forks the
//!   container's process, forwards it podinit's signals, reaps everything in
//!   the namespace, and reports the exit status on a pipe. As in tini, the
//!   program is not PID 1 itself, so a program without a SIGTERM handler
//!   still dies of SIGTERM.
//!
//! Either way the caller gets a [`Process`]: a pid to signal and reap, and a
//! channel that says "started", "failed at step N", and for a reaper "exited
//! with status S".

pub mod reaper;
pub mod setup;

use std::ffi::OsString;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::path::PathBuf;

use crate::sys::mount::{CLONE_NEWPID, fork_into};
use crate::sys::signal::InheritedSignals;
use crate::sys::spawn::{self, ChildStep, ExecOutcome, ExecPlan, ExecReport};
use crate::sys::{self, ExitStatus, Pid};

pub use setup::{Input, Setup, VolumeSource};

/// Why a container could not be started.
#[derive(Debug, thiserror::Error)]
pub enum ContainerError {
    #[error("cannot {what}")]
    Prepare {
        what: String,
        #[source]
        source: io::Error,
    },
    #[error("{path}: {reason}")]
    Path { path: PathBuf, reason: &'static str },
    #[error("no command to run: the image has no entrypoint, so the container needs a command")]
    NoCommand,
    #[error("cannot fork the container's process")]
    Fork(#[source] io::Error),
}

impl ContainerError {
    pub(crate) fn plan(what: &str, source: io::Error) -> Self {
        Self::Prepare {
            what: what.to_owned(),
            source,
        }
    }
}

/// How to start the process.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// podinit can mount (CAP_SYS_ADMIN): isolate the container's root.
    pub can_mount: bool,
    /// A PID namespace of its own, with a reaper as its PID 1.
    pub own_pid_namespace: bool,
}

/// A started container process, as the event loop sees it.
#[derive(Debug)]
pub struct Process {
    /// What podinit signals and reaps: the process itself, or its reaper.
    pub pid: Pid,
    channel: Channel,
    about: About,
}

/// What the start of a process does, to name what failed.
#[derive(Debug, Default)]
pub(crate) struct About {
    /// What each setup step does, in step order.
    pub steps: Vec<String>,
    /// The program (argv\[0\]) as the container gave it.
    pub program: String,
}

#[derive(Debug)]
enum Channel {
    /// The exec report of a direct child; `None` once read to the end.
    Direct(Option<ExecReport>),
    /// The reaper's pipe; `None` once closed.
    Reaper(Option<OwnedFd>),
}

/// What a container's channel said.
#[derive(Debug, PartialEq, Eq)]
pub enum News {
    /// The program is running (execve succeeded).
    Started,
    /// It could not be started; the message says which step, and why.
    Failed(String),
    /// It exited (only from a reaper; a direct child's status comes from
    /// waitpid).
    Exited(ExitStatus),
}

impl Process {
    /// The descriptor to watch for news, if any is still to come.
    pub fn channel_fd(&self) -> Option<BorrowedFd<'_>> {
        match &self.channel {
            Channel::Direct(report) => report.as_ref().map(AsFd::as_fd),
            Channel::Reaper(fd) => fd.as_ref().map(AsFd::as_fd),
        }
    }

    /// Reads what the channel has to say, without blocking.
    pub fn read(&mut self, news: &mut Vec<News>) {
        match &mut self.channel {
            Channel::Direct(slot) => {
                let Some(report) = slot else { return };
                match report.read() {
                    Ok(ExecOutcome::Pending) => {}
                    Ok(ExecOutcome::Started) => {
                        news.push(News::Started);
                        *slot = None;
                    }
                    Ok(ExecOutcome::Failed(failure)) => {
                        news.push(News::Failed(describe(
                            failure.step,
                            &failure.error,
                            &self.about,
                        )));
                        *slot = None;
                    }
                    Err(err) => {
                        news.push(News::Failed(format!("cannot read the start report: {err}")));
                        *slot = None;
                    }
                }
            }
            Channel::Reaper(slot) => {
                let Some(fd) = slot else { return };
                let done = reaper::read_records(fd.as_fd(), &self.about, news);
                if done {
                    *slot = None;
                }
            }
        }
    }

    /// Whether a reaper stands between podinit and the program.
    pub fn has_reaper(&self) -> bool {
        matches!(self.channel, Channel::Reaper(_))
    }
}

/// The message for a failed step: which step, and the errno's text.
pub(crate) fn describe(step: ChildStep, error: &io::Error, about: &About) -> String {
    let why = sys::strerror(error);
    match step {
        ChildStep::Setup(index) => match about.steps.get(index) {
            Some(what) => format!("cannot {what}: {why}"),
            None => format!("setup step {index} failed: {why}"),
        },
        ChildStep::Exec => {
            let program = &about.program;
            if error.raw_os_error() == Some(libc::ENOENT) && !program.contains('/') {
                format!("cannot run {program:?}: not found in $PATH")
            } else {
                format!("cannot run {program:?}: {why}")
            }
        }
        ChildStep::ProcessGroup => format!("cannot create a process group: {why}"),
        ChildStep::Fork => format!(
            "cannot start {:?} in its PID namespace (the reaper's fork failed): {why}",
            about.program
        ),
    }
}

/// The exec plan of `argv` with `env` (its `PATH` searched) after `setup`,
/// every descriptor above stderr closed at `execve`; and what it is about.
fn exec_plan(
    argv: &[String],
    env: &[(String, String)],
    setup: Setup,
) -> Result<(ExecPlan, About), ContainerError> {
    let argv: Vec<OsString> = argv.iter().map(OsString::from).collect();
    let env: Vec<(OsString, OsString)> = env.iter().map(|(k, v)| (k.into(), v.into())).collect();
    let path = env
        .iter()
        .find(|(k, _)| k == "PATH")
        .map_or_else(|| OsString::from(spawn::DEFAULT_PATH), |(_, v)| v.clone());
    let mut plan = ExecPlan::new(&argv, &env, &path)
        .map_err(|e| ContainerError::plan("prepare the command line", e))?;
    plan.steps = setup.steps;
    plan.close_other_fds = true;
    let about = About {
        steps: setup.about,
        program: argv
            .first()
            .map(|a| a.to_string_lossy().into_owned())
            .unwrap_or_default(),
    };
    Ok((plan, about))
}

/// Starts `argv` with `env` as the container `input` describes.
pub fn spawn(
    input: &Input,
    argv: &[String],
    env: &[(String, String)],
    inherited: &InheritedSignals,
    options: Options,
) -> Result<Process, ContainerError> {
    if argv.is_empty() {
        return Err(ContainerError::NoCommand);
    }
    let setup = if options.can_mount {
        setup::isolated(input)?
    } else {
        setup::shared_root(input)?
    };
    let (mut plan, about) = exec_plan(argv, env, setup)?;
    if !options.own_pid_namespace {
        if let Some(fds) = input.stdio {
            let dups = [0, 1, 2]
                .into_iter()
                .zip(fds)
                .map(|(to, from)| crate::sys::steps::Step::Dup2 { from, to });
            plan.steps.splice(0..0, dups);
        }
        let (pid, report) = spawn::spawn(&mut plan, inherited).map_err(ContainerError::Fork)?;
        return Ok(Process {
            pid,
            channel: Channel::Direct(Some(report)),
            about,
        });
    }
    let (read, write) = sys::pipe_cloexec().map_err(ContainerError::Fork)?;
    match fork_into(CLONE_NEWPID).map_err(ContainerError::Fork)? {
        None => {
            drop(read);
            // The reaper closes what it does not need before it forks the
            // program: the program's stdio must be its own by then.
            if let Some(fds) = input.stdio {
                for (to, from) in [0, 1, 2].into_iter().zip(fds) {
                    sys::dup_onto(from, to);
                }
            }
            reaper::run(&mut plan, inherited, write)
        }
        Some(pid) => {
            drop(write);
            sys::set_nonblocking(read.as_fd()).map_err(ContainerError::Fork)?;
            Ok(Process {
                pid,
                channel: Channel::Reaper(Some(read)),
                about,
            })
        }
    }
}

/// A running container, as a process joining it sees it.
#[derive(Debug)]
pub struct Target<'a> {
    pub pod: &'a crate::spec::plan::PodPlan,
    pub container: &'a crate::spec::plan::ContainerPlan,
    /// The container's program (its mount namespace and root).
    pub program: Pid,
    /// The PID 1 of the container's own PID namespace, if it has one.
    pub reaper: Option<Pid>,
    pub cgroup_procs: Option<&'a std::ffi::CString>,
    /// podinit can mount: the container has a mount namespace and root of
    /// its own to join.
    pub can_mount: bool,
}

/// A process started inside a running container (an exec probe or hook):
/// podinit's child, in a session of its own, with stdout and stderr on a
/// pipe.
#[derive(Debug)]
pub struct Joined {
    pub pid: Pid,
    /// Says whether the command started.
    pub report: spawn::ExecReport,
    /// The read end of its stdout and stderr, non-blocking.
    pub output: OwnedFd,
    about: About,
}

impl Joined {
    /// What a failure report means, in words.
    pub fn describe(&self, failure: &spawn::ChildFailure) -> String {
        describe(failure.step, &failure.error, &self.about)
    }
}

/// Starts `argv` inside the running container `target`, as the
/// container's user, with `env`: in its cgroup, PID namespace, mount
/// namespace and root, in its working directory. stdin is `/dev/null`,
/// stdout and stderr go to one pipe (an exec probe or hook).
pub fn exec_in(
    target: &Target,
    argv: &[String],
    env: &[(String, String)],
    inherited: &InheritedSignals,
) -> Result<Joined, ContainerError> {
    let null = open_file("/dev/null")?;
    let (output, write) = sys::pipe_cloexec().map_err(ContainerError::Fork)?;
    let stdio = Stdio {
        stdin: null.as_fd(),
        stdout: write.as_fd(),
        stderr: write.as_fd(),
        tty: false,
    };
    let (pid, report, about) = join(target, argv, env, inherited, &stdio)?;
    drop(write);
    if let Err(err) = sys::set_nonblocking(output.as_fd()) {
        // Not to be left running untracked.
        let _ = sys::kill(pid, crate::sys::Signal::KILL);
        return Err(ContainerError::Fork(err));
    }
    Ok(Joined {
        pid,
        report,
        output,
        about,
    })
}

/// The standard descriptors of a process joining a container.
#[derive(Debug, Clone, Copy)]
pub struct Stdio<'a> {
    pub stdin: BorrowedFd<'a>,
    pub stdout: BorrowedFd<'a>,
    pub stderr: BorrowedFd<'a>,
    /// stdin is a terminal: make it the controlling one (`exec -t`).
    pub tty: bool,
}

/// A process started by [`exec_with`] (`podinit exec`).
#[derive(Debug)]
pub struct Attached {
    pub pid: Pid,
    pub report: spawn::ExecReport,
    about: About,
}

impl Attached {
    /// What a failure report means, in words.
    pub fn describe(&self, failure: &spawn::ChildFailure) -> String {
        describe(failure.step, &failure.error, &self.about)
    }
}

/// As [`exec_in`], with the caller's descriptors (`podinit exec`).
pub fn exec_with(
    target: &Target,
    argv: &[String],
    env: &[(String, String)],
    inherited: &InheritedSignals,
    stdio: &Stdio,
) -> Result<Attached, ContainerError> {
    let (pid, report, about) = join(target, argv, env, inherited, stdio)?;
    Ok(Attached { pid, report, about })
}

fn open_file(path: &str) -> Result<std::fs::File, ContainerError> {
    std::fs::File::open(path).map_err(|e| ContainerError::plan(&format!("open {path}"), e))
}

/// Forks `argv` into `target` with `stdio`.
fn join(
    target: &Target,
    argv: &[String],
    env: &[(String, String)],
    inherited: &InheritedSignals,
    stdio: &Stdio,
) -> Result<(Pid, spawn::ExecReport, About), ContainerError> {
    let open = |path: String| open_file(&path);
    let namespace = if target.can_mount {
        let fds = (
            open(format!("/proc/{}/ns/mnt", target.program))?,
            open(format!("/proc/{}/root", target.program))?,
        );
        // Under a reaper the program is not podinit's child: had it ended
        // and its pid gone to another process, that one's parent would not
        // be the reaper (which forks nothing else).
        if let Some(reaper) = target.reaper {
            if parent_of(target.program) != Some(reaper) {
                return Err(ContainerError::plan(
                    "find the container's program",
                    std::io::Error::from_raw_os_error(libc::ESRCH),
                ));
            }
        }
        Some(fds)
    } else {
        None
    };
    let fds = setup::JoinFds {
        namespace: namespace
            .as_ref()
            .map(|(mnt, root)| (mnt.as_raw_fd(), root.as_raw_fd())),
        stdin: stdio.stdin.as_raw_fd(),
        stdout: stdio.stdout.as_raw_fd(),
        stderr: stdio.stderr.as_raw_fd(),
        tty: stdio.tty,
    };
    let setup = setup::joined(target.pod, target.container, target.cgroup_procs, &fds)?;
    let (mut plan, about) = exec_plan(argv, env, setup)?;
    let (pid, report) = match target.reaper {
        None => spawn::spawn(&mut plan, inherited).map_err(ContainerError::Fork)?,
        Some(reaper) => {
            // The child must be born in the container's PID namespace:
            // podinit's own children go there until it comes back.
            let own = open("/proc/self/ns/pid".to_owned())?;
            let theirs = open(format!("/proc/{reaper}/ns/pid"))?;
            crate::sys::mount::setns(theirs.as_fd(), CLONE_NEWPID)
                .map_err(|e| ContainerError::plan("join the container's PID namespace", e))?;
            let spawned = spawn::spawn(&mut plan, inherited);
            let back = crate::sys::mount::setns(own.as_fd(), CLONE_NEWPID)
                .or_else(|_| crate::sys::mount::setns(own.as_fd(), CLONE_NEWPID));
            if let Err(err) = back {
                // Only a kernel out of memory: later children would be born
                // in the container's namespace and die with it.
                log::error!("cannot return to podinit's own PID namespace: {err}");
            }
            spawned.map_err(ContainerError::Fork)?
        }
    };
    Ok((pid, report, about))
}

/// The container's program under its reaper: the reaper's child that is
/// PID 2 of the namespace (the reaper forks nothing else first), from
/// `/proc/R/task/R/children`, or a scan of `/proc` for the reaper's children
/// where the kernel has no such file (CONFIG_PROC_CHILDREN).
pub fn program_of(reaper: Pid) -> Option<Pid> {
    let pids: Vec<Pid> =
        match std::fs::read_to_string(format!("/proc/{reaper}/task/{reaper}/children")) {
            Ok(children) => children
                .split_whitespace()
                .filter_map(|p| p.parse().ok())
                .collect(),
            Err(_) => std::fs::read_dir("/proc")
                .ok()?
                .flatten()
                .filter_map(|e| e.file_name().to_str()?.parse::<Pid>().ok())
                .filter(|&pid| parent_of(pid) == Some(reaper))
                .collect(),
        };
    pids.iter()
        .copied()
        .find(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/status"))
                .ok()
                .and_then(|status| {
                    let line = status.lines().find(|l| l.starts_with("NSpid:"))?;
                    Some(line.split_whitespace().last()? == "2")
                })
                .unwrap_or(false)
        })
        .or_else(|| pids.first().copied())
}

/// The parent of `pid`, from `/proc/PID/stat` (after the command's closing
/// parenthesis: state, then ppid).
pub fn parent_of(pid: Pid) -> Option<Pid> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(1)?.parse().ok()
}
