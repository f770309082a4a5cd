//! Events to a tree: one document's nodes, its anchors and aliases, and the
//! budget that keeps hostile input cheap.
//!
//! It owns the walk over saphyr-parser's events for one document, with an
//! explicit stack (never recursion, so depth cannot overflow ours), the
//! anchor table and alias expansion, and the limits of [`Limits`]. Scalar
//! typing is `tag.rs` and `resolve.rs`; mapping rules are `mapping.rs`.
//!
//! Aliases are expanded by copying the anchored node. Each copy is paid for
//! before it is made: every node created, copied into the anchor table or
//! copied out of it counts against `max_nodes`, every byte of scalar text
//! copied counts against `max_alias_bytes`, and an alias may not reach below
//! `max_depth`. A billion-laughs document fails at the first alias that
//! would cross a limit, after at most `max_nodes` nodes of work.

use std::collections::HashMap;

use saphyr_parser::{Event, ScalarStyle, Span, Tag};

use super::super::node::{Mark, Node, Value};
use super::events::Events;
use super::mapping::MapBuilder;
use super::source::mark;
use super::{Limits, YamlError, tag};

/// What the stream has cost so far; shared by all its documents.
#[derive(Debug, Default)]
pub(crate) struct Budget {
    nodes: usize,
    copied_nodes: usize,
    copied_bytes: usize,
    /// Bytes of scalar text created, copies included: a node's subtree
    /// size is the difference between two readings.
    bytes: usize,
}

impl Budget {
    fn spend(
        &mut self,
        limits: &Limits,
        nodes: usize,
        bytes: usize,
        at: Mark,
    ) -> Result<(), YamlError> {
        self.nodes = self.nodes.saturating_add(nodes);
        self.bytes = self.bytes.saturating_add(bytes);
        if self.nodes > limits.max_nodes {
            let message = if self.copied_nodes > 0 {
                format!(
                    "document expands to more than {} nodes (aliases)",
                    limits.max_nodes
                )
            } else {
                format!("the input has more than {} nodes", limits.max_nodes)
            };
            return Err(YamlError::at(at, message));
        }
        Ok(())
    }

    /// Pays for a copy of an anchored subtree, before it is made.
    fn copy(
        &mut self,
        limits: &Limits,
        nodes: usize,
        bytes: usize,
        at: Mark,
    ) -> Result<(), YamlError> {
        self.copied_nodes = self.copied_nodes.saturating_add(nodes);
        self.copied_bytes = self.copied_bytes.saturating_add(bytes);
        if self.copied_bytes > limits.max_alias_bytes {
            let message = format!(
                "document expands to more than {} bytes of text (aliases)",
                limits.max_alias_bytes
            );
            return Err(YamlError::at(at, message));
        }
        self.spend(limits, nodes, bytes, at)
    }
}

/// A node held for later aliases, with what a copy of it costs.
#[derive(Debug)]
struct Anchored {
    node: Node,
    nodes: usize,
    bytes: usize,
    height: usize,
}

#[derive(Debug)]
enum Kind {
    Seq(Vec<Node>),
    Map(MapBuilder, Option<Pending>),
}

/// A mapping's key waiting for its value.
#[derive(Debug)]
enum Pending {
    Key(Node),
    Merge,
}

/// An open sequence or mapping.
#[derive(Debug)]
struct Frame {
    kind: Kind,
    mark: Mark,
    anchor: usize,
    nodes_before: usize,
    bytes_before: usize,
    /// Levels of collections in it so far, itself included.
    height: usize,
}

/// Builds one document from the events after its `DocumentStart`, up to and
/// including its `DocumentEnd`.
pub(crate) fn document(
    events: &mut Events<'_>,
    limits: &Limits,
    budget: &mut Budget,
) -> Result<Node, YamlError> {
    let mut b = Builder {
        limits,
        budget,
        events,
        stack: Vec::new(),
        anchors: HashMap::new(),
        root: None,
    };
    loop {
        let Some((event, span)) = b.events.next()? else {
            return Err(YamlError::new(None, "unexpected end of the stream".into()));
        };
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                b.scalar(&text, style, anchor, tag.as_deref(), span)?;
            }
            Event::SequenceStart(anchor, tag) => b.open(false, anchor, tag.as_deref(), span)?,
            Event::MappingStart(anchor, tag) => b.open(true, anchor, tag.as_deref(), span)?,
            Event::SequenceEnd | Event::MappingEnd => b.close(span)?,
            Event::Alias(id) => b.alias(id, span)?,
            Event::DocumentEnd => {
                return b.root.take().ok_or_else(|| {
                    YamlError::new(Some(mark(span.start)), "document has no content".into())
                });
            }
            other => {
                let message = format!("unexpected {other:?} inside a document");
                return Err(YamlError::new(Some(mark(span.start)), message));
            }
        }
    }
}

struct Builder<'p, 's> {
    limits: &'p Limits,
    budget: &'p mut Budget,
    events: &'p mut Events<'s>,
    stack: Vec<Frame>,
    /// Anchors of this document only: go-yaml does not carry them over.
    anchors: HashMap<usize, Anchored>,
    root: Option<Node>,
}

