//! Objects that set every field of the typed structs, for the round trips
//! and the field-list checks.

use serde_json::{Value, json};

/// Every Container field, with every typed sub-object filled in.
pub(super) fn full_container() -> Value {
    let http_get = json!({
        "path": "/healthz", "port": "http", "host": "127.0.0.1", "scheme": "HTTP",
        "httpHeaders": [{"name": "X-Probe", "value": "1"}]
    });
    json!({
        "name": "web",
        "image": "busybox:1.36",
        "command": ["sh", "-c"],
        "args": ["sleep 3600"],
        "workingDir": "/srv",
        "ports": [{"name": "http", "hostPort": 8080, "containerPort": 80,
                   "protocol": "TCP", "hostIP": "0.0.0.0"}],
        "envFrom": [{"prefix": "CFG_", "configMapRef": {"name": "cfg", "optional": true},
                     "secretRef": {"name": "sec", "optional": false}}],
        "env": [
            {"name": "A", "value": "1"},
            {"name": "B", "valueFrom": {
                "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"},
                "resourceFieldRef": {"containerName": "web", "resource": "limits.cpu",
                                     "divisor": "1m"},
                "configMapKeyRef": {"name": "cfg", "key": "k", "optional": true},
                "secretKeyRef": {"name": "sec", "key": "k", "optional": false},
                "fileKeyRef": {"path": "a.env", "volumeName": "v", "key": "K"}
            }}
        ],
        "resources": {"limits": {"cpu": "500m", "memory": "64Mi"},
                      "requests": {"cpu": "0.25"}, "claims": [{"name": "gpu"}]},
        "resizePolicy": [{"resourceName": "cpu", "restartPolicy": "NotRequired"}],
        "restartPolicy": "Always",
        "restartPolicyRules": [{"action": "Restart",
                                "exitCodes": {"operator": "In", "values": [42]}}],
        "volumeMounts": [{"name": "data", "readOnly": true, "recursiveReadOnly": "IfPossible",
                          "mountPath": "/data", "subPath": "x", "mountPropagation": "None",
                          "subPathExpr": "$(POD)"}],
        "volumeDevices": [{"name": "blk", "devicePath": "/dev/xvda"}],
        "livenessProbe": {
            "exec": {"command": ["true"]},
            "httpGet": http_get,
            "tcpSocket": {"port": 8080, "host": "localhost"},
            "grpc": {"port": 9090, "service": "health"},
            "initialDelaySeconds": 1, "timeoutSeconds": 2, "periodSeconds": 3,
            "successThreshold": 1, "failureThreshold": 4,
            "terminationGracePeriodSeconds": 5
        },
        "readinessProbe": {"httpGet": {"port": 80}},
        "startupProbe": {"tcpSocket": {"port": "http"}},
        "lifecycle": {
            "postStart": {"exec": {"command": ["echo", "up"]}, "httpGet": {"port": 80},
                          "tcpSocket": {"port": 80}, "sleep": {"seconds": 1}},
            "preStop": {"sleep": {"seconds": 5}},
            "stopSignal": "SIGUSR1"
        },
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "FallbackToLogsOnError",
        "imagePullPolicy": "IfNotPresent",
        "securityContext": {
            "capabilities": {"add": ["NET_ADMIN"], "drop": ["ALL"]},
            "privileged": false,
            "seLinuxOptions": {"level": "s0:c123,c456"},
            "windowsOptions": {"runAsUserName": "x"},
            "runAsUser": 1000, "runAsGroup": 3000, "runAsNonRoot": true,
            "readOnlyRootFilesystem": true, "allowPrivilegeEscalation": false,
            "procMount": "Default",
            "seccompProfile": {"type": "Localhost", "localhostProfile": "p.json"},
            "appArmorProfile": {"type": "Localhost", "localhostProfile": "k8s-x"}
        },
        "stdin": true, "stdinOnce": true, "tty": true
    })
}

