//! What `kubectl` prints for one pod, from podinit's own record of it: the
//! `get pod` row (READY, STATUS, RESTARTS, AGE, and the `-o wide` columns),
//! `describe pod`, and `-o yaml|json`.
//!
//! The STATUS, READY and RESTARTS columns follow `printPod` of
//! k8s.io/kubernetes `pkg/printers/internalversion/printers.go` (v1.35)
//! branch for branch, sidecars (`restartPolicy: Always` init containers)
//! included, so that a pod reads the same here as in a cluster. Tables are
//! aligned by a port of Go's tabwriter (`tabwriter`) with kubectl's settings.
//! Every age is measured from the snapshot's `now`, never from the clock of
//! the machine that prints, so that the text depends on the snapshot only.
//! It does not fetch anything and does not decide what the pod's state is.

mod containers;
mod describe;
mod tabwriter;
mod volumes;

use std::time::SystemTime;

use serde::Serialize;
use serde_json::Value;

use super::model::{ContainerStatus, PodObject, Snapshot, Terminated};
use crate::timefmt;

pub use describe::describe;

/// `kubectl get pod`'s tabwriter: minimum cell width 6, padding 3
/// (k8s.io/cli-runtime `printers.GetNewTabWriter`).
const GET_MIN_WIDTH: usize = 6;
const GET_PADDING: usize = 3;

/// The pod's STATUS column, as `printPod` computes it.
pub fn status_reason(pod: &PodObject) -> String {
    summarize(pod).status
}

/// The READY column: ready containers over containers, sidecars counted as
/// containers (`1/2`).
pub fn ready_column(pod: &PodObject) -> String {
    let s = summarize(pod);
    format!("{}/{}", s.ready, s.total)
}

/// The RESTARTS column: the count, and how long ago the last restart was
/// when it is known (`3 (45s ago)`).
pub fn restarts_column(pod: &PodObject, now: SystemTime) -> String {
    restarts_text(&summarize(pod), now)
}

fn restarts_text(s: &Summary, now: SystemTime) -> String {
    match s.last_restart {
        Some(at) if s.restarts != 0 => format!("{} ({} ago)", s.restarts, since(at, now)),
        _ => s.restarts.to_string(),
    }
}

/// `kubectl get pod NAME` (`-o wide` with `wide`): the header and the row,
/// aligned as kubectl aligns them.
pub fn get(snapshot: &Snapshot, wide: bool) -> String {
    let pod = &snapshot.pod;
    let now = snapshot_now(snapshot);
    let s = summarize(pod);
    let restarts = restarts_text(&s, now);
    let age = timestamp_since(meta_str(pod, "creationTimestamp"), now);
    let mut header = vec!["NAME", "READY", "STATUS", "RESTARTS", "AGE"];
    let mut row = vec![
        meta_str(pod, "name").unwrap_or_default().to_owned(),
        format!("{}/{}", s.ready, s.total),
        s.status,
        restarts,
        age,
    ];
    if wide {
        header.extend(["IP", "NODE", "NOMINATED NODE", "READINESS GATES"]);
        let ip = pod.status.pod_ips.first().map(|ip| ip.ip.as_str());
        let node = pod.spec.get("nodeName").and_then(Value::as_str);
        // podinit never nominates a node: there is no scheduler.
        row.extend([
            or_none(ip),
            or_none(node),
            "<none>".to_owned(),
            readiness_gates(pod),
        ]);
    }
    let text = format!("{}\n{}\n", header.join("\t"), row.join("\t"));
    tabwriter::align(&escape_terminal(&text), GET_MIN_WIDTH, GET_PADDING)
}

/// `kubectl get pod -o yaml`.
pub fn to_yaml(pod: &PodObject) -> String {
    crate::spec::emit::to_yaml(&to_value(pod))
}

/// `kubectl get pod -o json`: keys sorted and indented by four spaces, as
/// kubectl's `json.MarshalIndent` of the object's map does, with a trailing
/// newline.
pub fn to_json(pod: &PodObject) -> String {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut out, formatter);
    // Writing a Value to a Vec cannot fail; an empty object if it ever did.
    if to_value(pod).serialize(&mut ser).is_err() {
        return "{}\n".to_owned();
    }
    let mut text = String::from_utf8(out).unwrap_or_default();
    text.push('\n');
    text
}

/// The pod as a JSON value, whose maps sort their keys (serde_json is
/// built without `preserve_order`), as kubectl's printers see an object.
fn to_value(pod: &PodObject) -> Value {
    // Cannot fail: every map key of a PodObject is a string.
    serde_json::to_value(pod).unwrap_or(Value::Null)
}

