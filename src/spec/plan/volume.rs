//! Volumes of the plan: what each volume is, and which files the ones made
//! of data (configMap, secret, downwardAPI, projected) hold.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::data::{config_map_data, resource_ref, secret_data};
use super::env::{FieldRef, ResourceRef};
use crate::spec::defaults::DEFAULT_MODE;
use crate::spec::k8s::{DownwardAPIVolumeFile, KeyToPath, PodSpec, Volume};
use crate::spec::load::Found;
use crate::spec::quantity::Amount;

/// `hostPath.type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostPathType {
    /// `""`: no check.
    Unset,
    DirectoryOrCreate,
    Directory,
    FileOrCreate,
    File,
    Socket,
    CharDevice,
    BlockDevice,
}

/// What a file of a data volume holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileContent {
    Bytes(Vec<u8>),
    Field(FieldRef),
    Resource(ResourceRef),
}

/// One file of a data volume.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileItem {
    /// Relative, without `..`.
    pub path: String,
    pub mode: u32,
    pub content: FileContent,
}

/// Where a volume's content comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VolumeSource {
    EmptyDir {
        /// `medium: Memory`: a tmpfs.
        memory: bool,
        size_limit: Option<u64>,
        mode: Option<u32>,
    },
    HostPath {
        path: PathBuf,
        kind: HostPathType,
    },
    /// configMap, secret, downwardAPI, projected: files podinit writes.
    Files {
        items: Vec<FileItem>,
    },
}

/// A volume of the pod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolumePlan {
    pub name: String,
    pub source: VolumeSource,
}

/// `subPath` or `subPathExpr` of a mount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubPath {
    None,
    Path(String),
    /// Expanded with the container's env when it starts.
    Expr(String),
}

/// A volume mounted in a container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    /// Index into [`super::PodPlan::volumes`].
    pub volume: usize,
    /// Absolute, inside the container.
    pub path: PathBuf,
    pub read_only: bool,
    pub sub_path: SubPath,
}

pub(super) fn volumes(spec: &PodSpec, found: &Found) -> Vec<VolumePlan> {
    let mut volumes: Vec<VolumePlan> = spec
        .volumes
        .iter()
        .flatten()
        .map(|v| volume(v, found))
        .collect();
    // A StatefulSet's claim templates (allowed with --ignore-unsupported):
    // empty directories, as a claim with nothing in it would be.
    for claim in &found.claim_templates {
        if !volumes.iter().any(|v| v.name == *claim) {
            volumes.push(VolumePlan {
                name: claim.clone(),
                source: empty_dir(),
            });
        }
    }
    volumes
}

fn empty_dir() -> VolumeSource {
    VolumeSource::EmptyDir {
        memory: false,
        size_limit: None,
        mode: None,
    }
}

fn mode(m: Option<i32>, default: u32) -> u32 {
    m.and_then(|m| u32::try_from(m).ok()).unwrap_or(default)
}

