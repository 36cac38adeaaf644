//! `established-misuse`: connection-tracking state mistakes: replies and
//! RELATED ICMP errors that a chain drops, the general
//! `RELATED,ESTABLISHED` accept placed after rules that drop them,
//! `NEW,ESTABLISHED` on per-port rules, and INVALID packets accepted.
//!
//! Also the verdict queries the state and lockout lints share: which
//! packets a built-in chain certainly drops, or certainly accepts, found by
//! the reachability walk.

use std::collections::HashSet;

use iptlint_parser::ext::{Family, Hook, TargetEffect};
use iptlint_parser::model::{Chain, Format, Policy, Rule, Table, TargetKind};
use iptlint_parser::{Diagnostic, Span};

use crate::reach::{hook_entry, TableFacts};
use crate::space::{iface_range, state, Dim, Intervals, PBox, PacketSet};
use crate::LintCx;

declare_lint! {
    /// ## What it does
    /// Finds the usual connection-tracking state mistakes, deciding each
    /// with the packet engine rather than by the look of the rules:
    ///
    /// - a chain that drops the replies of connections it lets through:
    ///   INPUT dropping replies to connections the host opens (no general
    ///   `RELATED,ESTABLISHED` accept before a DROP policy or final drop),
    ///   OUTPUT dropping the replies of services INPUT accepts, FORWARD
    ///   dropping the replies of connections it forwards;
    /// - a chain that drops the RELATED ICMP errors ("fragmentation
    ///   needed", "port unreachable") of connections it accepts;
    /// - the general `RELATED,ESTABLISHED` accept placed after rules that
    ///   drop some of those replies;
    /// - `NEW,ESTABLISHED` (or `ESTABLISHED` alone) on per-port rules in a
    ///   chain that drops the replies of other connections;
    /// - a rule that accepts packets in the INVALID state.
    ///
    /// ## Why is this bad?
    /// A DROP policy with only per-port rules accepts the first packet of a
    /// connection and drops its answers: name lookups, package updates and
    /// every connection the host opens time out, and without RELATED ICMP
    /// errors path MTU discovery fails, so connections hang on the first
    /// large packet. One rule near the top,
    /// `-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`, accepts every
    /// answer to a connection that was allowed, and nothing else.
    /// Per-port `NEW,ESTABLISHED` rules repeat that rule badly, and a
    /// general accept after rules that drop comes too late for them.
    /// INVALID packets belong to no known connection (out-of-window, broken
    /// or forged); accepting them defeats connection tracking.
    ///
    /// ## Example
    /// ```text
    /// *filter
    /// :INPUT DROP [0:0]
    /// :FORWARD DROP [0:0]
    /// :OUTPUT ACCEPT [0:0]
    /// -A INPUT -p tcp --dport 22 -m state --state NEW,ESTABLISHED -j ACCEPT
    /// COMMIT
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// *filter
    /// :INPUT DROP [0:0]
    /// :FORWARD DROP [0:0]
    /// :OUTPUT ACCEPT [0:0]
    /// -A INPUT -i lo -j ACCEPT
    /// -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
    /// -A INPUT -m conntrack --ctstate INVALID -j DROP
    /// -A INPUT -p tcp --dport 22 -j ACCEPT
    /// COMMIT
    /// ```
    ///
    /// ## Known problems
    /// Only the filter table is considered. The replies checked are those
    /// of tcp and udp connections that the chain certainly lets through
    /// (conditions iptlint does not model never count as certain), going
    /// to or coming from a non-loopback interface; connections the host
    /// opens are assumed to use Linux's default local ports
    /// (32768-60999). Replies dropped only by rules that name addresses
    /// (`-s`, `-d`: block lists, anti-spoofing) or that drop everything of
    /// an interface (`-i eth1 -j DROP`) are taken as intended and not
    /// reported. A built-in chain without a policy in an iptables-save
    /// file counts as ACCEPT, as nf_tables `iptables-restore` sets it.
    pub ESTABLISHED_MISUSE = ("L201", "established-misuse", Warning, "connection-tracking state mistake: replies dropped, or INVALID accepted");
}

