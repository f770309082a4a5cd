//! Defaults, as the API server applies them (`pkg/apis/core/v1/defaults.go`).
//!
//! Applied to the raw pod after reading and before validation, so that
//! `podinit validate -o yaml` prints what a cluster would store and the rest
//! of podinit never has to guess. Only fields podinit reads are defaulted;
//! the scheduler's (`schedulerName`, ...) are left out.

use std::collections::BTreeMap;

use super::k8s::{
    Container, HTTPGetAction, LifecycleHandler, ObjectFieldSelector, Pod, PodSpec, Probe, Volume,
};

pub const DEFAULT_GRACE_SECONDS: i64 = 30;
pub const DEFAULT_TERMINATION_MESSAGE_PATH: &str = "/dev/termination-log";
/// 0644, the mode of configMap, secret, downwardAPI and projected files.
pub const DEFAULT_MODE: i32 = 0o644;

/// Fills in every default of `pod`.
pub fn apply(pod: &mut Pod) {
    let meta = pod.metadata.get_or_insert_with(Default::default);
    meta.namespace.get_or_insert_with(|| "default".into());
    let spec = pod.spec.get_or_insert_with(Default::default);
    pod_spec(spec);
}

fn pod_spec(spec: &mut PodSpec) {
    spec.restart_policy.get_or_insert_with(|| "Always".into());
    spec.termination_grace_period_seconds
        .get_or_insert(DEFAULT_GRACE_SECONDS);
    spec.dns_policy.get_or_insert_with(|| "ClusterFirst".into());
    for container in spec
        .init_containers
        .iter_mut()
        .flatten()
        .chain(spec.containers.iter_mut().flatten())
    {
        self::container(container);
    }
    for volume in spec.volumes.iter_mut().flatten() {
        self::volume(volume);
    }
}

/// `Always` for `:latest` or no tag, `IfNotPresent` for any other tag or a
/// digest (SetDefaults_Container).
pub fn image_pull_policy(image: &str) -> &'static str {
    if image.contains('@') {
        return "IfNotPresent";
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.rsplit_once(':') {
        Some((_, tag)) if tag != "latest" && !tag.is_empty() => "IfNotPresent",
        _ => "Always",
    }
}

fn container(c: &mut Container) {
    if c.image_pull_policy.is_none() {
        let policy = image_pull_policy(c.image.as_deref().unwrap_or(""));
        c.image_pull_policy = Some(policy.into());
    }
    c.termination_message_path
        .get_or_insert_with(|| DEFAULT_TERMINATION_MESSAGE_PATH.into());
    c.termination_message_policy
        .get_or_insert_with(|| "File".into());
    for port in c.ports.iter_mut().flatten() {
        port.protocol.get_or_insert_with(|| "TCP".into());
    }
    for probe in [
        &mut c.liveness_probe,
        &mut c.readiness_probe,
        &mut c.startup_probe,
    ]
    .into_iter()
    .flatten()
    {
        self::probe(probe);
    }
    if let Some(lifecycle) = &mut c.lifecycle {
        for handler in [&mut lifecycle.post_start, &mut lifecycle.pre_stop]
            .into_iter()
            .flatten()
        {
            self::handler(handler);
        }
    }
    for env in c.env.iter_mut().flatten() {
        if let Some(field_ref) = env.value_from.as_mut().and_then(|v| v.field_ref.as_mut()) {
            field_selector(field_ref);
        }
    }
    // Limits without requests: the requests are the limits.
    if let Some(resources) = &mut c.resources {
        if let Some(limits) = &resources.limits {
            let requests = resources.requests.get_or_insert_with(BTreeMap::new);
            for (name, quantity) in limits {
                requests
                    .entry(name.clone())
                    .or_insert_with(|| quantity.clone());
            }
        }
    }
}

