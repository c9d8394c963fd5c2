//! Progress bars (indicatif), one per mode, drawn only when stdout is a
//! terminal: a captured or piped run prints just its results.

use std::io::IsTerminal;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A set of bars drawn together on stderr, or nowhere.
#[derive(Debug)]
pub struct Bars {
    multi: MultiProgress,
    visible: bool,
}

impl Bars {
    /// Bars that show if `wanted` and stdout is a terminal.
    pub fn new(wanted: bool) -> Self {
        let visible = wanted && std::io::stdout().is_terminal();
        let target = if visible {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        Self {
            multi: MultiProgress::with_draw_target(target),
            visible,
        }
    }

    /// Whether anything is drawn.
    pub fn visible(&self) -> bool {
        self.visible
    }

    /// A new bar of `len` steps labelled `label`.
    pub fn bar(&self, label: &str, len: u64) -> ProgressBar {
        let bar = self.multi.add(ProgressBar::new(len));
        bar.set_style(
            ProgressStyle::with_template("{prefix:>31} [{bar:20}] {pos:>5}/{len:5} {msg}")
                .expect("a valid template")
                .progress_chars("=> "),
        );
        bar.set_prefix(label.to_owned());
        bar
    }
}
