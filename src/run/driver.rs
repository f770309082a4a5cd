//! The pod's event loop: the sandbox, the volumes, then one `poll` that
//! turns the state machine's actions into forks and signals, and what the
//! kernel says (exits, start reports, signals) into its events.
//!
//! Boot sequence (docs/running.md has it with the reasons):
//! 1. the images, every one resolved before anything is made;
//! 2. the pod's directory under `--state-dir`, locked;
//! 3. the namespaces' settings: hostname, loopback;
//! 4. the sandbox files (`/etc/hosts`, `/etc/hostname`, `/etc/resolv.conf`,
//!    `/dev/shm`);
//! 5. the volumes;
//! 6. the loop, until the pod's end; then the cleanup.

use std::collections::HashMap;
use std::ffi::CString;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;
use std::time::Instant;

mod control;
mod output;

use super::facts::{self, Facts};
use super::observe::Observer;
use crate::cgroup::{self, ContainerCgroup, PodCgroup};
use crate::cli::RunArgs;
use crate::container::{self, Input, News, Options, Process};
use crate::deadline::Deadlines;
use crate::exit::ExitCode;
use crate::image::{ImageStore, Rootfs};
use crate::init::{Core, Wakeup};
use crate::pod::{Action, BackoffConfig, Id, Kind, Phase, Pod, StopWhy};
use crate::probe::schedule::{self, Next, Verdict, Worker};
use crate::probe::{self, Check, Checks, Finished, Outcome, Owner, Purpose};
use crate::sandbox::{self, Files};
use crate::spec::plan::container::MessagePolicy;
use crate::spec::plan::env;
use crate::spec::plan::{ContainerPlan, Handler, HttpGet, PodPlan, Probe, ProbeAction};
use crate::status::build::Facts as StatusFacts;
use crate::status::control::{ClientId, Server};
use crate::status::events::Type as EventType;
use crate::sys::{self, ExitStatus, Pid, PollFd, Signal};
use crate::volume::{self, Prepared};

/// How podinit came to be the pod's PID 1.
#[derive(Debug, Clone)]
pub enum Mode {
    /// It was started as PID 1: the namespaces are the pod's.
    Container,
    /// `podinit run` on a host made the namespaces.
    Host(HostFacts),
    /// The kernel started it as `/init`: the machine is the sandbox.
    Vm,
}

/// How [`run_pod`] ended: podinit's exit code and the pod's phase.
#[derive(Debug, Clone, Copy)]
pub struct PodEnded {
    pub code: ExitCode,
    pub phase: Phase,
}

/// The node as seen before the pod's namespaces were made.
#[derive(Debug, Clone)]
pub struct HostFacts {
    pub ip: IpAddr,
    pub name: String,
}

impl HostFacts {
    pub fn here() -> Self {
        Self {
            ip: sys::net::primary_address(),
            name: sandbox::current_hostname(),
        }
    }
}

/// The file in an instance's directory bound at its terminationMessagePath.
const TERMINATION_LOG: &str = "termination-log";

/// Capability numbers (capability.h).
const CAP_SYS_ADMIN: u32 = 21;

/// Whether this process has `cap` in its effective set.
fn has_capability(cap: u32) -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|l| l.starts_with("CapEff:"))?;
            u64::from_str_radix(line.split_whitespace().nth(1)?, 16).ok()
        })
        .is_some_and(|eff| eff & (1 << cap) != 0)
}

/// A running container instance.
#[derive(Debug)]
struct Running {
    id: Id,
    process: Process,
    cgroup: Option<ContainerCgroup>,
    /// Its own directory (overlay layers), removed when it ends.
    dir: PathBuf,
    /// Which start of the container it is ([`crate::pod::Slot::instance`]).
    instance: u32,
    /// Its end is already told (a start failure, or its reaper's exit
    /// record): the process's own exit is not news.
    reported: bool,
    /// Its environment, for exec probes and hooks.
    env: Vec<(String, String)>,
}

/// A running container instance, as a process joining it needs it.
#[derive(Debug)]
struct Joinable<'a, 's> {
    container: &'a ContainerPlan,
    program: Pid,
    reaper: Option<Pid>,
    procs: Option<CString>,
    env: &'s [(String, String)],
}

impl Joinable<'_, '_> {
    fn target<'t>(&'t self, pod: &'t PodPlan, can_mount: bool) -> container::Target<'t> {
        container::Target {
            pod,
            container: self.container,
            program: self.program,
            reaper: self.reaper,
            cgroup_procs: self.procs.as_ref(),
            can_mount,
        }
    }
}

/// The probes of a container's current instance.
#[derive(Debug)]
struct Probes<'a> {
    instance: u32,
    workers: Vec<(Worker, &'a Probe)>,
}

/// Runs the pod to its end and returns podinit's exit code.
///
/// `manifest` is the defaulted pod as JSON: the state file and `podinit
/// status -o yaml` show it with its status.
pub fn run_pod(
    core: Core,
    args: &RunArgs,
    plan: PodPlan,
    manifest: &serde_json::Value,
    mode: Mode,
) -> PodEnded {
    match Driver::prepare(core, args, &plan, manifest, mode) {
        Ok(mut driver) => {
            let code = driver.run();
            driver.cleanup();
            PodEnded {
                code,
                phase: driver.pod.phase(),
            }
        }
        Err(err) => {
            log::error!("{err}");
            PodEnded {
                code: ExitCode::Failure,
                phase: Phase::Failed,
            }
        }
    }
}

/// Everything the loop needs.
struct Driver<'a> {
    core: Core,
    plan: &'a PodPlan,
    pod: Pod,
    facts: Facts<'a>,
    pod_dir: PathBuf,
    /// The lock on the pod's directory, held while podinit runs.
    _lock: Option<nix::fcntl::Flock<std::fs::File>>,
    sandbox: Files,
    volumes: Prepared,
    roots: Vec<Rootfs>,
    cgroup: PodCgroup,
    options: Options,
    /// By the pid podinit reaps (the process, or its reaper).
    running: HashMap<Pid, Running>,
    /// SIGINTs so far: the second one kills at once.
    interrupts: u32,
    /// VM mode: say on the console when the pod first runs, with the time
    /// since the kernel started.
    announce_running: bool,
    /// Probes and hooks running now.
    checks: Checks,
    /// By container: the probe workers of its running instance.
    probes: HashMap<Id, Probes<'a>>,
    /// The pod's IP: where httpGet and tcpSocket go without a host.
    pod_ip: IpAddr,
    /// The status, the events, the state file.
    observer: Observer,
    status_facts: StatusFacts<'a>,
    /// The control socket, unless it could not be made.
    server: Option<Server>,
    /// `podinit exec` commands running, by pid.
    execs: HashMap<Pid, control::Exec>,
    /// `LOGDIR/NS_POD_UID`: the containers' log directories are in it.
    pod_log_dir: PathBuf,
    /// The containers' stdout and stderr.
    outputs: output::Outputs,
}

