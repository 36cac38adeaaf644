//! `nfacct`: count the packet in an extended accounting object
//! (`libxt_nfacct.c`, kernel `xt_nfacct.c`).

use std::fmt::Write;

use super::helper::save_string;
use crate::codes;
use crate::diagnostic::Diagnostic;
use crate::ext::value::{ArgCx, Value};
use crate::ext::{ArgType, CheckCx, ExtInstance, ExtKind, ExtSpec, OptSpec};

fn parse_name(s: &str, _: &ArgCx) -> Result<Value, String> {
    if s.is_empty() {
        return Err("empty accounting object name".into());
    }
    if s.contains('\n') {
        return Err("newlines are not allowed in the name".into());
    }
    // The kernel field holds 31 bytes; iptables cuts longer names.
    let mut end = s.len().min(31);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    Ok(Value::Str(s[..end].to_string()))
}

pub static OPTIONS: [OptSpec; 1] =
    [OptSpec::new("nfacct-name", ArgType::Custom(parse_name), "name of the nfacct object").mand()];

fn check(cx: &mut CheckCx) {
    if let Some(o) = cx.opt("nfacct-name") {
        let (span, name) = (o.span, o.value.to_string());
        cx.push(Diagnostic::new(
            &codes::HOST_REQUIREMENT,
            span,
            format!("accounting object `{name}` must exist (`nfacct add {name}`) when the file loads"),
        ));
    }
}

fn save(inst: &ExtInstance, out: &mut String) {
    if let Some(o) = inst.opt("nfacct-name") {
        let _ = write!(out, " --nfacct-name {}", save_string(&o.value.to_string()));
    }
}

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    check: Some(check),
    save: Some(save),
    ..ExtSpec::new("nfacct", ExtKind::Match, "count packets and bytes in an nfacct object")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];
