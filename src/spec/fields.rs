//! Walking a document's nodes by field path: where each field was written,
//! and which fields podinit ignores or does not support.
//!
//! [`Marks`] indexes every node by its field path, so that a diagnostic
//! found later on the typed structs (which have no positions) can still
//! point at a line and column. [`check_support`] looks every field that is
//! present (and not empty) up in the support table and reports the ignored
//! and unsupported ones; values that decide (`privileged: true`) are
//! validation's business.

use super::diag::{Diag, FieldPath, Kind, Seg};
use super::node::{Mark, Node, Value};
use super::support::{self, Status};

/// Where each field of a document was written: the document's nodes,
/// walked down a field path when a diagnostic needs its place (no index:
/// a huge document costs nothing until a diagnostic asks).
#[derive(Debug, Clone, Copy)]
pub struct Marks<'n> {
    root: &'n Node,
    /// Where `root` is in the document.
    base: &'n FieldPath,
}

impl<'n> Marks<'n> {
    pub fn new(root: &'n Node, base: &'n FieldPath) -> Self {
        Self { root, base }
    }

    /// The position of `path`, or of its nearest ancestor in the document.
    /// A field points at its key, where it is written.
    pub fn find(&self, path: &FieldPath) -> Option<Mark> {
        let rest = path.segs().strip_prefix(self.base.segs())?;
        let mut node = self.root;
        let mut mark = node.mark;
        for seg in rest {
            let next = match (seg, &node.value) {
                (Seg::Field(name) | Seg::Key(name), Value::Map(entries)) => entries
                    .iter()
                    .find(|(k, _)| k.text() == *name)
                    .map(|(k, v)| (k.mark, v)),
                (Seg::Index(i), Value::Seq(items)) => items.get(*i).map(|item| (item.mark, item)),
                _ => None,
            };
            let Some((at, child)) = next else { break };
            mark = at;
            node = child;
        }
        Some(mark)
    }

    /// Gives every diagnostic without a position the one of its path.
    pub fn place(&self, diags: &mut [Diag]) {
        for diag in diags.iter_mut().filter(|d| d.mark.is_none()) {
            diag.mark = self.find(&diag.path);
        }
    }
}

/// Whether a value is absent in all but name: null, `{}`, `[]`, `""` or
/// `false`. kubectl's own output is full of `resources: {}`, and
/// `tty: false` asks for nothing: they deserve no warning.
fn is_empty(node: &Node) -> bool {
    match &node.value {
        Value::Null | Value::Bool(false) => true,
        Value::Seq(items) => items.is_empty(),
        Value::Map(entries) => entries.is_empty(),
        Value::String(s) => s.is_empty(),
        _ => false,
    }
}

/// Reports the ignored and unsupported fields present below `node`.
///
/// `node` sits at `path` in the document and at `schema` in a pod (`spec`
/// for a Pod's spec, also `spec` for a Deployment's `spec.template.spec`),
/// so that one table serves every kind. Unsupported fields are errors, or
/// warnings when `ignore_unsupported`.
pub fn check_support(
    node: &Node,
    path: &FieldPath,
    schema: &str,
    ignore_unsupported: bool,
    out: &mut Vec<Diag>,
) {
    match &node.value {
        Value::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                check_support(item, &path.index(i), schema, ignore_unsupported, out);
            }
        }
        Value::Map(entries) => {
            for (key, value) in entries {
                let name = key.text();
                let field_path = path.field(&name);
                let field_schema = if schema.is_empty() {
                    name.clone()
                } else {
                    format!("{schema}.{name}")
                };
                if is_empty(value) {
                    continue;
                }
                let row = support::lookup(&field_schema);
                let diag = match row.map(|r| r.status) {
                    Some(Status::Ignored) => Some(Diag::warning(
                        Kind::Ignored,
                        field_path.clone(),
                        format!("ignored: {}", row.map_or("", |r| r.note)),
                    )),
                    Some(Status::Unsupported) => {
                        let message =
                            format!("not supported by podinit: {}", row.map_or("", |r| r.note));
                        Some(if ignore_unsupported {
                            Diag::warning(
                                Kind::Unsupported,
                                field_path.clone(),
                                message + " (ignored)",
                            )
                        } else {
                            Diag::error(Kind::Unsupported, field_path.clone(), message)
                        })
                    }
                    _ => None,
                };
                match diag {
                    Some(diag) => out.push(diag.at(Some(key.mark))),
                    None => {
                        check_support(value, &field_path, &field_schema, ignore_unsupported, out)
                    }
                }
            }
        }
        _ => {}
    }
}
