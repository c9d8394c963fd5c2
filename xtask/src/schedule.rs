//! `cargo xtask schedule`: the book's pacing, computed instead of typed.
//!
//! A chapter is cut into sections (its `##` headings). Right under each
//! heading of a scheduled page sits the section's minutes in class:
//!
//! ```text
//! ## The Rust version
//! <!-- minutes: 20 -->
//! ```
//!
//! and the section ends with its speaker notes, collapsed for a reader:
//!
//! ```text
//! <details>
//! <summary>Speaker notes</summary>
//!
//! - **The lock in Rust (15 min).** ...
//! - **Why Rust has no GIL (5 min).** ...
//!
//! </details>
//! ```
//!
//! `minutes: 0` marks a section for reading, not taught in class (it needs no
//! notes). The `(N min)` parts inside a section's notes must add up to its
//! minutes. An exercise's minutes live in its `exercise.toml`; the chapter may
//! show them next to the exercise's id (`` **`run-together`** (20 min) ``),
//! and then they must agree. Any other minutes or hours typed in the book's
//! prose are an error: totals are generated, never summed by hand.
//!
//! From those parts this command writes two files, both included by the book:
//!
//! - `book/src/generated/sections.md`: one collapsed overview per scheduled
//!   page (its sections, its exercises, its totals), included right under the
//!   page's title as `{{#include ../generated/sections.md:KEY}}`;
//! - `book/src/generated/schedule.md`: the lessons' minutes and the courses
//!   laid out in `book/schedule.toml` (which lessons, which sections skipped,
//!   which exercises, the breaks), day by day with clock times, included by the
//!   instructor's guide.
//!
//! `cargo xtask schedule --check` (a CI step) writes nothing and fails when a
//! total disagrees with its parts or a generated file is stale.

use std::collections::HashSet;
use std::fmt::{self, Write as _};
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use crate::course::{Course, Exercise};

/// The longest teaching section: what a class takes in one sitting.
pub const MAX_SECTION_MINUTES: u32 = 40;

/// Where the generated files go, relative to `book/src`.
const GENERATED: &str = "generated";
const SECTIONS_FILE: &str = "sections.md";
const SCHEDULE_FILE: &str = "schedule.md";
/// The plan of the courses, relative to the course root.
const PLAN_FILE: &str = "book/schedule.toml";

/// Something wrong with the book's minutes, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub page: String,
    /// 1-based; 0 when it concerns the whole page.
    pub line: usize,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.page, self.message)
        } else {
            write!(f, "{}:{}: {}", self.page, self.line, self.message)
        }
    }
}

/// One `##` section of a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub title: String,
    /// The HTML id mdBook gives the heading.
    pub id: String,
    pub line: usize,
    /// From `<!-- minutes: N -->`; `None` when the marker is missing.
    pub minutes: Option<u32>,
    /// Line of its speaker notes block, if it has one.
    pub notes_line: Option<usize>,
    /// The `(N min)` parts in its speaker notes: (minutes, line).
    pub parts: Vec<(u32, usize)>,
}

/// An exercise's minutes as a page shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownExercise {
    pub id: String,
    pub minutes: u32,
    pub line: usize,
}

/// What [`parse_page`] finds in one page.
#[derive(Debug, Clone, Default)]
pub struct Page {
    /// Relative to `book/src`, with `/`.
    pub path: String,
    pub title: String,
    pub sections: Vec<Section>,
    pub exercises: Vec<ShownExercise>,
    /// The anchors of `generated/sections.md` this page includes.
    pub includes_overview: Vec<String>,
    pub problems: Vec<Problem>,
}

impl Page {
    /// A page is scheduled when any of its sections carries minutes.
    pub fn scheduled(&self) -> bool {
        self.sections.iter().any(|s| s.minutes.is_some())
    }

    /// The anchor of this page's overview in `generated/sections.md`.
    pub fn key(&self) -> String {
        page_key(&self.path)
    }

    pub fn teaching(&self, skip: &[String]) -> u32 {
        self.sections
            .iter()
            .filter(|s| !skip.contains(&s.title))
            .filter_map(|s| s.minutes)
            .sum()
    }
}

/// `lesson-01-gil/index.md` -> `lesson-01-gil`; `lab/decision.md` -> `lab-decision`.
pub fn page_key(path: &str) -> String {
    path.trim_end_matches(".md")
        .trim_end_matches("/index")
        .replace('/', "-")
}

/// The lesson crate a page belongs to: its folder (`lesson-01-gil`, `lab`).
fn page_lesson(path: &str) -> &str {
    path.split('/').next().unwrap_or("")
}

/// mdBook's id for a heading (`mdbook-html`'s `id_from_content`), from its
/// markdown text: inline code and emphasis marks dropped, lower case, spaces
/// to `-`, other punctuation dropped.
pub fn heading_id(text: &str) -> String {
    text.replace(['`', '*'], "")
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|ch| {
            if ch.is_alphanumeric() || ch == '_' || ch == '-' {
                Some(ch)
            } else if ch.is_whitespace() {
                Some('-')
            } else {
                None
            }
        })
        .collect()
}