impl<'a> Driver<'a> {
    fn prepare(
        core: Core,
        args: &RunArgs,
        plan: &'a PodPlan,
        manifest: &serde_json::Value,
        mode: Mode,
    ) -> Result<Self, String> {
        let can_mount = has_capability(CAP_SYS_ADMIN);
        let share_pid =
            plan.namespaces.share_process_namespace || plan.namespaces.host_pid || !can_mount;
        if !can_mount {
            log::warn!(
                "podinit has no CAP_SYS_ADMIN: the containers share podinit's root filesystem, \
                 mounts and PID namespace (no image but /, no volumes, no /dev/shm of the pod)"
            );
            refuse_without_mounts(plan)?;
        }
        let uid = if plan.uid.is_empty() {
            new_uid()
        } else {
            plan.uid.clone()
        };
        let pod_dir = super::pod_dir(&args.state_dir, plan, &uid);
        // Every image first, before anything is made for the pod.
        let roots = resolve_images(plan, &ImageStore::new(&args.images))?;
        let lock = lock_pod_dir(&pod_dir)?;
        // Until the pod is ready to run, an error removes the directory
        // (and unmounts what is in it).
        let mut guard = DirGuard(Some(pod_dir.clone()));
        // The namespaces: podinit made them in host mode; in container
        // mode they came with the container, and the hostname is set unless
        // the UTS namespace is the machine's own (`unshare --pid` without
        // `--uts`): the pod must not rename the host.
        let set_hostname = match mode {
            Mode::Host(_) | Mode::Vm => true,
            Mode::Container => {
                let initial = sandbox::in_initial_uts_namespace();
                if initial && !plan.namespaces.host_network {
                    log::warn!(
                        "podinit shares the machine's UTS namespace: the hostname stays {:?} (not {:?})",
                        sandbox::current_hostname(),
                        sandbox::kernel_hostname(plan)
                    );
                }
                !initial
            }
        };
        if let Err(err) = sandbox::configure_namespaces(plan, set_hostname) {
            let text = crate::exit::report(&err);
            match mode {
                Mode::Host(_) => return Err(text),
                Mode::Container => log::warn!("{text} (the container's own is kept)"),
                Mode::Vm => log::warn!("{text}"),
            }
        }
        // In a new network namespace that is 127.0.0.1 until a network is
        // plugged in; with hostNetwork, the node's.
        let pod_ip = sys::net::primary_address();
        // In container mode the node is only known as the pod sees it.
        let host = match &mode {
            Mode::Host(host) => host.clone(),
            Mode::Container | Mode::Vm => HostFacts::here(),
        };
        let (node_cpus, node_memory) = facts::node_capacity();
        let facts = Facts {
            plan,
            uid,
            pod_ip,
            host_ip: host.ip,
            node_name: host.name,
            node_cpus,
            node_memory,
        };
        let sandbox = sandbox::write_files(plan, &pod_dir, pod_ip, can_mount)
            .map_err(|e| crate::exit::report(&e))?;
        let volumes = volume::prepare(plan, &pod_dir, can_mount, &facts)
            .map_err(|e| crate::exit::report(&e))?;
        let cgroup = PodCgroup::setup(&plan.name);
        if let Some(reason) = cgroup.unavailable_reason() {
            log::info!(
                "no cgroup for the containers ({reason}): a container's leftovers are found by its session"
            );
        }
        log::info!(
            "pod {}/{} (uid {}): {} init container(s), {} container(s); pod IP {pod_ip}",
            plan.namespace,
            plan.name,
            facts.uid,
            plan.init_containers.len(),
            plan.containers.len()
        );
        let server = match Server::bind(&pod_dir) {
            Ok(server) => Some(server),
            Err(err @ crate::status::control::ControlError::InUse { .. }) => {
                return Err(err.to_string());
            }
            Err(err) => {
                log::warn!(
                    "{}: podinit status, logs, exec and stop will not reach this pod",
                    crate::exit::report(&err)
                );
                None
            }
        };
        let status_facts = StatusFacts {
            plan,
            uid: facts.uid.clone(),
            pod_ip: pod_ip.to_string(),
            host_ip: facts.host_ip.to_string(),
            image_ids: roots.iter().map(image_id).collect(),
        };
        let now = Instant::now();
        let mut observer = Observer::new(manifest, &status_facts, &facts.node_name, &pod_dir, now);
        observer.event(
            EventType::Normal,
            "Scheduled",
            None,
            &format!(
                "Successfully assigned {}/{} to {}",
                plan.namespace, plan.name, facts.node_name
            ),
            now,
        );
        // Absolute: `podinit logs` reads the path the socket gives it.
        let log_dir = std::path::absolute(&args.log_dir).unwrap_or_else(|_| args.log_dir.clone());
        let pod_log_dir = log_dir.join(super::pod_dir_name(plan, &facts.uid));
        guard.0 = None;
        Ok(Self {
            pod: Pod::new(
                plan,
                BackoffConfig {
                    initial: args.backoff_initial,
                    max: args.backoff_max,
                },
            ),
            core,
            plan,
            facts,
            pod_dir,
            _lock: lock,
            sandbox,
            volumes,
            roots,
            cgroup,
            options: Options {
                can_mount,
                own_pid_namespace: !share_pid,
            },
            running: HashMap::new(),
            interrupts: 0,
            announce_running: matches!(mode, Mode::Vm),
            checks: Checks::default(),
            probes: HashMap::new(),
            pod_ip,
            observer,
            status_facts,
            server,
            execs: HashMap::new(),
            pod_log_dir,
            outputs: output::Outputs::new(
                args.log_prefix,
                crate::logs::Limits {
                    rotate_at: args.log_max_size,
                    keep: args.log_max_files,
                    ..crate::logs::Limits::default()
                },
            ),
        })
    }

