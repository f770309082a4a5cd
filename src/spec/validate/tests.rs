//! Table tests for the rules: each case a small manifest and the exact
//! diagnostics it must give, no more (warnings not named are allowed, errors
//! are not).

use crate::spec::check::{Options, check};
use crate::spec::diag::{Diag, Severity};
use crate::spec::load::Source;

fn run(text: &str, ignore_unsupported: bool) -> Vec<Diag> {
    let source = Source {
        name: "t.yaml".into(),
        text: text.to_owned(),
    };
    check(&[source], Options { ignore_unsupported }).diags
}

/// `error: PATH: MESSAGE` (or `warning: ...`): a diagnostic without its place.
fn short(diag: &Diag) -> String {
    let severity = match diag.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    format!("{severity}: {}: {}", diag.path, diag.message)
}

/// A pod with one container `app`, then `extra` lines indented under spec
/// (`|` marks the left edge of each line).
fn pod(extra: &str) -> String {
    let mut text = String::from("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n");
    for line in extra.lines() {
        text.push_str("  ");
        text.push_str(
            line.trim_start()
                .strip_prefix('|')
                .unwrap_or(line.trim_start()),
        );
        text.push('\n');
    }
    text
}

const APP: &str = "|containers:\n|- name: app\n|  image: busybox:1.36\n";

fn expect(case: &str, text: &str, want: &[&str]) {
    let diags = run(text, false);
    let got: Vec<String> = diags.iter().map(short).collect();
    for w in want {
        assert!(
            got.iter().any(|g| g.starts_with(w)),
            "{case}: missing {w:?} in {got:#?}"
        );
    }
    for (g, d) in got.iter().zip(&diags) {
        if d.severity == Severity::Error {
            assert!(
                want.iter().any(|w| g.starts_with(w)),
                "{case}: unexpected {g:?}"
            );
        }
    }
}

#[test]
fn a_minimal_pod_is_valid() {
    expect("minimal", &pod(APP), &[]);
}

#[test]
fn names_follow_dns_rules() {
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "upper-case container name",
            "|containers:\n|- name: App\n|  image: x",
            &["error: spec.containers[0].name: invalid value \"App\": a lowercase RFC 1123 label"],
        ),
        (
            "duplicate across init and app",
            "|initContainers:\n|- name: app\n|  image: x\n|containers:\n|- name: app\n|  image: x",
            &["error: spec.containers[0].name: duplicate value \"app\""],
        ),
        (
            "volume names unique and valid",
            &format!(
                "{APP}|volumes:\n|- name: data\n|  emptyDir: {{}}\n|- name: data\n|  emptyDir: {{}}\n|- name: Bad_Name\n|  emptyDir: {{}}"
            ),
            &[
                "error: spec.volumes[1].name: duplicate value \"data\"",
                "error: spec.volumes[2].name: invalid value \"Bad_Name\"",
            ],
        ),
        (
            "hostname and subdomain are labels",
            &format!("{APP}|hostname: my.host\n|subdomain: -x"),
            &[
                "error: spec.hostname: invalid value",
                "error: spec.subdomain: invalid value",
            ],
        ),
    ];
    for (case, extra, want) in cases {
        expect(case, &pod(extra), want);
    }
}

#[test]
fn metadata_is_checked() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: Web_1\n  namespace: My-NS\n  labels:\n    app.kubernetes.io/name: ok\n    bad key: v\n    tier: has space\nspec:\n  containers:\n  - name: a\n    image: x\n";
    expect(
        "metadata",
        text,
        &[
            "error: metadata.name: invalid value \"Web_1\"",
            "error: metadata.namespace: invalid value \"My-NS\"",
            "error: metadata.labels[bad key]: invalid value \"bad key\"",
            "error: metadata.labels[tier]: invalid value \"has space\"",
        ],
    );
    let nameless = "apiVersion: v1\nkind: Pod\nmetadata: {}\nspec:\n  containers:\n  - name: a\n    image: x\n";
    expect(
        "no name",
        nameless,
        &["error: metadata.name: required (or generateName)"],
    );
    expect(
        "generateName",
        &nameless.replace("metadata: {}", "metadata: {generateName: web-}"),
        &[],
    );
}

