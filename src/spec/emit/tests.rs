//! The emitter's layout and quoting, and a property test: generated values
//! written by [`to_yaml`] read back the same through `yaml::parse_stream`.

use serde_json::{Number, json};

use super::to_yaml;
use crate::spec::node::{Node, Value as Yaml};
use crate::spec::yaml::{Limits, parse_stream};

/// The node tree as JSON, as sigs.k8s.io/yaml would hand it on.
fn to_json(node: &Node) -> serde_json::Value {
    use serde_json::Value as J;
    match &node.value {
        Yaml::Null => J::Null,
        Yaml::Bool(b) => J::Bool(*b),
        Yaml::Int(i) => J::Number((*i).into()),
        Yaml::Float(f) => Number::from_f64(*f).map_or(J::Null, J::Number),
        Yaml::String(s) => J::String(s.clone()),
        Yaml::Seq(items) => J::Array(items.iter().map(to_json).collect()),
        Yaml::Map(entries) => J::Object(
            entries
                .iter()
                .map(|(k, v)| match &k.value {
                    Yaml::String(s) => (s.clone(), to_json(v)),
                    _ => (k.text(), to_json(v)),
                })
                .collect(),
        ),
    }
}

fn read_back(text: &str) -> serde_json::Value {
    let docs = parse_stream(text, &Limits::default())
        .unwrap_or_else(|e| panic!("cannot read back {text:?}: {e} at {:?}", e.mark));
    assert_eq!(docs.len(), 1, "{text:?}");
    to_json(&docs[0].root)
}

#[test]
fn kubectl_layout() {
    let pod = json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "web", "labels": {}, "annotations": {"a": "yes"}},
        "spec": {"containers": [
            {"name": "c", "image": "busybox", "args": ["--port=80", "-c", "- x"],
             "ports": [], "env": [{"name": "MODE", "value": "0644"}]},
        ]},
    });
    let expected = "\
apiVersion: v1
kind: Pod
metadata:
  annotations:
    a: \"yes\"
  labels: {}
  name: web
spec:
  containers:
  - args:
    - --port=80
    - -c
    - \"- x\"
    env:
    - name: MODE
      value: \"0644\"
    image: busybox
    name: c
    ports: []
";
    assert_eq!(to_yaml(&pod), expected);
    assert_eq!(read_back(expected), pod);
}

#[test]
fn scalars_are_quoted_when_plain_would_change_them() {
    let cases: &[(&str, &str)] = &[
        ("yes", "\"yes\""),
        ("0644", "\"0644\""),
        ("1.0", "\"1.0\""),
        ("", "\"\""),
        ("null", "\"null\""),
        ("~", "\"~\""),
        (" a", "\" a\""),
        ("a ", "\"a \""),
        ("a: b", "\"a: b\""),
        ("a #b", "\"a #b\""),
        ("a:", "\"a:\""),
        ("*x", "\"*x\""),
        ("&x", "\"&x\""),
        ("!x", "\"!x\""),
        ("%x", "\"%x\""),
        ("@x", "\"@x\""),
        ("`x", "\"`x\""),
        ("'x", "\"'x\""),
        ("\"x", "\"\\\"x\""),
        ("{x", "\"{x\""),
        ("[x", "\"[x\""),
        ("#x", "\"#x\""),
        ("?x", "\"?x\""),
        ("-", "\"-\""),
        ("---", "\"---\""),
        ("2001-12-14", "\"2001-12-14\""),
        ("1:20", "\"1:20\""),
        ("tab\there", "\"tab\\there\""),
        ("\u{85}", "\"\\u0085\""),
        ("a#b", "a#b"),
        ("a:b", "a:b"),
        ("--port=80", "--port=80"),
        ("8080:80", "8080:80"),
        ("héllo wörld", "héllo wörld"),
        ("a,b]", "a,b]"),
    ];
    for (s, written) in cases {
        let text = to_yaml(&json!({ "k": s }));
        assert_eq!(text, format!("k: {written}\n"), "{s:?}");
        assert_eq!(read_back(&text), json!({ "k": s }), "{s:?}");
    }
}

