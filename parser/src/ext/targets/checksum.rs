//! `CHECKSUM`: fill in the checksum of a packet that lacks one
//! (`libxt_CHECKSUM.c`, kernel `xt_CHECKSUM.c`). mangle table.

use crate::ext::{ArgType, ExtKind, ExtSpec, OptSpec};

pub static OPTIONS: [OptSpec; 1] =
    [OptSpec::new("checksum-fill", ArgType::None, "compute the missing checksum (for old DHCP clients behind virtio)")
        .mand()];

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    tables: &["mangle"],
    ..ExtSpec::new("CHECKSUM", ExtKind::Target, "fill in a missing checksum (mangle table), then continue")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];
