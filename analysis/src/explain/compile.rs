//! Rules compiled for evaluation against one concrete packet: each rule is
//! a list of conditions in the order the kernel tests them (the fixed
//! header fields `-s -d -i -o -p -f`, then each match module's options as
//! written), each with its own interval set over a [`Dim`] (the same sets
//! `matchset::rule_match` intersects into a rule's region), or an explicit
//! test where a box cannot say it, or *unknown* where the answer depends on
//! state the file does not fix.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::net::IpAddr;

use iptlint_parser::cmdline::parse_protocol;
use iptlint_parser::ext::value::{format_tcp_flags, Value};
use iptlint_parser::model::{Address, ExtInstance, Policy, Rule, Ruleset, Table, TargetKind};
use iptlint_parser::Family;

use super::Name;
use crate::matchset::tcp_flag_values;
use crate::space::{iface_range, state, Dim, Intervals};

/// What a condition tests.
#[derive(Clone, Debug)]
pub enum Test {
    /// The packet's coordinate in the dimension is in the set.
    In(Dim, Intervals),
    /// `multiport --ports`: the source or the destination port is in the set.
    EitherPort(Intervals),
    /// `(mark & mask) == value`.
    Mark { value: u32, mask: u32 },
    /// Conntrack state, with the virtual states SNAT and DNAT.
    CtState { states: Intervals, snat: bool, dnat: bool },
    /// A field of the connection's original tuple (known for the first
    /// packet of a connection: the packet as it arrived).
    CtOrig(Dim, Intervals),
    /// `addrtype`: the routing type of the source (`src`) or destination.
    AddrType { src: bool, types: Vec<String> },
    /// `pkttype`: unicast, broadcast or multicast.
    PktType(String),
    /// Depends on what the file does not fix; the reason.
    Unknown(String),
}

#[derive(Clone, Debug)]
pub struct Cond {
    /// As written in iptables-save spelling (`! -s 10.0.0.0/8`).
    pub text: String,
    pub negated: bool,
    pub test: Test,
}

/// What a rule's target does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    Accept,
    Drop,
    Reject,
    Return,
    /// Ends the walk with this verdict (QUEUE, NFQUEUE, SYNPROXY, …).
    Final(String),
    Jump(usize),
    Goto(usize),
    /// `-j` to a chain the table does not have (a load error).
    Missing(String),
    Dnat {
        addr: Option<IpAddr>,
        port: Option<u16>,
        to: String,
    },
    Snat {
        addr: Option<IpAddr>,
        port: Option<u16>,
        to: String,
    },
    Masquerade {
        port: Option<u16>,
    },
    Redirect {
        port: Option<u16>,
    },
    Netmap {
        net: Option<ipnet::IpNet>,
    },
    /// MARK: `mark = (mark & and) ^ xor`… as `(mark & !clear) ^ set` with
    /// `or` for `--set-mark`/`--or-mark`.
    Mark {
        clear: u32,
        or: u32,
        xor: u32,
    },
    /// NOTRACK or `CT --notrack`: the packet becomes UNTRACKED.
    NoTrack,
    /// Goes on to the next rule (LOG, counters, …).
    Continue,
}

#[derive(Clone, Debug)]
pub struct CRule {
    pub line: usize,
    pub conds: Vec<Cond>,
    pub action: Action,
    pub target: Name,
}

/// Candidate lookup for a long chain: rules whose condition on `dim` is a
/// few single values are filed under each value; the others are always
/// candidates. A rule that is not a candidate fails that condition.
#[derive(Clone, Debug)]
pub struct ChainIndex {
    pub dim: Dim,
    pub points: HashMap<u128, Vec<u32>, BuildHasherDefault<PointHasher>>,
    pub rest: Vec<u32>,
}

#[derive(Clone, Debug)]
pub struct CChain {
    pub name: Name,
    pub policy: Option<Policy>,
    pub rules: Vec<CRule>,
    pub index: Option<ChainIndex>,
}

