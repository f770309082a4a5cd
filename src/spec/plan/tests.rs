use std::time::Duration;

use super::*;
use crate::spec::check::{Options, check};
use crate::spec::load::Source;
use crate::spec::plan::plan_of;

const MANIFEST: &str = r#"
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {MODE: fast, app.conf: "x=1\n"}
binaryData: {blob: AAEC}
---
apiVersion: v1
kind: Secret
metadata: {name: creds}
data: {password: czNjcmV0}
stringData: {user: admin}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: shop, namespace: prod}
spec:
  replicas: 2
  selector: {matchLabels: {app: shop}}
  template:
    metadata: {labels: {app: shop}}
    spec:
      os: {name: linux}
      terminationGracePeriodSeconds: 45
      shareProcessNamespace: true
      hostAliases: [{ip: 10.1.2.3, hostnames: [db, db.local]}]
      securityContext: {runAsUser: 1000, fsGroup: 2000}
      initContainers:
      - name: proxy
        image: envoy:1.30
        restartPolicy: Always
        startupProbe: {tcpSocket: {port: 9901}, failureThreshold: 30, periodSeconds: 1}
      containers:
      - name: web
        image: shop:2.1
        command: [server, --mode=$(MODE)]
        ports: [{name: http, containerPort: 8080}]
        envFrom: [{configMapRef: {name: settings}, prefix: CFG_}]
        env:
        - {name: MODE, value: "$(CFG_MODE)-1"}
        - name: PASSWORD
          valueFrom: {secretKeyRef: {name: creds, key: password}}
        - name: IP
          valueFrom: {fieldRef: {fieldPath: status.podIP}}
        - name: GONE
          valueFrom: {configMapKeyRef: {name: settings, key: nope, optional: true}}
        livenessProbe:
          httpGet: {port: http, path: /healthz, httpHeaders: [{name: X-Probe, value: "1"}]}
          initialDelaySeconds: 5
        lifecycle:
          preStop: {sleep: {seconds: 3}}
          stopSignal: SIGQUIT
        securityContext:
          runAsUser: 1001
          allowPrivilegeEscalation: false
          capabilities: {drop: [ALL], add: [cap_net_bind_service]}
        volumeMounts:
        - {name: config, mountPath: /etc/shop, readOnly: true}
        - {name: scratch, mountPath: /tmp, subPathExpr: $(MODE)}
      volumes:
      - name: scratch
        emptyDir: {medium: Memory, sizeLimit: 64Mi}
      - name: config
        projected:
          sources:
          - configMap: {name: settings, items: [{key: app.conf, path: app.conf, mode: 0400}]}
          - secret: {name: creds}
          - downwardAPI: {items: [{path: labels, fieldRef: {fieldPath: metadata.labels}}]}
"#;

