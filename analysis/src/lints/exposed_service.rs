//! `exposed-service`: a database, cache or administration service is
//! accepted from (nearly) any internet address. Also the helpers the
//! exposure lints share (`dnat-bypass`, `ipv6-gap`): per-hook facts, the
//! packets a chain surely or possibly accepts, public address ranges and
//! short summaries of address and port sets.

use iptlint_parser::ext::{Family, TargetEffect};
use iptlint_parser::model::{Policy, Table, TargetKind};
use iptlint_parser::{Diagnostic, Span};

use crate::reach::{self, TableFacts};
use crate::space::{iface_range, state, Dim, Intervals, PBox, PacketSet};
use crate::LintCx;

declare_lint! {
    /// ## What it does
    /// Finds a service that should never face the whole internet (a
    /// database or cache such as MySQL, PostgreSQL, Redis, MongoDB,
    /// memcached or Elasticsearch; NetBIOS/SMB; telnet; the Docker API;
    /// rpcbind or NFS) that the filter table accepts from any public
    /// address: new connections from outside the private, loopback and
    /// link-local ranges reach an ACCEPT in INPUT, or, for a rule opening
    /// that very port, in FORWARD (towards a public address or the target of
    /// a DNAT rule: Docker's published ports).
    ///
    /// ## Why is this bad?
    /// These services are scanned for all day long. Most of them trust their
    /// network (Redis and memcached have no password by default, the Docker
    /// API is root on the host, SMB and telnet have a long record of remote
    /// exploits), and many data leaks start with a database port left open.
    ///
    /// ## Example
    /// ```text
    /// *filter
    /// :INPUT DROP [0:0]
    /// -A INPUT -p tcp --dport 22 -j ACCEPT
    /// -A INPUT -p tcp --dport 3306 -j ACCEPT
    /// COMMIT
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// *filter
    /// :INPUT DROP [0:0]
    /// -A INPUT -p tcp --dport 22 -j ACCEPT
    /// -A INPUT -s 10.0.0.0/8 -p tcp --dport 3306 -j ACCEPT
    /// COMMIT
    /// ```
    ///
    /// ## Known problems
    /// Only rules iptlint models exactly count: a rule with an ipset, rate
    /// limit or other unmodelled condition, and every packet such a rule
    /// could divert first, are given the benefit of the doubt. Packets on an
    /// interface some rule names (`-i eth1`) are taken to come from a
    /// private network, unless the nat table shows that interface to be the
    /// outside one (`-o eth1 -j MASQUERADE`, `-i eth1 … -j DNAT`). A rule
    /// opening the port to a few public networks is taken as deliberate. The nat table is not followed: a
    /// port that PREROUTING redirects elsewhere is still judged by INPUT.
    pub EXPOSED_SERVICE = ("L304", "exposed-service", Warning, "a database or administration service is accepted from any internet address");
}

/// A service that should not face the internet.
pub(crate) struct Service {
    pub name: &'static str,
    /// IP protocol number.
    pub proto: u8,
    pub ports: (u16, u16),
}

const fn svc(name: &'static str, proto: u8, lo: u16, hi: u16) -> Service {
    Service { name, proto, ports: (lo, hi) }
}

const TCP: u8 = 6;
const UDP: u8 = 17;

