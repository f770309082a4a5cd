//! The front end as a whole: streams, styles, tags, anchors, merges, keys,
//! marks, limits and errors.

use super::{Document, Limits, YamlError, parse_stream};
use crate::spec::node::{Mark, Node, Value};

pub(super) fn docs(text: &str) -> Vec<Document> {
    parse_stream(text, &Limits::default())
        .unwrap_or_else(|e| panic!("{text:?}: {e} at {:?}", e.mark))
}

pub(super) fn one(text: &str) -> Node {
    let mut d = docs(text);
    assert_eq!(d.len(), 1, "{text:?}");
    d.remove(0).root
}

pub(super) fn err(text: &str) -> YamlError {
    match parse_stream(text, &Limits::default()) {
        Ok(d) => panic!("{text:?} parsed: {d:?}"),
        Err(e) => e,
    }
}

pub(super) fn at(line: u32, column: u32) -> Mark {
    Mark { line, column }
}

pub(super) fn s(v: &str) -> Value {
    Value::String(v.into())
}

/// `key: value` pairs of a mapping as (key, value) with nested values.
fn entries(node: &Node) -> Vec<(String, Value)> {
    match &node.value {
        Value::Map(e) => e
            .iter()
            .map(|(k, v)| match &k.value {
                Value::String(k) => (k.clone(), v.value.clone()),
                other => panic!("key {other:?}"),
            })
            .collect(),
        other => panic!("not a map: {other:?}"),
    }
}

pub(super) fn value_of(text: &str, key: &str) -> Value {
    one(text)
        .get(key)
        .unwrap_or_else(|| panic!("{key} in {text:?}"))
        .value
        .clone()
}

#[test]
fn streams_and_empty_documents() {
    for text in ["", "# only a comment\n", "\n\n", "---\n", "--- # c\n...\n"] {
        let d = docs(text);
        assert_eq!(d.len(), 1, "{text:?}");
        assert_eq!(d[0].root.value, Value::Null, "{text:?}");
    }
    let d = docs("a: 1\n---\n# nothing\n---\nb: 2\n...\n---\n- x\n");
    let roots: Vec<_> = d.iter().map(|d| d.root.value.kind()).collect();
    assert_eq!(roots, ["a map", "null", "a map", "a list"]);
    assert_eq!(d[0].mark, at(1, 1));
    assert_eq!(d[1].mark, at(2, 1));
    assert_eq!(d[2].mark, at(4, 1));
}

#[test]
fn scalar_styles() {
    let text = "\
plain: 0644
single: '0644'
double: \"tab\\there \\u00e9 \\x41\"
literal: |
  line 1
   line 2
strip: |-
  x
keep: |+
  x

folded: >
  a
  b

  c
folded_strip: >-
  a
  b
multi: a
  b
quoted_yes: \"yes\"
block_yes: |-
  yes
";
    let want = [
        ("plain", Value::Int(420)),
        ("single", s("0644")),
        ("double", s("tab\there é A")),
        ("literal", s("line 1\n line 2\n")),
        ("strip", s("x")),
        ("keep", s("x\n\n")),
        ("folded", s("a b\nc\n")),
        ("folded_strip", s("a b")),
        ("multi", s("a b")),
        ("quoted_yes", s("yes")),
        ("block_yes", s("yes")),
    ];
    let got = entries(&one(text));
    assert_eq!(got.len(), want.len());
    for ((k, v), (wk, wv)) in got.iter().zip(want) {
        assert_eq!((k.as_str(), v), (wk, &wv));
    }
    let root = one(text);
    assert_eq!(
        root.get("plain").and_then(|n| n.raw.as_deref()),
        Some("0644")
    );
    assert_eq!(
        root.get("double").and_then(|n| n.raw.as_deref()),
        Some("tab\there é A")
    );
}

#[test]
fn flow_style_and_comments() {
    let root = one("# c\n{a: [1, 'two', {b: ~}], c: d} # trailing\n");
    assert_eq!(entries(&root)[0].1.kind(), "a list", "{:?}", entries(&root));
    assert_eq!(value_of("a: [yes, no]", "a"), {
        Value::Seq(vec![
            Node {
                value: Value::Bool(true),
                mark: at(1, 5),
                raw: Some("yes".into()),
            },
            Node {
                value: Value::Bool(false),
                mark: at(1, 10),
                raw: Some("no".into()),
            },
        ])
    });
}

