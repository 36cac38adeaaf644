//! `explain`: follow one concrete packet through the ruleset the way the
//! kernel does, hook by hook and table by table (PREROUTING raw → mangle →
//! nat, then INPUT mangle → filter → security → nat, or FORWARD mangle →
//! filter → security, then POSTROUTING mangle → nat; OUTPUT raw → mangle →
//! nat → filter → security), following jumps, gotos and RETURN, applying
//! DNAT/SNAT/MARK/NOTRACK to the later matches, and the built-in policies.
//!
//! Every rule met is recorded as matched, not matched (with the first
//! condition that failed and why) or *unknown* (a condition that depends on
//! state the file does not fix: rates, quotas, ipsets, …). The walk follows
//! the path where unknown conditions do not fire, and lists the verdicts
//! the packet would get if one of them did fire as alternatives.

mod compile;
pub mod packet;
mod render;

use std::net::IpAddr;
use std::sync::Arc;

/// A table, chain or target name, shared between the compiled ruleset and
/// the traces.
pub type Name = Arc<str>;

use iptlint_parser::ext::Hook;
use iptlint_parser::model::{Policy, Ruleset};
use iptlint_parser::Family;

use compile::{addr_of, addr_text, describe, Action, CChain, CRule, CTable};
pub use compile::{rule_conds, Cond, Test};
pub use packet::{Packet, PacketFields, Path};
pub use render::render_human;

use crate::space::{iface_range, state, Dim, DIMS};

/// Whether a rule matched the packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Matched {
    Yes,
    No,
    /// Depends on state the file does not fix.
    Unknown,
}

/// One rule met on the way.
#[derive(Clone, Debug)]
pub struct TraceRule {
    pub table: Name,
    pub chain: Name,
    /// 1-based line in the file.
    pub line: usize,
    /// 1-based position in its chain.
    pub rule: usize,
    pub matched: Matched,
    pub target: Name,
    /// The first condition that failed, and why.
    pub failed: Option<String>,
    /// For an unknown outcome: the conditions that cannot be decided.
    pub unknown: Vec<String>,
    /// For an ACCEPT rule that did not match: every condition that failed.
    pub all_failed: Vec<String>,
    /// Conditions the packet met on the way to the rule: the rule's own
    /// and those of the jumps that led to its chain.
    pub met: usize,
    /// Call depth (0 in the built-in chain).
    pub depth: usize,
}

/// A step of the walk, for the human trace.
#[derive(Clone, Debug)]
pub enum Step {
    Hook(Hook),
    /// A table's built-in chain is entered.
    Table {
        table: String,
        chain: String,
    },
    /// A table the packet does not traverse.
    SkipTable {
        table: String,
        reason: String,
    },
    /// A user chain is entered by a jump (or a goto).
    Enter {
        chain: String,
        depth: usize,
        goto: bool,
    },
    Rule(TraceRule),
    /// Back from a user chain (RETURN or its end).
    Return {
        chain: String,
        depth: usize,
    },
    /// The built-in chain's policy applies.
    Policy {
        table: String,
        chain: String,
        policy: String,
    },
    Note(String),
}

/// What decided the verdict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecidedBy {
    Rule { table: Name, chain: Name, line: usize, rule: usize },
    Policy { table: Name, chain: Name, policy: &'static str },
}

/// A header field changed by a target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rewrite {
    pub table: Name,
    pub chain: Name,
    pub line: usize,
    pub target: Name,
    pub field: &'static str,
    pub from: String,
    pub to: String,
}

/// The verdict the packet would get if an undecidable rule fired.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alternative {
    pub verdict: String,
    pub decided_by: Option<DecidedBy>,
    /// The rule whose firing leads there.
    pub if_fires: DecidedBy,
}