/// The number in `<!-- minutes: N -->`, if `line` is such a marker.
fn minutes_marker(line: &str) -> Option<Result<u32, String>> {
    let inner = line
        .trim()
        .strip_prefix("<!--")?
        .strip_suffix("-->")?
        .trim();
    let value = inner.strip_prefix("minutes:")?.trim();
    Some(
        value
            .parse()
            .map_err(|_| format!("`{}`: minutes must be a whole number", line.trim())),
    )
}

/// Every "N min", "N minutes", "N-minute", "N hours" in `text`: (N, byte offset).
pub fn durations(text: &str) -> Vec<(u32, usize, &'static str)> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() || (i > 0 && (bytes[i - 1].is_ascii_alphanumeric())) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        // "1.5 hours", "09:00", "3,000": not a whole count of minutes.
        if i < bytes.len()
            && matches!(bytes[i], b'.' | b',' | b':')
            && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)
        {
            while i < bytes.len() && (bytes[i].is_ascii_digit() || b".,:".contains(&bytes[i])) {
                i += 1;
            }
            continue;
        }
        let number: u32 = match text[start..i].parse() {
            Ok(n) => n,
            Err(_) => continue,
        };
        let mut j = i;
        if j < bytes.len() && matches!(bytes[j], b' ' | b'-') {
            j += 1;
        }
        let rest = &text[j..];
        for (word, unit) in [
            ("minutes", "min"),
            ("minute", "min"),
            ("mins", "min"),
            ("min", "min"),
            ("hours", "h"),
            ("hour", "h"),
        ] {
            if rest.len() >= word.len()
                && rest[..word.len()].eq_ignore_ascii_case(word)
                && !rest[word.len()..]
                    .chars()
                    .next()
                    .is_some_and(char::is_alphanumeric)
            {
                found.push((number, start, unit));
                break;
            }
        }
    }
    found
}

/// Reads one page: its sections with their minutes and notes, the exercises
/// it shows with minutes, and every minutes figure that is none of those.
pub fn parse_page(path: &str, text: &str, exercise_ids: &[String]) -> Page {
    let mut page = Page {
        path: path.to_owned(),
        ..Page::default()
    };
    let problem = |line: usize, message: String| Problem {
        page: path.to_owned(),
        line,
        message,
    };
    let mut used_ids = HashSet::new();
    let mut in_code = false;
    let mut in_comment = false;
    let mut in_notes: Option<usize> = None;
    // The line a `##` heading was on, while its marker may still follow.
    let mut awaiting_marker: Option<usize> = None;
    let lines: Vec<&str> = text.lines().collect();
    for (index, raw) in lines.iter().enumerate() {
        let n = index + 1;
        let line = raw.trim();
        if line.starts_with("```") || line.starts_with("~~~") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            continue;
        }
        if in_comment {
            if line.contains("-->") {
                in_comment = false;
            }
            continue;
        }
        if let Some(marker) = minutes_marker(line) {
            match (awaiting_marker.take(), marker) {
                (Some(_), Ok(minutes)) => {
                    if let Some(section) = page.sections.last_mut() {
                        section.minutes = Some(minutes);
                    }
                }
                (Some(_), Err(message)) => page.problems.push(problem(n, message)),
                (None, _) => page.problems.push(problem(
                    n,
                    "a minutes marker must be the first line under a `##` heading".into(),
                )),
            }
            continue;
        }
        if !line.is_empty() {
            awaiting_marker = None;
        }
        if line.starts_with("<!--") {
            in_comment = !line.contains("-->");
            continue;
        }
        if let Some(rest) = line.strip_prefix("{{#include") {
            if let Some(anchor) = rest
                .trim_end_matches("}}")
                .trim()
                .strip_prefix(&format!("../{GENERATED}/{SECTIONS_FILE}:"))
            {
                page.includes_overview.push(anchor.trim().to_owned());
            }
            continue;
        }
        let hashes = line.chars().take_while(|&c| c == '#').count();
        if (1..=6).contains(&hashes) && line[hashes..].starts_with(' ') {
            if let Some(open) = in_notes.take() {
                page.problems.push(problem(
                    open,
                    "speaker notes not closed with `</details>` before the next heading".into(),
                ));
            }
            let title = line[hashes..].trim().to_owned();
            let mut id = heading_id(&title);
            if !used_ids.insert(id.clone()) {
                let mut k = 1;
                while !used_ids.insert(format!("{id}-{k}")) {
                    k += 1;
                }
                id = format!("{id}-{k}");
            }
            match hashes {
                1 if page.title.is_empty() => page.title = title,
                2 => {
                    page.sections.push(Section {
                        title,
                        id,
                        line: n,
                        minutes: None,
                        notes_line: None,
                        parts: Vec::new(),
                    });
                    awaiting_marker = Some(n);
                }
                _ => {}
            }
            continue;
        }
        if line == "<details>" || line.starts_with("<details>") {
            let summary = if line == "<details>" {
                lines[index + 1..]
                    .iter()
                    .map(|l| l.trim())
                    .find(|l| !l.is_empty())
                    .unwrap_or("")
            } else {
                &line["<details>".len()..]
            };
            if summary.trim() == "<summary>Speaker notes</summary>" {
                match page.sections.last_mut() {
                    Some(section) if section.notes_line.is_none() => section.notes_line = Some(n),
                    Some(section) => page.problems.push(problem(
                        n,
                        format!(
                            "section `{}` has a second speaker-notes block (its first is on line {})",
                            section.title,
                            section.notes_line.unwrap_or(0)
                        ),
                    )),
                    None => page.problems.push(problem(
                        n,
                        "speaker notes before the first `##` section".into(),
                    )),
                }
                in_notes = Some(n);
            }
            continue;
        }
        if line == "</details>" {
            in_notes = None;
            continue;
        }
        // Minutes figures: parts of a section (in its notes), an exercise's
        // minutes, or a hand-typed total (an error).
        let prose = strip_inline_code_except_ids(raw);
        for (value, at, unit) in durations(&prose) {
            if in_notes.is_some() && unit == "min" && prose[..at].ends_with('(') {
                if let Some(section) = page.sections.last_mut() {
                    section.parts.push((value, n));
                }
                continue;
            }
            // Inline code was blanked byte for byte: offsets in `prose` are offsets in `raw`.
            let before = &raw[..at];
            let shown = exercise_ids
                .iter()
                .filter(|id| before.contains(&format!("`{id}`")))
                .max_by_key(|id| before.rfind(&format!("`{id}`")));
            match shown {
                Some(id) if in_notes.is_none() && unit == "min" => {
                    page.exercises.push(ShownExercise {
                        id: id.clone(),
                        minutes: value,
                        line: n,
                    })
                }
                _ => page.problems.push(problem(
                    n,
                    format!(
                        "`{value} {unit}` typed by hand: a section's minutes go in its \
                         `<!-- minutes: N -->` marker, parts of it in its speaker notes as \
                         `(N min)`, an exercise's in its exercise.toml; totals come from \
                         `cargo xtask schedule`"
                    ),
                )),
            }
        }
    }
    if let Some(open) = in_notes {
        page.problems.push(problem(
            open,
            "speaker notes not closed with `</details>`".into(),
        ));
    }
    page
}

