//! Reachability across chains: for every rule, the packets that reach it
//! and that it matches, following jumps (`-j`), gotos (`-g`) and RETURN from
//! each built-in chain's hook, the way the kernel walks a table.
//!
//! A rule decides the packets of its region only when its region is exact
//! and its target is terminal (or a jump into a chain that decides them);
//! a *may match* rule decides nothing, so it never hides the rules after it.

use std::collections::{BTreeMap, HashMap};

use iptlint_parser::ext::{Family, Hook, TargetEffect};
use iptlint_parser::model::{Table, TargetKind};

use crate::matchset::{rule_match, RuleMatch};
use crate::space::{iface_range, Dim, Intervals, PBox, PacketSet};

/// What the walk learned about one rule.
#[derive(Clone, Debug)]
pub struct RuleFacts {
    pub matchset: RuleMatch,
    /// Packets that reach the rule and satisfy its modelled conditions
    /// (union over every way into its chain).
    pub hit: PacketSet,
    /// Some packet reached the rule at all.
    pub reached: bool,
    /// The rule's chain was entered by the walk.
    pub visited: bool,
}

/// Facts for one table.
#[derive(Clone, Debug)]
pub struct TableFacts {
    /// Indexed like `Table::rules`.
    pub rules: Vec<RuleFacts>,
    /// Packets entering each chain (union over all jumps and gotos).
    pub entered: HashMap<String, PacketSet>,
    /// Packets that fall through each built-in chain to its policy.
    pub to_policy: HashMap<String, PacketSet>,
    /// The work budget ran out or a set hit its cap: dead-rule findings for
    /// this table would not be sound, so none are made.
    pub incomplete: bool,
    /// Why and where the analysis stopped being exact, when `incomplete`.
    pub limit: Option<Limit>,
}

/// Which limit made a table's analysis incomplete.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LimitKind {
    /// A packet set grew past [`crate::space::DEFAULT_CAP`] boxes.
    Fragments,
    /// The walk used up its work budget ([`WORK_BUDGET`] box operations).
    Budget,
    /// Jumps nest deeper than [`MAX_DEPTH`] (a loop between chains).
    Depth,
}

/// The first limit the walk hit: what, and at which rule (index into
/// `Table::rules`) or, failing that, in which chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limit {
    pub kind: LimitKind,
    pub rule: Option<usize>,
    pub chain: String,
}

/// Box operations the walk of one table may do (at least; see
/// [`BUDGET_PER_RULE`]).
pub const WORK_BUDGET: usize = 2_000_000;
/// Box operations allowed per rule of the table, for large tables.
pub const BUDGET_PER_RULE: usize = 200;
/// Deepest nesting of jumps followed.
pub const MAX_DEPTH: usize = 64;

/// Packets that can appear at a hook: no input interface on locally
/// generated packets, no output interface before routing.
pub fn hook_entry(hook: Hook, family: Family) -> PBox {
    let mut b = PBox::full(family);
    let none = Intervals::point(iface_range("").0);
    match hook {
        Hook::Prerouting | Hook::Input => b.set(Dim::OutIface, none),
        Hook::Output => b.set(Dim::InIface, none),
        Hook::Forward | Hook::Postrouting => {}
    }
    b
}

struct Outcome {
    /// Packets that RETURNed or fell off the end of a user chain: every
    /// packet of the entry that did not certainly get a verdict below.
    returned: PacketSet,
}

struct Walker<'a> {
    table: &'a Table,
    family: Family,
    facts: Vec<RuleFacts>,
    entered: HashMap<String, PacketSet>,
    budget: usize,
    incomplete: bool,
    limit: Option<Limit>,
}

/// Walk every built-in chain of a table.
pub fn analyse_table(table: &Table, family: Family) -> TableFacts {
    let facts = table
        .rules
        .iter()
        .map(|r| RuleFacts {
            matchset: rule_match(r, family),
            hit: PacketSet::empty(family),
            reached: false,
            visited: false,
        })
        .collect();
    let mut w = Walker {
        table,
        family,
        facts,
        entered: HashMap::new(),
        budget: WORK_BUDGET.max(table.rules.len().saturating_mul(BUDGET_PER_RULE)),
        incomplete: false,
        limit: None,
    };
    let mut to_policy = HashMap::new();
    for chain in table.chains.iter().filter(|c| c.is_builtin()) {
        let hook = chain.hook.expect("built-in");
        let entry = PacketSet::from_box(family, hook_entry(hook, family));
        let out = w.walk(&chain.name, entry, 0);
        to_policy.insert(chain.name.clone(), out.returned);
    }
    TableFacts { rules: w.facts, entered: w.entered, to_policy, incomplete: w.incomplete, limit: w.limit }
}

