//! A container of the plan: what to run, with what, and how to watch it.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use super::data::{config_map_data, resource_ref, secret_data};
use super::env::{EnvValue, EnvVar, FieldRef};
use super::volume::{Mount, SubPath};
use super::{id, seconds, unexpected};
use crate::spec::diag::{Diag, FieldPath};
use crate::spec::k8s::{self, ConfigMap, IntOrString, PodSpec, Secret};
use crate::spec::quantity::Amount;
use crate::sys::Signal;

/// A non-empty argv: a program and its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Argv(Vec<String>);

impl Argv {
    pub fn new(words: Vec<String>) -> Option<Self> {
        (!words.is_empty()).then_some(Self(words))
    }

    pub fn program(&self) -> &str {
        self.0.first().map_or("", String::as_str)
    }

    pub fn words(&self) -> &[String] {
        &self.0
    }
}

/// An HTTP GET of a probe or hook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpGet {
    /// `None`: the pod's own address.
    pub host: Option<String>,
    pub port: u16,
    pub path: String,
    pub https: bool,
    pub headers: Vec<(String, String)>,
}

/// What a probe does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProbeAction {
    Exec(Argv),
    HttpGet(HttpGet),
    TcpSocket { host: Option<String>, port: u16 },
}

/// A probe with its timings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    pub action: ProbeAction,
    pub initial_delay: Duration,
    pub period: Duration,
    pub timeout: Duration,
    pub success_threshold: u32,
    pub failure_threshold: u32,
    /// The probe's own grace period when it kills the container.
    pub termination_grace: Option<Duration>,
}

/// A postStart or preStop hook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handler {
    Exec(Argv),
    HttpGet(HttpGet),
    Sleep(Duration),
}

/// `terminationMessagePolicy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessagePolicy {
    File,
    FallbackToLogsOnError,
}

/// The identity and privileges of the container's process.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Security {
    pub run_as_user: Option<u32>,
    pub run_as_group: Option<u32>,
    pub run_as_non_root: bool,
    pub read_only_root_filesystem: bool,
    /// `allowPrivilegeEscalation: false`: no_new_privs.
    pub no_new_privileges: bool,
    /// Capability names, upper case without `CAP_`.
    pub capabilities_add: Vec<String>,
    pub capabilities_drop: Vec<String>,
}

/// A container, ready to run.
#[derive(Debug, Clone, PartialEq)]
pub struct ContainerPlan {
    pub name: String,
    pub image: String,
    /// `None`: the image's entrypoint.
    pub command: Option<Vec<String>>,
    /// `None`: the image's cmd (when command is also `None`).
    pub args: Option<Vec<String>>,
    pub working_dir: Option<PathBuf>,
    pub env: Vec<EnvVar>,
    pub mounts: Vec<Mount>,
    /// Named ports, for the record (probes hold resolved numbers).
    pub ports: Vec<(Option<String>, u16)>,
    pub liveness: Option<Probe>,
    pub readiness: Option<Probe>,
    pub startup: Option<Probe>,
    pub post_start: Option<Handler>,
    pub pre_stop: Option<Handler>,
    pub stop_signal: Option<Signal>,
    pub termination_message_path: PathBuf,
    pub termination_message_policy: MessagePolicy,
    pub security: Security,
    /// An init container with `restartPolicy: Always`.
    pub sidecar: bool,
    pub requests: BTreeMap<String, Amount>,
    pub limits: BTreeMap<String, Amount>,
}

/// What building a container needs from the pod.
pub(super) struct Context<'a> {
    pub spec: &'a PodSpec,
    pub path: &'a FieldPath,
    /// The pod's volumes by name, for mounts (a map: a pod may have
    /// thousands of volumes and mounts).
    pub volume_index: &'a std::collections::HashMap<String, usize>,
    pub config_maps: &'a BTreeMap<String, ConfigMap>,
    pub secrets: &'a BTreeMap<String, Secret>,
}