/// An ACCEPT rule that would have let the packet through.
#[derive(Clone, Debug)]
pub struct NearAccept {
    pub table: Name,
    pub chain: Name,
    pub line: usize,
    pub rule: usize,
    pub failed: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct Explanation {
    pub packet: Packet,
    pub path: Path,
    pub verdict: String,
    pub decided_by: Option<DecidedBy>,
    /// Every step (with `trace_all`), or only the rules that matched or
    /// may match.
    pub steps: Vec<Step>,
    pub rewrites: Vec<Rewrite>,
    pub alternatives: Vec<Alternative>,
    pub nearest_accepts: Vec<NearAccept>,
    /// Rules evaluated (a chain index skips the rules that cannot match).
    pub evaluated: usize,
}

impl Explanation {
    pub fn trace(&self) -> impl Iterator<Item = &TraceRule> {
        self.steps.iter().filter_map(|s| match s {
            Step::Rule(r) => Some(r),
            _ => None,
        })
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Record every rule met (and chain entries); otherwise only the rules
    /// that matched or may match.
    pub trace_all: bool,
    /// Look for the verdicts of undecidable rules firing.
    pub alternatives: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options { trace_all: true, alternatives: true }
    }
}

/// A ruleset compiled for explaining packets.
pub struct Explainer {
    family: Family,
    tables: Vec<CTable>,
    /// Per hook, in order: (table, built-in chain) of the tables that have it.
    hook_chains: [Vec<(usize, usize)>; 5],
}

/// Tables in the order they see a hook.
fn hook_tables(hook: Hook) -> &'static [&'static str] {
    match hook {
        Hook::Prerouting => &["raw", "mangle", "nat"],
        Hook::Input => &["mangle", "filter", "security", "nat"],
        Hook::Forward => &["mangle", "filter", "security"],
        Hook::Output => &["raw", "mangle", "nat", "filter", "security"],
        Hook::Postrouting => &["mangle", "nat"],
    }
}

fn hooks(path: Path) -> &'static [Hook] {
    match path {
        Path::LocalIn => &[Hook::Prerouting, Hook::Input],
        Path::Forward => &[Hook::Prerouting, Hook::Forward, Hook::Postrouting],
        Path::LocalOut => &[Hook::Output, Hook::Postrouting],
    }
}

/// (table, chain, position) of a rule in the compiled tables.
type RuleRef = (usize, usize, usize);

/// The packet as the walk sees it at one point.
struct Cx {
    family: Family,
    path: Path,
    hook: Hook,
    point: [u128; DIMS],
    /// The packet as conntrack first saw it (the original tuple).
    orig: [u128; DIMS],
    dnat: bool,
    snat: bool,
    iface: u128,
    oface: u128,
}

impl Cx {
    fn enter_hook(&mut self, hook: Hook) {
        self.hook = hook;
        let none = iface_range("").0;
        let (i, o) = match hook {
            Hook::Prerouting | Hook::Input => (self.iface, none),
            Hook::Forward => (self.iface, self.oface),
            Hook::Output => (none, self.oface),
            Hook::Postrouting => (if self.path == Path::Forward { self.iface } else { none }, self.oface),
        };
        self.point[Dim::InIface as usize] = i;
        self.point[Dim::OutIface as usize] = o;
    }

    fn get(&self, d: Dim) -> u128 {
        self.point[d as usize]
    }

    fn addr(&self, d: Dim) -> String {
        addr_text(self.get(d), self.family)
    }

    /// The routing type of the source or destination, when known.
    fn addr_type(&self, src: bool) -> Option<&'static str> {
        let v = self.get(if src { Dim::Src } else { Dim::Dst });
        let multicast = match self.family {
            Family::V4 => (v >> 28) == 0xe,
            Family::V6 => (v >> 120) == 0xff,
        };
        if multicast {
            return Some("MULTICAST");
        }
        if self.family == Family::V4 && v == u32::MAX as u128 {
            return Some("BROADCAST");
        }
        let local = if src {
            match self.path {
                Path::LocalOut if !self.snat => Some(true),
                Path::LocalOut => None,
                _ => Some(false),
            }
        } else {
            match (self.path, self.dnat, self.hook) {
                (Path::LocalOut, _, _) => Some(self.oface == iface_range("lo").0),
                (Path::LocalIn, _, _) => Some(true),
                // Before the nat table of PREROUTING the destination may be
                // a local address that DNAT sends on.
                (Path::Forward, false, Hook::Prerouting) => None,
                (Path::Forward, _, _) => Some(false),
            }
        };
        local.map(|l| if l { "LOCAL" } else { "UNICAST" })
    }
}