    /// `LOGDIR/NS_POD_UID/CONTAINER`.
    fn log_dir_of(&self, container: &str) -> PathBuf {
        self.pod_log_dir.join(container)
    }

    /// Records an event about container `id` (or the pod, `None`), with
    /// the kubelet's field path (`spec.initContainers{NAME}` for an init
    /// container or sidecar, `spec.containers{NAME}` for the others).
    fn event(&mut self, kind: EventType, reason: &str, id: Option<Id>, message: &str) {
        let path = id.and_then(|id| self.pod.slots.get(id)).map(|slot| {
            let list = if slot.kind == Kind::App {
                "containers"
            } else {
                "initContainers"
            };
            format!("spec.{list}{{{}}}", slot.name)
        });
        self.observer
            .event(kind, reason, path.as_deref(), message, Instant::now());
    }

    fn container(&self, id: Id) -> Option<&'a ContainerPlan> {
        let plan: &'a PodPlan = self.plan;
        let inits = plan.init_containers.len();
        if id < inits {
            plan.init_containers.get(id)
        } else {
            plan.containers.get(id - inits)
        }
    }

    /// The loop, until the state machine says exit.
    fn run(&mut self) -> ExitCode {
        let mut wakeup: Wakeup<()> = Wakeup::default();
        let mut actions = Vec::new();
        let mut news = Vec::new();
        self.pod.tick(Instant::now(), &mut actions);
        loop {
            // A start can fail inside podinit (no command, a fork that
            // fails): the state machine has news at once, so ask it again,
            // a bounded number of rounds, before sleeping.
            let mut rounds = 0;
            while !actions.is_empty() && rounds < 16 {
                for action in actions.drain(..) {
                    if let Some(code) = self.perform(action) {
                        self.outputs.drain(Instant::now());
                        return ExitCode::Program(code);
                    }
                }
                self.pod.tick(Instant::now(), &mut actions);
                rounds += 1;
            }
            if self.announce_running && self.pod.phase() == Phase::Running {
                self.announce_running = false;
                let line = format!(
                    "podinit: pod {} running, {:.3} s after the kernel started\n",
                    self.plan.name,
                    sys::boot::since_boot().as_secs_f64()
                );
                let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
            }
            let now = Instant::now();
            self.run_probes(now);
            let mut deadlines = Deadlines::new();
            if !actions.is_empty() || self.checks.has_done() {
                // Still busy: look at the world, then come back at once.
                deadlines.insert(now, ());
            }
            for at in [
                self.pod.next_deadline(),
                self.checks.next_deadline(),
                self.next_probe(),
                self.server.as_ref().and_then(Server::next_deadline),
                self.outputs.next_deadline(),
            ]
            .into_iter()
            .flatten()
            {
                deadlines.insert(at, ());
            }
            // Container channels first, then the checks' descriptors.
            let mut fds: Vec<PollFd> = Vec::new();
            let mut pids: Vec<Pid> = Vec::new();
            for (pid, r) in &self.running {
                if let Some(fd) = r.process.channel_fd() {
                    fds.push(PollFd::readable(fd));
                    pids.push(*pid);
                }
            }
            let mut owners = Vec::new();
            self.checks.poll_fds(&mut fds, &mut owners);
            let clients_from = fds.len();
            let mut clients: Vec<Option<ClientId>> = Vec::new();
            if let Some(server) = &self.server {
                server.poll_fds(&mut fds, &mut clients);
            }
            let outputs_from = fds.len();
            let mut streams = Vec::new();
            self.outputs.poll_fds(&mut fds, &mut streams);
            self.core.wait_for(&fds, &mut deadlines, &mut wakeup);
            let now = Instant::now();
            // Output first: a container's last lines before its end.
            for &index in &wakeup.ready {
                if let Some(&owner) = index.checked_sub(outputs_from).and_then(|i| streams.get(i)) {
                    self.outputs.ready(owner, now);
                }
            }
            self.outputs.retry(now);
            if let Some(server) = &mut self.server {
                for &index in &wakeup.ready {
                    if let Some(&client) =
                        index.checked_sub(clients_from).and_then(|i| clients.get(i))
                    {
                        server.ready(client, now);
                    }
                }
                server.expire(now);
            }
            // The checks first: a container's news can cancel checks, which
            // would move the indexes.
            for &index in &wakeup.ready {
                if let Some(&check) = index.checked_sub(pids.len()).and_then(|i| owners.get(i)) {
                    self.checks.ready(check);
                }
            }
            for &index in &wakeup.ready {
                if let Some(&pid) = pids.get(index) {
                    self.read_news(pid, &mut news, now);
                }
            }
            for &(pid, status) in &wakeup.exited {
                if self.exec_ended(pid, status, now) {
                    continue;
                }
                if !self.checks.exited(pid, status, now) {
                    self.on_exit(pid, status, &mut news, now);
                }
            }
            self.checks.expire(now);
            self.checks.settle();
            for finished in self.checks.take_done() {
                self.on_check(finished, now);
            }
            for received in &wakeup.signals {
                self.on_signal(received.signal, received.sender, now);
            }
            self.serve(now);
            self.pod.tick(now, &mut actions);
            self.observer.update(&self.pod, &self.status_facts, now);
        }
    }

    fn read_news(&mut self, pid: Pid, news: &mut Vec<News>, now: Instant) {
        let Some(running) = self.running.get_mut(&pid) else {
            return;
        };
        news.clear();
        running.process.read(news);
        let id = running.id;
        if news.iter().any(|n| !matches!(n, News::Started)) {
            running.reported = true;
        }
        // News of an instance the pod has moved on from (it was replaced
        // after its start failed) must not touch the current one.
        let current = self.pod.is_current(id, running.instance);
        let dir = running.dir.clone();
        for item in news.drain(..) {
            let name = self.pod.name(id);
            match item {
                News::Started if current => {
                    log::info!("container {name}: started (pid {pid})");
                    let message = format!("Started container {name}");
                    self.event(EventType::Normal, "Started", Some(id), &message);
                    self.pod.started(id, now);
                    self.start_probes(id, now);
                }
                News::Failed(message) if current => {
                    log::error!("container {name}: {message}");
                    let text = format!("Error: {message}");
                    self.event(EventType::Warning, "Failed", Some(id), &text);
                    self.forget(id);
                    self.pod.start_failed(id, message, now);
                }
                News::Exited(status) if current => self.ended(id, status, &dir, now),
                other => {
                    log::debug!("container {name}: {other:?} from an earlier instance (pid {pid})")
                }
            }
        }
    }

    fn on_exit(&mut self, pid: Pid, status: ExitStatus, news: &mut Vec<News>, now: Instant) {
        if !self.running.contains_key(&pid) {
            log::debug!("reaped pid {pid} ({status})");
            return;
        }
        // The start report comes before the exit.
        self.read_news(pid, news, now);
        let Some(running) = self.running.remove(&pid) else {
            return;
        };
        let current = self.pod.is_current(running.id, running.instance);
        if !running.reported && current {
            if running.process.has_reaper() {
                log::debug!(
                    "the reaper of {} (pid {pid}) ended by {status}",
                    self.pod.name(running.id)
                );
            }
            self.ended(running.id, status, &running.dir, now);
        }
        self.leftovers(&running, pid);
        remove_later(&running.dir);
    }

    /// The container's current instance (in `dir`) ended with `status`.
    fn ended(&mut self, id: Id, status: ExitStatus, dir: &Path, now: Instant) {
        self.forget(id);
        let name = self.pod.name(id).to_owned();
        let was_active = self
            .pod
            .slots
            .get(id)
            .is_some_and(crate::pod::Slot::is_active);
        let message = if was_active {
            self.termination_message(id, status, dir, now)
        } else {
            String::new()
        };
        self.pod.exited_with_message(id, status, message, now);
        if was_active {
            match self.pod.slots.get(id).map(|s| &s.state) {
                // The first restart (or the first after a long quiet) comes
                // at once, with no back-off and no BackOff event, as the
                // kubelet does it.
                Some(crate::pod::State::Waiting {
                    until: Some(at), ..
                }) if at.saturating_duration_since(now).is_zero() => {
                    log::info!("container {name}: ended with {status}; restarting");
                }
                Some(crate::pod::State::Waiting {
                    until: Some(at), ..
                }) => {
                    let wait = at.saturating_duration_since(now);
                    log::info!(
                        "container {name}: ended with {status}; restarting in {:.3}s",
                        wait.as_secs_f64()
                    );
                    let message = format!(
                        "Back-off restarting failed container {name} in pod {}_{}({})",
                        self.plan.name, self.plan.namespace, self.facts.uid
                    );
                    self.event(EventType::Warning, "BackOff", Some(id), &message);
                }
                _ => log::info!("container {name}: ended with {status}"),
            }
        }
    }

    /// What the instance left at its terminationMessagePath (at most
    /// 4 KiB, the kubelet's limit); with `FallbackToLogsOnError` and a
    /// failure, if it left nothing there, its last 80 lines of output (at
    /// most 2 KiB).
    fn termination_message(
        &mut self,
        id: Id,
        status: ExitStatus,
        dir: &Path,
        now: Instant,
    ) -> String {
        use std::io::Read;
        let mut message = Vec::new();
        if let Ok(file) = std::fs::File::open(dir.join(TERMINATION_LOG)) {
            let _ = file.take(4096).read_to_end(&mut message);
        }
        let fallback = self
            .container(id)
            .is_some_and(|c| c.termination_message_policy == MessagePolicy::FallbackToLogsOnError);
        if message.is_empty() && fallback && status.code() != 0 {
            let instance = self.pod.slots.get(id).map_or(0, crate::pod::Slot::instance);
            return self
                .outputs
                .tail(id, instance, 80, 2048, now)
                .unwrap_or_default();
        }
        String::from_utf8_lossy(&message).into_owned()
    }

    /// Whatever a container instance left behind dies with it.
    fn leftovers(&mut self, running: &Running, pid: Pid) {
        // In a PID namespace of its own, its reaper killed them.
        if !running.process.has_reaper() {
            let killed = match &running.cgroup {
                Some(cg) => cg.kill(),
                None => cgroup::kill_session(Path::new("/proc"), pid, self.core.pid()),
            };
            if killed > 0 {
                log::info!(
                    "container {}: killed {killed} process(es) it left behind",
                    self.pod.name(running.id)
                );
            }
        }
        if let Some(cg) = &running.cgroup {
            // Zombies are reaped on the next turn; a busy cgroup is
            // removed with the pod's.
            cg.remove();
        }
    }

    fn on_signal(&mut self, signal: Signal, sender: Pid, now: Instant) {
        match signal {
            Signal::CHLD => {}
            Signal::PIPE if sender == self.core.pid() => {}
            Signal::TERM | Signal::PWR => {
                log::info!("received {signal}: stopping the pod");
                self.pod.stop(now, false);
            }
            Signal::INT => {
                self.interrupts += 1;
                if self.interrupts > 1 {
                    log::warn!("received {signal} again: killing the pod now");
                    self.pod.stop(now, true);
                } else {
                    log::info!("received {signal}: stopping the pod (again to kill it at once)");
                    self.pod.stop(now, false);
                }
            }
            other => {
                // HUP, USR1, WINCH...: for the app containers, as a
                // container's init forwards them.
                for running in self.running.values() {
                    if self
                        .pod
                        .slots
                        .get(running.id)
                        .is_some_and(|s| s.kind == Kind::App)
                    {
                        let _ = sys::kill(running.process.pid, other);
                    }
                }
            }
        }
    }

    /// The process of the container's current instance, if it is alive
    /// and its end not yet told.
    fn pid_of(&self, id: Id) -> Option<Pid> {
        self.running
            .iter()
            .find(|(_, r)| r.id == id && !r.reported && self.pod.is_current(id, r.instance))
            .map(|(pid, _)| *pid)
    }

    /// Carries out one action; `Some(code)` when podinit is to exit.
    fn perform(&mut self, action: Action) -> Option<u8> {
        match action {
            Action::Start(id) => self.start(id),
            Action::PostStart(id) => self.run_hook(id, Purpose::PostStart),
            Action::PreStop(id) => self.run_hook(id, Purpose::PreStop),
            Action::Stop(id, signal) => {
                if let Some(pid) = self.pid_of(id) {
                    let name = self.pod.name(id);
                    if let Some(slot) = self.pod.slots.get(id) {
                        let pre_stop = Owner {
                            id,
                            instance: slot.instance(),
                            purpose: Purpose::PreStop,
                        };
                        if self.checks.runs(pre_stop) {
                            log::warn!(
                                "container {name}: the preStop hook has not returned within the grace period"
                            );
                        }
                    }
                    log::info!("container {name}: stopping with {signal}");
                    let why = self
                        .pod
                        .slots
                        .get(id)
                        .and_then(crate::pod::Slot::stop_reason);
                    if why == Some(StopWhy::Pod) {
                        let message = format!("Stopping container {name}");
                        self.event(EventType::Normal, "Killing", Some(id), &message);
                    }
                    if let Err(err) = sys::kill(pid, signal) {
                        log::debug!(
                            "container {}: cannot send {signal} to pid {pid}: {err}",
                            self.pod.name(id)
                        );
                    }
                }
            }
            Action::Kill(id) => {
                if let Some(pid) = self.pid_of(id) {
                    let why = if self.pod.killing_at_once() {
                        "killing it at once (interrupted twice)"
                    } else {
                        "still running at the end of the grace period"
                    };
                    log::warn!("container {}: {why}: SIGKILL", self.pod.name(id));
                    let _ = sys::kill(pid, Signal::KILL);
                    if let Some(cg) = self.running.get(&pid).and_then(|r| r.cgroup.as_ref()) {
                        cg.kill();
                    }
                }
            }
            Action::Exit(code) => {
                log::info!(
                    "pod {}: {} with exit code {code}",
                    self.plan.name,
                    self.pod.phase().as_str()
                );
                return Some(code);
            }
        }
        None
    }

    fn start(&mut self, id: Id) {
        let now = Instant::now();
        match self.spawn(id) {
            Ok(running) => {
                let name = self.pod.name(id).to_owned();
                log::debug!("container {name}: forked pid {}", running.process.pid);
                let image = self.container(id).map(|c| c.image.as_str()).unwrap_or("");
                let message = format!("Container image {image:?} already present on machine");
                self.event(EventType::Normal, "Pulled", Some(id), &message);
                let message = format!("Created container: {name}");
                self.event(EventType::Normal, "Created", Some(id), &message);
                self.running.insert(running.process.pid, running);
            }
            Err(message) => {
                log::error!("container {}: {message}", self.pod.name(id));
                self.event(
                    EventType::Warning,
                    "Failed",
                    Some(id),
                    &format!("Error: {message}"),
                );
                self.forget(id);
                self.pod.start_failed(id, message, now);
            }
        }
    }

    fn spawn(&mut self, id: Id) -> Result<Running, String> {
        let c = self.container(id).ok_or("no such container")?;
        let slot = self.pod.slots.get(id).ok_or("no such container")?;
        let (restarts, instance) = (slot.restarts, slot.instance());
        let mut environment = vec![
            (
                "PATH".to_owned(),
                crate::sys::spawn::DEFAULT_PATH.to_owned(),
            ),
            ("HOSTNAME".to_owned(), sandbox::hostname_seen(self.plan)),
        ];
        for (name, value) in env::resolve(&c.env, &self.facts) {
            match environment.iter_mut().find(|(n, _)| *n == name) {
                Some(entry) => entry.1 = value,
                None => environment.push((name, value)),
            }
        }
        let mut argv = env::expand_words(c.command.as_deref().unwrap_or(&[]), &environment);
        argv.extend(env::expand_words(
            c.args.as_deref().unwrap_or(&[]),
            &environment,
        ));
        // The kubelet's check (verifyRunAsNonRoot): podinit reads no image
        // user, so no runAsUser means root.
        if c.security.run_as_non_root && c.security.run_as_user.unwrap_or(0) == 0 {
            return Err(format!(
                "container has runAsNonRoot and image will run as root (pod: {:?}, container: {})",
                self.plan.name, c.name
            ));
        }
        if c.command.is_none() {
            return Err(format!(
                "no command: podinit does not read an image's entrypoint, so {:?} needs `command`",
                c.name
            ));
        }
        // Every instance starts clean, in a directory of its own (removed
        // when it ends, see `remove_later`).
        let instance_dir = self
            .pod_dir
            .join("containers")
            .join(&c.name)
            .join(restarts.to_string());
        let cgroup = self.cgroup.create(&c.name, restarts);
        let procs: Option<CString> = cgroup.as_ref().and_then(|cg| {
            CString::new(cg.procs_path().into_os_string().into_encoded_bytes()).ok()
        });
        let root = self.roots.get(id).ok_or("no root")?;
        let termination_log = instance_dir.join(TERMINATION_LOG);
        let termination_log = self
            .options
            .can_mount
            .then(|| make_termination_log(&termination_log).map(|()| termination_log))
            .transpose()?;
        let name = c.name.clone();
        let log_dir = self.log_dir_of(&name);
        forget_old_logs(&log_dir, restarts);
        let pipes = self.outputs.open(id, instance, &name, &log_dir, restarts)?;
        let null =
            std::fs::File::open("/dev/null").map_err(|e| format!("cannot open /dev/null: {e}"))?;
        use std::os::fd::AsRawFd;
        let input = Input {
            pod: self.plan,
            container: c,
            root,
            volumes: &self.volumes.sources,
            sandbox: &self.sandbox,
            instance_dir: &instance_dir,
            env: &environment,
            cgroup_procs: procs,
            stdio: Some([
                null.as_raw_fd(),
                pipes.stdout.as_raw_fd(),
                pipes.stderr.as_raw_fd(),
            ]),
            termination_log: termination_log.as_deref(),
        };
        match container::spawn(
            &input,
            &argv,
            &environment,
            self.core.inherited(),
            self.options,
        ) {
            Ok(process) => Ok(Running {
                id,
                process,
                cgroup,
                dir: instance_dir.clone(),
                instance,
                reported: false,
                env: environment,
            }),
            Err(err) => {
                if let Some(cg) = &cgroup {
                    cg.remove();
                }
                self.outputs.abandon(id, instance);
                Err(crate::exit::report(&err))
            }
        }
    }

    /// The container's current instance runs: its probes start ticking.
    fn start_probes(&mut self, id: Id, now: Instant) {
        let (Some(c), Some(slot)) = (self.container(id), self.pod.slots.get(id)) else {
            return;
        };
        let workers = [
            (schedule::Kind::Startup, &c.startup),
            (schedule::Kind::Liveness, &c.liveness),
            (schedule::Kind::Readiness, &c.readiness),
        ]
        .into_iter()
        .filter_map(|(kind, probe)| {
            Some((Worker::new(kind, probe.as_ref()?, now), probe.as_ref()?))
        })
        .collect::<Vec<_>>();
        if !workers.is_empty() {
            let instance = slot.instance();
            self.probes.insert(id, Probes { instance, workers });
        }
    }

    /// The container's current instance ended (or never started): its
    /// probes and hooks go with it.
    fn forget(&mut self, id: Id) {
        let Some(instance) = self.pod.slots.get(id).map(crate::pod::Slot::instance) else {
            return;
        };
        self.checks.cancel(id, instance);
        if self.probes.get(&id).is_some_and(|p| p.instance == instance) {
            self.probes.remove(&id);
        }
    }

    /// Starts the probe checks that are due. Once the pod is ending only
    /// readiness probes run (the kubelet stops liveness and startup probes
    /// of a pod being deleted, for a quiet shutdown).
    fn run_probes(&mut self, now: Instant) {
        let mut due = Vec::new();
        let ending = self.pod.end_reason().is_some();
        for (&id, probes) in &mut self.probes {
            if ending {
                probes
                    .workers
                    .retain(|(w, _)| w.kind == schedule::Kind::Readiness);
            }
            let started = self.pod.slots.get(id).is_some_and(|s| s.startup_passed);
            for (worker, probe) in &mut probes.workers {
                if worker.due(now, started) {
                    worker.begin(now);
                    due.push((id, probes.instance, worker.kind, *probe));
                }
            }
        }
        for (id, instance, kind, probe) in due {
            self.run_probe(id, instance, kind, probe, now);
        }
    }

    /// When the next probe is due (after [`Driver::run_probes`]).
    fn next_probe(&self) -> Option<Instant> {
        self.probes
            .iter()
            .flat_map(|(&id, probes)| {
                let started = self.pod.slots.get(id).is_some_and(|s| s.startup_passed);
                probes
                    .workers
                    .iter()
                    .filter_map(move |(w, _)| w.next_deadline(started))
            })
            .min()
    }

    fn run_probe(
        &mut self,
        id: Id,
        instance: u32,
        kind: schedule::Kind,
        probe: &Probe,
        now: Instant,
    ) {
        let owner = Owner {
            id,
            instance,
            purpose: Purpose::Probe(kind),
        };
        let timeout = Some(probe.timeout);
        let check = match &probe.action {
            ProbeAction::Exec(argv) => self.exec_check(owner, argv.words(), timeout, now),
            ProbeAction::HttpGet(http) => self.http_check(owner, http, timeout, now),
            ProbeAction::TcpSocket { host, port } => match self.address(host.as_deref(), *port) {
                Ok(addr) => Check::tcp(owner, addr, probe.timeout, now),
                Err(outcome) => Check::done(owner, outcome),
            },
        };
        self.checks.add(check);
    }

    /// Runs the container's postStart or preStop hook.
    fn run_hook(&mut self, id: Id, purpose: Purpose) {
        let now = Instant::now();
        let (Some(c), Some(slot)) = (self.container(id), self.pod.slots.get(id)) else {
            return;
        };
        let owner = Owner {
            id,
            instance: slot.instance(),
            purpose,
        };
        let handler = match purpose {
            Purpose::PostStart => c.post_start.as_ref(),
            _ => c.pre_stop.as_ref(),
        };
        let check = match handler {
            // Exec and HTTP hooks have no timeout of their own: a preStop
            // is bounded by the grace period, a postStart by nothing (as
            // in the kubelet).
            Some(Handler::Exec(argv)) => self.exec_check(owner, argv.words(), None, now),
            Some(Handler::HttpGet(http)) => self.http_check(owner, http, None, now),
            Some(Handler::Sleep(length)) => Check::sleep(owner, *length, now),
            None => Check::done(owner, Outcome::Success(String::new())),
        };
        log::debug!("container {}: running its {purpose:?} hook", c.name);
        self.checks.add(check);
    }

    /// An exec check in the container's current instance.
    fn exec_check(
        &mut self,
        owner: Owner,
        argv: &[String],
        timeout: Option<Duration>,
        now: Instant,
    ) -> Check {
        let joinable = match self.joinable(owner.id) {
            Ok(joinable) => joinable,
            Err(why) => return Check::done(owner, Outcome::Error(why.into())),
        };
        let words = env::expand_words(argv, joinable.env);
        let target = joinable.target(self.plan, self.options.can_mount);
        match container::exec_in(&target, &words, joinable.env, self.core.inherited()) {
            Ok(joined) => Check::exec(owner, joined, &words, timeout, now),
            Err(err) => Check::done(owner, Outcome::Error(crate::exit::report(&err))),
        }
    }

    /// What a process joining container `id`'s running instance needs (an
    /// exec probe or hook, `podinit exec`). Looked up each time: under a
    /// reaper the program is not podinit's child, its pid could be
    /// another's once it has ended.
    fn joinable(&self, id: Id) -> Result<Joinable<'a, '_>, &'static str> {
        let container = self.container(id).ok_or("no such container")?;
        let running = self
            .pod
            .slots
            .get(id)
            .is_some_and(|s| matches!(s.state, crate::pod::State::Running { .. }));
        let pid = self
            .pid_of(id)
            .filter(|_| running)
            .ok_or("the container is not running")?;
        let r = self
            .running
            .get(&pid)
            .ok_or("the container is not running")?;
        let reaper = r.process.has_reaper().then_some(pid);
        let program = match reaper {
            Some(reaper) => container::program_of(reaper),
            None => Some(pid),
        }
        .ok_or("the container's program is not running")?;
        let procs = r.cgroup.as_ref().and_then(|cg| {
            CString::new(cg.procs_path().into_os_string().into_encoded_bytes()).ok()
        });
        Ok(Joinable {
            container,
            program,
            reaper,
            procs,
            env: &r.env,
        })
    }

    /// An HTTP GET of a probe (`timeout`) or a hook (`None`).
    fn http_check(
        &self,
        owner: Owner,
        http: &HttpGet,
        timeout: Option<Duration>,
        now: Instant,
    ) -> Check {
        let hook = !matches!(owner.purpose, Purpose::Probe(_));
        match self.address(http.host.as_deref(), http.port) {
            Ok(addr) => {
                let target = probe::net::Target {
                    addr,
                    host: http.host.clone().unwrap_or_else(|| addr.ip().to_string()),
                    path: http.path.clone(),
                    headers: http.headers.clone(),
                    user_agent: if hook {
                        probe::HOOK_AGENT
                    } else {
                        probe::PROBE_AGENT
                    },
                };
                Check::http(owner, target, timeout, hook, now)
            }
            Err(outcome) => Check::done(owner, outcome),
        }
    }

    /// Where a probe's `host` and `port` point: the pod's IP without a
    /// host. podinit resolves no names but `localhost` (no resolver call
    /// may block the loop): another name is an error, retried and then
    /// left, as the kubelet does with probes that cannot run.
    fn address(&self, host: Option<&str>, port: u16) -> Result<std::net::SocketAddr, Outcome> {
        let ip = match host {
            None => self.pod_ip,
            Some(h) if h.eq_ignore_ascii_case("localhost") => IpAddr::from([127, 0, 0, 1]),
            Some(h) => h.trim_matches(['[', ']']).parse::<IpAddr>().map_err(|_| {
                Outcome::Error(format!(
                    "cannot resolve {h:?}: podinit probes take an IP address (or localhost) as host"
                ))
            })?,
        };
        Ok(std::net::SocketAddr::new(ip, port))
    }

    /// A probe or hook finished: the rules decide what follows.
    fn on_check(&mut self, finished: Finished, now: Instant) {
        let Owner {
            id,
            instance,
            purpose,
        } = finished.owner;
        let active = self
            .pod
            .slots
            .get(id)
            .is_some_and(|s| s.is_active() && s.instance() == instance);
        if !active {
            return;
        }
        let name = self.pod.name(id).to_owned();
        match purpose {
            // A container being stopped is past its probes: a liveness
            // check that was under way when the pod started to end (or the
            // container to be killed) decides nothing, as in the kubelet.
            Purpose::Probe(kind)
                if kind != schedule::Kind::Readiness
                    && self.pod.slots.get(id).is_some_and(|s| s.is_stopping()) =>
            {
                log::debug!(
                    "container {name}: {} probe result ignored, the container is stopping: {:?}",
                    kind.as_str(),
                    finished.outcome
                );
            }
            Purpose::Probe(kind) => self.on_probe(id, instance, kind, finished.outcome, now),
            Purpose::PostStart => match finished.outcome {
                Outcome::Failure(message) | Outcome::Error(message) => {
                    log::warn!("container {name}: FailedPostStartHook: {message}");
                    self.event(
                        EventType::Warning,
                        "FailedPostStartHook",
                        Some(id),
                        &message,
                    );
                    self.pod.post_start_done(id, Err(()), now);
                }
                Outcome::Success(_) | Outcome::Warning(_) => {
                    log::debug!("container {name}: postStart hook done");
                    self.pod.post_start_done(id, Ok(()), now);
                }
            },
            Purpose::PreStop => {
                if let Outcome::Failure(message) | Outcome::Error(message) = finished.outcome {
                    log::warn!("container {name}: FailedPreStopHook: {message}");
                    self.event(EventType::Warning, "FailedPreStopHook", Some(id), &message);
                }
                self.pod.pre_stop_done(id);
            }
        }
    }

    fn on_probe(
        &mut self,
        id: Id,
        instance: u32,
        kind: schedule::Kind,
        outcome: Outcome,
        now: Instant,
    ) {
        let name = self.pod.name(id).to_owned();
        let what = kind.as_str();
        let tried = match &outcome {
            Outcome::Success(_) => schedule::Outcome::Success,
            Outcome::Warning(message) => {
                log::warn!("container {name}: ProbeWarning: {what} probe warning: {message}");
                let text = format!("{what} probe warning: {message}");
                self.event(EventType::Warning, "ProbeWarning", Some(id), &text);
                schedule::Outcome::Success
            }
            Outcome::Failure(message) => {
                log::warn!("container {name}: Unhealthy: {what} probe failed: {message}");
                let text = format!("{what} probe failed: {message}");
                self.event(EventType::Warning, "Unhealthy", Some(id), &text);
                schedule::Outcome::Failure
            }
            Outcome::Error(message) => {
                log::warn!("container {name}: Unhealthy: {what} probe errored: {message}");
                let text = format!("{what} probe errored: {message}");
                self.event(EventType::Warning, "Unhealthy", Some(id), &text);
                schedule::Outcome::Error
            }
        };
        let Some(probes) = self.probes.get_mut(&id).filter(|p| p.instance == instance) else {
            return;
        };
        let Some((worker, probe)) = probes.workers.iter_mut().find(|(w, _)| w.kind == kind) else {
            return;
        };
        let probe: &'a Probe = probe;
        match worker.finish(tried) {
            Next::Nothing => {}
            Next::Retry => {
                worker.begin(now);
                self.run_probe(id, instance, kind, probe, now);
            }
            Next::Changed(verdict) => match (kind, verdict) {
                (schedule::Kind::Startup, Verdict::Success) => {
                    log::info!("container {name}: startup probe succeeded");
                    self.pod.startup_succeeded(id);
                }
                (schedule::Kind::Readiness, verdict) => {
                    let ready = verdict == Verdict::Success;
                    log::info!(
                        "container {name}: {}",
                        if ready { "ready" } else { "not ready" }
                    );
                    self.pod.set_ready(id, ready);
                }
                (schedule::Kind::Startup | schedule::Kind::Liveness, Verdict::Failure) => {
                    let restarts = self
                        .pod
                        .slots
                        .get(id)
                        .is_some_and(|s| s.kind == Kind::Sidecar)
                        || self.plan.restart_policy != crate::spec::plan::RestartPolicy::Never;
                    let message = format!(
                        "Container {name} failed {} probe{}",
                        what.to_ascii_lowercase(),
                        if restarts { ", will be restarted" } else { "" }
                    );
                    log::warn!("container {name}: Killing: {message}");
                    self.event(EventType::Normal, "Killing", Some(id), &message);
                    let grace = probe.termination_grace.unwrap_or(self.plan.grace);
                    self.pod.kill(id, StopWhy::Probe, grace, now);
                }
                _ => {}
            },
        }
    }

    /// At the end: the state file and socket, the volumes, the cgroup, the
    /// pod's directory.
    fn cleanup(&mut self) {
        self.observer.remove();
        self.server = None;
        self.volumes.cleanup();
        self.cgroup.remove();
        remove_pod_dir(&self.pod_dir);
    }
}

