//! The `Containers:` and `Init Containers:` sections of `kubectl describe
//! pod`: per container its identity, ports, command, state, resources,
//! probes, environment and mounts, as kubectl's `describeContainers` and
//! the functions it calls print them.
//!
//! The spec is a defaulted v1 PodSpec held as JSON and read defensively: a
//! field that is missing prints as Go's zero value would, or, for probe
//! timings, as the API default. Environment values from `fieldRef` are
//! shown for `metadata.*` only, as kubectl resolves them (a `status.podIP`
//! shows no value, in a cluster too).

use serde_json::Value;

use super::describe::{Out, flag, rfc1123z, scalar, seccomp, text};
use crate::spec::plan::env::{FieldRef, format_resource};
use crate::spec::quantity::Amount;
use crate::status::model::{ContainerState, ContainerStatus, PodObject};

/// One section: its title, then each container of `containers` with its
/// status from `statuses` (matched by name; a container not started yet
/// has none, and kubectl then leaves out the status lines).
pub(super) fn describe(
    w: &mut Out,
    title: &str,
    containers: &[Value],
    statuses: &[ContainerStatus],
    pod: &PodObject,
) {
    let none = if containers.is_empty() { " <none>" } else { "" };
    w.line(0, &format!("{title}:{none}"));
    for c in containers {
        let status = statuses.iter().find(|s| s.name == text(c, "name"));
        basic_info(w, c, status);
        command(w, c);
        if let Some(status) = status {
            status_lines(w, status);
        }
        if let Some(resources) = c.get("resources") {
            self::resources(w, resources, 2);
        }
        for (key, label) in [
            ("livenessProbe", "Liveness"),
            ("readinessProbe", "Readiness"),
            ("startupProbe", "Startup"),
        ] {
            if let Some(probe) = c.get(key).filter(|p| p.is_object()) {
                w.line(2, &format!("{label}:\t{}", describe_probe(probe)));
            }
        }
        env_from(w, c);
        env(w, c, pod);
        mounts(w, c);
    }
}

fn list<'a>(value: &'a Value, key: &str) -> &'a [Value] {
    value
        .get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn strings(value: &Value, key: &str) -> Vec<String> {
    list(value, key).iter().map(|v| scalar(Some(v))).collect()
}

/// Name, IDs, image, ports and the seccomp profile.
fn basic_info(w: &mut Out, c: &Value, status: Option<&ContainerStatus>) {
    w.line(1, &format!("{}:", text(c, "name")));
    if let Some(s) = status {
        let id = s.container_id.as_deref().unwrap_or_default();
        w.line(2, &format!("Container ID:\t{id}"));
    }
    w.line(2, &format!("Image:\t{}", text(c, "image")));
    if let Some(s) = status {
        w.line(2, &format!("Image ID:\t{}", s.image_id));
    }
    for (label, key) in [("Port", "containerPort"), ("Host Port", "hostPort")] {
        let ports: Vec<String> = list(c, "ports")
            .iter()
            .map(|p| {
                let number = p.get(key).and_then(Value::as_i64).unwrap_or_default();
                format!("{number}/{}", text(p, "protocol"))
            })
            .collect();
        match ports.as_slice() {
            [] => w.line(2, &format!("{label}:\t<none>")),
            [one] => w.line(2, &format!("{label}:\t{one}")),
            many => w.line(2, &format!("{label}s:\t{}", many.join(", "))),
        }
    }
    seccomp(w, c.get("securityContext"), 2);
}

/// `Command:` and `Args:`, one word a line (a word's own lines too).
fn command(w: &mut Out, c: &Value) {
    for (key, label) in [("command", "Command:"), ("args", "Args:")] {
        let words = strings(c, key);
        if words.is_empty() {
            continue;
        }
        w.line(2, label);
        for line in words.iter().flat_map(|word| word.split('\n')) {
            w.line(3, line);
        }
    }
}

/// `State:`, `Last State:` (only after a termination), `Ready:`, `Restart
/// Count:`.
fn status_lines(w: &mut Out, s: &ContainerStatus) {
    state(w, "State", &s.state);
    if s.last_state.terminated.is_some() {
        state(w, "Last State", &s.last_state);
    }
    w.line(
        2,
        &format!("Ready:\t{}", if s.ready { "True" } else { "False" }),
    );
    w.line(2, &format!("Restart Count:\t{}", s.restart_count));
}

