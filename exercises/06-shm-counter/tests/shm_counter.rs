//! Canonical tests for `shm-counter`: a counter in a named shared segment,
//! exact across threads and processes, and no segment left behind.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use shm_counter::{PREFIX, SharedCounter, count_with_processes, count_with_threads, worker_main};

const WORKER: &str = env!("CARGO_BIN_EXE_counter-worker");

/// Where Linux lists a segment: `/shm-counter-1-0` -> `/dev/shm/shm-counter-1-0`.
fn listed_at(name: &str) -> PathBuf {
    Path::new("/dev/shm").join(name.trim_start_matches('/'))
}

fn listed(name: &str) -> bool {
    listed_at(name).exists()
}

/// Removes the segments a test made, even if the code under test did not,
/// so a failing test leaves nothing behind in /dev/shm.
#[derive(Default)]
struct Cleanup(Vec<String>);

impl Cleanup {
    fn track(&mut self, name: &str) {
        self.0.push(name.to_owned());
    }
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        for name in &self.0 {
            let _ = std::fs::remove_file(listed_at(name));
        }
    }
}

/// Runs `f` on another thread; a hang fails the test with a message.
fn within<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    let handle = thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(Duration::from_secs(20)) {
        Ok(v) => v,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("{what} did not finish within 20 s"),
        Err(mpsc::RecvTimeoutError::Disconnected) => match handle.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => unreachable!(),
        },
    }
}

#[test]
fn names_are_unique_and_listed_while_held() {
    let mut cleanup = Cleanup::default();
    let counters: Vec<SharedCounter> = (0..3)
        .map(|_| SharedCounter::create().expect("create() should make a new segment"))
        .collect();
    for c in &counters {
        cleanup.track(c.name());
    }
    let mine = format!("/{PREFIX}{}-", std::process::id());
    for c in &counters {
        assert!(
            c.name().starts_with(&mine),
            "the name {:?} should start with {mine:?} (a slash, the prefix, our pid, a dash)",
            c.name()
        );
        assert!(
            listed(c.name()),
            "{} should be listed in /dev/shm while its creator holds it",
            c.name()
        );
        assert_eq!(c.get(), 0, "a new counter starts at 0");
    }
    assert_ne!(
        counters[0].name(),
        counters[1].name(),
        "two counters got the same name"
    );
    assert_ne!(
        counters[1].name(),
        counters[2].name(),
        "two counters got the same name"
    );
}

#[test]
fn only_the_creator_removes_the_name() {
    let mut cleanup = Cleanup::default();
    let owner = SharedCounter::create().unwrap();
    let name = owner.name().to_owned();
    cleanup.track(&name);
    let opened = SharedCounter::open(&name).expect("open() should map an existing counter");
    drop(opened);
    assert!(
        listed(&name),
        "dropping a counter that was only opened must not remove the name: its creator still uses it"
    );
    drop(owner);
    assert!(
        !listed(&name),
        "{name} is still in /dev/shm after its creator was dropped: the creator must unlink it"
    );
}

#[test]
fn a_panic_still_removes_the_name() {
    let mut cleanup = Cleanup::default();
    let (tx, rx) = mpsc::channel();
    let result = thread::spawn(move || {
        let c = SharedCounter::create().unwrap();
        tx.send(c.name().to_owned()).unwrap();
        panic!("the owner panics while holding {}", c.name());
    })
    .join();
    assert!(result.is_err());
    let name = rx
        .recv()
        .expect("the thread sent the name before panicking");
    cleanup.track(&name);
    assert!(
        !listed(&name),
        "{name} leaked: when the creator's thread panics, unwinding drops the counter, \
         and that must unlink the name"
    );
}

