//! `TOS`: change the IPv4 TOS / IPv6 traffic class byte (`libxt_TOS.c`
//! revision 1, kernel `xt_DSCP.c`). mangle table. Every form is stored as
//! value/mask and printed `--set-tos 0xVV/0xMM`.

use std::fmt::Write;

use crate::ext::targets::mark::require_op;
use crate::ext::value::{parse_c_uint, parse_uint, ArgCx, Value};
use crate::ext::{ArgType, CheckCx, ExtInstance, ExtKind, ExtSpec, OptSpec};

const SYMBOLS: &[(&str, u8)] = &[
    ("Minimize-Delay", 0x10),
    ("Maximize-Throughput", 0x08),
    ("Maximize-Reliability", 0x04),
    ("Minimize-Cost", 0x02),
    ("Normal-Service", 0x00),
];

/// `value[/mask]` (mask 0xff when left out) or a symbolic name (mask 0x3f).
fn tosmask(s: &str, _: &ArgCx) -> Result<Value, String> {
    let (v, m) = match s.split_once('/') {
        Some((v, m)) => (v, Some(m)),
        None => (s, None),
    };
    if let Some(value) = parse_c_uint(v).filter(|n| *n <= 0xff) {
        let mask = match m {
            Some(m) => parse_uint(m, 0, 0xff)?,
            None => 0xff,
        };
        return Ok(Value::Mark { value: value as u32, mask: mask as u32 });
    }
    if m.is_none() {
        if let Some((_, v)) = SYMBOLS.iter().find(|(n, _)| n.eq_ignore_ascii_case(s)) {
            return Ok(Value::Mark { value: *v as u32, mask: 0x3f });
        }
    }
    Err(format!(
        "`{s}` is neither value[/mask] (0-255) nor one of {}",
        SYMBOLS.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
    ))
}

const U8: ArgType = ArgType::UInt { min: 0, max: 255 };

pub static OPTIONS: [OptSpec; 4] = [
    OptSpec::new(
        "set-tos",
        ArgType::Custom(tosmask),
        "value[/mask] or a name: clear the mask bits, then XOR the value",
    )
    .excl(&["and-tos", "or-tos", "xor-tos"]),
    OptSpec::new("and-tos", U8, "AND the TOS byte with these bits").excl(&["set-tos", "or-tos", "xor-tos"]),
    OptSpec::new("or-tos", U8, "OR these bits into the TOS byte").excl(&["set-tos", "and-tos", "xor-tos"]),
    OptSpec::new("xor-tos", U8, "XOR these bits into the TOS byte").excl(&["set-tos", "and-tos", "or-tos"]),
];

fn save(inst: &ExtInstance, out: &mut String) {
    let Some(o) = inst.options.first() else {
        return;
    };
    let (v, m) = match (o.name.as_str(), &o.value) {
        (_, Value::Mark { value, mask }) => (*value, *mask),
        ("and-tos", Value::UInt(n)) => (0, !(*n as u32) & 0xff),
        ("or-tos", Value::UInt(n)) => (*n as u32, *n as u32),
        ("xor-tos", Value::UInt(n)) => (*n as u32, 0),
        _ => return,
    };
    let _ = write!(out, " --set-tos 0x{v:02x}/0x{m:02x}");
}

fn check(cx: &mut CheckCx) {
    require_op(cx, &["set-tos", "and-tos", "or-tos", "xor-tos"], "TOS");
}

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    tables: &["mangle"],
    save: Some(save),
    check: Some(check),
    ..ExtSpec::new("TOS", ExtKind::Target, "change the TOS / traffic class byte (mangle table), then continue")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tos_values() {
        let cx = ArgCx { family: crate::ext::Family::V4, proto: None };
        assert_eq!(tosmask("minimize-delay", &cx), Ok(Value::Mark { value: 0x10, mask: 0x3f }));
        assert_eq!(tosmask("0x1f", &cx), Ok(Value::Mark { value: 0x1f, mask: 0xff }));
        assert!(tosmask("0x100", &cx).is_err());
        assert!(tosmask("foo", &cx).is_err());
    }
}
