//! The setup steps of one container instance, built in the parent.
//!
//! Turns a container's plan, its root filesystem, the pod's prepared
//! volumes and sandbox files into the list of [`Step`]s its process runs
//! after `fork`: a mount namespace, the root (an overlay of the image, so
//! the image is never written and every restart starts clean, or a bind of
//! `/`), `/proc`, a read-only `/sys`, a minimal `/dev`, the pod's `/dev/shm`
//! and `/etc` files, the volumes, `pivot_root`, the working directory, the
//! identity and the capabilities. Each step comes with a description for
//! the error message when it fails.
//!
//! Paths inside the root are resolved here, symlinks included, against the
//! image: a symlink in an image (`/var/run -> /run`) is followed inside it,
//! never out to the host.

use std::ffi::CString;
use std::path::{Component, Path, PathBuf};

use crate::spec::plan::{ContainerPlan, PodPlan};
use crate::sys::mount::{
    CLONE_NEWNS, MS_BIND, MS_NODEV, MS_NOEXEC, MS_NOSUID, MS_PRIVATE, MS_RDONLY, MS_REC,
    MS_REMOUNT, cpath, ctext,
};
use crate::sys::steps::{DEFAULT_CAPABILITIES, Step, capability_bit};

use super::ContainerError;
use crate::image::Rootfs;

/// A volume ready on the host, for a mount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolumeSource {
    pub host_path: PathBuf,
    pub is_dir: bool,
    /// Data volumes (configMap, secret, ...) are read-only whatever the mount says.
    pub read_only: bool,
}

/// What the setup of one container instance needs.
#[derive(Debug)]
pub struct Input<'a> {
    pub pod: &'a PodPlan,
    pub container: &'a ContainerPlan,
    pub root: &'a Rootfs,
    /// Indexed as `pod.volumes`.
    pub volumes: &'a [VolumeSource],
    pub sandbox: &'a crate::sandbox::Files,
    /// This instance's own directory (overlay layers, the mount point).
    pub instance_dir: &'a Path,
    /// The container's env, for `subPathExpr`.
    pub env: &'a [(String, String)],
    /// The cgroup's `cgroup.procs`, to join first.
    pub cgroup_procs: Option<CString>,
    /// stdin, stdout and stderr: `/dev/null` and the log pipes (`None`:
    /// podinit's own).
    pub stdio: Option<[std::ffi::c_int; 3]>,
    /// The file to bind at `terminationMessagePath` (`None`: none).
    pub termination_log: Option<&'a Path>,
}

/// Steps and what each is about, in step order.
#[derive(Debug, Default)]
pub struct Setup {
    pub steps: Vec<Step>,
    pub about: Vec<String>,
}

impl Setup {
    fn push(&mut self, step: Step, about: impl Into<String>) {
        self.steps.push(step);
        self.about.push(about.into());
    }

    fn mount(
        &mut self,
        source: Option<CString>,
        target: CString,
        fstype: Option<&str>,
        flags: libc::c_ulong,
        data: Option<&str>,
        about: String,
    ) -> Result<(), ContainerError> {
        let fstype = fstype
            .map(ctext)
            .transpose()
            .map_err(|e| ContainerError::plan(&about, e))?;
        let data = data
            .map(ctext)
            .transpose()
            .map_err(|e| ContainerError::plan(&about, e))?;
        self.push(
            Step::Mount {
                source,
                target,
                fstype,
                flags,
                data,
            },
            about,
        );
        Ok(())
    }
}

/// Whether the kernel has overlayfs, asked once by a mount at `probe` (an
/// empty directory) that cannot succeed: without `lowerdir` an overlay is
/// refused with EINVAL, while a kernel without overlayfs, built in or as a
/// module it can load, says ENODEV. The mount loads the module where there
/// is one, as the container's own mount would. A microVM kernel whose
/// modules are not in its initramfs has none.
fn overlay_available(probe: &Path) -> bool {
    static AVAILABLE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *AVAILABLE.get_or_init(|| {
        let Ok(target) = crate::sys::mount::cpath(probe) else {
            return true;
        };
        let tried = crate::sys::mount::mount(
            Some(c"overlay"),
            &target,
            Some(c"overlay"),
            crate::sys::mount::MS_RDONLY,
            None,
        );
        match tried {
            Ok(()) => {
                let _ = crate::sys::mount::umount(&target, crate::sys::mount::MNT_DETACH);
                true
            }
            Err(err) => err.raw_os_error() != Some(libc::ENODEV),
        }
    })
}

