use super::*;
use crate::cli::DEFAULT_GRACE;

const CHILD: Pid = 42;

fn args() -> TiniArgs {
    TiniArgs {
        program: vec!["x".into()],
        verbosity: 1,
        subreaper: false,
        parent_death_signal: None,
        warn_on_reap: false,
        kill_process_group: false,
        remap: ExitCodeSet::default(),
        grace: DEFAULT_GRACE,
    }
}

/// An event fed to the supervisor in a table.
#[derive(Debug, Clone, Copy)]
enum Ev {
    Sig(Signal),
    /// A child exits, others are left.
    Exit(Pid, ExitStatus),
    /// A child exits, and it was the last.
    LastExit(Pid, ExitStatus),
    Fire(Timer),
    NoChildren,
}

fn feed(sup: &mut Supervisor, events: &[Ev]) -> Vec<Action> {
    let mut actions = Vec::new();
    for ev in events {
        match *ev {
            Ev::Sig(s) => sup.on_signal(s, &mut actions),
            Ev::Exit(pid, st) => sup.on_exit(pid, st, true, &mut actions),
            Ev::LastExit(pid, st) => sup.on_exit(pid, st, false, &mut actions),
            Ev::Fire(t) => sup.on_timer(t, &mut actions),
            Ev::NoChildren => sup.on_no_children(&mut actions),
        }
    }
    actions
}

const EXIT_3: ExitStatus = ExitStatus::Exited(3);

fn arm(after: Duration, timer: Timer) -> Action {
    Action::Arm { after, timer }
}

fn leftovers(signal: Signal) -> Action {
    Action::SignalLeftovers {
        signal,
        spare_group: None,
    }
}

#[test]
fn supervisor_follows_the_rules_of_tini_mode() {
    use Action::*;
    let term = Signal::TERM;
    let killed = ExitStatus::Signaled {
        signal: term,
        core: false,
    };
    let mut remap_143 = args();
    remap_143.remap.insert(143);
    let mut group = args();
    group.kill_process_group = true;
    let mut no_grace = args();
    no_grace.grace = Duration::ZERO;

    let cases: Vec<(&str, TiniArgs, Vec<Ev>, Vec<Action>)> = vec![
        (
            "signals go to the child, SIGCHLD does not",
            args(),
            vec![Ev::Sig(term), Ev::Sig(Signal::CHLD), Ev::Sig(Signal::USR1)],
            vec![
                Forward {
                    target: CHILD,
                    signal: term,
                },
                Forward {
                    target: CHILD,
                    signal: Signal::USR1,
                },
            ],
        ),
        (
            "-g forwards to the process group",
            group.clone(),
            vec![Ev::Sig(Signal::HUP)],
            vec![Forward {
                target: -CHILD,
                signal: Signal::HUP,
            }],
        ),
        (
            "other children are only reaped",
            args(),
            vec![Ev::Exit(7, EXIT_3)],
            vec![],
        ),
        (
            "the child's exit drains the leftovers, then exits with its code",
            args(),
            vec![Ev::Exit(CHILD, EXIT_3), Ev::NoChildren],
            vec![leftovers(term), arm(DEFAULT_GRACE, Timer::Kill), Exit(3)],
        ),
        (
            "the child's exit, with nothing left behind, exits at once",
            args(),
            vec![Ev::LastExit(CHILD, EXIT_3), Ev::NoChildren],
            vec![Exit(3), Exit(3)],
        ),
        (
            "leftovers that outlive the grace get SIGKILL",
            args(),
            vec![
                Ev::Exit(CHILD, EXIT_3),
                Ev::Fire(Timer::Kill),
                Ev::NoChildren,
            ],
            vec![
                leftovers(term),
                arm(DEFAULT_GRACE, Timer::Kill),
                leftovers(Signal::KILL),
                arm(KILL_TIMEOUT, Timer::GiveUp),
                Exit(3),
            ],
        ),
        (
            "a stop request while draining skips the grace",
            args(),
            vec![
                Ev::Exit(CHILD, EXIT_3),
                Ev::Sig(Signal::INT),
                Ev::Sig(Signal::USR1),
            ],
            vec![
                leftovers(term),
                arm(DEFAULT_GRACE, Timer::Kill),
                leftovers(Signal::KILL),
                arm(KILL_TIMEOUT, Timer::GiveUp),
            ],
        ),
        (
            "SIGHUP while draining is not a stop request",
            args(),
            vec![Ev::Exit(CHILD, EXIT_3), Ev::Sig(Signal::HUP)],
            vec![leftovers(term), arm(DEFAULT_GRACE, Timer::Kill)],
        ),
        (
            "with -g, a group that got SIGTERM is spared a second one",
            group.clone(),
            vec![Ev::Sig(term), Ev::Exit(CHILD, EXIT_3)],
            vec![
                Forward {
                    target: -CHILD,
                    signal: term,
                },
                SignalLeftovers {
                    signal: term,
                    spare_group: Some(CHILD),
                },
                arm(DEFAULT_GRACE, Timer::Kill),
            ],
        ),
        (
            "with -g, a reload signal does not spare the group",
            group.clone(),
            vec![Ev::Sig(Signal::HUP), Ev::Exit(CHILD, EXIT_3)],
            vec![
                Forward {
                    target: -CHILD,
                    signal: Signal::HUP,
                },
                leftovers(term),
                arm(DEFAULT_GRACE, Timer::Kill),
            ],
        ),
        (
            "processes stuck after SIGKILL are given up on",
            no_grace,
            vec![
                Ev::Exit(CHILD, EXIT_3),
                Ev::Fire(Timer::Kill),
                Ev::Fire(Timer::GiveUp),
            ],
            vec![
                leftovers(Signal::KILL),
                arm(KILL_TIMEOUT, Timer::GiveUp),
                Exit(3),
            ],
        ),
        (
            "death by signal is 128+N, and -e remaps it",
            remap_143,
            vec![Ev::Exit(CHILD, killed), Ev::NoChildren],
            vec![leftovers(term), arm(DEFAULT_GRACE, Timer::Kill), Exit(0)],
        ),
        (
            "no children before the child exits changes nothing",
            args(),
            vec![Ev::NoChildren, Ev::Fire(Timer::Kill)],
            vec![],
        ),
    ];
    for (name, args, events, want) in cases {
        let mut sup = Supervisor::new(CHILD, &args);
        assert_eq!(feed(&mut sup, &events), want, "{name}");
    }
}

#[test]
fn a_second_exit_report_of_the_child_is_ignored() {
    let mut sup = Supervisor::new(CHILD, &args());
    feed(&mut sup, &[Ev::Exit(CHILD, EXIT_3)]);
    assert_eq!(sup.phase(), Phase::Draining { code: 3 });
    assert!(feed(&mut sup, &[Ev::Exit(CHILD, ExitStatus::Exited(9))]).is_empty());
    assert_eq!(sup.phase(), Phase::Draining { code: 3 });
}

#[test]
fn errors_read_on_one_line_with_their_cause() {
    let err = TiniError::Fork {
        program: "app".into(),
        source: io::Error::from_raw_os_error(libc::EAGAIN),
    };
    assert_eq!(
        err.report(),
        "cannot fork to start \"app\": Resource temporarily unavailable"
    );
}