#[test]
fn enums_are_checked() {
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "restartPolicy",
            &format!("{APP}|restartPolicy: Sometimes"),
            &[
                "error: spec.restartPolicy: unsupported value \"Sometimes\": must be one of \"Always\", \"OnFailure\", \"Never\"",
            ],
        ),
        (
            "imagePullPolicy",
            "|containers:\n|- name: a\n|  image: x\n|  imagePullPolicy: IfNeeded",
            &["error: spec.containers[0].imagePullPolicy: unsupported value \"IfNeeded\""],
        ),
        (
            "protocol",
            "|containers:\n|- name: a\n|  image: x\n|  ports:\n|  - containerPort: 80\n|    protocol: tcp",
            &["error: spec.containers[0].ports[0].protocol: unsupported value \"tcp\""],
        ),
        (
            "hostPath type",
            &format!(
                "{APP}|volumes:\n|- name: h\n|  hostPath:\n|    path: /srv\n|    type: Folder"
            ),
            &["error: spec.volumes[0].hostPath.type: unsupported value \"Folder\""],
        ),
        (
            "dnsPolicy",
            &format!("{APP}|dnsPolicy: Cluster"),
            &["error: spec.dnsPolicy: unsupported value \"Cluster\""],
        ),
        (
            "dnsPolicy None needs nameservers",
            &format!("{APP}|dnsPolicy: \"None\""),
            &["error: spec.dnsConfig.nameservers: required"],
        ),
        (
            "httpGet scheme",
            "|containers:\n|- name: a\n|  image: x\n|  livenessProbe:\n|    httpGet: {port: 80, scheme: FTP}",
            &["error: spec.containers[0].livenessProbe.httpGet.scheme: unsupported value \"FTP\""],
        ),
    ];
    for (case, extra, want) in cases {
        expect(case, &pod(extra), want);
    }
}

