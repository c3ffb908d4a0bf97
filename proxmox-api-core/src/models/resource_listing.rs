//! `GET /cluster/resources` decoded on several threads when it is large.
//!
//! A cluster with tens of thousands of guests answers with megabytes of JSON, and decoding them
//! into typed entries is most of what a call costs the client. The entries are independent, so
//! PVE's compact answer, `{"data":[{...},{...},...]}`, is cut at entry boundaries (`},{`) into
//! one piece per CPU to spare, and each piece is read and decoded on its own thread: no pass over
//! the whole body runs before the threads start. A cut that was not a boundary between entries
//! (the three bytes inside a string, or between nested objects) leaves a piece that is not a list
//! of values, and then the whole body is decoded the general way instead, which also serves
//! other shapes and small listings.

use bytes::Bytes;
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;

use crate::envelope;
use crate::error::Error;
use crate::models::guest_scan::scan_guest;
use crate::models::ClusterResource;
use crate::parallel::{self, on_threads};

/// Bodies from this size on are cut into pieces before they are read.
const SPLIT_FROM_BYTES: usize = 1 << 20;
/// Each piece is at least this long.
const BYTES_PER_THREAD: usize = 512 * 1024;
/// About the shortest JSON text of a guest entry in a listing.
const ENTRY_BYTES: usize = 240;

/// Decodes the body of a successful `GET /cluster/resources`. The body is taken, not borrowed:
/// once its pieces are decoded it is freed before they are joined into one list, so that the
/// text (5 MB for 20,000 guests) and the joined list do not count together at the peak.
pub(crate) fn decode_body(body: Bytes) -> Result<Vec<ClusterResource>, Error> {
    let pieces = |inner: &[u8]| parallel::threads_up_to(inner.len() / BYTES_PER_THREAD);
    if let Some(parts) = data_array(&body).and_then(|inner| decode_parts(inner, pieces(inner))) {
        drop(body);
        return Ok(joined(parts));
    }
    envelope::decode_data::<ResourceListing>(&body).map(|listing| listing.0)
}

/// The text between the brackets of `{"data":[...]}`, when the body is exactly that (PVE's
/// compact form) and large enough to be cut.
fn data_array(body: &[u8]) -> Option<&[u8]> {
    let inner = body
        .trim_ascii()
        .strip_prefix(b"{\"data\":[")?
        .strip_suffix(b"]}")?;
    (inner.len() >= SPLIT_FROM_BYTES).then_some(inner)
}

/// The entries of `inner` decoded in up to `threads` pieces, one per thread, each piece's
/// entries in order; `None` when it cannot be cut into at least two pieces or a piece is not a
/// list of JSON values.
fn decode_parts(inner: &[u8], threads: usize) -> Option<Vec<Vec<ClusterResource>>> {
    let mut pieces = Vec::with_capacity(threads);
    let mut start = 0;
    for k in 1..threads {
        let from = (inner.len() * k / threads).max(start);
        let Some(at) = find(&inner[from..], b"},{") else {
            break;
        };
        let comma = from + at + 1;
        pieces.push(&inner[start..comma]);
        start = comma + 1;
    }
    pieces.push(&inner[start..]);
    if pieces.len() < 2 {
        return None;
    }
    on_threads(&pieces, |piece| decode_piece(piece))
        .into_iter()
        .collect()
}

/// The parts in order, grown from the first (so that the listing is not held twice over).
fn joined(parts: Vec<Vec<ClusterResource>>) -> Vec<ClusterResource> {
    let total: usize = parts.iter().map(Vec::len).sum();
    let mut parts = parts.into_iter();
    let mut out = parts.next().unwrap_or_default();
    out.reserve_exact(total - out.len());
    for part in parts {
        out.extend(part);
    }
    out
}

/// One piece, a comma-separated list of entries, decoded entry by entry in place: a guest of the
/// plain shape by [`scan_guest`], any other entry through serde.
///
/// The piece's UTF-8 is checked once, in one pass, and the entries are read from the checked
/// text: read from bytes, serde_json checks every string on its own, the keys too, which was a
/// fifth of the decode.
fn decode_piece(piece: &[u8]) -> Option<Vec<ClusterResource>> {
    let piece = std::str::from_utf8(piece).ok()?;
    // A guest's entry is 240-260 bytes: room for all of them, without a quarter more to spare
    // (384 bytes each, held until the pieces are joined).
    let mut out = Vec::with_capacity(piece.len() / ENTRY_BYTES);
    let mut rest = piece;
    loop {
        let (entry, end) = match scan_guest(rest) {
            Some(plain_guest) => plain_guest,
            None => decode_entry(rest)?,
        };
        out.push(entry);
        // `end` follows a complete value, so it is a character boundary; `get` says so anyway.
        let tail = rest.get(end..)?.trim_ascii_start();
        match tail.as_bytes().first() {
            None => return Some(out),
            Some(b',') => rest = tail.get(1..)?,
            Some(_) => return None,
        }
    }
}

/// The entry at the start of `rest`, bounded by serde_json and decoded by
/// [`ClusterResource::from_json`] (the one place that decides what an entry is), and where it
/// ends.
fn decode_entry(rest: &str) -> Option<(ClusterResource, usize)> {
    let mut entries = serde_json::Deserializer::from_str(rest).into_iter::<&RawValue>();
    let entry = entries.next()?.ok()?;
    Some((
        ClusterResource::from_json(entry.get()),
        entries.byte_offset(),
    ))
}

/// The first position of `needle` in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The entries of `GET /cluster/resources`, decoded as [`ClusterResource`]s: the general way,
/// for bodies [`decode_body`] does not cut.
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

