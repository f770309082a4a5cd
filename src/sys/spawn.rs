//! fork(2) and execve(2) of a child, with the failure of exec reported back.
//!
//! Everything the child needs (argv, envp, every path it will try) is built
//! before `fork`; after it the child makes only async-signal-safe calls
//! (signal-safety(7)): no allocation, no lock, no Rust I/O. When the program
//! cannot be started, the child writes a fixed 8-byte record (the step that
//! failed, the errno) to a close-on-exec pipe and exits with 127 or 126; a
//! successful `execve` closes the pipe, so the parent reads end-of-file.

use std::ffi::{CString, OsStr, OsString, c_char, c_int};
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;

use super::signal::InheritedSignals;
use super::steps::{self, Step};
use super::{Pid, cvt, pipe_cloexec, read, set_nonblocking};

/// The exit code of a child whose program does not exist (the shell's and
/// tini's convention).
pub const EXIT_NOT_FOUND: u8 = 127;
/// The exit code of a child whose program exists but cannot be executed.
pub const EXIT_CANNOT_EXECUTE: u8 = 126;

/// The step of the child's setup that failed, as sent through the pipe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChildStep {
    /// `setpgid(0, 0)`: moving into a process group of its own.
    ProcessGroup,
    /// `execve` of the program (after the whole `PATH` search).
    Exec,
    /// One of [`ExecPlan::steps`], by index.
    Setup(usize),
    /// A container's reaper could not fork the program (or set itself up).
    Fork,
}

/// Setup steps go on the wire as this plus their index.
const SETUP_BASE: u32 = 1000;

impl ChildStep {
    pub(crate) fn to_wire(self) -> u32 {
        match self {
            Self::ProcessGroup => 1,
            Self::Exec => 2,
            Self::Fork => 3,
            Self::Setup(index) => {
                SETUP_BASE.saturating_add(u32::try_from(index).unwrap_or(u32::MAX - SETUP_BASE))
            }
        }
    }

    pub(crate) fn from_wire(value: u32) -> Option<Self> {
        match value {
            1 => Some(Self::ProcessGroup),
            2 => Some(Self::Exec),
            3 => Some(Self::Fork),
            n if n >= SETUP_BASE => usize::try_from(n - SETUP_BASE).ok().map(Self::Setup),
            _ => None,
        }
    }
}

/// Why a child could not start its program.
#[derive(Debug)]
pub struct ChildFailure {
    pub step: ChildStep,
    pub error: io::Error,
}

/// What a program to run needs from `fork` to `execve`, built beforehand.
#[derive(Debug)]
pub struct ExecPlan {
    /// Paths to try, in order, as execvp(3) tries the directories of `PATH`.
    candidates: Vec<CString>,
    argv: Vec<CString>,
    envp: Vec<CString>,
    argv_ptrs: Vec<*const c_char>,
    envp_ptrs: Vec<*const c_char>,
    /// `/bin/sh PATH ARGS...` for a file without a known format (`ENOEXEC`),
    /// as execvp(3) does; slot 1 is filled in with the candidate in the child.
    sh_ptrs: Vec<*const c_char>,
    sh: CString,
    /// Put the child in a process group of its own (`setpgid(0, 0)`).
    pub new_process_group: bool,
    /// When stdin is a terminal, make the child's group its foreground group.
    pub foreground: bool,
    /// Setup to run in the child before `execve` (a container's mounts,
    /// identity, capabilities), in order.
    pub steps: Vec<Step>,
    /// Close every descriptor above stderr at `execve` (a container must
    /// not inherit what its caller or podinit had open); tini mode passes
    /// them on, as tini does.
    pub close_other_fds: bool,
}

/// Default search path when the environment has no `PATH`: the one container
/// runtimes set.
pub const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

fn cstring(bytes: &[u8]) -> io::Result<CString> {
    CString::new(bytes).map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))
}

impl ExecPlan {
    /// Plans `argv` (`argv[0]` is the program, looked up in `search_path` when it
    /// has no `/`) with the environment `env`. Fails with `EINVAL` when a
    /// string holds a NUL byte and `ENOENT` when argv is empty.
    pub fn new(
        argv: &[OsString],
        env: &[(OsString, OsString)],
        search_path: &OsStr,
    ) -> io::Result<Self> {
        let program = argv
            .first()
            .ok_or_else(|| io::Error::from_raw_os_error(libc::ENOENT))?;
        let argv: Vec<CString> = argv
            .iter()
            .map(|arg| cstring(arg.as_bytes()))
            .collect::<io::Result<_>>()?;
        let envp: Vec<CString> = env
            .iter()
            .map(|(key, value)| {
                let mut pair = key.as_bytes().to_vec();
                pair.push(b'=');
                pair.extend_from_slice(value.as_bytes());
                cstring(&pair)
            })
            .collect::<io::Result<_>>()?;
        let candidates = candidates(program.as_bytes(), search_path.as_bytes())
            .iter()
            .map(|path| cstring(path))
            .collect::<io::Result<_>>()?;
        let sh = cstring(b"/bin/sh")?;
        let mut plan = Self {
            candidates,
            argv,
            envp,
            argv_ptrs: Vec::new(),
            envp_ptrs: Vec::new(),
            sh_ptrs: Vec::new(),
            sh,
            new_process_group: false,
            foreground: false,
            steps: Vec::new(),
            close_other_fds: false,
        };
        plan.argv_ptrs = null_terminated(&plan.argv);
        plan.envp_ptrs = null_terminated(&plan.envp);
        // [sh, <candidate>, argv[1..]..., NULL]
        plan.sh_ptrs = std::iter::once(plan.sh.as_ptr())
            .chain(std::iter::once(std::ptr::null()))
            .chain(plan.argv.iter().skip(1).map(|arg| arg.as_ptr()))
            .chain(std::iter::once(std::ptr::null()))
            .collect();
        Ok(plan)
    }

