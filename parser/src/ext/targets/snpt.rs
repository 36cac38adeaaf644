//! `SNPT`: stateless IPv6 source network prefix translation (RFC 6296;
//! `libip6t_SNPT.c`, kernel `ip6t_NPT.c`). mangle INPUT and POSTROUTING.

use crate::ext::targets::dnpt::{check_pfx, pfx};
use crate::ext::{ArgType, ExtKind, ExtSpec, Families, Hook, OptSpec};

pub static OPTIONS: [OptSpec; 2] = [
    OptSpec::new("src-pfx", ArgType::Custom(pfx), "prefix/length to translate from (at most /64)").mand(),
    OptSpec::new("dst-pfx", ArgType::Custom(pfx), "prefix/length to translate to (at most /64)").mand(),
];

pub static SPEC: ExtSpec = ExtSpec {
    families: Families::V6,
    options: &OPTIONS,
    tables: &["mangle"],
    hooks: &[Hook::Input, Hook::Postrouting],
    check: Some(check_pfx),
    ..ExtSpec::new(
        "SNPT",
        ExtKind::Target,
        "translate the source IPv6 prefix statelessly (mangle INPUT, POSTROUTING), then continue",
    )
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];
