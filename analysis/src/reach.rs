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
}

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
    /// Packets that got a final verdict inside the chain (or below it).
    decided: PacketSet,
    /// Packets that RETURNed or fell off the end of a user chain.
    returned: PacketSet,
}

struct Walker<'a> {
    table: &'a Table,
    family: Family,
    facts: Vec<RuleFacts>,
    entered: HashMap<String, PacketSet>,
    budget: usize,
    incomplete: bool,
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
    let mut w = Walker { table, family, facts, entered: HashMap::new(), budget: 2_000_000, incomplete: false };
    let mut to_policy = HashMap::new();
    for chain in table.chains.iter().filter(|c| c.is_builtin()) {
        let hook = chain.hook.expect("built-in");
        let entry = PacketSet::from_box(family, hook_entry(hook, family));
        let out = w.walk(&chain.name, entry, 0);
        to_policy.insert(chain.name.clone(), out.returned);
    }
    TableFacts { rules: w.facts, entered: w.entered, to_policy, incomplete: w.incomplete }
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
    /// the earlier members, found with a B-tree instead of a pass over the
    /// remaining set per rule; the batch is then subtracted at once.
    fn walk_batch(
        &mut self,
        members: &[usize],
        dim: Dim,
        remaining: &mut PacketSet,
        decided: &mut PacketSet,
        returned: &mut PacketSet,
    ) {
        let family = self.family;
        let effect = self.plain_effect(members[0]).expect("batch has an effect");
        let mut covered = Covered::default();
        let mut all = Vec::new();
        for &ri in members {
            let f = &mut self.facts[ri];
            f.visited = true;
            if remaining.is_empty() {
                continue;
            }
            f.reached = true;
            let runs: Vec<(u128, u128)> = f.matchset.region.get(dim).runs().to_vec();
            let mut fresh = Vec::new();
            for &(lo, hi) in &runs {
                fresh.extend(covered.uncovered(lo, hi));
            }
            if !fresh.is_empty() {
                let mut b = f.matchset.region.clone();
                b.set(dim, Intervals::from_ranges(fresh));
                let hit = remaining.intersect_box(&b);
                f.hit.union(&hit);
            }
            for &(lo, hi) in &runs {
                covered.insert(lo, hi);
                all.push((lo, hi));
            }
        }
        self.budget = self.budget.saturating_sub(members.len());
        let mut batch_box = self.facts[members[0]].matchset.region.clone();
        batch_box.set(dim, Intervals::from_ranges(all));
        let hit = remaining.intersect_box(&batch_box);
        if effect == TargetEffect::Return {
            returned.union(&hit);
        } else {
            decided.union(&hit);
        }
        remaining.subtract_box(&batch_box);
        if remaining.truncated() {
            self.incomplete = true;
        }
        let _ = family;
    }

    fn walk(&mut self, chain_name: &str, entry: PacketSet, depth: usize) -> Outcome {
        let family = self.family;
        let mut decided = PacketSet::empty(family);
        let mut returned = PacketSet::empty(family);
        let entered = self.entered.entry(chain_name.to_string()).or_insert_with(|| PacketSet::empty(family));
        entered.union(&entry);
        if entered.truncated() {
            self.incomplete = true;
        }
        let Some(chain) = self.table.chain(chain_name) else {
            return Outcome { decided, returned: entry };
        };
        if depth > 64 {
            self.incomplete = true;
            return Outcome { decided, returned: entry };
        }
        let rules = &chain.rules;
        let mut remaining = entry;
        let mut i = 0;
        while i < rules.len() {
            if let Some((end, dim)) = self.batch_end(rules, i) {
                self.walk_batch(&rules[i..end], dim, &mut remaining, &mut decided, &mut returned);
                i = end;
                continue;
            }
            let ri = rules[i];
            i += 1;
            self.budget = self.budget.saturating_sub(1 + remaining.boxes().len());
            if self.budget == 0 {
                self.incomplete = true;
            }
            let rule = &self.table.rules[ri];
            let f = &mut self.facts[ri];
            f.visited = true;
            if remaining.is_empty() {
                continue;
            }
            f.reached = true;
            let hit = remaining.intersect_box(&f.matchset.region);
            f.hit.union(&hit);
            if hit.truncated() || remaining.truncated() {
                self.incomplete = true;
            }
            if hit.boxes().is_empty() {
                continue;
            }
            let exact = f.matchset.exact();
            let region = f.matchset.region.clone();
            let Some(target) = &rule.target else { continue };
            match &target.kind {
                TargetKind::Chain(callee) => {
                    let out = self.walk(callee, hit.clone(), depth + 1);
                    if target.goto {
                        // Packets never come back here; a RETURN in the
                        // callee returns from this chain.
                        returned.union(&out.returned);
                        if exact {
                            decided.union(&out.decided);
                            remaining.subtract_box(&region);
                        }
                    } else {
                        if exact {
                            decided.union(&out.decided);
                            remaining.subtract(&out.decided);
                        }
                    }
                }
                TargetKind::Ext(spec) => match spec.effect {
                    TargetEffect::Accept
                    | TargetEffect::Drop
                    | TargetEffect::Reject
                    | TargetEffect::Queue
                    | TargetEffect::Rewrite
                    | TargetEffect::Terminal => {
                        // Only packets decided for sure: a caller subtracts
                        // them, and a may-match rule may let them return.
                        if exact {
                            decided.union(&hit);
                            remaining.subtract_box(&region);
                        }
                    }
                    TargetEffect::Return => {
                        returned.union(&hit);
                        if exact {
                            remaining.subtract_box(&region);
                        }
                    }
                    TargetEffect::Continue | TargetEffect::None => {}
                },
                TargetKind::Unknown(_) => {}
            }
        }
        returned.union(&remaining);
        Outcome { decided, returned }
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
