//! The built book in a real browser: headless Chromium, driven through
//! chromedriver (the W3C WebDriver protocol: JSON over HTTP). Every page is
//! opened and checked for unresolved includes, images that do not load (or
//! load with no size), charts whose caption does not name the run that drew
//! them, and links to pages that don't exist; then the decision flowchart's
//! tree is walked along every test path to its recommendation (one path
//! clicked, the next answered from the keyboard), and a screenshot shows the
//! highlighted path with the leaf's recommendation.
//!
//! Chromium is not a cargo package: when it is missing the test says how to
//! get it and is skipped (CI installs it in `.ci/run`).

use std::fs;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use base64::prelude::{BASE64_STANDARD, Engine};
use serde_json::{Value, json};

const BROWSERS: &[&str] = &["chromium", "chromium-browser", "google-chrome"];
const FLOWCHART: &str = "lab/flowchart.html";

/// Runs the browser test on `book/build`; `Ok(true)` also when skipped.
pub fn run(build: &Path) -> Result<bool> {
    let (Some(browser), Some(driver)) = (find(BROWSERS), find(&["chromedriver"])) else {
        println!(
            "skipped: the browser test needs Chromium and chromedriver \
             (Debian/Ubuntu: apt-get install chromium chromium-driver)"
        );
        return Ok(true);
    };
    // The pages are opened straight from disk (file://): that is how a
    // reader opens the book offline, and it needs no server.
    let build = build
        .canonicalize()
        .with_context(|| format!("no built book at {}", build.display()))?;
    let base = format!("file://{}", build.display());
    let driver = Driver::start(&driver, &browser)?;
    driver.warm_up();
    let pages_ok = check_pages(&driver, &build, &base)?;
    let flowchart_ok = check_flowchart(&driver, &build, &base)?;
    Ok(pages_ok && flowchart_ok)
}

fn find(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    names.iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    })
}

/// A chromedriver process and one browser session; both end on drop.
struct Driver {
    process: Child,
    url: String,
    profile: PathBuf,
}

impl Driver {
    fn start(driver: &Path, browser: &Path) -> Result<Driver> {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let process = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("could not start {}", driver.display()))?;
        let profile = std::env::temp_dir().join(format!("xtask-chromium-{}", std::process::id()));
        let mut this = Driver {
            process,
            url: format!("http://127.0.0.1:{port}"),
            profile,
        };
        this.wait_ready()?;
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": browser,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--window-size=1280,900",
                    format!("--user-data-dir={}", this.profile.display()),
                ]
            }
        }}});
        let session = this.post("/session", &capabilities)?;
        let id = session["sessionId"]
            .as_str()
            .context("chromedriver gave no session id")?;
        this.url = format!("{}/session/{id}", this.url);
        // Fail in seconds, not chromedriver's default five minutes.
        this.post(
            "/timeouts",
            &json!({"pageLoad": 30_000, "script": 10_000, "implicit": 0}),
        )?;
        Ok(this)
    }

    fn wait_ready(&self) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(mut r) = ureq::get(format!("{}/status", self.url)).call()
                && r.body_mut()
                    .read_json::<Value>()
                    .is_ok_and(|v| v["value"]["ready"] == true)
            {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        bail!("chromedriver did not become ready within 20 s")
    }

    fn post(&self, path: &str, body: &Value) -> Result<Value> {
        let mut response = ureq::post(format!("{}{path}", self.url))
            .config()
            .http_status_as_error(false)
            .build()
            .send_json(body)
            .with_context(|| format!("WebDriver {path}"))?;
        let value: Value = response.body_mut().read_json()?;
        if response.status().is_success() {
            Ok(value["value"].clone())
        } else {
            Err(anyhow!("WebDriver {path}: {}", value["value"]["message"]))
        }
    }

    fn open(&self, url: &str) -> Result<()> {
        self.post("/url", &json!({ "url": url })).map(drop)
    }

    /// Opens a blank page first, so that a slow start of the browser's first
    /// renderer counts against no page of the book.
    fn warm_up(&self) {
        let _ = self.open("about:blank");
    }

    fn script(&self, script: &str) -> Result<Value> {
        self.post("/execute/sync", &json!({ "script": script, "args": [] }))
    }

    fn click(&self, css: &str) -> Result<()> {
        let id = self.find(css)?;
        self.post(&format!("/element/{id}/click"), &json!({}))
            .map(drop)
    }

    /// Types `keys` into the element (a button takes Enter or Space as a press).
    fn keys(&self, css: &str, keys: &str) -> Result<()> {
        let id = self.find(css)?;
        self.post(&format!("/element/{id}/value"), &json!({ "text": keys }))
            .map(drop)
    }

    fn find(&self, css: &str) -> Result<String> {
        let found = self.post("/element", &json!({"using": "css selector", "value": css}))?;
        found
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .map(str::to_owned)
            .with_context(|| format!("no element {css}"))
    }

    fn screenshot(&self, path: &Path) -> Result<()> {
        let response = ureq::get(format!("{}/screenshot", self.url)).call();
        let png: Value = response?.body_mut().read_json()?;
        let data = png["value"].as_str().context("no screenshot")?;
        fs::write(path, BASE64_STANDARD.decode(data)?)?;
        Ok(())
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = ureq::delete(&self.url).call();
        let _ = self.process.kill();
        let _ = self.process.wait();
        let _ = fs::remove_dir_all(&self.profile);
    }
}