/// `raw` with the contents of inline code blanked (so "`--rounds 5`" or a
/// table of flags never reads as minutes), keeping its length.
fn strip_inline_code_except_ids(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut in_code = false;
    for ch in raw.chars() {
        if ch == '`' {
            in_code = !in_code;
            out.push(ch);
        } else if in_code {
            out.extend(std::iter::repeat_n('x', ch.len_utf8()));
        } else {
            out.push(ch);
        }
    }
    out
}

/// The checks on one page against the exercises' metadata.
pub fn check_page(page: &Page, exercises: &[Exercise], must_schedule: bool) -> Vec<Problem> {
    let mut problems = page.problems.clone();
    let problem = |line: usize, message: String| Problem {
        page: page.path.clone(),
        line,
        message,
    };
    if !page.scheduled() {
        if must_schedule {
            problems.push(problem(
                0,
                "a lesson chapter needs `<!-- minutes: N -->` under each `##` heading".into(),
            ));
        }
        if let Some(s) = page.sections.iter().find(|s| s.notes_line.is_some()) {
            problems.push(problem(
                s.notes_line.unwrap_or(0),
                "speaker notes on a page without minutes".into(),
            ));
        }
        return problems;
    }
    for s in &page.sections {
        let Some(minutes) = s.minutes else {
            problems.push(problem(
                s.line,
                format!(
                    "section `{}` has no `<!-- minutes: N -->` right under its heading \
                     (0 for a section to read, not taught)",
                    s.title
                ),
            ));
            continue;
        };
        if minutes > MAX_SECTION_MINUTES {
            problems.push(problem(
                s.line,
                format!(
                    "section `{}` takes {minutes} min, more than a sitting \
                     ({MAX_SECTION_MINUTES}): cut it in two",
                    s.title
                ),
            ));
        }
        if minutes > 0 && s.notes_line.is_none() {
            problems.push(problem(
                s.line,
                format!(
                    "section `{}` ({minutes} min) has no speaker notes \
                     (`<details>` / `<summary>Speaker notes</summary>` at its end)",
                    s.title
                ),
            ));
        }
        let parts: u32 = s.parts.iter().map(|p| p.0).sum();
        if !s.parts.is_empty() && parts != minutes {
            let shown: Vec<String> = s.parts.iter().map(|p| p.0.to_string()).collect();
            problems.push(problem(
                s.parts[0].1,
                format!(
                    "the speaker notes of `{}` add up to {parts} min ({}), its marker says {minutes}",
                    s.title,
                    shown.join(" + ")
                ),
            ));
        }
    }
    let lesson = page_lesson(&page.path);
    for shown in &page.exercises {
        match exercises.iter().find(|e| e.id == shown.id) {
            Some(ex) if ex.meta.minutes != shown.minutes => problems.push(problem(
                shown.line,
                format!(
                    "`{}` is shown as {} min; its exercise.toml says {}",
                    shown.id, shown.minutes, ex.meta.minutes
                ),
            )),
            _ => {}
        }
    }
    if page.path.ends_with("index.md") {
        for ex in exercises.iter().filter(|e| e.meta.lesson == lesson) {
            if !page.exercises.iter().any(|s| s.id == ex.id) {
                problems.push(problem(
                    0,
                    format!(
                        "exercise `{}` of this lesson is not listed with its minutes \
                         (`` **`{}`** ({} min) ``)",
                        ex.id, ex.id, ex.meta.minutes
                    ),
                ));
            }
        }
    }
    let key = page.key();
    if page.includes_overview != [key.clone()] {
        problems.push(problem(
            0,
            format!(
                "include its overview once, under its title: \
                 `{{{{#include ../{GENERATED}/{SECTIONS_FILE}:{key}}}}}`"
            ),
        ));
    }
    problems
}

