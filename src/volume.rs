//! The pod's volumes, prepared on the host before any container starts, and
//! undone when the pod ends.
//!
//! Each volume of the plan becomes a path on the host that the container
//! setup bind-mounts ([`container::VolumeSource`], indexed like
//! `plan.volumes`). The rules are the kubelet's (pkg/volume/emptydir,
//! hostpath, configmap, secret, downwardapi, projected, util/atomic_writer.go,
//! volume_linux.go), with containerd's for a missing bind source:
//!
//! - emptyDir: `<pod_dir>/volumes/<name>`, mode 0777 (or its `mode`).
//!   `medium: Memory` is a tmpfs (nosuid, nodev) with `size=` the sizeLimit,
//!   else the kernel's default of half the RAM (the kubelet would use the
//!   pod's memory limit); its root keeps tmpfs's own mode 1777 as the
//!   kubelet's does, unless `mode` is set. On disk, a sizeLimit is not
//!   enforced: the kubelet only evicts the pod when it is exceeded, and
//!   podinit does not watch usage.
//! - hostPath: checked by `type` (stat(2), symlinks followed); a missing path
//!   of type `""` or `DirectoryOrCreate` becomes a directory (0755, with
//!   parents), of `FileOrCreate` an empty file (0644, parents are not
//!   created). Whatever is there is never changed or removed.
//! - configMap, secret, downwardAPI, projected: a tmpfs (a plain directory
//!   when podinit cannot mount) in the kubelet's AtomicWriter layout: the
//!   files in `..<timestamp>`, `..data` a symlink to it, and each top-level
//!   name a symlink into `..data`. Read-only in every container.
//! - fsGroup: the kubelet's SetVolumeOwnership on emptyDir and data volumes:
//!   group fsGroup, group read (and write on emptyDir), setgid directories.
//!
//! Everything that [`Prepared::cleanup`] must undo is recorded as soon as it
//! is done, so that a failure half-way through [`prepare`] undoes the part
//! that was done. Whether the pod may start at all (CAP_SYS_ADMIN for
//! `medium: Memory`) and when to clean up are the caller's business.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs::{self, DirBuilder, Metadata, OpenOptions, Permissions};
use std::io::{self, Write as _};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{
    DirBuilderExt, FileTypeExt, OpenOptionsExt, PermissionsExt, lchown, symlink,
};
use std::path::{Component, Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::container;
use crate::spec::plan::env::{FieldRef, PodFacts};
use crate::spec::plan::{FileContent, FileItem, HostPathType, PodPlan, VolumePlan, VolumeSource};
use crate::sys::mount::{self, MNT_DETACH, MS_NODEV, MS_NOSUID, cpath, ctext};

/// An emptyDir on disk (the kubelet's `perm`, pkg/volume/emptydir).
const EMPTY_DIR_MODE: u32 = 0o777;
/// tmpfs's default root mode; the kubelet mounts its tmpfs volumes without
/// `mode=`, so memory emptyDirs and secrets show `drwxrwxrwt`.
const TMPFS_MODE: u32 = 0o1777;
/// `pod_dir/volumes`, directories podinit creates for a hostPath (the
/// kubelet's and containerd's MkdirAll mode), AtomicWriter directories.
const DIR_MODE: u32 = 0o755;
/// A `FileOrCreate` hostPath the kubelet creates.
const HOST_FILE_MODE: u32 = 0o644;
/// The AtomicWriter's link to the current timestamped directory.
const DATA_LINK: &str = "..data";
/// Room for the inodes and long symlinks of a data volume's tmpfs, beyond
/// its files.
const TMPFS_HEADROOM: u64 = 1 << 20;
/// A data file's share of its tmpfs: its size in 64 KiB steps (the largest
/// page size podinit meets), plus one step for its directory and link.
const TMPFS_CHUNK: u64 = 64 << 10;

/// SetVolumeOwnership's bits (pkg/volume/volume_linux.go): group read and
/// write (read-only volumes: read), directories also setgid and search.
const RW_MASK: u32 = 0o660;
const RO_MASK: u32 = 0o440;
const DIR_MASK: u32 = 0o2110;

/// Why a volume could not be prepared. Each names the volume and the path.
#[derive(Debug, thiserror::Error)]
pub enum VolumeError {
    #[error("volume {volume:?}: cannot {action} {path}")]
    Io {
        volume: String,
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("volume {volume:?}: medium: Memory needs CAP_SYS_ADMIN to mount a tmpfs on {path}")]
    MemoryNeedsMount { volume: String, path: PathBuf },
    #[error(
        "volume {volume:?}: hostPath type check failed: {path} is not a {expected} (it is a {found})"
    )]
    HostPathType {
        volume: String,
        path: PathBuf,
        expected: &'static str,
        found: &'static str,
    },
    #[error("volume {volume:?}: cannot create hostPath {path}: its directory {parent} is missing")]
    MissingParent {
        volume: String,
        path: PathBuf,
        parent: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("volume {volume:?}: hostPath {path} is not an absolute path")]
    RelativeHostPath { volume: String, path: PathBuf },
    #[error("volume {volume:?}: the name cannot be a directory in {path}")]
    BadName { volume: String, path: PathBuf },
    #[error(
        "volume {volume:?}: file path {path:?} must be relative, without '..', not starting with '..'"
    )]
    BadFilePath { volume: String, path: String },
    #[error(
        "volume {volume:?}: file {path:?} refers to the resources of container {container:?}, which the pod does not have"
    )]
    NoContainer {
        volume: String,
        path: String,
        container: String,
    },
}

