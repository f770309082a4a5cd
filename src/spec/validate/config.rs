//! ConfigMaps and Secrets: references to them from the pod (which must be
//! documents of the manifest), and the rules of those documents themselves.

use std::collections::BTreeMap;

use super::Checker;
use super::names;
use crate::spec::base64;
use crate::spec::diag::{Diag, FieldPath, Kind};

impl Checker<'_> {
    /// The keys of the ConfigMap a reference at `path` names, or `None` when
    /// it is not in the manifest (an error unless the reference is optional).
    pub(super) fn config_map_keys(
        &mut self,
        path: &FieldPath,
        name: Option<&str>,
        optional: Option<bool>,
    ) -> Option<Vec<String>> {
        let name_at = path.field("name");
        let Some(name) = name.filter(|n| !n.is_empty()) else {
            self.required(name_at);
            return None;
        };
        match self.cx.config_maps.get(name) {
            Some(cm) => Some(
                cm.data
                    .iter()
                    .flatten()
                    .chain(cm.binary_data.iter().flatten())
                    .map(|(k, _)| k.clone())
                    .collect(),
            ),
            None => {
                if optional != Some(true) {
                    self.unsupported(name_at, format!("ConfigMaps from a cluster: {name:?} is not in the manifest; add it as a document (kind: ConfigMap), or set optional: true"));
                }
                None
            }
        }
    }

    /// The keys of the Secret a reference names (`name` or `secretName` at
    /// `name_at`), as [`Self::config_map_keys`].
    pub(super) fn secret_keys_at(
        &mut self,
        _path: &FieldPath,
        name_at: FieldPath,
        name: Option<&str>,
        optional: Option<bool>,
    ) -> Option<Vec<String>> {
        let Some(name) = name.filter(|n| !n.is_empty()) else {
            self.required(name_at);
            return None;
        };
        match self.cx.secrets.get(name) {
            Some(s) => Some(
                s.data
                    .iter()
                    .flatten()
                    .chain(s.string_data.iter().flatten())
                    .map(|(k, _)| k.clone())
                    .collect(),
            ),
            None => {
                if optional != Some(true) {
                    self.unsupported(name_at, format!("Secrets from a cluster: {name:?} is not in the manifest; add it as a document (kind: Secret), or set optional: true"));
                }
                None
            }
        }
    }

    pub(super) fn secret_keys(
        &mut self,
        path: &FieldPath,
        name: Option<&str>,
        optional: Option<bool>,
    ) -> Option<Vec<String>> {
        self.secret_keys_at(path, path.field("name"), name, optional)
    }

    /// A `key` that must be in `keys` (when the source was found).
    pub(super) fn key_in(
        &mut self,
        path: &FieldPath,
        key: Option<&str>,
        keys: Option<&[String]>,
        optional: Option<bool>,
        what: &str,
    ) {
        let at = path.field("key");
        let Some(key) = key else {
            self.required(at);
            return;
        };
        if let Some(reason) = names::config_key(key) {
            self.invalid(at, format!("invalid key {key:?}: {reason}"));
        } else if let Some(keys) = keys {
            if optional != Some(true) && !keys.iter().any(|k| k == key) {
                self.invalid(
                    at,
                    format!("the {what} has no key {key:?} (it has {})", keys.join(", ")),
                );
            }
        }
    }
}

/// One map of a ConfigMap or Secret: its field, its entries, and whether
/// the values are base64.
pub type ConfigField<'a> = (&'a str, &'a Option<BTreeMap<String, String>>, bool);

/// The rules for a ConfigMap or Secret document itself, whether or not the
/// pod uses it: keys, and base64 where the values are encoded.
pub fn config_document(kind: &str, maps: &[ConfigField]) -> Vec<Diag> {
    let mut out = Vec::new();
    // A key may be in one map only (ValidateConfigMap: data and binaryData).
    if kind == "ConfigMap" {
        let mut seen = std::collections::HashSet::new();
        for (field, map, _) in maps {
            for key in map.iter().flatten().map(|(k, _)| k) {
                if !seen.insert(key.as_str()) {
                    let at = FieldPath::root().field(field).key(key);
                    out.push(Diag::error(
                        Kind::Invalid,
                        at,
                        format!("{key:?} is also a key of data"),
                    ));
                }
            }
        }
    }
    for (field, map, encoded) in maps {
        for (key, value) in map.iter().flatten() {
            let at = FieldPath::root().field(field).key(key);
            if let Some(reason) = names::config_key(key) {
                out.push(Diag::error(
                    Kind::Invalid,
                    at.clone(),
                    format!("invalid {kind} key {key:?}: {reason}"),
                ));
            }
            if *encoded && base64::decode(value).is_none() {
                out.push(Diag::error(Kind::Invalid, at, "not valid base64"));
            }
        }
    }
    out
}
