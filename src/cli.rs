//! The command line: argv and the `TINI_*` environment into a [`Command`].
//!
//! Options follow tini 0.19 so that an image can swap the binary and keep its
//! ENTRYPOINT line. tini parses with GNU getopt(3), which permutes: options
//! are taken from anywhere before `--`, and the words that are not options,
//! in order, make the program. So `tini -s prog -- -x` runs `prog -x` (the
//! form tini's usage line shows) and `tini prog -v` takes `-v` for itself.
//! With `POSIXLY_CORRECT` set, GNU getopt stops at the first word that is not
//! an option instead, and so does podinit. Short options may be grouped
//! (`-vvg`); a value may be attached (`-e143`) or follow (`-e 143`).
//! Nothing here touches the process: parsing is pure and unit-tested.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStringExt;
use std::path::PathBuf;
use std::time::Duration;

use crate::sys::Signal;

/// The tini release whose command line podinit accepts.
pub const TINI_COMPAT_VERSION: &str = "0.19.0";

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    /// `-h`, `--help`: usage on stdout, exit 0.
    Help,
    /// `--version`.
    Version,
    /// `-l`: the license.
    License,
    /// `[OPTIONS] [--] PROGRAM [ARGS...]`: supervise PROGRAM as tini would.
    Tini(TiniArgs),
    /// `validate [-f] FILE... [-o yaml|json] [--ignore-unsupported]`.
    Validate(ValidateArgs),
    /// `validate -h`.
    ValidateHelp,
    /// `run [-f] FILE... [OPTIONS]`.
    Run(RunArgs),
    /// `run -h`.
    RunHelp,
    /// `status`, `describe`, `logs`, `exec`, `stop`: ask the running pod.
    Control(control::ControlArgs),
}

/// `podinit run`'s verbosity without `-v` or `-q`: info, what the kubelet
/// would record as events.
pub const RUN_VERBOSITY: i32 = 2;

/// `podinit run`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunArgs {
    /// Files to read, in order; `-` is stdin.
    pub files: Vec<String>,
    pub ignore_unsupported: bool,
    /// `--images DIR`: the image store.
    pub images: PathBuf,
    /// `--state-dir DIR`: where the pod's directory goes.
    pub state_dir: PathBuf,
    /// `--log-dir DIR`: where the containers' CRI log files go.
    pub log_dir: PathBuf,
    /// `--log-prefix`: the console copy of each line starts with
    /// `[CONTAINER] `.
    pub log_prefix: bool,
    /// `--log-max-size`, `--log-max-files`: rotation, as the kubelet's
    /// containerLogMaxSize and containerLogMaxFiles.
    pub log_max_size: u64,
    pub log_max_files: usize,
    /// `--backoff-initial`, `--backoff-max`: the restart back-off.
    pub backoff_initial: Duration,
    pub backoff_max: Duration,
    /// `-v` given n times (more detail), `-q` (less).
    pub verbosity: i32,
}

/// What `podinit validate -o` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    Yaml,
    Json,
}

/// `podinit validate`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidateArgs {
    /// Files to read, in order; `-` is stdin.
    pub files: Vec<String>,
    pub output: Option<Output>,
    pub ignore_unsupported: bool,
}

/// Exit codes that `-e` remaps to 0.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExitCodeSet([u64; 4]);

impl ExitCodeSet {
    pub fn insert(&mut self, code: u8) {
        self.0[usize::from(code / 64)] |= 1 << (code % 64);
    }

    pub fn contains(&self, code: u8) -> bool {
        self.0[usize::from(code / 64)] & (1 << (code % 64)) != 0
    }
}

/// Default time between SIGTERM and SIGKILL for what the program left behind.
pub const DEFAULT_GRACE: Duration = Duration::from_secs(2);

