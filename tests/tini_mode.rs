//! tini mode, run for real: the built podinit as PID 1 of a fresh PID
//! namespace and as a subreaper, with the `misbehave` fixture as its child.
//! Timing is only ever checked in order and with generous bounds.

// Test code: a failed expectation is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::ffi::OsString;
use std::os::unix::fs::PermissionsExt;
use std::process::Command;
use std::time::Duration;

use common::*;

fn fixture_args(words: &[&str]) -> Vec<OsString> {
    let mut args = vec![OsString::from("--"), misbehave().into_os_string()];
    args.extend(words.iter().map(OsString::from));
    args
}

fn pid1(words: &[&str]) -> Finished {
    as_pid1(&fixture_args(words)).finish()
}

#[test]
fn every_exit_code_passes_through() {
    if !require_root() {
        return;
    }
    for code in 0..=255 {
        let done = pid1(&["exit", &code.to_string()]);
        assert_eq!(done.code, Some(code), "exit {code}: {}", done.stderr);
    }
}

#[test]
fn death_by_signal_n_exits_128_plus_n() {
    if !require_root() {
        return;
    }
    let rtmin = libc::SIGRTMIN();
    let rtmax = libc::SIGRTMAX();
    let signals = [
        libc::SIGHUP,
        libc::SIGINT,
        libc::SIGQUIT,
        libc::SIGILL,
        libc::SIGTRAP,
        libc::SIGABRT,
        libc::SIGBUS,
        libc::SIGFPE,
        libc::SIGKILL,
        libc::SIGUSR1,
        libc::SIGSEGV,
        libc::SIGUSR2,
        libc::SIGPIPE,
        libc::SIGALRM,
        libc::SIGTERM,
        libc::SIGXCPU,
        libc::SIGXFSZ,
        libc::SIGVTALRM,
        libc::SIGPROF,
        libc::SIGIO,
        libc::SIGPWR,
        libc::SIGSYS,
        rtmin,
        rtmax,
    ];
    for signal in signals {
        let done = pid1(&["kill-self", &signal.to_string()]);
        assert_eq!(
            done.code,
            Some(128 + signal),
            "signal {signal}: {}",
            done.stderr
        );
    }
}

#[test]
fn dash_e_remaps_exit_codes_to_zero() {
    if !require_root() {
        return;
    }
    for (words, want) in [
        (["exit", "3"], 0),
        (["exit", "4"], 4),
        (["kill-self", "TERM"], 0),
        (["kill-self", "KILL"], 137),
    ] {
        let mut args: Vec<OsString> = ["-e", "3", "-e143"].map(OsString::from).to_vec();
        args.extend(fixture_args(&words));
        let done = as_pid1(&args).finish();
        assert_eq!(done.code, Some(want), "{words:?}: {}", done.stderr);
    }
}

