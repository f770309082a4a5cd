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
use std::os::fd::BorrowedFd;
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::facts::{self, Facts};
use crate::cgroup::{self, ContainerCgroup, PodCgroup};
use crate::cli::RunArgs;
use crate::container::{self, Input, News, Options, Process};
use crate::deadline::Deadlines;
use crate::exit::ExitCode;
use crate::image::{ImageStore, Rootfs};
use crate::init::{Core, Wakeup};
use crate::pod::{Action, BackoffConfig, Id, Kind, Pod};
use crate::sandbox::{self, Files};
use crate::spec::plan::env;
use crate::spec::plan::{ContainerPlan, PodPlan};
use crate::sys::{self, ExitStatus, Pid, Signal};
use crate::volume::{self, Prepared};

/// How podinit came to be the pod's PID 1.
#[derive(Debug, Clone)]
pub enum Mode {
    /// It was started as PID 1: the namespaces are the pod's.
    Container,
    /// `podinit run` on a host made the namespaces.
    Host(HostFacts),
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
}

/// Runs the pod to its end and returns podinit's exit code.
pub fn run_pod(core: Core, args: &RunArgs, plan: PodPlan, mode: Mode) -> ExitCode {
    match Driver::prepare(core, args, &plan, mode) {
        Ok(mut driver) => {
            let code = driver.run();
            driver.cleanup();
            code
        }
        Err(err) => {
            log::error!("{err}");
            ExitCode::Failure
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
}

impl<'a> Driver<'a> {
    fn prepare(core: Core, args: &RunArgs, plan: &'a PodPlan, mode: Mode) -> Result<Self, String> {
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
        for warning in not_run_yet(plan) {
            log::warn!("{warning}");
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
            Mode::Host(_) => true,
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
            }
        }
        // In a new network namespace that is 127.0.0.1 until a network is
        // plugged in; with hostNetwork, the node's.
        let pod_ip = sys::net::primary_address();
        // In container mode the node is only known as the pod sees it.
        let host = match &mode {
            Mode::Host(host) => host.clone(),
            Mode::Container => HostFacts::here(),
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
        })
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
                        return ExitCode::Program(code);
                    }
                }
                self.pod.tick(Instant::now(), &mut actions);
                rounds += 1;
            }
            let mut deadlines = Deadlines::new();
            if !actions.is_empty() {
                // Still busy: look at the world, then come back at once.
                deadlines.insert(Instant::now(), ());
            }
            if let Some(at) = self.pod.next_deadline() {
                deadlines.insert(at, ());
            }
            let watched: Vec<(Pid, BorrowedFd<'_>)> = self
                .running
                .iter()
                .filter_map(|(pid, r)| Some((*pid, r.process.channel_fd()?)))
                .collect();
            let fds: Vec<BorrowedFd<'_>> = watched.iter().map(|(_, fd)| *fd).collect();
            let ready: Vec<Pid> = {
                self.core.wait(&fds, &mut deadlines, &mut wakeup);
                wakeup
                    .ready
                    .iter()
                    .filter_map(|&i| watched.get(i).map(|(pid, _)| *pid))
                    .collect()
            };
            drop(watched);
            let now = Instant::now();
            for pid in ready {
                self.read_news(pid, &mut news, now);
            }
            for &(pid, status) in &wakeup.exited {
                self.on_exit(pid, status, &mut news, now);
            }
            for received in &wakeup.signals {
                self.on_signal(received.signal, received.sender, now);
            }
            self.pod.tick(now, &mut actions);
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
        for item in news.drain(..) {
            let name = self.pod.name(id);
            match item {
                News::Started if current => {
                    log::info!("container {name}: started (pid {pid})");
                    self.pod.started(id, now);
                }
                News::Failed(message) if current => {
                    log::error!("container {name}: {message}");
                    self.pod.start_failed(id, message, now);
                }
                News::Exited(status) if current => self.ended(id, status, now),
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
            self.ended(running.id, status, now);
        }
        self.leftovers(&running, pid);
        remove_later(&running.dir);
    }

    fn ended(&mut self, id: Id, status: ExitStatus, now: Instant) {
        let name = self.pod.name(id).to_owned();
        let was_active = self
            .pod
            .slots
            .get(id)
            .is_some_and(crate::pod::Slot::is_active);
        self.pod.exited(id, status, now);
        if was_active {
            match self.pod.slots.get(id).map(|s| &s.state) {
                Some(crate::pod::State::Waiting {
                    until: Some(at), ..
                }) => {
                    let wait = at.saturating_duration_since(now);
                    log::info!(
                        "container {name}: ended with {status}; restarting in {:.3}s",
                        wait.as_secs_f64()
                    );
                }
                _ => log::info!("container {name}: ended with {status}"),
            }
        }
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
            Action::Stop(id, signal) => {
                if let Some(pid) = self.pid_of(id) {
                    log::info!("container {}: stopping with {signal}", self.pod.name(id));
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
                log::debug!(
                    "container {}: forked pid {}",
                    self.pod.name(id),
                    running.process.pid
                );
                self.running.insert(running.process.pid, running);
            }
            Err(message) => {
                log::error!("container {}: {message}", self.pod.name(id));
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
        let input = Input {
            pod: self.plan,
            container: c,
            root,
            volumes: &self.volumes.sources,
            sandbox: &self.sandbox,
            instance_dir: &instance_dir,
            env: &environment,
            cgroup_procs: procs,
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
            }),
            Err(err) => {
                if let Some(cg) = &cgroup {
                    cg.remove();
                }
                Err(crate::exit::report(&err))
            }
        }
    }

    /// At the end: the volumes, the cgroup, the pod's directory.
    fn cleanup(&mut self) {
        self.volumes.cleanup();
        self.cgroup.remove();
        remove_pod_dir(&self.pod_dir);
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

/// What the manifest asks for that this version of `podinit run` does not
/// do yet (probes and hooks come with the lifecycle work): said, not
/// silently skipped.
fn not_run_yet(plan: &PodPlan) -> Vec<String> {
    let mut out = Vec::new();
    for c in plan.init_containers.iter().chain(&plan.containers) {
        let mut what = Vec::new();
        for (probe, name) in [
            (&c.startup, "startupProbe"),
            (&c.liveness, "livenessProbe"),
            (&c.readiness, "readinessProbe"),
        ] {
            if probe.is_some() {
                what.push(name);
            }
        }
        if c.post_start.is_some() {
            what.push("postStart");
        }
        if c.pre_stop.is_some() {
            what.push("preStop");
        }
        if !what.is_empty() {
            out.push(format!(
                "container {:?}: {} not run yet by this podinit (the container runs without)",
                c.name,
                what.join(", ")
            ));
        }
    }
    out
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
