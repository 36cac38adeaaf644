//! `connlabel`: a label bit of the connection (`libxt_connlabel.c`,
//! kernel `xt_connlabel.c`).

use std::fmt::Write;

use crate::codes;
use crate::diagnostic::Diagnostic;
use crate::ext::value::{parse_c_uint, ArgCx, Value};
use crate::ext::{ArgType, CheckCx, ExtInstance, ExtKind, ExtSpec, OptSpec};

/// A bit number, or a name from the host's `connlabel.conf`.
fn parse_label(s: &str, _: &ArgCx) -> Result<Value, String> {
    if s.is_empty() {
        return Err("empty label".into());
    }
    match parse_c_uint(s) {
        Some(n) => Ok(Value::UInt(n)),
        None => Ok(Value::Str(s.to_string())),
    }
}

pub static OPTIONS: [OptSpec; 2] = [
    OptSpec::new("label", ArgType::Custom(parse_label), "label bit 0-127, or its name").invert().mand(),
    OptSpec::new("set", ArgType::None, "also set the label on the connection"),
];

fn check(cx: &mut CheckCx) {
    let Some(o) = cx.opt("label") else { return };
    let span = o.span;
    match o.value.clone() {
        Value::UInt(n) if n >= 128 => cx.push(Diagnostic::new(
            &codes::KERNEL_REJECTS,
            span,
            format!("label bit {n} is too large: the kernel has bits 0-127"),
        )),
        Value::Str(name) => cx.push(Diagnostic::new(
            &codes::HOST_REQUIREMENT,
            span,
            format!("label `{name}` must be defined in connlabel.conf on the host that loads the file"),
        )),
        _ => {}
    }
}

fn save(inst: &ExtInstance, out: &mut String) {
    if let Some(o) = inst.opt("label") {
        let neg = if o.negated { " !" } else { "" };
        let _ = write!(out, "{neg} --label \"{}\"", o.value);
    }
    if inst.opt("set").is_some() {
        out.push_str(" --set");
    }
}

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    check: Some(check),
    save: Some(save),
    ..ExtSpec::new("connlabel", ExtKind::Match, "connection label bit")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];
