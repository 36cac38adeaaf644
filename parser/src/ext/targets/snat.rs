//! `SNAT`: rewrite the source address (and port) of a connection
//! (`libxt_NAT.c`, kernel `xt_nat.c`). nat table, POSTROUTING and INPUT.
//! Also holds the `--to-source`/`--to-destination`/`--to-ports` parser the
//! other NAT targets share.

use std::net::IpAddr;

use crate::ext::value::{parse_ip, parse_port, ArgCx, Value};
use crate::ext::{ArgType, ExtKind, ExtSpec, Family, Hook, OptSpec, TargetEffect};

/// An address as glibc's `inet_ntop` writes it: like Rust's `Display`,
/// except that an IPv4-compatible IPv6 address (`::a.b.c.d`, first six
/// words zero, the seventh not) keeps the dotted form.
pub(crate) fn fmt_ip(ip: IpAddr) -> String {
    if let IpAddr::V6(v6) = ip {
        let w = v6.segments();
        if w[..6].iter().all(|x| *x == 0) && w[6] != 0 {
            let o = v6.octets();
            return format!("::{}.{}.{}.{}", o[12], o[13], o[14], o[15]);
        }
    }
    ip.to_string()
}

/// What becomes of a `/base` port offset.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Offset {
    /// Kept (DNAT revision 2).
    Keep,
    /// Accepted, but the structure the kernel gets has no room for it:
    /// iptables-save prints `/0` (SNAT, MASQUERADE).
    Lost,
    /// Refused (REDIRECT).
    Refused,
}

/// A parsed NAT range, printed as iptables-save does.
#[derive(Default)]
struct NatRange {
    addrs: Option<(IpAddr, IpAddr)>,
    ports: Option<(u16, u16)>,
    base: Option<u16>,
}

/// `strtoul(s, &end, 0)`: the leading number and the rest.
fn leading_uint(s: &str) -> Option<(u64, &str)> {
    let (digits, radix, skip) =
        if (s.starts_with("0x") || s.starts_with("0X")) && s[2..].starts_with(|c: char| c.is_ascii_hexdigit()) {
            (&s[2..], 16, 2)
        } else if s.starts_with('0') {
            (s, 8, 0)
        } else {
            (s, 10, 0)
        };
    let n = digits.find(|c: char| !c.is_digit(radix)).unwrap_or(digits.len());
    if n == 0 {
        return None;
    }
    let v = u64::from_str_radix(&digits[..n], radix).ok()?;
    Some((v, &s[skip + n..]))
}

/// A port number at the start of `s` (0..=65535), with the rest.
fn port_prefix(s: &str, min: u64) -> Option<(u16, &str)> {
    leading_uint(s).filter(|(v, _)| *v >= min && *v <= 65535).map(|(v, rest)| (v as u16, rest))
}

const PORT_PROTOS: [u8; 5] = [6, 17, 132, 33, 1];

fn parse_ports(s: &str, cx: &ArgCx, r: &mut NatRange) -> Result<(), String> {
    if !cx.proto.is_some_and(|p| PORT_PROTOS.contains(&p)) {
        return Err("ports need `-p tcp`, `udp`, `sctp` or `dccp` before the target".into());
    }
    let (port, rest) = match port_prefix(s, 0) {
        Some(x) => x,
        None => match parse_port(s) {
            Ok(p) if !s.is_empty() && parse_port_is_name(s) => (p, ""),
            _ => return Err(format!("port `{s}` is not valid")),
        },
    };
    let rest = match rest.chars().next() {
        None => {
            r.ports = Some((port, port));
            return Ok(());
        }
        Some('-') => &rest[1..],
        Some(':') => return Err("a port range is written `a-b` here, not `a:b`".into()),
        Some(_) => return Err(format!("garbage after the port: `{rest}`")),
    };
    let (max, rest) =
        port_prefix(rest, 0).ok_or_else(|| format!("port `{rest}` is not valid (no service names in a range)"))?;
    if max < port {
        return Err(format!("port range {port}-{max} is inverted"));
    }
    r.ports = Some((port, max));
    let base = match rest.chars().next() {
        None => return Ok(()),
        Some('/') => &rest[1..],
        Some(_) => return Err(format!("garbage after the port range: `{rest}`")),
    };
    let b = match port_prefix(base, 1) {
        Some((b, "")) => b,
        Some(_) | None => match parse_port(base) {
            Ok(p) if parse_port_is_name(base) => p,
            _ => return Err(format!("base port `{base}` is not valid (1-65535)")),
        },
    };
    r.base = Some(b);
    Ok(())
}