/// An empty termination message file anyone in the container may write
/// (its user need not be root), as the kubelet makes it.
fn make_termination_log(path: &Path) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    let make = || -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::File::create(path)?;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o666))
    };
    make().map_err(|e| format!("cannot create {}: {}", path.display(), sys::strerror(&e)))
}

/// The kubelet keeps the log of the instance before the current one
/// (`--previous`), not older ones: starting restart `restart`, restart
/// `restart - 2`'s files go.
fn forget_old_logs(dir: &Path, restart: u32) {
    let Some(old) = restart.checked_sub(2) else {
        return;
    };
    for file in crate::logs::read::instance_files(dir, old) {
        if let Err(err) = std::fs::remove_file(&file) {
            log::debug!("cannot remove the old log {}: {err}", file.display());
        }
    }
}

/// What the status says of a container's image: its root filesystem.
fn image_id(root: &Rootfs) -> String {
    match root {
        Rootfs::Host => "/".to_owned(),
        Rootfs::Dir(dir) => dir.display().to_string(),
    }
}

/// Each container's root, init containers first; every image that cannot
/// be resolved is named, not just the first.
fn resolve_images(plan: &PodPlan, store: &ImageStore) -> Result<Vec<Rootfs>, String> {
    let mut roots = Vec::new();
    let mut errors = Vec::new();
    for c in plan.init_containers.iter().chain(&plan.containers) {
        match store.resolve(&c.image) {
            Ok(root) => roots.push(root),
            Err(err) => errors.push(format!(
                "container {:?}: {}",
                c.name,
                crate::exit::report(&err)
            )),
        }
    }
    if errors.is_empty() {
        Ok(roots)
    } else {
        Err(errors.join("\n"))
    }
}

