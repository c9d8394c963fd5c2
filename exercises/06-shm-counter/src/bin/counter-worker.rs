//! The worker process the exercise starts: `counter-worker NAME TIMES`.
//! It calls [`shm_counter::worker_main`] (which you write) and exits with
//! code 0 if that succeeded, 1 if it returned an error.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [name, times] = args.as_slice() else {
        eprintln!("usage: counter-worker NAME TIMES");
        return ExitCode::from(2);
    };
    let Ok(times) = times.parse::<u64>() else {
        eprintln!("counter-worker: TIMES must be a number, not {times:?}");
        return ExitCode::from(2);
    };
    match shm_counter::worker_main(name, times) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("counter-worker: {e}");
            ExitCode::FAILURE
        }
    }
}