/// A service name rather than a number (`parse_port` takes both).
fn parse_port_is_name(s: &str) -> bool {
    !s.starts_with(|c: char| c.is_ascii_digit())
}

/// `inet_pton`: strict dotted quad (no leading zeros) or IPv6.
fn parse_addr(s: &str, family: Family) -> Result<IpAddr, String> {
    let ok = match family {
        Family::V4 => s.parse::<std::net::Ipv4Addr>().is_ok(),
        Family::V6 => true,
    };
    parse_ip(s, family).ok().filter(|_| ok).ok_or_else(|| match family {
        Family::V4 => format!("`{s}` is not an IPv4 address"),
        Family::V6 => format!("`{s}` is not an IPv6 address"),
    })
}

fn parse_to(arg: &str, cx: &ArgCx, r: &mut NatRange) -> Result<(), String> {
    let (addr, ports): (&str, Option<&str>) = if let Some(open) = arg.find('[') {
        let inner = &arg[open + 1..];
        let close = inner.find(']');
        let (Some(close), Family::V6) = (close, cx.family) else {
            return Err(format!("`{arg}`: invalid address format"));
        };
        let after = &inner[close + 1..];
        let ports = after.find(':').map(|i| &after[i + 1..]);
        (&inner[..close], ports)
    } else {
        match arg.find(':') {
            Some(i) if !arg[i + 1..].contains(':') => {
                if i == 0 || i == 2 {
                    parse_ports(&arg[i + 1..], cx, r)?;
                    return Ok(());
                }
                (&arg[..i], Some(&arg[i + 1..]))
            }
            _ => (arg, None),
        }
    };
    if let Some(p) = ports {
        parse_ports(p, cx, r)?;
        if addr.is_empty() {
            return Ok(());
        }
    }
    let (lo, hi) = match addr.split_once('-') {
        Some((a, b)) => (parse_addr(a, cx.family)?, parse_addr(b, cx.family)?),
        None => {
            let a = parse_addr(addr, cx.family)?;
            (a, a)
        }
    };
    r.addrs = Some((lo, hi));
    Ok(())
}

fn format(r: &NatRange, family: Family, offset: Offset, skip_colon: bool) -> String {
    let mut out = String::new();
    let brackets = family == Family::V6 && r.ports.is_some();
    if let Some((lo, hi)) = r.addrs {
        if brackets {
            out.push('[');
        }
        out.push_str(&fmt_ip(lo));
        if lo != hi {
            out.push('-');
            out.push_str(&fmt_ip(hi));
        }
        if brackets {
            out.push(']');
        }
    }
    if let Some((lo, hi)) = r.ports {
        if !(skip_colon && out.is_empty()) {
            out.push(':');
        }
        out.push_str(&lo.to_string());
        if lo != hi {
            out.push('-');
            out.push_str(&hi.to_string());
        }
        if let Some(b) = r.base {
            let b = if offset == Offset::Keep { b } else { 0 };
            out.push('/');
            out.push_str(&b.to_string());
        }
    }
    out
}

/// `--to-source`/`--to-destination`: `[addr[-addr]][:port[-port[/base]]]`,
/// IPv6 in brackets when ports follow.
pub(crate) fn nat_to(s: &str, cx: &ArgCx, offset: Offset) -> Result<Value, String> {
    let mut r = NatRange::default();
    parse_to(s, cx, &mut r)?;
    if r.base.is_some() && offset == Offset::Refused {
        return Err("shifted port ranges (`/base`) are not supported here".into());
    }
    Ok(Value::Text(format(&r, cx.family, offset, false)))
}

/// `--to-ports port[-port]` of MASQUERADE and REDIRECT.
pub(crate) fn nat_ports(s: &str, cx: &ArgCx, offset: Offset) -> Result<Value, String> {
    let mut r = NatRange::default();
    parse_ports(s, cx, &mut r)?;
    if r.base.is_some() && offset == Offset::Refused {
        return Err("shifted port ranges (`/base`) are not supported here".into());
    }
    Ok(Value::Text(format(&r, cx.family, offset, true)))
}

fn to_source(s: &str, cx: &ArgCx) -> Result<Value, String> {
    nat_to(s, cx, Offset::Lost)
}

