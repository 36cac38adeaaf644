//! `dst`: the IPv6 destination options header (`libip6t_dst.c`, kernel
//! `ip6t_hbh.c`).

use super::hbh::{parse_opts, save_opts};
use crate::ext::{ArgType, ExtInstance, ExtKind, ExtSpec, Families, OptSpec};

pub static OPTIONS: [OptSpec; 2] = [
    OptSpec::new("dst-len", ArgType::UInt { min: 0, max: u32::MAX as u64 }, "header length").invert(),
    OptSpec::new("dst-opts", ArgType::Custom(parse_opts), "options TYPE[:LEN],…"),
];

fn save(inst: &ExtInstance, out: &mut String) {
    save_opts(inst, "dst-len", "dst-opts", out);
}

pub static SPEC: ExtSpec = ExtSpec {
    families: Families::V6,
    options: &OPTIONS,
    save: Some(save),
    ..ExtSpec::new("dst", ExtKind::Match, "IPv6 destination options header")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];
