//! CRI log files on a temp directory, the console on real pipes and
//! sockets, reading back and following. Nothing here needs root.

use std::fs::{self, File, OpenOptions};
use std::io::Read;
use std::os::fd::AsFd;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::console::Console;
use super::cri::CriFile;
use super::read::{self, Options, Record};
use super::*;
use crate::{sys, timefmt};

/// A unique directory under the system's temp dir, removed at the end.
struct TempDir(PathBuf);

impl TempDir {
    fn new(test: &str) -> Self {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let n = COUNT.fetch_add(1, Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("podinit-logs-{}-{test}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// 2024-05-01T12:00:03Z plus `nanos`.
fn at(nanos: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_714_564_803) + Duration::from_nanos(nanos)
}

fn limits(max_line: usize) -> Limits {
    Limits {
        max_line,
        ..Limits::default()
    }
}

/// What `on_line` was called with.
type Calls = Vec<(Stream, Vec<u8>, bool)>;

fn push(cri: &mut CriFile, stream: Stream, bytes: &[u8], now: SystemTime) -> Calls {
    let mut calls = Vec::new();
    cri.push(stream, bytes, now, &mut |s, text, partial| {
        calls.push((s, text.to_vec(), partial));
    });
    calls
}

fn finish(cri: &mut CriFile, stream: Stream, now: SystemTime) -> Calls {
    let mut calls = Vec::new();
    cri.finish(stream, now, &mut |s, text, partial| {
        calls.push((s, text.to_vec(), partial));
    });
    calls
}

/// The records of a file as (stream, tag, text), checking each line's shape.
fn records(path: &Path) -> Vec<(Stream, char, Vec<u8>)> {
    let bytes = fs::read(path).unwrap();
    assert!(
        bytes.is_empty() || bytes.ends_with(b"\n"),
        "{path:?} ends mid-record"
    );
    bytes
        .split_inclusive(|&c| c == b'\n')
        .map(|line| {
            let record = read::parse_record(line).unwrap_or_else(|| panic!("{line:?}"));
            let tag = if record.partial { 'P' } else { 'F' };
            (record.stream, tag, record.text.to_vec())
        })
        .collect()
}

fn f(text: &[u8]) -> (Stream, char, Vec<u8>) {
    (Stream::Stdout, 'F', text.to_vec())
}

fn p(text: &[u8]) -> (Stream, char, Vec<u8>) {
    (Stream::Stdout, 'P', text.to_vec())
}

#[test]
fn records_are_the_cri_format_at_the_time_given() {
    let dir = TempDir::new("format");
    let mut cri = CriFile::open(dir.path(), 0, Limits::default()).unwrap();
    let calls = push(
        &mut cri,
        Stream::Stdout,
        b"hello\n\nworld\n",
        at(500_000_000),
    );
    push(&mut cri, Stream::Stderr, b"oops\n", at(0));
    assert_eq!(cri.pending(), 144);
    cri.flush().unwrap();
    assert_eq!(cri.pending(), 0);
    assert_eq!(
        fs::read_to_string(dir.path().join("0.log")).unwrap(),
        "2024-05-01T12:00:03.5Z stdout F hello\n\
         2024-05-01T12:00:03.5Z stdout F \n\
         2024-05-01T12:00:03.5Z stdout F world\n\
         2024-05-01T12:00:03Z stderr F oops\n"
    );
    assert_eq!(
        calls,
        [
            (Stream::Stdout, b"hello".to_vec(), false),
            (Stream::Stdout, b"".to_vec(), false),
            (Stream::Stdout, b"world".to_vec(), false),
        ]
    );
}

#[test]
fn the_directories_and_file_get_the_kubelets_modes_and_reopening_appends() {
    let dir = TempDir::new("modes");
    let container = container_dir(&dir.path().join("pods"), "default", "web", "1234", "app");
    assert!(container.ends_with("pods/default_web_1234/app"));
    let mut cri = CriFile::open(&container, 3, Limits::default()).unwrap();
    assert_eq!(cri.path(), container.join("3.log"));
    let mode = |path: &Path| fs::metadata(path).unwrap().permissions().mode() & 0o7777;
    assert_eq!(mode(&container), 0o755);
    assert_eq!(mode(container.parent().unwrap()), 0o755);
    assert_eq!(mode(cri.path()), 0o640);
    push(&mut cri, Stream::Stdout, b"one\n", at(0));
    cri.flush().unwrap();
    drop(cri);
    let mut cri = CriFile::open(&container, 3, Limits::default()).unwrap();
    push(&mut cri, Stream::Stdout, b"two\n", at(0));
    cri.flush().unwrap();
    assert_eq!(records(cri.path()), [f(b"one"), f(b"two")]);
}

#[test]
fn lines_longer_than_16_kib_become_p_records_then_an_f() {
    let dir = TempDir::new("split");
    let mut cri = CriFile::open(dir.path(), 0, Limits::default()).unwrap();
    let max = 16 * 1024;
    let line = |len: usize| vec![b'x'; len];
    for len in [max - 1, max, max + 1, 2 * max, 2 * max + 1] {
        let mut bytes = line(len);
        bytes.push(b'\n');
        push(&mut cri, Stream::Stdout, &bytes, at(0));
    }
    cri.flush().unwrap();
    assert_eq!(
        records(cri.path()),
        [
            f(&line(max - 1)),
            f(&line(max)),
            p(&line(max)),
            f(&line(1)),
            p(&line(max)),
            f(&line(max)),
            p(&line(max)),
            p(&line(max)),
            f(&line(1)),
        ]
    );
}

#[test]
fn a_p_record_goes_out_as_soon_as_more_text_is_known_to_follow() {
    let dir = TempDir::new("early-p");
    let mut cri = CriFile::open(dir.path(), 0, limits(4)).unwrap();
    assert_eq!(push(&mut cri, Stream::Stdout, b"abcd", at(0)), []);
    // A CR might be the end of the line (an LF may come): not yet.
    assert_eq!(push(&mut cri, Stream::Stdout, b"\r", at(0)), []);
    let calls = push(&mut cri, Stream::Stdout, b"e", at(0));
    assert_eq!(calls, [(Stream::Stdout, b"abcd".to_vec(), true)]);
    assert_eq!(push(&mut cri, Stream::Stdout, b"\n", at(0)).len(), 1);
    cri.flush().unwrap();
    assert_eq!(records(cri.path()), [p(b"abcd"), f(b"\re")]);
}

#[test]
fn a_cr_right_before_the_lf_is_dropped_and_kept_elsewhere() {
    let dir = TempDir::new("cr");
    let mut cri = CriFile::open(dir.path(), 0, Limits::default()).unwrap();
    push(
        &mut cri,
        Stream::Stdout,
        b"dos\r\nmid\rdle\n\r\n\r\r\n",
        at(0),
    );
    // CR and LF in separate reads.
    push(&mut cri, Stream::Stdout, b"split\r", at(0));
    push(&mut cri, Stream::Stdout, b"\n", at(0));
    // A CR at the end of the stream is text.
    push(&mut cri, Stream::Stdout, b"last\r", at(0));
    finish(&mut cri, Stream::Stdout, at(0));
    cri.flush().unwrap();
    assert_eq!(
        records(cri.path()),
        [
            f(b"dos"),
            f(b"mid\rdle"),
            f(b""),
            f(b"\r"),
            f(b"split"),
            f(b"last\r")
        ]
    );
}

#[test]
fn a_line_without_lf_becomes_an_f_record_when_the_stream_ends() {
    let dir = TempDir::new("finish");
    let mut cri = CriFile::open(dir.path(), 0, limits(4)).unwrap();
    push(&mut cri, Stream::Stderr, b"no newline", at(0));
    assert_eq!(finish(&mut cri, Stream::Stdout, at(0)), []);
    let calls = finish(&mut cri, Stream::Stderr, at(7));
    assert_eq!(calls, [(Stream::Stderr, b"ne".to_vec(), false)]);
    // Finished twice: nothing more.
    assert_eq!(finish(&mut cri, Stream::Stderr, at(7)), []);
    cri.flush().unwrap();
    let stderr = |tag, text: &[u8]| (Stream::Stderr, tag, text.to_vec());
    assert_eq!(
        records(cri.path()),
        [
            stderr('P', b"no n"),
            stderr('P', b"ewli"),
            stderr('F', b"ne")
        ]
    );
}

#[test]
fn each_stream_keeps_its_own_partial_line() {
    let dir = TempDir::new("streams");
    let mut cri = CriFile::open(dir.path(), 0, Limits::default()).unwrap();
    push(&mut cri, Stream::Stdout, b"a", at(0));
    push(&mut cri, Stream::Stderr, b"b\n", at(0));
    push(&mut cri, Stream::Stdout, b"c\nd\n", at(0));
    cri.flush().unwrap();
    assert_eq!(
        records(cri.path()),
        [(Stream::Stderr, 'F', b"b".to_vec()), f(b"ac"), f(b"d")]
    );
}

/// However the bytes are cut into reads, the records are the same.
#[test]
fn records_do_not_depend_on_how_the_bytes_were_read() {
    let input: &[u8] = b"abcdefghij\r\n\r\nxy\r\rz\nabcd\r\nabcd\rx\nabcdefgh\n\nend\r";
    let dir = TempDir::new("chunks");
    let mut whole = CriFile::open(dir.path(), 0, limits(4)).unwrap();
    push(&mut whole, Stream::Stdout, input, at(0));
    finish(&mut whole, Stream::Stdout, at(0));
    whole.flush().unwrap();
    let want = records(whole.path());
    for size in 1..input.len() {
        let mut cri = CriFile::open(dir.path(), size as u32, limits(4)).unwrap();
        for chunk in input.chunks(size) {
            push(&mut cri, Stream::Stdout, chunk, at(0));
        }
        finish(&mut cri, Stream::Stdout, at(0));
        cri.flush().unwrap();
        assert_eq!(records(cri.path()), want, "reads of {size}");
    }
}

#[test]
fn a_full_disk_keeps_everything_pending_until_a_later_flush() {
    let dir = TempDir::new("enospc");
    let mut cri = CriFile::open(dir.path(), 0, Limits::default()).unwrap();
    push(&mut cri, Stream::Stdout, b"one\n", at(0));
    cri.flush().unwrap();
    cri.redirect(OpenOptions::new().write(true).open("/dev/full").unwrap());
    push(&mut cri, Stream::Stdout, b"two\n", at(0));
    let before = cri.pending();
    let err = cri.flush().unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("cannot write the log file {}", cri.path().display())
    );
    let LogError::Write { source, .. } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(source.raw_os_error(), Some(libc::ENOSPC));
    assert_eq!(cri.pending(), before);
    push(&mut cri, Stream::Stdout, b"three\n", at(0));
    assert!(cri.flush().is_err());
    // Room again.
    cri.redirect(OpenOptions::new().append(true).open(cri.path()).unwrap());
    cri.flush().unwrap();
    assert_eq!(cri.pending(), 0);
    assert_eq!(records(cri.path()), [f(b"one"), f(b"two"), f(b"three")]);
}

#[test]
fn rotation_keeps_five_files_of_whole_records_in_order() {
    let dir = TempDir::new("rotate");
    let limits = Limits {
        max_line: 16,
        rotate_at: 300,
        keep: 5,
    };
    let mut cri = CriFile::open(dir.path(), 2, limits).unwrap();
    // Many rotations within a second, one flush for many records, lines
    // longer than a record: every case of where a file ends.
    let mut sent = Vec::new();
    for i in 0..400 {
        let line = format!("line {i} {}\n", "x".repeat(i % 40));
        push(&mut cri, Stream::Stdout, line.as_bytes(), at(0));
        sent.push(line);
        if i % 7 == 0 {
            cri.flush().unwrap();
        }
    }
    cri.flush().unwrap();
    let files = read::instance_files(dir.path(), 2);
    assert_eq!(files.len(), 5, "{files:?}");
    assert_eq!(files.last().unwrap(), cri.path());
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 5);
    let mut joined = Vec::new();
    for file in &files {
        let size = fs::metadata(file).unwrap().len();
        // Rotated at the end of the record that crossed the limit.
        assert!(size <= 300 + 60, "{file:?}: {size}");
        for (_, tag, text) in records(file) {
            joined.extend_from_slice(&text);
            if tag == 'F' {
                joined.push(b'\n');
            }
        }
    }
    let sent = sent.concat();
    // A P record may be the first of a file: the line's start went with
    // an older file. What is kept is the end of what was sent.
    let tail = String::from_utf8(joined).unwrap();
    assert!(tail.len() > 4 * 100, "{tail}");
    assert!(sent.ends_with(&tail), "{tail}");
}

#[test]
fn rotated_files_sort_by_time_then_number() {
    let dir = TempDir::new("names");
    for name in [
        "0.log",
        "0.log.20240501-120003.10",
        "0.log.20240501-120003.9",
        "0.log.20240501-120003",
        "0.log.20240430-235959",
        "0.log.20240430-235958.gz",
        "0.log.20240430-235958.tmp",
        "0.log.2024",
        "1.log.20240101-000000",
        "10.log.20240101-000000",
    ] {
        fs::write(dir.path().join(name), "").unwrap();
    }
    let names: Vec<String> = read::instance_files(dir.path(), 0)
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "0.log.20240430-235959",
            "0.log.20240501-120003",
            "0.log.20240501-120003.9",
            "0.log.20240501-120003.10",
            "0.log",
        ]
    );
    assert!(read::instance_files(&dir.path().join("none"), 0).is_empty());
}