#[test]
fn exec_failures_exit_127_or_126_with_the_reason() {
    if !require_root() {
        return;
    }
    let dir = scratch("exec");
    let plain = dir.join("not-executable");
    std::fs::write(&plain, "data").unwrap();
    let script = dir.join("script-without-shebang");
    std::fs::write(&script, "exit 42\n").unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();

    let cases: Vec<(OsString, i32, &str)> = vec![
        (
            "/nonexistent/program".into(),
            127,
            "exec /nonexistent/program failed: No such file or directory",
        ),
        (
            "no-such-command-anywhere".into(),
            127,
            "exec no-such-command-anywhere failed: No such file or directory",
        ),
        (plain.clone().into(), 126, "failed: Permission denied"),
        (dir.clone().into(), 126, "failed: Permission denied"),
    ];
    for (program, code, message) in cases {
        let done = as_pid1(&[OsString::from("--"), program.clone()]).finish();
        assert_eq!(done.code, Some(code), "{program:?}: {}", done.stderr);
        assert!(
            done.stderr.contains(message),
            "{program:?}: {}",
            done.stderr
        );
    }
    // A script without `#!` is run by /bin/sh, as execvp(3) does.
    let done = as_pid1(&[OsString::from("--"), script.into()]).finish();
    assert_eq!(done.code, Some(42), "{}", done.stderr);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn signals_are_forwarded_to_the_child() {
    if !require_root() {
        return;
    }
    let mut run = as_pid1(&fixture_args(&["signals", "--exit-on", "TERM"]));
    run.expect_line("ready");
    let realtime = libc::SIGRTMIN() + 1;
    for (signal, name) in [
        (libc::SIGUSR1, "SIGUSR1".to_string()),
        (libc::SIGUSR2, "SIGUSR2".into()),
        (libc::SIGHUP, "SIGHUP".into()),
        (libc::SIGINT, "SIGINT".into()),
        (libc::SIGQUIT, "SIGQUIT".into()),
        (libc::SIGWINCH, "SIGWINCH".into()),
        (libc::SIGCONT, "SIGCONT".into()),
        (realtime, format!("SIG{realtime}")),
        (libc::SIGTERM, "SIGTERM".into()),
    ] {
        run.signal(signal);
        run.expect_line(&format!("got {name}"));
    }
    let done = run.finish();
    assert_eq!(done.code, Some(0), "{}", done.stderr);
}

#[test]
fn dash_g_reaches_a_grandchild_in_the_group() {
    if !require_root() {
        return;
    }
    // Without -g only the child hears USR1; its grandchild gets SIGTERM from
    // podinit's clean-up once the child is gone.
    let mut run = as_pid1(&fixture_args(&["family-signals"]));
    run.expect_line("parent ready");
    run.expect_line("grandchild ready");
    run.signal(libc::SIGUSR1);
    run.expect_line("parent got SIGUSR1");
    run.signal(libc::SIGTERM);
    run.expect_line("parent got SIGTERM");
    let done = run.finish();
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    assert!(
        !done.stdout.contains("grandchild got SIGUSR1"),
        "{}",
        done.stdout
    );
    assert!(
        done.stdout.contains("grandchild got SIGTERM"),
        "{}",
        done.stdout
    );

    // With -g, or TINI_KILL_PROCESS_GROUP, the whole group hears it.
    for (flag, env) in [
        (Some("-g"), None),
        (None, Some(("TINI_KILL_PROCESS_GROUP", "1"))),
    ] {
        let mut args: Vec<OsString> = flag.into_iter().map(OsString::from).collect();
        args.extend(fixture_args(&["family-signals"]));
        let mut run = as_pid1_env(&args, env.as_slice());
        run.expect_line("parent ready");
        run.expect_line("grandchild ready");
        run.signal(libc::SIGUSR1);
        run.expect_line("parent got SIGUSR1");
        run.expect_line("grandchild got SIGUSR1");
        run.signal(libc::SIGTERM);
        let done = run.finish();
        assert_eq!(done.code, Some(0), "{flag:?} {env:?}: {}", done.stderr);
    }
}

#[test]
fn hundreds_of_orphans_are_reaped_as_pid1() {
    if !require_root() {
        return;
    }
    let done = pid1(&["orphans", "500"]);
    assert!(done.stdout.contains("all 500 orphans reaped"), "{done:?}");
    assert_eq!(done.code, Some(0));
}

#[test]
fn hundreds_of_orphans_are_reaped_as_subreaper() {
    let done = as_subreaper(&fixture_args(&["orphans", "300"])).finish();
    assert!(done.stdout.contains("all 300 orphans reaped"), "{done:?}");
    assert_eq!(done.code, Some(0));
    assert!(
        !done.stderr.contains("subreaper"),
        "no warning expected: {}",
        done.stderr
    );
}

#[test]
fn dash_w_warns_about_each_reaped_zombie() {
    if !require_root() {
        return;
    }
    let mut args = vec![OsString::from("-w")];
    args.extend(fixture_args(&["orphans", "3"]));
    let done = as_pid1(&args).finish();
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    let warnings = done
        .stderr
        .matches("reaped zombie process with pid=")
        .count();
    assert_eq!(warnings, 3, "{}", done.stderr);
}

/// `SigBlk:` and `SigIgn:` of `cat /proc/self/status` started by `wrapper`
/// (misbehave with-signals ...), through podinit or directly.
fn signal_state(pid1: bool, wrapper: &[&str], through_podinit: bool) -> (u64, u64) {
    let mut args: Vec<OsString> = wrapper.iter().map(OsString::from).collect();
    args.push("--".into());
    if through_podinit {
        args.extend([podinit().into_os_string(), "--".into()]);
    }
    args.extend(["cat", "/proc/self/status"].map(OsString::from));
    let run = if pid1 {
        as_pid1_with(misbehave().as_os_str(), &args, &[])
    } else {
        let mut cmd = Command::new(misbehave());
        cmd.args(&args);
        run_command(cmd)
    };
    let done = run.finish();
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    let field = |name: &str| {
        let line = done
            .stdout
            .lines()
            .find(|l| l.starts_with(name))
            .expect(name);
        u64::from_str_radix(line[name.len()..].trim(), 16).unwrap()
    };
    (field("SigBlk:"), field("SigIgn:"))
}

fn bit(signal: i32) -> u64 {
    1 << (signal - 1)
}

#[test]
fn the_child_gets_the_inherited_signal_mask_and_ignored_signals() {
    // Whatever the parent set up, the program sees the same mask and the
    // same ignored signals under podinit as without it. (Rust's own
    // SIGPIPE=ignore must not leak; an inherited SIGCHLD=ignore is handed on
    // though podinit itself must not keep it.)
    let pid1 = require_root();
    let cases: &[(&[&str], u64, u64)] = &[
        (&["with-signals"], 0, 0),
        (
            &[
                "with-signals",
                "--block",
                "USR1",
                "--block",
                "HUP",
                "--ignore",
                "USR2",
                "--ignore",
                "PIPE",
                "--ignore",
                "TTOU",
            ],
            bit(libc::SIGUSR1) | bit(libc::SIGHUP),
            bit(libc::SIGUSR2) | bit(libc::SIGPIPE) | bit(libc::SIGTTOU),
        ),
        (
            &["with-signals", "--ignore", "CHLD", "--default", "PIPE"],
            0,
            bit(libc::SIGCHLD),
        ),
        (
            &["with-signals", "--block", "TERM", "--block", "CHLD"],
            bit(libc::SIGTERM) | bit(libc::SIGCHLD),
            0,
        ),
    ];
    for (wrapper, blocked, ignored) in cases {
        let direct = signal_state(pid1, wrapper, false);
        let under_podinit = signal_state(pid1, wrapper, true);
        assert_eq!(
            under_podinit, direct,
            "{wrapper:?}: (SigBlk, SigIgn) differ"
        );
        // The bits the wrapper set (glibc's own signals 32 and 33 may come
        // ignored from the test harness: compare the classic ones only).
        let classic = (1u64 << 31) - 1;
        assert_eq!(
            (under_podinit.0 & classic, under_podinit.1 & classic),
            (*blocked, *ignored),
            "{wrapper:?}"
        );
    }
}

#[test]
fn the_child_is_the_foreground_group_of_the_terminal() {
    // `script` gives podinit a pseudo-terminal as stdin; the child reads its
    // own process group and the terminal's foreground group from /proc.
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("SKIPPED: util-linux `script` is not installed");
        return;
    }
    let inner = format!("{} -- cat /proc/self/stat", podinit().display());
    let out = Command::new("script")
        .args(["-qec", &inner, "/dev/null"])
        .output()
        .expect("script");
    let text = String::from_utf8_lossy(&out.stdout);
    let stat = text
        .lines()
        .find(|l| l.contains("(cat)"))
        .expect("cat's stat line");
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .unwrap()
        .1
        .split_whitespace()
        .collect();
    // After the name: state, ppid, pgrp, session, tty_nr, tpgid.
    let (pgrp, tpgid) = (fields[2], fields[5]);
    assert_eq!(pgrp, tpgid, "child not in the foreground: {stat}");
}

