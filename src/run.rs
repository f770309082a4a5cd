//! `podinit run`: read the manifest, make or take the pod's namespaces, run
//! the pod.
//!
//! As PID 1 (container mode, and later VM mode) the namespaces podinit is
//! in are the pod's. Otherwise (host mode) podinit forks a second podinit
//! into new PID, mount, UTS, IPC and network namespaces (each kept from
//! the host when the pod asks for `hostPID`, `hostIPC`, `hostNetwork`);
//! that one is the pod's PID 1 and runs it as in container mode, while the
//! first one relays the signals it receives and exits with the pod's exit
//! code, as a container runtime's shim would.
//!
//! The pod itself is driven by the loop of [`driver`]: the [`crate::pod`] state
//! machine decides, the driver forks, signals and reaps.

pub mod driver;
pub mod facts;
pub mod observe;

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

use crate::cli::RunArgs;
use crate::exit::ExitCode;
use crate::init::{Core, Role, Wakeup};
use crate::spec::check::{self, Options};
use crate::spec::load;
use crate::spec::plan::{self, PodPlan};
use crate::sys::mount::{
    self, CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWUTS,
};
use crate::sys::{self, ExitStatus, Signal};

/// Runs `podinit run`.
pub fn run(args: &RunArgs) -> ExitCode {
    crate::logging::init(args.verbosity);
    let (plan, manifest) = match read_plan(args) {
        Ok(read) => read,
        Err(code) => return code,
    };
    // Signals first, so that nothing sent from here on is lost.
    let core = match Core::start() {
        Ok(core) => core,
        Err(err) => {
            log::error!("{}", crate::exit::report(&err));
            return ExitCode::Failure;
        }
    };
    if core.role() == Role::Pid1 {
        return driver::run_pod(core, args, plan, &manifest, driver::Mode::Container).code;
    }
    host_mode(core, args, plan, &manifest)
}

/// How a pod ended, for VM mode's last console line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ended {
    /// The pod's name, or the manifest's path when it was not read.
    pub pod: String,
    /// Succeeded or Failed (Failed too when the pod could not start).
    pub phase: &'static str,
    pub code: u8,
}

/// Where VM mode writes the logs when `/var/log/pods` cannot be made.
pub const VM_LOG_FALLBACK: &str = "/run/log/pods";

/// VM mode's pod: the manifest at `pod`, run as in container mode with
/// `podinit run`'s defaults (the machine is the sandbox).
/// `core` was started at the top of the boot, so that no signal sent to
/// the machine's init since then is lost.
pub fn run_vm(core: Core, pod: &std::path::Path, verbosity: i32) -> Ended {
    let failed = |code: ExitCode| Ended {
        pod: pod.display().to_string(),
        phase: crate::pod::Phase::Failed.as_str(),
        code: code.code(),
    };
    let words = [OsString::from("run"), pod.as_os_str().to_owned()];
    let mut args = match crate::cli::parse(&words, |_| None) {
        Ok(crate::cli::Command::Run(args)) => args,
        _ => {
            log::error!("{}: not a manifest path podinit can read", pod.display());
            return failed(ExitCode::BadInput);
        }
    };
    args.verbosity = verbosity;
    // The console is the only view of the pod: say whose each line is.
    args.log_prefix = true;
    // A root filesystem mounted read-only (the kernel's default for a
    // disk) cannot take the logs: they go to /run, in memory, as
    // journald's do.
    if let Err(err) = std::fs::create_dir_all(&args.log_dir) {
        let memory = std::path::PathBuf::from(VM_LOG_FALLBACK);
        log::warn!(
            "cannot use {} for the containers' logs ({}): they go to {}, in memory",
            args.log_dir.display(),
            crate::sys::strerror(&err),
            memory.display()
        );
        args.log_dir = memory;
    }
    let (plan, manifest) = match read_plan(&args) {
        Ok(read) => read,
        Err(code) => return failed(code),
    };
    let name = plan.name.clone();
    let ended = driver::run_pod(core, &args, plan, &manifest, driver::Mode::Vm);
    Ended {
        pod: name,
        phase: ended.phase.as_str(),
        code: ended.code.code(),
    }
}

/// The manifest's plan, and the defaulted pod as JSON (for the status);
/// diagnostics go to stderr.
fn read_plan(args: &RunArgs) -> Result<(PodPlan, serde_json::Value), ExitCode> {
    let mut stderr = std::io::stderr().lock();
    let sources = load::read_sources(&args.files).map_err(|err| {
        let _ = writeln!(stderr, "podinit run: {err}");
        ExitCode::BadInput
    })?;
    let checked = check::check(
        &sources,
        Options {
            ignore_unsupported: args.ignore_unsupported,
        },
    );
    for diag in &checked.diags {
        let _ = writeln!(stderr, "{diag}");
    }
    if checked.not_yaml || checked.errors() > 0 {
        let _ = writeln!(
            stderr,
            "podinit run: the manifest is not valid (podinit validate {} says the same)",
            args.files.join(" ")
        );
        return Err(ExitCode::BadInput);
    }
    let plan = plan::plan(&checked).map_err(|errors| {
        for diag in errors {
            let _ = writeln!(stderr, "{diag}");
        }
        ExitCode::BadInput
    })?;
    let manifest = checked
        .pod()
        .and_then(|pod| serde_json::to_value(pod).ok())
        .unwrap_or(serde_json::Value::Null);
    Ok((plan, manifest))
}

