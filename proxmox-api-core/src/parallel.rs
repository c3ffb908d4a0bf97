//! Work on large results split across a few threads.
//!
//! Decoding a listing of tens of thousands of guests, and the bindings' conversion of it, are
//! the only CPU-heavy steps of a call, and their items are independent. This module is the one
//! place that decides how many threads such a result gets and how they are run, so that the core
//! and the bindings split work the same way.

use std::sync::OnceLock;

/// Below this many items a result is handled on the calling thread: starting a thread costs
/// more than it saves.
pub const PARALLEL_FROM: usize = 4096;
/// Each thread gets at least this many items.
pub const ITEMS_PER_THREAD: usize = 2048;
/// A result never takes more threads than this, however many CPUs there are: a client shares
/// its machine with the application that called it.
pub const MAX_THREADS: usize = 4;

/// How many threads a result of `len` items is worth: 1 below [`PARALLEL_FROM`], otherwise up to
/// the CPUs there are and [`MAX_THREADS`], with at least [`ITEMS_PER_THREAD`] items each.
pub fn threads_for(len: usize) -> usize {
    if len < PARALLEL_FROM {
        return 1;
    }
    threads_up_to(len / ITEMS_PER_THREAD).max(1)
}

/// At most `wanted` threads, and no more than the CPUs there are and [`MAX_THREADS`]: the cap
/// for work measured in something other than items (the core cuts a large body by its bytes).
pub fn threads_up_to(wanted: usize) -> usize {
    cpus().min(MAX_THREADS).min(wanted)
}

/// The CPUs this process may use (read once).
pub fn cpus() -> usize {
    static CPUS: OnceLock<usize> = OnceLock::new();
    *CPUS.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// `f` of every part, in order: the first on the calling thread, the others on scoped threads.
///
/// A thread that cannot be started leaves its part to the calling thread, so the result is
/// complete either way; a panic in a thread is resumed on the calling thread.
pub fn on_threads<P: Sync, R: Send>(parts: &[P], f: impl Fn(&P) -> R + Sync) -> Vec<R> {
    let f = &f;
    std::thread::scope(|scope| {
        let started: Vec<_> = parts
            .iter()
            .skip(1)
            .map(|part| {
                std::thread::Builder::new()
                    .name("pve-parallel".to_owned())
                    .spawn_scoped(scope, move || f(part))
                    .map_err(|_| part)
            })
            .collect();
        let mut results = Vec::with_capacity(parts.len());
        results.extend(parts.first().map(f));
        for handle in started {
            results.push(match handle {
                Ok(handle) => handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                Err(part) => f(part),
            });
        }
        results
    })
}

/// `f` of each chunk of `items`, in order, with the chunks sized by [`threads_for`] and run by
/// [`on_threads`].
pub fn map_chunks<T: Sync, R: Send>(items: &[T], f: impl Fn(&[T]) -> R + Sync) -> Vec<R> {
    let threads = threads_for(items.len());
    if threads <= 1 {
        return vec![f(items)];
    }
    let chunks: Vec<&[T]> = items.chunks(items.len().div_ceil(threads)).collect();
    on_threads(&chunks, |chunk| f(chunk))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threads_are_used_only_for_large_results() {
        assert_eq!(threads_for(0), 1);
        assert_eq!(threads_for(PARALLEL_FROM - 1), 1);
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        assert_eq!(threads_for(20_000), cpus.clamp(1, MAX_THREADS));
        assert!(threads_for(1_000_000) <= MAX_THREADS);
        assert!(threads_for(PARALLEL_FROM) <= PARALLEL_FROM / ITEMS_PER_THREAD);
        assert_eq!(threads_up_to(0), 0);
        assert_eq!(threads_up_to(1), 1);
        assert_eq!(threads_up_to(usize::MAX), cpus.clamp(1, MAX_THREADS));
    }

    #[test]
    fn chunks_come_back_in_order_and_cover_every_item() {
        for len in [
            0,
            1,
            PARALLEL_FROM - 1,
            PARALLEL_FROM,
            3 * PARALLEL_FROM + 5,
        ] {
            let items: Vec<usize> = (0..len).collect();
            let chunks = map_chunks(&items, <[usize]>::to_vec);
            assert_eq!(chunks.len(), threads_for(len), "{len} items");
            assert_eq!(chunks.concat(), items, "{len} items");
        }
    }

    #[test]
    fn every_part_runs_once_with_its_own_result() {
        let parts = ["a", "bb", "ccc", "dddd"];
        assert_eq!(on_threads(&parts, |p| p.len()), vec![1, 2, 3, 4]);
        assert!(on_threads(&[] as &[u8], |_| 0).is_empty());
    }
}