/// The containers of `field` (`initContainers` or `containers`).
pub(super) fn list(cx: &Context, field: &str, errors: &mut Vec<Diag>) -> Vec<ContainerPlan> {
    let raw = if field == "initContainers" {
        &cx.spec.init_containers
    } else {
        &cx.spec.containers
    };
    raw.iter()
        .flatten()
        .enumerate()
        .map(|(i, c)| {
            container(
                cx,
                c,
                &cx.path.field(field).index(i),
                field == "initContainers",
                errors,
            )
        })
        .collect()
}

fn container(
    cx: &Context,
    c: &k8s::Container,
    path: &FieldPath,
    init: bool,
    errors: &mut Vec<Diag>,
) -> ContainerPlan {
    let probe = |p: &Option<k8s::Probe>, name: &str, errors: &mut Vec<Diag>| {
        p.as_ref()
            .and_then(|p| self::probe(c, p, &path.field(name), errors))
    };
    let lifecycle = c.lifecycle.clone().unwrap_or_default();
    let hook = |h: &Option<k8s::LifecycleHandler>, name: &str, errors: &mut Vec<Diag>| {
        h.as_ref()
            .and_then(|h| handler(c, h, &path.field("lifecycle").field(name), errors))
    };
    let resources = c.resources.clone().unwrap_or_default();
    let amounts = |list: &Option<BTreeMap<String, k8s::Quantity>>| {
        list.iter()
            .flatten()
            .filter_map(|(name, q)| Some((name.clone(), Amount::parse(&q.0).ok()?)))
            .collect()
    };
    ContainerPlan {
        name: c.name.clone().unwrap_or_default(),
        image: c.image.clone().unwrap_or_default(),
        command: c.command.clone(),
        args: c.args.clone(),
        working_dir: c.working_dir.as_ref().map(PathBuf::from),
        env: env(cx, c),
        mounts: mounts(cx, c, path, errors),
        ports: c
            .ports
            .iter()
            .flatten()
            .filter_map(|p| Some((p.name.clone(), u16::try_from(p.container_port?).ok()?)))
            .collect(),
        liveness: probe(&c.liveness_probe, "livenessProbe", errors),
        readiness: probe(&c.readiness_probe, "readinessProbe", errors),
        startup: probe(&c.startup_probe, "startupProbe", errors),
        post_start: hook(&lifecycle.post_start, "postStart", errors),
        pre_stop: hook(&lifecycle.pre_stop, "preStop", errors),
        stop_signal: lifecycle.stop_signal.as_deref().and_then(Signal::parse),
        termination_message_path: PathBuf::from(
            c.termination_message_path
                .as_deref()
                .unwrap_or("/dev/termination-log"),
        ),
        termination_message_policy: match c.termination_message_policy.as_deref() {
            Some("FallbackToLogsOnError") => MessagePolicy::FallbackToLogsOnError,
            _ => MessagePolicy::File,
        },
        security: security(cx.spec, c),
        sidecar: init && c.restart_policy.as_deref() == Some("Always"),
        requests: amounts(&resources.requests),
        limits: amounts(&resources.limits),
    }
}

/// A port number: given, or the container port of that name.
fn port(
    c: &k8s::Container,
    port: Option<&IntOrString>,
    path: &FieldPath,
    errors: &mut Vec<Diag>,
) -> Option<u16> {
    let number = match port {
        Some(IntOrString::Int(n)) => u16::try_from(*n).ok().filter(|n| *n > 0),
        Some(IntOrString::String(name)) => c
            .ports
            .iter()
            .flatten()
            .find(|p| p.name.as_deref() == Some(name))
            .and_then(|p| u16::try_from(p.container_port?).ok()),
        None => None,
    };
    if number.is_none() {
        errors.push(unexpected(path, "no usable port"));
    }
    number
}

