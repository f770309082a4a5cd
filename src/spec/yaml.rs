//! The YAML front end: manifest text to one tree of [`Node`]s per document.
//!
//! It owns reading YAML the way `kubectl apply` does (go-yaml v2 through
//! sigs.k8s.io/yaml: YAML 1.1 scalars, merge keys, string map keys), the
//! positions every node keeps, and the limits that make hostile input fail
//! fast. It does not know Kubernetes: turning nodes into typed structs and
//! validating them is the deserializer's job.
//!
//! Scanning and parsing are saphyr-parser's; this module drives its event
//! iterator (never its recursive `load`) and builds the tree itself:
//! `build.rs` walks the events, `tag.rs` and `resolve.rs` type scalars,
//! `mapping.rs` assembles mappings, `source.rs` reads back positions.
//! saphyr-parser has `unwrap`/`assert!` sites; the fuzz targets in `fuzz/`
//! exercise them through [`parse_stream`] (see `fuzz/README.md`).

mod build;
mod events;
mod mapping;
mod resolve;
mod source;
mod tag;

use saphyr_parser::Event;

use super::node::{Mark, Node, Value};

pub(crate) use resolve::{Scalar, resolve_plain};

/// Bounds on what a stream may cost to load.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Most collections open at once. Real manifests nest about 10 deep;
    /// the deserializer, `Drop` and `Clone` of [`Node`] recurse, so the
    /// tree must stay shallow enough for a small stack.
    pub max_depth: usize,
    /// Most nodes in the whole stream, counting every copy made for an
    /// alias (and for the anchor table). It bounds memory: a node costs
    /// about 150 to 300 bytes with the parser's own bookkeeping.
    pub max_nodes: usize,
    /// Most bytes of scalar text copied for anchors and aliases: one long
    /// string aliased many times costs memory but few nodes.
    pub max_alias_bytes: usize,
    /// Most tokens the scanner may read ahead of the parser. saphyr-parser
    /// reads some flow collections (a JSON document, a flow sequence in a
    /// block sequence) whole before the first event, at about 170 bytes a
    /// token (see `events.rs`); this keeps that under about 50 MB. Block
    /// style never comes near it; a JSON manifest of short values reaches
    /// it at about 1 MB.
    pub max_lookahead_tokens: usize,
}

impl Default for Limits {
    /// 128 levels, one million nodes, 16 MiB of copied text, 250 000
    /// tokens of read-ahead. A realistic 3 MB pod manifest has about
    /// 320 000 nodes, and Kubernetes stores no object over 1.5 MiB (the
    /// etcd request limit); a hostile stream stops within about 2 seconds
    /// and 350 MB, whatever its size.
    fn default() -> Self {
        Self {
            max_depth: 128,
            max_nodes: 1_000_000,
            max_alias_bytes: 16 << 20,
            max_lookahead_tokens: 250_000,
        }
    }
}

/// One document of a stream.
#[derive(Debug, Clone)]
pub struct Document {
    pub root: Node,
    /// Where the document starts: its `---`, or its first token.
    pub mark: Mark,
}

/// Why a stream is not YAML podinit can read.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct YamlError {
    pub mark: Option<Mark>,
    pub message: String,
}

impl YamlError {
    pub(crate) fn new(mark: Option<Mark>, message: String) -> Self {
        Self { mark, message }
    }

    pub(crate) fn at(mark: Mark, message: String) -> Self {
        Self::new(Some(mark), message)
    }
}

/// Reads every document of `text`. An empty stream, or one with only
/// comments, gives one document whose root is null, as does each empty
/// document (`---` with nothing after it).
///
/// go-yaml (libyaml) accepts `\'` in a double-quoted scalar as a `'`, a
/// YAML 1.1 extension saphyr-parser refuses; the Kubernetes documentation
/// has a manifest that uses it. Each time saphyr stops at one, that scalar's
/// `\'` becomes the equivalent `\x27` and the stream is read again (the
/// columns after it on that line then read two too far).
pub fn parse_stream(text: &str, limits: &Limits) -> Result<Vec<Document>, YamlError> {
    /// Each retry fixes one escape; a stream with more is refused.
    const MAX_RETRIES: usize = 64;
    let mut text = std::borrow::Cow::Borrowed(text);
    // A byte order mark at the start of a later document, as `cat a.yaml
    // b.yaml` leaves it, is skipped as go-yaml skips it.
    if text.contains("\n\u{feff}") {
        text = std::borrow::Cow::Owned(text.replace("\n\u{feff}", "\n"));
    }
    for _ in 0..MAX_RETRIES {
        match parse_once(&text, limits) {
            Err(err) if err.message.contains("unknown escape character") => {
                match err.mark.and_then(|mark| single_quote_escape(&text, mark)) {
                    Some(at) => text.to_mut().replace_range(at..at + 2, "\\x27"),
                    None => return Err(err),
                }
            }
            other => return other,
        }
    }
    parse_once(&text, limits)
}

/// The byte offset of the first `\'` in the double-quoted scalar that
/// starts at `mark`, if that is what stopped the parser.
fn single_quote_escape(text: &str, mark: Mark) -> Option<usize> {
    let line_start = if mark.line <= 1 {
        0
    } else {
        text.match_indices('\n').nth(mark.line as usize - 2)?.0 + 1
    };
    let column = usize::try_from(mark.column).ok()?.checked_sub(1)?;
    let quote = line_start + text[line_start..].char_indices().nth(column)?.0;
    let mut bytes = text.as_bytes().get(quote..)?.iter().enumerate();
    if bytes.next()?.1 != &b'"' {
        return None;
    }
    while let Some((i, &b)) = bytes.next() {
        match b {
            b'"' => return None,
            b'\\' => match bytes.next()? {
                (_, b'\'') => return Some(quote + i),
                _ => continue,
            },
            _ => {}
        }
    }
    None
}

fn parse_once(text: &str, limits: &Limits) -> Result<Vec<Document>, YamlError> {
    let mut events = events::Events::new(text, limits);
    let mut budget = build::Budget::default();
    let mut documents = Vec::new();
    while let Some((event, span)) = events.next()? {
        match event {
            Event::StreamStart => {}
            Event::StreamEnd => break,
            Event::DocumentStart(_) => {
                let root = build::document(&mut events, limits, &mut budget)?;
                let mark = source::mark(span.start);
                documents.push(Document { root, mark });
            }
            other => {
                let message = format!("unexpected {other:?} between documents");
                return Err(YamlError::at(source::mark(span.start), message));
            }
        }
    }
    if documents.is_empty() {
        let start = Mark { line: 1, column: 1 };
        documents.push(Document {
            root: Node::new(Value::Null, start),
            mark: start,
        });
    }
    Ok(documents)
}

#[cfg(test)]
mod limits_tests;
#[cfg(test)]
mod tests;
