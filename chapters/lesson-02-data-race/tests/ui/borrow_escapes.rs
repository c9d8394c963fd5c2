// A plain local counter borrowed by a spawned thread: the thread may outlive
// this function, and the counter with it, so the borrow is refused.
use std::thread;

fn main() {
    let mut counter = 0u64;
    let handle = thread::spawn(|| {
        for _ in 0..1000 {
            counter += 1;
        }
    });
    handle.join().unwrap();
    println!("Final count: {counter}");
}
