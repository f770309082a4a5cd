//! Reading the process tree from procfs.
//!
//! Used to find what a program left behind: every process whose chain of
//! parents leads to podinit. Only `/proc/PID/stat` is read (proc(5)), as
//! bytes: its second field, the command name in parentheses, may hold any
//! byte but NUL (not UTF-8, spaces, parentheses), so the fields are counted
//! from the last `)`. An entry that cannot be read or parsed is skipped, never
//! allowed to spoil the scan.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::Path;

use crate::sys::Pid;

/// One line of `/proc/PID/stat`, the parts podinit uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stat {
    pub pid: Pid,
    /// `R`, `S`, `D`, `Z`, `T`, `X`, ...
    pub state: u8,
    pub ppid: Pid,
    /// The process group.
    pub pgrp: Pid,
    /// The session: the pid of its leader (`setsid(2)`).
    pub session: Pid,
    /// Clock ticks after boot when it started: with the pid, it names one
    /// process for good (a reused pid has a later start time).
    pub start_time: u64,
}

impl Stat {
    /// Parses the bytes of `/proc/PID/stat`.
    pub fn parse(text: &[u8]) -> Option<Self> {
        let close = text.iter().rposition(|&b| b == b')')?;
        let open = text.iter().position(|&b| b == b'(')?;
        let pid = std::str::from_utf8(text.get(..open)?)
            .ok()?
            .trim()
            .parse()
            .ok()?;
        let tail = std::str::from_utf8(text.get(close + 1..)?).ok()?;
        // Fields 3 (state) onwards; starttime is field 22.
        let fields: Vec<&str> = tail.split_ascii_whitespace().take(20).collect();
        let field = |n: usize| fields.get(n - 3).copied();
        Some(Self {
            pid,
            state: *field(3)?.as_bytes().first()?,
            ppid: field(4)?.parse().ok()?,
            pgrp: field(5)?.parse().ok()?,
            session: field(6)?.parse().ok()?,
            start_time: field(22)?.parse().ok()?,
        })
    }

    /// Reads `PROC/PID/stat`; `None` when the process is gone or unreadable.
    pub fn read(proc: &Path, pid: Pid) -> Option<Self> {
        let bytes = fs::read(proc.join(pid.to_string()).join("stat")).ok()?;
        Self::parse(&bytes).filter(|stat| stat.pid == pid)
    }
}

/// Whether `proc` is the procfs of this process's own PID namespace: its
/// `self` link names `own_pid`.
pub fn is_own_namespace(proc: &Path, own_pid: Pid) -> bool {
    fs::read_link(proc.join("self"))
        .ok()
        .and_then(|target| target.to_str()?.parse::<Pid>().ok())
        == Some(own_pid)
}

/// Every process in `proc` that could be read; one that vanishes, or whose
/// stat cannot be read or parsed, is skipped. Fails only when the directory
/// itself cannot be listed.
pub fn processes(proc: &Path) -> io::Result<Vec<Stat>> {
    let mut all = Vec::new();
    for entry in fs::read_dir(proc)? {
        let Ok(entry) = entry else { continue };
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.parse::<Pid>().ok()) else {
            continue;
        };
        all.extend(Stat::read(proc, pid));
    }
    Ok(all)
}

