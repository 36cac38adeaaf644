//! Sets of integers as sorted, disjoint, non-adjacent inclusive intervals.
//! One dimension of a packet box.

use std::fmt;

/// A set of `u128` values within `0..=max` of its dimension.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Intervals {
    /// Sorted, disjoint, and never adjacent (`a.1 + 1 < b.0`).
    runs: Runs,
}

/// Run storage: most dimensions of most boxes hold zero or one run, kept
/// inline so a box costs no allocation.
#[derive(Clone)]
enum Runs {
    Inline(usize, [(u128, u128); 1]),
    Heap(Vec<(u128, u128)>),
}

impl Default for Runs {
    fn default() -> Self {
        Runs::Inline(0, [(0, 0)])
    }
}

impl std::ops::Deref for Runs {
    type Target = [(u128, u128)];
    fn deref(&self) -> &Self::Target {
        match self {
            Runs::Inline(n, a) => &a[..*n],
            Runs::Heap(v) => v,
        }
    }
}

impl From<Vec<(u128, u128)>> for Runs {
    fn from(v: Vec<(u128, u128)>) -> Self {
        match v.len() {
            0 => Runs::default(),
            1 => Runs::Inline(1, [v[0]]),
            _ => Runs::Heap(v),
        }
    }
}

impl PartialEq for Runs {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}
impl Eq for Runs {}
impl std::hash::Hash for Runs {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (**self).hash(state)
    }
}

impl fmt::Debug for Intervals {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("{")?;
        for (i, (a, b)) in self.runs.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            if a == b {
                write!(f, "{a}")?;
            } else {
                write!(f, "{a}-{b}")?;
            }
        }
        f.write_str("}")
    }
}

impl Intervals {
    pub fn empty() -> Self {
        Intervals { runs: Runs::default() }
    }

    pub fn range(lo: u128, hi: u128) -> Self {
        if lo > hi {
            return Self::empty();
        }
        Intervals { runs: Runs::Inline(1, [(lo, hi)]) }
    }

    pub fn point(v: u128) -> Self {
        Self::range(v, v)
    }

    /// Build from arbitrary (possibly overlapping, unsorted) ranges.
    pub fn from_ranges(ranges: impl IntoIterator<Item = (u128, u128)>) -> Self {
        let mut v: Vec<(u128, u128)> = ranges.into_iter().filter(|(a, b)| a <= b).collect();
        v.sort_unstable();
        let mut runs: Vec<(u128, u128)> = Vec::with_capacity(v.len());
        for (a, b) in v {
            if let Some(last) = runs.last_mut() {
                if a <= last.1.saturating_add(1) {
                    last.1 = last.1.max(b);
                    continue;
                }
            }
            runs.push((a, b));
        }
        Intervals { runs: runs.into() }
    }

    /// From runs already sorted and disjoint (adjacent runs are merged).
    pub fn from_sorted_runs(runs: &[(u128, u128)]) -> Self {
        Self::from_sorted_overlapping(runs.iter().copied())
    }

    /// From ranges sorted by their start, possibly overlapping or adjacent.
    pub fn from_sorted_overlapping(ranges: impl IntoIterator<Item = (u128, u128)>) -> Self {
        let mut it = ranges.into_iter().filter(|(a, b)| a <= b);
        let Some(first) = it.next() else {
            return Self::empty();
        };
        let mut out: Vec<(u128, u128)> = Vec::new();
        let mut cur = first;
        for (a, b) in it {
            debug_assert!(a >= cur.0, "ranges not sorted");
            if a <= cur.1.saturating_add(1) {
                cur.1 = cur.1.max(b);
            } else {
                out.push(cur);
                cur = (a, b);
            }
        }
        if out.is_empty() {
            return Intervals { runs: Runs::Inline(1, [cur]) };
        }
        out.push(cur);
        Intervals { runs: out.into() }
    }

    pub fn runs(&self) -> &[(u128, u128)] {
        &self.runs
    }

    pub fn is_empty(&self) -> bool {
        self.runs.is_empty()
    }

    /// Covers all of `0..=max`.
    pub fn is_full(&self, max: u128) -> bool {
        self.runs.len() == 1 && self.runs[0] == (0, max)
    }

    pub fn contains(&self, v: u128) -> bool {
        let i = self.runs.partition_point(|r| r.1 < v);
        self.runs.get(i).is_some_and(|r| r.0 <= v)
    }