/// Without CAP_SYS_ADMIN: what cannot be honoured is refused at start.
fn refuse_without_mounts(plan: &PodPlan) -> Result<(), String> {
    let mut problems = Vec::new();
    for c in plan.init_containers.iter().chain(&plan.containers) {
        if !c.image.trim_end_matches('/').is_empty() {
            problems.push(format!(
                "container {:?}: image {:?} needs its own root filesystem (only image: / runs without mounts)",
                c.name, c.image
            ));
        }
        if !c.mounts.is_empty() {
            problems.push(format!("container {:?}: volumeMounts need mounts", c.name));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "podinit cannot run this pod without CAP_SYS_ADMIN:\n  {}",
            problems.join("\n  ")
        ))
    }
}

/// A pod uid as the API server makes them: a random UUID.
fn new_uid() -> String {
    std::fs::read_to_string("/proc/sys/kernel/random/uuid")
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|_| {
            format!(
                "{:x}-{}",
                std::process::id(),
                Instant::now().elapsed().as_nanos()
            )
        })
}

/// Creates and locks the pod's directory: a second podinit with the same
/// pod (a manifest that sets `metadata.uid`) is refused; one left by a
/// podinit that died is taken over.
fn lock_pod_dir(dir: &Path) -> Result<Option<nix::fcntl::Flock<std::fs::File>>, String> {
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("cannot create the pod's directory {}: {e}", dir.display()))?;
    let path = dir.join("lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    match nix::fcntl::Flock::lock(file, nix::fcntl::FlockArg::LockExclusiveNonblock) {
        Ok(lock) => {
            clear_stale(dir)?;
            Ok(Some(lock))
        }
        Err((_, nix::errno::Errno::EWOULDBLOCK)) => Err(format!(
            "another podinit is running this pod ({} is locked)",
            path.display()
        )),
        Err((_, err)) => {
            log::warn!("cannot lock {}: {err}", path.display());
            Ok(None)
        }
    }
}

