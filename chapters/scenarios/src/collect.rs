//! Scenario 2, data collection: many slow sensors sending readings over TCP
//! on loopback, collected by one async program; and a large CSV file parsed
//! by one thread, by threads, and by processes.

use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};

/// CLOCK_MONOTONIC in nanoseconds: one clock for every process on this
/// machine, so a reading's age can be measured in another process (Python's
/// `time.monotonic_ns()` reads the same clock).
pub fn monotonic_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the struct we own.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// What a collector reports when every sensor has hung up.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct CollectorReport {
    pub sensors: usize,
    pub readings: u64,
    /// A reading's age when the collector parsed it, µs.
    pub p50_us: Option<u64>,
    pub p99_us: Option<u64>,
    /// CPU time the collector used, s.
    pub cpu_s: Option<f64>,
    pub peak_rss_kib: Option<u64>,
}

// ANCHOR: sensors
/// `sensors` sensors, each on its own TCP connection, each sending a line
/// `id,seq,sent_ns,value` every `every` for `duration` (their first readings
/// spread over one period), then hanging up. Returns the readings sent.
pub async fn run_sensors(
    addr: SocketAddr,
    sensors: usize,
    every: Duration,
    duration: Duration,
) -> io::Result<u64> {
    let mut set = tokio::task::JoinSet::new();
    for id in 0..sensors {
        set.spawn(async move {
            let mut s = tokio::net::TcpStream::connect(addr).await?;
            let offset = every.mul_f64(id as f64 / sensors as f64);
            let start = tokio::time::Instant::now() + offset;
            let mut tick = tokio::time::interval_at(start, every);
            let (mut seq, end) = (0u64, start + duration);
            while tick.tick().await < end {
                let value = 20.0 + (id as f64 * 0.37 + seq as f64 * 0.11).sin();
                let line = format!("{id},{seq},{},{value:.3}\n", monotonic_ns());
                s.write_all(line.as_bytes()).await?;
                seq += 1;
            }
            io::Result::Ok(seq)
        });
    }
    let mut sent = 0;
    while let Some(r) = set.join_next().await {
        sent += r.map_err(io::Error::other)??;
    }
    Ok(sent)
}
// ANCHOR_END: sensors

// ANCHOR: collector
/// The async collector: accepts `sensors` connections on one runtime thread
/// (a current-thread runtime, like one asyncio loop), a task per sensor
/// parsing its lines, until all of them have hung up.
pub fn collect_async(listener: TcpListener, sensors: usize) -> io::Result<CollectorReport> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let ages = rt.block_on(async move {
        listener.set_nonblocking(true)?;
        let listener = tokio::net::TcpListener::from_std(listener)?;
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..sensors {
            let (stream, _) = listener.accept().await?;
            tasks.spawn(async move {
                let mut lines = tokio::io::BufReader::new(stream).lines();
                let mut ages = Vec::new();
                while let Ok(Some(line)) = lines.next_line().await {
                    let now = monotonic_ns();
                    if let Some(sent) = line.split(',').nth(2).and_then(|t| t.parse::<u64>().ok()) {
                        ages.push(now.saturating_sub(sent) / 1_000);
                    }
                }
                ages
            });
        }
        let mut ages = Vec::new();
        while let Some(r) = tasks.join_next().await {
            ages.extend(r.map_err(io::Error::other)?);
        }
        io::Result::Ok(ages)
    })?;
    Ok(report(sensors, ages))
}
// ANCHOR_END: collector

fn report(sensors: usize, mut ages: Vec<u64>) -> CollectorReport {
    ages.sort_unstable();
    CollectorReport {
        sensors,
        readings: ages.len() as u64,
        p50_us: crate::load::percentile(&ages, 50.0),
        p99_us: crate::load::percentile(&ages, 99.0),
        cpu_s: course_support::system::cpu_time().map(|d| d.as_secs_f64()),
        peak_rss_kib: course_support::system::peak_rss_kib(),
    }
}

/// The CSV's header line.
pub const HEADER: &str = "sensor,timestamp_ms,value,status\n";