fn io_err(volume: &str, action: &'static str, path: &Path) -> impl Fn(io::Error) -> VolumeError {
    let (volume, path) = (volume.to_owned(), path.to_owned());
    move |source| VolumeError::Io {
        volume: volume.clone(),
        action,
        path: path.clone(),
        source,
    }
}

/// Something [`Prepared::cleanup`] undoes.
#[derive(Debug)]
enum Undo {
    /// A tmpfs podinit mounted.
    Unmount { volume: String, path: PathBuf },
    /// A directory tree podinit created.
    RemoveTree { volume: String, path: PathBuf },
    /// A directory podinit created for the volumes, removed when empty.
    RemoveEmptyDir(PathBuf),
}

/// The pod's volumes, ready for the container mounts.
#[derive(Debug, Default)]
pub struct Prepared {
    /// Indexed like `plan.volumes`.
    pub sources: Vec<container::VolumeSource>,
    /// In the order done; undone in reverse.
    undo: Vec<Undo>,
}

/// Prepares every volume of `plan` under `<pod_dir>/volumes`. `can_mount`:
/// podinit may mount (CAP_SYS_ADMIN in its mount namespace). On error,
/// what was done is undone.
pub fn prepare(
    plan: &PodPlan,
    pod_dir: &Path,
    can_mount: bool,
    facts: &dyn PodFacts,
) -> Result<Prepared, VolumeError> {
    let mut prepared = Prepared::default();
    match prepared.prepare_all(plan, pod_dir, can_mount, facts) {
        Ok(()) => Ok(prepared),
        Err(err) => {
            prepared.cleanup();
            Err(err)
        }
    }
}

impl Prepared {
    /// Unmounts the tmpfs volumes and removes the directories podinit
    /// created, newest first; hostPath content is never touched. Each step
    /// is tried once: what cannot be undone is logged, and a second call
    /// does nothing.
    pub fn cleanup(&mut self) {
        while let Some(undo) = self.undo.pop() {
            match undo {
                Undo::Unmount { volume, path } => {
                    if let Err(err) =
                        cpath(&path).and_then(|target| mount::umount(&target, MNT_DETACH))
                    {
                        log::warn!(
                            "volume {volume:?}: cannot unmount the tmpfs at {}: {err}",
                            path.display()
                        );
                    }
                }
                Undo::RemoveTree { volume, path } => remove_tree(&volume, &path),
                Undo::RemoveEmptyDir(path) => match fs::remove_dir(&path) {
                    Ok(()) => {}
                    Err(err)
                        if matches!(
                            err.kind(),
                            io::ErrorKind::NotFound | io::ErrorKind::DirectoryNotEmpty
                        ) => {}
                    Err(err) => log::warn!("cannot remove {}: {err}", path.display()),
                },
            }
        }
    }

