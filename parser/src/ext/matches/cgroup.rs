//! `cgroup`: the control group of the local socket (`libxt_cgroup.c`
//! revision 2, kernel `xt_cgroup.c`).

use std::fmt::Write;

use super::helper::save_string;
use crate::codes;
use crate::diagnostic::Diagnostic;
use crate::ext::value::{ArgCx, Value};
use crate::ext::{ArgType, CheckCx, ExtInstance, ExtKind, ExtSpec, Hook, OptSpec};

/// The kernel field holds 4095 bytes.
fn parse_path(s: &str, _: &ArgCx) -> Result<Value, String> {
    Ok(Value::Str(super::helper::truncate(s, 4095)))
}

pub static OPTIONS: [OptSpec; 2] = [
    OptSpec::new("path", ArgType::Custom(parse_path), "cgroup v2 path").invert(),
    OptSpec::new("cgroup", ArgType::UInt { min: 0, max: u32::MAX as u64 }, "net_cls class id").invert(),
];

fn check(cx: &mut CheckCx) {
    let msg = match (cx.has("path"), cx.has("cgroup")) {
        (true, true) => "the kernel takes either `--path` or `--cgroup`, not both",
        (false, false) => "`cgroup` needs `--path` or `--cgroup`",
        _ => {
            if let Some(o) = cx.opt("path") {
                let (span, p) = (o.span, o.value.to_string());
                cx.push(Diagnostic::new(
                    &codes::HOST_REQUIREMENT,
                    span,
                    format!("cgroup `{p}` must exist on the host when the file loads"),
                ));
            }
            return;
        }
    };
    cx.push(Diagnostic::new(&codes::KERNEL_REJECTS, cx.inst.span, msg));
}

fn save(inst: &ExtInstance, out: &mut String) {
    if let Some(o) = inst.opt("path") {
        let neg = if o.negated { " !" } else { "" };
        let _ = write!(out, "{neg} --path {}", save_string(&o.value.to_string()));
    }
    if let Some(o) = inst.opt("cgroup") {
        let neg = if o.negated { " !" } else { "" };
        let _ = write!(out, "{neg} --cgroup {}", o.value);
    }
}

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    hooks: &[Hook::Input, Hook::Output, Hook::Postrouting],
    check: Some(check),
    save: Some(save),
    ..ExtSpec::new("cgroup", ExtKind::Match, "control group of the local socket")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];