/// The steps for a container when podinit can mount (CAP_SYS_ADMIN).
pub fn isolated(input: &Input) -> Result<Setup, ContainerError> {
    let mut setup = Setup::default();
    common_start(&mut setup, input);
    setup.push(Step::Unshare(CLONE_NEWNS), "create a mount namespace");
    setup.push(
        Step::Mount {
            source: None,
            target: ctext_ok("/"),
            fstype: None,
            flags: MS_REC | MS_PRIVATE,
            data: None,
        },
        "make the mounts private",
    );
    let target = input.instance_dir.join("rootfs");
    std::fs::create_dir_all(&target)
        .map_err(|e| ContainerError::plan("create the mount point of the root", e))?;
    let lower = match input.root {
        Rootfs::Host => {
            setup.mount(
                Some(ctext_ok("/")),
                path(&target)?,
                None,
                MS_BIND | MS_REC,
                None,
                "bind / as the root".into(),
            )?;
            PathBuf::from("/")
        }
        Rootfs::Dir(image) if !overlay_available(&target) => {
            static WARNED: std::sync::Once = std::sync::Once::new();
            WARNED.call_once(|| {
                log::warn!(
                    "this kernel has no overlayfs: containers run on their image directories \
                     themselves, so what one writes to its root stays in the image"
                );
            });
            setup.mount(
                Some(path(image)?),
                path(&target)?,
                None,
                MS_BIND | MS_REC,
                None,
                format!(
                    "bind the image {} as the root (no overlayfs)",
                    image.display()
                ),
            )?;
            image.clone()
        }
        Rootfs::Dir(image) => {
            let (upper, work) = (
                input.instance_dir.join("upper"),
                input.instance_dir.join("work"),
            );
            for dir in [&upper, &work] {
                std::fs::create_dir_all(dir)
                    .map_err(|e| ContainerError::plan("create the overlay's layers", e))?;
            }
            for p in [image, &upper, &work] {
                if p.to_string_lossy().contains([',', ':']) {
                    return Err(ContainerError::Path {
                        path: p.clone(),
                        reason: "a ',' or ':' cannot be in an overlay layer's path",
                    });
                }
            }
            let data = format!(
                "lowerdir={},upperdir={},workdir={}",
                image.display(),
                upper.display(),
                work.display()
            );
            setup.mount(
                Some(ctext_ok("overlay")),
                path(&target)?,
                Some("overlay"),
                0,
                Some(&data),
                format!("mount the overlay of the image {}", image.display()),
            )?;
            image.clone()
        }
    };
    let inside = |p: &str| Inside {
        root: &lower,
        target: &target,
        path: PathBuf::from(p),
    };
    kernel_filesystems(&mut setup, &target)?;
    dev(&mut setup, &target, &input.sandbox.shm)?;
    for (source, dest) in [
        (&input.sandbox.hosts, "/etc/hosts"),
        (&input.sandbox.hostname, "/etc/hostname"),
        (&input.sandbox.resolv_conf, "/etc/resolv.conf"),
    ] {
        let at = inside(dest).resolve()?;
        mount_point(&mut setup, &at, false)?;
        setup.mount(
            Some(path(source)?),
            path(&at.full())?,
            None,
            MS_BIND,
            None,
            format!("bind the pod's {dest}"),
        )?;
    }
    volumes(&mut setup, input, &lower, &target)?;
    // After the volumes, as the kubelet adds it to the mounts: the file the
    // container may write its termination message to.
    if let Some(log) = input.termination_log {
        let dest = input.container.termination_message_path.to_string_lossy();
        let at = inside(&dest).resolve()?;
        mount_point(&mut setup, &at, false)?;
        setup.mount(
            Some(path(log)?),
            path(&at.full())?,
            None,
            MS_BIND,
            None,
            format!("bind the termination message file {dest}"),
        )?;
    }
    // A missing working directory is created, as runc does (before the
    // root may become read-only).
    if let Some(dir) = &input.container.working_dir {
        let at = inside(&dir.to_string_lossy()).resolve()?;
        mount_point(&mut setup, &at, true)?;
    }
    if input.container.security.read_only_root_filesystem {
        setup.mount(
            None,
            path(&target)?,
            None,
            MS_BIND | MS_REMOUNT | MS_RDONLY,
            None,
            "make the root read-only".into(),
        )?;
    }
    setup.push(
        Step::PivotRoot {
            new_root: path(&target)?,
            put_old: ctext_ok("."),
            old: ctext_ok("."),
        },
        "pivot_root into the container's root",
    );
    common_end(&mut setup, input.container, input.pod)?;
    Ok(setup)
}