    fn prepare_all(
        &mut self,
        plan: &PodPlan,
        pod_dir: &Path,
        can_mount: bool,
        facts: &dyn PodFacts,
    ) -> Result<(), VolumeError> {
        let volumes = pod_dir.join("volumes");
        // Refused before anything is done: the driver says so at start.
        if !can_mount {
            for v in &plan.volumes {
                if matches!(v.source, VolumeSource::EmptyDir { memory: true, .. }) {
                    return Err(VolumeError::MemoryNeedsMount {
                        volume: v.name.clone(),
                        path: volumes.join(&v.name),
                    });
                }
            }
        }
        let fs_group = plan.security.fs_group;
        for v in &plan.volumes {
            let source = match &v.source {
                VolumeSource::HostPath { path, kind } => host_path(&v.name, path, *kind)?,
                VolumeSource::EmptyDir {
                    memory,
                    size_limit,
                    mode,
                } => {
                    let dir = self.volume_dir(v, &volumes)?;
                    self.empty_dir(&v.name, &dir, *memory, *size_limit, *mode, fs_group)?
                }
                VolumeSource::Files { items } => {
                    // Contents first: a missing container fails before any write.
                    let files = payload(v, items, plan, facts)?;
                    let dir = self.volume_dir(v, &volumes)?;
                    self.files(&v.name, &dir, &files, can_mount, fs_group)?
                }
            };
            log::debug!("volume {:?}: {}", v.name, source.host_path.display());
            self.sources.push(source);
        }
        Ok(())
    }

    /// Creates `<volumes>/<name>` (and `volumes`, 0755, when missing). A
    /// directory already there (another pod's, or one left by a podinit that
    /// died) is an error, never reused nor removed.
    fn volume_dir(&mut self, v: &VolumePlan, volumes: &Path) -> Result<PathBuf, VolumeError> {
        if matches!(v.name.as_str(), "" | "." | "..") || v.name.contains(['/', '\0']) {
            return Err(VolumeError::BadName {
                volume: v.name.clone(),
                path: volumes.to_owned(),
            });
        }
        if fs::symlink_metadata(volumes).is_err() {
            let err = io_err(&v.name, "create", volumes);
            DirBuilder::new()
                .recursive(true)
                .mode(DIR_MODE)
                .create(volumes)
                .map_err(&err)?;
            self.undo.push(Undo::RemoveEmptyDir(volumes.to_owned()));
            fs::set_permissions(volumes, Permissions::from_mode(DIR_MODE)).map_err(err)?;
        }
        let dir = volumes.join(&v.name);
        DirBuilder::new()
            .mode(0o700)
            .create(&dir)
            .map_err(io_err(&v.name, "create", &dir))?;
        self.undo.push(Undo::RemoveTree {
            volume: v.name.clone(),
            path: dir.clone(),
        });
        Ok(dir)
    }

    fn empty_dir(
        &mut self,
        volume: &str,
        dir: &Path,
        memory: bool,
        size_limit: Option<u64>,
        mode: Option<u32>,
        fs_group: Option<u32>,
    ) -> Result<container::VolumeSource, VolumeError> {
        let mode = mode.map(|m| m & 0o7777);
        if memory {
            let mut options = format!("mode={:o}", mode.unwrap_or(TMPFS_MODE));
            // size=0 would mean no limit to tmpfs; the kubelet ignores a zero limit too.
            if let Some(size) = size_limit.filter(|&s| s > 0) {
                let _ = write!(options, ",size={size}");
            }
            self.mount_tmpfs(volume, dir, &options)?;
        } else {
            set_mode(volume, dir, mode.unwrap_or(EMPTY_DIR_MODE))?;
        }
        if let Some(gid) = fs_group {
            let meta = fs::symlink_metadata(dir).map_err(io_err(volume, "stat", dir))?;
            set_group(volume, dir, &meta, gid, false)?;
        }
        Ok(container::VolumeSource {
            host_path: dir.to_owned(),
            is_dir: true,
            read_only: false,
        })
    }