#[test]
fn records_parse_as_the_kubelet_reads_them() {
    let record = read::parse_record(b"2016-10-06T00:17:09.669794202Z stdout P a b \n");
    assert_eq!(
        record,
        Some(Record {
            time: "2016-10-06T00:17:09.669794202Z",
            stream: Stream::Stdout,
            partial: true,
            text: b"a b ",
        })
    );
    let record = read::parse_record(b"2016-10-06T00:17:09Z stderr F:x ").unwrap();
    assert!(!record.partial);
    assert_eq!(record.stream, Stream::Stderr);
    assert_eq!(record.text, b"");
    for bad in [
        &b""[..],
        b"2016-10-06T00:17:09Z stdout F",
        b"2016-10-06T00:17:09Z stdin F x",
        b"yesterday stdout F x",
        b"2016-10-06T00:17:09Z  stdout F x",
    ] {
        assert_eq!(read::parse_record(bad), None, "{bad:?}");
    }
}

/// A container's files written by a [`CriFile`] with tiny limits, a record
/// per line, each line `n` at second `n`.
fn write_lines(dir: &Path, lines: usize) -> Vec<PathBuf> {
    let limits = Limits {
        max_line: 8,
        rotate_at: 200,
        keep: 100,
    };
    let mut cri = CriFile::open(dir, 0, limits).unwrap();
    for n in 0..lines {
        let stream = if n % 3 == 0 {
            Stream::Stderr
        } else {
            Stream::Stdout
        };
        let now = UNIX_EPOCH + Duration::from_secs(n as u64);
        push(
            &mut cri,
            stream,
            format!("line {n:02} {}\n", "-".repeat(n % 9)).as_bytes(),
            now,
        );
        cri.flush().unwrap();
    }
    read::instance_files(dir, 0)
}

