//! What podinit does with each field of a pod: the table behind validation
//! and behind `docs/manifest.md`.
//!
//! Every field of the Pod, PodSpec and Container types (and of the nested
//! types podinit reads) has one row: supported, ignored with a warning
//! (meaningful for a cluster, meaningless on one node), or not supported
//! (it would change what the pod does, so silently ignoring it could be
//! unsafe: an error, unless `--ignore-unsupported`). Some rows depend on the
//! value (`privileged: true` is refused, `false` is fine); those say
//! `Status::Depends` here and validation checks the value. A unit test keeps
//! `docs/manifest.md` in step with this table.
//!
//! Paths are schema paths (no indexes): `spec.containers.image` stands for
//! every container and init container (`spec.initContainers` share the
//! container rows), `spec.volumes.nfs` for every volume.

/// podinit's stance on a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Honoured as the kubelet does (or as the note says).
    Supported,
    /// Accepted with a warning: nothing on one node gives it a meaning.
    Ignored,
    /// Refused with an error: podinit does not implement it.
    Unsupported,
    /// Supported for some values only; the note says which.
    Depends,
}

/// One field.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub path: &'static str,
    pub status: Status,
    pub note: &'static str,
}

const fn f(path: &'static str, status: Status, note: &'static str) -> Field {
    Field { path, status, note }
}

use Status::{Depends, Ignored, Supported, Unsupported};

const SERVER: &str = "set by the API server; ignored";
const SCHEDULING: &str = "scheduling: there is one node";
const NOT_ENFORCED: &str = "not enforced yet (needs cgroup controllers); the values are validated";

