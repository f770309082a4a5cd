//! From files to one pod: reading the inputs, splitting the documents, and
//! telling a Pod from a workload, a ConfigMap or a Secret.
//!
//! A manifest is one or more files (`-` is stdin), each one or more YAML
//! documents. Exactly one document must describe the pod: a `kind: Pod`, or
//! a Deployment, ReplicaSet, StatefulSet, DaemonSet, Job or CronJob whose
//! pod template is run once (with a warning naming what is ignored).
//! ConfigMaps and Secrets feed volumes and env, as `podman kube play` does;
//! a `kind: List` is opened; other kinds (a Service, say) are ignored with a
//! warning. Defaults and validation follow in [`super::check`].

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::sync::Arc;

use super::diag::{Diag, FieldPath, Kind};
use super::k8s::{ConfigMap, Pod, Secret};
use super::node::{Mark, Node};
use super::yaml::{self, Limits};

mod reader;

/// The largest input podinit reads. The API server takes requests of at
/// most 3 MiB and etcd objects of 1.5 MiB; a manifest far beyond is a mistake.
pub const MAX_INPUT: u64 = 16 << 20;

/// One input, read.
#[derive(Debug, Clone)]
pub struct Source {
    /// Its path as given, `-` for stdin.
    pub name: Arc<str>,
    pub text: String,
}

/// Why an input could not be read: podinit validate exits 2 for these.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("{name}: cannot read: {source}")]
    Read {
        name: String,
        #[source]
        source: io::Error,
    },
    #[error("{name}: larger than {} MiB: a Kubernetes object is at most 1.5 MiB", MAX_INPUT >> 20)]
    TooLarge { name: String },
    #[error("{name}: not UTF-8 text (invalid byte at offset {offset})")]
    NotText { name: String, offset: usize },
}

/// Reads `path` (`-`: stdin), at most [`MAX_INPUT`] bytes, as UTF-8 text.
/// Every file of a command line, in order; the first that cannot be read
/// is the error.
pub fn read_sources(paths: &[String]) -> Result<Vec<Source>, InputError> {
    paths.iter().map(|p| read_source(p)).collect()
}

pub fn read_source(path: &str) -> Result<Source, InputError> {
    let read_err = |source| InputError::Read {
        name: path.to_owned(),
        source,
    };
    let mut bytes = Vec::new();
    let limit = MAX_INPUT + 1;
    if path == "-" {
        io::stdin()
            .lock()
            .take(limit)
            .read_to_end(&mut bytes)
            .map_err(read_err)?;
    } else {
        if Path::new(path).is_dir() {
            return Err(read_err(io::Error::from_raw_os_error(libc::EISDIR)));
        }
        File::open(path)
            .and_then(|file| file.take(limit).read_to_end(&mut bytes))
            .map_err(read_err)?;
    }
    if bytes.len() as u64 > MAX_INPUT {
        return Err(InputError::TooLarge {
            name: path.to_owned(),
        });
    }
    let mut text = String::from_utf8(bytes).map_err(|err| InputError::NotText {
        name: path.to_owned(),
        offset: err.utf8_error().valid_up_to(),
    })?;
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    Ok(Source {
        name: path.into(),
        text,
    })
}

/// Where the pod came from.
#[derive(Debug, Clone)]
pub struct Origin {
    /// `Pod`, `Deployment`, ...
    pub kind: String,
    pub file: Arc<str>,
    pub mark: Mark,
}

/// The one pod of a manifest, before defaults and validation, and what
/// feeds it.
#[derive(Debug, Clone)]
pub struct Found {
    pub pod: Pod,
    pub origin: Origin,
    /// The pod's document, to place diagnostics and check fields.
    pub node: Node,
    /// Where the pod's metadata and spec are in that document
    /// (`spec.template.spec` for a Deployment).
    pub meta_path: FieldPath,
    pub spec_path: FieldPath,
    /// Paths skipped because of a type error: no further diagnostics there.
    pub skipped: Vec<FieldPath>,
    /// The ConfigMaps and Secrets of the pod's namespace, by name.
    pub config_maps: BTreeMap<String, ConfigMap>,
    pub secrets: BTreeMap<String, Secret>,
    /// A StatefulSet's volumeClaimTemplates: names a mount may use.
    pub claim_templates: Vec<String>,
}

/// A ConfigMap or a Secret document.
#[derive(Debug, Clone)]
pub(crate) enum Config {
    Map(ConfigMap),
    Secret(Secret),
}

