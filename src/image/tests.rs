use std::fs;
use std::path::{Path, PathBuf};

use super::*;

const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const OTHER: &str = "sha256:fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("podinit-image-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// A store with images in every shape the lookup knows.
fn store(dir: &Path) -> PathBuf {
    let root = dir.join("images");
    for image in [
        "busybox/1.36/bin",
        "busybox/latest",
        "alpine:3.19/etc",
        "registry.k8s.io/pause/3.9/rootfs",
        "library/nginx/1.25/usr",
        &format!("team/app@{DIGEST}/bin"),
        "team/app/v1/bin",
        "layout/1/blobs",
        "notadir",
    ] {
        fs::create_dir_all(root.join(image)).unwrap();
    }
    fs::write(root.join("layout/1/oci-layout"), "{}").unwrap();
    fs::write(root.join("notadir/latest"), "").unwrap();
    root
}

#[test]
fn names_resolve_to_store_directories() {
    let dir = scratch("names");
    let root = store(&dir);
    let images = ImageStore::new(&root);
    let cases: [(&str, String); 11] = [
        ("busybox:1.36", "busybox/1.36".into()),
        ("busybox", "busybox/latest".into()),
        ("docker.io/library/busybox:1.36", "busybox/1.36".into()),
        ("docker.io/busybox:1.36", "busybox/1.36".into()),
        ("alpine:3.19", "alpine:3.19".into()),
        (
            "registry.k8s.io/pause:3.9",
            "registry.k8s.io/pause/3.9/rootfs".into(),
        ),
        ("nginx:1.25", "library/nginx/1.25".into()),
        ("docker.io/library/nginx:1.25", "library/nginx/1.25".into()),
        (&*format!("team/app@{DIGEST}"), format!("team/app@{DIGEST}")),
        (&*format!("team/app:v1@{OTHER}"), "team/app/v1".into()),
        ("localhost:5000/team/app:v1", "team/app/v1".into()),
    ];
    for (image, want) in cases {
        match images.resolve(image) {
            Ok(Rootfs::Dir(path)) => assert_eq!(path, root.join(&want), "{image}"),
            other => panic!("{image}: {other:?}"),
        }
    }
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn absolute_paths_are_root_filesystems() {
    let dir = scratch("absolute");
    fs::create_dir_all(dir.join("plain/bin")).unwrap();
    fs::create_dir_all(dir.join("bundle/rootfs/bin")).unwrap();
    fs::write(dir.join("file"), "").unwrap();
    let images = ImageStore::new(dir.join("no-store"));
    let path = |p: &str| dir.join(p).to_str().unwrap().to_owned();
    assert_eq!(images.resolve("/").unwrap(), Rootfs::Host);
    assert_eq!(images.resolve("//").unwrap(), Rootfs::Host);
    assert_eq!(
        images.resolve(&path("plain")).unwrap(),
        Rootfs::Dir(dir.join("plain"))
    );
    assert_eq!(
        images.resolve(&path("bundle")).unwrap(),
        Rootfs::Dir(dir.join("bundle/rootfs"))
    );
    let err = images.resolve(&path("file")).unwrap_err();
    assert!(matches!(err, ImageError::NotADirectory { .. }), "{err:?}");
    let err = images.resolve(&path("missing")).unwrap_err();
    assert!(
        matches!(&err, ImageError::Path { source, .. } if source.kind() == io::ErrorKind::NotFound),
        "{err:?}"
    );
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_images_are_refused_with_the_reason() {
    let dir = scratch("bad");
    let images = ImageStore::new(store(&dir));
    let cases: [(&str, &str); 13] = [
        ("", "the image is empty"),
        ("./rootfs", "is a relative path"),
        ("../rootfs", "is a relative path"),
        ("team/../app", "is a relative path"),
        ("rootfs/", "is a relative path"),
        ("Busybox", "must be lower case"),
        ("busy box", "lower-case letters and digits"),
        ("busybox:-x", "a tag is at most 128"),
        ("busybox@sha256:abc", "a digest is ALGORITHM:ENCODED"),
        ("bad_host:x:y/app", "the registry host"),
        ("oci:/srv/layout:1", "the oci: transport is not built"),
        ("docker-archive:/tmp/a.tar", "the docker-archive: transport"),
        ("layout:1", "is an OCI image layout"),
    ];
    for (image, want) in cases {
        let err = images.resolve(image).unwrap_err().to_string();
        assert!(err.contains(want), "{image:?}: {err}");
    }
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_missing_image_lists_what_was_tried_and_what_the_store_holds() {
    let dir = scratch("missing");
    let root = store(&dir);
    let err = ImageStore::new(&root).resolve("team/app:v2").unwrap_err();
    let ImageError::NotFound {
        tried, held, more, ..
    } = &err
    else {
        panic!("{err:?}");
    };
    let tried: Vec<String> = tried
        .iter()
        .map(|p| p.strip_prefix(&root).unwrap().display().to_string())
        .collect();
    assert_eq!(
        tried,
        [
            "team/app/v2",
            "team/app:v2",
            "docker.io/team/app/v2",
            "docker.io/team/app:v2"
        ]
    );
    assert_eq!(
        held,
        &[
            "alpine:3.19".to_owned(),
            "busybox:1.36".into(),
            "busybox:latest".into(),
            "layout:1".into(),
            "library/nginx:1.25".into(),
            "registry.k8s.io/pause:3.9".into(),
            "team/app:v1".into(),
            format!("team/app@{DIGEST}"),
        ]
    );
    assert_eq!(*more, 0);
    let message = err.to_string();
    assert!(
        message.starts_with(&format!(
            "image \"team/app:v2\" is not in the store {}: looked at {}/team/app/v2, ",
            root.display(),
            root.display()
        )),
        "{message}"
    );
    assert!(
        message.ends_with("the store holds alpine:3.19, busybox:1.36, busybox:latest, layout:1, library/nginx:1.25, registry.k8s.io/pause:3.9, team/app:v1, team/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
        "{message}"
    );
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_large_store_is_listed_in_part() {
    let dir = scratch("large");
    let root = dir.join("images");
    for i in 0..50 {
        fs::create_dir_all(root.join(format!("app{i:02}/latest"))).unwrap();
    }
    let err = ImageStore::new(&root).resolve("nope").unwrap_err();
    assert!(
        err.to_string().ends_with("app39:latest and 10 more"),
        "{err}"
    );
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_empty_or_missing_store_says_so() {
    let dir = scratch("empty");
    let err = ImageStore::new(dir.join("none"))
        .resolve("busybox")
        .unwrap_err();
    assert!(matches!(err, ImageError::NoStore { .. }), "{err:?}");
    assert!(
        err.to_string().contains("does not exist (see --images)"),
        "{err}"
    );
    let err = ImageStore::new(&dir).resolve("busybox").unwrap_err();
    assert!(err.to_string().ends_with("; the store is empty"), "{err}");
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn name_components_follow_the_distribution_grammar() {
    let cases = [
        ("a", true),
        ("a.b", true),
        ("a__b", true),
        ("a---b", true),
        ("a___b", false),
        ("a..b", false),
        ("a.-b", false),
        ("-a", false),
        ("a-", false),
        ("", false),
    ];
    for (component, want) in cases {
        assert_eq!(valid_path_component(component), want, "{component:?}");
    }
}
