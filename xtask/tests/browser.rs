//! The browser test against a tiny book: it must catch a broken link, and
//! click through a flowchart page that follows the course's contract.
//! Skipped (with a line saying so) where Chromium is not installed.

use std::fs;
use std::path::Path;
use std::process::Command;

const FLOWCHART: &str = r#"# Flowchart

<div id="decision-flowchart" data-test-paths="processes:yes,no|async:no">
  <div class="fc-question" data-q="cpu" data-active="true">CPU-bound?
    <button class="fc-answer" data-answer="yes">yes</button>
    <button class="fc-answer" data-answer="no">no</button>
  </div>
  <div class="fc-question" data-q="share" data-active="false" hidden>Share memory?
    <button class="fc-answer" data-answer="yes">yes</button>
    <button class="fc-answer" data-answer="no">no</button>
  </div>
  <div id="fc-recommendation"></div>
  <button id="fc-restart" hidden>restart</button>
</div>

<script>
(() => {
  const qs = Array.from(document.querySelectorAll('#decision-flowchart .fc-question'));
  const rec = document.getElementById('fc-recommendation');
  const restart = document.getElementById('fc-restart');
  const show = (i) => qs.forEach((q, j) => { q.dataset.active = String(i === j); q.hidden = i !== j; });
  document.querySelectorAll('.fc-answer').forEach(b => b.addEventListener('click', () => { restart.hidden = false; }));
  qs[0].querySelector('[data-answer=yes]').onclick = () => show(1);
  qs[0].querySelector('[data-answer=no]').onclick = () => { show(-1); rec.dataset.model = 'async'; rec.textContent = 'async'; };
  qs[1].querySelectorAll('.fc-answer').forEach(b => b.onclick = () => {
    show(-1); rec.dataset.model = 'processes'; rec.textContent = 'Use processes';
  });
  restart.onclick = () => { show(0); rec.textContent = ''; delete rec.dataset.model; restart.hidden = true; };
})();
</script>
"#;

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
        "# Summary\n\n- [Intro](intro.md)\n- [Flowchart](lab/flowchart.md)\n",
    );
    write(
        &root.join("book/src/intro.md"),
        "# Intro\n\nSee [the missing page](missing.md).\n",
    );
    write(&root.join("book/src/lab/flowchart.md"), FLOWCHART);

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
        report.contains("clicked no -> recommends `async`"),
        "every test path is clicked:\n{report}"
    );

    write(
        &root.join("book/src/intro.md"),
        "# Intro\n\nSee [the flowchart](lab/flowchart.md).\n",
    );
    let (ok, report) = browser_test(&root);
    assert!(ok, "{report}");

    // A "Start again" button before any answer fails the test, and so does
    // a path that ends at another recommendation than it names.
    let shown = FLOWCHART.replace(
        "<button id=\"fc-restart\" hidden>",
        "<button id=\"fc-restart\">",
    );
    write(&root.join("book/src/lab/flowchart.md"), &shown);
    let (ok, report) = browser_test(&root);
    assert!(!ok, "{report}");
    assert!(
        report.contains("shows its restart button before any answer"),
        "{report}"
    );
    let wrong = FLOWCHART.replace("async:no", "hybrid:no");
    write(&root.join("book/src/lab/flowchart.md"), &wrong);
    let (ok, report) = browser_test(&root);
    assert!(!ok && report.contains("expected `hybrid`"), "{report}");
    let _ = fs::remove_dir_all(&root);
}
