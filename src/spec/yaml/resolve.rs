//! What a scalar's text means: the plain-scalar resolution of go-yaml v2
//! (`resolve.go`, which `kubectl` reads manifests with through
//! sigs.k8s.io/yaml), the core tags that force a type, and the string a
//! non-string mapping key becomes on its way to JSON.
//!
//! It owns only text-to-value rules; it does not see events, marks, anchors
//! or mappings (`build.rs` and `mapping.rs` do). Go's `strconv` is emulated
//! where go-yaml leans on it (`ParseInt` with base 0, `ParseFloat`,
//! `FormatFloat(f, 'g', -1, 32)`), because its corner cases decide results:
//! `09` is the float 9 (not octal, but matches the float pattern), `0b-1` is
//! the integer -1, a hexadecimal number beyond 64 bits stays a string.

use super::super::node::Value;

/// What go-yaml makes of a scalar, before it becomes a [`Value`]. A number
/// that only fits `u64` is kept apart so that `!!int` still accepts it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Scalar {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Str,
}

impl Scalar {
    /// The node value; `text` is the scalar as written, used for strings.
    /// A `u64`-only number becomes a float: JSON consumers and the typed
    /// deserializer have no wider integer, and go-yaml's `uint64` ends up as
    /// a JSON number too.
    pub(crate) fn into_value(self, text: &str) -> Value {
        match self {
            Self::Null => Value::Null,
            Self::Bool(b) => Value::Bool(b),
            Self::Int(i) => Value::Int(i),
            Self::Uint(u) => Value::Float(u as f64),
            Self::Float(f) => Value::Float(f),
            Self::Str => Value::String(text.to_owned()),
        }
    }
}

/// The fixed words of go-yaml v2's `resolveMapList`.
const WORDS: &[(&str, Scalar)] = &[
    ("y", Scalar::Bool(true)),
    ("Y", Scalar::Bool(true)),
    ("yes", Scalar::Bool(true)),
    ("Yes", Scalar::Bool(true)),
    ("YES", Scalar::Bool(true)),
    ("true", Scalar::Bool(true)),
    ("True", Scalar::Bool(true)),
    ("TRUE", Scalar::Bool(true)),
    ("on", Scalar::Bool(true)),
    ("On", Scalar::Bool(true)),
    ("ON", Scalar::Bool(true)),
    ("n", Scalar::Bool(false)),
    ("N", Scalar::Bool(false)),
    ("no", Scalar::Bool(false)),
    ("No", Scalar::Bool(false)),
    ("NO", Scalar::Bool(false)),
    ("false", Scalar::Bool(false)),
    ("False", Scalar::Bool(false)),
    ("FALSE", Scalar::Bool(false)),
    ("off", Scalar::Bool(false)),
    ("Off", Scalar::Bool(false)),
    ("OFF", Scalar::Bool(false)),
    ("", Scalar::Null),
    ("~", Scalar::Null),
    ("null", Scalar::Null),
    ("Null", Scalar::Null),
    ("NULL", Scalar::Null),
    (".nan", Scalar::Float(f64::NAN)),
    (".NaN", Scalar::Float(f64::NAN)),
    (".NAN", Scalar::Float(f64::NAN)),
    (".inf", Scalar::Float(f64::INFINITY)),
    (".Inf", Scalar::Float(f64::INFINITY)),
    (".INF", Scalar::Float(f64::INFINITY)),
    ("+.inf", Scalar::Float(f64::INFINITY)),
    ("+.Inf", Scalar::Float(f64::INFINITY)),
    ("+.INF", Scalar::Float(f64::INFINITY)),
    ("-.inf", Scalar::Float(f64::NEG_INFINITY)),
    ("-.Inf", Scalar::Float(f64::NEG_INFINITY)),
    ("-.INF", Scalar::Float(f64::NEG_INFINITY)),
];

