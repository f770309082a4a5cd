//! One container instance's CRI log file: bytes read from the container's
//! pipes in, records on disk out, rotation included.
//!
//! Formatting ([`CriFile::push`], [`CriFile::finish`]) and writing
//! ([`CriFile::flush`]) are apart so that a full or failing disk never loses
//! output and never blocks PID 1's event loop: what cannot be written stays
//! pending, the caller stops reading the container's pipe (the container
//! then blocks on its own write, as under containerd when the disk is
//! slow), and flushes again later. Reading the pipes, and when, is the
//! caller's; the record format and rotation rules are in [`super`].

use std::fs::{self, DirBuilder, File, OpenOptions, Permissions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::{Limits, LogError, Stream, rotated_files};
use crate::timefmt;

const DIR_MODE: u32 = 0o755;
const FILE_MODE: u32 = 0o640;

/// Below this many written bytes the pending buffer is not compacted: moving
/// a few bytes often costs more than the memory it frees.
const COMPACT_AT: usize = 64 * 1024;

/// One container instance's log file.
#[derive(Debug)]
pub struct CriFile {
    dir: PathBuf,
    path: PathBuf,
    restart: u32,
    limits: Limits,
    /// `None` between a rotation and the successful open of the new file.
    file: Option<File>,
    /// The current file's size, to rotate without a `stat` per write.
    size: u64,
    pending: Pending,
    /// Per stream, the text of a line not ended yet (beyond its `P` records).
    partial: [Vec<u8>; 2],
    stamp: Stamp,
}

/// Formatted records, written from `offset` on: a write never copies the
/// buffer, and the written part is dropped only once it is most of it.
#[derive(Debug, Default)]
struct Pending {
    buf: Vec<u8>,
    offset: usize,
    /// The last write ended inside a record: no rotation until its end.
    mid_record: bool,
}

/// The last `now` and its RFC3339Nano text: a read of many lines formats
/// its time once.
#[derive(Debug, Default)]
struct Stamp {
    time: Option<SystemTime>,
    text: String,
    /// `<time> <stream> `, the start of every record of the current push.
    head: Vec<u8>,
}

impl CriFile {
    /// Creates the directories and opens (append, create) `dir/<restart>.log`.
    pub fn open(dir: &Path, restart: u32, limits: Limits) -> Result<Self, LogError> {
        create_dirs(dir)?;
        let path = dir.join(format!("{restart}.log"));
        let (file, size) = open_log(&path)?;
        Ok(Self {
            dir: dir.to_owned(),
            path,
            restart,
            limits,
            file: Some(file),
            size,
            pending: Pending::default(),
            partial: [Vec::new(), Vec::new()],
            stamp: Stamp::default(),
        })
    }

    /// The current file, `<dir>/<restart>.log`.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Splits `bytes` read from `stream` at `now` into records (keeping a
    /// partial line per stream until its LF, its [`Limits::max_line`], or
    /// [`Self::finish`]), appends them to the pending buffer, and calls
    /// `on_line(stream, line_text_without_newline, partial)` for each record
    /// so the console copy gets the same lines. Never fails: formatting only.
    pub fn push(
        &mut self,
        stream: Stream,
        bytes: &[u8],
        now: SystemTime,
        on_line: &mut dyn FnMut(Stream, &[u8], bool),
    ) {
        if bytes.is_empty() {
            return;
        }
        self.pending.compact();
        let mut out = Records {
            buf: &mut self.pending.buf,
            head: self.stamp.head(now, stream),
            stream,
            max: self.limits.max_line.max(1),
            on_line,
        };
        let partial = &mut self.partial[stream.index()];
        let mut rest = bytes;
        if !partial.is_empty() {
            // The first LF ends the line already begun; without one the
            // bytes only lengthen it.
            let Some(at) = find_newline(rest) else {
                partial.extend_from_slice(rest);
                let done = out.partials(partial);
                partial.drain(..done);
                return;
            };
            partial.extend_from_slice(&rest[..at]);
            out.line(partial, true);
            partial.clear();
            rest = &rest[at + 1..];
        }
        // The common case, straight from the caller's buffer.
        while let Some(at) = find_newline(rest) {
            out.line(&rest[..at], true);
            rest = &rest[at + 1..];
        }
        if !rest.is_empty() {
            let done = out.partials(rest);
            partial.extend_from_slice(&rest[done..]);
        }
    }

    /// The stream ended: its partial line becomes an F record (a CR at its
    /// end is kept, no LF follows it).
    pub fn finish(
        &mut self,
        stream: Stream,
        now: SystemTime,
        on_line: &mut dyn FnMut(Stream, &[u8], bool),
    ) {
        let partial = &mut self.partial[stream.index()];
        if partial.is_empty() {
            return;
        }
        self.pending.compact();
        let mut out = Records {
            buf: &mut self.pending.buf,
            head: self.stamp.head(now, stream),
            stream,
            max: self.limits.max_line.max(1),
            on_line,
        };
        out.line(partial, false);
        partial.clear();
    }

    /// Writes the pending records to the file, rotating as needed (only
    /// between records). `Ok(())` when all are written. On an error (ENOSPC,
    /// EIO...) what was not written stays pending, nothing is lost, and the
    /// error says the path; the caller stops reading the container's pipe
    /// (back-pressure) and retries later. A failed rotation is retried by
    /// the next flush; a failed removal of an old file is said once, and
    /// retried at the next rotation.
    pub fn flush(&mut self) -> Result<(), LogError> {
        while self.pending.offset < self.pending.buf.len() {
            let Some(file) = &self.file else {
                let (file, size) = open_log(&self.path)?;
                self.file = Some(file);
                self.size = size;
                continue;
            };
            if !self.pending.mid_record && self.size >= self.limits.rotate_at {
                self.rotate()?;
                continue;
            }
            let end = self.write_end();
            let chunk = &self.pending.buf[self.pending.offset..end];
            match (&*file).write(chunk) {
                Ok(0) => {
                    return Err(LogError::Write {
                        path: self.path.clone(),
                        source: io::ErrorKind::WriteZero.into(),
                    });
                }
                Ok(n) => {
                    let mid_record = chunk.get(n - 1) != Some(&b'\n');
                    self.pending.offset += n;
                    self.pending.mid_record = mid_record;
                    self.size += n as u64;
                }
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(source) => {
                    return Err(LogError::Write {
                        path: self.path.clone(),
                        source,
                    });
                }
            }
        }
        self.pending.buf.clear();
        self.pending.offset = 0;
        Ok(())
    }

    /// Bytes formatted but not yet written.
    pub fn pending(&self) -> usize {
        self.pending.buf.len() - self.pending.offset
    }

    /// Where the next write ends: everything, or, when that would take the
    /// file past [`Limits::rotate_at`], the end of the record that crosses
    /// it, so that the file is rotated close to its limit.
    fn write_end(&self) -> usize {
        let Pending { buf, offset, .. } = &self.pending;
        let room =
            usize::try_from(self.limits.rotate_at.saturating_sub(self.size)).unwrap_or(usize::MAX);
        let from = offset.saturating_add(room);
        if from >= buf.len() {
            return buf.len();
        }
        find_newline(&buf[from..]).map_or(buf.len(), |at| from + at + 1)
    }

    /// Renames the current file to `<restart>.log.<suffix>` (`.1`, `.2`...
    /// when that exists), forgets it, and removes the oldest rotated files
    /// beyond [`Limits::keep`]. The new file is opened by [`Self::flush`].
    fn rotate(&mut self) -> Result<(), LogError> {
        let to = self.rotated_name()?;
        match fs::rename(&self.path, &to) {
            Ok(()) => {}
            // Removed behind podinit's back: a new one starts all the same.
            Err(err) if err.kind() == io::ErrorKind::NotFound => {}
            Err(source) => {
                return Err(LogError::Rotate {
                    path: self.path.clone(),
                    to,
                    source,
                });
            }
        }
        self.file = None;
        self.size = 0;
        self.prune()
    }

    /// `<restart>.log.<suffix of now>`, or with `.n` after the highest `n`
    /// already there for that second: several rotations within a second
    /// (tiny limits, a flood of output) keep their order even after the
    /// oldest are removed, which a first free `n` would not.
    fn rotated_name(&self) -> Result<PathBuf, LogError> {
        let suffix = timefmt::rotation_suffix(SystemTime::now());
        let base = format!("{}.log.{suffix}", self.restart);
        let rotated = rotated_files(&self.dir, self.restart).map_err(|source| LogError::List {
            path: self.dir.clone(),
            source,
        })?;
        let last = rotated
            .iter()
            .filter_map(|path| path.file_name()?.to_str()?.strip_prefix(&base))
            .filter_map(|rest| match rest {
                "" => Some(0),
                _ => rest.strip_prefix('.')?.parse::<u32>().ok(),
            })
            .max();
        Ok(match last {
            None => self.dir.join(base),
            Some(n) => self.dir.join(format!("{base}.{}", n + 1)),
        })
    }

    /// Removes the oldest rotated files so that, with the current one, at
    /// most [`Limits::keep`] remain.
    fn prune(&self) -> Result<(), LogError> {
        let rotated = rotated_files(&self.dir, self.restart).map_err(|source| LogError::List {
            path: self.dir.clone(),
            source,
        })?;
        let keep = self.limits.keep.max(1) - 1;
        let excess = rotated.len().saturating_sub(keep);
        for path in rotated.into_iter().take(excess) {
            match fs::remove_file(&path) {
                Ok(()) => {}
                Err(err) if err.kind() == io::ErrorKind::NotFound => {}
                Err(source) => return Err(LogError::Remove { path, source }),
            }
        }
        Ok(())
    }

    /// Sends the next writes to `file` instead of the log file: `/dev/full`
    /// stands for a full disk in the tests.
    #[cfg(test)]
    pub(super) fn redirect(&mut self, file: File) {
        self.file = Some(file);
    }
}

impl Pending {
    /// Before appending: drops what was written when it is all of the buffer
    /// (free) or most of it (one move of the rest, which is less than what
    /// was written since the last one: linear overall).
    fn compact(&mut self) {
        if self.offset == self.buf.len() {
            self.buf.clear();
            self.offset = 0;
        } else if self.offset >= COMPACT_AT && self.offset * 2 >= self.buf.len() {
            self.buf.drain(..self.offset);
            self.offset = 0;
        }
    }
}

impl Stamp {
    /// `<time> <stream> ` for `now`, formatting the time only when it changed.
    fn head(&mut self, now: SystemTime, stream: Stream) -> &[u8] {
        if self.time != Some(now) {
            self.time = Some(now);
            self.text = timefmt::rfc3339_nano(now);
        }
        self.head.clear();
        self.head.extend_from_slice(self.text.as_bytes());
        self.head.push(b' ');
        self.head.extend_from_slice(stream.as_str().as_bytes());
        self.head.push(b' ');
        &self.head
    }
}

/// Appends the records of one stream at one time.
struct Records<'a> {
    buf: &'a mut Vec<u8>,
    head: &'a [u8],
    stream: Stream,
    max: usize,
    on_line: &'a mut dyn FnMut(Stream, &[u8], bool),
}

