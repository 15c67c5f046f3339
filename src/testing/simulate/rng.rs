//! A small deterministic PRNG: xoshiro256** seeded through SplitMix64.
//!
//! No dependency, no global state: the same seed gives the same stream on every
//! platform, which is what makes a simulated log reproducible byte for byte.

/// SplitMix64's step: a bijective mix of a 64-bit counter (used for seeding and
/// for deriving stable ids from other ids).
pub(crate) const fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A 128-bit value derived from `x` and `salt`, stable across runs.
pub(crate) const fn derive(x: u128, salt: u64) -> u128 {
    let lo = splitmix64((x as u64) ^ salt);
    let hi = splitmix64(((x >> 64) as u64) ^ lo);
    ((hi as u128) << 64) | lo as u128
}

/// xoshiro256** (Blackman & Vigna), seeded by four SplitMix64 outputs.
#[derive(Debug, Clone)]
pub(crate) struct Rng {
    s: [u64; 4],
}

impl Rng {
    /// The generator for `seed`. SplitMix64 is a bijection, so the four words
    /// differ and the state is never all zero.
    pub(crate) fn new(seed: u64) -> Rng {
        let mut counter = seed;
        let mut next = || {
            let out = splitmix64(counter);
            counter = counter.wrapping_add(0x9E37_79B9_7F4A_7C15);
            out
        };
        Rng {
            s: [next(), next(), next(), next()],
        }
    }

    /// The next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// 128 random bits.
    pub(crate) fn next_u128(&mut self) -> u128 {
        ((self.next_u64() as u128) << 64) | self.next_u64() as u128
    }

    /// A number in `0..n` (`0` when `n` is 0), by widening multiplication.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }

    /// A number in `lo..=hi` (`lo` when `hi < lo`).
    pub(crate) fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi.saturating_sub(lo).saturating_add(1))
    }

    /// `true` with probability `p`; never for `p <= 0`, always for `p >= 1`.
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        const SCALE: f64 = 1.0 / (1u64 << 53) as f64;
        ((self.next_u64() >> 11) as f64) * SCALE < p
    }

    /// A log-normal draw with median `median` and shape `sigma` (the standard
    /// deviation of its logarithm), clamped to `lo..=hi`. The normal draw is
    /// the sum of twelve uniform ones less six (mean 0, variance 1, tails cut
    /// at ±6): exact arithmetic but for the one `exp`.
    pub(crate) fn log_normal(&mut self, median: f64, sigma: f64, lo: u64, hi: u64) -> u64 {
        const SCALE: f64 = 1.0 / (1u64 << 53) as f64;
        let normal: f64 = (0..12)
            .map(|_| ((self.next_u64() >> 11) as f64) * SCALE)
            .sum::<f64>()
            - 6.0;
        let value = (median * (sigma * normal).exp()).round();
        (value as u64).clamp(lo, hi.max(lo))
    }

    /// An index into `weights`, each chosen in proportion to its weight
    /// (0 when every weight is 0).
    pub(crate) fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|w| u64::from(*w)).sum();
        let mut x = self.below(total);
        for (i, w) in weights.iter().enumerate() {
            let w = u64::from(*w);
            if x < w {
                return i;
            }
            x -= w;
        }
        0
    }

    /// One of `items`, uniformly.
    pub(crate) fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_matches_the_reference() {
        // Reference: the first output of SplitMix64 seeded with 0.
        assert_eq!(splitmix64(0), 0xE220_A839_7B1D_CDAF);
    }

    #[test]
    fn same_seed_same_stream_other_seed_other_stream() {
        let a: Vec<u64> = (0..8)
            .scan(Rng::new(7), |r, _| Some(r.next_u64()))
            .collect();
        let b: Vec<u64> = (0..8)
            .scan(Rng::new(7), |r, _| Some(r.next_u64()))
            .collect();
        let c: Vec<u64> = (0..8)
            .scan(Rng::new(8), |r, _| Some(r.next_u64()))
            .collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn bounded_draws_stay_in_bounds() {
        let mut r = Rng::new(1);
        for _ in 0..10_000 {
            assert!(r.below(7) < 7);
            let x = r.range(3, 5);
            assert!((3..=5).contains(&x));
        }
        assert_eq!(r.below(0), 0);
        assert_eq!(r.range(9, 2), 9);
    }

    #[test]
    fn chance_extremes() {
        let mut r = Rng::new(2);
        assert!((0..1000).all(|_| !r.chance(0.0)));
        assert!((0..1000).all(|_| r.chance(1.0)));
    }

    #[test]
    fn weighted_never_picks_a_zero_weight() {
        let mut r = Rng::new(3);
        let mut seen = [0u32; 4];
        for _ in 0..10_000 {
            seen[r.weighted(&[5, 0, 1, 0])] += 1;
        }
        assert_eq!((seen[1], seen[3]), (0, 0));
        assert!(seen[0] > seen[2] && seen[2] > 0);
        assert_eq!(r.weighted(&[0, 0]), 0);
    }
}
