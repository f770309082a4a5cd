//! VM mode: podinit as the kernel's `/init`, the only process that sets
//! the machine up and the one that stops it.
//!
//! The boot, in order (docs/architecture.md has it with the reasons):
//! 1. [`chosen`]: PID 1 of the first PID namespace (or `podinit.mode=vm`);
//!    `/proc` is mounted to tell;
//! 2. descriptors 0 to 2 held, a panic hook that powers off;
//! 3. devtmpfs on `/dev`, then the console as stdin, stdout, stderr and
//!    controlling terminal;
//! 4. the kernel command line's settings, the log level;
//! 5. the initramfs's root bound onto itself, so that the containers can
//!    pivot_root out of it;
//! 6. sysfs, devpts, `/dev/shm`, `/run`, `/tmp`, cgroup2, the `/dev` links;
//! 7. Ctrl-Alt-Del as SIGINT;
//! 8. the pod, as in container mode (hostname and loopback included);
//! 9. `leave`: the summary line on the console, everything left killed,
//!    sync, unmount, power off (or reboot or halt). podinit never returns:
//!    if PID 1 exits, the kernel panics.

pub mod cmdline;
pub mod mounts;

use std::ffi::OsString;
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::init::Core;
use crate::run::Ended;
use crate::sys::boot::{self, PowerAction};
use crate::sys::mount::{self, MS_BIND, MS_MOVE, MS_REC};
use crate::sys::{self, Signal, strerror};
use cmdline::{ModeChoice, Settings};
use mounts::Done;

/// The inode of the first PID namespace (the kernel's PROC_PID_INIT_INO).
const INITIAL_PID_NAMESPACE: u64 = 0xEFFF_FFFC;

/// Where the console is once devtmpfs is mounted.
const CONSOLE: &std::ffi::CStr = c"/dev/console";

/// The kernel command line's settings when podinit is the machine's init;
/// `None` otherwise. Only PID 1 can be; it mounts `/proc` if nothing did
/// (the kernel starts init with nothing mounted) to read its PID namespace
/// and the command line.
///
/// `podinit.mode=container` says never; `podinit.mode=vm` says yes when
/// the PID namespace cannot be seen. A podinit that can see it is in a
/// container never takes the command line's word: that is the machine's,
/// and a container inside a podinit VM may run podinit too.
pub fn chosen() -> Option<Settings> {
    if sys::getpid() != 1 {
        return None;
    }
    let mut mounted_proc = false;
    if !Path::new("/proc/self").exists() {
        mounted_proc = mounts::apply(&mounts::PROC) == Done::Mounted;
    }
    let settings = cmdline::parse(&std::fs::read_to_string("/proc/cmdline").unwrap_or_default());
    let mode = settings.mode;
    let chosen = mode != ModeChoice::Container
        && match pid_namespace() {
            Some(inode) => inode == INITIAL_PID_NAMESPACE,
            None => mounted_proc || mode == ModeChoice::Vm,
        };
    if mounted_proc && !chosen {
        // A container without /proc: leave it as it was.
        let _ = mount::umount(c"/proc", mount::MNT_DETACH);
    }
    chosen.then_some(settings)
}

/// The inode of podinit's PID namespace, if `/proc` shows it.
fn pid_namespace() -> Option<u64> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self/ns/pid").ok().map(|m| m.ino())
}

