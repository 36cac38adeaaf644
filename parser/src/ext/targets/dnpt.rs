//! `DNPT`: stateless IPv6 destination network prefix translation (RFC 6296;
//! `libip6t_DNPT.c`, kernel `ip6t_NPT.c`). mangle PREROUTING and OUTPUT.
//! Also holds the prefix parser and kernel check SNPT shares.

use std::net::Ipv6Addr;

use crate::codes;
use crate::diagnostic::Diagnostic;
use crate::ext::targets::snat::fmt_ip;
use crate::ext::value::{parse_c_uint, ArgCx, Value};
use crate::ext::{ArgType, CheckCx, ExtKind, ExtSpec, Families, Hook, OptSpec};

/// `addr[/len]` (no length: /128), kept as written.
pub(crate) fn pfx(s: &str, _: &ArgCx) -> Result<Value, String> {
    let (a, l) = match s.split_once('/') {
        Some((a, l)) => (a, Some(l)),
        None => (s, None),
    };
    let addr: Ipv6Addr = a.parse().map_err(|_| format!("`{a}` is not an IPv6 address"))?;
    let len = match l {
        None => 128,
        Some(l) => match parse_c_uint(l) {
            Some(n) if n <= 128 => n,
            _ => return Err(format!("`{l}` is not a prefix length (0-128)")),
        },
    };
    Ok(Value::Text(format!("{}/{len}", fmt_ip(addr.into()))))
}

/// The kernel wants prefixes of at most 64 bits without host bits.
pub(crate) fn check_pfx(cx: &mut CheckCx) {
    for name in ["src-pfx", "dst-pfx"] {
        let Some(o) = cx.opt(name) else { continue };
        let text = o.value.to_string();
        let Some((a, l)) = text.split_once('/') else {
            continue;
        };
        let (Ok(addr), Ok(len)) = (a.parse::<Ipv6Addr>(), l.parse::<u32>()) else {
            continue;
        };
        let host = if len >= 128 { 0 } else { u128::from(addr) & (u128::MAX >> len) };
        let msg = if len > 64 {
            format!("`--{name} {text}`: the prefix may be at most 64 bits long")
        } else if host != 0 {
            format!("`--{name} {text}`: the address has bits set after the prefix length")
        } else {
            continue;
        };
        let span = o.span;
        cx.push(Diagnostic::new(&codes::KERNEL_REJECTS, span, msg));
    }
}

pub static OPTIONS: [OptSpec; 2] = [
    OptSpec::new("src-pfx", ArgType::Custom(pfx), "prefix/length to translate from (at most /64)").mand(),
    OptSpec::new("dst-pfx", ArgType::Custom(pfx), "prefix/length to translate to (at most /64)").mand(),
];

pub static SPEC: ExtSpec = ExtSpec {
    families: Families::V6,
    options: &OPTIONS,
    tables: &["mangle"],
    hooks: &[Hook::Prerouting, Hook::Output],
    check: Some(check_pfx),
    ..ExtSpec::new(
        "DNPT",
        ExtKind::Target,
        "translate the destination IPv6 prefix statelessly (mangle PREROUTING, OUTPUT), then continue",
    )
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];
