//! `limit`: match at most an average rate of packets, with bursts
//! (`libxt_limit.c`). The nf_tables backend turns it into a native
//! `limit` expression, so the saved rate is what survives that round
//! trip (`60/min` saves as `1/sec`, a burst of 0 as the default 5).

use std::fmt::Write;

use crate::ext::value::{ArgCx, Value};
use crate::ext::{ArgType, ExtInstance, ExtKind, ExtSpec, OptSpec};

/// `XT_LIMIT_SCALE`: periods are kept in 1/10000 s.
const SCALE: u32 = 10_000;
const UNITS: [(&str, u32); 4] =
    [("day", SCALE * 24 * 60 * 60), ("hour", SCALE * 60 * 60), ("min", SCALE * 60), ("sec", SCALE)];

/// C `atoll`: blanks, a sign, then the leading digits (garbage after them
/// is ignored; no digits gives 0; saturates).
pub fn atoi(s: &str) -> i64 {
    let t = s.trim_start_matches([' ', '\t', '\n']);
    let (neg, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let mut n: i64 = 0;
    for b in t.bytes().take_while(u8::is_ascii_digit) {
        n = n.saturating_mul(10).saturating_add(i64::from(b - b'0'));
    }
    if neg {
        -n
    } else {
        n
    }
}

/// The period, in 1/10000 s, of `N[/unit]` as `parse_rate` computes it.
fn period(s: &str) -> Result<u32, String> {
    let bad = || format!("bad rate `{s}` (N/second, N/minute, N/hour or N/day)");
    let mult: u32 = match s.split_once('/') {
        None => 1,
        Some((_, u)) => {
            let u = u.to_ascii_lowercase();
            if u.is_empty() {
                return Err(bad());
            }
            match [("second", 1), ("minute", 60), ("hour", 3600), ("day", 86400)]
                .iter()
                .find(|(n, _)| n.starts_with(&u))
            {
                Some((_, m)) => *m,
                None => return Err(bad()),
            }
        }
    };
    // `atoi` is an int: out-of-range values are as good as 0 here.
    let r = u32::try_from(atoi(s)).unwrap_or(0);
    if r == 0 {
        return Err(bad());
    }
    let avg = SCALE * mult / r;
    if avg == 0 {
        return Err(format!("rate `{s}` is too fast: at most 10000/second"));
    }
    Ok(avg)
}

/// The unit index `print_rate` (and the nf_tables conversion) picks.
fn unit_index(avg: u32) -> usize {
    let mut i = 1;
    while i < UNITS.len() {
        let m = UNITS[i].1;
        if avg > m || m / avg < m % avg {
            break;
        }
        i += 1;
    }
    i - 1
}

/// `N/unit` after the nf_tables round trip (`add_nft_limit` then
/// `nft_parse_limit`).
fn canonical(avg: u32) -> String {
    let m = UNITS[unit_index(avg)].1;
    let rate = u64::from(m / avg);
    let unit = u64::from(m / SCALE);
    let avg = (u64::from(SCALE) * unit / rate) as u32;
    let (name, m) = UNITS[unit_index(avg)];
    format!("{}/{name}", m / avg)
}

fn rate(s: &str, _: &ArgCx) -> Result<Value, String> {
    period(s).map(|avg| Value::Text(canonical(avg)))
}

pub static OPTIONS: [OptSpec; 2] = [
    OptSpec::new("limit", ArgType::Custom(rate), "average rate N[/second|/minute|/hour|/day] (default 3/hour)"),
    OptSpec::new(
        "limit-burst",
        ArgType::UInt { min: 0, max: 10000 },
        "packets allowed in a burst before the rate applies (default 5)",
    ),
];

fn save(inst: &ExtInstance, out: &mut String) {
    let rate = inst.opt("limit").map_or_else(|| "3/hour".to_string(), |o| o.value.to_string());
    let _ = write!(out, " --limit {rate}");
    if let Some(Value::UInt(b)) = inst.opt("limit-burst").map(|o| &o.value) {
        if *b != 5 && *b != 0 {
            let _ = write!(out, " --limit-burst {b}");
        }
    }
}

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    save: Some(save),
    ..ExtSpec::new("limit", ExtKind::Match, "at most an average rate of packets, with bursts")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];

#[cfg(test)]
mod tests {
    use super::super::icmp::roundtrip;
    use super::*;

    #[test]
    fn rates() {
        let c = |s| canonical(period(s).unwrap());
        assert_eq!(c("60/min"), "1/sec");
        assert_eq!(c("5x/s"), "5/sec");
        assert_eq!(c("9999/s"), "10000/sec");
        assert_eq!(c("13/minute"), "13/min");
        assert_eq!(c("1000/hour"), "1000/hour");
        assert_eq!(c("7/d"), "7/day");
        assert!(period("10001/s").is_err());
        assert!(period("0").is_err());
        assert!(period("1/").is_err());
        assert!(period("-5").is_err());
    }

    #[test]
    fn forms() {
        let v4 = crate::Family::V4;
        let rt = |r| roundtrip(v4, "filter", r);
        assert_eq!(rt("-m limit").unwrap(), "-A INPUT -m limit --limit 3/hour");
        assert_eq!(rt("-m limit --limit-burst 0 --limit 7/h").unwrap(), "-A INPUT -m limit --limit 7/hour");
        assert!(rt("-m limit ! --limit 5").is_err());
        assert!(rt("-m limit --limit-burst 10001").is_err());
    }
}
