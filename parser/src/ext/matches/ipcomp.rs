//! `ipcomp`: SPI (CPI) of IPComp packets (`libxt_ipcomp.c`, kernel
//! `xt_ipcomp.c`).

use super::esp::{parse_u32_range, save_range};
use crate::ext::{ArgType, ExtInstance, ExtKind, ExtSpec, OptSpec};

pub static OPTIONS: [OptSpec; 2] = [
    OptSpec::new("ipcompspi", ArgType::Custom(parse_u32_range), "SPI or SPI range a:b").invert(),
    OptSpec::new("compres", ArgType::None, "reserved field is set"),
];

fn save(inst: &ExtInstance, out: &mut String) {
    save_range(inst, "ipcompspi", u32::MAX as u64, out);
    if inst.opt("compres").is_some() {
        out.push_str(" --compres");
    }
}

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    proto: &["ipcomp"],
    save: Some(save),
    ..ExtSpec::new("ipcomp", ExtKind::Match, "SPI of IPComp packets")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];
