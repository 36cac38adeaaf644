//! `mh`: the IPv6 mobility header type (`libip6t_mh.c`, kernel
//! `ip6t_mh.c`).

use std::fmt::Write;

use crate::ext::value::{parse_c_uint, ArgCx, Value};
use crate::ext::{ArgType, ExtInstance, ExtKind, ExtSpec, Families, OptSpec};

const MH_NAMES: [(&str, u8); 16] = [
    ("binding-refresh-request", 0),
    ("brr", 0),
    ("home-test-init", 1),
    ("hoti", 1),
    ("careof-test-init", 2),
    ("coti", 2),
    ("home-test", 3),
    ("hot", 3),
    ("careof-test", 4),
    ("cot", 4),
    ("binding-update", 5),
    ("bu", 5),
    ("binding-acknowledgement", 6),
    ("ba", 6),
    ("binding-error", 7),
    ("be", 7),
];

/// A type name (any unambiguous-enough prefix, case-insensitive: the
/// first name it begins, or the one it spells exactly) or a number 0-255.
fn type_number(s: &str) -> Result<u64, String> {
    let mut found: Option<u8> = None;
    for (name, ty) in MH_NAMES {
        if name.len() >= s.len()
            && name.as_bytes()[..s.len()].eq_ignore_ascii_case(s.as_bytes())
            && (found.is_none() || name.len() == s.len())
        {
            found = Some(ty);
        }
    }
    if let Some(t) = found {
        return Ok(u64::from(t));
    }
    match parse_c_uint(s) {
        Some(n) if n <= 255 && !s.trim_start().starts_with('-') => Ok(n),
        _ => Err(format!("`{s}` is not a mobility header type (name or 0-255)")),
    }
}

fn parse_types(s: &str, _: &ArgCx) -> Result<Value, String> {
    let (a, b) = match s.split_once(':') {
        None => {
            let t = type_number(s)?;
            (t, t)
        }
        Some((a, b)) => {
            let lo = if a.is_empty() { 0 } else { type_number(a)? };
            let hi = if b.is_empty() { 255 } else { type_number(b)? };
            if lo > hi {
                return Err(format!("`{s}`: range is inverted ({lo} > {hi})"));
            }
            (lo, hi)
        }
    };
    Ok(Value::Range(a, b))
}

pub static OPTIONS: [OptSpec; 1] =
    [OptSpec::new("mh-type", ArgType::Custom(parse_types), "mobility header type or range, by name or number")
        .invert()];

fn save(inst: &ExtInstance, out: &mut String) {
    if let Some(o) = inst.opt("mh-type") {
        if let Value::Range(a, b) = o.value {
            if a == 0 && b == 255 {
                return;
            }
            let neg = if o.negated { " !" } else { "" };
            if a == b {
                let _ = write!(out, "{neg} --mh-type {a}");
            } else {
                let _ = write!(out, "{neg} --mh-type {a}:{b}");
            }
        }
    }
}

pub static SPEC: ExtSpec = ExtSpec {
    families: Families::V6,
    options: &OPTIONS,
    proto: &["mh"],
    save: Some(save),
    ..ExtSpec::new("mh", ExtKind::Match, "IPv6 mobility header type")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];
