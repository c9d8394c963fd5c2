//! The guided tour every lesson runs with no arguments: one heading style for
//! all lessons, the command line that runs each section on its own, and a way
//! to run that command in-process.

/// A tour section's (or a bench part's) heading: `== title ==` between blank lines.
pub fn section(title: &str) {
    println!("\n{}\n", heading(title));
}

/// The heading text [`section`] prints.
pub fn heading(title: &str) -> String {
    format!("== {title} ==")
}

/// The command that runs one section by itself, as the tour prints it.
pub fn command(krate: &str, args: &[&str]) -> String {
    format!("$ cargo run -p {krate} -- {}", args.join(" "))
}

/// A tour section that is a subcommand run with `args`: prints the heading
/// and the command, then parses `args` as the program would and hands the
/// parsed command line to `run`.
pub fn run_section<C: clap::Parser, T>(
    krate: &str,
    title: &str,
    args: &[&str],
    run: impl FnOnce(C) -> T,
) -> T {
    section(title);
    println!("{}\n", command(krate, args));
    let cli = C::parse_from(std::iter::once(krate).chain(args.iter().copied()));
    run(cli)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_heading_and_the_command_line() {
        assert_eq!(heading("Lock -> Mutex"), "== Lock -> Mutex ==");
        assert_eq!(
            command("lesson-03-sync", &["channels", "--jobs", "20"]),
            "$ cargo run -p lesson-03-sync -- channels --jobs 20"
        );
    }
}
