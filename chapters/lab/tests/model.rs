//! The assistant's model with fixed calibration numbers: predictions move the
//! right way when the workload changes, respect the bounds the book states,
//! and each scenario gets the recommendation the book documents.

use lab::model::{self, Calibration, Profile, PythonBuild, Sizes, predict, recommend};
use lab::modes::Mode;
use lab::scenarios::{self, MATRIX};

fn cal() -> Calibration {
    Calibration::reference()
}

fn profile(tasks: u64, cpu_ms: f64, io_ms: f64, data_kb: f64) -> Profile {
    Profile {
        tasks,
        cpu_ms,
        io_ms,
        data_kb,
        shared_memory: false,
        max_concurrency: None,
        python: PythonBuild::Gil,
    }
}

fn ms(p: &Profile, mode: Mode) -> f64 {
    let sizes = Sizes::for_profile(p, cal().cores);
    predict(p, &sizes, &cal())
        .into_iter()
        .find(|x| x.mode == mode)
        .expect("every mode is predicted")
        .ms
}

fn ms_sized(p: &Profile, sizes: &Sizes, mode: Mode) -> f64 {
    predict(p, sizes, &cal())
        .into_iter()
        .find(|x| x.mode == mode)
        .expect("every mode is predicted")
        .ms
}

/// A spread of workloads: CPU-bound, I/O-bound, mixed, with and without data.
fn workloads() -> Vec<Profile> {
    vec![
        profile(1, 1.0, 0.0, 0.0),
        profile(7, 0.5, 2.0, 10.0),
        profile(100, 5.0, 0.0, 256.0),
        profile(1_000, 0.1, 20.0, 4.0),
        profile(500, 8.0, 8.0, 64.0),
        profile(20_000, 0.01, 50.0, 1.0),
    ]
}

#[test]
fn every_mode_is_predicted_once_and_positive() {
    for p in workloads() {
        let sizes = Sizes::for_profile(&p, 2);
        let preds = predict(&p, &sizes, &cal());
        let modes: Vec<Mode> = preds.iter().map(|x| x.mode).collect();
        assert_eq!(modes, Mode::ALL, "one prediction per mode, in order");
        for x in &preds {
            assert!(x.ms.is_finite() && x.ms > 0.0, "{p:?}: {x:?}");
            assert!(!x.terms.is_empty());
        }
    }
}

#[test]
fn more_tasks_never_take_less_time() {
    for p in workloads() {
        for mode in Mode::ALL {
            let more = Profile {
                tasks: p.tasks * 3 + 1,
                ..p.clone()
            };
            // Same pool sizes, so only the number of tasks changes.
            let sizes = Sizes::for_profile(&p, 2);
            assert!(
                ms_sized(&more, &sizes, mode) >= ms_sized(&p, &sizes, mode),
                "{mode:?}: {} tasks predicted faster than {}",
                more.tasks,
                p.tasks
            );
        }
    }
}

#[test]
fn more_computing_or_waiting_never_takes_less_time() {
    for p in workloads() {
        for mode in Mode::ALL {
            let base = ms(&p, mode);
            let cpu = Profile {
                cpu_ms: p.cpu_ms * 2.0 + 0.1,
                ..p.clone()
            };
            let io = Profile {
                io_ms: p.io_ms * 2.0 + 1.0,
                ..p.clone()
            };
            assert!(
                ms(&cpu, mode) >= base,
                "{mode:?}: more computing was faster for {p:?}"
            );
            assert!(
                ms(&io, mode) >= base,
                "{mode:?}: more waiting was faster for {p:?}"
            );
        }
    }
}

#[test]
fn input_size_costs_processes_far_more_than_threads() {
    let light = profile(200, 2.0, 0.0, 0.0);
    let heavy = Profile {
        data_kb: 4_096.0,
        ..light.clone()
    };
    let proc_cost = ms(&heavy, Mode::Processes) - ms(&light, Mode::Processes);
    let thread_cost = ms(&heavy, Mode::Threads) - ms(&light, Mode::Threads);
    assert!(proc_cost > 0.0 && thread_cost >= 0.0);
    assert!(
        proc_cost > 2.0 * thread_cost,
        "copying to processes ({proc_cost:.1} ms) must cost more than reading in place ({thread_cost:.1} ms)"
    );
    let shared = Profile {
        shared_memory: true,
        ..heavy.clone()
    };
    assert!(ms(&shared, Mode::Processes) > ms(&heavy, Mode::Processes));
    assert_eq!(ms(&shared, Mode::Threads), ms(&heavy, Mode::Threads));
}

