use super::*;

fn args(words: &[&str]) -> Vec<OsString> {
    words.iter().map(OsString::from).collect()
}

fn no_env(_: &str) -> Option<OsString> {
    None
}

fn tini(words: &[&str]) -> TiniArgs {
    match parse(&args(words), no_env) {
        Ok(Command::Tini(t)) => t,
        other => panic!("{words:?}: {other:?}"),
    }
}

#[test]
fn options_are_permuted_like_gnu_getopt() {
    let cases: &[(&[&str], &[&str], i32)] = &[
        (&["--", "sleep", "1"], &["sleep", "1"], 1),
        (&["sleep", "-v", "--"], &["sleep"], 2),
        (&["-v", "--", "-weird"], &["-weird"], 2),
        // tini's own usage line: PROGRAM -- ARGS
        (&["-g", "prog", "--", "x", "-v"], &["prog", "x", "-v"], 1),
        (&["prog", "a", "-v", "b"], &["prog", "a", "b"], 2),
        (&["-", "x"], &["-", "x"], 1),
    ];
    for (words, program, verbosity) in cases {
        let t = tini(words);
        assert_eq!(
            (&t.program, t.verbosity),
            (&args(program), *verbosity),
            "{words:?}"
        );
    }
    // tini takes -c for itself here, and refuses it.
    assert_eq!(
        parse(&args(&["sh", "-c", "exit 3"]), no_env).unwrap_err(),
        CliError::UnknownShort('c')
    );
}

#[test]
fn posixly_correct_stops_at_the_first_non_option() {
    let env = |name: &str| (name == "POSIXLY_CORRECT").then(OsString::new);
    let Ok(Command::Tini(t)) = parse(&args(&["-v", "sh", "-c", "x", "--", "y"]), env) else {
        panic!("not tini mode");
    };
    assert_eq!(t.program, args(&["sh", "-c", "x", "--", "y"]));
    assert_eq!(t.verbosity, 2);
}

#[test]
fn flags_group_and_take_values_attached_or_apart() {
    let t = tini(&["-vvgws", "-e143", "-e", "2", "-pSIGUSR1", "--", "x"]);
    assert_eq!(t.verbosity, 3);
    assert!(t.kill_process_group && t.warn_on_reap && t.subreaper);
    assert!(t.remap.contains(143) && t.remap.contains(2) && !t.remap.contains(0));
    assert_eq!(t.parent_death_signal, Some(Signal::USR1));
    let t = tini(&["-p", "SIGKILL", "--grace=0.5", "--grace", "3", "x"]);
    assert_eq!(t.parent_death_signal, Some(Signal::KILL));
    assert_eq!(t.grace, Duration::from_secs(3));
    assert_eq!(
        tini(&["--grace=0.25", "x"]).grace,
        Duration::from_millis(250)
    );
}

#[test]
fn help_version_and_license_win_where_they_appear() {
    let cases: &[(&[&str], Command)] = &[
        (&["-h"], Command::Help),
        (&["-vh", "x"], Command::Help),
        (&["--help"], Command::Help),
        (&["--version"], Command::Version),
        (&["-l"], Command::License),
    ];
    for (words, want) in cases {
        assert_eq!(&parse(&args(words), no_env).unwrap(), want, "{words:?}");
    }
}

