use std::os::unix::fs::symlink;

use super::*;
use crate::spec::check::{Options, check};
use crate::spec::load::Source;
use crate::spec::plan::plan;

fn names(bits: u64) -> Vec<&'static str> {
    crate::sys::steps::CAPABILITIES
        .iter()
        .filter(|(_, b)| bits & (1 << b) != 0)
        .map(|(n, _)| *n)
        .collect()
}

#[test]
fn capabilities_start_from_the_runtime_default() {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert_eq!(
        names(capabilities(&[], &[])).len(),
        DEFAULT_CAPABILITIES.len()
    );
    assert!(names(capabilities(&[], &s(&["ALL"]))).is_empty());
    assert_eq!(
        names(capabilities(&s(&["NET_BIND_SERVICE"]), &s(&["ALL"]))),
        ["NET_BIND_SERVICE"]
    );
    let with_admin = names(capabilities(
        &s(&["CAP_NET_ADMIN"]),
        &s(&["KILL", "cap_chown"]),
    ));
    assert!(
        with_admin.contains(&"NET_ADMIN")
            && !with_admin.contains(&"KILL")
            && !with_admin.contains(&"CHOWN")
    );
    assert_eq!(
        names(capabilities(&s(&["ALL"]), &[])).len(),
        crate::sys::steps::CAPABILITIES.len()
    );
}

#[test]
fn paths_resolve_inside_the_root_whatever_the_symlinks_say() {
    let root = std::env::temp_dir().join(format!("podinit-resolve-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("run")).unwrap();
    std::fs::create_dir_all(root.join("var")).unwrap();
    std::fs::create_dir_all(root.join("usr/lib")).unwrap();
    symlink("/run", root.join("var/run")).unwrap();
    symlink("../usr/lib", root.join("var/lib")).unwrap();
    symlink("../../../../etc", root.join("usr/escape")).unwrap();
    symlink("loop", root.join("loop")).unwrap();
    let target = Path::new("/mnt/rootfs");
    let cases = [
        ("/data", "data"),
        ("/var/run/app", "run/app"),
        ("/var/lib/x", "usr/lib/x"),
        ("/usr/escape/passwd", "etc/passwd"),
        ("/../../etc", "etc"),
        ("/a/./b/../c", "a/c"),
    ];
    for (path, want) in cases {
        let got = Inside {
            root: &root,
            target,
            path: PathBuf::from(path),
        }
        .resolve()
        .unwrap();
        assert_eq!(got.relative, PathBuf::from(want), "{path}");
        assert_eq!(got.full(), target.join(want));
    }
    // A loop (or more than 40 links) is ELOOP, not a path taken as it is.
    let looped = Inside {
        root: &root,
        target,
        path: PathBuf::from("/loop/x"),
    }
    .resolve();
    let Err(err) = looped else {
        panic!("a symlink loop resolved");
    };
    assert!(
        crate::exit::report(&err).contains("Too many levels of symbolic links"),
        "{err}"
    );
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn an_isolated_container_gets_its_steps_in_order() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  securityContext: {runAsUser: 1000, fsGroup: 2000, supplementalGroups: [3000]}\n  containers:\n  - name: app\n    image: /\n    workingDir: /work\n    securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true}\n    volumeMounts: [{name: data, mountPath: /data, readOnly: true}]\n  volumes: [{name: data, emptyDir: {}}]\n";
    let checked = check(
        &[Source {
            name: "t".into(),
            text: text.into(),
        }],
        Options::default(),
    );
    let pod = plan(&checked).unwrap();
    let dir = std::env::temp_dir().join(format!("podinit-setup-{}", std::process::id()));
    let sandbox = crate::sandbox::Files {
        hosts: dir.join("etc/hosts"),
        hostname: dir.join("etc/hostname"),
        resolv_conf: dir.join("etc/resolv.conf"),
        shm: dir.join("shm"),
    };
    let volumes = [VolumeSource {
        host_path: dir.join("volumes/data"),
        is_dir: true,
        read_only: false,
    }];
    let input = Input {
        pod: &pod,
        container: &pod.containers[0],
        root: &crate::image::Rootfs::Host,
        volumes: &volumes,
        sandbox: &sandbox,
        instance_dir: &dir.join("app-0"),
        env: &[],
        cgroup_procs: None,
        stdio: None,
        termination_log: None,
    };
    let setup = isolated(&input).unwrap();
    let about = setup.about.join("\n");
    let order = [
        "start a session",
        "create a mount namespace",
        "bind / as the root",
        "mount /proc",
        "mount /sys read-only",
        "mount a tmpfs on /dev",
        "bind the pod's /dev/shm",
        "bind the pod's /etc/hosts",
        "mount volume data at /data",
        "make volume data read-only at /data",
        "make the root read-only",
        "pivot_root into the container's root",
        "enter the working directory /work",
        "set no_new_privs",
        "limit the capability bounding set",
        "become uid 1000, gid 0",
        "set the capabilities",
    ];
    let mut at = 0;
    for want in order {
        let found = setup.about[at..].iter().position(|a| a == want);
        assert!(
            found.is_some(),
            "{want:?} missing or out of order in:\n{about}"
        );
        at += found.unwrap_or(0) + 1;
    }
    let identity = setup.steps.iter().find_map(|s| match s {
        Step::Identity { groups, .. } => Some(groups.clone()),
        _ => None,
    });
    assert_eq!(identity, Some(vec![2000, 3000]));
    let _ = std::fs::remove_dir_all(&dir);
}
