//! `NFLOG`: pass the packet to a netlink logging group (`libxt_NFLOG.c`).
//! The nf_tables backend turns it into a native `log group` expression:
//! prefixes up to 127 bytes survive, `--nflog-range` is dropped, and a
//! threshold of 0 is not kept.

use std::fmt::Write;

use crate::ext::targets::log::{prefix_value, save_string};
use crate::ext::value::{ArgCx, Value};
use crate::ext::{ArgType, ExtInstance, ExtKind, ExtSpec, OptSpec};

fn parse_prefix(s: &str, _: &ArgCx) -> Result<Value, String> {
    prefix_value(s, 127)
}

pub static OPTIONS: [OptSpec; 5] = [
    OptSpec::new("nflog-group", ArgType::UInt { min: 0, max: 65535 }, "netlink group to log to (0-65535, default 0)"),
    OptSpec::new("nflog-prefix", ArgType::Custom(parse_prefix), "text put before each log message"),
    OptSpec::new(
        "nflog-range",
        ArgType::UInt { min: 0, max: u32::MAX as u64 },
        "obsolete and without effect; use --nflog-size",
    )
    .excl(&["nflog-size"]),
    OptSpec::new("nflog-size", ArgType::UInt { min: 0, max: u32::MAX as u64 }, "number of bytes of the packet to copy")
        .excl(&["nflog-range"]),
    OptSpec::new(
        "nflog-threshold",
        ArgType::UInt { min: 0, max: 65535 },
        "packets to queue in the kernel before sending them",
    ),
];

fn uint(inst: &ExtInstance, name: &str) -> Option<u64> {
    match inst.opt(name).map(|o| &o.value) {
        Some(Value::UInt(n)) => Some(*n),
        _ => None,
    }
}

fn save(inst: &ExtInstance, out: &mut String) {
    if let Some(Value::Str(p)) = inst.opt("nflog-prefix").map(|o| &o.value) {
        out.push_str(" --nflog-prefix");
        out.push_str(&save_string(p));
    }
    if let Some(g) = uint(inst, "nflog-group").filter(|g| *g != 0) {
        let _ = write!(out, " --nflog-group {g}");
    }
    if let Some(s) = uint(inst, "nflog-size") {
        let _ = write!(out, " --nflog-size {s}");
    }
    if let Some(t) = uint(inst, "nflog-threshold").filter(|t| *t != 0) {
        let _ = write!(out, " --nflog-threshold {t}");
    }
}

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    save: Some(save),
    ..ExtSpec::new("NFLOG", ExtKind::Target, "log the packet through nfnetlink_log (ulogd), then continue")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];