/// tini mode, as the options and environment set it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TiniArgs {
    /// PROGRAM and its arguments; never empty.
    pub program: Vec<OsString>,
    /// tini's scale: 0 errors only, 1 warnings (default), 2 info, 3 debug, 4 trace.
    pub verbosity: i32,
    /// `-s` or `TINI_SUBREAPER`. podinit registers as a subreaper whenever it
    /// is not PID 1, so this only records that it was asked.
    pub subreaper: bool,
    /// `-p SIGNAL`.
    pub parent_death_signal: Option<Signal>,
    /// `-w`.
    pub warn_on_reap: bool,
    /// `-g` or `TINI_KILL_PROCESS_GROUP`.
    pub kill_process_group: bool,
    /// `-e CODE`, repeatable.
    pub remap: ExitCodeSet,
    /// `--grace SECONDS`.
    pub grace: Duration,
}

/// A command line podinit cannot accept.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum CliError {
    #[error("invalid option -- '{0}'")]
    UnknownShort(char),
    #[error("unrecognized option '{0}'")]
    UnknownLong(String),
    #[error("option requires an argument -- '{0}'")]
    MissingValue(String),
    #[error("not a valid option for -e: {0} (an exit code from 0 to 255)")]
    ExitCode(String),
    #[error("not a valid option for -p: {0} (a signal such as SIGKILL, TERM or 9)")]
    Signal(String),
    #[error("not a valid option for --grace: {0} (seconds, such as 2 or 0.5)")]
    Grace(String),
    #[error("no program to run")]
    NoProgram,
    #[error("validate: {0}")]
    Validate(String),
    #[error("run: {0}")]
    Run(String),
    #[error("{0}")]
    Control(String),
}

impl CliError {
    /// Whether to follow the message with the usage text, as tini does for a
    /// wrong option but not for a wrong value.
    pub fn wants_usage(&self) -> bool {
        matches!(
            self,
            Self::UnknownShort(_) | Self::UnknownLong(_) | Self::MissingValue(_) | Self::NoProgram
        )
    }
}

/// Parses `args` (without `argv[0]`) with the environment read through `env`.
///
/// A first word naming a subcommand (`validate`) selects it; anything else
/// is tini mode, so a program named like a subcommand needs `--` before it.
pub fn parse(
    args: &[OsString],
    env: impl Fn(&str) -> Option<OsString>,
) -> Result<Command, CliError> {
    if args.first().is_some_and(|a| a == "validate") {
        return parse_validate(&args[1..]);
    }
    if args.first().is_some_and(|a| a == "run") {
        return parse_run(&args[1..]);
    }
    if let Some(command) = args
        .first()
        .and_then(|a| a.to_str())
        .filter(|a| control::COMMANDS.contains(a))
    {
        return control::parse(command, &args[1..]).map(Command::Control);
    }
    let mut tini = TiniArgs {
        program: Vec::new(),
        verbosity: 1,
        subreaper: false,
        parent_death_signal: None,
        warn_on_reap: false,
        kill_process_group: false,
        remap: ExitCodeSet::default(),
        grace: DEFAULT_GRACE,
    };
    let permute = env("POSIXLY_CORRECT").is_none();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let bytes = arg.as_encoded_bytes();
        if bytes == b"--" {
            break;
        }
        if let Some(long) = bytes.strip_prefix(b"--") {
            let long = String::from_utf8_lossy(long).into_owned();
            let (name, attached) = match long.split_once('=') {
                Some((name, value)) => (name.to_owned(), Some(OsString::from(value))),
                None => (long, None),
            };
            match name.as_str() {
                "version" => return Ok(Command::Version),
                "help" => return Ok(Command::Help),
                "grace" => {
                    let value = attached
                        .or_else(|| rest.next().cloned())
                        .ok_or_else(|| CliError::MissingValue("--grace".into()))?;
                    tini.grace = parse_grace(&value)?;
                }
                _ => return Err(CliError::UnknownLong(format!("--{name}"))),
            }
            continue;
        }
        if bytes.len() < 2 || bytes[0] != b'-' {
            // A word that is not an option belongs to the program; GNU
            // getopt goes on looking for options after it.
            tini.program.push(arg.clone());
            if permute {
                continue;
            }
            break;
        }
        let mut flags = bytes[1..].iter();
        while let Some(&flag) = flags.next() {
            match flag {
                b'h' => return Ok(Command::Help),
                b'l' => return Ok(Command::License),
                b's' => tini.subreaper = true,
                b'v' => tini.verbosity += 1,
                b'w' => tini.warn_on_reap = true,
                b'g' => tini.kill_process_group = true,
                b'e' | b'p' => {
                    let attached = flags.as_slice();
                    let value = if attached.is_empty() {
                        rest.next()
                            .cloned()
                            .ok_or_else(|| CliError::MissingValue(char::from(flag).into()))?
                    } else {
                        OsString::from_vec(attached.to_vec())
                    };
                    if flag == b'e' {
                        tini.remap.insert(parse_exit_code(&value)?);
                    } else {
                        tini.parent_death_signal = Some(parse_signal(&value)?);
                    }
                    break;
                }
                other => return Err(CliError::UnknownShort(char::from(other))),
            }
        }
    }
    tini.program.extend(rest.cloned());
    if tini.program.is_empty() {
        return Err(CliError::NoProgram);
    }
    apply_env(&mut tini, env);
    Ok(Command::Tini(tini))
}

