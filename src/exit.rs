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
