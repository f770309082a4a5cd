//! `kubectl describe pod`: the pod-level lines, conditions, scheduling
//! lines and events, in the order and the wording of kubectl's
//! `describePod` and `DescribeEvents` (k8s.io/kubectl `pkg/describe`); the
//! container and volume sections are in their own files.
//!
//! Text is written as kubectl's prefix writer writes it, two spaces per
//! level and a tab after each label, and aligned at the end by the
//! tabwriter with describe's settings (padding 2), so that labels line up
//! in the same blocks as kubectl's. Times are printed as Go's RFC 1123 with
//! a numeric zone, in UTC (kubectl uses its local zone). Where the spec
//! lacks a field, the line is left out or says `<none>`, as kubectl does.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value;

use super::{
    containers, escape_terminal, snapshot_now, spec_list, tabwriter, timestamp_since, volumes,
};
use crate::spec::quantity::Amount;
use crate::status::model::{PodObject, Snapshot};
use crate::timefmt;

/// Annotations longer than this (key, value and `: `) are folded.
const MAX_ANNOTATION_LEN: usize = 140;

/// Never shown, as kubectl skips it: it repeats the whole object.
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// `kubectl describe pod NAME`, from a snapshot of the pod and its events.
pub fn describe(snapshot: &Snapshot) -> String {
    let pod = &snapshot.pod;
    let now = snapshot_now(snapshot);
    let mut w = Out::default();
    header(&mut w, pod, now);
    let init = spec_list(&pod.spec, "initContainers");
    if !init.is_empty() {
        let statuses = &pod.status.init_container_statuses;
        containers::describe(&mut w, "Init Containers", init, statuses, pod);
    }
    let app = spec_list(&pod.spec, "containers");
    containers::describe(
        &mut w,
        "Containers",
        app,
        &pod.status.container_statuses,
        pod,
    );
    conditions(&mut w, pod);
    volumes::describe(&mut w, spec_list(&pod.spec, "volumes"));
    w.line(0, &format!("QoS Class:\t{}", qos_class(pod)));
    labels(&mut w, "Node-Selectors", pod.spec.get("nodeSelector"));
    tolerations(&mut w, spec_list(&pod.spec, "tolerations"));
    events(&mut w, snapshot, now);
    tabwriter::align(&w.text, 0, 2)
}

/// kubectl's prefix writer: text at a level of indentation, two spaces a
/// level, escaped for the terminal; tabs are left for the tabwriter.
#[derive(Debug, Default)]
pub(super) struct Out {
    text: String,
}

impl Out {
    /// `Write(level, ...)`: the text, which may end mid-line.
    pub(super) fn write(&mut self, level: usize, text: &str) {
        self.text.extend(std::iter::repeat_n("  ", level));
        self.text.push_str(&escape_terminal(text));
    }

    /// One whole line.
    pub(super) fn line(&mut self, level: usize, text: &str) {
        self.write(level, text);
        self.text.push('\n');
    }
}

/// A string field, `""` when missing (as Go's zero value prints).
pub(super) fn text<'a>(value: &'a Value, key: &str) -> &'a str {
    value.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// A boolean field, `false` when missing.
pub(super) fn flag(value: &Value, key: &str) -> bool {
    value.get(key).and_then(Value::as_bool).unwrap_or_default()
}