#[test]
fn multi_line_strings_use_literal_blocks() {
    let cases: &[(&str, &str)] = &[
        ("a\nb", "k: |-\n  a\n  b\n"),
        ("a\nb\n", "k: |\n  a\n  b\n"),
        ("a\n\nb\n\n", "k: |+\n  a\n\n  b\n\n"),
        ("a\n  b\n", "k: |\n  a\n    b\n"),
        ("\na", "k: |-\n\n  a\n"),
        (" a\nb", "k: \" a\\nb\"\n"),
        ("a \nb", "k: \"a \\nb\"\n"),
        ("\n", "k: \"\\n\"\n"),
        ("a\tb\nc", "k: \"a\\tb\\nc\"\n"),
    ];
    for (s, written) in cases {
        let text = to_yaml(&json!({ "k": s }));
        assert_eq!(text, *written, "{s:?}");
        assert_eq!(read_back(&text), json!({ "k": s }), "{s:?}");
    }
    let nested = json!([["x\ny\n", {"k": ["a\nb"]}]]);
    assert_eq!(read_back(&to_yaml(&nested)), nested);
}

#[test]
fn top_level_and_empty_values() {
    for v in [
        json!(null),
        json!(true),
        json!(12),
        json!(-1.5),
        json!("---\n...\n"),
        json!({}),
        json!([]),
        json!([{}, [], null, {"<<": 1, "": 2, "1": 3}]),
    ] {
        assert_eq!(read_back(&to_yaml(&v)), v, "{}", to_yaml(&v));
    }
    assert_eq!(to_yaml(&json!({})), "{}\n");
    assert_eq!(to_yaml(&json!([[1, 2], []])), "- - 1\n  - 2\n- []\n");
}

#[test]
fn long_keys_are_explicit() {
    let key = "k".repeat(1500);
    let v = json!({ key.clone(): {"a": [1]}, "b": key });
    assert_eq!(read_back(&to_yaml(&v)), v);
}

/// xorshift64*: a small deterministic generator, no crate needed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize % n
    }

    fn string(&mut self) -> String {
        const PIECES: &[&str] = &[
            "",
            " ",
            "a",
            "yes",
            "No",
            "on",
            "0644",
            "0x1F",
            "1_000",
            "1.0",
            "1e3",
            ".5",
            "-",
            "- ",
            ":",
            ": ",
            "#",
            " #",
            "'",
            "\"",
            "\\",
            "\n",
            "\n\n",
            "\t",
            "\r",
            "|",
            ">",
            "?",
            "@",
            "`",
            "{",
            "}",
            "[",
            "]",
            ",",
            "&",
            "*",
            "!",
            "%",
            "<<",
            "~",
            "null",
            ".inf",
            "é",
            "日本",
            "\u{85}",
            "\u{2028}",
            "\u{feff}",
            "\u{1F600}",
            "\0",
            "\u{7f}",
            "---",
            "...",
            "2001-12-14",
            "1:20",
            "  ",
            "x\n",
            "+1",
            "=",
        ];
        (0..self.below(5))
            .map(|_| PIECES[self.below(PIECES.len())])
            .collect()
    }

    fn value(&mut self, depth: usize) -> serde_json::Value {
        use serde_json::Value as J;
        match self.below(if depth == 0 { 5 } else { 7 }) {
            0 => J::Null,
            1 => J::Bool(self.below(2) == 1),
            2 if self.below(2) == 0 => json!(self.0 as i64),
            2 => Number::from_f64(f64::from_bits(self.0)).map_or(J::Null, J::Number),
            3 | 4 => J::String(self.string()),
            5 => J::Array((0..self.below(4)).map(|_| self.value(depth - 1)).collect()),
            _ => J::Object(
                (0..self.below(4))
                    .map(|_| (self.string(), self.value(depth - 1)))
                    .collect(),
            ),
        }
    }
}

#[test]
fn generated_values_read_back_the_same() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..20_000 {
        let v = rng.value(4);
        let text = to_yaml(&v);
        assert_eq!(read_back(&text), v, "{text}");
    }
}
