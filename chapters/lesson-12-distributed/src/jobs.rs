//! The two jobs every engine runs, defined once: the prime count cut into
//! tasks, and a word count over generated text files.
//!
//! Both are map + reduce. The prime count sends almost nothing (a range in,
//! a count out) and computes a lot; the word count reads files and sends
//! every distinct word of every file to the worker that owns it (a shuffle),
//! so it is the one where bytes on the wire matter.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

// ANCHOR: tasks
/// The primes below `limit` cut into `tasks` ranges of (nearly) equal
/// length: task `i` is `(i, lo, hi)`. The same cut on every engine.
pub fn prime_tasks(limit: u64, tasks: usize) -> Vec<(u64, u64, u64)> {
    let n = tasks.max(1) as u64;
    (0..n)
        .map(|i| (i, limit * i / n, limit * (i + 1) / n))
        .filter(|&(_, lo, hi)| lo < hi || n == 1)
        .collect()
}
// ANCHOR_END: tasks

/// The vocabulary the generated files draw from: `w0`, `w1`, ... A word's
/// chance falls with its rank (roughly Zipf), as in real text.
const VOCABULARY: u64 = 5_000;

/// Writes `files` text files of `words` words each into `dir` (the same
/// seed gives the same files), and returns their paths in order.
pub fn generate_corpus(dir: &Path, files: usize, words: usize) -> io::Result<Vec<PathBuf>> {
    let mut paths = Vec::with_capacity(files);
    for f in 0..files {
        let mut state = 0x9E37_79B9_7F4A_7C15_u64 ^ (f as u64).wrapping_mul(0xA24B_AED4_963E_E407);
        let mut text = String::with_capacity(words * 6);
        for i in 0..words {
            // xorshift64*: cheap, deterministic, good enough for text.
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            let r = state.wrapping_mul(0x2545_F491_4F6C_DD1D);
            // Cubing a uniform number favours small ranks.
            let u = (r >> 11) as f64 / (1u64 << 53) as f64;
            let rank = (u * u * u * VOCABULARY as f64) as u64;
            text.push('w');
            text.push_str(&rank.to_string());
            text.push(if i % 12 == 11 { '\n' } else { ' ' });
        }
        let path = dir.join(format!("part-{f:04}.txt"));
        std::fs::write(&path, text)?;
        paths.push(path);
    }
    Ok(paths)
}

/// Adds the words of `text` to `counts`.
pub fn count_words_into(text: &str, counts: &mut HashMap<String, u64>) {
    for word in text.split_whitespace() {
        match counts.get_mut(word) {
            Some(c) => *c += 1,
            None => {
                counts.insert(word.to_owned(), 1);
            }
        }
    }
}

/// The words of one file, counted (the map step with its combiner).
pub fn count_file(path: &Path) -> io::Result<HashMap<String, u64>> {
    let text = std::fs::read_to_string(path)?;
    let mut counts = HashMap::new();
    count_words_into(&text, &mut counts);
    Ok(counts)
}

/// Which of `peers` workers owns `word`: the same answer in every process
/// (`DefaultHasher::new()` has fixed keys, unlike a `HashMap`'s hasher).
pub fn owner(word: &str) -> u64 {
    let mut h = DefaultHasher::new();
    word.hash(&mut h);
    h.finish()
}

/// What a word count found, small enough to compare across engines and to
/// print: how many words, how many distinct, and the most frequent ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct WordSummary {
    pub total: u64,
    pub distinct: u64,
    /// The most frequent words, most frequent first (ties by word).
    pub top: Vec<(String, u64)>,
}

/// How many words [`WordSummary::top`] keeps.
pub const TOP: usize = 5;

impl WordSummary {
    /// The summary of full counts.
    pub fn of(counts: &HashMap<String, u64>) -> Self {
        let mut top: Vec<(String, u64)> = counts.iter().map(|(w, c)| (w.clone(), *c)).collect();
        top.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        top.truncate(TOP);
        Self {
            total: counts.values().sum(),
            distinct: counts.len() as u64,
            top,
        }
    }

    /// Summaries of DISJOINT sets of words (each word counted by one owner)
    /// combined into one.
    pub fn merge(parts: impl IntoIterator<Item = Self>) -> Self {
        let mut all = Self::default();
        for p in parts {
            all.total += p.total;
            all.distinct += p.distinct;
            all.top.extend(p.top);
        }
        all.top
            .sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        all.top.truncate(TOP);
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tasks_cover_the_range_once() {
        for (limit, n) in [(1000, 7), (10, 10), (5, 1), (3, 8)] {
            let tasks = prime_tasks(limit, n);
            let mut next = 0;
            for &(_, lo, hi) in &tasks {
                assert_eq!(lo, next);
                next = hi;
            }
            assert_eq!(next, limit);
        }
    }

    #[test]
    fn corpus_is_reproducible_and_zipf_like() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let pa = generate_corpus(a.path(), 3, 1000).unwrap();
        let pb = generate_corpus(b.path(), 3, 1000).unwrap();
        for (x, y) in pa.iter().zip(&pb) {
            assert_eq!(std::fs::read(x).unwrap(), std::fs::read(y).unwrap());
        }
        let mut counts = HashMap::new();
        for p in &pa {
            for (w, c) in count_file(p).unwrap() {
                *counts.entry(w).or_insert(0) += c;
            }
        }
        let s = WordSummary::of(&counts);
        assert_eq!(s.total, 3000);
        assert_eq!(s.top[0].0, "w0", "the commonest word is rank 0");
    }

    #[test]
    fn merging_disjoint_parts_is_the_whole() {
        let mut all = HashMap::new();
        count_words_into("a b b c c c d d d d", &mut all);
        let (mut p1, mut p2) = (HashMap::new(), HashMap::new());
        for (w, c) in &all {
            let part = if owner(w).is_multiple_of(2) {
                &mut p1
            } else {
                &mut p2
            };
            part.insert(w.clone(), *c);
        }
        let merged = WordSummary::merge([WordSummary::of(&p1), WordSummary::of(&p2)]);
        assert_eq!(merged, WordSummary::of(&all));
    }
}
