//! The browser test against a tiny book: it must catch a broken link, and
//! click through a flowchart page that follows the course's contract.
//! Skipped (with a line saying so) where Chromium is not installed.

use std::fs;
use std::path::Path;
use std::process::Command;

/// A small tree that follows the contract at the top of the course's
/// flowchart page; the page's own script (below) walks it.
const TREE: &str = r#"# Flowchart

<div id="decision-flowchart" data-test-paths="processes:yes,no|async:no">
<div class="fc-question" id="fc-q-cpu" data-active="true">
<div class="fc-box"><p class="fc-text">CPU-bound?</p></div>
<ul>
<li class="fc-branch"><button type="button" class="fc-answer" data-answer="yes">yes</button>
<div class="fc-question" id="fc-q-share" data-active="false">
<div class="fc-box"><p class="fc-text">Share memory?</p></div>
<ul>
<li class="fc-branch"><button type="button" class="fc-answer" data-answer="yes">yes</button><div class="fc-leaf" data-model="threads"><b>Threads</b><span class="fc-why">w</span><span class="fc-py">p</span><span class="fc-rs">r</span><code class="fc-cmd">cargo run -p lab -- bench</code></div></li>
<li class="fc-branch"><button type="button" class="fc-answer" data-answer="no">no</button><div class="fc-leaf" data-model="processes"><b>Use processes</b><span class="fc-why">w</span><span class="fc-py">p</span><span class="fc-rs">r</span><code class="fc-cmd">cargo run -p lab -- bench --modes processes</code></div></li>
</ul>
</div></li>
<li class="fc-branch"><button type="button" class="fc-answer" data-answer="no">no</button><div class="fc-leaf" data-model="async"><b>Async</b><span class="fc-why">w</span><span class="fc-py">p</span><span class="fc-rs">r</span><code class="fc-cmd">cargo run -p lab -- advise</code></div></li>
</ul>
</div>
<div id="fc-recommendation"></div>
<p id="fc-path"></p>
<button type="button" id="fc-restart" hidden>Start again</button>
</div>
"#;

/// The course's flowchart page, whose script the tiny book reuses.
const PAGE: &str = include_str!("../../book/src/lab/flowchart.md");

fn flowchart() -> String {
    let start = PAGE
        .find("<script>")
        .expect("the flowchart page has a script");
    let end = PAGE.find("</script>").expect("the script ends") + "</script>".len();
    format!("{TREE}\n{}\n", &PAGE[start..end])
}

/// A chart as a lesson page shows it, and the SVG its run drew.
const CHARTS: &str = r#"# Charts

<figure class="chart">
<img src="images/run.svg" alt="a chart">
<figcaption>Drawn by the run above (capture <code>bench</code>): <code>cargo run --release -p demo -- bench</code>, with <code>--svg FILE</code> added.</figcaption>
</figure>
"#;
const SVG: &str = r##"<svg width="200" height="60" viewBox="0 0 200 60" xmlns="http://www.w3.org/2000/svg"><rect x="0" y="0" width="200" height="60" fill="#FFFFFF"/><text x="5" y="50">cargo run --release -p demo -- bench  |  2 cores, linux  |  2026-12-07</text></svg>"##;

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn browser_test(root: &Path) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["book", "--browser-test"])
        .env("COURSE_ROOT", root)
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

#[test]
fn catches_broken_links_and_clicks_through_the_flowchart() {
    let root = std::env::temp_dir().join(format!("xtask-browser-{}", std::process::id()));
    let _ = fs::remove_dir_all(&root);
    write(
        &root.join("book/book.toml"),
        "[book]\ntitle = \"t\"\n[build]\nbuild-dir = \"build\"\n",
    );
    write(
        &root.join("book/src/SUMMARY.md"),
        "# Summary\n\n- [Intro](intro.md)\n- [Flowchart](lab/flowchart.md)\n- [Charts](charts.md)\n",
    );
    write(
        &root.join("book/src/intro.md"),
        "# Intro\n\nSee [the missing page](missing.md).\n",
    );
    write(&root.join("book/src/lab/flowchart.md"), &flowchart());
    write(&root.join("book/src/charts.md"), CHARTS);
    write(&root.join("book/src/images/run.svg"), SVG);

    let (ok, report) = browser_test(&root);
    if report.contains("skipped: the browser test needs Chromium") {
        eprintln!("{report}");
        return;
    }
    assert!(!ok, "a broken link must fail the test:\n{report}");
    assert!(report.contains("broken link to /missing.html"), "{report}");
    assert!(
        report.contains("clicked yes -> no -> recommends `processes`"),
        "{report}"
    );
    assert!(
        report.contains("pressed no -> recommends `async`"),
        "every test path is followed, the second from the keyboard:\n{report}"
    );

    write(
        &root.join("book/src/intro.md"),
        "# Intro\n\nSee [the flowchart](lab/flowchart.md).\n",
    );
    let (ok, report) = browser_test(&root);
    assert!(ok, "{report}");

    // A "Start again" button before any answer fails the test, and so does
    // a path that ends at another recommendation than it names.
    let shown = flowchart().replace(
        "restartButton.hidden = true;",
        "restartButton.hidden = false;",
    );
    write(&root.join("book/src/lab/flowchart.md"), &shown);
    let (ok, report) = browser_test(&root);
    assert!(!ok, "{report}");
    assert!(
        report.contains("shows its restart button before any answer"),
        "{report}"
    );
    let wrong = flowchart().replace("async:no", "hybrid:no");
    write(&root.join("book/src/lab/flowchart.md"), &wrong);
    let (ok, report) = browser_test(&root);
    assert!(!ok && report.contains("expected `hybrid`"), "{report}");
    // A path that is not highlighted fails it.
    let unmarked = flowchart().replace(
        "branch.classList.add(\"fc-taken\");",
        "branch.classList.add(\"fc-passed\");",
    );
    write(&root.join("book/src/lab/flowchart.md"), &unmarked);
    let (ok, report) = browser_test(&root);
    assert!(!ok && report.contains("not highlighted"), "{report}");
    write(&root.join("book/src/lab/flowchart.md"), &flowchart());

    // A chart whose caption names another run, or whose SVG records none,
    // or that does not load, fails it.
    let other = CHARTS.replace("-- bench</code>", "-- bench --repeat 9</code>");
    write(&root.join("book/src/charts.md"), &other);
    let (ok, report) = browser_test(&root);
    assert!(!ok, "{report}");
    assert!(
        report.contains(
            "does not name the run that drew it (`cargo run --release -p demo -- bench`)"
        ),
        "{report}"
    );
    write(&root.join("book/src/charts.md"), CHARTS);
    write(
        &root.join("book/src/images/run.svg"),
        &SVG.replace("cargo run", "a run"),
    );
    let (ok, report) = browser_test(&root);
    assert!(!ok && report.contains("the SVG records no run"), "{report}");
    fs::remove_file(root.join("book/src/images/run.svg")).unwrap();
    let (ok, report) = browser_test(&root);
    assert!(!ok && report.contains("image does not load"), "{report}");
    let _ = fs::remove_dir_all(&root);
}
