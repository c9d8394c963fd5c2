//! The seed article's example: a `ThreadPoolExecutor(max_workers=1)` that
//! runs `test(1)`, which returns the time and its argument, and prints the
//! future's result.

use std::convert::Infallible;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::future::Outcome;
use crate::thread_pool::ThreadPool;

// ANCHOR: seed
/// The seed's `test(num)`: `(time.ctime(), num)`.
pub fn test(num: u64) -> (String, u64) {
    (ctime(SystemTime::now()), num)
}

/// `with ThreadPoolExecutor(max_workers=1) as executor:
///     future = executor.submit(test, 1); print(future.result())`
pub fn seed_example() -> Outcome<(String, u64), Infallible> {
    let executor = ThreadPool::new(1);
    let future = executor.spawn(|| test(1));
    future.join()
    // `executor` is dropped here: shutdown(wait=true), the end of the `with`.
}
// ANCHOR_END: seed

/// `time.ctime()`'s format, `Thu Mar  5 14:02:11 2026`, in UTC (the
/// standard library knows no time zones; Python prints local time).
pub fn ctime(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (h, m, s) = (rest / 3_600, rest % 3_600 / 60, rest % 60);
    let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][(days % 7) as usize];
    let (year, month, day) = civil_from_days(days as i64);
    let month = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ][(month - 1) as usize];
    format!("{weekday} {month} {day:>2} {h:02}:{m:02}:{s:02} {year}")
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian
/// (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn ctime_matches_python() {
        // time.ctime(0) and time.ctime(1_700_000_000) with TZ=UTC.
        assert_eq!(ctime(UNIX_EPOCH), "Thu Jan  1 00:00:00 1970");
        let t = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(ctime(t), "Tue Nov 14 22:13:20 2023");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400); // 2000-02-29
        assert_eq!(ctime(leap), "Tue Feb 29 00:00:00 2000");
    }

    #[test]
    fn the_seed_example_returns_time_and_num() {
        let (when, num) = seed_example().unwrap();
        assert_eq!(num, 1);
        assert_eq!(when.len(), 24, "{when}");
    }
}
