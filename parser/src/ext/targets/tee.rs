//! `TEE`: send a copy of the packet to a gateway on the local network
//! (`libxt_TEE.c`, kernel `xt_TEE.c`). Also holds the host-address parser
//! (`XTTYPE_HOST`) of TPROXY.

use crate::codes;
use crate::diagnostic::Diagnostic;
use crate::ext::targets::snat::fmt_ip;
use crate::ext::value::{parse_iface, parse_ip, ArgCx, Value};
use crate::ext::{ArgType, CheckCx, ExtKind, ExtSpec, Family, OptSpec};

/// A host address without mask; a host name is kept as text (resolved by
/// iptables when the file loads: the `check` reports it as a host
/// requirement).
pub(crate) fn host(s: &str, cx: &ArgCx) -> Result<Value, String> {
    if cx.family == Family::V4 {
        if let Some(ip) = inet_aton(s) {
            return Ok(Value::Text(ip.to_string()));
        }
    } else if let Ok(ip) = parse_ip(s, cx.family) {
        return Ok(Value::Text(fmt_ip(ip)));
    }
    if s == "localhost" {
        let lo = if cx.family == Family::V4 { "127.0.0.1" } else { "::1" };
        return Ok(Value::Text(lo.to_string()));
    }
    let looks_like_name = !s.is_empty()
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        && s.chars().any(|c| c.is_ascii_alphabetic());
    if looks_like_name {
        return Ok(Value::Text(s.to_string()));
    }
    let what = if cx.family == Family::V4 { "IPv4" } else { "IPv6" };
    if s.contains('/') {
        Err(format!("`{s}` is not an {what} address: a single address, no mask"))
    } else {
        Err(format!("`{s}` is not an {what} address"))
    }
}

/// The numbers-and-dots forms `getaddrinfo` takes for IPv4: `a`, `a.b`,
/// `a.b.c`, `a.b.c.d`, each part decimal, `0x` hex or `0` octal, the last
/// part filling the remaining bytes.
pub(crate) fn inet_aton(s: &str) -> Option<std::net::Ipv4Addr> {
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() > 4 {
        return None;
    }
    let mut nums = Vec::new();
    for p in &parts {
        if !p.starts_with(|c: char| c.is_ascii_digit()) {
            return None;
        }
        let n = if let Some(h) = p.strip_prefix("0x").or_else(|| p.strip_prefix("0X")) {
            u64::from_str_radix(h, 16).ok()?
        } else if p.len() > 1 && p.starts_with('0') {
            u64::from_str_radix(&p[1..], 8).ok()?
        } else {
            p.parse::<u64>().ok()?
        };
        nums.push(n);
    }
    let (last, head) = nums.split_last()?;
    if head.iter().any(|n| *n > 255) {
        return None;
    }
    let rest_bits = 8 * (4 - head.len() as u32);
    if *last >= 1u64 << rest_bits {
        return None;
    }
    let mut v: u32 = 0;
    for (i, n) in head.iter().enumerate() {
        v |= (*n as u32) << (24 - 8 * i as u32);
    }
    Some(std::net::Ipv4Addr::from(v | *last as u32))
}

/// Report a host name given to option `opt` as something DNS must resolve.
pub(crate) fn host_name_note(cx: &mut CheckCx, opt: &str) {
    let Some(o) = cx.opt(opt) else { return };
    let text = o.value.to_string();
    if text.parse::<std::net::IpAddr>().is_ok() {
        return;
    }
    let span = o.span;
    cx.push(Diagnostic::new(
        &codes::HOST_REQUIREMENT,
        span,
        format!("`--{opt} {text}`: the host name is resolved by DNS when the file loads"),
    ));
}

fn parse_gw(s: &str, cx: &ArgCx) -> Result<Value, String> {
    host(s, cx)
}

/// Cut to 15 bytes like the kernel field (IFNAMSIZ with the NUL).
fn parse_oif(s: &str, _: &ArgCx) -> Result<Value, String> {
    let mut end = s.len().min(15);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    parse_iface(&s[..end]).map(Value::Iface)
}

pub static OPTIONS: [OptSpec; 2] = [
    OptSpec::new("gateway", ArgType::Custom(parse_gw), "address of the host to send the copy to").mand(),
    OptSpec::new("oif", ArgType::Custom(parse_oif), "interface to send the copy through"),
];

fn check(cx: &mut CheckCx) {
    host_name_note(cx, "gateway");
    if let Some(o) = cx.opt("gateway") {
        let unspecified = o.value.to_string().parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_unspecified());
        if unspecified {
            let span = o.span;
            cx.push(Diagnostic::new(&codes::KERNEL_REJECTS, span, "`TEE --gateway` cannot be the unspecified address"));
        }
    }
}

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    check: Some(check),
    ..ExtSpec::new("TEE", ExtKind::Target, "send a copy of the packet to another host, then continue")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aton_forms() {
        let a = |s| inet_aton(s).map(|ip| ip.to_string());
        assert_eq!(a("1").as_deref(), Some("0.0.0.1"));
        assert_eq!(a("1.2").as_deref(), Some("1.0.0.2"));
        assert_eq!(a("0x7f.1").as_deref(), Some("127.0.0.1"));
        assert_eq!(a("010.0.0.1").as_deref(), Some("8.0.0.1"));
        assert_eq!(a("4294967295").as_deref(), Some("255.255.255.255"));
        assert_eq!(a("1.2.3.256"), None);
        assert_eq!(a("1.16777216"), None);
        assert_eq!(a("1.2.3.4."), None);
    }
}