impl Records<'_> {
    /// A whole line: `P` records while more than `max` bytes remain, then
    /// the `F` record (empty for an empty line). `ended_by_lf`: a CR at the
    /// end came right before the LF and is dropped.
    fn line(&mut self, text: &[u8], ended_by_lf: bool) {
        let mut rest = match text {
            [head @ .., b'\r'] if ended_by_lf => head,
            _ => text,
        };
        while rest.len() > self.max {
            let (chunk, after) = rest.split_at(self.max);
            self.record(true, chunk);
            rest = after;
        }
        self.record(false, rest);
    }

    /// The start of a line not ended yet: `P` records for each `max` bytes
    /// known to be followed by more text. A CR at the end is not known to be
    /// text (an LF may follow). Returns how many bytes were written out.
    fn partials(&mut self, text: &[u8]) -> usize {
        let known = text.len() - usize::from(text.last() == Some(&b'\r'));
        let mut done = 0;
        while known - done > self.max {
            self.record(true, &text[done..done + self.max]);
            done += self.max;
        }
        done
    }

    fn record(&mut self, partial: bool, text: &[u8]) {
        self.buf.reserve(self.head.len() + text.len() + 3);
        self.buf.extend_from_slice(self.head);
        self.buf
            .extend_from_slice(if partial { b"P " } else { b"F " });
        self.buf.extend_from_slice(text);
        self.buf.push(b'\n');
        (self.on_line)(self.stream, text, partial);
    }
}