// ---------------------------------------------------------------------------
// Verdict queries.

/// The rule may give its packets a final accept (or hand them on in a way
/// iptlint cannot tell from an accept).
pub fn may_accept(rule: &Rule) -> bool {
    match rule.target.as_ref().map(|t| &t.kind) {
        Some(TargetKind::Ext(s)) => {
            matches!(
                s.effect,
                TargetEffect::Accept | TargetEffect::Queue | TargetEffect::Rewrite | TargetEffect::Terminal
            )
        }
        Some(TargetKind::Unknown(_)) => true,
        _ => false,
    }
}

/// The rule may drop or reject its packets.
pub fn may_drop(rule: &Rule) -> bool {
    match rule.target.as_ref().map(|t| &t.kind) {
        Some(TargetKind::Ext(s)) => match s.effect {
            TargetEffect::Drop | TargetEffect::Reject | TargetEffect::Queue | TargetEffect::Terminal => true,
            // A REJECT not yet described to iptlint says "continue".
            TargetEffect::Continue => s.name == "REJECT",
            _ => false,
        },
        Some(TargetKind::Unknown(_)) => true,
        _ => false,
    }
}

/// What one built-in chain of the filter table does with packets, from the
/// reachability facts.
pub struct Verdicts<'a> {
    pub table: &'a Table,
    pub facts: &'a TableFacts,
    pub chain: &'a Chain,
    pub family: Family,
    format: Format,
    /// Rules of the chain and of every user chain it can reach.
    pub rules: Vec<usize>,
}

impl<'a> Verdicts<'a> {
    /// `None` when the table's facts are incomplete or the chain is not a
    /// built-in chain of the table.
    pub fn new(cx: &'a LintCx, ti: usize, name: &str) -> Option<Self> {
        let table = &cx.parsed.ruleset.tables[ti];
        let facts = &cx.facts()[ti];
        let chain = table.chain(name).filter(|c| c.is_builtin())?;
        if facts.incomplete {
            return None;
        }
        let mut seen: HashSet<&str> = HashSet::new();
        let mut todo = vec![chain.name.as_str()];
        let mut rules = Vec::new();
        while let Some(c) = todo.pop() {
            if !seen.insert(c) {
                continue;
            }
            let Some(ch) = table.chain(c) else { continue };
            for &ri in &ch.rules {
                rules.push(ri);
                if let Some(callee) = table.rules[ri].target.as_ref().and_then(|t| t.chain()) {
                    todo.push(callee);
                }
            }
        }
        Some(Verdicts {
            table,
            facts,
            chain,
            family: cx.parsed.ruleset.family,
            format: cx.parsed.ruleset.format,
            rules,
        })
    }

    pub fn hook(&self) -> Hook {
        self.chain.hook.expect("built-in")
    }

    pub fn policy_drops(&self) -> bool {
        matches!(self.chain.policy, Some((Policy::Drop, _)))
    }

    /// Packets of `b` that reach a rule chosen by `pick`, or the policy
    /// when `policy` says so.
    fn collect(&self, b: &PBox, pick: fn(&Rule) -> bool, policy: bool) -> PacketSet {
        let mut s = PacketSet::empty(self.family);
        for &ri in &self.rules {
            if pick(&self.table.rules[ri]) {
                s.union(&self.facts.rules[ri].hit.intersect_box(b));
            }
        }
        if policy {
            if let Some(p) = self.facts.to_policy.get(&self.chain.name) {
                s.union(&p.intersect_box(b));
            }
        }
        s
    }

    /// The policy may be DROP: set so, or unset in `iptables -S` output
    /// (which leaves it unknown). An unset policy in an iptables-save file
    /// is ACCEPT: nf_tables iptables-restore resets it.
    fn policy_may_drop(&self) -> bool {
        match &self.chain.policy {
            Some((p, _)) => *p == Policy::Drop,
            None => self.format != Format::Save,
        }
    }

    /// Packets of `b` that may be accepted (over-approximation).
    pub fn may_accept_set(&self, b: &PBox) -> PacketSet {
        self.collect(b, may_accept, !self.policy_drops())
    }