/// What `printPod` computes in one pass: READY, STATUS and RESTARTS.
#[derive(Debug)]
struct Summary {
    ready: usize,
    total: usize,
    status: String,
    restarts: u64,
    last_restart: Option<SystemTime>,
}

/// The init containers' part of `printPod`.
#[derive(Debug, Default)]
struct InitPass {
    /// An init container is not done yet (STATUS says which).
    initializing: bool,
    /// Restarts of the sidecars seen, which stay counted once initialized.
    sidecar_restarts: u64,
    sidecar_last_restart: Option<SystemTime>,
}

/// `printPod`, in its order: the phase or the pod's reason, the init
/// containers, the app containers, then deletion.
fn summarize(pod: &PodObject) -> Summary {
    let status = &pod.status;
    let sidecars = spec_list(&pod.spec, "initContainers")
        .iter()
        .filter(|c| is_sidecar(c))
        .count();
    let mut s = Summary {
        ready: 0,
        total: spec_list(&pod.spec, "containers").len() + sidecars,
        status: match &status.reason {
            Some(reason) if !reason.is_empty() => reason.clone(),
            _ => status.phase.clone(),
        },
        restarts: 0,
        last_restart: None,
    };
    let gated = status
        .conditions
        .iter()
        .any(|c| c.kind == "PodScheduled" && c.reason.as_deref() == Some("SchedulingGated"));
    if gated {
        s.status = "SchedulingGated".to_owned();
    }
    let init = init_containers(pod, &mut s);
    if !init.initializing || condition_true(pod, "Initialized") {
        // From here on only sidecars' restarts count among the init
        // containers' (a finished init container's restarts are history).
        s.restarts = init.sidecar_restarts;
        s.last_restart = init.sidecar_last_restart;
        app_containers(pod, &mut s);
    }
    if deleting(pod) {
        if status.reason.as_deref() == Some("NodeLost") {
            s.status = "Unknown".to_owned();
        } else if status.phase != "Succeeded" && status.phase != "Failed" {
            s.status = "Terminating".to_owned();
        }
    }
    s
}

/// A `restartPolicy: Always` init container.
fn is_sidecar(container: &Value) -> bool {
    container.get("restartPolicy").and_then(Value::as_str) == Some("Always")
}

/// Init containers, in order, up to the first one not done: a sidecar that
/// has started counts as done (and as ready if it is).
fn init_containers(pod: &PodObject, s: &mut Summary) -> InitPass {
    let spec_init = spec_list(&pod.spec, "initContainers");
    let sidecar = |name: &str| {
        spec_init
            .iter()
            .any(|c| c.get("name").and_then(Value::as_str) == Some(name) && is_sidecar(c))
    };
    let mut pass = InitPass::default();
    for (i, c) in pod.status.init_container_statuses.iter().enumerate() {
        s.restarts += u64::from(c.restart_count);
        s.last_restart = later(s.last_restart, last_termination(c));
        let is_sidecar = sidecar(&c.name);
        if is_sidecar {
            pass.sidecar_restarts += u64::from(c.restart_count);
            pass.sidecar_last_restart = later(pass.sidecar_last_restart, last_termination(c));
        }
        let terminated = c.state.terminated.as_ref();
        if terminated.is_some_and(|t| t.exit_code == 0) {
            continue;
        }
        if is_sidecar && c.started == Some(true) {
            s.ready += usize::from(c.ready);
            continue;
        }
        let waiting = c.state.waiting.as_ref();
        s.status = if let Some(t) = terminated {
            format!("Init:{}", termination(t))
        } else if let Some(w) =
            waiting.filter(|w| !w.reason.is_empty() && w.reason != "PodInitializing")
        {
            format!("Init:{}", w.reason)
        } else {
            format!("Init:{i}/{}", spec_init.len())
        };
        pass.initializing = true;
        break;
    }
    pass
}

