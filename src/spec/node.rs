//! A YAML document as a tree of nodes that remember where they were written.
//!
//! The YAML front end (`yaml.rs`) builds it; the deserializer (`de.rs`) turns
//! it into the typed Kubernetes structs, and every diagnostic points back at
//! a node's [`Mark`]. Scalars are already resolved to their type by the rules
//! kubectl applies (YAML 1.1, as go-yaml v2 reads it: `yes` is a boolean,
//! `0644` an octal integer), and keep the text they were written as.

use std::fmt;

/// A position in the input: 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub struct Mark {
    pub line: u32,
    pub column: u32,
}

impl fmt::Display for Mark {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// One node: its value, where it starts, and for a scalar the text it was
/// written as.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub mark: Mark,
    /// For a scalar, the text as written (without quotes or block
    /// indentation): `0644` for the integer 420, `yes` for `true`, `1.50`
    /// for 1.5. `None` for sequences and mappings.
    pub raw: Option<Box<str>>,
}

/// What a node holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
    Seq(Vec<Node>),
    /// Entries in the order written; keys are unique (duplicates are an
    /// error in the front end), and `<<` merge keys are already applied.
    Map(Vec<(Node, Node)>),
}

impl Value {
    /// "a string", "an integer", ...: what the value is, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Null => "null",
            Self::Bool(_) => "a boolean",
            Self::Int(_) => "an integer",
            Self::Float(_) => "a number",
            Self::String(_) => "a string",
            Self::Seq(_) => "a list",
            Self::Map(_) => "a map",
        }
    }
}

impl Node {
    pub fn new(value: Value, mark: Mark) -> Self {
        Self {
            value,
            mark,
            raw: None,
        }
    }

    /// The text of a scalar as written, or its rendering if none was kept.
    pub fn text(&self) -> String {
        if let Some(raw) = &self.raw {
            return raw.to_string();
        }
        match &self.value {
            Value::Null => "null".into(),
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Float(x) => x.to_string(),
            Value::String(s) => s.clone(),
            Value::Seq(_) => "[...]".into(),
            Value::Map(_) => "{...}".into(),
        }
    }

    /// The value of `key` in a mapping node whose key is that string.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries
                .iter()
                .find(|(k, _)| matches!(&k.value, Value::String(s) if s == key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string value of `key`, if it is a string.
    pub fn get_str(&self, key: &str) -> Option<&str> {
        match &self.get(key)?.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
}