#[test]
fn bad_command_lines_are_refused_with_tinis_words() {
    let cases: &[(&[&str], CliError)] = &[
        (&[], CliError::NoProgram),
        (&["-v"], CliError::NoProgram),
        (&["--"], CliError::NoProgram),
        (&["-x", "true"], CliError::UnknownShort('x')),
        (
            &["--bogus", "true"],
            CliError::UnknownLong("--bogus".into()),
        ),
        (&["-e"], CliError::MissingValue("e".into())),
        (&["-e", "256", "x"], CliError::ExitCode("256".into())),
        (&["-e", "-1", "x"], CliError::ExitCode("-1".into())),
        (&["-e", "3 ", "x"], CliError::ExitCode("3 ".into())),
        (&["-e", "3x", "x"], CliError::ExitCode("3x".into())),
        (&["-e", " ", "x"], CliError::ExitCode(" ".into())),
        (&["-p", "FOO", "x"], CliError::Signal("FOO".into())),
        (&["--grace", "-1", "x"], CliError::Grace("-1".into())),
        (&["--grace", "inf", "x"], CliError::Grace("inf".into())),
        (&["--grace"], CliError::MissingValue("--grace".into())),
    ];
    for (words, want) in cases {
        assert_eq!(&parse(&args(words), no_env).unwrap_err(), want, "{words:?}");
    }
    assert!(CliError::NoProgram.wants_usage());
    assert!(!CliError::ExitCode("x".into()).wants_usage());
}

#[test]
fn tini_environment_variables_apply_after_options() {
    let env = |name: &str| match name {
        "TINI_SUBREAPER" => Some(OsString::new()),
        "TINI_KILL_PROCESS_GROUP" => Some(OsString::from("0")),
        "TINI_VERBOSITY" => Some(OsString::from("3")),
        _ => None,
    };
    let Ok(Command::Tini(t)) = parse(&args(&["-v", "x"]), env) else {
        panic!("not tini mode");
    };
    assert!(t.subreaper && t.kill_process_group);
    assert_eq!(t.verbosity, 3);
}

#[test]
fn exit_codes_read_like_tinis_strtol() {
    for (text, want) in [
        ("", 0),
        ("0", 0),
        (" 3", 3),
        ("+3", 3),
        ("010", 10),
        ("-0", 0),
        ("255", 255),
    ] {
        let t = tini(&["-e", text, "x"]);
        assert!(t.remap.contains(want), "{text:?}");
    }
}

#[test]
fn validate_takes_files_formats_and_flags() {
    type Want<'a> = Result<(Vec<&'a str>, Option<Output>, bool), &'a str>;
    let cases: &[(&[&str], Want)] = &[
        (
            &["validate", "pod.yaml"],
            Ok((vec!["pod.yaml"], None, false)),
        ),
        (
            &["validate", "-f", "a.yaml", "b.yaml", "-"],
            Ok((vec!["a.yaml", "b.yaml", "-"], None, false)),
        ),
        (
            &["validate", "-o", "yaml", "x"],
            Ok((vec!["x"], Some(Output::Yaml), false)),
        ),
        (
            &["validate", "-ojson", "--ignore-unsupported", "x"],
            Ok((vec!["x"], Some(Output::Json), true)),
        ),
        (
            &["validate", "--output=yaml", "--filename=x"],
            Ok((vec!["x"], Some(Output::Yaml), false)),
        ),
        (
            &["validate", "--", "-odd-name"],
            Ok((vec!["-odd-name"], None, false)),
        ),
        (&["validate"], Err("no manifest given")),
        (
            &["validate", "-o", "xml", "x"],
            Err("unknown output format"),
        ),
        (&["validate", "-x", "x"], Err("unknown option")),
        (&["validate", "-o"], Err("needs a value")),
    ];
    for (words, want) in cases {
        match (parse(&args(words), no_env), want) {
            (Ok(Command::Validate(v)), Ok((files, output, ignore))) => {
                assert_eq!(
                    (
                        v.files.iter().map(String::as_str).collect::<Vec<_>>(),
                        v.output,
                        v.ignore_unsupported
                    ),
                    (files.clone(), *output, *ignore),
                    "{words:?}"
                );
            }
            (Err(CliError::Validate(m)), Err(part)) => {
                assert!(m.contains(part), "{words:?}: {m}")
            }
            (got, _) => panic!("{words:?}: {got:?}"),
        }
    }
    assert_eq!(
        parse(&args(&["validate", "-h"]), no_env),
        Ok(Command::ValidateHelp)
    );
    // After `--`, `validate` is a program.
    assert!(matches!(
        parse(&args(&["--", "validate"]), no_env),
        Ok(Command::Tini(_))
    ));
}