/// The services `exposed-service` looks for.
pub(crate) static SERVICES: &[Service] = &[
    svc("telnet", TCP, 23, 23),
    svc("rpcbind", TCP, 111, 111),
    svc("rpcbind", UDP, 111, 111),
    svc("MS RPC", TCP, 135, 135),
    svc("NetBIOS", UDP, 137, 138),
    svc("NetBIOS", TCP, 139, 139),
    svc("SMB", TCP, 445, 445),
    svc("MS SQL Server", TCP, 1433, 1433),
    svc("Oracle DB", TCP, 1521, 1521),
    svc("NFS", TCP, 2049, 2049),
    svc("NFS", UDP, 2049, 2049),
    svc("ZooKeeper", TCP, 2181, 2181),
    svc("Docker API", TCP, 2375, 2376),
    svc("etcd", TCP, 2379, 2380),
    svc("MySQL", TCP, 3306, 3306),
    svc("PostgreSQL", TCP, 5432, 5432),
    svc("CouchDB", TCP, 5984, 5984),
    svc("Redis", TCP, 6379, 6379),
    svc("InfluxDB", TCP, 8086, 8086),
    svc("Cassandra", TCP, 9042, 9042),
    svc("Elasticsearch", TCP, 9200, 9200),
    svc("Elasticsearch", TCP, 9300, 9300),
    svc("kubelet", TCP, 10250, 10250),
    svc("memcached", TCP, 11211, 11211),
    svc("memcached", UDP, 11211, 11211),
    svc("MongoDB", TCP, 27017, 27017),
];

// ---------------------------------------------------------------------
// Shared helpers.

/// Facts for one built-in chain walked alone: every hit is a packet that
/// entered through that chain's hook (user chains are shared by hooks).
pub(crate) fn hook_facts(table: &Table, family: Family, chain: &str) -> Option<TableFacts> {
    table.chain(chain)?.hook?;
    let mut t = table.clone();
    for c in &mut t.chains {
        if c.name != chain {
            c.hook = None;
        }
    }
    Some(reach::analyse_table(&t, family))
}

/// Who accepts a set of packets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Acceptor {
    Rule(usize),
    Policy,
}

/// What a built-in chain accepts, walked alone.
pub(crate) struct Accepts {
    /// Packets surely accepted, with the exact rule (or the policy) that
    /// accepts them. Disjoint from `doubt`.
    pub sure: Vec<(Acceptor, PacketSet)>,
    /// Every packet that may be accepted (an over-approximation).
    pub maybe: PacketSet,
    /// The walk or a set was cut short: nothing here is to be trusted.
    pub incomplete: bool,
}

/// Packets on which the walk may be wrong: those reaching a rule whose
/// conditions are not modelled exactly and that could divert them (drop,
/// reject, jump, return), or a rule with an unknown target.
fn doubt(table: &Table, facts: &TableFacts, family: Family) -> PacketSet {
    let mut out = PacketSet::empty(family);
    for (ri, rule) in table.rules.iter().enumerate() {
        let f = &facts.rules[ri];
        if !f.visited || (f.hit.boxes().is_empty() && !f.hit.truncated()) {
            continue;
        }
        let Some(t) = &rule.target else { continue };
        let diverts = match &t.kind {
            TargetKind::Chain(_) => true,
            TargetKind::Unknown(_) => {
                out.union(&f.hit);
                continue;
            }
            TargetKind::Ext(s) => {
                !matches!(s.effect, TargetEffect::Accept | TargetEffect::Continue | TargetEffect::None)
            }
        };
        if diverts && !f.matchset.exact() {
            out.union(&f.hit);
        }
    }
    out
}

fn accepts_rule(table: &Table, ri: usize) -> bool {
    table.rules[ri]
        .target
        .as_ref()
        .is_some_and(|t| matches!(&t.kind, TargetKind::Ext(s) if s.effect == TargetEffect::Accept))
}

