//! SVG charts of a bench's measurements, drawn with plotters: bars (one per
//! row of the bench's table, Python's rows among them) and lines over x
//! (speed-up over workers, time over tasks in flight, depth over time). Every
//! chart ends with a caption naming the run that drew it: the command, the
//! machine and the date, so a picture in the book says where it came from.
//!
//! plotters is built with only `svg_backend` and `line_series`: text becomes
//! SVG `<text>` elements that the browser renders, so no font library is
//! needed at build time.

use std::io;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use plotters::coord::ranged1d::{AsRangedCoord, SegmentValue, ValueFormatter};
use plotters::prelude::*;

/// One colour per series, readable on white. The first seven are the lab's
/// modes; [`PYTHON`] is Python's rows on every chart.
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(120, 120, 120), // sequential: grey
    RGBColor(214, 39, 40),   // GIL threads: red
    RGBColor(44, 160, 44),   // free threads: green
    RGBColor(31, 119, 180),  // processes: blue
    RGBColor(255, 127, 14),  // async: orange
    RGBColor(148, 103, 189), // hybrid: purple
    RGBColor(140, 86, 75),   // isolated workers: brown
    RGBColor(222, 178, 30),  // Python: yellow
];

/// The palette index of Python's series.
pub const PYTHON: usize = 7;
/// The palette index of the baseline (sequential, the plain loop).
pub const BASELINE: usize = 0;

fn err(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(format!("drawing the chart: {e}"))
}

fn prepare(path: &Path) -> io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    Ok(())
}

/// The run a chart came from, printed under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caption {
    /// `cargo run --release -p CRATE -- ARGS`, without the `--svg FILE` that
    /// only said where to draw.
    pub command: String,
    /// Cores and CPU model (and OS).
    pub machine: String,
    /// The day of the run, `YYYY-MM-DD` (UTC).
    pub date: String,
}

impl Caption {
    /// This process's run: `crate_name` is the caller's
    /// `env!("CARGO_PKG_NAME")`, the arguments are this process's.
    pub fn this_run(crate_name: &str) -> Caption {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        Caption {
            command: command(crate_name, &args),
            machine: machine(),
            date: date(secs),
        }
    }

    /// The one line drawn under the chart.
    pub fn text(&self) -> String {
        format!("{}  |  {}  |  {}", self.command, self.machine, self.date)
    }
}

/// The command line that reproduces a run, without `--svg FILE`.
pub fn command(crate_name: &str, args: &[String]) -> String {
    let mut kept = Vec::new();
    let mut skip = false;
    for arg in args {
        if std::mem::take(&mut skip) {
            continue;
        }
        if arg == "--svg" {
            skip = true;
        } else if !arg.starts_with("--svg=") {
            kept.push(arg.as_str());
        }
    }
    let release = if cfg!(debug_assertions) {
        ""
    } else {
        " --release"
    };
    let mut line = format!("cargo run{release} -p {crate_name}");
    if !kept.is_empty() {
        line.push_str(" -- ");
        line.push_str(&kept.join(" "));
    }
    line
}

/// `N cores, CPU model, OS`, as far as this system tells.
fn machine() -> String {
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, m)| m.split_whitespace().collect::<Vec<_>>().join(" "))
        });
    let cores = crate::cores();
    match model {
        Some(model) => format!("{cores} cores, {model}, {}", std::env::consts::OS),
        None => format!("{cores} cores, {}", std::env::consts::OS),
    }
}

