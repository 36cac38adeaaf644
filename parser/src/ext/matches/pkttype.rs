//! `pkttype`: link-layer packet type (`libxt_pkttype.c`, kernel
//! `xt_pkttype.c`).

use crate::ext::value::{ArgCx, Value};
use crate::ext::{ArgType, ExtKind, ExtSpec, OptSpec};

/// Accepted names (case-insensitive) and the name iptables-save prints.
const TYPES: [(&str, &str); 7] = [
    ("unicast", "unicast"),
    ("broadcast", "broadcast"),
    ("multicast", "multicast"),
    ("otherhost", "otherhost"),
    ("bcast", "broadcast"),
    ("mcast", "multicast"),
    ("host", "unicast"),
];

fn parse_type(s: &str, _: &ArgCx) -> Result<Value, String> {
    TYPES
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(s))
        .map(|(_, c)| Value::Word(c.to_string()))
        .ok_or_else(|| format!("`{s}` is not a packet type (unicast, broadcast, multicast, otherhost)"))
}

pub static OPTIONS: [OptSpec; 1] =
    [OptSpec::new("pkt-type", ArgType::Custom(parse_type), "unicast, broadcast, multicast or otherhost")
        .invert()
        .mand()];

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    ..ExtSpec::new("pkttype", ExtKind::Match, "link-layer packet type: unicast, broadcast, multicast")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];