/// A ConfigMap or Secret as read, before the pod's namespace is known.
#[derive(Debug, Clone)]
pub(crate) struct ConfigDoc {
    pub(crate) name: String,
    pub(crate) namespace: Option<String>,
    pub(crate) config: Config,
    pub(crate) file: Arc<str>,
    pub(crate) mark: Mark,
}

/// What reading the documents gave.
#[derive(Debug, Default)]
pub struct Documents {
    pub found: Option<Found>,
    pub diags: Vec<Diag>,
    /// Some input was not YAML at all.
    pub not_yaml: bool,
}

/// The candidates for "the pod", to refuse a second one.
pub(crate) struct Candidate {
    pub(crate) found: Found,
}

/// Reads every document of every source.
pub fn documents(sources: &[Source]) -> Documents {
    let mut out = Documents::default();
    let mut pods: Vec<Candidate> = Vec::new();
    let mut configs: Vec<ConfigDoc> = Vec::new();
    for source in sources {
        let docs = match yaml::parse_stream(&source.text, &Limits::default()) {
            Ok(docs) => docs,
            Err(err) => {
                let message = format!("not YAML: {}", err.message);
                let mut diag = Diag::error(Kind::Syntax, FieldPath::root(), message).at(err.mark);
                diag.file = Some(source.name.clone());
                out.diags.push(diag);
                out.not_yaml = true;
                continue;
            }
        };
        let mut reader = reader::Reader {
            file: source.name.clone(),
            diags: Vec::new(),
            pods: &mut pods,
            configs: &mut configs,
        };
        for doc in docs {
            reader.object(doc.root, true);
        }
        out.diags.extend(reader.diags);
    }
    // "No pod" after an error is only its echo: say it when nothing else did.
    let quiet = !out.diags.iter().any(Diag::is_error);
    match pods.len() {
        0 if quiet => out.diags.push(Diag::error(
            Kind::Invalid,
            FieldPath::root(),
            "no pod in the manifest: podinit needs a Pod, or a Deployment, ReplicaSet, StatefulSet, DaemonSet, Job or CronJob",
        )),
        0 | 1 => {}
        _ => {
            let list: Vec<String> = pods
                .iter()
                .map(|c| format!("{} at {}:{}", c.found.origin.kind, c.found.origin.file, c.found.origin.mark))
                .collect();
            let message = format!("more than one pod: podinit runs one pod per manifest; found {}", list.join(", "));
            let mut diag = Diag::error(Kind::Invalid, FieldPath::root(), message).at(Some(pods[1].found.origin.mark));
            diag.file = Some(pods[1].found.origin.file.clone());
            out.diags.push(diag);
        }
    }
    if pods.len() == 1 {
        if let Some(Candidate { mut found }) = pods.pop() {
            resolve_configs(&mut found, configs, &mut out.diags);
            out.found = Some(found);
        }
    }
    out
}

/// Gives the pod the ConfigMaps and Secrets of its namespace. A document
/// without a namespace goes where the pod goes (as `kubectl apply -n`
/// would put both); one in another namespace is not the pod's, and says so.
/// Of two with the same name, the last wins, as `kubectl apply` applies
/// both in order; a warning says so, once a name.
fn resolve_configs(found: &mut Found, configs: Vec<ConfigDoc>, diags: &mut Vec<Diag>) {
    let pod_namespace = found
        .pod
        .metadata
        .as_ref()
        .and_then(|m| m.namespace.clone())
        .unwrap_or_else(|| "default".into());
    let mut warned = std::collections::HashSet::new();
    for doc in configs {
        let kind = match doc.config {
            Config::Map(_) => "ConfigMap",
            Config::Secret(_) => "Secret",
        };
        let mut warn = |message: String| {
            let mut diag =
                Diag::warning(Kind::Invalid, FieldPath::parse_fields("metadata"), message)
                    .at(Some(doc.mark));
            diag.file = Some(doc.file.clone());
            diags.push(diag);
        };
        if let Some(namespace) = doc.namespace.as_ref().filter(|ns| **ns != pod_namespace) {
            warn(format!(
                "{kind} {:?} is in namespace {namespace:?}, the pod in {pod_namespace:?}: the pod cannot use it",
                doc.name
            ));
            continue;
        }
        let replaced = match doc.config {
            Config::Map(cm) => found.config_maps.insert(doc.name.clone(), cm).is_some(),
            Config::Secret(s) => found.secrets.insert(doc.name.clone(), s).is_some(),
        };
        if replaced && warned.insert((kind, doc.name.clone())) {
            warn(format!(
                "a second {kind} named {:?}: this one is used (the last one wins)",
                doc.name
            ));
        }
    }
}
