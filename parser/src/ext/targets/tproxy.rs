//! `TPROXY`: not yet described (stub: accepts no options).

use crate::ext::{ExtKind, ExtSpec};

pub static SPEC: ExtSpec = ExtSpec::new("TPROXY", ExtKind::Target, "");

pub static SPECS: &[&ExtSpec] = &[&SPEC];
