//! `$(VAR)` references in command, args, env values and subPathExpr.
//!
//! The rules of Kubernetes' `third_party/forked/golang/expansion`: `$(NAME)`
//! is replaced by the variable's value when it is defined and left as
//! written when not; `$$` is a literal `$` (so `$$(NAME)` stays `$(NAME)`);
//! an unclosed `$(` and any other `$` are kept as they are. Which variables
//! are defined at each point is the caller's: env values see the variables
//! defined before them, command and args see them all.

/// Expands `input` with `lookup`; an undefined name is left as `$(NAME)`.
pub fn expand<'a>(input: &str, lookup: impl Fn(&str) -> Option<&'a str>) -> String {
    let mut out = String::with_capacity(input.len());
    let mut rest = input;
    while let Some(dollar) = rest.find('$') {
        out.push_str(&rest[..dollar]);
        let after = &rest[dollar + 1..];
        match after.as_bytes().first() {
            // A `$` at the very end stays.
            None => {
                out.push('$');
                rest = after;
            }
            Some(b'$') => {
                out.push('$');
                rest = &after[1..];
            }
            Some(b'(') => match after.find(')') {
                Some(close) => {
                    let name = &after[1..close];
                    match lookup(name) {
                        Some(value) => out.push_str(value),
                        None => {
                            out.push_str("$(");
                            out.push_str(name);
                            out.push(')');
                        }
                    }
                    rest = &after[close + 1..];
                }
                None => {
                    out.push_str("$(");
                    rest = &after[1..];
                }
            },
            Some(_) => {
                out.push('$');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The names `input` refers to with `$(NAME)`, in order, escapes excepted.
pub fn references(input: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = input;
    while let Some(dollar) = rest.find('$') {
        let after = &rest[dollar + 1..];
        match after.as_bytes().first() {
            Some(b'$') => rest = &after[1..],
            Some(b'(') => match after.find(')') {
                Some(close) => {
                    names.push(&after[1..close]);
                    rest = &after[close + 1..];
                }
                None => rest = &after[1..],
            },
            _ => rest = after,
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(name: &str) -> Option<&'static str> {
        match name {
            "VAR_A" => Some("A"),
            "VAR_B" => Some("B"),
            "EMPTY" => Some(""),
            "DOLLAR" => Some("$"),
            _ => None,
        }
    }

    /// The cases of Kubernetes' own expansion tests that matter here.
    #[test]
    fn expansion_follows_kubernetes() {
        let cases = [
            ("$(VAR_A)", "A"),
            ("___$(VAR_B)___", "___B___"),
            ("$(VAR_A)-$(VAR_A)", "A-A"),
            ("$(VAR_A)$(VAR_B)", "AB"),
            ("$(UNDEFINED)", "$(UNDEFINED)"),
            ("$(EMPTY)", ""),
            ("$$(VAR_A)", "$(VAR_A)"),
            ("$$$(VAR_A)", "$A"),
            ("$$$$(VAR_A)", "$$(VAR_A)"),
            ("$(VAR_A", "$(VAR_A"),
            ("$VAR_A", "$VAR_A"),
            ("$", "$"),
            ("foo$", "foo$"),
            ("$()", "$()"),
            ("$(DOLLAR)(VAR_A)", "$(VAR_A)"),
            ("no refs", "no refs"),
            ("$(VAR_A)$", "A$"),
            ("ünï$(VAR_B)çødé", "ünïBçødé"),
        ];
        for (input, want) in cases {
            assert_eq!(expand(input, vars), want, "{input:?}");
        }
    }

    #[test]
    fn references_are_listed_without_escapes() {
        assert_eq!(references("$(A) $$(B) $(C $(D)"), ["A", "C $(D"]);
        assert!(references("plain $ text").is_empty());
    }
}