/// Every field podinit knows, in the order of the docs.
#[rustfmt::skip]
pub const FIELDS: &[Field] = &[
    // --- the object
    f(
        "apiVersion",
        Supported,
        "`v1` for a Pod; a workload's own apiVersion for a template",
    ),
    f(
        "kind",
        Supported,
        "Pod, or Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob (one pod of the template runs); ConfigMap and Secret feed volumes and env",
    ),
    f(
        "metadata.name",
        Supported,
        "the pod's name and default hostname",
    ),
    f(
        "metadata.generateName",
        Supported,
        "used when `name` is empty: the prefix and 5 random characters",
    ),
    f(
        "metadata.namespace",
        Supported,
        "for the downward API and the log directory; default `default`",
    ),
    f(
        "metadata.uid",
        Supported,
        "for the downward API and the log directory; generated when absent",
    ),
    f("metadata.labels", Supported, "for the downward API"),
    f("metadata.annotations", Supported, "for the downward API"),
    f("metadata.resourceVersion", Ignored, SERVER),
    f("metadata.generation", Ignored, SERVER),
    f("metadata.creationTimestamp", Ignored, SERVER),
    f("metadata.deletionTimestamp", Ignored, SERVER),
    f("metadata.deletionGracePeriodSeconds", Ignored, SERVER),
    f(
        "metadata.ownerReferences",
        Ignored,
        "garbage collection: no API server",
    ),
    f("metadata.finalizers", Ignored, "no API server"),
    f("metadata.managedFields", Ignored, SERVER),
    f("metadata.selfLink", Ignored, SERVER),
    f("status", Ignored, "written by podinit, not read"),
    // --- the pod spec
    f("spec.volumes", Supported, "emptyDir, hostPath, configMap, secret, downwardAPI and projected; other sources are not supported"),
    f("spec.initContainers", Supported, "run one by one to success; with `restartPolicy: Always`, sidecars"),
    f("spec.containers", Supported, "started in order"),
    f("spec.ephemeralContainers", Unsupported, "added by `kubectl debug`, not part of a manifest"),
    f("spec.restartPolicy", Supported, "Always, OnFailure, Never, with the kubelet's back-off"),
    f("spec.terminationGracePeriodSeconds", Supported, "default 30"),
    f("spec.activeDeadlineSeconds", Supported, "the pod is stopped and Failed (DeadlineExceeded) after this many seconds"),
    f("spec.dnsPolicy", Supported, "ClusterFirst, ClusterFirstWithHostNet and Default use the host's resolv.conf (there is no cluster DNS); None uses dnsConfig alone"),
    f("spec.dnsConfig", Supported, "nameservers, searches and options merged into the pod's resolv.conf"),
    f("spec.nodeSelector", Ignored, SCHEDULING),
    f("spec.nodeName", Ignored, SCHEDULING),
    f("spec.affinity", Ignored, SCHEDULING),
    f("spec.tolerations", Ignored, SCHEDULING),
    f("spec.schedulerName", Ignored, SCHEDULING),
    f("spec.priority", Ignored, SCHEDULING),
    f("spec.priorityClassName", Ignored, SCHEDULING),
    f("spec.preemptionPolicy", Ignored, SCHEDULING),
    f("spec.topologySpreadConstraints", Ignored, SCHEDULING),
    f("spec.schedulingGates", Ignored, SCHEDULING),
    f("spec.overhead", Ignored, "set by RuntimeClass admission"),
    f("spec.runtimeClassName", Ignored, "podinit is the runtime"),
    f("spec.serviceAccountName", Ignored, "no API server: no service account token is mounted"),
    f("spec.serviceAccount", Ignored, "no API server: no service account token is mounted"),
    f("spec.automountServiceAccountToken", Ignored, "no API server: no service account token is mounted"),
    f("spec.imagePullSecrets", Ignored, "images are local, never pulled"),
    f("spec.enableServiceLinks", Ignored, "no Services on one node, so no service variables"),
    f("spec.readinessGates", Ignored, "no controller sets these conditions on one node; Ready does not wait for them"),
    f("spec.hostNetwork", Supported, "keeps the network namespace (and hostname) podinit started in"),
    f("spec.hostPID", Supported, "keeps the PID namespace podinit started in"),
    f("spec.hostIPC", Supported, "keeps the IPC namespace podinit started in"),
    f("spec.shareProcessNamespace", Supported, "one PID namespace for all containers, podinit its PID 1"),
    f("spec.hostname", Supported, "the pod's hostname (default: the pod name)"),
    f("spec.subdomain", Supported, "the FQDN `hostname.subdomain.namespace.svc.cluster.local` goes first in /etc/hosts"),
    f("spec.setHostnameAsFQDN", Supported, "the kernel hostname is the FQDN"),
    f("spec.hostAliases", Supported, "entries of the pod's /etc/hosts"),
    f("spec.os", Depends, "`linux` only"),
    f("spec.hostUsers", Depends, "`true` (the default) only: user namespaces are not supported"),
    f("spec.resourceClaims", Unsupported, "dynamic resource allocation needs a cluster"),
    f("spec.resources", Ignored, NOT_ENFORCED),
    f("spec.hostnameOverride", Unsupported, "not supported yet"),
    f("spec.securityContext.runAsUser", Supported, "numeric user of every container that sets none"),
    f("spec.securityContext.runAsGroup", Supported, "numeric group of every container that sets none"),
    f("spec.securityContext.runAsNonRoot", Supported, "a container that would run as uid 0 is refused at start"),
    f("spec.securityContext.supplementalGroups", Supported, "added to every container's groups"),
    f("spec.securityContext.supplementalGroupsPolicy", Depends, "`Merge` (the default) only"),
    f("spec.securityContext.fsGroup", Supported, "volumes are given this group and every container has it"),
    f("spec.securityContext.fsGroupChangePolicy", Supported, "Always or OnRootMismatch"),
    f("spec.securityContext.sysctls", Unsupported, "not supported yet"),
    f("spec.securityContext.seccompProfile", Depends, "`Unconfined` only: podinit applies no seccomp filter"),
    f("spec.securityContext.appArmorProfile", Depends, "`Unconfined` only: podinit applies no AppArmor profile"),
    f("spec.securityContext.seLinuxOptions", Unsupported, "podinit sets no SELinux labels"),
    f("spec.securityContext.seLinuxChangePolicy", Ignored, "podinit sets no SELinux labels"),
    f("spec.securityContext.windowsOptions", Ignored, "Windows only"),
    // --- volumes
    f("spec.volumes.name", Supported, ""),
    f("spec.volumes.emptyDir", Depends, "on disk under the pod's state directory, or `medium: Memory` as a tmpfs bounded by sizeLimit; HugePages media are not supported"),
    f("spec.volumes.emptyDir.mode", Supported, "the directory's mode (a Kubernetes 1.37 alpha field)"),
    f("spec.volumes.hostPath", Supported, "with the `type` checks and creation rules"),
    f("spec.volumes.configMap", Supported, "from a ConfigMap document in the manifest"),
    f("spec.volumes.secret", Supported, "from a Secret document in the manifest"),
    f("spec.volumes.downwardAPI", Supported, "pod fields, labels, annotations and resource fields as files"),
    f("spec.volumes.projected", Supported, "configMap, secret and downwardAPI sources"),
    f("spec.volumes.projected.sources.serviceAccountToken", Unsupported, "no API server to issue tokens"),
    f("spec.volumes.projected.sources.clusterTrustBundle", Unsupported, "needs a cluster"),
    f("spec.volumes.projected.sources.podCertificate", Unsupported, "needs a cluster"),
    f("spec.volumes.persistentVolumeClaim", Unsupported, "needs a cluster; use hostPath"),
    f("spec.volumes.ephemeral", Unsupported, "needs a cluster"),
    f("spec.volumes.csi", Unsupported, "no CSI drivers"),
    f("spec.volumes.image", Unsupported, "not supported yet"),
    f("spec.volumes.nfs", Unsupported, "network volume"),
    f("spec.volumes.iscsi", Unsupported, "network volume"),
    f("spec.volumes.glusterfs", Unsupported, "network volume"),
    f("spec.volumes.rbd", Unsupported, "network volume"),
    f("spec.volumes.cephfs", Unsupported, "network volume"),
    f("spec.volumes.fc", Unsupported, "network volume"),
    f("spec.volumes.flexVolume", Unsupported, "volume plugin"),
    f("spec.volumes.flocker", Unsupported, "volume plugin"),
    f("spec.volumes.gitRepo", Unsupported, "deprecated in Kubernetes"),
    f("spec.volumes.gcePersistentDisk", Unsupported, "cloud volume"),
    f("spec.volumes.awsElasticBlockStore", Unsupported, "cloud volume"),
    f("spec.volumes.azureDisk", Unsupported, "cloud volume"),
    f("spec.volumes.azureFile", Unsupported, "cloud volume"),
    f("spec.volumes.cinder", Unsupported, "cloud volume"),
    f("spec.volumes.vsphereVolume", Unsupported, "cloud volume"),
    f("spec.volumes.photonPersistentDisk", Unsupported, "cloud volume"),
    f("spec.volumes.portworxVolume", Unsupported, "volume plugin"),
    f("spec.volumes.quobyte", Unsupported, "volume plugin"),
    f("spec.volumes.scaleIO", Unsupported, "volume plugin"),
    f("spec.volumes.storageos", Unsupported, "volume plugin"),
    // --- containers (and init containers)
    f("spec.containers.name", Supported, "unique across init and app containers"),
    f("spec.containers.image", Supported, "resolved locally: a name in the image store, an absolute path to a root filesystem, or `/` for podinit's own"),
    f("spec.containers.imagePullPolicy", Supported, "validated; images are never pulled, whatever the policy"),
    f("spec.containers.command", Supported, "with `$(VAR)` expansion"),
    f("spec.containers.args", Supported, "with `$(VAR)` expansion"),
    f("spec.containers.workingDir", Supported, ""),
    f("spec.containers.ports", Supported, "names are used by probes and hooks; nothing is published"),
    f("spec.containers.ports.hostPort", Ignored, "podinit forwards no ports; with hostNetwork the container port is on the host already"),
    f("spec.containers.env", Supported, "value with `$(VAR)` expansion; valueFrom fieldRef, resourceFieldRef, configMapKeyRef, secretKeyRef"),
    f("spec.containers.env.valueFrom.fileKeyRef", Unsupported, "alpha in Kubernetes"),
    f("spec.containers.envFrom", Supported, "configMapRef and secretRef, with prefix"),
    f("spec.containers.resources", Ignored, NOT_ENFORCED),
    f("spec.containers.resizePolicy", Ignored, "resources are not enforced yet"),
    f("spec.containers.restartPolicy", Depends, "`Always` on an init container makes it a sidecar; on an app container (alpha in Kubernetes) not supported"),
    f("spec.containers.restartPolicyRules", Unsupported, "alpha in Kubernetes"),
    f("spec.containers.volumeMounts", Supported, "the pod's volumes in the container's mount namespace"),
    f("spec.containers.volumeMounts.name", Supported, "a volume of spec.volumes"),
    f("spec.containers.volumeMounts.mountPath", Supported, "absolute; created where missing"),
    f("spec.containers.volumeMounts.readOnly", Supported, ""),
    f("spec.containers.volumeMounts.subPath", Supported, "a path inside the volume, relative, without `..`"),
    f("spec.containers.volumeMounts.subPathExpr", Supported, "as subPath, with `$(VAR)` expanded from the container's env"),
    f("spec.containers.volumeMounts.mountPropagation", Depends, "`None` only"),
    f("spec.containers.volumeMounts.recursiveReadOnly", Depends, "`Disabled` only"),
    f("spec.containers.volumeDevices", Unsupported, "block volumes need a cluster"),
    f("spec.containers.livenessProbe", Supported, "exec, httpGet and tcpSocket, with the kubelet's timing rules"),
    f("spec.containers.livenessProbe.grpc", Unsupported, "gRPC probes are not supported yet"),
    f("spec.containers.livenessProbe.httpGet.scheme", Depends, "`HTTP` only: podinit has no TLS client"),
    f("spec.containers.livenessProbe.httpGet.host", Depends, "an IP address or `localhost`: podinit resolves no names for probes and hooks"),
    f("spec.containers.livenessProbe.tcpSocket.host", Depends, "an IP address or `localhost`: podinit resolves no names for probes and hooks"),
    f("spec.containers.readinessProbe", Supported, "exec, httpGet and tcpSocket, with the kubelet's timing rules"),
    f("spec.containers.readinessProbe.grpc", Unsupported, "gRPC probes are not supported yet"),
    f("spec.containers.readinessProbe.httpGet.scheme", Depends, "`HTTP` only: podinit has no TLS client"),
    f("spec.containers.readinessProbe.httpGet.host", Depends, "an IP address or `localhost`: podinit resolves no names for probes and hooks"),
    f("spec.containers.readinessProbe.tcpSocket.host", Depends, "an IP address or `localhost`: podinit resolves no names for probes and hooks"),
    f("spec.containers.startupProbe", Supported, "exec, httpGet and tcpSocket, with the kubelet's timing rules"),
    f("spec.containers.startupProbe.grpc", Unsupported, "gRPC probes are not supported yet"),
    f("spec.containers.startupProbe.httpGet.scheme", Depends, "`HTTP` only: podinit has no TLS client"),
    f("spec.containers.startupProbe.httpGet.host", Depends, "an IP address or `localhost`: podinit resolves no names for probes and hooks"),
    f("spec.containers.startupProbe.tcpSocket.host", Depends, "an IP address or `localhost`: podinit resolves no names for probes and hooks"),
    f("spec.containers.lifecycle.postStart", Supported, "exec, httpGet and sleep"),
    f("spec.containers.lifecycle.postStart.httpGet.scheme", Depends, "`HTTP` only: podinit has no TLS client"),
    f("spec.containers.lifecycle.postStart.httpGet.host", Depends, "an IP address or `localhost`: podinit resolves no names for probes and hooks"),
    f("spec.containers.lifecycle.postStart.tcpSocket", Unsupported, "the kubelet does not run tcpSocket hooks either"),
    f("spec.containers.lifecycle.preStop", Supported, "exec, httpGet and sleep"),
    f("spec.containers.lifecycle.preStop.httpGet.scheme", Depends, "`HTTP` only: podinit has no TLS client"),
    f("spec.containers.lifecycle.preStop.httpGet.host", Depends, "an IP address or `localhost`: podinit resolves no names for probes and hooks"),
    f("spec.containers.lifecycle.preStop.tcpSocket", Unsupported, "the kubelet does not run tcpSocket hooks either"),
    f("spec.containers.lifecycle.stopSignal", Supported, "the signal that stops the container"),
    f("spec.containers.terminationMessagePath", Supported, "read when the container ends"),
    f("spec.containers.terminationMessagePolicy", Supported, "File or FallbackToLogsOnError"),
    f("spec.containers.securityContext.runAsUser", Supported, "numeric"),
    f("spec.containers.securityContext.runAsGroup", Supported, "numeric"),
    f("spec.containers.securityContext.runAsNonRoot", Supported, "a container that would run as uid 0 is refused at start"),
    f("spec.containers.securityContext.readOnlyRootFilesystem", Supported, "the root filesystem is mounted read-only"),
    f("spec.containers.securityContext.allowPrivilegeEscalation", Supported, "`false` sets no_new_privs"),
    f("spec.containers.securityContext.capabilities", Supported, "add and drop, from the capabilities podinit has"),
    f("spec.containers.securityContext.privileged", Depends, "`false` only"),
    f("spec.containers.securityContext.procMount", Depends, "`Default` only"),
    f("spec.containers.securityContext.seccompProfile", Depends, "`Unconfined` only: podinit applies no seccomp filter"),
    f("spec.containers.securityContext.appArmorProfile", Depends, "`Unconfined` only: podinit applies no AppArmor profile"),
    f("spec.containers.securityContext.seLinuxOptions", Unsupported, "podinit sets no SELinux labels"),
    f("spec.containers.securityContext.windowsOptions", Ignored, "Windows only"),
    f("spec.containers.stdin", Ignored, "no attach: stdin is /dev/null"),
    f("spec.containers.stdinOnce", Ignored, "no attach: stdin is /dev/null"),
    f("spec.containers.tty", Ignored, "no attach: no terminal is allocated"),
];