/// `run [-f] FILE... [--images DIR] [--state-dir DIR] [--backoff-initial D]
/// [--backoff-max D] [--ignore-unsupported] [-v|-q]`.
fn parse_run(args: &[OsString]) -> Result<Command, CliError> {
    let bad = |m: String| CliError::Run(m);
    let mut out = RunArgs {
        files: Vec::new(),
        ignore_unsupported: false,
        images: PathBuf::from(crate::image::DEFAULT_STORE),
        state_dir: PathBuf::from(DEFAULT_STATE_DIR),
        log_dir: PathBuf::from(DEFAULT_LOG_DIR),
        log_prefix: false,
        log_max_size: 10 * 1024 * 1024,
        log_max_files: 5,
        backoff_initial: crate::pod::backoff::INITIAL,
        backoff_max: crate::pod::backoff::MAX,
        verbosity: RUN_VERBOSITY,
    };
    let mut rest = args.iter().map(|a| a.to_string_lossy().into_owned());
    let mut only_files = false;
    while let Some(arg) = rest.next() {
        if only_files || arg == "-" || !arg.starts_with('-') {
            out.files.push(arg);
            continue;
        }
        let (flag, attached) = split_flag(&arg, &["-f"]);
        let mut value = |name: &str| {
            attached
                .clone()
                .or_else(|| rest.next())
                .ok_or_else(|| bad(format!("{name} needs a value")))
        };
        let duration = |name: &str, text: String| {
            parse_duration(&text).ok_or_else(|| {
                bad(format!(
                    "{name}: {text:?} is not a duration (such as 10s, 500ms, 5m or a number of seconds)"
                ))
            })
        };
        match flag.as_str() {
            "--" => only_files = true,
            "-h" | "--help" => return Ok(Command::RunHelp),
            "--ignore-unsupported" => out.ignore_unsupported = true,
            "-f" | "--filename" => out.files.push(value(&flag)?),
            "--images" => out.images = PathBuf::from(value(&flag)?),
            "--state-dir" => out.state_dir = PathBuf::from(value(&flag)?),
            "--log-dir" => out.log_dir = PathBuf::from(value(&flag)?),
            "--log-prefix" => out.log_prefix = true,
            "--log-max-size" => {
                let text = value(&flag)?;
                out.log_max_size = crate::spec::quantity::Amount::parse(&text)
                    .ok()
                    .and_then(|a| u64::try_from(a.ceil_units()).ok())
                    .filter(|&n| n >= 1024)
                    .ok_or_else(|| {
                        bad(format!(
                            "--log-max-size: {text:?} is not a size of at least 1Ki (such as 10Mi)"
                        ))
                    })?;
            }
            "--log-max-files" => {
                let text = value(&flag)?;
                out.log_max_files = text.parse().ok().filter(|&n| n >= 1).ok_or_else(|| {
                    bad(format!(
                        "--log-max-files: {text:?} is not a number from 1 up"
                    ))
                })?;
            }
            "--backoff-initial" => out.backoff_initial = duration(&flag, value(&flag)?)?,
            "--backoff-max" => out.backoff_max = duration(&flag, value(&flag)?)?,
            "-q" | "--quiet" => out.verbosity = 1,
            v if v.len() > 1 && v.bytes().skip(1).all(|b| b == b'v') => {
                out.verbosity += i32::try_from(v.len() - 1).unwrap_or(3)
            }
            other => {
                return Err(bad(format!(
                    "unknown option {other:?} (see podinit run -h)"
                )));
            }
        }
    }
    if out.files.is_empty() {
        return Err(bad(
            "no manifest given: podinit run [-f] FILE... (- for stdin)".into(),
        ));
    }
    // A zero delay would double to zero forever: a crash loop at full speed.
    if out.backoff_max.is_zero() || out.backoff_initial.is_zero() {
        return Err(bad(
            "--backoff-initial and --backoff-max must be more than 0".into(),
        ));
    }
    Ok(Command::Run(out))
}

