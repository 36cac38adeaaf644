//! `HMARK`: set the packet mark from a hash of addresses, ports and
//! protocol (`libxt_HMARK.c`, kernel `xt_HMARK.c`). `--hmark-tuple` is a
//! shorthand that sets full masks; the printer replays the options in
//! order, as iptables fills its structure.

use std::fmt::Write;

use crate::codes;
use crate::diagnostic::Diagnostic;
use crate::ext::value::{parse_c_uint, parse_ipv4, ArgCx, Value};
use std::net::Ipv6Addr;

use crate::ext::{ArgType, CheckCx, ExtInstance, ExtKind, ExtSpec, Families, Family, OptSpec};

/// Tuple names, in the order iptables tries them (a prefix is enough).
const TUPLE: [(&str, &str); 7] = [
    ("ct", ""),
    ("src", "hmark-src-prefix"),
    ("dst", "hmark-dst-prefix"),
    ("sport", "hmark-sport-mask"),
    ("dport", "hmark-dport-mask"),
    ("proto", "hmark-proto-mask"),
    ("spi", "hmark-spi-mask"),
];

fn tuple(s: &str, _: &ArgCx) -> Result<Value, String> {
    let mut out = Vec::new();
    for part in s.split(',') {
        let found = TUPLE
            .iter()
            .find(|(n, _)| !part.is_empty() && n.len() >= part.len() && n[..part.len()].eq_ignore_ascii_case(part));
        match found {
            Some((n, _)) => out.push(n.to_string()),
            None => {
                return Err(format!(
                    "bad tuple type `{part}` (src, dst, sport, dport, spi, proto, ct, comma-separated)"
                ))
            }
        }
    }
    Ok(Value::Words(out))
}

/// A prefix length or a network mask. For IPv4 iptables takes any 32-bit
/// number and prints at most 32; for IPv6 0-128.
fn prefix(s: &str, cx: &ArgCx) -> Result<Value, String> {
    let max = match cx.family {
        Family::V4 => u32::MAX as u64,
        Family::V6 => 128,
    };
    if let Some(n) = parse_c_uint(s).filter(|n| *n <= max) {
        return Ok(Value::UInt(n));
    }
    let mask_len = match cx.family {
        Family::V4 => parse_ipv4(s).map(|m| u32::from(m) as u128 ^ (u128::MAX << 32)),
        Family::V6 => s.parse::<Ipv6Addr>().ok().map(u128::from),
    };
    if let Some(bits) = mask_len {
        if bits.leading_ones() + bits.trailing_zeros() == 128 {
            let len = match cx.family {
                Family::V4 => bits.leading_ones() - 96,
                Family::V6 => bits.leading_ones(),
            };
            return Ok(Value::UInt(len as u64));
        }
    }
    Err(format!(
        "`{s}` is neither a prefix length (0-{}) nor a network mask",
        if cx.family == Family::V4 { 32 } else { 128 }
    ))
}

const U16: ArgType = ArgType::UInt { min: 0, max: 65535 };
const U32: ArgType = ArgType::UInt { min: 0, max: u32::MAX as u64 };

pub static OPTIONS: [OptSpec; 13] = [
    OptSpec::new("hmark-tuple", ArgType::Custom(tuple), "what to hash: src,dst,sport,dport,spi,proto,ct"),
    OptSpec::new("hmark-src-prefix", ArgType::Custom(prefix), "source address prefix length to hash"),
    OptSpec::new("hmark-dst-prefix", ArgType::Custom(prefix), "destination address prefix length to hash"),
    OptSpec::new("hmark-sport-mask", U16, "mask of the source port to hash"),
    OptSpec::new("hmark-dport-mask", U16, "mask of the destination port to hash"),
    OptSpec::new("hmark-spi-mask", U32, "mask of the IPsec SPI to hash"),
    OptSpec::new("hmark-sport", U16, "source port value to hash instead"),
    OptSpec::new("hmark-dport", U16, "destination port value to hash instead"),
    OptSpec::new("hmark-spi", U32, "SPI value to hash instead"),
    OptSpec::new("hmark-proto-mask", U16, "mask of the protocol number to hash"),
    OptSpec::new("hmark-rnd", U32, "random seed of the hash").mand(),
    OptSpec::new(
        "hmark-mod",
        ArgType::UInt { min: 1, max: u32::MAX as u64 },
        "modulus: the mark is hash % mod + offset",
    )
    .mand(),
    OptSpec::new("hmark-offset", U32, "offset added to the mark"),
];

