//! `model-demo`: runs the model checker on the two deliberately broken
//! variants of the ring and prints the interleaving it found for each.
//!
//! The checker needs the crate built with loom's atomics (`--features
//! model`), which this binary is not, so it runs the model tests through
//! cargo (the command is printed first) and shows the steps each failing
//! test printed.

use std::process::Command;

use anyhow::{Context, Result, ensure};

/// The model tests that must fail under the checker, and what each shows.
const BROKEN: [(&str, &str, &str); 2] = [
    (
        "relaxed_publish_is_caught",
        "relaxed-publish",
        "Protocol::RELAXED_PUBLISH: `tail` stored and loaded with Relaxed",
    ),
    (
        "missing_fences_lose_a_wake_up",
        "no-sleep-fences",
        "Protocol::NO_SLEEP_FENCES: futex waits without the two SeqCst fences",
    ),
];

pub(crate) fn run() -> Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut args = vec![
        "test",
        "--release",
        "--quiet",
        "-p",
        "lesson-11-shm-ring",
        "--features",
        "model",
        "--test",
        "model",
        "--",
    ];
    args.extend(BROKEN.iter().map(|(test, _, _)| *test));
    args.extend(["--exact", "--nocapture", "--test-threads", "1"]);
    println!("$ cargo {}\n", args.join(" "));
    let out = Command::new(&cargo)
        .args(&args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .with_context(|| format!("running {cargo}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    ensure!(
        out.status.success(),
        "the model tests failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for (test, marker, what) in BROKEN {
        let begin = format!("=== TRACE BEGIN {marker} ===");
        let steps: Vec<&str> = stdout
            .lines()
            .skip_while(|l| !l.ends_with(&begin))
            .skip(1)
            .take_while(|l| *l != "=== TRACE END ===")
            .filter(|l| !l.trim().is_empty())
            .collect();
        ensure!(!steps.is_empty(), "{test} printed no trace:\n{stdout}");
        println!("{test}: {what}");
        println!("The failing execution, step by step (thread, line of src/ring.rs, access):");
        for step in steps {
            println!("  {step}");
        }
        println!();
    }
    println!(
        "Both broken variants pass a stress test on x86 (tests/ring.rs,\n\
         broken_variants_pass_a_stress_test_on_x86); the checker finds each. The right\n\
         protocol passes every execution it explores:\n  \
         cargo test --release -p lesson-11-shm-ring --features model --test model"
    );
    Ok(())
}
