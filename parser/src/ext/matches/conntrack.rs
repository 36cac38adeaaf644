//! `conntrack`: the packet's connection-tracking entry: state, protocol,
//! original and reply addresses and ports, status, expiry, direction
//! (`libxt_conntrack.c`, kernel `xt_conntrack.c`). Also the state-list
//! parser shared with `state`.

use std::fmt::Write;
use std::net::IpAddr;

use crate::cmdline::parse_protocol;
use crate::codes;
use crate::diagnostic::Diagnostic;
use crate::ext::value::{parse_c_uint, parse_ip, parse_ipv4, parse_port, ArgCx, Value};
use crate::ext::{ArgType, CheckCx, ExtInstance, ExtKind, ExtSpec, Family, OptSpec};

use super::length::mint_range;

/// Connection states in the order iptables-save prints them, with the
/// order names are tried when abbreviated (`n` is NEW, `e` ESTABLISHED).
pub const CT_STATES: [&str; 7] = ["INVALID", "NEW", "RELATED", "ESTABLISHED", "UNTRACKED", "SNAT", "DNAT"];
const CT_STATE_TRY: [&str; 7] = ["INVALID", "NEW", "ESTABLISHED", "RELATED", "UNTRACKED", "SNAT", "DNAT"];

/// A comma list of names, each any case-insensitive prefix of a name in
/// `try_order` (the first that fits wins), printed in `print_order`
/// without repeats. `what` names the option in messages.
pub fn name_list(
    s: &str,
    try_order: &[&'static str],
    print_order: &[&'static str],
    what: &str,
) -> Result<Vec<&'static str>, String> {
    let mut found: Vec<&'static str> = Vec::new();
    for part in s.split(',') {
        let up = part.to_ascii_uppercase();
        let hit = (!part.is_empty())
            .then(|| try_order.iter().find(|n| n.starts_with(&up)))
            .flatten()
            .ok_or_else(|| format!("bad {what} `{part}` in `{s}` (valid: {})", print_order.join(", ")))?;
        if !found.contains(hit) {
            found.push(hit);
        }
    }
    Ok(print_order.iter().copied().filter(|n| found.contains(n)).collect())
}

fn ctstate(s: &str, _: &ArgCx) -> Result<Value, String> {
    let v = name_list(s, &CT_STATE_TRY, &CT_STATES, "ctstate")?;
    Ok(Value::Words(v.into_iter().map(String::from).collect()))
}

const STATUS_TRY: [&str; 5] = ["NONE", "EXPECTED", "SEEN_REPLY", "ASSURED", "CONFIRMED"];
const STATUS_PRINT: [&str; 4] = ["EXPECTED", "SEEN_REPLY", "ASSURED", "CONFIRMED"];

fn ctstatus(s: &str, _: &ArgCx) -> Result<Value, String> {
    let mut with_none = vec!["NONE"];
    with_none.extend(STATUS_PRINT);
    let v = name_list(s, &STATUS_TRY, &with_none, "ctstatus")?;
    let mut v: Vec<String> = v.into_iter().filter(|n| *n != "NONE").map(String::from).collect();
    if v.is_empty() {
        v.push("NONE".into());
    }
    Ok(Value::Words(v))
}

fn ctproto(s: &str, _: &ArgCx) -> Result<Value, String> {
    parse_protocol(s).map(|n| Value::UInt(n.into())).ok_or_else(|| format!("unknown protocol `{s}`"))
}

/// `host[/len|/mask]` as `XTTYPE_HOSTMASK` reads it: the address is kept
/// as written (not masked); `/32` (`/128`) and masks iptables cannot
/// express as a prefix print as nothing. A host name stays a name.
fn hostmask(s: &str, cx: &ArgCx) -> Result<Value, String> {
    let (host, mask) = match s.split_once('/') {
        Some((h, m)) => (h, Some(m)),
        None => (s, None),
    };
    let full: u32 = if cx.family == Family::V4 { 32 } else { 128 };
    let addr = match parse_ip(host, cx.family) {
        Ok(a) => a.to_string(),
        Err(e) => {
            let name_like = !host.is_empty()
                && host.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
                && host.chars().any(|c| c.is_ascii_alphabetic());
            if name_like {
                host.to_string()
            } else {
                let other = match cx.family {
                    Family::V4 => host.parse::<std::net::Ipv6Addr>().is_ok(),
                    Family::V6 => parse_ipv4(host).is_some(),
                };
                if other {
                    return Err(format!(
                        "`{host}` is an {} address in an {} ruleset",
                        if cx.family == Family::V4 { "IPv6" } else { "IPv4" },
                        if cx.family == Family::V4 { "IPv4" } else { "IPv6" },
                    ));
                }
                return Err(e);
            }
        }
    };
    let len: u32 = match mask {
        None => full,
        Some(m) => match parse_c_uint(m) {
            Some(n) if n <= u64::from(full) => n as u32,
            _ => {
                let bits: Option<(u32, u32)> = match cx.family {
                    Family::V4 => parse_ipv4(m).map(|a| {
                        let b = u32::from(a);
                        (b.leading_ones() + b.trailing_zeros(), b.leading_ones())
                    }),
                    Family::V6 => m.parse::<std::net::Ipv6Addr>().ok().map(|a| {
                        let b = u128::from(a);
                        (b.leading_ones() + b.trailing_zeros(), b.leading_ones())
                    }),
                };
                match bits {
                    Some((total, ones)) if total == full => ones,
                    Some(_) => full,
                    None if parse_c_uint(m).is_some() => full,
                    None => return Err(format!("`{m}` is neither a prefix length (0-{full}) nor a netmask")),
                }
            }
        },
    };
    Ok(Value::Text(if len == full { addr } else { format!("{addr}/{len}") }))
}

/// `XTTYPE_PORTRC`: `p`, `p:q`, `p:`, `:q`; names allowed; not reordered.
fn portrc(s: &str, _: &ArgCx) -> Result<Value, String> {
    let (lo, hi) = match s.split_once(':') {
        None => {
            let p = parse_port(s)?;
            (p, p)
        }
        Some((a, b)) => {
            (if a.is_empty() { 0 } else { parse_port(a)? }, if b.is_empty() { 65535 } else { parse_port(b)? })
        }
    };
    Ok(Value::Text(if lo == hi || hi == 0 { lo.to_string() } else { format!("{lo}:{hi}") }))
}

fn ctexpire(s: &str, _: &ArgCx) -> Result<Value, String> {
    let (a, b) = mint_range(s, u64::from(u32::MAX))?;
    Ok(Value::Range(a, b))
}

pub static OPTIONS: [OptSpec; 13] = [
    OptSpec::new(
        "ctstate",
        ArgType::Custom(ctstate),
        "states: INVALID, NEW, ESTABLISHED, RELATED, UNTRACKED, SNAT, DNAT",
    )
    .invert(),
    OptSpec::new("ctproto", ArgType::Custom(ctproto), "layer-4 protocol of the connection (name or number)").invert(),
    OptSpec::new("ctorigsrc", ArgType::Custom(hostmask), "source address of the original direction").invert(),
    OptSpec::new("ctorigdst", ArgType::Custom(hostmask), "destination address of the original direction").invert(),
    OptSpec::new("ctreplsrc", ArgType::Custom(hostmask), "source address of the reply direction").invert(),
    OptSpec::new("ctrepldst", ArgType::Custom(hostmask), "destination address of the reply direction").invert(),
    OptSpec::new("ctorigsrcport", ArgType::Custom(portrc), "source port (range) of the original direction").invert(),
    OptSpec::new("ctorigdstport", ArgType::Custom(portrc), "destination port (range) of the original direction")
        .invert(),
    OptSpec::new("ctreplsrcport", ArgType::Custom(portrc), "source port (range) of the reply direction").invert(),
    OptSpec::new("ctrepldstport", ArgType::Custom(portrc), "destination port (range) of the reply direction").invert(),
    OptSpec::new("ctstatus", ArgType::Custom(ctstatus), "status bits: NONE, EXPECTED, SEEN_REPLY, ASSURED, CONFIRMED")
        .invert(),
    OptSpec::new("ctexpire", ArgType::Custom(ctexpire), "remaining lifetime in seconds, or a range a:b").invert(),
    OptSpec::new("ctdir", ArgType::Choice(&["ORIGINAL", "REPLY"]), "direction of the packet: ORIGINAL or REPLY"),
];

/// `conntrack_mt_check`: at least one option; host names need DNS.
fn check(cx: &mut CheckCx) {
    if cx.inst.options.is_empty() {
        let d = Diagnostic::new(
            &codes::OPTION_CONFLICT,
            cx.inst.span,
            "`conntrack` needs at least one option (`--ctstate`, `--ctproto`, …)",
        );
        cx.push(d);
    }
    host_names(cx, &["ctorigsrc", "ctorigdst", "ctreplsrc", "ctrepldst"]);
}

/// An info finding for each address option holding a host name.
pub fn host_names(cx: &mut CheckCx, names: &[&str]) {
    let mut found = Vec::new();
    for o in &cx.inst.options {
        if !names.contains(&o.name.as_str()) {
            continue;
        }
        let text = o.value.to_string();
        let host = text.split('/').next().unwrap_or("");
        if host.parse::<IpAddr>().is_err() {
            found.push(Diagnostic::new(
                &codes::HOST_REQUIREMENT,
                o.span,
                format!("`--{} {host}`: the host name must resolve (DNS or /etc/hosts) when the rules load", o.name),
            ));
        }
    }
    for d in found {
        cx.push(d);
    }
}

fn save(inst: &ExtInstance, out: &mut String) {
    for spec in OPTIONS.iter() {
        if let Some(o) = inst.opt(spec.name) {
            let neg = if o.negated { " !" } else { "" };
            let _ = write!(out, "{neg} --{} {}", spec.name, o.value);
        }
    }
}

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    check: Some(check),
    save: Some(save),
    ..ExtSpec::new("conntrack", ExtKind::Match, "connection tracking state, addresses, ports, status and expiry")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];