    /// A data volume in the AtomicWriter layout.
    fn files(
        &mut self,
        volume: &str,
        dir: &Path,
        files: &[File],
        can_mount: bool,
        fs_group: Option<u32>,
    ) -> Result<container::VolumeSource, VolumeError> {
        if can_mount {
            let size: u64 = files
                .iter()
                .map(|f| (f.content.len() as u64).div_ceil(TMPFS_CHUNK) * TMPFS_CHUNK + TMPFS_CHUNK)
                .sum();
            let options = format!("mode={TMPFS_MODE:o},size={}", size + TMPFS_HEADROOM);
            self.mount_tmpfs(volume, dir, &options)?;
        } else {
            set_mode(volume, dir, TMPFS_MODE)?;
        }
        let ts_name = timestamp_dir(volume, dir)?;
        let ts_dir = dir.join(&ts_name);
        for file in files {
            write_file(volume, &ts_dir, file)?;
        }
        // As the kubelet: ownership before the links are published.
        if let Some(gid) = fs_group {
            set_group_tree(volume, dir, gid)?;
        }
        let link = dir.join(DATA_LINK);
        symlink(&ts_name, &link).map_err(io_err(volume, "create the symlink", &link))?;
        let top: BTreeSet<&Path> = files
            .iter()
            .filter_map(|f| f.path.iter().next().map(Path::new))
            .collect();
        for name in top {
            let link = dir.join(name);
            symlink(Path::new(DATA_LINK).join(name), &link).map_err(io_err(
                volume,
                "create the symlink",
                &link,
            ))?;
        }
        Ok(container::VolumeSource {
            host_path: dir.to_owned(),
            is_dir: true,
            read_only: true,
        })
    }

    fn mount_tmpfs(&mut self, volume: &str, dir: &Path, options: &str) -> Result<(), VolumeError> {
        let err = io_err(volume, "mount a tmpfs on", dir);
        let target = cpath(dir).map_err(&err)?;
        let data = ctext(options).map_err(&err)?;
        mount::mount(
            Some(c"tmpfs"),
            &target,
            Some(c"tmpfs"),
            MS_NOSUID | MS_NODEV,
            Some(&data),
        )
        .map_err(&err)?;
        self.undo.push(Undo::Unmount {
            volume: volume.to_owned(),
            path: dir.to_owned(),
        });
        Ok(())
    }
}

/// Removes a tree podinit created, without following symlinks
/// (`remove_dir_all` does not), unless a tmpfs is still mounted there.
fn remove_tree(volume: &str, path: &Path) {
    if mount::is_mount_point(path) {
        log::warn!(
            "volume {volume:?}: {} is still mounted, left in place",
            path.display()
        );
        return;
    }
    match fs::remove_dir_all(path) {
        Ok(()) => {}
        Err(err) if err.kind() == io::ErrorKind::NotFound => {}
        Err(err) => log::warn!("volume {volume:?}: cannot remove {}: {err}", path.display()),
    }
}

fn set_mode(volume: &str, path: &Path, mode: u32) -> Result<(), VolumeError> {
    fs::set_permissions(path, Permissions::from_mode(mode)).map_err(io_err(
        volume,
        "set the mode of",
        path,
    ))
}