/// `YYYY-MM-DD` of a Unix time (UTC), by the days-to-civil algorithm.
pub fn date(unix_secs: u64) -> String {
    let days = (unix_secs / 86_400) as i64 + 719_468;
    let era = days.div_euclid(146_097);
    let doe = days.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// A value as a bar's label shows it: thousands grouped, three digits kept.
pub fn number(v: f64) -> String {
    if v.abs() >= 10_000.0 || (v.fract() == 0.0 && v.abs() < 1e15) {
        crate::report::grouped(v.round() as i64)
    } else if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// A bar of a bar chart.
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    /// Text drawn after the bar's value, e.g. `1.95x`.
    pub note: String,
    /// Index into [`PALETTE`] ([`PYTHON`] for Python's rows).
    pub color: usize,
}

impl Bar {
    pub fn new(label: impl Into<String>, value: f64, color: usize) -> Bar {
        Bar {
            label: label.into(),
            value,
            note: String::new(),
            color,
        }
    }

    pub fn note(mut self, note: impl Into<String>) -> Bar {
        self.note = note.into();
        self
    }
}

/// One group of horizontal bars with its title and axis.
#[derive(Debug, Clone)]
pub struct BarPanel {
    pub title: String,
    /// What the axis measures, e.g. `milliseconds (shorter is faster)`.
    pub axis: String,
    /// Drawn after each value, e.g. `ms`.
    pub unit: String,
    /// A logarithmic axis, for rows that differ by orders of magnitude.
    pub log: bool,
    pub bars: Vec<Bar>,
}

impl BarPanel {
    pub fn new(title: impl Into<String>, axis: impl Into<String>, unit: impl Into<String>) -> Self {
        BarPanel {
            title: title.into(),
            axis: axis.into(),
            unit: unit.into(),
            log: false,
            bars: Vec::new(),
        }
    }

    pub fn log(mut self) -> Self {
        self.log = true;
        self
    }

    pub fn bar(mut self, bar: Bar) -> Self {
        self.bars.push(bar);
        self
    }
}

const WIDTH: u32 = 860;
/// The height of the caption's strip at the bottom of a chart.
pub const FOOT: u32 = 34;

fn panel_height(panel: &BarPanel) -> u32 {
    90 + 40 * panel.bars.len().max(1) as u32
}

// ANCHOR: bars
/// Horizontal bars, one panel above the other, each bar labelled on the left
/// with its value (and note) after it; the run's caption at the bottom.
pub fn bars(path: &Path, panels: &[BarPanel], caption: &Caption) -> io::Result<()> {
    prepare(path)?;
    let height = panels.iter().map(panel_height).sum::<u32>() + FOOT;
    let root = SVGBackend::new(path, (WIDTH, height)).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let mut rest = root.clone();
    for panel in panels {
        let (area, below) = rest.split_vertically(panel_height(panel));
        let max = panel.bars.iter().map(|b| b.value).fold(1e-9, f64::max);
        if panel.log {
            let min = panel
                .bars
                .iter()
                .map(|b| b.value)
                .filter(|v| *v > 0.0)
                .fold(max, f64::min);
            let floor = 10f64.powf((min / 2.0).log10().floor());
            bar_panel(&area, panel, (floor..max * 8.0).log_scale(), floor)?;
        } else {
            bar_panel(&area, panel, 0.0..max * 1.3, 0.0)?;
        }
        rest = below;
    }
    footer(&root, height, caption)?;
    root.present().map_err(err)?;
    Ok(())
}
// ANCHOR_END: bars

fn bar_panel<X>(
    area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    panel: &BarPanel,
    x: X,
    start: f64,
) -> io::Result<()>
where
    X: AsRangedCoord<Value = f64>,
    X::CoordDescType: ValueFormatter<f64>,
{
    let n = panel.bars.len().max(1) as i32;
    let labels: Vec<String> = panel.bars.iter().map(|b| b.label.clone()).collect();
    let label_width = labels.iter().map(|l| l.chars().count()).max().unwrap_or(8);
    let mut chart = ChartBuilder::on(area)
        .caption(&panel.title, ("sans-serif", 18))
        .margin(10)
        .x_label_area_size(34)
        .y_label_area_size((label_width as u32 * 7 + 16).clamp(60, 360))
        .build_cartesian_2d(x, (0..n - 1).into_segmented())
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .light_line_style(WHITE)
        .x_label_formatter(&|v| number(*v))
        .x_desc(panel.axis.as_str())
        .y_labels(panel.bars.len().max(1))
        .y_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) => labels
                .get((n - 1 - *i) as usize) // first bar on top
                .cloned()
                .unwrap_or_default(),
            _ => String::new(),
        })
        .label_style(("sans-serif", 13))
        .draw()
        .map_err(err)?;
    for (k, bar) in panel.bars.iter().enumerate() {
        let row = n - 1 - k as i32;
        let color = PALETTE[bar.color % PALETTE.len()];
        let mut rect = Rectangle::new(
            [
                (start, SegmentValue::Exact(row)),
                (bar.value.max(start), SegmentValue::Exact(row + 1)),
            ],
            color.filled(),
        );
        rect.set_margin(5, 5, 0, 0);
        chart.draw_series(std::iter::once(rect)).map_err(err)?;
        let text = format!("{} {}  {}", number(bar.value), panel.unit, bar.note);
        chart
            .draw_series(std::iter::once(Text::new(
                text.trim_end().to_owned(),
                (bar.value.max(start), SegmentValue::CenterOf(row)),
                ("sans-serif", 12).into_font(),
            )))
            .map_err(err)?;
    }
    Ok(())
}

