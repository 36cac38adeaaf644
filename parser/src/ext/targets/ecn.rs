//! `ECN`: change the ECN bits of IPv4 and TCP headers (`libipt_ECN.c`,
//! kernel `ipt_ECN.c`). mangle table, IPv4 only. The TCP options need
//! `-p tcp`. Options act in order (`--ecn-tcp-remove` resets the others).

use std::fmt::Write;

use crate::codes;
use crate::diagnostic::Diagnostic;
use crate::ext::targets::mark::require_op;
use crate::ext::value::Value;
use crate::ext::{ArgType, CheckCx, ExtInstance, ExtKind, ExtSpec, Families, OptSpec};

pub static OPTIONS: [OptSpec; 4] = [
    OptSpec::new("ecn-tcp-remove", ArgType::None, "clear the ECE and CWR bits of the TCP header")
        .excl(&["ecn-tcp-cwr", "ecn-tcp-ece"]),
    OptSpec::new("ecn-tcp-cwr", ArgType::UInt { min: 0, max: 1 }, "set the TCP CWR bit to 0 or 1")
        .excl(&["ecn-tcp-remove"]),
    OptSpec::new("ecn-tcp-ece", ArgType::UInt { min: 0, max: 1 }, "set the TCP ECE bit to 0 or 1")
        .excl(&["ecn-tcp-remove"]),
    OptSpec::new("ecn-ip-ect", ArgType::UInt { min: 0, max: 3 }, "set the ECT codepoint of the IP header (0-3)"),
];

/// (ece, cwr, ip) as the kernel gets them, in option order.
fn replay(inst: &ExtInstance) -> (Option<u64>, Option<u64>, Option<u64>) {
    let (mut ece, mut cwr, mut ip) = (None, None, None);
    for o in &inst.options {
        let n = match o.value {
            Value::UInt(n) => n,
            _ => 0,
        };
        match o.name.as_str() {
            "ecn-tcp-remove" => {
                ece = Some(0);
                cwr = Some(0);
                ip = None;
            }
            "ecn-tcp-cwr" => cwr = Some(n),
            "ecn-tcp-ece" => ece = Some(n),
            "ecn-ip-ect" => ip = Some(n),
            _ => {}
        }
    }
    (ece, cwr, ip)
}

fn save(inst: &ExtInstance, out: &mut String) {
    match replay(inst) {
        (Some(0), Some(0), None) => out.push_str(" --ecn-tcp-remove"),
        (ece, cwr, ip) => {
            if let Some(v) = ece {
                let _ = write!(out, " --ecn-tcp-ece {v}");
            }
            if let Some(v) = cwr {
                let _ = write!(out, " --ecn-tcp-cwr {v}");
            }
            if let Some(v) = ip {
                let _ = write!(out, " --ecn-ip-ect {v}");
            }
        }
    }
}

fn check(cx: &mut CheckCx) {
    require_op(cx, &["ecn-tcp-remove", "ecn-tcp-cwr", "ecn-tcp-ece", "ecn-ip-ect"], "ECN");
    let (ece, cwr, _) = replay(cx.inst);
    if (ece.is_some() || cwr.is_some()) && cx.rule.proto != Some((6, false)) {
        cx.push(Diagnostic::new(
            &codes::KERNEL_REJECTS,
            cx.inst.span,
            "the TCP options of `ECN` need `-p tcp` (not negated) on the rule",
        ));
    }
}

pub static SPEC: ExtSpec = ExtSpec {
    families: Families::V4,
    options: &OPTIONS,
    tables: &["mangle"],
    save: Some(save),
    check: Some(check),
    ..ExtSpec::new("ECN", ExtKind::Target, "change the ECN bits of the IP/TCP header (mangle table), then continue")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];
