//! `handoff`: a value handed over with a flag. The stress test, on the
//! `Relaxed` variant that is wrong and the `Release`/`Acquire` one; with
//! `--model` (built with `--features model`), the loom model checker on the
//! wrong one.

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Hand-offs in the stress test
    #[arg(long, default_value_t = 2_000_000, value_parser = course_support::cli::u64_in(1..=100_000_000))]
    pub(crate) rounds: u64,
    /// Run the loom model checker on the wrong variant instead (needs
    /// `--features model`)
    #[arg(long)]
    pub(crate) model: bool,
    /// Stress runs per variant
    #[arg(long, default_value_t = 5, value_parser = course_support::cli::usize_in(1..=100))]
    pub(crate) runs: usize,
}

#[cfg(not(feature = "model"))]
pub(crate) fn run(args: &Args) {
    use lesson_03_sync::handoff::{Handoff, OneShot, RelaxedHandoffWrong, stress};

    if args.model {
        eprintln!(
            "--model runs the loom model checker, which this build does not have: \
             cargo run --release -p lesson-03-sync --features model -- handoff --model"
        );
        std::process::exit(2);
    }
    fn row<S: OneShot>(name: &str, args: &Args, t: &mut course_support::report::Table) {
        let (mut stale, mut caught_up) = (0, 0);
        for _ in 0..args.runs {
            let run = stress::<S>(args.rounds);
            stale += run.stale;
            caught_up += run.caught_up;
        }
        t.add_row([
            name.to_owned(),
            format!("{} x {}", args.runs, args.rounds),
            caught_up.to_string(),
            stale.to_string(),
        ]);
    }
    println!(
        "Stress test on {}: a writer puts value i+1 in slot i, a reader right behind it \
         takes it once the slot's flag is up, and counts stale values.",
        std::env::consts::ARCH
    );
    let mut t = course_support::table([
        "variant",
        "hand-offs",
        "reader waited for the flag",
        "stale values read",
    ]);
    row::<RelaxedHandoffWrong>("RelaxedHandoffWrong (Relaxed flag)", args, &mut t);
    row::<Handoff>("Handoff (Release / Acquire flag)", args, &mut t);
    println!("{t}");
}

#[cfg(feature = "model")]
pub(crate) fn run(args: &Args) {
    use std::sync::Mutex as StdMutex;
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

    use lesson_03_sync::handoff::{OneShot, RelaxedHandoffWrong};
    use model_sync::{sync::Arc, thread};

    if !args.model {
        eprintln!("this build has loom's atomics, which work only inside the model: add --model");
        std::process::exit(2);
    }
    // What the body saw in the execution loom is running: std types, outside
    // the model, so recording adds nothing for loom to explore.
    // Loom runs one model thread at a time, so the order of the entries is
    // the order in which the threads did these steps.
    static EXECUTIONS: AtomicUsize = AtomicUsize::new(0);
    static STEPS: StdMutex<Vec<String>> = StdMutex::new(Vec::new());
    fn step(what: String) {
        STEPS.lock().unwrap_or_else(|e| e.into_inner()).push(what);
    }

    // Loom reports each step it schedules to `tracing`: keep that trace.
    let _trace = {
        use tracing_subscriber::util::SubscriberInitExt;
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("loom=trace"))
            .with_writer(|| TraceWriter)
            .with_ansi(false)
            .without_time()
            .finish()
            .set_default()
    };
    println!("loom on RelaxedHandoffWrong: the main thread reads, a spawned thread writes 42.\n");
    // ANCHOR: model
    let checked = std::panic::catch_unwind(|| {
        model_sync::model(|| {
            EXECUTIONS.fetch_add(1, SeqCst);
            STEPS.lock().unwrap().clear();
            let slot = Arc::new(RelaxedHandoffWrong::default());
            let writer = {
                let slot = Arc::clone(&slot);
                thread::spawn(move || {
                    slot.put(42);
                    step("writer: put(42) returned".into());
                })
            };
            let taken = slot.take();
            step(format!("reader: take() returned {taken:?}"));
            writer.join().unwrap();
            if let Some(value) = taken {
                assert_eq!(value, 42, "the reader saw the flag up, and a stale value");
            }
        });
    });
    // ANCHOR_END: model
    let executions = EXECUTIONS.load(SeqCst);
    match checked {
        Ok(()) => println!("loom explored {executions} executions and found no failure"),
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            println!("loom failed execution {executions} (the ones before it passed):");
            println!("  {}", message.lines().next().unwrap_or(""));
            println!("\nthe threads' steps in that execution, in the order loom ran them:");
            for step in STEPS.lock().unwrap_or_else(|e| e.into_inner()).iter() {
                println!("  {step}");
            }
            let trace = TRACE.lock().unwrap_or_else(|e| e.into_inner());
            println!(
                "\nloom's own trace of that execution, cut to thread switches, spawns, ends \
                 and atomic operations (atomic 0 is `value`, atomic 1 is `ready`: created \
                 in that order):"
            );
            for step in loom_steps(&String::from_utf8_lossy(&trace), executions) {
                println!("  {step}");
            }
        }
    }
}

/// Where loom's trace goes: kept in memory, printed after a failure.
#[cfg(feature = "model")]
static TRACE: std::sync::Mutex<Vec<u8>> = std::sync::Mutex::new(Vec::new());

#[cfg(feature = "model")]
struct TraceWriter;

#[cfg(feature = "model")]
impl std::io::Write for TraceWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        TRACE
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The steps of execution `iteration` in loom's trace, one line each:
/// `iter{3}:thread{id=1}: loom::rt::atomic: Atomic::store state=Ref<loom::rt::atomic::State>(0) ordering=Relaxed`
/// (the text after the last `: ` is the step)
/// becomes `thread 1: Atomic::store atomic 0, Relaxed`.
#[cfg(feature = "model")]
fn loom_steps(trace: &str, iteration: usize) -> Vec<String> {
    let span = format!("iter{{{iteration}}}");
    let mut steps = Vec::new();
    for line in trace.lines().filter(|l| l.contains(&span)) {
        let thread = line
            .split_once("thread{id=")
            .and_then(|(_, rest)| rest.split_once('}'))
            .map(|(id, _)| id);
        let what = line.rsplit_once(": ").map_or("", |(_, w)| w).trim();
        let step = if let Some(rest) = what.strip_prefix("~~~~~~~~ THREAD ") {
            format!("~~ thread {} runs ~~", rest.trim_end_matches(" ~~~~~~~~"))
        } else if what.starts_with("Atomic::load") || what.starts_with("Atomic::store") {
            let op = what.split_whitespace().next().unwrap_or("");
            let atomic = what
                .split_once("State>(")
                .and_then(|(_, r)| r.split_once(')'))
                .map_or("?", |(n, _)| n);
            let ordering = what.rsplit_once("ordering=").map_or("?", |(_, o)| o);
            format!("{op} atomic {atomic}, {ordering}")
        } else if let Some(rest) = what.strip_prefix("spawn thread=Id(") {
            format!("spawns thread {}", rest.trim_end_matches(')'))
        } else if let Some(rest) = what.strip_prefix("terminate thread=Id(") {
            format!("thread {} ends", rest.split(')').next().unwrap_or("?"))
        } else {
            continue;
        };
        steps.push(match thread {
            Some(id) if !step.starts_with("~~") && !step.ends_with("ends") => {
                format!("thread {id}: {step}")
            }
            _ => step,
        });
    }
    steps
}
