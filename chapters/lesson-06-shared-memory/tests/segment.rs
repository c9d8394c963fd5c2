//! The owner guard: a segment's name is in /dev/shm while its owner holds
//! it, and gone after the owner drops it, also when the owner panics.

mod common;

use std::collections::BTreeSet;
use std::thread;

use common::listed;
use lesson_06_shared_memory::segment::Segment;

#[test]
fn the_owner_unlinks_on_drop() {
    let seg = Segment::create(4096).unwrap();
    let name = seg.name().to_owned();
    assert!(seg.is_owner());
    assert!(
        listed(&name),
        "{name} should be in /dev/shm while its owner holds it"
    );
    drop(seg);
    assert!(
        !listed(&name),
        "{name} is still in /dev/shm after its owner dropped it"
    );
}

#[test]
fn the_owner_unlinks_when_its_thread_panics() {
    let (tx, rx) = std::sync::mpsc::channel();
    let result = thread::spawn(move || {
        let seg = Segment::create(4096).unwrap();
        tx.send(seg.name().to_owned()).unwrap();
        assert!(listed(seg.name()));
        panic!("the owner fails while holding {}", seg.name());
    })
    .join();
    assert!(result.is_err(), "the thread was meant to panic");
    let name = rx.recv().unwrap();
    assert!(
        !listed(&name),
        "{name} leaked: unwinding from the panic must drop the owner and unlink it"
    );
}

#[test]
fn an_opened_segment_shares_bytes_and_never_unlinks() {
    let owner = Segment::create(4096).unwrap();
    let other = Segment::open(owner.name()).unwrap();
    assert!(!other.is_owner());
    assert_eq!(other.len(), 4096);
    // Two mappings of the same memory: a write through one shows in the other.
    // SAFETY: nobody else touches these bytes; each access is one whole write or read.
    unsafe {
        owner.as_ptr().write(42);
        assert_eq!(other.as_ptr().read(), 42);
        other.as_ptr().add(1).write(7);
        assert_eq!(owner.as_ptr().add(1).read(), 7);
    }
    let name = owner.name().to_owned();
    drop(other);
    assert!(
        listed(&name),
        "dropping an opened (not owned) segment must not unlink it"
    );
    drop(owner);
    assert!(!listed(&name));
}

#[test]
fn names_are_unique_across_threads() {
    let names: Vec<String> = thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                s.spawn(|| {
                    let segs: Vec<Segment> =
                        (0..10).map(|_| Segment::create(4096).unwrap()).collect();
                    segs.iter().map(|s| s.name().to_owned()).collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let distinct: BTreeSet<&String> = names.iter().collect();
    assert_eq!(distinct.len(), 80, "two segments got the same name");
    let pid = std::process::id().to_string();
    assert!(
        names.iter().all(|n| n.contains(&pid)),
        "names carry the pid"
    );
    assert!(
        names.iter().all(|n| !listed(n)),
        "every segment was unlinked"
    );
}

#[test]
fn unlink_now_keeps_the_mapping_and_drops_the_name() {
    let mut seg = Segment::create(4096).unwrap();
    let name = seg.name().to_owned();
    seg.unlink_now().unwrap();
    assert!(!listed(&name), "unlink_now removes the name at once");
    // SAFETY: our own mapping, nobody else has it.
    unsafe {
        seg.as_ptr().write(9);
        assert_eq!(seg.as_ptr().read(), 9, "the mapping still works");
    }
    let late = Segment::open(&name).unwrap_err();
    assert!(
        format!("{late:#}").contains("opening shared memory"),
        "a late opener gets a clear error: {late:#}"
    );
    drop(seg);
    assert!(!listed(&name));
}

#[test]
fn opening_a_missing_segment_is_an_error_not_a_panic() {
    let err = Segment::open("/l06-no-such-segment").unwrap_err();
    let text = format!("{err:#}");
    assert!(text.contains("/l06-no-such-segment"), "{text}");
}
