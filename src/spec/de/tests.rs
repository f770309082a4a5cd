use std::collections::BTreeMap;

use serde::Deserialize;

use super::*;
use crate::spec::yaml::{Limits, parse_stream};

#[derive(Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
struct Probe {
    period_seconds: Option<i32>,
    exec: Option<Exec>,
}

#[derive(Debug, Default, Deserialize, PartialEq)]
struct Exec {
    command: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize, PartialEq)]
#[serde(rename = "Quantity")]
struct Quantity(String);

#[derive(Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
struct Container {
    name: Option<String>,
    image: Option<String>,
    liveness_probe: Option<Probe>,
    tty: Option<bool>,
    limits: Option<BTreeMap<String, Quantity>>,
    labels: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Default, Deserialize, PartialEq)]
struct Spec {
    containers: Option<Vec<Container>>,
}

fn decode_spec(text: &str) -> Decoded<Spec> {
    let docs = parse_stream(text, &Limits::default()).unwrap();
    decode(&docs[0].root, &FieldPath::root().field("spec"))
}

fn messages(decoded: &Decoded<Spec>) -> Vec<String> {
    decoded.diags.iter().map(|d| d.to_string()).collect()
}

#[test]
fn a_clean_document_reads_through() {
    let got = decode_spec(
        "containers:\n- name: web\n  image: nginx:1.27\n  tty: true\n  livenessProbe:\n    periodSeconds: 5\n    exec:\n      command: [cat, /tmp/ok]\n  limits: {cpu: 500m, memory: 1, x: 0.5}\n",
    );
    assert!(got.diags.is_empty(), "{:?}", messages(&got));
    let spec = got.value.unwrap();
    let web = &spec.containers.unwrap()[0];
    assert_eq!(web.name.as_deref(), Some("web"));
    assert_eq!(web.liveness_probe.as_ref().unwrap().period_seconds, Some(5));
    let limits = web.limits.as_ref().unwrap();
    assert_eq!(limits["cpu"], Quantity("500m".into()));
    assert_eq!(limits["memory"], Quantity("1".into()));
    assert_eq!(limits["x"], Quantity("0.5".into()));
}

#[test]
fn every_problem_is_reported_with_its_path_and_position() {
    let text = "\
containers:
- name: 8080
  imgae: nginx
  livenessProbe:
    periodSeconds: \"10\"
    exec:
      command: [ls, 1]
- name: sidecar
  tty: \"true\"
  labels: {app: web, version: 1.0}
";
    let got = decode_spec(text);
    let mut all = messages(&got);
    all.sort();
    let want = [
        "1:1: error: spec.containers[0].livenessProbe.exec.command[1]: expected a string, got an integer (1): YAML reads 1 as an integer; write \"1\" to make it a string",
        "2:9: error: spec.containers[0].name: expected a string, got an integer (8080): YAML reads 8080 as an integer; write \"8080\" to make it a string",
        "3:3: error: spec.containers[0].imgae: unknown field \"imgae\" (did you mean \"image\"?)",
        "5:20: error: spec.containers[0].livenessProbe.periodSeconds: expected an integer, got the string \"10\": write it without quotes",
        "9:8: error: spec.containers[1].tty: expected a boolean, got the string \"true\": write it without quotes",
        "10:28: error: spec.containers[1].labels[version]: expected a string, got a number (1.0): YAML reads 1.0 as a number; write \"1.0\" to make it a string",
    ];
    // Positions depend on the front end's marks; compare paths and messages,
    // and check positions separately.
    let strip = |s: &str| {
        s.split_once(": error: ")
            .map(|(_, rest)| rest.to_owned())
            .unwrap()
    };
    let mut got_rest: Vec<String> = all.iter().map(|s| strip(s)).collect();
    let mut want_rest: Vec<String> = want.iter().map(|s| strip(s)).collect();
    got_rest.sort();
    want_rest.sort();
    assert_eq!(got_rest, want_rest);
    let name = got
        .diags
        .iter()
        .find(|d| d.path.to_string() == "spec.containers[0].name")
        .unwrap();
    assert_eq!(name.mark.map(|m| (m.line, m.column)), Some((2, 9)));
    let typo = got
        .diags
        .iter()
        .find(|d| d.kind == Kind::UnknownField)
        .unwrap();
    assert_eq!(typo.mark.map(|m| (m.line, m.column)), Some((3, 3)));
    // What could be read, was.
    let spec = got.value.unwrap();
    let containers = spec.containers.unwrap();
    assert_eq!(containers.len(), 2);
    assert_eq!(containers[1].name.as_deref(), Some("sidecar"));
    assert_eq!(containers[0].name, None);
    assert!(
        got.skipped
            .iter()
            .any(|p| p.to_string() == "spec.containers[0].name")
    );
}

#[test]
fn a_wrong_type_at_the_top_is_one_error_and_no_value() {
    let got = decode_spec("- just\n- a list\n");
    assert!(got.value.is_none());
    assert_eq!(
        messages(&got),
        ["1:1: error: spec: expected a map, got a list"]
    );
}

#[test]
fn nulls_are_absent_values() {
    let got = decode_spec("containers:\n- name:\n  image: ~\n  labels: {a: }\n");
    assert!(got.diags.is_empty(), "{:?}", messages(&got));
    let c = &got.value.unwrap().containers.unwrap()[0];
    assert_eq!((c.name.as_deref(), c.image.as_deref()), (None, None));
    assert_eq!(c.labels.as_ref().unwrap()["a"], "");
}

#[test]
fn out_of_range_integers_say_so() {
    let got = decode_spec("containers:\n- livenessProbe: {periodSeconds: 99999999999}\n");
    assert_eq!(got.diags.len(), 1);
    assert!(
        got.diags[0].message.contains("out of range"),
        "{:?}",
        messages(&got)
    );
}

#[test]
fn whole_numbers_written_as_floats_are_integers_as_kubectl_reads_them() {
    let got = decode_spec(
        "containers:\n- livenessProbe: {periodSeconds: 10.0}\n- livenessProbe: {periodSeconds: 1e1}\n- livenessProbe: {periodSeconds: 10.5}\n",
    );
    let all = messages(&got);
    let containers = got.value.unwrap().containers.unwrap();
    assert_eq!(
        containers[0]
            .liveness_probe
            .as_ref()
            .unwrap()
            .period_seconds,
        Some(10)
    );
    assert_eq!(
        containers[1]
            .liveness_probe
            .as_ref()
            .unwrap()
            .period_seconds,
        Some(10)
    );
    assert_eq!(all.len(), 1);
    assert!(
        all[0].contains(
            "containers[2].livenessProbe.periodSeconds: expected an integer, got a number (10.5)"
        ),
        "{all:?}"
    );
}