/// One volume. A source podinit does not provide (only there when
/// validation let it through, with --ignore-unsupported) is an empty
/// directory: the mount exists, with nothing in it.
fn volume(v: &Volume, found: &Found) -> VolumePlan {
    let name = v.name.clone().unwrap_or_default();
    let source = if let Some(dir) = &v.empty_dir {
        VolumeSource::EmptyDir {
            memory: dir.medium.as_deref() == Some("Memory"),
            size_limit: dir
                .size_limit
                .as_ref()
                .and_then(|q| Amount::parse(&q.0).ok())
                .and_then(|a| u64::try_from(a.ceil_units()).ok()),
            mode: dir.mode.and_then(|m| u32::try_from(m).ok()),
        }
    } else if let Some(host) = &v.host_path {
        VolumeSource::HostPath {
            path: PathBuf::from(host.path.as_deref().unwrap_or("/")),
            kind: match host.type_.as_deref().unwrap_or("") {
                "DirectoryOrCreate" => HostPathType::DirectoryOrCreate,
                "Directory" => HostPathType::Directory,
                "FileOrCreate" => HostPathType::FileOrCreate,
                "File" => HostPathType::File,
                "Socket" => HostPathType::Socket,
                "CharDevice" => HostPathType::CharDevice,
                "BlockDevice" => HostPathType::BlockDevice,
                _ => HostPathType::Unset,
            },
        }
    } else if let Some(cm) = &v.config_map {
        let data = found
            .config_maps
            .get(cm.name.as_deref().unwrap_or(""))
            .map(config_map_data);
        let default = mode(cm.default_mode, DEFAULT_MODE as u32);
        VolumeSource::Files {
            items: keyed_files(data.unwrap_or_default(), cm.items.as_deref(), default),
        }
    } else if let Some(secret) = &v.secret {
        let data = found
            .secrets
            .get(secret.secret_name.as_deref().unwrap_or(""))
            .map(secret_data);
        let default = mode(secret.default_mode, DEFAULT_MODE as u32);
        VolumeSource::Files {
            items: keyed_files(data.unwrap_or_default(), secret.items.as_deref(), default),
        }
    } else if let Some(downward) = &v.downward_api {
        let default = mode(downward.default_mode, DEFAULT_MODE as u32);
        VolumeSource::Files {
            items: downward_files(downward.items.as_deref().unwrap_or(&[]), default),
        }
    } else if let Some(projected) = &v.projected {
        let default = mode(projected.default_mode, DEFAULT_MODE as u32);
        let mut items = Vec::new();
        for source in projected.sources.iter().flatten() {
            if let Some(cm) = &source.config_map {
                let data = found
                    .config_maps
                    .get(cm.name.as_deref().unwrap_or(""))
                    .map(config_map_data);
                items.extend(keyed_files(
                    data.unwrap_or_default(),
                    cm.items.as_deref(),
                    default,
                ));
            }
            if let Some(secret) = &source.secret {
                let data = found
                    .secrets
                    .get(secret.name.as_deref().unwrap_or(""))
                    .map(secret_data);
                items.extend(keyed_files(
                    data.unwrap_or_default(),
                    secret.items.as_deref(),
                    default,
                ));
            }
            if let Some(downward) = &source.downward_api {
                items.extend(downward_files(
                    downward.items.as_deref().unwrap_or(&[]),
                    default,
                ));
            }
        }
        VolumeSource::Files { items }
    } else {
        empty_dir()
    };
    VolumePlan { name, source }
}

/// Files from keys: the listed items (a missing key of an optional source
/// is skipped), or every key as a file of that name.
fn keyed_files(
    data: BTreeMap<String, Vec<u8>>,
    items: Option<&[KeyToPath]>,
    default: u32,
) -> Vec<FileItem> {
    match items {
        Some(items) if !items.is_empty() => items
            .iter()
            .filter_map(|item| {
                Some(FileItem {
                    path: item.path.clone()?,
                    mode: mode(item.mode, default),
                    content: FileContent::Bytes(data.get(item.key.as_deref()?)?.clone()),
                })
            })
            .collect(),
        _ => data
            .into_iter()
            .map(|(key, bytes)| FileItem {
                path: key,
                mode: default,
                content: FileContent::Bytes(bytes),
            })
            .collect(),
    }
}

fn downward_files(items: &[DownwardAPIVolumeFile], default: u32) -> Vec<FileItem> {
    items
        .iter()
        .filter_map(|item| {
            let content = if let Some(f) = &item.field_ref {
                FileContent::Field(FieldRef::parse(f.field_path.as_deref()?)?)
            } else {
                FileContent::Resource(resource_ref(item.resource_field_ref.as_ref()?, None))
            };
            Some(FileItem {
                path: item.path.clone()?,
                mode: mode(item.mode, default),
                content,
            })
        })
        .collect()
}
