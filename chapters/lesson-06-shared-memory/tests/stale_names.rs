//! A process killed with SIGKILL leaves its names in /dev/shm, and a later
//! process may get the same pid. In a test binary of its own, so that no
//! other test takes names from the counter meanwhile.

use lesson_06_shared_memory::segment::{self, Segment};

#[test]
fn create_steps_over_names_left_by_an_earlier_process() {
    let probe = segment::unique_name(); // "/l06-<pid>-<n>"
    let (stem, n) = probe.rsplit_once('-').unwrap();
    let n: u64 = n.parse().unwrap();
    // What a killed process with our pid would have left: our next 3 names.
    let planted: Vec<String> = (n + 1..=n + 3).map(|k| format!("{stem}-{k}")).collect();
    for name in &planted {
        std::fs::write(segment::shm_path(name), b"stale").unwrap();
    }
    let result = Segment::create(4096);
    let after: Vec<bool> = planted.iter().map(|p| segment::exists(p)).collect();
    for name in &planted {
        let _ = std::fs::remove_file(segment::shm_path(name));
    }
    let seg = result.expect("create() must step over stale names, not fail");
    assert_eq!(seg.name(), format!("{stem}-{}", n + 4));
    assert_eq!(
        after, [true; 3],
        "create() must not remove somebody else's names"
    );
    let name = seg.name().to_owned();
    drop(seg);
    assert!(!segment::exists(&name));
}
