//! gzip bodies inflated by the client itself, after the whole body has arrived.
//!
//! Why not reqwest's streaming decoder: the transport buffers every body anyway (see
//! `read_limited`), so inflating it in one call into a buffer sized from the gzip trailer
//! replaces the decoder's small chunks and the copy that joined them; and one inflate state per
//! thread is reset and reused, where the decoder allocated a new one (and its 32 KiB window) for
//! every response, which costs as much as inflating a 1 KiB status answer. The size limit
//! applies to the inflated body, so a small "gzip bomb" cannot fill memory.

use std::cell::RefCell;

use flate2::{Decompress, FlushDecompress, Status};

/// deflate's best case: 1032 bytes out per byte in. A trailer claiming more is a lie.
const MAX_RATIO: u64 = 1032;

thread_local! {
    static INFLATE: RefCell<Option<Decompress>> = const { RefCell::new(None) };
}

/// Why a body could not be inflated.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum GunzipError {
    /// The inflated body would exceed the limit.
    TooLarge,
    /// Not a complete gzip stream: what is wrong with it (never quoting its bytes).
    Corrupt(String),
}

/// Inflates one gzip member, refusing to produce more than `limit` bytes.
pub(crate) fn gunzip(compressed: &[u8], limit: u64) -> Result<Vec<u8>, GunzipError> {
    // The trailer's ISIZE is the inflated length mod 2^32: only a hint for the first allocation,
    // bounded by the limit and by what deflate can expand to.
    let hint = compressed
        .len()
        .checked_sub(4)
        .and_then(|at| compressed.get(at..))
        .and_then(|tail| <[u8; 4]>::try_from(tail).ok())
        .map_or(0, |tail| u64::from(u32::from_le_bytes(tail)))
        .min(limit.saturating_add(1))
        .min((compressed.len() as u64).saturating_mul(MAX_RATIO));
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    INFLATE.with(|cell| {
        let mut slot = cell.borrow_mut();
        let inflate = slot.get_or_insert_with(|| Decompress::new_gzip(15));
        inflate.reset(true);
        let mut out = Vec::with_capacity(usize::try_from(hint).unwrap_or(0).max(64));
        loop {
            let (read, written) = (inflate.total_in(), inflate.total_out());
            let at = usize::try_from(read)
                .unwrap_or(usize::MAX)
                .min(compressed.len());
            let status = inflate
                .decompress_vec(&compressed[at..], &mut out, FlushDecompress::Finish)
                .map_err(|e| GunzipError::Corrupt(format!("invalid gzip body: {e}")))?;
            if out.len() > limit {
                return Err(GunzipError::TooLarge);
            }
            if status == Status::StreamEnd {
                return Ok(out);
            }
            if out.len() < out.capacity() {
                // Room was left and the stream did not end: the input ran out, or no progress.
                let progressed = inflate.total_in() != read || inflate.total_out() != written;
                if !progressed || inflate.total_in() as usize >= compressed.len() {
                    return Err(GunzipError::Corrupt("truncated gzip body".to_owned()));
                }
                continue;
            }
            if out.len() == limit.saturating_add(1) {
                return Err(GunzipError::TooLarge);
            }
            // Grow geometrically, but never past one byte over the limit (that byte proves it).
            let room = out.capacity().max(64 * 1024);
            let room = room.min(limit.saturating_add(1) - out.len());
            out.reserve_exact(room);
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    }

    #[test]
    fn inflates_bodies_of_every_size_one_after_the_other() {
        // Small and large bodies alternate on one thread: the reused state must carry nothing
        // over.
        let large: Vec<u8> = (0..300_000u32)
            .flat_map(|i| format!("{{\"vmid\":{i}}},").into_bytes())
            .collect();
        for data in [&b"{\"data\":1}"[..], &large[..], b"", &large[..1000]] {
            assert_eq!(gunzip(&gzip(data), u64::MAX).unwrap(), data);
        }
    }

    #[test]
    fn a_trailer_that_lies_about_the_size_is_read_to_its_end_and_refused() {
        // ISIZE only sizes the first buffer: the inflate grows past it to the end of the stream,
        // where zlib's check of the length fails.
        let large: Vec<u8> = (0..300_000u32)
            .flat_map(|i| format!("{{\"vmid\":{i}}},").into_bytes())
            .collect();
        let mut lying = gzip(&large);
        let n = lying.len();
        lying[n - 4..].copy_from_slice(&16u32.to_le_bytes());
        match gunzip(&lying, u64::MAX) {
            Err(GunzipError::Corrupt(message)) => assert!(message.contains("length"), "{message}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_limit_applies_to_the_inflated_size() {
        // 10 MB of zeros compress to about 10 KB: a bomb for a client that only counts the
        // bytes on the wire.
        let bomb = gzip(&vec![0u8; 10_000_000]);
        assert!(bomb.len() < 20_000);
        assert_eq!(gunzip(&bomb, 1_000_000), Err(GunzipError::TooLarge));
        assert_eq!(gunzip(&bomb, 9_999_999), Err(GunzipError::TooLarge));
        assert_eq!(gunzip(&bomb, 10_000_000).unwrap().len(), 10_000_000);
    }

    #[test]
    fn truncated_or_foreign_bodies_are_errors() {
        let whole = gzip(&b"{\"data\":\"x\"}".repeat(200));
        for cut in [whole.len() - 1, whole.len() / 2, 10, 0] {
            assert!(
                matches!(
                    gunzip(&whole[..cut], u64::MAX),
                    Err(GunzipError::Corrupt(_))
                ),
                "cut at {cut}"
            );
        }
        assert!(matches!(
            gunzip(b"{\"data\":1} not gzip", u64::MAX),
            Err(GunzipError::Corrupt(_))
        ));
        // The state is usable again after an error.
        assert_eq!(gunzip(&gzip(b"ok"), 2).unwrap(), b"ok");
    }
}
