//! `icmp6`: ICMPv6 type and code (`libip6t_icmp6.c`, kernel `ip6_tables.c`
//! `icmp6_checkentry`). IPv6 only; loaded by `-m icmp6` or implicitly by
//! `-p ipv6-icmp` (`-p icmpv6`, `-p 58`).

use std::fmt::Write;

use super::icmp::{canonical, parse_type, IcmpName};
use crate::ext::value::{ArgCx, Value};
use crate::ext::{ArgType, ExtInstance, ExtKind, ExtSpec, Families, OptSpec};

/// ICMPv6 type names (`icmpv6_codes` in `libxt_icmp.h`).
pub const ICMPV6_NAMES: &[IcmpName] = &[
    ("destination-unreachable", 1, 0, 0xff),
    ("no-route", 1, 0, 0),
    ("communication-prohibited", 1, 1, 1),
    ("beyond-scope", 1, 2, 2),
    ("address-unreachable", 1, 3, 3),
    ("port-unreachable", 1, 4, 4),
    ("failed-policy", 1, 5, 5),
    ("reject-route", 1, 6, 6),
    ("packet-too-big", 2, 0, 0xff),
    ("time-exceeded", 3, 0, 0xff),
    ("ttl-exceeded", 3, 0, 0xff),
    ("ttl-zero-during-transit", 3, 0, 0),
    ("ttl-zero-during-reassembly", 3, 1, 1),
    ("parameter-problem", 4, 0, 0xff),
    ("bad-header", 4, 0, 0),
    ("unknown-header-type", 4, 1, 1),
    ("unknown-option", 4, 2, 2),
    ("echo-request", 128, 0, 0xff),
    ("ping", 128, 0, 0xff),
    ("echo-reply", 129, 0, 0xff),
    ("pong", 129, 0, 0xff),
    ("router-solicitation", 133, 0, 0xff),
    ("router-advertisement", 134, 0, 0xff),
    ("neighbour-solicitation", 135, 0, 0xff),
    ("neighbor-solicitation", 135, 0, 0xff),
    ("neighbour-advertisement", 136, 0, 0xff),
    ("neighbor-advertisement", 136, 0, 0xff),
    ("redirect", 137, 0, 0xff),
];

fn icmpv6_type(s: &str, _: &ArgCx) -> Result<Value, String> {
    let (ty, codes) = parse_type(s, ICMPV6_NAMES, "ICMPv6")?;
    Ok(Value::Icmp { ty, codes, any: false, name: canonical(ty, codes) })
}

pub static OPTIONS: [OptSpec; 1] = [OptSpec::new(
    "icmpv6-type",
    ArgType::Custom(icmpv6_type),
    "ICMPv6 type: a name (echo-request, …), a number, or type/code",
)
.invert()
.mand()];

fn save(inst: &ExtInstance, out: &mut String) {
    if let Some(o) = inst.opt("icmpv6-type") {
        let neg = if o.negated { " !" } else { "" };
        let _ = write!(out, "{neg} --icmpv6-type {}", o.value);
    }
}

pub static SPEC: ExtSpec = ExtSpec {
    families: Families::V6,
    options: &OPTIONS,
    proto: &["ipv6-icmp"],
    save: Some(save),
    ..ExtSpec::new("icmp6", ExtKind::Match, "ICMPv6 type and code (IPv6)")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];

#[cfg(test)]
mod tests {
    use super::super::icmp::roundtrip;

    #[test]
    fn save_forms() {
        let v6 = crate::Family::V6;
        let rt = |r| roundtrip(v6, "filter", r).unwrap();
        assert_eq!(
            rt("-p icmpv6 --icmpv6-type neighbor-solicitation"),
            "-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 135"
        );
        assert_eq!(rt("-p 58 -m icmp6 ! --icmpv6-type 1/2:3"), "-A INPUT -p ipv6-icmp -m icmp6 ! --icmpv6-type 1/2");
        assert!(roundtrip(v6, "filter", "-m icmp6 --icmpv6-type 1").is_err());
    }
}
