//! `DSCP`: set the DSCP field of the IP header (`libxt_DSCP.c`, kernel
//! `xt_DSCP.c`). mangle table. Printed as `--set-dscp 0xNN`.

use std::fmt::Write;

use crate::ext::targets::mark::require_op;
use crate::ext::value::{ArgCx, Value};
use crate::ext::{ArgType, CheckCx, ExtInstance, ExtKind, ExtSpec, OptSpec};

/// DSCP class names and their values.
pub(crate) const CLASSES: &[(&str, u64)] = &[
    ("CS0", 0x00),
    ("CS1", 0x08),
    ("CS2", 0x10),
    ("CS3", 0x18),
    ("CS4", 0x20),
    ("CS5", 0x28),
    ("CS6", 0x30),
    ("CS7", 0x38),
    ("BE", 0x00),
    ("AF11", 0x0a),
    ("AF12", 0x0c),
    ("AF13", 0x0e),
    ("AF21", 0x12),
    ("AF22", 0x14),
    ("AF23", 0x16),
    ("AF31", 0x1a),
    ("AF32", 0x1c),
    ("AF33", 0x1e),
    ("AF41", 0x22),
    ("AF42", 0x24),
    ("AF43", 0x26),
    ("EF", 0x2e),
];

fn class(s: &str, _: &ArgCx) -> Result<Value, String> {
    CLASSES
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(s))
        .map(|(_, v)| Value::UInt(*v))
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
