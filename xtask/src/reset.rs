//! `cargo xtask reset`: start an exercise again, keeping a backup of the
//! learner's code first.

use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Result;

use crate::canonical;
use crate::course::Course;
use crate::scratch;

pub fn reset(course: &Course, name: &str) -> Result<()> {
    let ex = course.select(&[name.to_owned()])?.remove(0);
    let src = course.exercise_dir(&ex).join("src");
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let backup = course
        .state_dir()
        .join("backups")
        .join(format!("{}-{stamp}", ex.id));
    // The backup is complete before anything of the learner's is replaced.
    scratch::copy(&src, &backup)?;
    canonical::restore_starter(course, &ex)?;
    println!(
        "reset `{}` to its starter; your code is saved in {}",
        ex.id,
        backup
            .strip_prefix(&course.root)
            .unwrap_or(&backup)
            .display()
    );
    Ok(())
}
