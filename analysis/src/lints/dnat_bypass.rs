//! `dnat-bypass`: a port published with DNAT is filtered by FORWARD, not by
//! the INPUT rules that seem to guard it.

use iptlint_parser::ext::value::Value;
use iptlint_parser::ext::{Family, TargetEffect};
use iptlint_parser::model::{Rule, Table, TargetKind};
use iptlint_parser::{Diagnostic, Span};

use super::exposed_service::addresses;
use super::exposed_service::{
    accepts, addr_string, addrs_summary, dim_union, hook_facts, policy_span, run_string, Acceptor,
};
use crate::reach::TableFacts;
use crate::space::{iface_range, state, Dim, Intervals, PBox, PacketSet};
use crate::LintCx;

declare_lint! {
    /// ## What it does
    /// Finds a port published with DNAT in nat PREROUTING (a hand-made port
    /// forward, or Docker's `-p 8080:80`) that the INPUT chain seems to
    /// guard, while FORWARD lets the translated connections through from
    /// sources INPUT would have refused. Names the DNAT rule, the INPUT rule
    /// that looks like a guard and the FORWARD rule (or policy) that accepts.
    ///
    /// ## Why is this bad?
    /// DNAT rewrites the destination before the routing decision: a
    /// connection to a published port is routed to its new destination and
    /// goes through FORWARD; it never reaches INPUT. INPUT rules for that
    /// port (a source restriction, a final DROP) protect nothing, and the
    /// port is open to whoever FORWARD accepts. This is how Docker's
    /// published ports end up open to the internet on hosts whose INPUT
    /// chain is locked down.
    ///
    /// ## Example
    /// ```text
    /// *nat
    /// -A PREROUTING -i eth0 -p tcp --dport 8080 -j DNAT --to-destination 192.168.1.10:80
    /// COMMIT
    /// *filter
    /// :INPUT DROP [0:0]
    /// :FORWARD ACCEPT [0:0]
    /// -A INPUT -s 10.0.0.0/8 -p tcp --dport 8080 -j ACCEPT
    /// COMMIT
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// *nat
    /// -A PREROUTING -i eth0 -p tcp --dport 8080 -j DNAT --to-destination 192.168.1.10:80
    /// COMMIT
    /// *filter
    /// :INPUT DROP [0:0]
    /// :FORWARD DROP [0:0]
    /// -A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
    /// -A FORWARD -s 10.0.0.0/8 -d 192.168.1.10 -p tcp --dport 80 -j ACCEPT
    /// COMMIT
    /// ```
    ///
    /// ## Known problems
    /// A DNAT to an address of the host itself (other than the one the rule
    /// matched) goes to INPUT after all; iptlint does not know the host's
    /// addresses and assumes the target is another host (loopback targets
    /// are skipped). Conditions iptlint does not model (ipsets, rate limits)
    /// are given the benefit of the doubt on every side, except that
    /// `-m addrtype --dst-type LOCAL` in nat PREROUTING (Docker's jump into
    /// its DNAT chain) is taken as met.
    pub DNAT_BYPASS = ("L305", "dnat-bypass", Warning, "a DNAT-published port bypasses the INPUT rules that seem to guard it");
}

/// `--to-destination` of a DNAT rule, in its canonical spelling.
pub(crate) fn to_destination(rule: &Rule) -> Option<String> {
    rule.target.as_ref()?.inst.opt("to-destination").map(|o| o.value.to_string())
}

