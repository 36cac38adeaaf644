//! `rateest`: compares rate estimators made by the `RATEEST` target
//! (`libxt_rateest.c`, kernel `xt_rateest.c`), against a rate or each
//! other.

use std::fmt::Write;

use crate::codes;
use crate::diagnostic::Diagnostic;
use crate::ext::value::{parse_c_uint, ArgCx, Value};
use crate::ext::{ArgType, CheckCx, ExtInstance, ExtKind, ExtSpec, OptSpec};

const SUFFIXES: [(&str, f64); 18] = [
    ("bit", 1.),
    ("Kibit", 1024.),
    ("kbit", 1000.),
    ("Mibit", 1024. * 1024.),
    ("mbit", 1_000_000.),
    ("Gibit", 1024. * 1024. * 1024.),
    ("gbit", 1_000_000_000.),
    ("Tibit", 1024. * 1024. * 1024. * 1024.),
    ("tbit", 1_000_000_000_000.),
    ("Bps", 8.),
    ("KiBps", 8. * 1024.),
    ("KBps", 8000.),
    ("MiBps", 8. * 1024. * 1024.),
    ("MBps", 8_000_000.),
    ("GiBps", 8. * 1024. * 1024. * 1024.),
    ("GBps", 8_000_000_000.),
    ("TiBps", 8. * 1024. * 1024. * 1024. * 1024.),
    ("TBps", 8_000_000_000_000.),
];

/// A rate like `8bit`, `5kbit`, `1MBps` (a bare number is divided by 8,
/// as iptables does), stored as bytes per second.
fn parse_bps(s: &str, _: &ArgCx) -> Result<Value, String> {
    let bad = || format!("`{s}` is not a rate like 8bit, 5kbit, 1mbit, 10KBps");
    let split = (1..=s.len())
        .rev()
        .filter(|&i| s.is_char_boundary(i))
        .find(|&i| s[..i].trim_start().parse::<f64>().is_ok())
        .ok_or_else(bad)?;
    let n: f64 = s[..split].trim_start().parse().map_err(|_| bad())?;
    let unit = &s[split..];
    let scale = if unit.is_empty() {
        1.
    } else {
        SUFFIXES.iter().find(|(u, _)| u.eq_ignore_ascii_case(unit)).map(|(_, f)| *f).ok_or_else(bad)?
    };
    Ok(Value::UInt((n * scale / 8.) as u32 as u64))
}

fn parse_pps(s: &str, _: &ArgCx) -> Result<Value, String> {
    parse_c_uint(s)
        .filter(|n| *n <= u64::from(u32::MAX) && !s.trim_start().starts_with('-'))
        .map(Value::UInt)
        .ok_or_else(|| format!("`{s}` is not a packet rate (0-4294967295)"))
}

/// Estimator names fit 15 bytes; iptables cuts longer ones.
fn parse_name(s: &str, _: &ArgCx) -> Result<Value, String> {
    let mut end = s.len().min(15);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    Ok(Value::Str(s[..end].to_string()))
}

pub static OPTIONS: [OptSpec; 10] = [
    OptSpec::new("rateest1", ArgType::Custom(parse_name), "first (or only) estimator name").aliases(&["rateest"]),
    OptSpec::new("rateest2", ArgType::Custom(parse_name), "second estimator: compare the two"),
    OptSpec::new("rateest-bps1", ArgType::Optional(parse_bps), "compare bytes/s [of estimator 1 minus rate]"),
    OptSpec::new("rateest-pps1", ArgType::Optional(parse_pps), "compare packets/s [of estimator 1 minus rate]"),
    OptSpec::new("rateest-bps2", ArgType::Optional(parse_bps), "compare bytes/s [against this rate]")
        .aliases(&["rateest-bps"]),
    OptSpec::new("rateest-pps2", ArgType::Optional(parse_pps), "compare packets/s [against this rate]")
        .aliases(&["rateest-pps"]),
    OptSpec::new("rateest-delta", ArgType::None, "compare rates minus the given values"),
    OptSpec::new("rateest-lt", ArgType::None, "less than").invert(),
    OptSpec::new("rateest-gt", ArgType::None, "greater than").invert(),
    OptSpec::new("rateest-eq", ArgType::None, "equal").invert(),
];

