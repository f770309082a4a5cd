//! Resolving a container's `image:` to a root filesystem, locally.
//!
//! podinit never pulls (a microVM has no registry): `/` is podinit's own
//! root, another absolute path is a root filesystem directory, and a name
//! such as `busybox:1.36` is looked up in the image store, a directory with
//! one directory per image (`<store>/busybox/1.36` or `<store>/busybox:1.36`).
//! A directory holding `rootfs/` is an OCI runtime bundle and its `rootfs/`
//! is used. This module only finds the directory; it does not read an
//! image's config (entrypoint, env, user), unpack layers, or mount anything:
//! the container module does that with what [`ImageStore::resolve`] returns.

use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

/// The store when `--images` is not given.
pub const DEFAULT_STORE: &str = "/var/lib/podinit/images";

/// How many store entries an error message lists before "and N more".
const LISTED: usize = 40;
/// How deep the listing walks: `registry/namespace/repo/tag` is four.
const LIST_DEPTH: usize = 5;
/// How many directories the listing visits at most: a huge store must not
/// make an error message slow.
const LIST_VISITS: usize = 2000;

/// Where a container's root filesystem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rootfs {
    /// `image: /`: podinit's own root filesystem.
    Host,
    /// A directory to become the container's `/`.
    Dir(PathBuf),
}

/// Why an image could not be resolved. Every variant names the image as
/// written in the manifest.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("the image is empty")]
    Empty,
    #[error(
        "image {image:?} is a relative path: give a root filesystem as an absolute path, \
         or an image name such as busybox:1.36"
    )]
    RelativePath { image: String },
    #[error("image {image:?} is not a valid image name: {reason}")]
    InvalidName { image: String, reason: &'static str },
    #[error(
        "image {image:?}: the {transport}: transport is not built into podinit; \
         use an image name from the store or the absolute path of a root filesystem"
    )]
    Transport { image: String, transport: String },
    #[error("image {image:?}: cannot use {}", path.display())]
    Path {
        image: String,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("image {image:?}: {} is not a directory", path.display())]
    NotADirectory { image: String, path: PathBuf },
    #[error(
        "image {image:?}: {} is an OCI image layout, which podinit does not unpack; \
         unpack it into a root filesystem directory and give that",
        path.display()
    )]
    OciLayout { image: String, path: PathBuf },
    #[error(
        "image {image:?} is not in the store: the store {} does not exist (see --images)",
        store.display()
    )]
    NoStore {
        image: String,
        store: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error(
        "image {image:?} is not in the store {}: looked at {}; {}",
        store.display(),
        list_paths(tried),
        list_held(held, *more)
    )]
    NotFound {
        image: String,
        store: PathBuf,
        /// Every path podinit looked at, in order.
        tried: Vec<PathBuf>,
        /// What the store holds, as `name:tag`, at most a few dozen.
        held: Vec<String>,
        /// How many more entries the store holds (at least).
        more: usize,
    },
}

fn list_paths(paths: &[PathBuf]) -> String {
    let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    shown.join(", ")
}

fn list_held(held: &[String], more: usize) -> String {
    match (held.is_empty(), more) {
        (true, _) => "the store is empty".into(),
        (false, 0) => format!("the store holds {}", held.join(", ")),
        (false, more) => format!("the store holds {} and {more} more", held.join(", ")),
    }
}

/// The local image store (`--images DIR`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageStore {
    root: PathBuf,
}

impl Default for ImageStore {
    fn default() -> Self {
        Self::new(DEFAULT_STORE)
    }
}

impl ImageStore {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Resolves `image` (as written in the manifest) to a root filesystem.
    pub fn resolve(&self, image: &str) -> Result<Rootfs, ImageError> {
        if image.is_empty() {
            return Err(ImageError::Empty);
        }
        if image.starts_with('/') {
            let path = Path::new(image);
            if path.components().all(|c| c == Component::RootDir) {
                return Ok(Rootfs::Host);
            }
            return directory(image, path).map(Rootfs::Dir);
        }
        if let Some(transport) = transport(image) {
            return Err(ImageError::Transport {
                image: image.into(),
                transport: transport.into(),
            });
        }
        let reference = Reference::parse(image)?;
        self.lookup(image, &reference).map(Rootfs::Dir)
    }

    fn lookup(&self, image: &str, reference: &Reference) -> Result<PathBuf, ImageError> {
        if let Err(source) = fs::metadata(&self.root) {
            return Err(ImageError::NoStore {
                image: image.into(),
                store: self.root.clone(),
                source,
            });
        }
        let tried = reference.candidates(&self.root);
        for path in &tried {
            if path.is_dir() {
                return directory(image, path);
            }
        }
        let (held, more) = holdings(&self.root);
        Err(ImageError::NotFound {
            image: image.into(),
            store: self.root.clone(),
            tried,
            held,
            more,
        })
    }
}

