//! Tags: which ones a manifest may carry and what they do to a node.
//!
//! It owns the mapping from a parsed tag to one of the YAML core tags and the
//! typing of a tagged scalar, as go-yaml v2 does it (a tag forces a type and
//! the text must fit it; `!!float` takes an integer). It does not resolve
//! untagged scalars (`resolve.rs`) nor build nodes (`build.rs`). As in
//! go-yaml, a tag it does not know (`!custom`, `!!timestamp`) changes
//! nothing but to make a scalar a string: kubectl accepts such files.

use saphyr_parser::{ScalarStyle, Tag};

use super::super::node::Value;
use super::resolve::{Scalar, resolve_plain};

/// The tags podinit understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CoreTag {
    /// `!` alone: "not plain", which makes a scalar a string.
    NonSpecific,
    Str,
    Int,
    Float,
    Bool,
    Null,
    Binary,
    Map,
    Seq,
    Merge,
}

const CORE_PREFIX: &str = "tag:yaml.org,2002:";

/// The tag as the user would recognise it: `!!int`, `!foo`, `!<x:y>`.
pub(crate) fn display(tag: &Tag) -> String {
    if tag.handle.is_empty() && tag.suffix == "!" {
        "!".to_owned()
    } else if tag.handle == CORE_PREFIX {
        format!("!!{}", tag.suffix)
    } else if tag.handle == "!" {
        format!("!{}", tag.suffix)
    } else if tag.handle.is_empty() {
        format!("!<{}>", tag.suffix)
    } else {
        format!("{}{}", tag.handle, tag.suffix)
    }
}

/// The core tag a parsed tag names; one podinit does not know reads as
/// `!` (non-specific). saphyr-parser has already expanded `!!` (and any `%TAG`
/// handle) into `handle`; a verbatim `!<...>` tag arrives whole in `suffix`.
pub(crate) fn classify(tag: &Tag) -> Result<CoreTag, String> {
    if tag.handle.is_empty() && tag.suffix == "!" {
        return Ok(CoreTag::NonSpecific);
    }
    let full = if tag.handle == "!" {
        String::new()
    } else {
        format!("{}{}", tag.handle, tag.suffix)
    };
    let core = match full.strip_prefix(CORE_PREFIX) {
        Some("str") => CoreTag::Str,
        Some("int") => CoreTag::Int,
        Some("float") => CoreTag::Float,
        Some("bool") => CoreTag::Bool,
        Some("null") => CoreTag::Null,
        Some("binary") => CoreTag::Binary,
        Some("map") => CoreTag::Map,
        Some("seq") => CoreTag::Seq,
        Some("merge") => CoreTag::Merge,
        // go-yaml's resolve() passes an unknown tag's text through.
        _ => CoreTag::NonSpecific,
    };
    Ok(core)
}

/// The value of a scalar: plain and untagged ones by go-yaml's resolution,
/// quoted and block ones as strings, tagged ones as the tag says.
pub(crate) fn scalar_value(
    text: &str,
    style: ScalarStyle,
    tag: Option<&Tag>,
) -> Result<Value, String> {
    let Some(tag) = tag else {
        return Ok(match style {
            ScalarStyle::Plain => resolve_plain(text).into_value(text),
            _ => Value::String(text.to_owned()),
        });
    };
    let core = classify(tag)?;
    // go-yaml resolves the text as if it were plain, then checks that the
    // result is what the tag asks for (`resolve(tag, in)`).
    let resolved = resolve_plain(text);
    let fits = match core {
        // `!!binary` stays the base64 text as written: podinit does not
        // decode it (go-yaml would), and no Pod field takes bytes.
        CoreTag::NonSpecific | CoreTag::Str | CoreTag::Binary | CoreTag::Merge => {
            return Ok(Value::String(text.to_owned()));
        }
        CoreTag::Int => matches!(resolved, Scalar::Int(_) | Scalar::Uint(_)),
        CoreTag::Float => match resolved {
            Scalar::Int(i) => return Ok(Value::Float(i as f64)),
            Scalar::Uint(u) => return Ok(Value::Float(u as f64)),
            r => matches!(r, Scalar::Float(_)),
        },
        CoreTag::Bool => matches!(resolved, Scalar::Bool(_)),
        CoreTag::Null => matches!(resolved, Scalar::Null),
        CoreTag::Map | CoreTag::Seq => {
            return Err(format!("tag {} cannot be given to a scalar", display(tag)));
        }
    };
    if fits {
        Ok(resolved.into_value(text))
    } else {
        Err(format!("cannot read {text:?} as {}", display(tag)))
    }
}

/// Checks a tag on a sequence or mapping: only its own core tag (or `!`).
pub(crate) fn check_collection(tag: Option<&Tag>, mapping: bool) -> Result<(), String> {
    let Some(tag) = tag else { return Ok(()) };
    match (classify(tag)?, mapping) {
        (CoreTag::NonSpecific, _) | (CoreTag::Map, true) | (CoreTag::Seq, false) => Ok(()),
        _ => {
            let what = if mapping { "a mapping" } else { "a sequence" };
            Err(format!("tag {} cannot be given to {what}", display(tag)))
        }
    }
}

/// Whether a key scalar is a merge key `<<`: plain and untagged, or tagged
/// `!!merge` (go-yaml's `isMerge`). A quoted `"<<"` is an ordinary key.
pub(crate) fn is_merge_key(text: &str, style: ScalarStyle, tag: Option<&Tag>) -> bool {
    text == "<<"
        && match tag {
            None => style == ScalarStyle::Plain,
            Some(t) => classify(t) == Ok(CoreTag::Merge),
        }
}
