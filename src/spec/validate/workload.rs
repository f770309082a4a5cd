//! The rules of a workload's own fields (`apps/validation`,
//! `batch/validation`): a selector that matches the template, counts that
//! are not negative, enums, and a CronJob's schedule. podinit runs one pod
//! of the template and ignores these fields, but a manifest the API server
//! would refuse is not valid here either. They are read from the nodes,
//! since the types keep them opaque.

use super::names;
use crate::spec::diag::{Diag, FieldPath, Kind};
use crate::spec::node::{Node, Value};

/// The rules for a workload document of `kind`.
pub fn workload_rules(root: &Node, kind: &str) -> Vec<Diag> {
    let mut out = Vec::new();
    let spec = FieldPath::root().field("spec");
    let mut invalid =
        |path: FieldPath, message: String| out.push(Diag::error(Kind::Invalid, path, message));
    let at = |path: &str| get(root, path);
    let count = |invalid: &mut dyn FnMut(FieldPath, String), path: &str| {
        if let Some(node) = at(path) {
            match node.value {
                Value::Int(n) if n >= 0 => {}
                Value::Int(n) => invalid(
                    FieldPath::parse_fields(path),
                    format!("must not be negative (got {n})"),
                ),
                _ => invalid(
                    FieldPath::parse_fields(path),
                    format!("expected an integer, got {}", node.value.kind()),
                ),
            }
        }
    };
    let one_of = |invalid: &mut dyn FnMut(FieldPath, String), path: &str, allowed: &[&str]| {
        if let Some(value) = at(path).map(Node::text) {
            if !allowed.contains(&value.as_str()) {
                let list: Vec<String> = allowed.iter().map(|a| format!("{a:?}")).collect();
                invalid(
                    FieldPath::parse_fields(path),
                    format!(
                        "unsupported value {value:?}: must be one of {}",
                        list.join(", ")
                    ),
                );
            }
        }
    };
    match kind {
        "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet" => {
            selector(root, &mut invalid);
            if kind != "DaemonSet" {
                count(&mut invalid, "spec.replicas");
            }
            if at("spec.template.spec.activeDeadlineSeconds").is_some() {
                invalid(
                    FieldPath::parse_fields("spec.template.spec.activeDeadlineSeconds"),
                    format!("not allowed in a {kind}'s pod template (its pods are never done)"),
                );
            }
            count(&mut invalid, "spec.minReadySeconds");
            count(&mut invalid, "spec.revisionHistoryLimit");
            match kind {
                "Deployment" => one_of(
                    &mut invalid,
                    "spec.strategy.type",
                    &["Recreate", "RollingUpdate"],
                ),
                "StatefulSet" => {
                    one_of(
                        &mut invalid,
                        "spec.podManagementPolicy",
                        &["OrderedReady", "Parallel"],
                    );
                    one_of(
                        &mut invalid,
                        "spec.updateStrategy.type",
                        &["RollingUpdate", "OnDelete"],
                    );
                }
                "DaemonSet" => one_of(
                    &mut invalid,
                    "spec.updateStrategy.type",
                    &["RollingUpdate", "OnDelete"],
                ),
                _ => {}
            }
        }
        "Job" => job_rules("spec", &mut invalid, &count, &one_of),
        "CronJob" => {
            match at("spec.schedule").map(|n| &n.value) {
                Some(Value::String(schedule)) => {
                    if let Err(reason) = cron(schedule) {
                        invalid(
                            spec.field("schedule"),
                            format!("invalid schedule {schedule:?}: {reason}"),
                        );
                    }
                }
                Some(other) => invalid(
                    spec.field("schedule"),
                    format!("expected a string, got {}", other.kind()),
                ),
                None => invalid(spec.field("schedule"), "required".into()),
            }
            one_of(
                &mut invalid,
                "spec.concurrencyPolicy",
                &["Allow", "Forbid", "Replace"],
            );
            count(&mut invalid, "spec.startingDeadlineSeconds");
            count(&mut invalid, "spec.successfulJobsHistoryLimit");
            count(&mut invalid, "spec.failedJobsHistoryLimit");
            job_rules("spec.jobTemplate.spec", &mut invalid, &count, &one_of);
        }
        _ => {}
    }
    out
}

