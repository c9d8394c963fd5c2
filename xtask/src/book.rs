//! `cargo xtask book`: check that every include resolves, build the book with
//! mdBook as a library (nothing to install), then open or serve it.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};

use crate::course::Course;

/// Checks includes, then builds `book/` into `book/build`. Returns the build dir.
pub fn build(course: &Course) -> Result<PathBuf> {
    let book = course.root.join("book");
    let broken = broken_includes(&book.join("src"))?;
    if !broken.is_empty() {
        bail!(
            "the book has {} broken include(s):\n  {}",
            broken.len(),
            broken.join("\n  ")
        );
    }
    let md = mdbook_driver::MDBook::load(&book).map_err(|e| anyhow!("loading the book: {e:#}"))?;
    md.build()
        .map_err(|e| anyhow!("building the book: {e:#}"))?;
    Ok(book.join("build"))
}

pub fn run(course: &Course, open: bool, serve: Option<u16>) -> Result<bool> {
    let out = build(course)?;
    let index = out.join("index.html");
    println!("built the book: {}", index.display());
    if open {
        open_in_browser(&index);
    }
    if let Some(port) = serve {
        serve_dir(&out, port)?;
    }
    Ok(true)
}

/// Every `{{#include path[:anchor]}}` (and `rustdoc_include`) in the book's
/// Markdown whose file or anchor does not exist. mdBook itself only logs
/// these and builds anyway; the course treats them as errors.
pub fn broken_includes(src: &Path) -> Result<Vec<String>> {
    let mut broken = Vec::new();
    for md in markdown_files(src)? {
        let text = fs::read_to_string(&md)?;
        let dir = md.parent().unwrap_or(src);
        for (line_no, line) in text.lines().enumerate() {
            for spec in include_specs(line) {
                let here = format!(
                    "{}:{}",
                    md.strip_prefix(src).unwrap_or(&md).display(),
                    line_no + 1
                );
                if let Err(problem) = check_include(dir, spec) {
                    broken.push(format!("{here}: {problem}"));
                }
            }
        }
    }
    Ok(broken)
}

/// The argument of each include directive on a line.
fn include_specs(line: &str) -> Vec<&str> {
    let mut specs = Vec::new();
    let mut rest = line;
    while let Some(start) = rest.find("{{#") {
        let after = &rest[start + 3..];
        let Some(end) = after.find("}}") else { break };
        let directive = &after[..end];
        for name in ["include ", "rustdoc_include "] {
            if let Some(arg) = directive.strip_prefix(name) {
                specs.push(arg.trim());
            }
        }
        rest = &after[end..];
    }
    specs
}

fn check_include(dir: &Path, spec: &str) -> Result<(), String> {
    // `path`, `path:anchor`, `path:10`, `path:10:20`.
    let mut parts = spec.splitn(2, ':');
    let path = parts.next().unwrap_or_default();
    let selector = parts.next();
    let file = dir.join(path);
    let text = fs::read_to_string(&file).map_err(|_| format!("no such file: {path}"))?;
    if let Some(anchor) = selector
        && !anchor.starts_with(|c: char| c.is_ascii_digit())
    {
        let opens = text
            .lines()
            .any(|l| anchor_name(l, "ANCHOR:") == Some(anchor));
        let closes = text
            .lines()
            .any(|l| anchor_name(l, "ANCHOR_END:") == Some(anchor));
        if !opens || !closes {
            return Err(format!(
                "no anchor `{anchor}` (ANCHOR and ANCHOR_END) in {path}"
            ));
        }
    }
    Ok(())
}

fn anchor_name<'a>(line: &'a str, marker: &str) -> Option<&'a str> {
    let at = line.find(marker)?;
    line[at + marker.len()..].split_whitespace().next()
}

fn markdown_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            files.extend(markdown_files(&path)?);
        } else if path.extension().is_some_and(|e| e == "md") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

fn open_in_browser(index: &Path) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    let opened = std::process::Command::new(opener)
        .arg(index)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !opened {
        println!(
            "could not start a browser ({opener} is missing or failed); open this file yourself:\n  file://{}\nor serve it: cargo xtask book --serve",
            index.display()
        );
    }
}

/// A small static file server for the built book, on loopback only.
fn serve_dir(root: &Path, port: u16) -> Result<()> {
    let server = listen(port)?;
    // The port it really listens on: `--port 0` lets the system pick one.
    let port = server
        .server_addr()
        .to_ip()
        .map_or(port, |addr| addr.port());
    println!("serving the book at http://127.0.0.1:{port}/  (Ctrl-C to stop)");
    serve(&server, root);
    Ok(())
}

/// Listens on 127.0.0.1:`port` (0 picks a free port).
pub fn listen(port: u16) -> Result<tiny_http::Server> {
    tiny_http::Server::http(("127.0.0.1", port))
        .map_err(|e| anyhow!("cannot listen on 127.0.0.1:{port}: {e} (try --port)"))
}

/// Answers requests with files under `root` until the server is unblocked.
pub fn serve(server: &tiny_http::Server, root: &Path) {
    for request in server.incoming_requests() {
        let url = request
            .url()
            .split(['?', '#'])
            .next()
            .unwrap_or("/")
            .to_owned();
        let response = match resolve(root, &url) {
            Some(path) => match fs::read(&path) {
                Ok(body) => tiny_http::Response::from_data(body).with_header(content_type(&path)),
                Err(_) => not_found(),
            },
            None => not_found(),
        };
        // Answer on a thread of its own: the browser loads a page's files over
        // several connections at once, and one slow answer must not hold up the rest.
        std::thread::spawn(move || {
            let _ = request.respond(response);
        });
    }
}

fn not_found() -> tiny_http::Response<std::io::Cursor<Vec<u8>>> {
    tiny_http::Response::from_string("not found").with_status_code(404)
}

/// Maps a URL path to a file under `root`, refusing `..` escapes.
fn resolve(root: &Path, url: &str) -> Option<PathBuf> {
    let relative = url.trim_start_matches('/');
    if relative.split('/').any(|part| part == "..") {
        return None;
    }
    let mut path = root.join(relative);
    if path.is_dir() {
        path = path.join("index.html");
    }
    path.is_file().then_some(path)
}

fn content_type(path: &Path) -> tiny_http::Header {
    let mime = match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css",
        "js" => "application/javascript",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "json" => "application/json",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "ttf" => "font/ttf",
        _ => "application/octet-stream",
    };
    tiny_http::Header::from_bytes("Content-Type", mime).expect("static header is valid")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_include_specs() {
        assert_eq!(
            include_specs("x {{#include ../a.rs:run}} y {{#rustdoc_include b.rs}} {{#title T}}"),
            ["../a.rs:run", "b.rs"]
        );
    }

    #[test]
    fn reports_missing_files_and_anchors() {
        let dir = std::env::temp_dir().join(format!("xtask-book-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        fs::write(
            dir.join("a.rs"),
            "// ANCHOR: here\nfn f() {}\n// ANCHOR_END: here\n",
        )
        .unwrap();
        assert!(check_include(&dir, "a.rs:here").is_ok());
        assert!(check_include(&dir, "a.rs:3:4").is_ok());
        assert!(
            check_include(&dir, "a.rs:gone")
                .unwrap_err()
                .contains("no anchor `gone`")
        );
        assert!(
            check_include(&dir, "b.rs")
                .unwrap_err()
                .contains("no such file")
        );
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn serving_never_leaves_the_root() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        assert!(resolve(root, "/../Cargo.toml").is_none());
        assert!(resolve(root, "/Cargo.toml").is_some());
    }
}
