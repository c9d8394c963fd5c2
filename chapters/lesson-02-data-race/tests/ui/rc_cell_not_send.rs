// The counter behind an Rc: Rc's reference count is not atomic, so an Rc
// may not be sent to another thread (it is not Send).
use std::cell::Cell;
use std::rc::Rc;
use std::thread;

fn main() {
    let counter = Rc::new(Cell::new(0u64));
    let mut handles = Vec::new();
    for _ in 0..10 {
        let counter = Rc::clone(&counter);
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