fn expected(range: std::ops::Range<usize>, timestamps: bool) -> String {
    range
        .map(|n| {
            let line = format!("line {n:02} {}\n", "-".repeat(n % 9));
            if timestamps {
                let time = timefmt::rfc3339_nano(UNIX_EPOCH + Duration::from_secs(n as u64));
                format!("{time} {line}")
            } else {
                line
            }
        })
        .collect()
}

fn print(files: &[PathBuf], options: &Options) -> (String, u64) {
    let mut out = Vec::new();
    let consumed = read::print(files, options, &mut out).unwrap();
    (String::from_utf8(out).unwrap(), consumed)
}

#[test]
fn print_joins_lines_across_files_and_applies_tail_since_and_timestamps() {
    let dir = TempDir::new("print");
    let files = write_lines(dir.path(), 40);
    assert!(files.len() > 3, "{files:?}");
    let (all, consumed) = print(&files, &Options::default());
    assert_eq!(all, expected(0..40, false));
    assert_eq!(consumed, fs::metadata(files.last().unwrap()).unwrap().len());
    let tail = Options {
        tail: Some(5),
        ..Options::default()
    };
    assert_eq!(print(&files, &tail).0, expected(35..40, false));
    let none = Options {
        tail: Some(0),
        ..Options::default()
    };
    assert_eq!(print(&files, &none).0, "");
    let since = Options {
        since: Some(UNIX_EPOCH + Duration::from_secs(12)),
        ..Options::default()
    };
    assert_eq!(print(&files, &since).0, expected(12..40, false));
    let both = Options {
        timestamps: true,
        tail: Some(3),
        since: Some(UNIX_EPOCH + Duration::from_millis(38_500)),
    };
    assert_eq!(print(&files, &both).0, expected(39..40, true));
    let stamped = Options {
        timestamps: true,
        ..Options::default()
    };
    assert_eq!(print(&files, &stamped).0, expected(0..40, true));
}

