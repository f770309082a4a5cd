//! The rules for volumes, and for the ConfigMaps and Secrets that volumes
//! and env take their data from (documents of the same manifest).

use super::env::{VOLUME_FIELDS, field_ref, resource_field_ref};
use super::names;
use super::{Checker, unique};

use crate::spec::diag::FieldPath;
use crate::spec::k8s::{DownwardAPIVolumeFile, KeyToPath, PodSpec, Volume};
use crate::spec::quantity::Amount;

pub(super) fn volumes(check: &mut Checker, spec: &PodSpec, path: &FieldPath) {
    let volumes = spec.volumes.iter().flatten().enumerate();
    unique(
        check,
        volumes.clone().map(|(i, v)| {
            (
                path.field("volumes").index(i).field("name"),
                v.name.as_deref().unwrap_or(""),
            )
        }),
    );
    let containers: Vec<&str> = spec
        .init_containers
        .iter()
        .flatten()
        .chain(spec.containers.iter().flatten())
        .filter_map(|c| c.name.as_deref())
        .collect();
    for (i, volume) in volumes {
        self::volume(check, volume, &path.field("volumes").index(i), &containers);
    }
}

/// How many volume sources a volume sets.
fn sources(v: &Volume) -> usize {
    let typed = [
        v.host_path.is_some(),
        v.empty_dir.is_some(),
        v.secret.is_some(),
        v.downward_api.is_some(),
        v.config_map.is_some(),
        v.projected.is_some(),
    ];
    let opaque = [
        &v.gce_persistent_disk,
        &v.aws_elastic_block_store,
        &v.git_repo,
        &v.nfs,
        &v.iscsi,
        &v.glusterfs,
        &v.persistent_volume_claim,
        &v.rbd,
        &v.flex_volume,
        &v.cinder,
        &v.cephfs,
        &v.flocker,
        &v.fc,
        &v.azure_file,
        &v.vsphere_volume,
        &v.quobyte,
        &v.azure_disk,
        &v.photon_persistent_disk,
        &v.portworx_volume,
        &v.scale_io,
        &v.storageos,
        &v.csi,
        &v.ephemeral,
        &v.image,
    ];
    typed.iter().filter(|s| **s).count() + opaque.iter().filter(|s| s.is_some()).count()
}

