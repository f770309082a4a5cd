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
    // A StatefulSet's claim templates count as volumes (they are refused,
    // or with --ignore-unsupported empty directories, elsewhere).
    let volumes: HashSet<&str> = spec
        .volumes
        .iter()
        .flatten()
        .filter_map(|v| v.name.as_deref())
        .chain(check.cx.claim_templates.iter().map(String::as_str))
        .collect();
    let host_network = spec.host_network == Some(true);
    let os_name = spec
        .os
        .as_ref()
        .and_then(|os| os.name.as_deref())
        .is_some_and(|n| !n.is_empty());
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
                os_name,
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
                os_name,
            },
        );
    }
}

/// What a container's rules need to know of the pod.
struct Env<'a> {
    names: &'a [&'a str],
    volumes: &'a HashSet<&'a str>,
    host_network: bool,
    /// `spec.os.name` is set (lifecycle.stopSignal needs it).
    os_name: bool,
}

fn container(check: &mut Checker, c: &Container, path: &FieldPath, role: Role, pod: &Env) {
    match c.name.as_deref() {
        Some(name) => check.name(path.field("name"), name, names::dns_label),
        None => check.required(path.field("name")),
    }
    if c.image.as_deref().is_none_or(|i| i.trim().is_empty()) {
        check.required(path.field("image"));
    }
    // validateContainersOnlyForPod: a pod's image may not be padded.
    if let Some(image) = c.image.as_deref().filter(|i| !i.trim().is_empty()) {
        if check.cx.kind == "Pod" && image.trim() != image {
            check.invalid(
                path.field("image"),
                "must not have leading or trailing whitespace",
            );
        }
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
            if !pod.os_name {
                check.invalid(
                    at.field("stopSignal"),
                    "can only be set for pods with a non-empty spec.os.name",
                );
            }
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

/// Extended resources (`example.com/gpu`) and hugepages cannot be
/// overcommitted: a request needs a limit, and the same amount.
fn overcommit_allowed(name: &str) -> bool {
    !name.starts_with("hugepages-") && !is_extended(name)
}

/// A resource outside Kubernetes' own names, fully qualified.
fn is_extended(name: &str) -> bool {
    name.contains('/') && !name.starts_with("kubernetes.io/") && !name.starts_with("requests.")
}

/// Parses one resource list, checking names and amounts.
fn resource_list(
    check: &mut Checker,
    at: &FieldPath,
    list: &Option<std::collections::BTreeMap<String, crate::spec::k8s::Quantity>>,
) -> Vec<(String, Amount)> {
    let mut out = Vec::new();
    for (name, quantity) in list.iter().flatten() {
        let here = at.key(name);
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
            Ok(amount) => {
                if is_extended(name) && amount.nanos() % 1_000_000_000 != 0 {
                    check.invalid(here, format!("{:?} must be an integer", quantity.0));
                }
                out.push((name.clone(), amount));
            }
            Err(err) => check.invalid(here, err.to_string()),
        }
    }
    out
}

/// ValidateResourceRequirements: quantities, requests <= limits, and the
/// rules of resources that cannot be overcommitted.
fn resources(check: &mut Checker, c: &Container, path: &FieldPath) {
    let Some(resources) = &c.resources else {
        return;
    };
    let at = path.field("resources");
    let limits = resource_list(check, &at.field("limits"), &resources.limits);
    let requests = resource_list(check, &at.field("requests"), &resources.requests);
    for (name, request) in &requests {
        let here = at.field("requests").key(name);
        match limits.iter().find(|(n, _)| n == name) {
            Some((_, limit)) if !overcommit_allowed(name) && request != limit => {
                check.invalid(
                    here,
                    format!("must be equal to the {name} limit ({request} != {limit})"),
                );
            }
            Some((_, limit)) if request > limit => {
                check.invalid(
                    here,
                    format!("must be less than or equal to the {name} limit ({request} > {limit})"),
                );
            }
            Some(_) => {}
            None if !overcommit_allowed(name) => {
                check.invalid(
                    here,
                    format!("a limit must be set for {name}: it cannot be overcommitted"),
                );
            }
            None => {}
        }
    }
    let all = || limits.iter().chain(&requests).map(|(n, _)| n.as_str());
    if all().any(|n| n.starts_with("hugepages-")) && !all().any(|n| n == "cpu" || n == "memory") {
        check.invalid(at, "hugepages require a cpu or memory request or limit");
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
    let sys_admin = sc
        .capabilities
        .as_ref()
        .and_then(|c| c.add.as_ref())
        .is_some_and(|add| {
            add.iter().any(|c| {
                c.eq_ignore_ascii_case("SYS_ADMIN") || c.eq_ignore_ascii_case("CAP_SYS_ADMIN")
            })
        });
    if sys_admin && sc.allow_privilege_escalation == Some(false) {
        check.invalid(
            path.field("allowPrivilegeEscalation"),
            "cannot be false when capabilities.add has CAP_SYS_ADMIN",
        );
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