#[test]
fn a_workload_becomes_a_typed_plan() {
    let plan = plan_of(MANIFEST);
    assert_eq!(
        (
            plan.name.as_str(),
            plan.namespace.as_str(),
            plan.hostname.as_str()
        ),
        ("shop", "prod", "shop")
    );
    assert_eq!(plan.origin_kind, "Deployment");
    assert_eq!(plan.grace, Duration::from_secs(45));
    assert_eq!(plan.active_deadline, None);
    assert_eq!(plan.restart_policy, RestartPolicy::Always);
    assert!(plan.namespaces.share_process_namespace);
    assert_eq!(
        plan.host_aliases,
        [(
            "10.1.2.3".parse().unwrap(),
            vec!["db".to_string(), "db.local".into()]
        )]
    );
    assert_eq!(plan.security.fs_group, Some(2000));

    let proxy = &plan.init_containers[0];
    assert!(proxy.sidecar);
    let startup = proxy.startup.as_ref().unwrap();
    assert_eq!(
        startup.action,
        ProbeAction::TcpSocket {
            host: None,
            port: 9901
        }
    );
    assert_eq!(
        (startup.period, startup.failure_threshold),
        (Duration::from_secs(1), 30)
    );

    let web = &plan.containers[0];
    assert!(!web.sidecar);
    let liveness = web.liveness.as_ref().unwrap();
    let ProbeAction::HttpGet(http) = &liveness.action else {
        panic!("{liveness:?}")
    };
    assert_eq!(
        (http.port, http.path.as_str(), http.https),
        (8080, "/healthz", false)
    );
    assert_eq!(http.headers, [("X-Probe".to_string(), "1".to_string())]);
    assert_eq!(liveness.initial_delay, Duration::from_secs(5));
    assert_eq!(
        (
            liveness.timeout,
            liveness.period,
            liveness.failure_threshold
        ),
        (Duration::from_secs(1), Duration::from_secs(10), 3)
    );
    assert_eq!(web.pre_stop, Some(Handler::Sleep(Duration::from_secs(3))));
    assert_eq!(
        web.stop_signal.map(|s| s.to_string()).as_deref(),
        Some("SIGQUIT")
    );
    assert_eq!(web.security.run_as_user, Some(1001));
    assert!(web.security.no_new_privileges);
    assert_eq!(web.security.capabilities_drop, ["ALL"]);
    assert_eq!(web.security.capabilities_add, ["NET_BIND_SERVICE"]);

    // env: envFrom first (prefixed, in key order), then env; the optional
    // missing key is left out.
    let names: Vec<&str> = web.env.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "CFG_MODE",
            "CFG_app.conf",
            "CFG_blob",
            "MODE",
            "PASSWORD",
            "IP"
        ]
    );
    assert_eq!(web.env[4].value, EnvValue::Data("s3cret".into()));
    assert_eq!(web.env[5].value, EnvValue::Field(FieldRef::PodIp));

    // Mounts name volumes by index; the projected volume holds its files.
    assert_eq!(web.mounts[0].volume, 1);
    assert!(web.mounts[0].read_only);
    assert_eq!(
        web.mounts[1].sub_path,
        volume::SubPath::Expr("$(MODE)".into())
    );
    assert_eq!(
        plan.volumes[0].source,
        VolumeSource::EmptyDir {
            memory: true,
            size_limit: Some(64 << 20),
            mode: None
        }
    );
    let VolumeSource::Files { items } = &plan.volumes[1].source else {
        panic!()
    };
    let files: Vec<(&str, u32)> = items.iter().map(|i| (i.path.as_str(), i.mode)).collect();
    assert_eq!(
        files,
        [
            ("app.conf", 0o400),
            ("password", 0o644),
            ("user", 0o644),
            ("labels", 0o644)
        ]
    );
    assert_eq!(items[1].content, FileContent::Bytes(b"s3cret".to_vec()));
    assert_eq!(items[3].content, FileContent::Field(FieldRef::Labels));
}

#[test]
fn a_manifest_with_errors_has_no_plan() {
    let checked = check(
        &[Source {
            name: "t.yaml".into(),
            text: "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec: {containers: []}\n".into(),
        }],
        Options::default(),
    );
    let errors = plan(&checked).unwrap_err();
    assert!(
        errors[0].message.contains("at least one container"),
        "{errors:?}"
    );
}

#[test]
fn env_and_command_resolve_with_the_running_pods_facts() {
    struct Facts;
    impl env::PodFacts for Facts {
        fn field(&self, f: &FieldRef) -> String {
            if *f == FieldRef::PodIp {
                "10.0.0.9".into()
            } else {
                String::new()
            }
        }
        fn resource(&self, _: &ResourceRef) -> Option<String> {
            None
        }
    }
    let plan = plan_of(MANIFEST);
    let web = &plan.containers[0];
    let env = env::resolve(&web.env, &Facts);
    let get = |n: &str| env.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
    assert_eq!(get("MODE"), Some("fast-1"));
    assert_eq!(get("IP"), Some("10.0.0.9"));
    let argv = env::expand_words(web.command.as_ref().unwrap(), &env);
    assert_eq!(argv, ["server", "--mode=fast-1"]);
}