/// The steps of a process joining a running container (an exec probe or
/// hook): its cgroup, its mount namespace and root (`mnt` and `root` are
/// descriptors of `/proc/PID/ns/mnt` and `/proc/PID/root` of its program,
/// `None` when podinit cannot mount), the standard descriptors (and the
/// terminal on stdin as the controlling one, for `podinit exec -t`), then
/// the container's working directory and identity.
pub fn joined(
    pod: &PodPlan,
    container: &ContainerPlan,
    cgroup_procs: Option<&CString>,
    fds: &JoinFds,
) -> Result<Setup, ContainerError> {
    let mut setup = Setup::default();
    setup.push(Step::Setsid, "start a session");
    if let Some(procs) = cgroup_procs {
        setup.push(
            Step::JoinCgroup(procs.clone()),
            "join the container's cgroup",
        );
    }
    if let Some((mnt, root)) = fds.namespace {
        setup.push(
            Step::Setns {
                fd: mnt,
                nstype: crate::sys::mount::CLONE_NEWNS,
            },
            "join the container's mount namespace",
        );
        setup.push(Step::Fchroot(root), "enter the container's root");
    }
    for (from, to, what) in [
        (fds.stdin, 0, "stdin"),
        (fds.stdout, 1, "stdout"),
        (fds.stderr, 2, "stderr"),
    ] {
        setup.push(Step::Dup2 { from, to }, format!("set up {what}"));
    }
    if fds.tty {
        setup.push(
            Step::ControllingTty,
            "make the terminal the controlling one",
        );
    }
    common_end(&mut setup, container, pod)?;
    Ok(setup)
}

/// The descriptors [`joined`] uses, open in podinit until the fork.
#[derive(Debug, Clone, Copy)]
pub struct JoinFds {
    /// The container's mount namespace and root directory.
    pub namespace: Option<(std::ffi::c_int, std::ffi::c_int)>,
    pub stdin: std::ffi::c_int,
    pub stdout: std::ffi::c_int,
    pub stderr: std::ffi::c_int,
    /// stdin is a terminal to make the controlling one.
    pub tty: bool,
}

/// The steps when podinit cannot mount: the container runs in podinit's
/// own mount namespace and root (only `image: /`, no volumes; the caller
/// refuses the rest).
pub fn shared_root(input: &Input) -> Result<Setup, ContainerError> {
    let mut setup = Setup::default();
    common_start(&mut setup, input);
    common_end(&mut setup, input.container, input.pod)?;
    Ok(setup)
}

fn common_start(setup: &mut Setup, input: &Input) {
    setup.push(Step::Setsid, "start a session");
    if let Some(procs) = &input.cgroup_procs {
        setup.push(
            Step::JoinCgroup(procs.clone()),
            "join the container's cgroup",
        );
    }
}

/// Working directory, privileges, identity, capabilities: after the root
/// is in place, in the order the kernel needs (drop the bounding set while
/// CAP_SETPCAP is there; change ids while CAP_SETUID is there).
fn common_end(
    setup: &mut Setup,
    container: &ContainerPlan,
    pod: &PodPlan,
) -> Result<(), ContainerError> {
    let dir = container
        .working_dir
        .clone()
        .unwrap_or_else(|| PathBuf::from("/"));
    setup.push(
        Step::Chdir(path(&dir)?),
        format!("enter the working directory {}", dir.display()),
    );
    let security = &container.security;
    if security.no_new_privileges {
        setup.push(Step::NoNewPrivs, "set no_new_privs");
    }
    let caps = capabilities(&security.capabilities_add, &security.capabilities_drop);
    setup.push(
        Step::BoundCapabilities(caps),
        "limit the capability bounding set",
    );
    let uid = security.run_as_user.unwrap_or(0);
    let gid = security.run_as_group.unwrap_or(0);
    let mut groups: Vec<u32> = pod.security.supplemental_groups.clone();
    groups.extend(pod.security.fs_group);
    groups.sort_unstable();
    groups.dedup();
    setup.push(
        Step::Identity { uid, gid, groups },
        format!("become uid {uid}, gid {gid}"),
    );
    setup.push(Step::Capabilities(caps), "set the capabilities");
    Ok(())
}

