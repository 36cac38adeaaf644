//! `ipv6header`: which IPv6 extension headers the packet has
//! (`libip6t_ipv6header.c`, kernel `ip6t_ipv6header.c`).

use std::fmt::Write;

use crate::ext::value::{ArgCx, Value};
use crate::ext::{ArgType, ExtInstance, ExtKind, ExtSpec, Families, OptSpec};

/// Header bits in the order iptables prints them, with the printed name.
const HEADERS: [(u8, &str); 8] = [
    (0, "hop-by-hop"),
    (60, "ipv6-opts"),
    (43, "ipv6-route"),
    (44, "ipv6-frag"),
    (51, "ah"),
    (50, "esp"),
    (59, "ipv6-nonxt"),
    (255, "protocol"),
];

/// Names iptables accepts: its own list and the `/etc/protocols` names
/// of those protocol numbers.
const NAMES: [(&str, u8); 28] = [
    ("hop-by-hop", 0),
    ("protocol", 255),
    ("hop", 0),
    ("dst", 60),
    ("route", 43),
    ("frag", 44),
    ("auth", 51),
    ("esp", 50),
    ("none", 59),
    ("prot", 255),
    ("0", 0),
    ("60", 60),
    ("43", 43),
    ("44", 44),
    ("51", 51),
    ("50", 50),
    ("59", 59),
    ("255", 255),
    ("hopopt", 0),
    ("ipv6-opts", 60),
    ("ipv6-route", 43),
    ("ipv6-frag", 44),
    ("ah", 51),
    ("ipv6-nonxt", 59),
    ("HOPOPT", 0),
    ("IPv6-Opts", 60),
    ("IPv6-Route", 43),
    ("IPv6-Frag", 44),
];

fn parse_headers(s: &str, _: &ArgCx) -> Result<Value, String> {
    let mut bits = 0u8;
    for name in s.split(',').filter(|n| !n.is_empty()) {
        let proto = NAMES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, p)| *p)
            .or(match name {
                "AH" => Some(51),
                "ESP" => Some(50),
                "IPv6-NoNxt" => Some(59),
                _ => None,
            })
            .ok_or_else(|| format!("unknown extension header `{name}`"))?;
        let i = HEADERS.iter().position(|(p, _)| *p == proto).expect("every name maps to a header");
        bits |= 1 << i;
    }
    if bits == 0 {
        return Err("no header names given".into());
    }
    let names: Vec<&str> =
        HEADERS.iter().enumerate().filter(|(i, _)| bits & (1 << i) != 0).map(|(_, (_, n))| *n).collect();
    Ok(Value::Text(names.join(",")))
}

pub static OPTIONS: [OptSpec; 2] = [
    OptSpec::new(
        "header",
        ArgType::Custom(parse_headers),
        "headers: hop-by-hop, dst, route, frag, auth, esp, none, proto",
    )
    .invert()
    .mand(),
    OptSpec::new("soft", ArgType::None, "match if any of the headers is present"),
];

fn save(inst: &ExtInstance, out: &mut String) {
    if let Some(o) = inst.opt("header") {
        let neg = if o.negated { " !" } else { "" };
        let _ = write!(out, "{neg} --header {}", o.value);
    }
    if inst.opt("soft").is_some() {
        out.push_str(" --soft");
    }
}

pub static SPEC: ExtSpec = ExtSpec {
    families: Families::V6,
    options: &OPTIONS,
    save: Some(save),
    ..ExtSpec::new("ipv6header", ExtKind::Match, "which IPv6 extension headers are present")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];