/// What one page reports about itself, from inside the browser.
const PAGE_REPORT: &str = r#"
    const imgs = Array.from(document.images);
    return {
        title: document.title,
        unresolved: document.body.innerText.includes("{{#"),
        brokenImages: imgs.filter(i => !(i.complete && i.naturalWidth > 0 && i.naturalHeight > 0)).map(i => i.src),
        charts: Array.from(document.querySelectorAll("figure.chart")).map(f => ({
            src: f.querySelector("img") ? f.querySelector("img").src : "",
            caption: f.querySelector("figcaption") ? f.querySelector("figcaption").textContent : "",
            codes: Array.from(f.querySelectorAll("figcaption code")).map(c => c.textContent),
        })),
        uncaptioned: imgs.filter(i => /\.svg$/.test(i.src) && !i.closest("figure.chart")).map(i => i.src),
        links: Array.from(document.querySelectorAll("a[href]")).map(a => a.href),
    };
"#;

fn check_pages(driver: &Driver, build: &Path, base: &str) -> Result<bool> {
    let pages = html_pages(build, build)?;
    let mut problems = Vec::new();
    for page in &pages {
        driver
            .open(&format!("{base}/{page}"))
            .with_context(|| format!("opening {page}"))?;
        let report = driver.script(PAGE_REPORT)?;
        if report["unresolved"] == true {
            problems.push(format!("{page}: an include was not resolved"));
        }
        for img in report["brokenImages"].as_array().into_iter().flatten() {
            problems.push(format!(
                "{page}: image does not load (or has no size): {img}"
            ));
        }
        for img in report["uncaptioned"].as_array().into_iter().flatten() {
            problems.push(format!(
                "{page}: chart without a <figure class=\"chart\"> and caption: {img}"
            ));
        }
        for chart in report["charts"].as_array().into_iter().flatten() {
            let src = chart["src"].as_str().unwrap_or_default();
            let caption = chart["caption"].as_str().unwrap_or_default();
            let codes: Vec<&str> = chart["codes"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let file = src
                .strip_prefix(base)
                .and_then(|path| book_file(build, path));
            let svg = file.and_then(|f| fs::read_to_string(f).ok());
            if let Err(why) = caption_names_run(caption, &codes, svg.as_deref()) {
                problems.push(format!("{page}: chart {src}: {why}"));
            }
        }
        for link in report["links"].as_array().into_iter().flatten() {
            let Some(target) = link.as_str().and_then(|l| l.strip_prefix(base)) else {
                continue; // external links are not followed: the book works offline
            };
            let path = target.split(['#', '?']).next().unwrap_or("");
            if book_file(build, path).is_none() {
                problems.push(format!("{page}: broken link to {target}"));
            }
        }
    }
    println!("opened {} pages in headless Chromium", pages.len());
    for p in &problems {
        println!("  {p}");
    }
    Ok(problems.is_empty())
}

/// A chart's caption must name the run that drew it: the SVG records its
/// command (and machine and date) under the chart, and the caption on the
/// page must show that same command, as one of its `<code>` parts.
fn caption_names_run(caption: &str, codes: &[&str], svg: Option<&str>) -> Result<(), String> {
    let svg = svg.ok_or("its SVG file is missing")?;
    let Some(at) = svg.find("cargo run") else {
        return Err(
            "the SVG records no run (re-run its capture: cargo xtask maint capture)".into(),
        );
    };
    let line = &svg[at..];
    let line = &line[..line.find('<').unwrap_or(line.len())];
    let mut parts = line.split("  |  ").map(str::trim);
    let (command, machine, date) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    );
    let is_date = date.len() == 10 && date.as_bytes()[4] == b'-' && date.as_bytes()[7] == b'-';
    if machine.is_empty() || !is_date {
        return Err(format!(
            "the SVG's caption lacks its machine or date: `{line}`"
        ));
    }
    let words = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
    let caption = words(caption);
    if !codes.iter().any(|code| words(code) == command) {
        return Err(format!(
            "its caption does not name the run that drew it (`{command}`): `{caption}`"
        ));
    }
    Ok(())
}

