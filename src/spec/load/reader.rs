//! One document at a time: what kind it is, and what it brings to the
//! manifest (the pod, a ConfigMap, a Secret, a List's items).

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{Candidate, Found, Origin};
use crate::spec::de::decode;
use crate::spec::diag::{Diag, FieldPath, Kind};
use crate::spec::fields::Marks;
use crate::spec::k8s::{
    ConfigMap, CronJob, DaemonSet, Deployment, Job, Pod, PodTemplateSpec, ReplicaSet, Secret,
    StatefulSet,
};
use crate::spec::node::{Mark, Node, Value};
use crate::spec::validate::config_document;

pub(super) struct Reader<'a> {
    pub(super) file: Arc<str>,
    pub(super) diags: Vec<Diag>,
    pub(super) pods: &'a mut Vec<Candidate>,
    pub(super) config_maps: &'a mut BTreeMap<String, ConfigMap>,
    pub(super) secrets: &'a mut BTreeMap<String, Secret>,
}

/// The pod template's place in each workload kind.
const TEMPLATES: &[(&str, &str, &str)] = &[
    ("apps/v1", "Deployment", "spec.template"),
    ("apps/v1", "ReplicaSet", "spec.template"),
    ("apps/v1", "StatefulSet", "spec.template"),
    ("apps/v1", "DaemonSet", "spec.template"),
    ("batch/v1", "Job", "spec.template"),
    ("batch/v1", "CronJob", "spec.jobTemplate.spec.template"),
];