fn word(s: &str) -> Option<Scalar> {
    WORDS.iter().find(|(w, _)| *w == s).map(|(_, v)| *v)
}

/// go-yaml v2 `resolve("", s)` for a plain scalar. The first byte is the
/// hint, as in go-yaml's `resolveTable`: anything not starting with a sign,
/// a digit, a dot or one of `yYnNtTfFoO~` is a string without further look.
/// Timestamps are strings here because go-yaml hands them to `interface{}`
/// as the original text.
pub(crate) fn resolve_plain(s: &str) -> Scalar {
    let Some(&first) = s.as_bytes().first() else {
        return Scalar::Null;
    };
    match first {
        b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~' => {
            word(s).unwrap_or(Scalar::Str)
        }
        b'.' => word(s).or_else(|| dot_float(s)).unwrap_or(Scalar::Str),
        b'+' | b'-' | b'0'..=b'9' => word(s).or_else(|| number(s)).unwrap_or(Scalar::Str),
        _ => Scalar::Str,
    }
}

/// The 'D' and 'S' branch of go-yaml's `resolve`: underscores removed, then
/// `ParseInt(_, 0, 64)`, `ParseUint(_, 0, 64)`, the float pattern with
/// `ParseFloat`, and go-yaml's own `0b`/`-0b` fallbacks.
fn number(s: &str) -> Option<Scalar> {
    let plain = s.replace('_', "");
    if let Some(i) = go_parse_int(&plain) {
        return Some(Scalar::Int(i));
    }
    if let Some(u) = go_parse_uint(&plain) {
        return Some(Scalar::Uint(u));
    }
    if is_yaml_float(&plain) {
        // Go's ParseFloat fails with ErrRange beyond f64; go-yaml then
        // leaves the text a string. Rust would give infinity instead.
        if let Some(f) = plain.parse::<f64>().ok().filter(|f| f.is_finite()) {
            return Some(Scalar::Float(f));
        }
    }
    if let Some(rest) = plain.strip_prefix("0b") {
        // strconv.ParseInt(rest, 2, 64): a sign is allowed after "0b".
        if let Ok(i) = i64::from_str_radix(rest, 2) {
            return Some(Scalar::Int(i));
        }
        if rest.starts_with(|c: char| c.is_ascii_digit()) {
            return u64::from_str_radix(rest, 2).ok().map(Scalar::Uint);
        }
    } else if let Some(rest) = plain.strip_prefix("-0b")
        && rest.starts_with(|c: char| c.is_ascii_digit())
    {
        return i64::from_str_radix(&format!("-{rest}"), 2)
            .ok()
            .map(Scalar::Int);
    }
    None
}

/// Go's `strconv.ParseInt(s, 0, 64)`.
fn go_parse_int(s: &str) -> Option<i64> {
    let (negative, digits) = match s.as_bytes().first()? {
        b'+' => (false, &s[1..]),
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    let magnitude = go_parse_uint(digits)?;
    if negative {
        0i64.checked_sub_unsigned(magnitude)
    } else {
        i64::try_from(magnitude).ok()
    }
}

/// Go's `strconv.ParseUint(s, 0, 64)`: `0x`, `0o`, `0b` (either case) or a
/// leading `0` for octal; no sign.
fn go_parse_uint(s: &str) -> Option<u64> {
    let bytes = s.as_bytes();
    let (radix, digits) = match bytes {
        [] => return None,
        [b'0', p, _, ..] if p.eq_ignore_ascii_case(&b'x') => (16, &bytes[2..]),
        [b'0', p, _, ..] if p.eq_ignore_ascii_case(&b'o') => (8, &bytes[2..]),
        [b'0', p, _, ..] if p.eq_ignore_ascii_case(&b'b') => (2, &bytes[2..]),
        [b'0', rest @ ..] => (8, rest),
        _ => (10, bytes),
    };
    let mut n: u64 = 0;
    for &b in digits {
        let d = char::from(b).to_digit(radix)?;
        n = n.checked_mul(u64::from(radix))?.checked_add(u64::from(d))?;
    }
    Some(n)
}

/// go-yaml's `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_float(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |mut i: usize| {
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        i
    };
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    if b.get(i) == Some(&b'.') {
        let end = digits(i + 1);
        if end == i + 1 {
            return false;
        }
        i = end;
    } else {
        let end = digits(i);
        if end == i {
            return false;
        }
        i = end;
        if b.get(i) == Some(&b'.') {
            i = digits(i + 1);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let end = digits(i);
        if end == i {
            return false;
        }
        i = end;
    }
    i == b.len()
}

