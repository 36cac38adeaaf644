//! `ULOG`: the IPv4 netlink logger before NFLOG (`libipt_ULOG.c`). Linux
//! 3.17 removed the kernel module, so a rule using it never loads: use
//! `NFLOG` instead.

use crate::codes;
use crate::diagnostic::Diagnostic;
use crate::ext::targets::log::prefix_value;
use crate::ext::value::{ArgCx, Value};
use crate::ext::{ArgType, CheckCx, ExtKind, ExtSpec, Families, OptSpec};

fn prefix(s: &str, _: &ArgCx) -> Result<Value, String> {
    prefix_value(s, 31)
}

pub static OPTIONS: [OptSpec; 4] = [
    OptSpec::new("ulog-nlgroup", ArgType::UInt { min: 1, max: 32 }, "netlink group (1-32); NFLOG: --nflog-group"),
    OptSpec::new("ulog-prefix", ArgType::Custom(prefix), "log prefix; NFLOG: --nflog-prefix"),
    OptSpec::new("ulog-cprange", ArgType::UInt { min: 0, max: u64::MAX }, "bytes to copy; NFLOG: --nflog-size"),
    OptSpec::new("ulog-qthreshold", ArgType::UInt { min: 1, max: 50 }, "packets to queue; NFLOG: --nflog-threshold"),
];

fn check(cx: &mut CheckCx) {
    cx.push(
        Diagnostic::new(
            &codes::KERNEL_REJECTS,
            cx.inst.span,
            "`ULOG` no longer exists in the kernel (removed in Linux 3.17)",
        )
        .note("use `-j NFLOG` (with --nflog-group, --nflog-prefix, --nflog-size, --nflog-threshold)"),
    );
}

pub static SPEC: ExtSpec = ExtSpec {
    families: Families::V4,
    options: &OPTIONS,
    check: Some(check),
    ..ExtSpec::new("ULOG", ExtKind::Target, "obsolete IPv4 netlink logging (removed from the kernel; use NFLOG)")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];
