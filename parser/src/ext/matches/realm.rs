//! `realm`: the routing realm of the packet's route (`libipt_realm.c`,
//! kernel `xt_realm.c`).

use std::fmt::Write;

use crate::codes;
use crate::diagnostic::Diagnostic;
use crate::ext::value::{parse_c_uint, ArgCx, Value};
use crate::ext::{ArgType, CheckCx, ExtInstance, ExtKind, ExtSpec, Families, Hook, OptSpec};

/// `value[/mask]` (32 bit, printed in hex), or a name from the host's
/// `/etc/iproute2` table (kept as written).
pub fn parse_val_mask(s: &str, _: &ArgCx) -> Result<Value, String> {
    let num = |t: &str| parse_c_uint(t).filter(|n| *n <= u64::from(u32::MAX) && !t.starts_with('-'));
    let (v, m) = match s.split_once('/') {
        Some((v, m)) => (v, Some(m)),
        None => (s, None),
    };
    match (num(v), m) {
        (Some(v), None) => Ok(Value::Text(format!("{v:#x}"))),
        (Some(v), Some(m)) => {
            let m = num(m).ok_or_else(|| format!("`{s}`: mask `{m}` is not a 32-bit number"))?;
            if m == u64::from(u32::MAX) {
                Ok(Value::Text(format!("{v:#x}")))
            } else {
                Ok(Value::Text(format!("{v:#x}/{m:#x}")))
            }
        }
        (None, _) => {
            if s.is_empty() || s.contains(['/', ' ']) {
                Err(format!("`{s}` is not a number[/mask] or a name"))
            } else {
                Ok(Value::Str(s.to_string()))
            }
        }
    }
}

/// Names come from a host file; the load works only where it has them.
pub fn names_need_host(cx: &mut CheckCx, file: &str) {
    let hits: Vec<_> = cx
        .inst
        .options
        .iter()
        .filter(|o| matches!(o.value, Value::Str(_)))
        .map(|o| (o.span, o.value.to_string()))
        .collect();
    for (span, name) in hits {
        cx.push(Diagnostic::new(
            &codes::HOST_REQUIREMENT,
            span,
            format!("`{name}` is a name: it must be listed in {file} on the host that loads the file"),
        ));
    }
}

pub static OPTIONS: [OptSpec; 1] =
    [OptSpec::new("realm", ArgType::Custom(parse_val_mask), "realm value[/mask] or name").invert().mand()];

fn check(cx: &mut CheckCx) {
    names_need_host(cx, "/etc/iproute2/rt_realms");
}

fn save(inst: &ExtInstance, out: &mut String) {
    if let Some(o) = inst.opt("realm") {
        let neg = if o.negated { " !" } else { "" };
        let _ = write!(out, "{neg} --realm {}", o.value);
    }
}

pub static SPEC: ExtSpec = ExtSpec {
    families: Families::V4,
    options: &OPTIONS,
    hooks: &[Hook::Input, Hook::Forward, Hook::Output, Hook::Postrouting],
    check: Some(check),
    save: Some(save),
    ..ExtSpec::new("realm", ExtKind::Match, "routing realm of the route")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];
