//! The pod's sandbox: what every container shares besides its volumes.
//!
//! The hostname (and the UTS namespace it lives in), the loopback interface
//! of a new network namespace, and the files the kubelet manages for a pod:
//! `/etc/hosts` in the kubelet's layout with the hostAliases,
//! `/etc/hostname`, `/etc/resolv.conf` by the dnsPolicy, and one `/dev/shm`
//! for the pod. The files live in the pod's directory and are bind-mounted
//! into each container; the host's own files are never changed. Creating
//! the namespaces is the `run` command's business (it knows the mode).

use std::fs;
use std::io;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use crate::spec::plan::{Dns, DnsPolicy, PodPlan};
use crate::sys::mount::{self, MS_NODEV, MS_NOSUID, cpath, ctext};
use crate::sys::net;

/// The cluster domain of a Kubernetes cluster out of the box.
pub const CLUSTER_DOMAIN: &str = "cluster.local";

/// Why the sandbox could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("cannot write {path}")]
    Write {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("cannot mount the pod's /dev/shm at {path}")]
    Shm {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("cannot set the hostname to {name:?}")]
    Hostname {
        name: String,
        #[source]
        source: io::Error,
    },
    #[error("cannot bring the loopback interface up")]
    Loopback(#[source] io::Error),
}

/// The pod's sandbox files, for the container mounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Files {
    pub hosts: PathBuf,
    pub hostname: PathBuf,
    pub resolv_conf: PathBuf,
    /// A tmpfs, or a plain directory when mounting is not possible.
    pub shm: PathBuf,
}

/// `hostname.subdomain.namespace.svc.cluster.local`, when there is a
/// subdomain.
pub fn fqdn(plan: &PodPlan) -> Option<String> {
    let subdomain = plan.subdomain.as_deref().filter(|s| !s.is_empty())?;
    Some(format!(
        "{}.{subdomain}.{}.svc.{CLUSTER_DOMAIN}",
        plan.hostname, plan.namespace
    ))
}

/// The kernel hostname: the FQDN with setHostnameAsFQDN, else the
/// hostname (truncated to 63 characters, as the kubelet does).
pub fn kernel_hostname(plan: &PodPlan) -> String {
    match fqdn(plan) {
        Some(fqdn) if plan.set_hostname_as_fqdn => fqdn,
        _ => plan.hostname.chars().take(63).collect(),
    }
}

/// The hostname the containers see (`/etc/hostname`, `$HOSTNAME`): the
/// pod's, or with `hostNetwork` the node's (the pod keeps the node's UTS
/// namespace then, as under a kubelet).
pub fn hostname_seen(plan: &PodPlan) -> String {
    if plan.namespaces.host_network {
        current_hostname()
    } else {
        kernel_hostname(plan)
    }
}

/// The hostname of the UTS namespace podinit is in (empty if unreadable).
pub fn current_hostname() -> String {
    fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim_end().to_owned())
        .unwrap_or_default()
}

/// `/etc/hosts` in the kubelet's layout (managedHostsFileContent).
pub fn hosts_file(plan: &PodPlan, pod_ip: IpAddr) -> String {
    let mut out = String::from(
        "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n\
         fe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n",
    );
    match plan.subdomain.as_deref().filter(|s| !s.is_empty()) {
        Some(subdomain) => out.push_str(&format!(
            "{pod_ip}\t{host}.{subdomain}.{ns}.svc.{CLUSTER_DOMAIN}\t{host}\n",
            host = plan.hostname,
            ns = plan.namespace
        )),
        None => out.push_str(&format!("{pod_ip}\t{}\n", plan.hostname)),
    }
    out.push_str(&host_aliases(plan));
    out
}

/// The HostAliases part, which hostNetwork pods get after the node's file.
pub fn host_aliases(plan: &PodPlan) -> String {
    if plan.host_aliases.is_empty() {
        return String::new();
    }
    let mut out = String::from("\n# Entries added by HostAliases.\n");
    for (ip, names) in &plan.host_aliases {
        out.push_str(&format!("{ip}\t{}\n", names.join("\t")));
    }
    out
}

