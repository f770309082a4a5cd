//! The driver's side of the control socket: what each request does to the
//! running pod. `status` and `describe` get a snapshot; `stop` starts the
//! graceful termination; `logs` says where a container's files are (the
//! client reads them itself, PID 1 copies no log to anyone); `exec` forks
//! the command into the container with the client's own descriptors, and
//! answers with its exit code when podinit reaps it.

use std::os::fd::{AsFd, OwnedFd};
use std::time::{Duration, Instant};

use super::Driver;
use crate::container::{self, Stdio};
use crate::pod::{Id, State};
use crate::status::control::{ClientId, Incoming, LogsAnswer, Request};
use crate::sys::spawn::{ChildStep, ExecOutcome, failure_exit_code};
use crate::sys::{ExitStatus, Pid};

/// A `podinit exec` running: who to tell when it ends.
#[derive(Debug)]
pub(super) struct Exec {
    client: ClientId,
    attached: container::Attached,
    container: String,
}

impl Driver<'_> {
    /// Serves the requests the socket has read.
    pub(super) fn serve(&mut self, now: Instant) {
        let Some(server) = &mut self.server else {
            return;
        };
        for incoming in server.take() {
            self.serve_one(incoming, now);
        }
    }

    fn serve_one(&mut self, incoming: Incoming, now: Instant) {
        let Incoming {
            client,
            request,
            fds,
        } = incoming;
        let request = match request {
            Ok(request) => request,
            Err(message) => return self.error(client, &message, now),
        };
        match request {
            Request::Status => {
                let snapshot = self.observer.snapshot(&self.pod, &self.status_facts, now);
                if let Some(server) = &mut self.server {
                    server.answer(client, &snapshot, false, now);
                }
            }
            Request::Stop { grace } => {
                let grace = match grace {
                    None => None,
                    Some(g) if g.is_finite() && g >= 0.0 => Some(Duration::from_secs_f64(g)),
                    Some(g) => {
                        return self.error(client, &format!("not a grace period: {g}"), now);
                    }
                };
                match grace {
                    Some(grace) => {
                        log::info!(
                            "podinit stop: stopping the pod with a grace period of {}s",
                            grace.as_secs_f64()
                        );
                        self.pod.stop_with_grace(now, grace);
                    }
                    None => {
                        log::info!("podinit stop: stopping the pod");
                        self.pod.stop(now, false);
                    }
                }
                self.answer(client, &serde_json::json!({ "stopping": true }), now);
            }
            Request::Logs {
                container,
                previous,
            } => match self.logs_answer(&container, previous) {
                Ok(answer) => self.answer(client, &answer, now),
                Err(message) => self.error(client, &message, now),
            },
            Request::Exec {
                container,
                command,
                stdin: _,
                tty,
                size,
            } => {
                let terminal = tty.then_some(size);
                // Nothing was forked: no command's exit code, podinit's 1.
                if let Err(message) = self.exec(client, &container, &command, terminal, fds, now) {
                    self.answer_last(
                        client,
                        &serde_json::json!({ "error": message, "exit": 1 }),
                        now,
                    );
                }
            }
        }
    }

    fn answer<T: serde::Serialize>(&mut self, client: ClientId, value: &T, now: Instant) {
        if let Some(server) = &mut self.server {
            server.answer(client, value, false, now);
        }
    }

    fn answer_last<T: serde::Serialize>(&mut self, client: ClientId, value: &T, now: Instant) {
        if let Some(server) = &mut self.server {
            server.answer(client, value, true, now);
        }
    }

    fn error(&mut self, client: ClientId, message: &str, now: Instant) {
        if let Some(server) = &mut self.server {
            server.error(client, message, now);
        }
    }

    /// The container named `name`, or the message kubectl gives.
    fn container_id(&self, name: &str) -> Result<Id, String> {
        self.pod
            .slots
            .iter()
            .position(|s| s.name == name)
            .ok_or_else(|| {
                let names: Vec<&str> = self.pod.slots.iter().map(|s| s.name.as_str()).collect();
                format!(
                    "container {name} is not valid for pod {}: the containers are [{}]",
                    self.plan.name,
                    names.join(" ")
                )
            })
    }

    fn logs_answer(&self, name: &str, previous: bool) -> Result<LogsAnswer, String> {
        let id = self.container_id(name)?;
        let slot = self.pod.slots.get(id).ok_or("no such container")?;
        if !slot.ever_started() {
            let reason = match &slot.state {
                State::Waiting { reason, .. } => reason.as_str(),
                _ => "ContainerCreating",
            };
            return Err(format!(
                "container {name:?} in pod {:?} is waiting to start: {reason}",
                self.plan.name
            ));
        }
        let restart = if previous {
            if slot.restarts == 0 {
                return Err(format!(
                    "previous terminated container {name:?} in pod {:?} not found",
                    self.plan.name
                ));
            }
            slot.restarts - 1
        } else {
            slot.restarts
        };
        Ok(LogsAnswer {
            dir: self.log_dir_of(name),
            restart,
            running: !previous && slot.is_active(),
        })
    }

    /// Starts `command` in the container for `client`: on the descriptors
    /// it sent, or with `terminal` (`-t`, the user's window size if known)
    /// on a new terminal of the container's own `/dev/pts`, whose master
    /// side goes back to the client in an interim answer.
    fn exec(
        &mut self,
        client: ClientId,
        name: &str,
        command: &[String],
        terminal: Option<Option<(u16, u16)>>,
        fds: Vec<OwnedFd>,
        now: Instant,
    ) -> Result<(), String> {
        let id = self.container_id(name)?;
        if command.is_empty() {
            return Err("no command to run".into());
        }
        let tty = terminal.is_some();
        let joinable = self
            .joinable(id)
            .map_err(|why| format!("container {name}: {why}"))?;
        let mut master = None;
        let [stdin, stdout, stderr] = match terminal {
            Some(size) => {
                let (m, slave) = self.container_pty(joinable.program)?;
                if let Some((rows, cols)) = size {
                    crate::sys::tty::set_window_size(m.as_fd(), rows, cols);
                }
                master = Some(m);
                let copy = |fd: &OwnedFd| {
                    fd.try_clone()
                        .map_err(|e| format!("cannot share the terminal: {e}"))
                };
                [copy(&slave)?, copy(&slave)?, slave]
            }
            None => <[OwnedFd; 3]>::try_from(fds)
                .map_err(|_| "exec needs stdin, stdout and stderr passed with the request")?,
        };
        let mut environment = joinable.env.to_vec();
        if tty && !environment.iter().any(|(k, _)| k == "TERM") {
            environment.push(("TERM".into(), "xterm".into()));
        }
        // As `kubectl exec`: the words as given, no `$(VAR)` expansion.
        let words = command.to_vec();
        let target = joinable.target(self.plan, self.options.can_mount);
        let stdio = Stdio {
            stdin: stdin.as_fd(),
            stdout: stdout.as_fd(),
            stderr: stderr.as_fd(),
            tty,
        };
        let attached =
            container::exec_with(&target, &words, &environment, self.core.inherited(), &stdio)
                .map_err(|e| crate::exit::report(&e))?;
        log::info!(
            "podinit exec: {:?} in container {name} (pid {})",
            command.join(" "),
            attached.pid
        );
        drop((stdin, stdout, stderr));
        if let Some(server) = &mut self.server {
            match master {
                Some(master) => server.answer_with_fds(
                    client,
                    &serde_json::json!({ "tty": true }),
                    vec![master],
                    now,
                ),
                None => server.hold(client),
            }
        }
        self.execs.insert(
            attached.pid,
            Exec {
                client,
                attached,
                container: name.to_owned(),
            },
        );
        Ok(())
    }

    /// A new terminal from the devpts of the container whose program is
    /// `pid`, so that the command finds it under its own `/dev/pts`
    /// (`tty`, `ttyname`); podinit's own when the container shares
    /// podinit's mounts.
    fn container_pty(&self, pid: Pid) -> Result<(OwnedFd, OwnedFd), String> {
        let fail = |e: std::io::Error| format!("cannot open a terminal: {e}");
        if !self.options.can_mount {
            return crate::sys::tty::open_pty().map_err(fail);
        }
        let ptmx = std::ffi::CString::new(format!("/proc/{pid}/root/dev/pts/ptmx"))
            .map_err(|e| e.to_string())?;
        crate::sys::tty::open_pty_at(&ptmx)
            .or_else(|err| {
                log::debug!(
                    "podinit exec: no terminal from {}: {err}; using podinit's own",
                    ptmx.to_string_lossy()
                );
                crate::sys::tty::open_pty()
            })
            .map_err(fail)
    }

    /// A reaped pid that was a `podinit exec`: its client gets the exit code
    /// (or why the command did not start). True if it was one.
    pub(super) fn exec_ended(&mut self, pid: Pid, status: ExitStatus, now: Instant) -> bool {
        let Some(exec) = self.execs.remove(&pid) else {
            return false;
        };
        let answer = match exec.attached.report.read() {
            Ok(ExecOutcome::Failed(failure)) => {
                let message = exec.attached.describe(&failure);
                log::info!("podinit exec in {}: {message}", exec.container);
                // 127 and 126 for the command itself, as a shell says; a
                // setup step that failed (its working directory...) is 126.
                let code = match failure.step {
                    ChildStep::Exec => failure.error.raw_os_error().map_or(126, failure_exit_code),
                    _ => 126,
                };
                serde_json::json!({ "error": message, "exit": code })
            }
            _ => {
                log::debug!("podinit exec in {} (pid {pid}): {status}", exec.container);
                serde_json::json!({ "exit": status.code() })
            }
        };
        self.answer_last(exec.client, &answer, now);
        true
    }
}
