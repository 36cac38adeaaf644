//! `CONNSECMARK`: not yet described (stub: accepts no options).

use crate::ext::{ExtKind, ExtSpec};

pub static SPEC: ExtSpec = ExtSpec::new("CONNSECMARK", ExtKind::Target, "");

pub static SPECS: &[&ExtSpec] = &[&SPEC];
