//! Volume preparation on a temp directory. These run as root (chown,
//! device files); the tmpfs tests also need CAP_SYS_ADMIN and are skipped
//! with a note without it. Every tmpfs they mount is unmounted by the test.

use std::collections::BTreeMap;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::net::UnixListener;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::*;
use crate::spec::check::{Options, check};
use crate::spec::load::Source;
use crate::spec::plan::ResourceRef;
use crate::spec::quantity::Amount;

/// A unique directory under the system's temp dir, removed at the end.
struct TempDir(PathBuf);

impl TempDir {
    fn new(test: &str) -> Self {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let n = COUNT.fetch_add(1, Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("podinit-volume-{}-{test}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

struct Facts;

impl PodFacts for Facts {
    fn field(&self, field: &FieldRef) -> String {
        match field {
            FieldRef::Name => "web-0".into(),
            FieldRef::Namespace => "shop".into(),
            _ => String::new(),
        }
    }

    fn resource(&self, reference: &ResourceRef) -> Option<String> {
        (reference.container == "app").then(|| "2".into())
    }
}

fn plan_of(text: &str) -> PodPlan {
    let checked = check(
        &[Source {
            name: "t.yaml".into(),
            text: text.into(),
        }],
        Options::default(),
    );
    match crate::spec::plan::plan(&checked) {
        Ok(plan) => plan,
        Err(diags) => panic!(
            "{:#?}",
            diags.iter().map(|d| d.to_string()).collect::<Vec<_>>()
        ),
    }
}

const POD: &str = r#"
apiVersion: v1
kind: Pod
metadata:
  name: web-0
  labels: {app: shop, tier: front-end}
  annotations: {note: "say \"hi\"\n\tbye", b: "é\u00a0"}
spec:
  containers:
  - {name: app, image: /}
"#;

/// The test pod with these volumes and fsGroup.
fn plan_with(volumes: Vec<VolumePlan>, fs_group: Option<u32>) -> PodPlan {
    let mut plan = plan_of(POD);
    plan.volumes = volumes;
    plan.security.fs_group = fs_group;
    plan
}

fn volume(name: &str, source: VolumeSource) -> VolumePlan {
    VolumePlan {
        name: name.into(),
        source,
    }
}

fn empty_dir(memory: bool, size_limit: Option<u64>, mode: Option<u32>) -> VolumeSource {
    VolumeSource::EmptyDir {
        memory,
        size_limit,
        mode,
    }
}

fn host(path: &Path, kind: HostPathType) -> VolumeSource {
    VolumeSource::HostPath {
        path: path.to_owned(),
        kind,
    }
}

fn item(path: &str, mode: u32, content: FileContent) -> FileItem {
    FileItem {
        path: path.into(),
        mode,
        content,
    }
}

fn bytes(text: &str) -> FileContent {
    FileContent::Bytes(text.as_bytes().to_vec())
}

fn mode_of(path: &Path) -> u32 {
    fs::symlink_metadata(path).unwrap().permissions().mode() & 0o7777
}

/// Whether podinit may mount here: root with CAP_SYS_ADMIN (bit 21).
fn can_mount() -> bool {
    let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
    let cap_eff = status
        .lines()
        .find_map(|l| l.strip_prefix("CapEff:"))
        .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())
        .unwrap_or(0);
    let ok = cap_eff & (1 << 21) != 0;
    if !ok {
        eprintln!("note: skipped, needs CAP_SYS_ADMIN to mount a tmpfs");
    }
    ok
}

/// The (fstype, super options) of the mount at `path`, from mountinfo.
fn mount_at(path: &Path) -> Option<(String, String)> {
    let info = fs::read_to_string("/proc/self/mountinfo").unwrap();
    info.lines().rev().find_map(|line| {
        let fields: Vec<&str> = line.split(' ').collect();
        let sep = fields.iter().position(|f| *f == "-")?;
        (Path::new(fields[4]) == path)
            .then(|| (fields[sep + 1].to_owned(), fields[sep + 3].to_owned()))
    })
}

fn mounts_under(dir: &Path) -> Vec<String> {
    let info = fs::read_to_string("/proc/self/mountinfo").unwrap();
    info.lines()
        .filter_map(|l| l.split(' ').nth(4))
        .filter(|p| Path::new(p).starts_with(dir))
        .map(str::to_owned)
        .collect()
}

fn error_text(err: &VolumeError) -> String {
    let mut text = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        text.push_str(&format!(": {s}"));
        source = s.source();
    }
    text
}

/// What is at the hostPath before podinit looks.
#[derive(Debug, Clone, Copy)]
enum There {
    Nothing,
    Dir,
    File,
    Socket,
    /// A symlink to /dev/null: stat follows it.
    NullLink,
    /// A symlink to a loop device, when the host has one.
    BlockLink,
}

fn make(there: There, path: &Path) -> Option<UnixListener> {
    match there {
        There::Nothing => {}
        There::Dir => fs::create_dir(path).unwrap(),
        There::File => fs::write(path, "data").unwrap(),
        There::Socket => return Some(UnixListener::bind(path).unwrap()),
        There::NullLink => symlink("/dev/null", path).unwrap(),
        There::BlockLink => symlink("/dev/loop0", path).unwrap(),
    }
    None
}

#[test]
fn host_paths_are_checked_and_created_by_type() {
    use HostPathType as T;
    use There as H;
    // (type, what is there, Ok(is_dir) or a piece of the error)
    let cases: &[(T, There, Result<bool, &str>)] = &[
        (T::Unset, H::Nothing, Ok(true)),
        (T::Unset, H::File, Ok(false)),
        (T::Unset, H::Socket, Ok(false)),
        (T::DirectoryOrCreate, H::Nothing, Ok(true)),
        (T::DirectoryOrCreate, H::Dir, Ok(true)),
        (
            T::DirectoryOrCreate,
            H::File,
            Err("is not a directory (it is a file)"),
        ),
        (T::Directory, H::Dir, Ok(true)),
        (T::Directory, H::Nothing, Err("No such file")),
        (T::Directory, H::File, Err("is not a directory")),
        (T::FileOrCreate, H::Nothing, Ok(false)),
        (T::FileOrCreate, H::File, Ok(false)),
        (
            T::FileOrCreate,
            H::Dir,
            Err("is not a file (it is a directory)"),
        ),
        (T::File, H::File, Ok(false)),
        (T::File, H::Nothing, Err("No such file")),
        (T::File, H::Dir, Err("is not a file")),
        (T::Socket, H::Socket, Ok(false)),
        (T::Socket, H::File, Err("is not a socket")),
        (T::CharDevice, H::NullLink, Ok(false)),
        (T::CharDevice, H::File, Err("is not a character device")),
        (T::BlockDevice, H::BlockLink, Ok(false)),
        (
            T::BlockDevice,
            H::NullLink,
            Err("is not a block device (it is a character device)"),
        ),
    ];
    let tmp = TempDir::new("hostpath");
    let block = fs::metadata("/dev/loop0").is_ok_and(|m| m.file_type().is_block_device());
    for (i, &(kind, there, ref want)) in cases.iter().enumerate() {
        if matches!(there, H::BlockLink) && !block {
            eprintln!("note: no /dev/loop0, BlockDevice case skipped");
            continue;
        }
        let what = format!("case {i}: {kind:?} on {there:?}");
        // Nested, so that DirectoryOrCreate has parents to create.
        let path = tmp.path().join(format!("case{i}/host/p"));
        if !matches!((kind, there), (T::Unset | T::DirectoryOrCreate, H::Nothing)) {
            fs::create_dir_all(path.parent().unwrap()).unwrap();
        }
        let _listener = make(there, &path);
        let plan = plan_with(vec![volume("data", host(&path, kind))], None);
        let pod_dir = tmp.path().join(format!("pod{i}"));
        match (prepare(&plan, &pod_dir, false, &Facts), want) {
            (Ok(mut prepared), Ok(is_dir)) => {
                let source = &prepared.sources[0];
                assert_eq!(source.host_path, path, "{what}");
                assert_eq!(source.is_dir, *is_dir, "{what}");
                assert!(!source.read_only, "{what}");
                if matches!(there, H::Nothing) {
                    let want_mode = if *is_dir { DIR_MODE } else { HOST_FILE_MODE };
                    assert_eq!(mode_of(&path), want_mode, "{what}");
                }
                prepared.cleanup();
                assert!(fs::symlink_metadata(&path).is_ok(), "{what}: hostPath kept");
            }
            (Err(err), Err(piece)) => {
                let text = error_text(&err);
                assert!(text.contains(piece), "{what}: {text}");
                assert!(
                    text.contains("\"data\"") && text.contains(&path.display().to_string()),
                    "{what}: {text}"
                );
            }
            (got, want) => panic!("{what}: got {got:?}, want {want:?}"),
        }
        // A hostPath only never leaves anything in the pod's directory.
        assert!(!pod_dir.join("volumes").exists(), "{what}");
    }
}

#[test]
fn file_or_create_does_not_create_parents() {
    let tmp = TempDir::new("fileorcreate");
    let path = tmp.path().join("missing/dir/file");
    let plan = plan_with(
        vec![volume("f", host(&path, HostPathType::FileOrCreate))],
        None,
    );
    let err = prepare(&plan, &tmp.path().join("pod"), false, &Facts).unwrap_err();
    assert!(
        matches!(&err, VolumeError::MissingParent { parent, .. } if *parent == tmp.path().join("missing/dir")),
        "{err:?}"
    );
    assert!(err.to_string().contains("missing/dir is missing"), "{err}");
    assert!(!tmp.path().join("missing").exists());
}

#[test]
fn empty_dir_modes_and_fs_group() {
    // (mode, fsGroup, st_mode, group)
    let cases = [
        (None, None, 0o777, 0),
        (Some(0o750), None, 0o750, 0),
        (None, Some(2000), 0o2777, 2000),
        (Some(0o700), Some(3000), 0o2770, 3000),
    ];
    let tmp = TempDir::new("emptydir");
    for (i, (mode, fs_group, want_mode, want_gid)) in cases.into_iter().enumerate() {
        let pod_dir = tmp.path().join(format!("pod{i}"));
        let plan = plan_with(
            vec![volume("scratch", empty_dir(false, Some(1 << 20), mode))],
            fs_group,
        );
        let mut prepared = prepare(&plan, &pod_dir, false, &Facts).unwrap();
        let dir = pod_dir.join("volumes/scratch");
        assert_eq!(prepared.sources[0].host_path, dir);
        assert!(prepared.sources[0].is_dir && !prepared.sources[0].read_only);
        assert_eq!(mode_of(&dir), want_mode, "case {i}");
        assert_eq!(fs::metadata(&dir).unwrap().gid(), want_gid, "case {i}");
        assert_eq!(mode_of(&pod_dir.join("volumes")), 0o755, "case {i}");
        prepared.cleanup();
        assert!(!pod_dir.join("volumes").exists(), "case {i}");
    }
}

#[test]
fn memory_without_mounting_is_refused_before_anything() {
    let tmp = TempDir::new("nomount");
    let plan = plan_with(
        vec![
            volume("a", empty_dir(false, None, None)),
            volume("m", empty_dir(true, Some(1 << 20), None)),
        ],
        None,
    );
    let pod_dir = tmp.path().join("pod");
    let err = prepare(&plan, &pod_dir, false, &Facts).unwrap_err();
    assert!(
        matches!(err, VolumeError::MemoryNeedsMount { .. }),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("CAP_SYS_ADMIN") && err.to_string().contains("\"m\""),
        "{err}"
    );
    assert!(!pod_dir.exists());
}

#[test]
fn memory_empty_dir_is_a_tmpfs_with_its_size() {
    if !can_mount() {
        return;
    }
    let tmp = TempDir::new("tmpfs");
    let cases = [
        (Some(1 << 20), None, "size=1024k", 0o1777),
        (None, Some(0o770), "mode=770", 0o770),
    ];
    for (i, (size, mode, option, want_mode)) in cases.into_iter().enumerate() {
        let pod_dir = tmp.path().join(format!("pod{i}"));
        let plan = plan_with(vec![volume("mem", empty_dir(true, size, mode))], None);
        let mut prepared = prepare(&plan, &pod_dir, true, &Facts).unwrap();
        let dir = pod_dir.join("volumes/mem");
        let mounted = mount_at(&dir);
        let mode_seen = mode_of(&dir);
        prepared.cleanup();
        let (fstype, options) = mounted.expect("a mount on the emptyDir");
        assert_eq!(fstype, "tmpfs");
        assert!(
            options.split(',').any(|o| o == option),
            "case {i}: {options}"
        );
        assert_eq!(mode_seen, want_mode, "case {i}");
        assert!(mounts_under(tmp.path()).is_empty(), "case {i}: unmounted");
        assert!(!dir.exists(), "case {i}");
    }
}

/// The AtomicWriter layout: `..data` -> the timestamped directory, one
/// link per top-level name, the files with their modes.
fn check_layout(dir: &Path) {
    let data = fs::read_link(dir.join("..data")).unwrap();
    let ts = data.to_str().unwrap();
    // ..2006_01_02_15_04_05.<digits>
    let (stamp, digits) = ts.strip_prefix("..").unwrap().split_once('.').unwrap();
    assert_eq!(stamp.len(), 19, "{ts}");
    assert!(
        stamp
            .split('_')
            .all(|p| p.chars().all(|c| c.is_ascii_digit())),
        "{ts}"
    );
    assert!(
        !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()),
        "{ts}"
    );
    assert_eq!(mode_of(&dir.join(ts)), 0o755);
    for (name, target) in [
        ("name", "..data/name"),
        ("conf", "..data/conf"),
        ("labels", "..data/labels"),
    ] {
        assert_eq!(
            fs::read_link(dir.join(name)).unwrap(),
            Path::new(target),
            "{name}"
        );
    }
    let mut entries: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    entries.sort();
    assert_eq!(
        entries,
        [ts, "..data", "annotations", "conf", "cpu", "labels", "name"]
    );
    let cases = [
        ("name", "web-0", 0o644),
        ("conf/app/settings.ini", "x=1\n", 0o400),
        ("conf/app/other", "", 0o600),
        ("cpu", "2", 0o644),
        ("labels", "app=\"shop\"\ntier=\"front-end\"", 0o644),
        (
            "annotations",
            "b=\"é\\u00a0\"\nnote=\"say \\\"hi\\\"\\n\\tbye\"",
            0o644,
        ),
    ];
    for (path, content, mode) in cases {
        assert_eq!(
            fs::read_to_string(dir.join(path)).unwrap(),
            content,
            "{path}"
        );
        assert_eq!(mode_of(&dir.join(ts).join(path)), mode, "{path}");
    }
    assert_eq!(mode_of(&dir.join(ts).join("conf/app")), 0o755);
}

fn files_volume() -> VolumePlan {
    let cpu = ResourceRef {
        container: "app".into(),
        resource: "limits.cpu".into(),
        divisor: Amount::parse("1").unwrap(),
    };
    volume(
        "info",
        VolumeSource::Files {
            items: vec![
                item("name", 0o644, FileContent::Field(FieldRef::Name)),
                item("./conf/app/settings.ini", 0o400, bytes("x=1\n")),
                item("conf/app/other", 0o600, bytes("")),
                item("cpu", 0o644, FileContent::Resource(cpu)),
                item("labels", 0o644, FileContent::Field(FieldRef::Labels)),
                item(
                    "annotations",
                    0o644,
                    FileContent::Field(FieldRef::Annotations),
                ),
            ],
        },
    )
}

#[test]
fn data_volumes_use_the_atomic_writer_layout() {
    let tmp = TempDir::new("files");
    let pod_dir = tmp.path().join("pod");
    let mut prepared = prepare(
        &plan_with(vec![files_volume()], None),
        &pod_dir,
        false,
        &Facts,
    )
    .unwrap();
    let dir = pod_dir.join("volumes/info");
    assert_eq!(prepared.sources[0].host_path, dir);
    assert!(prepared.sources[0].is_dir && prepared.sources[0].read_only);
    assert_eq!(mode_of(&dir), 0o1777);
    check_layout(&dir);
    prepared.cleanup();
    assert!(!dir.exists());
}

#[test]
fn data_volumes_are_on_a_tmpfs_when_podinit_can_mount() {
    if !can_mount() {
        return;
    }
    let tmp = TempDir::new("filestmpfs");
    let pod_dir = tmp.path().join("pod");
    let mut prepared = prepare(
        &plan_with(vec![files_volume()], None),
        &pod_dir,
        true,
        &Facts,
    )
    .unwrap();
    let dir = pod_dir.join("volumes/info");
    let mounted = mount_at(&dir);
    let root_mode = mode_of(&dir);
    let result = std::panic::catch_unwind(|| check_layout(&dir));
    prepared.cleanup();
    result.unwrap();
    let (fstype, options) = mounted.expect("a tmpfs");
    assert_eq!(fstype, "tmpfs");
    // The size: the files in 64 KiB steps, one more step each, 1 MiB more.
    assert!(options.split(',').any(|o| o == "size=1728k"), "{options}");
    assert_eq!(root_mode, 0o1777);
    assert!(mounts_under(tmp.path()).is_empty());
    assert!(!dir.exists());
}

#[test]
fn fs_group_owns_data_volumes_read_only() {
    let tmp = TempDir::new("fsgroup");
    let pod_dir = tmp.path().join("pod");
    let items = vec![
        item("secret", 0o400, bytes("s3cret")),
        item("sub/key", 0o600, bytes("k")),
    ];
    let plan = plan_with(
        vec![volume("creds", VolumeSource::Files { items })],
        Some(4000),
    );
    let mut prepared = prepare(&plan, &pod_dir, false, &Facts).unwrap();
    let dir = pod_dir.join("volumes/creds");
    let ts = dir.join(fs::read_link(dir.join("..data")).unwrap());
    // (path, mode): files gain group read, directories setgid and r-x.
    let cases = [
        (dir.clone(), 0o3777),
        (ts.clone(), 0o2755),
        (ts.join("sub"), 0o2755),
        (ts.join("secret"), 0o440),
        (ts.join("sub/key"), 0o640),
    ];
    for (path, mode) in cases {
        assert_eq!(mode_of(&path), mode, "{}", path.display());
        assert_eq!(
            fs::metadata(&path).unwrap().gid(),
            4000,
            "{}",
            path.display()
        );
    }
    assert_eq!(fs::read_to_string(dir.join("sub/key")).unwrap(), "k");
    prepared.cleanup();
}

#[test]
fn labels_are_formatted_like_the_kubelet() {
    let map = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
        pairs.iter().map(|&(k, v)| (k.into(), v.into())).collect()
    };
    let cases: &[(&[(&str, &str)], &str)] = &[
        (&[], ""),
        (&[("z", "1"), ("a", "")], "a=\"\"\nz=\"1\""),
        (
            &[("k", "back\\slash \"q\"")],
            "k=\"back\\\\slash \\\"q\\\"\"",
        ),
        (
            &[("k", "a\u{7}\u{0}\u{7f}\u{1b}")],
            "k=\"a\\a\\x00\\x7f\\x1b\"",
        ),
        (
            &[("k", "日本 ü\u{200b}\u{feff}\u{2028}")],
            "k=\"日本 ü\\u200b\\ufeff\\u2028\"",
        ),
        (&[("k", "\u{f0000}😀")], "k=\"\\U000f0000😀\""),
    ];
    for (pairs, want) in cases {
        assert_eq!(format_map(&map(pairs)), *want, "{pairs:?}");
    }
}

