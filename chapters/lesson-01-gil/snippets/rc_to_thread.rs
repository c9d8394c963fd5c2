// `Rc` counts its owners without atomics, so it is not `Send`: moving a
// clone to another thread is a compile error, not a corrupted count.
use std::rc::Rc;
let list = Rc::new(vec![1, 2, 3]);
let alias = Rc::clone(&list);
std::thread::spawn(move || println!("{alias:?}")); // error[E0277]: `Rc<Vec<i32>>` cannot be sent between threads safely
