//! Round trips through serde_json: an object that sets every field of a
//! type reads and prints back unchanged. A field name that the types did
//! not know would be dropped on the way (serde ignores unknown fields
//! unless told otherwise), so each round trip also checks the names;
//! `fields` checks that the fixtures do set every field.

pub(crate) mod fields;
mod fixtures;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::*;
use fixtures::{full_container, full_meta, full_pod_spec};

/// Reads `value` as a `T`, prints it back, and compares.
fn round_trip<T: DeserializeOwned + Serialize>(value: Value) -> T {
    let typed: T = serde_json::from_value(value.clone()).unwrap();
    assert_eq!(serde_json::to_value(&typed).unwrap(), value);
    typed
}

#[test]
fn container_keeps_every_field() {
    let container: Container = round_trip(full_container());
    let probe = container.liveness_probe.unwrap();
    assert_eq!(
        probe.http_get.unwrap().port,
        Some(IntOrString::String("http".into()))
    );
    assert_eq!(probe.tcp_socket.unwrap().port, Some(IntOrString::Int(8080)));
    let limits = container.resources.unwrap().limits.unwrap();
    assert_eq!(limits.get("cpu"), Some(&Quantity::from("500m")));
}

#[test]
fn pod_keeps_every_field() {
    let mut meta = full_meta();
    // null reads as None and is then left out: drop it from the expectation.
    meta.as_object_mut().unwrap().remove("deletionTimestamp");
    let pod: Pod = round_trip(json!({
        "apiVersion": "v1", "kind": "Pod", "metadata": meta,
        "spec": full_pod_spec(), "status": {"phase": "Running"}
    }));
    let spec = pod.spec.unwrap();
    assert_eq!(
        spec.volumes.unwrap().len(),
        30,
        "one volume for each of the 30 sources"
    );
    assert_eq!(spec.host_pid, Some(false));
    assert_eq!(
        spec.security_context.unwrap().supplemental_groups,
        Some(vec![4000, 5000])
    );
}

#[test]
fn unset_fields_are_left_out() {
    assert_eq!(serde_json::to_value(Pod::default()).unwrap(), json!({}));
    assert_eq!(serde_json::to_value(PodSpec::default()).unwrap(), json!({}));
    assert_eq!(
        serde_json::to_value(Container::default()).unwrap(),
        json!({})
    );
    assert_eq!(serde_json::to_value(Volume::default()).unwrap(), json!({}));
    let container = Container {
        name: Some("web".into()),
        image: Some("busybox".into()),
        ..Container::default()
    };
    assert_eq!(
        serde_json::to_value(container).unwrap(),
        json!({"name": "web", "image": "busybox"})
    );
}

#[test]
fn missing_fields_read_as_none() {
    let pod: Pod = serde_json::from_value(json!({"kind": "Pod"})).unwrap();
    assert_eq!(pod.kind.as_deref(), Some("Pod"));
    assert_eq!(pod.spec, None);
    let vm: VolumeMount = serde_json::from_value(json!({})).unwrap();
    assert_eq!(vm, VolumeMount::default());
}

/// A workload object around `spec`.
fn workload(kind: &str, api_version: &str, spec: Value) -> Value {
    json!({"apiVersion": api_version, "kind": kind, "metadata": {"name": "web"},
           "spec": spec, "status": {}})
}

#[test]
fn workloads_keep_every_field() {
    let deployment: Deployment = round_trip(workload(
        "Deployment",
        "apps/v1",
        fixtures::deployment_spec(),
    ));
    let spec = deployment.spec.unwrap().template.unwrap().spec.unwrap();
    assert_eq!(spec.containers.unwrap()[0].name.as_deref(), Some("web"));
    round_trip::<ReplicaSet>(workload(
        "ReplicaSet",
        "apps/v1",
        fixtures::replica_set_spec(),
    ));
    round_trip::<StatefulSet>(workload(
        "StatefulSet",
        "apps/v1",
        fixtures::stateful_set_spec(),
    ));
    round_trip::<DaemonSet>(workload(
        "DaemonSet",
        "apps/v1",
        fixtures::daemon_set_spec(),
    ));
    round_trip::<Job>(workload("Job", "batch/v1", fixtures::job_spec()));
    let cron: CronJob = round_trip(workload("CronJob", "batch/v1", fixtures::cron_job_spec()));
    let job = cron.spec.unwrap().job_template.unwrap().spec.unwrap();
    assert!(job.template.unwrap().spec.unwrap().containers.is_some());
}

#[test]
fn config_objects_keep_every_field() {
    round_trip::<ConfigMap>(json!({
        "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"},
        "immutable": true, "data": {"a": "1"}, "binaryData": {"b": "AAE="}
    }));
    round_trip::<Secret>(json!({
        "apiVersion": "v1", "kind": "Secret", "metadata": {"name": "sec"},
        "immutable": false, "data": {"a": "MQ=="}, "stringData": {"b": "2"}, "type": "Opaque"
    }));
}

#[test]
fn int_fields_refuse_out_of_range_values() {
    // int32 fields stay int32: a probe period of 2^31 is an error, not a wrap.
    let err = serde_json::from_value::<Probe>(json!({"periodSeconds": 2_147_483_648_u64}));
    assert!(err.is_err());
    // int64 fields take what the Go types take.
    let sc: PodSecurityContext =
        serde_json::from_value(json!({"runAsUser": 4_294_967_296_i64})).unwrap();
    assert_eq!(sc.run_as_user, Some(4_294_967_296));
}