#[test]
fn print_stops_before_a_line_still_being_written_and_follow_prints_it_whole() {
    let dir = TempDir::new("open-line");
    let path = dir.path().join("0.log");
    let head = "2024-05-01T12:00:03Z stdout F a\n\
                2024-05-01T12:00:04Z stdout P b1\n\
                2024-05-01T12:00:05Z stderr F x\n\
                2024-05-01T12:00:06Z std";
    fs::write(&path, head).unwrap();
    let (printed, consumed) = print(std::slice::from_ref(&path), &Options::default());
    assert_eq!(printed, "a\n");
    assert_eq!(consumed, 32);
    let mut file = OpenOptions::new().append(true).open(&path).unwrap();
    std::io::Write::write_all(&mut file, b"out F b2\n").unwrap();
    let mut out = Vec::new();
    let options = Options {
        timestamps: true,
        ..Options::default()
    };
    read::follow(&path, consumed, &options, &mut out, &mut || false).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "2024-05-01T12:00:05Z x\n2024-05-01T12:00:04Z b1b2\n"
    );
}

#[test]
fn follow_reads_across_rotations_every_line_once() {
    let dir = TempDir::new("follow");
    let limits = Limits {
        max_line: 16,
        rotate_at: 1000,
        keep: 100,
    };
    let mut cri = CriFile::open(dir.path(), 0, limits).unwrap();
    push(&mut cri, Stream::Stdout, b"before\n", at(0));
    cri.flush().unwrap();
    let (printed, consumed) = print(&read::instance_files(dir.path(), 0), &Options::default());
    assert_eq!(printed, "before\n");
    let done = Arc::new(AtomicBool::new(false));
    let writer = {
        let done = Arc::clone(&done);
        std::thread::spawn(move || {
            let mut sent = String::new();
            for n in 0..300 {
                let line = format!("line {n} is longer than a record\n");
                push(&mut cri, Stream::Stdout, line.as_bytes(), at(n));
                sent.push_str(&line);
                cri.flush().unwrap();
                if n % 10 == 0 {
                    std::thread::sleep(Duration::from_millis(2));
                }
            }
            cri.flush().unwrap();
            done.store(true, Ordering::SeqCst);
            sent
        })
    };
    let mut out = Vec::new();
    let path = dir.path().join("0.log");
    let started = Instant::now();
    read::follow(&path, consumed, &Options::default(), &mut out, &mut || {
        !done.load(Ordering::SeqCst) && started.elapsed() < Duration::from_secs(30)
    })
    .unwrap();
    let sent = writer.join().unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), sent);
    // Several rotations between two looks of the follower.
    assert!(fs::read_dir(dir.path()).unwrap().count() > 20);
}

