//! `quota`: a byte budget that the rule consumes (`libxt_quota.c`, kernel
//! `xt_quota.c`).

use crate::ext::{ArgType, ExtKind, ExtSpec, OptSpec};

pub static OPTIONS: [OptSpec; 1] =
    [OptSpec::new("quota", ArgType::UInt { min: 0, max: u64::MAX }, "bytes to let through before the match stops")
        .invert()
        .mand()];

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    ..ExtSpec::new("quota", ExtKind::Match, "byte quota: matches until the bytes are used up")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];
