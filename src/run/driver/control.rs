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
            } => {
                // Nothing was forked: no command's exit code, podinit's 1.
                if let Err(message) = self.exec(client, &container, &command, tty, fds) {
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

    /// Starts `command` in the container for `client`.
    fn exec(
        &mut self,
        client: ClientId,
        name: &str,
        command: &[String],
        tty: bool,
        fds: Vec<OwnedFd>,
    ) -> Result<(), String> {
        let id = self.container_id(name)?;
        if command.is_empty() {
            return Err("no command to run".into());
        }
        let [stdin, stdout, stderr] = <[OwnedFd; 3]>::try_from(fds)
            .map_err(|_| "exec needs stdin, stdout and stderr passed with the request")?;
        let joinable = self
            .joinable(id)
            .map_err(|why| format!("container {name}: {why}"))?;
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
        if let Some(server) = &mut self.server {
            server.hold(client);
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