/// The capability set: the runtimes' default set, then drop, then add
/// (`ALL` works in both).
pub fn capabilities(add: &[String], drop: &[String]) -> u64 {
    let all = |names: &[String]| names.iter().any(|n| n.eq_ignore_ascii_case("ALL"));
    let bits = |names: &[String]| {
        names
            .iter()
            .filter_map(|n| capability_bit(n))
            .fold(0u64, |acc, b| acc | b)
    };
    let mut set = DEFAULT_CAPABILITIES
        .iter()
        .filter_map(|n| capability_bit(n))
        .fold(0u64, |acc, b| acc | b);
    if all(drop) {
        set = 0;
    } else {
        set &= !bits(drop);
    }
    if all(add) {
        set = u64::MAX >> (63 - 40);
    } else {
        set |= bits(add);
    }
    set
}

fn kernel_filesystems(setup: &mut Setup, target: &Path) -> Result<(), ContainerError> {
    let proc = target.join("proc");
    setup.push(
        Step::Mkdir {
            path: path(&proc)?,
            mode: 0o555,
        },
        "create /proc",
    );
    setup.mount(
        Some(ctext_ok("proc")),
        path(&proc)?,
        Some("proc"),
        MS_NOSUID | MS_NODEV | MS_NOEXEC,
        None,
        "mount /proc".into(),
    )?;
    let sys = target.join("sys");
    setup.push(
        Step::Mkdir {
            path: path(&sys)?,
            mode: 0o555,
        },
        "create /sys",
    );
    setup.push(Step::Sysfs(path(&sys)?), "mount /sys read-only");
    Ok(())
}

/// A minimal /dev: a tmpfs with the usual devices bound from the host's,
/// a devpts of its own, the standard links, and the pod's /dev/shm.
fn dev(setup: &mut Setup, target: &Path, shm: &Path) -> Result<(), ContainerError> {
    let dev = target.join("dev");
    setup.push(
        Step::Mkdir {
            path: path(&dev)?,
            mode: 0o755,
        },
        "create /dev",
    );
    setup.mount(
        Some(ctext_ok("tmpfs")),
        path(&dev)?,
        Some("tmpfs"),
        MS_NOSUID,
        Some("mode=755,size=65536k"),
        "mount a tmpfs on /dev".into(),
    )?;
    for device in ["null", "zero", "full", "random", "urandom", "tty"] {
        let at = dev.join(device);
        setup.push(Step::Touch(path(&at)?), format!("create /dev/{device}"));
        setup.mount(
            Some(path(&Path::new("/dev").join(device))?),
            path(&at)?,
            None,
            MS_BIND,
            None,
            format!("bind /dev/{device}"),
        )?;
    }
    let pts = dev.join("pts");
    setup.push(
        Step::Mkdir {
            path: path(&pts)?,
            mode: 0o755,
        },
        "create /dev/pts",
    );
    setup.mount(
        Some(ctext_ok("devpts")),
        path(&pts)?,
        Some("devpts"),
        MS_NOSUID | MS_NOEXEC,
        Some("newinstance,ptmxmode=0666,mode=0620"),
        "mount /dev/pts".into(),
    )?;
    for (link, to) in [
        ("ptmx", "pts/ptmx"),
        ("fd", "/proc/self/fd"),
        ("stdin", "/proc/self/fd/0"),
        ("stdout", "/proc/self/fd/1"),
        ("stderr", "/proc/self/fd/2"),
    ] {
        setup.push(
            Step::Symlink {
                target: ctext_ok(to),
                link: path(&dev.join(link))?,
            },
            format!("link /dev/{link}"),
        );
    }
    let at = dev.join("shm");
    setup.push(
        Step::Mkdir {
            path: path(&at)?,
            mode: 0o1777,
        },
        "create /dev/shm",
    );
    setup.mount(
        Some(path(shm)?),
        path(&at)?,
        None,
        MS_BIND,
        None,
        "bind the pod's /dev/shm".into(),
    )
}

