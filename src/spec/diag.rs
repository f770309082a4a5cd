//! Diagnostics about a manifest: field paths, severities, and how they read.
//!
//! Every problem found in a manifest, from a YAML syntax error to a field
//! podinit does not support, is a [`Diag`] with the Kubernetes field path
//! (`spec.containers[1].livenessProbe.periodSeconds`) and, where the parser
//! knew it, the file, line and column. They are collected, never thrown: a
//! user sees every problem of a file at once.

use std::fmt;
use std::sync::Arc;

use super::node::Mark;

/// One step of a field path.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Seg {
    /// A struct field: `.name`.
    Field(String),
    /// A list element: `[3]`.
    Index(usize),
    /// A map entry: `[app.kubernetes.io/name]`.
    Key(String),
}

/// A Kubernetes field path, `spec.containers[0].env[2].value`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FieldPath(Vec<Seg>);

impl FieldPath {
    pub fn root() -> Self {
        Self(Vec::new())
    }

    /// `spec.containers` from `"spec.containers"`: dot-separated fields only.
    pub fn parse_fields(text: &str) -> Self {
        Self(
            text.split('.')
                .filter(|s| !s.is_empty())
                .map(|s| Seg::Field(s.to_owned()))
                .collect(),
        )
    }

    pub fn from_segs(segs: Vec<Seg>) -> Self {
        Self(segs)
    }

    pub fn field(&self, name: &str) -> Self {
        self.with(Seg::Field(name.to_owned()))
    }

    pub fn index(&self, index: usize) -> Self {
        self.with(Seg::Index(index))
    }

    pub fn key(&self, key: &str) -> Self {
        self.with(Seg::Key(key.to_owned()))
    }

    fn with(&self, seg: Seg) -> Self {
        let mut segs = self.0.clone();
        segs.push(seg);
        Self(segs)
    }

    pub fn segs(&self) -> &[Seg] {
        &self.0
    }

    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `self` is `other` or lies below it.
    pub fn starts_with(&self, other: &FieldPath) -> bool {
        self.0.starts_with(&other.0)
    }

    /// The path with list indexes and map keys left out: the field's place in
    /// the schema (`spec.containers.livenessProbe`), for tables of fields.
    pub fn schema(&self) -> String {
        let mut out = String::new();
        for seg in &self.0 {
            if let Seg::Field(name) = seg {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(name);
            }
        }
        out
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Seg::Field(name) if i == 0 => f.write_str(name)?,
                Seg::Field(name) => write!(f, ".{name}")?,
                Seg::Index(index) => write!(f, "[{index}]")?,
                Seg::Key(key) => write!(f, "[{key}]")?,
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// What kind of problem a diagnostic is, so that callers can tell "not
/// supported by podinit" apart from "not valid Kubernetes".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Not YAML, or not a manifest at all.
    Syntax,
    /// A field the Kubernetes API does not have.
    UnknownField,
    /// A value of the wrong type (a number where a string goes, ...).
    Type,
    /// A value Kubernetes itself refuses.
    Invalid,
    /// Valid Kubernetes that podinit does not implement.
    Unsupported,
    /// Valid Kubernetes that means nothing on one node; it is ignored.
    Ignored,
}

/// One problem with a manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diag {
    pub severity: Severity,
    pub kind: Kind,
    /// The file it came from (`-` for stdin), once known.
    pub file: Option<Arc<str>>,
    pub mark: Option<Mark>,
    pub path: FieldPath,
    pub message: String,
}

impl Diag {
    pub fn error(kind: Kind, path: FieldPath, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            kind,
            file: None,
            mark: None,
            path,
            message: message.into(),
        }
    }

    pub fn warning(kind: Kind, path: FieldPath, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(kind, path, message)
        }
    }

    pub fn at(mut self, mark: Option<Mark>) -> Self {
        self.mark = self.mark.or(mark);
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diag {
    /// `pod.yaml:12:7: error: spec.containers[0].image: required`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, self.mark) {
            (Some(file), Some(mark)) => write!(f, "{file}:{mark}: ")?,
            (Some(file), None) => write!(f, "{file}: ")?,
            (None, Some(mark)) => write!(f, "{mark}: ")?,
            (None, None) => {}
        }
        f.write_str(match self.severity {
            Severity::Error => "error: ",
            Severity::Warning => "warning: ",
        })?;
        if !self.path.is_root() {
            write!(f, "{}: ", self.path)?;
        }
        f.write_str(&self.message)
    }
}

/// The closest of `candidates` to `word`, if close enough to be a likely
/// typo: same letters in another case, or at most two edits away (one for
/// short words).
pub fn did_you_mean<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let limit = if word.len() <= 4 { 1 } else { 2 };
    let lower = word.to_ascii_lowercase();
    candidates
        .iter()
        .map(|&c| {
            let d = if c.to_ascii_lowercase() == lower {
                0
            } else {
                edit_distance(&lower, &c.to_ascii_lowercase())
            };
            (d, c)
        })
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

/// Optimal string alignment distance: insertions, deletions, substitutions
/// and swaps of two neighbours each cost one.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for (i, cell) in d.iter_mut().step_by(width).enumerate() {
        *cell = i;
    }
    for (j, cell) in d.iter_mut().take(width).enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[(i - 1) * width + j] + 1)
                .min(d[i * width + j - 1] + 1)
                .min(d[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = best;
        }
    }
    d[a.len() * width + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_read_like_kubernetes_field_paths() {
        let path = FieldPath::root()
            .field("spec")
            .field("containers")
            .index(1)
            .field("env")
            .index(0)
            .field("value");
        assert_eq!(path.to_string(), "spec.containers[1].env[0].value");
        assert_eq!(path.schema(), "spec.containers.env.value");
        let labels = FieldPath::parse_fields("metadata.labels").key("app");
        assert_eq!(labels.to_string(), "metadata.labels[app]");
        assert!(path.starts_with(&FieldPath::parse_fields("spec.containers")));
        assert!(!FieldPath::parse_fields("spec").starts_with(&path));
    }

    #[test]
    fn typos_find_their_field() {
        let fields = [
            "livenessProbe",
            "readinessProbe",
            "image",
            "imagePullPolicy",
            "name",
        ];
        let cases = [
            ("livenesProbe", Some("livenessProbe")),
            ("readinessprobe", Some("readinessProbe")),
            ("imgae", Some("image")),
            ("nmae", Some("name")),
            ("command", None),
            ("x", None),
        ];
        for (word, want) in cases {
            assert_eq!(did_you_mean(word, &fields), want, "{word}");
        }
    }

    #[test]
    fn diagnostics_read_as_file_line_column_severity_path_message() {
        let mut diag = Diag::error(
            Kind::Invalid,
            FieldPath::parse_fields("spec.restartPolicy"),
            "bad",
        )
        .at(Some(Mark { line: 3, column: 5 }));
        diag.file = Some("pod.yaml".into());
        assert_eq!(
            diag.to_string(),
            "pod.yaml:3:5: error: spec.restartPolicy: bad"
        );
        let warning = Diag::warning(Kind::Ignored, FieldPath::root(), "hm");
        assert_eq!(warning.to_string(), "warning: hm");
    }
}
