//! `ipv6-gap`: checked as a pair with the `rules.v4` beside it, the
//! `rules.v6` file accepts traffic the IPv4 rules refuse.

use iptlint_parser::ext::{Family, TargetEffect};
use iptlint_parser::model::{Policy, Table, TargetKind};
use iptlint_parser::{Diagnostic, Parsed};

use super::exposed_service::{
    accepts, hook_facts, input_destinations, new_connection, not_lo, policy_span, public, Acceptor,
};
use crate::space::{Dim, Intervals, PBox, PacketSet};
use crate::LintCx;

declare_lint! {
    /// ## What it does
    /// Checks a `rules.v4` and the `rules.v6` beside it as a pair and finds
    /// TCP and UDP ports that IPv6 INPUT accepts from public addresses while
    /// IPv4 INPUT refuses them from every public address: an IPv6 INPUT
    /// left at ACCEPT while IPv4 drops, or a port closed in one family and
    /// open in the other. Addresses are compared only as public or not, since
    /// they differ by family; protocols, ports and interfaces are compared
    /// as they are. Reported on the IPv6 file; the IPv4 rule or policy that
    /// refuses is named in the message.
    ///
    /// ## Why is this bad?
    /// Most hosts have an IPv6 address whether or not anyone thought about
    /// it, and scanners try both. A service firewalled in `rules.v4` and
    /// open in `rules.v6` is open.
    ///
    /// ## Example
    /// ```text
    /// ==> rules.v4 <==
    /// *filter
    /// :INPUT DROP [0:0]
    /// -A INPUT -p tcp --dport 22 -j ACCEPT
    /// COMMIT
    /// ==> rules.v6 <==
    /// *filter
    /// :INPUT ACCEPT [0:0]
    /// -A INPUT -p tcp --dport 22 -j ACCEPT
    /// COMMIT
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// ==> rules.v4 <==
    /// *filter
    /// :INPUT DROP [0:0]
    /// -A INPUT -p tcp --dport 22 -j ACCEPT
    /// COMMIT
    /// ==> rules.v6 <==
    /// *filter
    /// :INPUT DROP [0:0]
    /// -A INPUT -p ipv6-icmp -j ACCEPT
    /// -A INPUT -p tcp --dport 22 -j ACCEPT
    /// COMMIT
    /// ```
    ///
    /// ## Known problems
    /// Only runs when both files are checked together (`check_pair`, or
    /// `check_source_with` given the IPv4 file as companion). ICMP is
    /// not compared (ICMPv6 must be open for IPv6 to work at all). Rules
    /// with conditions iptlint does not model count as accepting on the
    /// IPv4 side and as not accepting on the IPv6 side.
    pub IPV6_GAP = ("L306", "ipv6-gap", Warning, "IPv6 accepts traffic that the IPv4 rules block");
}

const PROTOS: [u8; 2] = [6, 17];

/// New connections from public addresses on any interface but `lo`, to
/// an address the internet can reach.
fn probe(family: Family, proto: u8) -> PBox {
    let mut b = new_connection(family, proto, &Intervals::range(0, 65535));
    b.set(Dim::Src, public(family));
    b.set(Dim::Dst, input_destinations(family));
    b.set(Dim::InIface, not_lo());
    b
}

/// The set without its addresses, in a family-neutral (IPv4-shaped) space;
/// `None` when the set is an over-approximation.
fn project(s: &PacketSet) -> Option<PacketSet> {
    if s.truncated() {
        return None;
    }
    let mut out = PacketSet::empty(Family::V4);
    for b in s.boxes() {
        let mut nb = PBox::full(Family::V4);
        for d in Dim::ALL {
            if d != Dim::Src && d != Dim::Dst {
                nb.set(d, b.get(d).clone());
            }
        }
        out.union(&PacketSet::from_box(Family::V4, nb));
    }
    (!out.truncated()).then_some(out)
}

/// The IPv4 side: INPUT's facts and what it may accept from the public.
struct V4Side<'a> {
    parsed: &'a Parsed,
    text: &'a str,
    table: &'a Table,
    facts: crate::reach::TableFacts,
    maybe: PacketSet,
}

fn v4_side<'a>(parsed: &'a Parsed, text: &'a str) -> Option<V4Side<'a>> {
    let table = parsed.ruleset.table("filter")?;
    let facts = hook_facts(table, Family::V4, "INPUT")?;
    let acc = accepts(table, &facts, Family::V4, "INPUT");
    if acc.incomplete {
        return None;
    }
    let mut maybe = PacketSet::empty(Family::V4);
    for p in PROTOS {
        maybe.union(&project(&acc.maybe.intersect_box(&probe(Family::V4, p)))?);
    }
    if maybe.truncated() {
        return None;
    }
    Some(V4Side { parsed, text, table, facts, maybe })
}