#[test]
fn probe_rules_are_checked() {
    let probe = |body: &str| {
        format!(
            "|containers:\n|- name: a\n|  image: x\n|  ports:\n|  - {{name: http, containerPort: 8080}}\n{body}"
        )
    };
    let cases: &[(&str, String, &[&str])] = &[
        (
            "timings: zero is the default, negative is refused",
            probe(
                "|  readinessProbe:\n|    tcpSocket: {port: 80}\n|    periodSeconds: 0\n|    successThreshold: 0\n|    timeoutSeconds: -1\n|    initialDelaySeconds: -5",
            ),
            &[
                "error: spec.containers[0].readinessProbe.timeoutSeconds: must not be negative (got -1)",
                "error: spec.containers[0].readinessProbe.initialDelaySeconds: must not be negative (got -5)",
            ],
        ),
        (
            "startup successThreshold 0 is defaulted to 1",
            probe("|  startupProbe:\n|    tcpSocket: {port: 80}\n|    successThreshold: 0"),
            &[],
        ),
        (
            "liveness successThreshold",
            probe(
                "|  livenessProbe:\n|    exec: {command: [cat, /tmp/ok]}\n|    successThreshold: 2",
            ),
            &[
                "error: spec.containers[0].livenessProbe.successThreshold: must be 1 for a livenessProbe",
            ],
        ),
        (
            "readiness successThreshold may be more",
            probe(
                "|  readinessProbe:\n|    exec: {command: [cat, /tmp/ok]}\n|    successThreshold: 2",
            ),
            &[],
        ),
        (
            "exactly one handler",
            probe(
                "|  startupProbe:\n|    exec: {command: [cat, /tmp/ok]}\n|    tcpSocket: {port: 80}",
            ),
            &["error: spec.containers[0].startupProbe: may not have more than one handler"],
        ),
        (
            "no handler",
            probe("|  startupProbe:\n|    periodSeconds: 3"),
            &["error: spec.containers[0].startupProbe: needs one handler"],
        ),
        (
            "named port exists",
            probe("|  livenessProbe:\n|    httpGet: {port: http}"),
            &[],
        ),
        (
            "named port missing",
            probe("|  livenessProbe:\n|    httpGet: {port: metrics}"),
            &["error: spec.containers[0].livenessProbe.httpGet.port: no port named \"metrics\""],
        ),
        (
            "port range",
            probe("|  livenessProbe:\n|    tcpSocket: {port: 70000}"),
            &["error: spec.containers[0].livenessProbe.tcpSocket.port: 70000 is not a port number"],
        ),
        (
            "readiness grace",
            probe(
                "|  readinessProbe:\n|    exec: {command: [cat, /tmp/ok]}\n|    terminationGracePeriodSeconds: 5",
            ),
            &[
                "error: spec.containers[0].readinessProbe.terminationGracePeriodSeconds: must not be set for a readinessProbe",
            ],
        ),
        (
            "grpc is unsupported",
            probe("|  livenessProbe:\n|    grpc: {port: 9000}"),
            &["error: spec.containers[0].livenessProbe.grpc: not supported by podinit"],
        ),
        (
            "https is unsupported",
            probe("|  readinessProbe:\n|    httpGet: {port: 443, scheme: HTTPS}"),
            &[
                "error: spec.containers[0].readinessProbe.httpGet.scheme: not supported by podinit: HTTPS",
            ],
        ),
        (
            "a probe host that is a name is unsupported",
            probe("|  livenessProbe:\n|    tcpSocket: {port: 80, host: db.example}"),
            &[
                "error: spec.containers[0].livenessProbe.tcpSocket.host: not supported by podinit: \"db.example\" is a name",
            ],
        ),
        (
            "an https hook is unsupported",
            probe("|  lifecycle:\n|    preStop:\n|      httpGet: {port: 443, scheme: HTTPS}"),
            &[
                "error: spec.containers[0].lifecycle.preStop.httpGet.scheme: not supported by podinit: HTTPS",
            ],
        ),
    ];
    for (case, extra, want) in cases {
        expect(case, &pod(extra), want);
    }
}

#[test]
fn probes_and_hooks_only_on_sidecar_init_containers() {
    let init = |policy: &str| {
        format!(
            "|initContainers:\n|- name: init\n|  image: x\n{policy}|  readinessProbe:\n|    exec: {{command: [cat, /tmp/ok]}}\n|  lifecycle:\n|    postStart:\n|      exec: {{command: [cat, /tmp/ok]}}\n{APP}"
        )
    };
    expect(
        "plain init container",
        &pod(&init("")),
        &[
            "error: spec.initContainers[0].readinessProbe: may not be set for init containers without restartPolicy: Always",
            "error: spec.initContainers[0].lifecycle: may not be set for init containers",
        ],
    );
    expect("sidecar", &pod(&init("|  restartPolicy: Always\n")), &[]);
    expect(
        "init restartPolicy",
        &pod(&format!(
            "|initContainers:\n|- name: init\n|  image: x\n|  restartPolicy: OnFailure\n{APP}"
        )),
        &[
            "error: spec.initContainers[0].restartPolicy: unsupported value \"OnFailure\": must be one of \"Always\"",
        ],
    );
    expect(
        "app restartPolicy",
        &pod(&format!("{APP}|  restartPolicy: Always")),
        &["error: spec.containers[0].restartPolicy: not supported by podinit"],
    );
}