    /// Packets of `b` that may be dropped (over-approximation).
    pub fn may_drop_set(&self, b: &PBox) -> PacketSet {
        self.collect(b, may_drop, self.policy_may_drop())
    }

    fn within(&self, b: &PBox) -> Option<PBox> {
        b.intersect(&hook_entry(self.hook(), self.family))
    }

    /// Packets of `b` the chain certainly drops or rejects; `None` when the
    /// engine cannot tell (a set hit its cap).
    pub fn sure_drop(&self, b: &PBox) -> Option<PacketSet> {
        let Some(b) = self.within(b) else { return Some(PacketSet::empty(self.family)) };
        let acc = self.may_accept_set(&b);
        let mut s = PacketSet::from_box(self.family, b);
        s.subtract(&acc);
        (!s.truncated()).then_some(s)
    }

    /// Packets of `b` the chain certainly accepts; `None` when unsure.
    pub fn sure_accept(&self, b: &PBox) -> Option<PacketSet> {
        let Some(b) = self.within(b) else { return Some(PacketSet::empty(self.family)) };
        let drop = self.may_drop_set(&b);
        let mut s = PacketSet::from_box(self.family, b);
        s.subtract(&drop);
        (!s.truncated()).then_some(s)
    }

    /// Where the chain drops what nothing accepted: its DROP policy, or
    /// else the last rule that may drop packets of `set`.
    pub fn drop_site(&self, set: &PacketSet) -> Option<Span> {
        if let Some((Policy::Drop, span)) = &self.chain.policy {
            return Some(*span);
        }
        self.chain
            .rules
            .iter()
            .rev()
            .find(|&&ri| {
                may_drop(&self.table.rules[ri])
                    && set.boxes().iter().any(|b| self.facts.rules[ri].hit.intersects_box(b))
            })
            .map(|&ri| self.table.rules[ri].span)
    }
}

/// Interface names other than none and `lo`.
pub fn outside_ifaces() -> Intervals {
    let none = iface_range("").0;
    let lo = iface_range("lo").0;
    Intervals::range(0, u128::MAX).subtract(&Intervals::from_ranges([(none, none), (lo, lo)]))
}

/// Packets of a hook that come from or go to the network (not loopback),
/// whole (no non-first fragments).
pub fn probe(hook: Hook, family: Family) -> PBox {
    let mut b = hook_entry(hook, family);
    match hook {
        Hook::Input | Hook::Prerouting => b.restrict(Dim::InIface, &outside_ifaces()),
        Hook::Output | Hook::Postrouting => b.restrict(Dim::OutIface, &outside_ifaces()),
        Hook::Forward => {
            b.restrict(Dim::InIface, &outside_ifaces());
            b.restrict(Dim::OutIface, &outside_ifaces());
        }
    }
    b.set(Dim::Frag, Intervals::point(0));
    b
}

/// TCP flags of a SYN opening a connection.
pub fn syn_flags() -> Intervals {
    Intervals::point(0x02)
}

/// TCP flags of ordinary packets of an established connection (ACK,
/// ACK+PSH): hardening rules that drop odd flag combinations do not touch
/// them.
pub fn established_flags() -> Intervals {
    Intervals::from_ranges([(0x10, 0x10), (0x18, 0x18)])
}

fn ip_proto_name(n: u128) -> String {
    match n {
        1 => "icmp".into(),
        6 => "tcp".into(),
        17 => "udp".into(),
        58 => "ipv6-icmp".into(),
        n => format!("protocol {n}"),
    }
}

fn ports_text(iv: &Intervals) -> String {
    let runs: Vec<String> =
        iv.runs().iter().take(4).map(|&(a, b)| if a == b { a.to_string() } else { format!("{a}:{b}") }).collect();
    let more = if iv.runs().len() > 4 { ",…" } else { "" };
    format!("{}{more}", runs.join(","))
}

