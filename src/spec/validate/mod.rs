//! The rules a pod must follow: Kubernetes' own (as the API server checks
//! them) and podinit's limits (values it does not implement).
//!
//! Runs on the defaulted raw pod and reports everything at once, each with
//! its field path in the document's own terms (`spec.template.spec...` for a
//! Deployment). It never stops at the first problem, and never looks at
//! fields that had a type error (their value is gone, a "required" there
//! would only repeat it). Fields that are ignored or unsupported whatever
//! their value are the support table's, checked on the nodes by `fields`;
//! here are the rules that depend on values.

mod config;
mod container;
mod env;
mod names;
mod probe;
mod volume;
mod workload;

use std::collections::{BTreeMap, HashSet};

use super::diag::{Diag, FieldPath, Kind};
use super::k8s::{ConfigMap, ObjectMeta, Pod, PodSecurityContext, PodSpec, Secret};

pub use config::config_document;
pub use names::{config_key, dns_label, dns_subdomain};
pub use workload::workload_rules;

/// What validation needs besides the pod.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// `Pod`, `Deployment`, ... (restartPolicy rules depend on it).
    pub kind: &'a str,
    pub meta_path: &'a FieldPath,
    pub spec_path: &'a FieldPath,
    pub config_maps: &'a BTreeMap<String, ConfigMap>,
    pub secrets: &'a BTreeMap<String, Secret>,
    pub ignore_unsupported: bool,
    /// Fields with a type error: no diagnostics at or below them.
    pub skipped: &'a [FieldPath],
    /// A StatefulSet's volumeClaimTemplates, which mounts may name.
    pub claim_templates: &'a [String],
}

/// Collects diagnostics.
struct Checker<'a> {
    cx: Context<'a>,
    out: Vec<Diag>,
}

impl Checker<'_> {
    fn push(&mut self, diag: Diag) {
        if !self.cx.skipped.iter().any(|s| diag.path.starts_with(s)) {
            self.out.push(diag);
        }
    }

    fn invalid(&mut self, path: FieldPath, message: impl Into<String>) {
        self.push(Diag::error(Kind::Invalid, path, message));
    }

    fn required(&mut self, path: FieldPath) {
        self.invalid(path, "required");
    }

    fn warn(&mut self, path: FieldPath, message: impl Into<String>) {
        self.push(Diag::warning(Kind::Invalid, path, message));
    }

    /// Valid Kubernetes podinit does not implement: an error, or a warning
    /// with `--ignore-unsupported`.
    fn unsupported(&mut self, path: FieldPath, message: impl Into<String>) {
        let message = format!("not supported by podinit: {}", message.into());
        let diag = if self.cx.ignore_unsupported {
            Diag::warning(Kind::Unsupported, path, message + " (ignored)")
        } else {
            Diag::error(Kind::Unsupported, path, message)
        };
        self.push(diag);
    }

    /// Checks that `value` is one of `allowed`.
    fn one_of(&mut self, path: FieldPath, value: &str, allowed: &[&str]) -> bool {
        if allowed.contains(&value) {
            return true;
        }
        let list: Vec<String> = allowed.iter().map(|a| format!("{a:?}")).collect();
        self.invalid(
            path,
            format!(
                "unsupported value {value:?}: must be one of {}",
                list.join(", ")
            ),
        );
        false
    }

    /// Applies a name rule.
    fn name(&mut self, path: FieldPath, value: &str, rule: fn(&str) -> Option<String>) {
        if let Some(reason) = rule(value) {
            self.invalid(path, format!("invalid value {value:?}: {reason}"));
        }
    }

    fn at_least(&mut self, path: FieldPath, value: Option<i64>, min: i64) {
        if let Some(v) = value {
            if v < min {
                let what = if min == 0 {
                    "must not be negative"
                } else {
                    "must be greater than 0"
                };
                let message = if min <= 1 {
                    format!("{what} (got {v})")
                } else {
                    format!("must be at least {min} (got {v})")
                };
                self.invalid(path, message);
            }
        }
    }
}

/// Checks `pod` and returns what is wrong with it.
pub fn validate(pod: &Pod, cx: Context<'_>) -> Vec<Diag> {
    let mut check = Checker {
        cx,
        out: Vec::new(),
    };
    let meta = pod.metadata.clone().unwrap_or_default();
    metadata(&mut check, &meta, cx.meta_path);
    match &pod.spec {
        Some(spec) => pod_spec(&mut check, spec, cx.spec_path),
        None => check.required(cx.spec_path.clone()),
    }
    check.out
}