    pub fn min(&self) -> Option<u128> {
        self.runs.first().map(|r| r.0)
    }

    /// Number of values (saturating).
    pub fn count(&self) -> u128 {
        self.runs.iter().fold(0u128, |acc, (a, b)| acc.saturating_add(b - a).saturating_add(1))
    }

    /// Index of the first run that ends at or after `v`.
    fn first_ending_at_or_after(&self, v: u128) -> usize {
        self.runs.partition_point(|r| r.1 < v)
    }

    pub fn intersect(&self, other: &Intervals) -> Intervals {
        // A few runs against many: binary search instead of a full merge,
        // so one rule against a block list of 100,000 addresses stays cheap.
        let (small, large) = if self.runs.len() <= other.runs.len() { (self, other) } else { (other, self) };
        if small.runs.len() * 8 < large.runs.len() {
            let mut out = Vec::new();
            for &(lo, hi) in small.runs.iter() {
                let mut k = large.first_ending_at_or_after(lo);
                while k < large.runs.len() && large.runs[k].0 <= hi {
                    out.push((lo.max(large.runs[k].0), hi.min(large.runs[k].1)));
                    k += 1;
                }
            }
            return Intervals { runs: out.into() };
        }
        let (a, b) = (&*self.runs, &*other.runs);
        let mut out = Vec::new();
        let (mut i, mut j) = (0, 0);
        while i < a.len() && j < b.len() {
            let lo = a[i].0.max(b[j].0);
            let hi = a[i].1.min(b[j].1);
            if lo <= hi {
                out.push((lo, hi));
            }
            if a[i].1 < b[j].1 {
                i += 1;
            } else {
                j += 1;
            }
        }
        Intervals { runs: out.into() }
    }

    pub fn intersects(&self, other: &Intervals) -> bool {
        let (small, large) = if self.runs.len() <= other.runs.len() { (self, other) } else { (other, self) };
        if small.runs.len() * 8 < large.runs.len() {
            return small.runs.iter().any(|&(lo, hi)| {
                let k = large.first_ending_at_or_after(lo);
                k < large.runs.len() && large.runs[k].0 <= hi
            });
        }
        let (a, b) = (&*self.runs, &*other.runs);
        let (mut i, mut j) = (0, 0);
        while i < a.len() && j < b.len() {
            if a[i].0.max(b[j].0) <= a[i].1.min(b[j].1) {
                return true;
            }
            if a[i].1 < b[j].1 {
                i += 1;
            } else {
                j += 1;
            }
        }
        false
    }

    pub fn union(&self, other: &Intervals) -> Intervals {
        Self::from_ranges(self.runs.iter().chain(other.runs.iter()).copied())
    }

    pub fn subtract(&self, other: &Intervals) -> Intervals {
        let mut out = Vec::new();
        for &(mut lo, hi) in self.runs.iter() {
            let mut k = other.first_ending_at_or_after(lo);
            let mut done = false;
            while k < other.runs.len() && other.runs[k].0 <= hi {
                let (blo, bhi) = other.runs[k];
                if blo > lo {
                    out.push((lo, blo - 1));
                }
                if bhi >= hi {
                    done = true;
                    break;
                }
                lo = bhi + 1;
                k += 1;
            }
            if !done {
                out.push((lo, hi));
            }
        }
        Intervals { runs: out.into() }
    }

    /// The smallest single run holding both sets (empty if both are).
    pub fn hull_with(&self, other: &Intervals) -> Intervals {
        let lo = self.runs.first().map(|r| r.0).into_iter().chain(other.runs.first().map(|r| r.0)).min();
        let hi = self.runs.last().map(|r| r.1).into_iter().chain(other.runs.last().map(|r| r.1)).max();
        match (lo, hi) {
            (Some(lo), Some(hi)) => Intervals::range(lo, hi),
            _ => Intervals::empty(),
        }
    }

    /// Complement within `0..=max`.
    pub fn complement(&self, max: u128) -> Intervals {
        Intervals::range(0, max).subtract(self)
    }

