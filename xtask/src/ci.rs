//! `cargo xtask ci`: everything that must hold before a change lands, each
//! step timed. It runs every step even after a failure, so one run shows all
//! that is wrong.

use std::time::Instant;

use anyhow::Result;

use crate::cargo::{cargo, run_visible};
use crate::course::Course;
use crate::{book, browser, canonical, claims, python_check, schedule, solutions};

pub fn run(course: &Course) -> Result<bool> {
    let target = course.target_dir();
    let exercises = course.exercises()?;
    let started = Instant::now();
    let mut steps: Vec<(&str, bool, f64)> = Vec::new();
    let mut step = |name: &'static str, body: &mut dyn FnMut() -> Result<bool>| {
        println!("\n=== ci: {name}");
        let t = Instant::now();
        let ok = body().unwrap_or_else(|err| {
            println!("error: {err:#}");
            false
        });
        let secs = t.elapsed().as_secs_f64();
        println!(
            "=== ci: {name}: {} in {secs:.1}s",
            if ok { "ok" } else { "FAILED" }
        );
        steps.push((name, ok, secs));
    };

    step("format (cargo fmt --check)", &mut || {
        run_visible(cargo(&course.root, &target).args(["fmt", "--all", "--check"]))
    });
    step("lints (cargo clippy -D warnings)", &mut || {
        run_visible(cargo(&course.root, &target).args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]))
    });
    step(
        "tests (cargo test, exercise starters excluded)",
        &mut || {
            let mut cmd = cargo(&course.root, &target);
            cmd.args(["test", "--workspace"]);
            // Starters fail by design; `check solutions` tests them properly.
            for ex in &exercises {
                cmd.args(["--exclude", &ex.id]);
            }
            run_visible(&mut cmd)
        },
    );
    step("model-checked tests (loom, --features model)", &mut || {
        let crates = model_checked_crates(course)?;
        if crates.is_empty() {
            println!("no lesson crate has tests/model.rs and a `model` feature");
            return Ok(true);
        }
        // Exercises' model tests run in `check solutions`, as the grader runs them.
        println!("crates: {}", crates.join(", "));
        // The dev profile (opt-level 1) runs these small models in well under a
        // second and reuses the dependencies the tests step just built.
        let mut cmd = cargo(&course.root, &target);
        cmd.args(["test", "--test", "model", "--features"]).arg(
            crates
                .iter()
                .map(|c| format!("{c}/model"))
                .collect::<Vec<_>>()
                .join(","),
        );
        for c in &crates {
            cmd.args(["-p", c]);
        }
        run_visible(&mut cmd)
    });
    step("canonical exercise tests recorded", &mut || {
        let stale = canonical::out_of_date(course)?;
        for s in &stale {
            println!("  {s}");
        }
        if !stale.is_empty() {
            println!("exercise tests changed: run `cargo xtask maint bless` and commit the result");
        }
        Ok(stale.is_empty())
    });
    step("solutions pass, starters fail", &mut || {
        solutions::check_solutions(course)
    });
    step(
        "the book's minutes add up, schedules up to date",
        &mut || schedule::run(course, true),
    );
    step("book builds, every include resolves", &mut || {
        book::build(course).map(|out| {
            println!("built {}", out.display());
            true
        })
    });
    step("the book's Python files compile and run", &mut || {
        python_check::run(course)
    });
    step("every number in the book's prose has a source", &mut || {
        claims::run(course)
    });
    step("book in a browser (headless Chromium)", &mut || {
        browser::run(&course.root.join("book/build"))
    });

    println!(
        "\n=== ci summary ({:.0}s in all)",
        started.elapsed().as_secs_f64()
    );
    for (name, ok, secs) in &steps {
        println!(
            "  {:<6} {name:<48} {secs:>6.1}s",
            if *ok { "ok" } else { "FAILED" }
        );
    }
    let failed = steps.iter().filter(|s| !s.1).count();
    println!("ci: {} passed, {failed} failed", steps.len() - failed);
    Ok(failed == 0)
}

/// The lesson crates (`chapters/*`) with model-checked tests: a
/// `tests/model.rs` and a `model` feature in their Cargo.toml.
fn model_checked_crates(course: &Course) -> Result<Vec<String>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(course.root.join("chapters"))? {
        let dir = entry?.path();
        let manifest = dir.join("Cargo.toml");
        if !dir.join("tests/model.rs").is_file() || !manifest.is_file() {
            continue;
        }
        let toml: toml::Table = std::fs::read_to_string(&manifest)?.parse()?;
        let has_model = toml.get("features").and_then(|f| f.get("model")).is_some();
        let name = toml
            .get("package")
            .and_then(|p| p.get("name"))
            .and_then(|n| n.as_str());
        if let (true, Some(name)) = (has_model, name) {
            found.push(name.to_owned());
        }
    }
    found.sort();
    Ok(found)
}
