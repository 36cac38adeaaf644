//! `cpu`: the CPU handling the packet (`libxt_cpu.c`, kernel `xt_cpu.c`).

use crate::ext::{ArgType, ExtKind, ExtSpec, OptSpec};

pub static OPTIONS: [OptSpec; 1] =
    [OptSpec::new("cpu", ArgType::UInt { min: 0, max: u32::MAX as u64 }, "CPU number").invert().mand()];

pub static SPEC: ExtSpec =
    ExtSpec { options: &OPTIONS, ..ExtSpec::new("cpu", ExtKind::Match, "CPU that processes the packet") };

pub static SPECS: &[&ExtSpec] = &[&SPEC];
