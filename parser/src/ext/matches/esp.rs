//! `esp`: SPI of IPsec ESP packets (`libxt_esp.c`, kernel `xt_esp.c`).
//! Also home of the `a[:b]` range parser the IPsec and IPv6 header
//! matches share (libxtables' `XTTYPE_UINT32RC`).

use std::fmt::Write;

use crate::ext::value::{parse_c_uint, ArgCx, Value};
use crate::ext::{ArgType, ExtInstance, ExtKind, ExtSpec, OptSpec};

/// libxtables' multi-integer parse: `a`, `a:b`, `a:` (to `max`), `:b`
/// (from 0). Returns the bounds and whether two were given.
pub fn mint(s: &str, max: u64) -> Result<(u64, u64, bool), String> {
    let num = |t: &str| -> Result<u64, String> {
        match parse_c_uint(t) {
            Some(n) if n <= max && !t.trim_start().starts_with('-') => Ok(n),
            Some(_) => Err(format!("`{t}` is out of range 0-{max}")),
            None => Err(format!("`{t}` is not a number")),
        }
    };
    let parts: Vec<&str> = s.split(':').collect();
    match parts.as_slice() {
        [a] => {
            let a = if a.is_empty() { 0 } else { num(a)? };
            Ok((a, a, false))
        }
        [a, b] => {
            let lo = if a.is_empty() { 0 } else { num(a)? };
            let hi = if b.is_empty() { max } else { num(b)? };
            Ok((lo, hi, true))
        }
        _ => Err(format!("`{s}`: at most two numbers `a:b`")),
    }
}

/// A 32-bit `a[:b]` range; a single number stands for itself.
pub fn parse_u32_range(s: &str, _: &ArgCx) -> Result<Value, String> {
    let (a, b, _) = mint(s, u32::MAX as u64)?;
    Ok(Value::Range(a, b))
}

/// Saves a range option as the `esp`/`ah`/`ipcomp` family does: nothing
/// for the full range, else `[!] --name a[:b]`.
pub fn save_range(inst: &ExtInstance, name: &str, full: u64, out: &mut String) {
    if let Some(o) = inst.opt(name) {
        if let Value::Range(a, b) = o.value {
            if a == 0 && b == full {
                return;
            }
            let neg = if o.negated { " !" } else { "" };
            if a == b {
                let _ = write!(out, "{neg} --{name} {a}");
            } else {
                let _ = write!(out, "{neg} --{name} {a}:{b}");
            }
        }
    }
}

pub static OPTIONS: [OptSpec; 1] =
    [OptSpec::new("espspi", ArgType::Custom(parse_u32_range), "SPI or SPI range a:b").invert()];

fn save(inst: &ExtInstance, out: &mut String) {
    save_range(inst, "espspi", u32::MAX as u64, out);
}

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    proto: &["esp"],
    save: Some(save),
    ..ExtSpec::new("esp", ExtKind::Match, "SPI of IPsec ESP packets")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(mint(":32", 100).unwrap(), (0, 32, true));
        assert_eq!(mint("5:", 100).unwrap(), (5, 100, true));
        assert_eq!(mint("0x10", 100).unwrap(), (16, 16, false));
        assert!(mint("-1", 100).is_err());
        assert!(mint("1:2:3", 100).is_err());
        assert!(mint("0:invalid", 100).is_err());
        assert!(mint("101", 100).is_err());
    }
}