/// A pipe whose write end the console gets; the read end non-blocking.
fn pipe() -> (File, File) {
    let (r, w) = sys::pipe_cloexec().unwrap();
    sys::set_nonblocking(r.as_fd()).unwrap();
    (File::from(r), File::from(w))
}

/// Everything the read end has now.
fn drain(reader: &mut File, into: &mut Vec<u8>) {
    let mut buf = [0; 65536];
    loop {
        match reader.read(&mut buf) {
            Ok(0) => return,
            Ok(n) => into.extend_from_slice(&buf[..n]),
            Err(err) if err.kind() == std::io::ErrorKind::WouldBlock => return,
            Err(err) => panic!("{err}"),
        }
    }
}

fn is_nonblocking(fd: &File) -> bool {
    let flags = nix::fcntl::fcntl(fd, nix::fcntl::FcntlArg::F_GETFL).unwrap();
    flags & libc::O_NONBLOCK != 0
}

#[test]
fn console_lines_carry_the_prefix_and_partial_lines_show_whole() {
    let (mut out_r, out_w) = pipe();
    let (mut err_r, err_w) = pipe();
    let mut console = Console::over(true, out_w.as_fd(), err_w.as_fd());
    console.line(Stream::Stdout, "web", b"abc", true);
    console.line(Stream::Stdout, "web", b"def", false);
    console.line(Stream::Stdout, "web", b"ghi", true);
    // Another container's line: the open one is broken off, and goes on
    // with its prefix again.
    console.line(Stream::Stdout, "db", b"x", false);
    console.line(Stream::Stdout, "web", b"jkl", false);
    console.line(Stream::Stderr, "db", b"oops", false);
    assert_eq!(console.poll_fds().len(), 2);
    console.flush();
    assert!(console.poll_fds().is_empty());
    let (mut out, mut err) = (Vec::new(), Vec::new());
    drain(&mut out_r, &mut out);
    drain(&mut err_r, &mut err);
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "[web] abcdef\n[web] ghi\n[db] x\n[web] jkl\n"
    );
    assert_eq!(String::from_utf8(err).unwrap(), "[db] oops\n");

    let mut plain = Console::over(false, out_w.as_fd(), err_w.as_fd());
    plain.line(Stream::Stdout, "web", b"bare", false);
    plain.flush();
    let mut out = Vec::new();
    drain(&mut out_r, &mut out);
    assert_eq!(out, b"bare\n");
}