#[test]
fn mounts_name_volumes_and_paths_are_absolute() {
    let text = pod(
        "|containers:\n|- name: a\n|  image: x\n|  volumeMounts:\n|  - {name: data, mountPath: /data}\n|  - {name: nope, mountPath: /x}\n|  - {name: data, mountPath: relative}\n|  - {name: data, mountPath: /data}\n|  - {name: data, mountPath: /y, subPath: ../etc}\n|volumes:\n|- name: data\n|  emptyDir: {}",
    );
    expect(
        "mounts",
        &text,
        &[
            "error: spec.containers[0].volumeMounts[1].name: no volume named \"nope\" in spec.volumes",
            "error: spec.containers[0].volumeMounts[2].mountPath: \"relative\" must be an absolute path",
            "error: spec.containers[0].volumeMounts[3].mountPath: duplicate value \"/data\"",
            "error: spec.containers[0].volumeMounts[4].subPath: invalid value \"../etc\": must not contain '..'",
        ],
    );
}

#[test]
fn resources_parse_and_limits_cover_requests() {
    let text = pod(
        "|containers:\n|- name: a\n|  image: x\n|  resources:\n|    requests: {cpu: 2, memory: 64Mi, gpu: 1}\n|    limits: {cpu: 500m, memory: lots}",
    );
    expect(
        "resources",
        &text,
        &[
            "error: spec.containers[0].resources.limits[memory]: \"lots\" is not a quantity",
            "error: spec.containers[0].resources.requests[cpu]: must be less than or equal to the cpu limit (2 > 0.5)",
            "error: spec.containers[0].resources.requests[gpu]: \"gpu\" is neither a standard resource",
            "warning: spec.containers[0].resources: ignored: not enforced yet",
        ],
    );
}

#[test]
fn env_names_sources_and_references() {
    let text = pod(
        "|containers:\n|- name: a\n|  image: x\n|  command: [echo, $(LATE), $(date), $$(ESCAPED)]\n|  env:\n|  - {name: FIRST, value: \"$(LATE) and $(FIRST)\"}\n|  - {name: LATE, value: x}\n|  - {name: A=B, value: x}\n|  - name: POD\n|    valueFrom: {fieldRef: {fieldPath: status.podIP}}\n|  - name: BAD\n|    valueFrom: {fieldRef: {fieldPath: spec.hostname}}\n|  - name: TWO\n|    value: x\n|    valueFrom: {fieldRef: {fieldPath: metadata.name}}\n|  - name: MEM\n|    valueFrom: {resourceFieldRef: {resource: limits.memory, containerName: other}}",
    );
    expect(
        "env",
        &text,
        &[
            "warning: spec.containers[0].env[0].value: $(LATE) is not defined before this variable: it stays as written",
            "warning: spec.containers[0].env[0].value: $(FIRST) is not defined before this variable",
            "error: spec.containers[0].env[2].name: invalid value \"A=B\"",
            "error: spec.containers[0].env[4].valueFrom.fieldRef.fieldPath: unsupported value \"spec.hostname\"",
            "error: spec.containers[0].env[5].valueFrom: may not be set when `value` is not empty",
            "error: spec.containers[0].env[6].valueFrom.resourceFieldRef.containerName: no container named \"other\"",
        ],
    );
    let diags = run(&text, false);
    assert!(
        !diags
            .iter()
            .any(|d| d.message.contains("$(date)") || d.message.contains("ESCAPED")),
        "{diags:#?}"
    );
}

