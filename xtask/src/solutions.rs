//! `cargo xtask check solutions`: in a scratch copy, each reference solution
//! passes every test of its exercise, and each starter fails every one of
//! them (a test that passes on the starter could not catch a missing answer).

use std::collections::BTreeMap;

use anyhow::{Result, bail};

use crate::canonical;
use crate::course::Course;
use crate::grade;
use crate::report::ExerciseResult;
use crate::runner::Outcome;
use crate::scratch;

pub fn check_solutions(course: &Course) -> Result<bool> {
    let exercises = course.exercises()?;
    if exercises.is_empty() {
        bail!("no exercises found under exercises/");
    }
    crate::reaper::install();
    // This run's own copy; the build output is shared between runs.
    let mut scratch = scratch::create(course, &format!("solutions-{}", std::process::id()))?;
    scratch.target = course.target_dir().join("xtask/solutions-target");

    // Round 1: every solution copied over its starter.
    let mut missing = Vec::new();
    for ex in &exercises {
        let solution = course.solution_dir(ex).join("src");
        if solution.is_dir() {
            scratch::copy(&solution, &scratch.exercise_dir(&ex.dir_name).join("src"))?;
        } else {
            missing.push(ex.id.clone());
        }
    }
    eprintln!("checking the reference solutions...");
    let opts = grade::Options::default();
    let mut solved = Vec::new();
    grade::grade(&scratch, &exercises, &opts, false, &mut solved)?;
    let solved = by_id(solved);

    // Round 2: the starters as they are in the course.
    for ex in &exercises {
        let starter = course.exercise_dir(ex).join("src");
        let target = scratch.exercise_dir(&ex.dir_name).join("src");
        std::fs::remove_dir_all(&target)?;
        scratch::copy(&starter, &target)?;
    }
    eprintln!("checking the starters...");
    let mut started = Vec::new();
    grade::grade(&scratch, &exercises, &opts, false, &mut started)?;
    let started = by_id(started);
    let _ = std::fs::remove_dir_all(&scratch.root);
    crate::reaper::cleanup_all();

    println!();
    let mut good = 0;
    let mut bad = 0;
    for ex in &exercises {
        let problems = if missing.contains(&ex.id) {
            vec![format!(
                "no reference solution in solutions/{}/src",
                ex.dir_name
            )]
        } else {
            problems(&solved[&ex.id], &started[&ex.id])
        };
        if problems.is_empty() {
            good += 1;
            let n = solved[&ex.id].tests.len();
            println!(
                "  ok    {:<28} solution passes {n}/{n}, starter fails {n}/{n}",
                ex.id
            );
        } else {
            bad += 1;
            println!("  FAIL  {}", ex.id);
            for p in problems {
                for line in p.lines() {
                    println!("          {line}");
                }
            }
        }
    }
    println!();
    println!("solutions: {good} passed, {bad} failed");
    Ok(bad == 0)
}

fn by_id(results: Vec<ExerciseResult>) -> BTreeMap<String, ExerciseResult> {
    results.into_iter().map(|r| (r.id.clone(), r)).collect()
}

/// What is wrong with an exercise, given its results with the solution and
/// with the starter.
fn problems(solved: &ExerciseResult, started: &ExerciseResult) -> Vec<String> {
    let mut problems = Vec::new();
    if !solved.build_errors.is_empty() {
        problems.push(format!(
            "the solution does not compile:\n{}",
            solved.build_errors.join("\n")
        ));
    }
    if !started.build_errors.is_empty() {
        problems.push(format!(
            "the starter does not compile (a learner must start from code that builds):\n{}",
            started.build_errors.join("\n")
        ));
    }
    if solved.tests.is_empty() && solved.build_errors.is_empty() {
        problems.push("it has no tests".into());
    }
    for t in &solved.tests {
        match &t.outcome {
            Outcome::Passed | Outcome::NotRun(_) => {}
            Outcome::Failed(m) => problems.push(format!("solution fails {}: {m}", t.name)),
            Outcome::TimedOut(_) => problems.push(format!("solution times out in {}", t.name)),
            Outcome::Deadlocked(_) => problems.push(format!("solution deadlocks in {}", t.name)),
        }
    }
    for t in &started.tests {
        if t.outcome.passed() {
            problems.push(format!(
                "test {} passes on the untouched starter, so it cannot tell a solved exercise from an unsolved one",
                t.name
            ));
        }
    }
    let names = |r: &ExerciseResult| {
        let mut v: Vec<String> = r.tests.iter().map(|t| t.name.clone()).collect();
        v.sort();
        v
    };
    if solved.build_errors.is_empty()
        && started.build_errors.is_empty()
        && names(solved) != names(started)
    {
        problems.push("the solution and the starter do not run the same tests".into());
    }
    problems
}

/// `cargo xtask maint bless`: records the exercises' tests, manifests and
/// starters, after proving that every test it records anew fails on its
/// starter (so an emptied or weakened-to-nothing test cannot be blessed).
pub fn bless(course: &Course, starters: &[String]) -> Result<bool> {
    let plan = canonical::plan_bless(course, starters)?;
    let mut prove: Vec<String> = plan.tests_changed.clone();
    prove.extend(plan.new_starters.iter().cloned());
    prove.sort();
    prove.dedup();
    if !prove.is_empty() {
        crate::reaper::install();
        let exercises = course.select(&prove)?;
        eprintln!(
            "checking that every test fails on its starter: {}",
            prove.join(", ")
        );
        let mut results = Vec::new();
        let graded = grade::grade(
            &scratch::Workspace::of_course(course),
            &exercises,
            &grade::Options::default(),
            false,
            &mut results,
        );
        crate::reaper::cleanup_all();
        graded?;
        let mut refused = Vec::new();
        for r in &results {
            if !r.build_errors.is_empty() {
                refused.push(format!("{}: the starter does not compile", r.id));
            }
            for t in r.tests.iter().filter(|t| t.outcome.passed()) {
                refused.push(format!(
                    "{}: test {} passes on the starter, so it cannot tell a solved exercise from an unsolved one",
                    r.id, t.name
                ));
            }
        }
        if !refused.is_empty() {
            println!("not blessing:");
            for r in refused {
                println!("  {r}");
            }
            return Ok(false);
        }
    }
    canonical::write_record(course)?;
    Ok(true)
}