/// The file a URL path of the book serves, if any.
fn book_file(build: &Path, path: &str) -> Option<PathBuf> {
    let file = build.join(path.trim_start_matches('/'));
    let file = if file.is_dir() {
        file.join("index.html")
    } else {
        file
    };
    file.is_file().then_some(file)
}

fn check_flowchart(driver: &Driver, build: &Path, base: &str) -> Result<bool> {
    if !build.join(FLOWCHART).is_file() {
        println!("no flowchart page ({FLOWCHART}) in this book: nothing to click");
        return Ok(true);
    }
    driver
        .open(&format!("{base}/{FLOWCHART}"))
        .with_context(|| format!("opening {FLOWCHART}"))?;
    let spec = driver.script(
        "const d = document.getElementById('decision-flowchart').dataset;
         return d.testPaths || d.testPath || '';",
    )?;
    let paths = test_paths(spec.as_str().unwrap_or_default());
    if paths.is_empty() {
        println!("the flowchart has no data-test-paths to follow");
        return Ok(false);
    }
    let shots = build.join("../../target/xtask");
    fs::create_dir_all(&shots)?;
    let mut ok = restart_hidden(driver, "before any answer")? & whole_tree_shown(driver)?;
    // Tall enough that the screenshot holds the whole tree.
    let _ = driver.post("/window/rect", &json!({"width": 1280, "height": 1900}));
    for (k, (expected, answers)) in paths.iter().enumerate() {
        // The first path is clicked; the next answered from the keyboard
        // (Enter, then Space, alternately), as a reader without a mouse would.
        let by_keys = k % 2 == 1;
        for (step, answer) in answers.iter().enumerate() {
            let css = format!(
                ".fc-question[data-active=\"true\"] > ul > li > .fc-answer[data-answer=\"{answer}\"]"
            );
            if by_keys {
                let key = if step % 2 == 0 { "\u{E007}" } else { " " };
                driver.keys(&css, key)?;
            } else {
                driver.click(&css)?;
            }
        }
        let outcome = driver.script(
            "const r = document.getElementById('fc-recommendation');
             const leaf = document.querySelector('.fc-reached');
             document.getElementById('decision-flowchart').scrollIntoView({block: 'start'});
             return { text: r.innerText.trim(), model: r.dataset.model || '',
                      taken: document.querySelectorAll('.fc-taken').length,
                      onPath: document.querySelectorAll('.fc-on-path').length,
                      leaf: leaf ? leaf.dataset.model : '',
                      atLeaf: !!leaf && leaf.parentNode.contains(r),
                      command: leaf ? (leaf.querySelector('.fc-cmd') || {}).textContent || '' : '' };",
        )?;
        let name = if k == 0 {
            "flowchart.png".to_owned()
        } else {
            format!("flowchart-{}.png", k + 1)
        };
        let _ = driver.screenshot(&shots.join(name));
        let text = outcome["text"].as_str().unwrap_or_default();
        let model = outcome["model"].as_str().unwrap_or_default();
        let command = outcome["command"].as_str().unwrap_or_default();
        println!(
            "flowchart: {} {} -> recommends `{model}`: {}",
            if by_keys { "pressed" } else { "clicked" },
            answers.join(" -> "),
            text.lines().next().unwrap_or_default()
        );
        let right = !text.is_empty() && expected.as_deref().is_none_or(|e| e == model);
        if !right {
            println!(
                "  expected `{}` with a text, got `{model}`",
                expected.as_deref().unwrap_or("any model")
            );
        }
        let n = answers.len() as u64;
        let highlighted = outcome["taken"].as_u64() == Some(n)
            && outcome["onPath"].as_u64() == Some(n)
            && outcome["leaf"].as_str() == Some(model)
            && outcome["atLeaf"] == true;
        if !highlighted {
            println!(
                "  the path is not highlighted down to the leaf, with the recommendation there: {outcome}"
            );
        }
        let measured = command.starts_with("cargo run") && text.contains(command);
        if !measured {
            println!("  the recommendation does not show its leaf's command (`{command}`)");
        }
        // And back to the start, for the next path.
        driver.click("#fc-restart")?;
        let reset = driver.script(
            "return document.getElementById('fc-recommendation').innerText.trim()
                 + document.querySelectorAll('.fc-taken, .fc-on-path, .fc-reached').length;",
        )?;
        let restarted = reset.as_str() == Some("0");
        if !restarted {
            println!("the restart button did not clear the recommendation and the path");
        }
        ok &= right
            && highlighted
            && measured
            && !model.is_empty()
            && restarted
            && restart_hidden(driver, "after a restart")?;
    }
    Ok(ok)
}