#[test]
fn isolated_workers_skip_the_process_costs_but_not_the_copies() {
    let light = profile(200, 2.0, 0.0, 0.0);
    let heavy = Profile {
        data_kb: 4_096.0,
        ..light.clone()
    };
    // No process to start, no pipe: cheaper than processes at any input size.
    for p in [&light, &heavy] {
        assert!(ms(p, Mode::Isolated) < ms(p, Mode::Processes), "{p:?}");
    }
    // But every task's input is copied in and out, where threads read it in place.
    let copies = ms(&heavy, Mode::Isolated) - ms(&light, Mode::Isolated);
    let in_place = ms(&heavy, Mode::Threads) - ms(&light, Mode::Threads);
    assert!(
        copies > 2.0 * in_place,
        "copies {copies:.1} ms vs {in_place:.1} ms"
    );
    assert!(ms(&heavy, Mode::Isolated) > ms(&heavy, Mode::Threads));
}

#[test]
fn subinterpreters_are_recommended_only_where_the_python_has_them() {
    let cpu = profile(1_000, 1.0, 0.0, 1.0);
    let advise = |python| {
        let p = Profile {
            python,
            ..cpu.clone()
        };
        recommend(&p, &Sizes::for_profile(&p, 2), &cal())
    };
    let gil = advise(PythonBuild::Gil);
    assert_eq!(gil.model, Mode::Processes, "{:?}", gil.why);
    assert!(
        gil.why
            .iter()
            .any(|w| w.contains("--python subinterpreters")),
        "{:?}",
        gil.why
    );
    let sub = advise(PythonBuild::Subinterpreters);
    assert_eq!(sub.model, Mode::Isolated, "{:?}", sub.why);
    assert!(
        sub.why
            .iter()
            .any(|w| w.contains("InterpreterPoolExecutor"))
    );
    let free = advise(PythonBuild::FreeThreaded);
    assert_eq!(free.model, Mode::Threads, "{:?}", free.why);
    for (python, advice) in [
        (PythonBuild::Gil, &gil),
        (PythonBuild::Subinterpreters, &sub),
        (PythonBuild::FreeThreaded, &free),
    ] {
        assert!(python.options().contains(&advice.model));
    }
    assert!(!PythonBuild::Gil.options().contains(&Mode::Isolated));
}

#[test]
fn with_large_inputs_the_assistant_says_the_copies_eat_the_gain() {
    let big = Profile {
        python: PythonBuild::Subinterpreters,
        ..profile(200, 0.5, 0.0, 4_096.0)
    };
    let advice = recommend(&big, &Sizes::for_profile(&big, 2), &cal());
    assert!(
        advice
            .why
            .iter()
            .any(|w| w.contains("share them instead") && w.contains("shared_memory")),
        "{:?}",
        advice.why
    );
    let small = Profile {
        data_kb: 1.0,
        ..big.clone()
    };
    let advice = recommend(&small, &Sizes::for_profile(&small, 2), &cal());
    assert!(
        !advice.why.iter().any(|w| w.contains("share them instead")),
        "{:?}",
        advice.why
    );
}

#[test]
fn sequential_is_the_sum_of_the_tasks() {
    let c = cal();
    let p = profile(100, 2.0, 3.0, 0.0);
    let expected = 100.0 * (2.0 + 3.0 + c.sleep_overshoot_ms);
    assert!((ms(&p, Mode::Sequential) - expected).abs() < 1e-9);
}

#[test]
fn the_gil_serialises_computing_and_free_threads_are_bounded_by_cores() {
    let c = cal();
    for p in workloads() {
        let cpu_total = p.tasks as f64 * p.cpu_ms;
        assert!(
            ms(&p, Mode::GilThreads) >= cpu_total,
            "GIL threads can't compute faster than one core: {p:?}"
        );
        assert!(
            ms(&p, Mode::Async) >= cpu_total,
            "one event loop can't compute faster than one core: {p:?}"
        );
        assert!(ms(&p, Mode::Threads) >= cpu_total / c.cores as f64);
    }
}

#[test]
fn cpu_bound_work_gains_nothing_from_gil_threads_and_nearly_cores_from_processes() {
    let c = cal();
    let p = profile(1_000, 2.0, 0.0, 0.0);
    let seq = ms(&p, Mode::Sequential);
    let gil = seq / ms(&p, Mode::GilThreads);
    let procs = seq / ms(&p, Mode::Processes);
    let free = seq / ms(&p, Mode::Threads);
    assert!(
        gil <= 1.0,
        "GIL threads predicted {gil:.2}x on CPU-bound work"
    );
    assert!(
        procs > 0.9 * c.parallel_speedup && procs <= c.parallel_speedup,
        "{procs:.2}x"
    );
    assert!(
        free > procs,
        "free threads pay no start-up: {free:.2}x vs {procs:.2}x"
    );
}