/// SetVolumeOwnership for one path: group `gid`, group (and owner) read,
/// write unless `read_only`; directories setgid and searchable. Symlinks
/// get the group only.
fn set_group(
    volume: &str,
    path: &Path,
    meta: &Metadata,
    gid: u32,
    read_only: bool,
) -> Result<(), VolumeError> {
    lchown(path, None, Some(gid)).map_err(io_err(volume, "change the group of", path))?;
    if meta.file_type().is_symlink() {
        return Ok(());
    }
    let mut mask = if read_only { RO_MASK } else { RW_MASK };
    if meta.is_dir() {
        mask |= DIR_MASK;
    }
    set_mode(volume, path, (meta.permissions().mode() & 0o7777) | mask)
}

/// [`set_group`] on a data volume's whole tree, read-only.
fn set_group_tree(volume: &str, root: &Path, gid: u32) -> Result<(), VolumeError> {
    let mut todo = vec![root.to_owned()];
    while let Some(path) = todo.pop() {
        let meta = fs::symlink_metadata(&path).map_err(io_err(volume, "stat", &path))?;
        set_group(volume, &path, &meta, gid, true)?;
        if meta.is_dir() {
            let err = io_err(volume, "list", &path);
            for entry in fs::read_dir(&path).map_err(&err)? {
                todo.push(entry.map_err(&err)?.path());
            }
        }
    }
    Ok(())
}

/// A hostPath, checked and created by its type.
fn host_path(
    volume: &str,
    path: &Path,
    kind: HostPathType,
) -> Result<container::VolumeSource, VolumeError> {
    if !path.is_absolute() {
        return Err(VolumeError::RelativeHostPath {
            volume: volume.to_owned(),
            path: path.to_owned(),
        });
    }
    let missing = match fs::metadata(path) {
        Ok(_) => false,
        Err(err) if err.kind() == io::ErrorKind::NotFound => true,
        Err(err) => return Err(io_err(volume, "stat hostPath", path)(err)),
    };
    if missing {
        match kind {
            // `""`: containerd makes a missing bind source a directory.
            HostPathType::Unset | HostPathType::DirectoryOrCreate => {
                DirBuilder::new()
                    .recursive(true)
                    .mode(DIR_MODE)
                    .create(path)
                    .map_err(io_err(volume, "create hostPath", path))?;
            }
            HostPathType::FileOrCreate => create_host_file(volume, path)?,
            _ => {}
        }
    }
    let meta = fs::metadata(path).map_err(io_err(volume, "find hostPath", path))?;
    let found = file_kind(&meta);
    let expected = match kind {
        HostPathType::Unset => None,
        HostPathType::DirectoryOrCreate | HostPathType::Directory => Some("directory"),
        HostPathType::FileOrCreate | HostPathType::File => Some("file"),
        HostPathType::Socket => Some("socket"),
        HostPathType::CharDevice => Some("character device"),
        HostPathType::BlockDevice => Some("block device"),
    };
    if let Some(expected) = expected.filter(|&e| e != found) {
        return Err(VolumeError::HostPathType {
            volume: volume.to_owned(),
            path: path.to_owned(),
            expected,
            found,
        });
    }
    Ok(container::VolumeSource {
        host_path: path.to_owned(),
        is_dir: meta.is_dir(),
        read_only: false,
    })
}

/// `FileOrCreate`: an empty file, 0644 less the umask as the kubelet's
/// open(O_CREAT); its directory must exist.
fn create_host_file(volume: &str, path: &Path) -> Result<(), VolumeError> {
    match OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(HOST_FILE_MODE)
        .open(path)
    {
        // Created meanwhile by someone else: its type is checked next.
        Ok(_) => Ok(()),
        Err(err) if err.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(source) if source.kind() == io::ErrorKind::NotFound => {
            Err(VolumeError::MissingParent {
                volume: volume.to_owned(),
                path: path.to_owned(),
                parent: path.parent().unwrap_or(path).to_owned(),
                source,
            })
        }
        Err(err) => Err(io_err(volume, "create hostPath", path)(err)),
    }
}

