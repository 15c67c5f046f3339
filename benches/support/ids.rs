//! Realistic ids for benchmarks and examples, shared by `#[path]` (no crate code
//! depends on it).

/// A UUID-shaped id, distinct for each `n`.
pub fn uuid_like(n: usize) -> String {
    let h = (n as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    format!(
        "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
        h >> 32,
        (h >> 16) & 0xffff,
        h & 0xfff,
        (h >> 20) & 0xfff,
        n
    )
}

/// Fisher–Yates with a fixed SplitMix64 stream: the same order every run.
pub fn shuffle<T>(items: &mut [T]) {
    let mut state = 0x5EED_u64;
    for i in (1..items.len()).rev() {
        items.swap(i, mix(state) as usize % (i + 1));
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    }
}

/// SplitMix64: a cheap, well-mixed hash of `x` (the stream's next value after
/// state `x`).
pub fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