/// What built-in chain `chain` of `table` accepts, from facts of a walk of
/// that chain alone ([`hook_facts`]).
pub(crate) fn accepts(table: &Table, facts: &TableFacts, family: Family, chain: &str) -> Accepts {
    let doubt = doubt(table, facts, family);
    let mut sure = Vec::new();
    let mut maybe = doubt.clone();
    let mut incomplete = facts.incomplete || doubt.truncated();
    for (ri, f) in facts.rules.iter().enumerate() {
        if !f.visited || !accepts_rule(table, ri) || f.hit.boxes().is_empty() {
            continue;
        }
        maybe.union(&f.hit);
        if f.matchset.exact() {
            let mut s = f.hit.clone();
            s.subtract(&doubt);
            incomplete |= s.truncated();
            if !s.boxes().is_empty() {
                sure.push((Acceptor::Rule(ri), s));
            }
        }
    }
    let policy = table.chain(chain).and_then(|c| c.policy.as_ref()).map(|p| &p.0);
    if let Some(rest) = facts.to_policy.get(chain) {
        if policy != Some(&Policy::Drop) {
            maybe.union(rest);
        }
        // An undeclared policy keeps whatever the kernel had: not sure.
        if policy == Some(&Policy::Accept) {
            let mut s = rest.clone();
            s.subtract(&doubt);
            incomplete |= s.truncated();
            if !s.boxes().is_empty() {
                sure.push((Acceptor::Policy, s));
            }
        }
    }
    incomplete |= maybe.truncated();
    Accepts { sure, maybe, incomplete }
}

/// Addresses no internet host sends from: unspecified, private, shared
/// (CGNAT), loopback, link-local, multicast and reserved; for IPv6
/// everything outside global unicast `2000::/3`.
pub(crate) fn public(family: Family) -> Intervals {
    match family {
        Family::V4 => {
            let net = |a: u32, len: u32| {
                let size = 1u128 << (32 - len);
                (a as u128, a as u128 + size - 1)
            };
            Intervals::from_ranges([
                net(0x0000_0000, 8),
                net(0x0a00_0000, 8),
                net(0x6440_0000, 10),
                net(0x7f00_0000, 8),
                net(0xa9fe_0000, 16),
                net(0xac10_0000, 12),
                net(0xc0a8_0000, 16),
                net(0xe000_0000, 3),
            ])
            .complement(u32::MAX as u128)
        }
        Family::V6 => Intervals::range(0x2000u128 << 112, (0x4000u128 << 112) - 1),
    }
}

/// Interface names no rule of the table names (`-i`, exact or wildcard),
/// without `lo`: where an unnamed, possibly internet-facing, interface is.
pub(crate) fn unnamed_ifaces(table: &Table) -> Intervals {
    let (lo, _) = iface_range("lo");
    let mut named = vec![(lo, lo)];
    for r in &table.rules {
        if let Some(f) = &r.in_iface {
            named.push(iface_range(&f.value));
        }
    }
    Intervals::from_ranges(named).complement(u128::MAX)
}

/// Interfaces the nat table shows to face the internet: the `-o` of a
/// MASQUERADE or SNAT rule, the `-i` of a DNAT rule.
pub(crate) fn wan_ifaces(rs: &iptlint_parser::Ruleset) -> Intervals {
    let Some(nat) = rs.table("nat") else { return Intervals::empty() };
    let mut out = Vec::new();
    for r in &nat.rules {
        let Some(t) = &r.target else { continue };
        let field = match t.name.as_str() {
            "MASQUERADE" | "SNAT" => &r.out_iface,
            "DNAT" => &r.in_iface,
            _ => continue,
        };
        if let Some(f) = field.as_ref().filter(|f| !f.negated && f.value != "lo") {
            out.push(iface_range(&f.value));
        }
    }
    Intervals::from_ranges(out)
}

/// Where forwarded connections from the internet can go: public addresses,
/// and the targets of the nat table's DNAT rules.
fn forward_destinations(rs: &iptlint_parser::Ruleset) -> Intervals {
    let family = rs.family;
    let mut out = public(family);
    if let Some(nat) = rs.table("nat") {
        for r in nat.rules.iter().filter(|r| r.target.as_ref().is_some_and(|t| t.name == "DNAT")) {
            let to = super::dnat_bypass::to_destination(r).and_then(|s| super::dnat_bypass::parse_to(&s, family));
            if let Some((Some(addrs), _)) = to {
                out = out.union(&addrs);
            }
        }
    }
    out
}