pub static OPTIONS: [OptSpec; 4] = [
    OptSpec::new("to-source", ArgType::Custom(to_source), "new source: addr[-addr][:port[-port]] (IPv6: [addr]:port)")
        .mand(),
    OptSpec::new("random", ArgType::None, "randomise the source port mapping"),
    OptSpec::new("random-fully", ArgType::None, "fully randomise the source port mapping (PRNG)"),
    OptSpec::new("persistent", ArgType::None, "give a client the same address for all its connections"),
];

const SNAT_SUMMARY: &str = "rewrite the source address/port of the connection (nat POSTROUTING, INPUT)";

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    tables: &["nat"],
    hooks: &[Hook::Postrouting, Hook::Input],
    effect: TargetEffect::Rewrite,
    ..ExtSpec::new("SNAT", ExtKind::Target, SNAT_SUMMARY)
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn cx(family: Family, proto: Option<u8>) -> ArgCx {
        ArgCx { family, proto }
    }

    fn to(s: &str, f: Family, p: Option<u8>, o: Offset) -> Result<String, String> {
        nat_to(s, &cx(f, p), o).map(|v| v.to_string())
    }

    #[test]
    fn v4_ranges() {
        let tcp = Some(6);
        assert_eq!(to("1.1.1.1", Family::V4, None, Offset::Keep).unwrap(), "1.1.1.1");
        assert_eq!(to("1.1.1.1-1.1.1.1", Family::V4, None, Offset::Keep).unwrap(), "1.1.1.1");
        assert!(to("1.1.1.1:80", Family::V4, None, Offset::Keep).is_err());
        assert_eq!(to("1.1.1.1:ssh", Family::V4, tcp, Offset::Keep).unwrap(), "1.1.1.1:22");
        assert_eq!(to("1.1.1.1:10-20/ftp", Family::V4, tcp, Offset::Keep).unwrap(), "1.1.1.1:10-20/21");
        assert_eq!(to("1.1.1.1:10-20/3", Family::V4, tcp, Offset::Lost).unwrap(), "1.1.1.1:10-20/0");
        assert!(to("1.1.1.1:1000-2000/0", Family::V4, tcp, Offset::Keep).is_err());
        assert!(to("1.1.1.1:echo-ssh", Family::V4, tcp, Offset::Keep).is_err());
        assert!(to("1.1.1.1:10:20", Family::V4, tcp, Offset::Keep).is_err());
        assert!(to("1.1.1.1:1025-65536", Family::V4, tcp, Offset::Keep).is_err());
        assert_eq!(to(":5", Family::V4, tcp, Offset::Keep).unwrap(), ":5");
        assert!(to("[1.1.1.1]:80", Family::V4, tcp, Offset::Keep).is_err());
    }

    #[test]
    fn v6_ranges() {
        let tcp = Some(6);
        assert_eq!(
            to("[dead::beef-dead::fee7]:1025-65535", Family::V6, tcp, Offset::Keep).unwrap(),
            "[dead::beef-dead::fee7]:1025-65535"
        );
        assert_eq!(to("[dead::beef]", Family::V6, None, Offset::Keep).unwrap(), "dead::beef");
        assert!(to("[dead::beef]:80", Family::V6, None, Offset::Keep).is_err());
        assert_eq!(to("dead::beef:80", Family::V6, None, Offset::Keep).unwrap(), "dead::beef:80");
        assert_eq!(to("[]:80", Family::V6, tcp, Offset::Keep).unwrap(), ":80");
        assert_eq!(to("::1.2.3.4", Family::V6, None, Offset::Keep).unwrap(), "::1.2.3.4");
        assert_eq!(to("::0.0.1.0", Family::V6, None, Offset::Keep).unwrap(), "::100");
    }

    #[test]
    fn ports() {
        let c = cx(Family::V4, Some(17));
        assert_eq!(nat_ports("0-0", &c, Offset::Refused).unwrap().to_string(), "0");
        assert_eq!(nat_ports("42-1234", &c, Offset::Refused).unwrap().to_string(), "42-1234");
        assert!(nat_ports("42-1234/567", &c, Offset::Refused).is_err());
        assert!(nat_ports("10-ssh", &c, Offset::Refused).is_err());
        assert!(nat_ports("-1", &c, Offset::Refused).is_err());
    }
}
