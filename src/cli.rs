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
pub fn parse(
    args: &[OsString],
    env: impl Fn(&str) -> Option<OsString>,
) -> Result<Command, CliError> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn args(words: &[&str]) -> Vec<OsString> {
        words.iter().map(OsString::from).collect()
    }

    fn no_env(_: &str) -> Option<OsString> {
        None
    }

    fn tini(words: &[&str]) -> TiniArgs {
        match parse(&args(words), no_env) {
            Ok(Command::Tini(t)) => t,
            other => panic!("{words:?}: {other:?}"),
        }
    }

    #[test]
    fn options_are_permuted_like_gnu_getopt() {
        let cases: &[(&[&str], &[&str], i32)] = &[
            (&["--", "sleep", "1"], &["sleep", "1"], 1),
            (&["sleep", "-v", "--"], &["sleep"], 2),
            (&["-v", "--", "-weird"], &["-weird"], 2),
            // tini's own usage line: PROGRAM -- ARGS
            (&["-g", "prog", "--", "x", "-v"], &["prog", "x", "-v"], 1),
            (&["prog", "a", "-v", "b"], &["prog", "a", "b"], 2),
            (&["-", "x"], &["-", "x"], 1),
        ];
        for (words, program, verbosity) in cases {
            let t = tini(words);
            assert_eq!(
                (&t.program, t.verbosity),
                (&args(program), *verbosity),
                "{words:?}"
            );
        }
        // tini takes -c for itself here, and refuses it.
        assert_eq!(
            parse(&args(&["sh", "-c", "exit 3"]), no_env).unwrap_err(),
            CliError::UnknownShort('c')
        );
    }

    #[test]
    fn posixly_correct_stops_at_the_first_non_option() {
        let env = |name: &str| (name == "POSIXLY_CORRECT").then(OsString::new);
        let Ok(Command::Tini(t)) = parse(&args(&["-v", "sh", "-c", "x", "--", "y"]), env) else {
            panic!("not tini mode");
        };
        assert_eq!(t.program, args(&["sh", "-c", "x", "--", "y"]));
        assert_eq!(t.verbosity, 2);
    }

    #[test]
    fn flags_group_and_take_values_attached_or_apart() {
        let t = tini(&["-vvgws", "-e143", "-e", "2", "-pSIGUSR1", "--", "x"]);
        assert_eq!(t.verbosity, 3);
        assert!(t.kill_process_group && t.warn_on_reap && t.subreaper);
        assert!(t.remap.contains(143) && t.remap.contains(2) && !t.remap.contains(0));
        assert_eq!(t.parent_death_signal, Some(Signal::USR1));
        let t = tini(&["-p", "SIGKILL", "--grace=0.5", "--grace", "3", "x"]);
        assert_eq!(t.parent_death_signal, Some(Signal::KILL));
        assert_eq!(t.grace, Duration::from_secs(3));
        assert_eq!(
            tini(&["--grace=0.25", "x"]).grace,
            Duration::from_millis(250)
        );
    }

    #[test]
    fn help_version_and_license_win_where_they_appear() {
        let cases: &[(&[&str], Command)] = &[
            (&["-h"], Command::Help),
            (&["-vh", "x"], Command::Help),
            (&["--help"], Command::Help),
            (&["--version"], Command::Version),
            (&["-l"], Command::License),
        ];
        for (words, want) in cases {
            assert_eq!(&parse(&args(words), no_env).unwrap(), want, "{words:?}");
        }
    }

    #[test]
    fn bad_command_lines_are_refused_with_tinis_words() {
        let cases: &[(&[&str], CliError)] = &[
            (&[], CliError::NoProgram),
            (&["-v"], CliError::NoProgram),
            (&["--"], CliError::NoProgram),
            (&["-x", "true"], CliError::UnknownShort('x')),
            (
                &["--bogus", "true"],
                CliError::UnknownLong("--bogus".into()),
            ),
            (&["-e"], CliError::MissingValue("e".into())),
            (&["-e", "256", "x"], CliError::ExitCode("256".into())),
            (&["-e", "-1", "x"], CliError::ExitCode("-1".into())),
            (&["-e", "3 ", "x"], CliError::ExitCode("3 ".into())),
            (&["-e", "3x", "x"], CliError::ExitCode("3x".into())),
            (&["-e", " ", "x"], CliError::ExitCode(" ".into())),
            (&["-p", "FOO", "x"], CliError::Signal("FOO".into())),
            (&["--grace", "-1", "x"], CliError::Grace("-1".into())),
            (&["--grace", "inf", "x"], CliError::Grace("inf".into())),
            (&["--grace"], CliError::MissingValue("--grace".into())),
        ];
        for (words, want) in cases {
            assert_eq!(&parse(&args(words), no_env).unwrap_err(), want, "{words:?}");
        }
        assert!(CliError::NoProgram.wants_usage());
        assert!(!CliError::ExitCode("x".into()).wants_usage());
    }

    #[test]
    fn tini_environment_variables_apply_after_options() {
        let env = |name: &str| match name {
            "TINI_SUBREAPER" => Some(OsString::new()),
            "TINI_KILL_PROCESS_GROUP" => Some(OsString::from("0")),
            "TINI_VERBOSITY" => Some(OsString::from("3")),
            _ => None,
        };
        let Ok(Command::Tini(t)) = parse(&args(&["-v", "x"]), env) else {
            panic!("not tini mode");
        };
        assert!(t.subreaper && t.kill_process_group);
        assert_eq!(t.verbosity, 3);
    }

    #[test]
    fn exit_codes_read_like_tinis_strtol() {
        for (text, want) in [
            ("", 0),
            ("0", 0),
            (" 3", 3),
            ("+3", 3),
            ("010", 10),
            ("-0", 0),
            ("255", 255),
        ] {
            let t = tini(&["-e", text, "x"]);
            assert!(t.remap.contains(want), "{text:?}");
        }
    }

    #[test]
    fn atoi_reads_like_c() {
        for (text, want) in [
            ("2", 2),
            (" 3x", 3),
            ("x", 0),
            ("-1", -1),
            ("", 0),
            ("99999999999", i32::MAX),
        ] {
            assert_eq!(atoi(OsStr::new(text)), want, "{text:?}");
        }
    }

    #[test]
    fn exit_code_set_holds_every_code() {
        let mut set = ExitCodeSet::default();
        for code in [0u8, 63, 64, 127, 128, 255] {
            assert!(!set.contains(code));
            set.insert(code);
            assert!(set.contains(code));
        }
    }
}
