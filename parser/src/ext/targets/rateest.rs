//! `RATEEST`: feed matching packets into a named rate estimator, read by
//! `-m rateest` (`libxt_RATEEST.c`, kernel `xt_RATEEST.c`). The interval
//! and averaging time are rounded to the kernel's steps; iptables-save
//! prints the rounded values.

use std::fmt::Write;

use crate::ext::value::{ArgCx, Value};
use crate::ext::{ArgType, CheckCx, ExtInstance, ExtKind, ExtSpec, OptSpec};
use crate::{codes, diagnostic::Diagnostic};

const UNITS_PER_SEC: f64 = 1_000_000.0;

/// A time like `250ms`, `0.5s`, `100us` (no unit: microseconds), in µs.
fn time(s: &str, _: &ArgCx) -> Result<Value, String> {
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-' || c == 'e' || c == 'E'))
        .unwrap_or(s.len());
    // `strtod` would also read an exponent; units never start with `e`.
    let (num, unit) = s.split_at(split);
    let t: f64 = num.parse().map_err(|_| format!("`{s}` is not a time like 250ms or 1s"))?;
    let scale = match unit.to_ascii_lowercase().as_str() {
        "" => 1.0,
        "s" | "sec" | "secs" => UNITS_PER_SEC,
        "ms" | "msec" | "msecs" => UNITS_PER_SEC / 1000.0,
        "us" | "usec" | "usecs" => 1.0,
        _ => return Err(format!("`{s}`: unknown time unit `{unit}` (s, ms, us)")),
    };
    let us = t * scale;
    if !(0.0..=u32::MAX as f64).contains(&us) {
        return Err(format!("`{s}` is out of range"));
    }
    Ok(Value::UInt(us as u64))
}

/// The name is cut to 15 bytes (the kernel field holds 16 with the NUL).
fn name(s: &str, _: &ArgCx) -> Result<Value, String> {
    let mut end = s.len().min(15);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    Ok(Value::Str(s[..end].to_string()))
}

fn us(inst: &ExtInstance, name: &str) -> Option<u64> {
    match inst.opt(name).map(|o| &o.value) {
        Some(Value::UInt(n)) => Some(*n),
        _ => None,
    }
}

/// The kernel's (interval, ewma_log) codes, or why the values do not fit.
fn codes_of(interval: u64, ewma: u64) -> Result<(i32, u32), &'static str> {
    let mut i = 0i32;
    while i <= 5 {
        if interval as f64 <= (1u64 << i) as f64 * (UNITS_PER_SEC / 4.0) {
            break;
        }
        i += 1;
    }
    if i > 5 {
        return Err("the interval is too large (at most 8s)");
    }
    let mut e = 1u32;
    while e < 32 {
        let w = 1.0 - 1.0 / (1u64 << e) as f64;
        if interval as f64 / (-w.ln()) > ewma as f64 {
            break;
        }
        e += 1;
    }
    e -= 1;
    if e == 0 || e >= 31 {
        return Err("the ewmalog value is out of range for this interval");
    }
    Ok((i - 2, e))
}

fn print_time(out: &mut String, t: u64) {
    let f = t as f64;
    if f >= UNITS_PER_SEC {
        let _ = write!(out, " {:.1}s", f / UNITS_PER_SEC);
    } else if f >= UNITS_PER_SEC / 1000.0 {
        let _ = write!(out, " {:.1}ms", f / (UNITS_PER_SEC / 1000.0));
    } else {
        let _ = write!(out, " {t}us");
    }
}

pub static OPTIONS: [OptSpec; 3] = [
    OptSpec::new("rateest-name", ArgType::Custom(name), "name of the estimator (shared with -m rateest)").mand(),
    OptSpec::new("rateest-interval", ArgType::Custom(time), "measurement interval: 250ms, 500ms, 1s, 2s, 4s or 8s")
        .mand(),
    OptSpec::new("rateest-ewmalog", ArgType::Custom(time), "averaging time constant").mand(),
];

fn save(inst: &ExtInstance, out: &mut String) {
    if let Some(o) = inst.opt("rateest-name") {
        let _ = write!(out, " --rateest-name {}", o.value);
    }
    let (Some(iv), Some(ew)) = (us(inst, "rateest-interval"), us(inst, "rateest-ewmalog")) else {
        return;
    };
    let Ok((i, e)) = codes_of(iv, ew) else { return };
    let interval = ((UNITS_PER_SEC as u64) << (i + 2) as u32) / 4;
    let ewma = interval * (1u64 << e);
    out.push_str(" --rateest-interval");
    print_time(out, interval);
    out.push_str(" --rateest-ewmalog");
    print_time(out, ewma);
}

fn check(cx: &mut CheckCx) {
    let (Some(iv), Some(ew)) = (us(cx.inst, "rateest-interval"), us(cx.inst, "rateest-ewmalog")) else {
        return;
    };
    if let Err(m) = codes_of(iv, ew) {
        cx.push(Diagnostic::new(&codes::INVALID_VALUE, cx.inst.span, format!("`RATEEST`: {m}")));
    }
}

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    save: Some(save),
    check: Some(check),
    ..ExtSpec::new(
        "RATEEST",
        ExtKind::Target,
        "measure the rate of matching packets into a named estimator, then continue",
    )
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding() {
        assert_eq!(codes_of(250_000, 500_000), Ok((-2, 1)));
        assert!(codes_of(7_000_000, 1_000_000).is_err());
        let mut s = String::new();
        print_time(&mut s, 250_000);
        print_time(&mut s, 2_000_000);
        assert_eq!(s, " 250.0ms 2.0s");
    }
}
