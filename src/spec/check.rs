//! The whole road from input files to a checked pod: documents, defaults,
//! the support table, validation, and every diagnostic placed at its line.

use super::defaults;
use super::diag::{Diag, FieldPath, Kind};
use super::fields::{Marks, check_support};
use super::k8s::Pod;
use super::load::{self, Found, Source};
use super::node::{Node, Value};
use super::validate::{self, Context};

/// How strict to be.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Unsupported fields are warnings instead of errors.
    pub ignore_unsupported: bool,
}

/// What checking a manifest found.
#[derive(Debug)]
pub struct Checked {
    /// The pod's document and what feeds it; the pod in it is defaulted.
    pub found: Option<Found>,
    /// Every diagnostic, in the order of the documents.
    pub diags: Vec<Diag>,
    /// Some input was not YAML at all.
    pub not_yaml: bool,
}

impl Checked {
    /// The pod when nothing is in error.
    pub fn pod(&self) -> Option<&Pod> {
        if self.diags.iter().any(Diag::is_error) {
            return None;
        }
        self.found.as_ref().map(|f| &f.pod)
    }

    pub fn errors(&self) -> usize {
        self.diags.iter().filter(|d| d.is_error()).count()
    }

    pub fn warnings(&self) -> usize {
        self.diags.len() - self.errors()
    }
}

/// Reads, defaults and validates the manifest made of `sources`.
pub fn check(sources: &[Source], options: Options) -> Checked {
    let docs = load::documents(sources);
    let mut diags = docs.diags;
    let Some(mut found) = docs.found else {
        return Checked {
            found: None,
            diags,
            not_yaml: docs.not_yaml,
        };
    };
    defaults::apply(&mut found.pod);
    let mut pod_diags = Vec::new();
    if let Some(status) =
        node_at(&found.node, &FieldPath::root().field("status")).filter(|n| !is_empty(n))
    {
        let message = "ignored: the status is written by podinit, not read";
        pod_diags.push(
            Diag::warning(Kind::Ignored, FieldPath::root().field("status"), message)
                .at(Some(status.mark)),
        );
    }
    for (path, schema) in [(&found.meta_path, "metadata"), (&found.spec_path, "spec")] {
        if let Some(node) = node_at(&found.node, path) {
            check_support(
                node,
                path,
                schema,
                options.ignore_unsupported,
                &mut pod_diags,
            );
        }
    }
    let cx = Context {
        kind: &found.origin.kind,
        meta_path: &found.meta_path,
        spec_path: &found.spec_path,
        config_maps: &found.config_maps,
        secrets: &found.secrets,
        ignore_unsupported: options.ignore_unsupported,
        skipped: &found.skipped,
        claim_templates: &found.claim_templates,
    };
    pod_diags.extend(validate::validate(&found.pod, cx));
    if !found.claim_templates.is_empty() {
        let message = "persistent volume claims need a cluster (with --ignore-unsupported, each claim is an empty directory)";
        pod_diags.push(unsupported(
            FieldPath::parse_fields("spec.volumeClaimTemplates"),
            message,
            options,
        ));
    }
    let root = FieldPath::root();
    Marks::new(&found.node, &root).place(&mut pod_diags);
    for diag in &mut pod_diags {
        diag.file = Some(found.origin.file.clone());
    }
    diags.extend(pod_diags);
    drop_echoes(&mut diags);
    sort(&mut diags, sources);
    Checked {
        found: Some(found),
        diags,
        not_yaml: docs.not_yaml,
    }
}

/// An unsupported field: an error, or a warning with --ignore-unsupported.
fn unsupported(path: FieldPath, note: &str, options: Options) -> Diag {
    let message = format!("not supported by podinit: {note}");
    if options.ignore_unsupported {
        Diag::warning(Kind::Unsupported, path, message + " (ignored)")
    } else {
        Diag::error(Kind::Unsupported, path, message)
    }
}

/// A warning about a field that also has an error adds nothing
/// (`stdin: "true"` is a type error, not also "ignored").
fn drop_echoes(diags: &mut Vec<Diag>) {
    let errors: std::collections::HashSet<(Option<std::sync::Arc<str>>, FieldPath)> = diags
        .iter()
        .filter(|d| d.is_error())
        .map(|d| (d.file.clone(), d.path.clone()))
        .collect();
    diags.retain(|d| {
        d.is_error() || d.path.is_root() || !errors.contains(&(d.file.clone(), d.path.clone()))
    });
}

/// In reading order: by file (as given), then line and column; the ones
/// about the manifest as a whole last.
fn sort(diags: &mut [Diag], sources: &[Source]) {
    let file_index = |d: &Diag| {
        d.file
            .as_ref()
            .and_then(|f| sources.iter().position(|s| &s.name == f))
            .unwrap_or(usize::MAX)
    };
    diags.sort_by_key(|d| (file_index(d), d.mark));
}

/// The node at `path` (fields only) below `root`.
fn node_at<'n>(root: &'n Node, path: &FieldPath) -> Option<&'n Node> {
    let mut node = root;
    for seg in path.segs() {
        match seg {
            super::diag::Seg::Field(name) => node = node.get(name)?,
            _ => return None,
        }
    }
    Some(node)
}

fn is_empty(node: &Node) -> bool {
    match &node.value {
        Value::Null => true,
        Value::Map(entries) => entries.is_empty(),
        _ => false,
    }
}