/// Host mode: the pod's PID 1 in new namespaces, and this process as its
/// shim.
fn host_mode(
    mut core: Core,
    args: &RunArgs,
    plan: PodPlan,
    manifest: &serde_json::Value,
) -> ExitCode {
    let ns = plan.namespaces;
    let mut flags = CLONE_NEWNS;
    // A hostNetwork pod keeps the node's hostname too (the kubelet asks
    // for the node's UTS namespace then).
    if !ns.host_network {
        flags |= CLONE_NEWUTS;
    }
    if !ns.host_pid {
        flags |= CLONE_NEWPID;
    }
    if !ns.host_ipc {
        flags |= CLONE_NEWIPC;
    }
    if !ns.host_network {
        flags |= CLONE_NEWNET;
    }
    // The node's address and name, before the pod's namespaces hide them.
    let host = driver::HostFacts::here();
    match mount::fork_into(flags) {
        Err(err) => {
            let hint = if err.raw_os_error() == Some(libc::EPERM) {
                ": podinit run needs root (CAP_SYS_ADMIN) to make the pod's namespaces; \
                 without it, run podinit as PID 1 of a container (its ENTRYPOINT)"
            } else {
                ""
            };
            log::error!(
                "cannot create the pod's namespaces: {}{hint}",
                sys::strerror(&err)
            );
            ExitCode::Failure
        }
        Ok(None) => {
            // The pod's PID 1. A terminal's Ctrl-C goes to the shim, which
            // relays it once: leave its session and process group.
            let _ = nix::unistd::setsid();
            // If the shim is killed outright, so is the pod.
            let _ = sys::set_parent_death_signal(Signal::KILL);
            core.after_fork();
            if let Err(err) = private_mounts(!ns.host_pid) {
                log::error!("{err}");
                std::process::exit(i32::from(ExitCode::Failure.code()));
            }
            let code = driver::run_pod(core, args, plan, manifest, driver::Mode::Host(host)).code;
            std::process::exit(i32::from(code.code()))
        }
        Ok(Some(pid)) => shim(core, pid),
    }
}

/// In the pod's new mount namespace: nothing propagates back to the host,
/// and `/proc` shows the pod's PID namespace.
fn private_mounts(new_pid_namespace: bool) -> Result<(), String> {
    use crate::sys::mount::{MS_NODEV, MS_NOEXEC, MS_NOSUID, MS_PRIVATE, MS_REC};
    mount::mount(None, c"/", None, MS_REC | MS_PRIVATE, None).map_err(|e| {
        format!(
            "cannot make the pod's mounts private: {}",
            sys::strerror(&e)
        )
    })?;
    if new_pid_namespace {
        mount::mount(
            Some(c"proc"),
            c"/proc",
            Some(c"proc"),
            MS_NOSUID | MS_NODEV | MS_NOEXEC,
            None,
        )
        .map_err(|e| {
            format!(
                "cannot mount /proc for the pod's PID namespace: {}",
                sys::strerror(&e)
            )
        })?;
    }
    Ok(())
}

/// The shim: relays every signal to the pod's PID 1 and exits with its
/// exit code.
fn shim(mut core: Core, pod: sys::Pid) -> ExitCode {
    let mut deadlines = crate::deadline::Deadlines::<()>::new();
    let mut wakeup = Wakeup::default();
    loop {
        core.wait(&[], &mut deadlines, &mut wakeup);
        // The exit first: a signal must not go to a pid already reaped.
        for &(pid, status) in &wakeup.exited {
            if pid == pod {
                return match status {
                    ExitStatus::Exited(code) => ExitCode::Program(code),
                    ExitStatus::Signaled { .. } => {
                        log::error!("the pod's podinit (pid {pod}) ended by {status}");
                        ExitCode::Program(status.code())
                    }
                };
            }
        }
        for received in &wakeup.signals {
            if received.signal == Signal::CHLD {
                continue;
            }
            if received.signal == Signal::PIPE && received.sender == core.pid() {
                continue;
            }
            log::debug!("relaying {} to the pod (pid {pod})", received.signal);
            if let Err(err) = sys::kill(pod, received.signal) {
                log::debug!("cannot relay {} to pid {pod}: {err}", received.signal);
            }
        }
        if wakeup.no_children {
            log::error!("the pod's podinit (pid {pod}) is gone");
            return ExitCode::Failure;
        }
    }
}

/// Where the pod's directory goes: `STATE/NAMESPACE_NAME_UID`.
pub fn pod_dir(state_dir: &std::path::Path, plan: &PodPlan, uid: &str) -> PathBuf {
    // Absolute: mounts in it are found in mountinfo by their absolute path.
    let state_dir = std::path::absolute(state_dir).unwrap_or_else(|_| state_dir.to_path_buf());
    state_dir.join(pod_dir_name(plan, uid))
}

/// `NAMESPACE_NAME_UID`, one path component, as the kubelet names a pod's
/// directories (the state directory's and the logs'). The namespace and
/// name are DNS labels (validated); the uid is free text in a manifest, so
/// anything but `[A-Za-z0-9._-]` in it becomes `_` and a leading dot too:
/// `uid: ../../etc` must not name a path.
pub fn pod_dir_name(plan: &PodPlan, uid: &str) -> String {
    let safe = |text: &str| -> String {
        text.chars()
            .enumerate()
            .map(|(i, c)| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' || (c == '.' && i > 0) {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    };
    format!(
        "{}_{}_{}",
        safe(&plan.namespace),
        safe(&plan.name),
        safe(uid)
    )
}
