//! `dscp`: the 6-bit DSCP field, by number or class name (`libxt_dscp.c`,
//! kernel `xt_dscp.c`).

use std::fmt::Write;

use crate::ext::value::{ArgCx, Value};
use crate::ext::{ArgType, CheckCx, ExtInstance, ExtKind, ExtSpec, OptSpec};

/// DiffServ class names and their code points (`dscp_helper.c`).
pub const DSCP_CLASSES: [(&str, u8); 22] = [
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

/// A class name, case-insensitive. Like iptables, the first class whose
/// name begins the word wins (`CS1x` is `CS1`).
pub fn parse_class(s: &str, _: &ArgCx) -> Result<Value, String> {
    DSCP_CLASSES
        .iter()
        .find(|(n, _)| s.len() >= n.len() && s.as_bytes()[..n.len()].eq_ignore_ascii_case(n.as_bytes()))
        .map(|(_, v)| Value::UInt(u64::from(*v)))
        .ok_or_else(|| format!("`{s}` is not a DSCP class (CS0-CS7, BE, AF11-AF43, EF)"))
}

pub static OPTIONS: [OptSpec; 2] = [
    OptSpec::new("dscp", ArgType::UInt { min: 0, max: 63 }, "DSCP value 0-63").invert().excl(&["dscp-class"]),
    OptSpec::new("dscp-class", ArgType::Custom(parse_class), "DiffServ class name (CS0-CS7, BE, AF11-AF43, EF)")
        .invert()
        .excl(&["dscp"]),
];

fn check(cx: &mut CheckCx) {
    super::ttl::need_one(cx, &["dscp", "dscp-class"], "dscp");
}

fn save(inst: &ExtInstance, out: &mut String) {
    for o in inst.options.iter() {
        if let Value::UInt(v) = o.value {
            let neg = if o.negated { " !" } else { "" };
            let _ = write!(out, "{neg} --dscp {v:#04x}");
        }
    }
}

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    check: Some(check),
    save: Some(save),
    ..ExtSpec::new("dscp", ExtKind::Match, "DSCP field, by value or DiffServ class")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];