fn volumes(
    setup: &mut Setup,
    input: &Input,
    lower: &Path,
    target: &Path,
) -> Result<(), ContainerError> {
    for mount in &input.container.mounts {
        let (Some(volume), Some(source)) = (
            input.pod.volumes.get(mount.volume),
            input.volumes.get(mount.volume),
        ) else {
            return Err(ContainerError::Path {
                path: mount.path.clone(),
                reason: "mounts a volume that was not prepared",
            });
        };
        let mut is_dir = source.is_dir;
        let mut parts = None;
        if let Some(sub) = sub_path(&mount.sub_path, input.env) {
            // Checked and created here; walked again, without following
            // links, by the child that binds it.
            let (names, dir) = prepare_sub_path(&source.host_path, &sub, &volume.name)?;
            is_dir = dir;
            parts = Some(names);
        }
        let at = Inside {
            root: lower,
            target,
            path: mount.path.clone(),
        }
        .resolve()?;
        mount_point(setup, &at, is_dir)?;
        let about = format!("mount volume {} at {}", volume.name, mount.path.display());
        match parts {
            Some(parts) => setup.push(
                Step::BindBeneath {
                    base: path(&source.host_path)?,
                    parts,
                    target: path(&at.full())?,
                },
                about,
            ),
            None => setup.mount(
                Some(path(&source.host_path)?),
                path(&at.full())?,
                None,
                MS_BIND | MS_REC,
                None,
                about,
            )?,
        }
        if mount.read_only || source.read_only {
            let about = format!(
                "make volume {} read-only at {}",
                volume.name,
                mount.path.display()
            );
            setup.mount(
                None,
                path(&at.full())?,
                None,
                MS_BIND | MS_REMOUNT | MS_RDONLY,
                None,
                about,
            )?;
        }
    }
    Ok(())
}

/// Opens `sub` below a volume's directory `base`, one component at a time
/// with `O_NOFOLLOW`, creating missing directories (as the kubelet does):
/// a subPath that is absolute, has `..` or goes through a symlink is
/// refused, since a container can plant links in a shared volume (the
/// kubelet's subpath safety rules). Returns the components and whether the
/// end is a directory.
fn prepare_sub_path(
    base: &Path,
    sub: &str,
    volume: &str,
) -> Result<(Vec<CString>, bool), ContainerError> {
    use nix::fcntl::{OFlag, openat};
    use nix::sys::stat::{Mode, SFlag, fstat, mkdirat};
    let refuse = |reason: &'static str| {
        ContainerError::plan(
            &format!("use the subPath {sub:?} of volume {volume}"),
            std::io::Error::new(std::io::ErrorKind::InvalidInput, reason),
        )
    };
    let relative = Path::new(sub);
    if relative.is_absolute()
        || relative
            .components()
            .any(|c| matches!(c, Component::ParentDir | Component::RootDir))
    {
        return Err(refuse("a subPath must be a relative path without '..'"));
    }
    let io = |what: &str, e: nix::errno::Errno| {
        ContainerError::plan(
            &format!("open the subPath {sub} of volume {volume} ({what})"),
            std::io::Error::from(e),
        )
    };
    let flags = OFlag::O_PATH | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
    let mut fd = openat(
        nix::fcntl::AT_FDCWD,
        base,
        flags | OFlag::O_DIRECTORY,
        Mode::empty(),
    )
    .map_err(|e| io("the volume", e))?;
    let parts: Vec<_> = relative
        .components()
        .filter(|c| matches!(c, Component::Normal(_)))
        .collect();
    let mut is_dir = true;
    let mut names = Vec::with_capacity(parts.len());
    for (i, part) in parts.iter().enumerate() {
        names.push(
            CString::new(part.as_os_str().as_encoded_bytes())
                .map_err(|_| refuse("a subPath cannot hold a NUL byte"))?,
        );
        let name = part.as_os_str();
        let next = match openat(&fd, name, flags, Mode::empty()) {
            Ok(next) => next,
            Err(nix::errno::Errno::ENOENT) => {
                match mkdirat(&fd, name, Mode::from_bits_truncate(0o755)) {
                    Ok(()) | Err(nix::errno::Errno::EEXIST) => {}
                    Err(e) => return Err(io("create it", e)),
                }
                openat(&fd, name, flags, Mode::empty()).map_err(|e| io("open it", e))?
            }
            Err(e) => return Err(io("open it", e)),
        };
        let kind = SFlag::from_bits_truncate(fstat(&next).map_err(|e| io("stat", e))?.st_mode)
            & SFlag::S_IFMT;
        if kind == SFlag::S_IFLNK {
            return Err(refuse("a subPath may not go through a symbolic link"));
        }
        is_dir = kind == SFlag::S_IFDIR;
        if !is_dir && i + 1 < parts.len() {
            return Err(refuse(
                "a subPath goes through something that is not a directory",
            ));
        }
        fd = next;
    }
    Ok((names, is_dir))
}