#[derive(Clone, Debug)]
pub struct CTable {
    pub name: Name,
    pub chains: Vec<CChain>,
    pub by_name: HashMap<String, usize>,
}

fn addr_u128(a: IpAddr) -> u128 {
    match a {
        IpAddr::V4(a) => u32::from(a) as u128,
        IpAddr::V6(a) => u128::from(a),
    }
}

fn net_range(n: &ipnet::IpNet) -> (u128, u128) {
    let n = n.trunc();
    (addr_u128(n.network()), addr_u128(n.broadcast()))
}

fn ports_iv(v: &Value) -> Option<Intervals> {
    match v {
        Value::Ports(p) => Some(Intervals::from_ranges(p.iter().map(|&(a, b)| (a as u128, b as u128)))),
        Value::Range(a, b) => Some(Intervals::range(*a as u128, *b as u128)),
        Value::UInt(a) => Some(Intervals::point(*a as u128)),
        Value::Text(t) | Value::Word(t) => {
            let (a, b) = t.split_once(':').unwrap_or((t, t));
            let a: u128 = if a.is_empty() { 0 } else { a.parse().ok()? };
            let b: u128 = if b.is_empty() { 65535 } else { b.parse().ok()? };
            Some(Intervals::range(a, b))
        }
        _ => None,
    }
}

fn words(v: &Value) -> Vec<String> {
    match v {
        Value::Words(w) => w.clone(),
        Value::Text(t) | Value::Word(t) => t.split(',').map(str::to_string).collect(),
        other => other.to_string().split(',').map(str::to_string).collect(),
    }
}

/// Why a module's outcome cannot be decided from the packet and the file.
fn unknown_reason(module: &str) -> String {
    let why = match module {
        "limit" | "hashlimit" => "depends on the recent packet rate",
        "statistic" => "depends on a random draw or a packet counter",
        "quota" | "connbytes" | "nfacct" => "depends on traffic already counted",
        "recent" => "depends on the addresses recently seen",
        "set" => "depends on the ipset's contents",
        "time" => "depends on the time of day",
        "connlimit" => "depends on the number of open connections",
        "connmark" | "connlabel" | "helper" => "depends on the connection's conntrack entry",
        "owner" | "cgroup" | "socket" => "depends on the local socket",
        "string" | "u32" | "bpf" | "length" | "ttl" | "hl" | "tos" | "dscp" | "ecn" | "ipv6header" | "frag" | "rt"
        | "hbh" | "dst" | "mh" | "ah" | "esp" | "ipcomp" | "tcpmss" => {
            "tests a header field the packet description does not give"
        }
        "mac" | "physdev" | "devgroup" | "realm" | "rpfilter" | "cpu" | "cluster" | "policy" | "ipvs" | "rateest"
        | "osf" | "geoip" | "srh" | "eui64" => "depends on host or link state",
        _ => "is not modelled by explain",
    };
    format!("-m {module} {why}")
}

fn neg(n: bool) -> &'static str {
    if n {
        "! "
    } else {
        ""
    }
}

fn opt_text(m: &ExtInstance, o: &iptlint_parser::model::OptValue) -> String {
    let value = o.value.to_string();
    let module = if matches!(m.name.as_str(), "tcp" | "udp" | "icmp" | "icmp6") {
        String::new()
    } else {
        format!("-m {} ", m.name)
    };
    if value.is_empty() {
        format!("{module}{}--{}", neg(o.negated), o.name)
    } else {
        format!("{module}{}--{} {value}", neg(o.negated), o.name)
    }
}