#[test]
fn config_maps_and_secrets_come_from_the_manifest() {
    let docs = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {mode: fast, \"bad/key\": x}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: creds}\ndata: {user: YWRtaW4=, pass: \"not base64!\"}\n---\n";
    let text = format!(
        "{docs}{}",
        pod(
            "|containers:\n|- name: a\n|  image: x\n|  envFrom:\n|  - configMapRef: {name: cfg}\n|  - secretRef: {name: other}\n|  env:\n|  - name: M\n|    valueFrom: {configMapKeyRef: {name: cfg, key: missing}}\n|  - name: U\n|    valueFrom: {secretKeyRef: {name: creds, key: user}}\n|  - name: O\n|    valueFrom: {secretKeyRef: {name: gone, key: k, optional: true}}\n|volumes:\n|- name: c\n|  configMap: {name: cfg, items: [{key: mode, path: mode.txt}]}"
        )
    );
    expect(
        "config",
        &text,
        &[
            "error: data[bad/key]: invalid ConfigMap key \"bad/key\"",
            "error: data[pass]: not valid base64",
            "error: spec.containers[0].envFrom[1].secretRef.name: not supported by podinit: Secrets from a cluster: \"other\" is not in the manifest",
            "error: spec.containers[0].env[0].valueFrom.configMapKeyRef.key: the ConfigMap has no key \"missing\"",
        ],
    );
}

#[test]
fn volumes_have_one_source_and_valid_items() {
    let text = pod(&format!(
        "{APP}|volumes:\n|- name: none\n|- name: two\n|  emptyDir: {{}}\n|  hostPath: {{path: /x}}\n|- name: rel\n|  hostPath: {{path: data}}\n|- name: dw\n|  downwardAPI:\n|    items:\n|    - {{path: /abs, fieldRef: {{fieldPath: metadata.labels}}}}\n|    - {{path: ip, fieldRef: {{fieldPath: status.podIP}}}}\n|    defaultMode: 01000\n|- name: mem\n|  emptyDir: {{medium: Memory, sizeLimit: 64Mi}}\n|- name: huge\n|  emptyDir: {{medium: HugePages}}\n|- name: nfs\n|  nfs: {{server: x, path: /}}"
    ));
    expect(
        "volumes",
        &text,
        &[
            "error: spec.volumes[0]: needs a volume source",
            "error: spec.volumes[1]: may not have more than one volume source",
            "error: spec.volumes[2].hostPath.path: \"data\" must be an absolute path",
            "error: spec.volumes[3].downwardAPI.items[0].path: invalid value \"/abs\": must be a relative path",
            "error: spec.volumes[3].downwardAPI.items[1].fieldRef.fieldPath: unsupported value \"status.podIP\"",
            "error: spec.volumes[3].downwardAPI.defaultMode: 512 is not a file mode",
            "error: spec.volumes[5].emptyDir.medium: not supported by podinit: emptyDir medium HugePages",
            "error: spec.volumes[6].nfs: not supported by podinit: network volume",
        ],
    );
}

#[test]
fn node_level_fields_are_warnings_and_unsupported_ones_errors() {
    let text = pod(&format!(
        "{APP}|nodeSelector: {{disk: ssd}}\n|tolerations: [{{key: x, operator: Exists}}]\n|priorityClassName: high\n|securityContext:\n|  seccompProfile: {{type: RuntimeDefault}}\n|  sysctls: [{{name: net.core.somaxconn, value: \"1024\"}}]\n|hostUsers: false"
    ));
    let want = [
        "warning: spec.nodeSelector: ignored: scheduling: there is one node",
        "warning: spec.tolerations: ignored",
        "warning: spec.priorityClassName: ignored",
        "error: spec.securityContext.seccompProfile.type: not supported by podinit: seccomp profile RuntimeDefault",
        "error: spec.securityContext.sysctls: not supported by podinit",
        "error: spec.hostUsers: not supported by podinit: user namespaces",
    ];
    expect("node-level", &text, &want);
    // Asking for nothing is no cause for a warning.
    let quiet = pod(&format!(
        "{APP}|  tty: false\n|  resources: {{}}\n|automountServiceAccountToken: false\n|nodeSelector: {{}}"
    ));
    let diags = run(&quiet, false);
    assert!(diags.is_empty(), "{diags:#?}");
    // --ignore-unsupported turns every such error into a warning.
    let diags = run(&text, true);
    assert!(
        diags.iter().all(|d| d.severity == Severity::Warning),
        "{diags:#?}"
    );
    assert!(diags.iter().any(|d| d.message.ends_with("(ignored)")));
}

#[test]
fn security_values_decide() {
    let sc = |body: &str| {
        pod(&format!(
            "|containers:\n|- name: a\n|  image: x\n|  securityContext:\n{body}"
        ))
    };
    expect(
        "privileged false",
        &sc(
            "|    privileged: false\n|    readOnlyRootFilesystem: true\n|    capabilities: {drop: [ALL]}\n|    seccompProfile: {type: Unconfined}",
        ),
        &[],
    );
    expect(
        "privileged true",
        &sc("|    privileged: true"),
        &[
            "error: spec.containers[0].securityContext.privileged: not supported by podinit: privileged containers",
        ],
    );
    expect(
        "procMount",
        &sc("|    procMount: Unmasked"),
        &["error: spec.containers[0].securityContext.procMount: not supported by podinit"],
    );
    expect(
        "negative user",
        &sc("|    runAsUser: -1"),
        &["error: spec.containers[0].securityContext.runAsUser: must not be negative (got -1)"],
    );
}

#[test]
fn workloads_contribute_their_template() {
    let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  replicas: 3\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n      - name: web\n        image: nginx\n        imagePullPolicy: Sometimes\n";
    expect(
        "deployment",
        deployment,
        &[
            "warning: kind: one pod of this Deployment's template runs; podinit is no controller, so spec.replicas and spec.selector are ignored",
            "error: spec.template.spec.containers[0].imagePullPolicy: unsupported value \"Sometimes\"",
        ],
    );
    let job = "apiVersion: batch/v1\nkind: Job\nmetadata: {name: once}\nspec:\n  template:\n    spec:\n      containers: [{name: a, image: x}]\n";
    expect(
        "job needs a restartPolicy",
        job,
        &[
            "error: spec.template.spec.restartPolicy: unsupported value \"Always\": must be one of \"OnFailure\", \"Never\"",
        ],
    );
    let cron = "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: nightly}\nspec:\n  schedule: \"0 3 * * *\"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: OnFailure\n          containers: [{name: a, image: x}]\n";
    expect(
        "cronjob",
        cron,
        &["warning: kind: one pod of this CronJob's template runs"],
    );
    let old = "apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: x}\n";
    expect(
        "old apiVersion",
        old,
        &["error: apiVersion: Deployment is served as apiVersion apps/v1, not extensions/v1beta1"],
    );
}

#[test]
fn manifests_hold_exactly_one_pod() {
    expect(
        "nothing",
        "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n",
        &[
            "warning: : v1 Service ignored",
            "error: : no pod in the manifest",
        ],
    );
    let two = format!("{}---\n{}", pod(APP), pod(APP));
    expect("two pods", &two, &["error: : more than one pod"]);
    let list = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: listed}\n  spec:\n    containers: [{name: a, image: x}]\n".to_string();
    expect("list", &list, &[]);
}