fn volume(check: &mut Checker, v: &Volume, path: &FieldPath, containers: &[&str]) {
    match v.name.as_deref() {
        Some(name) => check.name(path.field("name"), name, names::dns_label),
        None => check.required(path.field("name")),
    }
    match sources(v) {
        0 => check.invalid(
            path.clone(),
            "needs a volume source, such as emptyDir, hostPath or configMap",
        ),
        1 => {}
        _ => check.invalid(path.clone(), "may not have more than one volume source"),
    }
    if let Some(host) = &v.host_path {
        let at = path.field("hostPath");
        match host.path.as_deref() {
            Some(p) if p.split('/').any(|part| part == "..") => {
                check.invalid(at.field("path"), "must not contain '..'");
            }
            Some(p) if !p.starts_with('/') => {
                check.invalid(at.field("path"), format!("{p:?} must be an absolute path"))
            }
            Some(_) => {}
            None => check.required(at.field("path")),
        }
        if let Some(kind) = &host.type_ {
            let kinds = [
                "",
                "DirectoryOrCreate",
                "Directory",
                "FileOrCreate",
                "File",
                "Socket",
                "CharDevice",
                "BlockDevice",
            ];
            check.one_of(at.field("type"), kind, &kinds);
        }
    }
    if let Some(dir) = &v.empty_dir {
        let at = path.field("emptyDir");
        match dir.medium.as_deref().unwrap_or("") {
            "" | "Memory" => {}
            m if m.starts_with("HugePages") => {
                check.unsupported(at.field("medium"), format!("emptyDir medium {m}"))
            }
            m => {
                check.one_of(at.field("medium"), m, &["", "Memory", "HugePages"]);
            }
        }
        if let Some(m) = dir.mode {
            if !(0..=0o7777).contains(&m) {
                check.invalid(
                    at.field("mode"),
                    format!("{m} is not a directory mode between 0 and 07777"),
                );
            }
        }
        if let Some(size) = &dir.size_limit {
            match Amount::parse(&size.0) {
                Ok(a) if a.is_negative() => {
                    check.invalid(at.field("sizeLimit"), "must not be negative")
                }
                Ok(_) => {}
                Err(err) => check.invalid(at.field("sizeLimit"), err.to_string()),
            }
        }
    }
    if let Some(cm) = &v.config_map {
        let at = path.field("configMap");
        let keys = check.config_map_keys(&at, cm.name.as_deref(), cm.optional);
        items(
            check,
            &at,
            cm.items.as_deref(),
            keys.as_deref(),
            cm.optional,
            "ConfigMap",
        );
        mode(check, at.field("defaultMode"), cm.default_mode);
    }
    if let Some(secret) = &v.secret {
        let at = path.field("secret");
        let name_at = at.field("secretName");
        let keys =
            check.secret_keys_at(&at, name_at, secret.secret_name.as_deref(), secret.optional);
        items(
            check,
            &at,
            secret.items.as_deref(),
            keys.as_deref(),
            secret.optional,
            "Secret",
        );
        mode(check, at.field("defaultMode"), secret.default_mode);
    }
    if let Some(downward) = &v.downward_api {
        let at = path.field("downwardAPI");
        downward_items(
            check,
            &at.field("items"),
            downward.items.as_deref().unwrap_or(&[]),
            containers,
        );
        mode(check, at.field("defaultMode"), downward.default_mode);
    }
    if let Some(projected) = &v.projected {
        let at = path.field("projected");
        mode(check, at.field("defaultMode"), projected.default_mode);
        for (i, source) in projected.sources.iter().flatten().enumerate() {
            let here = at.field("sources").index(i);
            if let Some(cm) = &source.config_map {
                let s = here.field("configMap");
                let keys = check.config_map_keys(&s, cm.name.as_deref(), cm.optional);
                items(
                    check,
                    &s,
                    cm.items.as_deref(),
                    keys.as_deref(),
                    cm.optional,
                    "ConfigMap",
                );
            }
            if let Some(secret) = &source.secret {
                let s = here.field("secret");
                let keys = check.secret_keys_at(
                    &s,
                    s.field("name"),
                    secret.name.as_deref(),
                    secret.optional,
                );
                items(
                    check,
                    &s,
                    secret.items.as_deref(),
                    keys.as_deref(),
                    secret.optional,
                    "Secret",
                );
            }
            if let Some(downward) = &source.downward_api {
                let s = here.field("downwardAPI").field("items");
                downward_items(
                    check,
                    &s,
                    downward.items.as_deref().unwrap_or(&[]),
                    containers,
                );
            }
        }
    }
}

/// A file mode: 0 to 0777.
fn mode(check: &mut Checker, path: FieldPath, mode: Option<i32>) {
    if let Some(m) = mode {
        if !(0..=0o777).contains(&m) {
            check.invalid(
                path,
                format!("{m} is not a file mode between 0 and 0777 (511)"),
            );
        }
    }
}

fn items(
    check: &mut Checker,
    path: &FieldPath,
    items: Option<&[KeyToPath]>,
    keys: Option<&[String]>,
    optional: Option<bool>,
    what: &str,
) {
    let items = items.unwrap_or(&[]);
    unique(
        check,
        items.iter().enumerate().map(|(i, item)| {
            (
                path.field("items").index(i).field("path"),
                item.path.as_deref().unwrap_or(""),
            )
        }),
    );
    for (i, item) in items.iter().enumerate() {
        let at = path.field("items").index(i);
        check.key_in(&at, item.key.as_deref(), keys, optional, what);
        match item.path.as_deref() {
            Some(p) => check.name(at.field("path"), p, names::relative_path),
            None => check.required(at.field("path")),
        }
        mode(check, at.field("mode"), item.mode);
    }
}

fn downward_items(
    check: &mut Checker,
    path: &FieldPath,
    items: &[DownwardAPIVolumeFile],
    containers: &[&str],
) {
    unique(
        check,
        items.iter().enumerate().map(|(i, item)| {
            (
                path.index(i).field("path"),
                item.path.as_deref().unwrap_or(""),
            )
        }),
    );
    for (i, item) in items.iter().enumerate() {
        let at = path.index(i);
        match item.path.as_deref() {
            Some(p) => check.name(at.field("path"), p, names::relative_path),
            None => check.required(at.field("path")),
        }
        match (&item.field_ref, &item.resource_field_ref) {
            (Some(f), None) => field_ref(check, f, &at.field("fieldRef"), VOLUME_FIELDS),
            (None, Some(r)) => {
                resource_field_ref(check, r, &at.field("resourceFieldRef"), containers, true)
            }
            _ => check.invalid(at.clone(), "exactly one of fieldRef and resourceFieldRef"),
        }
        mode(check, at.field("mode"), item.mode);
    }
}
