//! SVG charts drawn with plotters: the GIL timeline's lanes and the
//! assistant's predicted vs measured times; the bench's bars and the
//! history's lines are `course_support::chart`'s, shared with the lessons.
//!
//! plotters is built with only `svg_backend` and `line_series`: text becomes
//! SVG `<text>` elements that the browser renders, so no font library is
//! needed at build time.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use gil_sim::timeline::{Activity, Slice};
use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;

pub use course_support::chart::{
    Bar, BarPanel, Caption, FOOT, Line, LinePanel, PALETTE, PYTHON, bars, footer, lines,
};

fn err(e: impl std::fmt::Display) -> anyhow::Error {
    anyhow!("drawing the chart: {e}")
}

fn prepare(path: &Path) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    Ok(())
}

/// One group of lanes for [`timeline`]: `T` lanes (one shared lock) or `P`.
#[derive(Debug, Clone)]
pub struct LaneGroup<'a> {
    /// Lane prefix: `T` or `P`.
    pub prefix: &'a str,
    /// What the group is, for the legend line under the title.
    pub title: String,
    pub lanes: usize,
    pub slices: &'a [Slice],
}

// ANCHOR: timeline
/// Lanes over time: a filled box for each recorded slice (dark: running,
/// light: waiting for I/O), T lanes above P lanes, on one time axis.
pub fn timeline(
    path: &Path,
    title: &str,
    groups: &[LaneGroup<'_>],
    total: Duration,
    caption: &Caption,
) -> Result<()> {
    prepare(path)?;
    let rows: usize = groups.iter().map(|g| g.lanes + 1).sum();
    let height = 110 + 34 * rows as u32 + FOOT;
    let whole = SVGBackend::new(path, (900, height)).into_drawing_area();
    whole.fill(&WHITE).map_err(err)?;
    let (root, _) = whole.split_vertically(height - FOOT);
    let total_ms = (total.as_secs_f64() * 1e3).max(1e-3);
    let n = rows as i32;
    // Row labels, top to bottom; each group's title row has none.
    let mut labels = Vec::new();
    for group in groups {
        labels.push(String::new());
        labels.extend((1..=group.lanes).map(|l| format!("{}{l}", group.prefix)));
    }
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 19))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(44)
        .build_cartesian_2d(0.0..total_ms * 1.02, (0..n - 1).into_segmented())
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .light_line_style(WHITE)
        .x_label_formatter(&|v| format!("{v:.0}"))
        .x_desc("milliseconds since the start")
        .y_labels(rows)
        .y_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) => labels
                .get((n - 1 - *i) as usize)
                .cloned()
                .unwrap_or_default(),
            _ => String::new(),
        })
        .label_style(("sans-serif", 14))
        .draw()
        .map_err(err)?;
    // Rows top-down: a title row, then the group's lanes, for each group.
    let mut top = 0;
    for (g, group) in groups.iter().enumerate() {
        let color = if g == 0 { PALETTE[1] } else { PALETTE[3] };
        let title_row = n - 1 - top as i32;
        chart
            .draw_series(std::iter::once(Text::new(
                group.title.clone(),
                (total_ms * 0.005, SegmentValue::Exact(title_row + 1)),
                ("sans-serif", 14).into_font(),
            )))
            .map_err(err)?;
        let first_lane = top + 1;
        let boxes = group
            .slices
            .iter()
            .filter(|s| s.lane < group.lanes)
            .map(|s| {
                let row = n - 1 - (first_lane + s.lane) as i32;
                let style = match s.activity {
                    Activity::Running => color.filled(),
                    Activity::Waiting => color.mix(0.25).filled(),
                };
                let mut r = Rectangle::new(
                    [
                        (s.start.as_secs_f64() * 1e3, SegmentValue::Exact(row)),
                        (s.end.as_secs_f64() * 1e3, SegmentValue::Exact(row + 1)),
                    ],
                    style,
                );
                r.set_margin(3, 3, 0, 0);
                r
            });
        chart.draw_series(boxes).map_err(err)?;
        top += group.lanes + 1;
    }
    footer(&whole, height, caption)?;
    whole.present().map_err(err)?;
    Ok(())
}
// ANCHOR_END: timeline

/// Pairs of bars (predicted, measured) per option, for `advise --check`.
pub fn predicted_vs_measured(
    path: &Path,
    title: &str,
    rows: &[(String, f64, f64)],
    caption: &Caption,
) -> Result<()> {
    let bars: Vec<Bar> = rows
        .iter()
        .flat_map(|(label, predicted, measured)| {
            [
                Bar::new(format!("{label}: predicted"), *predicted, 0),
                Bar::new(format!("{label}: measured"), *measured, 3).note(format!(
                    "{:+.0}%",
                    (predicted - measured) / measured * 100.0
                )),
            ]
        })
        .collect();
    let panel = BarPanel {
        bars,
        ..BarPanel::new(title, "milliseconds (shorter is faster)", "ms")
    };
    Ok(self::bars(path, &[panel], caption)?)
}