/// Where a connection from the internet to this host can be addressed:
/// for IPv4 anywhere but loopback and multicast (and the broadcast address;
/// hosts behind NAT have private addresses), for IPv6 a global address.
pub(crate) fn input_destinations(family: Family) -> Intervals {
    match family {
        Family::V4 => {
            Intervals::from_ranges([(0x7f00_0000, 0x7fff_ffff), (0xe000_0000, 0xefff_ffff), (0xffff_ffff, 0xffff_ffff)])
                .complement(Dim::Dst.max(family))
        }
        Family::V6 => public(family),
    }
}

/// Every interface but `lo`.
pub(crate) fn not_lo() -> Intervals {
    let (lo, _) = iface_range("lo");
    Intervals::point(lo).complement(u128::MAX)
}

/// A new connection to `ports` of `proto` (a SYN for TCP), first fragment.
pub(crate) fn new_connection(family: Family, proto: u8, ports: &Intervals) -> PBox {
    let mut b = PBox::full(family);
    b.set(Dim::Proto, Intervals::point(proto as u128));
    b.set(Dim::Dport, ports.clone());
    b.set(Dim::State, Intervals::point(state::NEW));
    b.set(Dim::Frag, Intervals::point(0));
    if proto == TCP {
        b.set(Dim::TcpFlags, Intervals::point(0x02));
    }
    b
}

/// Union of one dimension over a set's boxes.
pub(crate) fn dim_union(s: &PacketSet, d: Dim) -> Intervals {
    Intervals::from_ranges(s.boxes().iter().flat_map(|b| b.get(d).runs().to_vec()))
}

pub(crate) fn addr_string(v: u128, family: Family) -> String {
    match family {
        Family::V4 => std::net::Ipv4Addr::from(v as u32).to_string(),
        Family::V6 => std::net::Ipv6Addr::from(v).to_string(),
    }
}

/// One run of addresses: `a/len` when it is one network, else `a-b`.
pub(crate) fn run_string(lo: u128, hi: u128, family: Family) -> String {
    let bits = if family == Family::V4 { 32 } else { 128 };
    let size = hi.wrapping_sub(lo).wrapping_add(1);
    if size != 0 && size.is_power_of_two() && lo.is_multiple_of(size) {
        let len = bits - size.trailing_zeros();
        if len == bits {
            return addr_string(lo, family);
        }
        return format!("{}/{len}", addr_string(lo, family));
    }
    if size == 0 && lo == 0 {
        return format!("{}/0", addr_string(0, family));
    }
    format!("{}-{}", addr_string(lo, family), addr_string(hi, family))
}

fn list(items: Vec<String>, max: usize) -> String {
    let n = items.len();
    if n <= max {
        return items.join(", ");
    }
    format!("{} and {} more", items[..max - 1].join(", "), n - (max - 1))
}

/// "any address", "any address except …" or the ranges, at most four.
pub(crate) fn addrs_summary(iv: &Intervals, family: Family) -> String {
    let max = Dim::Src.max(family);
    if iv.is_full(max) {
        return "any address".into();
    }
    let comp = iv.complement(max);
    let runs = |iv: &Intervals| iv.runs().iter().map(|&(a, b)| run_string(a, b, family)).collect::<Vec<_>>();
    if comp.runs().len() < iv.runs().len() || comp.runs().len() <= 2 {
        format!("any address except {}", list(runs(&comp), 4))
    } else {
        list(runs(iv), 4)
    }
}

pub(crate) fn proto_name(p: u8) -> &'static str {
    match p {
        TCP => "tcp",
        UDP => "udp",
        _ => "ip",
    }
}

/// Where to point at a chain's policy.
pub(crate) fn policy_span(table: &Table, chain: &str) -> Span {
    table.chain(chain).and_then(|c| c.policy.as_ref().map(|p| p.1).or(c.decl)).unwrap_or(table.span)
}

// ---------------------------------------------------------------------

struct Exposure {
    service: &'static Service,
    /// Sources (all, not only public ones) the acceptor takes.
    sources: Intervals,
}

