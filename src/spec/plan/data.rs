//! What ConfigMaps and Secrets of the manifest hold, decoded, and resource
//! references: shared by env vars and volume files.

use std::collections::BTreeMap;

use super::env::ResourceRef;
use crate::spec::base64;
use crate::spec::k8s::{self, ConfigMap, Secret};
use crate::spec::quantity::Amount;

/// A `resourceFieldRef`; the container defaults to `own` (env vars).
pub fn resource_ref(r: &k8s::ResourceFieldSelector, own: Option<&str>) -> ResourceRef {
    ResourceRef {
        container: r
            .container_name
            .clone()
            .or_else(|| own.map(str::to_owned))
            .unwrap_or_default(),
        resource: r.resource.clone().unwrap_or_default(),
        divisor: r
            .divisor
            .as_ref()
            .and_then(|d| Amount::parse(&d.0).ok())
            .unwrap_or_else(|| Amount::parse("1").unwrap_or(Amount::ZERO)),
    }
}

/// A ConfigMap's keys and values: `data` as text, `binaryData` decoded.
pub fn config_map_data(cm: &ConfigMap) -> BTreeMap<String, Vec<u8>> {
    let mut out: BTreeMap<String, Vec<u8>> = cm
        .data
        .iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.clone().into_bytes()))
        .collect();
    for (k, v) in cm.binary_data.iter().flatten() {
        if let Some(bytes) = base64::decode(v) {
            out.insert(k.clone(), bytes);
        }
    }
    out
}

/// A Secret's keys and values: `data` decoded, then `stringData`, which
/// wins on a shared key (as the API server merges them).
pub fn secret_data(secret: &Secret) -> BTreeMap<String, Vec<u8>> {
    let mut out: BTreeMap<String, Vec<u8>> = secret
        .data
        .iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.clone(), base64::decode(v)?)))
        .collect();
    for (k, v) in secret.string_data.iter().flatten() {
        out.insert(k.clone(), v.clone().into_bytes());
    }
    out
}
