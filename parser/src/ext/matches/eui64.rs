//! `eui64`: the source address's interface id is the EUI-64 of the source
//! MAC (`libip6t_eui64.c`, kernel `ip6t_eui64.c`).

use crate::ext::{ExtKind, ExtSpec, Families, Hook};

pub static SPEC: ExtSpec = ExtSpec {
    families: Families::V6,
    hooks: &[Hook::Prerouting, Hook::Input, Hook::Forward],
    ..ExtSpec::new("eui64", ExtKind::Match, "source address derived from the source MAC (EUI-64)")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];
