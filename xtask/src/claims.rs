//! `cargo xtask claims`: no measured number in the book's prose without its
//! source.
//!
//! For each page of the book, the check removes fenced code, `{{#include}}`
//! lines, inline code and HTML comments, and looks in what is left (prose,
//! lists, tables, speaker notes) for **measurement numbers**: a number
//! followed by a unit of time, size, rate or ratio (see [`unit_after`] for
//! the list). Each one must have a source, one of:
//!
//! 1. **A captured output** of the page's chapter (`output/*.txt` in the
//!    page's folder, and any captured output the page includes) shows it.
//!    Pages outside a chapter folder (the introduction, the targets page, the
//!    guides) may use every captured output of the book. Numbers match
//!    whatever separators the output uses (`51,192,287` is `51192287`), as
//!    written up to the precision written: `51x` matches `51.47`, `3.2x`
//!    matches `3.17`; a percentage also matches a ratio a hundred times
//!    smaller (`96%` matches `0.96`). "about N" (also around, roughly,
//!    nearly, almost, approximately, close to, some, `~`) matches a value
//!    within [`ABOUT`] of N. "more than N" (over, at least, above) matches a
//!    value from N to 10N; "less than N" (under, below, at most, up to,
//!    within) a value from N/10 to N.
//! 2. **A parameter**: the number appears in a command line shown on the page
//!    (a `cargo ...` or `python3 ...` line, or a `--flag`, in a code block or
//!    inline code), in the chapter crate's `[package.metadata.captures]`
//!    arguments, or in the code the page shows (its code blocks and the
//!    anchors it includes).
//! 3. **A citation**: the sentence (in a list, the whole item; in a table,
//!    the row) links to an external source (`[text](https://...)`).
//!
//! Anything else is reported with its page, line, number and sentence, and
//! how to fix it.

use std::collections::BTreeSet;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::course::Course;

/// Tolerance of "about N": a value within 10% of N.
pub const ABOUT: f64 = 0.10;

pub fn run(course: &Course) -> Result<bool> {
    let src = course.root.join("book/src");
    let lessons = course.lessons().unwrap_or_default();
    let mut pages = Vec::new();
    markdown_files(&src, &mut pages)?;
    pages.sort();
    let all_outputs = numbers_of_outputs(&src, true)?;
    let mut findings = Vec::new();
    for page in &pages {
        let text =
            fs::read_to_string(page).with_context(|| format!("reading {}", page.display()))?;
        let dir = page.parent().unwrap_or(&src);
        let in_chapter = dir != src && dir.join("output").is_dir();
        let mut sources = Sources::default();
        if in_chapter {
            sources.outputs = numbers_of_outputs(dir, false)?;
        } else {
            sources.outputs = all_outputs.clone();
        }
        // The chapter crate's capture arguments are parameters.
        let chapter = dir.file_name().and_then(|n| n.to_str()).unwrap_or("");
        for lesson in lessons.iter().filter(|l| l.name == chapter) {
            for capture in lesson.captures.values() {
                sources
                    .parameters
                    .extend(capture.args.iter().flat_map(|a| numbers_in(a)));
            }
        }
        sources.add_includes(&text, dir);
        let rel = page.strip_prefix(&course.root).unwrap_or(page);
        findings.extend(check_page(&rel.display().to_string(), &text, &sources));
    }
    for f in &findings {
        println!("{f}");
    }
    println!(
        "claims: {} pages checked, {} number(s) without a source",
        pages.len(),
        findings.len()
    );
    Ok(findings.is_empty())
}

/// Where a page's numbers may come from.
#[derive(Debug, Default, Clone)]
pub struct Sources {
    /// Every number in the captured outputs the page may use.
    pub outputs: Vec<Shown>,
    /// Numbers in command lines and in the code the page shows.
    pub parameters: Vec<f64>,
}