/// The exercises a page's lesson owns (by `exercise.toml`'s `lesson`).
fn exercises_of<'a>(page: &Page, exercises: &'a [Exercise]) -> Vec<&'a Exercise> {
    if !page.path.ends_with("index.md") {
        return Vec::new();
    }
    let lesson = page_lesson(&page.path);
    exercises
        .iter()
        .filter(|e| e.meta.lesson == lesson)
        .collect()
}

/// `generated/sections.md`: per scheduled page, its sections and totals.
pub fn render_sections(pages: &[Page], exercises: &[Exercise]) -> String {
    let mut out = String::from(
        "<!-- Generated by `cargo xtask schedule` from the chapters' minutes markers and the \
         exercises' exercise.toml: do not edit. -->\n",
    );
    for page in pages.iter().filter(|p| p.scheduled()) {
        let key = page.key();
        let teach = page.teaching(&[]);
        let own = exercises_of(page, exercises);
        let practice: u32 = own.iter().map(|e| e.meta.minutes).sum();
        let _ = writeln!(out, "\n<!-- ANCHOR: {key} -->\n<details>");
        let summary = if own.is_empty() {
            format!("In class: {teach} minutes")
        } else {
            format!(
                "In class: {teach} minutes of teaching, then {practice} of exercises ({} in all)",
                teach + practice
            )
        };
        let _ = writeln!(out, "<summary>{summary}</summary>\n");
        out.push_str("| section | minutes |\n|---|---|\n");
        for s in &page.sections {
            let _ = writeln!(
                out,
                "| [{}](#{}) | {} |",
                s.title,
                s.id,
                s.minutes.unwrap_or(0)
            );
        }
        for ex in &own {
            let _ = writeln!(
                out,
                "| exercise `{}` (`cargo xtask check exercises {}`) | {} |",
                ex.id, ex.id, ex.meta.minutes
            );
        }
        let _ = writeln!(out, "| **in all** | **{}** |", teach + practice);
        let _ = writeln!(out, "\n</details>\n<!-- ANCHOR_END: {key} -->");
    }
    out
}

/// `book/schedule.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    pub course: Vec<CoursePlan>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoursePlan {
    pub title: String,
    /// When each day starts, `HH:MM`.
    pub start: String,
    /// When each day must have ended, `HH:MM`.
    pub end: String,
    pub day: Vec<DayPlan>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DayPlan {
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged, deny_unknown_fields)]
pub enum Item {
    /// A page of the book: its sections (all, only those in `only`, or all
    /// but those in `skip`) and its exercises (all of its lesson's, or those
    /// named). A lesson split around a break is two items.
    Page {
        page: String,
        #[serde(default)]
        only: Vec<String>,
        #[serde(default)]
        skip: Vec<String>,
        exercises: Option<Vec<String>>,
    },
    /// Anything else, with its own minutes: a break, lunch, a review.
    Pause { pause: String, minutes: u32 },
}

/// One row of a laid-out day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub start: u32,
    pub what: String,
    pub teach: u32,
    pub practice: u32,
    /// The ids of the exercises it takes.
    pub exercises: Vec<String>,
    pub pause: bool,
}

