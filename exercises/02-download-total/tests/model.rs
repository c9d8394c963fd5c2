#![cfg(feature = "model")]
//! Model-checked tests for `download-total`: the loom model checker runs the
//! body once per interleaving of your worker threads, so two workers that
//! claim the same page (or an add that is lost) fail here every time, not
//! once in a million runs.
//!
//! Run: `cargo test --release -p download-total --features model --test model`.

use download_total::{Page, total_bytes};
use model_sync::model;

#[test]
fn model_two_workers_fetch_each_page_once() {
    model(|| {
        let pages: Vec<Page> = (0..2).map(Page::new).collect();
        // A record kept outside the model (std's atomics): how often each
        // page was fetched.
        let calls: [std::sync::atomic::AtomicUsize; 2] = Default::default();
        let total = total_bytes(&pages, 2, |page| {
            calls[page.id].fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            10 + page.id
        });
        let calls = calls.map(|c| c.into_inner());
        assert_eq!(
            calls,
            [1, 1],
            "pages fetched [page 0, page 1] times: two workers claimed the same page. \
             Reading the next index (`load`) and then moving it on (`store`) is two steps, \
             another worker can read the same index in between; `fetch_add` is one"
        );
        assert_eq!(total, 21, "the sizes do not add up: an update was lost");
    });
}