/// The conditions of one match module.
fn match_conds(m: &ExtInstance, family: Family, out: &mut Vec<Cond>) {
    let cond =
        |o: &iptlint_parser::model::OptValue, test: Test| Cond { text: opt_text(m, o), negated: o.negated, test };
    let whole_unknown = |out: &mut Vec<Cond>, why: String| {
        out.push(Cond { text: format!("-m {}", m.name), negated: false, test: Test::Unknown(why) });
    };
    if m.spec.is_none() {
        return whole_unknown(out, format!("-m {} is not known to iptlint", m.name));
    }
    match m.name.as_str() {
        "comment" => {}
        "tcp" | "udp" | "udplite" | "sctp" | "dccp" => {
            for o in &m.options {
                let test = match (o.name.as_str(), &o.value) {
                    ("sport", v) => ports_iv(v).map(|iv| Test::In(Dim::Sport, iv)),
                    ("dport", v) => ports_iv(v).map(|iv| Test::In(Dim::Dport, iv)),
                    ("tcp-flags", Value::TcpFlags { mask, comp }) => {
                        Some(Test::In(Dim::TcpFlags, tcp_flag_values(*mask, *comp)))
                    }
                    ("syn", _) => Some(Test::In(Dim::TcpFlags, tcp_flag_values(0x17, 0x02))),
                    _ => None,
                };
                let test = test.unwrap_or_else(|| {
                    Test::Unknown(format!(
                        "`{}` tests a header field the packet description does not give",
                        opt_text(m, o)
                    ))
                });
                out.push(cond(o, test));
            }
        }
        "multiport" => {
            for o in &m.options {
                let test = match (o.name.as_str(), ports_iv(&o.value)) {
                    ("sports" | "source-ports", Some(iv)) => Test::In(Dim::Sport, iv),
                    ("dports" | "destination-ports", Some(iv)) => Test::In(Dim::Dport, iv),
                    ("ports", Some(iv)) => Test::EitherPort(iv),
                    _ => Test::Unknown(format!("`{}` is not modelled", opt_text(m, o))),
                };
                out.push(cond(o, test));
            }
        }
        "icmp" | "icmp6" => {
            for o in &m.options {
                let test = match &o.value {
                    Value::Icmp { any: true, .. } => Test::In(Dim::Icmp, Intervals::range(0, 65535)),
                    Value::Icmp { ty, codes, .. } => {
                        let base = (*ty as u128) << 8;
                        Test::In(Dim::Icmp, Intervals::range(base + codes.0 as u128, base + codes.1 as u128))
                    }
                    _ => Test::Unknown(format!("`{}` is not modelled", opt_text(m, o))),
                };
                out.push(cond(o, test));
            }
        }
        "iprange" => {
            for o in &m.options {
                let dim = if o.name == "src-range" { Dim::Src } else { Dim::Dst };
                let test = match &o.value {
                    Value::AddrRange(a, b) => Test::In(dim, Intervals::range(addr_u128(*a), addr_u128(*b))),
                    _ => Test::Unknown(format!("`{}` is not modelled", opt_text(m, o))),
                };
                out.push(cond(o, test));
            }
        }
        "mark" => {
            for o in &m.options {
                let test = match &o.value {
                    Value::Mark { value, mask } => Test::Mark { value: *value, mask: *mask },
                    _ => Test::Unknown(format!("`{}` is not modelled", opt_text(m, o))),
                };
                out.push(cond(o, test));
            }
        }
        "conntrack" | "state" => {
            for o in &m.options {
                let test = match o.name.as_str() {
                    "ctstate" | "state" => {
                        let mut states = Intervals::empty();
                        let (mut snat, mut dnat) = (false, false);
                        let mut bad = None;
                        for w in words(&o.value) {
                            match w.to_ascii_uppercase().as_str() {
                                "SNAT" => snat = true,
                                "DNAT" => dnat = true,
                                name => match state::by_name(name) {
                                    Some(v) => states = states.union(&Intervals::point(v)),
                                    None => bad = Some(w.clone()),
                                },
                            }
                        }
                        match bad {
                            Some(b) => Test::Unknown(format!("conntrack state `{b}` is not modelled")),
                            None => Test::CtState { states, snat, dnat },
                        }
                    }
                    "ctproto" => match parse_protocol(&o.value.to_string()) {
                        Some(p) => Test::CtOrig(Dim::Proto, Intervals::point(p as u128)),
                        None => Test::Unknown(format!("`{}` is not modelled", opt_text(m, o))),
                    },
                    "ctorigsrc" | "ctorigdst" => {
                        let dim = if o.name == "ctorigsrc" { Dim::Src } else { Dim::Dst };
                        match hostmask_iv(&o.value.to_string(), family) {
                            Some(iv) => Test::CtOrig(dim, iv),
                            None => Test::Unknown(format!("`{}` is not modelled", opt_text(m, o))),
                        }
                    }
                    "ctorigsrcport" | "ctorigdstport" => {
                        let dim = if o.name == "ctorigsrcport" { Dim::Sport } else { Dim::Dport };
                        match ports_iv(&o.value) {
                            Some(iv) => Test::CtOrig(dim, iv),
                            None => Test::Unknown(format!("`{}` is not modelled", opt_text(m, o))),
                        }
                    }
                    _ => Test::Unknown(format!("`{}` depends on the connection's conntrack entry", opt_text(m, o))),
                };
                out.push(cond(o, test));
            }
        }
        "addrtype" => {
            for o in &m.options {
                match o.name.as_str() {
                    "src-type" | "dst-type" => {
                        let test = Test::AddrType { src: o.name == "src-type", types: words(&o.value) };
                        out.push(cond(o, test));
                    }
                    // limit-iface-in/out only narrow the route lookup.
                    _ => {}
                }
            }
        }
        "pkttype" => {
            for o in &m.options {
                out.push(cond(o, Test::PktType(o.value.to_string().to_ascii_lowercase())));
            }
        }
        other => whole_unknown(out, unknown_reason(other)),
    }
}

