//! `ttl`: the IPv4 time-to-live field (`libipt_ttl.c`, kernel `xt_hl.c`).

use std::fmt::Write;

use crate::codes;
use crate::diagnostic::Diagnostic;
use crate::ext::{ArgType, CheckCx, ExtInstance, ExtKind, ExtSpec, Families, OptSpec};

const ANY: &[&str] = &["ttl-lt", "ttl-gt", "ttl-eq"];

pub static OPTIONS: [OptSpec; 3] = [
    OptSpec::new("ttl-lt", ArgType::UInt { min: 0, max: 255 }, "TTL below this value").excl(&["ttl-gt", "ttl-eq"]),
    OptSpec::new("ttl-gt", ArgType::UInt { min: 0, max: 255 }, "TTL above this value").excl(&["ttl-lt", "ttl-eq"]),
    // `--ttl` is the old spelling; iptables looks options up by id, so it
    // takes `!` like `--ttl-eq`.
    OptSpec::new("ttl-eq", ArgType::UInt { min: 0, max: 255 }, "TTL equal to this value")
        .invert()
        .aliases(&["ttl"])
        .excl(&["ttl-lt", "ttl-gt"]),
];

/// `hl`/`ttl` final check: one comparison is required.
pub(crate) fn need_one(cx: &mut CheckCx, names: &[&str], module: &str) {
    if !names.iter().any(|n| cx.has(n)) {
        let list = names.iter().take(3).map(|n| format!("`--{n}`")).collect::<Vec<_>>().join(", ");
        cx.push(Diagnostic::new(&codes::OPTION_CONFLICT, cx.inst.span, format!("`{module}` needs one of {list}")));
    }
}

fn check(cx: &mut CheckCx) {
    need_one(cx, ANY, "ttl");
}

/// Writes `[!] --name value` for the options of `inst`, in `order`,
/// printing `alias` options under their canonical name.
pub(crate) fn save_cmp(inst: &ExtInstance, out: &mut String, order: &[(&str, &str)]) {
    for (name, shown) in order {
        for o in inst.opts(name) {
            let neg = if o.negated { " !" } else { "" };
            let _ = write!(out, "{neg} --{shown} {}", o.value);
        }
    }
}

fn save(inst: &ExtInstance, out: &mut String) {
    save_cmp(inst, out, &[("ttl-eq", "ttl-eq"), ("ttl-lt", "ttl-lt"), ("ttl-gt", "ttl-gt")]);
}

pub static SPEC: ExtSpec = ExtSpec {
    families: Families::V4,
    options: &OPTIONS,
    check: Some(check),
    save: Some(save),
    ..ExtSpec::new("ttl", ExtKind::Match, "IPv4 time-to-live: equal, below or above a value")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];