/// A subcommand's option and its attached value: `--name=value`, or one of
/// `shorts` glued to its value (`-fpod.yaml`, `-oyaml`, and `-o=yaml` as
/// kubectl also takes it).
fn split_flag(arg: &str, shorts: &[&str]) -> (String, Option<String>) {
    if let Some((flag, value)) = arg.split_once('=') {
        if flag.starts_with("--") {
            return (flag.to_owned(), Some(value.to_owned()));
        }
    }
    if !arg.starts_with("--") {
        for short in shorts {
            if let Some(value) = arg.strip_prefix(short).filter(|v| !v.is_empty()) {
                let value = value.strip_prefix('=').unwrap_or(value);
                return ((*short).to_owned(), Some(value.to_owned()));
            }
        }
    }
    (arg.to_owned(), None)
}

/// Where `podinit run` keeps its pods' directories by default.
pub const DEFAULT_STATE_DIR: &str = "/run/podinit";
/// Where the containers' log files go: the kubelet's directory, which
/// fluent-bit, Vector and promtail read.
pub use crate::logs::DEFAULT_LOG_DIR;

/// A duration as the kubelet's flags take them (`10s`, `1m30s`, `500ms`),
/// or a plain number of seconds.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    if let Ok(secs) = text.parse::<f64>() {
        return (secs.is_finite() && (0.0..=1e9).contains(&secs))
            .then(|| Duration::from_secs_f64(secs));
    }
    let mut total = 0.0f64;
    let mut rest = text;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number: f64 = rest.get(..digits)?.parse().ok()?;
        rest = rest.get(digits..)?;
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match rest.get(..unit_len)? {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        rest = rest.get(unit_len..)?;
        total += number * scale;
    }
    (total.is_finite() && total <= 1e9).then(|| Duration::from_secs_f64(total))
}

