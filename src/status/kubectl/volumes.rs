//! The `Volumes:` section of `kubectl describe pod`: each volume's name and
//! its source, in the words of kubectl's `describeVolumes` and its
//! `print*VolumeSource` functions.
//!
//! Only the sources a pod run by podinit can have, and the common
//! cluster ones a manifest may carry (persistentVolumeClaim, image), are
//! spelled out; any other prints `<unknown>`, as kubectl does for a source
//! it does not know.

use serde_json::Value;

use super::describe::{Out, flag, scalar, text};

/// `Volumes:`, or `Volumes: <none>`.
pub(super) fn describe(w: &mut Out, volumes: &[Value]) {
    if volumes.is_empty() {
        w.line(0, "Volumes:\t<none>");
        return;
    }
    w.line(0, "Volumes:");
    for volume in volumes {
        w.line(1, &format!("{}:", text(volume, "name")));
        source(w, volume);
    }
}

/// The lines of one volume's source, at level 2.
fn source(w: &mut Out, volume: &Value) {
    let field = |key: &str| volume.get(key).filter(|v| v.is_object());
    let optional = |v: &Value| flag(v, "optional");
    if let Some(host) = field("hostPath") {
        w.line(2, "Type:\tHostPath (bare host directory volume)");
        w.line(2, &format!("Path:\t{}", text(host, "path")));
        let kind = host
            .get("type")
            .map_or("<none>".to_owned(), |t| scalar(Some(t)));
        w.line(2, &format!("HostPathType:\t{kind}"));
    } else if let Some(dir) = field("emptyDir") {
        w.line(
            2,
            "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)",
        );
        w.line(2, &format!("Medium:\t{}", text(dir, "medium")));
        w.line(
            2,
            &format!("SizeLimit:\t{}", size_limit(dir.get("sizeLimit"))),
        );
    } else if let Some(secret) = field("secret") {
        w.line(2, "Type:\tSecret (a volume populated by a Secret)");
        w.line(2, &format!("SecretName:\t{}", text(secret, "secretName")));
        w.line(2, &format!("Optional:\t{}", optional(secret)));
    } else if let Some(map) = field("configMap") {
        w.line(2, "Type:\tConfigMap (a volume populated by a ConfigMap)");
        w.line(2, &format!("Name:\t{}", text(map, "name")));
        w.line(2, &format!("Optional:\t{}", optional(map)));
    } else if let Some(claim) = field("persistentVolumeClaim") {
        w.line(
            2,
            "Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)",
        );
        w.line(2, &format!("ClaimName:\t{}", text(claim, "claimName")));
        w.line(2, &format!("ReadOnly:\t{}", flag(claim, "readOnly")));
    } else if let Some(api) = field("downwardAPI") {
        w.line(
            2,
            "Type:\tDownwardAPI (a volume populated by information about the pod)",
        );
        w.line(2, "Items:");
        downward_items(w, api);
    } else if let Some(projected) = field("projected") {
        w.line(
            2,
            "Type:\tProjected (a volume that contains injected data from multiple sources)",
        );
        projected_sources(w, projected);
    } else if let Some(image) = field("image") {
        w.line(2, "Type:\tImage (a container image or OCI artifact)");
        w.line(2, &format!("Reference:\t{}", text(image, "reference")));
        w.line(2, &format!("PullPolicy:\t{}", text(image, "pullPolicy")));
    } else {
        w.line(1, "<unknown>");
    }
}

/// An emptyDir's size limit, `<unset>` unless above zero.
fn size_limit(limit: Option<&Value>) -> String {
    let text = scalar(limit);
    let positive = crate::spec::quantity::Amount::parse(&text).is_ok_and(|a| a.nanos() > 0);
    if positive { text } else { "<unset>".to_owned() }
}

/// `fieldPath -> path` and `resource -> path` lines.
fn downward_items(w: &mut Out, api: &Value) {
    let items = api.get("items").and_then(Value::as_array);
    for item in items.into_iter().flatten() {
        let path = text(item, "path");
        if let Some(field) = item.get("fieldRef") {
            w.line(3, &format!("{} -> {path}", text(field, "fieldPath")));
        }
        if let Some(resource) = item.get("resourceFieldRef") {
            w.line(3, &format!("{} -> {path}", text(resource, "resource")));
        }
    }
}

/// A projected volume's sources, one short block each.
fn projected_sources(w: &mut Out, projected: &Value) {
    let sources = projected.get("sources").and_then(Value::as_array);
    for source in sources.into_iter().flatten() {
        if let Some(secret) = source.get("secret") {
            w.line(2, &format!("SecretName:\t{}", text(secret, "name")));
            w.line(2, &format!("Optional:\t{}", flag(secret, "optional")));
        } else if source.get("downwardAPI").is_some() {
            w.line(2, "DownwardAPI:\ttrue");
        } else if let Some(map) = source.get("configMap") {
            w.line(2, &format!("ConfigMapName:\t{}", text(map, "name")));
            w.line(2, &format!("Optional:\t{}", flag(map, "optional")));
        } else if let Some(token) = source.get("serviceAccountToken") {
            // The API default, for a source that was not defaulted.
            let seconds = token
                .get("expirationSeconds")
                .and_then(Value::as_i64)
                .unwrap_or(3600);
            w.line(2, &format!("TokenExpirationSeconds:\t{seconds}"));
        }
    }
}