/// What a podinit that died left in the pod's directory (everything but
/// the lock) goes, so that the pod starts as new.
fn clear_stale(dir: &Path) -> Result<(), String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if entry.file_name() == "lock" {
            continue;
        }
        log::warn!(
            "removing {}, left by a podinit that did not finish",
            path.display()
        );
        unmount_below(&path);
        let removed = if path.is_dir() && !path.is_symlink() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        removed.map_err(|e| {
            format!(
                "cannot remove {} (left by an earlier run): {e}",
                path.display()
            )
        })?;
    }
    Ok(())
}

/// Detaches every mount at or below `path` (deepest first), from
/// /proc/self/mountinfo.
fn unmount_below(path: &Path) {
    let Ok(info) = std::fs::read_to_string("/proc/self/mountinfo") else {
        return;
    };
    let mut points: Vec<PathBuf> = info
        .lines()
        .filter_map(|line| line.split(' ').nth(4))
        .map(|p| PathBuf::from(p.replace("\\040", " ")))
        .filter(|p| p.starts_with(path))
        .collect();
    points.sort_by_key(|p| std::cmp::Reverse(p.components().count()));
    for point in points {
        if let Ok(target) = crate::sys::mount::cpath(&point) {
            let _ = crate::sys::mount::umount(&target, crate::sys::mount::MNT_DETACH);
        }
    }
}

