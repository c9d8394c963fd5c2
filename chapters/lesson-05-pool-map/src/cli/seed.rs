//! `seed`: the seed articles' two `Pool` examples.

use anyhow::Result;
use course_support::child::Spawner;
use course_support::cli::usize_in;
use course_support::table;
use lesson_05_pool_map::seed;

#[derive(Debug, Clone, clap::Args)]
pub(crate) struct Args {
    /// Workers for the sum of squares (the seed's Pool(4))
    #[arg(long, default_value_t = 4, value_parser = usize_in(1..=256))]
    pub(crate) workers: usize,
    /// Workers for the printing example (the seed's Pool(8))
    #[arg(long, default_value_t = 8, value_parser = usize_in(1..=256))]
    pub(crate) print_workers: usize,
    /// Items for the printing example (the seed's range(100))
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub(crate) items: u64,
}

pub(crate) fn run(spawner: &Spawner, a: &Args) -> Result<()> {
    println!(
        "Python: with Pool({}) as p: results = p.map(process_data, [[1,2,3]]*10)",
        a.workers
    );
    let runs = seed::sum_of_squares(spawner, a.workers)?;
    let mut t = table(["Pool.map with", "results", "sum"]);
    for (with, results) in [
        ("rayon (global pool)", &runs.rayon),
        ("scoped threads", &runs.threads),
        ("worker processes", &runs.processes),
    ] {
        t.add_row([
            with.to_owned(),
            format!("{results:?}"),
            results.iter().sum::<i64>().to_string(),
        ]);
    }
    println!("{t}");
    println!(
        "Computation result: {} (1 + 4 + 9 = 14, ten times)\n",
        runs.processes.iter().sum::<i64>()
    );

    let (chunk, report) = seed::printing(spawner, a.print_workers, a.items)?;
    println!(
        "Python: pool = Pool({w}); pool.map(test, range({n})), where test(i) prints i.\n\
         Python's default chunksize is ceil({n} / ({w} x 4)) = {chunk}, so each worker gets {chunk} \
         numbers at a time.\nWhat the workers printed, in the order the lines arrived:",
        w = a.print_workers,
        n = a.items,
    );
    let printed: Vec<&str> = report.printed.iter().map(|(_, l)| l.as_str()).collect();
    for line in printed.chunks(25) {
        println!("  {}", line.join(" "));
    }
    // The same lines, sorted by the worker that printed them.
    let mut by_pid: Vec<(u32, Vec<&str>)> = Vec::new();
    for (pid, line) in &report.printed {
        match by_pid.iter_mut().find(|(p, _)| p == pid) {
            Some((_, lines)) => lines.push(line),
            None => by_pid.push((*pid, vec![line])),
        }
    }
    by_pid.sort_by_key(|(pid, _)| *pid);
    let mut t = table(["worker pid", "printed, in its own order"]);
    for (pid, lines) in &by_pid {
        let runs: Vec<String> = lines.chunks(chunk).map(|run| run.join(" ")).collect();
        t.add_row([pid.to_string(), runs.join(" | ")]);
    }
    println!("{t}");
    let in_order = report.results.iter().copied().eq(0..a.items);
    println!(
        "{} lines from {} worker processes. Each worker prints whole chunks of {chunk} in order;\n\
         the lines of different workers interleave as they reach the parent.\n\
         The list map returned: [{}, ..., {}], in input order: {}.",
        report.printed.len(),
        by_pid.len(),
        report.results.first().copied().unwrap_or_default(),
        report.results.last().copied().unwrap_or_default(),
        if in_order { "yes" } else { "NO" }
    );
    Ok(())
}
