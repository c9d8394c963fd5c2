use super::*;

/// An answer of the probe, recorded or documented (see the folder's README).
fn answer(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/probe-answers")
        .join(format!("{name}.json"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn facts(name: &str) -> Facts {
    Facts::parse(&answer(name)).unwrap()
}

#[test]
fn default_builds_before_3_14_have_the_gil_and_no_subinterpreters() {
    for name in ["recorded-3.11.7", "recorded-3.12.1", "recorded-3.13.0"] {
        let f = facts(name);
        assert!(!f.free_threaded_build && f.gil_enabled, "{name}");
        assert_eq!(f.build(), "default build (GIL on)");
        assert!(!f.free_threads().is_yes(), "{name}");
        assert!(!f.interpreter_pool().is_yes(), "{name}");
        assert!(f.gil_on_args().is_empty(), "{name}");
    }
    let f = facts("recorded-3.13.0");
    assert_eq!(f.version_info, (3, 13, 0));
    let Support::No { why, get } = f.interpreter_pool() else {
        unreachable!()
    };
    assert!(why.contains("3.14") && why.contains("3.13.0"), "{why}");
    assert!(get.contains("uv python install 3.14"), "{get}");
}

#[test]
fn a_free_threaded_build_with_the_gil_off_runs_free_threads() {
    let f = facts("documented-3.13.1t");
    assert_eq!(f.free_threads(), Support::Yes);
    assert_eq!(f.build(), "free-threaded build, GIL off");
    assert!(
        !f.interpreter_pool().is_yes(),
        "3.13 has no InterpreterPoolExecutor"
    );
    // The same build can run the GIL rows too, with the GIL turned back on.
    assert_eq!(f.gil_on_args(), ["-X", "gil=1"]);
}

#[test]
fn the_build_is_not_the_run_time_state() {
    // A free-threaded build whose GIL an extension turned back on: the
    // build says free-threaded, the threads still take turns.
    let f = facts("documented-3.13.1t-gil-on");
    assert!(f.free_threaded_build && f.gil_enabled);
    let Support::No { why, .. } = f.free_threads() else {
        panic!("free threads offered while the GIL is on")
    };
    assert!(why.contains("GIL on"), "{why}");
    assert!(f.build().contains("GIL is ON at run time"), "{}", f.build());
}

#[test]
fn python_3_14_has_interpreter_pools_and_forkserver() {
    let f = facts("documented-3.14.0");
    assert_eq!(f.interpreter_pool(), Support::Yes);
    assert!(!f.free_threads().is_yes());
    assert_eq!(f.start_method, "forkserver");
    let t = facts("documented-3.14.0t");
    assert_eq!(t.interpreter_pool(), Support::Yes);
    assert_eq!(t.free_threads(), Support::Yes);
}

#[test]
fn unreadable_answers_are_errors_not_guesses() {
    assert!(matches!(Facts::parse(""), Err(FindError::Probe(_))));
    assert!(matches!(
        Facts::parse("Python 3.11.7"),
        Err(FindError::Probe(_))
    ));
    assert!(matches!(
        Facts::parse(r#"{"version": "3.11.7"}"#),
        Err(FindError::Probe(_))
    ));
    // A warning printed before the answer (an extension re-enabling the GIL) is passed over.
    let warned = format!(
        "RuntimeWarning: The global interpreter lock (GIL) has been enabled\n{}",
        answer("documented-3.13.1t-gil-on")
    );
    assert!(Facts::parse(&warned).unwrap().gil_enabled);
}

#[cfg(unix)]
mod discovery {
    use super::*;

    /// A folder of stand-in interpreters: shell scripts that print a recorded answer.
    fn fake_path(names: &[(&str, &str)]) -> tempfile::TempDir {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::Builder::new()
            .prefix("course-support-path-")
            .tempdir()
            .unwrap();
        for (name, answer_name) in names {
            let file = dir.path().join(name);
            let script = format!("#!/bin/sh\ncat <<'EOF'\n{}\nEOF\n", answer(answer_name));
            std::fs::write(&file, script).unwrap();
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        dir
    }

    #[test]
    fn the_most_capable_interpreter_on_path_is_chosen() {
        let dir = fake_path(&[
            ("python3", "recorded-3.11.7"),
            ("python3.14", "documented-3.14.0"),
            ("python3.13t", "documented-3.13.1t"),
        ]);
        let found = find_in(None, None, dir.path()).unwrap();
        assert_eq!(found.source, Source::Path("python3.13t"));
        assert!(found.facts.free_threaded_build);
        assert_eq!(found.also_found, ["python3.14", "python3"]);
        let line = found.describe();
        assert!(
            line.contains("Python 3.13.1")
                && line.contains("free-threaded build, GIL off")
                && line.contains("python3.13t on PATH")
                && line.contains("also on PATH: python3.14, python3"),
            "{line}"
        );
    }

    #[test]
    fn the_flag_wins_over_the_environment_and_the_environment_over_path() {
        let dir = fake_path(&[
            ("python3", "recorded-3.11.7"),
            ("py314", "documented-3.14.0"),
        ]);
        let py314 = dir.path().join("py314");
        let by_env = find_in(None, Some(py314.clone().into()), dir.path()).unwrap();
        assert_eq!(by_env.source, Source::Env);
        assert_eq!(by_env.facts.version, "3.14.0");
        let by_flag = find_in(
            Some(&dir.path().join("python3")),
            Some(py314.into()),
            dir.path(),
        )
        .unwrap();
        assert_eq!(by_flag.source, Source::Flag);
        assert_eq!(by_flag.facts.version, "3.11.7");
        assert!(by_flag.describe().contains("(--python-bin)"));
    }

    #[test]
    fn a_missing_interpreter_is_said_plainly() {
        let empty = fake_path(&[]);
        let err = find_in(None, None, empty.path()).unwrap_err();
        assert_eq!(err, FindError::NotFound);
        assert!(err.to_string().contains("--python-bin"), "{err}");
        let asked = empty.path().join("python3.99");
        let err = find_in(Some(&asked), None, empty.path()).unwrap_err();
        assert!(
            matches!(
                err,
                FindError::CannotRun {
                    source: Source::Flag,
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(err.to_string().contains("python3.99"), "{err}");
    }

    #[test]
    fn the_real_probe_answers_on_this_machine() {
        let Ok(found) = find(None) else {
            eprintln!("no Python on PATH: skipped");
            return;
        };
        assert!(found.facts.version_info.0 >= 3);
        assert!(found.facts.process_cpu_count.unwrap_or(1) >= 1);
        // The build and the run-time state agree where there is no free threading.
        if !found.facts.free_threaded_build {
            assert!(found.facts.gil_enabled);
        }
    }
}