/// The outcome of one condition, before negation.
enum Eval<'a> {
    Yes,
    No,
    Unknown(std::borrow::Cow<'a, str>),
}

fn unk(s: String) -> Eval<'static> {
    Eval::Unknown(std::borrow::Cow::Owned(s))
}

fn eval<'a>(c: &'a Cond, cx: &Cx) -> Eval<'a> {
    let b = |x: bool| if x { Eval::Yes } else { Eval::No };
    match &c.test {
        Test::In(d, iv) => b(iv.contains(cx.get(*d))),
        Test::EitherPort(iv) => b(iv.contains(cx.get(Dim::Sport)) || iv.contains(cx.get(Dim::Dport))),
        Test::Mark { value, mask } => b((cx.get(Dim::Mark) as u32) & mask == *value),
        Test::CtState { states, snat, dnat } => {
            let st = cx.get(Dim::State);
            if states.contains(st) || (*dnat && cx.dnat) || (*snat && cx.snat) {
                Eval::Yes
            } else if (*dnat || *snat) && matches!(st, state::ESTABLISHED | state::RELATED) {
                unk(format!("`{}`: whether the connection was NATed is not known", c.text))
            } else {
                Eval::No
            }
        }
        Test::CtOrig(d, iv) => match cx.get(Dim::State) {
            state::NEW => b(iv.contains(cx.orig[*d as usize])),
            _ => unk(format!("`{}`: the connection's original tuple is not known", c.text)),
        },
        Test::AddrType { src, types } => match cx.addr_type(*src) {
            Some(t) => b(types.iter().any(|x| x == t)),
            None => unk(format!(
                "`{}`: whether {} is a local address is not known",
                c.text,
                cx.addr(if *src { Dim::Src } else { Dim::Dst })
            )),
        },
        Test::PktType(t) => {
            if cx.path == Path::LocalOut {
                return unk(format!("`{}`: the link-layer type of a local packet is not modelled", c.text));
            }
            let ty = match cx.addr_type(false) {
                Some("MULTICAST") => "multicast",
                Some("BROADCAST") => "broadcast",
                _ => "unicast",
            };
            b(t == ty)
        }
        Test::Unknown(why) => Eval::Unknown(std::borrow::Cow::Borrowed(why)),
    }
}

/// Why a condition that was evaluated stopped the rule.
fn fail_reason(c: &Cond, cx: &Cx) -> String {
    let t = &c.text;
    let f = cx.family;
    match &c.test {
        Test::In(d @ (Dim::Src | Dim::Dst), _) => {
            format!("{t}: {} is {}", cx.addr(*d), if c.negated { "inside" } else { "outside" })
        }
        Test::In(Dim::Proto, _) => format!("{t}: packet is {}", describe(Dim::Proto, cx.get(Dim::Proto), f)),
        Test::In(Dim::Sport, _) => format!("{t}: source port is {}", cx.get(Dim::Sport)),
        Test::In(Dim::Dport, _) => format!("{t}: destination port is {}", cx.get(Dim::Dport)),
        Test::In(d @ (Dim::InIface | Dim::OutIface), _) => {
            let v = cx.get(*d);
            let hook = cx.hook.chain_name();
            match (d, v == 0) {
                (Dim::InIface, true) => format!("{t}: packet has no input interface in {hook}"),
                (Dim::InIface, false) => format!("{t}: packet came in on {}", describe(*d, v, f)),
                (_, true) => format!("{t}: packet has no output interface in {hook}"),
                _ => format!("{t}: packet goes out on {}", describe(*d, v, f)),
            }
        }
        Test::In(Dim::State, _) => format!("{t}: state is {}", describe(Dim::State, cx.get(Dim::State), f)),
        Test::In(Dim::Icmp, _) => format!("{t}: ICMP type/code is {}", describe(Dim::Icmp, cx.get(Dim::Icmp), f)),
        Test::In(Dim::TcpFlags, _) => format!("{t}: flags are {}", describe(Dim::TcpFlags, cx.get(Dim::TcpFlags), f)),
        Test::In(Dim::Frag, _) => format!("{t}: packet is {}", describe(Dim::Frag, cx.get(Dim::Frag), f)),
        Test::In(Dim::Mark, _) | Test::Mark { .. } => format!("{t}: mark is {:#x}", cx.get(Dim::Mark)),
        Test::EitherPort(_) => format!("{t}: ports are {} and {}", cx.get(Dim::Sport), cx.get(Dim::Dport)),
        Test::CtState { dnat, snat, .. } => {
            let mut s = format!("{t}: state is {}", describe(Dim::State, cx.get(Dim::State), f));
            if *dnat && !cx.dnat {
                s.push_str(", not DNATed");
            }
            if *snat && !cx.snat {
                s.push_str(", not SNATed");
            }
            s
        }
        Test::CtOrig(d, _) => format!("{t}: original value is {}", describe(*d, cx.orig[*d as usize], f)),
        Test::AddrType { src, .. } => {
            let d = if *src { Dim::Src } else { Dim::Dst };
            format!("{t}: {} is {}", cx.addr(d), cx.addr_type(*src).unwrap_or("?"))
        }
        Test::PktType(_) => format!("{t}: packet is {}", cx.addr_type(false).unwrap_or("unicast").to_lowercase()),
        Test::Unknown(w) => w.clone(),
    }
}