    /// The paths the child will try, in order.
    pub fn candidates(&self) -> impl Iterator<Item = &[u8]> {
        self.candidates.iter().map(|c| c.as_bytes())
    }
}

fn null_terminated(strings: &[CString]) -> Vec<*const c_char> {
    strings
        .iter()
        .map(|s| s.as_ptr())
        .chain(std::iter::once(std::ptr::null()))
        .collect()
}

/// The paths execvp(3) tries for `program`: the name itself when it holds a
/// `/`, else each directory of `search_path` joined with it (an empty entry
/// meaning the current directory). An empty program has none.
fn candidates(program: &[u8], search_path: &[u8]) -> Vec<Vec<u8>> {
    if program.is_empty() {
        return Vec::new();
    }
    if program.contains(&b'/') {
        return vec![program.to_vec()];
    }
    search_path
        .split(|&b| b == b':')
        .map(|dir| {
            if dir.is_empty() {
                program.to_vec()
            } else {
                let mut path = dir.to_vec();
                if !dir.ends_with(b"/") {
                    path.push(b'/');
                }
                path.extend_from_slice(program);
                path
            }
        })
        .collect()
}

/// The read end of a child's report pipe, non-blocking.
#[derive(Debug)]
pub struct ExecReport(OwnedFd);

/// What a report pipe says so far.
#[derive(Debug)]
pub enum ExecOutcome {
    /// Nothing yet: the child is still between `fork` and `execve`.
    Pending,
    /// End of file without a record: `execve` succeeded.
    Started,
    /// The child could not start the program.
    Failed(ChildFailure),
}

impl ExecReport {
    /// Reads the record, if any, without blocking.
    pub fn read(&self) -> io::Result<ExecOutcome> {
        let mut record = [0u8; 8];
        let n = match read(self.0.as_fd(), &mut record) {
            Ok(n) => n,
            Err(err) if err.kind() == io::ErrorKind::WouldBlock => return Ok(ExecOutcome::Pending),
            Err(err) => return Err(err),
        };
        if n == 0 {
            return Ok(ExecOutcome::Started);
        }
        // The child writes the 8 bytes with one write(2) to a pipe, which is
        // atomic below PIPE_BUF: a short record means a broken child.
        let (step, errno) = record.split_at(4);
        let step = <[u8; 4]>::try_from(step).map(u32::from_ne_bytes).ok();
        let errno = <[u8; 4]>::try_from(errno).map(i32::from_ne_bytes).ok();
        match (n, step.and_then(ChildStep::from_wire), errno) {
            (8, Some(step), Some(errno)) => Ok(ExecOutcome::Failed(ChildFailure {
                step,
                error: io::Error::from_raw_os_error(errno),
            })),
            _ => Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("malformed exec report of {n} bytes"),
            )),
        }
    }
}

impl AsFd for ExecReport {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.0.as_fd()
    }
}

/// The exit code a child uses when it could not start its program.
pub fn failure_exit_code(errno: c_int) -> u8 {
    match errno {
        libc::ENOENT | libc::ENOTDIR => EXIT_NOT_FOUND,
        _ => EXIT_CANNOT_EXECUTE,
    }
}

/// Forks a child that runs `plan` with the signal state in `inherited` put
/// back. Returns its pid and the report pipe to watch.
pub fn spawn(plan: &mut ExecPlan, inherited: &InheritedSignals) -> io::Result<(Pid, ExecReport)> {
    let (report_read, report_write) = pipe_cloexec()?;
    // SAFETY: podinit is single-threaded, so the child is a full copy in a
    // consistent state; it runs only child_after_fork, which never returns.
    let pid = cvt(unsafe { libc::fork() })?;
    if pid == 0 {
        child_after_fork(plan, inherited, report_write.as_raw_fd());
    }
    drop(report_write);
    if plan.new_process_group {
        // Also from the parent, so that the group exists before the first
        // signal is forwarded to it, whoever runs first (setpgid(2)). EACCES
        // (the child has already exec'd) and ESRCH (it is gone) are fine.
        // SAFETY: setpgid has no memory-safety preconditions.
        unsafe { libc::setpgid(pid, pid) };
    }
    set_nonblocking(report_read.as_fd())?;
    Ok((pid, ExecReport(report_read)))
}