/// The first LF in `hay`, eight bytes at a time (the classic "has zero
/// byte" test on the word XOR LFs): the whole text of every line goes
/// through here.
fn find_newline(hay: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    const LFS: u64 = u64::from_ne_bytes([b'\n'; 8]);
    let mut at = 0;
    for chunk in hay.chunks_exact(8) {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_ne_bytes(word) ^ LFS;
        if x.wrapping_sub(ONES) & !x & HIGHS != 0 {
            break;
        }
        at += 8;
    }
    hay[at..].iter().position(|&c| c == b'\n').map(|i| at + i)
}

/// Creates `dir` and its missing parents, each 0755 whatever the umask.
fn create_dirs(dir: &Path) -> Result<(), LogError> {
    let missing: Vec<&Path> = dir
        .ancestors()
        .take_while(|p| !p.as_os_str().is_empty() && !p.exists())
        .collect();
    for path in missing.into_iter().rev() {
        let err = |source| LogError::CreateDir {
            path: path.to_owned(),
            source,
        };
        match DirBuilder::new().mode(DIR_MODE).create(path) {
            Ok(()) => fs::set_permissions(path, Permissions::from_mode(DIR_MODE)).map_err(err)?,
            // Created meanwhile (another container of the pod).
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && path.is_dir() => {}
            Err(e) => return Err(err(e)),
        }
    }
    Ok(())
}

