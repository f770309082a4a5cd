//! Reading CRI log files back, for the `podinit logs` client: records parsed,
//! `P` records joined with their `F`, printed as `kubectl logs` prints them,
//! and followed across rotations.
//!
//! This runs in a client process, not in PID 1: it may block, and reads whole
//! files. Which container's files to read, and until when to follow, is the
//! client's.

use std::collections::VecDeque;
use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::{Stream, rotated_files};
use crate::timefmt;

/// How often [`follow`] looks for more.
const FOLLOW_PERIOD: Duration = Duration::from_millis(100);

/// One record of a CRI log file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record<'a> {
    /// As written, RFC 3339 (checked).
    pub time: &'a str,
    pub stream: Stream,
    /// A `P` record: the line goes on in the stream's next record.
    pub partial: bool,
    pub text: &'a [u8],
}

/// Parses one line of a CRI log file (its LF, if there, is not text):
/// `<time> <stream> <tags> <text>`, where the first of the `:`-separated
/// tags is `P` for a partial record, anything else full (the kubelet's
/// `parseCRILog`). `None` for a line that is not a record.
pub fn parse_record(line: &[u8]) -> Option<Record<'_>> {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let (time, rest) = split_space(line)?;
    let (stream, rest) = split_space(rest)?;
    let (tags, text) = split_space(rest)?;
    let time = std::str::from_utf8(time).ok()?;
    timefmt::parse_rfc3339(time)?;
    Some(Record {
        time,
        stream: Stream::parse(stream)?,
        partial: tags.split(|&c| c == b':').next() == Some(b"P"),
        text,
    })
}

/// The files of one container instance in order, oldest rotated first,
/// current last. Files that cannot be listed are left out (no directory:
/// no files).
pub fn instance_files(dir: &Path, restart: u32) -> Vec<PathBuf> {
    let mut files = rotated_files(dir, restart).unwrap_or_default();
    let current = dir.join(format!("{restart}.log"));
    if current.is_file() {
        files.push(current);
    }
    files
}

/// What [`print()`] and [`follow`] show.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// Each line starts with its time and a space (`kubectl logs
    /// --timestamps`).
    pub timestamps: bool,
    /// Only the last N lines (`--tail`; [`follow`] ignores it).
    pub tail: Option<usize>,
    /// Only lines from this time on (`--since`, `--since-time`).
    pub since: Option<SystemTime>,
}

/// Writes the lines of `files` as `kubectl logs` prints them (text and
/// newline; with timestamps the record time first and a space), applying
/// `since` then `tail` to whole lines (`P` records joined with their `F`,
/// per stream, timed by their first record). Returns how many bytes of the
/// last file were consumed, for [`follow`]: a line still being written at
/// the end (its `F` not there yet) is not printed, and the count stops
/// before it, so that following prints it whole, and only once. A file
/// removed meanwhile (rotated away) is skipped.
pub fn print(files: &[PathBuf], options: &Options, out: &mut dyn Write) -> io::Result<u64> {
    let mut sink = Sink {
        options,
        out,
        tail: options.tail.map(|n| VecDeque::with_capacity(n.min(1024))),
    };
    let mut joiner = Joiner::default();
    let mut consumed = 0;
    for (i, path) in files.iter().enumerate() {
        let last = i + 1 == files.len();
        consumed = match File::open(path) {
            Ok(file) => print_file(file, last, &mut joiner, &mut sink)?,
            Err(err) if err.kind() == io::ErrorKind::NotFound => 0,
            Err(err) => return Err(err),
        };
    }
    if let Some(lines) = sink.tail.take() {
        for line in lines {
            sink.write(&line)?;
        }
    }
    sink.out.flush()?;
    Ok(consumed)
}

