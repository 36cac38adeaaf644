//! A rule's match set: the box of packets its conditions accept, and
//! whether that box is exact. Conditions the packet space does not model
//! (rate limits, quotas, random sampling, ipset contents, payload matches,
//! modules iptlint does not know) make the rule *may match*: its box is an
//! over-approximation, so it never decides packets for the rules after it.

use iptlint_parser::ext::value::Value;
use iptlint_parser::model::{Address, ExtInstance, Rule};
use iptlint_parser::Family;

use crate::space::{iface_range, state, Dim, Intervals, PBox};

/// What the analysis knows of one rule's conditions.
#[derive(Clone, Debug)]
pub struct RuleMatch {
    /// Packets that satisfy every modelled condition.
    pub region: PBox,
    /// Why the region over-approximates (empty: exact).
    pub opaque: Vec<String>,
}

impl RuleMatch {
    pub fn exact(&self) -> bool {
        self.opaque.is_empty()
    }
}

fn negate(iv: Intervals, negated: bool, d: Dim, family: Family) -> Intervals {
    if negated {
        iv.complement(d.max(family))
    } else {
        iv
    }
}

fn addr_intervals(addrs: &[Address], family: Family) -> Option<Intervals> {
    let mut ranges = Vec::new();
    for a in addrs {
        match a {
            Address::Net(n) => {
                let net = ipnet::IpNet::new(n.network(), n.prefix_len()).unwrap_or(*n);
                let (lo, hi) = match (net.network(), net.broadcast()) {
                    (std::net::IpAddr::V4(a), std::net::IpAddr::V4(b)) => (u32::from(a) as u128, u32::from(b) as u128),
                    (std::net::IpAddr::V6(a), std::net::IpAddr::V6(b)) => (u128::from(a), u128::from(b)),
                    _ => return None,
                };
                ranges.push((lo, hi));
            }
            Address::Host(_) => return None,
        }
        let _ = family;
    }
    Some(Intervals::from_ranges(ranges))
}

/// Ports of a `Value::Ports`.
fn ports(v: &Value) -> Option<Intervals> {
    match v {
        Value::Ports(p) => Some(Intervals::from_ranges(p.iter().map(|&(a, b)| (a as u128, b as u128)))),
        _ => None,
    }
}

/// TCP flag values `v` with `v & mask == comp`.
pub fn tcp_flag_values(mask: u8, comp: u8) -> Intervals {
    Intervals::from_ranges((0u8..64).filter(|v| v & mask == comp & mask).map(|v| (v as u128, v as u128)))
}

/// The match set of a rule.
pub fn rule_match(rule: &Rule, family: Family) -> RuleMatch {
    let mut region = PBox::full(family);
    let mut opaque = Vec::new();
    if let Some(p) = &rule.protocol {
        if p.value.number != 0 {
            let iv = negate(Intervals::point(p.value.number as u128), p.negated, Dim::Proto, family);
            region.restrict(Dim::Proto, &iv);
        } else if p.negated {
            region.set(Dim::Proto, Intervals::empty());
        }
    }
    for (field, dim) in [(&rule.source, Dim::Src), (&rule.destination, Dim::Dst)] {
        if let Some(f) = field {
            match addr_intervals(&f.value, family) {
                Some(iv) => region.restrict(dim, &negate(iv, f.negated, dim, family)),
                None => opaque.push(format!(
                    "{} is a host name, resolved when the rules load",
                    if dim == Dim::Src { "-s" } else { "-d" }
                )),
            }
        }
    }
    for (field, dim) in [(&rule.in_iface, Dim::InIface), (&rule.out_iface, Dim::OutIface)] {
        if let Some(f) = field {
            let (lo, hi) = iface_range(&f.value);
            region.restrict(dim, &negate(Intervals::range(lo, hi), f.negated, dim, family));
        }
    }
    if let Some(f) = &rule.fragment {
        region.restrict(Dim::Frag, &Intervals::point(if f.negated { 0 } else { 1 }));
    }
    for m in &rule.matches {
        if let Err(why) = apply_match(m, &mut region, family) {
            opaque.push(why);
        }
    }
    RuleMatch { region, opaque }
}