/// The kind of file, in the words of the hostPath type error.
fn file_kind(meta: &Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_dir() {
        "directory"
    } else if t.is_file() {
        "file"
    } else if t.is_socket() {
        "socket"
    } else if t.is_char_device() {
        "character device"
    } else if t.is_block_device() {
        "block device"
    } else if t.is_fifo() {
        "fifo"
    } else {
        "special file"
    }
}

/// One file of a data volume, resolved.
#[derive(Debug)]
struct File {
    /// Relative, normal components only.
    path: PathBuf,
    mode: u32,
    content: Vec<u8>,
}

/// The files of a data volume, with their content.
fn payload(
    v: &VolumePlan,
    items: &[FileItem],
    plan: &PodPlan,
    facts: &dyn PodFacts,
) -> Result<Vec<File>, VolumeError> {
    items
        .iter()
        .map(|item| {
            Ok(File {
                path: relative(&v.name, &item.path)?,
                // Permission bits only, as Go's os.FileMode(mode).
                mode: item.mode & 0o777,
                content: content(&v.name, item, plan, facts)?,
            })
        })
        .collect()
}

fn content(
    volume: &str,
    item: &FileItem,
    plan: &PodPlan,
    facts: &dyn PodFacts,
) -> Result<Vec<u8>, VolumeError> {
    Ok(match &item.content {
        FileContent::Bytes(bytes) => bytes.clone(),
        FileContent::Field(FieldRef::Labels) => format_map(&plan.labels).into_bytes(),
        FileContent::Field(FieldRef::Annotations) => format_map(&plan.annotations).into_bytes(),
        FileContent::Field(field) => facts.field(field).into_bytes(),
        FileContent::Resource(reference) => facts
            .resource(reference)
            .ok_or_else(|| VolumeError::NoContainer {
                volume: volume.to_owned(),
                path: item.path.clone(),
                container: reference.container.clone(),
            })?
            .into_bytes(),
    })
}

/// A file path of a data volume, checked again (validation did): relative,
/// no `..`, not starting with `..` (the writer's own names).
fn relative(volume: &str, path: &str) -> Result<PathBuf, VolumeError> {
    let bad = || VolumeError::BadFilePath {
        volume: volume.to_owned(),
        path: path.to_owned(),
    };
    let mut out = PathBuf::new();
    for component in Path::new(path).components() {
        match component {
            Component::Normal(part) => out.push(part),
            Component::CurDir => {}
            Component::RootDir | Component::ParentDir | Component::Prefix(_) => return Err(bad()),
        }
    }
    match out.iter().next() {
        Some(first) if !first.as_bytes().starts_with(b"..") => Ok(out),
        _ => Err(bad()),
    }
}

/// Creates the AtomicWriter's `..YYYY_MM_DD_HH_MM_SS.<n>` directory (0755)
/// in `dir`, as Go's MkdirTemp with a UTC timestamp prefix; returns its name.
fn timestamp_dir(volume: &str, dir: &Path) -> Result<String, VolumeError> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let prefix = timestamp_prefix(now.as_secs());
    let seed = now.subsec_nanos() ^ std::process::id().rotate_left(16);
    let mut last = io::Error::from(io::ErrorKind::AlreadyExists);
    for attempt in 0..100u32 {
        let name = format!("{prefix}{}", seed.wrapping_add(attempt.wrapping_mul(7919)));
        let path = dir.join(&name);
        match DirBuilder::new().mode(0o700).create(&path) {
            Ok(()) => {
                set_mode(volume, &path, DIR_MODE)?;
                return Ok(name);
            }
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists => last = err,
            Err(err) => return Err(io_err(volume, "create", &path)(err)),
        }
    }
    Err(io_err(volume, "create a timestamped directory in", dir)(
        last,
    ))
}

/// `..2006_01_02_15_04_05.` for a time in seconds since the epoch, UTC.
fn timestamp_prefix(secs: u64) -> String {
    let (y, m, d) = crate::timefmt::civil_from_days(i64::try_from(secs / 86_400).unwrap_or(0));
    let s = secs % 86_400;
    format!(
        "..{y:04}_{m:02}_{d:02}_{:02}_{:02}_{:02}.",
        s / 3600,
        s % 3600 / 60,
        s % 60
    )
}