#[test]
fn timestamps_are_utc_calendar_dates() {
    let cases = [
        (0, "..1970_01_01_00_00_00."),
        (951_782_400, "..2000_02_29_00_00_00."),
        (1_709_251_199, "..2024_02_29_23_59_59."),
        (4_107_542_400, "..2100_03_01_00_00_00."),
    ];
    for (secs, want) in cases {
        assert_eq!(timestamp_prefix(secs), want, "{secs}");
    }
}

#[test]
fn bad_file_paths_and_unknown_containers_fail_cleanly() {
    let unknown = ResourceRef {
        container: "ghost".into(),
        resource: "limits.memory".into(),
        divisor: Amount::parse("1").unwrap(),
    };
    let cases = [
        (item("../escape", 0o644, bytes("x")), "must be relative"),
        (item("/etc/passwd", 0o644, bytes("x")), "must be relative"),
        (item("a/../../b", 0o644, bytes("x")), "must be relative"),
        (
            item("..data/x", 0o644, bytes("x")),
            "not starting with '..'",
        ),
        (item("", 0o644, bytes("x")), "must be relative"),
        (
            item("mem", 0o644, FileContent::Resource(unknown)),
            "container \"ghost\"",
        ),
    ];
    let tmp = TempDir::new("badpath");
    for (i, (bad, piece)) in cases.into_iter().enumerate() {
        let pod_dir = tmp.path().join(format!("pod{i}"));
        let items = vec![item("ok", 0o644, bytes("fine")), bad];
        let plan = plan_with(
            vec![
                volume("first", empty_dir(false, None, None)),
                volume("files", VolumeSource::Files { items }),
            ],
            None,
        );
        let err = prepare(&plan, &pod_dir, false, &Facts).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains(piece) && text.contains("\"files\""),
            "case {i}: {text}"
        );
        // The emptyDir made before is gone, and so is the volumes directory.
        assert!(!pod_dir.join("volumes").exists(), "case {i}");
    }
}

