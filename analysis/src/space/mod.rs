//! The packet space: sets of packets as unions of boxes, a box being one
//! interval set per header field. Exact intersection, union, difference,
//! emptiness and subset, with a cap on the number of boxes a set may grow
//! to: a set that hits it is marked `truncated` and is never reported empty,
//! so a capped computation can only make the lints quieter, never wrong.

mod intervals;

pub use intervals::Intervals;

use iptlint_parser::Family;

/// The header fields a box constrains.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dim {
    Src,
    Dst,
    Proto,
    Sport,
    Dport,
    /// Interface names as 16-byte big-endian numbers, so `eth+` is the
    /// contiguous range of names starting with `eth`.
    InIface,
    OutIface,
    /// Conntrack state: see [`state`].
    State,
    /// ICMP type × 256 + code.
    Icmp,
    /// The six TCP flag bits (FIN = 1 … URG = 32).
    TcpFlags,
    /// 1 for a non-first fragment (`-f`).
    Frag,
    Mark,
}

pub const DIMS: usize = 12;

impl Dim {
    pub const ALL: [Dim; DIMS] = [
        Dim::Src,
        Dim::Dst,
        Dim::Proto,
        Dim::Sport,
        Dim::Dport,
        Dim::InIface,
        Dim::OutIface,
        Dim::State,
        Dim::Icmp,
        Dim::TcpFlags,
        Dim::Frag,
        Dim::Mark,
    ];

    pub fn max(self, family: Family) -> u128 {
        match self {
            Dim::Src | Dim::Dst => match family {
                Family::V4 => u32::MAX as u128,
                Family::V6 => u128::MAX,
            },
            Dim::Proto => 255,
            Dim::Sport | Dim::Dport | Dim::Icmp => 65535,
            Dim::InIface | Dim::OutIface => u128::MAX,
            Dim::State => state::COUNT - 1,
            Dim::TcpFlags => 63,
            Dim::Frag => 1,
            Dim::Mark => u32::MAX as u128,
        }
    }
}

/// Conntrack states as points of the `State` dimension.
pub mod state {
    pub const INVALID: u128 = 0;
    pub const NEW: u128 = 1;
    pub const ESTABLISHED: u128 = 2;
    pub const RELATED: u128 = 3;
    pub const UNTRACKED: u128 = 4;
    pub const COUNT: u128 = 5;
    pub const NAMES: [&str; 5] = ["INVALID", "NEW", "ESTABLISHED", "RELATED", "UNTRACKED"];

    pub fn by_name(name: &str) -> Option<u128> {
        NAMES.iter().position(|n| n.eq_ignore_ascii_case(name)).map(|i| i as u128)
    }
}

/// An interface name (or a `+` prefix) as its numeric range.
pub fn iface_range(name: &str) -> (u128, u128) {
    let (prefix, wildcard) = match name.strip_suffix('+') {
        Some(p) => (p, true),
        None => (name, false),
    };
    let mut bytes = [0u8; 16];
    for (b, c) in bytes.iter_mut().zip(prefix.bytes()) {
        *b = c;
    }
    let lo = u128::from_be_bytes(bytes);
    if !wildcard {
        return (lo, lo);
    }
    let n = prefix.len().min(16);
    let fill = if n == 16 { 0 } else { u128::MAX >> (8 * n) };
    (lo, lo | fill)
}

/// A product of one interval set per dimension.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PBox {
    dims: [Intervals; DIMS],
}

impl std::fmt::Debug for PBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut m = f.debug_map();
        for d in Dim::ALL {
            m.entry(&d, &self.dims[d as usize]);
        }
        m.finish()
    }
}

impl PBox {
    /// Every packet of the family.
    pub fn full(family: Family) -> PBox {
        PBox { dims: Dim::ALL.map(|d| Intervals::range(0, d.max(family))) }
    }

    pub fn get(&self, d: Dim) -> &Intervals {
        &self.dims[d as usize]
    }

    /// Restrict one dimension (intersecting with what it already holds).
    pub fn restrict(&mut self, d: Dim, iv: &Intervals) {
        let cur = &mut self.dims[d as usize];
        *cur = cur.intersect(iv);
    }

    pub fn set(&mut self, d: Dim, iv: Intervals) {
        self.dims[d as usize] = iv;
    }

    pub fn is_empty(&self) -> bool {
        self.dims.iter().any(Intervals::is_empty)
    }

    pub fn intersect(&self, other: &PBox) -> Option<PBox> {
        let mut out = self.clone();
        for i in 0..DIMS {
            out.dims[i] = self.dims[i].intersect(&other.dims[i]);
            if out.dims[i].is_empty() {
                return None;
            }
        }
        Some(out)
    }