/// Draws the run's caption in the bottom [`FOOT`] pixels of a chart `height` high.
pub fn footer(
    root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    height: u32,
    caption: &Caption,
) -> io::Result<()> {
    root.draw(&Text::new(
        caption.text(),
        (10, height as i32 - FOOT as i32 + 12),
        ("sans-serif", 12).into_font().color(&RGBColor(90, 90, 90)),
    ))
    .map_err(err)
}

/// A named line for [`lines`].
#[derive(Debug, Clone)]
pub struct Line {
    pub label: String,
    /// (x, y) points, in order of x.
    pub points: Vec<(f64, f64)>,
    /// Index into [`PALETTE`] ([`PYTHON`] for Python's series).
    pub color: usize,
    /// Dashed: a prediction or an ideal, not a measurement.
    pub dashed: bool,
}

impl Line {
    pub fn new(label: impl Into<String>, points: Vec<(f64, f64)>, color: usize) -> Line {
        Line {
            label: label.into(),
            points,
            color,
            dashed: false,
        }
    }

    pub fn dashed(mut self) -> Line {
        self.dashed = true;
        self
    }
}

/// One plot of lines with its title, axes and legend.
#[derive(Debug, Clone)]
pub struct LinePanel {
    pub title: String,
    pub x_desc: String,
    pub y_desc: String,
    /// Logarithmic x (e.g. 10 to 10,000 in flight).
    pub log_x: bool,
    /// Logarithmic y.
    pub log_y: bool,
    pub lines: Vec<Line>,
}

impl LinePanel {
    pub fn new(
        title: impl Into<String>,
        x_desc: impl Into<String>,
        y_desc: impl Into<String>,
    ) -> Self {
        LinePanel {
            title: title.into(),
            x_desc: x_desc.into(),
            y_desc: y_desc.into(),
            log_x: false,
            log_y: false,
            lines: Vec::new(),
        }
    }

    pub fn log_x(mut self) -> Self {
        self.log_x = true;
        self
    }

    pub fn log_y(mut self) -> Self {
        self.log_y = true;
        self
    }

    pub fn line(mut self, line: Line) -> Self {
        if !line.points.is_empty() {
            self.lines.push(line);
        }
        self
    }
}

const LINE_PANEL: u32 = 400;

/// Lines over x with a legend, one panel above the other, and the run's
/// caption at the bottom.
pub fn lines(path: &Path, panels: &[LinePanel], caption: &Caption) -> io::Result<()> {
    prepare(path)?;
    let height = LINE_PANEL * panels.len().max(1) as u32 + FOOT;
    let root = SVGBackend::new(path, (WIDTH, height)).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let mut rest = root.clone();
    for panel in panels {
        let (area, below) = rest.split_vertically(LINE_PANEL);
        let points = || panel.lines.iter().flat_map(|l| l.points.iter().copied());
        let x_min = points().map(|p| p.0).fold(f64::INFINITY, f64::min);
        let x_max = points().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max);
        let y_min = points().map(|p| p.1).fold(f64::INFINITY, f64::min);
        let y_max = points().map(|p| p.1).fold(1e-9, f64::max);
        let (x_min, x_max) = if x_min.is_finite() {
            (x_min, x_max)
        } else {
            (0.0, 1.0)
        };
        // Head room above the data for the legend.
        match (panel.log_x, panel.log_y) {
            (false, false) => {
                let pad = ((x_max - x_min) * 0.04).max(0.5);
                line_panel(&area, panel, x_min - pad..x_max + pad, 0.0..y_max * 1.45)?
            }
            (true, false) => line_panel(
                &area,
                panel,
                (x_min * 0.8..x_max * 1.25).log_scale(),
                0.0..y_max * 1.45,
            )?,
            (false, true) => {
                let pad = ((x_max - x_min) * 0.04).max(0.5);
                line_panel(
                    &area,
                    panel,
                    x_min - pad..x_max + pad,
                    (y_min.max(1e-9) * 0.5..y_max * 12.0).log_scale(),
                )?
            }
            (true, true) => line_panel(
                &area,
                panel,
                (x_min * 0.8..x_max * 1.25).log_scale(),
                (y_min.max(1e-9) * 0.5..y_max * 12.0).log_scale(),
            )?,
        }
        rest = below;
    }
    footer(&root, height, caption)?;
    root.present().map_err(err)?;
    Ok(())
}

