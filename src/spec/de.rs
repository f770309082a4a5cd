//! The node tree into typed Kubernetes structs, collecting every error.
//!
//! A serde `Deserializer` over [`Node`] that knows each node's field path and
//! position. Three things set it apart from a plain one:
//!
//! - unknown fields are found from the field list serde gives
//!   `deserialize_struct`, reported with a did-you-mean, and skipped, so the
//!   rest of the document is still read;
//! - types are checked as the API server's JSON decoder checks them after
//!   kubectl turned the YAML into JSON: `8080` is not a string and `"8080"`
//!   is not an integer, with a hint about the quotes either way;
//! - one bad value does not hide the others: on a type error the offending
//!   node is recorded, skipped, and the document read again, until it reads
//!   through ([`decode`] returns every error and the skipped paths).
//!
//! It does not know Kubernetes: field names come from the types in `k8s`.

use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor,
};

use super::diag::{Diag, FieldPath, Kind, did_you_mean};
use super::node::{Node, Value};

/// How many type errors one document may have before podinit stops reading it.
const MAX_ERRORS: usize = 100;

/// A deserialization error, placed at a node once it is known where.
#[derive(Debug)]
pub struct Error {
    diag: Diag,
    located: bool,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.diag.fmt(f)
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Self {
            diag: Diag::error(Kind::Type, FieldPath::root(), msg.to_string()),
            located: false,
        }
    }
}

/// What one pass over a document collects besides the value.
#[derive(Debug, Default)]
struct Ctx {
    /// Nodes with a type error, skipped on the next pass.
    skip: HashSet<FieldPath>,
    /// Unknown fields found on this pass.
    unknown: Vec<Diag>,
}

/// The result of [`decode`].
#[derive(Debug)]
pub struct Decoded<T> {
    /// `None` when the document could not be read at all.
    pub value: Option<T>,
    /// Every problem found, unknown fields and type errors.
    pub diags: Vec<Diag>,
    /// Values left out because of a type error: diagnostics about fields at
    /// or below them (a "required" that is only missing because it was
    /// wrong) should not be reported again.
    pub skipped: Vec<FieldPath>,
}

/// Reads `node`, found at `path`, as a `T`.
pub fn decode<T: DeserializeOwned>(node: &Node, path: &FieldPath) -> Decoded<T> {
    let ctx = RefCell::new(Ctx::default());
    let mut diags = Vec::new();
    for _ in 0..MAX_ERRORS {
        ctx.borrow_mut().unknown.clear();
        let de = NodeDe {
            node,
            path: path.clone(),
            ctx: &ctx,
        };
        match T::deserialize(de) {
            Ok(value) => {
                let ctx = ctx.into_inner();
                diags.extend(ctx.unknown);
                return Decoded {
                    value: Some(value),
                    diags,
                    skipped: ctx.skip.into_iter().collect(),
                };
            }
            Err(err) => {
                let failed = err.diag.path.clone();
                diags.push(err.diag);
                // The whole node is wrong, or the same node failed twice:
                // nothing more to learn by reading it again.
                if failed == *path || !ctx.borrow_mut().skip.insert(failed) {
                    break;
                }
            }
        }
    }
    let ctx = ctx.into_inner();
    diags.extend(ctx.unknown);
    Decoded {
        value: None,
        diags,
        skipped: ctx.skip.into_iter().collect(),
    }
}

/// A deserializer for one node.
struct NodeDe<'a> {
    node: &'a Node,
    path: FieldPath,
    ctx: &'a RefCell<Ctx>,
}

impl<'a> NodeDe<'a> {
    /// An error at this node.
    fn fail(&self, kind: Kind, message: String) -> Error {
        Error {
            diag: Diag::error(kind, self.path.clone(), message).at(Some(self.node.mark)),
            located: true,
        }
    }

    /// Places an error that does not know where it happened at this node.
    /// (The generic shell stays one line: it is instantiated for every type
    /// read, the work in [`Self::place`] once.)
    fn locate<T>(&self, result: Result<T, Error>) -> Result<T, Error> {
        result.map_err(|err| self.place(err))
    }

    fn place(&self, mut err: Error) -> Error {
        if !err.located {
            err.diag.path = self.path.clone();
            err.diag.mark = Some(self.node.mark);
            err.located = true;
        }
        err
    }