    pub fn intersects(&self, other: &PBox) -> bool {
        (0..DIMS).all(|i| self.dims[i].intersects(&other.dims[i]))
    }

    pub fn is_subset(&self, other: &PBox) -> bool {
        self.is_empty() || (0..DIMS).all(|i| self.dims[i].is_subset(&other.dims[i]))
    }

    /// `Some(None)` if the boxes are disjoint, `Some(Some(d))` if `other`
    /// covers `self` in every dimension but `d` (or in all), `None`
    /// otherwise.
    fn single_uncovered_dim(&self, other: &PBox) -> Option<Option<usize>> {
        let mut open = None;
        for i in 0..DIMS {
            let (a, b) = (&self.dims[i], &other.dims[i]);
            if !a.intersects(b) {
                return Some(None);
            }
            if !a.is_subset(b) {
                if open.is_some() {
                    // Still check the rest for disjointness.
                    return if (i + 1..DIMS).any(|j| !self.dims[j].intersects(&other.dims[j])) {
                        Some(None)
                    } else {
                        None
                    };
                }
                open = Some(i);
            }
        }
        // Covered in every dimension: cutting any one of them empties it.
        Some(Some(open.unwrap_or(0)))
    }

    /// `self \ other` as disjoint boxes (at most one per dimension).
    pub fn subtract(&self, other: &PBox) -> Vec<PBox> {
        if !self.intersects(other) {
            return vec![self.clone()];
        }
        let mut out = Vec::new();
        let mut cur = self.clone();
        for i in 0..DIMS {
            let outside = cur.dims[i].subtract(&other.dims[i]);
            if !outside.is_empty() {
                let mut piece = cur.clone();
                piece.dims[i] = outside;
                out.push(piece);
                cur.dims[i] = cur.dims[i].intersect(&other.dims[i]);
            }
        }
        out
    }

    /// One packet of the box: the smallest value of each dimension.
    pub fn witness(&self) -> Option<[u128; DIMS]> {
        let mut w = [0u128; DIMS];
        for (i, iv) in self.dims.iter().enumerate() {
            w[i] = iv.min()?;
        }
        Some(w)
    }

    pub fn contains(&self, p: &[u128; DIMS]) -> bool {
        (0..DIMS).all(|i| self.dims[i].contains(p[i]))
    }
}

/// The union of boxes that agree in every dimension but one, as one box
/// (a block list's rules); `None` if they differ in more than one.
fn merge_one_dim(boxes: &[PBox]) -> Option<PBox> {
    let first = &boxes[0];
    let mut dim = None;
    for b in &boxes[1..] {
        for i in 0..DIMS {
            if b.dims[i] != first.dims[i] {
                match dim {
                    None => dim = Some(i),
                    Some(d) if d == i => {}
                    Some(_) => return None,
                }
            }
        }
    }
    let mut out = first.clone();
    if let Some(d) = dim {
        out.dims[d] = Intervals::from_ranges(boxes.iter().flat_map(|b| b.dims[d].runs().iter().copied()));
    }
    Some(out)
}

/// Boxes a set may hold before it is marked truncated.
pub const DEFAULT_CAP: usize = 4096;

/// A union of boxes.
#[derive(Clone, Debug)]
pub struct PacketSet {
    pub family: Family,
    boxes: Vec<PBox>,
    /// The box cap was hit: the set is an over-approximation and must not be
    /// reported empty.
    truncated: bool,
    cap: usize,
}

impl PacketSet {
    pub fn empty(family: Family) -> Self {
        PacketSet { family, boxes: Vec::new(), truncated: false, cap: DEFAULT_CAP }
    }

    pub fn full(family: Family) -> Self {
        Self::from_box(family, PBox::full(family))
    }

    pub fn from_box(family: Family, b: PBox) -> Self {
        let boxes = if b.is_empty() { Vec::new() } else { vec![b] };
        PacketSet { family, boxes, truncated: false, cap: DEFAULT_CAP }
    }

    pub fn with_cap(mut self, cap: usize) -> Self {
        self.cap = cap;
        self
    }

    pub fn boxes(&self) -> &[PBox] {
        &self.boxes
    }

    pub fn truncated(&self) -> bool {
        self.truncated
    }

    /// Stop tracking the set exactly: mark it truncated, so it is never
    /// reported empty and later subtractions leave it as it is.
    pub fn give_up(&mut self) {
        self.truncated = true;
    }