struct RuleEval {
    matched: Matched,
    failed: Option<String>,
    unknown: Vec<String>,
}

fn eval_rule(r: &CRule, cx: &Cx, forced: bool, details: bool) -> RuleEval {
    let mut unknown = Vec::new();
    for c in &r.conds {
        match eval(c, cx) {
            Eval::Yes if !c.negated => {}
            Eval::No if c.negated => {}
            Eval::Unknown(why) => {
                if details {
                    unknown.push(why.into_owned());
                } else if unknown.is_empty() {
                    unknown.push(String::new());
                }
            }
            _ => {
                let failed = details.then(|| fail_reason(c, cx));
                return RuleEval { matched: Matched::No, failed, unknown: Vec::new() };
            }
        }
    }
    let matched = if unknown.is_empty() || forced { Matched::Yes } else { Matched::Unknown };
    RuleEval { matched, failed: None, unknown }
}

fn all_failed(r: &CRule, cx: &Cx) -> Vec<String> {
    // Port, flag and ICMP conditions say nothing once `-p` failed.
    let proto_failed = r
        .conds
        .iter()
        .any(|c| matches!(&c.test, Test::In(Dim::Proto, iv) if iv.contains(cx.get(Dim::Proto)) == c.negated));
    r.conds
        .iter()
        .filter(|c| {
            !(proto_failed
                && matches!(
                    c.test,
                    Test::In(Dim::Sport | Dim::Dport | Dim::TcpFlags | Dim::Icmp, _) | Test::EitherPort(_)
                ))
        })
        .filter(|c| match eval(c, cx) {
            Eval::Yes => c.negated,
            Eval::No => !c.negated,
            Eval::Unknown(_) => false,
        })
        .map(|c| fail_reason(c, cx))
        .collect()
}

/// What a table's walk ended with.
enum TableEnd {
    Accept(DecidedBy),
    Final(String, DecidedBy),
}

struct Run {
    trace_all: bool,
    forced: Option<RuleRef>,
    steps: Vec<Step>,
    rewrites: Vec<Rewrite>,
    unknowns: Vec<RuleRef>,
    evaluated: usize,
    /// Record the rewrites (not in the runs that look for alternatives).
    record: bool,
}

fn policy_name(p: &Option<Policy>) -> &'static str {
    match p {
        Some(Policy::Drop) => "DROP",
        _ => "ACCEPT",
    }
}

