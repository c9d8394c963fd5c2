//! What the Ctrl-C handler does, called directly. In a test binary of its
//! own: after it, this process refuses to create segments.

use lesson_06_shared_memory::segment::{self, Segment, ShuttingDown};

#[test]
fn unlink_all_removes_every_name_and_refuses_new_segments() {
    let segs: Vec<Segment> = (0..3).map(|_| Segment::create(4096).unwrap()).collect();
    let mut names: Vec<String> = segs.iter().map(|s| s.name().to_owned()).collect();
    assert!(names.iter().all(|n| segment::exists(n)));

    let mut removed = segment::unlink_all_and_close();
    removed.sort();
    names.sort();
    assert_eq!(removed, names, "it reports exactly the names it removed");
    assert!(
        names.iter().all(|n| !segment::exists(n)),
        "every name is gone from /dev/shm"
    );
    // The mappings are still valid: code still running is not pulled out from under.
    // SAFETY: our own mapping; nobody else has it.
    unsafe {
        segs[0].as_ptr().write(1);
        assert_eq!(segs[0].as_ptr().read(), 1);
    }
    let err = Segment::create(4096).unwrap_err();
    assert!(
        err.is::<ShuttingDown>(),
        "no segment may appear after the cleanup: {err:#}"
    );
    drop(segs); // dropping the owners afterwards is harmless
    assert!(segment::leftovers_of(std::process::id()).is_empty());
}
