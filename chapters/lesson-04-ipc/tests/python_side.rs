//! The Python side runs every variant, idiomatic and like-for-like, and each
//! delivers every message (where a Python is installed).

use course_support::interpreter;
use lesson_04_ipc::python;

#[test]
fn every_python_variant_delivers_every_message() {
    let Ok(interp) = interpreter::find(None) else {
        eprintln!("no Python on PATH: skipped");
        return;
    };
    // `rate` reads exactly MESSAGES messages (or MESSAGES / BATCH lists) and
    // the byte pipe checks each sequence number, so a rate above zero means
    // all of them arrived, in order where it matters.
    let run = python::run(&interp, 3_000, 2, 64).expect("the Python side runs");
    for (what, rate) in [
        ("Queue", run.queue),
        ("Pipe", run.pipe),
        ("Queue with lists", run.queue_batched),
        ("Pipe with lists", run.pipe_batched),
        ("byte pipe", run.byte_pipe),
    ] {
        assert!(rate > 0.0 && rate.is_finite(), "{what}: {rate}");
    }
    assert_eq!(run.start_method, interp.facts.start_method);
    assert!(run.start_us.contains_key("thread"), "{run:?}");
}