#[test]
fn atoi_reads_like_c() {
    for (text, want) in [
        ("2", 2),
        (" 3x", 3),
        ("x", 0),
        ("-1", -1),
        ("", 0),
        ("99999999999", i32::MAX),
    ] {
        assert_eq!(atoi(OsStr::new(text)), want, "{text:?}");
    }
}

#[test]
fn exit_code_set_holds_every_code() {
    let mut set = ExitCodeSet::default();
    for code in [0u8, 63, 64, 127, 128, 255] {
        assert!(!set.contains(code));
        set.insert(code);
        assert!(set.contains(code));
    }
}

#[test]
fn run_takes_files_and_options() {
    let args = |words: &[&str]| -> Vec<OsString> { words.iter().map(OsString::from).collect() };
    let parsed = parse(
        &args(&[
            "run",
            "pod.yaml",
            "-f",
            "cm.yaml",
            "--images=/srv/images",
            "--state-dir",
            "/tmp/s",
            "--backoff-initial",
            "1s",
            "--backoff-max=1m30s",
            "-vv",
        ]),
        |_| None,
    );
    let Ok(Command::Run(run)) = parsed else {
        panic!("{parsed:?}");
    };
    assert_eq!(run.files, ["pod.yaml", "cm.yaml"]);
    assert_eq!(run.images, std::path::PathBuf::from("/srv/images"));
    assert_eq!(run.state_dir, std::path::PathBuf::from("/tmp/s"));
    assert_eq!(run.backoff_initial, Duration::from_secs(1));
    assert_eq!(run.backoff_max, Duration::from_secs(90));
    assert_eq!(run.verbosity, 4);
    assert_eq!(parse(&args(&["run", "-h"]), |_| None), Ok(Command::RunHelp));
    for bad in [
        &["run"][..],
        &["run", "p.yaml", "--backoff-max", "0"],
        &["run", "p.yaml", "--backoff-initial", "0s"],
        &["run", "p.yaml", "--backoff-initial", "soon"],
        &["run", "p.yaml", "--nope"],
        &["run", "p.yaml", "--images"],
    ] {
        assert!(
            matches!(parse(&args(bad), |_| None), Err(CliError::Run(_))),
            "{bad:?}"
        );
    }
}

#[test]
fn durations_as_the_kubelet_writes_them() {
    let cases = [
        ("10s", Some(10_000)),
        ("500ms", Some(500)),
        ("1m30s", Some(90_000)),
        ("1.5", Some(1_500)),
        ("2h", Some(7_200_000)),
        ("0", Some(0)),
        ("", None),
        ("10 s", None),
        ("-1s", None),
        ("5x", None),
    ];
    for (text, millis) in cases {
        assert_eq!(
            parse_duration(text).map(|d| d.as_millis() as u64),
            millis,
            "{text:?}"
        );
    }
}

// ---- podinit status|describe|logs|exec|stop (cli/control.rs) --------------

fn control_args(words: &[&str]) -> control::ControlArgs {
    match parse(&args(words), no_env) {
        Ok(Command::Control(c)) => c,
        other => panic!("{words:?}: {other:?}"),
    }
}

fn action(words: &[&str]) -> control::Action {
    control_args(words).action
}

/// The message of a refused control command line.
fn control_error(words: &[&str]) -> String {
    match parse(&args(words), no_env) {
        Err(CliError::Control(m)) => m,
        other => panic!("{words:?}: {other:?}"),
    }
}