#[test]
fn a_console_pipe_nobody_reads_never_blocks_and_the_gap_is_said() {
    let (mut reader, writer) = pipe();
    let mut console = Console::over(false, writer.as_fd(), writer.as_fd());
    // The shared description stays blocking for the others using it.
    assert!(!is_nonblocking(&writer));
    let started = Instant::now();
    let line = |n: usize| format!("{n:05} {}", "y".repeat(994));
    let sent = 1000;
    for n in 0..sent {
        console.line(Stream::Stdout, "app", line(n).as_bytes(), false);
        console.flush();
    }
    // 64 KiB in the pipe and 256 KiB queued out of 1 MB: the rest skipped.
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(!is_nonblocking(&writer));
    assert!(console.queued(Stream::Stdout) > 128 * 1024);
    assert_eq!(console.poll_fds().len(), 1);
    let mut got = Vec::new();
    while console.queued(Stream::Stdout) > 0 {
        drain(&mut reader, &mut got);
        console.flush();
    }
    drain(&mut reader, &mut got);
    // Room again: later lines come through, after the notice.
    console.line(Stream::Stdout, "app", b"after", false);
    console.flush();
    drain(&mut reader, &mut got);
    let got = String::from_utf8(got).unwrap();
    let lines: Vec<&str> = got.lines().collect();
    let notice = lines
        .iter()
        .position(|l| l.starts_with("podinit: skipped"))
        .unwrap();
    let skipped: usize = lines[notice]
        .strip_prefix("podinit: skipped ")
        .and_then(|rest| rest.strip_suffix(" line(s) of console output; the log files have them"))
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(notice + skipped, sent, "{}", lines[notice]);
    for (n, l) in lines[..notice].iter().enumerate() {
        assert_eq!(*l, line(n));
    }
    assert_eq!(lines[notice + 1..], ["after"]);
}