impl Sources {
    /// Numbers of the files the page includes: captured outputs count as
    /// outputs, anything else (code) as parameters.
    fn add_includes(&mut self, page: &str, dir: &Path) {
        for line in page.lines() {
            let Some(spec) = include_spec(line) else {
                continue;
            };
            let (file, anchor) = match spec.split_once(':') {
                Some((f, a)) => (f, Some(a)),
                None => (spec, None),
            };
            let Ok(text) = fs::read_to_string(dir.join(file)) else {
                continue;
            };
            let shown = match anchor {
                Some(a) if !a.chars().all(|c| c.is_ascii_digit() || c == ':') => anchored(&text, a),
                _ => text,
            };
            if file.contains("/output/") || file.starts_with("output/") {
                self.outputs.extend(shown_in(&shown));
            } else {
                self.parameters.extend(numbers_in(&shown));
            }
        }
    }
}

/// `path:anchor` of a `{{#include path:anchor}}` line.
fn include_spec(line: &str) -> Option<&str> {
    let start = line
        .find("{{#include ")
        .or_else(|| line.find("{{#rustdoc_include "))?;
    let rest = &line[start..];
    let rest = &rest[rest.find(' ')? + 1..];
    Some(rest[..rest.find("}}")?].trim())
}

/// The lines between `ANCHOR: name` and `ANCHOR_END: name`.
fn anchored(text: &str, name: &str) -> String {
    let mut inside = false;
    let mut out = String::new();
    for line in text.lines() {
        if line.contains(&format!("ANCHOR_END: {name}")) {
            inside = false;
        } else if line.contains(&format!("ANCHOR: {name}")) {
            inside = true;
        } else if inside {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

fn markdown_files(dir: &Path, found: &mut Vec<PathBuf>) -> Result<()> {
    for entry in fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            markdown_files(&path, found)?;
        } else if path.extension().is_some_and(|e| e == "md")
            && path.file_name().is_some_and(|n| n != "SUMMARY.md")
        {
            found.push(path);
        }
    }
    Ok(())
}

/// Every number in `dir/output/*.txt` (and in every chapter's, if `all`).
fn numbers_of_outputs(dir: &Path, all: bool) -> Result<Vec<Shown>> {
    let mut nums = Vec::new();
    let mut dirs = vec![dir.join("output")];
    if all {
        for entry in fs::read_dir(dir)? {
            dirs.push(entry?.path().join("output"));
        }
    }
    for out in dirs {
        let Ok(entries) = fs::read_dir(&out) else {
            continue;
        };
        for entry in entries {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "txt") {
                nums.extend(shown_in(&fs::read_to_string(&path)?));
            }
        }
    }
    Ok(nums)
}

/// Every number in `text`, with thousands separators (`,` `_` and a thin or
/// non-breaking space between groups of three digits) removed.
pub fn numbers_in(text: &str) -> Vec<f64> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        if let Some((n, len)) = number_at(text, i) {
            out.push(n.value);
            i += len;
        } else {
            i += text[i..].chars().next().map_or(1, char::len_utf8);
        }
    }
    out
}

/// What kind of number an output shows: a ratio (`3.17x`), a percentage
/// (`96%`), or anything else (a time, a count, a table cell whose unit is in
/// its column's header).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Suffix {
    Ratio,
    Percent,
    Other,
}

/// A number an output shows, with its kind.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shown {
    pub value: f64,
    pub suffix: Suffix,
}

/// Every number in `text` with the kind its suffix gives it: `x` or `×`
/// right after it (and no letter after that) makes a ratio, `%` a percentage.
pub fn shown_in(text: &str) -> Vec<Shown> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        if let Some((n, len)) = number_at(text, i) {
            let rest = &text[i + len..];
            let mut chars = rest.chars();
            let suffix = match chars.next() {
                Some('x' | '×') if !chars.next().is_some_and(char::is_alphanumeric) => {
                    Suffix::Ratio
                }
                Some('%') => Suffix::Percent,
                _ => Suffix::Other,
            };
            out.push(Shown {
                value: n.value,
                suffix,
            });
            i += len;
        } else {
            i += text[i..].chars().next().map_or(1, char::len_utf8);
        }
    }
    out
}

/// A number as written: its value and how many decimals it was given.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Num {
    pub value: f64,
    pub decimals: i32,
}