/// The packets still going on in a chain: `base` minus every cut. Keeping
/// the cuts apart instead of subtracting each from the set at once keeps
/// the set from splitting into pieces across rules that never overlap (a
/// rule's hit needs only the cuts that meet its region): thousands of
/// `-d IP -p tcp --dport P -j CHAIN` rules stay linear.
struct Rest {
    base: PacketSet,
    /// Groups of cut boxes with their hull (a jump's decided packets form
    /// one group, inside the jump's region), so a rule skips a whole group
    /// that misses it with one test.
    cuts: Vec<(PBox, Vec<PBox>)>,
    /// Hull of every cut, to skip them all at once.
    cut_hull: Option<PBox>,
    /// `base` minus the first `n` groups, computed on demand and extended
    /// lazily.
    flat: Option<(PacketSet, usize)>,
    /// A cut was dropped (its set was capped): the rest over-approximates.
    lossy: bool,
}

fn widen(hull: &mut Option<PBox>, b: &PBox) {
    match hull {
        Some(h) => {
            for d in Dim::ALL {
                let iv = h.get(d).hull_with(b.get(d));
                h.set(d, iv);
            }
        }
        None => *hull = Some(b.clone()),
    }
}

impl Rest {
    fn new(entry: PacketSet) -> Rest {
        Rest { base: entry, cuts: Vec::new(), cut_hull: None, flat: None, lossy: false }
    }

    /// Packets of the rest that lie in `b`, and how much work that took.
    fn intersect_box(&self, b: &PBox) -> (PacketSet, usize) {
        let mut s = self.base.intersect_box(b);
        let mut work = 0;
        if self.cut_hull.as_ref().is_some_and(|h| h.intersects(b)) {
            'groups: for (hull, group) in &self.cuts {
                work += 1;
                if !hull.intersects(b) {
                    continue;
                }
                for c in group {
                    if s.boxes().is_empty() || s.truncated() {
                        break 'groups;
                    }
                    if c.intersects(b) {
                        s.subtract_box(c);
                        work += s.boxes().len();
                    }
                }
            }
        }
        (s, work)
    }

    fn cut(&mut self, b: &PBox) {
        widen(&mut self.cut_hull, b);
        self.cuts.push((b.clone(), vec![b.clone()]));
    }

    /// Remove a set of packets; one that was capped is not removed at all
    /// (removing an over-approximation could remove too much).
    fn cut_set(&mut self, s: &PacketSet) {
        if s.truncated() {
            self.lossy = true;
            return;
        }
        let mut hull = None;
        for b in s.boxes() {
            widen(&mut hull, b);
        }
        if let Some(h) = hull {
            widen(&mut self.cut_hull, &h);
            self.cuts.push((h, s.boxes().to_vec()));
        }
    }

    /// The rest as one set (cached; extended with new cuts only).
    fn flatten(&mut self) -> &PacketSet {
        let (mut set, done) = self.flat.take().unwrap_or_else(|| (self.base.clone(), 0));
        'groups: for (hull, group) in &self.cuts[done..] {
            if !set.intersects_box(hull) {
                continue;
            }
            for c in group {
                if set.boxes().is_empty() || set.truncated() {
                    break 'groups;
                }
                set.subtract_box(c);
            }
        }
        if self.lossy {
            set.give_up();
        }
        self.flat = Some((set, self.cuts.len()));
        &self.flat.as_ref().expect("just set").0
    }

    /// Certainly empty.
    fn is_empty(&mut self) -> bool {
        if self.base.is_empty() {
            return true;
        }
        self.flatten().is_empty()
    }
}

/// Runs of at least this many rules that differ in one field are walked as
/// a batch.
const BATCH_MIN: usize = 8;

/// Disjoint runs in a B-tree: the union of a batch's earlier members.
#[derive(Default)]
struct Covered {
    runs: BTreeMap<u128, u128>,
}