fn hostmask_iv(s: &str, family: Family) -> Option<Intervals> {
    let (a, len) = match s.split_once('/') {
        Some((a, l)) => (a, Some(l)),
        None => (s, None),
    };
    let addr: IpAddr = a.parse().ok()?;
    let full = if family == Family::V4 { 32 } else { 128 };
    let len: u8 = match len {
        None => full,
        Some(l) => match l.parse() {
            Ok(n) => n,
            Err(_) => {
                let m: IpAddr = l.parse().ok()?;
                let bits = addr_u128(m);
                let ones = if family == Family::V4 { (bits as u32).count_ones() } else { bits.count_ones() };
                ones as u8
            }
        },
    };
    let net = ipnet::IpNet::new(addr, len).ok()?;
    let (lo, hi) = net_range(&net);
    Some(Intervals::range(lo, hi))
}

/// The header-field conditions and the matches of a rule, in kernel order.
pub fn rule_conds(rule: &Rule, family: Family) -> Vec<Cond> {
    let mut out = Vec::new();
    for (field, dim, opt) in [(&rule.source, Dim::Src, "-s"), (&rule.destination, Dim::Dst, "-d")] {
        if let Some(f) = field {
            let text = format!(
                "{}{opt} {}",
                neg(f.negated),
                f.value
                    .iter()
                    .map(|a| match a {
                        Address::Net(n) => n.to_string(),
                        Address::Host(h) => h.clone(),
                    })
                    .collect::<Vec<_>>()
                    .join(",")
            );
            let mut ranges = Vec::new();
            let mut host = None;
            for a in &f.value {
                match a {
                    Address::Net(n) => ranges.push(net_range(n)),
                    Address::Host(h) => host = Some(h.clone()),
                }
            }
            let test = match host {
                Some(h) => Test::Unknown(format!("`{h}` is a host name, resolved when the rules load")),
                None => Test::In(dim, Intervals::from_ranges(ranges)),
            };
            out.push(Cond { text, negated: f.negated, test });
        }
    }
    for (field, dim, opt) in [(&rule.in_iface, Dim::InIface, "-i"), (&rule.out_iface, Dim::OutIface, "-o")] {
        if let Some(f) = field {
            let (lo, hi) = iface_range(&f.value);
            out.push(Cond {
                text: format!("{}{opt} {}", neg(f.negated), f.value),
                negated: f.negated,
                test: Test::In(dim, Intervals::range(lo, hi)),
            });
        }
    }
    if let Some(p) = &rule.protocol {
        let set = if p.value.number == 0 { Intervals::range(0, 255) } else { Intervals::point(p.value.number as u128) };
        out.push(Cond {
            text: format!("{}-p {}", neg(p.negated), p.value.name),
            negated: p.negated,
            test: Test::In(Dim::Proto, set),
        });
    }
    if let Some(f) = &rule.fragment {
        out.push(Cond {
            text: format!("{}-f", neg(f.negated)),
            negated: f.negated,
            test: Test::In(Dim::Frag, Intervals::point(1)),
        });
    }
    for m in &rule.matches {
        match_conds(m, family, &mut out);
    }
    out
}

