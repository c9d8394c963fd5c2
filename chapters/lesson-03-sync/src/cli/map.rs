//! `map`: Python's primitives and their Rust counterparts, side by side.

use course_support::table;
use lesson_03_sync::python_map;

pub(crate) fn run() {
    let mut t = table(["Python", "Rust", "the difference"]);
    for row in python_map::ROWS {
        t.add_row([row.python, row.rust, row.note]);
    }
    println!("{t}");
}