    /// "expected a string, got the integer 8080", with a hint where quotes
    /// are the answer.
    fn type_error(&self, expected: &str) -> Error {
        let text = self.node.text();
        let got = match &self.node.value {
            Value::Seq(_) | Value::Map(_) | Value::Null => self.node.value.kind().to_owned(),
            Value::String(s) => format!("the string {s:?}"),
            other => format!("{} ({text})", other.kind()),
        };
        let mut message = format!("expected {expected}, got {got}");
        match (&self.node.value, expected) {
            (Value::Int(_) | Value::Float(_) | Value::Bool(_), "a string") => {
                message.push_str(&format!(
                    ": YAML reads {text} as {}; write \"{text}\" to make it a string",
                    self.node.value.kind()
                ));
            }
            (Value::String(s), "an integer") if s.trim().parse::<i64>().is_ok() => {
                message.push_str(": write it without quotes");
            }
            (Value::String(s), "a boolean") if s == "true" || s == "false" => {
                message.push_str(": write it without quotes");
            }
            _ => {}
        }
        self.fail(Kind::Type, message)
    }

    fn child(&self, node: &'a Node, path: FieldPath) -> NodeDe<'a> {
        NodeDe {
            node,
            path,
            ctx: self.ctx,
        }
    }
}

impl NodeDe<'_> {
    /// The node as an integer: an integer, or a number without a fraction
    /// (`80.0`, `1e3`), which kubectl's YAML-to-JSON step writes as `80`
    /// and `1000` for the API server. Not generic: once for every width.
    fn integer(&self) -> Result<i128, Error> {
        match self.node.value {
            Value::Int(i) => Ok(i128::from(i)),
            Value::Float(x) if x.is_finite() && x.fract() == 0.0 && x.abs() < 1e30 => Ok(x as i128),
            _ => Err(self.type_error("an integer")),
        }
    }

    fn out_of_range(&self, value: i128, min: i128, max: i128) -> Error {
        self.fail(
            Kind::Type,
            format!("{value} is out of range ({min} to {max})"),
        )
    }
}

macro_rules! integer {
    ($method:ident, $visit:ident, $ty:ty) => {
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            let value = self.integer()?;
            match <$ty>::try_from(value) {
                Ok(n) => self.locate(visitor.$visit(n)),
                Err(_) => Err(self.out_of_range(value, <$ty>::MIN.into(), <$ty>::MAX.into())),
            }
        }
    };
}

impl<'de> de::Deserializer<'de> for NodeDe<'_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let result = match &self.node.value {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Int(i) => visitor.visit_i64(*i),
            Value::Float(x) => visitor.visit_f64(*x),
            Value::String(s) => visitor.visit_str(s),
            Value::Seq(items) => visitor.visit_seq(Seq::new(&self, items)),
            Value::Map(entries) => visitor.visit_map(Map::new(&self, entries, None)),
        };
        self.locate(result)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.node.value {
            Value::Bool(b) => self.locate(visitor.visit_bool(b)),
            _ => Err(self.type_error("a boolean")),
        }
    }

    integer!(deserialize_i8, visit_i8, i8);
    integer!(deserialize_i16, visit_i16, i16);
    integer!(deserialize_i32, visit_i32, i32);
    integer!(deserialize_i64, visit_i64, i64);
    integer!(deserialize_u8, visit_u8, u8);
    integer!(deserialize_u16, visit_u16, u16);
    integer!(deserialize_u32, visit_u32, u32);
    integer!(deserialize_u64, visit_u64, u64);

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.node.value {
            Value::Int(i) => self.locate(visitor.visit_f64(i as f64)),
            Value::Float(x) => self.locate(visitor.visit_f64(x)),
            _ => Err(self.type_error("a number")),
        }
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match &self.node.value {
            Value::String(s) => self.locate(visitor.visit_str(s)),
            // JSON null leaves a Go string empty.
            Value::Null => self.locate(visitor.visit_str("")),
            _ => Err(self.type_error("a string")),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match &self.node.value {
            Value::String(s) => self.locate(visitor.visit_bytes(s.as_bytes())),
            _ => Err(self.type_error("a string")),
        }
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.node.value {
            Value::Null => self.locate(visitor.visit_none()),
            _ => {
                let located = NodeDe {
                    node: self.node,
                    path: self.path.clone(),
                    ctx: self.ctx,
                };
                self.locate(visitor.visit_some(located))
            }
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.node.value {
            Value::Null => self.locate(visitor.visit_unit()),
            _ => Err(self.type_error("null")),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_unit(visitor)
    }

    /// `Quantity` (`500m`, `1`, `0.5`, `128Mi`) takes the scalar as written:
    /// the API server reads a quantity from a JSON string or number alike.
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        if name != "Quantity" {
            let inner = NodeDe {
                node: self.node,
                path: self.path.clone(),
                ctx: self.ctx,
            };
            return self.locate(visitor.visit_newtype_struct(inner));
        }
        match self.node.value {
            Value::Int(_) | Value::Float(_) | Value::String(_) => {
                let text: de::value::StringDeserializer<Error> =
                    self.node.text().into_deserializer();
                self.locate(visitor.visit_newtype_struct(text))
            }
            _ => Err(self.type_error("a quantity such as 500m, 1 or 128Mi")),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match &self.node.value {
            Value::Seq(items) => self.locate(visitor.visit_seq(Seq::new(&self, items))),
            Value::Null => self.locate(visitor.visit_seq(Seq::new(&self, &[]))),
            _ => Err(self.type_error("a list")),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match &self.node.value {
            Value::Map(entries) => self.locate(visitor.visit_map(Map::new(&self, entries, None))),
            Value::Null => self.locate(visitor.visit_map(Map::new(&self, &[], None))),
            _ => Err(self.type_error("a map")),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match &self.node.value {
            Value::Map(entries) => {
                self.locate(visitor.visit_map(Map::new(&self, entries, Some(fields))))
            }
            Value::Null => self.locate(visitor.visit_map(Map::new(&self, &[], Some(fields)))),
            _ => Err(self.type_error("a map")),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match &self.node.value {
            Value::String(s) => {
                let variant: de::value::StrDeserializer<Error> = s.as_str().into_deserializer();
                self.locate(visitor.visit_enum(variant))
            }
            _ => Err(self.type_error("a string")),
        }
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }
}

/// The elements of a list, skipping those marked bad; indexes stay those
/// of the document.
struct Seq<'a> {
    items: std::iter::Enumerate<std::slice::Iter<'a, Node>>,
    parent: NodeDe<'a>,
}

impl<'a> Seq<'a> {
    fn new(parent: &NodeDe<'a>, items: &'a [Node]) -> Self {
        Self {
            items: items.iter().enumerate(),
            parent: parent.child(parent.node, parent.path.clone()),
        }
    }
}

impl<'a> Seq<'a> {
    /// The next element not marked bad, with its path. Not generic: the
    /// work is done once, whatever the element type.
    fn next_node(&mut self) -> Option<NodeDe<'a>> {
        for (index, node) in self.items.by_ref() {
            let path = self.parent.path.index(index);
            if !self.parent.ctx.borrow().skip.contains(&path) {
                return Some(self.parent.child(node, path));
            }
        }
        None
    }
}

impl<'de> SeqAccess<'de> for Seq<'_> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        match self.next_node() {
            Some(node) => seed.deserialize(node).map(Some),
            None => Ok(None),
        }
    }
}

