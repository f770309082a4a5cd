//! The rules for probes and lifecycle hooks: one handler each, positive
//! timings, ports that exist, and where they may appear at all.

use super::Checker;
use super::container::Role;
use super::names;
use crate::spec::diag::FieldPath;
use crate::spec::k8s::{Container, HTTPGetAction, IntOrString, LifecycleHandler, Probe};

pub(super) fn probes(check: &mut Checker, c: &Container, path: &FieldPath, role: Role) {
    let probes = [
        ("livenessProbe", &c.liveness_probe),
        ("readinessProbe", &c.readiness_probe),
        ("startupProbe", &c.startup_probe),
    ];
    for (name, probe) in probes {
        let Some(probe) = probe else { continue };
        let at = path.field(name);
        if role == Role::Init {
            check.invalid(
                at,
                "may not be set for init containers without restartPolicy: Always",
            );
            continue;
        }
        self::probe(check, c, &at, name, probe);
    }
    if role == Role::Init && c.lifecycle.is_some() {
        check.invalid(
            path.field("lifecycle"),
            "may not be set for init containers without restartPolicy: Always",
        );
    }
}

fn probe(check: &mut Checker, c: &Container, path: &FieldPath, kind: &str, p: &Probe) {
    let handlers = [
        p.exec.is_some(),
        p.http_get.is_some(),
        p.tcp_socket.is_some(),
        p.grpc.is_some(),
    ];
    match handlers.iter().filter(|h| **h).count() {
        0 => check.invalid(
            path.clone(),
            "needs one handler: exec, httpGet, tcpSocket or grpc",
        ),
        1 => {}
        _ => check.invalid(path.clone(), "may not have more than one handler"),
    }
    if let Some(exec) = &p.exec {
        if exec.command.as_ref().is_none_or(Vec::is_empty) {
            check.required(path.field("exec").field("command"));
        }
    }
    if let Some(http) = &p.http_get {
        http_get(check, c, &path.field("httpGet"), http);
    }
    if let Some(tcp) = &p.tcp_socket {
        port(
            check,
            c,
            &path.field("tcpSocket").field("port"),
            tcp.port.as_ref(),
        );
        host(check, &path.field("tcpSocket"), tcp.host.as_deref());
    }
    // Zeros were defaulted (SetDefaults_Probe); what is left must not be
    // negative (validateProbe's ValidateNonnegativeField).
    for (field, value) in [
        ("initialDelaySeconds", p.initial_delay_seconds),
        ("timeoutSeconds", p.timeout_seconds),
        ("periodSeconds", p.period_seconds),
        ("successThreshold", p.success_threshold),
        ("failureThreshold", p.failure_threshold),
    ] {
        check.at_least(path.field(field), value.map(i64::from), 0);
    }
    if kind != "readinessProbe" && p.success_threshold.is_some_and(|s| s > 1) {
        check.invalid(
            path.field("successThreshold"),
            format!("must be 1 for a {kind}"),
        );
    }
    match (kind, p.termination_grace_period_seconds) {
        ("readinessProbe", Some(_)) => {
            check.invalid(
                path.field("terminationGracePeriodSeconds"),
                "must not be set for a readinessProbe",
            );
        }
        (_, grace) => check.at_least(path.field("terminationGracePeriodSeconds"), grace, 1),
    }
}

pub(super) fn handler(check: &mut Checker, c: &Container, path: &FieldPath, h: &LifecycleHandler) {
    let handlers = [
        h.exec.is_some(),
        h.http_get.is_some(),
        h.tcp_socket.is_some(),
        h.sleep.is_some(),
    ];
    match handlers.iter().filter(|x| **x).count() {
        0 => check.invalid(path.clone(), "needs one handler: exec, httpGet or sleep"),
        1 => {}
        _ => check.invalid(path.clone(), "may not have more than one handler"),
    }
    if let Some(exec) = &h.exec {
        if exec.command.as_ref().is_none_or(Vec::is_empty) {
            check.required(path.field("exec").field("command"));
        }
    }
    if let Some(http) = &h.http_get {
        http_get(check, c, &path.field("httpGet"), http);
    }
    if let Some(sleep) = &h.sleep {
        match sleep.seconds {
            Some(s) => check.at_least(path.field("sleep").field("seconds"), Some(s), 0),
            None => check.required(path.field("sleep").field("seconds")),
        }
    }
}

/// podinit resolves no names for probes and hooks (a resolver call could
/// block PID 1): a `host` must be an IP address or `localhost`.
fn host(check: &mut Checker, path: &FieldPath, host: Option<&str>) {
    let Some(host) = host.filter(|h| !h.is_empty()) else {
        return;
    };
    let literal = host.eq_ignore_ascii_case("localhost")
        || host
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .is_ok();
    if !literal {
        check.unsupported(
            path.field("host"),
            format!("{host:?} is a name: podinit resolves none for probes and hooks; give an IP address or localhost"),
        );
    }
}

fn http_get(check: &mut Checker, c: &Container, path: &FieldPath, h: &HTTPGetAction) {
    port(check, c, &path.field("port"), h.port.as_ref());
    host(check, path, h.host.as_deref());
    if let Some(scheme) = &h.scheme {
        check.one_of(path.field("scheme"), scheme, &["HTTP", "HTTPS"]);
        if scheme == "HTTPS" {
            check.unsupported(
                path.field("scheme"),
                "HTTPS: podinit has no TLS client (it would double the binary); use HTTP, tcpSocket or exec",
            );
        }
    }
    for (i, header) in h.http_headers.iter().flatten().enumerate() {
        let name = header.name.as_deref().unwrap_or("");
        let token = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
        if !token {
            check.invalid(
                path.field("httpHeaders").index(i).field("name"),
                format!("{name:?} is not an HTTP header name"),
            );
        }
    }
}

/// A probe's or hook's port: a number, or the name of one of the
/// container's ports.
fn port(check: &mut Checker, c: &Container, path: &FieldPath, port: Option<&IntOrString>) {
    match port {
        None => check.required(path.clone()),
        Some(IntOrString::Int(n)) if !(1..=65535).contains(n) => {
            check.invalid(
                path.clone(),
                format!("{n} is not a port number (1 to 65535)"),
            );
        }
        Some(IntOrString::Int(_)) => {}
        Some(IntOrString::String(name)) => {
            if let Some(reason) = names::port_name(name) {
                let hint = if name.parse::<u16>().is_ok() {
                    "; write a port number without quotes"
                } else {
                    ""
                };
                check.invalid(
                    path.clone(),
                    format!("invalid port name {name:?}: {reason}{hint}"),
                );
            } else if !c
                .ports
                .iter()
                .flatten()
                .any(|p| p.name.as_deref() == Some(name))
            {
                check.invalid(
                    path.clone(),
                    format!("no port named {name:?} in this container's ports"),
                );
            }
        }
    }
}
