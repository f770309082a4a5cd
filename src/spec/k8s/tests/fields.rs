//! The fixtures set every field: the keys of each fixture object are
//! exactly the field list serde passes to `deserialize_struct` for its
//! type, the list the manifest deserializer checks names against.

use std::collections::BTreeSet;
use std::fmt;

use serde::de::{self, DeserializeOwned, Visitor};
use serde_json::Value;

use super::super::*;
use super::fixtures;

/// A deserializer that only notes the field list of the struct asked for.
#[derive(Default)]
struct FieldRecorder {
    fields: &'static [&'static str],
}

/// The error that ends a recording.
#[derive(Debug)]
struct Stop;

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("recorded")
    }
}

impl std::error::Error for Stop {}

impl de::Error for Stop {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Stop
    }
}

impl<'de> de::Deserializer<'de> for &mut FieldRecorder {
    type Error = Stop;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
        Err(Stop)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Stop> {
        self.fields = fields;
        Err(Stop)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
        byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map enum
        identifier ignored_any
    }
}

/// The JSON field names of `T`, as its Deserialize impl declares them.
pub(crate) fn fields_of<T: DeserializeOwned>() -> BTreeSet<&'static str> {
    let mut recorder = FieldRecorder::default();
    assert!(T::deserialize(&mut recorder).is_err());
    recorder.fields.iter().copied().collect()
}

/// Asserts that the objects at `pointers` in `root` set, between them,
/// every field of `T` and nothing else.
#[track_caller]
fn assert_every_field<T: DeserializeOwned>(root: &Value, pointers: &[&str]) {
    let mut keys = BTreeSet::new();
    for pointer in pointers {
        let object = root.pointer(pointer).unwrap().as_object().unwrap();
        keys.extend(object.keys().map(String::as_str));
    }
    let fields = fields_of::<T>();
    assert!(!fields.is_empty(), "{}", std::any::type_name::<T>());
    assert_eq!(
        keys,
        fields,
        "{} at {pointers:?}",
        std::any::type_name::<T>()
    );
}

#[test]
fn the_recorder_sees_the_field_list() {
    let fields = fields_of::<HostAlias>();
    assert_eq!(fields, BTreeSet::from(["ip", "hostnames"]));
}

#[test]
fn the_container_fixture_sets_every_field() {
    let c = &fixtures::full_container();
    assert_every_field::<Container>(c, &[""]);
    assert_every_field::<ContainerPort>(c, &["/ports/0"]);
    assert_every_field::<EnvFromSource>(c, &["/envFrom/0"]);
    assert_every_field::<ConfigMapEnvSource>(c, &["/envFrom/0/configMapRef"]);
    assert_every_field::<SecretEnvSource>(c, &["/envFrom/0/secretRef"]);
    assert_every_field::<EnvVar>(c, &["/env/0", "/env/1"]);
    assert_every_field::<EnvVarSource>(c, &["/env/1/valueFrom"]);
    assert_every_field::<ObjectFieldSelector>(c, &["/env/1/valueFrom/fieldRef"]);
    assert_every_field::<ResourceFieldSelector>(c, &["/env/1/valueFrom/resourceFieldRef"]);
    assert_every_field::<ConfigMapKeySelector>(c, &["/env/1/valueFrom/configMapKeyRef"]);
    assert_every_field::<SecretKeySelector>(c, &["/env/1/valueFrom/secretKeyRef"]);
    assert_every_field::<ResourceRequirements>(c, &["/resources"]);
    assert_every_field::<VolumeMount>(c, &["/volumeMounts/0"]);
    assert_every_field::<Probe>(c, &["/livenessProbe"]);
    assert_every_field::<ExecAction>(c, &["/livenessProbe/exec"]);
    assert_every_field::<HTTPGetAction>(c, &["/livenessProbe/httpGet"]);
    assert_every_field::<HTTPHeader>(c, &["/livenessProbe/httpGet/httpHeaders/0"]);
    assert_every_field::<TCPSocketAction>(c, &["/livenessProbe/tcpSocket"]);
    assert_every_field::<GRPCAction>(c, &["/livenessProbe/grpc"]);
    assert_every_field::<Lifecycle>(c, &["/lifecycle"]);
    assert_every_field::<LifecycleHandler>(c, &["/lifecycle/postStart"]);
    assert_every_field::<SleepAction>(c, &["/lifecycle/preStop/sleep"]);
    assert_every_field::<SecurityContext>(c, &["/securityContext"]);
    assert_every_field::<Capabilities>(c, &["/securityContext/capabilities"]);
    assert_every_field::<SeccompProfile>(c, &["/securityContext/seccompProfile"]);
    assert_every_field::<AppArmorProfile>(c, &["/securityContext/appArmorProfile"]);
}

