//! `connlimit`: not yet described (stub: accepts no options).

use crate::ext::{ExtKind, ExtSpec};

pub static SPEC: ExtSpec = ExtSpec::new("connlimit", ExtKind::Match, "");

pub static SPECS: &[&ExtSpec] = &[&SPEC];