fn metadata(check: &mut Checker, meta: &ObjectMeta, path: &FieldPath) {
    match (meta.name.as_deref(), meta.generate_name.as_deref()) {
        (Some(name), _) if !name.is_empty() => {
            check.name(path.field("name"), name, names::dns_subdomain)
        }
        (_, Some(prefix)) if !prefix.is_empty() => {
            // The API server appends 5 characters: the prefix must make a
            // valid name with them.
            let example = format!("{prefix}abcde");
            if let Some(reason) = names::dns_subdomain(&example) {
                check.invalid(
                    path.field("generateName"),
                    format!("invalid prefix {prefix:?}: {reason}"),
                );
            }
        }
        _ => check.invalid(path.field("name"), "required (or generateName)"),
    }
    if let Some(namespace) = &meta.namespace {
        check.name(path.field("namespace"), namespace, names::dns_label);
    }
    for (key, value) in meta.labels.iter().flatten() {
        let at = path.field("labels").key(key);
        check.name(at.clone(), key, names::qualified_name);
        check.name(at, value, names::label_value);
    }
    let mut total = 0;
    for (key, value) in meta.annotations.iter().flatten() {
        check.name(
            path.field("annotations").key(key),
            key,
            names::qualified_name,
        );
        total += key.len() + value.len();
    }
    if total > 256 * 1024 {
        check.invalid(
            path.field("annotations"),
            format!("may not exceed 262144 bytes in total (has {total})"),
        );
    }
}

fn pod_spec(check: &mut Checker, spec: &PodSpec, path: &FieldPath) {
    let restart = spec.restart_policy.as_deref().unwrap_or("Always");
    let allowed: &[&str] = match check.cx.kind {
        "Pod" => &["Always", "OnFailure", "Never"],
        "Job" | "CronJob" => &["OnFailure", "Never"],
        _ => &["Always"],
    };
    check.one_of(path.field("restartPolicy"), restart, allowed);
    check.at_least(
        path.field("terminationGracePeriodSeconds"),
        spec.termination_grace_period_seconds,
        0,
    );
    check.at_least(
        path.field("activeDeadlineSeconds"),
        spec.active_deadline_seconds,
        1,
    );
    if spec.containers.as_ref().is_none_or(Vec::is_empty) {
        check.invalid(
            path.field("containers"),
            "required: a pod needs at least one container",
        );
    }
    volume::volumes(check, spec, path);
    container::containers(check, spec, path);
    dns(check, spec, path);
    host(check, spec, path);
    if let Some(sc) = &spec.security_context {
        pod_security(check, sc, &path.field("securityContext"));
    }
}

fn dns(check: &mut Checker, spec: &PodSpec, path: &FieldPath) {
    let policy = spec.dns_policy.as_deref().unwrap_or("ClusterFirst");
    check.one_of(
        path.field("dnsPolicy"),
        policy,
        &["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"],
    );
    let config_path = path.field("dnsConfig");
    let config = spec.dns_config.clone().unwrap_or_default();
    let nameservers = config.nameservers.unwrap_or_default();
    if policy == "None" && nameservers.is_empty() {
        check.invalid(
            config_path.field("nameservers"),
            "required: with dnsPolicy None, at least one nameserver",
        );
    }
    if nameservers.len() > 3 {
        check.invalid(
            config_path.field("nameservers"),
            format!("at most 3 nameservers (has {})", nameservers.len()),
        );
    }
    for (i, server) in nameservers.iter().enumerate() {
        if server.parse::<std::net::IpAddr>().is_err() {
            check.invalid(
                config_path.field("nameservers").index(i),
                format!("{server:?} is not an IP address"),
            );
        }
    }
    let searches = config.searches.unwrap_or_default();
    for (i, search) in searches.iter().enumerate() {
        // "." is allowed; a trailing dot is not part of the name.
        if search != "." {
            let name = search.strip_suffix('.').unwrap_or(search);
            check.name(
                config_path.field("searches").index(i),
                name,
                names::dns_subdomain,
            );
        }
    }
    if searches.len() > 32 {
        check.invalid(
            config_path.field("searches"),
            format!("at most 32 search domains (has {})", searches.len()),
        );
    }
    for (i, option) in config.options.iter().flatten().enumerate() {
        if option.name.as_deref().is_none_or(str::is_empty) {
            check.required(config_path.field("options").index(i).field("name"));
        }
    }
}