    /// Every value of `self` is in `other` (no allocation: each run of
    /// `self` must lie inside one run of `other`, runs being non-adjacent).
    pub fn is_subset(&self, other: &Intervals) -> bool {
        let b = &*other.runs;
        let mut k = 0;
        for &(lo, hi) in self.runs.iter() {
            if b.len() - k > 16 {
                k += b[k..].partition_point(|r| r.1 < lo);
            } else {
                while k < b.len() && b[k].1 < lo {
                    k += 1;
                }
            }
            if k == b.len() || b[k].0 > lo || b[k].1 < hi {
                return false;
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    const MAX: u128 = 40;

    fn to_set(iv: &Intervals) -> BTreeSet<u128> {
        iv.runs().iter().flat_map(|&(a, b)| a..=b).collect()
    }

    fn arb() -> impl Strategy<Value = Intervals> {
        prop::collection::vec((0..=MAX, 0..8u128), 0..5)
            .prop_map(|v| Intervals::from_ranges(v.into_iter().map(|(a, l)| (a, (a + l).min(MAX)))))
    }

    proptest! {
        #[test]
        fn algebra_matches_sets(a in arb(), b in arb()) {
            let (sa, sb) = (to_set(&a), to_set(&b));
            prop_assert_eq!(to_set(&a.intersect(&b)), sa.intersection(&sb).copied().collect::<BTreeSet<_>>());
            prop_assert_eq!(to_set(&a.union(&b)), sa.union(&sb).copied().collect::<BTreeSet<_>>());
            prop_assert_eq!(to_set(&a.subtract(&b)), sa.difference(&sb).copied().collect::<BTreeSet<_>>());
            prop_assert_eq!(a.intersects(&b), !sa.is_disjoint(&sb));
            prop_assert_eq!(a.is_subset(&b), sa.is_subset(&sb));
            let all: BTreeSet<u128> = (0..=MAX).collect();
            prop_assert_eq!(to_set(&a.complement(MAX)), all.difference(&sa).copied().collect::<BTreeSet<_>>());
            for v in 0..=MAX {
                prop_assert_eq!(a.contains(v), sa.contains(&v));
            }
        }

        /// Many runs: the binary-search paths of intersection, subset and
        /// subtraction.
        #[test]
        fn many_runs_match_sets(
            va in prop::collection::vec((0..400u128, 0..6u128), 0..80),
            vb in prop::collection::vec((0..400u128, 0..6u128), 0..80),
        ) {
            let a = Intervals::from_ranges(va.into_iter().map(|(x, l)| (x, x + l)));
            let b = Intervals::from_ranges(vb.into_iter().map(|(x, l)| (x, x + l)));
            let (sa, sb) = (to_set(&a), to_set(&b));
            prop_assert_eq!(a.is_subset(&b), sa.is_subset(&sb));
            prop_assert_eq!(b.is_subset(&a), sb.is_subset(&sa));
            let both = a.intersect(&b);
            prop_assert!(both.is_subset(&a) && both.is_subset(&b));
            prop_assert_eq!(to_set(&both), sa.intersection(&sb).copied().collect::<BTreeSet<_>>());
            prop_assert_eq!(a.intersects(&b), !sa.is_disjoint(&sb));
            prop_assert_eq!(to_set(&a.subtract(&b)), sa.difference(&sb).copied().collect::<BTreeSet<_>>());
            let sorted: Vec<(u128, u128)> = {
                let mut v: Vec<(u128, u128)> = a.runs().iter().chain(b.runs()).copied().collect();
                v.sort_unstable();
                v
            };
            prop_assert_eq!(Intervals::from_sorted_overlapping(sorted), a.union(&b));
        }

        #[test]
        fn normal_form(a in arb(), b in arb()) {
            for iv in [a.union(&b), a.subtract(&b), a.intersect(&b)] {
                for w in iv.runs().windows(2) {
                    prop_assert!(w[0].1 + 1 < w[1].0, "runs not normalised: {:?}", iv);
                }
            }
        }
    }

    #[test]
    fn extremes() {
        let full = Intervals::range(0, u128::MAX);
        assert!(full.subtract(&full).is_empty());
        assert_eq!(full.subtract(&Intervals::point(u128::MAX)), Intervals::range(0, u128::MAX - 1));
        assert_eq!(full.subtract(&Intervals::point(0)), Intervals::range(1, u128::MAX));
        assert_eq!(Intervals::from_ranges([(5, u128::MAX), (0, 4)]), full);
    }
}
