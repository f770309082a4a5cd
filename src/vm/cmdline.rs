//! podinit's settings on the kernel command line (`/proc/cmdline`).
//!
//! The kernel hands init the words it does not know: `KEY=VALUE` ones as
//! the environment, the others as arguments, but never a word whose name
//! has a dot (those are module parameters). So `podinit.pod=PATH` reaches
//! podinit only through `/proc/cmdline`, which this module reads the way
//! the kernel's own `next_arg` does: words split at spaces outside double
//! quotes, the quotes dropped, `-` and `_` the same in a name, and nothing
//! after a lone `--` (those words are init's arguments).

use std::path::PathBuf;

use crate::sys::boot::PowerAction;

/// The manifest when `podinit.pod=` is not given.
pub const DEFAULT_POD: &str = "/etc/podinit/pod.yaml";

/// Whether podinit as PID 1 boots the machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModeChoice {
    /// VM mode when podinit is PID 1 of the machine's first PID namespace.
    Auto,
    /// `podinit.mode=vm`: VM mode as PID 1 even when the PID namespace
    /// cannot be seen (a kernel without PID namespaces), unless podinit
    /// can see that it runs in a container.
    Vm,
    /// `podinit.mode=container`: never VM mode; argv is the command line.
    Container,
}

/// What the command line says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// `podinit.pod=PATH`.
    pub pod: PathBuf,
    /// `podinit.loglevel=`: tini's verbosity scale (0 errors .. 4 trace).
    pub verbosity: Option<i32>,
    /// `podinit.on_exit=poweroff|reboot|halt`.
    pub on_exit: PowerAction,
    /// `podinit.mode=auto|vm|container`.
    pub mode: ModeChoice,
    /// What was wrong with podinit's words, one message each; the default
    /// is used for those.
    pub warnings: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            pod: PathBuf::from(DEFAULT_POD),
            verbosity: None,
            on_exit: PowerAction::PowerOff,
            mode: ModeChoice::Auto,
            warnings: Vec::new(),
        }
    }
}

/// The words of a command line, as the kernel splits them: `(name,
/// value)`, the value `None` for a word without `=`.
pub fn words(cmdline: &str) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    let mut chars = cmdline.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.peek().is_none() {
            break;
        }
        let mut word = String::new();
        let mut quoted = false;
        while let Some(c) = chars.next_if(|&c| quoted || !c.is_whitespace()) {
            if c == '"' {
                quoted = !quoted;
            } else {
                word.push(c);
            }
        }
        if word == "--" {
            break;
        }
        match word.split_once('=') {
            Some((name, value)) => out.push((name.to_owned(), Some(value.to_owned()))),
            None => out.push((word, None)),
        }
    }
    out
}

/// podinit's settings from a command line. Other words are ignored.
pub fn parse(cmdline: &str) -> Settings {
    let mut settings = Settings::default();
    for (name, value) in words(cmdline) {
        let Some(key) = name.strip_prefix("podinit.") else {
            continue;
        };
        let key = key.replace('-', "_");
        let shown = format!("podinit.{key}");
        let Some(value) = value else {
            settings
                .warnings
                .push(format!("{shown} needs a value ({shown}=...): ignored"));
            continue;
        };
        match key.as_str() {
            "pod" => {
                if value.starts_with('/') {
                    settings.pod = PathBuf::from(value);
                } else {
                    settings.warnings.push(format!(
                        "{shown}={value}: the manifest must be an absolute path; \
                         reading {DEFAULT_POD}"
                    ));
                }
            }
            "loglevel" => match verbosity(&value) {
                Some(level) => settings.verbosity = Some(level),
                None => settings.warnings.push(format!(
                    "{shown}={value}: not a level (error, warn, info, debug, trace, or 0 to 4)"
                )),
            },
            "on_exit" => match value.as_str() {
                "poweroff" => settings.on_exit = PowerAction::PowerOff,
                "reboot" => settings.on_exit = PowerAction::Reboot,
                "halt" => settings.on_exit = PowerAction::Halt,
                _ => settings.warnings.push(format!(
                    "{shown}={value}: not poweroff, reboot or halt; powering off"
                )),
            },
            "mode" => match value.as_str() {
                "auto" => settings.mode = ModeChoice::Auto,
                "vm" => settings.mode = ModeChoice::Vm,
                "container" => settings.mode = ModeChoice::Container,
                _ => settings
                    .warnings
                    .push(format!("{shown}={value}: not auto, vm or container")),
            },
            _ => settings.warnings.push(format!(
                "unknown setting {shown} (podinit knows podinit.pod, podinit.loglevel, \
                 podinit.on_exit and podinit.mode): ignored"
            )),
        }
    }
    settings
}