/// A short description of a packet box: protocol, then ports or ICMP type
/// where the box pins them down.
pub fn describe(b: &PBox, family: Family) -> String {
    let proto = b.get(Dim::Proto);
    let mut s = match proto.runs() {
        [(a, b)] if a == b => ip_proto_name(*a),
        [(6, 6), (17, 17)] => "tcp or udp".into(),
        _ => "packets".into(),
    };
    let full = |d: Dim| match d {
        // Port 0 aside, every port: nothing to say.
        Dim::Sport | Dim::Dport => Intervals::range(1, 65535).is_subset(b.get(d)),
        _ => b.get(d).is_full(d.max(family)),
    };
    if proto.runs().iter().all(|&(a, b)| (a == 6 || a == 17) && a == b) {
        if !full(Dim::Sport) {
            s.push_str(&format!(" from port {}", ports_text(b.get(Dim::Sport))));
        }
        if !full(Dim::Dport) {
            s.push_str(&format!(" to port {}", ports_text(b.get(Dim::Dport))));
        }
    }
    if matches!(proto.runs(), [(1, 1)] | [(58, 58)]) && !full(Dim::Icmp) {
        if let Some(v) = b.get(Dim::Icmp).min() {
            match (family, v >> 8, v & 0xff) {
                (Family::V4, 3, 4) => s.push_str(" fragmentation-needed"),
                (Family::V6, 2, 0) => s.push_str(" packet-too-big"),
                (_, t, c) => s.push_str(&format!(" type {t} code {c}")),
            }
        }
    }
    s
}

// ---------------------------------------------------------------------------
// The lint.

/// Local ports Linux picks for outgoing connections by default
/// (`net.ipv4.ip_local_port_range`).
const EPHEMERAL: (u128, u128) = (32768, 60999);

/// Boxes of a set, at most this many, for per-connection queries.
const MAX_BOXES: usize = 32;

fn states_of(r: &PBox) -> Vec<&'static str> {
    (0..state::COUNT).filter(|&v| r.get(Dim::State).contains(v)).map(|v| state::NAMES[v as usize]).collect()
}

fn state_full(r: &PBox) -> bool {
    r.get(Dim::State).is_full(state::COUNT - 1)
}

/// A rule of the chain itself that accepts every ESTABLISHED packet
/// reaching it: only its state is restricted.
fn general_accept(v: &Verdicts) -> Option<usize> {
    v.chain.rules.iter().copied().find(|&ri| {
        let f = &v.facts.rules[ri];
        let r = &f.matchset.region;
        let rule = &v.table.rules[ri];
        f.reached
            && f.matchset.exact()
            && matches!(rule.target.as_ref().map(|t| &t.kind), Some(TargetKind::Ext(s)) if s.effect == TargetEffect::Accept)
            && r.get(Dim::State).contains(state::ESTABLISHED)
            && Dim::ALL.iter().all(|&d| d == Dim::State || r.get(d).is_full(d.max(v.family)))
    })
}

/// A rule of the chain that accepts some state-matched traffic for some
/// ports only: `-p tcp --dport 22 -m state --state NEW,ESTABLISHED`.
fn per_port_state_rule(v: &Verdicts, ri: usize) -> bool {
    let f = &v.facts.rules[ri];
    let r = &f.matchset.region;
    let rule = &v.table.rules[ri];
    matches!(rule.target.as_ref().map(|t| &t.kind), Some(TargetKind::Ext(s)) if s.effect == TargetEffect::Accept)
        && !state_full(r)
        && r.get(Dim::State).contains(state::ESTABLISHED)
        && !(r.get(Dim::Sport).is_full(65535) && r.get(Dim::Dport).is_full(65535))
}

/// Remove the packets dropped by rules that name addresses (block lists,
/// anti-spoofing) or that drop everything of an interface (a quarantined
/// network): those drops are taken as intended.
fn without_intended_drops(v: &Verdicts, mut set: PacketSet) -> PacketSet {
    let full = |r: &PBox, d: Dim| r.get(d).is_full(d.max(v.family));
    for &ri in &v.rules {
        let f = &v.facts.rules[ri];
        let r = &f.matchset.region;
        let addresses = !full(r, Dim::Src) || !full(r, Dim::Dst);
        let ifaces = [Dim::InIface, Dim::OutIface];
        let blanket =
            ifaces.iter().any(|&d| !full(r, d)) && Dim::ALL.iter().all(|&d| ifaces.contains(&d) || full(r, d));
        if (addresses || blanket) && may_drop(&v.table.rules[ri]) {
            set.subtract(&f.hit);
        }
    }
    set
}

