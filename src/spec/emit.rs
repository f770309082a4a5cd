//! JSON values as YAML text in the style of `kubectl get -o yaml`.
//!
//! It owns the layout (block style, two spaces, a sequence under a key at
//! the key's indentation, `{}` and `[]` for empty collections) and the
//! choice of scalar style: plain when the YAML front end would read the
//! text back as the same string, a literal block for multi-line text that
//! survives one, otherwise double quotes with escapes. "Read back" is
//! decided by the front end's own resolver (`yaml::resolve_plain`), so what
//! this writes and what `yaml::parse_stream` reads cannot drift apart. It
//! does not parse, and it does not order keys: they come as the `Value`
//! holds them (sorted, as serde_json is built without `preserve_order`).
//!
//! A `u64` above `i64::MAX` is written as digits and reads back as a float,
//! as the front end types such numbers.

use serde_json::{Map, Value};

use super::yaml::{Scalar, resolve_plain};

/// The YAML text of `value`, ending with a newline.
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(map) if !map.is_empty() => write_map(&mut out, map, 0, false),
        Value::Array(items) if !items.is_empty() => write_seq(&mut out, items, 0, false),
        // A top-level block scalar is indented too: at column 0 a `---`
        // line of the text would end the document.
        scalar => {
            write_scalar(&mut out, scalar, 2);
            out.push('\n');
        }
    }
    out
}

/// Where a value is written: after `key:` or after `- `.
#[derive(Clone, Copy, PartialEq)]
enum Slot {
    Key,
    Item,
}

fn pad(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

/// Entries at `indent`; with `inline`, the first is already placed (after
/// `- `).
fn write_map(out: &mut String, map: &Map<String, Value>, indent: usize, inline: bool) {
    for (i, (key, value)) in map.iter().enumerate() {
        if i > 0 || !inline {
            pad(out, indent);
        }
        write_key(out, key, indent);
        write_child(out, value, indent, Slot::Key);
    }
}

fn write_seq(out: &mut String, items: &[Value], indent: usize, inline: bool) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 || !inline {
            pad(out, indent);
        }
        out.push('-');
        write_child(out, item, indent, Slot::Item);
    }
}

/// A key and its `:`. A key too long for an implicit key (YAML allows 1024
/// characters) is written as an explicit `? key` line.
fn write_key(out: &mut String, key: &str, indent: usize) {
    let mut text = String::new();
    if is_plain(key) && key != "<<" {
        text.push_str(key);
    } else {
        write_quoted(&mut text, key);
    }
    if text.chars().count() < 1000 {
        out.push_str(&text);
    } else {
        out.push_str("? ");
        out.push_str(&text);
        out.push('\n');
        pad(out, indent);
    }
    out.push(':');
}

/// The value of a key or a sequence item at `indent`, ending its line.
fn write_child(out: &mut String, value: &Value, indent: usize, slot: Slot) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            if slot == Slot::Key {
                out.push('\n');
                write_map(out, map, indent + 2, false);
            } else {
                out.push(' ');
                write_map(out, map, indent + 2, true);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            if slot == Slot::Key {
                out.push('\n');
                write_seq(out, items, indent, false);
            } else {
                out.push(' ');
                write_seq(out, items, indent + 2, true);
            }
        }
        scalar => {
            out.push(' ');
            write_scalar(out, scalar, indent + 2);
            out.push('\n');
        }
    }
}

/// A scalar or an empty collection; a literal block's lines go at `indent`.
fn write_scalar(out: &mut String, value: &Value, indent: usize) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) if is_plain(s) => out.push_str(s),
        Value::String(s) => {
            if !write_literal(out, s, indent) {
                write_quoted(out, s);
            }
        }
        Value::Array(_) => out.push_str("[]"),
        Value::Object(_) => out.push_str("{}"),
    }
}

/// Characters that must not appear unescaped: controls, and what YAML 1.1
/// readers (go-yaml) take as line breaks or a byte order mark.
fn is_special(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}')
}

/// Whether `s` can be written plain and read back as the same string.
fn is_plain(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    let second = s.chars().nth(1);
    let leading_ok = match first {
        // `-x` is a plain string (`--port=80`, as kubectl writes it), but
        // not `- x`, `-`, `-[`, or a `---` that could end the document.
        '-' => {
            second.is_some_and(|c| !matches!(c, ' ' | ',' | '[' | ']' | '{' | '}'))
                && !s.starts_with("---")
        }
        '?' | ':' | ',' | '[' | ']' | '{' | '}' | '#' | '&' | '*' | '!' | '|' | '>' | '\''
        | '"' | '%' | '@' | '`' => false,
        '.' => !s.starts_with("..."),
        _ => true,
    };
    leading_ok
        && !first.is_whitespace()
        && !s.ends_with(char::is_whitespace)
        && !s.ends_with(':')
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.contains(['\n', '\t'])
        && !s.contains(is_special)
        && resolve_plain(s) == Scalar::Str
        && !looks_like_time(s)
        && !is_base60(s)
}

/// go-yaml quotes what its timestamp parser might take (it starts with
/// `YYYY-`), so kubectl's output does too.
fn looks_like_time(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() > 4 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-'
}

/// YAML 1.1 sexagesimal numbers (`1:20`), which go-yaml quotes on output
/// for older readers although it reads them as strings:
/// `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`.
fn is_base60(s: &str) -> bool {
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (body, frac) = body.split_once('.').unwrap_or((body, ""));
    let mut parts = body.split(':');
    let head = parts.next().unwrap_or("");
    let head_ok = head.starts_with(|c: char| c.is_ascii_digit())
        && head.bytes().all(|b| b.is_ascii_digit() || b == b'_');
    let mut sixties = 0;
    let rest_ok = parts.all(|p| {
        sixties += 1;
        let b = p.as_bytes();
        match b {
            [d] => d.is_ascii_digit(),
            [t, d] => (b'0'..=b'5').contains(t) && d.is_ascii_digit(),
            _ => false,
        }
    });
    head_ok && rest_ok && sixties > 0 && frac.bytes().all(|b| b.is_ascii_digit() || b == b'_')
}

/// Writes `s` as a literal block (`|`, `|-`, `|+`) if it reads back the
/// same: several lines, no special or tab characters, no line ending in a
/// space, and a first line that does not start with a space (it would
/// change the detected indentation). Returns false, writing nothing,
/// otherwise.
fn write_literal(out: &mut String, s: &str, indent: usize) -> bool {
    let body = s.trim_end_matches('\n');
    let breaks = s.len() - body.len();
    let first_line = body.split('\n').find(|l| !l.is_empty()).unwrap_or("");
    if !s.contains('\n')
        || first_line.is_empty()
        || first_line.starts_with(' ')
        || body.contains(" \n")
        || body.ends_with(' ')
        || s.contains(|c: char| c != '\n' && (c == '\t' || is_special(c)))
    {
        return false;
    }
    out.push_str(match breaks {
        0 => "|-",
        1 => "|",
        _ => "|+",
    });
    for line in body.split('\n') {
        out.push('\n');
        if !line.is_empty() {
            pad(out, indent);
            out.push_str(line);
        }
    }
    // The line break after the last line is the caller's; `|+` keeps the
    // others as empty lines.
    for _ in 1..breaks {
        out.push('\n');
    }
    true
}

/// Writes `s` double-quoted, escaping what YAML requires.
fn write_quoted(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            c if is_special(c) => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests;