/// The entries of a mapping: a struct's fields (`fields` given: unknown ones
/// are reported and skipped) or a map's keys.
struct Map<'a> {
    entries: std::slice::Iter<'a, (Node, Node)>,
    parent: NodeDe<'a>,
    fields: Option<&'static [&'static str]>,
    value: Option<(&'a Node, FieldPath)>,
}

impl<'a> Map<'a> {
    fn new(
        parent: &NodeDe<'a>,
        entries: &'a [(Node, Node)],
        fields: Option<&'static [&'static str]>,
    ) -> Self {
        Self {
            entries: entries.iter(),
            parent: parent.child(parent.node, parent.path.clone()),
            fields,
            value: None,
        }
    }
}

/// Records a field the struct does not have.
fn unknown_field(ctx: &RefCell<Ctx>, key: &Node, name: &str, path: FieldPath, fields: &[&str]) {
    let mut message = format!("unknown field {name:?}");
    if let Some(close) = did_you_mean(name, fields) {
        message.push_str(&format!(" (did you mean {close:?}?)"));
    }
    let diag = Diag::error(Kind::UnknownField, path, message).at(Some(key.mark));
    ctx.borrow_mut().unknown.push(diag);
}

impl Map<'_> {
    /// The next entry to hand to the visitor: skips entries marked bad and
    /// unknown fields (recording them), keeps the value for
    /// `next_value_seed`, returns the key. Not generic: done once for every
    /// key type.
    fn next_key(&mut self) -> Option<String> {
        for (key, value) in self.entries.by_ref() {
            let name = match &key.value {
                Value::String(s) => s.clone(),
                _ => key.text(),
            };
            let path = match self.fields {
                Some(_) => self.parent.path.field(&name),
                None => self.parent.path.key(&name),
            };
            if self.parent.ctx.borrow().skip.contains(&path) {
                continue;
            }
            if let Some(fields) = self.fields {
                if !fields.contains(&name.as_str()) {
                    unknown_field(self.parent.ctx, key, &name, path, fields);
                    continue;
                }
            }
            self.value = Some((value, path));
            return Some(name);
        }
        None
    }
}

impl<'de> MapAccess<'de> for Map<'_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        match self.next_key() {
            Some(name) => {
                let key: de::value::StringDeserializer<Error> = name.into_deserializer();
                seed.deserialize(key).map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        match self.value.take() {
            Some((node, path)) => seed.deserialize(self.parent.child(node, path)),
            None => Err(de::Error::custom(
                "a map value was asked for before its key",
            )),
        }
    }
}

#[cfg(test)]
mod tests;
