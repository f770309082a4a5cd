//! The command lines of the commands that talk to a running pod:
//! `podinit status|describe|logs|exec|stop`, as kubectl spells their
//! options (`logs -f --previous --timestamps --tail N --since D`, `exec -i
//! -t CONTAINER -- COMMAND`, `stop --grace S` as `delete --grace-period`).
//! Pure parsing, unit-tested in `cli/tests.rs`.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use super::{CliError, DEFAULT_STATE_DIR, parse_duration, split_flag};

/// A command for a running pod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlArgs {
    /// `--state-dir DIR`: where the pods' directories are.
    pub state_dir: PathBuf,
    /// `--pod NAME`: which pod, when several run.
    pub pod: Option<String>,
    pub action: Action,
}

/// What `podinit status -o` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusOutput {
    /// The `kubectl get pod` line.
    Line,
    Wide,
    Json,
    Yaml,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Status(StatusOutput),
    Describe,
    Logs(LogsArgs),
    Exec(ExecArgs),
    Stop {
        grace: Option<Duration>,
    },
    /// `-h` of one of them: its usage.
    Help(&'static str),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogsArgs {
    /// `None`: the pod's only (or first) container.
    pub container: Option<String>,
    pub follow: bool,
    pub previous: bool,
    pub timestamps: bool,
    /// `--tail N`; `-1` (all) is `None`.
    pub tail: Option<usize>,
    pub since: Option<Duration>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExecArgs {
    pub container: Option<String>,
    pub stdin: bool,
    pub tty: bool,
    pub command: Vec<String>,
}

/// The commands this module parses.
pub const COMMANDS: [&str; 5] = ["status", "describe", "logs", "exec", "stop"];

/// Parses `args` after the command word `command`.
pub fn parse(command: &str, args: &[OsString]) -> Result<ControlArgs, CliError> {
    let bad = |m: String| CliError::Control(format!("{command}: {m}"));
    let mut out = ControlArgs {
        state_dir: PathBuf::from(DEFAULT_STATE_DIR),
        pod: None,
        action: match command {
            "status" => Action::Status(StatusOutput::Line),
            "describe" => Action::Describe,
            "logs" => Action::Logs(LogsArgs::default()),
            "exec" => Action::Exec(ExecArgs::default()),
            _ => Action::Stop { grace: None },
        },
    };
    let mut words: Vec<String> = Vec::new();
    // Where `--` was: the words before it name the container.
    let mut dashes = None;
    let mut rest = args.iter().map(|a| a.to_string_lossy().into_owned());
    while let Some(arg) = rest.next() {
        if arg == "--" {
            dashes = Some(words.len());
            words.extend(rest.by_ref());
            break;
        }
        if !arg.starts_with('-') || arg == "-" {
            words.push(arg);
            // exec: the word after the container starts the command.
            if matches!(out.action, Action::Exec(_)) && words.len() == 2 {
                words.extend(rest.by_ref());
            }
            continue;
        }
        // Grouped short flags without values: `-it`, `-fp`.
        if !arg.starts_with("--")
            && arg.len() > 2
            && arg.bytes().skip(1).all(|b| b"itfp".contains(&b))
        {
            for flag in arg.chars().skip(1) {
                flag_without_value(&mut out.action, &format!("-{flag}")).map_err(&bad)?;
            }
            continue;
        }
        let (flag, attached) = split_flag(&arg, &["-o", "-c", "-p"]);
        let mut value = |name: &str| {
            attached
                .clone()
                .or_else(|| rest.next())
                .ok_or_else(|| bad(format!("{name} needs a value")))
        };
        match flag.as_str() {
            "-h" | "--help" => {
                out.action = Action::Help(usage(command));
                return Ok(out);
            }
            "--state-dir" => out.state_dir = PathBuf::from(value(&flag)?),
            "--pod" => out.pod = Some(value(&flag)?),
            "-o" | "--output" => {
                let text = value(&flag)?;
                let Action::Status(output) = &mut out.action else {
                    return Err(bad(format!("unknown option {flag:?}")));
                };
                *output = match text.as_str() {
                    "wide" => StatusOutput::Wide,
                    "json" => StatusOutput::Json,
                    "yaml" => StatusOutput::Yaml,
                    other => {
                        return Err(bad(format!(
                            "unknown output format {other:?}: wide, json or yaml"
                        )));
                    }
                };
            }
            "-c" | "--container" => {
                let name = value(&flag)?;
                match &mut out.action {
                    Action::Logs(logs) => logs.container = Some(name),
                    Action::Exec(exec) => exec.container = Some(name),
                    _ => return Err(bad(format!("unknown option {flag:?}"))),
                }
            }
            "--tail" => {
                let text = value(&flag)?;
                let Action::Logs(logs) = &mut out.action else {
                    return Err(bad(format!("unknown option {flag:?}")));
                };
                logs.tail = match text.parse::<i64>() {
                    Ok(n) if n < 0 => None,
                    Ok(n) => Some(usize::try_from(n).unwrap_or(usize::MAX)),
                    Err(_) => {
                        return Err(bad(format!("--tail: {text:?} is not a number of lines")));
                    }
                };
            }
            "--since" => {
                let text = value(&flag)?;
                let Action::Logs(logs) = &mut out.action else {
                    return Err(bad(format!("unknown option {flag:?}")));
                };
                logs.since = Some(parse_duration(&text).ok_or_else(|| {
                    bad(format!(
                        "--since: {text:?} is not a duration (such as 5s, 2m or 3h)"
                    ))
                })?);
            }
            "--grace" | "--grace-period" => {
                let text = value(&flag)?;
                let Action::Stop { grace } = &mut out.action else {
                    return Err(bad(format!("unknown option {flag:?}")));
                };
                // kubectl's -1: the pod's own.
                *grace = if text.trim().starts_with('-') && text.trim().parse::<f64>().is_ok() {
                    None
                } else {
                    Some(parse_duration(&text).ok_or_else(|| {
                        bad(format!("{flag}: {text:?} is not a number of seconds"))
                    })?)
                };
            }
            other => match attached.as_deref() {
                // `--previous=false`, as pflag reads it.
                Some("false") => {}
                None | Some("true") => flag_without_value(&mut out.action, other).map_err(&bad)?,
                Some(value) => {
                    return Err(bad(format!("{other}: {value:?} is not true or false")));
                }
            },
        }
    }
    match &mut out.action {
        Action::Logs(logs) => match words.as_slice() {
            [] => {}
            [one] if logs.container.is_none() => logs.container = Some(one.clone()),
            _ => return Err(bad(format!("unexpected words: {}", words.join(" ")))),
        },
        Action::Exec(exec) => {
            let named = dashes.unwrap_or(1).min(1);
            let mut words = words.into_iter();
            if named == 1 {
                let first = words.next();
                if exec.container.is_none() {
                    exec.container = first;
                } else if let Some(first) = first {
                    return Err(bad(format!(
                        "{first:?}: the container is already named with -c"
                    )));
                }
            }
            exec.command = words.collect();
            if exec.command.is_empty() {
                return Err(bad(
                    "no command: podinit exec [-i] [-t] CONTAINER -- COMMAND [ARGS...]".into(),
                ));
            }
        }
        _ if !words.is_empty() => {
            return Err(bad(format!("unexpected words: {}", words.join(" "))));
        }
        _ => {}
    }
    Ok(out)
}

/// A flag that takes no value, for the action it belongs to.
fn flag_without_value(action: &mut Action, flag: &str) -> Result<(), String> {
    match (action, flag) {
        (Action::Logs(logs), "-f" | "--follow") => logs.follow = true,
        (Action::Logs(logs), "-p" | "--previous") => logs.previous = true,
        (Action::Logs(logs), "--timestamps") => logs.timestamps = true,
        (Action::Exec(exec), "-i" | "--stdin") => exec.stdin = true,
        (Action::Exec(exec), "-t" | "--tty") => exec.tty = true,
        (_, other) => return Err(format!("unknown option {other:?}")),
    }
    Ok(())
}

/// The usage of `command`.
pub fn usage(command: &str) -> &'static str {
    match command {
        "status" => {
            "\
Usage: podinit status [-o wide|json|yaml] [--pod NAME] [--state-dir DIR]

The pod as `kubectl get pod` shows it: NAME READY STATUS RESTARTS AGE (wide:
IP and NODE too), or the whole pod with its status as JSON or YAML.
"
        }
        "describe" => {
            "\
Usage: podinit describe [--pod NAME] [--state-dir DIR]

The pod as `kubectl describe pod` shows it: containers, conditions, volumes
and events.
"
        }
        "logs" => {
            "\
Usage: podinit logs [CONTAINER | -c CONTAINER] [-f] [-p] [--timestamps]
                    [--tail N] [--since D] [--pod NAME] [--state-dir DIR]

A container's output, from its log files (the pod's first container when
none is named).

  -f, --follow        keep printing new lines while the container runs
  -p, --previous      the instance before the current one
  --timestamps        each line with the time podinit read it (RFC 3339)
  --tail N            only the last N lines
  --since D           only lines newer than D (5s, 2m, 3h)
"
        }
        "exec" => {
            "\
Usage: podinit exec [-i] [-t] CONTAINER [--] COMMAND [ARGS...]
                    [--pod NAME] [--state-dir DIR]

Run COMMAND in a running container: its namespaces, root, cgroup, user,
working directory and environment. The exit status is COMMAND's (126 when
it cannot run, 127 when it is not found).

  -i, --stdin         pass stdin to COMMAND
  -t, --tty           give COMMAND a terminal
"
        }
        _ => {
            "\
Usage: podinit stop [--grace SECONDS] [--pod NAME] [--state-dir DIR]

Stop the pod as a SIGTERM to podinit does: preStop hooks, stop signals,
SIGKILL at the end of the grace period (the pod's own, or SECONDS).
"
        }
    }
}