/// Ports of one protocol in a gap: `tcp/3306`, `tcp/8000-8080`, `every tcp
/// port`, `every tcp port except 22 and 80`.
fn proto_ports(proto: &str, iv: &Intervals) -> String {
    let runs = |iv: &Intervals| {
        iv.runs().iter().map(|&(a, b)| if a == b { a.to_string() } else { format!("{a}-{b}") }).collect::<Vec<_>>()
    };
    let join = |v: Vec<String>| {
        if v.len() > 6 {
            format!("{} and {} more", v[..5].join(", "), v.len() - 5)
        } else if v.len() > 1 {
            format!("{} and {}", v[..v.len() - 1].join(", "), v[v.len() - 1])
        } else {
            v.join("")
        }
    };
    if iv.is_full(65535) {
        return format!("every {proto} port");
    }
    let comp = iv.complement(65535);
    if comp.runs().len() < iv.runs().len() {
        return format!("every {proto} port except {}", join(runs(&comp)));
    }
    join(runs(iv).into_iter().map(|r| format!("{proto}/{r}")).collect())
}

fn gap_summary(gap: &PacketSet) -> String {
    let mut parts = Vec::new();
    for (p, name) in [(6u128, "tcp"), (17, "udp")] {
        let ports = Intervals::from_ranges(
            gap.boxes()
                .iter()
                .filter(|b| b.get(Dim::Proto).contains(p))
                .flat_map(|b| b.get(Dim::Dport).runs().to_vec()),
        );
        if !ports.is_empty() {
            parts.push(proto_ports(name, &ports));
        }
    }
    parts.join(" plus ")
}

/// Where the IPv4 side refuses the gap: its first dropping or rejecting
/// rule that sees such a packet, else its INPUT policy.
fn v4_refusal(v4: &V4Side, gap: &PacketSet) -> String {
    let mut lifted = PacketSet::empty(Family::V4);
    for b in gap.boxes() {
        let mut nb = b.clone();
        nb.set(Dim::Src, public(Family::V4));
        lifted.union(&PacketSet::from_box(Family::V4, nb));
    }
    let refusing = v4.table.rules.iter().enumerate().filter(|(ri, r)| {
        let f = &v4.facts.rules[*ri];
        f.visited
            && r.target.as_ref().is_some_and(
                |t| matches!(&t.kind, TargetKind::Ext(s) if matches!(s.effect, TargetEffect::Drop | TargetEffect::Reject)),
            )
            && f.hit.boxes().iter().any(|hb| lifted.intersects_box(hb))
    });
    if let Some((_, r)) = refusing.min_by_key(|(_, r)| r.span.start) {
        let line = v4.parsed.ruleset.line_of(r.span.start);
        return format!("IPv4 line {line}: `{}`", v4.text[r.span.start..r.span.end].trim());
    }
    let chain = v4.table.chain("INPUT");
    match chain.and_then(|c| c.policy.as_ref()) {
        Some((Policy::Drop, span)) => format!("IPv4 line {}: INPUT policy DROP", v4.parsed.ruleset.line_of(span.start)),
        _ => {
            let span = policy_span(v4.table, "INPUT");
            format!("IPv4 line {}: the INPUT chain", v4.parsed.ruleset.line_of(span.start))
        }
    }
}

