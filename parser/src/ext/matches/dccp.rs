//! `dccp`: DCCP ports, packet types and options (`libxt_dccp.c`, kernel
//! `xt_dccp.c`). Loaded by `-m dccp` or implicitly by `-p dccp`.

use std::fmt::Write;

use crate::ext::value::{parse_port, ArgCx, Value};
use crate::ext::{ArgType, ExtInstance, ExtKind, ExtSpec, OptSpec};

/// DCCP packet types by number (`dccp_pkt_types`).
const TYPES: [&str; 11] =
    ["REQUEST", "RESPONSE", "DATA", "ACK", "DATAACK", "CLOSEREQ", "CLOSE", "RESET", "SYNC", "SYNCACK", "INVALID"];

/// `XTTYPE_PORTRC` with both ends stored: `p`, `p:q`, `p:`, `:q`.
pub fn port_range(s: &str, _: &ArgCx) -> Result<Value, String> {
    let (lo, hi) = match s.split_once(':') {
        None => {
            let p = parse_port(s)?;
            (p, p)
        }
        Some((a, b)) => {
            (if a.is_empty() { 0 } else { parse_port(a)? }, if b.is_empty() { 65535 } else { parse_port(b)? })
        }
    };
    Ok(Value::Range(lo.into(), hi.into()))
}

fn types(s: &str, _: &ArgCx) -> Result<Value, String> {
    let mut mask = 0u16;
    for part in s.split(',').filter(|p| !p.is_empty()) {
        let i = TYPES
            .iter()
            .position(|t| t.eq_ignore_ascii_case(part))
            .ok_or_else(|| format!("unknown DCCP type `{part}` (valid: {})", TYPES.join(", ")))?;
        mask |= 1 << i;
    }
    Ok(Value::Words((0..TYPES.len()).filter(|i| mask & (1 << i) != 0).map(|i| TYPES[i].to_string()).collect()))
}

pub static OPTIONS: [OptSpec; 4] = [
    OptSpec::new("sport", ArgType::Custom(port_range), "source port or port range a:b")
        .invert()
        .aliases(&["source-port"]),
    OptSpec::new("dport", ArgType::Custom(port_range), "destination port or port range a:b")
        .invert()
        .aliases(&["destination-port"]),
    OptSpec::new(
        "dccp-types",
        ArgType::Custom(types),
        "packet types: REQUEST, RESPONSE, DATA, ACK, DATAACK, CLOSEREQ, CLOSE, RESET, SYNC, SYNCACK, INVALID",
    )
    .invert(),
    OptSpec::new("dccp-option", ArgType::UInt { min: 1, max: 255 }, "the DCCP option of this number is present")
        .invert(),
];

fn save(inst: &ExtInstance, out: &mut String) {
    for spec in OPTIONS.iter() {
        if let Some(o) = inst.opt(spec.name) {
            let neg = if o.negated { " !" } else { "" };
            let _ = write!(out, "{neg} --{} {}", spec.name, o.value);
        }
    }
}

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    proto: &["dccp"],
    save: Some(save),
    ..ExtSpec::new("dccp", ExtKind::Match, "DCCP ports, packet types and options")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];

#[cfg(test)]
mod tests {
    use super::super::icmp::roundtrip;

    #[test]
    fn forms() {
        let v4 = crate::Family::V4;
        let rt = |r| roundtrip(v4, "filter", r);
        assert_eq!(
            rt("-p dccp --dccp-option 3 --dport 5: ! --dccp-types invalid,request --sport ssh").unwrap(),
            "-A INPUT -p dccp -m dccp --sport 22 --dport 5:65535 ! --dccp-types REQUEST,INVALID --dccp-option 3"
        );
        assert!(rt("-m dccp --sport 1").is_err());
        assert!(rt("-p dccp --dccp-option 0").is_err());
        assert!(rt("-p dccp --dccp-types FOO").is_err());
    }
}
