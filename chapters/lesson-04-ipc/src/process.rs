//! `multiprocessing.Process`: start a child, learn its pid, join it, read its
//! exit code, and terminate one that would never stop by itself.
//!
//! Each child is this same executable run again with a role on its command
//! line (`lesson-04-ipc child report --exit-code 3`): a separate OS process
//! with its own pid, its own memory and its own exit status, like Python's
//! "spawn" start method.

use std::io::{BufRead, BufReader, Read};
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use course_support::child::{ChildGuard, Children, Spawner, exists, exit_when_orphaned};

/// What one child said about itself, and how it ended.
#[derive(Debug, Clone)]
pub struct Report {
    /// The pid the parent got from `spawn`.
    pub pid: u32,
    /// The pid the child printed for itself.
    pub own_pid: u32,
    /// The parent pid the child printed.
    pub parent: u32,
    /// The exit code it was asked to end with.
    pub asked: i32,
    pub status: ExitStatus,
}

// ANCHOR: start_join
/// Starts one child per entry of `exit_codes`, all before waiting for any,
/// then joins each: reads what it printed and how it ended.
pub fn start_and_join(spawner: &Spawner, exit_codes: &[i32]) -> Result<Vec<Report>> {
    let mut children = Children::new();
    for code in exit_codes {
        let mut cmd = spawner.command("report", ["--exit-code", &code.to_string()]);
        cmd.stdout(Stdio::piped());
        children.push(ChildGuard::spawn(&mut cmd).context("starting a child")?);
    }
    let mut reports = Vec::new();
    for (child, &asked) in children.iter_mut().zip(exit_codes) {
        let Some(status) = child.wait_timeout(Duration::from_secs(10))? else {
            bail!("child {} did not exit within 10 s", child.id());
        };
        let mut said = String::new();
        if let Some(mut out) = child.child_mut().stdout.take() {
            out.read_to_string(&mut said)?;
        }
        let (own_pid, parent) =
            parse_hello(&said).with_context(|| format!("child {} printed {said:?}", child.id()))?;
        reports.push(Report {
            pid: child.id(),
            own_pid,
            parent,
            asked,
            status,
        });
    }
    Ok(reports)
}
// ANCHOR_END: start_join

/// Reads `pid=12 parent=10`.
fn parse_hello(line: &str) -> Option<(u32, u32)> {
    let mut pid = None;
    let mut parent = None;
    for word in line.split_whitespace() {
        if let Some(v) = word.strip_prefix("pid=") {
            pid = v.parse().ok();
        } else if let Some(v) = word.strip_prefix("parent=") {
            parent = v.parse().ok();
        }
    }
    Some((pid?, parent?))
}

// ANCHOR: report_role
/// Role `report`: print who we are, then exit with the code we were given.
pub fn report_role(exit_code: i32) -> i32 {
    println!(
        "pid={} parent={}",
        std::process::id(),
        std::os::unix::process::parent_id()
    );
    exit_code
}
// ANCHOR_END: report_role

/// Role `forever`: say we are running, then loop until someone stops us
/// (the seed's reader, reduced to its essence).
pub fn forever_role() -> i32 {
    exit_when_orphaned();
    println!("looping");
    loop {
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// What terminating a never-ending child showed.
#[derive(Debug, Clone, Copy)]
pub struct Terminated {
    pub pid: u32,
    /// It was still running after `waited`, so it would never have ended.
    pub running_after_wait: bool,
    pub waited: Duration,
    pub status: ExitStatus,
    /// Its pid no longer exists: killed *and* reaped, no zombie left.
    pub gone: bool,
}

// ANCHOR: terminate
/// Starts a child that loops forever, shows that joining it would not return,
/// then terminates it (SIGTERM, like Python's `terminate()`) and reaps it.
pub fn terminate_forever(spawner: &Spawner, wait: Duration) -> Result<Terminated> {
    let mut cmd = spawner.command("forever", [] as [&str; 0]);
    cmd.stdout(Stdio::piped());
    let mut child = ChildGuard::spawn(&mut cmd)?;
    // Wait until it is really looping (it prints one line first).
    let out = child.child_mut().stdout.take().context("no stdout pipe")?;
    let mut line = String::new();
    BufReader::new(out).read_line(&mut line)?;
    if line.trim() != "looping" {
        bail!("child {} did not start looping", child.id());
    }
    // A join with a timeout: a plain join (wait) here would never return.
    let running_after_wait = child.wait_timeout(wait)?.is_none();
    let status = child.terminate(Duration::from_secs(5))?;
    Ok(Terminated {
        pid: child.id(),
        running_after_wait,
        waited: wait,
        status,
        gone: !exists(child.id()),
    })
}
// ANCHOR_END: terminate

#[cfg(test)]
mod tests {
    use super::parse_hello;

    #[test]
    fn parses_the_hello_line() {
        assert_eq!(parse_hello("pid=12 parent=10\n"), Some((12, 10)));
        assert_eq!(parse_hello("pid=12"), None);
        assert_eq!(parse_hello(""), None);
    }
}
