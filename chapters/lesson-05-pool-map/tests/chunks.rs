//! Chunking covers every item exactly once, for any chunk size; Python's
//! default chunk size; blocks of a range.

use lesson_05_pool_map::chunks::{blocks, chunk_ranges, count_block, python_chunksize};

#[test]
fn chunks_cover_every_item_exactly_once_for_any_chunk_size() {
    for len in [0, 1, 2, 3, 7, 10, 64, 100, 101] {
        for chunk in [1, 2, 3, 7, 10, 63, 64, 99, 100, 101, 1_000] {
            let chunks = chunk_ranges(len, chunk);
            let covered: Vec<usize> = chunks.iter().flat_map(|r| r.clone()).collect();
            assert_eq!(
                covered,
                (0..len).collect::<Vec<_>>(),
                "len {len}, chunk {chunk}: {chunks:?}"
            );
            assert_eq!(
                chunks.len(),
                len.div_ceil(chunk),
                "len {len}, chunk {chunk}"
            );
            for (i, r) in chunks.iter().enumerate() {
                assert!(!r.is_empty(), "an empty chunk: {chunks:?}");
                assert!(r.len() <= chunk, "a chunk larger than {chunk}: {chunks:?}");
                if i + 1 < chunks.len() {
                    assert_eq!(
                        r.len(),
                        chunk,
                        "only the last chunk may be short: {chunks:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn no_items_no_chunks_and_a_huge_chunk_takes_everything() {
    assert!(chunk_ranges(0, 5).is_empty());
    for chunk in [7, 8, 1_000] {
        let one = chunk_ranges(7, chunk);
        assert_eq!((one.len(), one[0].clone()), (1, 0..7), "chunk {chunk}");
    }
    assert_eq!(chunk_ranges(7, 3), [0..3, 3..6, 6..7]);
}

#[test]
#[should_panic(expected = "chunk_size must be at least 1")]
fn a_chunk_size_of_zero_is_refused() {
    chunk_ranges(10, 0);
}

#[test]
fn python_default_chunksize_is_about_four_chunks_per_worker() {
    // divmod(len, 4 * workers), plus one if there is a remainder.
    assert_eq!(python_chunksize(100, 8), 4); // the seed's Pool(8).map(test, range(100))
    assert_eq!(python_chunksize(10, 4), 1); // the seed's Pool(4).map(process_data, [...] * 10)
    assert_eq!(python_chunksize(1_000, 2), 125);
    assert_eq!(python_chunksize(33, 2), 5);
    assert_eq!(python_chunksize(0, 4), 0);
}

#[test]
fn blocks_cut_a_range_into_contiguous_parts() {
    let b = blocks(10..1_010, 7);
    assert_eq!(b.len(), 7);
    assert_eq!(b[0].0, 10);
    assert_eq!(b[6].1, 1_010);
    for pair in b.windows(2) {
        assert_eq!(pair[0].1, pair[1].0, "{b:?}");
    }
    let tiny = blocks(0..3, 5);
    assert_eq!(tiny.len(), 5, "more blocks than numbers: some are empty");
    let total: u64 = blocks(0..100_000, 13).iter().map(count_block).sum();
    assert_eq!(total, course_support::count_primes(0..100_000));
}