/// Decodes every entry, in order, on up to [`parallel::MAX_THREADS`] threads.
fn decode_entries(entries: &[&RawValue]) -> Vec<ClusterResource> {
    joined(parallel::map_chunks(entries, decode_chunk))
}

fn decode_chunk(entries: &[&RawValue]) -> Vec<ClusterResource> {
    entries
        .iter()
        .map(|entry| ClusterResource::from_json(entry.get()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parallel::MAX_THREADS;

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
        // A guest with a field of a shape no guest has: it fails half-way through as a guest
        // and is read again as an unknown entry, in place.
        entries.insert(
            entries.len() / 3,
            r#"{"id":"qemu/5","type":"qemu","vmid":5,"node":"pve1","maxmem":{"odd":[1,2]}}"#
                .to_owned(),
        );
        format!("[{}]", entries.join(","))
    }

    #[test]
    fn large_and_small_listings_decode_in_order_like_a_plain_vec() {
        for guests in [0, 1, 100, parallel::PARALLEL_FROM as u32 + 7, 20_000] {
            let text = listing(guests);
            let parallel: ResourceListing = serde_json::from_str(&text).unwrap();
            let plain: Vec<ClusterResource> = serde_json::from_str(&text).unwrap();
            assert_eq!(parallel.0.len(), guests as usize + 3);
            assert_eq!(parallel.0, plain, "{guests} guests");
        }
    }

    fn body(listing: &str) -> Bytes {
        Bytes::from(format!(r#"{{"data":{listing}}}"#))
    }

    #[test]
    fn a_large_body_cut_into_pieces_decodes_like_a_plain_vec() {
        let text = listing(20_000);
        let plain: Vec<ClusterResource> = serde_json::from_str(&text).unwrap();
        let unknown = plain
            .iter()
            .filter(|r| matches!(r, ClusterResource::Other(_)))
            .count();
        assert_eq!(
            unknown, 2,
            "the sdn entry and the odd guest are kept as they came"
        );
        let inner = data_array(&body(&text)).map(<[u8]>::to_vec).unwrap();
        for pieces in 2..=MAX_THREADS {
            assert_eq!(
                decode_parts(&inner, pieces).map(joined).as_ref(),
                Some(&plain),
                "cut into {pieces} pieces and decoded"
            );
        }
        assert_eq!(decode_body(body(&text)).unwrap(), plain);
        // Small bodies and other shapes take the general way, with the same result.
        let small = listing(10);
        assert!(data_array(&body(&small)).is_none());
        assert_eq!(
            decode_body(body(&small)).unwrap(),
            serde_json::from_str::<Vec<ClusterResource>>(&small).unwrap()
        );
        let spaced = format!("  {{ \"data\" : {text} }}\n");
        assert_eq!(decode_body(Bytes::from(spaced)).unwrap(), plain);
    }

    #[test]
    fn a_cut_inside_a_string_or_a_nested_object_falls_back_to_the_general_way() {
        // Entries that are nearly all `},{`: inside a string in the first kind, between the
        // objects of a nested array in the second. Every cut lands there, never between
        // entries, so the piece before it is not a list of values and the split must give up.
        let in_string = |i: u32| {
            format!(
                r#"{{"type":"sdn","id":"x{i:05}","note":"{}"}}"#,
                "},{".repeat(400)
            )
        };
        let in_array = |i: u32| {
            format!(
                r#"{{"type":"sdn","id":"x{i:05}","list":[{}{{}}]}}"#,
                "{},".repeat(400)
            )
        };
        for entry in [&in_string as &dyn Fn(u32) -> String, &in_array] {
            let text = format!("[{}]", (0..2_000).map(entry).collect::<Vec<_>>().join(","));
            assert!(text.len() > SPLIT_FROM_BYTES);
            let inner = data_array(&body(&text)).map(<[u8]>::to_vec).unwrap();
            for pieces in 2..=MAX_THREADS {
                assert!(decode_parts(&inner, pieces).is_none(), "{pieces} pieces");
            }
            let plain: Vec<ClusterResource> = serde_json::from_str(&text).unwrap();
            assert_eq!(plain.len(), 2_000);
            assert_eq!(decode_body(body(&text)).unwrap(), plain);
        }
    }

    #[test]
    fn a_body_that_is_not_valid_json_is_an_error_either_way() {
        let mut text = listing(20_000).into_bytes();
        let middle = text.len() / 2;
        text[middle] = b'\'';
        let broken = format!(r#"{{"data":{}}}"#, String::from_utf8(text).unwrap());
        assert!(decode_body(Bytes::from(broken)).is_err());
    }

    #[test]
    fn text_is_checked_as_utf8_once_and_still_rejected_when_it_is_not() {
        // Names in several scripts, multi-byte on every entry: read from checked text, they
        // come out as the general way reads them.
        let text = listing(20_000).replace("\"ct", "\"ü-κ-日");
        let plain: Vec<ClusterResource> = serde_json::from_str(&text).unwrap();
        assert_eq!(decode_body(body(&text)).unwrap(), plain);
        // One byte that is not UTF-8, inside a name in the middle: an error, as from the
        // general way, not an entry with a mangled name.
        let mut bytes = body(&listing(20_000)).to_vec();
        let at = bytes.len() / 2 + find(&bytes[bytes.len() / 2..], b"\"name\":\"ct").unwrap() + 9;
        bytes[at] = 0xff;
        let inner = data_array(&bytes).map(<[u8]>::to_vec).unwrap();
        assert!(decode_parts(&inner, 2).is_none());
        assert!(decode_body(Bytes::from(bytes)).is_err());
    }

    #[test]
    fn a_body_that_is_not_a_listing_is_an_error() {
        assert!(serde_json::from_str::<ResourceListing>(r#"{"id":"x"}"#).is_err());
        assert!(serde_json::from_str::<ResourceListing>("[1,").is_err());
    }
}