#[test]
fn tags() {
    let rows: &[(&str, Value)] = &[
        ("!!str 0644", s("0644")),
        ("!!str yes", s("yes")),
        ("! 12", s("12")),
        ("!!int 0644", Value::Int(420)),
        ("!!int \"12\"", Value::Int(12)),
        ("!!float 1", Value::Float(1.0)),
        ("!!float '1.5'", Value::Float(1.5)),
        ("!!bool yes", Value::Bool(true)),
        ("!!null ~", Value::Null),
        ("!!null ''", Value::Null),
        ("!!binary aGVsbG8=", s("aGVsbG8=")),
        ("!<tag:yaml.org,2002:int> 7", Value::Int(7)),
        ("!!map {a: 1}", Value::Map(vec![])),
        ("!!seq [1]", Value::Seq(vec![])),
        // Unknown tags pass the text through as a string, as in go-yaml.
        ("!foo bar", s("bar")),
        ("!foo 12", s("12")),
        ("!!timestamp 2001-12-14", s("2001-12-14")),
    ];
    for (text, want) in rows {
        let got = value_of(&format!("k: {text}"), "k");
        match (want, &got) {
            (Value::Map(_), Value::Map(_)) | (Value::Seq(_), Value::Seq(_)) => {}
            _ => assert_eq!(&got, want, "{text}"),
        }
    }
    let bad: &[(&str, &str)] = &[
        ("k: !!int abc", "cannot read \"abc\" as !!int"),
        ("k: !!int 1.5", "cannot read \"1.5\" as !!int"),
        ("k: !!bool 1", "cannot read \"1\" as !!bool"),
        ("k: !!float x", "cannot read \"x\" as !!float"),
        ("k: !!null 0", "cannot read \"0\" as !!null"),
        ("k: !!map x", "tag !!map cannot be given to a scalar"),
        ("k: !!seq {a: 1}", "tag !!seq cannot be given to a mapping"),
        ("k: !!str [1]", "tag !!str cannot be given to a sequence"),
    ];
    for (text, want) in bad {
        let e = err(text);
        assert!(e.message.starts_with(want), "{text}: {e}");
        assert_eq!(e.mark, Some(at(1, 4)), "{text}");
    }
}

#[test]
fn anchors_and_aliases() {
    let root = one("a: &x {b: 1}\nc: *x\nd: &y [*x, *x]\ne: *y\n");
    assert_eq!(
        root.get("c").map(|n| &n.value),
        root.get("a").map(|n| &n.value)
    );
    assert_eq!(root.get("c").map(|n| n.mark), Some(at(2, 4)));
    let Some(Value::Seq(e)) = root.get("e").map(|n| &n.value) else {
        panic!("e")
    };
    assert_eq!(e.len(), 2);
    // A redefined anchor: aliases see the latest definition.
    assert_eq!(value_of("a: &x 1\nb: &x 2\nc: *x\n", "c"), Value::Int(2));
    let e = err("a: 1\nb: *nope\n");
    assert_eq!(
        e.message,
        "alias *nope refers to no anchor defined before it"
    );
    assert_eq!(e.mark, Some(at(2, 4)));
    let e = err("a: &x [1, *x]\n");
    assert_eq!(e.message, "alias *x refers to the node it is part of");
    // Anchors do not cross documents, as in go-yaml.
    let e = err("a: &x 1\n---\nb: *x\n");
    assert_eq!(e.message, "alias *x refers to no anchor of this document");
    assert_eq!(e.mark, Some(at(3, 4)));
}

#[test]
fn merge_keys() {
    let base = "base: &b {a: 1, b: 2}\nother: &o {b: 3, c: 4}\n";
    let rows: &[(&str, &[(&str, i64)])] = &[
        ("m:\n  <<: *b\n", &[("a", 1), ("b", 2)]),
        ("m:\n  <<: *b\n  b: 9\n", &[("a", 1), ("b", 9)]),
        // go-yaml v2 writes in document order: a later merge overwrites.
        ("m:\n  b: 9\n  <<: *b\n", &[("b", 2), ("a", 1)]),
        ("m:\n  <<: [*b, *o]\n", &[("b", 2), ("c", 4), ("a", 1)]),
        ("m:\n  <<: [*o, *b]\n", &[("a", 1), ("b", 3), ("c", 4)]),
        ("m:\n  <<: {x: 5}\n  z: 6\n", &[("x", 5), ("z", 6)]),
        ("m:\n  !!merge <<: *b\n", &[("a", 1), ("b", 2)]),
    ];
    for (text, want) in rows {
        let root = one(&format!("{base}{text}"));
        let m = root.get("m").unwrap_or_else(|| panic!("{text}"));
        let mut got: Vec<(String, Value)> = entries(m);
        got.sort_by(|a, b| a.0.cmp(&b.0));
        let mut want: Vec<(String, Value)> = want
            .iter()
            .map(|(k, v)| ((*k).to_owned(), Value::Int(*v)))
            .collect();
        want.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(got, want, "{text}");
    }
    // A quoted "<<" is an ordinary key.
    assert_eq!(value_of("\"<<\": 1\n", "<<"), Value::Int(1));
    for text in [
        "m:\n  <<: 1\n",
        "m:\n  <<: [1]\n",
        "m:\n  <<:\n",
        "m:\n  <<: [[{}]]\n",
    ] {
        let e = err(text);
        assert!(e.message.contains("merge key"), "{text}: {e}");
    }
    let e = err("a: 1\nm:\n  b: 1\n  b: 2\n");
    assert_eq!(e.message, "duplicate key \"b\" at 4:3, first at 3:3");
}

