//! `DSCP`: set the DSCP field of the IP header (`libxt_DSCP.c`, kernel
//! `xt_DSCP.c`). mangle table. Printed as `--set-dscp 0xNN`.

use std::fmt::Write;

use crate::ext::matches::dscp::DSCP_CLASSES;
use crate::ext::targets::mark::require_op;
use crate::ext::value::{ArgCx, Value};
use crate::ext::{ArgType, CheckCx, ExtInstance, ExtKind, ExtSpec, OptSpec};

fn class(s: &str, _: &ArgCx) -> Result<Value, String> {
    DSCP_CLASSES
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(s))
        .map(|(_, v)| Value::UInt(u64::from(*v)))
        .ok_or_else(|| format!("`{s}` is not a DSCP class (CS0-CS7, BE, AF11-AF43, EF)"))
}

pub static OPTIONS: [OptSpec; 2] = [
    OptSpec::new("set-dscp", ArgType::UInt { min: 0, max: 0x3f }, "DSCP value to set (0-63)").excl(&["set-dscp-class"]),
    OptSpec::new("set-dscp-class", ArgType::Custom(class), "DSCP class to set (CS0-CS7, BE, AF11-AF43, EF)")
        .excl(&["set-dscp"]),
];

fn save(inst: &ExtInstance, out: &mut String) {
    if let Some(Value::UInt(v)) = inst.options.first().map(|o| &o.value) {
        let _ = write!(out, " --set-dscp 0x{v:02x}");
    }
}

fn check(cx: &mut CheckCx) {
    require_op(cx, &["set-dscp", "set-dscp-class"], "DSCP");
}

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    tables: &["mangle"],
    save: Some(save),
    check: Some(check),
    ..ExtSpec::new("DSCP", ExtKind::Target, "set the DSCP field of the IP header (mangle table), then continue")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];