fn host(check: &mut Checker, spec: &PodSpec, path: &FieldPath) {
    if let Some(hostname) = &spec.hostname {
        check.name(path.field("hostname"), hostname, names::dns_label);
    }
    if let Some(subdomain) = &spec.subdomain {
        check.name(path.field("subdomain"), subdomain, names::dns_label);
    }
    for (i, alias) in spec.host_aliases.iter().flatten().enumerate() {
        let at = path.field("hostAliases").index(i);
        match alias.ip.as_deref() {
            Some(ip) if ip.parse::<std::net::IpAddr>().is_ok() => {}
            Some(ip) => check.invalid(at.field("ip"), format!("{ip:?} is not an IP address")),
            None => check.required(at.field("ip")),
        }
        for (j, hostname) in alias.hostnames.iter().flatten().enumerate() {
            check.name(
                at.field("hostnames").index(j),
                hostname,
                names::dns_subdomain,
            );
        }
    }
    if spec.share_process_namespace == Some(true) && spec.host_pid == Some(true) {
        check.invalid(
            path.field("shareProcessNamespace"),
            "shareProcessNamespace and hostPID cannot both be true",
        );
    }
    if let Some(name) = spec.os.as_ref().and_then(|os| os.name.as_deref()) {
        let at = path.field("os").field("name");
        if name == "windows" {
            check.unsupported(at, "podinit runs Linux pods");
        } else {
            check.one_of(at, name, &["linux", "windows"]);
        }
    }
    if spec.host_users == Some(false) {
        check.unsupported(
            path.field("hostUsers"),
            "user namespaces (hostUsers: false)",
        );
    }
}

fn pod_security(check: &mut Checker, sc: &PodSecurityContext, path: &FieldPath) {
    check.at_least(path.field("runAsUser"), sc.run_as_user, 0);
    check.at_least(path.field("runAsGroup"), sc.run_as_group, 0);
    check.at_least(path.field("fsGroup"), sc.fs_group, 0);
    for (i, group) in sc.supplemental_groups.iter().flatten().enumerate() {
        check.at_least(path.field("supplementalGroups").index(i), Some(*group), 0);
    }
    if let Some(policy) = &sc.supplemental_groups_policy {
        let at = path.field("supplementalGroupsPolicy");
        if policy == "Strict" {
            check.unsupported(at, "supplementalGroupsPolicy Strict");
        } else {
            check.one_of(at, policy, &["Merge", "Strict"]);
        }
    }
    if let Some(policy) = &sc.fs_group_change_policy {
        check.one_of(
            path.field("fsGroupChangePolicy"),
            policy,
            &["OnRootMismatch", "Always"],
        );
    }
    if let Some(profile) = &sc.seccomp_profile {
        let kind = profile.type_.as_deref();
        profile_type(
            check,
            &path.field("seccompProfile"),
            "seccomp",
            kind,
            &profile.localhost_profile,
        );
    }
    if let Some(profile) = &sc.app_armor_profile {
        let kind = profile.type_.as_deref();
        profile_type(
            check,
            &path.field("appArmorProfile"),
            "AppArmor",
            kind,
            &profile.localhost_profile,
        );
    }
}

/// A seccomp or AppArmor profile: `Unconfined` is what podinit does;
/// `RuntimeDefault` and `Localhost` it does not implement.
fn profile_type(
    check: &mut Checker,
    path: &FieldPath,
    what: &str,
    kind: Option<&str>,
    localhost: &Option<String>,
) {
    let at = path.field("type");
    match kind {
        None => check.required(at),
        Some("Unconfined") => {}
        Some(k @ ("RuntimeDefault" | "Localhost")) => {
            if k == "Localhost" && localhost.as_deref().is_none_or(str::is_empty) {
                check.required(path.field("localhostProfile"));
            }
            check.unsupported(
                at,
                format!("{what} profile {k}: podinit applies no {what} profile"),
            );
        }
        Some(k) => {
            check.one_of(at, k, &["RuntimeDefault", "Unconfined", "Localhost"]);
        }
    }
}

/// Names that must be unique in a list: reports the second and later.
fn unique<'n>(check: &mut Checker, items: impl Iterator<Item = (FieldPath, &'n str)>) {
    let mut seen = HashSet::new();
    for (path, name) in items {
        if !name.is_empty() && !seen.insert(name) {
            check.invalid(path, format!("duplicate value {name:?}"));
        }
    }
}

#[cfg(test)]
mod tests;
