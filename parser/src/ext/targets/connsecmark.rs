//! `CONNSECMARK`: copy the security mark between packet and connection
//! (`libxt_CONNSECMARK.c`, kernel `xt_CONNSECMARK.c`). mangle and security
//! tables.

use crate::ext::targets::mark::require_op;
use crate::ext::{ArgType, CheckCx, ExtKind, ExtSpec, OptSpec};

pub static OPTIONS: [OptSpec; 2] = [
    OptSpec::new("save", ArgType::None, "copy the packet's security mark to the connection").excl(&["restore"]),
    OptSpec::new("restore", ArgType::None, "copy the connection's security mark to the packet").excl(&["save"]),
];

fn check(cx: &mut CheckCx) {
    require_op(cx, &["save", "restore"], "CONNSECMARK");
}

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    tables: &["mangle", "security"],
    check: Some(check),
    ..ExtSpec::new(
        "CONNSECMARK",
        ExtKind::Target,
        "copy the security mark between packet and connection (mangle, security), then continue",
    )
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];