/// Reply box for a connection box `a` seen in `from`, as it appears in `to`.
fn reply_box(a: &PBox, to: Hook, family: Family) -> Option<PBox> {
    let mut r = PBox::full(family);
    r.set(Dim::Src, a.get(Dim::Dst).clone());
    r.set(Dim::Dst, a.get(Dim::Src).clone());
    r.set(Dim::Sport, a.get(Dim::Dport).clone());
    r.set(Dim::Dport, a.get(Dim::Sport).clone());
    r.set(Dim::Proto, a.get(Dim::Proto).clone());
    r.set(Dim::State, Intervals::point(state::ESTABLISHED));
    r.set(Dim::TcpFlags, established_flags());
    if to == Hook::Forward {
        r.set(Dim::InIface, a.get(Dim::OutIface).clone());
        r.set(Dim::OutIface, a.get(Dim::InIface).clone());
    }
    r.intersect(&probe(to, family))
}

/// ICMP errors ("fragmentation needed" / "packet too big") about a
/// connection, sent to the host at `host`.
fn icmp_error_box(host: &Intervals, to: Hook, family: Family) -> PBox {
    let mut r = probe(to, family);
    let (proto, icmp) = match family {
        Family::V4 => (1u128, (3u128 << 8) | 4),
        Family::V6 => (58, 2 << 8),
    };
    r.set(Dim::Proto, Intervals::point(proto));
    r.set(Dim::Icmp, Intervals::point(icmp));
    r.set(Dim::State, Intervals::point(state::RELATED));
    r.set(Dim::Dst, host.clone());
    r
}

/// New tcp/udp connections a chain lets through for sure.
fn accepted_connections(v: &Verdicts) -> Option<PacketSet> {
    let mut b = probe(v.hook(), v.family);
    b.set(Dim::State, Intervals::point(state::NEW));
    b.set(Dim::Proto, Intervals::from_ranges([(6, 6), (17, 17)]));
    b.set(Dim::TcpFlags, syn_flags());
    // Port 0 is never a connection's port.
    b.set(Dim::Sport, Intervals::range(1, 65535));
    b.set(Dim::Dport, Intervals::range(1, 65535));
    if v.hook() == Hook::Output {
        b.set(Dim::Sport, Intervals::range(EPHEMERAL.0, EPHEMERAL.1));
    }
    v.sure_accept(&b)
}

/// What a chain drops of the traffic it should let back.
struct Dropped {
    replies: PacketSet,
    errors: PacketSet,
}

fn union_sure_drop(v: &Verdicts, boxes: impl Iterator<Item = PBox>) -> Option<PacketSet> {
    let mut out = PacketSet::empty(v.family);
    for b in boxes {
        out.union(&v.sure_drop(&b)?);
    }
    (!out.truncated()).then_some(out)
}

