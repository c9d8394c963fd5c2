// `move` makes the borrow error go away, but a u64 is Copy: the thread gets
// its own copy, and main's counter stays 0. The compiler warns; here warnings
// are errors, as they should be in CI.
#![deny(warnings)]
use std::thread;

fn main() {
    let mut counter = 0u64;
    thread::spawn(move || {
        for _ in 0..1000 {
            counter += 1;
        }
    })
    .join()
    .unwrap();
    println!("Final count: {counter}"); // prints 0
}