#[test]
fn cleanup_removes_empty_dirs_and_keeps_host_paths() {
    let tmp = TempDir::new("cleanup");
    let host_dir = tmp.path().join("host");
    fs::create_dir(&host_dir).unwrap();
    fs::write(host_dir.join("keep"), "precious").unwrap();
    let pod_dir = tmp.path().join("pod");
    let plan = plan_with(
        vec![
            volume("scratch", empty_dir(false, None, None)),
            volume("host", host(&host_dir, HostPathType::Directory)),
            files_volume(),
        ],
        Some(1234),
    );
    let mut prepared = prepare(&plan, &pod_dir, false, &Facts).unwrap();
    let scratch = &prepared.sources[0].host_path;
    // What a container leaves: files, and symlinks pointing out (to the
    // hostPath directory and its file), which must not be followed.
    fs::create_dir_all(scratch.join("deep/er")).unwrap();
    fs::write(scratch.join("deep/er/f"), "x").unwrap();
    symlink(&host_dir, scratch.join("to-host")).unwrap();
    symlink(host_dir.join("keep"), scratch.join("deep/to-keep")).unwrap();
    prepared.cleanup();
    prepared.cleanup();
    assert!(!pod_dir.join("volumes").exists());
    assert_eq!(
        fs::read_to_string(host_dir.join("keep")).unwrap(),
        "precious"
    );
    let meta = fs::metadata(&host_dir).unwrap();
    assert_eq!(
        (meta.permissions().mode() & 0o7777, meta.gid()),
        (0o755, 0),
        "hostPath untouched"
    );
}