/// A scalar as Go's `%v` prints it: a string as it is, a number or a bool
/// in JSON, `""` for null or a missing value.
pub(super) fn scalar(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// Go's `time.RFC1123Z` of an RFC 3339 time, in UTC; Go's zero time for a
/// time that is not set, as kubectl prints a `metav1.Time{}`.
pub(super) fn rfc1123z(at: Option<&str>) -> String {
    const ZERO: &str = "Mon, 01 Jan 0001 00:00:00 +0000";
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let secs = match at
        .and_then(timefmt::parse_rfc3339)
        .map(|t| t.duration_since(UNIX_EPOCH))
    {
        Some(Ok(since_epoch)) => since_epoch.as_secs(),
        _ => return ZERO.to_owned(),
    };
    let days = secs / 86_400;
    let (year, month, day) = timefmt::civil_from_days(i64::try_from(days).unwrap_or(0));
    let weekday = DAYS.get((days % 7) as usize).copied().unwrap_or_default();
    let month = MONTHS
        .get(month.saturating_sub(1) as usize)
        .copied()
        .unwrap_or_default();
    let rem = secs % 86_400;
    format!(
        "{weekday}, {day:02} {month} {year:04} {:02}:{:02}:{:02} +0000",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// From `Name:` to `IPs:`, `Controlled By:` and the pod's own resources.
fn header(w: &mut Out, pod: &PodObject, now: SystemTime) {
    let (meta, spec, status) = (&pod.metadata, &pod.spec, &pod.status);
    w.line(0, &format!("Name:\t{}", text(meta, "name")));
    w.line(0, &format!("Namespace:\t{}", text(meta, "namespace")));
    if let Some(priority) = spec.get("priority").and_then(Value::as_i64) {
        w.line(0, &format!("Priority:\t{priority}"));
    }
    for (key, label) in [
        ("priorityClassName", "Priority Class Name"),
        ("runtimeClassName", "Runtime Class Name"),
        ("serviceAccountName", "Service Account"),
    ] {
        if !text(spec, key).is_empty() {
            w.line(0, &format!("{label}:\t{}", text(spec, key)));
        }
    }
    match text(spec, "nodeName") {
        "" => w.line(0, "Node:\t<none>"),
        node => {
            let host_ip = status.host_ip.as_deref().unwrap_or_default();
            w.line(0, &format!("Node:\t{node}/{host_ip}"));
        }
    }
    if let Some(start) = &status.start_time {
        w.line(0, &format!("Start Time:\t{}", rfc1123z(Some(start))));
    }
    labels(w, "Labels", meta.get("labels"));
    annotations(w, meta.get("annotations"));
    let deleted_at = meta.get("deletionTimestamp").and_then(Value::as_str);
    match deleted_at {
        Some(at) if status.phase != "Failed" && status.phase != "Succeeded" => {
            w.line(
                0,
                &format!(
                    "Status:\tTerminating (lasts {})",
                    timestamp_since(Some(at), now)
                ),
            );
            if let Some(grace) = meta
                .get("deletionGracePeriodSeconds")
                .and_then(Value::as_i64)
            {
                w.line(0, &format!("Termination Grace Period:\t{grace}s"));
            }
        }
        _ => w.line(0, &format!("Status:\t{}", status.phase)),
    }
    for (label, value) in [("Reason", &status.reason), ("Message", &status.message)] {
        if let Some(value) = value.as_deref().filter(|v| !v.is_empty()) {
            w.line(0, &format!("{label}:\t{value}"));
        }
    }
    seccomp(w, spec.get("securityContext"), 0);
    w.line(
        0,
        &format!("IP:\t{}", status.pod_ip.as_deref().unwrap_or_default()),
    );
    if status.pod_ips.is_empty() {
        w.line(0, "IPs:\t<none>");
    } else {
        w.line(0, "IPs:");
        for ip in &status.pod_ips {
            w.line(1, &format!("IP:\t{}", ip.ip));
        }
    }
    let owners = meta.get("ownerReferences").and_then(Value::as_array);
    if let Some(owner) = owners.into_iter().flatten().find(|o| flag(o, "controller")) {
        w.line(
            0,
            &format!(
                "Controlled By:\t{}/{}",
                text(owner, "kind"),
                text(owner, "name")
            ),
        );
    }
    if let Some(resources) = spec.get("resources").filter(|r| r.is_object()) {
        w.line(0, "Resources:");
        containers::resources(w, resources, 1);
    }
}

/// `SeccompProfile:` (and `LocalhostProfile:`) of a security context.
pub(super) fn seccomp(w: &mut Out, context: Option<&Value>, level: usize) {
    let Some(profile) = context.and_then(|c| c.get("seccompProfile")) else {
        return;
    };
    let kind = text(profile, "type");
    w.line(level, &format!("SeccompProfile:\t{kind}"));
    if kind == "Localhost" {
        let path = text(profile, "localhostProfile");
        w.line(level + 1, &format!("LocalhostProfile:\t{path}"));
    }
}

/// `printLabelsMultiline`: `key=value` lines, sorted, aligned after the
/// title; `<none>` when there are none.
fn labels(w: &mut Out, title: &str, map: Option<&Value>) {
    w.write(0, &format!("{title}:\t"));
    let entries = sorted_entries(map, |_| true);
    if entries.is_empty() {
        w.line(0, "<none>");
    }
    for (i, (key, value)) in entries.iter().enumerate() {
        if i > 0 {
            w.write(0, "\t");
        }
        w.line(0, &format!("{key}={value}"));
    }
}

/// `printAnnotationsMultiline`: `key: value` lines; a long or multi-line
/// value goes under its key, each line cut at 138 characters.
fn annotations(w: &mut Out, map: Option<&Value>) {
    w.write(0, "Annotations:\t");
    let entries = sorted_entries(map, |key| key != LAST_APPLIED);
    if entries.is_empty() {
        w.line(0, "<none>");
    }
    for (i, (key, value)) in entries.iter().enumerate() {
        if i > 0 {
            w.write(0, "\t");
        }
        let value = value.strip_suffix('\n').unwrap_or(value);
        if value.len() + key.len() + 2 > MAX_ANNOTATION_LEN || value.contains('\n') {
            w.line(0, &format!("{key}:"));
            for part in value.split('\n') {
                w.line(0, &format!("\t  {}", shorten(part, MAX_ANNOTATION_LEN - 2)));
            }
        } else {
            w.line(0, &format!("{key}: {value}"));
        }
    }
}

/// At most `max` characters, then `...` (kubectl cuts bytes; characters
/// keep the text valid UTF-8).
fn shorten(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text.to_owned(),
    }
}

/// A string map's entries that pass `keep`, sorted by key.
fn sorted_entries(map: Option<&Value>, keep: impl Fn(&str) -> bool) -> Vec<(String, String)> {
    let mut entries: Vec<(String, String)> = map
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(key, _)| keep(key))
        .map(|(key, value)| (key.clone(), scalar(Some(value))))
        .collect();
    entries.sort();
    entries
}

/// `Readiness Gates:` (when the spec has any) and `Conditions:`, each a
/// `Type Status` table; kubectl ends each cell with a space.
fn conditions(w: &mut Out, pod: &PodObject) {
    let conditions = &pod.status.conditions;
    let gates = spec_list(&pod.spec, "readinessGates");
    if !gates.is_empty() {
        w.line(0, "Readiness Gates:\n  Type\tStatus");
        for gate in gates {
            let kind = text(gate, "conditionType");
            let status = conditions
                .iter()
                .find(|c| c.kind == kind)
                .map_or("<none>", |c| c.status.as_str());
            w.line(1, &format!("{kind} \t{status} "));
        }
    }
    if !conditions.is_empty() {
        w.line(0, "Conditions:\n  Type\tStatus");
        for c in conditions {
            w.line(1, &format!("{} \t{} ", c.kind, c.status));
        }
    }
}

/// `printPodTolerationsMultiline`: `key=value:Effect op=Exists for Ns`,
/// sorted by key.
fn tolerations(w: &mut Out, list: &[Value]) {
    w.write(0, "Tolerations:\t");
    if list.is_empty() {
        w.line(0, "<none>");
    }
    let mut sorted: Vec<&Value> = list.iter().collect();
    sorted.sort_by_key(|t| text(t, "key"));
    for (i, t) in sorted.into_iter().enumerate() {
        if i > 0 {
            w.write(0, "\t");
        }
        let (key, value, effect) = (text(t, "key"), text(t, "value"), text(t, "effect"));
        let mut line = key.to_owned();
        if !value.is_empty() {
            line += &format!("={value}");
        }
        if !effect.is_empty() {
            line += &format!(":{effect}");
        }
        // `operator: Exists` with no value tolerates everything it names.
        if text(t, "operator") == "Exists" && value.is_empty() {
            line += if key.is_empty() && effect.is_empty() {
                "op=Exists"
            } else {
                " op=Exists"
            };
        }
        if let Some(seconds) = t.get("tolerationSeconds").and_then(Value::as_i64) {
            line += &format!(" for {seconds}s");
        }
        w.line(0, &line);
    }
}

/// `DescribeEvents`: oldest first; a repeated event shows its count and
/// the span (`2m (x4 over 10m)`).
fn events(w: &mut Out, snapshot: &Snapshot, now: SystemTime) {
    if snapshot.events.is_empty() {
        w.line(0, "Events:\t<none>");
        return;
    }
    let mut sorted: Vec<_> = snapshot.events.iter().collect();
    sorted.sort_by_key(|e| timefmt::parse_rfc3339(&e.last_timestamp));
    w.line(0, "Events:\n  Type\tReason\tAge\tFrom\tMessage");
    w.line(1, "----\t------\t----\t----\t-------");
    for e in sorted {
        let first = timestamp_since(Some(&e.first_timestamp), now);
        let age = if e.count > 1 {
            let last = timestamp_since(Some(&e.last_timestamp), now);
            format!("{last} (x{} over {first})", e.count)
        } else {
            first
        };
        let message = e.message.trim();
        w.line(
            1,
            &format!("{}\t{}\t{age}\t{}\t{message}", e.kind, e.reason, e.source),
        );
    }
}

/// `status.qosClass`, or, for a status without one, the class computed
/// from the containers' CPU and memory as the API server does
/// (`ComputePodQOS`).
fn qos_class(pod: &PodObject) -> String {
    if !pod.status.qos_class.is_empty() {
        return pod.status.qos_class.clone();
    }
    const COMPUTE: [&str; 2] = ["cpu", "memory"];
    let mut requests = [0i128; 2];
    let mut limits = [0i128; 2];
    let mut guaranteed = true;
    let all = spec_list(&pod.spec, "initContainers").iter();
    for c in all.chain(spec_list(&pod.spec, "containers")) {
        let resources = c.get("resources");
        let amount = |kind: &str, name: &str| {
            let q = resources
                .and_then(|r| r.get(kind))
                .and_then(|m| m.get(name));
            q.and_then(|q| Amount::parse(&scalar(Some(q))).ok())
                .map_or(0, Amount::nanos)
                .max(0)
        };
        for (i, name) in COMPUTE.iter().enumerate() {
            if let (Some(r), Some(l)) = (requests.get_mut(i), limits.get_mut(i)) {
                *r += amount("requests", name);
                *l += amount("limits", name);
            }
        }
        guaranteed &= COMPUTE.iter().all(|name| amount("limits", name) > 0);
    }
    let counted = |sums: &[i128; 2]| sums.iter().filter(|&&n| n > 0).count();
    if counted(&requests) == 0 && counted(&limits) == 0 {
        "BestEffort".to_owned()
    } else if guaranteed && requests == limits {
        "Guaranteed".to_owned()
    } else {
        "Burstable".to_owned()
    }
}
