//! A small seeded PRNG (SplitMix64) so that every capture is a pure function of its seeds.
//!
//! Nothing here reads the clock or the OS: the same seed gives the same stream on every
//! machine, which is what makes generated files byte-identical across runs.

/// SplitMix64: tiny, fast, and good enough for choosing ports, ISNs and scenario shapes.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    pub fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }

    /// Uniform in `lo..hi` (`hi` exclusive); `lo` when the range is empty.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        if hi <= lo {
            return lo;
        }
        lo + self.next_u64() % (hi - lo)
    }

    /// True with probability `num/den`.
    pub fn chance(&mut self, num: u64, den: u64) -> bool {
        self.range(0, den) < num
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.range(0, items.len() as u64) as usize]
    }

    /// An independent generator derived from this one and a label, so adding a draw in one
    /// place does not shift every later choice elsewhere.
    pub fn fork(&mut self, label: u64) -> Rng {
        Rng(mix(
            self.next_u64() ^ label.wrapping_mul(0xD6E8_FEB8_6659_FD93)
        ))
    }
}

/// The SplitMix64 finalizer; also used for position-addressed pattern bytes.
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
        assert_ne!(Rng::new(7).next_u64(), Rng::new(8).next_u64());
    }

    #[test]
    fn range_stays_inside() {
        let mut r = Rng::new(1);
        for _ in 0..1000 {
            let v = r.range(10, 13);
            assert!((10..13).contains(&v));
        }
        assert_eq!(r.range(5, 5), 5);
    }
}