/// `/etc/resolv.conf`: the host's with dnsConfig merged in, or dnsConfig
/// alone with dnsPolicy None. There is no cluster DNS on one node, so
/// ClusterFirst reads as Default.
pub fn resolv_conf(dns: &Dns, host: &str) -> String {
    let mut nameservers: Vec<String> = Vec::new();
    let mut searches: Vec<String> = Vec::new();
    let mut options: Vec<String> = Vec::new();
    if dns.policy == DnsPolicy::Host {
        for line in host.lines() {
            let mut words = line.split_whitespace();
            match words.next() {
                Some("nameserver") => nameservers.extend(words.next().map(str::to_owned)),
                Some("search" | "domain") => searches.extend(words.map(str::to_owned)),
                Some("options") => options.extend(words.map(str::to_owned)),
                _ => {}
            }
        }
    }
    nameservers.extend(dns.nameservers.iter().map(IpAddr::to_string));
    searches.extend(dns.searches.iter().cloned());
    for (name, value) in &dns.options {
        // A pod's option replaces the host's of the same name.
        options.retain(|o| o.split(':').next() != Some(name.as_str()));
        options.push(match value {
            Some(value) => format!("{name}:{value}"),
            None => name.clone(),
        });
    }
    nameservers.dedup();
    searches.dedup();
    let mut out = String::new();
    for server in nameservers.iter().take(3) {
        out.push_str(&format!("nameserver {server}\n"));
    }
    if !searches.is_empty() {
        out.push_str(&format!(
            "search {}\n",
            searches
                .iter()
                .take(32)
                .cloned()
                .collect::<Vec<_>>()
                .join(" ")
        ));
    }
    if !options.is_empty() {
        out.push_str(&format!("options {}\n", options.join(" ")));
    }
    out
}

fn write(path: &Path, content: &str) -> Result<(), SandboxError> {
    fs::write(path, content).map_err(|source| SandboxError::Write {
        path: path.to_owned(),
        source,
    })
}

/// Writes the sandbox files into `<pod_dir>/etc` and makes the pod's
/// `/dev/shm` (a 64 MiB tmpfs, the container runtimes' default; a plain
/// directory when `can_mount` is false).
pub fn write_files(
    plan: &PodPlan,
    pod_dir: &Path,
    pod_ip: IpAddr,
    can_mount: bool,
) -> Result<Files, SandboxError> {
    let etc = pod_dir.join("etc");
    fs::create_dir_all(&etc).map_err(|source| SandboxError::Write {
        path: etc.clone(),
        source,
    })?;
    let files = Files {
        hosts: etc.join("hosts"),
        hostname: etc.join("hostname"),
        resolv_conf: etc.join("resolv.conf"),
        shm: pod_dir.join("shm"),
    };
    let hosts = if plan.namespaces.host_network {
        let node = fs::read_to_string("/etc/hosts").unwrap_or_default();
        format!("{node}{}", host_aliases(plan))
    } else {
        hosts_file(plan, pod_ip)
    };
    write(&files.hosts, &hosts)?;
    write(&files.hostname, &format!("{}\n", hostname_seen(plan)))?;
    let host_resolv = fs::read_to_string("/etc/resolv.conf").unwrap_or_default();
    write(&files.resolv_conf, &resolv_conf(&plan.dns, &host_resolv))?;
    fs::create_dir_all(&files.shm).map_err(|source| SandboxError::Write {
        path: files.shm.clone(),
        source,
    })?;
    if can_mount && !mount::is_mount_point(&files.shm) {
        let shm_err = |source| SandboxError::Shm {
            path: files.shm.clone(),
            source,
        };
        let target = cpath(&files.shm).map_err(shm_err)?;
        let data = ctext("mode=1777,size=67108864").map_err(shm_err)?;
        mount::mount(
            Some(c"shm"),
            &target,
            Some(c"tmpfs"),
            MS_NOSUID | MS_NODEV,
            Some(&data),
        )
        .map_err(shm_err)?;
    }
    Ok(files)
}

/// Sets the hostname and brings `lo` up, in the namespaces podinit owns
/// (not when the pod keeps the host's). The hostname is left alone when
/// `set_hostname` is false.
pub fn configure_namespaces(plan: &PodPlan, set_hostname: bool) -> Result<(), SandboxError> {
    if !plan.namespaces.host_network {
        if set_hostname {
            let name = kernel_hostname(plan);
            mount::sethostname(&name).map_err(|source| SandboxError::Hostname { name, source })?;
        }
        net::set_link_up(c"lo").map_err(SandboxError::Loopback)?;
    }
    Ok(())
}

/// The inode number of the initial UTS namespace (`PROC_UTS_INIT_INO` in
/// the kernel's `proc_ns.h`): fixed, so a process can tell that it shares
/// the host's hostname.
const INITIAL_UTS_INODE: u64 = 0xEFFF_FFFE;

/// Whether this process is in the machine's initial UTS namespace.
pub fn in_initial_uts_namespace() -> bool {
    use std::os::unix::fs::MetadataExt;
    fs::metadata("/proc/self/ns/uts").is_ok_and(|m| m.ino() == INITIAL_UTS_INODE)
}

#[cfg(test)]
mod tests;
