//! Environment variables: where each value comes from, and the kubelet's
//! rules for turning them into a container's environment.
//!
//! The order rules (kubelet `makeEnvironmentVariables`): `envFrom` sources
//! first, in order, then `env` entries, in order; a later definition of a
//! name replaces an earlier one. An `env` value is expanded (`$(VAR)`) with
//! the variables defined before it; values from ConfigMaps, Secrets and the
//! downward API are taken as they are. `command` and `args` are expanded
//! with the whole environment.

use std::collections::BTreeMap;

use crate::spec::expand::expand;
use crate::spec::quantity::Amount;

/// A pod field an env var or a downwardAPI file can hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldRef {
    Name,
    Namespace,
    Uid,
    /// One label, `metadata.labels['key']`.
    Label(String),
    /// One annotation, `metadata.annotations['key']`.
    Annotation(String),
    /// Every label, `key="value"` lines (downwardAPI files only).
    Labels,
    /// Every annotation (downwardAPI files only).
    Annotations,
    NodeName,
    ServiceAccountName,
    HostIp,
    HostIps,
    PodIp,
    PodIps,
}

impl FieldRef {
    /// Reads a `fieldPath`; `None` for one podinit does not know (validation
    /// refuses those).
    pub fn parse(path: &str) -> Option<Self> {
        let subscript = |prefix: &str| {
            path.strip_prefix(prefix)?
                .strip_suffix("']")
                .map(str::to_owned)
        };
        if let Some(key) = subscript("metadata.labels['") {
            return Some(Self::Label(key));
        }
        if let Some(key) = subscript("metadata.annotations['") {
            return Some(Self::Annotation(key));
        }
        Some(match path {
            "metadata.name" => Self::Name,
            "metadata.namespace" => Self::Namespace,
            "metadata.uid" => Self::Uid,
            "metadata.labels" => Self::Labels,
            "metadata.annotations" => Self::Annotations,
            "spec.nodeName" => Self::NodeName,
            "spec.serviceAccountName" => Self::ServiceAccountName,
            "status.hostIP" => Self::HostIp,
            "status.hostIPs" => Self::HostIps,
            "status.podIP" => Self::PodIp,
            "status.podIPs" => Self::PodIps,
            _ => return None,
        })
    }
}

/// `resourceFieldRef`: a container's request or limit, in units of `divisor`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceRef {
    pub container: String,
    /// `limits.cpu`, `requests.memory`, ...
    pub resource: String,
    pub divisor: Amount,
}

/// Where one variable's value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvValue {
    /// `value:`, to be expanded with the variables defined before it.
    Literal(String),
    /// From a ConfigMap or Secret: taken as it is.
    Data(String),
    Field(FieldRef),
    Resource(ResourceRef),
}

/// One variable, in definition order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvVar {
    pub name: String,
    pub value: EnvValue,
}

/// What only the running pod knows.
pub trait PodFacts {
    /// The value of a pod field (`""` for one that is not set).
    fn field(&self, field: &FieldRef) -> String;
    /// A container's resource, already divided and formatted as the kubelet
    /// does; `None` when the container is unknown.
    fn resource(&self, reference: &ResourceRef) -> Option<String>;
}

/// The container's environment by the kubelet's rules, in order of first
/// definition (the last definition's value).
pub fn resolve(vars: &[EnvVar], facts: &dyn PodFacts) -> Vec<(String, String)> {
    let mut order: Vec<String> = Vec::new();
    let mut values: BTreeMap<String, String> = BTreeMap::new();
    for var in vars {
        let value = match &var.value {
            EnvValue::Literal(text) => expand(text, |name| values.get(name).map(String::as_str)),
            EnvValue::Data(text) => text.clone(),
            EnvValue::Field(field) => facts.field(field),
            EnvValue::Resource(reference) => facts.resource(reference).unwrap_or_default(),
        };
        if values.insert(var.name.clone(), value).is_none() {
            order.push(var.name.clone());
        }
    }
    order
        .into_iter()
        .filter_map(|name| values.remove(&name).map(|value| (name, value)))
        .collect()
}

/// `command` or `args` with `$(VAR)` expanded from `env`.
pub fn expand_words(words: &[String], env: &[(String, String)]) -> Vec<String> {
    let lookup = |name: &str| env.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
    words.iter().map(|word| expand(word, lookup)).collect()
}

