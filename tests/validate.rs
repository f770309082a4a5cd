//! `podinit validate`, run as a user runs it: the built binary on files,
//! stdin and hostile input, checking exit codes and what it prints.

// Test code: a failed expectation is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
    elapsed: Duration,
}

fn validate(args: &[&str], stdin: Option<&[u8]>) -> Out {
    let started = Instant::now();
    let mut child = Command::new(podinit())
        .arg("validate")
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().unwrap();
        // The child may stop reading early (input too large): ignore EPIPE.
        let _ = pipe.write_all(input);
    }
    let out = child.wait_with_output().unwrap();
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        elapsed: started.elapsed(),
    }
}

fn write(dir: &Path, name: &str, text: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: app\n    image: busybox:1.36\n    command: [sleep, \"3600\"]\n";

/// Every example from the Kubernetes documentation validates, or is refused
/// only because of fields podinit does not support, named by path.
#[test]
fn the_kubernetes_examples_validate_or_name_what_is_unsupported() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/k8s-examples");
    if !root.is_dir() {
        eprintln!("SKIPPED: {} does not exist", root.display());
        return;
    }
    let mut files = Vec::new();
    let mut dirs = vec![root];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                files.push(path);
            }
        }
    }
    assert!(files.len() >= 10, "too few examples: {files:?}");
    for file in files {
        let out = validate(&[file.to_str().unwrap()], None);
        match out.code {
            0 => assert!(
                out.stdout.contains("is valid"),
                "{}: {}",
                file.display(),
                out.stdout
            ),
            1 => {
                for line in out.stderr.lines().filter(|l| l.contains(": error: ")) {
                    let (_, rest) = line.split_once(": error: ").unwrap();
                    let (path, message) = rest.split_once(": ").unwrap();
                    assert!(
                        path.starts_with("spec.")
                            && message.starts_with("not supported by podinit"),
                        "{}: refused for something other than an unsupported field: {line}",
                        file.display()
                    );
                }
            }
            _ => panic!("{}: exit {}: {}", file.display(), out.code, out.stderr),
        }
    }
}

#[test]
fn exit_codes_say_valid_invalid_or_unreadable() {
    let dir = scratch("validate-codes");
    let good = write(&dir, "good.yaml", POD);
    let bad = write(&dir, "bad.yaml", POD.replace("name: app", "name: App"));
    let out = validate(&[good.to_str().unwrap()], None);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "pod \"web\" is valid\n"),
        "{}",
        out.stderr
    );
    let out = validate(&[bad.to_str().unwrap()], None);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("bad.yaml:7:5: error: spec.containers[0].name: invalid value \"App\""),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("invalid: 1 error, 0 warnings"),
        "{}",
        out.stderr
    );
    let out = validate(&["/nonexistent/pod.yaml"], None);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("/nonexistent/pod.yaml: cannot read"),
        "{}",
        out.stderr
    );
    let out = validate(&[dir.to_str().unwrap()], None);
    assert_eq!(out.code, 2, "a directory: {}", out.stderr);
    let out = validate(&["-o", "toml", good.to_str().unwrap()], None);
    assert_eq!(out.code, 2, "a bad option: {}", out.stderr);
    let _ = std::fs::remove_dir_all(dir);
}