/// The words after the target name (its options), as written.
fn target_args(rule: &Rule) -> Vec<&str> {
    let ws: Vec<&str> = rule.words.iter().map(|w| w.text.as_str()).collect();
    match ws.iter().rposition(|w| *w == "-j" || *w == "--jump" || *w == "-g" || *w == "--goto") {
        Some(i) if i + 1 < ws.len() => ws[i + 2..].to_vec(),
        _ => Vec::new(),
    }
}

fn arg<'a>(args: &[&'a str], names: &[&str]) -> Option<&'a str> {
    let i = args.iter().position(|a| names.contains(a))?;
    args.get(i + 1).copied()
}

fn parse_u32(s: &str) -> Option<u32> {
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(h) => u32::from_str_radix(h, 16).ok(),
        None => s.parse().ok(),
    }
}

fn value_mask(s: &str) -> Option<(u32, u32)> {
    match s.split_once('/') {
        Some((v, m)) => Some((parse_u32(v)?, parse_u32(m)?)),
        None => Some((parse_u32(s)?, u32::MAX)),
    }
}

/// `addr[-addr][:port[-port]]` or `[v6]:port`: the first address and port.
fn nat_to(s: &str) -> (Option<IpAddr>, Option<u16>) {
    let (addr, port) = if let Some(rest) = s.strip_prefix('[') {
        match rest.split_once(']') {
            Some((a, p)) => (a, p.strip_prefix(':')),
            None => (rest, None),
        }
    } else if s.matches(':').count() == 1 {
        let (a, p) = s.split_once(':').unwrap();
        (a, Some(p))
    } else {
        (s, None)
    };
    let first_addr = addr.split('-').next().and_then(|a| a.parse().ok());
    let first_port = port.and_then(|p| p.split(['-', ':', '/']).next()?.parse().ok());
    (first_addr, first_port)
}

fn first_port(s: Option<&str>) -> Option<u16> {
    s.and_then(|p| p.split(['-', ':']).next()?.parse().ok())
}

