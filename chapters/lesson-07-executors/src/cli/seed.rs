//! `seed`: the seed article's ThreadPoolExecutor example.

use anyhow::Result;
use lesson_07_executors::seed;

pub(crate) fn run() -> Result<()> {
    println!("with ThreadPoolExecutor(max_workers=1) as executor:");
    println!("    future = executor.submit(test, 1)");
    println!("    print(future.result())");
    let (when, num) = seed::seed_example()?;
    println!("-> ({when:?}, {num})   (UTC: std has no time zones)");
    Ok(())
}
