use super::*;

/// A pod with one of most things `describe` shows.
fn rich() -> Snapshot {
    let mut p = with(
        pod("Running", &[], &[]),
        vec![running("side", true)],
        vec![restarted(running("app", true), 2, "2024-05-01T11:58:00Z")],
        &[
            ("PodReadyToStartContainers", true),
            ("Initialized", true),
            ("Ready", true),
            ("ContainersReady", true),
            ("PodScheduled", true),
        ],
    );
    p.metadata["labels"] = json!({"tier": "front", "app": "web"});
    p.metadata["annotations"] = json!({"example.com/note": "hello"});
    p.spec = json!({
        "nodeName": "node-1",
        "priority": 0,
        "serviceAccountName": "default",
        "initContainers": [{"name": "side", "image": "busybox", "restartPolicy": "Always",
                            "command": ["sh", "-c", "tail -f /dev/null"]}],
        "containers": [{
            "name": "app",
            "image": "nginx:1.25",
            "command": ["nginx"],
            "args": ["-g", "daemon off;"],
            "ports": [{"containerPort": 8080, "protocol": "TCP"}],
            "resources": {"limits": {"memory": "128Mi", "cpu": "500m"},
                          "requests": {"cpu": "250m", "memory": "64Mi"}},
            "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080, "scheme": "HTTP"},
                              "timeoutSeconds": 1, "periodSeconds": 10,
                              "successThreshold": 1, "failureThreshold": 3},
            "readinessProbe": {"tcpSocket": {"port": 8080}, "initialDelaySeconds": 5},
            "startupProbe": {"exec": {"command": ["cat", "/tmp/ready"]}, "periodSeconds": 2},
            "env": [
                {"name": "MODE", "value": "prod"},
                {"name": "POD_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1",
                                                                "fieldPath": "metadata.name"}}},
                {"name": "POD_IP", "valueFrom": {"fieldRef": {"apiVersion": "v1",
                                                              "fieldPath": "status.podIP"}}},
                {"name": "MEM", "valueFrom": {"resourceFieldRef": {"resource": "limits.memory",
                                                                   "divisor": "1Mi"}}},
                {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "creds", "key": "token"}}}
            ],
            "volumeMounts": [{"name": "data", "mountPath": "/data"},
                             {"name": "config", "mountPath": "/etc/app", "readOnly": true}]
        }],
        "volumes": [
            {"name": "data", "emptyDir": {"sizeLimit": "1Gi"}},
            {"name": "config", "configMap": {"name": "app-config"}},
            {"name": "logs", "hostPath": {"path": "/var/log", "type": "Directory"}},
            {"name": "podinfo", "downwardAPI": {"items": [
                {"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}}]}},
            {"name": "token", "projected": {"sources": [
                {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                {"configMap": {"name": "kube-root-ca.crt"}},
                {"downwardAPI": {"items": []}}]}}
        ],
        "nodeSelector": {"disk": "ssd"},
        "tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists",
                         "effect": "NoExecute", "tolerationSeconds": 300}]
    });
    p.status.host_ip = Some("192.168.1.10".into());
    p.status.pod_ip = Some("10.0.0.7".into());
    p.status.pod_ips = vec![Ip {
        ip: "10.0.0.7".into(),
    }];
    p.status.start_time = Some("2024-05-01T11:55:01Z".into());
    p.status.qos_class = "Burstable".into();
    p.status.container_statuses[0].container_id = Some("podinit://uid/app/2".into());
    p.status.container_statuses[0].image_id = "/var/lib/podinit/images/nginx".into();
    let event =
        |kind: &str, reason: &str, count, first: &str, last: &str, source: &str, message: &str| {
            Event {
                kind: kind.into(),
                reason: reason.into(),
                message: message.into(),
                field_path: String::new(),
                count,
                first_timestamp: first.into(),
                last_timestamp: last.into(),
                source: source.into(),
            }
        };
    let events = vec![
        event(
            "Warning",
            "BackOff",
            4,
            "2024-05-01T11:56:00Z",
            "2024-05-01T11:58:00Z",
            "kubelet",
            "Back-off restarting failed container app in pod web_default(uid)",
        ),
        event(
            "Normal",
            "Scheduled",
            1,
            "2024-05-01T11:55:00Z",
            "2024-05-01T11:55:00Z",
            "default-scheduler",
            "Successfully assigned default/web to node-1",
        ),
        event(
            "Normal",
            "Started",
            3,
            "2024-05-01T11:55:02Z",
            "2024-05-01T11:58:01Z",
            "kubelet",
            "Started container app\n",
        ),
    ];
    snapshot(p, events)
}

