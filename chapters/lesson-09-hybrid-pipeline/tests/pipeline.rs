//! The pipeline's claims: exact results in every variant, a bound that
//! holds, backpressure vs an unbounded queue, errors, and graceful stops.

mod common;

use std::time::Duration;

use common::{config, heavy, light, threads_left, within};
use lesson_09_hybrid_pipeline::bridge::Capacity;
use lesson_09_hybrid_pipeline::fetch::FetchError;
use lesson_09_hybrid_pipeline::pipeline::{self, PipelineError};
use lesson_09_hybrid_pipeline::scenario::Scenario;
use lesson_09_hybrid_pipeline::stop::StopSignal;
use lesson_09_hybrid_pipeline::variants::Variant;
use loopback_http::server::Fault;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[test]
fn every_variant_processes_each_item_once_with_the_sequential_result() {
    within("four variants", || {
        let scenario = Scenario {
            latency: ms(2),
            ..Scenario::new(40)
        };
        let running = scenario.start().unwrap();
        let base = config(4, 2, light());
        let stop = StopSignal::new();
        let sequential = Variant::Sequential
            .run(&running.urls, &base, &stop)
            .expect("sequential run");
        assert_eq!(
            sequential.aggregate.indices,
            (0..40).collect::<Vec<_>>(),
            "every item exactly once"
        );
        for variant in Variant::ALL {
            let report = variant.run(&running.urls, &base, &stop).unwrap();
            assert_eq!(
                report.aggregate,
                sequential.aggregate,
                "{}: a different aggregate than the sequential run",
                variant.label()
            );
            report
                .check_flow()
                .unwrap_or_else(|why| panic!("{}: {why}", variant.label()));
            assert!(!report.stopped_early);
        }
    });
}

#[test]
fn concurrent_variants_really_have_requests_in_flight_together() {
    within("peak in flight per variant", || {
        let scenario = Scenario {
            latency: ms(30),
            ..Scenario::new(24)
        };
        let running = scenario.start().unwrap();
        let base = config(6, 2, light());
        let stop = StopSignal::new();
        for variant in Variant::ALL {
            running.server.reset_peak();
            variant.run(&running.urls, &base, &stop).unwrap();
            let peak = running.server.stats().peak_in_flight;
            let expected = variant.config(&base).concurrency;
            assert_eq!(
                peak,
                expected,
                "{}: the server saw {peak} requests at once, expected {expected}",
                variant.label()
            );
        }
    });
}

#[test]
fn the_bounded_channel_never_holds_more_than_its_capacity() {
    let report = within("bounded pipeline, slow CPU", || {
        let scenario = Scenario {
            latency: Duration::ZERO,
            ..Scenario::new(40)
        };
        let running = scenario.start().unwrap();
        let cfg = pipeline::Config {
            capacity: Capacity::Bounded(2),
            ..config(8, 1, heavy())
        };
        pipeline::run(&running.urls, &cfg, &StopSignal::new()).unwrap()
    });
    let q = report.queue.clone().unwrap();
    assert!(
        q.max_depth <= 2,
        "the channel held {} > 2 items",
        q.max_depth
    );
    assert_eq!(
        q.max_depth, 2,
        "with a slow CPU stage the channel fills up to its capacity"
    );
    assert_eq!((q.sent, q.received), (40, 40));
    report.check_flow().unwrap();
    assert_eq!(report.aggregate.items, 40);
}

#[test]
fn an_unbounded_channel_grows_past_that_capacity() {
    let report = within("unbounded pipeline, slow CPU", || {
        let scenario = Scenario {
            latency: Duration::ZERO,
            ..Scenario::new(40)
        };
        let running = scenario.start().unwrap();
        let cfg = pipeline::Config {
            capacity: Capacity::Unbounded,
            ..config(8, 1, heavy())
        };
        pipeline::run(&running.urls, &cfg, &StopSignal::new()).unwrap()
    });
    let q = report.queue.clone().unwrap();
    assert!(
        q.max_depth > 2,
        "without a bound, fetching runs ahead of the slow CPU stage: the queue should grow past 2, \
         it reached {}",
        q.max_depth
    );
    assert!(
        report.fetch_finished < report.wall,
        "fetching finished before the CPU stage did"
    );
    report.check_flow().unwrap();
    assert_eq!(report.aggregate.items, 40);
}

#[test]
fn a_fatal_error_stops_the_pipeline_cancels_fetches_and_is_returned() {
    let (failed, stall_path) = within("a pipeline with a fatal error", || {
        let scenario = Scenario {
            latency: ms(10),
            fatal_at: Some(6),
            stall_at: Some(2),
            ..Scenario::new(300)
        };
        let running = scenario.start().unwrap();
        // A minute per request: returning early is only possible by cancelling the stall.
        let cfg = pipeline::Config {
            fetch_timeout: Duration::from_secs(60),
            ..config(4, 2, light())
        };
        let failed = pipeline::run(&running.urls, &cfg, &StopSignal::new())
            .expect_err("a 403 is fatal: run must return Err");
        (failed, scenario.path(2))
    });
    match &failed.error {
        PipelineError::Fetch(e) => {
            assert_eq!(e.index, 6, "the error names the item that failed");
            assert_eq!(e.error, FetchError::Status(403));
        }
        other => panic!("expected the fatal fetch error, got {other}"),
    }
    let partial = &failed.partial;
    assert!(
        partial.not_started > 0,
        "fetching stopped: some URLs were never requested"
    );
    assert!(
        partial.cancelled >= 1,
        "the stalled fetch ({stall_path}) was in flight and must have been cancelled"
    );
    assert!(
        !partial.aggregate.indices.contains(&2),
        "the stalled item never arrived"
    );
    partial.check_flow().unwrap();
    assert_eq!(
        threads_left(&partial.tag),
        0,
        "every thread of the run is joined"
    );
}

