//! `cargo xtask hint` and `cargo xtask list`: help and an overview for learners.

use std::collections::BTreeMap;
use std::fs;

use anyhow::{Result, bail};

use crate::course::{Course, Exercise};
use crate::report::Progress;

const SHOWN: &str = "hints.toml";

/// Shows the next hint not yet seen (all of them with `all`).
pub fn show(course: &Course, name: &str, all: bool) -> Result<()> {
    let ex = course.select(&[name.to_owned()])?.remove(0);
    let hints = &hints_of(course, &ex)?;
    if hints.is_empty() {
        bail!(
            "`{}` has no hints; its tests' messages are the best guide",
            ex.id
        );
    }
    let path = course.state_dir().join(SHOWN);
    let mut shown: BTreeMap<String, usize> = fs::read_to_string(&path)
        .ok()
        .and_then(|t| toml::from_str(&t).ok())
        .unwrap_or_default();
    let seen = shown.get(&ex.id).copied().unwrap_or(0);
    let upto = if all {
        hints.len()
    } else {
        (seen + 1).min(hints.len())
    };
    println!("{}: {}", ex.id, ex.meta.title);
    for (i, hint) in hints.iter().enumerate().take(upto) {
        println!("\nhint {} of {}:\n  {hint}", i + 1, hints.len());
    }
    if upto < hints.len() {
        println!("\n(run the command again for the next hint)");
    }
    shown.insert(ex.id.clone(), upto.max(seen));
    fs::create_dir_all(course.state_dir())?;
    fs::write(path, toml::to_string(&shown)?)?;
    Ok(())
}

/// An exercise's hints: `xtask/hints/<id>.toml`, outside the exercise's
/// folder so that they sit beside the learner's code only once asked for
/// (an older `hints` list in `exercise.toml` is still read).
pub fn hints_of(course: &Course, ex: &Exercise) -> Result<Vec<String>> {
    #[derive(serde::Deserialize)]
    struct File {
        hints: Vec<String>,
    }
    let path = course
        .root
        .join("xtask/hints")
        .join(format!("{}.toml", ex.id));
    match fs::read_to_string(&path) {
        Ok(text) => Ok(toml::from_str::<File>(&text)
            .map_err(|e| anyhow::anyhow!("{} is not valid: {e}", path.display()))?
            .hints),
        Err(_) => Ok(ex.meta.hints.clone()),
    }
}

/// Forgets which hints of exercise `id` were shown (after a reset).
pub fn forget_shown(course: &Course, id: &str) -> Result<()> {
    let path = course.state_dir().join(SHOWN);
    let Some(mut shown) = fs::read_to_string(&path)
        .ok()
        .and_then(|t| toml::from_str::<BTreeMap<String, usize>>(&t).ok())
    else {
        return Ok(());
    };
    if shown.remove(id).is_some() {
        fs::write(path, toml::to_string(&shown)?)?;
    }
    Ok(())
}

/// Lists every exercise with its lesson, time and last grade.
pub fn list(course: &Course) -> Result<()> {
    let progress = Progress::load(course);
    let mut lesson = String::new();
    for ex in course.exercises()? {
        if ex.meta.lesson != lesson {
            lesson = ex.meta.lesson.clone();
            println!("\n{lesson}");
        }
        let state = match progress.exercises.get(&ex.id) {
            Some(p) if p.passed == p.total => "done".to_owned(),
            Some(p) => format!("{}/{}", p.passed, p.total),
            None => "new".to_owned(),
        };
        println!(
            "  {:<6} {:<28} {:>3} min  {}",
            state, ex.id, ex.meta.minutes, ex.meta.title
        );
    }
    println!("\nGrade one: cargo xtask check exercises <id>    Hints: cargo xtask hint <id>");
    Ok(())
}
