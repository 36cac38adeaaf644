//! `TRACE`: trace the packet through the rule set (`libxt_TRACE.c`). The
//! nf_tables backend turns it into `meta nftrace set 1`, which works in any
//! table (the legacy kernel target allows only raw).

use crate::ext::{ExtKind, ExtSpec};

pub static SPEC: ExtSpec = ExtSpec::new(
    "TRACE",
    ExtKind::Target,
    "trace the packet through the rules (see `xtables-monitor --trace`), then continue",
);

pub static SPECS: &[&ExtSpec] = &[&SPEC];