impl Covered {
    /// The parts of `[lo, hi]` not covered yet.
    fn uncovered(&self, lo: u128, hi: u128) -> Vec<(u128, u128)> {
        let mut out = Vec::new();
        let mut cur = lo;
        let start = self.runs.range(..=lo).next_back().map_or(lo, |(&a, _)| a);
        for (&a, &b) in self.runs.range(start..) {
            if a > hi {
                break;
            }
            if b < cur {
                continue;
            }
            if a > cur {
                out.push((cur, a - 1));
            }
            if b >= hi {
                return out;
            }
            cur = b + 1;
        }
        out.push((cur, hi));
        out
    }

    fn insert(&mut self, mut lo: u128, mut hi: u128) {
        let mut remove = Vec::new();
        let start = self.runs.range(..=lo).next_back().map_or(lo, |(&a, _)| a);
        for (&a, &b) in self.runs.range(start..) {
            if a > hi.saturating_add(1) {
                break;
            }
            if b.saturating_add(1) < lo {
                continue;
            }
            lo = lo.min(a);
            hi = hi.max(b);
            remove.push(a);
        }
        for a in remove {
            self.runs.remove(&a);
        }
        self.runs.insert(lo, hi);
    }
}

/// The fresh parts of a sequence of interval sets: for member `k`,
/// `parts[start[k]..start[k + 1]]` are the sorted runs of its set that no
/// earlier member covers; `all` is the union of every member.
struct Fresh {
    parts: Vec<(u128, u128)>,
    start: Vec<usize>,
    all: Intervals,
}

fn fresh_parts<'a>(sets: impl Iterator<Item = &'a [(u128, u128)]> + Clone) -> Fresh {
    // Every run with its member, sorted by start. Runs that overlap no
    // other run are fresh as they are; only inside a cluster of
    // overlapping runs do earlier members cut later ones.
    let mut tagged: Vec<(u128, u128, u32)> = Vec::new();
    for (k, runs) in sets.clone().enumerate() {
        tagged.extend(runs.iter().map(|&(lo, hi)| (lo, hi, k as u32)));
    }
    let n = sets.count();
    tagged.sort_unstable();
    let all = Intervals::from_sorted_overlapping(tagged.iter().map(|&(lo, hi, _)| (lo, hi)));
    // Fresh pieces tagged with their member.
    let mut pieces: Vec<(u32, u128, u128)> = Vec::with_capacity(tagged.len());
    let mut i = 0;
    while i < tagged.len() {
        let mut end = i + 1;
        let mut reach = tagged[i].1;
        while end < tagged.len() && tagged[end].0 <= reach {
            reach = reach.max(tagged[end].1);
            end += 1;
        }
        if end == i + 1 {
            pieces.push((tagged[i].2, tagged[i].0, tagged[i].1));
        } else {
            // A cluster: walk its runs in member order.
            let mut cluster: Vec<(u32, u128, u128)> = tagged[i..end].iter().map(|&(lo, hi, k)| (k, lo, hi)).collect();
            cluster.sort_unstable();
            // Runs of one member never overlap each other, so covering a
            // run right after cutting it cannot cut its siblings.
            let mut covered = Covered::default();
            for &(k, lo, hi) in &cluster {
                pieces.extend(covered.uncovered(lo, hi).into_iter().map(|(a, b)| (k, a, b)));
                covered.insert(lo, hi);
            }
        }
        i = end;
    }
    pieces.sort_unstable();
    let mut start = Vec::with_capacity(n + 1);
    let mut parts = Vec::with_capacity(pieces.len());
    let mut p = 0;
    for k in 0..n as u32 {
        start.push(parts.len());
        while p < pieces.len() && pieces[p].0 == k {
            parts.push((pieces[p].1, pieces[p].2));
            p += 1;
        }
    }
    start.push(parts.len());
    Fresh { parts, start, all }
}

/// The one dimension in which two boxes differ, if exactly one does.
fn single_difference(a: &PBox, b: &PBox) -> Option<Dim> {
    let mut diff = None;
    for d in Dim::ALL {
        if a.get(d) != b.get(d) {
            if diff.is_some() {
                return None;
            }
            diff = Some(d);
        }
    }
    diff
}

