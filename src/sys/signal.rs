//! Signals as numbers, masks, dispositions and a signalfd.
//!
//! podinit never installs a signal handler: it blocks the signals it wants and
//! reads them from a signalfd(2) in its poll loop. A blocked signal is never
//! discarded as ignored, which is what lets PID 1 of a namespace receive
//! signals it has no handler for (pid_namespaces(7), signal(7)). What podinit
//! changes of the signal state it inherited is recorded in
//! [`InheritedSignals`], so that each child can get it back before `execve`.
//!
//! Masks are the kernel's 64-bit signal set, used through the raw
//! `rt_sigprocmask` and `signalfd4` syscalls: libc's `sigset_t` functions
//! hide the real-time signals libc keeps for itself (32 and 33 for glibc, 32
//! to 34 for musl), which would then stay unblocked (killing a subreaper
//! podinit), never be forwarded, and be lost from the mask a child inherits.

use std::ffi::c_int;
use std::fmt;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd};

use super::{Pid, cvt};

/// A signal number, real-time signals included (which `nix::sys::signal::Signal`
/// cannot hold and tini forwards all the same).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Signal(c_int);

/// The classic signals by name, in number order as on Linux x86 and arm.
const NAMES: &[(&str, c_int)] = &[
    ("HUP", libc::SIGHUP),
    ("INT", libc::SIGINT),
    ("QUIT", libc::SIGQUIT),
    ("ILL", libc::SIGILL),
    ("TRAP", libc::SIGTRAP),
    ("ABRT", libc::SIGABRT),
    ("BUS", libc::SIGBUS),
    ("FPE", libc::SIGFPE),
    ("KILL", libc::SIGKILL),
    ("USR1", libc::SIGUSR1),
    ("SEGV", libc::SIGSEGV),
    ("USR2", libc::SIGUSR2),
    ("PIPE", libc::SIGPIPE),
    ("ALRM", libc::SIGALRM),
    ("TERM", libc::SIGTERM),
    ("STKFLT", libc::SIGSTKFLT),
    ("CHLD", libc::SIGCHLD),
    ("CONT", libc::SIGCONT),
    ("STOP", libc::SIGSTOP),
    ("TSTP", libc::SIGTSTP),
    ("TTIN", libc::SIGTTIN),
    ("TTOU", libc::SIGTTOU),
    ("URG", libc::SIGURG),
    ("XCPU", libc::SIGXCPU),
    ("XFSZ", libc::SIGXFSZ),
    ("VTALRM", libc::SIGVTALRM),
    ("PROF", libc::SIGPROF),
    ("WINCH", libc::SIGWINCH),
    ("IO", libc::SIGIO),
    ("PWR", libc::SIGPWR),
    ("SYS", libc::SIGSYS),
];

/// Other names the shell and signal(7) accept for the same numbers.
const ALIASES: &[(&str, c_int)] = &[
    ("IOT", libc::SIGABRT),
    ("CLD", libc::SIGCHLD),
    ("POLL", libc::SIGIO),
];

impl Signal {
    pub const HUP: Self = Self(libc::SIGHUP);
    pub const INT: Self = Self(libc::SIGINT);
    pub const QUIT: Self = Self(libc::SIGQUIT);
    pub const KILL: Self = Self(libc::SIGKILL);
    pub const USR1: Self = Self(libc::SIGUSR1);
    pub const USR2: Self = Self(libc::SIGUSR2);
    pub const PIPE: Self = Self(libc::SIGPIPE);
    pub const TERM: Self = Self(libc::SIGTERM);
    pub const CHLD: Self = Self(libc::SIGCHLD);
    pub const CONT: Self = Self(libc::SIGCONT);
    pub const TTIN: Self = Self(libc::SIGTTIN);
    pub const TTOU: Self = Self(libc::SIGTTOU);
    pub const PWR: Self = Self(libc::SIGPWR);
    pub const WINCH: Self = Self(libc::SIGWINCH);

    pub const fn from_raw(number: c_int) -> Self {
        Self(number)
    }

    pub const fn as_raw(self) -> c_int {
        self.0
    }

    /// The highest signal number on Linux (`_NSIG - 1`).
    pub const MAX: c_int = 64;