/// Writes a CSV of about `mib` MiB; returns the rows written.
pub fn write_csv(path: &Path, mib: u64) -> io::Result<u64> {
    let mut w = io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    w.write_all(HEADER.as_bytes())?;
    let (mut bytes, mut rows) = (HEADER.len() as u64, 0u64);
    let mut line = String::new();
    while bytes < mib << 20 {
        use std::fmt::Write as _;
        line.clear();
        let value = (rows.wrapping_mul(2_654_435_761) % 100_000) as f64 / 1e3 - 20.0;
        let status = if rows % 97 == 0 { "fault" } else { "ok" };
        let _ = writeln!(
            line,
            "sensor-{:04},{},{value:.3},{status}",
            rows % 5_000,
            1_700_000_000_000 + rows * 10
        );
        w.write_all(line.as_bytes())?;
        bytes += line.len() as u64;
        rows += 1;
    }
    w.flush()?;
    Ok(rows)
}

/// What parsing a part of the file found; equal for every way of cutting it.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parsed {
    pub rows: u64,
    pub faults: u64,
    /// The sum of every value in thousandths (exact, so parts add up).
    pub milli_sum: i64,
}

impl std::ops::Add for Parsed {
    type Output = Parsed;
    fn add(self, o: Parsed) -> Parsed {
        Parsed {
            rows: self.rows + o.rows,
            faults: self.faults + o.faults,
            milli_sum: self.milli_sum + o.milli_sum,
        }
    }
}

// ANCHOR: parse
/// Parses the lines that *start* in bytes `start..end` of the file: a part
/// skips the partial line it begins in (the previous part owns it) and
/// finishes the line it ends in. Every field is parsed: the sensor number,
/// the timestamp, the value, the status.
pub fn parse_range(path: &Path, start: u64, end: u64) -> io::Result<Parsed> {
    let mut f = std::fs::File::open(path)?;
    let mut pos = start.saturating_sub(1);
    f.seek(SeekFrom::Start(pos))?;
    let mut r = BufReader::with_capacity(1 << 20, f.take(u64::MAX));
    let mut line = Vec::new();
    if start > 0 {
        // The rest of the line the byte before `start` is in.
        pos += r.read_until(b'\n', &mut line)? as u64;
    }
    let mut out = Parsed::default();
    while pos < end {
        line.clear();
        let n = r.read_until(b'\n', &mut line)?;
        if n == 0 {
            break;
        }
        pos += n as u64;
        let text = std::str::from_utf8(&line)
            .map_err(io::Error::other)?
            .trim_end();
        let mut fields = text.split(',');
        let (Some(sensor), Some(ts), Some(value), Some(status)) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        let Some(sensor) = sensor.strip_prefix("sensor-") else {
            continue; // the header
        };
        let (Ok(_sensor), Ok(_ts), Ok(value)) = (
            sensor.parse::<u32>(),
            ts.parse::<u64>(),
            value.parse::<f64>(),
        ) else {
            return Err(io::Error::other(format!("bad row: {text}")));
        };
        out.rows += 1;
        out.faults += u64::from(status == "fault");
        out.milli_sum += (value * 1e3).round() as i64;
    }
    Ok(out)
}
// ANCHOR_END: parse

/// `parts` byte ranges covering a file of `len` bytes.
pub fn ranges(len: u64, parts: usize) -> Vec<(u64, u64)> {
    let parts = parts.max(1) as u64;
    (0..parts)
        .map(|i| (len * i / parts, len * (i + 1) / parts))
        .collect()
}

// ANCHOR: threads
/// The file cut into `parts` ranges, each parsed on a scoped thread.
pub fn parse_threads(path: &Path, parts: usize) -> io::Result<Parsed> {
    let len = std::fs::metadata(path)?.len();
    std::thread::scope(|s| {
        let handles: Vec<_> = ranges(len, parts)
            .into_iter()
            .map(|(a, b)| s.spawn(move || parse_range(path, a, b)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a parser thread panicked"))
            .try_fold(Parsed::default(), |acc, p| Ok(acc + p?))
    })
}
// ANCHOR_END: threads

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cut_parses_the_same_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        let rows = write_csv(&path, 1).unwrap();
        let len = std::fs::metadata(&path).unwrap().len();
        let whole = parse_range(&path, 0, len).unwrap();
        assert_eq!(whole.rows, rows);
        assert!(whole.faults > 0);
        for parts in [2, 3, 7, 64] {
            assert_eq!(parse_threads(&path, parts).unwrap(), whole, "{parts} parts");
        }
    }
}
