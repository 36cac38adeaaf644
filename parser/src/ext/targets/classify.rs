//! `CLASSIFY`: put the packet into a traffic-control class (`libxt_CLASSIFY.c`,
//! kernel `xt_CLASSIFY.c`). FORWARD, OUTPUT and POSTROUTING only.

use crate::ext::value::{ArgCx, Value};
use crate::ext::{ArgType, ExtKind, ExtSpec, Hook, OptSpec};

/// One `%x` conversion of `sscanf`: optional sign, optional `0x`, hex
/// digits; the value wraps to 32 bits. Returns it and the rest.
fn scan_hex(s: &str) -> Option<(u32, &str)> {
    let t = s.trim_start();
    let (neg, t) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let t = match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(r) if r.starts_with(|c: char| c.is_ascii_hexdigit()) => r,
        // glibc reads a bare `0x` as 0.
        Some(r) => return Some((0, r)),
        None => t,
    };
    let n = t.find(|c: char| !c.is_ascii_hexdigit()).unwrap_or(t.len());
    if n == 0 {
        return None;
    }
    let mut v: u32 = 0;
    for c in t[..n].chars() {
        v = v.wrapping_mul(16).wrapping_add(c.to_digit(16)?);
    }
    Some((if neg { v.wrapping_neg() } else { v }, &t[n..]))
}

/// `major:minor` in hex, printed `%04x:%04x`.
fn class(s: &str, _: &ArgCx) -> Result<Value, String> {
    let bad = || format!("`{s}` is not a class major:minor (hexadecimal)");
    let (major, rest) = scan_hex(s).ok_or_else(bad)?;
    let rest = rest.strip_prefix(':').ok_or_else(bad)?;
    let (minor, _) = scan_hex(rest).ok_or_else(bad)?;
    Ok(Value::Text(format!("{:04x}:{:04x}", major & 0xffff, minor & 0xffff)))
}

pub static OPTIONS: [OptSpec; 1] =
    [OptSpec::new("set-class", ArgType::Custom(class), "traffic-control class major:minor (hexadecimal)").mand()];

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    hooks: &[Hook::Forward, Hook::Output, Hook::Postrouting],
    ..ExtSpec::new(
        "CLASSIFY",
        ExtKind::Target,
        "set the packet's traffic-control class (FORWARD, OUTPUT, POSTROUTING), then continue",
    )
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        let cx = ArgCx { family: crate::ext::Family::V4, proto: None };
        assert_eq!(class("0000:ffff", &cx).unwrap().to_string(), "0000:ffff");
        assert_eq!(class("1:2", &cx).unwrap().to_string(), "0001:0002");
        assert_eq!(class("0x1:0x10", &cx).unwrap().to_string(), "0001:0010");
        assert!(class("1", &cx).is_err());
        assert!(class("x:1", &cx).is_err());
    }
}