pub fn check(cx: &LintCx) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let family = cx.parsed.ruleset.family;
    for (ti, table) in cx.parsed.ruleset.tables.iter().enumerate() {
        if table.name != "filter" {
            continue;
        }
        invalid_accepted(cx, ti, &mut out);
        let chains = ["INPUT", "OUTPUT", "FORWARD"].map(|n| Verdicts::new(cx, ti, n));
        let [Some(input), Some(output), Some(forward)] = &chains else { continue };
        // Connections each chain lets through, for sure.
        let Some(acc_in) = accepted_connections(input) else { continue };
        let Some(acc_out) = accepted_connections(output) else { continue };
        let Some(acc_fwd) = accepted_connections(forward) else { continue };
        let take = |s: &PacketSet| s.boxes().iter().take(MAX_BOXES).cloned().collect::<Vec<_>>();
        let (bi, bo, bf) = (take(&acc_in), take(&acc_out), take(&acc_fwd));

        // INPUT: replies to what OUTPUT sends; ICMP errors about both.
        let in_replies = union_sure_drop(input, bo.iter().filter_map(|a| reply_box(a, Hook::Input, family)));
        let in_errors = union_sure_drop(
            input,
            bi.iter()
                .map(|a| icmp_error_box(a.get(Dim::Dst), Hook::Input, family))
                .chain(bo.iter().map(|a| icmp_error_box(a.get(Dim::Src), Hook::Input, family))),
        );
        // OUTPUT: replies of the services INPUT accepts.
        let out_replies = union_sure_drop(output, bi.iter().filter_map(|a| reply_box(a, Hook::Output, family)));
        // FORWARD: replies and errors of what it forwards.
        let fwd_replies = union_sure_drop(forward, bf.iter().filter_map(|a| reply_box(a, Hook::Forward, family)));
        let fwd_errors = union_sure_drop(
            forward,
            bf.iter().map(|a| {
                let mut e = icmp_error_box(a.get(Dim::Src), Hook::Forward, family);
                e.set(Dim::InIface, a.get(Dim::OutIface).clone());
                e.set(Dim::OutIface, a.get(Dim::InIface).clone());
                e
            }),
        );
        let empty = || Some(PacketSet::empty(family));
        for (v, replies, errors, whose, errors_of) in [
            (input, in_replies, in_errors, "connections this host opens", "the host's connections"),
            (output, out_replies, empty(), "services `INPUT` accepts", ""),
            (forward, fwd_replies, fwd_errors, "connections it forwards", "the connections it forwards"),
        ] {
            let (Some(replies), Some(errors)) = (replies, errors) else { continue };
            let d = Dropped { replies: without_intended_drops(v, replies), errors: without_intended_drops(v, errors) };
            report_chain(v, &d, whose, errors_of, &mut out);
        }
    }
    out
}

fn report_chain(v: &Verdicts, d: &Dropped, whose: &str, errors_of: &str, out: &mut Vec<Diagnostic>) {
    if d.replies.is_empty() && d.errors.is_empty() {
        return;
    }
    let name = &v.chain.name;
    let eg = |s: &PacketSet| s.boxes().first().map(|b| describe(b, v.family)).unwrap_or_default();
    let mut what = Vec::new();
    if !d.replies.is_empty() {
        what.push(format!("replies to {whose} (e.g. ESTABLISHED {})", eg(&d.replies)));
    }
    if !d.errors.is_empty() {
        let about = if d.replies.is_empty() { errors_of } else { "them" };
        what.push(format!("RELATED ICMP errors about {about} (e.g. {})", eg(&d.errors)));
    }
    let what = what.join(" and ");
    let mut all = d.replies.clone();
    all.union(&d.errors);
    let general = general_accept(v);
    let per_port: Vec<usize> = v.chain.rules.iter().copied().filter(|&ri| per_port_state_rule(v, ri)).collect();
    let rule_line = format!("-A {name} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT");
    let general_has_related =
        general.is_some_and(|g| v.facts.rules[g].matchset.region.get(Dim::State).contains(state::RELATED));
    match general {
        Some(g) if d.errors.is_empty() || general_has_related => {
            // Everything reaching the general accept is accepted: the drops
            // happen before it.
            let rule = &v.table.rules[g];
            let droppers: Vec<usize> = v
                .rules
                .iter()
                .copied()
                .filter(|&ri| {
                    may_drop(&v.table.rules[ri]) && all.boxes().iter().any(|b| v.facts.rules[ri].hit.intersects_box(b))
                })
                .collect();
            let mut diag = Diagnostic::new(
                &ESTABLISHED_MISUSE,
                rule.span,
                format!("this general ESTABLISHED accept comes too late: earlier rules of `{name}` drop {what}"),
            )
            .note("move it to the top of the chain, before any rule that drops");
            for &ri in droppers.iter().take(8) {
                diag = diag.related(v.table.rules[ri].span, "drops them first");
            }
            out.push(diag);
        }
        _ => {
            let Some(site) = v.drop_site(&all) else { return };
            let mut diag = Diagnostic::new(
                &ESTABLISHED_MISUSE,
                site,
                format!("`{name}` drops {what}: no rule accepts RELATED,ESTABLISHED traffic in general"),
            );
            diag = match general {
                Some(g) => diag
                    .related(v.table.rules[g].span, "accepts ESTABLISHED but not RELATED")
                    .note("without RELATED ICMP errors path MTU discovery fails and connections hang on large packets"),
                None => diag.note(format!("accept answers once, near the top: `{rule_line}`")),
            };
            for &ri in per_port.iter().take(8) {
                diag = diag.related(v.table.rules[ri].span, "accepts established traffic for some ports only");
            }
            out.push(diag);
        }
    }
    if general.is_none() {
        for &ri in &per_port {
            let r = &v.facts.rules[ri].matchset.region;
            let states = states_of(r).join(",");
            let msg = if r.get(Dim::State).contains(state::NEW) {
                format!("`{states}` on a per-port rule: `{name}` accepts established traffic only where such a rule allows a new connection")
            } else {
                format!(
                    "`{states}` for some ports only: `{name}` drops the established traffic of every other connection"
                )
            };
            let note = if r.get(Dim::State).contains(state::NEW) {
                format!("accept answers once with `{rule_line}` and keep only the new connections here")
            } else {
                format!("accept answers once with `{rule_line}`; this rule is then not needed")
            };
            out.push(Diagnostic::new(&ESTABLISHED_MISUSE, v.table.rules[ri].span, msg).note(note));
        }
    }
}

