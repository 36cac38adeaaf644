//! `rt`: the IPv6 routing header (`libip6t_rt.c`, kernel `ip6t_rt.c`).

use std::fmt::Write;
use std::net::Ipv6Addr;

use super::esp::parse_u32_range;
use crate::codes;
use crate::diagnostic::Diagnostic;
use crate::ext::value::{ArgCx, Value};
use crate::ext::{ArgType, CheckCx, ExtInstance, ExtKind, ExtSpec, Families, OptSpec};

/// Up to 16 IPv6 addresses, comma-separated.
fn parse_addrs(s: &str, _: &ArgCx) -> Result<Value, String> {
    let parts: Vec<&str> = s.split(',').collect();
    if parts.len() > 16 {
        return Err(format!("at most 16 addresses, {} given", parts.len()));
    }
    let mut out = Vec::new();
    for p in parts {
        let a: Ipv6Addr = p.parse().map_err(|_| format!("`{p}` is not an IPv6 address"))?;
        out.push(a.to_string());
    }
    Ok(Value::Text(out.join(",")))
}

pub static OPTIONS: [OptSpec; 6] = [
    OptSpec::new("rt-type", ArgType::UInt { min: 0, max: u32::MAX as u64 }, "routing header type").invert(),
    OptSpec::new("rt-segsleft", ArgType::Custom(parse_u32_range), "segments left, or range a:b").invert(),
    OptSpec::new("rt-len", ArgType::UInt { min: 0, max: u32::MAX as u64 }, "header length").invert(),
    OptSpec::new("rt-0-res", ArgType::None, "type 0: reserved field is set"),
    OptSpec::new("rt-0-addrs", ArgType::Custom(parse_addrs), "type 0: addresses a,b,…"),
    OptSpec::new("rt-0-not-strict", ArgType::None, "type 0: the addresses need not be all"),
];

/// `--rt-0-res` and `--rt-0-addrs` need `--rt-type 0` (not negated)
/// before them; `--rt-0-not-strict` needs `--rt-0-addrs` before it.
fn check(cx: &mut CheckCx) {
    let mut type0 = false;
    let mut addrs = false;
    let mut bad = None;
    for o in &cx.inst.options {
        match o.name.as_str() {
            "rt-type" => type0 = !o.negated && o.value == Value::UInt(0),
            "rt-0-res" | "rt-0-addrs" if !type0 => {
                bad = Some((o.span, format!("`--{}` needs `--rt-type 0` before it", o.name)));
                break;
            }
            "rt-0-addrs" => addrs = true,
            "rt-0-not-strict" if !addrs => {
                bad = Some((o.span, "`--rt-0-not-strict` needs `--rt-0-addrs` before it".into()));
                break;
            }
            _ => {}
        }
    }
    if let Some((span, msg)) = bad {
        cx.push(Diagnostic::new(&codes::OPTION_CONFLICT, span, msg));
    }
}

fn save(inst: &ExtInstance, out: &mut String) {
    if let Some(o) = inst.opt("rt-type") {
        let neg = if o.negated { " !" } else { "" };
        let _ = write!(out, "{neg} --rt-type {}", o.value);
    }
    super::esp::save_range(inst, "rt-segsleft", u32::MAX as u64, out);
    if let Some(o) = inst.opt("rt-len") {
        let neg = if o.negated { " !" } else { "" };
        let _ = write!(out, "{neg} --rt-len {}", o.value);
    }
    if inst.opt("rt-0-res").is_some() {
        out.push_str(" --rt-0-res");
    }
    if let Some(o) = inst.opt("rt-0-addrs") {
        let _ = write!(out, " --rt-0-addrs {}", o.value);
    }
    if inst.opt("rt-0-not-strict").is_some() {
        out.push_str(" --rt-0-not-strict");
    }
}

pub static SPEC: ExtSpec = ExtSpec {
    families: Families::V6,
    options: &OPTIONS,
    check: Some(check),
    save: Some(save),
    ..ExtSpec::new("rt", ExtKind::Match, "IPv6 routing header: type, segments left, length")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];
