//! The workload objects whose pod template podinit can run: Deployment,
//! ReplicaSet, StatefulSet, DaemonSet (apps/v1), Job and CronJob (batch/v1).
//!
//! Only the way down to the pod is typed: `template` (a `PodTemplateSpec`)
//! and CronJob's `jobTemplate`. Every other spec field of 1.34 is known
//! but opaque (replicas, selector, strategy, ...): podinit runs one pod and
//! warns that the rest is a cluster's business. Picking the template out of
//! an object is the caller's job. Fields are in the order of the Go types.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::meta::ObjectMeta;
use super::pod::PodTemplateSpec;

/// A `kind: Deployment` (apps/v1): replicas of a pod template, rolled out.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Deployment {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<ObjectMeta>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spec: Option<DeploymentSpec>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Value>,
}

/// The spec of a Deployment.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentSpec {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replicas: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selector: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template: Option<PodTemplateSpec>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strategy: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_ready_seconds: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision_history_limit: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paused: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub progress_deadline_seconds: Option<Value>,
}

/// A `kind: ReplicaSet` (apps/v1): a number of identical pods.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplicaSet {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<ObjectMeta>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spec: Option<ReplicaSetSpec>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Value>,
}

/// The spec of a ReplicaSet.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplicaSetSpec {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replicas: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_ready_seconds: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selector: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template: Option<PodTemplateSpec>,
}

/// A `kind: StatefulSet` (apps/v1): ordered pods with stable names and storage.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatefulSet {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<ObjectMeta>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spec: Option<StatefulSetSpec>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Value>,
}

/// The spec of a StatefulSet.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatefulSetSpec {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replicas: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selector: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template: Option<PodTemplateSpec>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume_claim_templates: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_name: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pod_management_policy: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update_strategy: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision_history_limit: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_ready_seconds: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub persistent_volume_claim_retention_policy: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ordinals: Option<Value>,
}

/// A `kind: DaemonSet` (apps/v1): one pod per node.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DaemonSet {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<ObjectMeta>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spec: Option<DaemonSetSpec>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Value>,
}

/// The spec of a DaemonSet.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DaemonSetSpec {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selector: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template: Option<PodTemplateSpec>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update_strategy: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_ready_seconds: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision_history_limit: Option<Value>,
}

/// A `kind: Job` (batch/v1): pods run to completion.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Job {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<ObjectMeta>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spec: Option<JobSpec>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Value>,
}

/// The spec of a Job, also inside a CronJob's job template.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobSpec {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parallelism: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completions: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active_deadline_seconds: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pod_failure_policy: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub success_policy: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backoff_limit: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backoff_limit_per_index: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_failed_indexes: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selector: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manual_selector: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template: Option<PodTemplateSpec>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ttl_seconds_after_finished: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completion_mode: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suspend: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pod_replacement_policy: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub managed_by: Option<Value>,
}

/// A `kind: CronJob` (batch/v1): a Job made on a schedule.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CronJob {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<ObjectMeta>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spec: Option<CronJobSpec>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Value>,
}

/// The spec of a CronJob.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CronJobSpec {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub starting_deadline_seconds: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub concurrency_policy: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suspend: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_template: Option<JobTemplateSpec>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub successful_jobs_history_limit: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed_jobs_history_limit: Option<Value>,
}

/// The Job a CronJob makes: metadata and a Job spec.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobTemplateSpec {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<ObjectMeta>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spec: Option<JobSpec>,
}