#[test]
fn non_fatal_errors_are_counted_and_the_rest_is_processed() {
    let scenario = Scenario {
        latency: ms(1),
        fail_rate: 0.25,
        ..Scenario::new(80)
    };
    let failing: Vec<usize> = (0..80)
        .filter(|&i| {
            loopback_http::server::ServerConfig::default()
                .fail_rate(0.25)
                .fault_for(&scenario.path(i))
                == Fault::Fail
        })
        .collect();
    assert!(!failing.is_empty());
    let report = within("a pipeline with 500s", move || {
        let running = scenario.start().unwrap();
        pipeline::run(&running.urls, &config(4, 2, light()), &StopSignal::new()).unwrap()
    });
    assert_eq!(
        report.errors.total(),
        failing.len(),
        "every 500 counted once"
    );
    assert_eq!(report.fetch().failed, failing.len());
    let ok: Vec<usize> = (0..80).filter(|i| !failing.contains(i)).collect();
    assert_eq!(
        report.aggregate.indices, ok,
        "every other item processed once"
    );
    report.check_flow().unwrap();
}

#[test]
fn the_stop_signal_drains_in_flight_items_and_returns_partial_results() {
    let report = within("a pipeline stopped after 10 items", || {
        let scenario = Scenario {
            latency: ms(10),
            ..Scenario::new(400)
        };
        let running = scenario.start().unwrap();
        let cfg = pipeline::Config {
            stop_after: Some(10),
            ..config(4, 2, light())
        };
        let stop = StopSignal::new();
        let report = pipeline::run(&running.urls, &cfg, &stop).unwrap();
        assert!(stop.is_triggered(), "stop_after raised the signal");
        report
    });
    assert!(report.stopped_early);
    assert!(report.aggregate.items >= 10);
    assert!(report.not_started > 0, "fetching stopped before the end");
    assert_eq!(
        report.cancelled, 0,
        "a graceful stop lets fetches in flight finish"
    );
    let q = report.queue.clone().unwrap();
    assert_eq!(
        (q.sent, q.received),
        (report.aggregate.items, report.aggregate.items),
        "everything that entered the channel was crunched and aggregated"
    );
    report.check_flow().unwrap();
    assert_eq!(threads_left(&report.tag), 0);
}

#[test]
fn a_stop_raised_from_another_thread_takes_the_same_path() {
    let report = within("a pipeline stopped from outside", || {
        let scenario = Scenario {
            latency: ms(10),
            ..Scenario::new(2_000)
        };
        let running = scenario.start().unwrap();
        let stop = StopSignal::new();
        let raiser = lesson_09_hybrid_pipeline::stop::trigger_after(&stop, ms(100));
        let report = pipeline::run(&running.urls, &config(4, 2, light()), &stop).unwrap();
        raiser.join().unwrap();
        report
    });
    // 2,000 items at 4 x 10 ms need 5 s at least: it stopped well before.
    assert!(report.stopped_early && report.not_started > 0);
    assert_eq!(report.cancelled, 0);
    report.check_flow().unwrap();
}

#[test]
fn a_stop_raised_before_the_start_fetches_nothing_and_returns() {
    let report = within("a pipeline stopped before it started", || {
        let running = Scenario::new(50).start().unwrap();
        let stop = StopSignal::new();
        stop.trigger();
        pipeline::run(&running.urls, &config(4, 2, light()), &stop).unwrap()
    });
    assert_eq!(report.fetch().items_in, 0);
    assert_eq!(report.not_started, 50);
    assert_eq!(report.aggregate.items, 0);
    report.check_flow().unwrap();
}

#[test]
fn per_stage_counts_add_up() {
    let report = within("a complete run", || {
        let scenario = Scenario {
            latency: ms(2),
            ..Scenario::new(30)
        };
        let running = scenario.start().unwrap();
        pipeline::run(&running.urls, &config(4, 2, light()), &StopSignal::new()).unwrap()
    });
    let [fetch, cpu, aggregate] = report.stages;
    assert_eq!((fetch.items_in, fetch.items_out, fetch.failed), (30, 30, 0));
    assert_eq!((cpu.items_in, cpu.items_out), (30, 30));
    assert_eq!((aggregate.items_in, aggregate.items_out), (30, 30));
    assert_eq!(report.aggregate.items, 30);
    assert_eq!((fetch.workers, cpu.workers, aggregate.workers), (4, 2, 1));
    for s in report.stages {
        assert!(
            (0.0..=1.0 + 1e-9).contains(&s.utilisation()),
            "{}: utilisation {} is a share of the available worker-time",
            s.name,
            s.utilisation()
        );
    }
    assert!(cpu.busy > Duration::ZERO && fetch.busy > Duration::ZERO);
}

#[test]
fn an_impossible_configuration_is_an_error_not_a_hang() {
    let running = Scenario::new(3).start().unwrap();
    for cfg in [
        config(0, 2, light()),
        config(2, 0, light()),
        pipeline::Config {
            capacity: Capacity::Bounded(0),
            ..config(2, 2, light())
        },
    ] {
        let failed = pipeline::run(&running.urls, &cfg, &StopSignal::new()).unwrap_err();
        assert!(
            matches!(failed.error, PipelineError::Setup(_)),
            "{}",
            failed.error
        );
        assert!(failed.error.to_string().contains("at least 1"));
    }
}