/// The new destination: addresses (if any) and ports (if any).
pub(crate) fn parse_to(s: &str, family: Family) -> Option<(Option<Intervals>, Option<Intervals>)> {
    let (addr, ports) = if let Some(rest) = s.strip_prefix('[') {
        let close = rest.find(']')?;
        (&rest[..close], rest[close + 1..].strip_prefix(':'))
    } else if family == Family::V4 {
        match s.split_once(':') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        }
    } else {
        (s, None)
    };
    let num = |a: &str| -> Option<u128> {
        match a.parse::<std::net::IpAddr>().ok()? {
            std::net::IpAddr::V4(v) if family == Family::V4 => Some(u32::from(v) as u128),
            std::net::IpAddr::V6(v) if family == Family::V6 => Some(u128::from(v)),
            _ => None,
        }
    };
    let addrs = if addr.is_empty() {
        None
    } else {
        let (lo, hi) = addr.split_once('-').unwrap_or((addr, addr));
        Some(Intervals::range(num(lo)?, num(hi)?))
    };
    let ports = match ports {
        None | Some("") => None,
        Some(p) => {
            let p = p.split('/').next()?;
            let (lo, hi) = p.split_once('-').unwrap_or((p, p));
            Some(Intervals::range(lo.parse::<u16>().ok()? as u128, hi.parse::<u16>().ok()? as u128))
        }
    };
    Some((addrs, ports))
}

fn loopback(family: Family) -> Intervals {
    match family {
        Family::V4 => Intervals::range(0x7f00_0000, 0x7fff_ffff),
        Family::V6 => Intervals::point(1),
    }
}

/// The rule's only unmodelled conditions are `-m addrtype --dst-type
/// LOCAL`: true for every packet INPUT would have seen.
fn only_dst_local(rule: &Rule, opaque: usize) -> bool {
    let local = rule
        .matches
        .iter()
        .filter(|m| m.name == "addrtype")
        .map(|m| {
            m.options.len() == 1
                && m.opt("dst-type").is_some_and(|o| {
                    !o.negated
                        && match &o.value {
                            Value::Words(w) => w.len() == 1 && w[0] == "LOCAL",
                            v => v.to_string() == "LOCAL",
                        }
                })
        })
        .collect::<Vec<bool>>();
    !local.is_empty() && local.iter().all(|&b| b) && local.len() == opaque
}

/// Packets of nat PREROUTING on which the walk may be wrong.
fn nat_doubt(table: &Table, facts: &TableFacts, family: Family) -> PacketSet {
    let mut out = PacketSet::empty(family);
    for (ri, rule) in table.rules.iter().enumerate() {
        let f = &facts.rules[ri];
        if !f.visited || f.matchset.exact() || only_dst_local(rule, f.matchset.opaque.len()) {
            continue;
        }
        let diverts = rule.target.as_ref().is_some_and(|t| match &t.kind {
            TargetKind::Ext(s) => !matches!(s.effect, TargetEffect::Continue | TargetEffect::None),
            _ => true,
        });
        if diverts {
            out.union(&f.hit);
        }
    }
    out
}

fn is_dnat(rule: &Rule) -> bool {
    rule.target.as_ref().is_some_and(|t| t.name == "DNAT")
}

fn effect(rule: &Rule) -> Option<TargetEffect> {
    rule.target.as_ref().and_then(|t| match &t.kind {
        TargetKind::Ext(s) => Some(s.effect),
        _ => None,
    })
}

/// `tcp/8080`, `tcp/8000-8010`, `tcp traffic`.
fn published(m: &PacketSet) -> String {
    let protos = dim_union(m, Dim::Proto);
    let proto = match protos.runs() {
        [(6, 6)] => "tcp",
        [(17, 17)] => "udp",
        [(132, 132)] => "sctp",
        _ => "",
    };
    let ports = dim_union(m, Dim::Dport);
    let p =
        ports.runs().iter().map(|&(a, b)| if a == b { a.to_string() } else { format!("{a}-{b}") }).collect::<Vec<_>>();
    match (proto, ports.is_full(65535)) {
        ("", true) => "traffic".into(),
        (pr, true) => format!("{pr} traffic"),
        ("", false) => format!("port {}", p.join(",")),
        (pr, false) => format!("{pr}/{}", p.join(",")),
    }
}

fn rule_text<'t>(cx: &'t LintCx, span: Span) -> &'t str {
    cx.text[span.start..span.end].trim()
}