    /// The packets of the set whose value in `d` lies in `iv`.
    pub fn restrict_dim(&self, d: Dim, iv: &Intervals) -> PacketSet {
        let boxes = self
            .boxes
            .iter()
            .filter_map(|b| {
                let cut = b.get(d).intersect(iv);
                (!cut.is_empty()).then(|| {
                    let mut c = b.clone();
                    c.set(d, cut);
                    c
                })
            })
            .collect();
        PacketSet { family: self.family, boxes, truncated: self.truncated, cap: self.cap }
    }

    /// Empty for sure (never true for a truncated set).
    pub fn is_empty(&self) -> bool {
        self.boxes.is_empty() && !self.truncated
    }

    pub fn subtract_box(&mut self, b: &PBox) {
        if self.truncated {
            return;
        }
        let mut out = Vec::with_capacity(self.boxes.len());
        for mut a in self.boxes.drain(..) {
            match a.single_uncovered_dim(b) {
                // Disjoint: unchanged.
                Some(None) => out.push(a),
                // `b` covers `a` in every field but one: cut that field
                // in place (no copies of the other fields).
                Some(Some(d)) => {
                    let rest = a.dims[d].subtract(&b.dims[d]);
                    if !rest.is_empty() {
                        a.dims[d] = rest;
                        out.push(a);
                    }
                }
                None => out.extend(a.subtract(b)),
            }
        }
        self.boxes = out;
        if self.boxes.len() > self.cap {
            self.truncated = true;
        }
    }

    pub fn subtract(&mut self, other: &PacketSet) {
        if other.truncated || self.truncated {
            // Subtracting an over-approximation could remove too much: the
            // result is left as it is, an over-approximation itself.
            self.truncated = true;
            return;
        }
        if other.boxes.len() > 8 {
            if let Some(merged) = merge_one_dim(&other.boxes) {
                self.subtract_box(&merged);
                return;
            }
        }
        for b in &other.boxes {
            self.subtract_box(b);
        }
    }

    pub fn intersect_box(&self, b: &PBox) -> PacketSet {
        let boxes = self.boxes.iter().filter_map(|a| a.intersect(b)).collect();
        PacketSet { family: self.family, boxes, truncated: self.truncated, cap: self.cap }
    }

    pub fn intersect(&self, other: &PacketSet) -> PacketSet {
        let mut boxes = Vec::new();
        for a in &self.boxes {
            for b in &other.boxes {
                if let Some(c) = a.intersect(b) {
                    boxes.push(c);
                }
            }
        }
        let mut s =
            PacketSet { family: self.family, boxes, truncated: self.truncated || other.truncated, cap: self.cap };
        if s.boxes.len() > s.cap {
            s.truncated = true;
        }
        s
    }

    pub fn intersects_box(&self, b: &PBox) -> bool {
        self.boxes.iter().any(|a| a.intersects(b))
    }

    /// Union. Boxes may overlap: no operation needs them disjoint, and
    /// keeping them so would cost a subtraction per existing box.
    pub fn union(&mut self, other: &PacketSet) {
        for b in &other.boxes {
            if self.boxes.len() > 64 || !self.boxes.iter().any(|a| b.is_subset(a)) {
                self.boxes.push(b.clone());
            }
        }
        self.truncated |= other.truncated || self.boxes.len() > self.cap;
    }

    /// Union that never outgrows the cap: past it, the set becomes the
    /// smallest box holding every packet of both, and is marked truncated.
    /// For sets used only as over-approximations.
    pub fn union_or_hull(&mut self, other: &PacketSet) {
        self.union(other);
        if self.boxes.len() > self.cap {
            let mut hull = self.boxes[0].clone();
            for b in &self.boxes[1..] {
                for d in Dim::ALL {
                    let iv = hull.get(d).hull_with(b.get(d));
                    hull.set(d, iv);
                }
            }
            self.boxes = vec![hull];
            self.truncated = true;
        }
    }

    /// `self ⊆ other`, exactly (false when unsure).
    pub fn is_subset(&self, other: &PacketSet) -> bool {
        if other.truncated {
            return false;
        }
        let mut rest = self.clone();
        rest.subtract(other);
        rest.is_empty()
    }

    pub fn witness(&self) -> Option<[u128; DIMS]> {
        self.boxes.first().and_then(PBox::witness)
    }

    /// One packet of the set that also lies in `within` (a set of packets
    /// the caller can produce, e.g. what a test can send), if there is one.
    pub fn witness_in(&self, within: &PacketSet) -> Option<[u128; DIMS]> {
        self.boxes
            .iter()
            .flat_map(|a| within.boxes.iter().filter_map(move |b| a.intersect(b)))
            .find_map(|b| b.witness())
    }

