//! Deterministic pseudo-random values: the same seed and inputs always give the same numbers,
//! so rrd series, MAC addresses and loads are reproducible in tests.

/// SplitMix64 finaliser: a cheap, well-mixed 64-bit hash.
pub(crate) fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// Hash of several inputs.
pub(crate) fn hash(parts: &[u64]) -> u64 {
    parts
        .iter()
        .fold(0x1234_5678_9ABC_DEF0, |acc, p| mix(acc ^ p))
}

/// A value in `[0, 1)` from several inputs.
pub(crate) fn unit(parts: &[u64]) -> f64 {
    (hash(parts) >> 11) as f64 / (1u64 << 53) as f64
}

/// A version-4-shaped UUID text from two hashes (smbios1 `uuid`, `vmgenid`).
pub(crate) fn uuid_text(a: u64, b: u64) -> String {
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xFFFF,
        a & 0xFFF,
        0x8000 | (b >> 48) & 0x3FFF,
        b & 0xFFFF_FFFF_FFFF
    )
}

/// A stable number for a string (node names, template names).
pub(crate) fn str_key(s: &str) -> u64 {
    s.bytes().fold(0xCBF2_9CE4_8422_2325, |acc, b| {
        (acc ^ u64::from(b)).wrapping_mul(0x100_0000_01B3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_is_in_range_and_stable() {
        for i in 0..1000 {
            let u = unit(&[7, i]);
            assert!((0.0..1.0).contains(&u));
            assert_eq!(u, unit(&[7, i]));
        }
        assert_ne!(unit(&[1, 2]), unit(&[2, 1]));
    }
}
