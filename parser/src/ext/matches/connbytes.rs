//! `connbytes`: bytes, packets or average packet size of the connection
//! so far (`libxt_connbytes.c`, kernel `xt_connbytes.c`).

use std::fmt::Write;

use super::esp::mint;
use crate::ext::value::{ArgCx, Value};
use crate::ext::{ArgType, ExtInstance, ExtKind, ExtSpec, OptSpec};

/// `from[:to]`; without `:to` there is no upper bound.
fn parse_count(s: &str, _: &ArgCx) -> Result<Value, String> {
    let (a, b, two) = mint(s, u64::MAX)?;
    let b = if two { b } else { u64::MAX };
    if b < a {
        return Err(format!("`{s}`: {a} should be less than {b}"));
    }
    Ok(Value::Range(a, b))
}

fn exact(set: &'static [&'static str], s: &str) -> Result<Value, String> {
    if set.contains(&s) {
        Ok(Value::Word(s.to_string()))
    } else {
        Err(format!("`{s}` is not one of {}", set.join(", ")))
    }
}

fn parse_dir(s: &str, _: &ArgCx) -> Result<Value, String> {
    exact(&["original", "reply", "both"], s)
}

fn parse_mode(s: &str, _: &ArgCx) -> Result<Value, String> {
    exact(&["packets", "bytes", "avgpkt"], s)
}

pub static OPTIONS: [OptSpec; 3] = [
    OptSpec::new("connbytes", ArgType::Custom(parse_count), "from[:to] count").invert().mand(),
    OptSpec::new("connbytes-dir", ArgType::Custom(parse_dir), "original, reply or both").mand(),
    OptSpec::new("connbytes-mode", ArgType::Custom(parse_mode), "packets, bytes or avgpkt").mand(),
];

fn save(inst: &ExtInstance, out: &mut String) {
    if let Some(o) = inst.opt("connbytes") {
        if let Value::Range(a, b) = o.value {
            // Negation swaps the bounds in the kernel; a single number
            // then prints as itself.
            let neg = if o.negated && a != b { " !" } else { "" };
            let _ = write!(out, "{neg} --connbytes {a}");
            if b != 0 && b < u64::MAX {
                let _ = write!(out, ":{b}");
            }
        }
    }
    if let Some(o) = inst.opt("connbytes-mode") {
        let _ = write!(out, " --connbytes-mode {}", o.value);
    }
    if let Some(o) = inst.opt("connbytes-dir") {
        let _ = write!(out, " --connbytes-dir {}", o.value);
    }
}

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    save: Some(save),
    ..ExtSpec::new("connbytes", ExtKind::Match, "bytes or packets the connection has seen so far")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];