type Count<'a> = dyn Fn(&mut dyn FnMut(FieldPath, String), &str) + 'a;
type OneOf<'a> = dyn Fn(&mut dyn FnMut(FieldPath, String), &str, &[&str]) + 'a;

fn job_rules(
    base: &str,
    invalid: &mut dyn FnMut(FieldPath, String),
    count: &Count,
    one_of: &OneOf,
) {
    for field in [
        "parallelism",
        "completions",
        "backoffLimit",
        "activeDeadlineSeconds",
        "ttlSecondsAfterFinished",
    ] {
        count(invalid, &format!("{base}.{field}"));
    }
    one_of(
        invalid,
        &format!("{base}.completionMode"),
        &["NonIndexed", "Indexed"],
    );
}

/// The node at a dotted path of fields.
fn get<'n>(root: &'n Node, path: &str) -> Option<&'n Node> {
    path.split('.')
        .try_fold(root, |node, field| node.get(field))
}

/// An apps/v1 selector: required, not empty, and matching the template's
/// labels (`matchLabels` and `matchExpressions`).
fn selector(root: &Node, invalid: &mut dyn FnMut(FieldPath, String)) {
    let at = FieldPath::parse_fields("spec.selector");
    let Some(selector) = get(root, "spec.selector") else {
        invalid(at, "required".into());
        return;
    };
    let labels: Vec<(String, String)> = match get(root, "spec.template.metadata.labels")
        .map(|n| &n.value)
    {
        Some(Value::Map(entries)) => entries.iter().map(|(k, v)| (k.text(), v.text())).collect(),
        _ => Vec::new(),
    };
    let label = |key: &str| {
        labels
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    let mut terms = 0;
    let mut matches = true;
    if let Some(Value::Map(entries)) = selector.get("matchLabels").map(|n| &n.value) {
        for (key, value) in entries {
            terms += 1;
            if let Some(reason) = names::qualified_name(&key.text()) {
                invalid(
                    at.field("matchLabels").key(&key.text()),
                    format!("invalid key: {reason}"),
                );
            }
            matches &= label(&key.text()) == Some(value.text().as_str());
        }
    }
    if let Some(Value::Seq(exprs)) = selector.get("matchExpressions").map(|n| &n.value) {
        for (i, expr) in exprs.iter().enumerate() {
            terms += 1;
            let key = expr.get_str("key").unwrap_or_default();
            let values: Vec<String> = match expr.get("values").map(|n| &n.value) {
                Some(Value::Seq(items)) => items.iter().map(Node::text).collect(),
                _ => Vec::new(),
            };
            let has = |v: &str| values.iter().any(|x| x == v);
            matches &= match expr.get_str("operator") {
                Some("In") => label(key).is_some_and(has),
                Some("NotIn") => !label(key).is_some_and(has),
                Some("Exists") => label(key).is_some(),
                Some("DoesNotExist") => label(key).is_none(),
                other => {
                    let op = other.unwrap_or("");
                    let path = at.field("matchExpressions").index(i).field("operator");
                    invalid(
                        path,
                        format!(
                            "unsupported value {op:?}: must be one of \"In\", \"NotIn\", \"Exists\", \"DoesNotExist\""
                        ),
                    );
                    true
                }
            };
        }
    }
    if terms == 0 {
        invalid(at, "must not be empty: it would select every pod".into());
    } else if !matches {
        invalid(
            FieldPath::parse_fields("spec.template.metadata.labels"),
            "the selector does not match the template's labels".into(),
        );
    }
}

/// A schedule as robfig/cron's standard parser reads it (the one the
/// CronJob controller uses): five fields, or a `@daily`-style descriptor.
fn cron(schedule: &str) -> Result<(), String> {
    let schedule = schedule.trim();
    if schedule.starts_with("TZ=") || schedule.starts_with("CRON_TZ=") {
        return Err("a time zone goes in spec.timeZone, not in the schedule".into());
    }
    if let Some(descriptor) = schedule.strip_prefix('@') {
        return match descriptor {
            "yearly" | "annually" | "monthly" | "weekly" | "daily" | "midnight" | "hourly" => {
                Ok(())
            }
            d if d.starts_with("every ") => Ok(()),
            _ => Err(format!("unknown descriptor @{descriptor}")),
        };
    }
    let fields: Vec<&str> = schedule.split_whitespace().collect();
    if fields.len() != 5 {
        return Err(format!(
            "expected 5 fields (minute hour day-of-month month day-of-week), got {}",
            fields.len()
        ));
    }
    const MONTHS: &[&str] = &[
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    const DAYS: &[&str] = &["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
    let ranges: [(&str, u32, u32, &[&str], u32); 5] = [
        ("minute", 0, 59, &[], 0),
        ("hour", 0, 23, &[], 0),
        ("day of month", 1, 31, &[], 0),
        ("month", 1, 12, MONTHS, 1),
        ("day of week", 0, 6, DAYS, 0),
    ];
    for (field, (what, min, max, names, offset)) in fields.iter().zip(ranges) {
        for part in field.split(',') {
            cron_part(part, min, max, names, offset)
                .map_err(|reason| format!("{what} {part:?}: {reason}"))?;
        }
    }
    Ok(())
}

/// One comma-separated part of a cron field: `*`, `?`, `N`, `N-M`, each
/// with an optional `/STEP`.
fn cron_part(part: &str, min: u32, max: u32, names: &[&str], offset: u32) -> Result<(), String> {
    let (range, step) = match part.split_once('/') {
        Some((range, step)) => (range, Some(step)),
        None => (part, None),
    };
    if let Some(step) = step {
        match step.parse::<u32>() {
            Ok(s) if s > 0 => {}
            _ => return Err(format!("step {step:?} is not a positive number")),
        }
    }
    if range == "*" || range == "?" {
        return Ok(());
    }
    let value = |text: &str| -> Result<u32, String> {
        let lower = text.to_ascii_lowercase();
        let n = match names.iter().position(|n| *n == lower) {
            Some(i) => i as u32 + offset,
            None => text
                .parse::<u32>()
                .map_err(|_| format!("{text:?} is not a number"))?,
        };
        if (min..=max).contains(&n) {
            Ok(n)
        } else {
            Err(format!("{n} is out of range ({min} to {max})"))
        }
    };
    match range.split_once('-') {
        Some((a, b)) => {
            let (a, b) = (value(a)?, value(b)?);
            if a > b {
                Err(format!("{a}-{b} is an empty range"))
            } else {
                Ok(())
            }
        }
        None => value(range).map(drop),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_parse_like_robfig_cron() {
        let cases = [
            ("*/5 * * * *", true),
            ("0 3 * * 1-5", true),
            ("30 2 1,15 JAN-JUN mon", true),
            ("0 0 * * ?", true),
            ("@daily", true),
            ("@every 1h30m", true),
            ("* * * *", false),
            ("60 * * * *", false),
            ("*/0 * * * *", false),
            ("0 0 31-1 * *", false),
            ("0 0 * * 7", false),
            ("@weekdays", false),
            ("TZ=UTC 0 0 * * *", false),
            ("a b c d e", false),
        ];
        for (schedule, ok) in cases {
            assert_eq!(
                cron(schedule).is_ok(),
                ok,
                "{schedule}: {:?}",
                cron(schedule)
            );
        }
    }
}
