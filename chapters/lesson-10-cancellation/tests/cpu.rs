//! CPU work inline blocks the heartbeat; off the worker it does not. Every
//! placement finds the same primes.

use std::time::Duration;

use lesson_10_cancellation::cpu::{Placement, measure};

const BEAT: Duration = Duration::from_millis(5);

#[test]
fn inline_work_blocks_the_heartbeat_and_the_others_do_not() {
    let range = 0..1_500_000;
    let inline = measure(Placement::Inline, range.clone(), BEAT).unwrap();
    assert!(
        inline.worst_late >= inline.elapsed / 2,
        "inline work should hold the heartbeat for about the whole job: {inline:?}"
    );
    for placement in [
        Placement::SpawnBlocking,
        Placement::Rayon,
        Placement::BlockInPlace,
    ] {
        let run = measure(placement, range.clone(), BEAT).unwrap();
        assert_eq!(run.primes, inline.primes, "{placement:?}");
        assert!(
            run.worst_late < inline.worst_late / 2,
            "{placement:?} blocked the heartbeat: {run:?} vs inline {inline:?}"
        );
    }
}