/// The `run -h` text.
pub fn run_usage() -> String {
    format!(
        "\
Usage: podinit run [-f] FILE... [OPTIONS]

Run the pod of a Kubernetes manifest: its init containers, its containers
and their restarts, as a kubelet would, with podinit as the pod's init.
FILE is a path or - for stdin; several files form one manifest (a pod and
the ConfigMaps and Secrets it uses).

As PID 1 (a container's ENTRYPOINT, a VM's init), the pod lives in podinit's
own namespaces. Otherwise podinit makes new PID, mount, UTS, IPC and network
namespaces for it (hostPID, hostIPC, hostNetwork keep the host's), relays
signals to it and exits with its exit code.

  -f, --filename FILE       a manifest file (the -f is optional)
  --images DIR              the image store (default {images})
  --state-dir DIR           the pods' directories: sandbox files, emptyDirs,
                            status.json, the control socket (default {state})
  --log-dir DIR             the containers' log files, as the kubelet's
                            (default {logs})
  --log-prefix              start each container line that podinit copies to
                            its own stdout/stderr with [CONTAINER]
  --log-max-size SIZE       rotate a log file at SIZE (default 10Mi)
  --log-max-files N         log files kept per container instance, the
                            current one included (default 5)
  --backoff-initial D       the first restart delay (default 10s)
  --backoff-max D           the longest restart delay (default 5m)
  --ignore-unsupported      run even if the pod uses fields podinit does not
                            support (they are ignored)
  -v, -vv / -q              more detail / only warnings and errors
  -h, --help                this text

Exit status: 0 when every app container succeeded; else the exit code of the
first failed container in spec order, init containers first (128+N for a
signal N, 128 when it could not start); 1 when podinit cannot run the pod,
2 when the manifest is not valid or the command line is wrong.
",
        images = crate::image::DEFAULT_STORE,
        state = DEFAULT_STATE_DIR,
        logs = DEFAULT_LOG_DIR,
    )
}

/// `validate [-f] FILE... | - [-o yaml|json] [--ignore-unsupported]`.
fn parse_validate(args: &[OsString]) -> Result<Command, CliError> {
    let bad = |m: String| CliError::Validate(m);
    let mut out = ValidateArgs {
        files: Vec::new(),
        output: None,
        ignore_unsupported: false,
    };
    let mut rest = args.iter().map(|a| a.to_string_lossy().into_owned());
    let mut only_files = false;
    while let Some(arg) = rest.next() {
        if only_files || arg == "-" || !arg.starts_with('-') {
            out.files.push(arg);
            continue;
        }
        let (flag, attached) = split_flag(&arg, &["-o", "-f"]);
        let mut value = |name: &str| {
            attached
                .clone()
                .or_else(|| rest.next())
                .ok_or_else(|| bad(format!("{name} needs a value")))
        };
        match flag.as_str() {
            "--" => only_files = true,
            "-h" | "--help" => return Ok(Command::ValidateHelp),
            "--ignore-unsupported" => out.ignore_unsupported = true,
            "-f" | "--filename" => out.files.push(value(&flag)?),
            "-o" | "--output" => {
                out.output = Some(match value(&flag)?.as_str() {
                    "yaml" => Output::Yaml,
                    "json" => Output::Json,
                    other => {
                        return Err(bad(format!(
                            "unknown output format {other:?}: yaml or json"
                        )));
                    }
                })
            }
            other => {
                return Err(bad(format!(
                    "unknown option {other:?} (see podinit validate -h)"
                )));
            }
        }
    }
    if out.files.is_empty() {
        return Err(bad(
            "no manifest given: podinit validate [-f] FILE... (- for stdin)".into(),
        ));
    }
    Ok(Command::Validate(out))
}

/// The `validate -h` text.
pub fn validate_usage() -> String {
    "\
Usage: podinit validate [-f] FILE... [-o yaml|json] [--ignore-unsupported]

Check a Kubernetes manifest as podinit will run it: YAML, unknown fields,
the Kubernetes rules, and the fields podinit ignores or does not support.
FILE is a path or - for stdin; several files form one manifest (a pod and
the ConfigMaps and Secrets it uses).

  -f, --filename FILE     a manifest file (the -f is optional)
  -o, --output FORMAT     print the pod with its defaults, as yaml or json
  --ignore-unsupported    fields podinit does not support are warnings, not errors
  -h, --help              this text

Exit status: 0 the pod is valid (warnings allowed), 1 it is not, 2 the input
cannot be read or is not YAML, or the command line is wrong.
"
    .to_owned()
}

/// tini reads its environment after its options: `TINI_SUBREAPER` and
/// `TINI_KILL_PROCESS_GROUP` count when set at all, and `TINI_VERBOSITY`
/// replaces the level `-v` gave (atoi(3): a non-number reads as 0).
fn apply_env(tini: &mut TiniArgs, env: impl Fn(&str) -> Option<OsString>) {
    if env("TINI_SUBREAPER").is_some() {
        tini.subreaper = true;
    }
    if env("TINI_KILL_PROCESS_GROUP").is_some() {
        tini.kill_process_group = true;
    }
    if let Some(level) = env("TINI_VERBOSITY") {
        tini.verbosity = atoi(&level);
    }
}

/// strtol(3) in base 10: leading blanks, an optional sign, digits. Returns
/// the value (saturated) and whether anything follows the number; with no
/// digits at all, the value is 0 and the whole text counts as what follows.
fn strtol(text: &[u8]) -> (i64, bool) {
    let start = text
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(text.len());
    let mut i = start;
    let negative = text.get(i) == Some(&b'-');
    if matches!(text.get(i), Some(b'-' | b'+')) {
        i += 1;
    }
    let digits = text[i..].iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return (0, !text.is_empty());
    }
    let magnitude = text[i..i + digits].iter().fold(0i64, |acc, d| {
        acc.saturating_mul(10).saturating_add(i64::from(d - b'0'))
    });
    let value = if negative { -magnitude } else { magnitude };
    (value, i + digits < text.len())
}

