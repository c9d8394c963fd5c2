//! Peak resident memory: how much RAM the process really held at its worst.
//!
//! Linux keeps a *high water mark* of each process's resident memory
//! (`VmHWM` in `/proc/self/status`, read by `course_support::system`), and lets a
//! process reset it to the current value by writing `5` to
//! `/proc/self/clear_refs`. Reset, run, read: the peak of that run alone.

pub use course_support::system::{mib, peak_rss_kib, rss_kib};

// ANCHOR: reset_peak
/// Resets this process's peak resident memory to what it uses now
/// (Linux 4.0 and later). `false` where that is not possible.
pub fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}
// ANCHOR_END: reset_peak

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(target_os = "linux")]
    fn the_peak_rises_with_touched_memory_and_resets() {
        if !reset_peak_rss() {
            return; // an old kernel or a sandbox: nothing to check
        }
        let before = peak_rss_kib().expect("VmHWM");
        let mut big = vec![0u8; 64 << 20];
        for page in big.chunks_mut(4096) {
            page[0] = 1;
        }
        std::hint::black_box(&big);
        let during = peak_rss_kib().expect("VmHWM");
        assert!(during >= before + 32 * 1024, "{before} -> {during} KiB");
        drop(big);
        assert!(reset_peak_rss());
        let after = peak_rss_kib().expect("VmHWM");
        assert!(after < during, "reset: {during} -> {after} KiB");
    }
}
