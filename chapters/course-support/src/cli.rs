//! What every lesson binary's command line shares: value parsers for its
//! flags, the end of `main` (exit codes and the error line), and quiet exits
//! when a pipe closes (`cargo run ... | head`).

use std::fmt::Display;
use std::ops::RangeInclusive;
use std::process::ExitCode;
use std::time::Duration;

use clap::builder::RangedU64ValueParser;

/// A whole number in `range`, as a `usize` (workers, threads, tasks, items).
pub fn usize_in(range: RangeInclusive<u64>) -> RangedU64ValueParser<usize> {
    RangedU64ValueParser::new().range(range)
}

/// A whole number in `range`, as a `u64` (milliseconds, counts).
pub fn u64_in(range: RangeInclusive<u64>) -> RangedU64ValueParser<u64> {
    RangedU64ValueParser::new().range(range)
}

/// A number in `range` (both ends included).
pub fn f64_in(
    range: RangeInclusive<f64>,
) -> impl Fn(&str) -> Result<f64, String> + Clone + Send + Sync + 'static {
    move |text: &str| {
        let x: f64 = text
            .parse()
            .map_err(|e| format!("`{text}` is not a number: {e}"))?;
        if range.contains(&x) {
            Ok(x)
        } else {
            Err(format!(
                "must be between {} and {}",
                range.start(),
                range.end()
            ))
        }
    }
}

/// A fraction from 0 to 1 (a share of time, a failure rate).
pub fn fraction(text: &str) -> Result<f64, String> {
    f64_in(0.0..=1.0)(text)
}

/// Any finite number.
pub fn finite(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        _ => Err(format!("{text:?} is not a finite number")),
    }
}

/// Milliseconds, fractions allowed, more than 0 and at most `max_ms`, as a
/// [`Duration`] (a switch interval: `sys.setswitchinterval` takes seconds).
pub fn positive_ms(
    max_ms: f64,
) -> impl Fn(&str) -> Result<Duration, String> + Clone + Send + Sync + 'static {
    move |text: &str| {
        let ms: f64 = text
            .parse()
            .map_err(|e| format!("`{text}` is not a number: {e}"))?;
        if !(ms > 0.0 && ms <= max_ms) {
            return Err(format!("must be more than 0 and at most {max_ms} ms"));
        }
        Ok(Duration::from_secs_f64(ms / 1e3))
    }
}

/// `cargo run ... | head` closes our stdout early: end quietly like other
/// command-line tools, instead of printing a panic from `println!`. Call it
/// first in `main`.
///
/// It silences only that one panic message, and leaves SIGPIPE alone: a
/// parent that writes to a worker process which has died gets an error
/// (`EPIPE`) it can report, instead of being killed by the signal.
pub fn quiet_broken_pipe() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let text = info.payload_as_str().unwrap_or("");
        if !(text.contains("failed printing to stdout") && text.contains("Broken pipe")) {
            previous(info);
        }
    }));
}

/// A child role's exit code as the process's own (codes outside 0..=255 are 1).
pub fn exit_code(code: i32) -> ExitCode {
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}

/// The end of every lesson's `main`: success, or the error and its causes on
/// one line of stderr (`error: ...: ...`) and exit code 1.
pub fn finish<E: Display>(result: Result<(), E>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_outside_their_range_are_refused_with_the_range() {
        let share = f64_in(0.0..=1.0);
        assert_eq!(share("0.25"), Ok(0.25));
        assert!(share("1.5").unwrap_err().contains("between 0 and 1"));
        assert!(share("x").unwrap_err().contains("not a number"));
        assert_eq!(fraction("1"), Ok(1.0));
        assert!(finite("inf").is_err());
        assert_eq!(finite("-2.5"), Ok(-2.5));
    }

    #[test]
    fn positive_ms_excludes_zero_and_converts_to_a_duration() {
        let p = positive_ms(1000.0);
        assert_eq!(p("5"), Ok(Duration::from_millis(5)));
        assert_eq!(p("0.5"), Ok(Duration::from_micros(500)));
        assert!(p("0").is_err());
        assert!(p("1001").is_err());
    }

    #[test]
    fn child_codes_outside_a_byte_become_failure() {
        assert_eq!(exit_code(3), ExitCode::from(3));
        assert_eq!(exit_code(-1), ExitCode::from(1));
        assert_eq!(exit_code(300), ExitCode::from(1));
    }
}