/// Follows the current file from `offset`: prints new complete records as
/// they come (whole lines, `since` and `timestamps` applied), notices
/// rotation (the path now names a new file: finishes the old one, then reads
/// the next from 0, every rotated file in turn if there were several since
/// the last look), and stops when `keep_going()` returns false and nothing
/// more is there. Polls every 100 ms. A line still open when it stops is
/// printed as far as it goes.
pub fn follow(
    path: &Path,
    offset: u64,
    options: &Options,
    out: &mut dyn Write,
    keep_going: &mut dyn FnMut() -> bool,
) -> io::Result<()> {
    let mut sink = Sink {
        options,
        out,
        tail: None,
    };
    let mut joiner = Joiner::default();
    let mut reader = Tail::open(path, offset)?;
    loop {
        let going = keep_going();
        let mut got = reader.read_records(&mut joiner, &mut sink)?;
        let current = identity(path)?;
        if current.is_some() && current != reader.id {
            // Rotated (or created): what was written to the old file before
            // the rename is still to read, then the next file from its start.
            reader.read_records(&mut joiner, &mut sink)?;
            reader = next_file(path, reader.id)?;
            got = true;
        }
        sink.out.flush()?;
        if !got {
            if !going {
                break;
            }
            std::thread::sleep(FOLLOW_PERIOD);
        }
    }
    for line in joiner.take_open() {
        sink.line(line)?;
    }
    sink.out.flush()
}

/// Prints (through `joiner` and `sink`) the records of one file; returns the
/// offset after the last one taken.
///
/// For the `last` file, lines completed while some line is still open are
/// held back. If one is still open at the end, they are dropped and the
/// offset stays at the last record after which nothing was open: [`follow`]
/// starts there with nothing open either, and prints them whole. Only when
/// there was no such record (a line begun in an earlier file is open all
/// along) is everything printed, the open lines as far as they go.
fn print_file(file: File, last: bool, joiner: &mut Joiner, sink: &mut Sink<'_>) -> io::Result<u64> {
    let mut reader = BufReader::with_capacity(64 * 1024, file);
    let mut buf = Vec::new();
    let mut offset = 0u64;
    let mut checkpoint = joiner.is_empty().then_some(0);
    let mut held = Vec::new();
    loop {
        buf.clear();
        let n = reader.read_until(b'\n', &mut buf)?;
        // The end, or a record being written.
        if n == 0 || buf.last() != Some(&b'\n') {
            break;
        }
        offset += n as u64;
        if let Some(line) = parse_record(&buf).and_then(|record| joiner.feed(record)) {
            held.push(line);
        }
        if !last || joiner.is_empty() {
            for line in held.drain(..) {
                sink.line(line)?;
            }
            checkpoint = Some(offset);
        }
    }
    if !last {
        return Ok(offset);
    }
    match checkpoint {
        Some(checkpoint) if !joiner.is_empty() => {
            joiner.take_open();
            Ok(checkpoint)
        }
        _ => {
            held.extend(joiner.take_open());
            for line in held {
                sink.line(line)?;
            }
            Ok(offset)
        }
    }
}

/// The file after the one `id` names among the files of `path`'s container
/// instance (`path` is `<dir>/<restart>.log`): several rotations may have
/// happened since the last look. When that file is gone (removed as the
/// oldest while the reader lagged), the oldest one left; when none opens,
/// `path` (waited for if it names nothing).
fn next_file(path: &Path, id: Option<(u64, u64)>) -> io::Result<Tail> {
    let restart = path
        .file_name()
        .and_then(|name| name.to_str()?.strip_suffix(".log")?.parse::<u32>().ok());
    let (Some(dir), Some(restart), Some(id)) = (path.parent(), restart, id) else {
        return Tail::open(path, 0);
    };
    let files = instance_files(dir, restart);
    let after = files
        .iter()
        .position(|file| identity(file).ok().flatten() == Some(id))
        .map_or(0, |i| i + 1);
    for file in files.iter().skip(after) {
        let tail = Tail::open(file, 0)?;
        if tail.file.is_some() {
            return Ok(tail);
        }
    }
    Tail::open(path, 0)
}

/// The (device, inode) of what `path` names now; `None` while it names
/// nothing (between a rotation's rename and the new file's creation).
fn identity(path: &Path) -> io::Result<Option<(u64, u64)>> {
    match fs::metadata(path) {
        Ok(meta) => Ok(Some((meta.dev(), meta.ino()))),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(err) => Err(err),
    }
}

/// The file [`follow`] reads, and the bytes of a record not complete yet.
struct Tail {
    file: Option<File>,
    id: Option<(u64, u64)>,
    buf: Vec<u8>,
}