#[cfg(test)]
mod tests {
    use super::super::icmp::roundtrip;

    #[test]
    fn forms() {
        let v4 = crate::Family::V4;
        let rt = |r| roundtrip(v4, "filter", r);
        assert_eq!(
            rt("-m conntrack --ctstate n,E --ctorigsrc 10.1.2.3/8 ! --ctrepldst 1.2.3.4/255.255.0.255 --ctproto tcp --ctorigdstport 22:23 --ctreplsrcport 5 --ctstatus assured,expected --ctexpire 5:3 --ctdir reply").unwrap(),
            "-A INPUT -m conntrack --ctstate NEW,ESTABLISHED --ctproto 6 --ctorigsrc 10.1.2.3/8 ! --ctrepldst 1.2.3.4 --ctorigdstport 22:23 --ctreplsrcport 5 --ctstatus EXPECTED,ASSURED --ctexpire 5:3 --ctdir REPLY"
        );
        assert_eq!(
            rt("-m conntrack --ctorigsrc 1.2.3.4/255.255.0.0 --ctorigsrcport 22: --ctorigdstport :5 --ctstatus none,assured").unwrap(),
            "-A INPUT -m conntrack --ctorigsrc 1.2.3.4/16 --ctorigsrcport 22:65535 --ctorigdstport 0:5 --ctstatus ASSURED"
        );
        assert!(rt("-m conntrack").is_err());
        assert!(rt("-m conntrack ! --ctdir ORIGINAL").is_err());
        assert!(rt("-m conntrack --ctstatus \"\"").is_err());
        assert!(rt("-m conntrack --ctstate NEW,").is_err());
        assert_eq!(
            roundtrip(
                crate::Family::V6,
                "filter",
                "-m conntrack --ctorigsrc ::1/64 --ctorigdst 2001:db8::1/ffff:ffff::"
            )
            .unwrap(),
            "-A INPUT -m conntrack --ctorigsrc ::1/64 --ctorigdst 2001:db8::1/32"
        );
    }
}
