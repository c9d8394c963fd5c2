//! The single-machine versions from earlier lessons: a plain loop and rayon
//! (lesson 05's `Pool.map`), over the same tasks and files.

use std::collections::HashMap;
use std::io;
use std::path::PathBuf;

use course_support::count_primes;
use rayon::prelude::*;

use crate::jobs::{WordSummary, count_file};

/// The prime count, one task after the other.
pub fn primes_loop(tasks: &[(u64, u64, u64)]) -> u64 {
    tasks.iter().map(|&(_, lo, hi)| count_primes(lo..hi)).sum()
}

// ANCHOR: rayon
/// The prime count on rayon's pool: every core of this machine, no
/// serialising, no network; a task costs a few hundred nanoseconds to hand out.
pub fn primes_rayon(tasks: &[(u64, u64, u64)]) -> u64 {
    tasks
        .par_iter()
        .map(|&(_, lo, hi)| count_primes(lo..hi))
        .sum()
}
// ANCHOR_END: rayon

/// The word count, file after file.
pub fn words_loop(files: &[PathBuf]) -> io::Result<WordSummary> {
    let mut all = HashMap::new();
    for f in files {
        for (w, c) in count_file(f)? {
            *all.entry(w).or_insert(0) += c;
        }
    }
    Ok(WordSummary::of(&all))
}

/// The word count on rayon: each file counted on some core, the counts
/// merged pairwise.
pub fn words_rayon(files: &[PathBuf]) -> io::Result<WordSummary> {
    let all = files
        .par_iter()
        .map(|f| count_file(f))
        .try_reduce(HashMap::new, |mut a, b| {
            for (w, c) in b {
                *a.entry(w).or_insert(0) += c;
            }
            Ok(a)
        })?;
    Ok(WordSummary::of(&all))
}
