//! `rlock`: RLock, and why a Mutex is not re-entrant.

use std::sync::Mutex;

use course_support::table;
use lesson_03_sync::reentrant::{self, Cart, NaiveCart, Relock};

pub(crate) fn run() {
    let mut t = table(["call", "result"]);
    let relock = match reentrant::relock_same_thread(&Mutex::new(0)) {
        Relock::WouldBlock => "WouldBlock: the Mutex is held, by this very thread",
        Relock::Entered => "entered twice (re-entrant)",
    };
    t.add_row(["lock(), then try_lock() on the same thread", relock]);

    let order = [("apples", 3), ("pears", 2), ("apples", 1)];
    let naive = NaiveCart::default();
    let naive_result = match naive.add_all(&order) {
        Ok(()) => "ok".to_owned(),
        Err(e) => format!("refused: {e}"),
    };
    t.add_row([
        "NaiveCart::add_all (the RLock code, ported line by line)",
        &naive_result,
    ]);
    let cart = Cart::default();
    cart.add_all(&order);
    cart.add("plums", 5);
    let fixed = format!(
        "ok: {} units in {} lines, one lock per call",
        cart.units(),
        cart.lines()
    );
    t.add_row(["Cart::add_all + add (lock once, helper takes &mut)", &fixed]);
    println!("{t}");
    println!(
        "With lock() instead of try_lock(), the naive port would hang (or panic) right there."
    );
}