fn check(cx: &mut CheckCx) {
    let span = cx.inst.span;
    let has_rate = ["rateest-bps1", "rateest-pps1", "rateest-bps2", "rateest-pps2"].iter().any(|n| cx.has(n));
    let has_mode = ["rateest-lt", "rateest-gt", "rateest-eq"].iter().any(|n| cx.has(n));
    let msg = if !cx.has("rateest1") {
        Some("`rateest` needs `--rateest NAME` (or `--rateest1`)")
    } else if !has_rate {
        Some("`rateest` needs `--rateest-bps` or `--rateest-pps`")
    } else if !has_mode {
        Some("`rateest` needs one of `--rateest-lt`, `--rateest-gt`, `--rateest-eq`")
    } else {
        None
    };
    if let Some(m) = msg {
        cx.push(Diagnostic::new(&codes::KERNEL_REJECTS, span, m));
        return;
    }
    let names: Vec<_> =
        ["rateest1", "rateest2"].iter().filter_map(|n| cx.opt(n).map(|o| (o.span, o.value.to_string()))).collect();
    for (s, name) in names {
        cx.push(Diagnostic::new(
            &codes::HOST_REQUIREMENT,
            s,
            format!("estimator `{name}` must exist when the rule loads (a `-j RATEEST --rateest-name {name}` rule)"),
        ));
    }
}

fn rate_of(inst: &ExtInstance, name: &str) -> u64 {
    inst.opt(name)
        .and_then(|o| match o.value {
            Value::UInt(v) => Some(v),
            _ => None,
        })
        .unwrap_or(0)
}

fn bps_text(rate: u64) -> String {
    let bits = rate as f64 * 8.;
    if bits >= 1e9 {
        format!("{:.0}Mbit", bits / 1e6)
    } else if bits >= 1e6 {
        format!("{:.0}Kbit", bits / 1e3)
    } else {
        format!("{bits:.0}bit")
    }
}

fn save(inst: &ExtInstance, out: &mut String) {
    let delta = inst.opt("rateest-delta").is_some();
    let rel = inst.opt("rateest2").is_some();
    // The last of lt/gt/eq wins.
    let mode =
        inst.options.iter().rev().find(|o| matches!(o.name.as_str(), "rateest-lt" | "rateest-gt" | "rateest-eq"));
    let invert = inst.options.iter().any(|o| o.negated && o.name.starts_with("rateest-") && o.name.len() == 10);
    let mode_text =
        format!("{} --{}", if invert { " !" } else { "" }, mode.map_or("rateest-none", |o| o.name.as_str()));
    if delta {
        out.push_str(" --rateest-delta");
    }
    let name1 = inst.opt("rateest1").map(|o| o.value.to_string()).unwrap_or_default();
    if rel {
        let _ = write!(out, " --rateest1 {name1}");
    } else {
        let _ = write!(out, " --rateest {name1}");
    }
    let bps = inst.opt("rateest-bps1").is_some() || inst.opt("rateest-bps2").is_some();
    let pps = inst.opt("rateest-pps1").is_some() || inst.opt("rateest-pps2").is_some();
    for (unit, on) in [("bps", bps), ("pps", pps)] {
        if !on {
            continue;
        }
        let text = |r: u64| {
            if unit == "bps" {
                bps_text(r)
            } else {
                r.to_string()
            }
        };
        if delta {
            let r1 = rate_of(inst, &format!("rateest-{unit}1"));
            let _ = write!(out, " --rateest-{unit}1 {}{mode_text} --rateest-{unit}2", text(r1));
        } else {
            let _ = write!(out, "{mode_text} --rateest-{unit}");
        }
        if !rel || delta {
            let r2 = rate_of(inst, &format!("rateest-{unit}2"));
            let _ = write!(out, " {}", text(r2));
        }
    }
    if rel {
        let name2 = inst.opt("rateest2").map(|o| o.value.to_string()).unwrap_or_default();
        let _ = write!(out, " --rateest2 {name2}");
    }
}

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    check: Some(check),
    save: Some(save),
    ..ExtSpec::new("rateest", ExtKind::Match, "compare rate estimators (from RATEEST) with rates or each other")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ext::Family;

    #[test]
    fn rates() {
        let cx = ArgCx { family: Family::V4, proto: None };
        let r = |s| match parse_bps(s, &cx).unwrap() {
            Value::UInt(n) => bps_text(n),
            _ => unreachable!(),
        };
        assert_eq!(r("8bit"), "8bit");
        assert_eq!(r("5kbit"), "5000bit");
        assert_eq!(r("2mbit"), "2000Kbit");
        assert_eq!(r("16"), "16bit");
        assert!(parse_bps("fast", &cx).is_err());
        assert!(parse_bps("5 parsecs", &cx).is_err());
    }
}
