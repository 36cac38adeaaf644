//! `hl`: the IPv6 hop limit field (`libip6t_hl.c`, kernel `xt_hl.c`).

use crate::ext::{ArgType, CheckCx, ExtInstance, ExtKind, ExtSpec, Families, OptSpec};

const ANY: &[&str] = &["hl-lt", "hl-gt", "hl-eq"];

pub static OPTIONS: [OptSpec; 3] = [
    OptSpec::new("hl-lt", ArgType::UInt { min: 0, max: 255 }, "hop limit below this value").excl(&["hl-gt", "hl-eq"]),
    OptSpec::new("hl-gt", ArgType::UInt { min: 0, max: 255 }, "hop limit above this value").excl(&["hl-lt", "hl-eq"]),
    // `--hl` is the old spelling; iptables looks options up by id, so it
    // takes `!` like `--hl-eq`.
    OptSpec::new("hl-eq", ArgType::UInt { min: 0, max: 255 }, "hop limit equal to this value")
        .invert()
        .aliases(&["hl"])
        .excl(&["hl-lt", "hl-gt"]),
];

fn check(cx: &mut CheckCx) {
    super::ttl::need_one(cx, ANY, "hl");
}

fn save(inst: &ExtInstance, out: &mut String) {
    super::ttl::save_cmp(inst, out, &[("hl-eq", "hl-eq"), ("hl-lt", "hl-lt"), ("hl-gt", "hl-gt")]);
}

pub static SPEC: ExtSpec = ExtSpec {
    families: Families::V6,
    options: &OPTIONS,
    check: Some(check),
    save: Some(save),
    ..ExtSpec::new("hl", ExtKind::Match, "IPv6 hop limit: equal, below or above a value")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];
