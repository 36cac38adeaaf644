//! `NFQUEUE`: hand the packet to a user-space program through a netlink
//! queue (`libxt_NFQUEUE.c`, revision 3). The program decides its fate.

use std::fmt::Write;

use crate::ext::value::{parse_uint, ArgCx, Value};
use crate::ext::{ArgType, ExtInstance, ExtKind, ExtSpec, OptSpec, TargetEffect};

/// `first:last`, first < last; an empty side means 0 or 65535.
fn parse_balance(s: &str, _: &ArgCx) -> Result<Value, String> {
    let Some((a, b)) = s.split_once(':') else {
        return Err(format!("`{s}` is not a range first:last"));
    };
    let lo = if a.is_empty() { 0 } else { parse_uint(a, 0, 65534)? };
    let hi = if b.is_empty() { 65535 } else { parse_uint(b, 0, 65534)? };
    if lo >= hi {
        return Err(format!("{lo} should be less than {hi}"));
    }
    if hi - lo + 1 > 65535 {
        return Err(format!("{lo}:{hi} spans more than 65535 queues (the kernel refuses it)"));
    }
    Ok(Value::Range(lo, hi))
}

pub static OPTIONS: [OptSpec; 4] = [
    OptSpec::new("queue-num", ArgType::UInt { min: 0, max: 65535 }, "queue number (0-65535, default 0)")
        .excl(&["queue-balance"]),
    OptSpec::new("queue-balance", ArgType::Custom(parse_balance), "spread flows over the queues first:last")
        .excl(&["queue-num"]),
    OptSpec::new("queue-bypass", ArgType::None, "accept the packet instead of dropping it when no program listens"),
    OptSpec::new("queue-cpu-fanout", ArgType::None, "pick the queue by CPU instead of by flow hash")
        .also(&["queue-balance"]),
];

fn save(inst: &ExtInstance, out: &mut String) {
    match inst.opt("queue-balance").map(|o| &o.value) {
        Some(Value::Range(a, b)) => {
            let _ = write!(out, " --queue-balance {a}:{b}");
        }
        _ => {
            let n = match inst.opt("queue-num").map(|o| &o.value) {
                Some(Value::UInt(n)) => *n,
                _ => 0,
            };
            let _ = write!(out, " --queue-num {n}");
        }
    }
    for flag in ["queue-bypass", "queue-cpu-fanout"] {
        if inst.opt(flag).is_some() {
            let _ = write!(out, " --{flag}");
        }
    }
}

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    save: Some(save),
    effect: TargetEffect::Queue,
    ..ExtSpec::new("NFQUEUE", ExtKind::Target, "hand the packet to a user-space program through an nfnetlink queue")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ext::Family;

    #[test]
    fn balance() {
        let cx = ArgCx { family: Family::V4, proto: None };
        assert_eq!(parse_balance("0:65534", &cx), Ok(Value::Range(0, 65534)));
        assert_eq!(parse_balance("1:", &cx), Ok(Value::Range(1, 65535)));
        assert!(parse_balance("0:65535", &cx).is_err());
        assert!(parse_balance("5:5", &cx).is_err());
        assert!(parse_balance("5", &cx).is_err());
        assert!(parse_balance("-1:65535", &cx).is_err());
    }
}