/// Regressions from a black-box run against the API server's rules.
#[test]
fn rules_found_missing_or_wrong_in_black_box_testing() {
    let sc = |body: &str| pod(&format!("|containers:\n|- name: a\n|  image: x\n{body}"));
    let cases: Vec<(&str, String, &[&str])> = vec![
        (
            "hostAliases need no hostnames",
            pod(&format!("{APP}|hostAliases: [{{ip: 10.0.0.2}}]")),
            &[],
        ),
        (
            "hostAliases hostnames are subdomains",
            pod(&format!(
                "{APP}|hostAliases: [{{ip: 10.0.0.2, hostnames: [Foo_bar]}}]"
            )),
            &["error: spec.hostAliases[0].hostnames[0]: invalid value \"Foo_bar\""],
        ),
        (
            "dns searches are subdomains",
            pod(&format!(
                "{APP}|dnsConfig: {{searches: [ok.example., \".\", Bad_Domain]}}"
            )),
            &["error: spec.dnsConfig.searches[2]: invalid value \"Bad_Domain\""],
        ),
        (
            "no privilege escalation with SYS_ADMIN",
            sc(
                "|  securityContext: {allowPrivilegeEscalation: false, capabilities: {add: [SYS_ADMIN]}}",
            ),
            &[
                "error: spec.containers[0].securityContext.allowPrivilegeEscalation: cannot be false when capabilities.add has CAP_SYS_ADMIN",
            ],
        ),
        (
            "a pod's image is not padded",
            pod("|containers:\n|- name: a\n|  image: \" busybox\""),
            &["error: spec.containers[0].image: must not have leading or trailing whitespace"],
        ),
        (
            "stopSignal needs os.name",
            sc("|  lifecycle: {stopSignal: SIGUSR1}"),
            &[
                "error: spec.containers[0].lifecycle.stopSignal: can only be set for pods with a non-empty spec.os.name",
            ],
        ),
        (
            "stopSignal with os.name",
            pod(
                "|os: {name: linux}\n|containers:\n|- name: a\n|  image: x\n|  lifecycle: {stopSignal: SIGUSR1}",
            ),
            &[],
        ),
        (
            "extended resources",
            sc(
                "|  resources:\n|    requests: {example.com/foo: 1, nvidia.com/gpu: 2, example.com/bar: 1}\n|    limits: {example.com/foo: 0.5, example.com/bar: 2}",
            ),
            &[
                "error: spec.containers[0].resources.limits[example.com/foo]: \"0.5\" must be an integer",
                "error: spec.containers[0].resources.requests[example.com/foo]: must be equal to the example.com/foo limit (1 != 0.5)",
                "error: spec.containers[0].resources.requests[example.com/bar]: must be equal to the example.com/bar limit (1 != 2)",
                "error: spec.containers[0].resources.requests[nvidia.com/gpu]: a limit must be set for nvidia.com/gpu",
            ],
        ),
        (
            "hugepages need cpu or memory",
            sc("|  resources: {limits: {hugepages-2Mi: 100Mi}}"),
            &[
                "error: spec.containers[0].resources: hugepages require a cpu or memory request or limit",
            ],
        ),
        (
            "a quoted port number gets a hint",
            sc("|  livenessProbe: {tcpSocket: {port: \"8080\"}}"),
            &[
                "error: spec.containers[0].livenessProbe.tcpSocket.port: invalid port name \"8080\": must contain at least one letter (a-z); write a port number without quotes",
            ],
        ),
        (
            "a warning at a field with an error is dropped",
            sc("|  stdin: \"true\""),
            &["error: spec.containers[0].stdin: expected a boolean"],
        ),
    ];
    for (case, text, want) in cases {
        expect(case, &text, want);
    }
    let diags = run(&sc("|  stdin: \"true\""), false);
    assert_eq!(diags.len(), 1, "{diags:#?}");
}

