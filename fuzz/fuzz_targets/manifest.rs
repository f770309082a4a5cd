//! The whole manifest reader, as `podinit validate` runs it: documents,
//! types, defaults, the support table, validation, and the plan of whatever
//! passes. Any input must end in diagnostics or a plan: no panic, no hang.
//! Every diagnostic must render, and a manifest without errors must plan.

#![no_main]

use libfuzzer_sys::fuzz_target;
use podinit::spec::check::{Options, check};
use podinit::spec::load::Source;
use podinit::spec::plan::plan;

fuzz_target!(|data: &[u8]| {
    let (ignore_unsupported, data) = match data.split_first() {
        Some((1, rest)) => (true, rest),
        _ => (false, data),
    };
    let source = Source {
        name: "fuzz.yaml".into(),
        text: String::from_utf8_lossy(data).into_owned(),
    };
    let checked = check(&[source], Options { ignore_unsupported });
    for diag in &checked.diags {
        let _ = diag.to_string();
    }
    if checked.pod().is_some() {
        assert!(plan(&checked).is_ok(), "a valid manifest must plan");
    }
});