impl Slot {
    pub fn minutes(&self) -> u32 {
        self.teach + self.practice
    }
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// `HH:MM` to minutes since midnight.
pub fn parse_clock(text: &str) -> Result<u32> {
    let (h, m) = text
        .split_once(':')
        .with_context(|| format!("`{text}` is not HH:MM"))?;
    let (h, m): (u32, u32) = (h.parse()?, m.parse()?);
    if h > 23 || m > 59 {
        bail!("`{text}` is not a time of day");
    }
    Ok(h * 60 + m)
}

pub fn clock(minutes: u32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// Lays out each day of `course` from the pages' minutes and the exercises'.
pub fn lay_out(
    course: &CoursePlan,
    pages: &[Page],
    exercises: &[Exercise],
) -> Result<Vec<Vec<Slot>>> {
    let start = parse_clock(&course.start)?;
    let end = parse_clock(&course.end)?;
    let mut days = Vec::new();
    for (d, day) in course.day.iter().enumerate() {
        let mut at = start;
        let mut slots = Vec::new();
        for item in &day.items {
            let slot = match item {
                Item::Pause { pause, minutes } => Slot {
                    start: at,
                    what: pause.clone(),
                    teach: *minutes,
                    practice: 0,
                    exercises: Vec::new(),
                    pause: true,
                },
                Item::Page {
                    page,
                    only,
                    skip,
                    exercises: chosen,
                } => {
                    let p = pages
                        .iter()
                        .find(|p| &p.path == page && p.scheduled())
                        .with_context(|| {
                            format!("{}: `{page}` is not a page with minutes", course.title)
                        })?;
                    if !only.is_empty() && !skip.is_empty() {
                        bail!(
                            "{}: `{page}`: give `only` or `skip`, not both",
                            course.title
                        );
                    }
                    for s in only.iter().chain(skip) {
                        if !p.sections.iter().any(|x| &x.title == s) {
                            bail!(
                                "{}: `{page}` has no section `{s}` to skip (its sections: {})",
                                course.title,
                                p.sections
                                    .iter()
                                    .map(|x| x.title.as_str())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            );
                        }
                    }
                    let own = exercises_of(p, exercises);
                    let picked: Vec<&Exercise> = match chosen {
                        None => own,
                        Some(ids) => ids
                            .iter()
                            .map(|id| {
                                own.iter().copied().find(|e| &e.id == id).with_context(|| {
                                    format!(
                                        "{}: `{id}` is not an exercise of `{page}`",
                                        course.title
                                    )
                                })
                            })
                            .collect::<Result<_>>()?,
                    };
                    let mut what = format!("[{}]({})", p.title, p.path);
                    if !only.is_empty() {
                        let _ = write!(what, ": {}", only.join(", "));
                    }
                    if !skip.is_empty() {
                        let _ = write!(what, " (skip: {})", skip.join(", "));
                    }
                    // `only` as the complement: what `teaching` leaves out.
                    let left_out: Vec<String> = if only.is_empty() {
                        skip.clone()
                    } else {
                        p.sections
                            .iter()
                            .map(|x| x.title.clone())
                            .filter(|t| !only.contains(t))
                            .collect()
                    };
                    if !picked.is_empty() {
                        let ids: Vec<String> =
                            picked.iter().map(|e| format!("`{}`", e.id)).collect();
                        let _ = write!(what, ", with {}", and_list(&ids));
                    }
                    Slot {
                        start: at,
                        what,
                        teach: p.teaching(&left_out),
                        practice: picked.iter().map(|e| e.meta.minutes).sum(),
                        exercises: picked.iter().map(|e| e.id.clone()).collect(),
                        pause: false,
                    }
                }
            };
            at += slot.minutes();
            slots.push(slot);
        }
        if at > end {
            bail!(
                "{}: day {} ends at {}, after {}: take something out of book/schedule.toml",
                course.title,
                d + 1,
                clock(at),
                course.end
            );
        }
        days.push(slots);
    }
    Ok(days)
}

/// `generated/schedule.md`: the lessons' minutes, then each course by day.
pub fn render_schedule(plan: &Plan, pages: &[Page], exercises: &[Exercise]) -> Result<String> {
    let mut out = String::from(
        "<!-- Generated by `cargo xtask schedule` from the chapters' minutes markers, the \
         exercises' exercise.toml and book/schedule.toml: do not edit. -->\n\n",
    );
    out.push_str("| page | teaching | exercises | in all |\n|---|---|---|---|\n");
    let (mut all_teach, mut all_practice) = (0, 0);
    for page in pages.iter().filter(|p| p.scheduled()) {
        let own = exercises_of(page, exercises);
        let teach = page.teaching(&[]);
        let practice: u32 = own.iter().map(|e| e.meta.minutes).sum();
        let names: Vec<String> = own
            .iter()
            .map(|e| format!("`{}` {}", e.id, e.meta.minutes))
            .collect();
        let practice_cell = if own.is_empty() {
            "none".to_owned()
        } else {
            format!("{practice} ({})", names.join(", "))
        };
        let _ = writeln!(
            out,
            "| [{}]({}) | {teach} | {practice_cell} | {} |",
            page.title,
            page.path,
            teach + practice
        );
        all_teach += teach;
        all_practice += practice;
    }
    let _ = writeln!(
        out,
        "| **the whole course** | **{all_teach}** | **{all_practice}** | **{}** |",
        all_teach + all_practice
    );
    for course in &plan.course {
        let days = lay_out(course, pages, exercises)?;
        let class: u32 = days
            .iter()
            .flatten()
            .filter(|s| !s.pause)
            .map(Slot::minutes)
            .sum();
        let _ = write!(
            out,
            "\n### {}\n\n{class} minutes in class (teaching and exercises) ",
            course.title
        );
        if days.len() == 1 {
            let _ = write!(out, "in one day from {}.", course.start);
        } else {
            let _ = write!(
                out,
                "over {} days, from {} each day.",
                days.len(),
                course.start
            );
        }
        let taken: Vec<&str> = days
            .iter()
            .flatten()
            .flat_map(|s| s.exercises.iter().map(String::as_str))
            .collect();
        let left: Vec<String> = exercises
            .iter()
            .filter(|e| !taken.contains(&e.id.as_str()))
            .map(|e| format!("`{}`", e.id))
            .collect();
        if !left.is_empty() {
            let _ = write!(out, " Exercises left for later: {}.", and_list(&left));
        }
        out.push('\n');
        for (d, slots) in days.iter().enumerate() {
            if days.len() > 1 {
                let _ = writeln!(out, "\n**Day {}**", d + 1);
            }
            out.push_str(
                "\n| time | what | teaching | exercises | minutes |\n|---|---|---|---|---|\n",
            );
            for s in slots {
                if s.pause {
                    let _ = writeln!(
                        out,
                        "| {} | *{}* | | | {} |",
                        clock(s.start),
                        s.what,
                        s.minutes()
                    );
                } else {
                    let _ = writeln!(
                        out,
                        "| {} | {} | {} | {} | {} |",
                        clock(s.start),
                        s.what,
                        s.teach,
                        s.practice,
                        s.minutes()
                    );
                }
            }
            let end = slots.last().map_or(0, |s| s.start + s.minutes());
            let in_class: u32 = slots.iter().filter(|s| !s.pause).map(Slot::minutes).sum();
            let _ = writeln!(
                out,
                "| {} | end of the day: {in_class} minutes in class | | | |",
                clock(end)
            );
        }
    }
    Ok(out)
}

/// Every `.md` page under `book/src` but the summary and the generated files,
/// as (path relative to `book/src` with `/`, text).
fn book_pages(src: &Path) -> Result<Vec<(String, String)>> {
    fn walk(dir: &Path, found: &mut Vec<PathBuf>) -> Result<()> {
        for entry in fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
            let path = entry?.path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n != GENERATED) {
                    walk(&path, found)?;
                }
            } else if path.extension().is_some_and(|e| e == "md")
                && path.file_name().is_some_and(|n| n != "SUMMARY.md")
            {
                found.push(path);
            }
        }
        Ok(())
    }
    let mut files = Vec::new();
    walk(src, &mut files)?;
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let rel = path
                .strip_prefix(src)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            let text =
                fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
            Ok((rel, text))
        })
        .collect()
}

