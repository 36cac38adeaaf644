//! `ah`: IPsec AH header. IPv4 (`libipt_ah.c`, kernel `ipt_ah.c`) matches
//! the SPI and needs `-p ah`; IPv6 (`libip6t_ah.c`, kernel `ip6t_ah.c`)
//! finds the header in the extension chain and also matches its length
//! and reserved field.

use std::fmt::Write;

use super::esp::{parse_u32_range, save_range};
use crate::ext::{ArgType, ExtInstance, ExtKind, ExtSpec, Families, OptSpec};

pub static OPTIONS_V4: [OptSpec; 1] =
    [OptSpec::new("ahspi", ArgType::Custom(parse_u32_range), "SPI or SPI range a:b").invert()];

pub static OPTIONS_V6: [OptSpec; 3] = [
    OptSpec::new("ahspi", ArgType::Custom(parse_u32_range), "SPI or SPI range a:b").invert(),
    OptSpec::new("ahlen", ArgType::UInt { min: 0, max: u32::MAX as u64 }, "header length").invert(),
    OptSpec::new("ahres", ArgType::None, "reserved field is zero"),
];

fn save_v4(inst: &ExtInstance, out: &mut String) {
    save_range(inst, "ahspi", u32::MAX as u64, out);
}

fn save_v6(inst: &ExtInstance, out: &mut String) {
    save_range(inst, "ahspi", u32::MAX as u64, out);
    if let Some(o) = inst.opt("ahlen") {
        // iptables prints the length only when non-zero or negated.
        if o.negated || o.value.to_string() != "0" {
            let neg = if o.negated { " !" } else { "" };
            let _ = write!(out, "{neg} --ahlen {}", o.value);
        }
    }
    if inst.opt("ahres").is_some() {
        out.push_str(" --ahres");
    }
}

pub static SPEC_V4: ExtSpec = ExtSpec {
    families: Families::V4,
    options: &OPTIONS_V4,
    proto: &["ah"],
    save: Some(save_v4),
    ..ExtSpec::new("ah", ExtKind::Match, "SPI of IPsec AH packets")
};

pub static SPEC_V6: ExtSpec = ExtSpec {
    families: Families::V6,
    options: &OPTIONS_V6,
    save: Some(save_v6),
    ..ExtSpec::new("ah", ExtKind::Match, "IPsec AH extension header: SPI, length, reserved field")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC_V4, &SPEC_V6];