#[test]
fn open_maps_the_same_counter() {
    let mut cleanup = Cleanup::default();
    let a = SharedCounter::create().unwrap();
    cleanup.track(a.name());
    a.add_ones(3);
    let b = SharedCounter::open(a.name()).unwrap();
    assert_eq!(b.name(), a.name());
    assert_eq!(
        b.get(),
        3,
        "the opened counter should see the 3 the creator added"
    );
    b.add_ones(4);
    assert_eq!(
        a.get(),
        7,
        "the creator should see the 4 added through the opened handle"
    );
    assert!(
        !std::ptr::eq(a.atomic(), b.atomic()),
        "open() should map the segment again (a second address for the same memory), \
         not hand out the first mapping"
    );
    assert!(
        SharedCounter::open("/shm-counter-no-such-segment").is_err(),
        "opening a name that does not exist is an error"
    );
}

#[test]
fn threads_count_exactly_under_stress() {
    let mut cleanup = Cleanup::default();
    let c = SharedCounter::create().unwrap();
    cleanup.track(c.name());
    let name = c.name().to_owned();
    // Rounds for at least 300 ms: threads start apart, and the more rounds,
    // the more of them overlap and collide if an add can be lost.
    let (rounds, lost_in, total) = within("count_with_threads", move || {
        let c = SharedCounter::open(&name).unwrap();
        let started = Instant::now();
        let mut expected = 0;
        let mut rounds = 0;
        while rounds < 3 || started.elapsed() < Duration::from_millis(300) {
            rounds += 1;
            expected += 800_000;
            let total = count_with_threads(&c, 8, 100_000);
            if total != expected {
                return (rounds, Some(expected - total.min(expected)), total);
            }
        }
        let total = count_with_threads(&c, 3, 1_000);
        (rounds, None, total)
    });
    if let Some(lost) = lost_in {
        panic!(
            "8 threads x 100,000 ones, round {rounds}: {lost} adds were lost (use fetch_add, not \
             a load followed by a store)"
        );
    }
    let expected = rounds * 800_000 + 3_000;
    assert_eq!(total, expected, "a second call adds to what is there");
    assert_eq!(
        c.get(),
        expected,
        "the creator's mapping sees every thread's adds"
    );
}

#[test]
fn processes_count_exactly() {
    let mut cleanup = Cleanup::default();
    let c = SharedCounter::create().unwrap();
    cleanup.track(c.name());
    let name = c.name().to_owned();
    // Rounds for at least 500 ms: processes start apart, and the more rounds,
    // the more of them overlap and collide if an add can be lost.
    let (rounds, total) = within("count_with_processes", move || {
        let c = SharedCounter::open(&name).unwrap();
        let started = Instant::now();
        let mut rounds = 0;
        loop {
            rounds += 1;
            let total = count_with_processes(Path::new(WORKER), &c, 4, 1_000_000);
            match total {
                Ok(total) if total == rounds * 4_000_000 => {}
                other => return (rounds, other),
            }
            if rounds >= 2 && started.elapsed() > Duration::from_millis(500) {
                return (rounds, Ok(rounds * 4_000_000));
            }
        }
    });
    let total = total.expect("four healthy workers: count_with_processes should succeed");
    assert_eq!(
        total,
        rounds * 4_000_000,
        "4 worker processes x 1,000,000 ones, round {rounds}: {} adds were lost. add_ones, \
         which every worker process runs, must use fetch_add on the shared AtomicU64, not a \
         load followed by a store: processes add to the same memory at the same time, just as \
         threads do",
        (rounds * 4_000_000).saturating_sub(total)
    );
    assert_eq!(
        c.get(),
        total,
        "the parent's own mapping holds what the workers added"
    );
    assert!(
        listed(c.name()),
        "the workers only opened it: the name is still ours"
    );
}

#[test]
fn a_failing_worker_is_an_error() {
    let mut cleanup = Cleanup::default();
    let c = SharedCounter::create().unwrap();
    cleanup.track(c.name());
    let name = c.name().to_owned();
    let (failing, missing) = within("count_with_processes with bad workers", move || {
        let c = SharedCounter::open(&name).unwrap();
        (
            count_with_processes(Path::new("/bin/false"), &c, 3, 10),
            count_with_processes(Path::new("/no/such/worker"), &c, 2, 10),
        )
    });
    assert!(
        failing.is_err(),
        "workers that exit with code 1 must make count_with_processes return an error"
    );
    assert!(
        missing.is_err(),
        "a worker program that does not exist must be an error, not a panic"
    );
}