/// Boots the machine with `settings` (from [`chosen`]), runs the pod,
/// stops the machine.
pub fn main(args: &[OsString], settings: &Settings) -> ! {
    boot::hold_standard_fds();
    std::panic::set_hook(Box::new(|info| {
        // A child forked by podinit (it has not exec'd yet) must not stop
        // the machine.
        if sys::getpid() != 1 {
            boot::exit_now(127);
        }
        let _ = writeln!(std::io::stderr(), "podinit: {info}");
        boot::sync();
        stop_machine(PowerAction::PowerOff)
    }));
    // Signals first: the kernel drops a signal sent to its init that has
    // no handler, so a SIGTERM or Ctrl-Alt-Del before the pod starts would
    // be lost; blocked, it waits in the signalfd for the pod's loop.
    let core = Core::start();
    let mut problems = Vec::new();
    for early in [mounts::PROC, mounts::DEV] {
        if let Done::Failed(message) = mounts::apply(&early) {
            problems.push(message);
        }
    }
    if let Err(err) = boot::attach_console(CONSOLE) {
        problems.push(format!(
            "cannot take {} as the console: {}",
            CONSOLE.to_string_lossy(),
            strerror(&err)
        ));
    }
    let verbosity = settings.verbosity.unwrap_or(crate::cli::RUN_VERBOSITY);
    crate::logging::init(verbosity);
    log::info!(
        "booting the machine, {:.3} s after the kernel started",
        boot::since_boot().as_secs_f64()
    );
    if let Err(message) = leave_rootfs() {
        problems.push(message);
    }
    for early in mounts::REST {
        if let Done::Failed(message) = mounts::apply(early) {
            problems.push(message);
        }
    }
    problems.extend(mounts::links());
    for problem in problems {
        log::warn!("{problem}");
    }
    for warning in &settings.warnings {
        log::warn!("kernel command line: {warning}");
    }
    if let Some(words) = args.get(1..).filter(|w| !w.is_empty()) {
        let words: Vec<_> = words.iter().map(|w| w.to_string_lossy()).collect();
        log::warn!(
            "ignoring the words the kernel passed as arguments: {} (VM mode takes its settings \
             from podinit.* words)",
            words.join(" ")
        );
    }
    if let Err(err) = boot::ctrl_alt_del_to_signal() {
        log::warn!(
            "Ctrl-Alt-Del will reboot at once, not stop the pod: {}",
            strerror(&err)
        );
    }
    let ended = match core {
        Ok(core) => crate::run::run_vm(core, &settings.pod, verbosity),
        Err(err) => {
            log::error!("{}", crate::exit::report(&err));
            Ended {
                pod: settings.pod.display().to_string(),
                phase: crate::pod::Phase::Failed.as_str(),
                code: crate::exit::ExitCode::Failure.code(),
            }
        }
    };
    leave(settings.on_exit, &ended)
}

/// pivot_root(2) cannot move the initramfs's rootfs away: it has no
/// parent mount. A bind of it moved onto `/` has one, and the containers'
/// pivot_root then works. Nothing to do on a disk root.
fn leave_rootfs() -> Result<(), String> {
    let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    if !root_has_no_parent(&mountinfo) {
        return Ok(());
    }
    let dir = c"/.podinit-root";
    let fail = |what: &str, err: std::io::Error| {
        format!(
            "cannot {what} (containers with an image other than / will not start): {}",
            strerror(&err)
        )
    };
    mount::mkdir(dir, 0o700).map_err(|e| fail("make /.podinit-root", e))?;
    mount::mount(Some(c"/"), dir, None, MS_BIND | MS_REC, None)
        .map_err(|e| fail("bind the initramfs onto itself", e))?;
    mount::chdir(dir).map_err(|e| fail("enter the initramfs's bind", e))?;
    mount::mount(Some(c"."), c"/", None, MS_MOVE, None)
        .map_err(|e| fail("move the initramfs's bind onto /", e))?;
    mount::chroot(c".").map_err(|e| fail("enter the initramfs's bind", e))?;
    let _ = mount::chdir(c"/");
    let _ = std::fs::remove_dir("/.podinit-root");
    Ok(())
}

/// Whether `/` is a mount without a parent, as the kernel's rootfs (an
/// initramfs) is: its mountinfo line names itself as its parent.
fn root_has_no_parent(mountinfo: &str) -> bool {
    mountinfo.lines().any(|line| {
        let fields: Vec<&str> = line.split(' ').collect();
        fields.get(4) == Some(&"/") && !fields.is_empty() && fields.first() == fields.get(1)
    })
}

