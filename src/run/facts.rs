//! What only the running pod knows, for env vars and downwardAPI files:
//! its IP, the node's, the node's name and the containers' resources.

use std::net::IpAddr;

use crate::spec::plan::env::{PodFacts, format_resource};
use crate::spec::plan::{ContainerPlan, FieldRef, PodPlan, ResourceRef};
use crate::spec::quantity::Amount;

/// The pod's facts, fixed when the sandbox is ready.
#[derive(Debug, Clone)]
pub struct Facts<'a> {
    pub plan: &'a PodPlan,
    pub uid: String,
    pub pod_ip: IpAddr,
    pub host_ip: IpAddr,
    pub node_name: String,
    /// The node's CPUs and memory (bytes): the limits of a container that
    /// sets none, as the kubelet gives them (node allocatable).
    pub node_cpus: u64,
    pub node_memory: u64,
}

impl Facts<'_> {
    fn container(&self, name: &str) -> Option<&ContainerPlan> {
        self.plan
            .init_containers
            .iter()
            .chain(&self.plan.containers)
            .find(|c| c.name == name)
    }
}

impl PodFacts for Facts<'_> {
    fn field(&self, field: &FieldRef) -> String {
        let plan = self.plan;
        match field {
            FieldRef::Name => plan.name.clone(),
            FieldRef::Namespace => plan.namespace.clone(),
            FieldRef::Uid => self.uid.clone(),
            FieldRef::Label(key) => plan.labels.get(key).cloned().unwrap_or_default(),
            FieldRef::Annotation(key) => plan.annotations.get(key).cloned().unwrap_or_default(),
            FieldRef::Labels => crate::volume::format_map(&plan.labels),
            FieldRef::Annotations => crate::volume::format_map(&plan.annotations),
            FieldRef::NodeName => self.node_name.clone(),
            FieldRef::ServiceAccountName => "default".into(),
            FieldRef::HostIp | FieldRef::HostIps => self.host_ip.to_string(),
            FieldRef::PodIp | FieldRef::PodIps => self.pod_ip.to_string(),
        }
    }

    fn resource(&self, reference: &ResourceRef) -> Option<String> {
        let container = self.container(&reference.container)?;
        let (kind, name) = reference.resource.split_once('.')?;
        let node = match name {
            "cpu" => Amount::parse(&self.node_cpus.to_string()).ok(),
            "memory" => Amount::parse(&self.node_memory.to_string()).ok(),
            _ => None,
        };
        let limit = container.limits.get(name).copied().or(node);
        let value = match kind {
            "limits" => limit,
            // A request defaults to the limit when only that is set; a
            // request of nothing is 0.
            "requests" => container
                .requests
                .get(name)
                .copied()
                .or_else(|| container.limits.get(name).copied()),
            _ => None,
        }
        .unwrap_or(Amount::ZERO);
        Some(format_resource(value, reference.divisor))
    }
}

/// The node's CPUs and memory in bytes, read once.
pub fn node_capacity() -> (u64, u64) {
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get() as u64);
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| {
            let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
            let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
            Some(kib * 1024)
        })
        .unwrap_or(0);
    (cpus, memory)
}
