//! The name rules of Kubernetes (`k8s.io/apimachinery/pkg/util/validation`):
//! each returns `None` when the value is fine, or the reason it is not, in
//! the API server's words.

/// An RFC 1123 label: container, volume, port-less names, namespaces.
pub fn dns_label(value: &str) -> Option<String> {
    if value.len() > 63 {
        return Some(format!(
            "must be no more than 63 characters (has {})",
            value.len()
        ));
    }
    let ok = !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !value.starts_with('-')
        && !value.ends_with('-');
    (!ok).then(|| {
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', \
         and must start and end with an alphanumeric character (e.g. 'my-name', or '123-abc')"
            .to_owned()
    })
}

/// An RFC 1123 subdomain: pod, ConfigMap and Secret names.
pub fn dns_subdomain(value: &str) -> Option<String> {
    if value.len() > 253 {
        return Some(format!(
            "must be no more than 253 characters (has {})",
            value.len()
        ));
    }
    let ok = !value.is_empty()
        && value.split('.').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !part.starts_with('-')
                && !part.ends_with('-')
        });
    (!ok).then(|| {
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' \
         or '.', and must start and end with an alphanumeric character (e.g. 'example.com')"
            .to_owned()
    })
}

/// An IANA service name: a named container port.
pub fn port_name(value: &str) -> Option<String> {
    if value.is_empty() || value.len() > 15 {
        return Some("must be no more than 15 characters".into());
    }
    if !value
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Some(
            "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)".into(),
        );
    }
    if value.contains("--") {
        return Some("must not contain consecutive hyphens".into());
    }
    if !value.bytes().any(|b| b.is_ascii_lowercase()) {
        return Some("must contain at least one letter (a-z)".into());
    }
    if value.starts_with('-') || value.ends_with('-') {
        return Some("must not begin or end with a hyphen".into());
    }
    None
}

/// A label or annotation key: an optional DNS subdomain prefix and `/`,
/// then a name of at most 63 alphanumerics, `-`, `_` or `.`.
pub fn qualified_name(value: &str) -> Option<String> {
    let (prefix, name) = match value.rsplit_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, value),
    };
    if let Some(prefix) = prefix {
        if let Some(reason) = dns_subdomain(prefix) {
            return Some(format!("prefix part {reason}"));
        }
    }
    if name.is_empty() || name.len() > 63 {
        return Some("name part must be non-empty and no more than 63 characters".into());
    }
    let ok = name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric());
    (!ok).then(|| {
        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and \
         end with an alphanumeric character"
            .to_owned()
    })
}

/// A label value: empty, or at most 63 alphanumerics, `-`, `_` or `.`,
/// starting and ending with an alphanumeric.
pub fn label_value(value: &str) -> Option<String> {
    if value.is_empty() {
        return None;
    }
    if value.len() > 63 {
        return Some("must be no more than 63 characters".into());
    }
    let ok = value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        && value.starts_with(|c: char| c.is_ascii_alphanumeric())
        && value.ends_with(|c: char| c.is_ascii_alphanumeric());
    (!ok).then(|| {
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' \
         or '.', and must start and end with an alphanumeric character"
            .to_owned()
    })
}

/// An environment variable name: printable ASCII but `=` (Kubernetes 1.34
/// relaxed the old C-identifier rule).
pub fn env_var_name(value: &str) -> Option<String> {
    let ok = !value.is_empty()
        && value
            .bytes()
            .all(|b| (b' '..=b'~').contains(&b) && b != b'=');
    (!ok).then(|| "must consist only of printable ASCII characters other than '='".to_owned())
}

/// A ConfigMap or Secret key: alphanumerics, `-`, `_` or `.`, at most 253.
pub fn config_key(value: &str) -> Option<String> {
    if value.is_empty() || value.len() > 253 {
        return Some("must be non-empty and no more than 253 characters".into());
    }
    if value == "." || value == ".." || value.starts_with("..") {
        return Some("must not be '.' or '..', or start with '..'".into());
    }
    let ok = value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    (!ok).then(|| {
        "a valid config key must consist of alphanumeric characters, '-', '_' or '.'".to_owned()
    })
}

/// A relative path inside a volume: not absolute, no `..` element.
pub fn relative_path(value: &str) -> Option<String> {
    if value.is_empty() {
        return Some("must not be empty".into());
    }
    if value.starts_with('/') {
        return Some("must be a relative path".into());
    }
    if value.split('/').any(|part| part == "..") {
        return Some("must not contain '..'".into());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_api_server() {
        type Rule = fn(&str) -> Option<String>;
        let cases: &[(Rule, &str, bool)] = &[
            (dns_label, "web", true),
            (dns_label, "web-1", true),
            (dns_label, "1web", true),
            (dns_label, "Web", false),
            (dns_label, "-web", false),
            (dns_label, "web_1", false),
            (dns_label, "", false),
            (dns_label, &"a".repeat(64), false),
            (dns_subdomain, "my.pod-1", true),
            (dns_subdomain, "my..pod", false),
            (dns_subdomain, "My.pod", false),
            (port_name, "http", true),
            (port_name, "http-alt", true),
            (port_name, "8080", false),
            (port_name, "http--alt", false),
            (port_name, "a-very-long-port-name", false),
            (port_name, "HTTP", false),
            (qualified_name, "app", true),
            (qualified_name, "app.kubernetes.io/name", true),
            (qualified_name, "example.com/x_y.z", true),
            (qualified_name, "/x", false),
            (qualified_name, "a/b/c", false),
            (qualified_name, "-x", false),
            (label_value, "", true),
            (label_value, "v1.2_3", true),
            (label_value, "v1 2", false),
            (env_var_name, "MY_VAR", true),
            (env_var_name, "my-var.1", true),
            (env_var_name, "A=B", false),
            (env_var_name, "", false),
            (env_var_name, "tab\there", false),
            (config_key, "app.properties", true),
            (config_key, "..data", false),
            (config_key, "a/b", false),
            (relative_path, "dir/file", true),
            (relative_path, "/abs", false),
            (relative_path, "a/../b", false),
            (relative_path, "a..b", true),
        ];
        for (rule, value, valid) in cases {
            assert_eq!(
                rule(value).is_none(),
                *valid,
                "{value:?}: {:?}",
                rule(value)
            );
        }
    }
}