/// A resource value as the kubelet formats it for the downward API:
/// `ceil(value / divisor)`; CPU with a divisor below one core counts in
/// that unit (`500m` with divisor `1m` is `500`).
pub fn format_resource(value: Amount, divisor: Amount) -> String {
    let (v, d) = (value.nanos(), divisor.nanos());
    if d <= 0 {
        return "0".into();
    }
    let q = v / d + i128::from(v % d > 0);
    q.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Facts;

    impl PodFacts for Facts {
        fn field(&self, field: &FieldRef) -> String {
            match field {
                FieldRef::Name => "web-0".into(),
                FieldRef::PodIp => "10.0.0.7".into(),
                FieldRef::Label(key) if key == "app" => "shop".into(),
                _ => String::new(),
            }
        }

        fn resource(&self, reference: &ResourceRef) -> Option<String> {
            (reference.container == "app").then(|| "2".into())
        }
    }

    fn var(name: &str, value: EnvValue) -> EnvVar {
        EnvVar {
            name: name.into(),
            value,
        }
    }

    fn lit(text: &str) -> EnvValue {
        EnvValue::Literal(text.into())
    }

    /// The kubelet's rules, including the dependent-envars example of the
    /// Kubernetes docs: a reference to a later variable stays as written.
    #[test]
    fn env_resolves_in_order_with_expansion() {
        let vars = [
            var("FROM_CM", EnvValue::Data("$(NOT_EXPANDED)".into())),
            var(
                "SERVICE_ADDRESS",
                lit("$(PROTOCOL)://$(SERVICE_IP):$(SERVICE_PORT)"),
            ),
            var("UNCHANGED_REFERENCE", lit("$(PROTOCOL)://172.17.0.1:80")),
            var("PROTOCOL", lit("https")),
            var("SERVICE_IP", lit("172.17.0.1")),
            var("SERVICE_PORT", lit("80")),
            var(
                "ESCAPED_REFERENCE",
                lit("$$(PROTOCOL)://$(SERVICE_IP):$(SERVICE_PORT)"),
            ),
            var("POD", EnvValue::Field(FieldRef::Name)),
            var("IP", EnvValue::Field(FieldRef::PodIp)),
            var("APP", EnvValue::Field(FieldRef::Label("app".into()))),
            var(
                "CPU",
                EnvValue::Resource(ResourceRef {
                    container: "app".into(),
                    resource: "limits.cpu".into(),
                    divisor: Amount::parse("1").unwrap(),
                }),
            ),
            var("FROM_CM", lit("overridden $(POD)")),
        ];
        let env = resolve(&vars, &Facts);
        let get = |name: &str| env.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
        assert_eq!(
            get("SERVICE_ADDRESS"),
            Some("$(PROTOCOL)://$(SERVICE_IP):$(SERVICE_PORT)")
        );
        assert_eq!(
            get("UNCHANGED_REFERENCE"),
            Some("$(PROTOCOL)://172.17.0.1:80")
        );
        assert_eq!(
            get("ESCAPED_REFERENCE"),
            Some("$(PROTOCOL)://172.17.0.1:80")
        );
        assert_eq!(get("POD"), Some("web-0"));
        assert_eq!(get("IP"), Some("10.0.0.7"));
        assert_eq!(get("APP"), Some("shop"));
        assert_eq!(get("CPU"), Some("2"));
        // Redefined: the last value, at the first place.
        assert_eq!(env[0], ("FROM_CM".into(), "overridden web-0".into()));
        let argv = expand_words(
            &["echo".into(), "$(POD)@$(IP)".into(), "$(NOPE)".into()],
            &env,
        );
        assert_eq!(argv, ["echo", "web-0@10.0.0.7", "$(NOPE)"]);
    }

    #[test]
    fn field_paths_parse() {
        let cases = [
            ("metadata.name", Some(FieldRef::Name)),
            (
                "metadata.labels['app.kubernetes.io/name']",
                Some(FieldRef::Label("app.kubernetes.io/name".into())),
            ),
            (
                "metadata.annotations['x']",
                Some(FieldRef::Annotation("x".into())),
            ),
            ("status.podIPs", Some(FieldRef::PodIps)),
            ("spec.hostname", None),
        ];
        for (path, want) in cases {
            assert_eq!(FieldRef::parse(path), want, "{path}");
        }
    }

    #[test]
    fn resources_divide_and_round_up_like_the_kubelet() {
        let q = |t| Amount::parse(t).unwrap();
        let cases = [
            ("500m", "1", "1"),
            ("500m", "1m", "500"),
            ("2", "1", "2"),
            ("128Mi", "1Mi", "128"),
            ("128Mi", "1", "134217728"),
            ("1G", "1Mi", "954"),
        ];
        for (value, divisor, want) in cases {
            assert_eq!(
                format_resource(q(value), q(divisor)),
                want,
                "{value} / {divisor}"
            );
        }
    }
}
