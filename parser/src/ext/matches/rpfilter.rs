//! `rpfilter`: reverse path filter, the route back to the source uses the
//! input interface (`libxt_rpfilter.c`, kernel `ipt_rpfilter.c` and
//! `ip6t_rpfilter.c`).

use crate::ext::{ArgType, ExtKind, ExtSpec, Hook, OptSpec};

pub static OPTIONS: [OptSpec; 4] = [
    OptSpec::new("loose", ArgType::None, "any route back is enough, whatever its interface"),
    OptSpec::new("validmark", ArgType::None, "use the packet mark for the route lookup"),
    OptSpec::new("accept-local", ArgType::None, "accept packets from local addresses"),
    OptSpec::new("invert", ArgType::None, "match packets that fail the check"),
];

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    tables: &["raw", "mangle"],
    hooks: &[Hook::Prerouting],
    ..ExtSpec::new("rpfilter", ExtKind::Match, "reverse path check of the source address")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];