impl Explainer {
    pub fn new(ruleset: &Ruleset) -> Explainer {
        let tables: Vec<CTable> = ruleset.tables.iter().map(|t| compile::compile_table(ruleset, t)).collect();
        let hook_chains = Hook::ALL.map(|hook| {
            hook_tables(hook)
                .iter()
                .filter_map(|name| {
                    let ti = tables.iter().position(|t| &*t.name == *name)?;
                    let ci = *tables[ti].by_name.get(hook.chain_name())?;
                    Some((ti, ci))
                })
                .collect()
        });
        Explainer { family: ruleset.family, tables, hook_chains }
    }

    pub fn family(&self) -> Family {
        self.family
    }

    pub fn explain(&self, packet: &Packet, opts: &Options) -> Explanation {
        let mut run = Run {
            trace_all: opts.trace_all,
            forced: None,
            steps: Vec::with_capacity(16),
            rewrites: Vec::new(),
            unknowns: Vec::new(),
            evaluated: 0,
            record: true,
        };
        let (verdict, decided_by) = self.walk(packet, &mut run);
        let mut alternatives: Vec<Alternative> = Vec::new();
        if opts.alternatives {
            let mut seen = Vec::new();
            for &u in run.unknowns.iter() {
                if seen.contains(&u) || seen.len() >= 16 {
                    continue;
                }
                seen.push(u);
                let mut alt = Run {
                    trace_all: false,
                    forced: Some(u),
                    steps: Vec::new(),
                    rewrites: Vec::new(),
                    unknowns: Vec::new(),
                    evaluated: 0,
                    record: false,
                };
                let (v, d) = self.walk(packet, &mut alt);
                if (v.as_str(), &d) != (verdict.as_str(), &decided_by)
                    && !alternatives.iter().any(|a| a.verdict == v && a.decided_by == d)
                {
                    alternatives.push(Alternative { verdict: v, decided_by: d, if_fires: self.rule_ref(u) });
                }
            }
        }
        let mut nearest_accepts = Vec::new();
        if matches!(verdict.as_str(), "DROP" | "REJECT") {
            let mut cands: Vec<(NearAccept, usize)> = run
                .steps
                .iter()
                .filter_map(|s| match s {
                    Step::Rule(r) if r.matched == Matched::No && !r.all_failed.is_empty() => Some((
                        NearAccept {
                            table: r.table.clone(),
                            chain: r.chain.clone(),
                            line: r.line,
                            rule: r.rule,
                            failed: r.all_failed.clone(),
                        },
                        r.met,
                    )),
                    _ => None,
                })
                .collect();
            cands.sort_by_key(|n| (n.0.failed.len(), std::cmp::Reverse(n.1)));
            nearest_accepts = cands.into_iter().take(3).map(|c| c.0).collect();
        }
        Explanation {
            packet: packet.clone(),
            path: packet.path(),
            verdict,
            decided_by,
            steps: run.steps,
            rewrites: run.rewrites,
            alternatives,
            nearest_accepts,
            evaluated: run.evaluated,
        }
    }

    fn rule_ref(&self, (t, c, p): RuleRef) -> DecidedBy {
        let table = &self.tables[t];
        let chain = &table.chains[c];
        DecidedBy::Rule { table: table.name.clone(), chain: chain.name.clone(), line: chain.rules[p].line, rule: p + 1 }
    }

