//! Hostile and odd input: limits on depth, nodes, aliases and read-ahead
//! that must fail fast, and bytes that are not YAML at all.

use std::time::{Duration, Instant};

use super::tests::{at, err, s, value_of};
use super::{Limits, parse_stream};
use crate::spec::node::Value;

#[test]
fn bom_tabs_and_odd_input() {
    assert_eq!(value_of("\u{feff}a: 1\n", "a"), Value::Int(1));
    assert_eq!(value_of("a: 1\r\nb: |\r\n  x\r\n", "b"), s("x\n"));
    assert_eq!(value_of("a: 1\rb: 2\r", "b"), Value::Int(2));
    assert_eq!(value_of("a: \t1\n", "a"), Value::Int(1));
    // saphyr-parser refuses a tab as the only separator after ':' before a
    // word (go-yaml accepts it).
    let e = err("a:\tb\n");
    assert_eq!(
        e.message,
        "a tab after ':' cannot separate a value here; use a space"
    );
    assert_eq!(value_of("a: \"x\ty\"\n", "a"), s("x\ty"));
    for text in [
        "\0",
        "\u{fffd}\u{fffd}",
        "a: \u{1}",
        "- [\n- {",
        "*",
        "&",
        "!",
        "%",
        "@",
    ] {
        let _ = parse_stream(text, &Limits::default());
    }
}

#[test]
fn billion_laughs_fails_fast() {
    let mut text = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 9].join(", ");
        text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    let start = Instant::now();
    let e = err(&text);
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(
        e.message,
        "document expands to more than 1000000 nodes (aliases)"
    );
    // One long string aliased many times: few nodes, many bytes.
    let big = "x".repeat(1 << 20);
    let e = err(&format!(
        "a: &s {big}\nb: [{}]\n",
        vec!["*s"; 20].join(", ")
    ));
    assert!(e.message.contains("bytes of text (aliases)"), "{e}");
}

#[test]
fn depth_is_bounded() {
    let start = Instant::now();
    // The scanner reads a flow collection ahead and stops at its own limit.
    let e = err(&"[".repeat(100_000));
    assert_eq!(e.message, "nesting deeper than 255 flow levels");
    let e = err(&format!("- {}", "[".repeat(200)));
    assert_eq!(e.message, "nesting deeper than 128 levels");
    assert_eq!(e.mark, Some(at(1, 130)));
    let mut block = String::new();
    for i in 0..200 {
        block.push_str(&format!("{}k:\n", " ".repeat(i)));
    }
    assert_eq!(err(&block).message, "nesting deeper than 128 levels");
    // An alias of a deep node used deep down.
    let nest = |n: usize| format!("{}1{}", "[".repeat(n), "]".repeat(n));
    let text = format!("a: &d {}\nb: {}\n", nest(100), nest(40).replace('1', "*d"));
    assert_eq!(
        err(&text).message,
        "alias makes nesting deeper than 128 levels"
    );
    assert!(start.elapsed() < Duration::from_secs(1));
    let limits = Limits {
        max_depth: 2,
        ..Limits::default()
    };
    assert!(parse_stream("a: {b: 1}", &limits).is_ok());
    assert!(parse_stream("a: {b: [1]}", &limits).is_err());
}

#[test]
fn node_limit_counts_plain_documents_too() {
    let limits = Limits {
        max_nodes: 10,
        ..Limits::default()
    };
    assert!(parse_stream("[1, 2, 3, 4, 5, 6, 7, 8]", &limits).is_ok());
    let e = parse_stream("[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]", &limits)
        .err()
        .map(|e| e.message);
    assert_eq!(e.as_deref(), Some("the input has more than 10 nodes"));
}

#[test]
fn flow_read_ahead_is_bounded() {
    // saphyr-parser would hold every token of this before the first event.
    let text = format!("[{}1]", "1,".repeat(200_000));
    let start = Instant::now();
    let e = err(&text);
    assert_eq!(
        e.message,
        "more than 250000 tokens to read before the next node: a flow collection ([...] or \
         {...}) or a quoted string this long cannot be read; write it in block style"
    );
    assert_eq!(e.mark, Some(at(1, 1)));
    assert!(start.elapsed() < Duration::from_secs(1));
    // Block style of any length never trips it, nor do a few thousand
    // entries in flow style (a JSON manifest).
    let json = format!("{{\"a\": [{}1]}}", "1, ".repeat(20_000));
    assert!(parse_stream(&json, &Limits::default()).is_ok());
    let limits = Limits {
        max_lookahead_tokens: 8,
        ..Limits::default()
    };
    let block = "a:\n".to_owned() + &"- [x, y]\n".repeat(1000);
    assert!(parse_stream(&block, &limits).is_ok());
    // A mapping value is no key candidate: saphyr hands out its events.
    assert!(parse_stream("k: [a, b, c, d, e, f, g, h, i, j]", &limits).is_ok());
    assert!(parse_stream("- [a, b, c, d, e, f, g, h, i, j]", &limits).is_err());
    assert!(parse_stream("{a: 1, b: 2, c: 3, d: 4, e: 5}", &limits).is_err());
    // A block scalar costs two steps whatever its length; a quoted one a
    // step per run of spaces.
    assert!(parse_stream("k: |\n  a b c d e f g h i j\n  k\n  l\n", &limits).is_ok());
    assert!(parse_stream("k: 'a,b,c,d,e,f,g,h,i,j'", &limits).is_ok());
    assert!(parse_stream("- [\"a b c d e f g h i j\"]", &limits).is_err());
}
