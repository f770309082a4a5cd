//! The raw Kubernetes types: serde structs that mirror the v1 API of
//! Kubernetes 1.34 field for field, JSON names included.
//!
//! They hold a manifest as written and nothing more: every field is an
//! `Option` (missing is `None`, and serializing prints only what is set),
//! string enums stay `String`, and nothing is defaulted or checked here.
//! The deserializer reports unknown fields from the field lists serde
//! passes it, so every field of the API is declared, even those podinit
//! never acts on; those are `serde_json::Value`, opaque, so validation can
//! call them ignored or unsupported by path rather than typos. Defaults,
//! validation and the plan live in the `spec` stages after this one.
//!
//! | file | holds |
//! | --- | --- |
//! | `meta` | ObjectMeta, Quantity, IntOrString |
//! | `pod` | Pod, PodSpec, PodTemplateSpec, DNS config, host aliases |
//! | `container` | Container, ports, env, resources, volume mounts |
//! | `probe` | probes, lifecycle hooks and their actions |
//! | `security` | container and pod security contexts |
//! | `volume` | Volume and the volume sources podinit can provide |
//! | `workload` | Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob |
//! | `config` | ConfigMap, Secret |

mod config;
mod container;
mod meta;
mod pod;
mod probe;
mod security;
mod volume;
mod workload;

#[cfg(test)]
pub(crate) mod tests;

pub use config::{ConfigMap, Secret};
pub use container::{
    ConfigMapEnvSource, ConfigMapKeySelector, Container, ContainerPort, EnvFromSource, EnvVar,
    EnvVarSource, ObjectFieldSelector, ResourceFieldSelector, ResourceRequirements,
    SecretEnvSource, SecretKeySelector, VolumeMount,
};
pub use meta::{IntOrString, ObjectMeta, Quantity};
pub use pod::{
    HostAlias, Pod, PodDNSConfig, PodDNSConfigOption, PodOS, PodReadinessGate, PodSpec,
    PodTemplateSpec,
};
pub use probe::{
    ExecAction, GRPCAction, HTTPGetAction, HTTPHeader, Lifecycle, LifecycleHandler, Probe,
    SleepAction, TCPSocketAction,
};
pub use security::{
    AppArmorProfile, Capabilities, PodSecurityContext, SeccompProfile, SecurityContext, Sysctl,
};
pub use volume::{
    ConfigMapProjection, ConfigMapVolumeSource, DownwardAPIProjection, DownwardAPIVolumeFile,
    DownwardAPIVolumeSource, EmptyDirVolumeSource, HostPathVolumeSource, KeyToPath,
    ProjectedVolumeSource, SecretProjection, SecretVolumeSource, Volume, VolumeProjection,
};
pub use workload::{
    CronJob, CronJobSpec, DaemonSet, DaemonSetSpec, Deployment, DeploymentSpec, Job, JobSpec,
    JobTemplateSpec, ReplicaSet, ReplicaSetSpec, StatefulSet, StatefulSetSpec,
};
