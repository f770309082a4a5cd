//! The rules for init and app containers: names, image, ports, resources,
//! mounts and security context; env is in `env`, probes and hooks in `probe`.

use std::collections::HashSet;

use super::names;
use super::{Checker, unique};
use crate::spec::diag::FieldPath;
use crate::spec::k8s::{Container, PodSpec, SecurityContext};
use crate::spec::quantity::Amount;
use crate::sys::Signal;

/// What a container is to the pod.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    /// An init container run to completion.
    Init,
    /// An init container with `restartPolicy: Always`.
    Sidecar,
    App,
}

pub(super) fn containers(check: &mut Checker, spec: &PodSpec, path: &FieldPath) {
    let init = spec.init_containers.iter().flatten().enumerate();
    let app = spec.containers.iter().flatten().enumerate();
    let all: Vec<(FieldPath, &Container)> = init
        .map(|(i, c)| (path.field("initContainers").index(i), c))
        .chain(app.map(|(i, c)| (path.field("containers").index(i), c)))
        .collect();
    unique(
        check,
        all.iter()
            .map(|(p, c)| (p.field("name"), c.name.as_deref().unwrap_or(""))),
    );
    let names: Vec<&str> = all.iter().filter_map(|(_, c)| c.name.as_deref()).collect();
    let volumes: HashSet<&str> = spec
        .volumes
        .iter()
        .flatten()
        .filter_map(|v| v.name.as_deref())
        .collect();
    let host_network = spec.host_network == Some(true);
    for (i, c) in spec.init_containers.iter().flatten().enumerate() {
        let role = if c.restart_policy.as_deref() == Some("Always") {
            Role::Sidecar
        } else {
            Role::Init
        };
        let at = path.field("initContainers").index(i);
        container(
            check,
            c,
            &at,
            role,
            &Env {
                names: &names,
                volumes: &volumes,
                host_network,
            },
        );
    }
    for (i, c) in spec.containers.iter().flatten().enumerate() {
        let at = path.field("containers").index(i);
        container(
            check,
            c,
            &at,
            Role::App,
            &Env {
                names: &names,
                volumes: &volumes,
                host_network,
            },
        );
    }
}

/// What a container's rules need to know of the pod.
struct Env<'a> {
    names: &'a [&'a str],
    volumes: &'a HashSet<&'a str>,
    host_network: bool,
}

fn container(check: &mut Checker, c: &Container, path: &FieldPath, role: Role, pod: &Env) {
    match c.name.as_deref() {
        Some(name) => check.name(path.field("name"), name, names::dns_label),
        None => check.required(path.field("name")),
    }
    if c.image.as_deref().is_none_or(|i| i.trim().is_empty()) {
        check.required(path.field("image"));
    }
    if let Some(policy) = &c.image_pull_policy {
        check.one_of(
            path.field("imagePullPolicy"),
            policy,
            &["Always", "IfNotPresent", "Never"],
        );
    }
    if let Some(dir) = &c.working_dir {
        if !dir.starts_with('/') {
            check.invalid(
                path.field("workingDir"),
                format!("{dir:?} must be an absolute path"),
            );
        }
    }
    restart_policy(check, c, path, role);
    ports(check, c, path, pod.host_network);
    super::env::env(check, c, path, pod.names);
    resources(check, c, path);
    mounts(check, c, path, pod.volumes);
    super::probe::probes(check, c, path, role);
    if let Some(lifecycle) = &c.lifecycle {
        let at = path.field("lifecycle");
        for (name, hook) in [
            ("postStart", &lifecycle.post_start),
            ("preStop", &lifecycle.pre_stop),
        ] {
            if let Some(hook) = hook {
                super::probe::handler(check, c, &at.field(name), hook);
            }
        }
        if let Some(signal) = &lifecycle.stop_signal {
            if !signal.starts_with("SIG") || Signal::parse(signal).is_none() {
                check.invalid(
                    at.field("stopSignal"),
                    format!("{signal:?} is not a signal name such as SIGTERM"),
                );
            }
        }
    }
    if let Some(policy) = &c.termination_message_policy {
        check.one_of(
            path.field("terminationMessagePolicy"),
            policy,
            &["File", "FallbackToLogsOnError"],
        );
    }
    if let Some(sc) = &c.security_context {
        security(check, sc, &path.field("securityContext"));
    }
}

fn restart_policy(check: &mut Checker, c: &Container, path: &FieldPath, role: Role) {
    let Some(policy) = &c.restart_policy else {
        return;
    };
    let at = path.field("restartPolicy");
    if role == Role::App {
        check.unsupported(
            at,
            "restartPolicy on an app container (alpha in Kubernetes)",
        );
    } else {
        check.one_of(at, policy, &["Always"]);
    }
}

fn ports(check: &mut Checker, c: &Container, path: &FieldPath, host_network: bool) {
    let ports = c.ports.iter().flatten().enumerate();
    unique(
        check,
        ports.clone().map(|(i, p)| {
            (
                path.field("ports").index(i).field("name"),
                p.name.as_deref().unwrap_or(""),
            )
        }),
    );
    for (i, port) in ports {
        let at = path.field("ports").index(i);
        match port.container_port {
            Some(n) if (1..=65535).contains(&n) => {}
            Some(n) => check.invalid(
                at.field("containerPort"),
                format!("{n} is not a port number (1 to 65535)"),
            ),
            None => check.required(at.field("containerPort")),
        }
        if let Some(host) = port.host_port {
            if !(0..=65535).contains(&host) {
                check.invalid(
                    at.field("hostPort"),
                    format!("{host} is not a port number (0 to 65535)"),
                );
            } else if host_network && host != 0 && Some(host) != port.container_port {
                check.invalid(
                    at.field("hostPort"),
                    "must match containerPort when hostNetwork is true",
                );
            }
        }
        if let Some(name) = &port.name {
            check.name(at.field("name"), name, names::port_name);
        }
        if let Some(protocol) = &port.protocol {
            check.one_of(at.field("protocol"), protocol, &["TCP", "UDP", "SCTP"]);
        }
    }
}

