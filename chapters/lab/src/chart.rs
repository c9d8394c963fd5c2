//! SVG charts drawn with plotters: the bench's bars, the history's lines, the
//! GIL timeline's lanes, and the assistant's predicted vs measured times.
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

/// One colour per series, readable on white.
pub const PALETTE: [RGBColor; 7] = [
    RGBColor(120, 120, 120), // sequential: grey
    RGBColor(214, 39, 40),   // GIL threads: red
    RGBColor(44, 160, 44),   // free threads: green
    RGBColor(31, 119, 180),  // processes: blue
    RGBColor(255, 127, 14),  // async: orange
    RGBColor(148, 103, 189), // hybrid: purple
    RGBColor(140, 86, 75),   // isolated workers: brown
];

fn err(e: impl std::fmt::Display) -> anyhow::Error {
    anyhow!("drawing the chart: {e}")
}

fn prepare(path: &Path) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    Ok(())
}

/// A bar of a bar chart.
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    pub ms: f64,
    /// Text drawn after the bar, e.g. `1.95x`.
    pub note: String,
    /// Index into [`PALETTE`].
    pub color: usize,
}

// ANCHOR: bars
/// Horizontal bars, one per mode, labelled on the left, longest = slowest.
pub fn bars(path: &Path, title: &str, bars: &[Bar]) -> Result<()> {
    prepare(path)?;
    let height = 90 + 46 * bars.len() as u32;
    let root = SVGBackend::new(path, (820, height)).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let max = bars.iter().map(|b| b.ms).fold(1e-3, f64::max);
    let n = bars.len() as i32;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(240)
        .build_cartesian_2d(0.0..max * 1.22, (0..n - 1).into_segmented())
        .map_err(err)?;
    let labels: Vec<String> = bars.iter().map(|b| b.label.clone()).collect();
    chart
        .configure_mesh()
        .disable_y_mesh()
        .light_line_style(WHITE)
        .x_label_formatter(&|v| format!("{v:.0}"))
        .x_desc("milliseconds (shorter is faster)")
        .y_labels(bars.len())
        .y_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) => labels
                .get((n - 1 - *i) as usize) // first bar on top
                .cloned()
                .unwrap_or_default(),
            _ => String::new(),
        })
        .label_style(("sans-serif", 14))
        .draw()
        .map_err(err)?;
    for (k, bar) in bars.iter().enumerate() {
        let row = n - 1 - k as i32;
        let color = PALETTE[bar.color % PALETTE.len()];
        let mut rect = Rectangle::new(
            [
                (0.0, SegmentValue::Exact(row)),
                (bar.ms, SegmentValue::Exact(row + 1)),
            ],
            color.filled(),
        );
        rect.set_margin(5, 5, 0, 0);
        chart.draw_series(std::iter::once(rect)).map_err(err)?;
        chart
            .draw_series(std::iter::once(Text::new(
                format!("{:.0} ms  {}", bar.ms, bar.note),
                (bar.ms + max * 0.01, SegmentValue::CenterOf(row)),
                ("sans-serif", 13).into_font(),
            )))
            .map_err(err)?;
    }
    root.present().map_err(err)?;
    Ok(())
}
// ANCHOR_END: bars

/// A named line for [`lines`].
#[derive(Debug, Clone)]
pub struct Line {
    pub label: String,
    /// (x, y) points.
    pub points: Vec<(f64, f64)>,
    pub color: usize,
}

/// Lines with a legend, e.g. each mode's ms over the recorded runs.
pub fn lines(path: &Path, title: &str, x_desc: &str, y_desc: &str, lines: &[Line]) -> Result<()> {
    prepare(path)?;
    let root = SVGBackend::new(path, (820, 440)).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let points = lines.iter().flat_map(|l| l.points.iter());
    let (x_max, y_max) = points.fold((1.0f64, 1e-3f64), |(x, y), p| (x.max(p.0), y.max(p.1)));
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(64)
        // Head room above the data for the legend.
        .build_cartesian_2d(0.5..x_max + 0.5, 0.0..y_max * 1.45)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .light_line_style(WHITE)
        .x_labels((x_max as usize).clamp(2, 20))
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| format!("{y:.0}"))
        .label_style(("sans-serif", 13))
        .draw()
        .map_err(err)?;
    for line in lines {
        let color = PALETTE[line.color % PALETTE.len()];
        chart
            .draw_series(LineSeries::new(
                line.points.iter().copied(),
                color.stroke_width(2),
            ))
            .map_err(err)?
            .label(line.label.clone())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(3))
            });
        chart
            .draw_series(
                line.points
                    .iter()
                    .map(|&p| Circle::new(p, 3, color.filled())),
            )
            .map_err(err)?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.4))
        .label_font(("sans-serif", 13))
        .draw()
        .map_err(err)?;
    root.present().map_err(err)?;
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
pub fn timeline(path: &Path, title: &str, groups: &[LaneGroup<'_>], total: Duration) -> Result<()> {
    prepare(path)?;
    let rows: usize = groups.iter().map(|g| g.lanes + 1).sum();
    let height = 110 + 34 * rows as u32;
    let root = SVGBackend::new(path, (900, height)).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
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
    root.present().map_err(err)?;
    Ok(())
}
// ANCHOR_END: timeline

/// Pairs of bars (predicted, measured) per option, for `advise --check`.
pub fn predicted_vs_measured(path: &Path, title: &str, rows: &[(String, f64, f64)]) -> Result<()> {
    let bars: Vec<Bar> = rows
        .iter()
        .flat_map(|(label, predicted, measured)| {
            [
                Bar {
                    label: format!("{label}: predicted"),
                    ms: *predicted,
                    note: String::new(),
                    color: 0,
                },
                Bar {
                    label: format!("{label}: measured"),
                    ms: *measured,
                    note: format!("{:+.0}%", (predicted - measured) / measured * 100.0),
                    color: 3,
                },
            ]
        })
        .collect();
    self::bars(path, title, &bars)
}
