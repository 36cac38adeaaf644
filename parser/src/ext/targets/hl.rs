//! `HL`: set, increase or decrease the IPv6 hop limit (`libip6t_HL.c`,
//! kernel `xt_HL.c`). mangle table, IPv6 only (IPv4: `TTL`).

use crate::ext::targets::mark::require_op;
use crate::ext::{ArgType, CheckCx, ExtKind, ExtSpec, Families, OptSpec};

pub static OPTIONS: [OptSpec; 3] = [
    OptSpec::new("hl-set", ArgType::UInt { min: 0, max: 255 }, "set the hop limit to this value")
        .excl(&["hl-dec", "hl-inc"]),
    OptSpec::new("hl-dec", ArgType::UInt { min: 1, max: 255 }, "decrease the hop limit by this much")
        .excl(&["hl-set", "hl-inc"]),
    OptSpec::new("hl-inc", ArgType::UInt { min: 1, max: 255 }, "increase the hop limit by this much")
        .excl(&["hl-set", "hl-dec"]),
];

fn check(cx: &mut CheckCx) {
    require_op(cx, &["hl-set", "hl-dec", "hl-inc"], "HL");
}

pub static SPEC: ExtSpec = ExtSpec {
    families: Families::V6,
    options: &OPTIONS,
    tables: &["mangle"],
    check: Some(check),
    ..ExtSpec::new("HL", ExtKind::Target, "set, increase or decrease the IPv6 hop limit (mangle table), then continue")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];
