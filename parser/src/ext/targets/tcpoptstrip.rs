//! `TCPOPTSTRIP`: not yet described (stub: accepts no options).

use crate::ext::{ExtKind, ExtSpec};

pub static SPEC: ExtSpec = ExtSpec::new("TCPOPTSTRIP", ExtKind::Target, "");

pub static SPECS: &[&ExtSpec] = &[&SPEC];
