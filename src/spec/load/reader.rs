//! One document at a time: what kind it is, and what it brings to the
//! manifest (the pod, a ConfigMap, a Secret, a List's items).

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{Candidate, Config, ConfigDoc, Found, Origin};
use crate::spec::de::decode;
use crate::spec::diag::{Diag, FieldPath, Kind, did_you_mean};
use crate::spec::fields::Marks;
use crate::spec::k8s::{
    ConfigMap, CronJob, DaemonSet, Deployment, Job, Pod, PodTemplateSpec, ReplicaSet, Secret,
    StatefulSet,
};
use crate::spec::node::{Mark, Node, Value};
use crate::spec::validate::{config_document, workload_rules};

pub(super) struct Reader<'a> {
    pub(super) file: Arc<str>,
    pub(super) diags: Vec<Diag>,
    pub(super) pods: &'a mut Vec<Candidate>,
    /// ConfigMaps and Secrets in document order; which ones the pod sees
    /// is decided once the pod (and its namespace) is known.
    pub(super) configs: &'a mut Vec<ConfigDoc>,
}

/// Every kind podinit reads, to catch `kind: pod` and `kind: Deploymnet`.
const KINDS: &[&str] = &[
    "Pod",
    "ConfigMap",
    "Secret",
    "List",
    "Deployment",
    "ReplicaSet",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "CronJob",
];

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

    /// One document (or one item of a List), taken by value: the pod's
    /// document is kept whole, without a copy.
    pub(super) fn object(&mut self, root: Node, top: bool) {
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
                    if let Some(close) = did_you_mean(kind, KINDS) {
                        let message = format!(
                            "unknown kind {kind:?} in {api_version}: did you mean {close:?}?"
                        );
                        let mark = root.get("kind").map_or(root.mark, |n| n.mark);
                        self.push(
                            Diag::error(Kind::Invalid, FieldPath::root().field("kind"), message),
                            mark,
                        );
                        return;
                    }
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
        let kind = kind.to_owned();
        match kind.as_str() {
            "Pod" => self.pod(root),
            "ConfigMap" => self.config_map(&root),
            "Secret" => self.secret(&root),
            "List" => self.list(root),
            _ => self.workload(root, &kind),
        }
    }

    fn list(&mut self, root: Node) {
        let mark = root.mark;
        let items = match root.value {
            Value::Map(entries) => entries
                .into_iter()
                .find(|(k, _)| k.text() == "items")
                .map(|(_, v)| v.value),
            _ => None,
        };
        match items {
            Some(Value::Seq(items)) => {
                for item in items {
                    self.object(item, false);
                }
            }
            _ => {
                let message = "a List needs items";
                self.push(
                    Diag::error(Kind::Invalid, FieldPath::root().field("items"), message),
                    mark,
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

    fn pod(&mut self, root: Node) {
        let (Some(pod), skipped) = self.decode::<Pod>(&root) else {
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

    fn workload(&mut self, root: Node, kind: &str) {
        let claims = claim_templates(&root);
        let (template, skipped) = match kind {
            "Deployment" => self.template::<Deployment>(&root, |d| d.spec.and_then(|s| s.template)),
            "ReplicaSet" => self.template::<ReplicaSet>(&root, |d| d.spec.and_then(|s| s.template)),
            "StatefulSet" => {
                self.template::<StatefulSet>(&root, |d| d.spec.and_then(|s| s.template))
            }
            "DaemonSet" => self.template::<DaemonSet>(&root, |d| d.spec.and_then(|s| s.template)),
            "Job" => self.template::<Job>(&root, |d| d.spec.and_then(|s| s.template)),
            _ => self.template::<CronJob>(&root, |d| {
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
        self.ignored_workload_fields(&root, kind, place);
        let rules = workload_rules(&root, kind);
        self.placed(&root, rules);
        // The pod of the template is named after the workload when it has
        // no name, and lives in the workload's namespace, as its controller
        // would create it (a namespace in the template is not used).
        let mut meta = template.metadata.unwrap_or_default();
        let outer = root.get("metadata");
        if meta.name.is_none() && meta.generate_name.is_none() {
            meta.name = outer.and_then(|m| m.get_str("name")).map(str::to_owned);
        }
        meta.namespace = outer
            .and_then(|m| m.get_str("namespace"))
            .map(str::to_owned);
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
        if let Some(candidate) = self.pods.last_mut() {
            candidate.found.claim_templates = claims;
        }
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
                let path = format!("{prefix}.{name}");
                // Typos are errors already; claim templates are reported
                // as not supported.
                let unknown = self
                    .diags
                    .iter()
                    .any(|d| d.kind == Kind::UnknownField && d.path.to_string() == path);
                if name != step && !unknown && path != "spec.volumeClaimTemplates" {
                    ignored.push(path);
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
        root: Node,
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
                node: root,
                meta_path,
                spec_path,
                skipped,
                config_maps: BTreeMap::new(),
                secrets: BTreeMap::new(),
                claim_templates: Vec::new(),
            },
        });
    }

    /// Diagnostics found on a document's nodes, placed in it.
    fn placed(&mut self, root: &Node, mut diags: Vec<Diag>) {
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
        let fields = [
            ("data", &cm.data, false),
            ("binaryData", &cm.binary_data, true),
        ];
        let rules = config_document("ConfigMap", &fields);
        self.placed(root, rules);
        let meta = cm.metadata.clone().unwrap_or_default();
        self.config(root, meta.name, meta.namespace, Config::Map(cm));
    }

    fn secret(&mut self, root: &Node) {
        let (Some(secret), _) = self.decode::<Secret>(root) else {
            return;
        };
        let fields = [
            ("data", &secret.data, true),
            ("stringData", &secret.string_data, false),
        ];
        let rules = config_document("Secret", &fields);
        self.placed(root, rules);
        let meta = secret.metadata.clone().unwrap_or_default();
        self.config(root, meta.name, meta.namespace, Config::Secret(secret));
    }

    fn config(
        &mut self,
        root: &Node,
        name: Option<String>,
        namespace: Option<String>,
        config: Config,
    ) {
        match name.filter(|n| !n.is_empty()) {
            Some(name) => self.configs.push(ConfigDoc {
                name,
                namespace,
                config,
                file: self.file.clone(),
                mark: root.mark,
            }),
            None => {
                let path = FieldPath::parse_fields("metadata.name");
                self.push(Diag::error(Kind::Invalid, path, "required"), root.mark);
            }
        }
    }
}

/// The names of a StatefulSet's volumeClaimTemplates: volumes the
/// container may mount although spec.volumes does not have them.
fn claim_templates(root: &Node) -> Vec<String> {
    let Some(Node {
        value: Value::Seq(items),
        ..
    }) = root.get("spec").and_then(|s| s.get("volumeClaimTemplates"))
    else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| item.get("metadata")?.get_str("name").map(str::to_owned))
        .collect()
}
