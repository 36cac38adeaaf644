//! `AUDIT`: record the packet in the audit log (`libxt_AUDIT.c`, kernel
//! `xt_AUDIT.c`).

use crate::ext::{ArgType, ExtKind, ExtSpec, OptSpec};

pub static OPTIONS: [OptSpec; 1] = [OptSpec::new(
    "type",
    ArgType::Choice(&["accept", "drop", "reject"]),
    "what the audit record says happens: accept, drop or reject",
)
.mand()];

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    ..ExtSpec::new("AUDIT", ExtKind::Target, "write an audit record for the packet, then continue")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];