/// kubectl's `describeStatus`.
fn state(w: &mut Out, name: &str, state: &ContainerState) {
    if let Some(running) = &state.running {
        w.line(2, &format!("{name}:\tRunning"));
        w.line(
            3,
            &format!("Started:\t{}", rfc1123z(Some(&running.started_at))),
        );
    } else if let Some(waiting) = &state.waiting {
        w.line(2, &format!("{name}:\tWaiting"));
        if !waiting.reason.is_empty() {
            w.line(3, &format!("Reason:\t{}", waiting.reason));
        }
    } else if let Some(t) = &state.terminated {
        w.line(2, &format!("{name}:\tTerminated"));
        if !t.reason.is_empty() {
            w.line(3, &format!("Reason:\t{}", t.reason));
        }
        if let Some(message) = t.message.as_deref().filter(|m| !m.is_empty()) {
            w.line(3, &format!("Message:\t{message}"));
        }
        w.line(3, &format!("Exit Code:\t{}", t.exit_code));
        if let Some(signal) = t.signal.filter(|&n| n > 0) {
            w.line(3, &format!("Signal:\t{signal}"));
        }
        w.line(
            3,
            &format!("Started:\t{}", rfc1123z(t.started_at.as_deref())),
        );
        w.line(3, &format!("Finished:\t{}", rfc1123z(Some(&t.finished_at))));
    } else {
        w.line(2, &format!("{name}:\tWaiting"));
    }
}

/// `Limits:` and `Requests:`, resource names sorted.
pub(super) fn resources(w: &mut Out, resources: &Value, level: usize) {
    for (key, label) in [("limits", "Limits:"), ("requests", "Requests:")] {
        let Some(map) = resources.get(key).and_then(Value::as_object) else {
            continue;
        };
        if map.is_empty() {
            continue;
        }
        w.line(level, label);
        let mut names: Vec<&String> = map.keys().collect();
        names.sort();
        for name in names {
            w.line(level + 1, &format!("{name}:\t{}", scalar(map.get(name))));
        }
    }
}

/// kubectl's `DescribeProbe`: the action, then the timings.
fn describe_probe(probe: &Value) -> String {
    // The API defaults, for a probe that was not defaulted.
    let n = |key: &str, default: i64| probe.get(key).and_then(Value::as_i64).unwrap_or(default);
    let attrs = format!(
        "delay={}s timeout={}s period={}s #success={} #failure={}",
        n("initialDelaySeconds", 0),
        n("timeoutSeconds", 1),
        n("periodSeconds", 10),
        n("successThreshold", 1),
        n("failureThreshold", 3),
    );
    if let Some(exec) = probe.get("exec") {
        return format!("exec [{}] {attrs}", strings(exec, "command").join(" "));
    }
    if let Some(get) = probe.get("httpGet") {
        return format!("http-get {} {attrs}", http_url(get));
    }
    if let Some(tcp) = probe.get("tcpSocket") {
        let port = scalar(tcp.get("port"));
        return format!("tcp-socket {}:{port} {attrs}", text(tcp, "host"));
    }
    if let Some(grpc) = probe.get("grpc") {
        let port = scalar(grpc.get("port"));
        return format!("grpc <pod>:{port} {} {attrs}", text(grpc, "service"));
    }
    format!("unknown {attrs}")
}

/// The URL of an `httpGet` probe as Go's `url.URL` prints it; the host is
/// empty when the probe targets the pod's IP (`http://:8080/healthz`).
fn http_url(get: &Value) -> String {
    let scheme = text(get, "scheme").to_lowercase();
    let (host, port, path) = (
        text(get, "host"),
        scalar(get.get("port")),
        text(get, "path"),
    );
    let authority = match (port.is_empty(), host.contains(':')) {
        (true, _) => host.to_owned(),
        (false, true) => format!("[{host}]:{port}"),
        (false, false) => format!("{host}:{port}"),
    };
    let mut url = String::new();
    if !scheme.is_empty() {
        url += &format!("{scheme}:");
    }
    if !authority.is_empty() || !scheme.is_empty() {
        url += &format!("//{authority}");
    }
    if !path.is_empty() && !path.starts_with('/') && !authority.is_empty() {
        url.push('/');
    }
    url + path
}

/// `Environment Variables from:`, shown only when there are some.
fn env_from(w: &mut Out, c: &Value) {
    let sources = list(c, "envFrom");
    if sources.is_empty() {
        return;
    }
    w.line(2, "Environment Variables from:");
    for source in sources {
        let (kind, reference) = match (source.get("configMapRef"), source.get("secretRef")) {
            (Some(r), _) => ("ConfigMap", r),
            (None, Some(r)) => ("Secret", r),
            (None, None) => ("", &Value::Null),
        };
        let (name, optional) = (text(reference, "name"), flag(reference, "optional"));
        let line = match text(source, "prefix") {
            "" => format!("{name}\t{kind}\tOptional: {optional}"),
            prefix => format!("{name}\t{kind} with prefix '{prefix}'\tOptional: {optional}"),
        };
        w.line(3, &line);
    }
}