fn line_panel<X, Y>(
    area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    panel: &LinePanel,
    x: X,
    y: Y,
) -> io::Result<()>
where
    X: AsRangedCoord<Value = f64>,
    Y: AsRangedCoord<Value = f64>,
    X::CoordDescType: ValueFormatter<f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
    let mut chart = ChartBuilder::on(area)
        .caption(&panel.title, ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(72)
        .build_cartesian_2d(x, y)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc(panel.x_desc.as_str())
        .y_desc(panel.y_desc.as_str())
        .light_line_style(WHITE)
        .x_label_formatter(&|v| number(*v))
        .y_label_formatter(&|v| number(*v))
        .label_style(("sans-serif", 13))
        .draw()
        .map_err(err)?;
    for line in &panel.lines {
        let color = PALETTE[line.color % PALETTE.len()];
        let style = color.stroke_width(2);
        let series = if line.dashed {
            chart.draw_series(DashedLineSeries::new(
                line.points.iter().copied(),
                6,
                4,
                style,
            ))
        } else {
            chart.draw_series(LineSeries::new(line.points.iter().copied(), style))
        };
        series
            .map_err(err)?
            .label(line.label.clone())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(3))
            });
        // A mark on each measured point, while they are few enough to see.
        if !line.dashed && line.points.len() <= 40 {
            chart
                .draw_series(
                    line.points
                        .iter()
                        .map(|&p| Circle::new(p, 3, color.filled())),
                )
                .map_err(err)?;
        }
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.4))
        .label_font(("sans-serif", 13))
        .draw()
        .map_err(err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_drops_only_the_svg_flag() {
        let args: Vec<String> = ["bench", "--svg", "x.svg", "--repeat", "3", "--svg=y.svg"]
            .map(String::from)
            .to_vec();
        let line = command("lesson-05-pool-map", &args);
        assert!(line.starts_with("cargo run"), "{line}");
        assert!(
            line.ends_with("-p lesson-05-pool-map -- bench --repeat 3"),
            "{line}"
        );
        assert!(command("lab", &[]).ends_with("-p lab"));
    }

    #[test]
    fn dates_are_civil() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(951_782_400), "2000-02-29");
        assert_eq!(date(1_798_675_200), "2026-12-31");
    }

    #[test]
    fn a_chart_names_its_run() {
        let dir = tempfile::tempdir().unwrap();
        let caption = Caption {
            command: "cargo run -p demo -- bench".into(),
            machine: "2 cores".into(),
            date: "2026-01-02".into(),
        };
        let bars_svg = dir.path().join("sub/bars.svg");
        let panel = BarPanel::new("ms per mode", "ms", "ms")
            .bar(Bar::new("sequential", 200.0, BASELINE))
            .bar(Bar::new("Python threads", 7000.0, PYTHON).note("35x"));
        bars(&bars_svg, &[panel.clone(), panel.log()], &caption).unwrap();
        let lines_svg = dir.path().join("lines.svg");
        let panel = LinePanel::new("speed-up", "workers", "x")
            .log_x()
            .line(Line::new("threads", vec![(1.0, 1.0), (2.0, 1.9)], 2))
            .line(Line::new("ideal", vec![(1.0, 1.0), (2.0, 2.0)], 0).dashed());
        lines(&lines_svg, &[panel], &caption).unwrap();
        for svg in [bars_svg, lines_svg] {
            let text = std::fs::read_to_string(&svg).unwrap();
            assert!(text.contains("<svg"), "{}", svg.display());
            assert!(text.contains("cargo run -p demo -- bench"), "{text}");
            assert!(text.contains("2026-01-02"));
        }
    }
}