#[test]
fn a_console_socket_is_sent_to_without_waiting() {
    let (mut peer, ours) = UnixStream::pair().unwrap();
    let mut console = Console::over(false, ours.as_fd(), ours.as_fd());
    assert!(!is_nonblocking(&File::from(
        ours.as_fd().try_clone_to_owned().unwrap()
    )));
    for n in 0..5000 {
        console.line(
            Stream::Stderr,
            "app",
            format!("{n} {}", "z".repeat(500)).as_bytes(),
            false,
        );
        console.flush();
    }
    assert!(console.queued(Stream::Stderr) > 0);
    peer.set_nonblocking(true).unwrap();
    let mut got = Vec::new();
    let mut buf = [0; 65536];
    while console.queued(Stream::Stderr) > 0 {
        match peer.read(&mut buf) {
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(err) if err.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(err) => panic!("{err}"),
        }
        console.flush();
    }
    while let Ok(n) = peer.read(&mut buf) {
        got.extend_from_slice(&buf[..n]);
    }
    let got = String::from_utf8(got).unwrap();
    assert!(got.starts_with("0 zzz"));
    assert!(got.contains("podinit: skipped "));
}

#[test]
fn a_console_on_dev_null_or_a_file_takes_everything() {
    let dir = TempDir::new("console-file");
    let file = File::create(dir.path().join("out")).unwrap();
    let null = OpenOptions::new().write(true).open("/dev/null").unwrap();
    let mut console = Console::over(true, file.as_fd(), null.as_fd());
    for n in 0..2000 {
        let text = format!("{n} {}", "w".repeat(500));
        console.line(Stream::Stdout, "app", text.as_bytes(), false);
        console.line(Stream::Stderr, "app", text.as_bytes(), false);
        console.flush();
    }
    assert!(console.poll_fds().is_empty());
    let written = fs::read_to_string(dir.path().join("out")).unwrap();
    assert_eq!(written.lines().count(), 2000);
    assert!(!written.contains("skipped"));
}

#[test]
fn a_console_pipe_whose_reader_left_drops_its_lines() {
    let (reader, writer) = pipe();
    drop(reader);
    let mut console = Console::over(false, writer.as_fd(), writer.as_fd());
    // EPIPE, not SIGPIPE: the test harness ignores SIGPIPE, podinit blocks it.
    console.line(Stream::Stdout, "app", b"lost", false);
    console.flush();
    assert!(console.poll_fds().is_empty());
    console.line(Stream::Stdout, "app", b"lost too", false);
    assert_eq!(console.queued(Stream::Stdout), 0);
}

/// Short lines and long ones through `push` and `flush` to a real file,
/// with the kubelet's limits (rotation included).
#[test]
#[ignore = "a benchmark: cargo test --release --lib logs -- --ignored --nocapture"]
fn throughput_of_push_and_flush() {
    let dir = TempDir::new("bench");
    for (name, line_len) in [("100-byte lines", 100), ("1 MiB lines", 1024 * 1024)] {
        let mut line = vec![b'b'; line_len - 1];
        line.push(b'\n');
        // What one read of the pipe would bring: 64 KiB, or one long line.
        let chunk: Vec<u8> = line
            .iter()
            .copied()
            .cycle()
            .take((64 * 1024).max(line_len))
            .collect();
        let total = 512 * 1024 * 1024;
        let mut cri = CriFile::open(&dir.path().join(name), 0, Limits::default()).unwrap();
        let mut lines = 0usize;
        let started = Instant::now();
        let mut done = 0;
        while done < total {
            cri.push(Stream::Stdout, &chunk, SystemTime::now(), &mut |_, _, _| {
                lines += 1
            });
            cri.flush().unwrap();
            done += chunk.len();
        }
        let secs = started.elapsed().as_secs_f64();
        println!(
            "{name}: {:.0} MB/s ({} MB, {lines} records, {secs:.2} s)",
            done as f64 / secs / 1e6,
            done / 1_000_000
        );
    }
}