fn http_get(
    c: &k8s::Container,
    h: &k8s::HTTPGetAction,
    path: &FieldPath,
    errors: &mut Vec<Diag>,
) -> Option<HttpGet> {
    Some(HttpGet {
        host: h.host.clone().filter(|s| !s.is_empty()),
        port: port(c, h.port.as_ref(), &path.field("port"), errors)?,
        path: h.path.clone().unwrap_or_else(|| "/".into()),
        https: h.scheme.as_deref() == Some("HTTPS"),
        headers: h
            .http_headers
            .iter()
            .flatten()
            .map(|x| {
                (
                    x.name.clone().unwrap_or_default(),
                    x.value.clone().unwrap_or_default(),
                )
            })
            .collect(),
    })
}

fn exec(command: &Option<Vec<String>>, path: &FieldPath, errors: &mut Vec<Diag>) -> Option<Argv> {
    let argv = Argv::new(command.clone().unwrap_or_default());
    if argv.is_none() {
        errors.push(unexpected(&path.field("command"), "an empty command"));
    }
    argv
}

fn probe(
    c: &k8s::Container,
    p: &k8s::Probe,
    path: &FieldPath,
    errors: &mut Vec<Diag>,
) -> Option<Probe> {
    let action = if let Some(e) = &p.exec {
        ProbeAction::Exec(exec(&e.command, &path.field("exec"), errors)?)
    } else if let Some(h) = &p.http_get {
        // HTTPS, allowed only with --ignore-unsupported: no probe.
        ProbeAction::HttpGet(http_get(c, h, &path.field("httpGet"), errors).filter(|h| !h.https)?)
    } else if let Some(t) = &p.tcp_socket {
        let port = port(
            c,
            t.port.as_ref(),
            &path.field("tcpSocket").field("port"),
            errors,
        )?;
        ProbeAction::TcpSocket {
            host: t.host.clone().filter(|s| !s.is_empty()),
            port,
        }
    } else {
        // grpc, allowed only with --ignore-unsupported: no probe.
        return None;
    };
    let count = |n: Option<i32>, default: u32| {
        n.and_then(|n| u32::try_from(n).ok())
            .filter(|n| *n > 0)
            .unwrap_or(default)
    };
    Some(Probe {
        action,
        initial_delay: seconds(p.initial_delay_seconds.map_or(0, i64::from)),
        period: seconds(p.period_seconds.map_or(10, i64::from)).max(Duration::from_secs(1)),
        timeout: seconds(p.timeout_seconds.map_or(1, i64::from)).max(Duration::from_secs(1)),
        success_threshold: count(p.success_threshold, 1),
        failure_threshold: count(p.failure_threshold, 3),
        termination_grace: p.termination_grace_period_seconds.map(seconds),
    })
}

fn handler(
    c: &k8s::Container,
    h: &k8s::LifecycleHandler,
    path: &FieldPath,
    errors: &mut Vec<Diag>,
) -> Option<Handler> {
    if let Some(e) = &h.exec {
        Some(Handler::Exec(exec(
            &e.command,
            &path.field("exec"),
            errors,
        )?))
    } else if let Some(http) = &h.http_get {
        // HTTPS, allowed only with --ignore-unsupported: no hook.
        Some(Handler::HttpGet(
            http_get(c, http, &path.field("httpGet"), errors).filter(|h| !h.https)?,
        ))
    } else {
        // A tcpSocket hook (allowed only with --ignore-unsupported) has no
        // sleep either: no hook.
        h.sleep
            .as_ref()
            .map(|sleep| Handler::Sleep(seconds(sleep.seconds.unwrap_or(0))))
    }
}

/// Capability names as the kernel knows them, without `CAP_`.
fn capability(name: &str) -> String {
    let upper = name.to_ascii_uppercase();
    upper
        .strip_prefix("CAP_")
        .map(str::to_owned)
        .unwrap_or(upper)
}

