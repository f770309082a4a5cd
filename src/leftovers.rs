//! Finding and signalling the processes a program left behind.
//!
//! When the program podinit started has exited, its daemons, stray children
//! and orphans are still podinit's descendants (it is PID 1 or a subreaper).
//! [`Leftovers::signal`] reaches them:
//!
//! - as PID 1, with `kill(-1, sig)`: every other process of the namespace at
//!   once, and the kernel lets no fork slip through it;
//! - otherwise by reading podinit's descendants from procfs and signalling
//!   each through a pidfd, after checking that the pid still names the
//!   process that was read (same start time), so that a pid reused in
//!   between is never hit. For SIGKILL the scan repeats until it finds nobody
//!   new, since a process may fork between scan and signal (once SIGKILL is
//!   pending it can fork no more);
//! - without a procfs of podinit's own namespace, only the program's process
//!   group can be named; podinit says so once.
//!
//! It decides nothing about when; that is the caller's state machine.

use std::collections::HashSet;
use std::os::fd::AsFd;
use std::path::PathBuf;

use crate::init::Role;
use crate::procfs::{self, Stat};
use crate::sys::{self, Pid, Signal};

/// Where to look for leftovers, and what has been said about it.
#[derive(Debug)]
pub struct Leftovers {
    proc: PathBuf,
    own_pid: Pid,
    role: Role,
    warned_blind: bool,
}

impl Leftovers {
    pub fn new(proc: PathBuf, own_pid: Pid, role: Role) -> Self {
        Self {
            proc,
            own_pid,
            role,
            warned_blind: false,
        }
    }

    /// Sends `signal` (and SIGCONT after SIGTERM, so that a stopped process
    /// gets it) to every leftover, but those in process group `spare_group`.
    /// `group` is the program's process group, the last resort.
    pub fn signal(&mut self, signal: Signal, spare_group: Option<Pid>, group: Pid) {
        let signals: &[Signal] = if signal == Signal::TERM {
            &[Signal::TERM, Signal::CONT]
        } else {
            std::slice::from_ref(&signal)
        };
        if self.role == Role::Pid1 && spare_group.is_none() {
            kill_all_but_self(signals);
        } else if procfs::is_own_namespace(&self.proc, self.own_pid) {
            self.signal_descendants(signals, spare_group);
        } else {
            if !self.warned_blind {
                self.warned_blind = true;
                log::warn!(
                    "{} is not the procfs of podinit's PID namespace: only process group {group} \
                     can be found, leftovers outside it cannot",
                    self.proc.display()
                );
            }
            if spare_group != Some(group) {
                for &signal in signals {
                    let _ = sys::kill(-group, signal);
                }
            }
        }
    }

    fn signal_descendants(&self, signals: &[Signal], spare_group: Option<Pid>) {
        let first = signals.first().copied().unwrap_or(Signal::KILL);
        // Processes already signalled in this pass: a SIGKILLed process shows
        // as alive until the kernel has torn it down.
        let mut signalled = HashSet::new();
        loop {
            let all = match procfs::processes(&self.proc) {
                Ok(all) => all,
                Err(err) => {
                    log::error!("cannot list {}: {err}", self.proc.display());
                    return;
                }
            };
            let found: Vec<Stat> = procfs::descendants(&all, self.own_pid)
                .into_iter()
                .filter(|stat| Some(stat.pgrp) != spare_group && !signalled.contains(&stat.pid))
                .collect();
            if found.is_empty() {
                return;
            }
            log::info!(
                "sending {first} to {} leftover processes: {:?}",
                found.len(),
                found.iter().map(|s| s.pid).collect::<Vec<_>>()
            );
            for stat in &found {
                self.signal_one(stat, signals);
            }
            if first != Signal::KILL {
                return;
            }
            signalled.extend(found.iter().map(|s| s.pid));
        }
    }

    /// Signals the process `stat` describes, if its pid still names it.
    fn signal_one(&self, stat: &Stat, signals: &[Signal]) {
        match sys::pidfd_open(stat.pid) {
            Ok(pidfd) => {
                let same = Stat::read(&self.proc, stat.pid)
                    .is_some_and(|now| now.start_time == stat.start_time);
                if !same {
                    log::debug!("pid {} was reused before it could be signalled", stat.pid);
                    return;
                }
                for &signal in signals {
                    let _ = sys::pidfd_send_signal(pidfd.as_fd(), signal);
                }
            }
            // Gone already.
            Err(err) if err.raw_os_error() == Some(libc::ESRCH) => {}
            // A kernel before 5.3: kill(2), with the tiny race it has.
            Err(_) => {
                for &signal in signals {
                    let _ = sys::kill(stat.pid, signal);
                }
            }
        }
    }
}

/// As PID 1: `kill(-1)` reaches every process of the namespace but podinit.
fn kill_all_but_self(signals: &[Signal]) {
    for (index, &signal) in signals.iter().enumerate() {
        match sys::kill(-1, signal) {
            Ok(()) if index == 0 => log::info!("sent {signal} to every process left"),
            Ok(()) => {}
            Err(err) if err.raw_os_error() == Some(libc::ESRCH) => return,
            Err(err) => log::error!("cannot send {signal} to the processes left: {err}"),
        }
    }
}