#[test]
fn a_leftover_volume_directory_is_not_reused() {
    let tmp = TempDir::new("leftover");
    let pod_dir = tmp.path().join("pod");
    fs::create_dir_all(pod_dir.join("volumes/scratch")).unwrap();
    fs::write(pod_dir.join("volumes/scratch/old"), "old").unwrap();
    let plan = plan_with(vec![volume("scratch", empty_dir(false, None, None))], None);
    let err = prepare(&plan, &pod_dir, false, &Facts).unwrap_err();
    assert!(error_text(&err).contains("File exists"), "{err}");
    // Not ours: left as it was.
    assert_eq!(
        fs::read_to_string(pod_dir.join("volumes/scratch/old")).unwrap(),
        "old"
    );
}

#[test]
fn a_failure_half_way_undoes_mounts_and_directories() {
    let mount = can_mount();
    let tmp = TempDir::new("partial");
    let pod_dir = tmp.path().join("pod");
    let mut volumes = vec![
        volume("scratch", empty_dir(false, None, None)),
        files_volume(),
    ];
    if mount {
        volumes.push(volume("mem", empty_dir(true, Some(1 << 20), None)));
    }
    volumes.push(volume(
        "host",
        host(&tmp.path().join("nope"), HostPathType::Directory),
    ));
    let plan = plan_with(volumes, None);
    let err = prepare(&plan, &pod_dir, mount, &Facts).unwrap_err();
    assert!(err.to_string().contains("\"host\""), "{err}");
    assert!(mounts_under(tmp.path()).is_empty());
    assert!(!pod_dir.join("volumes").exists());
    assert!(pod_dir.exists(), "the caller's directory stays");
}