/// A directory to use as a root filesystem: itself, or its `rootfs/` when
/// it is an OCI runtime bundle (runtime-spec `bundle.md`).
fn directory(image: &str, path: &Path) -> Result<PathBuf, ImageError> {
    let meta = fs::metadata(path).map_err(|source| ImageError::Path {
        image: image.into(),
        path: path.into(),
        source,
    })?;
    if !meta.is_dir() {
        return Err(ImageError::NotADirectory {
            image: image.into(),
            path: path.into(),
        });
    }
    let rootfs = path.join("rootfs");
    if rootfs.is_dir() {
        return Ok(rootfs);
    }
    // image-spec `image-layout.md`: the `oci-layout` file marks a layout,
    // whose layers would need unpacking; running it as a root would fail
    // later with a confusing "no such file".
    if path.join("oci-layout").is_file() {
        return Err(ImageError::OciLayout {
            image: image.into(),
            path: path.into(),
        });
    }
    Ok(path.into())
}

/// The transport of containers-transports(5), for an image that names one.
fn transport(image: &str) -> Option<&str> {
    const TRANSPORTS: [&str; 8] = [
        "oci",
        "oci-archive",
        "docker-archive",
        "docker",
        "docker-daemon",
        "containers-storage",
        "dir",
        "sif",
    ];
    let (head, _) = image.split_once(':')?;
    TRANSPORTS.contains(&head).then_some(head)
}

/// A parsed image name, `[host[:port]/]repo[:tag][@digest]`, by the grammar
/// of the distribution project's `reference/regexp.go`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Reference {
    /// With its registry host, if one was written.
    repo: String,
    /// The tag written, if any.
    tag: Option<String>,
    digest: Option<String>,
}

impl Reference {
    fn parse(image: &str) -> Result<Self, ImageError> {
        let invalid = |reason| ImageError::InvalidName {
            image: image.into(),
            reason,
        };
        if image.starts_with('.') || image.ends_with('/') || image.contains("//") {
            return Err(ImageError::RelativePath {
                image: image.into(),
            });
        }
        let (name, digest) = match image.split_once('@') {
            Some((name, digest)) => (name, Some(digest)),
            None => (image, None),
        };
        // A tag is after the last colon of the last component; a colon
        // before a slash is a registry port (`localhost:5000/app`).
        let last = name.rsplit('/').next().unwrap_or(name);
        let (repo, tag) = match last.rsplit_once(':') {
            Some((_, tag)) => (&name[..name.len() - tag.len() - 1], Some(tag)),
            None => (name, None),
        };
        let components: Vec<&str> = repo.split('/').collect();
        if components.iter().any(|c| *c == "." || *c == "..") {
            return Err(ImageError::RelativePath {
                image: image.into(),
            });
        }
        let path = match components.split_first() {
            Some((first, rest)) if !rest.is_empty() && is_host(first) => {
                if !valid_host(first) {
                    return Err(invalid("the registry host is not a host name[:port]"));
                }
                rest
            }
            _ => &components[..],
        };
        for component in path {
            if component.bytes().any(|b| b.is_ascii_uppercase()) {
                return Err(invalid("repository names must be lower case"));
            }
            if !valid_path_component(component) {
                return Err(invalid(
                    "each part of the repository is lower-case letters and digits, \
                     separated by '.', '_' or '-'",
                ));
            }
        }
        if let Some(tag) = tag {
            if !valid_tag(tag) {
                return Err(invalid(
                    "a tag is at most 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'",
                ));
            }
        }
        if let Some(digest) = digest {
            if !valid_digest(digest) {
                return Err(invalid(
                    "a digest is ALGORITHM:ENCODED, such as sha256:<64 hex digits>",
                ));
            }
        }
        Ok(Self {
            repo: repo.into(),
            tag: tag.map(str::to_owned),
            digest: digest.map(str::to_owned),
        })
    }

    /// The names the store may use for this repository, the one written
    /// first: also without its registry host and `library/`, and with the
    /// Docker Hub's (`busybox` is `docker.io/library/busybox`).
    fn names(&self) -> Vec<String> {
        let mut names = vec![self.repo.clone()];
        let (host, path) = match self.repo.split_once('/') {
            Some((first, rest)) if is_host(first) => (Some(first), rest),
            _ => (None, self.repo.as_str()),
        };
        names.push(path.into());
        if let Some(short) = path.strip_prefix("library/") {
            names.push(short.into());
        }
        if host.is_none() {
            if !path.contains('/') {
                names.push(format!("library/{path}"));
                names.push(format!("docker.io/library/{path}"));
            } else {
                names.push(format!("docker.io/{path}"));
            }
        }
        let mut unique: Vec<String> = Vec::with_capacity(names.len());
        for name in names {
            if !unique.contains(&name) {
                unique.push(name);
            }
        }
        unique
    }

