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
    if let Ok(ip) = parse_ip(s, cx.family) {
        return Ok(Value::Text(fmt_ip(ip)));
    }
    if s == "localhost" {
        let lo = if cx.family == Family::V4 {
            "127.0.0.1"
        } else {
            "::1"
        };
        return Ok(Value::Text(lo.to_string()));
    }
    let looks_like_name = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        && s.chars().any(|c| c.is_ascii_alphabetic());
    if looks_like_name {
        return Ok(Value::Text(s.to_string()));
    }
    Err(match parse_ip(s, cx.family) {
        Err(m) if s.contains('/') => format!("{m}: a single address, no mask"),
        Err(m) => m,
        Ok(_) => unreachable!(),
    })
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
    OptSpec::new(
        "gateway",
        ArgType::Custom(parse_gw),
        "address of the host to send the copy to",
    )
    .mand(),
    OptSpec::new(
        "oif",
        ArgType::Custom(parse_oif),
        "interface to send the copy through",
    ),
];

fn check(cx: &mut CheckCx) {
    host_name_note(cx, "gateway");
    if let Some(o) = cx.opt("gateway") {
        let unspecified = o
            .value
            .to_string()
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_unspecified());
        if unspecified {
            let span = o.span;
            cx.push(Diagnostic::new(
                &codes::KERNEL_REJECTS,
                span,
                "`TEE --gateway` cannot be the unspecified address",
            ));
        }
    }
}

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    check: Some(check),
    ..ExtSpec::new(
        "TEE",
        ExtKind::Target,
        "send a copy of the packet to another host, then continue",
    )
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];
