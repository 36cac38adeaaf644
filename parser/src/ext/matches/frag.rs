//! `frag`: the IPv6 fragment header (`libip6t_frag.c`, kernel
//! `ip6t_frag.c`).

use std::fmt::Write;

use super::esp::parse_u32_range;
use crate::ext::value::Value;
use crate::ext::{ArgType, ExtInstance, ExtKind, ExtSpec, Families, OptSpec};

pub static OPTIONS: [OptSpec; 6] = [
    OptSpec::new("fragid", ArgType::Custom(parse_u32_range), "fragment id or range a:b").invert(),
    OptSpec::new("fraglen", ArgType::UInt { min: 0, max: u32::MAX as u64 }, "header length").invert(),
    OptSpec::new("fragres", ArgType::None, "reserved fields are set"),
    OptSpec::new("fragfirst", ArgType::None, "first fragment"),
    OptSpec::new("fragmore", ArgType::None, "more fragments follow").excl(&["fraglast"]),
    OptSpec::new("fraglast", ArgType::None, "last fragment").excl(&["fragmore"]),
];

fn save(inst: &ExtInstance, out: &mut String) {
    super::esp::save_range(inst, "fragid", u32::MAX as u64, out);
    for o in inst.options.iter().filter(|o| o.name == "fraglen") {
        let neg = if o.negated { " !" } else { "" };
        let _ = write!(out, "{neg} --fraglen {}", o.value);
    }
    for flag in ["fragres", "fragfirst", "fragmore", "fraglast"] {
        if inst.opt(flag).is_some_and(|o| o.value == Value::Flag) {
            let _ = write!(out, " --{flag}");
        }
    }
}

pub static SPEC: ExtSpec = ExtSpec {
    families: Families::V6,
    options: &OPTIONS,
    save: Some(save),
    ..ExtSpec::new("frag", ExtKind::Match, "IPv6 fragment header: id, length, first/more/last")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];