/// Every question and every leaf of the tree is on the page, shown.
fn whole_tree_shown(driver: &Driver) -> Result<bool> {
    let hidden = driver.script(
        "const nodes = Array.from(document.querySelectorAll(
             '#decision-flowchart .fc-question > .fc-box, #decision-flowchart .fc-leaf'));
         return { nodes: nodes.length, hidden: nodes.filter(n => n.offsetParent === null).length };",
    )?;
    let (nodes, hidden) = (hidden["nodes"].as_u64(), hidden["hidden"].as_u64());
    let ok = nodes.is_some_and(|n| n >= 2) && hidden == Some(0);
    if !ok {
        println!("the flowchart does not show its whole tree: {nodes:?} nodes, {hidden:?} hidden");
    }
    Ok(ok)
}

/// `MODEL:ANSWERS|MODEL:ANSWERS` (or one bare `ANSWERS`): each path to
/// click, with the recommendation it must end at, if given.
fn test_paths(spec: &str) -> Vec<(Option<String>, Vec<String>)> {
    spec.split('|')
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            let (model, answers) = match p.split_once(':') {
                Some((m, a)) => (Some(m.trim().to_owned()), a),
                None => (None, p),
            };
            let answers = answers
                .split(',')
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(str::to_owned)
                .collect();
            (model, answers)
        })
        .collect()
}

/// The "Start again" button must not show while there is nothing to undo.
fn restart_hidden(driver: &Driver, when: &str) -> Result<bool> {
    let shown = driver.script(
        "const b = document.getElementById('fc-restart');
         return !!b && !b.hidden && b.offsetParent !== null;",
    )?;
    let hidden = shown.as_bool() == Some(false);
    if !hidden {
        println!("the flowchart shows its restart button {when}");
    }
    Ok(hidden)
}

/// The book's HTML pages, as URL paths relative to `build`.
fn html_pages(build: &Path, dir: &Path) -> Result<Vec<String>> {
    let mut pages = Vec::new();
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            pages.extend(html_pages(build, &path)?);
        } else if path.extension().is_some_and(|e| e == "html")
            // mdBook's print page opens the print dialog on load, which stalls a
            // headless renderer; it only repeats the other pages' content.
            && path.file_name().is_some_and(|n| n != "print.html")
        {
            let relative = path.strip_prefix(build).unwrap_or(&path);
            pages.push(relative.to_string_lossy().replace('\\', "/"));
        }
    }
    pages.sort();
    Ok(pages)
}

#[cfg(test)]
mod tests {
    use super::test_paths;

    #[test]
    fn test_paths_name_their_model_or_not() {
        let paths = test_paths("processes:yes,yes,no,no|subinterpreters:yes,yes,no,yes,yes,no");
        assert_eq!(paths.len(), 2);
        assert_eq!(paths[0].0.as_deref(), Some("processes"));
        assert_eq!(paths[1].1.len(), 6);
        let bare = test_paths("yes,no");
        assert_eq!(bare, vec![(None, vec!["yes".to_owned(), "no".to_owned()])]);
        assert!(test_paths("").is_empty());
    }

    #[test]
    fn a_chart_caption_must_name_the_svg_s_run() {
        use super::caption_names_run;
        let svg = "<svg><text>cargo run --release -p lab -- bench --tasks 5  |  2 cores, linux  |  2026-12-07</text></svg>";
        let good = "Drawn by the run above: cargo run --release -p lab -- bench --tasks 5, with --svg FILE";
        let codes = [
            "bench",
            "cargo run --release -p lab -- bench --tasks 5",
            "--svg FILE",
        ];
        assert_eq!(caption_names_run(good, &codes, Some(svg)), Ok(()));
        let other = ["cargo run --release -p lab -- bench"];
        assert!(caption_names_run(good, &other, Some(svg)).is_err());
        let longer = ["cargo run --release -p lab -- bench --tasks 5 --repeat 3"];
        assert!(caption_names_run(good, &longer, Some(svg)).is_err());
        let no_run = "<svg><text>ms</text></svg>";
        assert!(caption_names_run(good, &codes, Some(no_run)).is_err());
        assert!(caption_names_run(good, &codes, None).is_err());
        let undated = "<svg><text>cargo run --release -p lab -- bench --tasks 5</text></svg>";
        assert!(caption_names_run(good, &codes, Some(undated)).is_err());
    }
}
