//! The apimachinery types every object shares: `ObjectMeta`
//! (meta/v1), `Quantity` (api/resource) and `IntOrString` (util/intstr).
//!
//! They are kept as written. `Quantity` is the text of the scalar (`500m`,
//! `1Gi`, `0.5`) and is parsed into a number by validation, not here;
//! `IntOrString` only tells a number from a name, and a named port is
//! resolved against the container's ports later. The ObjectMeta fields that
//! the API server sets (resourceVersion, managedFields, ...) are known but
//! opaque, so that a manifest saved with `kubectl get -o yaml` is read
//! without a typo report for them.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Unexpected, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// Metadata of any object: name, namespace, labels, annotations (meta/v1).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectMeta {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generate_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<String, String>>,
    // Set by the API server; known, never read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_version: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generation: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_timestamp: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deletion_timestamp: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deletion_grace_period_seconds: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner_references: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finalizers: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub managed_fields: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub self_link: Option<Value>,
}

/// A resource quantity (`500m`, `64Mi`, `1`) as written; validation parses it.
///
/// The deserializer recognises the newtype name `Quantity` and hands over the
/// scalar's text whatever YAML type it resolved to, so `cpu: 1` and
/// `cpu: "1"` read alike. It serializes as its string.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Quantity(pub String);

impl Quantity {
    /// The quantity as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Quantity {
    fn from(text: &str) -> Self {
        Self(text.to_owned())
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A port (or percentage) given as a number or as a name (util/intstr).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum IntOrString {
    Int(i32),
    String(String),
}

impl Serialize for IntOrString {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Int(n) => serializer.serialize_i32(*n),
            Self::String(s) => serializer.serialize_str(s),
        }
    }
}

impl<'de> Deserialize<'de> for IntOrString {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(IntOrStringVisitor)
    }
}

/// Takes integers in the int32 range and strings; refuses everything else
/// (a float, a boolean, a list) with serde's "invalid type" message.
struct IntOrStringVisitor;

impl Visitor<'_> for IntOrStringVisitor {
    type Value = IntOrString;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer (int32) or a string")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<IntOrString, E> {
        i32::try_from(v)
            .map(IntOrString::Int)
            .map_err(|_| E::invalid_value(Unexpected::Signed(v), &self))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<IntOrString, E> {
        i32::try_from(v)
            .map(IntOrString::Int)
            .map_err(|_| E::invalid_value(Unexpected::Unsigned(v), &self))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<IntOrString, E> {
        Ok(IntOrString::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<IntOrString, E> {
        Ok(IntOrString::String(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn int_or_string_takes_a_number_or_a_name() {
        let n: IntOrString = serde_json::from_value(json!(8080)).unwrap();
        assert_eq!(n, IntOrString::Int(8080));
        let s: IntOrString = serde_json::from_value(json!("http")).unwrap();
        assert_eq!(s, IntOrString::String("http".into()));
        let quoted: IntOrString = serde_json::from_value(json!("8080")).unwrap();
        assert_eq!(quoted, IntOrString::String("8080".into()));
        let negative: IntOrString = serde_json::from_value(json!(-1)).unwrap();
        assert_eq!(negative, IntOrString::Int(-1));
    }

    #[test]
    fn int_or_string_refuses_floats_booleans_and_big_numbers() {
        for bad in [
            json!(1.5),
            json!(true),
            json!(null),
            json!([80]),
            json!({"a": 1}),
        ] {
            let err = serde_json::from_value::<IntOrString>(bad.clone()).unwrap_err();
            assert!(
                err.to_string()
                    .contains("expected an integer (int32) or a string"),
                "{bad}: {err}"
            );
        }
        for big in [json!(2_147_483_648_u64), json!(-2_147_483_649_i64)] {
            let err = serde_json::from_value::<IntOrString>(big).unwrap_err();
            assert!(err.to_string().starts_with("invalid value"), "{err}");
        }
    }

    #[test]
    fn int_or_string_serializes_untagged() {
        assert_eq!(
            serde_json::to_value(IntOrString::Int(80)).unwrap(),
            json!(80)
        );
        assert_eq!(
            serde_json::to_value(IntOrString::String("http".into())).unwrap(),
            json!("http")
        );
    }

    #[test]
    fn quantity_is_its_string() {
        let q: Quantity = serde_json::from_value(json!("500m")).unwrap();
        assert_eq!(q, Quantity::from("500m"));
        assert_eq!(q.as_str(), "500m");
        assert_eq!(q.to_string(), "500m");
        assert_eq!(serde_json::to_value(&q).unwrap(), json!("500m"));
    }

    #[test]
    fn object_meta_leaves_unset_fields_out() {
        let meta = ObjectMeta {
            name: Some("web".into()),
            ..ObjectMeta::default()
        };
        assert_eq!(serde_json::to_value(&meta).unwrap(), json!({"name": "web"}));
        assert_eq!(
            serde_json::to_value(ObjectMeta::default()).unwrap(),
            json!({})
        );
    }
}
