//! podinit: a PID 1 for containers and microVMs.
//!
//! The binary (`src/main.rs`) is a thin C `main` that hands argv to [`main`];
//! everything else lives in this library so that it can be unit-tested and
//! fuzzed. Modules are named by the one concern each owns; `sys` is the only
//! one with `unsafe`.

pub mod cgroup;
pub mod cli;
pub mod client;
pub mod container;
pub mod deadline;
pub mod exit;
pub mod host;
pub mod image;
pub mod init;
pub mod leftovers;
pub mod logging;
pub mod logs;
pub mod pod;
pub mod probe;
pub mod procfs;
pub mod run;
pub mod sandbox;
pub mod spec;
pub mod status;
pub mod sys;
pub mod timefmt;
pub mod tini;
pub mod validate;
pub mod vm;
pub mod volume;

use std::ffi::OsString;
use std::io::Write;

use cli::Command;
use exit::ExitCode;

/// argv (with argv\[0\]) to an exit code: parse, then run what was asked.
pub fn main(args: Vec<OsString>) -> ExitCode {
    // The kernel starts init with no arguments that matter: as the
    // machine's init, podinit boots it and never returns.
    if let Some(settings) = vm::chosen() {
        vm::main(&args, &settings)
    }
    let rest = args.get(1..).unwrap_or_default();
    let command = match cli::parse(rest, |name| std::env::var_os(name)) {
        Ok(command) => command,
        Err(err) => {
            let mut stderr = std::io::stderr().lock();
            let _ = writeln!(stderr, "podinit: {err}");
            if err.wants_usage() {
                let _ = write!(stderr, "{}", cli::usage());
            }
            return match err {
                cli::CliError::Validate(_) | cli::CliError::Run(_) | cli::CliError::Control(_) => {
                    ExitCode::BadInput
                }
                _ => ExitCode::Failure,
            };
        }
    };
    match command {
        Command::Help => print(&cli::usage()),
        Command::Version => print(&format!("{}\n", cli::version())),
        Command::License => print(cli::LICENSE),
        Command::ValidateHelp => print(&cli::validate_usage()),
        Command::RunHelp => print(&cli::run_usage()),
        Command::Run(args) => run::run(&args),
        Command::Control(args) => client::run(&args),
        Command::Validate(args) => validate::run(&args),
        Command::Tini(args) => {
            logging::init(args.verbosity);
            tini::run(args, &host::HostPaths::default())
        }
    }
}

/// Writes to stdout, ignoring a closed pipe (`podinit -h | head -1`).
fn print(text: &str) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
    ExitCode::Success
}