pub fn check(cx: &LintCx) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let family = cx.parsed.ruleset.family;
    let rs = &cx.parsed.ruleset;
    let (Some(nat), Some(filter)) = (rs.table("nat"), rs.table("filter")) else { return out };
    let Some(nat_facts) = hook_facts(nat, family, "PREROUTING") else { return out };
    let (Some(in_facts), Some(fwd_facts)) =
        (hook_facts(filter, family, "INPUT"), hook_facts(filter, family, "FORWARD"))
    else {
        return out;
    };
    if nat_facts.incomplete {
        return out;
    }
    let doubt = nat_doubt(nat, &nat_facts, family);
    let in_acc = accepts(filter, &in_facts, family, "INPUT");
    let fwd_acc = accepts(filter, &fwd_facts, family, "FORWARD");
    if in_acc.incomplete || fwd_acc.incomplete || doubt.truncated() {
        return out;
    }
    let mut new_conn = PBox::full(family);
    new_conn.set(Dim::State, Intervals::point(state::NEW));
    let routed = Intervals::point(iface_range("").0).complement(u128::MAX);
    for (ri, rule) in nat.rules.iter().enumerate() {
        let f = &nat_facts.rules[ri];
        if !f.visited || !is_dnat(rule) || !f.matchset.exact() {
            continue;
        }
        let Some((Some(to_addr), to_ports)) = to_destination(rule).and_then(|s| parse_to(&s, family)) else {
            continue;
        };
        // Loopback targets and the very address matched stay on this host.
        let own_dst = f.matchset.region.get(Dim::Dst);
        if to_addr.intersects(&loopback(family)) || (!own_dst.is_full(Dim::Dst.max(family)) && own_dst == &to_addr) {
            continue;
        }
        let mut m = f.hit.intersect_box(&new_conn);
        m.subtract(&doubt);
        if m.truncated() || m.boxes().is_empty() {
            continue;
        }
        // What INPUT would surely have refused.
        let mut refused = m.clone();
        refused.subtract(&in_acc.maybe);
        if refused.truncated() || refused.boxes().is_empty() {
            continue;
        }
        // Translated, through FORWARD: the pre-DNAT packets it accepts.
        let mut bypass: Vec<(Acceptor, PacketSet)> = Vec::new();
        for (who, set) in &fwd_acc.sure {
            let mut mine = PacketSet::empty(family);
            for pre in refused.boxes() {
                let mut post = pre.clone();
                post.set(Dim::Dst, to_addr.clone());
                if let Some(p) = &to_ports {
                    post.set(Dim::Dport, p.clone());
                }
                post.set(Dim::OutIface, routed.clone());
                for b in set.intersect_box(&post).boxes() {
                    let mut back = b.clone();
                    for d in [Dim::Dst, Dim::Dport, Dim::OutIface] {
                        back.set(d, pre.get(d).clone());
                    }
                    mine.union(&PacketSet::from_box(family, back));
                }
            }
            if mine.truncated() {
                return out;
            }
            if !mine.boxes().is_empty() {
                bypass.push((*who, mine));
            }
        }
        let Some((who, _)) = bypass.first() else { continue };
        let mut all = PacketSet::empty(family);
        for (_, s) in &bypass {
            all.union(s);
        }
        let Some(guard) = find_guard(filter, &in_facts, &m, &all) else { continue };
        let to = to_destination(rule).unwrap_or_default();
        let what = published(&m);
        let sources = addrs_summary(&dim_union(&all, Dim::Src), family);
        let fwd_where = match who {
            Acceptor::Rule(fi) if filter.rules[*fi].chain == "FORWARD" => {
                format!("FORWARD (line {})", cx.line(filter.rules[*fi].span))
            }
            Acceptor::Rule(fi) => {
                format!(
                    "FORWARD, through chain `{}` (line {}),",
                    filter.rules[*fi].chain,
                    cx.line(filter.rules[*fi].span)
                )
            }
            Acceptor::Policy => "FORWARD's ACCEPT policy".into(),
        };
        let guard_rule = &filter.rules[guard];
        let mut d = Diagnostic::new(
            &DNAT_BYPASS,
            rule.span,
            format!(
                "{what} is DNATed to {to}, so FORWARD filters it, not INPUT: {fwd_where} accepts it from {sources}, which INPUT line {} seems to keep out",
                cx.line(guard_rule.span)
            ),
        )
        .related(guard_rule.span, format!("looks like it guards {what}, but DNATed connections never reach INPUT"));
        for (w, _) in &bypass {
            d = match w {
                Acceptor::Rule(fi) => d.related(
                    filter.rules[*fi].span,
                    format!("accepts the DNATed connections: `{}`", rule_text(cx, filter.rules[*fi].span)),
                ),
                Acceptor::Policy => d.related(
                    policy_span(filter, "FORWARD"),
                    "FORWARD's ACCEPT policy lets the DNATed connections through",
                ),
            };
        }
        // The sources INPUT meant to allow: what it may accept of the
        // published port when that is one network, else the guard's `-s`.
        let in_allowed = dim_union(&m.intersect(&in_acc.maybe), Dim::Src);
        let allowed = match in_allowed.runs() {
            [(lo, hi)] if !in_allowed.is_full(Dim::Src.max(family)) && !run_string(*lo, *hi, family).contains('-') => {
                Some(run_string(*lo, *hi, family))
            }
            _ => match effect(guard_rule) {
                Some(TargetEffect::Accept) => guard_rule.source.as_ref().filter(|s| !s.negated).map(addresses),
                _ => None,
            },
        }
        .unwrap_or_else(|| "ALLOWED-NETWORK".into());
        let proto = match dim_union(&m, Dim::Proto).runs() {
            [(17, 17)] => "udp",
            [(132, 132)] => "sctp",
            _ => "tcp",
        };
        let orig_port = dim_union(&m, Dim::Dport).min().unwrap_or(0);
        let example = if filter.chain("DOCKER-USER").is_some() {
            format!("-I DOCKER-USER -p {proto} -m conntrack --ctorigdstport {orig_port} ! -s {allowed} -j DROP")
        } else {
            let target = addr_string(to_addr.min().unwrap_or(0), family);
            let port = to_ports.as_ref().and_then(|p| p.min()).unwrap_or(orig_port);
            format!("-I FORWARD -d {target} -p {proto} --dport {port} ! -s {allowed} -j DROP")
        };
        d = d.note(format!(
            "restrict the DNATed connections in FORWARD{}, e.g. `{example}`",
            if filter.chain("DOCKER-USER").is_some() { " (with Docker: in DOCKER-USER, which runs first)" } else { "" }
        ));
        out.push(d);
    }
    out
}