/// Every Volume source: the typed ones filled in, the opaque ones as `{}`.
pub(super) fn all_volumes() -> Value {
    let opaque = [
        "gcePersistentDisk",
        "awsElasticBlockStore",
        "gitRepo",
        "nfs",
        "iscsi",
        "glusterfs",
        "persistentVolumeClaim",
        "rbd",
        "flexVolume",
        "cinder",
        "cephfs",
        "flocker",
        "fc",
        "azureFile",
        "vsphereVolume",
        "quobyte",
        "azureDisk",
        "photonPersistentDisk",
        "portworxVolume",
        "scaleIO",
        "storageos",
        "csi",
        "ephemeral",
        "image",
    ];
    let items = json!([{"key": "k", "path": "p", "mode": 0o400}]);
    let dapi_items = json!([
        {"path": "name", "fieldRef": {"fieldPath": "metadata.name"}, "mode": 0o644},
        {"path": "cpu", "resourceFieldRef": {"containerName": "web", "resource": "limits.cpu",
                                            "divisor": "1m"}}
    ]);
    let mut volumes = vec![
        json!({"name": "h", "hostPath": {"path": "/var/log", "type": "Directory"}}),
        json!({"name": "e", "emptyDir": {"medium": "Memory", "sizeLimit": "64Mi", "mode": 0o1777}}),
        json!({"name": "c", "configMap": {"name": "cfg", "items": items, "defaultMode": 0o644,
                                          "optional": true}}),
        json!({"name": "s", "secret": {"secretName": "sec", "items": items,
                                       "defaultMode": 0o600, "optional": false}}),
        json!({"name": "d", "downwardAPI": {"items": dapi_items, "defaultMode": 0o644}}),
        json!({"name": "p", "projected": {"defaultMode": 0o440, "sources": [
            {"configMap": {"name": "cfg", "items": items, "optional": true}},
            {"secret": {"name": "sec", "items": items, "optional": true}},
            {"downwardAPI": {"items": dapi_items}},
            {"serviceAccountToken": {"path": "token", "expirationSeconds": 3600}},
            {"clusterTrustBundle": {"name": "b", "path": "ca.pem"}},
            {"podCertificate": {"signerName": "x/y", "keyType": "ED25519"}}
        ]}}),
    ];
    volumes.extend(
        opaque
            .iter()
            .map(|&source| json!({"name": source, source: {}})),
    );
    Value::Array(volumes)
}

/// Every PodSpec field (in two parts: one `json!` would pass the macro
/// recursion limit).
pub(super) fn full_pod_spec() -> Value {
    let mut spec = json!({
        "volumes": all_volumes(),
        "initContainers": [{"name": "init", "image": "busybox"}],
        "containers": [full_container()],
        "ephemeralContainers": [{"name": "debug", "image": "busybox"}],
        "restartPolicy": "OnFailure",
        "terminationGracePeriodSeconds": 30,
        "activeDeadlineSeconds": 600,
        "dnsPolicy": "None",
        "nodeSelector": {"kubernetes.io/os": "linux"},
        "serviceAccountName": "default",
        "serviceAccount": "default",
        "automountServiceAccountToken": false,
        "nodeName": "node-1",
        "hostNetwork": false, "hostPID": false, "hostIPC": false,
        "shareProcessNamespace": true,
        "securityContext": {
            "seLinuxOptions": {"level": "s0"}, "windowsOptions": {"hostProcess": false},
            "runAsUser": 1000, "runAsGroup": 3000, "runAsNonRoot": true,
            "supplementalGroups": [4000, 5000], "supplementalGroupsPolicy": "Strict",
            "fsGroup": 2000,
            "sysctls": [{"name": "net.ipv4.ip_local_port_range", "value": "1024 65535"}],
            "fsGroupChangePolicy": "OnRootMismatch",
            "seccompProfile": {"type": "RuntimeDefault"},
            "appArmorProfile": {"type": "RuntimeDefault"},
            "seLinuxChangePolicy": "MountOption"
        },
    });
    let rest = json!({
        "imagePullSecrets": [{"name": "regcred"}],
        "hostname": "web", "subdomain": "svc",
        "affinity": {"nodeAffinity": {}},
        "schedulerName": "default-scheduler",
        "tolerations": [{"operator": "Exists"}],
        "hostAliases": [{"ip": "127.0.0.1", "hostnames": ["foo.local", "bar.local"]}],
        "priorityClassName": "high", "priority": 1000,
        "dnsConfig": {"nameservers": ["1.1.1.1"], "searches": ["ns1.svc.local"],
                      "options": [{"name": "ndots", "value": "2"}, {"name": "edns0"}]},
        "readinessGates": [{"conditionType": "example.com/feature-1"}],
        "runtimeClassName": "runc",
        "enableServiceLinks": false,
        "preemptionPolicy": "Never",
        "overhead": {"cpu": "250m"},
        "topologySpreadConstraints": [{"maxSkew": 1}],
        "setHostnameAsFQDN": false,
        "os": {"name": "linux"},
        "hostUsers": true,
        "schedulingGates": [{"name": "gate"}],
        "resourceClaims": [{"name": "gpu"}],
        "resources": {"limits": {"cpu": "1"}},
        "hostnameOverride": "web-1"
    });
    let (Some(spec_map), Value::Object(rest)) = (spec.as_object_mut(), rest) else {
        unreachable!("both parts are objects");
    };
    spec_map.extend(rest);
    spec
}