#[test]
fn io_bound_work_scales_with_workers_not_cores() {
    let p = profile(1_000, 0.0, 10.0, 0.0);
    let few = Sizes {
        threads: 4,
        processes: 2,
        in_flight: 4,
    };
    let many = Sizes {
        threads: 50,
        processes: 2,
        in_flight: 500,
    };
    for mode in [Mode::GilThreads, Mode::Threads, Mode::Async] {
        let slow = ms_sized(&p, &few, mode);
        let fast = ms_sized(&p, &many, mode);
        assert!(
            fast < slow / 5.0,
            "{mode:?}: {slow:.0} ms with few, {fast:.0} ms with many"
        );
    }
    // Same concurrency: threads and async are within 20% of each other.
    let t = ms_sized(&p, &few, Mode::GilThreads);
    let a = ms_sized(&p, &few, Mode::Async);
    assert!(
        (t - a).abs() / t < 0.2,
        "threads {t:.0} ms vs async {a:.0} ms"
    );
}

#[test]
fn tiny_jobs_stay_sequential_and_ties_go_to_the_simpler_option() {
    let tiny = profile(10, 0.01, 0.0, 0.0);
    let advice = recommend(&tiny, &Sizes::for_profile(&tiny, 2), &cal());
    assert_eq!(advice.model, Mode::Sequential, "{:?}", advice.why);

    // Pure waiting with the same concurrency for threads and async: a tie
    // that threads (no rewrite into async) win.
    let waits = Profile {
        max_concurrency: Some(8),
        ..profile(400, 0.0, 10.0, 0.0)
    };
    let advice = recommend(&waits, &Sizes::for_profile(&waits, 2), &cal());
    assert_eq!(advice.model, Mode::GilThreads, "{:?}", advice.why);
}

#[test]
fn the_recommendation_is_within_the_tie_of_the_fastest_python_option() {
    for p in workloads() {
        let advice = recommend(&p, &Sizes::for_profile(&p, 2), &cal());
        let best = model::PYTHON_OPTIONS
            .iter()
            .map(|&m| advice.predicted(m))
            .fold(f64::INFINITY, f64::min);
        assert!(model::PYTHON_OPTIONS.contains(&advice.model));
        assert!(advice.predicted(advice.model) <= best * (1.0 + model::TIE));
        assert!(advice.why.len() >= 3, "{:?}", advice.why);
        assert!(advice.why.iter().any(|w| w.starts_with("In Rust:")));
    }
}

#[test]
fn each_scenario_gets_its_documented_recommendation() {
    for s in scenarios::all() {
        let advice = recommend(&s.profile, &Sizes::for_profile(&s.profile, 2), &cal());
        assert_eq!(
            advice.model, s.expected,
            "scenario {} should be {:?}; reasons: {:#?}",
            s.key, s.expected, advice.why
        );
    }
}

#[test]
fn the_matrix_agrees_with_the_assistant() {
    for row in MATRIX {
        assert!(
            [
                "threads",
                "processes",
                "subinterpreters",
                "async",
                "hybrid",
                "sequential",
                "distributed"
            ]
            .contains(&row.model),
            "{}: unknown model {}",
            row.scenario,
            row.model
        );
        if let Some(key) = row.assistant {
            let s = scenarios::find(key).expect("the matrix names a real scenario");
            assert_eq!(model::model_name(s.expected), row.model, "{}", row.scenario);
            assert_eq!(s.title, row.scenario);
        }
    }
    let seed_six = [
        "Web scraping thousands of pages",
        "Image processing pipeline",
        "Real-time web API serving",
        "Scientific computing with NumPy",
        "Database-heavy operations",
        "Machine learning training",
    ];
    for (row, title) in MATRIX.iter().zip(seed_six) {
        assert_eq!(row.scenario, title, "the seed's six come first, in order");
    }
}

#[test]
fn a_cpu_share_splits_the_task() {
    let p = Profile::from_share(10, 20.0, 0.25);
    assert_eq!((p.cpu_ms, p.io_ms), (5.0, 15.0));
    assert_eq!(p.cpu_share(), 0.25);
    assert_eq!(
        Profile::from_share(1, 10.0, 7.0).cpu_ms,
        10.0,
        "clamped to 1"
    );
}

#[test]
fn the_rows_measured_as_systems_name_a_real_scenario_run() {
    let runs: Vec<&str> = MATRIX
        .iter()
        .filter_map(|r| scenarios::measured_by(r.scenario))
        .collect();
    for sub in ["web", "collect", "realtime"] {
        let cmd = format!("cargo run --release -p scenarios -- {sub}");
        assert!(runs.contains(&cmd.as_str()), "no matrix row runs `{cmd}`");
    }
    assert_eq!(
        scenarios::measured_by("web-api"),
        scenarios::measured_by("Real-time web API serving"),
        "the assistant's scenario and its matrix row point at the same run"
    );
}