    pub fn contains(&self, p: &[u128; DIMS]) -> bool {
        self.boxes.iter().any(|b| b.contains(p))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Boxes over two small dimensions (Sport, Dport in 0..8); the rest full.
    fn arb_box() -> impl Strategy<Value = PBox> {
        (0..8u128, 0..8u128, 0..8u128, 0..8u128).prop_map(|(a, b, c, d)| {
            let mut bx = PBox::full(Family::V4);
            bx.set(Dim::Sport, Intervals::range(a.min(b), a.max(b)));
            bx.set(Dim::Dport, Intervals::range(c.min(d), c.max(d)));
            bx
        })
    }

    fn arb_set() -> impl Strategy<Value = PacketSet> {
        prop::collection::vec(arb_box(), 0..4).prop_map(|v| {
            let mut s = PacketSet::empty(Family::V4);
            for b in v {
                s.union(&PacketSet::from_box(Family::V4, b));
            }
            s
        })
    }

    fn points() -> impl Iterator<Item = [u128; DIMS]> {
        (0..9u128).flat_map(|s| {
            (0..9u128).map(move |d| {
                let mut p = [0u128; DIMS];
                p[Dim::Sport as usize] = s;
                p[Dim::Dport as usize] = d;
                p
            })
        })
    }

    proptest! {
        #[test]
        fn set_algebra_matches_brute_force(a in arb_set(), b in arb_set()) {
            let mut diff = a.clone();
            diff.subtract(&b);
            let inter = a.intersect(&b);
            let mut uni = a.clone();
            uni.union(&b);
            for p in points() {
                let (x, y) = (a.contains(&p), b.contains(&p));
                prop_assert_eq!(diff.contains(&p), x && !y);
                prop_assert_eq!(inter.contains(&p), x && y);
                prop_assert_eq!(uni.contains(&p), x || y);
            }
            let brute_subset = points().all(|p| !a.contains(&p) || b.contains(&p));
            prop_assert_eq!(a.is_subset(&b), brute_subset);
            prop_assert_eq!(diff.is_empty(), points().all(|p| !diff.contains(&p)));
        }

        /// Subtracting many boxes that differ in one field (merged into one
        /// box first) removes exactly their union.
        #[test]
        fn subtracting_a_block_list(
            a in arb_set(),
            ports in prop::collection::vec((0..9u128, 0..3u128), 9..20),
            dport in 0..8u128,
        ) {
            let mut list = PacketSet::empty(Family::V4).with_cap(usize::MAX);
            for (p, l) in ports {
                let mut b = PBox::full(Family::V4);
                b.set(Dim::Sport, Intervals::range(p, p + l));
                b.set(Dim::Dport, Intervals::range(dport, dport + 1));
                list.boxes.push(b);
            }
            let mut diff = a.clone();
            diff.subtract(&list);
            for p in points() {
                prop_assert_eq!(diff.contains(&p), a.contains(&p) && !list.contains(&p));
            }
        }

        #[test]
        fn box_subtraction_is_disjoint(a in arb_box(), b in arb_box()) {
            let pieces = a.subtract(&b);
            for (i, p) in pieces.iter().enumerate() {
                prop_assert!(!p.intersects(&b));
                for q in &pieces[i + 1..] {
                    prop_assert!(!p.intersects(q));
                }
            }
        }

        #[test]
        fn witness_is_member(a in arb_set()) {
            if let Some(w) = a.witness() {
                prop_assert!(a.contains(&w));
            } else {
                prop_assert!(a.is_empty());
            }
        }

        #[test]
        fn witness_in_is_member_of_both(a in arb_set(), b in arb_set()) {
            match a.witness_in(&b) {
                Some(w) => prop_assert!(a.contains(&w) && b.contains(&w)),
                None => prop_assert!(points().all(|p| !(a.contains(&p) && b.contains(&p)))),
            }
        }
    }

    #[test]
    fn iface_wildcards_are_prefix_ranges() {
        let (lo, hi) = iface_range("eth+");
        let (e0, _) = iface_range("eth0");
        let (eth, _) = iface_range("eth");
        let (wlan, _) = iface_range("wlan0");
        assert!(lo <= e0 && e0 <= hi);
        assert!(lo <= eth && eth <= hi);
        assert!(!(lo <= wlan && wlan <= hi));
        assert_eq!(iface_range("+"), (0, u128::MAX));
    }

    #[test]
    fn cap_marks_truncated_and_never_empty() {
        let mut s = PacketSet::full(Family::V4).with_cap(4);
        // Points on a diagonal: each cut splits a box over two dimensions.
        for port in 0..40 {
            let mut b = PBox::full(Family::V4);
            b.set(Dim::Sport, Intervals::point(port));
            b.set(Dim::Dport, Intervals::point(port));
            s.subtract_box(&b);
        }
        assert!(s.truncated());
        assert!(!s.is_empty());
    }
}
