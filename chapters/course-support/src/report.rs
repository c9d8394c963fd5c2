//! Result tables, printed the same way by every lesson.
//!
//! Tables use Markdown borders so that a captured run pastes straight into the
//! book and still reads well in a terminal.

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratio_formats_speedups() {
        assert_eq!(ratio(200.0, 100.0), "2.00x");
        assert_eq!(ratio(1.0, 0.0), "n/a");
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
