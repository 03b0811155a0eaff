//! The passive ports one server used: how many connections, how many distinct ports,
//! their range, and the ports themselves when they are few.
//!
//! **Input:** each passive data connection's server port. **Output:** [`PortSet`]'s
//! counts. **Memory:** a short list while the distinct ports are few, then a bitmap of
//! the 65,536 ports (8 KiB), so the count of distinct ports stays exact at a fixed cost.

/// Distinct ports listed before the bitmap takes over.
pub const LISTED: usize = 16;

/// The ports used by one server's passive data connections.
#[derive(Debug, Clone, Default)]
pub struct PortSet {
    connections: u64,
    min: Option<u16>,
    max: Option<u16>,
    /// The distinct ports, while there are at most [`LISTED`]; empty once `bits` is used.
    list: Vec<u16>,
    /// One bit per port, once more than [`LISTED`] distinct ports were seen.
    bits: Option<Box<[u64; 1024]>>,
    distinct: u32,
}

impl PortSet {
    /// Counts one connection to `port`.
    pub fn add(&mut self, port: u16) {
        self.connections += 1;
        self.min = Some(self.min.map_or(port, |m| m.min(port)));
        self.max = Some(self.max.map_or(port, |m| m.max(port)));
        if let Some(bits) = &mut self.bits {
            let (word, bit) = (usize::from(port / 64), port % 64);
            if bits[word] & (1 << bit) == 0 {
                bits[word] |= 1 << bit;
                self.distinct += 1;
            }
            return;
        }
        if self.list.contains(&port) {
            return;
        }
        self.distinct += 1;
        self.list.push(port);
        if self.list.len() > LISTED {
            let mut bits = Box::new([0u64; 1024]);
            for p in self.list.drain(..) {
                bits[usize::from(p / 64)] |= 1 << (p % 64);
            }
            self.bits = Some(bits);
        }
    }

    /// Connections counted.
    pub fn connections(&self) -> u64 {
        self.connections
    }

    /// Distinct ports.
    pub fn distinct(&self) -> u32 {
        self.distinct
    }

    /// Lowest and highest port, when any was counted.
    pub fn range(&self) -> Option<(u16, u16)> {
        self.min.zip(self.max)
    }

    /// The distinct ports in order, when there are at most [`LISTED`].
    pub fn listed(&self) -> Option<Vec<u16>> {
        if self.bits.is_some() {
            return None;
        }
        let mut v = self.list.clone();
        v.sort_unstable();
        Some(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_distinct_ports_exactly_past_the_list() {
        let mut s = PortSet::default();
        assert_eq!(s.range(), None);
        for p in [50000u16, 50002, 50000, 50001] {
            s.add(p);
        }
        assert_eq!(s.connections(), 4);
        assert_eq!(s.distinct(), 3);
        assert_eq!(s.range(), Some((50000, 50002)));
        assert_eq!(s.listed(), Some(vec![50000, 50001, 50002]));
        for p in 0..=u16::MAX {
            s.add(p);
        }
        assert_eq!(s.distinct(), 65536);
        assert_eq!(s.connections(), 4 + 65536);
        assert_eq!(s.range(), Some((0, u16::MAX)));
        assert_eq!(s.listed(), None);
    }
}