fn action(rule: &Rule, by_name: &HashMap<String, usize>) -> (Action, String) {
    let Some(t) = &rule.target else { return (Action::Continue, String::new()) };
    let name = t.name.clone();
    let args = target_args(rule);
    let a = match &t.kind {
        TargetKind::Chain(c) => match by_name.get(c) {
            Some(&i) if t.goto => Action::Goto(i),
            Some(&i) => Action::Jump(i),
            None => Action::Missing(c.clone()),
        },
        TargetKind::Unknown(n) if !matches!(n.as_str(), "DNAT" | "SNAT") => match by_name.get(n) {
            Some(&i) if t.goto => Action::Goto(i),
            Some(&i) => Action::Jump(i),
            None => Action::Missing(n.clone()),
        },
        _ => match name.as_str() {
            "ACCEPT" => Action::Accept,
            "DROP" => Action::Drop,
            "REJECT" => Action::Reject,
            "RETURN" => Action::Return,
            "DNAT" => {
                let to = arg(&args, &["--to-destination", "--to"]).unwrap_or("").to_string();
                let (addr, port) = nat_to(&to);
                Action::Dnat { addr, port, to }
            }
            "SNAT" => {
                let to = arg(&args, &["--to-source", "--to"]).unwrap_or("").to_string();
                let (addr, port) = nat_to(&to);
                Action::Snat { addr, port, to }
            }
            "MASQUERADE" => Action::Masquerade { port: first_port(arg(&args, &["--to-ports"])) },
            "REDIRECT" => Action::Redirect { port: first_port(arg(&args, &["--to-ports"])) },
            "NETMAP" => Action::Netmap { net: arg(&args, &["--to"]).and_then(|n| n.parse().ok()) },
            "MARK" => {
                let vm = |names: &[&str]| arg(&args, names).and_then(value_mask);
                if let Some((v, m)) = vm(&["--set-xmark"]) {
                    Action::Mark { clear: m, or: 0, xor: v }
                } else if let Some((v, m)) = vm(&["--set-mark"]) {
                    Action::Mark { clear: m, or: v, xor: 0 }
                } else if let Some(v) = arg(&args, &["--and-mark"]).and_then(parse_u32) {
                    Action::Mark { clear: !v, or: 0, xor: 0 }
                } else if let Some(v) = arg(&args, &["--or-mark"]).and_then(parse_u32) {
                    Action::Mark { clear: 0, or: v, xor: 0 }
                } else if let Some(v) = arg(&args, &["--xor-mark"]).and_then(parse_u32) {
                    Action::Mark { clear: 0, or: 0, xor: v }
                } else {
                    Action::Continue
                }
            }
            "NOTRACK" => Action::NoTrack,
            "CT" if args.contains(&"--notrack") => Action::NoTrack,
            "QUEUE" | "NFQUEUE" | "SYNPROXY" | "TPROXY" | "CLUSTERIP" => Action::Final(name.clone()),
            _ => match &t.kind {
                TargetKind::Ext(spec) => match spec.effect {
                    iptlint_parser::ext::TargetEffect::Accept => Action::Accept,
                    iptlint_parser::ext::TargetEffect::Drop => Action::Drop,
                    iptlint_parser::ext::TargetEffect::Reject => Action::Reject,
                    iptlint_parser::ext::TargetEffect::Return => Action::Return,
                    iptlint_parser::ext::TargetEffect::Queue | iptlint_parser::ext::TargetEffect::Terminal => {
                        Action::Final(name.clone())
                    }
                    _ => Action::Continue,
                },
                _ => Action::Continue,
            },
        },
    };
    (a, name)
}

/// A single-value set (a few points) on `dim` among the rule's plain
/// conditions.
fn point_key(conds: &[Cond], dim: Dim) -> Option<Vec<u128>> {
    for c in conds {
        if let (Test::In(d, iv), false) = (&c.test, c.negated) {
            if *d == dim && iv.runs().len() <= 8 && iv.runs().iter().all(|(a, b)| a == b) {
                return Some(iv.runs().iter().map(|r| r.0).collect());
            }
        }
    }
    None
}

/// A multiply-xor hash for the index's keys (coordinates chosen by the
/// file, not by an adversary at run time).
#[derive(Default)]
pub struct PointHasher(u64);

impl Hasher for PointHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(*b as u64);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
    fn write_u128(&mut self, v: u128) {
        self.write_u64(v as u64);
        self.write_u64((v >> 64) as u64);
    }
}

const INDEX_MIN: usize = 16;