#[test]
fn mapping_keys() {
    let root = one("yes: a\n1: b\n1.5: c\n~: d\n0x10: e\n1e6: f\n\"x\": g\n");
    let keys: Vec<String> = entries(&root).into_iter().map(|(k, _)| k).collect();
    assert_eq!(keys, ["true", "1", "1.5", "null", "16", "1e+06", "x"]);
    let first = match &root.value {
        Value::Map(e) => e[0].0.clone(),
        _ => panic!("map"),
    };
    assert_eq!((first.raw.as_deref(), first.mark), (Some("yes"), at(1, 1)));
    let rows: &[(&str, &str, Mark)] = &[
        (
            "name: a\nimage: b\nname: c\n",
            "duplicate key \"name\" at 3:1, first at 1:1",
            at(3, 1),
        ),
        (
            "x:\n  1: a\n  \"1\": b\n",
            "duplicate key \"1\" at 3:3, first at 2:3",
            at(3, 3),
        ),
        (
            "yes: a\ntrue: b\n",
            "duplicate key \"true\" at 2:1, first at 1:1",
            at(2, 1),
        ),
        ("? [a]\n: 1\n", "a list cannot be a mapping key", at(1, 3)),
        ("{a: 1}: 2\n", "a map cannot be a mapping key", at(1, 1)),
    ];
    for (text, message, mark) in rows {
        let e = err(text);
        assert_eq!(
            (e.message.as_str(), e.mark),
            (*message, Some(*mark)),
            "{text}"
        );
    }
}

#[test]
fn marks() {
    let text = "\
apiVersion: v1
spec:
  containers:
  - name: web
    args:
      - a
      - &x \"b\"
    env: []
  initContainers:
    - {name: i}
  note: |
    text
";
    let root = one(text);
    let spec = root.get("spec").unwrap_or_else(|| panic!("spec"));
    assert_eq!(spec.mark, at(3, 3));
    let containers = spec
        .get("containers")
        .unwrap_or_else(|| panic!("containers"));
    assert_eq!(containers.mark, at(4, 3));
    let Value::Seq(items) = &containers.value else {
        panic!("seq")
    };
    assert_eq!(items[0].mark, at(4, 5));
    let args = items[0].get("args").unwrap_or_else(|| panic!("args"));
    assert_eq!(args.mark, at(6, 7));
    let Value::Seq(args) = &args.value else {
        panic!("seq")
    };
    assert_eq!((args[0].mark, args[1].mark), (at(6, 9), at(7, 9)));
    let init = spec.get("initContainers").unwrap_or_else(|| panic!("init"));
    assert_eq!(init.mark, at(10, 5));
    // A block scalar's mark is its first line of text.
    assert_eq!(spec.get("note").map(|n| n.mark), Some(at(12, 5)));
    if let Value::Map(e) = &root.value {
        assert_eq!((e[1].0.mark, e[1].1.mark), (at(2, 1), at(3, 3)));
    }
    // Columns count characters, not bytes.
    let root = one("é: [ü, x]\n");
    let Some(Value::Seq(v)) = root.get("é").map(|n| &n.value) else {
        panic!("seq")
    };
    assert_eq!((v[0].mark, v[1].mark), (at(1, 5), at(1, 8)));
}

#[test]
fn syntax_errors_have_marks_and_plain_messages() {
    let rows: &[(&str, Mark)] = &[
        ("a: b: c\n", at(1, 5)),
        ("a:\n  - b\n  c: d\n", at(3, 3)),
        ("[1, 2\n", at(2, 1)),
        ("a: 'x\n", at(1, 4)),
        ("a: \"\\q\"\n", at(1, 4)),
        ("a:\n\tb: 1\n", at(2, 2)),
        ("a: @x\n", at(1, 4)),
        ("- a\nb: c\n", at(2, 1)),
    ];
    for (text, mark) in rows {
        let e = err(text);
        assert_eq!(e.mark, Some(*mark), "{text:?}: {e}");
        let first = e.message.chars().next().unwrap_or(' ');
        assert!(!first.is_uppercase() && !e.message.ends_with('.'), "{e}");
    }
}

/// go-yaml accepts `\'` in double quotes (libyaml's extension); one of the
/// Kubernetes documentation's examples relies on it.
#[test]
fn a_backslash_single_quote_reads_as_go_yaml_reads_it() {
    let cases = [
        ("a: \"x\\'y\"\n", "x'y"),
        ("a: [1, \"p\\'q\\'r\"]\n", "p'q'r"),
        ("a: \"\\\\\\'\"\n", "\\'"),
        ("a: 'it''s \\'\n", "it's \\"),
    ];
    for (text, want) in cases {
        let docs = parse_stream(text, &Limits::default()).unwrap();
        let value = match &docs[0].root.value {
            Value::Map(entries) => match &entries[0].1.value {
                Value::String(s) => s.clone(),
                Value::Seq(items) => items.last().map(|n| n.text()).unwrap(),
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        };
        assert_eq!(value, want, "{text:?}");
    }
    // Any other unknown escape is still an error.
    assert!(parse_stream("a: \"\\q\"\n", &Limits::default()).is_err());
}