/// Writes one file in the timestamped directory, with its directories
/// (0755) and its exact mode.
fn write_file(volume: &str, ts_dir: &Path, file: &File) -> Result<(), VolumeError> {
    let mut dir = ts_dir.to_owned();
    if let Some(parent) = file.path.parent() {
        for part in parent.iter() {
            dir.push(part);
            match DirBuilder::new().mode(0o700).create(&dir) {
                Ok(()) => set_mode(volume, &dir, DIR_MODE)?,
                Err(err) if err.kind() == io::ErrorKind::AlreadyExists && dir.is_dir() => {}
                Err(err) => return Err(io_err(volume, "create", &dir)(err)),
            }
        }
    }
    let path = ts_dir.join(&file.path);
    let err = io_err(volume, "write", &path);
    let mut out = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&path)
        .map_err(&err)?;
    out.write_all(&file.content).map_err(&err)?;
    drop(out);
    set_mode(volume, &path, file.mode)
}

/// A map as the kubelet writes `metadata.labels` and `metadata.annotations`
/// (fieldpath.FormatMap): `key="value"` lines in key order, the value quoted
/// as Go's `%q`, no newline after the last.
pub fn format_map(map: &BTreeMap<String, String>) -> String {
    let lines: Vec<String> = map
        .iter()
        .map(|(k, v)| format!("{k}={}", go_quote(v)))
        .collect();
    lines.join("\n")
}

/// Go's strconv.Quote: `"`, `\` and the C escapes backslashed, other
/// non-printable characters as `\x`, `\u` or `\U`.
fn go_quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        let escaped = match c {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\x07' => "\\a",
            '\x08' => "\\b",
            '\x0c' => "\\f",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            '\x0b' => "\\v",
            c if go_printable(c) => {
                out.push(c);
                continue;
            }
            c if u32::from(c) < 0x20 || c == '\x7f' => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
                continue;
            }
            c if u32::from(c) < 0x1_0000 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
                continue;
            }
            c => {
                let _ = write!(out, "\\U{:08x}", u32::from(c));
                continue;
            }
        };
        out.push_str(escaped);
    }
    out.push('"');
    out
}

/// Format characters (Unicode category Cf), which Go does not print.
const FORMAT_CHARS: &[(u32, u32)] = &[
    (0xad, 0xad),
    (0x600, 0x605),
    (0x61c, 0x61c),
    (0x6dd, 0x6dd),
    (0x70f, 0x70f),
    (0x890, 0x891),
    (0x8e2, 0x8e2),
    (0x180e, 0x180e),
    (0x200b, 0x200f),
    (0x202a, 0x202e),
    (0x2060, 0x2064),
    (0x2066, 0x206f),
    (0xfeff, 0xfeff),
    (0xfff9, 0xfffb),
    (0x110bd, 0x110bd),
    (0x110cd, 0x110cd),
    (0x13430, 0x1343f),
    (0x1bca0, 0x1bca3),
    (0x1d173, 0x1d17a),
    (0xe0001, 0xe0001),
    (0xe0020, 0xe007f),
];

/// Go's unicode.IsPrint, near enough: not a control, space other than
/// U+0020, format or private-use character. (Unassigned code points, which
/// Go also escapes, are printed: that needs Unicode tables.)
fn go_printable(c: char) -> bool {
    let u = u32::from(c);
    c == ' '
        || !(c.is_control()
            || c.is_whitespace()
            || FORMAT_CHARS.iter().any(|&(lo, hi)| (lo..=hi).contains(&u))
            || (0xe000..=0xf8ff).contains(&u)
            || u >= 0xf_0000
            || (u & 0xfffe) == 0xfffe)
}

#[cfg(test)]
mod tests;