pub fn check(cx: &LintCx) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let family = cx.parsed.ruleset.family;
    let public = public(family);
    let public_count = public.count();
    for table in cx.parsed.ruleset.tables.iter().filter(|t| t.name == "filter") {
        // Interfaces that may face the internet: those no rule names, and
        // those the nat table uses as its outside. A rule for one named
        // interface (`-i eth1`) may well be for a private network.
        let outside = unnamed_ifaces(table).union(&wan_ifaces(&cx.parsed.ruleset)).intersect(&not_lo());
        let forward_dst = forward_destinations(&cx.parsed.ruleset);
        let input_dst = input_destinations(family);
        for chain in ["INPUT", "FORWARD"] {
            let Some(facts) = hook_facts(table, family, chain) else { continue };
            let acc = accepts(table, &facts, family, chain);
            if acc.incomplete {
                continue;
            }
            let mut found: Vec<(Acceptor, Vec<Exposure>)> = Vec::new();
            for (who, set) in &acc.sure {
                let own_ports = match who {
                    Acceptor::Rule(ri) => facts.rules[*ri].matchset.region.get(Dim::Dport).clone(),
                    Acceptor::Policy => Intervals::range(0, 65535),
                };
                let specific = !own_ports.is_full(65535);
                if chain == "FORWARD" && !specific {
                    continue;
                }
                let mut exps = Vec::new();
                for s in SERVICES {
                    let ports = Intervals::range(s.ports.0 as u128, s.ports.1 as u128);
                    if specific && !own_ports.intersects(&ports) {
                        continue;
                    }
                    let mut probe = new_connection(family, s.proto, &ports);
                    probe.set(Dim::InIface, outside.clone());
                    probe.set(Dim::Dst, if chain == "FORWARD" { forward_dst.clone() } else { input_dst.clone() });
                    let e = set.intersect_box(&probe);
                    if e.truncated() || e.boxes().is_empty() {
                        continue;
                    }
                    let sources = dim_union(&e, Dim::Src);
                    // Only what this acceptor opens to at least half of the
                    // internet: not a few trusted public networks.
                    if sources.intersect(&public).count().saturating_mul(2) >= public_count {
                        exps.push(Exposure { service: s, sources });
                    }
                }
                if !exps.is_empty() {
                    found.push((*who, exps));
                }
            }
            for (who, exps) in found {
                out.push(report(table, chain, who, &exps, family));
            }
        }
    }
    out
}

/// `MySQL (tcp/3306)`; several entries of one service share the name:
/// `rpcbind (tcp/111, udp/111)`.
fn service_labels(services: &[&Service]) -> Vec<String> {
    let mut out: Vec<(&str, Vec<String>)> = Vec::new();
    for s in services {
        let ports = if s.ports.0 == s.ports.1 { s.ports.0.to_string() } else { format!("{}-{}", s.ports.0, s.ports.1) };
        let p = format!("{}/{ports}", proto_name(s.proto));
        match out.iter_mut().find(|(n, _)| *n == s.name) {
            Some((_, v)) => v.push(p),
            None => out.push((s.name, vec![p])),
        }
    }
    out.into_iter().map(|(n, v)| format!("{n} ({})", v.join(", "))).collect()
}

/// `a`, `a and b`, `a, b and c`, `a, b, c and 4 more`.
fn and_list(items: &[String], max: usize) -> String {
    match items.len() {
        0 => String::new(),
        1 => items[0].clone(),
        n if n <= max => format!("{} and {}", items[..n - 1].join(", "), items[n - 1]),
        n => format!("{} and {} more", items[..max - 1].join(", "), n - (max - 1)),
    }
}

