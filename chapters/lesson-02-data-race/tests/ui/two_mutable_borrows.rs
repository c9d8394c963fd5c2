// Scoped threads may borrow locals (the scope joins them before it returns),
// but two threads may not both hold `&mut counter` at the same time.
use std::thread;

fn main() {
    let mut counter = 0u64;
    thread::scope(|s| {
        s.spawn(|| {
            for _ in 0..1000 {
                counter += 1;
            }
        });
        s.spawn(|| {
            for _ in 0..1000 {
                counter += 1;
            }
        });
    });
    println!("Final count: {counter}");
}