/// The option values after every option acted, keyed by option name
/// (`ct` for the conntrack flag), and the first option set twice.
fn replay(inst: &ExtInstance) -> (Vec<(&'static str, u64)>, Option<&str>) {
    let mut vals: Vec<(&'static str, u64)> = Vec::new();
    let mut twice = None;
    let set =
        |vals: &mut Vec<(&'static str, u64)>, k: &'static str, v: u64| match vals.iter_mut().find(|(n, _)| *n == k) {
            Some(e) => e.1 = v,
            None => vals.push((k, v)),
        };
    for o in &inst.options {
        match (&o.value, o.spec) {
            (Value::Words(ws), _) => {
                for w in ws {
                    let (_, opt) = TUPLE.iter().find(|(n, _)| n == w).expect("parsed");
                    let full = match *opt {
                        "" => ("ct", 1),
                        "hmark-src-prefix" | "hmark-dst-prefix" => (*opt, 128),
                        "hmark-spi-mask" => (*opt, 0xffff_ffff),
                        _ => (*opt, 0xffff),
                    };
                    set(&mut vals, full.0, full.1);
                }
            }
            (Value::UInt(n), Some(spec)) => {
                if vals.iter().any(|(k, _)| *k == spec.name) && twice.is_none() {
                    twice = Some(spec.name);
                }
                set(&mut vals, spec.name, *n);
            }
            _ => {}
        }
    }
    (vals, twice)
}

fn save_with(inst: &ExtInstance, out: &mut String, max_prefix: u64) {
    let (vals, _) = replay(inst);
    let get = |k: &str| vals.iter().find(|(n, _)| *n == k).map(|(_, v)| *v);
    for k in ["hmark-src-prefix", "hmark-dst-prefix"] {
        if let Some(v) = get(k) {
            let _ = write!(out, " --{k} {}", v.min(max_prefix));
        }
    }
    for (k, width) in [
        ("hmark-sport-mask", 4),
        ("hmark-dport-mask", 4),
        ("hmark-spi-mask", 8),
        ("hmark-sport", 4),
        ("hmark-dport", 4),
        ("hmark-spi", 8),
        ("hmark-proto-mask", 2),
        ("hmark-rnd", 8),
    ] {
        if let Some(v) = get(k) {
            let _ = write!(out, " --{k} 0x{v:0width$x}");
        }
    }
    for k in ["hmark-mod", "hmark-offset"] {
        if let Some(v) = get(k) {
            let _ = write!(out, " --{k} {v}");
        }
    }
    if get("ct").is_some() {
        out.push_str(" --hmark-tuple ct");
    }
}

fn save4(inst: &ExtInstance, out: &mut String) {
    save_with(inst, out, 32);
}

fn save6(inst: &ExtInstance, out: &mut String) {
    save_with(inst, out, 128);
}

fn check(cx: &mut CheckCx) {
    let (vals, twice) = replay(cx.inst);
    let has = |k: &str| vals.iter().any(|(n, _)| *n == k);
    let span = cx.inst.span;
    if let Some(name) = twice {
        cx.push(Diagnostic::new(
            &codes::DUPLICATE_OPTION,
            span,
            format!("`--{name}` is already set by `--hmark-tuple`"),
        ));
        return;
    }
    if has("hmark-spi-mask") && (has("hmark-sport-mask") || has("hmark-dport-mask")) {
        cx.push(Diagnostic::new(
            &codes::OPTION_CONFLICT,
            span,
            "`HMARK` cannot hash the SPI mask together with port masks",
        ));
        return;
    }
    if has("hmark-spi") && (has("hmark-sport") || has("hmark-dport")) {
        cx.push(Diagnostic::new(
            &codes::KERNEL_REJECTS,
            span,
            "`HMARK` cannot use --hmark-spi together with --hmark-sport/--hmark-dport",
        ));
        return;
    }
    let pkt = [
        "hmark-src-prefix",
        "hmark-dst-prefix",
        "hmark-sport-mask",
        "hmark-dport-mask",
        "hmark-spi-mask",
        "hmark-proto-mask",
        "hmark-sport",
        "hmark-dport",
        "hmark-spi",
        "ct",
    ];
    if !pkt.iter().any(|k| has(k)) {
        cx.push(Diagnostic::new(
            &codes::OPTION_CONFLICT,
            span,
            "`HMARK` needs something to hash: `--hmark-tuple` or a prefix/mask option",
        ));
    }
}

const SUMMARY: &str = "set the packet mark from a hash of the packet's addresses and ports, then continue";

pub static SPEC: ExtSpec = ExtSpec {
    families: Families::V4,
    options: &OPTIONS,
    save: Some(save4),
    check: Some(check),
    ..ExtSpec::new("HMARK", ExtKind::Target, SUMMARY)
};

pub static SPEC6: ExtSpec = ExtSpec {
    families: Families::V6,
    options: &OPTIONS,
    save: Some(save6),
    check: Some(check),
    ..ExtSpec::new("HMARK", ExtKind::Target, SUMMARY)
};

pub static SPECS: &[&ExtSpec] = &[&SPEC, &SPEC6];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tuple_prefixes() {
        let cx = ArgCx { family: crate::ext::Family::V4, proto: None };
        assert_eq!(tuple("s,sp,spi,c", &cx).unwrap().to_string(), "src,sport,spi,ct");
        assert!(tuple("foo", &cx).is_err());
        assert!(tuple("src,", &cx).is_err());
        assert_eq!(prefix("255.255.0.0", &cx), Ok(Value::UInt(16)));
        assert_eq!(prefix("129", &cx), Ok(Value::UInt(129)));
        let cx6 = ArgCx { family: crate::ext::Family::V6, proto: None };
        assert!(prefix("129", &cx6).is_err());
        assert_eq!(prefix("ffff::", &cx6), Ok(Value::UInt(16)));
    }
}