/// The order of pages in the book: as `SUMMARY.md` lists them.
fn summary_order(src: &Path) -> Result<Vec<String>> {
    let text = fs::read_to_string(src.join("SUMMARY.md")).context("reading SUMMARY.md")?;
    Ok(text
        .lines()
        .filter_map(|l| {
            let open = l.find("](")?;
            let rest = &l[open + 2..];
            Some(rest[..rest.find(')')?].to_owned())
        })
        .collect())
}

/// A lesson chapter must be scheduled: `lesson-*/index.md` and `lab/index.md`.
fn must_schedule(path: &str) -> bool {
    path.ends_with("/index.md") && (path.starts_with("lesson-") || path.starts_with("lab/"))
}

pub fn run(course: &Course, check: bool) -> Result<bool> {
    let src = course.root.join("book/src");
    let exercises = course.exercises()?;
    let ids: Vec<String> = exercises.iter().map(|e| e.id.clone()).collect();
    let order = summary_order(&src)?;
    let mut pages: Vec<Page> = book_pages(&src)?
        .iter()
        .map(|(path, text)| parse_page(path, text, &ids))
        .collect();
    pages.sort_by_key(|p| {
        order
            .iter()
            .position(|o| o == &p.path)
            .unwrap_or(usize::MAX)
    });
    let mut problems = Vec::new();
    for page in &pages {
        problems.extend(check_page(page, &exercises, must_schedule(&page.path)));
    }
    for p in &problems {
        println!("{p}");
    }
    let plan_path = course.root.join(PLAN_FILE);
    let plan: Plan = toml::from_str(
        &fs::read_to_string(&plan_path)
            .with_context(|| format!("reading {}", plan_path.display()))?,
    )
    .with_context(|| format!("{} is not valid", plan_path.display()))?;
    let generated = [
        (SECTIONS_FILE, render_sections(&pages, &exercises)),
        (SCHEDULE_FILE, render_schedule(&plan, &pages, &exercises)?),
    ];
    let dir = src.join(GENERATED);
    let mut stale = Vec::new();
    for (name, text) in &generated {
        let path = dir.join(name);
        if fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            stale.push(path);
        }
    }
    let scheduled = pages.iter().filter(|p| p.scheduled()).count();
    if check {
        for path in &stale {
            println!(
                "{} is stale: run `cargo xtask schedule` and commit the result",
                path.strip_prefix(&course.root).unwrap_or(path).display()
            );
        }
    } else if problems.is_empty() {
        fs::create_dir_all(&dir)?;
        for (name, text) in &generated {
            fs::write(dir.join(name), text)?;
        }
        for path in &stale {
            println!(
                "wrote {}",
                path.strip_prefix(&course.root).unwrap_or(path).display()
            );
        }
    } else {
        println!("nothing written: fix the problems above first");
    }
    let ok = problems.is_empty() && (stale.is_empty() || !check);
    println!(
        "schedule: {scheduled} pages with minutes, {} problem{}{}",
        problems.len(),
        if problems.len() == 1 { "" } else { "s" },
        if check && !stale.is_empty() {
            format!(", {} stale file(s)", stale.len())
        } else {
            String::new()
        }
    );
    Ok(ok)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::course::Meta;

    fn exercise(id: &str, lesson: &str, minutes: u32) -> Exercise {
        Exercise {
            id: id.into(),
            dir_name: format!("01-{id}"),
            meta: Meta {
                title: id.into(),
                lesson: lesson.into(),
                minutes,
                timeout_secs: None,
                hints: Vec::new(),
            },
        }
    }

    const CHAPTER: &str = "\
# 1. The GIL