fn build_index(rules: &[CRule]) -> Option<ChainIndex> {
    if rules.len() < INDEX_MIN {
        return None;
    }
    let mut best: Option<(usize, Dim)> = None;
    for dim in [Dim::Dst, Dim::Src, Dim::Dport, Dim::Sport, Dim::InIface, Dim::OutIface, Dim::Mark, Dim::Proto] {
        let mut count = 0usize;
        let mut buckets: HashMap<u128, usize> = HashMap::new();
        for r in rules {
            if let Some(keys) = point_key(&r.conds, dim) {
                count += 1;
                for k in keys {
                    *buckets.entry(k).or_default() += 1;
                }
            }
        }
        let worst = buckets.values().copied().max().unwrap_or(0);
        let score = count.saturating_sub(worst);
        if score >= INDEX_MIN / 2 && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, dim));
        }
    }
    let (_, dim) = best?;
    let mut points: HashMap<u128, Vec<u32>, BuildHasherDefault<PointHasher>> = HashMap::default();
    let mut rest = Vec::new();
    for (i, r) in rules.iter().enumerate() {
        match point_key(&r.conds, dim) {
            Some(keys) => {
                for k in keys {
                    points.entry(k).or_default().push(i as u32);
                }
            }
            None => rest.push(i as u32),
        }
    }
    Some(ChainIndex { dim, points, rest })
}

/// The chain's rules, plus the appended lines that have errors (explained
/// as written, so that a module iptlint does not fully know yet does not
/// hide a rule) when the chain is built by appends only.
fn chain_rules(table: &Table, c: &iptlint_parser::model::Chain, invalid: &HashMap<&str, Vec<usize>>) -> Vec<usize> {
    use iptlint_parser::model::Command;
    let mut v = c.rules.clone();
    if let Some(extra) = invalid.get(c.name.as_str()) {
        if v.iter().all(|&i| table.rules[i].command == Command::Append) {
            v.extend(extra);
            v.sort_unstable();
        }
    }
    v
}

pub fn compile_table(ruleset: &Ruleset, table: &Table) -> CTable {
    let family = ruleset.family;
    let by_name: HashMap<String, usize> = table.chains.iter().enumerate().map(|(i, c)| (c.name.clone(), i)).collect();
    let mut invalid: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, r) in table.rules.iter().enumerate() {
        if !r.valid && r.command == iptlint_parser::model::Command::Append && r.target.is_some() {
            invalid.entry(r.chain.as_str()).or_default().push(i);
        }
    }
    let chains = table
        .chains
        .iter()
        .map(|c| {
            let rules: Vec<CRule> = chain_rules(table, c, &invalid)
                .into_iter()
                .map(|ri| {
                    let rule = &table.rules[ri];
                    let (action, target) = action(rule, &by_name);
                    CRule {
                        line: ruleset.line_of(rule.span.start),
                        conds: rule_conds(rule, family),
                        action,
                        target: target.into(),
                    }
                })
                .collect();
            let index = build_index(&rules);
            CChain { name: c.name.as_str().into(), policy: c.policy.as_ref().map(|p| p.0.clone()), rules, index }
        })
        .collect();
    CTable { name: table.name.as_str().into(), chains, by_name }
}

/// Human spelling of the packet's coordinate in a dimension.
pub fn describe(dim: Dim, v: u128, family: Family) -> String {
    match dim {
        Dim::Src | Dim::Dst => addr_text(v, family),
        Dim::Proto => crate::explain::packet::proto_name(v as u8),
        Dim::Sport | Dim::Dport => v.to_string(),
        Dim::InIface | Dim::OutIface => iface_text(v),
        Dim::State => state::NAMES.get(v as usize).unwrap_or(&"?").to_string(),
        Dim::Icmp => format!("{}/{}", v >> 8, v & 0xff),
        Dim::TcpFlags => format_tcp_flags(v as u8),
        Dim::Frag => (if v == 1 { "a fragment" } else { "not a fragment" }).into(),
        Dim::Mark => format!("{v:#x}"),
    }
}

pub fn addr_text(v: u128, family: Family) -> String {
    match family {
        Family::V4 => std::net::Ipv4Addr::from(v as u32).to_string(),
        Family::V6 => std::net::Ipv6Addr::from(v).to_string(),
    }
}

pub fn iface_text(v: u128) -> String {
    let bytes = v.to_be_bytes();
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(16);
    String::from_utf8_lossy(&bytes[..end]).into_owned()
}

pub fn addr_of(v: IpAddr) -> u128 {
    addr_u128(v)
}
