//! `IDLETIMER`: start or restart a timer that notifies user space (sysfs,
//! or an alarm with `--alarm`) when no packet hit the rule for a while
//! (`libxt_IDLETIMER.c` revision 1, kernel `xt_IDLETIMER.c`).

use std::fmt::Write;

use crate::codes;
use crate::diagnostic::Diagnostic;
use crate::ext::value::{ArgCx, Value};
use crate::ext::{ArgType, CheckCx, ExtInstance, ExtKind, ExtSpec, OptSpec};

/// The label is cut to 27 bytes (the kernel field holds 28 with the NUL).
fn label(s: &str, _: &ArgCx) -> Result<Value, String> {
    let mut end = s.len().min(27);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    Ok(Value::Str(s[..end].to_string()))
}

pub static OPTIONS: [OptSpec; 3] = [
    OptSpec::new(
        "timeout",
        ArgType::UInt { min: 0, max: u32::MAX as u64 },
        "seconds without packets before the timer fires (at least 1)",
    )
    .mand(),
    OptSpec::new("label", ArgType::Custom(label), "name of the timer (sysfs file name)").mand(),
    OptSpec::new("alarm", ArgType::None, "use an alarm timer, which wakes the system from suspend"),
];

/// iptables-save prints the label bare, even with blanks.
fn save(inst: &ExtInstance, out: &mut String) {
    for name in ["timeout", "label"] {
        if let Some(o) = inst.opt(name) {
            let _ = write!(out, " --{name} {}", o.value);
        }
    }
    if inst.opt("alarm").is_some() {
        out.push_str(" --alarm");
    }
}

fn check(cx: &mut CheckCx) {
    if let Some(o) = cx.opt("timeout") {
        if let Value::UInt(t) = o.value {
            if t == 0 || t >= 2_147_483 {
                let span = o.span;
                cx.push(Diagnostic::new(
                    &codes::KERNEL_REJECTS,
                    span,
                    format!("`IDLETIMER --timeout {t}` is refused by the kernel: use 1-2147482 seconds"),
                ));
            }
        }
    }
    if let Some(o) = cx.opt("label") {
        let (span, label) = (o.span, o.value.to_string());
        let msg = if label.is_empty() {
            "`IDLETIMER --label` must not be empty".to_string()
        } else if label.contains('/') {
            format!("`IDLETIMER --label {label}`: the label names a sysfs file and may not contain `/`")
        } else {
            return;
        };
        cx.push(Diagnostic::new(&codes::KERNEL_REJECTS, span, msg));
    }
}

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    save: Some(save),
    check: Some(check),
    ..ExtSpec::new(
        "IDLETIMER",
        ExtKind::Target,
        "restart a timer that tells user space when traffic stops, then continue",
    )
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];
