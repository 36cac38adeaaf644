//! `quota`: not yet described (stub: accepts no options).

use crate::ext::{ExtKind, ExtSpec};

pub static SPEC: ExtSpec = ExtSpec::new("quota", ExtKind::Match, "");

pub static SPECS: &[&ExtSpec] = &[&SPEC];