{{#include ../generated/sections.md:lesson-01-gil}}

Intro.

## The idea
<!-- minutes: 15 -->

Prose with a `--rounds 5 min` flag and 10,000 items.

```rust
// 99 minutes in code are not prose
## not a heading
```

<details>
<summary>Speaker notes</summary>

- **Pillars (10 min).** Draw.
- **GIL (5 min).** Explain.

</details>

## The Rust version
<!-- minutes: 20 -->

### The lock

<details>
<summary>Speaker notes</summary>

Walk through it.

</details>

## Which test checks which claim
<!-- minutes: 0 -->

## Exercises
<!-- minutes: 5 -->

1. **`run-together`** (20 min): write it.

<details>
<summary>Speaker notes</summary>

The classic bug.

</details>
";

    fn ids() -> Vec<String> {
        vec!["run-together".into(), "interpreter-lock".into()]
    }

    #[test]
    fn durations_finds_minutes_and_hours_not_other_numbers() {
        let found: Vec<(u32, &str)> = durations(
            "10 min, 5 minutes, a 20-minute talk, 2 hours, 09:00, 1.5 hours, 3 mins, 4 ms, 7 minimum, x5 min",
        )
        .into_iter()
        .map(|(n, _, u)| (n, u))
        .collect();
        assert_eq!(
            found,
            [(10, "min"), (5, "min"), (20, "min"), (2, "h"), (3, "min")]
        );
    }

    #[test]
    fn heading_ids_follow_mdbook() {
        assert_eq!(heading_id("The Rust version"), "the-rust-version");
        assert_eq!(
            heading_id("`Pool.map` and CPU scaling"),
            "poolmap-and-cpu-scaling"
        );
        assert_eq!(heading_id("Python to Rust"), "python-to-rust");
        assert_eq!(heading_id("Lock: `Mutex<T>`"), "lock-mutext");
    }

    #[test]
    fn page_keys() {
        assert_eq!(page_key("lesson-01-gil/index.md"), "lesson-01-gil");
        assert_eq!(page_key("lab/index.md"), "lab");
        assert_eq!(page_key("lab/decision.md"), "lab-decision");
    }

    #[test]
    fn parses_sections_markers_notes_and_exercises() {
        let page = parse_page("lesson-01-gil/index.md", CHAPTER, &ids());
        assert_eq!(page.title, "1. The GIL");
        assert!(page.problems.is_empty(), "{:?}", page.problems);
        let summary: Vec<(&str, Option<u32>, bool, Vec<u32>)> = page
            .sections
            .iter()
            .map(|s| {
                (
                    s.title.as_str(),
                    s.minutes,
                    s.notes_line.is_some(),
                    s.parts.iter().map(|p| p.0).collect(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("The idea", Some(15), true, vec![10, 5]),
                ("The Rust version", Some(20), true, vec![]),
                ("Which test checks which claim", Some(0), false, vec![]),
                ("Exercises", Some(5), true, vec![]),
            ]
        );
        assert_eq!(
            page.exercises,
            [ShownExercise {
                id: "run-together".into(),
                minutes: 20,
                line: 43
            }]
        );
        assert_eq!(page.includes_overview, ["lesson-01-gil"]);
        assert_eq!(page.teaching(&[]), 40);
        assert_eq!(page.teaching(&["The Rust version".into()]), 20);
    }

    #[test]
    fn a_good_page_passes_its_checks() {
        let page = parse_page("lesson-01-gil/index.md", CHAPTER, &ids());
        let exercises = [exercise("run-together", "lesson-01-gil", 20)];
        assert_eq!(check_page(&page, &exercises, true), []);
    }

    fn messages(text: &str, exercises: &[Exercise]) -> Vec<String> {
        let page = parse_page("lesson-01-gil/index.md", text, &ids());
        check_page(&page, exercises, true)
            .into_iter()
            .map(|p| p.to_string())
            .collect()
    }

    #[test]
    fn notes_that_disagree_with_their_marker_fail() {
        let text = CHAPTER.replace("<!-- minutes: 15 -->", "<!-- minutes: 25 -->");
        let found = messages(&text, &[exercise("run-together", "lesson-01-gil", 20)]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].contains("add up to 15 min (10 + 5), its marker says 25"),
            "{found:?}"
        );
    }

    #[test]
    fn exercise_minutes_must_match_the_toml_and_every_exercise_be_listed() {
        let found = messages(
            CHAPTER,
            &[
                exercise("run-together", "lesson-01-gil", 25),
                exercise("interpreter-lock", "lesson-01-gil", 30),
            ],
        );
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].contains("shown as 20 min; its exercise.toml says 25"));
        assert!(found[1].contains("`interpreter-lock` of this lesson is not listed"));
    }

    #[test]
    fn hand_typed_totals_missing_markers_and_notes_fail() {
        let text = CHAPTER
            .replace("Intro.", "About 115 minutes with both exercises.")
            .replace("<!-- minutes: 0 -->\n", "")
            .replace(
                "### The lock\n\n<details>\n<summary>Speaker notes</summary>\n\nWalk through it.\n\n</details>\n",
                "### The lock\n",
            );
        let found = messages(&text, &[exercise("run-together", "lesson-01-gil", 20)]);
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(
            found[0].contains(":5: `115 min` typed by hand"),
            "{found:?}"
        );
        assert!(
            found
                .iter()
                .any(|m| m.contains("`Which test checks which claim` has no"))
        );
        assert!(
            found
                .iter()
                .any(|m| m.contains("(20 min) has no speaker notes"))
        );
    }

    #[test]
    fn misplaced_markers_long_sections_and_a_missing_overview_fail() {
        let text = CHAPTER
            .replace("Intro.", "<!-- minutes: 3 -->")
            .replace("<!-- minutes: 20 -->", "<!-- minutes: 45 -->")
            .replace("{{#include ../generated/sections.md:lesson-01-gil}}", "");
        let found = messages(&text, &[exercise("run-together", "lesson-01-gil", 20)]);
        assert!(
            found
                .iter()
                .any(|m| m.contains("first line under a `##` heading")),
            "{found:?}"
        );
        assert!(
            found.iter().any(|m| m.contains("more than a sitting")),
            "{found:?}"
        );
        assert!(
            found
                .iter()
                .any(|m| m.contains("include its overview once")),
            "{found:?}"
        );
        assert_eq!(found.len(), 3, "{found:?}");
    }

    #[test]
    fn an_unscheduled_chapter_fails_but_a_guide_may_be() {
        let plain = "# Guide\n\n## Part\n\nText.\n";
        let page = parse_page("lesson-02-data-race/index.md", plain, &ids());
        assert_eq!(check_page(&page, &[], true).len(), 1);
        let page = parse_page("grader.md", plain, &ids());
        assert_eq!(check_page(&page, &[], false), []);
    }

    fn plan(text: &str) -> Plan {
        toml::from_str(text).unwrap()
    }

    const PLAN: &str = r#"
[[course]]
title = "One day"
start = "09:00"
end = "12:00"

[[course.day]]
items = [
  { page = "lesson-01-gil/index.md", skip = ["The Rust version"], exercises = [] },
  { pause = "Break", minutes = 15 },
  { page = "lesson-01-gil/index.md" },
  { page = "lesson-01-gil/index.md", only = ["The idea", "Exercises"], exercises = [] },
]
"#;

    #[test]
    fn the_scheduler_adds_up_sections_exercises_and_breaks() {
        let pages = [parse_page("lesson-01-gil/index.md", CHAPTER, &ids())];
        let exercises = [exercise("run-together", "lesson-01-gil", 20)];
        let days = lay_out(&plan(PLAN).course[0], &pages, &exercises).unwrap();
        let rows: Vec<(String, u32, u32, u32)> = days[0]
            .iter()
            .map(|s| (clock(s.start), s.teach, s.practice, s.minutes()))
            .collect();
        assert_eq!(
            rows,
            [
                ("09:00".into(), 20, 0, 20),
                ("09:20".into(), 15, 0, 15),
                ("09:35".into(), 40, 20, 60),
                ("10:35".into(), 20, 0, 20),
            ]
        );
        assert!(days[0][0].what.contains("(skip: The Rust version)"));
        assert!(days[0][2].what.ends_with("with `run-together`"));
        assert!(
            days[0][3].what.ends_with(": The idea, Exercises"),
            "{}",
            days[0][3].what
        );
        let text = render_schedule(&plan(PLAN), &pages, &exercises).unwrap();
        assert!(
            text.contains("| 10:55 | end of the day: 100 minutes in class |"),
            "{text}"
        );
        assert!(
            text.contains("| **the whole course** | **40** | **20** | **60** |"),
            "{text}"
        );
    }

    #[test]
    fn the_scheduler_refuses_a_day_too_long_and_unknown_names() {
        let pages = [parse_page("lesson-01-gil/index.md", CHAPTER, &ids())];
        let exercises = [exercise("run-together", "lesson-01-gil", 20)];
        let late = plan(&PLAN.replace("12:00", "10:00"));
        let err = lay_out(&late.course[0], &pages, &exercises).unwrap_err();
        assert!(
            err.to_string().contains("day 1 ends at 10:55, after 10:00"),
            "{err}"
        );
        let skip = plan(&PLAN.replace("The Rust version", "Nope"));
        let err = lay_out(&skip.course[0], &pages, &exercises).unwrap_err();
        assert!(err.to_string().contains("no section `Nope`"), "{err}");
        let ex = plan(&PLAN.replace("exercises = []", "exercises = [\"event\"]"));
        let err = lay_out(&ex.course[0], &pages, &exercises).unwrap_err();
        assert!(
            err.to_string().contains("`event` is not an exercise"),
            "{err}"
        );
    }

    #[test]
    fn the_overview_lists_sections_with_links_and_totals() {
        let pages = [parse_page("lesson-01-gil/index.md", CHAPTER, &ids())];
        let exercises = [exercise("run-together", "lesson-01-gil", 20)];
        let text = render_sections(&pages, &exercises);
        assert!(text.contains("<!-- ANCHOR: lesson-01-gil -->"));
        assert!(text.contains(
            "<summary>In class: 40 minutes of teaching, then 20 of exercises (60 in all)</summary>"
        ));
        assert!(text.contains("| [The Rust version](#the-rust-version) | 20 |"));
        assert!(
            text.contains(
                "| [Which test checks which claim](#which-test-checks-which-claim) | 0 |"
            )
        );
        assert!(text.contains("| **in all** | **60** |"));
    }
}