/// The zombie children of this process right now: processes that exited
/// but were never waited for (reaped).
fn zombie_children() -> Vec<u32> {
    let mut zombies = Vec::new();
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return zombies;
    };
    for task in tasks.flatten() {
        let children = std::fs::read_to_string(task.path().join("children")).unwrap_or_default();
        for pid in children
            .split_whitespace()
            .filter_map(|p| p.parse::<u32>().ok())
        {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            // `pid (name) S ...`: the state follows the last `)`.
            if stat
                .rsplit_once(") ")
                .is_some_and(|(_, rest)| rest.starts_with('Z'))
            {
                zombies.push(pid);
            }
        }
    }
    zombies
}

#[test]
fn after_a_failing_worker_every_worker_is_reaped() {
    let mut cleanup = Cleanup::default();
    let c = SharedCounter::create().unwrap();
    cleanup.track(c.name());
    let name = c.name().to_owned();
    let failing = within("count_with_processes with failing workers", move || {
        let c = SharedCounter::open(&name).unwrap();
        count_with_processes(Path::new("/bin/false"), &c, 4, 10)
    });
    assert!(failing.is_err());
    // A moment for any other test's children to be reaped; ours must be already.
    let deadline = std::time::Instant::now() + Duration::from_secs(1);
    let mut zombies = zombie_children();
    while !zombies.is_empty() && std::time::Instant::now() < deadline {
        thread::sleep(Duration::from_millis(20));
        zombies = zombie_children();
    }
    assert!(
        zombies.is_empty(),
        "after the first failure, workers {zombies:?} were never waited for (zombies): \
         wait for every worker you started, on the error path too"
    );
}

#[test]
fn the_workers_run_at_the_same_time() {
    // A stand-in worker that only succeeds if all three copies are running
    // together: each leaves a file named after its pid and waits (up to 5 s)
    // to see three. Workers started one after another never see three.
    // Removed when the test ends, also when it fails.
    let scratch = tempfile::Builder::new()
        .prefix("shm-counter-together-")
        .tempdir()
        .expect("a temporary directory");
    let dir = scratch.path();
    std::fs::create_dir_all(dir.join("here")).unwrap();
    let script = dir.join("worker.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nhere='{}'\ntouch \"$here/$$\"\ni=0\n\
             while [ \"$(ls \"$here\" | wc -l)\" -lt 3 ] && [ $i -lt 500 ]; do sleep 0.01; i=$((i+1)); done\n\
             [ \"$(ls \"$here\" | wc -l)\" -ge 3 ]\n",
            dir.join("here").display()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let mut cleanup = Cleanup::default();
    let c = SharedCounter::create().unwrap();
    cleanup.track(c.name());
    let name = c.name().to_owned();
    let worker = script.clone();
    let result = within("three workers that wait for each other", move || {
        let c = SharedCounter::open(&name).unwrap();
        count_with_processes(&worker, &c, 3, 1)
    });
    drop(scratch);
    assert!(
        result.is_ok(),
        "3 workers that each wait to see the other two failed ({result:?}): start every \
         worker first, then wait for them, so that they run at the same time"
    );
}

#[test]
fn worker_main_reports_a_missing_segment() {
    assert!(
        worker_main("/shm-counter-no-such-segment", 1).is_err(),
        "worker_main on a name that does not exist should return an error"
    );
    let mut cleanup = Cleanup::default();
    let c = SharedCounter::create().unwrap();
    cleanup.track(c.name());
    worker_main(c.name(), 5).expect("worker_main on an existing counter succeeds");
    assert_eq!(c.get(), 5);
}
