// Two threads add to one counter with no lock: Python runs this (and may
// lose updates); Rust refuses to compile it.
let mut counter = 0;
std::thread::scope(|s| {
    s.spawn(|| counter += 1);
    s.spawn(|| counter += 1); // error[E0499]: `counter` borrowed mutably twice
});
println!("{counter}");
