//! podinit's exit codes: one enum, one mapping to the number the parent sees.

/// How a podinit process ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    /// `-h`, `--version` or `-l` printed what was asked: 0.
    Success,
    /// podinit itself could not do its job: a bad command line, signals it
    /// could not take over, a fork that failed. 1, as tini uses.
    Failure,
    /// `podinit validate`: the manifest is not valid.
    Invalid,
    /// `podinit validate`: the input cannot be read or is not YAML, or the
    /// command line is wrong.
    BadInput,
    /// tini mode: the program's own exit code, 128 + N when signal N killed
    /// it, 0 when `-e` remapped it; 127 when the program was not found and
    /// 126 when it could not be executed.
    Program(u8),
}

impl ExitCode {
    pub fn code(self) -> u8 {
        match self {
            Self::Success => 0,
            Self::Failure => 1,
            Self::Invalid => 1,
            Self::BadInput => 2,
            Self::Program(code) => code,
        }
    }
}

/// An error and its causes on one line, `strerror(3)` style for the system
/// errors: `cannot mount /x: Permission denied`.
pub fn report(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut cause = err.source();
    while let Some(err) = cause {
        let part = match err.downcast_ref::<std::io::Error>() {
            Some(io) => crate::sys::strerror(io),
            None => err.to_string(),
        };
        text.push_str(": ");
        text.push_str(&part);
        cause = err.source();
    }
    text
}