pub(super) fn full_meta() -> Value {
    json!({
        "name": "web", "generateName": "web-", "namespace": "default", "uid": "1234",
        "labels": {"app": "web"}, "annotations": {"note": "x"},
        "resourceVersion": "42", "generation": 3,
        "creationTimestamp": "2025-01-01T00:00:00Z", "deletionTimestamp": null,
        "deletionGracePeriodSeconds": 30, "ownerReferences": [{"kind": "ReplicaSet"}],
        "finalizers": ["x"], "managedFields": [{"manager": "kubectl"}],
        "selfLink": "/api/v1/namespaces/default/pods/web"
    })
}

/// A pod template with every PodSpec field.
fn template() -> Value {
    json!({"metadata": {"labels": {"app": "web"}}, "spec": full_pod_spec()})
}

pub(super) fn deployment_spec() -> Value {
    json!({
        "replicas": 3, "selector": {"matchLabels": {"app": "web"}}, "template": template(),
        "strategy": {"type": "RollingUpdate"}, "minReadySeconds": 5,
        "revisionHistoryLimit": 10, "paused": false, "progressDeadlineSeconds": 600
    })
}

pub(super) fn replica_set_spec() -> Value {
    json!({"replicas": 1, "minReadySeconds": 0, "selector": {}, "template": template()})
}

pub(super) fn stateful_set_spec() -> Value {
    json!({
        "replicas": 1, "selector": {}, "template": template(), "volumeClaimTemplates": [],
        "serviceName": "web", "podManagementPolicy": "Parallel",
        "updateStrategy": {"type": "OnDelete"}, "revisionHistoryLimit": 1,
        "minReadySeconds": 0, "persistentVolumeClaimRetentionPolicy": {}, "ordinals": {}
    })
}

pub(super) fn daemon_set_spec() -> Value {
    json!({
        "selector": {}, "template": template(), "updateStrategy": {},
        "minReadySeconds": 0, "revisionHistoryLimit": 1
    })
}

pub(super) fn job_spec() -> Value {
    json!({
        "parallelism": 1, "completions": 1, "activeDeadlineSeconds": 60,
        "podFailurePolicy": {"rules": []}, "successPolicy": {"rules": []},
        "backoffLimit": 6, "backoffLimitPerIndex": 1, "maxFailedIndexes": 1,
        "selector": {}, "manualSelector": false, "template": template(),
        "ttlSecondsAfterFinished": 100, "completionMode": "NonIndexed", "suspend": false,
        "podReplacementPolicy": "Failed", "managedBy": "kubernetes.io/job-controller"
    })
}

pub(super) fn cron_job_spec() -> Value {
    json!({
        "schedule": "*/5 * * * *", "timeZone": "Etc/UTC", "startingDeadlineSeconds": 10,
        "concurrencyPolicy": "Forbid", "suspend": false,
        "jobTemplate": {"metadata": {"labels": {"app": "web"}}, "spec": job_spec()},
        "successfulJobsHistoryLimit": 3, "failedJobsHistoryLimit": 1
    })
}
