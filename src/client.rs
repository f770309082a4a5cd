//! `podinit status|describe|logs|exec|stop`: the CLI side of the control
//! socket. It finds the pod's socket under `--state-dir`, asks, and prints
//! what kubectl would. It is an ordinary process, not PID 1: it may block
//! and sleep.
//!
//! `logs` reads the CRI files itself (the socket only says where they are
//! and whether the container still runs); `exec` passes its own stdin,
//! stdout and stderr over the socket (or a terminal's other side, for
//! `-t`) and exits with the command's exit code.

mod exec;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use crate::cli::control::{Action, ControlArgs, LogsArgs, StatusOutput};
use crate::exit::ExitCode;
use crate::status::control::{self, LogsAnswer, Request};
use crate::status::kubectl;
use crate::status::model::Snapshot;

/// Runs the command; errors go to stderr as `podinit CMD: ...`.
pub fn run(args: &ControlArgs) -> ExitCode {
    if let Action::Help(text) = args.action {
        let _ = std::io::stdout().write_all(text.as_bytes());
        return ExitCode::Success;
    }
    let socket = match find_socket(&args.state_dir, args.pod.as_deref()) {
        Ok(socket) => socket,
        Err(message) => return fail(&message),
    };
    let result = match &args.action {
        Action::Status(output) => status(&socket, *output),
        Action::Describe => snapshot(&socket).map(|s| {
            print(&kubectl::describe(&s));
            ExitCode::Success
        }),
        Action::Logs(logs) => self::logs(&socket, logs),
        Action::Exec(exec) => self::exec::run(&socket, exec),
        Action::Stop { grace } => ask(
            &socket,
            &Request::Stop {
                grace: grace.map(|g| g.as_secs_f64()),
            },
        )
        .map(|_| {
            print("pod stopping\n");
            ExitCode::Success
        }),
        Action::Help(_) => Ok(ExitCode::Success),
    };
    result.unwrap_or_else(|message| fail(&message))
}

fn fail(message: &str) -> ExitCode {
    let _ = writeln!(std::io::stderr(), "podinit: {message}");
    ExitCode::Failure
}

fn print(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

/// The control socket of the pod: the only one under `state_dir`, or the
/// one named `pod` (pod directories are `NAMESPACE_NAME_UID`).
pub fn find_socket(state_dir: &Path, pod: Option<&str>) -> Result<PathBuf, String> {
    let entries = std::fs::read_dir(state_dir).map_err(|e| {
        format!(
            "no pod runs here: cannot read {}: {} (podinit run --state-dir names another?)",
            state_dir.display(),
            crate::sys::strerror(&e)
        )
    })?;
    let mut found: Vec<(String, PathBuf)> = Vec::new();
    for entry in entries.flatten() {
        let socket = control::socket_path(&entry.path());
        if std::fs::symlink_metadata(&socket).is_err() {
            continue;
        }
        let dir = entry.file_name().to_string_lossy().into_owned();
        let name = dir.split('_').nth(1).unwrap_or_default().to_owned();
        if pod.is_none_or(|p| p == name || p == dir) {
            found.push((dir, socket));
        }
    }
    found.sort();
    match (found.len(), pod) {
        (1, _) => Ok(found.remove(0).1),
        (0, Some(pod)) => Err(format!(
            "pod {pod:?} not found under {}",
            state_dir.display()
        )),
        (0, None) => Err(format!("no pod runs under {}", state_dir.display())),
        _ => Err(format!(
            "several pods run under {}: name one with --pod ({})",
            state_dir.display(),
            found
                .iter()
                .map(|(d, _)| d.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// One request, its answer; the error message if it failed.
fn ask(socket: &Path, request: &Request) -> Result<serde_json::Value, String> {
    control::ask(socket, request, &[])
        .map(|(_, answer)| answer)
        .map_err(|e| match e.raw_os_error() {
            Some(libc::ECONNREFUSED | libc::ENOENT) => format!(
                "{}: podinit does not answer (the pod has ended?)",
                socket.display()
            ),
            Some(_) => format!("{}: {}", socket.display(), crate::sys::strerror(&e)),
            None => e.to_string(),
        })
}

fn snapshot(socket: &Path) -> Result<Snapshot, String> {
    let answer = ask(socket, &Request::Status)?;
    serde_json::from_value(answer).map_err(|e| format!("a status podinit cannot read: {e}"))
}

fn status(socket: &Path, output: StatusOutput) -> Result<ExitCode, String> {
    let snapshot = snapshot(socket)?;
    print(&match output {
        StatusOutput::Line => kubectl::get(&snapshot, false),
        StatusOutput::Wide => kubectl::get(&snapshot, true),
        StatusOutput::Json => kubectl::to_json(&snapshot.pod),
        StatusOutput::Yaml => kubectl::to_yaml(&snapshot.pod),
    });
    Ok(ExitCode::Success)
}

/// The container to use when none is named: the only one, else the first
/// app container, said on stderr as kubectl does.
fn default_container(socket: &Path) -> Result<String, String> {
    let snapshot = snapshot(socket)?;
    let names: Vec<&str> = snapshot
        .pod
        .status
        .container_statuses
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    let first = names
        .first()
        .ok_or("the pod has no containers")?
        .to_string();
    if names.len() > 1 {
        let _ = writeln!(
            std::io::stderr(),
            "Defaulted container {first:?} out of: {}",
            names.join(", ")
        );
    }
    Ok(first)
}

fn logs(socket: &Path, args: &LogsArgs) -> Result<ExitCode, String> {
    use crate::logs::read;
    let container = match &args.container {
        Some(name) => name.clone(),
        None => default_container(socket)?,
    };
    let request = Request::Logs {
        container: container.clone(),
        previous: args.previous,
    };
    let answer: LogsAnswer = serde_json::from_value(ask(socket, &request)?)
        .map_err(|e| format!("an answer podinit cannot read: {e}"))?;
    let options = read::Options {
        timestamps: args.timestamps,
        tail: args.tail,
        since: args.since.and_then(|d| SystemTime::now().checked_sub(d)),
    };
    let files = read::instance_files(&answer.dir, answer.restart);
    let mut out = std::io::stdout().lock();
    let offset = read::print(&files, &options, &mut out).map_err(|e| e.to_string())?;
    if !args.follow || !answer.running {
        return Ok(ExitCode::Success);
    }
    let current = answer.dir.join(format!("{}.log", answer.restart));
    // Follow while that instance runs: ask once a second.
    let mut asked = Instant::now();
    let mut keep_going = || {
        if asked.elapsed() < Duration::from_secs(1) {
            return true;
        }
        asked = Instant::now();
        match ask(socket, &request) {
            Ok(value) => serde_json::from_value::<LogsAnswer>(value)
                .is_ok_and(|a| a.running && a.restart == answer.restart),
            Err(_) => false,
        }
    };
    let options = read::Options {
        tail: None,
        since: None,
        ..options
    };
    read::follow(&current, offset, &options, &mut out, &mut keep_going)
        .map_err(|e| e.to_string())?;
    Ok(ExitCode::Success)
}
