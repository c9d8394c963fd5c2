// Arc fixes the reference count, but the Cell inside may not be used from
// two threads at once (it is not Sync), so Arc<Cell<u64>> is not Send either.
use std::cell::Cell;
use std::sync::Arc;
use std::thread;

fn main() {
    let counter = Arc::new(Cell::new(0u64));
    let mut handles = Vec::new();
    for _ in 0..10 {
        let counter = Arc::clone(&counter);
        handles.push(thread::spawn(move || {
            for _ in 0..1000 {
                counter.set(counter.get() + 1);
            }
        }));
    }
    for handle in handles {
        handle.join().unwrap();
    }
    println!("Final count: {}", counter.get());
}
