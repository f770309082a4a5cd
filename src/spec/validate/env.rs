//! The rules for a container's environment: names, sources (the pod's
//! fields, resources, ConfigMaps and Secrets of the manifest), and the
//! `$(VAR)` references of env values, command and args.

use std::collections::HashSet;

use super::Checker;
use super::names;
use crate::spec::diag::FieldPath;
use crate::spec::expand;
use crate::spec::k8s::{Container, EnvVarSource, ObjectFieldSelector, ResourceFieldSelector};
use crate::spec::quantity::Amount;

/// Env vars, their sources, and the `$(VAR)` references of env, command
/// and args.
pub(super) fn env(check: &mut Checker, c: &Container, path: &FieldPath, containers: &[&str]) {
    let mut defined: HashSet<String> = HashSet::new();
    for (i, from) in c.env_from.iter().flatten().enumerate() {
        let at = path.field("envFrom").index(i);
        let prefix = from.prefix.clone().unwrap_or_default();
        if !prefix.is_empty() {
            check.name(at.field("prefix"), &prefix, names::env_var_name);
        }
        let keys = match (&from.config_map_ref, &from.secret_ref) {
            (Some(r), None) => {
                check.config_map_keys(&at.field("configMapRef"), r.name.as_deref(), r.optional)
            }
            (None, Some(r)) => {
                check.secret_keys(&at.field("secretRef"), r.name.as_deref(), r.optional)
            }
            _ => {
                check.invalid(at, "exactly one of configMapRef and secretRef");
                None
            }
        }
        .unwrap_or_default();
        defined.extend(keys.into_iter().map(|k| format!("{prefix}{k}")));
    }
    for (i, var) in c.env.iter().flatten().enumerate() {
        let at = path.field("env").index(i);
        let Some(name) = var.name.as_deref() else {
            check.required(at.field("name"));
            continue;
        };
        check.name(at.field("name"), name, names::env_var_name);
        match (&var.value, &var.value_from) {
            (Some(value), Some(_)) if !value.is_empty() => {
                check.invalid(
                    at.field("valueFrom"),
                    "may not be set when `value` is not empty",
                );
            }
            (_, Some(source)) => env_source(check, source, &at.field("valueFrom"), containers),
            (Some(value), None) => references(check, value, &at.field("value"), &defined, true),
            (None, None) => {}
        }
        defined.insert(name.to_owned());
    }
    for (field, words) in [("command", &c.command), ("args", &c.args)] {
        for (i, word) in words.iter().flatten().enumerate() {
            references(check, word, &path.field(field).index(i), &defined, false);
        }
    }
}

/// Warns about `$(NAME)` references that will stay as written. In command
/// and args only upper-case names count: `$(date)` in `sh -c` is the
/// shell's command substitution, not a Kubernetes reference.
fn references(
    check: &mut Checker,
    text: &str,
    path: &FieldPath,
    defined: &HashSet<String>,
    in_env: bool,
) {
    let mut warned = HashSet::new();
    for name in expand::references(text) {
        let identifier = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        let likely_meant = identifier && (in_env || !name.bytes().any(|b| b.is_ascii_lowercase()));
        if likely_meant && !defined.contains(name) && warned.insert(name) {
            let when = if in_env { " before this variable" } else { "" };
            check.warn(
                path.clone(),
                format!("$({name}) is not defined{when}: it stays as written"),
            );
        }
    }
}

fn env_source(check: &mut Checker, source: &EnvVarSource, path: &FieldPath, containers: &[&str]) {
    let set = [
        source.field_ref.is_some(),
        source.resource_field_ref.is_some(),
        source.config_map_key_ref.is_some(),
        source.secret_key_ref.is_some(),
        source.file_key_ref.is_some(),
    ];
    if set.iter().filter(|s| **s).count() != 1 {
        check.invalid(
            path.clone(),
            "exactly one of fieldRef, resourceFieldRef, configMapKeyRef, secretKeyRef",
        );
        return;
    }
    if let Some(f) = &source.field_ref {
        field_ref(check, f, &path.field("fieldRef"), ENV_FIELDS);
    }
    if let Some(r) = &source.resource_field_ref {
        resource_field_ref(check, r, &path.field("resourceFieldRef"), containers, false);
    }
    if let Some(r) = &source.config_map_key_ref {
        let at = path.field("configMapKeyRef");
        let keys = check.config_map_keys(&at, r.name.as_deref(), r.optional);
        check.key_in(
            &at,
            r.key.as_deref(),
            keys.as_deref(),
            r.optional,
            "ConfigMap",
        );
    }
    if let Some(r) = &source.secret_key_ref {
        let at = path.field("secretKeyRef");
        let keys = check.secret_keys(&at, r.name.as_deref(), r.optional);
        check.key_in(&at, r.key.as_deref(), keys.as_deref(), r.optional, "Secret");
    }
}

/// Pod fields an env var may take (`validEnvDownwardAPIFieldPathExpressions`).
pub(super) const ENV_FIELDS: &[&str] = &[
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
    "spec.nodeName",
    "spec.serviceAccountName",
    "status.hostIP",
    "status.hostIPs",
    "status.podIP",
    "status.podIPs",
];

/// Pod fields a downwardAPI volume file may hold.
pub(super) const VOLUME_FIELDS: &[&str] = &[
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
    "metadata.labels",
    "metadata.annotations",
];

pub(super) fn field_ref(
    check: &mut Checker,
    f: &ObjectFieldSelector,
    path: &FieldPath,
    allowed: &[&str],
) {
    if let Some(version) = &f.api_version {
        check.one_of(path.field("apiVersion"), version, &["v1"]);
    }
    let Some(field) = f.field_path.as_deref() else {
        check.required(path.field("fieldPath"));
        return;
    };
    // metadata.labels['key'] and metadata.annotations['key'] name one entry.
    let subscript = ["metadata.labels['", "metadata.annotations['"]
        .iter()
        .any(|p| {
            field
                .strip_prefix(p)
                .is_some_and(|rest| rest.ends_with("']") && rest.len() > 2)
        });
    if !subscript && !allowed.contains(&field) {
        let list = allowed.join(", ");
        check.invalid(path.field("fieldPath"), format!("unsupported value {field:?}: must be one of {list}, metadata.labels['KEY'], metadata.annotations['KEY']"));
    }
}

const RESOURCE_FIELDS: &[&str] = &[
    "limits.cpu",
    "limits.memory",
    "limits.ephemeral-storage",
    "requests.cpu",
    "requests.memory",
    "requests.ephemeral-storage",
];

pub(super) fn resource_field_ref(
    check: &mut Checker,
    r: &ResourceFieldSelector,
    path: &FieldPath,
    containers: &[&str],
    in_volume: bool,
) {
    match r.container_name.as_deref() {
        Some(name) if !containers.contains(&name) => {
            check.invalid(
                path.field("containerName"),
                format!("no container named {name:?} in the pod"),
            );
        }
        None if in_volume => check.required(path.field("containerName")),
        _ => {}
    }
    match r.resource.as_deref() {
        Some(resource) => {
            let hugepages = ["limits.hugepages-", "requests.hugepages-"]
                .iter()
                .any(|p| resource.starts_with(p));
            if !hugepages {
                check.one_of(path.field("resource"), resource, RESOURCE_FIELDS);
            }
        }
        None => check.required(path.field("resource")),
    }
    if let Some(divisor) = &r.divisor {
        if Amount::parse(&divisor.0).map_or(true, |a| a <= Amount::ZERO) {
            check.invalid(
                path.field("divisor"),
                format!("{:?} is not a positive quantity", divisor.0),
            );
        }
    }
}
