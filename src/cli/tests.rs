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
