//! Whatever the reader accepts, written back by the emitter, must read back
//! as the same data: `parse(to_yaml(json(parse(input)))) == json(parse(input))`.
//! This fuzzes the emitter's quoting and block-scalar choices with every
//! shape of string and tree the reader can produce.

#![no_main]

use libfuzzer_sys::fuzz_target;
use podinit::spec::emit::to_yaml;
use podinit::spec::node::{Node, Value};
use podinit::spec::yaml::{Limits, parse_stream};
use serde_json::{Number, Value as Json};

/// The tree as JSON (the shape the emitter takes); NaN and infinities,
/// which JSON cannot hold, become null.
fn json(node: &Node) -> Json {
    match &node.value {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => Json::Number((*i).into()),
        Value::Float(f) => Number::from_f64(*f).map_or(Json::Null, Json::Number),
        Value::String(s) => Json::String(s.clone()),
        Value::Seq(items) => Json::Array(items.iter().map(json).collect()),
        Value::Map(entries) => Json::Object(
            entries
                .iter()
                .map(|(k, v)| match &k.value {
                    Value::String(s) => (s.clone(), json(v)),
                    other => panic!("non-string key {other:?}"),
                })
                .collect(),
        ),
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(docs) = parse_stream(&text, &Limits::default()) else {
        return;
    };
    for doc in docs {
        let value = json(&doc.root);
        let yaml = to_yaml(&value);
        let back = match parse_stream(&yaml, &Limits::default()) {
            Ok(back) => back,
            Err(e) => panic!(
                "emitted YAML does not read back: {e} at {:?}\n{yaml}",
                e.mark
            ),
        };
        assert_eq!(back.len(), 1, "{yaml}");
        assert_eq!(json(&back[0].root), value, "{yaml}");
    }
});
