//! `connlimit`: number of connections per source or destination group
//! (`libxt_connlimit.c` revision 1, kernel `xt_connlimit.c`).

use std::fmt::Write;

use crate::ext::value::{ArgCx, Value};
use crate::ext::{ArgType, CheckCx, ExtInstance, ExtKind, ExtSpec, Families, OptSpec};

/// A prefix length, or a netmask (stored as its length, like iptables).
fn parse_mask(s: &str, cx: &ArgCx) -> Result<Value, String> {
    super::policy::parse_plen(s, cx.family).map(|l| Value::UInt(u64::from(l)))
}

pub static OPTIONS: [OptSpec; 5] = [
    OptSpec::new(
        "connlimit-upto",
        ArgType::UInt { min: 0, max: u32::MAX as u64 },
        "match while the count is at most this",
    )
    .invert()
    .excl(&["connlimit-above"]),
    OptSpec::new(
        "connlimit-above",
        ArgType::UInt { min: 0, max: u32::MAX as u64 },
        "match when the count is above this",
    )
    .invert()
    .excl(&["connlimit-upto"]),
    OptSpec::new("connlimit-mask", ArgType::Custom(parse_mask), "group addresses by this prefix length"),
    OptSpec::new("connlimit-saddr", ArgType::None, "count by source address (default)").excl(&["connlimit-daddr"]),
    OptSpec::new("connlimit-daddr", ArgType::None, "count by destination address").excl(&["connlimit-saddr"]),
];

fn check(cx: &mut CheckCx) {
    super::ttl::need_one(cx, &["connlimit-upto", "connlimit-above"], "connlimit");
}

fn save(inst: &ExtInstance, out: &mut String, full: u8) {
    // `upto` is stored as an inverted `above`: `! --connlimit-upto N`
    // prints as `--connlimit-above N` and the reverse.
    for o in &inst.options {
        let upto = match o.name.as_str() {
            "connlimit-upto" => !o.negated,
            "connlimit-above" => o.negated,
            _ => continue,
        };
        let name = if upto { "connlimit-upto" } else { "connlimit-above" };
        let _ = write!(out, " --{name} {}", o.value);
    }
    match inst.opt("connlimit-mask") {
        Some(o) => {
            let _ = write!(out, " --connlimit-mask {}", o.value);
        }
        None => {
            let _ = write!(out, " --connlimit-mask {full}");
        }
    }
    if inst.opt("connlimit-daddr").is_some() {
        out.push_str(" --connlimit-daddr");
    } else {
        out.push_str(" --connlimit-saddr");
    }
}

fn save_v4(inst: &ExtInstance, out: &mut String) {
    save(inst, out, 32);
}

fn save_v6(inst: &ExtInstance, out: &mut String) {
    save(inst, out, 128);
}

const SUMMARY: &str = "number of connections per address or network";

pub static SPEC_V4: ExtSpec = ExtSpec {
    families: Families::V4,
    options: &OPTIONS,
    check: Some(check),
    save: Some(save_v4),
    ..ExtSpec::new("connlimit", ExtKind::Match, SUMMARY)
};

pub static SPEC_V6: ExtSpec = ExtSpec {
    families: Families::V6,
    options: &OPTIONS,
    check: Some(check),
    save: Some(save_v6),
    ..ExtSpec::new("connlimit", ExtKind::Match, SUMMARY)
};

pub static SPECS: &[&ExtSpec] = &[&SPEC_V4, &SPEC_V6];