impl Tail {
    /// Opens `path` at `offset`; a path naming nothing yet is waited for.
    fn open(path: &Path, offset: u64) -> io::Result<Self> {
        let file = match File::open(path) {
            Ok(file) => file,
            Err(err) if err.kind() == io::ErrorKind::NotFound => {
                return Ok(Self {
                    file: None,
                    id: None,
                    buf: Vec::new(),
                });
            }
            Err(err) => return Err(err),
        };
        let meta = file.metadata()?;
        let mut file = file;
        file.seek(SeekFrom::Start(offset))?;
        Ok(Self {
            file: Some(file),
            id: Some((meta.dev(), meta.ino())),
            buf: Vec::new(),
        })
    }

    /// Reads to the end of the file, printing each complete record's line
    /// when it completes one; says whether anything was read.
    fn read_records(&mut self, joiner: &mut Joiner, sink: &mut Sink<'_>) -> io::Result<bool> {
        let Some(file) = &mut self.file else {
            return Ok(false);
        };
        let mut got = false;
        let mut chunk = vec![0; 64 * 1024];
        loop {
            let n = match file.read(&mut chunk) {
                Ok(0) => return Ok(got),
                Ok(n) => n,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                Err(err) => return Err(err),
            };
            got = true;
            self.buf.extend_from_slice(&chunk[..n]);
            let mut done = 0;
            while let Some(at) = self.buf[done..].iter().position(|&c| c == b'\n') {
                let record = &self.buf[done..done + at];
                if let Some(line) = parse_record(record).and_then(|r| joiner.feed(r)) {
                    sink.line(line)?;
                }
                done += at + 1;
            }
            self.buf.drain(..done);
        }
    }
}

/// A whole line: the time of its first record, and its text.
#[derive(Debug)]
struct Line {
    time: String,
    text: Vec<u8>,
}

/// Joins each stream's `P` records with the record that ends them.
#[derive(Debug, Default)]
struct Joiner {
    open: [Option<Line>; 2],
}

impl Joiner {
    /// Takes one record; returns the line it completes.
    fn feed(&mut self, record: Record<'_>) -> Option<Line> {
        let slot = &mut self.open[record.stream.index()];
        let line = match slot.take() {
            Some(mut line) => {
                line.text.extend_from_slice(record.text);
                line
            }
            None => Line {
                time: record.time.to_owned(),
                text: record.text.to_vec(),
            },
        };
        if record.partial {
            *slot = Some(line);
            None
        } else {
            Some(line)
        }
    }

    fn is_empty(&self) -> bool {
        self.open.iter().all(Option::is_none)
    }

    /// The lines not ended yet, oldest first; the joiner is empty after.
    fn take_open(&mut self) -> Vec<Line> {
        let mut lines: Vec<Line> = self.open.iter_mut().filter_map(Option::take).collect();
        lines.sort_by(|a, b| a.time.cmp(&b.time));
        lines
    }
}

/// Where lines go: filtered by `since`, into the tail window or out.
struct Sink<'a> {
    options: &'a Options,
    out: &'a mut dyn Write,
    /// The last `tail` lines, printed at the end.
    tail: Option<VecDeque<Line>>,
}

impl Sink<'_> {
    fn line(&mut self, line: Line) -> io::Result<()> {
        if let Some(since) = self.options.since {
            // A time that does not parse was refused by `parse_record`.
            if timefmt::parse_rfc3339(&line.time).is_some_and(|time| time < since) {
                return Ok(());
            }
        }
        match (&mut self.tail, self.options.tail) {
            (Some(window), Some(n)) => {
                if n == 0 {
                    return Ok(());
                }
                if window.len() == n {
                    window.pop_front();
                }
                window.push_back(line);
                Ok(())
            }
            _ => self.write(&line),
        }
    }

    fn write(&mut self, line: &Line) -> io::Result<()> {
        if self.options.timestamps {
            self.out.write_all(line.time.as_bytes())?;
            self.out.write_all(b" ")?;
        }
        self.out.write_all(&line.text)?;
        self.out.write_all(b"\n")
    }
}

/// (before the first space, after it).
fn split_space(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let at = bytes.iter().position(|&c| c == b' ')?;
    Some((&bytes[..at], &bytes[at + 1..]))
}
