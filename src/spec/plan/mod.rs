//! The plan: a validated pod in types that cannot hold an invalid one.
//!
//! Built from the defaulted raw pod once validation found no error. Where
//! the raw types say `Option<i32>` seconds, the plan says `Duration`; where
//! they say a port name, the plan holds the number; a mount names its volume
//! by index; an exec handler has a non-empty argv; ConfigMap and Secret data
//! is resolved (and decoded) into the files and variables that use it; env
//! sources are enums. The runtime reads only the plan. What depends on the
//! running pod (its IP, the node's name) is left as a reference, resolved by
//! [`env::resolve`] when a container starts.

pub mod container;
pub mod data;
pub mod env;
pub mod volume;

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::time::Duration;

use super::check::Checked;
use super::diag::{Diag, FieldPath, Kind};
use super::k8s::{Pod, PodSpec};
use super::load::Found;

pub use container::{ContainerPlan, Handler, HttpGet, Probe, ProbeAction};
pub use env::{EnvValue, EnvVar, FieldRef, ResourceRef};
pub use volume::{FileContent, FileItem, HostPathType, Mount, VolumePlan, VolumeSource};

/// `restartPolicy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestartPolicy {
    Always,
    OnFailure,
    Never,
}

/// `dnsPolicy`, as it matters on one node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DnsPolicy {
    /// ClusterFirst, ClusterFirstWithHostNet, Default: the host's resolv.conf
    /// with dnsConfig merged in.
    Host,
    /// `None`: dnsConfig alone.
    None,
}

/// The pod's resolv.conf settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dns {
    pub policy: DnsPolicy,
    pub nameservers: Vec<IpAddr>,
    pub searches: Vec<String>,
    /// `name` or `name:value`.
    pub options: Vec<(String, Option<String>)>,
}

/// Which of the host's namespaces the pod keeps, and whether its containers
/// share one PID namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Namespaces {
    pub host_network: bool,
    pub host_pid: bool,
    pub host_ipc: bool,
    pub share_process_namespace: bool,
}

/// Pod-wide identity settings, the defaults of every container.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PodSecurity {
    pub run_as_user: Option<u32>,
    pub run_as_group: Option<u32>,
    pub run_as_non_root: bool,
    pub supplemental_groups: Vec<u32>,
    pub fs_group: Option<u32>,
}

/// The pod, ready to run.
#[derive(Debug, Clone, PartialEq)]
pub struct PodPlan {
    pub name: String,
    pub namespace: String,
    /// Empty when the manifest sets none; the runtime generates one.
    pub uid: String,
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    pub hostname: String,
    pub subdomain: Option<String>,
    pub set_hostname_as_fqdn: bool,
    pub restart_policy: RestartPolicy,
    pub grace: Duration,
    pub active_deadline: Option<Duration>,
    pub namespaces: Namespaces,
    pub dns: Dns,
    pub host_aliases: Vec<(IpAddr, Vec<String>)>,
    pub security: PodSecurity,
    pub volumes: Vec<VolumePlan>,
    /// In order; sidecars are the ones with `sidecar` set.
    pub init_containers: Vec<ContainerPlan>,
    pub containers: Vec<ContainerPlan>,
    /// What kind of object the pod came from (`Pod`, `Deployment`, ...).
    pub origin_kind: String,
}

/// Builds the plan of a checked manifest; `Err` when it has errors.
pub fn plan(checked: &Checked) -> Result<PodPlan, Vec<Diag>> {
    let errors: Vec<Diag> = checked
        .diags
        .iter()
        .filter(|d| d.is_error())
        .cloned()
        .collect();
    match (&checked.found, errors.is_empty()) {
        (Some(found), true) => build(found).map_err(|mut errors| {
            let root = FieldPath::root();
            super::fields::Marks::new(&found.node, &root).place(&mut errors);
            for error in &mut errors {
                error.file = Some(found.origin.file.clone());
            }
            errors
        }),
        (_, false) => Err(errors),
        (None, true) => Err(vec![Diag::error(
            Kind::Invalid,
            FieldPath::root(),
            "no pod in the manifest",
        )]),
    }
}

/// Something validation should have caught: reported, never a panic.
pub(crate) fn unexpected(path: &FieldPath, what: &str) -> Diag {
    Diag::error(
        Kind::Invalid,
        path.clone(),
        format!("{what} (not caught by validation: please report)"),
    )
}

