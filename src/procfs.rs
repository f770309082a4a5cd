//! Reading the process tree from procfs.
//!
//! Used to find what a program left behind: every live process whose chain of
//! parents leads to podinit. Only `/proc/PID/stat` is read (proc(5)); its
//! second field, the command name in parentheses, may itself hold spaces and
//! parentheses, so the fields are counted from the last `)`.

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
    pub state: char,
    pub ppid: Pid,
}

impl Stat {
    /// Parses the text of `/proc/PID/stat`.
    pub fn parse(text: &str) -> Option<Self> {
        let (head, tail) = text.rsplit_once(')')?;
        let pid = head.split_once(" (")?.0.trim().parse().ok()?;
        let mut fields = tail.split_ascii_whitespace();
        let state = fields.next()?.chars().next()?;
        let ppid = fields.next()?.parse().ok()?;
        Some(Self { pid, state, ppid })
    }

    /// A zombie or a dead task: it can no longer run or fork.
    pub fn is_dead(&self) -> bool {
        matches!(self.state, 'Z' | 'X' | 'x')
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

/// Every process in `proc`; processes that vanish while being read are
/// skipped.
pub fn processes(proc: &Path) -> io::Result<Vec<Stat>> {
    let mut all = Vec::new();
    for entry in fs::read_dir(proc)? {
        let entry = entry?;
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.parse::<Pid>().ok()) else {
            continue;
        };
        match fs::read_to_string(entry.path().join("stat")) {
            Ok(text) => all.extend(Stat::parse(&text).filter(|stat| stat.pid == pid)),
            Err(err) if err.kind() == io::ErrorKind::NotFound => {}
            Err(err) if err.raw_os_error() == Some(libc::ESRCH) => {}
            Err(err) => return Err(err),
        }
    }
    Ok(all)
}

/// The live (not zombie) descendants of `root` among `all`, parents before
/// their children.
pub fn live_descendants(all: &[Stat], root: Pid) -> Vec<Pid> {
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
            if !child.is_dead() {
                found.push(child.pid);
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_lines_parse_even_with_odd_command_names() {
        let cases = [
            ("42 (sleep) S 1 42 42 0 -1", Some(('S', 1))),
            ("7 (a) b (c)) Z 3 7 7 0", Some(('Z', 3))),
            ("9 (with space) R 0 9", Some(('R', 0))),
            ("garbage", None),
            ("10 (x) ", None),
        ];
        for (text, want) in cases {
            let got = Stat::parse(text).map(|s| (s.state, s.ppid));
            assert_eq!(got, want, "{text:?}");
        }
    }

    fn stat(pid: Pid, state: char, ppid: Pid) -> Stat {
        Stat { pid, state, ppid }
    }

    #[test]
    fn descendants_follow_the_parent_chain_and_skip_zombies() {
        let all = [
            stat(1, 'S', 0),
            stat(10, 'S', 1),
            stat(11, 'S', 10),
            stat(12, 'Z', 10),
            stat(13, 'S', 12),
            stat(20, 'S', 0),
            stat(21, 'S', 20),
        ];
        let mut got = live_descendants(&all, 1);
        got.sort();
        assert_eq!(got, [10, 11, 13]);
        assert!(live_descendants(&all, 11).is_empty());
    }

    #[test]
    fn a_fabricated_proc_tree_is_read() {
        let dir = std::env::temp_dir().join(format!("podinit-procfs-{}", std::process::id()));
        for (pid, line) in [(1, "1 (init) S 0"), (5, "5 (sh) S 1"), (6, "6 (zz) Z 5")] {
            fs::create_dir_all(dir.join(pid.to_string())).unwrap();
            fs::write(dir.join(pid.to_string()).join("stat"), line).unwrap();
        }
        fs::create_dir_all(dir.join("sys")).unwrap();
        let all = processes(&dir).unwrap();
        assert_eq!(all.len(), 3);
        assert_eq!(live_descendants(&all, 1), [5]);
        assert!(!is_own_namespace(&dir, 1));
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_real_proc_knows_this_process() {
        let own = std::process::id() as Pid;
        if is_own_namespace(Path::new("/proc"), own) {
            let all = processes(Path::new("/proc")).unwrap();
            assert!(all.iter().any(|s| s.pid == own));
        }
    }
}