/// A manifest's volumes, end to end from YAML.
#[test]
fn a_manifest_downward_api_volume() {
    let plan = plan_of(
        r#"
apiVersion: v1
kind: Pod
metadata: {name: web-0, labels: {zone: us-est-coast, rack: rack-22}}
spec:
  containers:
  - name: app
    image: /
    volumeMounts: [{name: podinfo, mountPath: /etc/podinfo}]
  volumes:
  - name: podinfo
    downwardAPI:
      items:
      - {path: labels, fieldRef: {fieldPath: metadata.labels}}
      - {path: name, fieldRef: {fieldPath: metadata.name}, mode: 0400}
"#,
    );
    let tmp = TempDir::new("manifest");
    let pod_dir = tmp.path().join("pod");
    let mut prepared = prepare(&plan, &pod_dir, false, &Facts).unwrap();
    let dir = pod_dir.join("volumes/podinfo");
    assert_eq!(
        fs::read_to_string(dir.join("labels")).unwrap(),
        "rack=\"rack-22\"\nzone=\"us-est-coast\""
    );
    assert_eq!(fs::read_to_string(dir.join("name")).unwrap(), "web-0");
    assert_eq!(mode_of(&fs::canonicalize(dir.join("name")).unwrap()), 0o400);
    prepared.cleanup();
    assert!(!dir.exists());
}
