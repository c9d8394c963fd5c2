//! The charts are SVG files with the expected series in them.

mod common;

use std::time::Duration;

use gil_sim::timeline::{Activity, Slice};
use lab::chart::{self, Bar, BarPanel, Caption, LaneGroup, Line, LinePanel};

fn caption() -> Caption {
    Caption {
        command: "cargo run --release -p lab -- bench".into(),
        machine: "2 cores, linux".into(),
        date: "2026-12-07".into(),
    }
}

/// The caption naming the run is in the picture.
fn assert_captioned(svg: &str) {
    assert!(
        svg.contains("cargo run --release -p lab -- bench"),
        "no command"
    );
    assert!(
        svg.contains("2026-12-07") && svg.contains("2 cores"),
        "no date or machine"
    );
}

/// Well-formed enough: one root `<svg>` element, balanced `<text>` tags.
fn assert_svg(text: &str) {
    assert!(
        text.trim_start().starts_with("<svg"),
        "not an SVG:\n{}",
        &text[..text.len().min(200)]
    );
    assert!(text.trim_end().ends_with("</svg>"), "unterminated SVG");
    assert_eq!(text.matches("<svg").count(), 1);
    assert_eq!(
        text.matches("<text").count(),
        text.matches("</text>").count()
    );
    assert!(!text.contains("NaN"), "a NaN coordinate");
}

#[test]
fn bars_name_every_series() {
    let dir = common::scratch("bars");
    let path = dir.join("images/bench.svg");
    let bars: Vec<Bar> = [
        ("sequential", 1000.0),
        ("threads + simulated GIL", 1010.0),
        ("processes", 520.0),
    ]
    .iter()
    .enumerate()
    .map(|(i, (label, ms))| Bar::new(*label, *ms, i).note(format!("{:.2}x", 1000.0 / ms)))
    .collect();
    let panel = BarPanel {
        bars,
        ..BarPanel::new("5000 cpu tasks", "ms", "ms")
    };
    chart::bars(&path, &[panel], &caption()).unwrap();
    let svg = std::fs::read_to_string(&path).expect("the chart was written, folders too");
    assert_svg(&svg);
    assert_captioned(&svg);
    for name in [
        "sequential",
        "threads + simulated GIL",
        "processes",
        "5000 cpu tasks",
        "1.92x",
    ] {
        assert!(svg.contains(name), "missing {name}");
    }
    assert!(
        svg.matches("<rect").count() >= 4,
        "a background and three bars"
    );
}

#[test]
fn lines_have_a_legend() {
    let dir = common::scratch("lines");
    let path = dir.join("history.svg");
    let panel = LinePanel::new("history", "run", "ms")
        .line(Line::new(
            "sequential",
            vec![(1.0, 1000.0), (2.0, 990.0), (3.0, 1010.0)],
            0,
        ))
        .line(Line::new(
            "free threads (Rust)",
            vec![(1.0, 510.0), (2.0, 505.0), (3.0, 520.0)],
            2,
        ));
    chart::lines(&path, &[panel], &caption()).unwrap();
    let svg = std::fs::read_to_string(&path).unwrap();
    assert_svg(&svg);
    assert_captioned(&svg);
    assert!(svg.contains("sequential") && svg.contains("free threads (Rust)"));
    assert!(svg.contains("<polyline"), "the lines are drawn");
}

#[test]
fn the_timeline_draws_one_box_per_slice_and_labels_every_lane() {
    let dir = common::scratch("timeline");
    let path = dir.join("gil.svg");
    let ms = Duration::from_millis;
    let slice = |lane, start, end, activity| Slice {
        lane,
        start: ms(start),
        end: ms(end),
        activity,
    };
    let locked = [
        slice(0, 0, 5, Activity::Running),
        slice(1, 5, 10, Activity::Running),
        slice(0, 10, 15, Activity::Waiting),
    ];
    let free = [
        slice(0, 0, 8, Activity::Running),
        slice(1, 0, 8, Activity::Running),
    ];
    let groups = [
        LaneGroup {
            prefix: "T",
            title: "threads sharing one lock".into(),
            lanes: 2,
            slices: &locked,
        },
        LaneGroup {
            prefix: "P",
            title: "free workers".into(),
            lanes: 2,
            slices: &free,
        },
    ];
    chart::timeline(&path, "who ran when", &groups, ms(15), &caption()).unwrap();
    let svg = std::fs::read_to_string(&path).unwrap();
    assert_svg(&svg);
    assert_captioned(&svg);
    for label in [
        "T1",
        "T2",
        "P1",
        "P2",
        "threads sharing one lock",
        "free workers",
    ] {
        assert!(
            svg.contains(&format!(">\n{label}\n<")) || svg.contains(label),
            "missing {label}"
        );
    }
    // Background + five slices.
    assert!(
        svg.matches("<rect").count() >= 6,
        "{}",
        svg.matches("<rect").count()
    );
}