fn security(spec: &PodSpec, c: &k8s::Container) -> Security {
    let pod = spec.security_context.clone().unwrap_or_default();
    let sc = c.security_context.clone().unwrap_or_default();
    let caps = sc.capabilities.clone().unwrap_or_default();
    Security {
        run_as_user: id(sc.run_as_user.or(pod.run_as_user)),
        run_as_group: id(sc.run_as_group.or(pod.run_as_group)),
        run_as_non_root: sc.run_as_non_root.or(pod.run_as_non_root) == Some(true),
        read_only_root_filesystem: sc.read_only_root_filesystem == Some(true),
        no_new_privileges: sc.allow_privilege_escalation == Some(false),
        capabilities_add: caps.add.iter().flatten().map(|c| capability(c)).collect(),
        capabilities_drop: caps.drop.iter().flatten().map(|c| capability(c)).collect(),
    }
}

fn mounts(
    cx: &Context,
    c: &k8s::Container,
    path: &FieldPath,
    errors: &mut Vec<Diag>,
) -> Vec<Mount> {
    let mut out = Vec::new();
    for (i, m) in c.volume_mounts.iter().flatten().enumerate() {
        let name = m.name.as_deref().unwrap_or("");
        let Some(&volume) = cx.volume_index.get(name) else {
            errors.push(unexpected(
                &path.field("volumeMounts").index(i).field("name"),
                "a mount of no volume",
            ));
            continue;
        };
        let sub_path = match (m.sub_path.as_deref(), m.sub_path_expr.as_deref()) {
            (Some(p), _) if !p.is_empty() => SubPath::Path(p.to_owned()),
            (_, Some(e)) if !e.is_empty() => SubPath::Expr(e.to_owned()),
            _ => SubPath::None,
        };
        out.push(Mount {
            volume,
            path: PathBuf::from(m.mount_path.as_deref().unwrap_or("/")),
            read_only: m.read_only == Some(true),
            sub_path,
        });
    }
    out
}

/// The container's variables in definition order: envFrom, then env.
fn env(cx: &Context, c: &k8s::Container) -> Vec<EnvVar> {
    let mut vars = Vec::new();
    for from in c.env_from.iter().flatten() {
        let prefix = from.prefix.clone().unwrap_or_default();
        let data = if let Some(r) = &from.config_map_ref {
            cx.config_maps
                .get(r.name.as_deref().unwrap_or(""))
                .map(config_map_data)
                .unwrap_or_default()
        } else if let Some(r) = &from.secret_ref {
            cx.secrets
                .get(r.name.as_deref().unwrap_or(""))
                .map(secret_data)
                .unwrap_or_default()
        } else {
            BTreeMap::new()
        };
        for (key, bytes) in data {
            vars.push(EnvVar {
                name: format!("{prefix}{key}"),
                value: EnvValue::Data(String::from_utf8_lossy(&bytes).into_owned()),
            });
        }
    }
    for var in c.env.iter().flatten() {
        let name = var.name.clone().unwrap_or_default();
        let value = match &var.value_from {
            None => Some(EnvValue::Literal(var.value.clone().unwrap_or_default())),
            Some(source) => env_source(cx, c, source),
        };
        // An optional reference to a missing ConfigMap, Secret or key
        // leaves the variable unset, as the kubelet does.
        if let Some(value) = value {
            vars.push(EnvVar { name, value });
        }
    }
    vars
}

fn env_source(cx: &Context, c: &k8s::Container, source: &k8s::EnvVarSource) -> Option<EnvValue> {
    if let Some(f) = &source.field_ref {
        return FieldRef::parse(f.field_path.as_deref()?).map(EnvValue::Field);
    }
    if let Some(r) = &source.resource_field_ref {
        return Some(EnvValue::Resource(resource_ref(r, c.name.as_deref())));
    }
    let bytes = if let Some(r) = &source.config_map_key_ref {
        cx.config_maps
            .get(r.name.as_deref()?)
            .and_then(|cm| config_map_data(cm).remove(r.key.as_deref()?))
    } else if let Some(r) = &source.secret_key_ref {
        cx.secrets
            .get(r.name.as_deref()?)
            .and_then(|s| secret_data(s).remove(r.key.as_deref()?))
    } else {
        None
    }?;
    Some(EnvValue::Data(String::from_utf8_lossy(&bytes).into_owned()))
}