#[test]
fn status_takes_an_output_format() {
    use control::{Action, StatusOutput};
    let cases: &[(&[&str], StatusOutput)] = &[
        (&["status"], StatusOutput::Line),
        (&["status", "-o", "wide"], StatusOutput::Wide),
        (&["status", "-o", "json"], StatusOutput::Json),
        (&["status", "-o", "yaml"], StatusOutput::Yaml),
        (&["status", "-owide"], StatusOutput::Wide),
        (&["status", "-o=json"], StatusOutput::Json),
        (&["status", "--output", "yaml"], StatusOutput::Yaml),
        (&["status", "--output=wide"], StatusOutput::Wide),
        // The last one wins.
        (&["status", "-o", "json", "-o", "yaml"], StatusOutput::Yaml),
    ];
    for (words, output) in cases {
        assert_eq!(action(words), Action::Status(*output), "{words:?}");
    }
    let refused: &[(&[&str], &str)] = &[
        (&["status", "-o", "xml"], "unknown output format \"xml\""),
        (&["status", "-o", "name"], "unknown output format"),
        (&["status", "-o"], "-o needs a value"),
        (&["status", "pod"], "unexpected words: pod"),
        (&["status", "--bogus"], "unknown option \"--bogus\""),
    ];
    for (words, part) in refused {
        let message = control_error(words);
        assert!(message.starts_with("status: "), "{words:?}: {message}");
        assert!(message.contains(part), "{words:?}: {message}");
    }
}

#[test]
fn describe_takes_no_options_of_its_own() {
    assert_eq!(action(&["describe"]), control::Action::Describe);
    let refused: &[(&[&str], &str)] = &[
        (&["describe", "-o", "json"], "unknown option \"-o\""),
        (&["describe", "web"], "unexpected words: web"),
        (&["describe", "-f"], "unknown option \"-f\""),
    ];
    for (words, part) in refused {
        let message = control_error(words);
        assert!(message.starts_with("describe: "), "{words:?}: {message}");
        assert!(message.contains(part), "{words:?}: {message}");
    }
}

#[test]
fn logs_options_as_kubectl_spells_them() {
    use control::LogsArgs;
    let web = || Some("web".to_owned());
    let cases: Vec<(&[&str], LogsArgs)> = vec![
        (&["logs"], LogsArgs::default()),
        (
            &["logs", "web"],
            LogsArgs {
                container: web(),
                ..Default::default()
            },
        ),
        (
            &["logs", "-c", "web"],
            LogsArgs {
                container: web(),
                ..Default::default()
            },
        ),
        (
            &["logs", "-cweb"],
            LogsArgs {
                container: web(),
                ..Default::default()
            },
        ),
        (
            &["logs", "--container=web"],
            LogsArgs {
                container: web(),
                ..Default::default()
            },
        ),
        (
            &["logs", "-f", "web"],
            LogsArgs {
                container: web(),
                follow: true,
                ..Default::default()
            },
        ),
        (
            &["logs", "--follow"],
            LogsArgs {
                follow: true,
                ..Default::default()
            },
        ),
        (
            &["logs", "-p"],
            LogsArgs {
                previous: true,
                ..Default::default()
            },
        ),
        (
            &["logs", "--previous", "web"],
            LogsArgs {
                container: web(),
                previous: true,
                ..Default::default()
            },
        ),
        (
            &["logs", "-fp"],
            LogsArgs {
                follow: true,
                previous: true,
                ..Default::default()
            },
        ),
        (
            &["logs", "web", "-pf"],
            LogsArgs {
                container: web(),
                follow: true,
                previous: true,
                ..Default::default()
            },
        ),
        (
            &["logs", "--timestamps"],
            LogsArgs {
                timestamps: true,
                ..Default::default()
            },
        ),
        (
            &["logs", "--tail", "5"],
            LogsArgs {
                tail: Some(5),
                ..Default::default()
            },
        ),
        (
            &["logs", "--tail=0"],
            LogsArgs {
                tail: Some(0),
                ..Default::default()
            },
        ),
        // kubectl's default: every line.
        (
            &["logs", "--tail", "-1"],
            LogsArgs {
                tail: None,
                ..Default::default()
            },
        ),
        (
            &["logs", "--tail=-1"],
            LogsArgs {
                tail: None,
                ..Default::default()
            },
        ),
        (
            &["logs", "--since", "2m"],
            LogsArgs {
                since: Some(Duration::from_secs(120)),
                ..Default::default()
            },
        ),
        (
            &["logs", "--since=1h30m"],
            LogsArgs {
                since: Some(Duration::from_secs(5400)),
                ..Default::default()
            },
        ),
        (
            &[
                "logs",
                "-f",
                "--timestamps",
                "--tail",
                "10",
                "--since",
                "5s",
                "-c",
                "web",
            ],
            LogsArgs {
                container: web(),
                follow: true,
                timestamps: true,
                tail: Some(10),
                since: Some(Duration::from_secs(5)),
                ..Default::default()
            },
        ),
    ];
    for (words, logs) in cases {
        assert_eq!(action(words), control::Action::Logs(logs), "{words:?}");
    }
}

