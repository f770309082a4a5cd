//! The pod as `kubectl get pod -o json` shows it, and the events as
//! `kubectl describe` lists them: the types of the state file
//! (`status.json`) and of the control socket's answers.
//!
//! They mirror Kubernetes v1 (`k8s.io/api/core/v1` PodStatus, ContainerStatus,
//! PodCondition, Event) field for field, camelCase, optional fields left out
//! when empty, so that tools written for the API read them. Times are
//! RFC 3339 strings in UTC, as metav1.Time marshals them. Both directions:
//! podinit writes them, the `podinit status|describe` client reads them.

use serde::{Deserialize, Serialize};

/// The pod: the manifest as run (defaulted), with its status.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PodObject {
    pub api_version: String,
    pub kind: String,
    /// `name`, `namespace`, `uid`, `creationTimestamp`, labels...
    pub metadata: serde_json::Value,
    /// The defaulted spec, with `nodeName`.
    pub spec: serde_json::Value,
    pub status: PodStatus,
}

/// `v1.PodStatus`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PodStatus {
    /// Pending, Running, Succeeded or Failed.
    pub phase: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
    /// Why the pod is in this phase (`DeadlineExceeded`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_ip: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub host_ips: Vec<Ip>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_ip: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pod_ips: Vec<Ip>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub init_container_statuses: Vec<ContainerStatus>,
    #[serde(default)]
    pub container_statuses: Vec<ContainerStatus>,
    /// Guaranteed, Burstable or BestEffort.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub qos_class: String,
}

/// `v1.PodIP`, `v1.HostIP`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ip {
    pub ip: String,
}

/// `v1.PodCondition`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Condition {
    /// PodScheduled, PodReadyToStartContainers, Initialized,
    /// ContainersReady, Ready.
    #[serde(rename = "type")]
    pub kind: String,
    /// `True` or `False`.
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Always null, as the kubelet leaves it.
    #[serde(default)]
    pub last_probe_time: Option<String>,
    #[serde(default)]
    pub last_transition_time: Option<String>,
}

/// `v1.ContainerStatus`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerStatus {
    pub name: String,
    pub state: ContainerState,
    pub last_state: ContainerState,
    pub ready: bool,
    pub restart_count: u32,
    pub image: String,
    /// The resolved root filesystem.
    #[serde(rename = "imageID", default)]
    pub image_id: String,
    /// `podinit://UID/NAME/RESTART` once it was started.
    #[serde(
        rename = "containerID",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub container_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started: Option<bool>,
}

/// `v1.ContainerState`: one of the three is set (none for an empty
/// lastState).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerState {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting: Option<Waiting>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub running: Option<Running>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terminated: Option<Terminated>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Waiting {
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Running {
    pub started_at: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Terminated {
    pub exit_code: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signal: Option<i32>,
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
    pub finished_at: String,
    #[serde(
        rename = "containerID",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub container_id: Option<String>,
}

/// An event as `kubectl describe` lists it (`v1.Event`, the fields it
/// shows): identical events are counted, not repeated.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    /// `Normal` or `Warning`.
    #[serde(rename = "type")]
    pub kind: String,
    pub reason: String,
    pub message: String,
    /// The container it is about (`spec.containers{web}`), or empty for the
    /// pod.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub field_path: String,
    pub count: u32,
    pub first_timestamp: String,
    pub last_timestamp: String,
    /// `kubelet`, as the kubelet's events say (podinit is the pod's kubelet).
    pub source: String,
}

/// The control socket's answer to `status` and `describe`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub pod: PodObject,
    #[serde(default)]
    pub events: Vec<Event>,
    /// When the answer was made (for the ages the client prints).
    pub now: String,
}