/// Reviewed line by line against kubectl's describe.go: the blocks of
/// aligned labels end where kubectl's do (at a line without a tab).
const RICH: &str = "\
Name:             web
Namespace:        default
Priority:         0
Service Account:  default
Node:             node-1/192.168.1.10
Start Time:       Wed, 01 May 2024 11:55:01 +0000
Labels:           app=web
                  tier=front
Annotations:      example.com/note: hello
Status:           Running
IP:               10.0.0.7
IPs:
  IP:  10.0.0.7
Init Containers:
  side:
    Container ID:  
    Image:         busybox
    Image ID:      
    Port:          <none>
    Host Port:     <none>
    Command:
      sh
      -c
      tail -f /dev/null
    State:          Running
      Started:      Wed, 01 May 2024 11:56:00 +0000
    Ready:          True
    Restart Count:  0
    Environment:    <none>
    Mounts:         <none>
Containers:
  app:
    Container ID:  podinit://uid/app/2
    Image:         nginx:1.25
    Image ID:      /var/lib/podinit/images/nginx
    Port:          8080/TCP
    Host Port:     0/TCP
    Command:
      nginx
    Args:
      -g
      daemon off;
    State:          Running
      Started:      Wed, 01 May 2024 11:56:00 +0000
    Last State:     Terminated
      Reason:       Error
      Exit Code:    1
      Started:      Mon, 01 Jan 0001 00:00:00 +0000
      Finished:     Wed, 01 May 2024 11:58:00 +0000
    Ready:          True
    Restart Count:  2
    Limits:
      cpu:     500m
      memory:  128Mi
    Requests:
      cpu:      250m
      memory:   64Mi
    Liveness:   http-get http://:8080/healthz delay=0s timeout=1s period=10s #success=1 #failure=3
    Readiness:  tcp-socket :8080 delay=5s timeout=1s period=10s #success=1 #failure=3
    Startup:    exec [cat /tmp/ready] delay=0s timeout=1s period=2s #success=1 #failure=3
    Environment:
      MODE:      prod
      POD_NAME:  web (v1:metadata.name)
      POD_IP:     (v1:status.podIP)
      MEM:       128 (limits.memory)
      TOKEN:     <set to the key 'token' in secret 'creds'>  Optional: false
    Mounts:
      /data from data (rw)
      /etc/app from config (ro)
Conditions:
  Type                        Status
  PodReadyToStartContainers   True 
  Initialized                 True 
  Ready                       True 
  ContainersReady             True 
  PodScheduled                True 