#[test]
fn logs_refuses_bad_values_and_extra_words() {
    let refused: &[(&[&str], &str)] = &[
        (
            &["logs", "--tail", "five"],
            "--tail: \"five\" is not a number of lines",
        ),
        (&["logs", "--tail", "1.5"], "is not a number of lines"),
        (&["logs", "--tail"], "--tail needs a value"),
        (
            &["logs", "--since", "soon"],
            "--since: \"soon\" is not a duration",
        ),
        (&["logs", "a", "b"], "unexpected words: a b"),
        // Named twice.
        (&["logs", "web", "-c", "db"], "unexpected words: web"),
        (&["logs", "-x"], "unknown option \"-x\""),
        (&["logs", "-i"], "unknown option \"-i\""),
        (&["logs", "--grace", "5"], "unknown option \"--grace\""),
    ];
    for (words, part) in refused {
        let message = control_error(words);
        assert!(message.starts_with("logs: "), "{words:?}: {message}");
        assert!(message.contains(part), "{words:?}: {message}");
    }
}

#[test]
fn exec_takes_the_container_then_the_command() {
    use control::ExecArgs;
    let exec = |container: Option<&str>, stdin, tty, command: &[&str]| ExecArgs {
        container: container.map(str::to_owned),
        stdin,
        tty,
        command: command.iter().map(|w| (*w).to_owned()).collect(),
    };
    let cases: &[(&[&str], ExecArgs)] = &[
        (
            &["exec", "web", "--", "sh", "-c", "x"],
            exec(Some("web"), false, false, &["sh", "-c", "x"]),
        ),
        (
            &["exec", "-it", "web", "--", "sh"],
            exec(Some("web"), true, true, &["sh"]),
        ),
        (
            &["exec", "-ti", "web", "--", "sh"],
            exec(Some("web"), true, true, &["sh"]),
        ),
        (
            &["exec", "-i", "web", "--", "cat"],
            exec(Some("web"), true, false, &["cat"]),
        ),
        (
            &["exec", "--stdin", "--tty", "web", "--", "sh"],
            exec(Some("web"), true, true, &["sh"]),
        ),
        // Options after the container, before `--`.
        (
            &["exec", "web", "-t", "--", "top"],
            exec(Some("web"), false, true, &["top"]),
        ),
        // Without `--`: the word after the container starts the command,
        // and everything after it is the command's.
        (
            &["exec", "web", "sh", "-c", "x"],
            exec(Some("web"), false, false, &["sh", "-c", "x"]),
        ),
        (
            &["exec", "web", "ls", "--", "-l"],
            exec(Some("web"), false, false, &["ls", "--", "-l"]),
        ),
        (
            &["exec", "-c", "web", "--", "ls"],
            exec(Some("web"), false, false, &["ls"]),
        ),
        (
            &["exec", "--container=web", "--", "ls"],
            exec(Some("web"), false, false, &["ls"]),
        ),
        // No container: the pod's first.
        (&["exec", "--", "ls"], exec(None, false, false, &["ls"])),
        (
            &["exec", "-it", "--", "sh"],
            exec(None, true, true, &["sh"]),
        ),
    ];
    for (words, want) in cases {
        assert_eq!(
            action(words),
            control::Action::Exec(want.clone()),
            "{words:?}"
        );
    }
}