fn build(found: &Found) -> Result<PodPlan, Vec<Diag>> {
    let pod: &Pod = &found.pod;
    let meta = pod.metadata.clone().unwrap_or_default();
    // Borrowed, not cloned: a pod spec may be large.
    let no_spec = PodSpec::default();
    let spec: &PodSpec = pod.spec.as_ref().unwrap_or(&no_spec);
    let at = &found.spec_path;
    let mut errors = Vec::new();
    let name = meta.name.clone().unwrap_or_default();
    let volumes = volume::volumes(spec, found);
    let volume_index: std::collections::HashMap<String, usize> = volumes
        .iter()
        .enumerate()
        .map(|(i, v)| (v.name.clone(), i))
        .collect();
    let containers_cx = container::Context {
        spec,
        path: at,
        volume_index: &volume_index,
        config_maps: &found.config_maps,
        secrets: &found.secrets,
    };
    let init_containers = container::list(&containers_cx, "initContainers", &mut errors);
    let containers = container::list(&containers_cx, "containers", &mut errors);
    let plan = PodPlan {
        hostname: spec
            .hostname
            .clone()
            .unwrap_or_else(|| name.chars().take(63).collect()),
        name,
        namespace: meta.namespace.clone().unwrap_or_else(|| "default".into()),
        uid: meta.uid.clone().unwrap_or_default(),
        labels: meta.labels.clone().unwrap_or_default(),
        annotations: meta.annotations.clone().unwrap_or_default(),
        subdomain: spec.subdomain.clone(),
        set_hostname_as_fqdn: spec.set_hostname_as_fqdn == Some(true),
        restart_policy: match spec.restart_policy.as_deref() {
            Some("OnFailure") => RestartPolicy::OnFailure,
            Some("Never") => RestartPolicy::Never,
            _ => RestartPolicy::Always,
        },
        grace: seconds(spec.termination_grace_period_seconds.unwrap_or(30)),
        active_deadline: spec.active_deadline_seconds.map(seconds),
        namespaces: Namespaces {
            host_network: spec.host_network == Some(true),
            host_pid: spec.host_pid == Some(true),
            host_ipc: spec.host_ipc == Some(true),
            share_process_namespace: spec.share_process_namespace == Some(true),
        },
        dns: dns(spec),
        host_aliases: spec
            .host_aliases
            .iter()
            .flatten()
            .filter_map(|a| {
                Some((
                    a.ip.as_deref()?.parse().ok()?,
                    a.hostnames.clone().unwrap_or_default(),
                ))
            })
            .collect(),
        security: pod_security(spec),
        volumes,
        init_containers,
        containers,
        origin_kind: found.origin.kind.clone(),
    };
    if errors.is_empty() {
        Ok(plan)
    } else {
        Err(errors)
    }
}

/// Whole seconds, negatives as zero (validation refuses them).
pub(crate) fn seconds(s: i64) -> Duration {
    Duration::from_secs(u64::try_from(s).unwrap_or(0))
}

/// An id (uid, gid) as the kernel takes it; negatives are refused by
/// validation, and ids beyond u32 by the kernel.
pub(crate) fn id(value: Option<i64>) -> Option<u32> {
    value.and_then(|v| u32::try_from(v).ok())
}

fn dns(spec: &PodSpec) -> Dns {
    let config = spec.dns_config.clone().unwrap_or_default();
    Dns {
        policy: if spec.dns_policy.as_deref() == Some("None") {
            DnsPolicy::None
        } else {
            DnsPolicy::Host
        },
        nameservers: config
            .nameservers
            .iter()
            .flatten()
            .filter_map(|s| s.parse().ok())
            .collect(),
        searches: config.searches.unwrap_or_default(),
        options: config
            .options
            .iter()
            .flatten()
            .filter_map(|o| Some((o.name.clone()?, o.value.clone())))
            .collect(),
    }
}

fn pod_security(spec: &PodSpec) -> PodSecurity {
    let sc = spec.security_context.clone().unwrap_or_default();
    PodSecurity {
        run_as_user: id(sc.run_as_user),
        run_as_group: id(sc.run_as_group),
        run_as_non_root: sc.run_as_non_root == Some(true),
        supplemental_groups: sc
            .supplemental_groups
            .iter()
            .flatten()
            .filter_map(|g| id(Some(*g)))
            .collect(),
        fs_group: id(sc.fs_group),
    }
}

/// The plan of a manifest given as text, for tests elsewhere; panics with
/// the diagnostics when it has errors.
#[cfg(test)]
#[allow(clippy::panic)]
pub(crate) fn plan_of(text: &str) -> PodPlan {
    let checked = super::check::check(
        &[super::load::Source {
            name: "t.yaml".into(),
            text: text.into(),
        }],
        super::check::Options::default(),
    );
    match plan(&checked) {
        Ok(plan) => plan,
        Err(diags) => panic!(
            "{:#?}",
            diags.iter().map(|d| d.to_string()).collect::<Vec<_>>()
        ),
    }
}

#[cfg(test)]
mod tests;