/// atoi(3), as tini reads `TINI_VERBOSITY`.
fn atoi(text: &OsStr) -> i32 {
    let (value, _) = strtol(text.as_encoded_bytes());
    value.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32
}

/// `-e`, as tini checks it: strtol with nothing after the number, 0..=255
/// (so an empty value is 0, and ` 3` and `+3` are 3).
fn parse_exit_code(value: &OsStr) -> Result<u8, CliError> {
    match strtol(value.as_encoded_bytes()) {
        (code, false) => u8::try_from(code).ok(),
        (_, true) => None,
    }
    .ok_or_else(|| CliError::ExitCode(value.to_string_lossy().into_owned()))
}

fn parse_signal(value: &OsStr) -> Result<Signal, CliError> {
    let text = value.to_string_lossy();
    Signal::parse(&text).ok_or_else(|| CliError::Signal(text.into_owned()))
}

fn parse_grace(value: &OsStr) -> Result<Duration, CliError> {
    let text = value.to_string_lossy();
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|secs| secs.is_finite() && *secs >= 0.0 && *secs <= 1e9)
        .map(Duration::from_secs_f64)
        .ok_or_else(|| CliError::Grace(text.into_owned()))
}

/// The `-h` text.
pub fn usage() -> String {
    format!(
        "\
podinit (podinit version {version}, tini {tini} compatible)
Usage: podinit [OPTIONS] -- PROGRAM [ARGS] | --version
       podinit run [-f] FILE... [OPTIONS]       run a Kubernetes pod (podinit run -h)
       podinit validate [-f] FILE... [OPTIONS]  check a manifest (podinit validate -h)
       podinit status|describe|logs|exec|stop   look at or act on the running pod
                                                (podinit status -h, ...)

Execute a program under the supervision of a valid init process (tini mode):
reap zombies, forward signals, and leave nothing behind when it exits.

Command line options:

  --version: Show version and exit.
  -h, --help: Show this help message and exit.
  -s: Register as a process subreaper (podinit always does when it is not PID 1).
  -p SIGNAL: Trigger SIGNAL when parent dies, e.g. \"-p SIGKILL\".
  -v: Generate more verbose output. Repeat up to 3 times.
  -w: Print a warning when processes are getting reaped.
  -g: Send signals to the child's process group.
  -e EXIT_CODE: Remap EXIT_CODE (from 0 to 255) to 0 (can be repeated).
  -l: Show license and exit.
  --grace SECONDS: When PROGRAM has exited, the processes it left behind get
      SIGTERM, then SIGKILL after SECONDS (default {grace}).

Environment variables:

  TINI_SUBREAPER: Register as a process subreaper (always done when not PID 1).
  TINI_VERBOSITY: Set the verbosity level (default: 1).
  TINI_KILL_PROCESS_GROUP: Send signals to the child's process group.

Where podinit differs from tini {tini}:
  - it registers as a child subreaper whenever it is not PID 1, without -s;
  - when PROGRAM exits, its leftover processes get SIGTERM, then SIGKILL after
    --grace; tini exits at once and leaves them to the kernel or to nobody;
  - exec failures: 127 for ENOENT/ENOTDIR, 126 for the rest (tini: 1 for most);
  - fault signals and libc's real-time signals are forwarded, not fatal;
  - -p also takes TERM, 15 and SIGRTMIN+N; all its messages go to stderr.
",
        version = env!("CARGO_PKG_VERSION"),
        tini = TINI_COMPAT_VERSION,
        grace = DEFAULT_GRACE.as_secs(),
    )
}

/// The `--version` line.
pub fn version() -> String {
    format!(
        "podinit version {} (tini {} compatible)",
        env!("CARGO_PKG_VERSION"),
        TINI_COMPAT_VERSION
    )
}

/// The `-l` text.
pub const LICENSE: &str = include_str!("../LICENSE");

pub mod control;

#[cfg(test)]
mod tests;
