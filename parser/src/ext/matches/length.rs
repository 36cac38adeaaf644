//! `length`: the length of the layer-3 payload plus header, i.e. the whole
//! IP packet (`libxt_length.c`, kernel `xt_length.c`). Also home of
//! [`mint_range`], libxtables' parser of `a[:b]` ranges.

use std::fmt::Write;

use crate::ext::value::{parse_c_uint, ArgCx, Value};
use crate::ext::{ArgType, ExtInstance, ExtKind, ExtSpec, OptSpec};

/// `a`, `a:b`, `a:` or `:b` the way libxtables reads its `*RC` types
/// (`xtopt_parse_mint`): a missing low end is 0, a missing high end is
/// `max`, and an inverted range is accepted (it then matches nothing).
pub fn mint_range(s: &str, max: u64) -> Result<(u64, u64), String> {
    let num = |part: &str| -> Result<u64, String> {
        match parse_c_uint(part) {
            Some(n) if n <= max => Ok(n),
            Some(_) => Err(format!("`{part}` is out of range 0-{max}")),
            None => Err(format!("`{part}` is not a number (0-{max})")),
        }
    };
    match s.split_once(':') {
        None if s.is_empty() => Ok((0, 0)),
        None => {
            let n = num(s)?;
            Ok((n, n))
        }
        Some((_, b)) if b.contains(':') => Err(format!("`{s}` has too many `:`-separated parts (at most 2)")),
        Some((a, b)) => {
            let lo = if a.is_empty() { 0 } else { num(a)? };
            let hi = if b.is_empty() { max } else { num(b)? };
            Ok((lo, hi))
        }
    }
}

fn length(s: &str, _: &ArgCx) -> Result<Value, String> {
    let (a, b) = mint_range(s, 65535)?;
    Ok(Value::Range(a, b))
}

pub static OPTIONS: [OptSpec; 1] =
    [OptSpec::new("length", ArgType::Custom(length), "packet length or range a:b (0-65535)").invert().mand()];

fn save(inst: &ExtInstance, out: &mut String) {
    if let Some(o) = inst.opt("length") {
        let neg = if o.negated { " !" } else { "" };
        let _ = write!(out, "{neg} --length {}", o.value);
    }
}

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    save: Some(save),
    ..ExtSpec::new("length", ExtKind::Match, "length of the IP packet")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(mint_range("4:", 65535), Ok((4, 65535)));
        assert_eq!(mint_range(":2", 65535), Ok((0, 2)));
        assert_eq!(mint_range("5:3", 65535), Ok((5, 3)));
        assert!(mint_range("0:65536", 65535).is_err());
        assert!(mint_range("-1:5", 65535).is_err());
        assert!(mint_range("1:2:3", 65535).is_err());
    }
}