/// SetDefaults_Probe: an unset or zero timing takes its default.
fn probe(p: &mut Probe) {
    for (field, default) in [
        (&mut p.timeout_seconds, 1),
        (&mut p.period_seconds, 10),
        (&mut p.success_threshold, 1),
        (&mut p.failure_threshold, 3),
    ] {
        if field.is_none_or(|v| v == 0) {
            *field = Some(default);
        }
    }
    if let Some(http) = &mut p.http_get {
        http_get(http);
    }
}

fn handler(h: &mut LifecycleHandler) {
    if let Some(http) = &mut h.http_get {
        http_get(http);
    }
}

fn http_get(h: &mut HTTPGetAction) {
    if h.path.as_deref().is_none_or(str::is_empty) {
        h.path = Some("/".into());
    }
    if h.scheme.as_deref().is_none_or(str::is_empty) {
        h.scheme = Some("HTTP".into());
    }
}

fn field_selector(f: &mut ObjectFieldSelector) {
    if f.api_version.as_deref().is_none_or(str::is_empty) {
        f.api_version = Some("v1".into());
    }
}

fn volume(v: &mut Volume) {
    if let Some(cm) = &mut v.config_map {
        cm.default_mode.get_or_insert(DEFAULT_MODE);
    }
    if let Some(secret) = &mut v.secret {
        secret.default_mode.get_or_insert(DEFAULT_MODE);
    }
    if let Some(downward) = &mut v.downward_api {
        downward.default_mode.get_or_insert(DEFAULT_MODE);
        for item in downward.items.iter_mut().flatten() {
            if let Some(f) = &mut item.field_ref {
                field_selector(f);
            }
        }
    }
    if let Some(projected) = &mut v.projected {
        projected.default_mode.get_or_insert(DEFAULT_MODE);
        for source in projected.sources.iter_mut().flatten() {
            for item in source
                .downward_api
                .iter_mut()
                .flat_map(|d| d.items.iter_mut().flatten())
            {
                if let Some(f) = &mut item.field_ref {
                    field_selector(f);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_pull_policy_follows_the_tag() {
        let cases = [
            ("nginx", "Always"),
            ("nginx:latest", "Always"),
            ("nginx:1.27", "IfNotPresent"),
            ("registry:5000/app", "Always"),
            ("registry:5000/app:v2", "IfNotPresent"),
            ("app@sha256:0123", "IfNotPresent"),
            ("/srv/rootfs", "Always"),
            ("", "Always"),
        ];
        for (image, want) in cases {
            assert_eq!(image_pull_policy(image), want, "{image}");
        }
    }

    #[test]
    fn an_empty_pod_gets_the_api_servers_defaults() {
        let mut pod = Pod {
            spec: Some(PodSpec {
                containers: Some(vec![Container {
                    image: Some("busybox:1.36".into()),
                    liveness_probe: Some(Probe {
                        http_get: Some(HTTPGetAction::default()),
                        ..Default::default()
                    }),
                    ..Default::default()
                }]),
                ..Default::default()
            }),
            ..Default::default()
        };
        apply(&mut pod);
        let spec = pod.spec.unwrap();
        assert_eq!(spec.restart_policy.as_deref(), Some("Always"));
        assert_eq!(spec.termination_grace_period_seconds, Some(30));
        assert_eq!(spec.dns_policy.as_deref(), Some("ClusterFirst"));
        let c = &spec.containers.unwrap()[0];
        assert_eq!(c.image_pull_policy.as_deref(), Some("IfNotPresent"));
        assert_eq!(
            c.termination_message_path.as_deref(),
            Some("/dev/termination-log")
        );
        let probe = c.liveness_probe.as_ref().unwrap();
        assert_eq!(
            (
                probe.timeout_seconds,
                probe.period_seconds,
                probe.success_threshold,
                probe.failure_threshold
            ),
            (Some(1), Some(10), Some(1), Some(3))
        );
        let http = probe.http_get.as_ref().unwrap();
        assert_eq!(
            (http.path.as_deref(), http.scheme.as_deref()),
            (Some("/"), Some("HTTP"))
        );
        assert_eq!(pod.metadata.unwrap().namespace.as_deref(), Some("default"));
    }
}