/// The console line that ends every boot: the pod, its phase, its exit
/// code and what happens next. The boot script reads the exit code from
/// it.
pub fn summary(ended: &Ended, action: PowerAction) -> String {
    format!(
        "podinit: pod {} {} with exit code {}; {}",
        ended.pod,
        ended.phase,
        ended.code,
        doing(action)
    )
}

fn doing(action: PowerAction) -> &'static str {
    match action {
        PowerAction::PowerOff => "powering off",
        PowerAction::Reboot => "rebooting",
        PowerAction::Halt => "halting",
    }
}

/// The pod has ended: the summary line, then everything still running
/// killed and reaped, the filesystems synced and unmounted, and the
/// machine stopped.
fn leave(action: PowerAction, ended: &Ended) -> ! {
    let _ = writeln!(std::io::stderr(), "{}", summary(ended, action));
    // The pod's processes are gone; an exec session or a daemon a
    // container left in podinit's own namespaces may not be.
    let _ = sys::kill(-1, Signal::KILL);
    reap_all(Duration::from_secs(2));
    boot::sync();
    for problem in mounts::unmount_all() {
        log::warn!("{problem}");
    }
    boot::sync();
    stop_machine(action)
}

/// Reaps children until there are none, for at most `limit` (a process
/// stuck in the kernel cannot be waited for).
fn reap_all(limit: Duration) {
    let until = Instant::now() + limit;
    loop {
        match sys::reap_one() {
            Ok(Some(_)) => continue,
            Ok(None) if Instant::now() < until => std::thread::sleep(Duration::from_millis(5)),
            _ => return,
        }
    }
}

/// reboot(2), and if that fails, power off; if even that fails, say so
/// and sleep forever, reaping: PID 1 must not exit.
fn stop_machine(action: PowerAction) -> ! {
    let err = boot::reboot(action);
    let _ = writeln!(
        std::io::stderr(),
        "podinit: {} failed: {}",
        doing(action),
        strerror(&err)
    );
    if action != PowerAction::PowerOff {
        let err = boot::reboot(PowerAction::PowerOff);
        let _ = writeln!(
            std::io::stderr(),
            "podinit: powering off failed: {}",
            strerror(&err)
        );
    }
    let _ = writeln!(
        std::io::stderr(),
        "podinit: the machine cannot be stopped; waiting (PID 1 must not exit)"
    );
    loop {
        while let Ok(Some(_)) = sys::reap_one() {}
        std::thread::sleep(Duration::from_secs(60));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_initramfs_root_has_no_parent() {
        let initramfs = "1 1 0:2 / / rw - rootfs rootfs rw,size=107020k\n\
                         21 1 0:19 / /proc rw,relatime - proc proc rw\n";
        let disk = "21 1 254:1 / / rw,relatime - ext4 /dev/vda rw\n\
                    22 21 0:2 / /rootfs rw - rootfs rootfs rw\n";
        let rebound = "23 1 0:2 / / rw - rootfs rootfs rw\n\
                       24 23 0:19 / /proc rw,relatime - proc proc rw\n";
        assert!(root_has_no_parent(initramfs));
        assert!(!root_has_no_parent(disk));
        assert!(!root_has_no_parent(rebound));
        assert!(!root_has_no_parent(""));
    }

    #[test]
    fn the_summary_line_names_phase_code_and_action() {
        let ended = Ended {
            pod: "web".to_owned(),
            phase: "Failed",
            code: 3,
        };
        let cases = [
            (
                PowerAction::PowerOff,
                "podinit: pod web Failed with exit code 3; powering off",
            ),
            (
                PowerAction::Reboot,
                "podinit: pod web Failed with exit code 3; rebooting",
            ),
            (
                PowerAction::Halt,
                "podinit: pod web Failed with exit code 3; halting",
            ),
        ];
        for (action, want) in cases {
            assert_eq!(summary(&ended, action), want);
        }
    }
}