pub fn check(cx: &LintCx) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let Some((p4, t4)) = cx.companion else { return out };
    if cx.parsed.ruleset.family != Family::V6 || p4.ruleset.family != Family::V4 {
        return out;
    }
    let Some(table) = cx.parsed.ruleset.table("filter") else { return out };
    let Some(v4) = v4_side(p4, t4) else { return out };
    let Some(facts) = hook_facts(table, Family::V6, "INPUT") else { return out };
    let acc = accepts(table, &facts, Family::V6, "INPUT");
    if acc.incomplete {
        return out;
    }
    'acceptors: for (who, set) in &acc.sure {
        let mut gap = PacketSet::empty(Family::V4);
        for p in PROTOS {
            let Some(s) = project(&set.intersect_box(&probe(Family::V6, p))) else { continue 'acceptors };
            gap.union(&s);
        }
        gap.subtract(&v4.maybe);
        if gap.truncated() || gap.boxes().is_empty() {
            continue;
        }
        let mut ports = gap_summary(&gap);
        let ifaces = Intervals::from_ranges(gap.boxes().iter().flat_map(|b| b.get(Dim::InIface).runs().to_vec()));
        if ifaces != not_lo() {
            ports.push_str(" on some interfaces");
        }
        let why = v4_refusal(&v4, &gap);
        let d = match who {
            Acceptor::Rule(ri) => Diagnostic::new(
                &IPV6_GAP,
                table.rules[*ri].span,
                format!("IPv6 accepts {ports} from public addresses here, which the IPv4 rules refuse ({why})"),
            )
            .note("add the same restriction to rules.v6, or open the port in rules.v4 too if IPv6 is right"),
            Acceptor::Policy => Diagnostic::new(
                &IPV6_GAP,
                policy_span(table, "INPUT"),
                format!("IPv6 INPUT's ACCEPT policy lets in {ports} from public addresses, which the IPv4 rules refuse ({why})"),
            )
            .note("mirror rules.v4: `:INPUT DROP [0:0]`, then accept loopback, established traffic, ICMPv6 and the same services"),
        };
        out.push(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use iptlint_parser::{parse, ParseOptions};

    fn run(v4: &str, v6: &str) -> Vec<(usize, String)> {
        let p4 = parse(v4, &ParseOptions { family: Some(Family::V4), table: None });
        let p6 = parse(v6, &ParseOptions { family: Some(Family::V6), table: None });
        let cx = LintCx::with_companion(&p6, v6, Some((&p4, v4)));
        check(&cx).into_iter().map(|d| (p6.ruleset.line_of(d.span.start), d.message)).collect()
    }

    const V4: &str = "*filter\n:INPUT DROP [0:0]\n-A INPUT -i lo -j ACCEPT\n-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n-A INPUT -p tcp -m multiport --dports 22,80,443 -j ACCEPT\n-A INPUT -p udp --dport 53 -j ACCEPT\nCOMMIT\n";

    #[test]
    fn mirrored_pair_is_silent() {
        let v6 = "*filter\n:INPUT DROP [0:0]\n-A INPUT -i lo -j ACCEPT\n-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n-A INPUT -p ipv6-icmp -j ACCEPT\n-A INPUT -s fe80::/10 -p udp --dport 546 -j ACCEPT\n-A INPUT -d fe80::/64 -p udp --dport 546 -j ACCEPT\n-A INPUT -p tcp -m multiport --dports 22,80,443 -j ACCEPT\n-A INPUT -p udp --dport 53 -j ACCEPT\nCOMMIT\n";
        assert_eq!(run(V4, v6), vec![]);
        // Stricter IPv6 is fine too.
        let v6 = "*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n";
        assert_eq!(run(V4, v6), vec![]);
    }

    #[test]
    fn open_policy_and_extra_port() {
        let v6 = "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n";
        let found = run(V4, v6);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, 2);
        assert!(found[0].1.contains("every tcp port except 22, 80 and 443 plus every udp port except 53"), "{found:?}");
        let v6 = "*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp -m multiport --dports 22,80,443,3306 -j ACCEPT\nCOMMIT\n";
        let found = run(V4, v6);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].1.contains("tcp/3306 from public"), "{found:?}");
        assert!(found[0].1.contains("IPv4 line 2"), "{found:?}");
    }

    #[test]
    fn private_only_in_v4_is_a_gap() {
        let v4 = "*filter\n:INPUT DROP [0:0]\n-A INPUT -s 10.0.0.0/8 -p tcp --dport 5432 -j ACCEPT\n-A INPUT -p tcp --dport 5432 -j DROP\nCOMMIT\n";
        let v6 = "*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 5432 -j ACCEPT\nCOMMIT\n";
        let found = run(v4, v6);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].1.contains("(IPv4 line 4: `-A INPUT -p tcp --dport 5432 -j DROP`)"), "{found:?}");
        // Both private only: no gap.
        let v6 = "*filter\n:INPUT DROP [0:0]\n-A INPUT -s fd00::/8 -p tcp --dport 5432 -j ACCEPT\nCOMMIT\n";
        assert_eq!(run(v4, v6), vec![]);
    }

    #[test]
    fn unmodelled_v4_rules_may_accept() {
        let v4 = "*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 8080 -m limit --limit 10/s -j ACCEPT\nCOMMIT\n";
        let v6 = "*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 8080 -j ACCEPT\nCOMMIT\n";
        assert_eq!(run(v4, v6), vec![]);
    }

    #[test]
    fn interfaces_are_compared() {
        let v4 = "*filter\n:INPUT DROP [0:0]\n-A INPUT -i eth0 -p tcp --dport 80 -j ACCEPT\nCOMMIT\n";
        let v6 = "*filter\n:INPUT DROP [0:0]\n-A INPUT -i eth0 -p tcp --dport 80 -j ACCEPT\nCOMMIT\n";
        assert_eq!(run(v4, v6), vec![]);
        let v6 = "*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 80 -j ACCEPT\nCOMMIT\n";
        let found = run(v4, v6);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].1.contains("tcp/80 on some interfaces from public addresses"), "{found:?}");
    }

    #[test]
    fn needs_a_v4_companion() {
        let v6 = "*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n";
        let p6 = parse(v6, &ParseOptions { family: Some(Family::V6), table: None });
        assert!(check(&LintCx::new(&p6, v6)).is_empty());
    }
}