/// The child between `fork` and `execve`. Async-signal-safe calls only.
fn child_after_fork(plan: &mut ExecPlan, inherited: &InheritedSignals, report: c_int) -> ! {
    if plan.new_process_group {
        // SAFETY: async-signal-safe syscall wrapper without pointers.
        if unsafe { libc::setpgid(0, 0) } == -1 {
            child_fail(report, ChildStep::ProcessGroup, errno());
        }
        // podinit ignores SIGTTOU, and the child still does until the restore
        // below, so tcsetpgrp cannot stop it. Errors (no terminal, not the
        // controlling terminal) leave the child in the background, as tini
        // does for ENOTTY.
        // SAFETY: async-signal-safe calls without pointers.
        if plan.foreground && unsafe { libc::isatty(libc::STDIN_FILENO) } == 1 {
            // SAFETY: as above.
            unsafe { libc::tcsetpgrp(libc::STDIN_FILENO, libc::getpid()) };
        }
    }
    if let Err((index, errno)) = steps::run(&plan.steps) {
        child_fail(report, ChildStep::Setup(index), errno);
    }
    inherited.restore_in_child();
    if plan.close_other_fds {
        // Close-on-exec rather than closed: the report pipe must stay open
        // until the execve succeeds. Without close_range (Linux < 5.11)
        // the descriptors stay, as before.
        super::close_range(3, c_int::MAX, libc::CLOSE_RANGE_CLOEXEC as libc::c_uint);
    }

    let mut saw_eacces = false;
    let mut last = libc::ENOENT;
    for candidate in &plan.candidates {
        // SAFETY: candidate, argv_ptrs and envp_ptrs are NUL-terminated
        // strings and NULL-terminated arrays built before fork.
        unsafe {
            libc::execve(
                candidate.as_ptr(),
                plan.argv_ptrs.as_ptr(),
                plan.envp_ptrs.as_ptr(),
            )
        };
        let mut err = errno();
        if err == libc::ENOEXEC {
            // A file without a known format: a script without `#!`, which
            // execvp(3) hands to the shell.
            plan.sh_ptrs[1] = candidate.as_ptr();
            // SAFETY: sh_ptrs is a NULL-terminated array of pointers to live
            // strings; it is this child's own copy of the parent's memory.
            unsafe {
                libc::execve(
                    plan.sh.as_ptr(),
                    plan.sh_ptrs.as_ptr(),
                    plan.envp_ptrs.as_ptr(),
                )
            };
            err = libc::ENOEXEC;
        }
        match err {
            libc::EACCES => saw_eacces = true,
            libc::ENOENT | libc::ENOTDIR | libc::ESTALE | libc::ENODEV | libc::ETIMEDOUT => {}
            _ => child_fail(report, ChildStep::Exec, err),
        }
        last = err;
    }
    child_fail(
        report,
        ChildStep::Exec,
        if saw_eacces { libc::EACCES } else { last },
    )
}

fn errno() -> c_int {
    io::Error::last_os_error()
        .raw_os_error()
        .unwrap_or(libc::EIO)
}

fn child_fail(report: c_int, step: ChildStep, errno: c_int) -> ! {
    let mut record = [0u8; 8];
    record[..4].copy_from_slice(&step.to_wire().to_ne_bytes());
    record[4..].copy_from_slice(&errno.to_ne_bytes());
    // SAFETY: write and _exit are async-signal-safe; record is 8 live bytes.
    unsafe {
        libc::write(report, record.as_ptr().cast(), record.len());
        libc::_exit(c_int::from(failure_exit_code(errno)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(program: &str, search: &str) -> Vec<String> {
        candidates(program.as_bytes(), search.as_bytes())
            .into_iter()
            .map(|p| String::from_utf8(p).unwrap())
            .collect()
    }

    #[test]
    fn candidates_follow_execvp() {
        assert_eq!(paths("sh", "/bin:/usr/bin/"), ["/bin/sh", "/usr/bin/sh"]);
        assert_eq!(paths("./run", "/bin"), ["./run"]);
        assert_eq!(paths("/abs/x", "/bin"), ["/abs/x"]);
        assert_eq!(paths("x", ":/bin"), ["x", "/bin/x"]);
        assert!(paths("", "/bin").is_empty());
    }

    #[test]
    fn plan_refuses_nul_bytes_and_empty_argv() {
        let nul = vec![OsString::from("a\0b")];
        assert_eq!(
            ExecPlan::new(&nul, &[], OsStr::new("/bin"))
                .unwrap_err()
                .raw_os_error(),
            Some(libc::EINVAL)
        );
        assert_eq!(
            ExecPlan::new(&[], &[], OsStr::new("/bin"))
                .unwrap_err()
                .raw_os_error(),
            Some(libc::ENOENT)
        );
    }

    #[test]
    fn exit_codes_for_exec_failures() {
        assert_eq!(failure_exit_code(libc::ENOENT), 127);
        assert_eq!(failure_exit_code(libc::ENOTDIR), 127);
        assert_eq!(failure_exit_code(libc::EACCES), 126);
        assert_eq!(failure_exit_code(libc::ENOEXEC), 126);
        assert_eq!(failure_exit_code(libc::E2BIG), 126);
    }
}