#[test]
fn workload_fields_follow_the_apps_and_batch_rules() {
    let deployment = |spec: &str| {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web, namespace: prod}}\nspec:\n{spec}  template:\n    metadata: {{labels: {{app: web}}, namespace: other}}\n    spec:\n      containers: [{{name: a, image: x}}]\n"
        )
    };
    expect(
        "no selector",
        &deployment(""),
        &["error: spec.selector: required"],
    );
    expect(
        "selector matches",
        &deployment("  selector: {matchLabels: {app: web}}\n"),
        &[],
    );
    expect(
        "selector by expression",
        &deployment(
            "  selector: {matchExpressions: [{key: app, operator: In, values: [web, api]}]}\n",
        ),
        &[],
    );
    expect(
        "selector does not match",
        &deployment("  selector: {matchLabels: {app: api}}\n"),
        &[
            "error: spec.template.metadata.labels: the selector does not match the template's labels",
        ],
    );
    expect(
        "replicas and strategy",
        &deployment(
            "  selector: {matchLabels: {app: web}}\n  replicas: -1\n  strategy: {type: Rollingupdate}\n",
        ),
        &[
            "error: spec.replicas: must not be negative (got -1)",
            "error: spec.strategy.type: unsupported value \"Rollingupdate\"",
        ],
    );
    // The pod lives in the workload's namespace, not its template's.
    let checked = check(
        &[Source {
            name: "t.yaml".into(),
            text: deployment("  selector: {matchLabels: {app: web}}\n"),
        }],
        Options::default(),
    );
    let pod = checked.pod().unwrap();
    assert_eq!(
        pod.metadata.as_ref().unwrap().namespace.as_deref(),
        Some("prod")
    );

    let cron = |schedule: &str| {
        format!(
            "apiVersion: batch/v1\nkind: CronJob\nmetadata: {{name: c}}\nspec:\n  schedule: \"{schedule}\"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: Never\n          containers: [{{name: a, image: x}}]\n"
        )
    };
    expect(
        "good schedule",
        &cron("*/15 2-4 * * MON-FRI"),
        &["warning: kind: one pod"],
    );
    expect(
        "bad schedule",
        &cron("61 * * *"),
        &["error: spec.schedule: invalid schedule \"61 * * *\": expected 5 fields"],
    );

    let stateful = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec:\n  selector: {matchLabels: {app: db}}\n  serviceName: db\n  template:\n    metadata: {labels: {app: db}}\n    spec:\n      containers:\n      - name: a\n        image: x\n        volumeMounts: [{name: www, mountPath: /data}]\n  volumeClaimTemplates:\n  - metadata: {name: www}\n    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}\n";
    expect(
        "claim templates",
        stateful,
        &[
            "error: spec.volumeClaimTemplates: not supported by podinit: persistent volume claims need a cluster",
        ],
    );
    let ignoring = run(stateful, true);
    assert!(ignoring.iter().all(|d| !d.is_error()), "{ignoring:#?}");
}

