//! Container output as the kubelet stores it: the CRI log files, their
//! rotation, the copy on podinit's own console, and reading them back.
//!
//! The layout and format are the ones containerd and the kubelet use, so that
//! tools made for a node (`crictl logs`, log shippers reading `/var/log/pods`)
//! read podinit's files as they are:
//!
//! - one directory per container, [`container_dir`]:
//!   `<log-dir>/<namespace>_<pod>_<uid>/<container>/`, mode 0755, and in it
//!   one file per container instance, `<restartCount>.log`, mode 0640;
//! - one record per line, `<time> <stdout|stderr> <F|P> <text>\n`, the time
//!   in Go's RFC3339Nano, UTC ([`crate::timefmt::rfc3339_nano`]), taken when
//!   the bytes were read. A line longer than [`Limits::max_line`] (16 KiB,
//!   containerd's `max_container_log_line_size`) becomes `P` (partial)
//!   records of that size and a last `F` (full) one; a CR just before the LF
//!   is dropped; a last line without LF when the stream ends is an `F`
//!   record (containerd's `readLine` returns it without an error);
//! - rotation, the kubelet's `ContainerLogManager`: once the file reaches
//!   [`Limits::rotate_at`] (its `containerLogMaxSize`, 10 MiB) it is renamed
//!   `<restartCount>.log.<20060102-150405>` and a new one opened, and at most
//!   [`Limits::keep`] files (`containerLogMaxFiles`, 5) are kept counting
//!   the current one. The kubelet also gzips every rotated file but the
//!   newest (`.gz`); podinit does not, which costs disk space but no CPU in
//!   PID 1, and the readers here need no decompressor.
//!
//! [`cri::CriFile`] writes the files for the event loop and never blocks but
//! on the write to the regular file itself; [`console::Console`] copies the
//! same lines to podinit's stdout and stderr without ever blocking;
//! [`read`] is for the `podinit logs` client. Where the log directory is and
//! when containers start are the callers' concern.

pub mod console;
pub mod cri;
pub mod read;

#[cfg(test)]
mod tests;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// The kubelet's default root of the pod log directories
/// (`podLogsRootDirectory`).
pub const DEFAULT_LOG_DIR: &str = "/var/log/pods";

/// Which of a container's outputs some bytes came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stream {
    Stdout,
    Stderr,
}

impl Stream {
    /// The name in a CRI log record.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Stdout => "stdout",
            Self::Stderr => "stderr",
        }
    }

    /// The stream a record names, `None` for anything else.
    pub fn parse(name: &[u8]) -> Option<Self> {
        match name {
            b"stdout" => Some(Self::Stdout),
            b"stderr" => Some(Self::Stderr),
            _ => None,
        }
    }

    /// 0 or 1, to index per-stream state.
    fn index(self) -> usize {
        match self {
            Self::Stdout => 0,
            Self::Stderr => 1,
        }
    }
}

/// Sizes of the log files; [`Limits::default`] is the kubelet's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The longest record text, in bytes: longer lines are split.
    pub max_line: usize,
    /// The size in bytes at which the current file is rotated.
    pub rotate_at: u64,
    /// How many files to keep per container instance, the current one
    /// included (at least 1).
    pub keep: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_line: 16 * 1024,
            rotate_at: 10 * 1024 * 1024,
            keep: 5,
        }
    }
}

/// Why a log file cannot be written. What could not be written stays
/// pending in the [`cri::CriFile`]: none of these loses output.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error("cannot create the log directory {path}")]
    CreateDir {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("cannot open the log file {path}")]
    Open {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("cannot write the log file {path}")]
    Write {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("cannot rotate the log file {path} to {to}")]
    Rotate {
        path: PathBuf,
        to: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("cannot list the rotated log files in {path}")]
    List {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("cannot remove the old log file {path}")]
    Remove {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// `<log_dir>/<namespace>_<pod>_<uid>/<container>`: where the kubelet keeps a
/// container's log files (`BuildContainerLogsDirectory`).
pub fn container_dir(
    log_dir: &Path,
    namespace: &str,
    pod: &str,
    uid: &str,
    container: &str,
) -> PathBuf {
    log_dir
        .join(format!("{namespace}_{pod}_{uid}"))
        .join(container)
}

/// The rotated files of one container instance, oldest first: the names
/// `<restart>.log.<YYYYMMDD-HHMMSS>` and `<restart>.log.<YYYYMMDD-HHMMSS>.<n>`
/// (a second rotation within the same second), ordered by time then `n`.
/// Other names (the kubelet's `.gz` and `.tmp` files) are not podinit's and
/// are left alone.
fn rotated_files(dir: &Path, restart: u32) -> io::Result<Vec<PathBuf>> {
    let prefix = format!("{restart}.log.");
    let mut found = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let Some(suffix) = name.to_str().and_then(|n| n.strip_prefix(&prefix)) else {
            continue;
        };
        if let Some(key) = rotation_key(suffix) {
            found.push((key, entry.path()));
        }
    }
    found.sort();
    Ok(found.into_iter().map(|(_, path)| path).collect())
}

/// (`YYYYMMDD-HHMMSS`, n) of a rotated file's suffix, n 0 without `.n`.
fn rotation_key(suffix: &str) -> Option<(String, u32)> {
    let (stamp, n) = match suffix.split_once('.') {
        Some((stamp, n)) if !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit()) => {
            (stamp, n.parse().ok()?)
        }
        Some(_) => return None,
        None => (suffix, 0),
    };
    let b = stamp.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        b.get(range)
            .is_some_and(|part| part.iter().all(u8::is_ascii_digit))
    };
    (b.len() == 15 && digits(0..8) && b.get(8) == Some(&b'-') && digits(9..15))
        .then(|| (stamp.to_owned(), n))
}