/// Removes the pod's directory, after unmounting what is in it (the pod's
/// `/dev/shm`, tmpfs volumes left behind).
fn remove_pod_dir(dir: &Path) {
    unmount_below(dir);
    if let Err(err) = std::fs::remove_dir_all(dir) {
        log::warn!("cannot remove the pod's directory {}: {err}", dir.display());
    }
}

/// Removes a pod's directory when dropped, unless disarmed (`.0 = None`).
struct DirGuard(Option<PathBuf>);

impl Drop for DirGuard {
    fn drop(&mut self) {
        if let Some(dir) = self.0.take() {
            remove_pod_dir(&dir);
        }
    }
}

/// Removes an ended instance's directory in a forked child: an upper layer
/// may hold many files, and the loop must not wait for them.
fn remove_later(dir: &Path) {
    if !dir.exists() {
        return;
    }
    match crate::sys::mount::fork_into(0) {
        Ok(None) => {
            crate::sys::close_other_fds(None);
            let _ = std::fs::remove_dir_all(dir);
            std::process::exit(0)
        }
        Ok(Some(pid)) => log::debug!("removing {} in pid {pid}", dir.display()),
        Err(err) => {
            log::debug!(
                "cannot fork to remove {}: {err}; removing it now",
                dir.display()
            );
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}
