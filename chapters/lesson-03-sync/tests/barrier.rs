//! Claims about the barrier phases.

use lesson_03_sync::barrier::{part, phases};

#[test]
fn parts_cover_the_range_exactly() {
    let range = 1_000..2_003;
    let mut next = range.start;
    for w in 0..5 {
        let p = part(&range, 5, w);
        assert_eq!(p.start, next);
        assert!(p.end >= p.start);
        next = p.end;
    }
    assert_eq!(next, range.end);
}

#[test]
fn phases_never_overlap_and_one_leader_merges_each() {
    let run = phases(4, 5, 5_000);
    assert_eq!(run.phases.len(), 5);
    assert!(run.phases_kept_apart(), "{:?}", run.log);
    for (p, phase) in run.phases.iter().enumerate() {
        assert_eq!(
            phase.primes,
            course_support::count_primes(phase.numbers.clone())
        );
        assert_eq!(phase.numbers, p as u64 * 5_000..(p as u64 + 1) * 5_000);
        assert!(phase.leader < 4);
        assert_eq!(phase.work.len(), 4);
    }
}

#[test]
fn one_worker_is_its_own_leader() {
    let run = phases(1, 2, 100);
    assert!(run.phases_kept_apart());
    assert!(run.phases.iter().all(|p| p.leader == 0));
    assert_eq!(run.phases[0].primes, 25);
}
