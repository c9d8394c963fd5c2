//! Result tables, printed the same way by every lesson.
//!
//! Tables use Markdown borders so that a captured run pastes straight into the
//! book and still reads well in a terminal.

use std::fmt::Display;
use std::time::Duration;

pub use comfy_table::Table;
use comfy_table::presets::ASCII_MARKDOWN;

/// A new table with the given column headers.
pub fn table<I, S>(headers: I) -> Table
where
    I: IntoIterator<Item = S>,
    S: Into<comfy_table::Cell>,
{
    let mut t = Table::new();
    t.load_style(ASCII_MARKDOWN).set_header(headers);
    t
}

/// `baseline / other`, formatted as a speed-up such as `1.97x`.
pub fn ratio(baseline: f64, other: f64) -> String {
    if other <= 0.0 {
        return "n/a".to_owned();
    }
    format!("{:.2}x", baseline / other)
}

/// Milliseconds with one decimal: `12.3`.
pub fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1e3)
}

/// A whole number with thousands separators: 1234567 -> `1,234,567`.
pub fn grouped(n: impl Display) -> String {
    let digits = n.to_string();
    let (sign, digits) = match digits.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", digits.as_str()),
    };
    let mut out = String::from(sign);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `yes` or `no`, for a table cell.
pub fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// A bench target's verdict, from this run's numbers: "met" or "not met".
pub fn met(ok: bool) -> &'static str {
    if ok { "met" } else { "not met" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratio_formats_speedups() {
        assert_eq!(ratio(200.0, 100.0), "2.00x");
        assert_eq!(ratio(1.0, 0.0), "n/a");
    }

    #[test]
    fn numbers_read_well() {
        assert_eq!(grouped(0u64), "0");
        assert_eq!(grouped(999u64), "999");
        assert_eq!(grouped(1_234_567u64), "1,234,567");
        assert_eq!(grouped(-1_000i64), "-1,000");
        assert_eq!(ms(Duration::from_micros(12_345)), "12.3");
        assert_eq!(yes_no(true), "yes");
    }

    #[test]
    fn tables_render_as_markdown() {
        let mut t = table(["mode", "ms"]);
        t.add_row(["threads", "12.0"]);
        let text = t.to_string();
        assert!(text.contains("| mode"), "{text}");
        assert!(text.contains("| threads"), "{text}");
    }
}
