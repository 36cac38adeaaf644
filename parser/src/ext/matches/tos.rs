//! `tos`: the IPv4 TOS / IPv6 traffic class byte under a mask
//! (`libxt_tos.c` revision 1, kernel `xt_dscp.c`).

use crate::ext::value::{parse_c_uint, ArgCx, Value};
use crate::ext::{ArgType, ExtKind, ExtSpec, OptSpec};

/// Symbolic TOS names and their values; a name implies mask `0x3f`.
pub const TOS_NAMES: [(&str, u8); 5] = [
    ("Minimize-Delay", 0x10),
    ("Maximize-Throughput", 0x08),
    ("Maximize-Reliability", 0x04),
    ("Minimize-Cost", 0x02),
    ("Normal-Service", 0x00),
];

/// `value[/mask]` (8 bit each; mask `0xff` by default) or a symbolic
/// name (mask `0x3f`), printed `0xVV/0xMM`.
pub fn parse_tos(s: &str, _: &ArgCx) -> Result<Value, String> {
    let (v, m) = match s.split_once('/') {
        Some((v, m)) => (v, Some(m)),
        None => (s, None),
    };
    let byte = |t: &str| parse_c_uint(t).filter(|n| *n <= 0xff);
    if let Some(value) = byte(v) {
        let mask = match m {
            None => 0xff,
            Some(m) => byte(m).ok_or_else(|| format!("`{s}`: mask `{m}` is not a number 0-255"))?,
        };
        return Ok(Value::Text(format!("{value:#04x}/{mask:#04x}")));
    }
    TOS_NAMES
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(s))
        .map(|(_, v)| Value::Text(format!("{v:#04x}/0x3f")))
        .ok_or_else(|| {
            format!(
                "`{s}` is neither a number 0-255 (optionally /mask) nor a TOS name ({})",
                TOS_NAMES.map(|(n, _)| n).join(", ")
            )
        })
}

pub static OPTIONS: [OptSpec; 1] =
    [OptSpec::new("tos", ArgType::Custom(parse_tos), "TOS value[/mask], or a name like Minimize-Delay")
        .invert()
        .mand()];

pub static SPEC: ExtSpec =
    ExtSpec { options: &OPTIONS, ..ExtSpec::new("tos", ExtKind::Match, "TOS / traffic class byte under a mask") };

pub static SPECS: &[&ExtSpec] = &[&SPEC];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ext::Family;

    #[test]
    fn tos_forms() {
        let cx = ArgCx { family: Family::V4, proto: None };
        let p = |s| parse_tos(s, &cx).map(|v| v.to_string());
        assert_eq!(p("0xff").unwrap(), "0xff/0xff");
        assert_eq!(p("minimize-delay").unwrap(), "0x10/0x3f");
        assert_eq!(p("0x0f/0x0f").unwrap(), "0x0f/0x0f");
        assert_eq!(p("0").unwrap(), "0x00/0xff");
        assert!(p("0x100").is_err());
        assert!(p("wrong").is_err());
    }
}
