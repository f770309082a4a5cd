//! Where podinit finds the host's pseudo-filesystems.
//!
//! Passed down as a value, never read from constants deep in the code, so
//! that tests can point podinit at a fabricated `/proc` in a temporary
//! directory.

use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostPaths {
    /// procfs of podinit's PID namespace, normally `/proc`.
    pub proc: PathBuf,
}

impl Default for HostPaths {
    fn default() -> Self {
        Self {
            proc: PathBuf::from("/proc"),
        }
    }
}
