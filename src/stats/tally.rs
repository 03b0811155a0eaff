//! A counting map with a bound on its keys: what a hostile capture cannot grow.
//!
//! **Input:** a key and a change to its counts. **Output:** the counts of each key kept,
//! and one `other` bucket for the changes whose key found no room.
//!
//! **Rule:** the first `cap` distinct keys are kept, each counted exactly; once full, a
//! new key's counts go to `other` and [`Tally::bound_hit`] is set, so a report can say
//! that its lists are not the whole story. Keys already kept keep counting exactly. A
//! `BTreeMap` keeps the listing order independent of hashing, so output is reproducible.

use std::collections::BTreeMap;

/// Counts `V` per key `K`, for at most `cap` keys.
#[derive(Debug, Clone)]
pub struct Tally<K, V> {
    map: BTreeMap<K, V>,
    cap: usize,
    other: V,
    bound_hit: bool,
}

impl<K: Ord, V: Default> Tally<K, V> {
    /// An empty tally keeping at most `cap` keys.
    pub fn new(cap: usize) -> Tally<K, V> {
        Tally {
            map: BTreeMap::new(),
            cap,
            other: V::default(),
            bound_hit: false,
        }
    }

    /// The counts of `key`, or the `other` bucket when `key` is new and the tally is full.
    pub fn entry(&mut self, key: K) -> &mut V {
        if self.map.len() >= self.cap && !self.map.contains_key(&key) {
            self.bound_hit = true;
            return &mut self.other;
        }
        self.map.entry(key).or_default()
    }

    /// The counts of `key`, always kept (for keys from a closed set, such as known verbs).
    pub fn entry_unbounded(&mut self, key: K) -> &mut V {
        self.map.entry(key).or_default()
    }

    /// Every key kept, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.map.iter()
    }

    /// The counts of the keys that found no room.
    pub fn other(&self) -> &V {
        &self.other
    }

    /// Some key found no room.
    pub fn bound_hit(&self) -> bool {
        self.bound_hit
    }

    /// Keys kept.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// No key kept.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The `n` keys with the highest `score`, highest first; ties in key order.
    pub fn top<S: Ord>(&self, n: usize, score: impl Fn(&V) -> S) -> Vec<(&K, &V)> {
        let mut all: Vec<(&K, &V)> = self.map.iter().collect();
        // Stable: equal scores stay in key order.
        all.sort_by_key(|e| std::cmp::Reverse(score(e.1)));
        all.truncate(n);
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_cap_keys_and_counts_the_rest_as_other() {
        let mut t: Tally<u32, u64> = Tally::new(2);
        for k in [1, 2, 1, 3, 4, 2, 3] {
            *t.entry(k) += 1;
        }
        let kept: Vec<(u32, u64)> = t.iter().map(|(k, v)| (*k, *v)).collect();
        assert_eq!(kept, vec![(1, 2), (2, 2)]);
        assert_eq!(*t.other(), 3);
        assert!(t.bound_hit());
        *t.entry_unbounded(9) += 5;
        assert_eq!(t.len(), 3);
    }

    #[test]
    fn top_orders_by_score_then_key() {
        let mut t: Tally<&str, u64> = Tally::new(10);
        for (k, n) in [("b", 2), ("a", 2), ("c", 5), ("d", 1)] {
            *t.entry(k) += n;
        }
        let top: Vec<&str> = t.top(3, |v| *v).into_iter().map(|(k, _)| *k).collect();
        assert_eq!(top, vec!["c", "a", "b"]);
        assert!(!t.bound_hit());
    }
}
