//! `cargo xtask reset`: start an exercise again, keeping a backup of the
//! learner's code first.

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Result;

use crate::canonical;
use crate::course::{Course, Exercise};
use crate::{hint, report, scratch};

pub fn reset(course: &Course, name: &str) -> Result<()> {
    let ex = course.select(&[name.to_owned()])?.remove(0);
    if canonical::starter_untouched(course, &ex)? {
        println!(
            "`{}` is already its untouched starter: nothing to back up or reset",
            ex.id
        );
    } else {
        let src = course.exercise_dir(&ex).join("src");
        let backup = backup_dir(course, &ex);
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
    }
    // A fresh start: no grade and no hints seen.
    report::forget_progress(course, &ex.id)?;
    hint::forget_shown(course, &ex.id)?;
    Ok(())
}

/// `.course/backups/<id>-<unix seconds>`, with `-2`, `-3`... when a reset in
/// the same second already used that name: a backup is never overwritten.
fn backup_dir(course: &Course, ex: &Exercise) -> PathBuf {
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let backups = course.state_dir().join("backups");
    let mut backup = backups.join(format!("{}-{stamp}", ex.id));
    let mut n = 1;
    while backup.exists() {
        n += 1;
        backup = backups.join(format!("{}-{stamp}-{n}", ex.id));
    }
    backup
}