impl Walker<'_> {
    /// Note that a limit was hit (the first one is kept).
    fn hit_limit(&mut self, kind: LimitKind, rule: Option<usize>, chain: &str) {
        self.incomplete = true;
        if self.limit.is_none() {
            self.limit = Some(Limit { kind, rule, chain: chain.to_string() });
        }
    }

    /// Effect of a rule that decides its packets by itself (not a jump).
    fn plain_effect(&self, ri: usize) -> Option<TargetEffect> {
        let rule = &self.table.rules[ri];
        match &rule.target.as_ref()?.kind {
            TargetKind::Ext(spec) => match spec.effect {
                TargetEffect::Continue | TargetEffect::None => None,
                e => Some(e),
            },
            _ => None,
        }
    }

    /// End of the batch starting at `i`: consecutive exact rules with the
    /// same plain effect whose regions differ from the first in one field.
    fn batch_end(&self, rules: &[usize], i: usize) -> Option<(usize, Dim)> {
        let first = rules[i];
        let effect = self.plain_effect(first)?;
        if !self.facts[first].matchset.exact() || i + 1 >= rules.len() {
            return None;
        }
        let region = &self.facts[first].matchset.region;
        let dim = single_difference(region, &self.facts[rules[i + 1]].matchset.region)?;
        let mut end = i + 1;
        while end < rules.len() {
            let r = rules[end];
            let f = &self.facts[r];
            if !f.matchset.exact() || self.plain_effect(r) != Some(effect) {
                break;
            }
            match single_difference(region, &f.matchset.region) {
                Some(d) if d == dim => {}
                None if &f.matchset.region == region => {}
                _ => break,
            }
            end += 1;
        }
        (end - i >= BATCH_MIN).then_some((end, dim))
    }

    /// Walk a batch: each member's hit is what remains of its region after
    /// the earlier members. The packets of `remaining` that satisfy the
    /// fields the members share are found once; a member's hit is those
    /// packets restricted, in the one field that differs, to the part of
    /// its values no earlier member had. Those fresh parts come from one
    /// sort when the members' values are disjoint (a block list), from a
    /// B-tree of covered runs otherwise. The batch is then subtracted at
    /// once.
    fn walk_batch(&mut self, chain: &str, members: &[usize], dim: Dim, remaining: &mut Rest, returned: &mut PacketSet) {
        let family = self.family;
        let effect = self.plain_effect(members[0]).expect("batch has an effect");
        let mut common = self.facts[members[0]].matchset.region.clone();
        common.set(dim, Intervals::range(0, dim.max(family)));
        let (base, work) = remaining.intersect_box(&common);
        self.budget = self.budget.saturating_sub(work);
        let fresh = fresh_parts(members.iter().map(|&ri| self.facts[ri].matchset.region.get(dim).runs()));
        // Nothing of the batch's shared fields is left: are there packets
        // at all (for `reached`)?
        let any_left = !base.boxes().is_empty() || base.truncated() || !remaining.is_empty();
        for (k, &ri) in members.iter().enumerate() {
            let f = &mut self.facts[ri];
            f.visited = true;
            if !any_left {
                continue;
            }
            f.reached = true;
            let part = &fresh.parts[fresh.start[k]..fresh.start[k + 1]];
            if part.is_empty() || (base.boxes().is_empty() && !base.truncated()) {
                continue;
            }
            let iv = Intervals::from_sorted_runs(part);
            let hit = base.restrict_dim(dim, &iv);
            if f.hit.boxes().is_empty() && !f.hit.truncated() {
                f.hit = hit;
            } else {
                f.hit.union(&hit);
            }
        }
        self.budget = self.budget.saturating_sub(members.len());
        let mut batch_box = common;
        batch_box.set(dim, fresh.all);
        if effect == TargetEffect::Return {
            returned.union(&base.restrict_dim(dim, batch_box.get(dim)));
        }
        remaining.cut(&batch_box);
        if base.truncated() {
            self.hit_limit(LimitKind::Fragments, members.last().copied(), chain);
        }
    }

    fn walk(&mut self, chain_name: &str, entry: PacketSet, depth: usize) -> Outcome {
        let family = self.family;
        let mut returned = PacketSet::empty(family);
        let entered = self.entered.entry(chain_name.to_string()).or_insert_with(|| PacketSet::empty(family));
        // What enters a chain is only ever used as an over-approximation
        // (a rule no entry packet can match is unreachable), so at the cap
        // it becomes its bounding box instead of making the table
        // incomplete.
        entered.union_or_hull(&entry);
        let Some(chain) = self.table.chain(chain_name) else {
            return Outcome { returned: entry };
        };
        if depth > MAX_DEPTH {
            self.hit_limit(LimitKind::Depth, None, chain_name);
            return Outcome { returned: entry };
        }
        let rules = &chain.rules;
        let mut remaining = Rest::new(entry);
        let mut i = 0;
        while i < rules.len() {
            if self.budget == 0 && !remaining.lossy {
                // Out of work: stop narrowing (an over-approximation, so
                // every later operation is cheap and sound).
                self.hit_limit(LimitKind::Budget, Some(rules[i]), chain_name);
                remaining.lossy = true;
                remaining.cuts.clear();
                remaining.cut_hull = None;
                remaining.flat = None;
                remaining.base.give_up();
            }
            if let Some((end, dim)) = self.batch_end(rules, i) {
                self.walk_batch(chain_name, &rules[i..end], dim, &mut remaining, &mut returned);
                i = end;
                continue;
            }
            let ri = rules[i];
            i += 1;
            let (hit, work) = remaining.intersect_box(&self.facts[ri].matchset.region);
            self.budget = self.budget.saturating_sub(1 + work);
            let f = &mut self.facts[ri];
            f.visited = true;
            let has_hit = !hit.boxes().is_empty() || hit.truncated();
            if !has_hit {
                // Dead here; was any packet left at all?
                if !remaining.is_empty() {
                    self.facts[ri].reached = true;
                }
                continue;
            }
            f.reached = true;
            f.hit.union(&hit);
            let exact = f.matchset.exact();
            if hit.truncated() {
                self.hit_limit(LimitKind::Fragments, Some(ri), chain_name);
            }
            let rule = &self.table.rules[ri];
            let Some(target) = &rule.target else { continue };
            // A rule whose conditions are not all modelled may not match
            // the packets of its region: they go on, whatever its target.
            match &target.kind {
                TargetKind::Chain(callee) => {
                    let out = self.walk(callee, hit.clone(), depth + 1);
                    if target.goto {
                        // Packets never come back here; a RETURN in the
                        // callee returns from this chain.
                        returned.union(&out.returned);
                        if exact {
                            remaining.cut(&self.facts[ri].matchset.region);
                        }
                    } else if exact {
                        // The packets the callee certainly decided are
                        // gone; the ones it returned come back and go on.
                        let mut decided = hit;
                        decided.subtract(&out.returned);
                        if decided.truncated() {
                            self.hit_limit(LimitKind::Fragments, Some(ri), chain_name);
                        }
                        remaining.cut_set(&decided);
                    }
                }
                TargetKind::Ext(spec) => match spec.effect {
                    TargetEffect::Accept
                    | TargetEffect::Drop
                    | TargetEffect::Reject
                    | TargetEffect::Queue
                    | TargetEffect::Rewrite
                    | TargetEffect::Terminal => {
                        if exact {
                            remaining.cut(&self.facts[ri].matchset.region);
                        }
                    }
                    TargetEffect::Return => {
                        returned.union(&hit);
                        if exact {
                            remaining.cut(&self.facts[ri].matchset.region);
                        }
                    }
                    TargetEffect::Continue | TargetEffect::None => {}
                },
                TargetKind::Unknown(_) => {}
            }
        }
        let rest = remaining.flatten();
        // The rest of a user chain goes back to its caller and must be
        // exact; a built-in chain's rest only feeds `to_policy`.
        if rest.truncated() && !chain.is_builtin() {
            self.hit_limit(LimitKind::Fragments, None, chain_name);
        }
        returned.union(rest);
        Outcome { returned }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use iptlint_parser::{parse, ParseOptions};

    fn facts(text: &str) -> (iptlint_parser::Parsed, TableFacts) {
        let p = parse(text, &ParseOptions { family: Some(Family::V4), table: None });
        assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
        let f = analyse_table(&p.ruleset.tables[0], Family::V4);
        (p, f)
    }

    #[test]
    fn union_of_earlier_rules_hides_a_rule() {
        let (_, f) = facts(
            "*filter\n-A INPUT -p tcp --dport 1:100 -j ACCEPT\n-A INPUT -p tcp --dport 50:200 -j DROP\n-A INPUT -p tcp --dport 20:150 -j ACCEPT\n-A INPUT -p udp -j ACCEPT\nCOMMIT\n",
        );
        assert!(!f.rules[0].hit.is_empty());
        assert!(!f.rules[1].hit.is_empty());
        assert!(f.rules[2].hit.is_empty(), "covered by the union of rules 1 and 2");
        assert!(!f.rules[3].hit.is_empty());
    }

    #[test]
    fn return_resumes_after_the_jump() {
        let (_, f) = facts(
            "*filter\n:SUB - [0:0]\n-A INPUT -p tcp -j SUB\n-A INPUT -p tcp --dport 22 -j ACCEPT\n-A SUB -p tcp --dport 22 -j RETURN\n-A SUB -p tcp -j DROP\nCOMMIT\n",
        );
        // INPUT rule 2 sees only the packets SUB returned: tcp/22.
        let hit = &f.rules[1].hit;
        assert!(!hit.is_empty());
        let w = hit.witness().unwrap();
        assert_eq!(w[Dim::Dport as usize], 22);
        // SUB's DROP decides every other tcp packet, so nothing else reaches.
        assert!(f.rules[3].reached);
    }

    #[test]
    fn goto_does_not_come_back() {
        let (_, f) = facts(
            "*filter\n:G - [0:0]\n-A INPUT -p tcp -g G\n-A INPUT -p tcp -j ACCEPT\n-A G -p tcp --dport 80 -j ACCEPT\nCOMMIT\n",
        );
        // All tcp packets went to G and never return to INPUT.
        assert!(f.rules[1].hit.is_empty());
        assert!(!f.rules[2].hit.is_empty());
    }

    #[test]
    fn non_terminal_targets_decide_nothing() {
        let (_, f) = facts("*filter\n-A INPUT -p tcp -j LOG\n-A INPUT -p tcp -j ACCEPT\nCOMMIT\n");
        assert!(!f.rules[1].hit.is_empty());
    }

    #[test]
    fn output_has_no_input_interface() {
        let (_, f) = facts("*filter\n-A FORWARD -i eth0 -j ACCEPT\n-A OUTPUT -o eth0 -j ACCEPT\nCOMMIT\n");
        assert!(!f.rules[0].hit.is_empty());
        assert!(!f.rules[1].hit.is_empty());
    }

    /// A may-match rule in a called chain decides nothing for the caller:
    /// packets it does not take come back.
    #[test]
    fn may_match_in_callee_returns() {
        let (_, f) = facts(
            "*filter\n:X - [0:0]\n-A INPUT -j X\n-A INPUT -j ACCEPT\n-A X -m limit --limit 1/s -j DROP\nCOMMIT\n",
        );
        assert!(!f.rules[1].hit.is_empty());
    }

    proptest::proptest! {
        /// The fresh parts of each member are its values no earlier member
        /// has, whether the members overlap (B-tree path) or not (sort
        /// path); `all` is the union.
        #[test]
        fn fresh_parts_match_brute_force(
            sets in proptest::collection::vec(proptest::collection::vec((0u128..60, 0u128..6), 0..3), 1..12),
            spread in proptest::bool::ANY,
        ) {
            let sets: Vec<Intervals> = sets
                .iter()
                .enumerate()
                .map(|(k, v)| {
                    // `spread` keeps members apart to exercise the sort path.
                    let off = if spread { k as u128 * 100 } else { 0 };
                    Intervals::from_ranges(v.iter().map(|&(a, l)| (a + off, a + off + l)))
                })
                .collect();
            let fresh = fresh_parts(sets.iter().map(|s| s.runs()));
            let mut seen = std::collections::BTreeSet::new();
            for (k, s) in sets.iter().enumerate() {
                let part = &fresh.parts[fresh.start[k]..fresh.start[k + 1]];
                let got: std::collections::BTreeSet<u128> = part.iter().flat_map(|&(a, b)| a..=b).collect();
                let mine: std::collections::BTreeSet<u128> = s.runs().iter().flat_map(|&(a, b)| a..=b).collect();
                let want: std::collections::BTreeSet<u128> = mine.difference(&seen).copied().collect();
                proptest::prop_assert_eq!(&got, &want, "member {}", k);
                proptest::prop_assert!(part.windows(2).all(|w| w[0].1 < w[1].0), "parts sorted and disjoint");
                seen.extend(mine);
            }
            let all: std::collections::BTreeSet<u128> = fresh.all.runs().iter().flat_map(|&(a, b)| a..=b).collect();
            proptest::prop_assert_eq!(all, seen);
        }
    }

    /// The batch walk gives the same hits as the rule-by-rule walk.
    #[test]
    fn batch_and_single_walks_agree() {
        let mut text =
            String::from("*filter\n:f2b - [0:0]\n-A INPUT -p tcp -j f2b\n-A INPUT -s 10.0.0.0/30 -j ACCEPT\n");
        let addrs = [
            "10.0.0.1",
            "10.0.0.2",
            "10.0.0.0/31",
            "10.0.0.9",
            "10.0.0.1",
            "10.0.0.3",
            "10.0.0.8/29",
            "10.0.0.12",
            "10.0.0.4/30",
            "10.0.0.20",
            "10.0.0.0/30",
        ];
        for a in addrs {
            text.push_str(&format!("-A f2b -s {a} -j DROP\n"));
        }
        text.push_str("-A f2b -p tcp --dport 22 -j ACCEPT\nCOMMIT\n");
        let (p, batched) = facts(&text);
        // A LOG between every two rules breaks every batch up.
        let single_text = text.replace("-j DROP\n", "-j DROP\n-A f2b -j LOG\n");
        let (p2, single) = facts(&single_text);
        let pick = |p: &iptlint_parser::Parsed, f: &TableFacts| -> Vec<(bool, Vec<[u128; crate::space::DIMS]>)> {
            p.ruleset.tables[0]
                .rules
                .iter()
                .zip(&f.rules)
                .filter(|(r, _)| r.target.as_ref().is_none_or(|t| t.name != "LOG"))
                .map(|(_, f)| {
                    let probes: Vec<_> = (0..32u128)
                        .map(|host| {
                            let mut w = [0u128; crate::space::DIMS];
                            w[Dim::Src as usize] = 0x0a00_0000 + host;
                            w[Dim::Proto as usize] = 6;
                            w[Dim::Dport as usize] = 22;
                            w[Dim::InIface as usize] = iface_range("eth0").0;
                            w[Dim::OutIface as usize] = iface_range("").0;
                            w
                        })
                        .filter(|w| f.hit.contains(w))
                        .collect();
                    (f.hit.is_empty(), probes)
                })
                .collect()
        };
        assert!(batched.rules.len() < single.rules.len());
        assert_eq!(pick(&p, &batched), pick(&p2, &single));
    }

    #[test]
    fn covered_runs() {
        let mut c = Covered::default();
        c.insert(10, 20);
        c.insert(30, 40);
        assert_eq!(c.uncovered(0, 50), vec![(0, 9), (21, 29), (41, 50)]);
        assert_eq!(c.uncovered(12, 18), vec![]);
        c.insert(21, 29);
        assert_eq!(c.uncovered(0, 50), vec![(0, 9), (41, 50)]);
        assert_eq!(c.runs.len(), 1);
    }

    /// A block list walked as a batch finds the same dead rules as the
    /// rule-by-rule walk would: a repeated address and one inside an
    /// earlier network.
    #[test]
    fn block_list_batch() {
        let mut text = String::from(
            "*filter\n:f2b - [0:0]\n-A INPUT -p tcp --dport 22 -j f2b\n-A INPUT -p tcp --dport 22 -j ACCEPT\n",
        );
        text.push_str("-A f2b -s 10.9.0.0/16 -j DROP\n");
        for i in 0..50 {
            text.push_str(&format!("-A f2b -s 10.0.0.{i} -j DROP\n"));
        }
        text.push_str("-A f2b -s 10.0.0.7 -j DROP\n-A f2b -s 10.9.3.4 -j DROP\n-A f2b -j RETURN\nCOMMIT\n");
        let (p, f) = facts(&text);
        let rules = &p.ruleset.tables[0].rules;
        let dead: Vec<String> = (0..rules.len())
            .filter(|&i| f.rules[i].visited && f.rules[i].hit.is_empty())
            .map(|i| p.ruleset.line_of(rules[i].span.start).to_string())
            .collect();
        assert_eq!(dead, vec!["56", "57"]);
        // ssh from a blocked address never reaches the ACCEPT.
        let accept = &f.rules[1].hit;
        assert!(!accept.is_empty());
        assert!(accept.boxes().iter().all(|b| !b.get(Dim::Src).contains(0x0a00_0007)));
        assert!(accept.boxes().iter().all(|b| !b.get(Dim::Src).contains(0x0a09_0304)));
    }
}