#[test]
fn exec_without_a_command_is_refused() {
    let refused: &[(&[&str], &str)] = &[
        (&["exec"], "no command"),
        (&["exec", "web"], "no command"),
        (&["exec", "web", "--"], "no command"),
        (&["exec", "-c", "web"], "no command"),
        (&["exec", "-it", "--"], "no command"),
        // The container named twice.
        (
            &["exec", "-c", "web", "db", "--", "ls"],
            "the container is already named with -c",
        ),
        (&["exec", "-c"], "-c needs a value"),
        (&["exec", "-x", "web", "--", "ls"], "unknown option \"-x\""),
        (
            &["exec", "--tail", "5", "web", "--", "ls"],
            "unknown option \"--tail\"",
        ),
    ];
    for (words, part) in refused {
        let message = control_error(words);
        assert!(message.starts_with("exec: "), "{words:?}: {message}");
        assert!(message.contains(part), "{words:?}: {message}");
    }
}

#[test]
fn stop_takes_a_grace_period() {
    let stop = |grace: Option<u64>| control::Action::Stop {
        grace: grace.map(Duration::from_secs),
    };
    let cases: &[(&[&str], control::Action)] = &[
        (&["stop"], stop(None)),
        (&["stop", "--grace", "5"], stop(Some(5))),
        (&["stop", "--grace-period", "5"], stop(Some(5))),
        (&["stop", "--grace=5"], stop(Some(5))),
        (&["stop", "--grace-period=0"], stop(Some(0))),
        (&["stop", "--grace", "1m"], stop(Some(60))),
    ];
    for (words, want) in cases {
        assert_eq!(&action(words), want, "{words:?}");
    }
    let refused: &[(&[&str], &str)] = &[
        (
            &["stop", "--grace", "soon"],
            "--grace: \"soon\" is not a number of seconds",
        ),
        (&["stop", "--grace-period"], "--grace-period needs a value"),
        (&["stop", "now"], "unexpected words: now"),
        (&["stop", "-f"], "unknown option \"-f\""),
    ];
    for (words, part) in refused {
        let message = control_error(words);
        assert!(message.starts_with("stop: "), "{words:?}: {message}");
        assert!(message.contains(part), "{words:?}: {message}");
    }
}

#[test]

fn stop_grace_period_minus_one_is_the_pods_own() {
    assert_eq!(
        action(&["stop", "--grace-period=-1"]),
        control::Action::Stop { grace: None }
    );
    assert_eq!(
        action(&["stop", "--grace-period", "-1"]),
        control::Action::Stop { grace: None }
    );
}

#[test]

fn a_boolean_flag_with_false_attached_stays_off() {
    assert_eq!(
        action(&[
            "logs",
            "--previous=false",
            "--follow=false",
            "--timestamps=false"
        ]),
        control::Action::Logs(control::LogsArgs::default())
    );
    assert_eq!(
        action(&["logs", "-p=false"]),
        control::Action::Logs(control::LogsArgs::default())
    );
}

#[test]
fn pod_and_state_dir_apply_to_every_control_command() {
    let commands: &[&[&str]] = &[
        &["status"],
        &["describe"],
        &["logs"],
        &["exec", "web", "--", "ls"],
        &["stop"],
    ];
    for command in commands {
        let plain = control_args(command);
        assert_eq!(plain.pod, None, "{command:?}");
        assert_eq!(plain.state_dir, std::path::PathBuf::from(DEFAULT_STATE_DIR));
        // Before the command's own words (after them, exec's would be its
        // command's).
        let mut words = vec![command[0], "--pod", "web-0", "--state-dir", "/tmp/s"];
        words.extend(&command[1..]);
        let given = control_args(&words);
        assert_eq!(given.pod.as_deref(), Some("web-0"), "{words:?}");
        assert_eq!(
            given.state_dir,
            std::path::PathBuf::from("/tmp/s"),
            "{words:?}"
        );
        assert_eq!(given.action, plain.action, "{words:?}");
        let mut words = vec![command[0], "--pod=web-1", "--state-dir=/run/x"];
        words.extend(&command[1..]);
        let given = control_args(&words);
        assert_eq!(given.pod.as_deref(), Some("web-1"), "{words:?}");
        assert_eq!(
            given.state_dir,
            std::path::PathBuf::from("/run/x"),
            "{words:?}"
        );
        let message = control_error(&[command[0], "--pod"]);
        assert!(
            message.contains("--pod needs a value"),
            "{command:?}: {message}"
        );
    }
}