/// The number starting at byte `i` of `text`, if one does (and `i` is not in
/// the middle of a word or of another number), with its length in bytes.
fn number_at(text: &str, i: usize) -> Option<(Num, usize)> {
    let bytes = text.as_bytes();
    if !bytes[i].is_ascii_digit() {
        return None;
    }
    if i > 0 {
        let prev = text[..i].chars().next_back()?;
        if prev.is_alphanumeric()
            || prev == '_'
            || (prev == '.' && i > 1 && bytes[i - 2].is_ascii_digit())
        {
            return None;
        }
    }
    let mut digits = String::new();
    let mut j = i;
    let mut group = 0;
    while j < bytes.len() {
        let c = bytes[j];
        if c.is_ascii_digit() {
            digits.push(c as char);
            group += 1;
            j += 1;
            continue;
        }
        // A separator between groups of three digits: `1,000`, `10_000`, `1 000`.
        let sep_len = match text[j..].chars().next() {
            Some(',' | '_') => 1,
            Some(c @ ('\u{202f}' | '\u{a0}')) => c.len_utf8(),
            _ => 0,
        };
        let after = j + sep_len;
        let three = sep_len > 0
            && bytes.len() >= after + 3
            && bytes[after..after + 3].iter().all(u8::is_ascii_digit)
            && !bytes.get(after + 3).is_some_and(u8::is_ascii_digit)
            && group <= 3
            && (group == 3 || !digits.is_empty());
        if three && (group == 3 || digits.len() <= 3) {
            j = after;
            group = 0;
            continue;
        }
        break;
    }
    let mut decimals = 0;
    if bytes.get(j) == Some(&b'.') && bytes.get(j + 1).is_some_and(u8::is_ascii_digit) {
        digits.push('.');
        j += 1;
        while j < bytes.len() && bytes[j].is_ascii_digit() {
            digits.push(bytes[j] as char);
            decimals += 1;
            j += 1;
        }
    }
    let value: f64 = digits.parse().ok()?;
    Some((Num { value, decimals }, j - i))
}

/// How a number is qualified in the prose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    Exact,
    About,
    AtLeast,
    AtMost,
}

/// One measurement number found in the prose.
#[derive(Debug, Clone, PartialEq)]
pub struct Claim {
    pub num: Num,
    pub bound: Bound,
    /// The number and its unit as written, e.g. `3.17x`, `50 ms`.
    pub written: String,
    pub line: usize,
}

/// The unit after a number (from byte `j` of `text`), and its length.
///
/// Units: a ratio (`x` or `×` right after the number; `times` followed by
/// faster, slower, more, less, as, the, larger, smaller, higher, lower,
/// longer, shorter, cheaper, bigger, fewer), a percentage (`%`), a time (`ns`,
/// `µs`, `us`, `ms`, `s`, `sec`, `seconds`, `milliseconds`, `microseconds`,
/// `nanoseconds`), a size (`KiB`, `MiB`, `GiB`, `KB`, `kB`, `MB`, `GB`), and a
/// rate (`msg/s` or any `word/s`, "messages per second", "requests per
/// second", any "word per second"). Minutes are not in the list: in speaker
/// notes they are the schedule, not a measurement.
pub fn unit_after(text: &str, j: usize) -> Option<usize> {
    let rest = &text[j..];
    let boundary = |s: &str| {
        !s.chars()
            .next()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
    };
    // Attached ratio and percent.
    for attached in ["x", "×", "%"] {
        if let Some(after) = rest.strip_prefix(attached)
            && boundary(after)
        {
            return Some(attached.len());
        }
    }
    let (space, word_start) = match rest.chars().next() {
        Some(c @ (' ' | '\u{a0}' | '\u{202f}' | '-')) => (c.len_utf8(), &rest[c.len_utf8()..]),
        _ => (0, rest),
    };
    if word_start.starts_with('%') {
        return Some(space + 1);
    }
    const UNITS: [&str; 19] = [
        "nanoseconds",
        "microseconds",
        "milliseconds",
        "seconds",
        "second",
        "secs",
        "sec",
        "ns",
        "µs",
        "us",
        "ms",
        "s",
        "KiB",
        "MiB",
        "GiB",
        "KB",
        "kB",
        "MB",
        "GB",
    ];
    for unit in UNITS {
        if let Some(after) = word_start.strip_prefix(unit)
            && (boundary(after) && !after.starts_with('/') || after.starts_with('/') && unit == "s")
        {
            return Some(space + unit.len());
        }
    }
    // `word/s` and `word per second`.
    let word_len = word_start
        .find(|c: char| !(c.is_alphanumeric() || c == '-'))
        .unwrap_or(word_start.len());
    if word_len > 0 {
        let word = &word_start[..word_len];
        let after = &word_start[word_len..];
        if let Some(tail) = after.strip_prefix("/s")
            && boundary(tail)
        {
            return Some(space + word_len + 2);
        }
        if let Some(tail) = after.strip_prefix(" per second") {
            let _ = tail;
            return Some(space + word_len + " per second".len());
        }
        if word == "times" {
            const COMPARE: [&str; 15] = [
                "faster", "slower", "more", "less", "as", "the", "larger", "smaller", "higher",
                "lower", "longer", "shorter", "cheaper", "bigger", "fewer",
            ];
            let next = after.trim_start();
            let next_word = next
                .split(|c: char| !c.is_alphanumeric())
                .next()
                .unwrap_or("");
            if space > 0 && COMPARE.contains(&next_word) {
                return Some(space + word_len);
            }
        }
    }
    None
}