    /// SIGRTMIN and SIGRTMAX as `kill -l`, glibc and Docker number them,
    /// whatever libc podinit is built with (musl's SIGRTMIN is 35).
    fn realtime_range() -> (c_int, c_int) {
        (34, Self::MAX)
    }

    /// Every signal number a process can be sent, 1 up to 64.
    pub fn all() -> impl Iterator<Item = Signal> {
        (1..=Self::MAX).map(Signal)
    }

    /// Parses `SIGTERM`, `TERM`, `sigterm`, `15`, `SIGRTMIN+2` or `RTMAX-1`.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if let Ok(number) = text.parse::<c_int>() {
            return (1..=Self::MAX).contains(&number).then_some(Self(number));
        }
        let upper = text.to_ascii_uppercase();
        let name = upper.strip_prefix("SIG").unwrap_or(&upper);
        if let Some(&(_, number)) = NAMES
            .iter()
            .chain(ALIASES)
            .find(|(candidate, _)| *candidate == name)
        {
            return Some(Self(number));
        }
        let (min, max) = Self::realtime_range();
        let (base, rest) = if let Some(rest) = name.strip_prefix("RTMIN") {
            (min, rest)
        } else if let Some(rest) = name.strip_prefix("RTMAX") {
            (max, rest)
        } else {
            return None;
        };
        let number = match rest.as_bytes().first() {
            None => base,
            Some(b'+') => base.checked_add(rest[1..].parse::<c_int>().ok()?)?,
            Some(b'-') => base.checked_sub(rest[1..].parse::<c_int>().ok()?)?,
            Some(_) => return None,
        };
        (min..=max).contains(&number).then_some(Self(number))
    }
}

impl fmt::Display for Signal {
    /// `SIGTERM`, `SIGRTMIN+3`, or the bare number for one Linux does not name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some((name, _)) = NAMES.iter().find(|(_, number)| *number == self.0) {
            return write!(f, "SIG{name}");
        }
        let (min, max) = Self::realtime_range();
        if (min..=max).contains(&self.0) {
            return write!(f, "SIGRTMIN+{}", self.0 - min);
        }
        write!(f, "{}", self.0)
    }
}

impl fmt::Debug for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}({})", self.0)
    }
}

/// A set of signals as the kernel holds it: bit N-1 for signal N, 1..=64.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct SignalMask(u64);

impl fmt::Debug for SignalMask {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set()
            .entries(Signal::all().filter(|s| self.contains(*s)))
            .finish()
    }
}

/// The size of the kernel's signal set, as the raw syscalls want it.
const KERNEL_SIGSET_SIZE: usize = std::mem::size_of::<u64>();

impl SignalMask {
    pub const fn empty() -> Self {
        Self(0)
    }

    /// Every signal, 1 to 64 (the kernel silently keeps SIGKILL and SIGSTOP
    /// out of any mask).
    pub const fn full() -> Self {
        Self(u64::MAX)
    }

    fn bit(signal: Signal) -> u64 {
        match signal.0 {
            n @ 1..=Signal::MAX => 1 << (n - 1),
            _ => 0,
        }
    }

    pub fn add(&mut self, signal: Signal) {
        self.0 |= Self::bit(signal);
    }

    pub fn remove(&mut self, signal: Signal) {
        self.0 &= !Self::bit(signal);
    }

    pub fn contains(&self, signal: Signal) -> bool {
        Self::bit(signal) != 0 && self.0 & Self::bit(signal) != 0
    }

    /// `rt_sigprocmask(how, new, old)` on the raw syscall.
    fn sigprocmask(how: c_int, new: Option<&Self>) -> io::Result<Self> {
        let mut old = Self::empty();
        let new_ptr = new.map_or(std::ptr::null(), |n| &n.0 as *const u64);
        // SAFETY: new_ptr is null or points to a live u64, old.0 is a writable
        // u64, and the size given is the size of both.
        let ret = unsafe {
            libc::syscall(
                libc::SYS_rt_sigprocmask,
                how,
                new_ptr,
                &mut old.0 as *mut u64,
                KERNEL_SIGSET_SIZE,
            )
        };
        if ret == -1 {
            return Err(io::Error::last_os_error());
        }
        Ok(old)
    }

    /// This thread's signal mask.
    pub fn current() -> io::Result<Self> {
        Self::sigprocmask(libc::SIG_BLOCK, None)
    }

