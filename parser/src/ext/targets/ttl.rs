//! `TTL`: set, increase or decrease the IPv4 time-to-live (`libipt_TTL.c`,
//! kernel `xt_HL.c`). mangle table, IPv4 only (IPv6: `HL`).

use crate::ext::targets::mark::require_op;
use crate::ext::{ArgType, CheckCx, ExtKind, ExtSpec, Families, OptSpec};

pub static OPTIONS: [OptSpec; 3] = [
    OptSpec::new("ttl-set", ArgType::UInt { min: 0, max: 255 }, "set the TTL to this value")
        .excl(&["ttl-dec", "ttl-inc"]),
    OptSpec::new("ttl-dec", ArgType::UInt { min: 1, max: 255 }, "decrease the TTL by this much")
        .excl(&["ttl-set", "ttl-inc"]),
    OptSpec::new("ttl-inc", ArgType::UInt { min: 1, max: 255 }, "increase the TTL by this much")
        .excl(&["ttl-set", "ttl-dec"]),
];

fn check(cx: &mut CheckCx) {
    require_op(cx, &["ttl-set", "ttl-dec", "ttl-inc"], "TTL");
}

pub static SPEC: ExtSpec = ExtSpec {
    families: Families::V4,
    options: &OPTIONS,
    tables: &["mangle"],
    check: Some(check),
    ..ExtSpec::new("TTL", ExtKind::Target, "set, increase or decrease the IPv4 TTL (mangle table), then continue")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];