/// The '.' branch: Go's `ParseFloat` on the text as written, so
/// underscores count only where Go allows them (between digits).
fn dot_float(s: &str) -> Option<Scalar> {
    let b = s.as_bytes();
    let run = |mut i: usize| {
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            i += 1;
        }
        i
    };
    let mut i = run(1);
    if !b[1..i].iter().any(u8::is_ascii_digit) {
        return None;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !b.get(i).is_some_and(u8::is_ascii_digit) {
            return None;
        }
        i = run(i);
    }
    if i != b.len() || (s.contains('_') && !go_underscore_ok(s)) {
        return None;
    }
    let f: f64 = s.replace('_', "").parse().ok()?;
    f.is_finite().then_some(Scalar::Float(f))
}

/// Go's `strconv.underscoreOK` for a decimal number: every `_` sits
/// between two digits.
fn go_underscore_ok(s: &str) -> bool {
    let mut saw = b'^';
    for &c in s.as_bytes() {
        if c.is_ascii_digit() {
            saw = b'0';
        } else if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
        } else if saw == b'_' {
            return false;
        } else {
            saw = b'!';
        }
    }
    saw != b'_'
}

/// How sigs.k8s.io/yaml turns a non-string key into a JSON object key:
/// decimal integers, `true`/`false`, floats through Go's
/// `FormatFloat(f, 'g', -1, 32)`. A null key is `"null"` here; see
/// `mapping.rs` for why.
pub(crate) fn key_string(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Int(i) => Some(i.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Float(f) => Some(go_format_g32(*f)),
        Value::Null => Some("null".to_owned()),
        Value::Seq(_) | Value::Map(_) => None,
    }
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 32)` with sigs.k8s.io/yaml's
/// spellings of infinities and NaN: the value is rounded to `f32`, written
/// with the fewest digits that read back as that `f32`, in exponent form
/// (`1e+06`) when the exponent is below -4 or at least 6.
pub(crate) fn go_format_g32(f: f64) -> String {
    let x = f as f32;
    if x.is_nan() {
        return ".nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { ".inf" } else { "-.inf" }.into();
    }
    let sign = if x.is_sign_negative() { "-" } else { "" };
    if x == 0.0 {
        return format!("{sign}0");
    }
    // Rust's `{:e}` gives the shortest round-tripping digits: "1.2345e-7".
    let e = format!("{:e}", x.abs());
    let (mantissa, exp) = e.split_once('e').unwrap_or((e.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    if !(-4..6).contains(&exp) {
        let (head, tail) = digits.split_at(1);
        let dot = if tail.is_empty() { "" } else { "." };
        let esign = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{head}{dot}{tail}e{esign}{:02}", exp.abs());
    }
    let point = usize::try_from(exp + 1).unwrap_or(0);
    if exp < 0 {
        let zeros = "0".repeat(usize::try_from(-exp - 1).unwrap_or(0));
        format!("{sign}0.{zeros}{digits}")
    } else if digits.len() <= point {
        format!("{sign}{digits}{}", "0".repeat(point - digits.len()))
    } else {
        let (int, frac) = digits.split_at(point);
        format!("{sign}{int}.{frac}")
    }
}

#[cfg(test)]
#[path = "resolve_tests.rs"]
mod tests;