#[test]
fn dash_p_turns_the_parents_death_into_a_signal() {
    let dir = scratch("pdeathsig");
    let out = dir.join("out");
    // sh starts podinit in the background and exits once the child is ready:
    // podinit's parent is gone, so podinit gets SIGUSR1 and forwards it.
    let script = r#"
        "$0" -p SIGUSR1 -- "$1" signals --exit-on USR1 > "$2" 2>&1 &
        while ! grep -q ready "$2" 2>/dev/null; do sleep 0.01; done
        exit 0
    "#;
    let status = Command::new("sh")
        .args(["-c", script])
        .arg(podinit())
        .arg(misbehave())
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = std::time::Instant::now() + PATIENCE;
    loop {
        let text = std::fs::read_to_string(&out).unwrap_or_default();
        if text.contains("got SIGUSR1") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no SIGUSR1 forwarded: {text:?}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn leftovers_that_ignore_sigterm_are_killed_after_the_grace_period_as_pid1() {
    if !require_root() {
        return;
    }
    let dir = scratch("grace-pid1");
    let pidfile = dir.join("daemon.pid");
    let mut args = vec![OsString::from("--grace"), OsString::from("1")];
    args.extend(fixture_args(&[
        "daemon",
        pidfile.to_str().unwrap(),
        "--ignore-term",
        "--exit",
        "7",
    ]));
    let done = as_pid1(&args).finish();
    assert_eq!(
        done.code,
        Some(7),
        "the exit code stays the child's: {}",
        done.stderr
    );
    assert!(
        done.elapsed >= Duration::from_millis(900),
        "SIGKILL before the grace ran out: {done:?}"
    );
    assert!(done.stderr.contains("sending SIGKILL"), "{}", done.stderr);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn leftovers_that_honour_sigterm_end_podinit_at_once() {
    if !require_root() {
        return;
    }
    let dir = scratch("polite-pid1");
    let pidfile = dir.join("daemon.pid");
    let mut args = vec![OsString::from("--grace"), OsString::from("60")];
    args.extend(fixture_args(&[
        "daemon",
        pidfile.to_str().unwrap(),
        "--exit",
        "5",
    ]));
    let done = as_pid1(&args).finish();
    assert_eq!(done.code, Some(5), "{}", done.stderr);
    assert!(
        done.elapsed < Duration::from_secs(20),
        "waited for the grace period: {done:?}"
    );
    assert!(!done.stderr.contains("SIGKILL"), "{}", done.stderr);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn leftovers_of_a_subreaper_are_killed_and_reaped_before_it_exits() {
    let dir = scratch("grace-subreaper");
    for (name, extra, grace) in [
        ("stubborn", Some("--ignore-term"), "0.5"),
        ("polite", None, "60"),
    ] {
        let pidfile = dir.join(format!("{name}.pid"));
        let mut words = vec!["daemon", pidfile.to_str().unwrap(), "--exit", "9"];
        words.extend(extra);
        let mut args = vec![OsString::from("--grace"), OsString::from(grace)];
        args.extend(fixture_args(&words));
        let done = as_subreaper(&args).finish();
        assert_eq!(done.code, Some(9), "{name}: {}", done.stderr);
        assert_killed(&done, &[&pidfile]);
        assert!(done.elapsed < Duration::from_secs(20), "{name}: {done:?}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_stopped_leftover_still_gets_its_sigterm() {
    // SIGTERM stays pending on a stopped process; podinit follows it with
    // SIGCONT, so a stopped daemon ends without waiting for SIGKILL.
    let dir = scratch("stopped");
    let pidfile = dir.join("stopped.pid");
    let mut args = vec![OsString::from("--grace"), OsString::from("60")];
    args.extend(fixture_args(&[
        "daemon",
        pidfile.to_str().unwrap(),
        "--stop",
    ]));
    let done = as_subreaper(&args).finish();
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    assert!(done.elapsed < Duration::from_secs(20), "{done:?}");
    assert_killed(&done, &[&pidfile]);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn warns_like_tini_when_it_can_be_neither_pid1_nor_subreaper() {
    let mut cmd = Command::new(misbehave());
    cmd.args(["no-subreaper", "--"])
        .arg(podinit())
        .args(["--", "true"]);
    let done = run_command(cmd).finish();
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    assert!(
        done.stderr
            .contains("is not running as PID 1 and isn't registered as a child subreaper"),
        "{}",
        done.stderr
    );
}

#[test]
fn idle_podinit_never_wakes_up() {
    // With a child that sleeps and nothing else to do, podinit sleeps in
    // poll with no timeout: its context-switch counts do not move.
    let run = as_subreaper(&fixture_args(&["sleep", "3"]));
    let pid = run.podinit_pid();
    let switches = || {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
        status
            .lines()
            .filter(|l| l.contains("ctxt_switches"))
            .map(|l| l.split_whitespace().nth(1).unwrap().parse::<u64>().unwrap())
            .sum::<u64>()
    };
    std::thread::sleep(Duration::from_millis(300));
    let before = switches();
    std::thread::sleep(Duration::from_millis(1500));
    let after = switches();
    assert_eq!(before, after, "podinit woke up while idle");
    assert_eq!(run.finish().code, Some(0));
}

#[test]
fn verbosity_comes_from_v_and_tini_verbosity() {
    let done = as_subreaper(&["-v", "--", "true"]).finish();
    assert!(done.stderr.contains("[INFO  podinit"), "{}", done.stderr);
    assert!(!done.stderr.contains("[DEBUG"), "{}", done.stderr);
    let mut cmd = Command::new(podinit());
    cmd.args(["--", "true"]).env("TINI_VERBOSITY", "3");
    let done = run_command(cmd).finish();
    assert!(done.stderr.contains("[DEBUG podinit"), "{}", done.stderr);
    let mut cmd = Command::new(podinit());
    cmd.args(["-vvv", "--", "/nonexistent"])
        .env("TINI_VERBOSITY", "0");
    let done = run_command(cmd).finish();
    assert_eq!(done.code, Some(127));
    assert!(
        done.stderr.contains("[ERROR podinit"),
        "errors always show: {}",
        done.stderr
    );
    assert!(!done.stderr.contains("[INFO"), "{}", done.stderr);
}

#[test]
fn the_command_line_is_checked_like_tinis() {
    let cases: &[(&[&str], i32, &str, &str)] = &[
        (&[], 1, "", "Usage: podinit"),
        (&["-h"], 0, "Usage: podinit", ""),
        (&["--version"], 0, "podinit version", ""),
        (&["-l"], 0, "MIT License", ""),
        (&["-x", "true"], 1, "", "invalid option -- 'x'"),
        (
            &["-e", "256", "true"],
            1,
            "",
            "not a valid option for -e: 256",
        ),
        (
            &["-p", "SIGNOPE", "true"],
            1,
            "",
            "not a valid option for -p: SIGNOPE",
        ),
        (&["true"], 0, "", ""),
        (&["-s", "-g", "-w", "--", "true"], 0, "", ""),
        // tini's usage line, PROGRAM -- ARGS: getopt takes the `--` away.
        (&["echo", "-s", "--", "-n", "x"], 0, "x", ""),
        // and takes -c for itself here, as tini does.
        (&["sh", "-c", "exit 3"], 1, "", "invalid option -- 'c'"),
        (&["-e", "", "--", "true"], 0, "", ""),
    ];
    for (args, code, stdout, stderr) in cases {
        let done = as_subreaper(args).finish();
        assert_eq!(done.code, Some(*code), "{args:?}: {}", done.stderr);
        assert!(done.stdout.contains(stdout), "{args:?}: {}", done.stdout);
        assert!(done.stderr.contains(stderr), "{args:?}: {}", done.stderr);
    }
}

/// Regression: one process with a non-UTF-8 name made the /proc scan fail,
/// so no leftover was signalled at all.
#[test]
fn a_leftover_with_a_non_utf8_name_does_not_hide_the_others() {
    let dir = scratch("odd-name");
    let odd = dir.join("odd.pid");
    let plain = dir.join("plain.pid");
    // Two daemons: one with a name that is not UTF-8, one plain; both ignore
    // SIGTERM, so both need the SIGKILL after the grace.
    let script = r#"
        "$0" daemon "$1" --odd-name --ignore-term
        "$0" daemon "$2" --ignore-term
        exit 4
    "#;
    let mut args = vec![
        OsString::from("--grace"),
        OsString::from("0.3"),
        "--".into(),
        "sh".into(),
        "-c".into(),
    ];
    args.extend([
        script.into(),
        misbehave().into_os_string(),
        odd.clone().into(),
        plain.clone().into(),
    ]);
    let done = as_subreaper(&args).finish();
    assert_eq!(done.code, Some(4), "{}", done.stderr);
    assert_killed(&done, &[&odd, &plain]);
    let _ = std::fs::remove_dir_all(dir);
}

/// Regression: a process whose main thread has exited shows as a zombie in
/// /proc while its other threads run; it was skipped and outlived podinit.
#[test]
fn a_leftover_whose_main_thread_exited_is_still_killed() {
    let dir = scratch("zombie-leader");
    let pidfile = dir.join("daemon.pid");
    let mut args = vec![OsString::from("--grace"), OsString::from("0.3")];
    args.extend(fixture_args(&[
        "daemon",
        pidfile.to_str().unwrap(),
        "--zombie-leader",
        "--ignore-term",
        "--exit",
        "6",
    ]));
    let done = as_subreaper(&args).finish();
    assert_eq!(done.code, Some(6), "{}", done.stderr);
    assert_killed(&done, &[&pidfile]);
    let _ = std::fs::remove_dir_all(dir);
}

/// Regression: libc's own real-time signals (32 and 33 for glibc, 32 to 34
/// for musl) were left unblocked: they killed a subreaper podinit instead of
/// reaching the child.
#[test]
fn libcs_own_realtime_signals_are_forwarded_too() {
    let mut runs = vec![as_subreaper(&fixture_args(&[
        "signals",
        "--exit-on",
        "TERM",
    ]))];
    if require_root() {
        runs.push(as_pid1(&fixture_args(&["signals", "--exit-on", "TERM"])));
    }
    for mut run in runs {
        run.expect_line("ready");
        for signal in [32, 33, 34] {
            run.signal(signal);
            run.expect_line(&format!("got SIG{signal}"));
        }
        run.signal(libc::SIGTERM);
        let done = run.finish();
        assert_eq!(done.code, Some(0), "{}", done.stderr);
    }
}

/// With -g a SIGTERM for the container reaches the whole group; when the
/// program then exits, its group must not get a second SIGTERM (many
/// programs take a second one as "quit now").
#[test]
fn with_dash_g_the_group_gets_one_sigterm_not_two() {
    let mut args = vec![
        OsString::from("-g"),
        OsString::from("--grace"),
        OsString::from("1"),
    ];
    args.extend(fixture_args(&["family-signals", "--linger"]));
    let mut run = as_subreaper(&args);
    run.expect_line("parent ready");
    run.expect_line("grandchild ready");
    run.signal(libc::SIGTERM);
    let done = run.finish();
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    assert_eq!(
        done.stdout.matches("grandchild got SIGTERM").count(),
        1,
        "{}",
        done.stdout
    );
    assert!(
        done.stderr.contains("sending SIGKILL"),
        "the lingering grandchild needs SIGKILL: {}",
        done.stderr
    );
}

#[test]
fn without_its_own_procfs_podinit_says_what_it_cannot_find() {
    if !require_root() {
        return;
    }
    // A new PID namespace without a new /proc: podinit is not PID 1 there
    // (sh is) and /proc is the host's.
    let mut cmd = Command::new("unshare");
    cmd.args([
        "--pid",
        "--fork",
        "--kill-child",
        "sh",
        "-c",
        r#""$0" --grace 0.2 -- sh -c 'sleep 30 & exit 2'"#,
    ])
    .arg(podinit());
    let done = run_command(cmd).finish();
    assert_eq!(done.code, Some(2), "{}", done.stderr);
    assert_eq!(
        done.stderr
            .matches("is not the procfs of podinit's PID namespace")
            .count(),
        1,
        "warned once: {}",
        done.stderr
    );
}