#[test]
fn dash_h_gives_the_usage_of_each_command() {
    for command in control::COMMANDS {
        for words in [
            vec![command, "-h"],
            vec![command, "--help"],
            // Wherever it appears, and whatever else is wrong after it.
            vec![command, "--pod", "p", "-h", "--bogus"],
        ] {
            let got = control_args(&words);
            assert_eq!(
                got.action,
                control::Action::Help(control::usage(command)),
                "{words:?}"
            );
        }
        assert!(
            control::usage(command).starts_with(&format!("Usage: podinit {command}")),
            "{command}"
        );
    }
}

#[test]
fn run_takes_log_options() {
    let run = |words: &[&str]| match parse(&args(words), no_env) {
        Ok(Command::Run(run)) => run,
        other => panic!("{words:?}: {other:?}"),
    };
    let defaults = run(&["run", "p.yaml"]);
    assert_eq!(defaults.log_dir, std::path::PathBuf::from(DEFAULT_LOG_DIR));
    assert!(!defaults.log_prefix);
    assert_eq!(
        (defaults.log_max_size, defaults.log_max_files),
        (10 * 1024 * 1024, 5)
    );
    let given = run(&[
        "run",
        "p.yaml",
        "--log-dir",
        "/tmp/logs",
        "--log-prefix",
        "--log-max-size",
        "1Mi",
        "--log-max-files",
        "3",
    ]);
    assert_eq!(given.log_dir, std::path::PathBuf::from("/tmp/logs"));
    assert!(given.log_prefix);
    assert_eq!((given.log_max_size, given.log_max_files), (1_048_576, 3));
    // (size, bytes)
    for (size, bytes) in [
        ("1Ki", 1024),
        ("1024", 1024),
        ("2M", 2_000_000),
        ("1.5Ki", 1536),
    ] {
        assert_eq!(
            run(&["run", "p.yaml", &format!("--log-max-size={size}")]).log_max_size,
            bytes,
            "{size}"
        );
    }
    assert_eq!(
        run(&["run", "p.yaml", "--log-dir=/l"]).log_dir,
        std::path::PathBuf::from("/l")
    );
}

#[test]
fn run_refuses_tiny_log_files_and_no_log_files() {
    let refused: &[(&[&str], &str)] = &[
        (
            &["run", "p.yaml", "--log-max-size", "10"],
            "--log-max-size: \"10\" is not a size of at least 1Ki",
        ),
        (
            &["run", "p.yaml", "--log-max-size", "1023"],
            "is not a size of at least 1Ki",
        ),
        (
            &["run", "p.yaml", "--log-max-size", "big"],
            "is not a size of at least 1Ki",
        ),
        (
            &["run", "p.yaml", "--log-max-size", "-1Mi"],
            "is not a size of at least 1Ki",
        ),
        (
            &["run", "p.yaml", "--log-max-files", "0"],
            "--log-max-files: \"0\" is not a number from 1 up",
        ),
        (
            &["run", "p.yaml", "--log-max-files", "-1"],
            "is not a number from 1 up",
        ),
        (
            &["run", "p.yaml", "--log-max-files", "many"],
            "is not a number from 1 up",
        ),
        (&["run", "p.yaml", "--log-dir"], "--log-dir needs a value"),
    ];
    for (words, part) in refused {
        match parse(&args(words), no_env) {
            Err(CliError::Run(message)) => assert!(message.contains(part), "{words:?}: {message}"),
            other => panic!("{words:?}: {other:?}"),
        }
    }
}
