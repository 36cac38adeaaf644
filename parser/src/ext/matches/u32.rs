//! `u32`: not yet described (stub: accepts no options).

use crate::ext::{ExtKind, ExtSpec};

pub static SPEC: ExtSpec = ExtSpec::new("u32", ExtKind::Match, "");

pub static SPECS: &[&ExtSpec] = &[&SPEC];
