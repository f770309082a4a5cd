//! `podinit exec`: the command runs as podinit's child inside the
//! container, on this process's own descriptors, passed over the control
//! socket. With `-t` podinit opens a new pseudo-terminal in the container's
//! own `/dev/pts` and sends its master side back; this process copies
//! between the user's terminal (in raw mode) and that master, and passes
//! on the window's size when it changes (SIGWINCH), until podinit says the
//! command has ended.

use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::Path;

use crate::cli::control::ExecArgs;
use crate::exit::ExitCode;
use crate::status::control::{self, Request};
use crate::sys::signal::{SignalFd, SignalMask};
use crate::sys::{self, PollFd, Signal};

pub fn run(socket: &Path, args: &ExecArgs) -> Result<ExitCode, String> {
    let container = match &args.container {
        Some(name) => name.clone(),
        None => super::default_container(socket)?,
    };
    let stdin = std::io::stdin();
    let request = Request::Exec {
        container,
        command: args.command.clone(),
        stdin: args.stdin,
        tty: args.tty,
        size: args.tty.then(user_window).flatten(),
    };
    let null = std::fs::File::open("/dev/null").map_err(|e| format!("/dev/null: {e}"))?;
    let (stdout, stderr) = (std::io::stdout(), std::io::stderr());
    let answer = if args.tty {
        // Window changes come as a signal, read in the relay's poll.
        let mut winch = SignalMask::empty();
        winch.add(Signal::WINCH);
        let resized = SignalMask::current().ok().and_then(|mut mask| {
            mask.add(Signal::WINCH);
            mask.apply().ok()?;
            SignalFd::new(&winch).ok()
        });
        let fd = send(socket, &request, &[])?;
        let (first, fds) = control::read_answer_with_fds(fd.as_fd()).map_err(|e| e.to_string())?;
        match fds.into_iter().next() {
            Some(master) if first.get("error").is_none() => {
                let raw = args
                    .stdin
                    .then(|| sys::tty::RawMode::enter(stdin.as_fd()))
                    .flatten();
                let answer = relay(
                    &fd,
                    &master,
                    args.stdin.then(|| stdin.as_fd()),
                    resized.as_ref(),
                );
                drop(raw);
                answer
            }
            _ if first.get("error").is_some() => Ok(first),
            _ => Err("podinit sent no terminal".to_owned()),
        }
    } else {
        let input = if args.stdin {
            stdin.as_fd()
        } else {
            null.as_fd()
        };
        let fd = send(socket, &request, &[input, stdout.as_fd(), stderr.as_fd()])?;
        control::read_answer_raw(fd.as_fd()).map_err(|e| e.to_string())
    }?;
    exit_of(&answer)
}

fn send(socket: &Path, request: &Request, fds: &[BorrowedFd<'_>]) -> Result<OwnedFd, String> {
    control::send(socket, request, fds).map_err(|e| format!("{}: {e}", socket.display()))
}

/// The size of the user's window: of the first of stdin, stdout and
/// stderr that is a terminal (as kubectl, which also looks at stdout).
fn user_window() -> Option<(u16, u16)> {
    let (stdin, stdout, stderr) = (std::io::stdin(), std::io::stdout(), std::io::stderr());
    [stdin.as_fd(), stdout.as_fd(), stderr.as_fd()]
        .into_iter()
        .find_map(sys::tty::window_size)
        .filter(|&(rows, cols)| rows > 0 && cols > 0)
}

/// The command's exit code from the answer (an error is said on stderr).
fn exit_of(answer: &serde_json::Value) -> Result<ExitCode, String> {
    if let Some(error) = answer.get("error").and_then(|e| e.as_str()) {
        let code = answer.get("exit").and_then(serde_json::Value::as_u64);
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            format!("podinit exec: {error}\n").as_bytes(),
        );
        return Ok(ExitCode::Program(
            code.map_or(1, |c| u8::try_from(c).unwrap_or(1)),
        ));
    }
    let code = answer
        .get("exit")
        .and_then(serde_json::Value::as_u64)
        .ok_or("podinit's answer has no exit code")?;
    Ok(ExitCode::Program(u8::try_from(code).unwrap_or(1)))
}

/// Copies the user's input to the terminal and its output to stdout until
/// the answer comes on `connection`; a window change (`resized`) is passed
/// to the terminal.
fn relay(
    connection: &OwnedFd,
    master: &OwnedFd,
    input: Option<BorrowedFd<'_>>,
    resized: Option<&SignalFd>,
) -> Result<serde_json::Value, String> {
    let stdout = std::io::stdout();
    let mut buf = vec![0u8; 65536];
    let mut input = input;
    let mut answer: Option<serde_json::Value> = None;
    let mut signals = Vec::new();
    loop {
        if let Some(resized) = resized {
            let mut poll = [PollFd::readable(resized.as_fd())];
            if sys::poll(&mut poll, Some(std::time::Duration::ZERO)).is_ok_and(|n| n > 0) {
                signals.clear();
                let _ = resized.drain_into(&mut signals);
                if let Some((rows, cols)) = user_window() {
                    sys::tty::set_window_size(master.as_fd(), rows, cols);
                }
            }
        }
        let mut fds = vec![PollFd::readable(master.as_fd())];
        if answer.is_none() {
            fds.push(PollFd::readable(connection.as_fd()));
        }
        if let Some(fd) = input {
            fds.push(PollFd::readable(fd));
        }
        if let Some(resized) = resized {
            fds.push(PollFd::readable(resized.as_fd()));
        }
        // Once the answer is in, only what the terminal still holds.
        let timeout = answer
            .as_ref()
            .map(|_| std::time::Duration::from_millis(50));
        let n = sys::poll(&mut fds, timeout).map_err(|e| e.to_string())?;
        if n == 0 && answer.is_some() {
            break;
        }
        if fds.first().is_some_and(PollFd::is_ready) {
            match sys::read(master.as_fd(), &mut buf) {
                Ok(0) | Err(_) => {
                    // EIO: every slave descriptor is closed.
                    if answer.is_some() {
                        break;
                    }
                    // Wait for the answer alone.
                    let value =
                        control::read_answer_raw(connection.as_fd()).map_err(|e| e.to_string())?;
                    return Ok(value);
                }
                Ok(n) => {
                    let _ = sys::write_all(stdout.as_fd(), buf.get(..n).unwrap_or_default());
                }
            }
        }
        if answer.is_none() && fds.get(1).is_some_and(PollFd::is_ready) {
            answer = Some(control::read_answer_raw(connection.as_fd()).map_err(|e| e.to_string())?);
            input = None;
            continue;
        }
        let input_index = if answer.is_none() { 2 } else { 1 };
        if let Some(fd) = input {
            if fds.get(input_index).is_some_and(PollFd::is_ready) {
                match sys::read(fd, &mut buf) {
                    Ok(0) | Err(_) => {
                        // End of input: the terminal's end-of-file character.
                        let _ = sys::write_all(master.as_fd(), b"\x04");
                        input = None;
                    }
                    Ok(n) => {
                        let _ = sys::write_all(master.as_fd(), buf.get(..n).unwrap_or_default());
                    }
                }
            }
        }
    }
    answer.ok_or_else(|| "podinit closed the connection".to_owned())
}