    fn walk(&self, p: &Packet, run: &mut Run) -> (String, Option<DecidedBy>) {
        let mut point = [0u128; DIMS];
        point[Dim::Src as usize] = addr_of(p.src);
        point[Dim::Dst as usize] = addr_of(p.dst);
        point[Dim::Proto as usize] = p.proto as u128;
        point[Dim::Sport as usize] = p.sport as u128;
        point[Dim::Dport as usize] = p.dport as u128;
        point[Dim::State as usize] = p.state;
        point[Dim::Icmp as usize] = ((p.icmp.0 as u128) << 8) | p.icmp.1 as u128;
        point[Dim::TcpFlags as usize] = p.tcp_flags as u128;
        point[Dim::Mark as usize] = p.mark as u128;
        let mut cx = Cx {
            family: p.family,
            path: p.path(),
            hook: Hook::Prerouting,
            point,
            orig: point,
            dnat: false,
            snat: false,
            iface: iface_range(p.iface.as_deref().unwrap_or("")).0,
            oface: iface_range(p.oface.as_deref().unwrap_or("")).0,
        };
        let mut accepted: Option<DecidedBy> = None;
        let mut filter_accept: Option<DecidedBy> = None;
        for &hook in hooks(cx.path) {
            cx.enter_hook(hook);
            let mut hook_shown = false;
            for &(ti, ci) in &self.hook_chains[hook as usize] {
                let tname: &str = &self.tables[ti].name;
                if run.trace_all && !hook_shown {
                    run.steps.push(Step::Hook(hook));
                    hook_shown = true;
                }
                if tname == "nat" && !matches!(cx.get(Dim::State), state::NEW | state::RELATED) {
                    if run.trace_all {
                        run.steps.push(Step::SkipTable {
                            table: tname.into(),
                            reason: format!(
                                "only the first packet of a connection traverses nat (this one is {})",
                                state::NAMES[cx.get(Dim::State) as usize]
                            ),
                        });
                    }
                    continue;
                }
                if run.trace_all {
                    run.steps.push(Step::Table { table: tname.to_string(), chain: hook.chain_name().into() });
                }
                match self.walk_table(ti, ci, &mut cx, run) {
                    TableEnd::Final(v, d) => return (v, Some(d)),
                    TableEnd::Accept(d) => {
                        if tname == "filter" {
                            filter_accept = Some(d.clone());
                        }
                        accepted = Some(d);
                    }
                }
            }
        }
        ("ACCEPT".into(), filter_accept.or(accepted))
    }

    /// Next rule position at or after `from` that may match (all of them
    /// when tracing every rule).
    fn next_pos(&self, chain: &CChain, from: usize, cx: &Cx, trace_all: bool) -> usize {
        let Some(ix) = chain.index.as_ref().filter(|_| !trace_all) else { return from };
        let next = |v: &[u32]| {
            let i = v.partition_point(|&p| (p as usize) < from);
            v.get(i).map_or(usize::MAX, |&p| p as usize)
        };
        let a = ix.points.get(&cx.get(ix.dim)).map_or(usize::MAX, |v| next(v));
        next(&ix.rest).min(a).min(chain.rules.len())
    }