/// The qualifier just before byte `i` of `text`.
fn bound_before(text: &str, i: usize) -> Bound {
    let before = text[..i].trim_end().to_lowercase();
    let ends = |words: &[&str]| {
        words.iter().any(|w| {
            before.ends_with(w)
                && before[..before.len() - w.len()]
                    .chars()
                    .next_back()
                    .is_none_or(|c| !c.is_alphanumeric())
        })
    };
    if before.ends_with('~')
        || ends(&[
            "about",
            "around",
            "roughly",
            "nearly",
            "almost",
            "approximately",
            "close to",
            "some",
        ])
    {
        Bound::About
    } else if before.ends_with('>')
        || before.ends_with('≥')
        || before.ends_with(">=")
        || ends(&["more than", "over", "at least", "above"])
    {
        Bound::AtLeast
    } else if before.ends_with('<')
        || before.ends_with('≤')
        || before.ends_with("<=")
        || ends(&["less than", "under", "below", "at most", "up to", "within"])
    {
        Bound::AtMost
    } else {
        Bound::Exact
    }
}

/// The measurement numbers in one unit of prose (`line` numbers each line's
/// start in `text`).
pub fn claims_in(text: &str, line_starts: &[(usize, usize)]) -> Vec<Claim> {
    let mut claims = Vec::new();
    let mut i = 0;
    let mut pending_range: Vec<(Num, usize, usize)> = Vec::new();
    while i < text.len() {
        let Some((num, len)) = number_at(text, i) else {
            i += text[i..].chars().next().map_or(1, char::len_utf8);
            continue;
        };
        let end = i + len;
        // `0.9-1.05x`, `10 to 20 ms`: the first number takes the unit of the second.
        let rest = &text[end..];
        let range_gap = ["-", "–", " to ", " and ", "/"]
            .iter()
            .find(|g| {
                rest.starts_with(**g) && rest[g.len()..].starts_with(|c: char| c.is_ascii_digit())
            })
            .map(|g| g.len());
        if let Some(gap) = range_gap {
            pending_range.push((num, i, len));
            i = end + gap;
            continue;
        }
        if let Some(unit_len) = unit_after(text, end) {
            let unit = text[end..end + unit_len].trim_start_matches([' ', '-', '\u{a0}']);
            let line = line_of(line_starts, i);
            for (n, start, nlen) in pending_range.drain(..) {
                claims.push(Claim {
                    num: n,
                    bound: bound_before(text, start),
                    written: format!(
                        "{}{}",
                        &text[start..start + nlen],
                        unit_sep(unit, &text[end..])
                    ),
                    line: line_of(line_starts, start),
                });
            }
            claims.push(Claim {
                num,
                bound: bound_before(text, i),
                written: text[i..end + unit_len].to_owned(),
                line,
            });
            i = end + unit_len;
        } else {
            pending_range.clear();
            i = end;
        }
    }
    claims
}

