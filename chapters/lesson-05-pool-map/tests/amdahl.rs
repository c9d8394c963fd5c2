//! Amdahl's law, its limit, the measured parallel fraction and Karp-Flatt.

use std::time::Duration;

use lesson_05_pool_map::amdahl::{self, karp_flatt, limit, parallel_fraction, speedup};

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn one_worker_is_no_speed_up_whatever_p() {
    for p in [0.0, 0.3, 0.9, 1.0] {
        assert!(close(speedup(p, 1.0), 1.0), "p = {p}");
    }
}

#[test]
fn all_parallel_scales_with_n_and_all_serial_not_at_all() {
    for n in [2.0, 4.0, 64.0] {
        assert!(close(speedup(1.0, n), n));
        assert!(close(speedup(0.0, n), 1.0));
    }
}

#[test]
fn known_values() {
    // 1 / (0.05 + 0.95 / 8)
    assert!(close(speedup(0.95, 8.0), 1.0 / 0.168_75));
    assert!(close(speedup(0.5, 2.0), 4.0 / 3.0));
    assert!(close(limit(0.9), 10.0));
    assert!(close(limit(0.95), 20.0));
    assert!(limit(1.0).is_infinite());
}

#[test]
fn speed_up_grows_with_workers_but_never_past_the_limit() {
    let p = 0.9;
    let mut last = 0.0;
    for n in [1.0, 2.0, 4.0, 8.0, 1e3, 1e9] {
        let s = speedup(p, n);
        assert!(s > last, "S({n}) = {s} did not grow");
        assert!(s < limit(p), "S({n}) = {s} beat the limit {}", limit(p));
        last = s;
    }
    assert!((speedup(p, 1e9) - limit(p)).abs() < 1e-6);
}

#[test]
fn parallel_fraction_from_timed_phases() {
    let p = parallel_fraction(Duration::from_millis(10), Duration::from_millis(90));
    assert!(close(p, 0.9));
    assert!(close(
        parallel_fraction(Duration::ZERO, Duration::from_millis(5)),
        1.0
    ));
    assert!(close(
        parallel_fraction(Duration::ZERO, Duration::ZERO),
        1.0
    ));
}

#[test]
fn karp_flatt_runs_amdahl_backwards() {
    for p in [0.5, 0.9, 0.99] {
        for n in [2.0, 4.0, 16.0] {
            let e = karp_flatt(speedup(p, n), n).unwrap();
            assert!((e - (1.0 - p)).abs() < 1e-9, "p {p}, n {n}: e = {e}");
        }
    }
    assert_eq!(karp_flatt(1.0, 1.0), None, "one worker implies nothing");
    // A measured speed-up below Amdahl's implies a bigger serial fraction.
    assert!(karp_flatt(1.6, 2.0).unwrap() > karp_flatt(speedup(0.9, 2.0), 2.0).unwrap());
}

#[test]
fn the_program_gives_the_same_answer_on_any_number_of_threads() {
    let one = amdahl::program(&rayon_pool(1), 50_000, 100_000, 7);
    let three = amdahl::program(&rayon_pool(3), 50_000, 100_000, 7);
    assert_eq!(one.primes, three.primes);
    assert!(one.primes > 0);
    let p = one.p();
    assert!(p > 0.0 && p < 1.0, "p = {p}: both kinds of phase take time");
}

#[test]
fn generated_numbers_are_deterministic_and_below_max() {
    let a = amdahl::generate(42, 1_000, 500);
    assert_eq!(a, amdahl::generate(42, 1_000, 500));
    assert_ne!(a, amdahl::generate(43, 1_000, 500));
    assert!(a.iter().all(|&n| n < 500));
}

fn rayon_pool(n: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build()
        .unwrap()
}
