//! Claims about re-entrancy: a std Mutex refuses a second lock on the same
//! thread, and the lock-once-pass-&mut shape needs no second lock.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::thread;

use lesson_03_sync::reentrant::{Cart, NaiveCart, Relock, WouldDeadlock, relock_same_thread};

#[test]
fn std_mutex_is_not_reentrant() {
    assert_eq!(relock_same_thread(&Mutex::new(())), Relock::WouldBlock);
}

#[test]
fn the_naive_port_would_lock_twice() {
    let cart = NaiveCart::default();
    assert_eq!(cart.add("plums", 1), Ok(()), "add alone locks once: fine");
    assert_eq!(cart.add_all(&[("apples", 2)]), Err(WouldDeadlock));
}

#[test]
fn the_restructured_cart_locks_once_per_call() {
    let cart = Cart::default();
    cart.add_all(&[("apples", 3), ("pears", 2), ("apples", 1)]);
    cart.add("plums", 5);
    assert_eq!(cart.units(), 11);
    assert_eq!(cart.lines(), 3);
}

#[test]
fn add_all_is_atomic_to_other_threads() {
    let cart = Cart::default();
    let order = [("a", 1), ("b", 1), ("c", 1), ("d", 1), ("e", 1)];
    let done = AtomicBool::new(false);
    let torn = thread::scope(|s| {
        let reader = s.spawn(|| {
            let mut torn = 0;
            while !done.load(SeqCst) {
                if cart.units() % 5 != 0 {
                    torn += 1;
                }
            }
            torn
        });
        for _ in 0..2_000 {
            cart.add_all(&order);
        }
        done.store(true, SeqCst);
        reader.join().unwrap()
    });
    assert_eq!(torn, 0, "a reader saw half an order");
    assert_eq!(cart.units(), 10_000);
}