/// `-s`/`-d` addresses as written, comma-separated.
pub(crate) fn addresses(f: &iptlint_parser::model::Field<Vec<iptlint_parser::model::Address>>) -> String {
    f.value
        .iter()
        .map(|a| match a {
            iptlint_parser::model::Address::Net(n) => n.to_string(),
            iptlint_parser::model::Address::Host(h) => h.clone(),
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn report(table: &Table, chain: &str, who: Acceptor, exps: &[Exposure], family: Family) -> Diagnostic {
    // Group services by the sources they are open to.
    let mut groups: Vec<(String, Vec<&Service>)> = Vec::new();
    for e in exps {
        let from = addrs_summary(&e.sources, family);
        match groups.iter_mut().find(|(f, _)| *f == from) {
            Some((_, v)) => v.push(e.service),
            None => groups.push((from, vec![e.service])),
        }
    }
    let mut rule_where = String::new();
    if let Acceptor::Rule(ri) = who {
        let rule = &table.rules[ri];
        if let Some(d) = rule.destination.as_ref().filter(|d| !d.negated) {
            rule_where.push_str(&format!(" to {}", addresses(d)));
        }
        if let Some(i) = rule.in_iface.as_ref().filter(|i| !i.negated) {
            rule_where.push_str(&format!(" via interface `{}`", i.value));
        }
    }
    let parts: Vec<String> = groups
        .iter()
        .map(|(from, svcs)| {
            let labels = service_labels(svcs);
            let verb = if labels.len() == 1 { "is" } else { "are" };
            format!("{} {verb} accepted from {from}{rule_where}", and_list(&labels, 5))
        })
        .collect();
    let what = parts.join("; ");
    let it = if exps.len() == 1 { "it" } else { "them" };
    match who {
        Acceptor::Rule(ri) => {
            let d = Diagnostic::new(
                &EXPOSED_SERVICE,
                table.rules[ri].span,
                format!("{what}: this rule opens {it} to the internet"),
            );
            if chain == "FORWARD" && table.chain("DOCKER-USER").is_some() {
                d.note("Docker publishes this port: publish it on the loopback address only (`-p 127.0.0.1:PORT:PORT`), or drop unwanted sources in DOCKER-USER, which runs first")
            } else {
                d.note("accept only the networks that need the service (`-s 10.0.0.0/8 …`), or keep the service on a private address")
            }
        }
        Acceptor::Policy => Diagnostic::new(
            &EXPOSED_SERVICE,
            policy_span(table, chain),
            format!("{what}: no rule of `{chain}` drops them before its ACCEPT policy"),
        )
        .note(format!(
            "set `:{chain} DROP [0:0]` and accept only what must be public, or drop these ports from public sources"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use iptlint_parser::{parse, ParseOptions};

    fn run(text: &str, family: Family) -> Vec<(usize, String)> {
        let p = parse(text, &ParseOptions { family: Some(family), table: None });
        assert!(!p.diagnostics.iter().any(|d| d.severity == iptlint_parser::Severity::Error), "{:?}", p.diagnostics);
        let cx = LintCx::new(&p, text);
        check(&cx).into_iter().map(|d| (p.ruleset.line_of(d.span.start), d.message)).collect()
    }

    #[test]
    fn summaries() {
        let f = Family::V4;
        assert_eq!(addrs_summary(&Intervals::range(0, u32::MAX as u128), f), "any address");
        let ten = Intervals::range(0x0a00_0000, 0x0aff_ffff);
        assert_eq!(addrs_summary(&ten, f), "any address except 0.0.0.0-9.255.255.255, 11.0.0.0-255.255.255.255");
        assert_eq!(addrs_summary(&ten.complement(u32::MAX as u128), f), "any address except 10.0.0.0/8");
        assert!(public(f).contains(0x0808_0808));
        assert!(!public(f).contains(0xc0a8_0101));
        assert!(public(Family::V6).contains(0x2001_0db8u128 << 96));
        assert!(!public(Family::V6).contains(0xfe80u128 << 112));
    }

    #[test]
    fn open_port_and_policy() {
        let found = run("*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 3306 -j ACCEPT\nCOMMIT\n", Family::V4);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, 3);
        assert!(found[0].1.contains("MySQL (tcp/3306) is accepted from any address"), "{found:?}");
        let found = run("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n", Family::V4);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, 2);
    }

    #[test]
    fn well_configured_is_silent() {
        let text = "*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n\
            -A INPUT -i lo -j ACCEPT\n\
            -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n\
            -A INPUT -i eth1 -j ACCEPT\n\
            -A INPUT -s 10.0.0.0/8 -j ACCEPT\n\
            -A INPUT -s 192.168.0.0/16 -p tcp --dport 5432 -j ACCEPT\n\
            -A INPUT -s 203.0.113.7 -p tcp --dport 3306 -j ACCEPT\n\
            -A INPUT -p tcp -m multiport --dports 22,80,443 -j ACCEPT\n\
            COMMIT\n";
        assert_eq!(run(text, Family::V4), vec![]);
    }

    #[test]
    fn unmodelled_conditions_get_the_benefit_of_the_doubt() {
        // The ipset may hold only trusted sources; the limit may be the
        // only way in: neither is reported.
        let text = "*filter\n:INPUT DROP [0:0]\n\
            -A INPUT -m set ! --match-set trusted src -j DROP\n\
            -A INPUT -p tcp --dport 6379 -j ACCEPT\n\
            COMMIT\n";
        assert_eq!(run(text, Family::V4), vec![]);
    }

    #[test]
    fn blocklist_before_accept_still_exposed() {
        let text = "*filter\n:INPUT DROP [0:0]\n-A INPUT -s 198.51.100.0/24 -j DROP\n-A INPUT -p tcp --dport 6379 -j ACCEPT\nCOMMIT\n";
        let found = run(text, Family::V4);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].1.contains("any address except 198.51.100.0/24"), "{found:?}");
    }

    #[test]
    fn forward_needs_a_reachable_destination() {
        // No DNAT to 192.168.1.5: the internet cannot address it.
        let text = "*filter\n:FORWARD DROP [0:0]\n-A FORWARD -d 192.168.1.5 -p tcp --dport 3306 -j ACCEPT\nCOMMIT\n";
        assert_eq!(run(text, Family::V4), vec![]);
        let dnat =
            format!("*nat\n-A PREROUTING -p tcp --dport 3306 -j DNAT --to-destination 192.168.1.5\nCOMMIT\n{text}");
        let found = run(&dnat, Family::V4);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, 6);
        // FORWARD's policy or a rule for every port is permissive-policy's
        // business, not this lint's.
        let text = "*nat\n-A PREROUTING -p tcp --dport 3306 -j DNAT --to-destination 192.168.1.5\nCOMMIT\n*filter\n:FORWARD ACCEPT [0:0]\n-A FORWARD -d 192.168.1.5 -j ACCEPT\nCOMMIT\n";
        assert_eq!(run(text, Family::V4), vec![]);
    }

    #[test]
    fn only_the_rule_that_opens_is_named() {
        let text = "*filter\n:INPUT DROP [0:0]\n-A INPUT -s 10.0.0.0/8 -p tcp --dport 3306 -j ACCEPT\n-A INPUT -s 203.0.113.7 -p tcp --dport 3306 -j ACCEPT\n-A INPUT -p tcp --dport 3306 -j ACCEPT\nCOMMIT\n";
        let found = run(text, Family::V4);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, 5);
        assert!(found[0].1.contains("any address except 10.0.0.0/8, 203.0.113.7"), "{found:?}");
    }

    #[test]
    fn loopback_destination_is_not_exposed() {
        let text = "*filter\n:INPUT DROP [0:0]\n-A INPUT -d 127.0.0.1 -p tcp --dport 6379 -j ACCEPT\nCOMMIT\n";
        assert_eq!(run(text, Family::V4), vec![]);
    }

    #[test]
    fn ipv6() {
        let text = "*filter\n:INPUT DROP [0:0]\n-A INPUT -s fd00::/8 -p tcp --dport 5432 -j ACCEPT\n-A INPUT -p tcp --dport 27017 -j ACCEPT\nCOMMIT\n";
        let found = run(text, Family::V6);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, 4);
    }
}
