// The closest thing to Python's `global counter`: a mutable static. Every
// thread could reach it, so touching it at all requires `unsafe`.
use std::thread;

static mut COUNTER: u64 = 0;

fn main() {
    let handles: Vec<_> = (0..10)
        .map(|_| {
            thread::spawn(|| {
                for _ in 0..1000 {
                    COUNTER += 1;
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
}