/// Opens `path` for appending, creating it 0640 (whatever the umask), and
/// says its size.
fn open_log(path: &Path) -> Result<(File, u64), LogError> {
    let err = |source| LogError::Open {
        path: path.to_owned(),
        source,
    };
    let file = match OpenOptions::new()
        .append(true)
        .create_new(true)
        .mode(FILE_MODE)
        .open(path)
    {
        Ok(file) => {
            file.set_permissions(Permissions::from_mode(FILE_MODE))
                .map_err(err)?;
            file
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            OpenOptions::new().append(true).open(path).map_err(err)?
        }
        Err(e) => return Err(err(e)),
    };
    let size = file.metadata().map_err(err)?.len();
    Ok((file, size))
}

#[cfg(test)]
mod tests {
    use super::find_newline;

    #[test]
    fn find_newline_finds_the_first_lf_anywhere() {
        for len in 0..40 {
            let mut hay = vec![b'a'; len];
            assert_eq!(find_newline(&hay), None);
            for at in 0..len {
                hay[at] = b'\n';
                assert_eq!(find_newline(&hay), Some(at), "{len} {at}");
                // A second LF later does not matter; bytes like 0x8a or 0x0b
                // that share bits with LF are not it.
                hay[len - 1] = b'\n';
                assert_eq!(find_newline(&hay), Some(at));
                hay.fill(0x8a);
                hay[..at].fill(0x0b);
                assert_eq!(find_newline(&hay), None);
                hay.fill(b'a');
            }
        }
    }
}