impl Builder<'_, '_> {
    fn scalar(
        &mut self,
        text: &str,
        style: ScalarStyle,
        anchor: usize,
        tag: Option<&Tag>,
        span: Span,
    ) -> Result<(), YamlError> {
        let at = mark(span.start);
        let value = tag::scalar_value(text, style, tag).map_err(|m| YamlError::at(at, m))?;
        let merge_key = tag::is_merge_key(text, style, tag);
        let node = Node {
            value,
            mark: at,
            raw: Some(text.into()),
        };
        self.budget.spend(self.limits, 1, text.len(), at)?;
        if anchor > 0 {
            self.remember(anchor, &node, 1, text.len(), 0)?;
        }
        self.attach(node, merge_key, false, 0)
    }

    fn open(
        &mut self,
        mapping: bool,
        anchor: usize,
        tag: Option<&Tag>,
        span: Span,
    ) -> Result<(), YamlError> {
        let start = if mapping {
            span.start
        } else {
            self.events.source.sequence_start(span.start)
        };
        let at = mark(start);
        tag::check_collection(tag, mapping).map_err(|m| YamlError::at(at, m))?;
        if self.stack.len() >= self.limits.max_depth {
            let message = format!("nesting deeper than {} levels", self.limits.max_depth);
            return Err(YamlError::at(at, message));
        }
        let (nodes_before, bytes_before) = (self.budget.nodes, self.budget.bytes);
        self.budget.spend(self.limits, 1, 0, at)?;
        let kind = if mapping {
            Kind::Map(MapBuilder::default(), None)
        } else {
            Kind::Seq(Vec::new())
        };
        self.stack.push(Frame {
            kind,
            mark: at,
            anchor,
            nodes_before,
            bytes_before,
            height: 1,
        });
        Ok(())
    }

    fn close(&mut self, span: Span) -> Result<(), YamlError> {
        let Some(frame) = self.stack.pop() else {
            let message = "end of a collection that was not started".into();
            return Err(YamlError::new(Some(mark(span.start)), message));
        };
        let value = match frame.kind {
            Kind::Seq(items) => Value::Seq(items),
            Kind::Map(map, None) => map.finish(),
            Kind::Map(_, Some(_)) => {
                let message = "mapping ends between a key and its value".into();
                return Err(YamlError::new(Some(mark(span.start)), message));
            }
        };
        let node = Node::new(value, frame.mark);
        if frame.anchor > 0 {
            let nodes = self.budget.nodes - frame.nodes_before;
            let bytes = self.budget.bytes - frame.bytes_before;
            self.remember(frame.anchor, &node, nodes, bytes, frame.height)?;
        }
        self.attach(node, false, false, frame.height)
    }

    fn alias(&mut self, id: usize, span: Span) -> Result<(), YamlError> {
        let at = mark(span.start);
        let Some(anchored) = self.anchors.get(&id) else {
            let name = self.events.source.alias_name(span.start);
            let message = if self.stack.iter().any(|f| f.anchor == id) {
                format!("alias *{name} refers to the node it is part of")
            } else {
                format!("alias *{name} refers to no anchor of this document")
            };
            return Err(YamlError::at(at, message));
        };
        if self.stack.len() + anchored.height > self.limits.max_depth {
            let message = format!(
                "alias makes nesting deeper than {} levels",
                self.limits.max_depth
            );
            return Err(YamlError::at(at, message));
        }
        let (nodes, bytes, height) = (anchored.nodes, anchored.bytes, anchored.height);
        self.budget.copy(self.limits, nodes, bytes, at)?;
        let mut node = anchored.node.clone();
        node.mark = at;
        self.attach(node, false, true, height)
    }

    fn remember(
        &mut self,
        id: usize,
        node: &Node,
        nodes: usize,
        bytes: usize,
        height: usize,
    ) -> Result<(), YamlError> {
        self.budget.copy(self.limits, nodes, bytes, node.mark)?;
        let anchored = Anchored {
            node: node.clone(),
            nodes,
            bytes,
            height,
        };
        self.anchors.insert(id, anchored);
        Ok(())
    }

    /// Puts a finished node in its place: the root, the next item of a
    /// sequence, or a key or value of a mapping. `aliased` says the node is
    /// an alias's copy, which matters to a `<<` key.
    fn attach(
        &mut self,
        node: Node,
        merge_key: bool,
        aliased: bool,
        height: usize,
    ) -> Result<(), YamlError> {
        let Some(top) = self.stack.last_mut() else {
            self.root = Some(node);
            return Ok(());
        };
        top.height = top.height.max(height + 1);
        match &mut top.kind {
            Kind::Seq(items) => items.push(node),
            Kind::Map(map, pending) => match pending.take() {
                None if merge_key => *pending = Some(Pending::Merge),
                None => *pending = Some(Pending::Key(MapBuilder::make_key(node)?)),
                Some(Pending::Key(key)) => map.insert(key, node)?,
                Some(Pending::Merge) => map.merge(node, aliased)?,
            },
        }
        Ok(())
    }
}
