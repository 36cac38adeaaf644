//! `NOTRACK`: do not track the packet's connection (an alias of
//! `CT --notrack`, kept under its own name by iptables-save). raw table.

use crate::ext::{ExtKind, ExtSpec};

pub static SPEC: ExtSpec = ExtSpec {
    tables: &["raw"],
    ..ExtSpec::new("NOTRACK", ExtKind::Target, "do not track the packet's connection (raw table; same as CT --notrack)")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];