fn unit_sep(unit: &str, after_number: &str) -> String {
    if after_number.starts_with([' ', '\u{a0}']) {
        format!(" {unit}")
    } else {
        unit.to_owned()
    }
}

fn line_of(line_starts: &[(usize, usize)], offset: usize) -> usize {
    line_starts
        .iter()
        .take_while(|(start, _)| *start <= offset)
        .last()
        .map_or(1, |(_, line)| *line)
}

/// Does an output value show the claim? A ratio only by a ratio, a
/// percentage by a percentage (or a fraction of one), anything else only by a
/// number that is neither.
pub fn matches(claim: &Claim, shown: Shown) -> bool {
    let n = claim.num.value;
    let v = shown.value;
    let written = claim.written.trim_end();
    let percent = written.ends_with('%');
    let ratio =
        !percent && (written.ends_with('x') || written.ends_with('×') || written.contains("times"));
    let candidates: Vec<f64> = match (ratio, percent, shown.suffix) {
        (true, _, Suffix::Ratio) => vec![v],
        (_, true, Suffix::Percent) => vec![v],
        (_, true, Suffix::Other) => vec![v * 100.0],
        (false, false, Suffix::Other) => vec![v],
        _ => return false,
    };
    candidates.iter().any(|&v| match claim.bound {
        Bound::Exact => (v - n).abs() <= 0.5 * 10f64.powi(-claim.num.decimals) + 1e-9,
        Bound::About => {
            (v - n).abs() <= (ABOUT * n.abs()).max(0.5 * 10f64.powi(-claim.num.decimals))
        }
        Bound::AtLeast => v >= n && v <= 10.0 * n,
        Bound::AtMost => v <= n && v >= n / 10.0,
    })
}

/// A number without a source.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub page: String,
    pub line: usize,
    pub written: String,
    pub sentence: String,
    pub nearest: Option<f64>,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{}:{}: `{}` has no source",
            self.page, self.line, self.written
        )?;
        writeln!(f, "    in: {}", self.sentence)?;
        let nearest = self
            .nearest
            .map(|v| format!(" (the nearest value there is {v})"))
            .unwrap_or_default();
        write!(
            f,
            "    fix: point at the output that shows it instead of restating it, correct it to what \
             the chapter's captured output shows{nearest}, or cite its source with a link in the \
             same sentence"
        )
    }
}

/// One unit of prose: a sentence, a list item or a table row.
#[derive(Debug)]
struct Unit {
    text: String,
    line_starts: Vec<(usize, usize)>,
}

/// Checks one page: `text` is its markdown, `sources` what it may cite.
pub fn check_page(page: &str, text: &str, sources: &Sources) -> Vec<Finding> {
    let mut sources = sources.clone();
    let prose = strip(text, &mut sources.parameters);
    let params: BTreeSet<u64> = sources.parameters.iter().map(|v| v.to_bits()).collect();
    let mut findings = Vec::new();
    for unit in units(&prose) {
        let cited = unit.text.contains("](LINK)") || unit.text.contains("<LINK>");
        if cited {
            continue;
        }
        for claim in claims_in(&unit.text, &unit.line_starts) {
            let shown = sources.outputs.iter().any(|&v| matches(&claim, v));
            let parameter = params.contains(&claim.num.value.to_bits());
            if shown || parameter {
                if std::env::var_os("CLAIMS_VERBOSE").is_some() {
                    let how = if shown { "output" } else { "parameter" };
                    println!("{page}:{}: `{}` ({how})", claim.line, claim.written);
                }
                continue;
            }
            let nearest = sources
                .outputs
                .iter()
                .map(|s| s.value)
                .filter(|v| *v != 0.0)
                .min_by(|a, b| {
                    let da = (a - claim.num.value).abs();
                    let db = (b - claim.num.value).abs();
                    da.total_cmp(&db)
                });
            findings.push(Finding {
                page: page.to_owned(),
                line: claim.line,
                written: claim.written.clone(),
                sentence: unit
                    .text
                    .replace("](LINK)", "](...)")
                    .replace("](local)", "](...)"),
                nearest,
            });
        }
    }
    findings
}