/// The row for a schema path, init containers read as containers.
pub fn lookup(schema_path: &str) -> Option<&'static Field> {
    let path = normalize(schema_path);
    FIELDS.iter().find(|field| field.path == path)
}

/// `spec.initContainers.x` reads as `spec.containers.x`.
fn normalize(schema_path: &str) -> std::borrow::Cow<'_, str> {
    match schema_path.strip_prefix("spec.initContainers") {
        Some(rest) => format!("spec.containers{rest}").into(),
        None => schema_path.into(),
    }
}

/// The table of `docs/manifest.md`, one row per field.
pub fn markdown_table() -> String {
    let mut out = String::from("| field | podinit | notes |\n| --- | --- | --- |\n");
    for field in FIELDS {
        let status = match field.status {
            Supported => "supported",
            Ignored => "ignored (warning)",
            Unsupported => "**not supported** (error)",
            Depends => "depends on the value",
        };
        out.push_str(&format!(
            "| `{}` | {status} | {} |\n",
            field.path, field.note
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// docs/manifest.md carries the table between two markers; this test
    /// fails when it is stale, and rewrites it with PODINIT_UPDATE_DOCS=1.
    #[test]
    fn docs_manifest_md_matches_the_table() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/manifest.md");
        let doc = std::fs::read_to_string(path).unwrap();
        let (start, end) = ("<!-- fields:begin -->\n", "<!-- fields:end -->");
        let from = doc.find(start).unwrap() + start.len();
        let to = doc.find(end).unwrap();
        let table = markdown_table();
        if doc[from..to] != table {
            if std::env::var_os("PODINIT_UPDATE_DOCS").is_some() {
                std::fs::write(path, format!("{}{table}{}", &doc[..from], &doc[to..])).unwrap();
            } else {
                panic!(
                    "docs/manifest.md is stale: run PODINIT_UPDATE_DOCS=1 cargo test --lib support"
                );
            }
        }
    }

    #[test]
    fn every_row_is_unique_and_explained() {
        let mut seen = std::collections::HashSet::new();
        for field in FIELDS {
            assert!(seen.insert(field.path), "{} twice", field.path);
            if field.status != Supported {
                assert!(!field.note.is_empty(), "{} needs a note", field.path);
            }
        }
    }

    /// Every field of the pod-level types has a row, or rows below it.
    #[test]
    fn every_field_of_the_pod_has_a_row() {
        use crate::spec::k8s::tests::fields::fields_of;
        use crate::spec::k8s::*;
        let types = [
            ("metadata", fields_of::<ObjectMeta>()),
            ("spec", fields_of::<PodSpec>()),
            ("spec.securityContext", fields_of::<PodSecurityContext>()),
            ("spec.volumes", fields_of::<Volume>()),
            ("spec.containers", fields_of::<Container>()),
            (
                "spec.containers.securityContext",
                fields_of::<SecurityContext>(),
            ),
            ("spec.containers.lifecycle", fields_of::<Lifecycle>()),
            ("spec.containers.volumeMounts", fields_of::<VolumeMount>()),
        ];
        let mut missing = Vec::new();
        for (prefix, fields) in types {
            for field in fields {
                let path = format!("{prefix}.{field}");
                let below = format!("{path}.");
                let covered = FIELDS
                    .iter()
                    .any(|f| f.path == path || f.path.starts_with(&below))
                    || FIELDS.iter().any(|f| {
                        path.starts_with(&format!("{}.", f.path))
                            && f.status != Depends
                            && f.status != Supported
                    });
                if !covered {
                    missing.push(path);
                }
            }
        }
        assert!(missing.is_empty(), "fields without a row: {missing:#?}");
    }

    #[test]
    fn init_containers_share_the_container_rows() {
        let row = lookup("spec.initContainers.securityContext.privileged").unwrap();
        assert_eq!(row.status, Depends);
        assert!(lookup("spec.initContainers.nope").is_none());
    }
}