/// Bad input of every kind: a clear message, the right exit code, quickly,
/// and never a crash (a panic would abort with SIGABRT: no exit code).
#[test]
fn hostile_input_gets_a_clear_error_not_a_crash() {
    let billion_laughs = {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for (i, c) in ('b'..='j').enumerate() {
            let prev = char::from(b'a' + i as u8);
            text.push_str(&format!("{c}: &{c} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        text
    };
    let deep = "[".repeat(100_000);
    let deep_maps = (0..5000)
        .map(|i| format!("{}k:\n", " ".repeat(i)))
        .collect::<String>();
    let mut garbage = vec![0u8; 4096];
    for (i, b) in garbage.iter_mut().enumerate() {
        *b = (i * 131 % 251) as u8;
    }
    let huge = "# padding\n".repeat(5_300_000);
    let cases: Vec<(&str, Vec<u8>, i32, &str)> = vec![
        (
            "not yaml",
            b"apiVersion: v1\nkind: Pod\n  metadata: [\n".to_vec(),
            2,
            "not YAML",
        ),
        ("empty", Vec::new(), 1, "no pod in the manifest"),
        (
            "only comments",
            b"# nothing here\n---\n".to_vec(),
            1,
            "no pod in the manifest",
        ),
        (
            "a list",
            b"- a\n- b\n".to_vec(),
            1,
            "expected a Kubernetes object",
        ),
        (
            "a scalar",
            b"hello\n".to_vec(),
            1,
            "expected a Kubernetes object",
        ),
        (
            "wrong apiVersion",
            POD.replace("apiVersion: v1", "apiVersion: v2").into_bytes(),
            1,
            "Pod is served as apiVersion v1, not v2",
        ),
        (
            "no kind",
            POD.replace("kind: Pod\n", "").into_bytes(),
            1,
            "apiVersion and kind are required",
        ),
        ("billion laughs", billion_laughs.into_bytes(), 2, "not YAML"),
        ("deep flow nesting", deep.into_bytes(), 2, "not YAML"),
        ("deep block nesting", deep_maps.into_bytes(), 2, "not YAML"),
        ("binary garbage", garbage, 2, "not UTF-8"),
        ("50 MB", huge.into_bytes(), 2, "larger than 16 MiB"),
        (
            "duplicate keys",
            POD.replace("  name: web\n", "  name: web\n  name: other\n")
                .into_bytes(),
            2,
            "duplicate key",
        ),
    ];
    for (case, input, code, message) in cases {
        let out = validate(&["-"], Some(&input));
        assert_eq!(out.code, code, "{case}: {}", out.stderr);
        assert!(out.stderr.contains(message), "{case}: {}", out.stderr);
        assert!(
            out.elapsed < Duration::from_secs(20),
            "{case}: took {:?}",
            out.elapsed
        );
    }
}

#[test]
fn typos_and_wrong_types_are_all_reported_with_their_place() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: app\n    image: nginx\n    livenesProbe:\n      httpGet: {port: 80}\n    env:\n    - name: PORT\n      value: 8080\n    ports:\n    - containerPort: \"80\"\n  restartPolicy: Sometimes\n";
    let out = validate(&["-"], Some(text.as_bytes()));
    assert_eq!(out.code, 1);
    for want in [
        "-:9:5: error: spec.containers[0].livenesProbe: unknown field \"livenesProbe\" (did you mean \"livenessProbe\"?)",
        "-:13:14: error: spec.containers[0].env[0].value: expected a string, got an integer (8080)",
        "-:15:22: error: spec.containers[0].ports[0].containerPort: expected an integer, got the string \"80\": write it without quotes",
        "-:16:3: error: spec.restartPolicy: unsupported value \"Sometimes\"",
    ] {
        assert!(
            out.stderr.contains(want),
            "missing {want:?} in\n{}",
            out.stderr
        );
    }
}

#[test]
fn output_prints_the_defaulted_pod_which_reads_back() {
    let out = validate(&["-o", "yaml", "-"], Some(POD.as_bytes()));
    assert_eq!(out.code, 0, "{}", out.stderr);
    for want in [
        "restartPolicy: Always",
        "terminationGracePeriodSeconds: 30",
        "imagePullPolicy: IfNotPresent",
        "namespace: default",
        "- \"3600\"",
    ] {
        assert!(
            out.stdout.contains(want),
            "missing {want:?} in\n{}",
            out.stdout
        );
    }
    let again = validate(&["-o", "yaml", "-"], Some(out.stdout.as_bytes()));
    assert_eq!(
        (again.code, &again.stdout),
        (0, &out.stdout),
        "{}",
        again.stderr
    );
    let json = validate(&["-o", "json", "-"], Some(POD.as_bytes()));
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(
        value["spec"]["containers"][0]["terminationMessagePath"],
        "/dev/termination-log"
    );
    // JSON is YAML: it reads back too.
    let from_json = validate(&["-o", "yaml", "-"], Some(json.stdout.as_bytes()));
    assert_eq!(from_json.stdout, out.stdout, "{}", from_json.stderr);
}

#[test]
fn several_files_make_one_manifest() {
    let dir = scratch("validate-files");
    let pod = POD.replace(
        "    command: [sleep, \"3600\"]\n",
        "    envFrom:\n    - configMapRef: {name: settings}\n",
    );
    let pod = write(&dir, "pod.yaml", pod);
    let config = write(
        &dir,
        "config.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {MODE: fast}\n",
    );
    let alone = validate(&[pod.to_str().unwrap()], None);
    assert_eq!(alone.code, 1, "{}", alone.stderr);
    assert!(
        alone
            .stderr
            .contains("not supported by podinit: ConfigMaps from a cluster"),
        "{}",
        alone.stderr
    );
    let together = validate(
        &["-f", pod.to_str().unwrap(), "-f", config.to_str().unwrap()],
        None,
    );
    assert_eq!(together.code, 0, "{}", together.stderr);
    // The output carries the ConfigMap: it validates on its own.
    let printed = validate(
        &[
            "-o=yaml",
            "-f",
            pod.to_str().unwrap(),
            "-f",
            config.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(printed.code, 0, "{}", printed.stderr);
    assert!(
        printed
            .stdout
            .contains("---\napiVersion: v1\ndata:\n  MODE: fast\n"),
        "{}",
        printed.stdout
    );
    let again = validate(&["-"], Some(printed.stdout.as_bytes()));
    assert_eq!(again.code, 0, "{}", again.stderr);
    let ignoring = validate(&["--ignore-unsupported", pod.to_str().unwrap()], None);
    assert_eq!(ignoring.code, 0, "{}", ignoring.stderr);
    assert!(ignoring.stderr.contains("warning:"), "{}", ignoring.stderr);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn yaml_reads_as_kubectl_reads_it() {
    // YAML 1.1 as go-yaml v2: octal modes, `yes` as a boolean, anchors,
    // merge keys, flow style, block scalars, comments.
    let text = r#"
apiVersion: v1
kind: Pod
metadata: {name: yaml-features}  # flow style
spec:
  containers:
  - &base
    name: a
    image: busybox:1.36
    command: [sh, -c]
    args:
    - |
      echo one
      echo two
    volumeMounts:
    - {name: cfg, mountPath: /cfg}
  - <<: *base
    name: b
    tty: yes
  volumes:
  - name: cfg
    configMap:
      name: c
      defaultMode: 0440
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: c
data:
  key: >-
    folded
    text
"#;
    let out = validate(&["-o", "json", "-"], Some(text.as_bytes()));
    assert_eq!(out.code, 0, "{}", out.stderr);
    // With a ConfigMap along, the output is a List: the pod, then the rest.
    let list: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(list["kind"], "List");
    assert_eq!(list["items"][1]["kind"], "ConfigMap");
    let pod = &list["items"][0];
    assert_eq!(pod["spec"]["volumes"][0]["configMap"]["defaultMode"], 0o440);
    assert_eq!(pod["spec"]["containers"][1]["tty"], true);
    assert_eq!(pod["spec"]["containers"][1]["image"], "busybox:1.36");
    assert_eq!(
        pod["spec"]["containers"][0]["args"][0],
        "echo one\necho two\n"
    );
    assert!(
        out.stderr.contains("spec.containers[1].tty: ignored"),
        "{}",
        out.stderr
    );
}

/// Regression: mounts were matched to volumes by a linear search, so N
/// volumes and mounts took N² time (23 s at 90,000). Eight times the input
/// must take far less than the sixty-four times a quadratic step would.
#[test]
fn many_volumes_and_mounts_are_checked_in_linear_time() {
    let manifest = |n: usize| {
        let mut text = String::from(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: many}\nspec:\n  containers:\n  - name: a\n    image: x\n    volumeMounts:\n",
        );
        for i in 0..n {
            text.push_str(&format!("    - {{name: v{i}, mountPath: /m/{i}}}\n"));
        }
        text.push_str("  volumes:\n");
        for i in 0..n {
            text.push_str(&format!("  - {{name: v{i}, emptyDir: {{}}}}\n"));
        }
        text
    };
    let small = validate(&["-"], Some(manifest(5_000).as_bytes()));
    let large = validate(&["-"], Some(manifest(40_000).as_bytes()));
    assert_eq!((small.code, large.code), (0, 0), "{}", large.stderr);
    let ratio = large.elapsed.as_secs_f64() / small.elapsed.as_secs_f64().max(0.01);
    assert!(
        ratio < 24.0,
        "8x the input took {ratio:.1}x the time ({:?} vs {:?})",
        large.elapsed,
        small.elapsed
    );
}
