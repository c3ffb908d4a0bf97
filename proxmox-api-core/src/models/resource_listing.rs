//! `GET /cluster/resources` decoded on several threads when it is large.
//!
//! A cluster with tens of thousands of guests answers with megabytes of JSON, and decoding them
//! into typed entries is most of what a call costs the client. The entries are independent: one
//! pass finds where each begins and ends (borrowing the body, copying nothing), then the entries
//! are decoded in as many chunks as there are CPUs to spare. Small listings stay on the calling
//! thread, where starting a thread would cost more than it saves.

use std::sync::OnceLock;

use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;

use crate::models::ClusterResource;

/// Below this many entries a listing is decoded on the calling thread.
const PARALLEL_FROM: usize = 4096;
/// Each thread gets at least this many entries.
const ENTRIES_PER_THREAD: usize = 2048;
/// A listing never takes more threads than this, however many CPUs there are.
const MAX_THREADS: usize = 4;

/// The entries of `GET /cluster/resources`, decoded as [`ClusterResource`]s.
///
/// Only for decoding a response body (the entries borrow from it while they are split): decoding
/// from a `serde_json::Value` fails; `Vec<ClusterResource>` decodes from anything.
pub(crate) struct ResourceListing(pub(crate) Vec<ClusterResource>);

impl<'de> Deserialize<'de> for ResourceListing {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let entries = Vec::<&'de RawValue>::deserialize(deserializer)?;
        Ok(ResourceListing(decode_entries(&entries)))
    }
}

/// Decodes every entry, in order, on up to [`MAX_THREADS`] threads.
fn decode_entries(entries: &[&RawValue]) -> Vec<ClusterResource> {
    let threads = threads_for(entries.len());
    if threads <= 1 {
        return decode_chunk(entries);
    }
    let chunk_len = entries.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let mut chunks = entries.chunks(chunk_len);
        let first = chunks.next().unwrap_or_default();
        // A thread that cannot be started leaves its chunk to the calling thread.
        let started: Vec<_> = chunks
            .map(|chunk| {
                std::thread::Builder::new()
                    .name("pve-decode".to_owned())
                    .spawn_scoped(scope, move || decode_chunk(chunk))
                    .map_err(|_| chunk)
            })
            .collect();
        let mut out = decode_chunk(first);
        out.reserve(entries.len() - out.len());
        for handle in started {
            match handle {
                Ok(handle) => match handle.join() {
                    Ok(decoded) => out.extend(decoded),
                    Err(panic) => std::panic::resume_unwind(panic),
                },
                Err(chunk) => out.extend(decode_chunk(chunk)),
            }
        }
        out
    })
}

fn decode_chunk(entries: &[&RawValue]) -> Vec<ClusterResource> {
    entries
        .iter()
        .map(|entry| ClusterResource::from_json(entry.get()))
        .collect()
}

/// How many threads a listing of `len` entries is worth.
fn threads_for(len: usize) -> usize {
    if len < PARALLEL_FROM {
        return 1;
    }
    static CPUS: OnceLock<usize> = OnceLock::new();
    let cpus = *CPUS.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    cpus.min(MAX_THREADS).min(len / ENTRIES_PER_THREAD).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(guests: u32) -> String {
        let mut entries: Vec<String> = (0..guests)
            .map(|i| {
                format!(
                    r#"{{"id":"lxc/{vmid}","type":"lxc","vmid":"{vmid}","node":"pve{n}","status":"running","name":"ct{vmid}","maxmem":{mem}}}"#,
                    vmid = 100 + i,
                    n = i % 3 + 1,
                    mem = u64::from(i) * 1024,
                )
            })
            .collect();
        // Kinds and shapes that are not guests, in the middle of the guests.
        entries.insert(
            entries.len() / 2,
            r#"{"id":"node/pve1","type":"node","node":"pve1","status":"online"}"#.to_owned(),
        );
        entries.insert(
            1,
            r#"{"type":"sdn","sdn":"zone1","node":"pve1"}"#.to_owned(),
        );
        format!("[{}]", entries.join(","))
    }

    #[test]
    fn large_and_small_listings_decode_in_order_like_a_plain_vec() {
        for guests in [0, 1, 100, PARALLEL_FROM as u32 + 7, 20_000] {
            let text = listing(guests);
            let parallel: ResourceListing = serde_json::from_str(&text).unwrap();
            let plain: Vec<ClusterResource> = serde_json::from_str(&text).unwrap();
            assert_eq!(parallel.0.len(), guests as usize + 2);
            assert_eq!(parallel.0, plain, "{guests} guests");
        }
    }

    #[test]
    fn threads_are_used_only_for_large_listings() {
        assert_eq!(threads_for(0), 1);
        assert_eq!(threads_for(PARALLEL_FROM - 1), 1);
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        assert_eq!(threads_for(20_000), cpus.clamp(1, MAX_THREADS));
        assert!(threads_for(1_000_000) <= MAX_THREADS);
    }

    #[test]
    fn a_body_that_is_not_a_listing_is_an_error() {
        assert!(serde_json::from_str::<ResourceListing>(r#"{"id":"x"}"#).is_err());
        assert!(serde_json::from_str::<ResourceListing>("[1,").is_err());
    }
}