    /// Makes this set the signal mask; returns the previous one.
    pub fn apply(&self) -> io::Result<Self> {
        Self::sigprocmask(libc::SIG_SETMASK, Some(self))
    }
}

/// What a process does with a signal when it is not blocked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    Default,
    Ignore,
    /// A handler function; never set by podinit, only seen.
    Handler,
}

/// One signal's `struct sigaction`, kept to be put back later.
#[derive(Clone, Copy)]
pub struct SavedAction {
    signal: Signal,
    action: libc::sigaction,
}

impl fmt::Debug for SavedAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {:?}", self.signal, self.disposition())
    }
}

impl SavedAction {
    pub fn disposition(&self) -> Disposition {
        match self.action.sa_sigaction {
            libc::SIG_DFL => Disposition::Default,
            libc::SIG_IGN => Disposition::Ignore,
            _ => Disposition::Handler,
        }
    }
}

/// Sets `signal` to the default action or to ignored (sigaction(2)); returns
/// the action it had, to put back with [`InheritedSignals`].
pub fn set_disposition(signal: Signal, to: Disposition) -> io::Result<SavedAction> {
    let handler = match to {
        Disposition::Default => libc::SIG_DFL,
        Disposition::Ignore => libc::SIG_IGN,
        Disposition::Handler => return Err(io::Error::from_raw_os_error(libc::EINVAL)),
    };
    // SAFETY: an all-zero sigaction is a valid value (no flags, empty mask).
    let mut new: libc::sigaction = unsafe { std::mem::zeroed() };
    new.sa_sigaction = handler;
    // SAFETY: as above; filled in by sigaction below.
    let mut old: libc::sigaction = unsafe { std::mem::zeroed() };
    // SAFETY: both pointers refer to live sigaction structs.
    cvt(unsafe { libc::sigaction(signal.0, &new, &mut old) })?;
    Ok(SavedAction {
        signal,
        action: old,
    })
}

/// The current disposition of `signal`, without changing it.
pub fn disposition(signal: Signal) -> io::Result<Disposition> {
    // SAFETY: an all-zero sigaction is a valid value; filled in below.
    let mut old: libc::sigaction = unsafe { std::mem::zeroed() };
    // SAFETY: a null new action only reads the current one into `old`.
    cvt(unsafe { libc::sigaction(signal.0, std::ptr::null(), &mut old) })?;
    Ok(SavedAction {
        signal,
        action: old,
    }
    .disposition())
}

/// The signal state podinit received from whoever started it, as far as
/// podinit changed it: the mask, and the dispositions it replaced.
#[derive(Debug, Clone)]
pub struct InheritedSignals {
    mask: SignalMask,
    actions: Vec<SavedAction>,
}

impl InheritedSignals {
    pub fn mask(&self) -> &SignalMask {
        &self.mask
    }

    /// Takes over the signal state: blocks `block`, sets each of `set` to its
    /// disposition, and records what was there before.
    pub fn take_over(block: &SignalMask, set: &[(Signal, Disposition)]) -> io::Result<Self> {
        let mut actions = Vec::with_capacity(set.len());
        for &(signal, to) in set {
            actions.push(set_disposition(signal, to)?);
        }
        let mask = block.apply()?;
        Ok(Self { mask, actions })
    }

    /// Puts the inherited state back. Only sigaction(2) and sigprocmask(2),
    /// both async-signal-safe (signal-safety(7)): this runs in a freshly
    /// forked child before `execve`. Errors are ignored: there is nobody to
    /// report them to, and neither call can fail with valid arguments.
    pub(super) fn restore_in_child(&self) {
        for saved in &self.actions {
            // SAFETY: the action was filled in by the kernel; the old-action
            // pointer may be null.
            unsafe { libc::sigaction(saved.signal.0, &saved.action, std::ptr::null_mut()) };
        }
        // SAFETY: the raw syscall (no libc wrapper, so libc's own signals are
        // restored too) with a live u64 as the new set and no old set.
        unsafe {
            libc::syscall(
                libc::SYS_rt_sigprocmask,
                libc::SIG_SETMASK,
                &self.mask.0 as *const u64,
                std::ptr::null_mut::<u64>(),
                KERNEL_SIGSET_SIZE,
            )
        };
    }
}

