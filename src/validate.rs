//! `podinit validate`: check a manifest and say what is wrong, for a person.
//!
//! Diagnostics go to stderr, one per line (`FILE:LINE:COL: error: PATH:
//! MESSAGE`), then a summary; with `-o yaml|json` the defaulted pod goes to
//! stdout. Exit status: 0 valid, 1 invalid, 2 unreadable or not YAML.

use std::io::Write;

use crate::cli::{Output, ValidateArgs};
use crate::exit::ExitCode;
use crate::spec::check::{self, Options};
use crate::spec::load;
use crate::spec::{emit, plan};

/// Runs `podinit validate`.
pub fn run(args: &ValidateArgs) -> ExitCode {
    let mut stderr = std::io::stderr().lock();
    let sources = match load::read_sources(&args.files) {
        Ok(sources) => sources,
        Err(err) => {
            let _ = writeln!(stderr, "podinit validate: {err}");
            return ExitCode::BadInput;
        }
    };
    let options = Options {
        ignore_unsupported: args.ignore_unsupported,
    };
    let checked = check::check(&sources, options);
    for diag in &checked.diags {
        let _ = writeln!(stderr, "{diag}");
    }
    if checked.not_yaml {
        return ExitCode::BadInput;
    }
    // A manifest that passed validation must make a plan: the runtime's
    // input. Anything else is a gap in validation, said as such.
    if let (Some(_), Err(errors)) = (checked.pod(), plan::plan(&checked)) {
        for diag in errors {
            let _ = writeln!(stderr, "{diag}");
        }
        return ExitCode::Invalid;
    }
    let Some(pod) = checked.pod() else {
        let _ = writeln!(
            stderr,
            "invalid: {} error{}, {} warning{}",
            checked.errors(),
            plural(checked.errors()),
            checked.warnings(),
            plural(checked.warnings())
        );
        return ExitCode::Invalid;
    };
    let mut stdout = std::io::stdout().lock();
    // Both formats go through serde_json::Value (one instantiation of every
    // Serialize impl, for binary size). The ConfigMaps and Secrets come
    // along, so that the output is a manifest that runs as it is.
    let written = match args.output {
        Some(format) => objects(&checked).map(|objects| match format {
            Output::Yaml => objects
                .iter()
                .map(emit::to_yaml)
                .collect::<Vec<_>>()
                .join("---\n"),
            Output::Json => {
                let value = match <[serde_json::Value; 1]>::try_from(objects) {
                    Ok([one]) => one,
                    Err(many) => {
                        serde_json::json!({"apiVersion": "v1", "kind": "List", "items": many})
                    }
                };
                let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
                text.push('\n');
                text
            }
        }),
        None => {
            let name = pod
                .metadata
                .as_ref()
                .and_then(|m| {
                    m.name
                        .clone()
                        .or_else(|| m.generate_name.clone().map(|g| format!("{g}*")))
                })
                .unwrap_or_default();
            let warnings = checked.warnings();
            let tail = if warnings == 0 {
                String::new()
            } else {
                format!(", with {warnings} warning{}", plural(warnings))
            };
            Ok(format!("pod {name:?} is valid{tail}\n"))
        }
    };
    match written {
        Ok(text) => {
            let _ = stdout.write_all(text.as_bytes());
            let _ = stdout.flush();
            ExitCode::Success
        }
        Err(err) => {
            let _ = writeln!(stderr, "podinit validate: cannot print the pod: {err}");
            ExitCode::Failure
        }
    }
}

/// The defaulted pod, then the ConfigMaps and Secrets it can use.
fn objects(checked: &check::Checked) -> Result<Vec<serde_json::Value>, serde_json::Error> {
    let Some(found) = &checked.found else {
        return Ok(Vec::new());
    };
    let mut objects = vec![serde_json::to_value(&found.pod)?];
    for cm in found.config_maps.values() {
        objects.push(serde_json::to_value(cm)?);
    }
    for secret in found.secrets.values() {
        objects.push(serde_json::to_value(secret)?);
    }
    Ok(objects)
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