    fn walk_table(&self, ti: usize, start: usize, cx: &mut Cx, run: &mut Run) -> TableEnd {
        let table = &self.tables[ti];
        // Return points: chain, position, conditions met, display depth.
        let mut stack: Vec<(usize, usize, usize, usize)> = Vec::new();
        let (mut ci, mut pos, mut inherited, mut depth) = (start, 0usize, 0usize, 0usize);
        let policy = |run: &mut Run| {
            let chain = &table.chains[start];
            let p = policy_name(&chain.policy);
            if run.trace_all {
                run.steps.push(Step::Policy {
                    table: table.name.to_string(),
                    chain: chain.name.to_string(),
                    policy: p.into(),
                });
            }
            let d = DecidedBy::Policy { table: table.name.clone(), chain: chain.name.clone(), policy: p };
            if p == "ACCEPT" {
                TableEnd::Accept(d)
            } else {
                TableEnd::Final(p.into(), d)
            }
        };
        loop {
            let chain = &table.chains[ci];
            pos = self.next_pos(chain, pos, cx, run.trace_all);
            if pos >= chain.rules.len() {
                // Off the end: back to the caller, or the policy.
                match stack.pop() {
                    Some((c, p, inh, d)) => {
                        if run.trace_all {
                            run.steps.push(Step::Return { chain: chain.name.to_string(), depth });
                        }
                        (ci, pos, inherited, depth) = (c, p, inh, d);
                        continue;
                    }
                    None => return policy(run),
                }
            }
            let r = &chain.rules[pos];
            let here = (ti, ci, pos);
            let forced = run.forced == Some(here);
            let ev = eval_rule(r, cx, forced, run.trace_all);
            run.evaluated += 1;
            if ev.matched == Matched::Unknown {
                run.unknowns.push(here);
            }
            if run.trace_all || (run.record && ev.matched != Matched::No) {
                let all_failed = if run.trace_all && ev.matched == Matched::No && r.action == Action::Accept {
                    all_failed(r, cx)
                } else {
                    Vec::new()
                };
                let met = inherited + r.conds.len() - all_failed.len();
                run.steps.push(Step::Rule(TraceRule {
                    table: table.name.clone(),
                    chain: chain.name.clone(),
                    line: r.line,
                    rule: pos + 1,
                    matched: if forced { Matched::Yes } else { ev.matched },
                    target: r.target.clone(),
                    failed: ev.failed,
                    unknown: ev.unknown,
                    all_failed,
                    met,
                    depth,
                }));
            }
            pos += 1;
            if ev.matched != Matched::Yes {
                continue;
            }
            let by =
                || DecidedBy::Rule { table: table.name.clone(), chain: chain.name.clone(), line: r.line, rule: pos };
            match &r.action {
                Action::Accept => return TableEnd::Accept(by()),
                Action::Drop => return TableEnd::Final("DROP".into(), by()),
                Action::Reject => return TableEnd::Final("REJECT".into(), by()),
                Action::Final(v) => return TableEnd::Final(v.clone(), by()),
                Action::Missing(c) => {
                    if run.trace_all {
                        run.steps.push(Step::Note(format!("chain `{c}` does not exist: the file does not load")));
                    }
                }
                Action::Return => match stack.pop() {
                    Some((c, p, inh, d)) => {
                        if run.trace_all {
                            run.steps.push(Step::Return { chain: chain.name.to_string(), depth });
                        }
                        (ci, pos, inherited, depth) = (c, p, inh, d);
                    }
                    None => return policy(run),
                },
                Action::Jump(c) | Action::Goto(c) => {
                    let goto = matches!(r.action, Action::Goto(_));
                    if stack.len() >= 64 {
                        if run.trace_all {
                            run.steps.push(Step::Note("jumps nest deeper than 64 chains: stopped".into()));
                        }
                        return policy(run);
                    }
                    if !goto {
                        stack.push((ci, pos, inherited, depth));
                    }
                    inherited += r.conds.len();
                    depth += 1;
                    if run.trace_all {
                        run.steps.push(Step::Enter { chain: table.chains[*c].name.to_string(), depth, goto });
                    }
                    (ci, pos) = (*c, 0);
                }
                Action::Mark { clear, or, xor } => {
                    let old = cx.get(Dim::Mark) as u32;
                    let new = ((old & !clear) | or) ^ xor;
                    if new != old {
                        self.rewrite(run, table, chain, r, "mark", format!("{old:#x}"), format!("{new:#x}"));
                    }
                    cx.point[Dim::Mark as usize] = new as u128;
                }
                Action::NoTrack => {
                    let old = cx.get(Dim::State);
                    if old != state::UNTRACKED {
                        self.rewrite(
                            run,
                            table,
                            chain,
                            r,
                            "state",
                            state::NAMES[old as usize].into(),
                            "UNTRACKED".into(),
                        );
                    }
                    cx.point[Dim::State as usize] = state::UNTRACKED;
                }
                Action::Dnat { addr, port, to } => {
                    let from = self.ep(run.record, cx, Dim::Dst, Dim::Dport);
                    if let Some(a) = addr {
                        cx.point[Dim::Dst as usize] = addr_of(*a);
                    }
                    if let Some(p) = port {
                        cx.point[Dim::Dport as usize] = *p as u128;
                    }
                    cx.dnat = true;
                    let mut new = self.ep(run.record, cx, Dim::Dst, Dim::Dport);
                    if to.contains('-') {
                        new.push_str(&format!(" (one of {to})"));
                    }
                    self.rewrite(run, table, chain, r, "dst", from, new);
                    if cx.path == Path::LocalIn && addr.is_some() && run.trace_all {
                        run.steps.push(Step::Note(
                            "after DNAT the kernel routes the packet again: if the new address is not local, it is forwarded (give `out IFACE` to follow that path)".into(),
                        ));
                    }
                    return TableEnd::Accept(by());
                }
                Action::Snat { addr, port, to } => {
                    let from = self.ep(run.record, cx, Dim::Src, Dim::Sport);
                    if let Some(a) = addr {
                        cx.point[Dim::Src as usize] = addr_of(*a);
                    }
                    if let Some(p) = port {
                        cx.point[Dim::Sport as usize] = *p as u128;
                    }
                    cx.snat = true;
                    let mut new = self.ep(run.record, cx, Dim::Src, Dim::Sport);
                    if to.contains('-') {
                        new.push_str(&format!(" (one of {to})"));
                    }
                    self.rewrite(run, table, chain, r, "src", from, new);
                    return TableEnd::Accept(by());
                }
                Action::Masquerade { port } => {
                    let from = self.ep(run.record, cx, Dim::Src, Dim::Sport);
                    if let Some(p) = port {
                        cx.point[Dim::Sport as usize] = *p as u128;
                    }
                    cx.snat = true;
                    let oif = describe(Dim::OutIface, cx.oface, cx.family);
                    let new = match port {
                        Some(p) => format!("an address of {oif}, port {p}"),
                        None => format!("an address of {oif}"),
                    };
                    self.rewrite(run, table, chain, r, "src", from, new);
                    return TableEnd::Accept(by());
                }
                Action::Redirect { port } => {
                    let from = self.ep(run.record, cx, Dim::Dst, Dim::Dport);
                    if let Some(p) = port {
                        cx.point[Dim::Dport as usize] = *p as u128;
                    }
                    cx.dnat = true;
                    let new = if cx.hook == Hook::Output {
                        let lo: IpAddr = if cx.family == Family::V4 {
                            std::net::Ipv4Addr::LOCALHOST.into()
                        } else {
                            std::net::Ipv6Addr::LOCALHOST.into()
                        };
                        cx.point[Dim::Dst as usize] = addr_of(lo);
                        self.ep(run.record, cx, Dim::Dst, Dim::Dport)
                    } else {
                        let iif = describe(Dim::InIface, cx.iface, cx.family);
                        format!("the primary address of {iif}, port {}", cx.get(Dim::Dport))
                    };
                    self.rewrite(run, table, chain, r, "dst", from, new);
                    return TableEnd::Accept(by());
                }
                Action::Netmap { net } => {
                    let (d, field) = match cx.hook {
                        Hook::Prerouting | Hook::Output => (Dim::Dst, "dst"),
                        _ => (Dim::Src, "src"),
                    };
                    let from = cx.addr(d);
                    if let Some(n) = net {
                        let bits = if cx.family == Family::V4 { 32 } else { 128 };
                        let host_mask: u128 = if n.prefix_len() as u32 >= bits {
                            0
                        } else {
                            (1u128 << (bits - n.prefix_len() as u32)) - 1
                        };
                        let v = (addr_of(n.network()) & !host_mask) | (cx.get(d) & host_mask);
                        cx.point[d as usize] = v;
                    }
                    if d == Dim::Dst {
                        cx.dnat = true;
                    } else {
                        cx.snat = true;
                    }
                    let to = cx.addr(d);
                    self.rewrite(run, table, chain, r, field, from, to);
                    return TableEnd::Accept(by());
                }
                Action::Continue => {}
            }
        }
    }

    fn ep(&self, record: bool, cx: &Cx, a: Dim, p: Dim) -> String {
        if record {
            self.endpoint(cx, a, p)
        } else {
            String::new()
        }
    }

    fn endpoint(&self, cx: &Cx, a: Dim, p: Dim) -> String {
        let addr = cx.addr(a);
        if !packet::has_ports(cx.get(Dim::Proto) as u8) {
            return addr;
        }
        if cx.family == Family::V6 {
            format!("[{addr}]:{}", cx.get(p))
        } else {
            format!("{addr}:{}", cx.get(p))
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn rewrite(
        &self,
        run: &mut Run,
        table: &CTable,
        chain: &CChain,
        r: &CRule,
        field: &'static str,
        from: String,
        to: String,
    ) {
        if !run.record {
            return;
        }
        run.rewrites.push(Rewrite {
            table: table.name.clone(),
            chain: chain.name.clone(),
            line: r.line,
            target: r.target.clone(),
            field,
            from,
            to,
        });
    }
}

#[cfg(test)]
mod tests;
