//! Any bytes, read as the manifest reader reads a file (lossy UTF-8), must
//! give `Ok` or `Err`: no panic, no hang, no memory blow-up (run with
//! `-timeout` and `-rss_limit_mb`, see README.md).
//!
//! An input that starts with byte 0x01 is read (without that byte) under
//! tiny limits, so that the depth, node, alias and read-ahead limits are
//! hit and their paths fuzzed too; any other input under the defaults
//! podinit uses, so plain YAML files work as seeds.

#![no_main]

use libfuzzer_sys::fuzz_target;
use podinit::spec::node::{Node, Value};
use podinit::spec::yaml::{Limits, parse_stream};

fuzz_target!(|data: &[u8]| {
    let (limits, data) = match data.split_first() {
        Some((1, rest)) => {
            let tiny = Limits {
                max_depth: 4,
                max_nodes: 64,
                max_alias_bytes: 256,
                max_lookahead_tokens: 16,
            };
            (tiny, rest)
        }
        _ => (Limits::default(), data),
    };
    let text = String::from_utf8_lossy(data);
    if let Ok(docs) = parse_stream(&text, &limits) {
        // Walk the tree: every node must be reachable without recursion
        // trouble, and marks must be positions that exist.
        // YAML breaks lines at `\r` too; one more for a mark at the end.
        let lines = text.matches(['\n', '\r']).count() + 2;
        let mut stack: Vec<&Node> = docs.iter().map(|d| &d.root).collect();
        while let Some(node) = stack.pop() {
            assert!(node.mark.line >= 1 && node.mark.column >= 1);
            assert!(
                node.mark.line as usize <= lines,
                "{:?} past line {lines}",
                node.mark
            );
            match &node.value {
                Value::Seq(items) => stack.extend(items),
                Value::Map(entries) => {
                    for (k, v) in entries {
                        assert!(matches!(k.value, Value::String(_)));
                        stack.push(k);
                        stack.push(v);
                    }
                }
                _ => {}
            }
        }
    }
});
