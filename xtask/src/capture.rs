//! `cargo xtask capture`: re-runs the lesson commands whose output the book
//! shows, so every output in the book comes from a real run.

use std::fs;

use anyhow::{Context, Result, bail};

use crate::cargo::cargo;
use crate::course::Course;

pub fn run(course: &Course, only: &[String]) -> Result<bool> {
    let lessons = course.lessons()?;
    // `crate` captures all of a crate's outputs; `crate/name` only that one.
    let wanted = |lesson: &str, capture: &str| {
        only.is_empty()
            || only
                .iter()
                .any(|o| o == lesson || o.split_once('/') == Some((lesson, capture)))
    };
    for name in only {
        let name = name.split_once('/').map_or(name.as_str(), |(c, _)| c);
        if !lessons.iter().any(|l| l.name == name) {
            let known: Vec<&str> = lessons.iter().map(|l| l.name.as_str()).collect();
            bail!("unknown lesson crate `{name}`; known: {}", known.join(", "));
        }
    }
    let mut ok = true;
    for lesson in lessons
        .iter()
        .filter(|l| l.captures.keys().any(|c| wanted(&l.name, c)))
    {
        let out_dir = course
            .root
            .join("book/src")
            .join(&lesson.name)
            .join("output");
        let image_dir = course
            .root
            .join("book/src")
            .join(&lesson.name)
            .join("images");
        for (capture, entry) in &lesson.captures {
            if !wanted(&lesson.name, capture) {
                continue;
            }
            let (cargo_args, args) = split_cargo_args(&entry.args);
            let mut args = args.to_vec();
            if let Some(svg) = &entry.svg {
                // Written by the same run as the text, next to the chapter; relative
                // to the course (cargo's directory), so the output shows no home path.
                args.push("--svg".into());
                args.push(format!("book/src/{}/images/{svg}", lesson.name));
            }
            eprintln!(
                "capturing {}/{capture}: cargo run --release -p {}{} -- {}",
                lesson.name,
                lesson.name,
                cargo_args
                    .iter()
                    .map(|a| format!(" {a}"))
                    .collect::<String>(),
                args.join(" ")
            );
            let out = cargo(&course.root, &course.target_dir())
                .args(["run", "--release", "--quiet", "-p", &lesson.name])
                .args(cargo_args)
                .arg("--")
                .args(&args)
                .env("NO_COLOR", "1")
                .output()
                .context("could not run cargo")?;
            if !out.status.success() {
                eprintln!("  failed:\n{}", String::from_utf8_lossy(&out.stderr));
                ok = false;
                continue;
            }
            fs::create_dir_all(&out_dir)?;
            let path = out_dir.join(format!("{capture}.txt"));
            fs::write(&path, strip_ansi(&String::from_utf8_lossy(&out.stdout)))?;
            eprintln!(
                "  wrote {}",
                path.strip_prefix(&course.root).unwrap_or(&path).display()
            );
            if let Some(svg) = &entry.svg {
                let chart = image_dir.join(svg);
                if !chart.is_file() {
                    eprintln!("  the run wrote no chart at {}", chart.display());
                    ok = false;
                    continue;
                }
                eprintln!(
                    "  wrote {}",
                    chart.strip_prefix(&course.root).unwrap_or(&chart).display()
                );
            }
        }
    }
    Ok(ok)
}

/// Removes terminal colour codes (`ESC [ ... letter`).
/// A capture's arguments: the leading `--features=...` ones are cargo's,
/// the rest the lesson's.
fn split_cargo_args(args: &[String]) -> (&[String], &[String]) {
    let features = args
        .iter()
        .take_while(|a| a.starts_with("--features="))
        .count();
    args.split_at(features)
}

fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn leading_features_go_to_cargo() {
        let args: Vec<String> = ["--features=model", "handoff", "--features=x"]
            .map(String::from)
            .to_vec();
        let (cargo, lesson) = super::split_cargo_args(&args);
        assert_eq!(cargo, ["--features=model"]);
        assert_eq!(lesson, ["handoff", "--features=x"]);
        let (cargo, lesson) = super::split_cargo_args(&args[1..]);
        assert!(cargo.is_empty());
        assert_eq!(lesson.len(), 2);
    }

    #[test]
    fn strips_colour_codes() {
        assert_eq!(super::strip_ansi("\u{1b}[1;32mok\u{1b}[0m done"), "ok done");
    }
}