/// The page's prose, line by line (same line numbers): fenced code,
/// includes, HTML comments and inline code blanked out, link targets
/// replaced by `LINK` (external) or `local`. Numbers in command lines and
/// code go to `parameters`.
fn strip(text: &str, parameters: &mut Vec<f64>) -> Vec<String> {
    let mut out = Vec::new();
    let mut fence: Option<String> = None;
    let mut comment = false;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if let Some(marker) = &fence {
            if trimmed.starts_with(marker.as_str()) {
                fence = None;
            } else if !trimmed.starts_with("{{#") {
                // Code on the page: commands and constants are parameters.
                parameters.extend(numbers_in(line));
            }
            out.push(String::new());
            continue;
        }
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fence = Some(trimmed[..3].to_owned());
            out.push(String::new());
            continue;
        }
        if trimmed.starts_with("{{#") {
            out.push(String::new());
            continue;
        }
        // HTML comments, possibly over several lines.
        let mut kept = String::new();
        let mut rest = line;
        loop {
            if comment {
                match rest.find("-->") {
                    Some(end) => {
                        comment = false;
                        rest = &rest[end + 3..];
                    }
                    None => break,
                }
            } else {
                match rest.find("<!--") {
                    Some(start) => {
                        kept.push_str(&rest[..start]);
                        comment = true;
                        rest = &rest[start + 4..];
                    }
                    None => {
                        kept.push_str(rest);
                        break;
                    }
                }
            }
        }
        out.push(strip_inline(&kept, parameters));
    }
    out
}

/// Inline code out (its numbers are parameters when it is a command line),
/// link targets replaced.
fn strip_inline(line: &str, parameters: &mut Vec<f64>) -> String {
    let mut out = String::new();
    let mut parts = line.split('`');
    let mut in_code = false;
    for part in parts.by_ref() {
        if in_code {
            let command = part.starts_with("cargo ")
                || part.starts_with("python3 ")
                || part.starts_with("--")
                || part.contains(" --");
            if command {
                parameters.extend(numbers_in(part));
            }
            out.push_str("CODE");
        } else {
            out.push_str(&replace_links(part));
        }
        in_code = !in_code;
    }
    out
}

fn replace_links(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("](") {
        out.push_str(&rest[..start + 2]);
        let after = &rest[start + 2..];
        let end = after.find(')').unwrap_or(after.len());
        let target = &after[..end];
        out.push_str(if target.starts_with("http") {
            "LINK"
        } else {
            "local"
        });
        rest = &after[end..];
    }
    out.push_str(rest);
    // Autolinks and bare URLs.
    let mut result = String::new();
    for word in out.split_inclusive(' ') {
        let core = word.trim_start_matches(['<', '(']);
        if core.starts_with("http://") || core.starts_with("https://") {
            result.push_str("<LINK> ");
        } else {
            result.push_str(word);
        }
    }
    result
}

/// Splits the stripped page into sentences, list items and table rows.
fn units(lines: &[String]) -> Vec<Unit> {
    let mut units = Vec::new();
    let mut block = Unit {
        text: String::new(),
        line_starts: Vec::new(),
    };
    let mut block_is_item = false;
    let flush = |block: &mut Unit, is_item: bool, units: &mut Vec<Unit>| {
        if block.text.trim().is_empty() {
            block.text.clear();
            block.line_starts.clear();
            return;
        }
        let taken = std::mem::replace(
            block,
            Unit {
                text: String::new(),
                line_starts: Vec::new(),
            },
        );
        if is_item {
            units.push(taken);
        } else {
            units.extend(sentences(taken));
        }
    };
    for (n, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        let item = trimmed.starts_with("- ")
            || trimmed.starts_with("* ")
            || trimmed
                .split_once(". ")
                .is_some_and(|(d, _)| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()));
        let row = trimmed.starts_with('|');
        let heading = trimmed.starts_with('#');
        if trimmed.is_empty() || item || row || heading {
            flush(&mut block, block_is_item, &mut units);
            block_is_item = item || row || heading;
        }
        if trimmed.is_empty() {
            continue;
        }
        block.line_starts.push((block.text.len(), n + 1));
        block.text.push_str(trimmed);
        block.text.push(' ');
        if row || heading {
            flush(&mut block, true, &mut units);
            block_is_item = false;
        }
    }
    flush(&mut block, block_is_item, &mut units);
    units
}