/// An INPUT rule that looks like it guards the published port: it names a
/// port the DNAT rule publishes and either refuses some of the bypassing
/// packets (DROP, REJECT) or accepts the port only from some sources.
fn find_guard(filter: &Table, facts: &TableFacts, m: &PacketSet, bypass: &PacketSet) -> Option<usize> {
    let ports = dim_union(m, Dim::Dport);
    let names_port = |ri: usize| {
        let own = facts.rules[ri].matchset.region.get(Dim::Dport);
        !own.is_full(65535) && own.intersects(&ports)
    };
    let mut order: Vec<usize> = (0..filter.rules.len()).collect();
    order.sort_by_key(|&ri| filter.rules[ri].span.start);
    let seen = |ri: usize, s: &PacketSet| {
        let f = &facts.rules[ri];
        f.visited && f.hit.boxes().iter().any(|b| s.intersects_box(b))
    };
    let refusing = order.iter().copied().find(|&ri| {
        matches!(effect(&filter.rules[ri]), Some(TargetEffect::Drop | TargetEffect::Reject))
            && names_port(ri)
            && seen(ri, bypass)
    });
    refusing.or_else(|| {
        order.iter().copied().find(|&ri| {
            effect(&filter.rules[ri]) == Some(TargetEffect::Accept)
                && names_port(ri)
                && filter.rules[ri].source.is_some()
                && seen(ri, m)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use iptlint_parser::{parse, ParseOptions};

    fn run(text: &str) -> Vec<(usize, String)> {
        let p = parse(text, &ParseOptions { family: Some(Family::V4), table: None });
        let cx = LintCx::new(&p, text);
        check(&cx).into_iter().map(|d| (p.ruleset.line_of(d.span.start), d.message)).collect()
    }

    #[test]
    fn parse_targets() {
        let v4 = parse_to("192.168.1.10:80", Family::V4).unwrap();
        assert_eq!(v4.0, Some(Intervals::point(0xc0a8_010a)));
        assert_eq!(v4.1, Some(Intervals::point(80)));
        let r = parse_to("10.0.0.1-10.0.0.3:8000-8010/9000", Family::V4).unwrap();
        assert_eq!(r.0, Some(Intervals::range(0x0a00_0001, 0x0a00_0003)));
        assert_eq!(r.1, Some(Intervals::range(8000, 8010)));
        assert_eq!(parse_to(":8080", Family::V4).unwrap(), (None, Some(Intervals::point(8080))));
        let v6 = parse_to("[fd00::2]:443", Family::V6).unwrap();
        assert_eq!(v6.0, Some(Intervals::point(0xfd00u128 << 112 | 2)));
        assert_eq!(v6.1, Some(Intervals::point(443)));
        assert_eq!(parse_to("fd00::2", Family::V6).unwrap().1, None);
    }

    const NAT: &str =
        "*nat\n-A PREROUTING -i eth0 -p tcp --dport 8080 -j DNAT --to-destination 192.168.1.10:80\nCOMMIT\n";

    #[test]
    fn forward_accepts_what_input_guards() {
        let text = format!("{NAT}*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n-A INPUT -s 10.0.0.0/8 -p tcp --dport 8080 -j ACCEPT\nCOMMIT\n");
        let found = run(&text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, 2);
        assert!(found[0].1.contains("from any address except 10.0.0.0/8, which INPUT line 7"), "{found:?}");
    }

    #[test]
    fn ipv6_port_forward() {
        let text = "*nat\n-A PREROUTING -i eth0 -p tcp --dport 8443 -j DNAT --to-destination [fd00::10]:443\nCOMMIT\n*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n-A INPUT -s 2001:db8:1::/48 -p tcp --dport 8443 -j ACCEPT\n-A FORWARD -d fd00::10 -p tcp --dport 443 -j ACCEPT\nCOMMIT\n";
        let p = parse(text, &ParseOptions { family: Some(Family::V6), table: None });
        assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
        let found: Vec<String> = check(&LintCx::new(&p, text)).into_iter().map(|d| d.message).collect();
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].contains("DNATed to [fd00::10]:443"), "{found:?}");
        assert!(found[0].contains("any address except 2001:db8:1::/48"), "{found:?}");
    }

    #[test]
    fn forward_restricted_too_is_silent() {
        let text = format!("{NAT}*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n-A INPUT -s 10.0.0.0/8 -p tcp --dport 8080 -j ACCEPT\n-A FORWARD -s 10.0.0.0/8 -d 192.168.1.10 -p tcp --dport 80 -j ACCEPT\nCOMMIT\n");
        assert_eq!(run(&text), vec![]);
    }

    #[test]
    fn no_guard_no_finding() {
        // INPUT never mentions the port: nothing looks guarded.
        let text = format!(
            "{NAT}*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n"
        );
        assert_eq!(run(&text), vec![]);
        // INPUT accepts the port from everyone anyway: nothing bypassed.
        let text = format!(
            "{NAT}*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n-A INPUT -p tcp --dport 8080 -j ACCEPT\nCOMMIT\n"
        );
        assert_eq!(run(&text), vec![]);
    }

    #[test]
    fn loopback_target_is_skipped() {
        let text = "*nat\n-A PREROUTING -p tcp --dport 8080 -j DNAT --to-destination 127.0.0.1:80\nCOMMIT\n*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n-A INPUT -p tcp --dport 8080 -j DROP\nCOMMIT\n";
        assert_eq!(run(text), vec![]);
    }

    #[test]
    fn unmodelled_forward_rule_gets_the_benefit_of_the_doubt() {
        let text = format!("{NAT}*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n-A INPUT -s 10.0.0.0/8 -p tcp --dport 8080 -j ACCEPT\n-A FORWARD -m set ! --match-set office src -j DROP\n-A FORWARD -d 192.168.1.10 -p tcp --dport 80 -j ACCEPT\nCOMMIT\n");
        assert_eq!(run(&text), vec![]);
    }
}