/// A signal read from a [`SignalFd`], with who sent it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReceivedSignal {
    pub signal: Signal,
    /// The sender's pid in podinit's namespace; 0 for the kernel or a process
    /// outside the namespace.
    pub sender: Pid,
}

/// A non-blocking, close-on-exec signalfd(2) for a set of blocked signals.
#[derive(Debug)]
pub struct SignalFd(OwnedFd);

impl SignalFd {
    pub fn new(mask: &SignalMask) -> io::Result<Self> {
        // SAFETY: the raw signalfd4 syscall: -1 asks for a new descriptor,
        // the mask is a live u64 of the size given.
        let fd = unsafe {
            libc::syscall(
                libc::SYS_signalfd4,
                -1,
                &mask.0 as *const u64,
                KERNEL_SIGSET_SIZE,
                libc::SFD_NONBLOCK | libc::SFD_CLOEXEC,
            )
        };
        let fd = cvt(c_int::try_from(fd).unwrap_or(-1))?;
        // SAFETY: signalfd returned a new descriptor that nothing else owns.
        Ok(Self(unsafe { OwnedFd::from_raw_fd(fd) }))
    }

    /// Reads every pending signal into `out`, until the descriptor is empty.
    pub fn drain_into(&self, out: &mut Vec<ReceivedSignal>) -> io::Result<()> {
        const BATCH: usize = 16;
        let size = std::mem::size_of::<libc::signalfd_siginfo>();
        // SAFETY: signalfd_siginfo is plain integers; all-zero is valid.
        let mut buf: [libc::signalfd_siginfo; BATCH] = unsafe { std::mem::zeroed() };
        loop {
            // SAFETY: buf is valid for writes of BATCH * size bytes.
            let n =
                unsafe { libc::read(self.0.as_raw_fd(), buf.as_mut_ptr().cast(), BATCH * size) };
            if n < 0 {
                let err = io::Error::last_os_error();
                match err.raw_os_error() {
                    Some(libc::EAGAIN) => return Ok(()),
                    Some(libc::EINTR) => continue,
                    _ => return Err(err),
                }
            }
            let count = n as usize / size;
            out.extend(buf[..count].iter().map(|info| ReceivedSignal {
                signal: Signal(info.ssi_signo as c_int),
                sender: info.ssi_pid as Pid,
            }));
            if count < BATCH {
                return Ok(());
            }
        }
    }
}

impl AsFd for SignalFd {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.0.as_fd()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_in_every_spelling() {
        let cases = [
            ("SIGTERM", Some(libc::SIGTERM)),
            ("TERM", Some(libc::SIGTERM)),
            ("sigterm", Some(libc::SIGTERM)),
            ("15", Some(15)),
            ("SIGKILL", Some(libc::SIGKILL)),
            ("SIGIOT", Some(libc::SIGABRT)),
            ("SIGRTMIN", Some(34)),
            ("SIGRTMIN+2", Some(36)),
            ("RTMAX-1", Some(63)),
            ("32", Some(32)),
            ("SIGRTMAX+1", None),
            ("0", None),
            ("65", None),
            ("SIGFOO", None),
            ("", None),
            ("SIGRTMIN+x", None),
        ];
        for (text, want) in cases {
            assert_eq!(Signal::parse(text).map(Signal::as_raw), want, "{text:?}");
        }
    }

    #[test]
    fn display_round_trips_through_parse() {
        for signal in Signal::all() {
            let shown = signal.to_string();
            assert_eq!(Signal::parse(&shown), Some(signal), "{shown}");
        }
    }

    #[test]
    fn masks_hold_what_is_added() {
        let mut mask = SignalMask::empty();
        assert!(!mask.contains(Signal::TERM));
        mask.add(Signal::TERM);
        mask.add(Signal::from_raw(64));
        mask.add(Signal::from_raw(0));
        mask.add(Signal::from_raw(65));
        assert!(mask.contains(Signal::TERM));
        assert!(mask.contains(Signal::from_raw(64)));
        assert!(!mask.contains(Signal::from_raw(0)));
        mask.remove(Signal::TERM);
        assert!(!mask.contains(Signal::TERM));
        assert_eq!(mask, SignalMask(1 << 63));
        // libc's own real-time signals are in a full set.
        for n in [32, 33, 34] {
            assert!(SignalMask::full().contains(Signal::from_raw(n)));
        }
    }
}