/// The descendants of `root` among `all`, parents before their children.
/// Zombies are included: a process whose main thread has exited shows as a
/// zombie while its other threads still run, and must still be signalled
/// (signalling a real zombie does nothing).
pub fn descendants(all: &[Stat], root: Pid) -> Vec<Stat> {
    let mut children: HashMap<Pid, Vec<&Stat>> = HashMap::new();
    for stat in all {
        children.entry(stat.ppid).or_default().push(stat);
    }
    let mut found = Vec::new();
    let mut queue = vec![root];
    while let Some(parent) = queue.pop() {
        for child in children.get(&parent).into_iter().flatten() {
            if child.pid == root || child.pid == parent {
                continue;
            }
            queue.push(child.pid);
            found.push(**child);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stat line with the given name, state and parent, the rest filler.
    fn line(pid: Pid, name: &[u8], state: char, ppid: Pid) -> Vec<u8> {
        let mut text = format!("{pid} (").into_bytes();
        text.extend_from_slice(name);
        text.extend_from_slice(
            format!(
                ") {state} {ppid} {pid} {} 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 {} 0 0",
                100 + pid,
                1000 + pid
            )
            .as_bytes(),
        );
        text
    }

    #[test]
    fn stat_lines_parse_even_with_odd_command_names() {
        type Case<'a> = (&'a [u8], Option<(u8, Pid)>);
        let cases: &[Case] = &[
            (&line(42, b"sleep", 'S', 1), Some((b'S', 1))),
            (&line(7, b"a) b (c)", 'Z', 3), Some((b'Z', 3))),
            (&line(9, b"with space", 'R', 0), Some((b'R', 0))),
            (&line(10, b"sl\xe9ep", 'S', 2), Some((b'S', 2))),
            (b"garbage", None),
            (b"10 (x) S 1", None),
            (b"", None),
        ];
        for (text, want) in cases {
            let got = Stat::parse(text).map(|s| (s.state, s.ppid));
            assert_eq!(got, *want, "{:?}", String::from_utf8_lossy(text));
        }
        let stat = Stat::parse(&line(42, b"x", 'S', 1)).unwrap();
        assert_eq!((stat.pgrp, stat.session, stat.start_time), (42, 142, 1042));
    }

    fn stat(pid: Pid, state: u8, ppid: Pid) -> Stat {
        Stat {
            pid,
            state,
            ppid,
            pgrp: pid,
            session: pid,
            start_time: 0,
        }
    }

    #[test]
    fn descendants_follow_the_parent_chain_zombies_included() {
        let all = [
            stat(1, b'S', 0),
            stat(10, b'S', 1),
            stat(11, b'S', 10),
            stat(12, b'Z', 10),
            stat(13, b'S', 12),
            stat(20, b'S', 0),
            stat(21, b'S', 20),
        ];
        let mut got: Vec<Pid> = descendants(&all, 1).iter().map(|s| s.pid).collect();
        got.sort();
        assert_eq!(got, [10, 11, 12, 13]);
        assert!(descendants(&all, 11).is_empty());
    }

    /// Regression: one process with a non-UTF-8 name made the whole scan
    /// fail, so no leftover was signalled at all.
    #[test]
    fn a_fabricated_proc_tree_is_read_despite_bad_entries() {
        let dir = std::env::temp_dir().join(format!("podinit-procfs-{}", std::process::id()));
        let entries: [(Pid, Vec<u8>); 4] = [
            (1, line(1, b"init", 'S', 0)),
            (5, line(5, b"sl\xe9ep", 'S', 1)),
            (6, line(6, b"zz", 'Z', 5)),
            (7, b"not a stat line".to_vec()),
        ];
        for (pid, text) in &entries {
            fs::create_dir_all(dir.join(pid.to_string())).unwrap();
            fs::write(dir.join(pid.to_string()).join("stat"), text).unwrap();
        }
        fs::create_dir_all(dir.join("8")).unwrap(); // no stat file: gone
        fs::create_dir_all(dir.join("sys")).unwrap();
        let all = processes(&dir).unwrap();
        assert_eq!(all.len(), 3);
        let found: Vec<Pid> = descendants(&all, 1).iter().map(|s| s.pid).collect();
        assert_eq!(found, [5, 6]);
        assert!(!is_own_namespace(&dir, 1));
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_real_proc_knows_this_process() {
        let own = std::process::id() as Pid;
        if is_own_namespace(Path::new("/proc"), own) {
            let all = processes(Path::new("/proc")).unwrap();
            assert!(all.iter().any(|s| s.pid == own));
            assert!(Stat::read(Path::new("/proc"), own).is_some_and(|s| s.start_time > 0));
        }
    }
}