/// `Environment:`: literal values (a multi-line one continues under its
/// first line), and where the others come from.
fn env(w: &mut Out, c: &Value, pod: &PodObject) {
    let vars = list(c, "env");
    w.line(
        2,
        if vars.is_empty() {
            "Environment:\t<none>"
        } else {
            "Environment:"
        },
    );
    for var in vars {
        let name = text(var, "name");
        let Some(from) = var.get("valueFrom").filter(|v| v.is_object()) else {
            for (i, part) in text(var, "value").split('\n').enumerate() {
                let label = if i == 0 {
                    format!("{name}:")
                } else {
                    String::new()
                };
                w.line(3, &format!("{label}\t{part}"));
            }
            continue;
        };
        if let Some(field) = from.get("fieldRef") {
            let path = text(field, "fieldPath");
            let value = field_value(pod, path);
            let version = text(field, "apiVersion");
            w.line(3, &format!("{name}:\t{value} ({version}:{path})"));
        } else if let Some(resource) = from.get("resourceFieldRef") {
            let which = text(resource, "resource");
            let value = resource_value(c, which, resource.get("divisor"));
            w.line(3, &format!("{name}:\t{value} ({which})"));
        } else if let Some(key) = from.get("secretKeyRef") {
            let (k, s, optional) = (text(key, "key"), text(key, "name"), flag(key, "optional"));
            let source = format!("<set to the key '{k}' in secret '{s}'>\tOptional: {optional}");
            w.line(3, &format!("{name}:\t{source}"));
        } else if let Some(key) = from.get("configMapKeyRef") {
            let (k, m, optional) = (text(key, "key"), text(key, "name"), flag(key, "optional"));
            let source =
                format!("<set to the key '{k}' of config map '{m}'>\tOptional: {optional}");
            w.line(3, &format!("{name}:\t{source}"));
        }
    }
}

/// A `fieldRef` as kubectl resolves it: the pod's metadata only.
fn field_value(pod: &PodObject, path: &str) -> String {
    let meta = &pod.metadata;
    let entry = |map: &str, key: &str| scalar(meta.get(map).and_then(|m| m.get(key)));
    match FieldRef::parse(path) {
        Some(FieldRef::Name) => text(meta, "name").to_owned(),
        Some(FieldRef::Namespace) => text(meta, "namespace").to_owned(),
        Some(FieldRef::Uid) => text(meta, "uid").to_owned(),
        Some(FieldRef::Label(key)) => entry("labels", &key),
        Some(FieldRef::Annotation(key)) => entry("annotations", &key),
        _ => String::new(),
    }
}

/// A `resourceFieldRef` of this container, divided by its divisor; an unset
/// CPU or memory limit is the node's, as kubectl says.
fn resource_value(c: &Value, which: &str, divisor: Option<&Value>) -> String {
    let Some((kind, name)) = which.split_once('.') else {
        return String::new();
    };
    let quantity = c
        .get("resources")
        .and_then(|r| r.get(kind))
        .and_then(|m| m.get(name));
    let value = quantity
        .and_then(|q| Amount::parse(&scalar(Some(q))).ok())
        .unwrap_or(Amount::ZERO);
    let divisor = divisor
        .and_then(|d| Amount::parse(&scalar(Some(d))).ok())
        .filter(|d| d.nanos() > 0);
    let one = Amount::parse("1").unwrap_or(Amount::ZERO);
    let shown = format_resource(value, divisor.unwrap_or(one));
    if shown == "0" && (which == "limits.cpu" || which == "limits.memory") {
        "node allocatable".to_owned()
    } else {
        shown
    }
}

/// `Mounts:` sorted by path, `(ro)` or `(rw)` and the sub-path; `Devices:`
/// when there are some.
fn mounts(w: &mut Out, c: &Value) {
    let mut list_sorted: Vec<&Value> = list(c, "volumeMounts").iter().collect();
    w.line(
        2,
        if list_sorted.is_empty() {
            "Mounts:\t<none>"
        } else {
            "Mounts:"
        },
    );
    list_sorted.sort_by_key(|m| text(m, "mountPath"));
    for m in list_sorted {
        let mut flags = vec![if flag(m, "readOnly") { "ro" } else { "rw" }.to_owned()];
        if !text(m, "subPath").is_empty() {
            flags.push(format!("path={:?}", text(m, "subPath")));
        }
        let (path, name) = (text(m, "mountPath"), text(m, "name"));
        w.line(3, &format!("{path} from {name} ({})", flags.join(",")));
    }
    let mut devices: Vec<&Value> = list(c, "volumeDevices").iter().collect();
    if !devices.is_empty() {
        w.line(2, "Devices:");
        devices.sort_by_key(|d| text(d, "devicePath"));
        for d in devices {
            w.line(
                3,
                &format!("{} from {}", text(d, "devicePath"), text(d, "name")),
            );
        }
    }
}