/// A paragraph's sentences: split after `.`, `?` or `!` followed by a space
/// and a capital letter (not after "e.g." or "i.e." or "vs.").
fn sentences(block: Unit) -> Vec<Unit> {
    let text = &block.text;
    let mut cuts = vec![0];
    let bytes = text.as_bytes();
    for (i, c) in text.char_indices() {
        if matches!(c, '.' | '?' | '!')
            && bytes.get(i + 1) == Some(&b' ')
            && text[i + 2..].starts_with(|c: char| c.is_uppercase() || c == '*' || c == '(')
        {
            let before = text[..i + 1].to_lowercase();
            if ["e.g.", "i.e.", "vs.", "etc."]
                .iter()
                .any(|a| before.ends_with(a))
            {
                continue;
            }
            cuts.push(i + 2);
        }
    }
    cuts.push(text.len());
    cuts.windows(2)
        .map(|w| {
            let (a, b) = (w[0], w[1]);
            let line_starts = block
                .line_starts
                .iter()
                .filter(|(s, _)| *s < b)
                .map(|(s, l)| (s.saturating_sub(a), *l))
                .collect::<Vec<_>>();
            // The line the sentence starts on comes first.
            let first = line_of(&block.line_starts, a);
            let mut starts = vec![(0, first)];
            starts.extend(line_starts.into_iter().filter(|(s, _)| *s > 0));
            Unit {
                text: text[a..b].trim().to_owned(),
                line_starts: starts,
            }
        })
        .filter(|u| !u.text.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sources(outputs: &str) -> Sources {
        Sources {
            outputs: shown_in(outputs),
            parameters: Vec::new(),
        }
    }

    fn found(page: &str, outputs: &str) -> Vec<(usize, String)> {
        check_page("page.md", page, &sources(outputs))
            .into_iter()
            .map(|f| (f.line, f.written))
            .collect()
    }

    #[test]
    fn reads_numbers_with_the_separators_outputs_use() {
        assert_eq!(numbers_in("51,192,287 msg/s"), [51_192_287.0]);
        assert_eq!(numbers_in("10_000 and 1.00x, 3.17x"), [10_000.0, 1.0, 3.17]);
        assert_eq!(numbers_in("1,000 x 1,000"), [1000.0, 1000.0]);
        assert_eq!(numbers_in("(1, 2, 3)"), [1.0, 2.0, 3.0]);
        assert_eq!(numbers_in("lesson-04 v0.12 T1"), [4.0]);
        assert_eq!(numbers_in("a 12,34 b"), [12.0, 34.0]);
    }

    #[test]
    fn finds_measurements_and_leaves_other_numbers_alone() {
        let page = "The bench shows 3.17x here.\n\
                    Run 4 workers on a 1000 x 1000 array, 10,000 requests.\n\
                    A round trip takes 20 ms, or 1.2 seconds for sixty,\n\
                    at 950,083 messages/s and 35% of the time. Lesson 04 is next.\n";
        assert_eq!(
            found(page, ""),
            [
                (1, "3.17x".to_owned()),
                (3, "20 ms".to_owned()),
                (3, "1.2 seconds".to_owned()),
                (4, "950,083 messages/s".to_owned()),
                (4, "35%".to_owned()),
            ]
        );
    }

    #[test]
    fn a_number_the_output_shows_passes_as_written_or_rounded() {
        let out = "| ipc | 950,083 | 1053 | 3.17x |\nefficiency 96.4%\n";
        let page = "It sends 950,083 messages/s, 3.17x Python, about 3x, 3.2x rounded;\n\
                    efficiency 96% and more than 3x too.\n";
        assert_eq!(found(page, out), []);
        assert_eq!(found("It is 3.5x faster.\n", out), [(1, "3.5x".to_owned())]);
        assert_eq!(found("It is about 4x.\n", out), [(1, "4x".to_owned())]);
        assert_eq!(
            found("It is more than 0.1x.\n", out),
            [(1, "0.1x".to_owned())]
        );
        assert_eq!(found("Efficiency is 0.96 or 96%.\n", "0.96"), []);
    }

    #[test]
    fn a_ratio_or_a_percentage_needs_one_in_the_output() {
        // The same digits as another kind of number are no source.
        let out = "| row | 3.17 ms | 96 threads | 2.00x | 50% |\n";
        assert_eq!(
            found("It is 3.17x faster.\n", out),
            [(1, "3.17x".to_owned())]
        );
        assert_eq!(found("Efficiency 96%.\n", out), [(1, "96%".to_owned())]);
        assert_eq!(found("It took 2 ms.\n", out), [(1, "2 ms".to_owned())]);
        assert_eq!(found("It took 50 ms.\n", out), [(1, "50 ms".to_owned())]);
        assert_eq!(found("It took 3.17 ms, 2x the rest, 50% busy.\n", out), []);
    }

    #[test]
    fn code_includes_and_comments_are_not_prose() {
        let page = "```text\nfast: 12 ms\n```\n\
                    {{#include output/bench.txt}}\n\
                    <!-- an old note: 99 ms -->\n\
                    The flag `--latency-ms 77` sets 77 ms of latency.\n\
                    <!--\n55 ms\n-->\n\
                    Inline `sleep(0.3)` is code.\n";
        assert_eq!(found(page, ""), []);
    }

    #[test]
    fn a_sentence_or_list_item_with_a_link_is_cited() {
        let page = "The free-threaded build is slower by 40% \
                    ([What's New](https://docs.python.org/3/whatsnew/3.13.html)). \
                    But ours is 25% slower.\n\n\
                    - A pipe buffer holds 64 KiB\n  on Linux ([pipe(7)](https://man7.org/linux/man-pages/man7/pipe.7.html)).\n\
                    - A [local link](../lesson-01/index.md) says 7 ms.\n\
                    | a | 5 ms |\n";
        assert_eq!(
            found(page, ""),
            [
                (1, "25%".to_owned()),
                (5, "7 ms".to_owned()),
                (6, "5 ms".to_owned()),
            ]
        );
    }

    #[test]
    fn ranges_take_the_unit_of_their_end() {
        assert_eq!(
            found(
                "Threads run at 0.9-1.05x, builds take 10 to 20 s.\n",
                "1.05x 20"
            ),
            [(1, "0.9x".to_owned()), (1, "10 s".to_owned())]
        );
    }

    #[test]
    fn command_line_parameters_and_shown_code_count_as_sources() {
        let page = "```text\ncargo run -p x -- fetch --requests 10000 --latency-ms 50\n```\n\
                    Each request waits 50 ms; one takes 30 ms.\n\
                    ```rust\nlet limit = Duration::from_millis(30);\n```\n";
        assert_eq!(found(page, ""), []);
        assert_eq!(found("It waits 50 ms.\n", ""), [(1, "50 ms".to_owned())]);
    }

    #[test]
    fn the_report_names_page_line_number_sentence_and_fix() {
        let f = check_page(
            "book/src/lesson-04-ipc/index.md",
            "Intro.\n\nThe bench gives 5.5x. Next.\n",
            &sources("3.17x"),
        );
        let text = f[0].to_string();
        assert!(
            text.starts_with("book/src/lesson-04-ipc/index.md:3: `5.5x` has no source"),
            "{text}"
        );
        assert!(text.contains("in: The bench gives 5.5x."), "{text}");
        assert!(text.contains("nearest value there is 3.17"), "{text}");
        assert!(text.contains("cite its source with a link"), "{text}");
    }

    #[test]
    fn unit_list() {
        for (text, unit) in [
            ("5x ", Some(1)),
            ("5 x 5", None),
            ("5 ms.", Some(3)),
            ("5 µs", Some(4)),
            ("5 s,", Some(2)),
            ("5 seconds", Some(8)),
            ("5 MiB", Some(4)),
            ("5 req/s", Some(6)),
            ("5 requests per second", Some(20)),
            ("5 times faster", Some(6)),
            ("5 times over", None),
            ("5 threads", None),
            ("5 min", None),
            ("5%", Some(1)),
        ] {
            assert_eq!(unit_after(text, 1), unit, "{text:?}");
        }
    }
}