fn resources(check: &mut Checker, c: &Container, path: &FieldPath) {
    let Some(resources) = &c.resources else {
        return;
    };
    let at = path.field("resources");
    let mut parsed = |kind: &str,
                      list: &Option<
        std::collections::BTreeMap<String, crate::spec::k8s::Quantity>,
    >| {
        let mut out = Vec::new();
        for (name, quantity) in list.iter().flatten() {
            let here = at.field(kind).key(name);
            let standard = ["cpu", "memory", "ephemeral-storage"].contains(&name.as_str())
                || name.starts_with("hugepages-")
                || (name.contains('/') && names::qualified_name(name).is_none());
            if !standard {
                check.invalid(here.clone(), format!("{name:?} is neither a standard resource (cpu, memory, ephemeral-storage, hugepages-SIZE) nor a fully qualified one (example.com/gpu)"));
            }
            match Amount::parse(&quantity.0) {
                Ok(amount) if amount.is_negative() => {
                    check.invalid(here, format!("{:?} must not be negative", quantity.0))
                }
                Ok(amount) => out.push((name.clone(), amount)),
                Err(err) => check.invalid(here, err.to_string()),
            }
        }
        out
    };
    let limits = parsed("limits", &resources.limits);
    let requests = parsed("requests", &resources.requests);
    for (name, request) in &requests {
        if let Some((_, limit)) = limits.iter().find(|(n, _)| n == name) {
            if request > limit {
                check.invalid(
                    at.field("requests").key(name),
                    format!("must be less than or equal to the {name} limit ({request} > {limit})"),
                );
            }
        }
    }
}

fn mounts(check: &mut Checker, c: &Container, path: &FieldPath, volumes: &HashSet<&str>) {
    let mounts = c.volume_mounts.iter().flatten().enumerate();
    unique(
        check,
        mounts.clone().map(|(i, m)| {
            (
                path.field("volumeMounts").index(i).field("mountPath"),
                m.mount_path.as_deref().unwrap_or(""),
            )
        }),
    );
    for (i, mount) in mounts {
        let at = path.field("volumeMounts").index(i);
        match mount.name.as_deref() {
            Some(name) if !volumes.contains(name) => {
                check.invalid(
                    at.field("name"),
                    format!("no volume named {name:?} in spec.volumes"),
                );
            }
            Some(_) => {}
            None => check.required(at.field("name")),
        }
        match mount.mount_path.as_deref() {
            Some(p) if p.starts_with('/') => {}
            Some(p) => check.invalid(
                at.field("mountPath"),
                format!("{p:?} must be an absolute path"),
            ),
            None => check.required(at.field("mountPath")),
        }
        if mount.sub_path.as_deref().is_some_and(|s| !s.is_empty())
            && mount
                .sub_path_expr
                .as_deref()
                .is_some_and(|s| !s.is_empty())
        {
            check.invalid(
                at.field("subPathExpr"),
                "subPath and subPathExpr are mutually exclusive",
            );
        }
        for (field, value) in [
            ("subPath", &mount.sub_path),
            ("subPathExpr", &mount.sub_path_expr),
        ] {
            if let Some(sub) = value.as_deref().filter(|s| !s.is_empty()) {
                check.name(at.field(field), sub, names::relative_path);
            }
        }
        if let Some(propagation) = &mount.mount_propagation {
            if propagation != "None"
                && check.one_of(
                    at.field("mountPropagation"),
                    propagation,
                    &["None", "HostToContainer", "Bidirectional"],
                )
            {
                check.unsupported(
                    at.field("mountPropagation"),
                    format!("mount propagation {propagation}"),
                );
            }
        }
        if let Some(rro) = &mount.recursive_read_only {
            if rro != "Disabled"
                && check.one_of(
                    at.field("recursiveReadOnly"),
                    rro,
                    &["Disabled", "IfPossible", "Enabled"],
                )
            {
                check.unsupported(
                    at.field("recursiveReadOnly"),
                    format!("recursive read-only mounts ({rro})"),
                );
            }
        }
    }
}

fn security(check: &mut Checker, sc: &SecurityContext, path: &FieldPath) {
    check.at_least(path.field("runAsUser"), sc.run_as_user, 0);
    check.at_least(path.field("runAsGroup"), sc.run_as_group, 0);
    if sc.privileged == Some(true) {
        check.unsupported(path.field("privileged"), "privileged containers");
    }
    if let Some(mount) = &sc.proc_mount {
        if mount != "Default"
            && check.one_of(path.field("procMount"), mount, &["Default", "Unmasked"])
        {
            check.unsupported(path.field("procMount"), "procMount Unmasked");
        }
    }
    if sc.privileged == Some(true) && sc.allow_privilege_escalation == Some(false) {
        check.invalid(
            path.field("allowPrivilegeEscalation"),
            "cannot be false when privileged is true",
        );
    }
    if let Some(profile) = &sc.seccomp_profile {
        let kind = profile.type_.as_deref();
        super::profile_type(
            check,
            &path.field("seccompProfile"),
            "seccomp",
            kind,
            &profile.localhost_profile,
        );
    }
    if let Some(profile) = &sc.app_armor_profile {
        let kind = profile.type_.as_deref();
        super::profile_type(
            check,
            &path.field("appArmorProfile"),
            "AppArmor",
            kind,
            &profile.localhost_profile,
        );
    }
}