/// A log level by name or on tini's scale.
fn verbosity(value: &str) -> Option<i32> {
    Some(match value.to_ascii_lowercase().as_str() {
        "error" | "0" => 0,
        "warn" | "warning" | "1" => 1,
        "info" | "2" => 2,
        "debug" | "3" => 3,
        "trace" | "4" => 4,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    type Word = (String, Option<String>);

    fn w(name: &str, value: Option<&str>) -> Word {
        (name.to_owned(), value.map(str::to_owned))
    }

    #[test]
    fn words_split_like_the_kernel() {
        let cases: &[(&str, Vec<Word>)] = &[
            ("", vec![]),
            ("   \n", vec![]),
            (
                "console=ttyS0 quiet  podinit.pod=/p.yaml\n",
                vec![
                    w("console", Some("ttyS0")),
                    w("quiet", None),
                    w("podinit.pod", Some("/p.yaml")),
                ],
            ),
            (
                r#"a="b c" "d=e f" g="""#,
                vec![w("a", Some("b c")), w("d", Some("e f")), w("g", Some(""))],
            ),
            ("x=1=2", vec![w("x", Some("1=2"))]),
            ("a -- podinit.pod=/x", vec![w("a", None)]),
            ("a --x b", vec![w("a", None), w("--x", None), w("b", None)]),
        ];
        for (line, want) in cases {
            assert_eq!(&words(line), want, "{line:?}");
        }
    }

    #[test]
    fn settings_from_the_command_line() {
        let s = parse(
            "console=ttyS0 podinit.pod=/srv/pod.yaml podinit.loglevel=debug podinit.on-exit=reboot",
        );
        assert_eq!(s.pod, PathBuf::from("/srv/pod.yaml"));
        assert_eq!(s.verbosity, Some(3));
        assert_eq!(s.on_exit, PowerAction::Reboot);
        assert_eq!(s.mode, ModeChoice::Auto);
        assert!(s.warnings.is_empty(), "{:?}", s.warnings);

        let d = parse("root=/dev/vda rw");
        assert_eq!(d, Settings::default());

        let cases = [
            ("podinit.on_exit=halt", PowerAction::Halt),
            ("podinit.on_exit=poweroff", PowerAction::PowerOff),
            (
                "podinit.on_exit=reboot podinit.on_exit=poweroff",
                PowerAction::PowerOff,
            ),
        ];
        for (line, want) in cases {
            assert_eq!(parse(line).on_exit, want, "{line}");
        }
        let modes = [
            ("podinit.mode=vm", ModeChoice::Vm),
            ("podinit.mode=container", ModeChoice::Container),
            ("podinit.mode=auto", ModeChoice::Auto),
        ];
        for (line, want) in modes {
            assert_eq!(parse(line).mode, want, "{line}");
        }
        for (level, want) in [("0", 0), ("WARN", 1), ("info", 2), ("4", 4), ("trace", 4)] {
            let line = format!("podinit.loglevel={level}");
            assert_eq!(parse(&line).verbosity, Some(want), "{line}");
        }
    }

    #[test]
    fn bad_words_are_named_and_the_default_kept() {
        let cases = [
            ("podinit.pod=etc/pod.yaml", "must be an absolute path"),
            ("podinit.pod", "needs a value"),
            ("podinit.loglevel=loud", "not a level"),
            ("podinit.on_exit=explode", "not poweroff, reboot or halt"),
            ("podinit.mode=lxc", "not auto, vm or container"),
            ("podinit.pods=/x.yaml", "unknown setting podinit.pods"),
        ];
        for (line, want) in cases {
            let s = parse(line);
            assert_eq!(s.warnings.len(), 1, "{line}: {:?}", s.warnings);
            assert!(s.warnings[0].contains(want), "{line}: {:?}", s.warnings);
            assert_eq!(s.pod, PathBuf::from(DEFAULT_POD), "{line}");
            assert_eq!(s.on_exit, PowerAction::PowerOff, "{line}");
            assert_eq!(s.verbosity, None, "{line}");
        }
    }
}
