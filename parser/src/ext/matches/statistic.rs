//! `statistic`: random or every-nth packet (`libxt_statistic.c`, kernel
//! `xt_statistic.c`).

use std::fmt::Write;

use crate::codes;
use crate::diagnostic::Diagnostic;
use crate::ext::value::{ArgCx, Value};
use crate::ext::{ArgType, CheckCx, ExtInstance, ExtKind, ExtSpec, OptSpec};

fn parse_mode(s: &str, _: &ArgCx) -> Result<Value, String> {
    match s {
        "random" | "nth" => Ok(Value::Word(s.to_string())),
        _ => Err(format!("`{s}` is not a mode (random, nth)")),
    }
}

/// A probability 0-1, kept as the kernel's 31-bit fixed point and
/// printed with 11 decimals like iptables-save.
fn parse_probability(s: &str, _: &ArgCx) -> Result<Value, String> {
    let t = s.trim_start();
    let p: f64 = t
        .parse()
        .ok()
        .filter(|_| !t.is_empty() && !t.contains(['_']))
        .ok_or_else(|| format!("`{s}` is not a number"))?;
    if !(0.0..=1.0).contains(&p) {
        return Err(format!("probability `{s}` is not between 0 and 1"));
    }
    let fixed = (p * 2147483648.0).round() as u64;
    Ok(Value::Text(format!("{:.11}", fixed as f64 / 2147483648.0)))
}

pub static OPTIONS: [OptSpec; 4] = [
    OptSpec::new("mode", ArgType::Custom(parse_mode), "random or nth").mand(),
    OptSpec::new("probability", ArgType::Custom(parse_probability), "random mode: 0-1")
        .invert()
        .excl(&["every", "packet"]),
    OptSpec::new("every", ArgType::UInt { min: 1, max: u32::MAX as u64 }, "nth mode: every n packets")
        .invert()
        .excl(&["probability"])
        .also(&["packet"]),
    OptSpec::new("packet", ArgType::UInt { min: 0, max: u32::MAX as u64 }, "nth mode: start at this packet")
        .excl(&["probability"])
        .also(&["every"]),
];

fn check(cx: &mut CheckCx) {
    let mode = cx.opt("mode").map(|o| o.value.to_string());
    let span = cx.inst.span;
    let msg = match mode.as_deref() {
        Some("random") if !cx.has("probability") => Some("`--mode random` needs `--probability`".to_string()),
        Some("nth") if !cx.has("every") => Some("`--mode nth` needs `--every` and `--packet`".into()),
        _ => {
            let every = cx.opt("every").map(|o| o.value.clone());
            let packet = cx.opt("packet").map(|o| o.value.clone());
            match (every, packet) {
                (Some(Value::UInt(e)), Some(Value::UInt(p))) if p > e - 1 => {
                    Some(format!("`--packet {p}` must be below `--every {e}` (0 to {})", e - 1))
                }
                _ => None,
            }
        }
    };
    if let Some(m) = msg {
        cx.push(Diagnostic::new(&codes::OPTION_CONFLICT, span, m));
    }
}

fn save(inst: &ExtInstance, out: &mut String) {
    let neg = if inst.options.iter().any(|o| o.negated) { " !" } else { "" };
    let mode = inst.opt("mode").map(|o| o.value.to_string()).unwrap_or_default();
    if mode == "random" {
        let p = inst.opt("probability").map_or("0.00000000000".to_string(), |o| o.value.to_string());
        let _ = write!(out, " --mode random{neg} --probability {p}");
    } else {
        let every = inst.opt("every").map_or("1".into(), |o| o.value.to_string());
        let packet = inst.opt("packet").map_or("0".into(), |o| o.value.to_string());
        let _ = write!(out, " --mode nth{neg} --every {every} --packet {packet}");
    }
}

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    check: Some(check),
    save: Some(save),
    ..ExtSpec::new("statistic", ExtKind::Match, "random sampling or every nth packet")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ext::Family;

    #[test]
    fn probabilities() {
        let cx = ArgCx { family: Family::V4, proto: None };
        let p = |s| parse_probability(s, &cx).map(|v| v.to_string());
        assert_eq!(p("0.5").unwrap(), "0.50000000000");
        assert_eq!(p("0.3").unwrap(), "0.29999999981");
        assert_eq!(p("1").unwrap(), "1.00000000000");
        assert!(p("1.1").is_err());
        assert!(p("x").is_err());
    }
}