#[test]
fn kinds_namespaces_and_duplicate_configs() {
    expect(
        "lower-case kind",
        "apiVersion: v1\nkind: pod\nmetadata: {name: x}\n",
        &["error: kind: unknown kind \"pod\" in v1: did you mean \"Pod\"?"],
    );
    let with = |configs: &str| {
        format!(
            "{configs}---\n{}",
            pod("|containers:\n|- name: a\n|  image: x\n|  envFrom: [{configMapRef: {name: cm}}]")
        )
    };
    expect(
        "another namespace",
        &with(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm, namespace: other}\ndata: {a: b}\n",
        ),
        &[
            "warning: metadata: ConfigMap \"cm\" is in namespace \"other\", the pod in \"default\": the pod cannot use it",
            "error: spec.containers[0].envFrom[0].configMapRef.name: not supported by podinit: ConfigMaps from a cluster",
        ],
    );
    let twice = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {a: \"1\"}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {a: \"2\"}\n";
    expect(
        "the last of two wins",
        &with(twice),
        &["warning: metadata: a second ConfigMap named \"cm\": this one is used"],
    );
    expect(
        "a key in data and binaryData",
        &with(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {a: b}\nbinaryData: {a: YQ==}\n",
        ),
        &["error: binaryData[a]: \"a\" is also a key of data"],
    );
}

#[test]
fn ignore_unsupported_makes_a_plan_without_what_it_ignores() {
    let text = pod(
        "|containers:\n|- name: a\n|  image: x\n|  livenessProbe: {grpc: {port: 9000}}\n|  lifecycle: {preStop: {tcpSocket: {port: 80}}}\n|  volumeMounts: [{name: data, mountPath: /data}, {name: share, mountPath: /share}]\n|volumes:\n|- {name: data, persistentVolumeClaim: {claimName: data}}\n|- {name: share, nfs: {server: nas, path: /}}",
    );
    let source = Source {
        name: "t.yaml".into(),
        text,
    };
    let checked = check(
        &[source],
        Options {
            ignore_unsupported: true,
        },
    );
    assert!(
        checked.diags.iter().all(|d| !d.is_error()),
        "{:#?}",
        checked.diags
    );
    let plan = crate::spec::plan::plan(&checked).unwrap();
    let app = &plan.containers[0];
    assert!(app.liveness.is_none() && app.pre_stop.is_none());
    assert!(
        plan.volumes
            .iter()
            .all(|v| matches!(v.source, crate::spec::plan::VolumeSource::EmptyDir { .. }))
    );
    assert_eq!(app.mounts.len(), 2);
}