    /// Every path to look at, in order. With a digest, the digest alone
    /// identifies the image (as for a pull by digest); a tag written beside
    /// it is the fallback, since a hand-made store may only have tags.
    fn candidates(&self, root: &Path) -> Vec<PathBuf> {
        let tag = match (&self.tag, &self.digest) {
            (Some(tag), _) => Some(tag.as_str()),
            (None, None) => Some("latest"),
            (None, Some(_)) => None,
        };
        let mut paths = Vec::new();
        for name in self.names() {
            if let Some(digest) = &self.digest {
                paths.push(root.join(&name).join(digest));
                paths.push(root.join(format!("{name}@{digest}")));
            }
            if let Some(tag) = tag {
                paths.push(root.join(&name).join(tag));
                paths.push(root.join(format!("{name}:{tag}")));
            }
        }
        paths
    }
}

/// Whether the first component of a name is a registry host: it has a dot
/// or a port, or is `localhost` (distribution `reference/normalize.go`).
fn is_host(component: &str) -> bool {
    component.contains('.') || component.contains(':') || component == "localhost"
}

fn valid_host(host: &str) -> bool {
    let (name, port) = match host.rsplit_once(':') {
        Some((name, port)) => (name, Some(port)),
        None => (host, None),
    };
    let name_ok = !name.is_empty()
        && name.split('.').all(|label| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        });
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    name_ok && port_ok
}

/// `[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*`.
fn valid_path_component(component: &str) -> bool {
    let bytes = component.as_bytes();
    let alnum = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let (Some(first), Some(last)) = (bytes.first(), bytes.last()) else {
        return false;
    };
    if !alnum(first) || !alnum(last) {
        return false;
    }
    // Between alphanumerics: one '.', one or two '_', or any number of '-'.
    let mut run: Vec<u8> = Vec::new();
    for b in bytes {
        if alnum(b) {
            let ok = matches!(run.as_slice(), [] | [b'.'] | [b'_'] | [b'_', b'_'])
                || run.iter().all(|r| *r == b'-');
            if !ok {
                return false;
            }
            run.clear();
        } else if matches!(b, b'.' | b'_' | b'-') {
            run.push(*b);
        } else {
            return false;
        }
    }
    true
}

/// `[\w][\w.-]{0,127}`.
fn valid_tag(tag: &str) -> bool {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    tag.len() <= 128
        && tag.bytes().next().is_some_and(word)
        && tag.bytes().all(|b| word(b) || b == b'.' || b == b'-')
}

/// `[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+` (image-spec
/// `descriptor.md`), sha256 with its 64 hex digits checked.
fn valid_digest(digest: &str) -> bool {
    let Some((algorithm, encoded)) = digest.split_once(':') else {
        return false;
    };
    let algorithm_ok = algorithm.split(['+', '.', '_', '-']).all(|part| {
        !part.is_empty()
            && part
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    });
    let encoded_ok = !encoded.is_empty()
        && encoded
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'=' | b'_' | b'-'));
    let sha256_ok = algorithm != "sha256"
        || (encoded.len() == 64
            && encoded
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
    algorithm_ok && encoded_ok && sha256_ok
}

/// What the store holds, as `name:tag` (or `name@digest`), sorted, at most
/// [`LISTED`]; and how many more it found.
fn holdings(root: &Path) -> (Vec<String>, usize) {
    let mut found = Vec::new();
    let mut visits = 0;
    walk(root, "", 0, &mut found, &mut visits);
    found.sort();
    let more = found.len().saturating_sub(LISTED);
    found.truncate(LISTED);
    (found, more)
}

fn walk(dir: &Path, prefix: &str, depth: usize, found: &mut Vec<String>, visits: &mut usize) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut names: Vec<(String, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .collect();
    names.sort();
    for (name, path) in names {
        *visits += 1;
        if *visits > LIST_VISITS {
            return;
        }
        let rel = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}/{name}")
        };
        if name.contains(':') || name.contains('@') {
            found.push(rel);
        } else if !prefix.is_empty() && is_image_dir(&path) {
            found.push(format!("{prefix}:{name}"));
        } else if depth + 1 < LIST_DEPTH {
            walk(&path, &rel, depth + 1, found, visits);
        }
    }
}

/// Whether a directory is an image rather than a repository holding tags:
/// a bundle (`rootfs/`), something that looks like a root filesystem, or a
/// directory with files in it (a scratch image with one binary). A
/// repository holds only directories.
fn is_image_dir(path: &Path) -> bool {
    const ROOT_DIRS: [&str; 6] = ["rootfs", "bin", "usr", "etc", "sbin", "lib"];
    if ROOT_DIRS.iter().any(|d| path.join(d).is_dir()) {
        return true;
    }
    match fs::read_dir(path) {
        Ok(entries) => {
            let mut empty = true;
            for entry in entries.filter_map(Result::ok) {
                empty = false;
                if !entry.path().is_dir() {
                    return true;
                }
            }
            empty
        }
        Err(_) => false,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests;