/// App containers, backwards, so that the first container with a reason
/// names the pod; then the `Completed` rules.
fn app_containers(pod: &PodObject, s: &mut Summary) {
    let mut has_running = false;
    let mut error_reason = None;
    for c in pod.status.container_statuses.iter().rev() {
        s.restarts += u64::from(c.restart_count);
        s.last_restart = later(s.last_restart, last_termination(c));
        if let Some(w) = c.state.waiting.as_ref().filter(|w| !w.reason.is_empty()) {
            s.status = w.reason.clone();
        } else if let Some(t) = &c.state.terminated {
            s.status = termination(t);
            if t.exit_code != 0 {
                error_reason = Some(s.status.clone());
            }
        } else if c.ready && c.state.running.is_some() {
            has_running = true;
            s.ready += 1;
        }
    }
    // A container that completed while another still runs, or beside one
    // that failed, does not make the pod "Completed".
    if s.status == "Completed" {
        if has_running && ready_condition(pod) {
            s.status = "Running".to_owned();
        } else if let Some(reason) = error_reason {
            s.status = reason;
        } else if has_running {
            s.status = "NotReady".to_owned();
        }
    }
}

/// A termination's reason, or else its signal, or else its exit code.
fn termination(t: &Terminated) -> String {
    if !t.reason.is_empty() {
        t.reason.clone()
    } else if let Some(signal) = t.signal.filter(|&n| n != 0) {
        format!("Signal:{signal}")
    } else {
        format!("ExitCode:{}", t.exit_code)
    }
}

fn last_termination(c: &ContainerStatus) -> Option<SystemTime> {
    let t = c.last_state.terminated.as_ref()?;
    timefmt::parse_rfc3339(&t.finished_at)
}

fn later(a: Option<SystemTime>, b: Option<SystemTime>) -> Option<SystemTime> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

/// Whether the pod has the condition `kind` with status `True`.
fn condition_true(pod: &PodObject, kind: &str) -> bool {
    pod.status
        .conditions
        .iter()
        .any(|c| c.kind == kind && c.status == "True")
}

/// `hasPodReadyCondition`: the first `Ready` condition decides.
fn ready_condition(pod: &PodObject) -> bool {
    pod.status
        .conditions
        .iter()
        .find(|c| c.kind == "Ready")
        .is_some_and(|c| c.status == "True")
}

fn deleting(pod: &PodObject) -> bool {
    pod.metadata
        .get("deletionTimestamp")
        .is_some_and(|v| !v.is_null())
}

/// READINESS GATES: gates whose condition is `True` over gates.
fn readiness_gates(pod: &PodObject) -> String {
    let gates = spec_list(&pod.spec, "readinessGates");
    if gates.is_empty() {
        return "<none>".to_owned();
    }
    let met = gates
        .iter()
        .filter_map(|g| g.get("conditionType").and_then(Value::as_str))
        .filter(|kind| {
            pod.status
                .conditions
                .iter()
                .find(|c| c.kind == *kind)
                .is_some_and(|c| c.status == "True")
        })
        .count();
    format!("{met}/{}", gates.len())
}

/// The snapshot's `now`; the local clock only if it is unreadable, so that
/// a damaged answer still prints sensible ages.
fn snapshot_now(snapshot: &Snapshot) -> SystemTime {
    timefmt::parse_rfc3339(&snapshot.now).unwrap_or_else(SystemTime::now)
}

/// kubectl's `HumanDuration(now - at)`: up to a second in the future is
/// `0s` (clocks disagree a little), further is `<invalid>`.
fn since(at: SystemTime, now: SystemTime) -> String {
    match now.duration_since(at) {
        Ok(elapsed) => timefmt::age(elapsed),
        Err(ahead) if ahead.duration().as_secs() < 2 => "0s".to_owned(),
        Err(_) => "<invalid>".to_owned(),
    }
}

/// `translateTimestampSince`: `<unknown>` for a time that is not set.
fn timestamp_since(at: Option<&str>, now: SystemTime) -> String {
    match at.and_then(timefmt::parse_rfc3339) {
        Some(at) => since(at, now),
        None => "<unknown>".to_owned(),
    }
}

fn meta_str<'a>(pod: &'a PodObject, key: &str) -> Option<&'a str> {
    pod.metadata.get(key).and_then(Value::as_str)
}

/// `spec[key]` as a list; empty when missing or not a list.
fn spec_list<'a>(spec: &'a Value, key: &str) -> &'a [Value] {
    spec.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn or_none(text: Option<&str>) -> String {
    match text {
        Some(t) if !t.is_empty() => t.to_owned(),
        _ => "<none>".to_owned(),
    }
}

/// kubectl's `printers.EscapeTerminal`: an escape character or a carriage
/// return in a message must not drive the reader's terminal.
fn escape_terminal(text: &str) -> String {
    text.replace('\x1b', "^[").replace('\r', "\\r")
}

#[cfg(test)]
mod tests;
