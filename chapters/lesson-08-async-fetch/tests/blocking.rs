//! Blocking the event loop, shown by who was asleep at the same time, not
//! by how long things took.

use std::time::{Duration, Instant};

use lesson_08_async_fetch::blocking::{Flavor, Placement, Sleeper, heartbeat_during, sleep_tasks};

const TASKS: usize = 8;
const EACH: Duration = Duration::from_millis(100);

#[test]
fn a_blocking_sleep_on_one_thread_serialises_the_tasks() {
    let run = sleep_tasks(Sleeper::ThreadSleep, Flavor::CurrentThread, TASKS, EACH);
    assert_eq!(
        run.peak_sleeping, 1,
        "only one task at a time could be inside its sleep"
    );
}

#[test]
fn an_async_sleep_lets_every_task_wait_at_once() {
    let run = sleep_tasks(Sleeper::TokioSleep, Flavor::CurrentThread, TASKS, EACH);
    assert_eq!(run.peak_sleeping, TASKS, "all tasks waited together");
}

#[test]
fn spawn_blocking_moves_the_blocking_call_off_the_runtime_thread() {
    let run = sleep_tasks(Sleeper::SpawnBlocking, Flavor::CurrentThread, TASKS, EACH);
    assert_eq!(
        run.peak_sleeping, TASKS,
        "all blocking sleeps ran on the blocking pool at once"
    );
}

#[test]
fn more_workers_only_divide_the_damage() {
    let run = sleep_tasks(Sleeper::ThreadSleep, Flavor::MultiThread(2), TASKS, EACH);
    assert!(
        run.peak_sleeping <= 2,
        "two workers, so at most two blocked: {}",
        run.peak_sleeping
    );
}

/// Work that waits (with a deadline) until the heartbeat has ticked 3 times.
fn wait_for_heartbeats(ticks: lesson_08_async_fetch::blocking::Ticks) {
    let start = ticks.count();
    let deadline = Instant::now() + Duration::from_secs(5);
    while ticks.count() < start + 3 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn work_inside_a_task_stops_the_heartbeat() {
    let run = heartbeat_during(Placement::Inline, Duration::from_millis(5), |ticks| {
        // Even waiting for them: no heartbeat can happen on the busy thread.
        let start = ticks.count();
        let deadline = Instant::now() + Duration::from_millis(200);
        while ticks.count() == start && Instant::now() < deadline {
            std::hint::spin_loop();
        }
    });
    assert_eq!(
        run.ticks_during, 0,
        "the heartbeat could not run during the work"
    );
    assert!(
        run.max_gap >= Duration::from_millis(200),
        "the gap spans the work"
    );
}

#[test]
fn spawn_blocking_keeps_the_heartbeat_going() {
    let run = heartbeat_during(
        Placement::SpawnBlocking,
        Duration::from_millis(5),
        wait_for_heartbeats,
    );
    assert!(
        run.ticks_during >= 3,
        "the heartbeat kept ticking: {}",
        run.ticks_during
    );
}
