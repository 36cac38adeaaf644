//! `MARK`: set the packet mark (`libxt_MARK.c` revision 2, kernel
//! `xt_mark.c`). Every form is stored as "clear the mask bits, then XOR
//! the value", which is how iptables-save prints it: `--set-xmark v/m`.

use std::fmt::Write;

use crate::codes;
use crate::diagnostic::Diagnostic;
use crate::ext::value::Value;
use crate::ext::{ArgType, CheckCx, ExtInstance, ExtKind, ExtSpec, OptSpec};
use crate::model::OptValue;

const U32: ArgType = ArgType::UInt {
    min: 0,
    max: u32::MAX as u64,
};

/// The mark operations, each excluding the others.
pub(crate) const OPS: [&str; 5] = ["set-xmark", "set-mark", "and-mark", "or-mark", "xor-mark"];

pub static OPTIONS: [OptSpec; 5] = [
    OptSpec::new(
        "set-xmark",
        ArgType::MarkMask,
        "value[/mask]: clear the mask bits, then XOR the value in",
    )
    .excl(&["set-mark", "and-mark", "or-mark", "xor-mark"]),
    OptSpec::new(
        "set-mark",
        ArgType::MarkMask,
        "value[/mask]: clear the mask bits, then OR the value in",
    )
    .excl(&["set-xmark", "and-mark", "or-mark", "xor-mark"]),
    OptSpec::new("and-mark", U32, "AND the mark with these bits").excl(&[
        "set-xmark",
        "set-mark",
        "or-mark",
        "xor-mark",
    ]),
    OptSpec::new("or-mark", U32, "OR these bits into the mark").excl(&[
        "set-xmark",
        "set-mark",
        "and-mark",
        "xor-mark",
    ]),
    OptSpec::new("xor-mark", U32, "XOR these bits into the mark").excl(&[
        "set-xmark",
        "set-mark",
        "and-mark",
        "or-mark",
    ]),
];

/// The (value, mask) pair an operation stands for, as the kernel gets it.
pub(crate) fn xmark(o: &OptValue) -> Option<(u32, u32)> {
    Some(match (o.name.as_str(), &o.value) {
        ("set-xmark", Value::Mark { value, mask }) => (*value, *mask),
        ("set-mark", Value::Mark { value, mask }) => (*value, value | mask),
        ("and-mark", Value::UInt(v)) => (0, !(*v as u32)),
        ("or-mark", Value::UInt(v)) => (*v as u32, *v as u32),
        ("xor-mark", Value::UInt(v)) => (*v as u32, 0),
        _ => return None,
    })
}

fn save(inst: &ExtInstance, out: &mut String) {
    if let Some((v, m)) = inst.options.iter().find_map(xmark) {
        let _ = write!(out, " --set-xmark {v:#x}/{m:#x}");
    }
}

/// One operation is required.
pub(crate) fn require_op(cx: &mut CheckCx, ops: &[&str], what: &str) {
    if !ops.iter().any(|o| cx.has(o)) {
        let list = ops
            .iter()
            .map(|o| format!("--{o}"))
            .collect::<Vec<_>>()
            .join(", ");
        cx.push(Diagnostic::new(
            &codes::OPTION_CONFLICT,
            cx.inst.span,
            format!("`{what}` needs one of {list}"),
        ));
    }
}

fn check(cx: &mut CheckCx) {
    require_op(cx, &OPS, "MARK");
}

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    save: Some(save),
    check: Some(check),
    ..ExtSpec::new(
        "MARK",
        ExtKind::Target,
        "set or change the packet's firewall mark (fwmark), then continue",
    )
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];