/// Rules that accept packets in the INVALID state by their state match.
fn invalid_accepted(cx: &LintCx, ti: usize, out: &mut Vec<Diagnostic>) {
    let table = &cx.parsed.ruleset.tables[ti];
    let facts = &cx.facts()[ti];
    let family = cx.parsed.ruleset.family;
    for (ri, rule) in table.rules.iter().enumerate() {
        let f = &facts.rules[ri];
        let r = &f.matchset.region;
        let accepts = matches!(rule.target.as_ref().map(|t| &t.kind), Some(TargetKind::Ext(s)) if s.effect == TargetEffect::Accept);
        if !accepts || state_full(r) || !r.get(Dim::State).contains(state::INVALID) {
            continue;
        }
        let mut inv = PBox::full(family);
        inv.set(Dim::State, Intervals::point(state::INVALID));
        if !f.hit.intersects_box(&inv) {
            continue;
        }
        let span = rule.matches.iter().find(|m| m.name == "conntrack" || m.name == "state").map_or(rule.span, |m| {
            m.options.iter().fold(m.span, |s, o| Span::new(s.start.min(o.span.start), s.end.max(o.span.end)))
        });
        let states = states_of(r).join(",");
        out.push(
            Diagnostic::new(
                &ESTABLISHED_MISUSE,
                span,
                format!("rule accepts INVALID packets: its state match lets through {states}"),
            )
            .note("INVALID packets belong to no known connection; drop them early with `-m conntrack --ctstate INVALID -j DROP`"),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::{check_source, Config};
    use iptlint_parser::{parse, Family, ParseOptions};

    fn run(text: &str) -> Vec<(usize, String)> {
        let p = parse(text, &ParseOptions { family: Some(Family::V4), table: None });
        let config = Config { select: vec!["established-misuse".into()], ..Config::default() };
        check_source(&p, text, &config).iter().map(|d| (p.ruleset.line_of(d.span.start), d.message.clone())).collect()
    }

    const HEAD: &str = "*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n";

    #[test]
    fn correct_ruleset_is_silent() {
        let t = format!("{HEAD}-A INPUT -i lo -j ACCEPT\n-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n-A INPUT -m conntrack --ctstate INVALID -j DROP\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n");
        assert_eq!(run(&t), vec![]);
    }

    #[test]
    fn hardening_before_general_accept_is_silent() {
        let t = format!("{HEAD}-A INPUT -f -j DROP\n-A INPUT -p tcp --tcp-flags ALL NONE -j DROP\n-A INPUT -p tcp --tcp-flags SYN,FIN SYN,FIN -j DROP\n-A INPUT -p tcp ! --syn -m state --state NEW -j DROP\n-A INPUT -s 10.0.0.0/8 -i eth0 -j DROP\n-A INPUT -i eth9 -j DROP\n-A INPUT -p tcp --dport 23 -j DROP\n-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\nCOMMIT\n");
        assert_eq!(run(&t), vec![]);
    }

    #[test]
    fn no_established_accept() {
        let t = format!("{HEAD}-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n");
        let f = run(&t);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].0, 2);
        assert!(f[0].1.contains("replies to connections this host opens"), "{f:?}");
    }

    #[test]
    fn final_catch_all_drop() {
        let t = "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -i lo -j ACCEPT\n-A INPUT -p tcp --dport 22 -j ACCEPT\n-A INPUT -j DROP\nCOMMIT\n";
        let f = run(t);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].0, 5);
        assert!(f[0].1.contains("replies to connections this host opens"), "{f:?}");
    }

    #[test]
    fn port_zero_hardening_is_silent() {
        let t = "*filter\n:INPUT DROP [0:0]\n:OUTPUT DROP [0:0]\n-A INPUT -p tcp --sport 0 -j DROP\n-A INPUT -p udp --dport 0 -j DROP\n-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n-A INPUT -p tcp --dport 22 -j ACCEPT\n-A OUTPUT -p tcp --dport 0 -j DROP\n-A OUTPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n-A OUTPUT -j ACCEPT\nCOMMIT\n";
        assert_eq!(run(t), vec![]);
    }

    #[test]
    fn established_only_general_accept_drops_related() {
        let t = format!("{HEAD}-A INPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n");
        let f = run(&t);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].0, 2);
        assert!(f[0].1.starts_with("`INPUT` drops RELATED ICMP errors"), "{f:?}");
        let ok = format!("{HEAD}-A INPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT\n-A INPUT -p icmp -j ACCEPT\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n");
        assert_eq!(run(&ok), vec![]);
    }

    #[test]
    fn udp_drop_before_general_accept() {
        let t = format!(
            "{HEAD}-A INPUT -p udp -j DROP\n-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\nCOMMIT\n"
        );
        let f = run(&t);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].0, 6);
        assert!(f[0].1.contains("too late"), "{f:?}");
    }

    #[test]
    fn output_drops_service_replies() {
        let t = "*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT DROP [0:0]\n-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n-A INPUT -p tcp -m multiport --dports 22,80 -j ACCEPT\n-A OUTPUT -p tcp --sport 22 -m state --state ESTABLISHED -j ACCEPT\nCOMMIT\n";
        let f = run(t);
        assert_eq!(f.len(), 2, "{f:?}");
        assert!(f[0].1.contains("replies to services `INPUT` accepts (e.g. ESTABLISHED tcp from port 80)"), "{f:?}");
        assert_eq!(f[1].0, 7);
    }

    #[test]
    fn strict_output_without_services_is_silent() {
        let t = "*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT DROP [0:0]\n-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n-A OUTPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n-A OUTPUT -p udp --dport 53 -j ACCEPT\nCOMMIT\n";
        assert_eq!(run(t), vec![]);
    }

    #[test]
    fn may_match_accept_keeps_quiet() {
        // The limit may accept the replies: nothing is certain.
        let t = format!("{HEAD}-A INPUT -m limit --limit 100/s -j ACCEPT\nCOMMIT\n");
        assert_eq!(run(&t), vec![]);
    }

    #[test]
    fn invalid_accepted() {
        let t = format!(
            "{HEAD}-A INPUT -m conntrack ! --ctstate NEW -j ACCEPT\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n"
        );
        let f = run(&t);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].1.contains("INVALID"), "{f:?}");
    }

    #[test]
    fn forward_replies() {
        let t = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A FORWARD -i eth1 -o eth0 -j ACCEPT\nCOMMIT\n";
        let f = run(t);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].1.contains("connections it forwards"), "{f:?}");
        let ok = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n-A FORWARD -i eth1 -o eth0 -j ACCEPT\nCOMMIT\n";
        assert_eq!(run(ok), vec![]);
    }
}