impl Reader<'_> {
    fn push(&mut self, mut diag: Diag, mark: Mark) {
        diag.file = Some(self.file.clone());
        self.diags.push(diag.at(Some(mark)));
    }

    /// One document (or one item of a List).
    pub(super) fn object(&mut self, root: &Node, top: bool) {
        if root.value == Value::Null {
            return;
        }
        if !matches!(root.value, Value::Map(_)) {
            let message = format!(
                "expected a Kubernetes object (a map with apiVersion and kind), got {}",
                root.value.kind()
            );
            self.push(
                Diag::error(Kind::Syntax, FieldPath::root(), message),
                root.mark,
            );
            return;
        }
        let (Some(api_version), Some(kind)) = (root.get_str("apiVersion"), root.get_str("kind"))
        else {
            let message = "apiVersion and kind are required, such as apiVersion: v1 and kind: Pod";
            self.push(
                Diag::error(Kind::Invalid, FieldPath::root(), message),
                root.mark,
            );
            return;
        };
        let expected = match kind {
            "Pod" | "ConfigMap" | "Secret" => "v1",
            "List" if top => "v1",
            _ => match TEMPLATES.iter().find(|(_, k, _)| *k == kind) {
                Some((version, _, _)) => version,
                None => {
                    let message = format!(
                        "{api_version} {kind} ignored: podinit runs one pod, and a {kind} has no meaning on one node"
                    );
                    self.push(
                        Diag::warning(Kind::Ignored, FieldPath::root(), message),
                        root.mark,
                    );
                    return;
                }
            },
        };
        if api_version != expected {
            let message = format!("{kind} is served as apiVersion {expected}, not {api_version}");
            let mark = root.get("apiVersion").map_or(root.mark, |n| n.mark);
            self.push(
                Diag::error(
                    Kind::Invalid,
                    FieldPath::root().field("apiVersion"),
                    message,
                ),
                mark,
            );
            return;
        }
        match kind {
            "Pod" => self.pod(root),
            "ConfigMap" => self.config_map(root),
            "Secret" => self.secret(root),
            "List" => self.list(root),
            _ => self.workload(root, kind),
        }
    }

    fn list(&mut self, root: &Node) {
        match root.get("items").map(|n| &n.value) {
            Some(Value::Seq(items)) => {
                for item in items {
                    self.object(item, false);
                }
            }
            _ => {
                let message = "a List needs items";
                self.push(
                    Diag::error(Kind::Invalid, FieldPath::root().field("items"), message),
                    root.mark,
                );
            }
        }
    }

    /// Decodes a document, keeping its diagnostics.
    fn decode<T: serde::de::DeserializeOwned>(
        &mut self,
        root: &Node,
    ) -> (Option<T>, Vec<FieldPath>) {
        let decoded = decode::<T>(root, &FieldPath::root());
        for mut diag in decoded.diags {
            diag.file = Some(self.file.clone());
            self.diags.push(diag);
        }
        (decoded.value, decoded.skipped)
    }

    fn pod(&mut self, root: &Node) {
        let (Some(pod), skipped) = self.decode::<Pod>(root) else {
            return;
        };
        self.found(
            pod,
            "Pod",
            root,
            FieldPath::root().field("metadata"),
            FieldPath::root().field("spec"),
            skipped,
        );
    }

    fn workload(&mut self, root: &Node, kind: &str) {
        let (template, skipped) = match kind {
            "Deployment" => self.template::<Deployment>(root, |d| d.spec.and_then(|s| s.template)),
            "ReplicaSet" => self.template::<ReplicaSet>(root, |d| d.spec.and_then(|s| s.template)),
            "StatefulSet" => {
                self.template::<StatefulSet>(root, |d| d.spec.and_then(|s| s.template))
            }
            "DaemonSet" => self.template::<DaemonSet>(root, |d| d.spec.and_then(|s| s.template)),
            "Job" => self.template::<Job>(root, |d| d.spec.and_then(|s| s.template)),
            _ => self.template::<CronJob>(root, |d| {
                d.spec
                    .and_then(|s| s.job_template)
                    .and_then(|j| j.spec)
                    .and_then(|s| s.template)
            }),
        };
        let place = TEMPLATES
            .iter()
            .find(|(_, k, _)| *k == kind)
            .map_or("spec.template", |t| t.2);
        let base = FieldPath::parse_fields(place);
        let Some(template) = template else {
            let message = format!("a {kind} needs a pod template at {place}");
            self.push(Diag::error(Kind::Invalid, base, message), root.mark);
            return;
        };
        self.ignored_workload_fields(root, kind, place);
        // The pod of the template takes the workload's name and namespace
        // when it has none, as its controller would name it after them.
        let mut meta = template.metadata.unwrap_or_default();
        let outer = root.get("metadata");
        if meta.name.is_none() && meta.generate_name.is_none() {
            meta.name = outer.and_then(|m| m.get_str("name")).map(str::to_owned);
        }
        if meta.namespace.is_none() {
            meta.namespace = outer
                .and_then(|m| m.get_str("namespace"))
                .map(str::to_owned);
        }
        let pod = Pod {
            api_version: Some("v1".into()),
            kind: Some("Pod".into()),
            metadata: Some(meta),
            spec: template.spec,
            status: None,
        };
        self.found(
            pod,
            kind,
            root,
            base.field("metadata"),
            base.field("spec"),
            skipped,
        );
    }

    fn template<W: serde::de::DeserializeOwned>(
        &mut self,
        root: &Node,
        get: impl FnOnce(W) -> Option<PodTemplateSpec>,
    ) -> (Option<PodTemplateSpec>, Vec<FieldPath>) {
        let (workload, skipped) = self.decode::<W>(root);
        (workload.and_then(get), skipped)
    }

    /// One warning naming the workload's own fields that one pod ignores.
    fn ignored_workload_fields(&mut self, root: &Node, kind: &str, place: &str) {
        let mut ignored = Vec::new();
        let mut node = root.get("spec");
        let mut prefix = String::from("spec");
        // Walk down to the template, collecting the siblings on the way.
        for step in place.split('.').skip(1) {
            let Some(Node {
                value: Value::Map(entries),
                ..
            }) = node
            else {
                break;
            };
            for (key, _) in entries {
                let name = key.text();
                if name != step {
                    ignored.push(format!("{prefix}.{name}"));
                }
            }
            node = node.and_then(|n| n.get(step));
            prefix = format!("{prefix}.{step}");
        }
        let mut message =
            format!("one pod of this {kind}'s template runs; podinit is no controller");
        match ignored.as_slice() {
            [] => {}
            [one] => message.push_str(&format!(", so {one} is ignored")),
            [rest @ .., last] => {
                message.push_str(&format!(", so {} and {last} are ignored", rest.join(", ")))
            }
        }
        self.push(
            Diag::warning(Kind::Ignored, FieldPath::root().field("kind"), message),
            root.mark,
        );
    }

    fn found(
        &mut self,
        pod: Pod,
        kind: &str,
        root: &Node,
        meta_path: FieldPath,
        spec_path: FieldPath,
        skipped: Vec<FieldPath>,
    ) {
        self.pods.push(Candidate {
            found: Found {
                pod,
                origin: Origin {
                    kind: kind.to_owned(),
                    file: self.file.clone(),
                    mark: root.mark,
                },
                node: root.clone(),
                meta_path,
                spec_path,
                skipped,
                config_maps: BTreeMap::new(),
                secrets: BTreeMap::new(),
            },
        });
    }

    /// A ConfigMap or Secret document's own rules, placed in it.
    fn config_rules(&mut self, root: &Node, mut diags: Vec<Diag>) {
        let base = FieldPath::root();
        Marks::new(root, &base).place(&mut diags);
        for mut diag in diags {
            diag.file = Some(self.file.clone());
            self.diags.push(diag);
        }
    }

    fn config_map(&mut self, root: &Node) {
        let (Some(cm), _) = self.decode::<ConfigMap>(root) else {
            return;
        };
        let rules = config_document(
            "ConfigMap",
            &[
                ("data", &cm.data, false),
                ("binaryData", &cm.binary_data, true),
            ],
        );
        self.config_rules(root, rules);
        let name = cm
            .metadata
            .as_ref()
            .and_then(|m| m.name.clone())
            .unwrap_or_default();
        if name.is_empty() {
            self.push(
                Diag::error(
                    Kind::Invalid,
                    FieldPath::parse_fields("metadata.name"),
                    "required",
                ),
                root.mark,
            );
        } else if self.config_maps.insert(name.clone(), cm).is_some() {
            let message = format!("a second ConfigMap named {name:?}");
            self.push(
                Diag::error(
                    Kind::Invalid,
                    FieldPath::parse_fields("metadata.name"),
                    message,
                ),
                root.mark,
            );
        }
    }

    fn secret(&mut self, root: &Node) {
        let (Some(secret), _) = self.decode::<Secret>(root) else {
            return;
        };
        let rules = config_document(
            "Secret",
            &[
                ("data", &secret.data, true),
                ("stringData", &secret.string_data, false),
            ],
        );
        self.config_rules(root, rules);
        let name = secret
            .metadata
            .as_ref()
            .and_then(|m| m.name.clone())
            .unwrap_or_default();
        if name.is_empty() {
            self.push(
                Diag::error(
                    Kind::Invalid,
                    FieldPath::parse_fields("metadata.name"),
                    "required",
                ),
                root.mark,
            );
        } else if self.secrets.insert(name.clone(), secret).is_some() {
            let message = format!("a second Secret named {name:?}");
            self.push(
                Diag::error(
                    Kind::Invalid,
                    FieldPath::parse_fields("metadata.name"),
                    message,
                ),
                root.mark,
            );
        }
    }
}