#[test]
fn the_pod_fixtures_set_every_field() {
    let spec = &fixtures::full_pod_spec();
    assert_every_field::<PodSpec>(spec, &[""]);
    assert_every_field::<PodSecurityContext>(spec, &["/securityContext"]);
    assert_every_field::<Sysctl>(spec, &["/securityContext/sysctls/0"]);
    assert_every_field::<PodDNSConfig>(spec, &["/dnsConfig"]);
    assert_every_field::<PodDNSConfigOption>(spec, &["/dnsConfig/options/0"]);
    assert_every_field::<HostAlias>(spec, &["/hostAliases/0"]);
    assert_every_field::<PodOS>(spec, &["/os"]);
    assert_every_field::<PodReadinessGate>(spec, &["/readinessGates/0"]);
    assert_every_field::<ObjectMeta>(&fixtures::full_meta(), &[""]);
}

#[test]
fn the_volume_fixtures_set_every_field() {
    let volumes = &fixtures::all_volumes();
    let count = volumes.as_array().unwrap().len();
    let every: Vec<String> = (0..count).map(|i| format!("/{i}")).collect();
    let every: Vec<&str> = every.iter().map(String::as_str).collect();
    assert_every_field::<Volume>(volumes, &every);
    assert_every_field::<HostPathVolumeSource>(volumes, &["/0/hostPath"]);
    assert_every_field::<EmptyDirVolumeSource>(volumes, &["/1/emptyDir"]);
    assert_every_field::<ConfigMapVolumeSource>(volumes, &["/2/configMap"]);
    assert_every_field::<KeyToPath>(volumes, &["/2/configMap/items/0"]);
    assert_every_field::<SecretVolumeSource>(volumes, &["/3/secret"]);
    assert_every_field::<DownwardAPIVolumeSource>(volumes, &["/4/downwardAPI"]);
    let files = ["/4/downwardAPI/items/0", "/4/downwardAPI/items/1"];
    assert_every_field::<DownwardAPIVolumeFile>(volumes, &files);
    assert_every_field::<ProjectedVolumeSource>(volumes, &["/5/projected"]);
    let sources: Vec<String> = (0..6)
        .map(|i| format!("/5/projected/sources/{i}"))
        .collect();
    let sources: Vec<&str> = sources.iter().map(String::as_str).collect();
    assert_every_field::<VolumeProjection>(volumes, &sources);
    assert_every_field::<ConfigMapProjection>(volumes, &["/5/projected/sources/0/configMap"]);
    assert_every_field::<SecretProjection>(volumes, &["/5/projected/sources/1/secret"]);
    let dapi = ["/5/projected/sources/2/downwardAPI"];
    assert_every_field::<DownwardAPIProjection>(volumes, &dapi);
}

#[test]
fn the_workload_fixtures_set_every_field() {
    assert_every_field::<DeploymentSpec>(&fixtures::deployment_spec(), &[""]);
    assert_every_field::<ReplicaSetSpec>(&fixtures::replica_set_spec(), &[""]);
    assert_every_field::<StatefulSetSpec>(&fixtures::stateful_set_spec(), &[""]);
    assert_every_field::<DaemonSetSpec>(&fixtures::daemon_set_spec(), &[""]);
    assert_every_field::<JobSpec>(&fixtures::job_spec(), &[""]);
    let cron = &fixtures::cron_job_spec();
    assert_every_field::<CronJobSpec>(cron, &[""]);
    assert_every_field::<JobTemplateSpec>(cron, &["/jobTemplate"]);
    assert_every_field::<PodTemplateSpec>(&fixtures::job_spec(), &["/template"]);
}

#[test]
fn top_level_objects_have_the_same_five_fields() {
    let object = BTreeSet::from(["apiVersion", "kind", "metadata", "spec", "status"]);
    assert_eq!(fields_of::<Pod>(), object);
    assert_eq!(fields_of::<Deployment>(), object);
    assert_eq!(fields_of::<ReplicaSet>(), object);
    assert_eq!(fields_of::<StatefulSet>(), object);
    assert_eq!(fields_of::<DaemonSet>(), object);
    assert_eq!(fields_of::<Job>(), object);
    assert_eq!(fields_of::<CronJob>(), object);
    let config_map = [
        "apiVersion",
        "kind",
        "metadata",
        "immutable",
        "data",
        "binaryData",
    ];
    assert_eq!(fields_of::<ConfigMap>(), BTreeSet::from(config_map));
    let secret = [
        "apiVersion",
        "kind",
        "metadata",
        "immutable",
        "data",
        "stringData",
        "type",
    ];
    assert_eq!(fields_of::<Secret>(), BTreeSet::from(secret));
}