Volumes:
  data:
    Type:       EmptyDir (a temporary directory that shares a pod's lifetime)
    Medium:     
    SizeLimit:  1Gi
  config:
    Type:      ConfigMap (a volume populated by a ConfigMap)
    Name:      app-config
    Optional:  false
  logs:
    Type:          HostPath (bare host directory volume)
    Path:          /var/log
    HostPathType:  Directory
  podinfo:
    Type:  DownwardAPI (a volume populated by information about the pod)
    Items:
      metadata.labels -> labels
  token:
    Type:                    Projected (a volume that contains injected data from multiple sources)
    TokenExpirationSeconds:  3607
    ConfigMapName:           kube-root-ca.crt
    Optional:                false
    DownwardAPI:             true
QoS Class:                   Burstable
Node-Selectors:              disk=ssd
Tolerations:                 node.kubernetes.io/not-ready:NoExecute op=Exists for 300s
Events:
  Type     Reason     Age                   From               Message
  ----     ------     ----                  ----               -------
  Normal   Scheduled  5m                    default-scheduler  Successfully assigned default/web to node-1
  Warning  BackOff    2m (x4 over 4m)       kubelet            Back-off restarting failed container app in pod web_default(uid)
  Normal   Started    119s (x3 over 4m58s)  kubelet            Started container app
";

#[test]
fn describe_prints_every_section_like_kubectl() {
    let got = super::super::describe(&rich());
    for (i, (got, want)) in got.lines().zip(RICH.lines()).enumerate() {
        assert_eq!(got, want, "line {}", i + 1);
    }
    assert_eq!(got, RICH);
}

fn describe_pod(p: PodObject) -> String {
    super::super::describe(&snapshot(p, vec![]))
}

/// The lines of `text` from the one starting with `from` up to the next
/// line at its indentation or less.
fn section(text: &str, from: &str) -> String {
    let mut lines = text
        .lines()
        .skip_while(|l| !l.trim_start().starts_with(from));
    let Some(first) = lines.next() else {
        panic!("no {from:?} in\n{text}");
    };
    let indent = first.len() - first.trim_start().len();
    let mut out = vec![first];
    out.extend(
        lines.take_while(|l| l.len() - l.trim_start().len() > indent || l.trim().is_empty()),
    );
    out.join("\n") + "\n"
}

#[test]
fn a_deleted_pod_says_how_long_it_has_been_terminating() {
    let text = describe_pod(deleted(pod("Running", &["app"], &[])));
    assert!(
        text.contains("\nStatus:                    Terminating (lasts 30s)\n"),
        "{text}"
    );
    assert!(
        text.contains("\nTermination Grace Period:  30s\n"),
        "{text}"
    );
    let finished = describe_pod(deleted(pod("Succeeded", &["app"], &[])));
    assert!(
        finished.contains("\nStatus:       Succeeded\n"),
        "{finished}"
    );
}

#[test]
fn long_and_multi_line_annotations_go_under_their_key() {
    let mut p = pod("Running", &["app"], &[]);
    p.metadata["annotations"] = json!({
        "a": "short",
        "b": "x".repeat(150),
        "c": "one\ntwo\n",
        LAST_APPLIED_KEY: "{}",
    });
    let text = describe_pod(p);
    let want = format!(
        "Annotations:  a: short\n              b:\n                {}...\n              c:\n                one\n                two\n",
        "x".repeat(138)
    );
    assert!(text.contains(&want), "{text}");
    assert!(!text.contains("last-applied"), "{text}");
}

const LAST_APPLIED_KEY: &str = "kubectl.kubernetes.io/last-applied-configuration";

#[test]
fn container_details() {
    let mut p = with(
        pod("Running", &["app"], &[]),
        vec![],
        vec![terminated("app", 137, "Error", Some(9))],
        &[],
    );
    if let Some(Some(t)) = p
        .status
        .container_statuses
        .first_mut()
        .map(|s| s.state.terminated.as_mut())
    {
        t.message = Some("out of patience".into());
    }
    p.spec["containers"][0] = json!({
        "name": "app",
        "image": "busybox",
        "ports": [{"containerPort": 80, "protocol": "TCP", "hostPort": 8080},
                  {"containerPort": 53, "protocol": "UDP"}],
        "envFrom": [{"configMapRef": {"name": "settings"}},
                    {"secretRef": {"name": "keys", "optional": true}, "prefix": "K_"}],
        "env": [{"name": "MULTI", "value": "a\nb"},
                {"name": "CPU", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu"}}},
                {"name": "LEVEL", "valueFrom": {"configMapKeyRef": {"name": "settings", "key": "level",
                                                                    "optional": true}}}],
        "volumeMounts": [{"name": "data", "mountPath": "/srv", "subPath": "web"}],
        "livenessProbe": {"httpGet": {"host": "::1", "port": "http", "path": "ready", "scheme": "HTTPS"}},
        "readinessProbe": {"grpc": {"port": 9000, "service": "health"}},
    });
    let text = describe_pod(p);
    let want = "  app:
    Container ID:   
    Image:          busybox
    Image ID:       
    Ports:          80/TCP, 53/UDP
    Host Ports:     8080/TCP, 0/UDP
    State:          Terminated
      Reason:       Error
      Message:      out of patience
      Exit Code:    137
      Signal:       9
      Started:      Wed, 01 May 2024 11:56:00 +0000
      Finished:     Wed, 01 May 2024 11:58:00 +0000
    Ready:          False
    Restart Count:  0
    Liveness:       http-get https://[::1]:http/ready delay=0s timeout=1s period=10s #success=1 #failure=3
    Readiness:      grpc <pod>:9000 health delay=0s timeout=1s period=10s #success=1 #failure=3
    Environment Variables from:
      settings  ConfigMap                Optional: false
      keys      Secret with prefix 'K_'  Optional: true
    Environment:
      MULTI:  a
              b
      CPU:    node allocatable (limits.cpu)
      LEVEL:  <set to the key 'level' of config map 'settings'>  Optional: true
    Mounts:
      /srv from data (rw,path=\"web\")
";
    assert_eq!(section(&text, "app:"), want);
}

#[test]
fn other_volume_sources() {
    let mut p = pod("Pending", &["app"], &[]);
    p.spec["volumes"] = json!([
        {"name": "creds", "secret": {"secretName": "creds", "optional": true}},
        {"name": "claim", "persistentVolumeClaim": {"claimName": "data"}},
        {"name": "scratch", "emptyDir": {"medium": "Memory"}},
        {"name": "odd", "nfs": {"server": "nas", "path": "/"}},
    ]);
    let want = "\
Volumes:
  creds:
    Type:        Secret (a volume populated by a Secret)
    SecretName:  creds
    Optional:    true
  claim:
    Type:       PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)
    ClaimName:  data
    ReadOnly:   false
  scratch:
    Type:       EmptyDir (a temporary directory that shares a pod's lifetime)
    Medium:     Memory
    SizeLimit:  <unset>
  odd:
  <unknown>
";
    assert_eq!(section(&describe_pod(p), "Volumes:"), want);
}

#[test]
fn tolerations_and_empty_sections() {
    let mut p = pod("Pending", &[], &[]);
    p.spec["tolerations"] = json!([
        {"key": "b", "operator": "Equal", "value": "v", "effect": "NoSchedule"},
        {"operator": "Exists"},
        {"key": "a", "operator": "Exists"},
    ]);
    let text = describe_pod(p);
    assert!(
        text.contains("Containers: <none>\nVolumes:         <none>\n"),
        "{text}"
    );
    assert!(
        text.ends_with(
            "Tolerations:     op=Exists\n                 a op=Exists\n                 b=v:NoSchedule\nEvents:          <none>\n"
        ),
        "{text}"
    );
}

#[test]
fn qos_class_is_computed_when_the_status_lacks_it() {
    let class = |resources: serde_json::Value| {
        let mut p = pod("Pending", &["app"], &[]);
        p.spec["containers"][0]["resources"] = resources;
        let text = describe_pod(p);
        let line = section(&text, "QoS Class:");
        line.split_whitespace()
            .nth(2)
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(class(json!({})), "BestEffort");
    let both = json!({"cpu": "1", "memory": "1Gi"});
    assert_eq!(
        class(json!({"limits": both, "requests": both})),
        "Guaranteed"
    );
    assert_eq!(class(json!({"limits": both})), "Burstable");
    assert_eq!(class(json!({"requests": {"cpu": "100m"}})), "Burstable");
}