/// Narrow `region` by one match module; `Err` with a reason when the module
/// is not modelled (the region is then left as is: an over-approximation).
fn apply_match(m: &ExtInstance, region: &mut PBox, family: Family) -> Result<(), String> {
    let Some(spec) = m.spec else {
        return Err(format!("match `{}` is not known to iptlint", m.name));
    };
    match spec.name {
        "tcp" | "udp" | "udplite" | "sctp" | "dccp" => {
            // The kernel's port matches never match a non-first fragment.
            region.restrict(Dim::Frag, &Intervals::point(0));
            for o in &m.options {
                match (o.name.as_str(), &o.value) {
                    ("sport", v) | ("dport", v) => {
                        let dim = if o.name == "sport" { Dim::Sport } else { Dim::Dport };
                        let iv = ports(v).ok_or_else(|| format!("unexpected value of --{}", o.name))?;
                        region.restrict(dim, &negate(iv, o.negated, dim, family));
                    }
                    ("tcp-flags", Value::TcpFlags { mask, comp }) => {
                        let iv = negate(tcp_flag_values(*mask, *comp), o.negated, Dim::TcpFlags, family);
                        region.restrict(Dim::TcpFlags, &iv);
                    }
                    ("syn", _) => {
                        let iv = negate(tcp_flag_values(0x17, 0x02), o.negated, Dim::TcpFlags, family);
                        region.restrict(Dim::TcpFlags, &iv);
                    }
                    (other, _) => return Err(format!("`{} --{other}` is not modelled", spec.name)),
                }
            }
            Ok(())
        }
        "multiport" => {
            region.restrict(Dim::Frag, &Intervals::point(0));
            for o in &m.options {
                let dim = match o.name.as_str() {
                    "sports" => Dim::Sport,
                    "dports" => Dim::Dport,
                    // Source or destination port: a union of two boxes.
                    _ => return Err("`multiport --ports` is not modelled".into()),
                };
                let iv = ports(&o.value).ok_or_else(|| format!("unexpected value of --{}", o.name))?;
                region.restrict(dim, &negate(iv, o.negated, dim, family));
            }
            Ok(())
        }
        "conntrack" | "state" => {
            for o in &m.options {
                match (o.name.as_str(), &o.value) {
                    ("ctstate" | "state", Value::Text(list) | Value::Word(list)) => {
                        let mut iv = Intervals::empty();
                        for name in list.split(',') {
                            let v = state::by_name(name)
                                .ok_or_else(|| format!("conntrack state `{name}` is not modelled"))?;
                            iv = iv.union(&Intervals::point(v));
                        }
                        region.restrict(Dim::State, &negate(iv, o.negated, Dim::State, family));
                    }
                    ("ctstate" | "state", Value::Words(list)) => {
                        let mut iv = Intervals::empty();
                        for name in list {
                            let v = state::by_name(name)
                                .ok_or_else(|| format!("conntrack state `{name}` is not modelled"))?;
                            iv = iv.union(&Intervals::point(v));
                        }
                        region.restrict(Dim::State, &negate(iv, o.negated, Dim::State, family));
                    }
                    (other, _) => return Err(format!("`conntrack --{other}` is not modelled")),
                }
            }
            Ok(())
        }
        "icmp" | "icmp6" => {
            region.restrict(Dim::Frag, &Intervals::point(0));
            for o in &m.options {
                match &o.value {
                    Value::Icmp { any: true, .. } => {
                        if o.negated {
                            region.set(Dim::Icmp, Intervals::empty());
                        }
                    }
                    Value::Icmp { ty, codes, .. } => {
                        let base = (*ty as u128) << 8;
                        let iv = Intervals::range(base + codes.0 as u128, base + codes.1 as u128);
                        region.restrict(Dim::Icmp, &negate(iv, o.negated, Dim::Icmp, family));
                    }
                    _ => return Err(format!("unexpected value of `{} --{}`", spec.name, o.name)),
                }
            }
            Ok(())
        }
        "iprange" => {
            for o in &m.options {
                let dim = if o.name == "src-range" { Dim::Src } else { Dim::Dst };
                let Value::AddrRange(a, b) = &o.value else {
                    return Err(format!("unexpected value of `iprange --{}`", o.name));
                };
                let (lo, hi) = match (a, b) {
                    (std::net::IpAddr::V4(a), std::net::IpAddr::V4(b)) => {
                        (u32::from(*a) as u128, u32::from(*b) as u128)
                    }
                    (std::net::IpAddr::V6(a), std::net::IpAddr::V6(b)) => (u128::from(*a), u128::from(*b)),
                    _ => return Err("mixed address families in iprange".into()),
                };
                region.restrict(dim, &negate(Intervals::range(lo, hi), o.negated, dim, family));
            }
            Ok(())
        }
        "mark" => {
            for o in &m.options {
                match &o.value {
                    Value::Mark { value, mask } if *mask == u32::MAX => {
                        let iv = Intervals::point(*value as u128);
                        region.restrict(Dim::Mark, &negate(iv, o.negated, Dim::Mark, family));
                    }
                    _ => return Err("`mark` with a mask is not modelled".into()),
                }
            }
            Ok(())
        }
        // A comment never narrows anything.
        "comment" => Ok(()),
        other => Err(format!("match `{other}` is not modelled yet")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use iptlint_parser::{parse, ParseOptions};

    fn first_rule(line: &str) -> RuleMatch {
        let text = format!("*filter\n{line}\nCOMMIT\n");
        let p = parse(&text, &ParseOptions { family: Some(Family::V4), table: None });
        assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
        rule_match(&p.ruleset.tables[0].rules[0], Family::V4)
    }

    #[test]
    fn base_fields_and_ports() {
        let m = first_rule("-A INPUT -s 10.0.0.0/8 -i eth+ -p tcp --dport 22 -j ACCEPT");
        assert!(m.exact());
        assert_eq!(m.region.get(Dim::Src), &Intervals::range(0x0a00_0000, 0x0aff_ffff));
        assert_eq!(m.region.get(Dim::Proto), &Intervals::point(6));
        assert_eq!(m.region.get(Dim::Dport), &Intervals::point(22));
        assert!(m.region.get(Dim::InIface).contains(iface_range("eth1").0));
    }

    #[test]
    fn negations_complement() {
        let m = first_rule("-A INPUT ! -s 10.0.0.0/8 -p tcp ! --dport 1:1023 -j DROP");
        assert!(!m.region.get(Dim::Src).contains(0x0a01_0203));
        assert!(m.region.get(Dim::Src).contains(0x0b00_0000));
        assert_eq!(m.region.get(Dim::Dport), &Intervals::from_ranges([(0, 0), (1024, 65535)]));
    }

    #[test]
    fn syn_flags() {
        let m = first_rule("-A INPUT -p tcp --syn -j ACCEPT");
        let flags = m.region.get(Dim::TcpFlags);
        assert!(flags.contains(0x02));
        assert!(flags.contains(0x02 | 0x08));
        assert!(!flags.contains(0x12));
    }
}