/// The subPath of a mount, with `$(VAR)` expanded for subPathExpr.
fn sub_path(sub: &crate::spec::plan::volume::SubPath, env: &[(String, String)]) -> Option<String> {
    use crate::spec::plan::volume::SubPath;
    match sub {
        SubPath::None => None,
        SubPath::Path(p) => Some(p.clone()),
        SubPath::Expr(e) => {
            Some(crate::spec::plan::env::expand_words(std::slice::from_ref(e), env).concat())
        }
    }
}

/// Creates the mount point `at` (and its parents, from the root down): a
/// directory, or an empty file for a file mount.
fn mount_point(setup: &mut Setup, at: &ResolvedPath, is_dir: bool) -> Result<(), ContainerError> {
    let mut dir = at.target.clone();
    let parts: Vec<_> = at.relative.components().collect();
    for (i, part) in parts.iter().enumerate() {
        dir.push(part);
        let last = i + 1 == parts.len();
        if last && !is_dir {
            setup.push(Step::Touch(path(&dir)?), format!("create {}", at.shown()));
        } else {
            setup.push(
                Step::Mkdir {
                    path: path(&dir)?,
                    mode: 0o755,
                },
                format!("create {}", at.shown()),
            );
        }
    }
    Ok(())
}

/// A path inside a container's root, before resolution.
struct Inside<'a> {
    /// The root as it is on the host (the image, or `/`).
    root: &'a Path,
    /// Where the root is mounted for the setup.
    target: &'a Path,
    path: PathBuf,
}

/// A path inside the root, symlinks resolved, and where it is during setup.
struct ResolvedPath {
    target: PathBuf,
    relative: PathBuf,
}

impl ResolvedPath {
    fn shown(&self) -> String {
        format!("/{}", self.relative.display())
    }

    /// Where the steps find it: where the root is mounted, plus the path.
    fn full(&self) -> PathBuf {
        self.target.join(&self.relative)
    }
}

impl Inside<'_> {
    /// Follows symlinks component by component inside `root` (an absolute
    /// link restarts at the root, `..` stops at it), at most 40 of them as
    /// the kernel allows.
    /// Resolves the path as the kernel would inside the root (links
    /// followed against the image, never the host); more than 40 links is
    /// ELOOP, as for the kernel, rather than a path taken as it is (which
    /// the child would then follow on the host).
    fn resolve(&self) -> Result<ResolvedPath, ContainerError> {
        let mut done = PathBuf::new();
        let mut todo: Vec<PathBuf> = self.path.components().rev().filter_map(component).collect();
        let mut links = 0;
        while let Some(part) = todo.pop() {
            if part.as_os_str() == ".." {
                done.pop();
                continue;
            }
            let candidate = done.join(&part);
            match std::fs::read_link(self.root.join(&candidate)) {
                Ok(_) if links >= 40 => {
                    return Err(ContainerError::Prepare {
                        what: format!("resolve {} in the image", self.path.display()),
                        source: std::io::Error::from_raw_os_error(libc::ELOOP),
                    });
                }
                Ok(link) => {
                    links += 1;
                    if link.is_absolute() {
                        done = PathBuf::new();
                    }
                    todo.extend(link.components().rev().filter_map(component));
                }
                _ => done = candidate,
            }
        }
        Ok(ResolvedPath {
            target: self.target.to_owned(),
            relative: done,
        })
    }
}

fn component(c: Component<'_>) -> Option<PathBuf> {
    match c {
        Component::Normal(name) => Some(PathBuf::from(name)),
        Component::ParentDir => Some(PathBuf::from("..")),
        _ => None,
    }
}

fn path<P: AsRef<Path> + ?Sized>(p: &P) -> Result<CString, ContainerError> {
    cpath(p.as_ref()).map_err(|_| ContainerError::Path {
        path: p.as_ref().to_owned(),
        reason: "holds a NUL byte",
    })
}

/// A C string from a literal without NUL bytes.
fn ctext_ok(text: &str) -> CString {
    ctext(text).unwrap_or_default()
}

#[cfg(test)]
mod tests;
