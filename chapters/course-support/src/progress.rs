//! A progress bar for runs long enough to wonder whether they hang, drawn on
//! stderr only when stderr is a terminal: a captured or piped run prints just
//! its results.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar of `len` steps labelled `label`; hidden unless stderr is a terminal.
/// Call `finish_and_clear` when done so the table prints on a clean line.
pub fn bar(label: &str, len: u64) -> ProgressBar {
    let target = if std::io::stderr().is_terminal() {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = ProgressBar::with_draw_target(Some(len), target);
    bar.set_style(
        ProgressStyle::with_template("{prefix} [{bar:30}] {human_pos}/{human_len} ({eta} left)")
            .expect("a valid template")
            .progress_chars("=> "),
    );
    bar.set_prefix(label.to_owned());
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_the_steps_even_when_hidden() {
        let bar = bar("test", 10);
        bar.inc(3);
        assert_eq!(bar.position(), 3);
        assert_eq!(bar.length(), Some(10));
        bar.finish_and_clear();
    }
}
