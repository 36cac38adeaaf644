//! `hashlimit`: `limit` per group of packets (by address, port, or
//! both), each group with its own bucket in a named hash table
//! (`libxt_hashlimit.c` revision 3, kernel `xt_hashlimit.c`). Rates are in
//! packets (`N/unit`) or bytes (`Nb/s`, `Nkb/s`, `Nmb/s`).
//!
//! The canonical form is computed from the values the kernel gets, the
//! way iptables-save prints them back: `! --hashlimit-upto` becomes
//! `--hashlimit-above`, the burst and the defaults are spelled out.

use crate::codes;
use crate::diagnostic::Diagnostic;
use crate::ext::value::{parse_c_uint, ArgCx, Value};
use crate::ext::{ArgType, CheckCx, ExtInstance, ExtKind, ExtSpec, Families, OptSpec};

use super::limit::atoi;

/// `XT_HASHLIMIT_SCALE_v2`.
const SCALE: u64 = 1_000_000;
const BURST_DEFAULT: u64 = 5;
const BURST_MAX: u64 = 1_000_000;
const GC_DEFAULT: u64 = 1000;
const BYTE_EXPIRE: u64 = 15;
const BYTE_EXPIRE_BURST: u64 = 60;
const BYTE_SHIFT: u32 = 4;
/// `NAME_MAX - 1`: longer table names are cut, not refused.
const MAX_NAME: usize = 254;

const UNITS: [(&str, u64); 4] = [("day", SCALE * 86400), ("hour", SCALE * 3600), ("min", SCALE * 60), ("sec", SCALE)];
const BYTE_UNITS: [(&str, u64); 3] = [("m", 1 << 20), ("k", 1 << 10), ("", 1)];

/// A parsed `--hashlimit-upto/above` argument.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Rate {
    /// Cost (bytes) or period in 1/1000000 s (packets).
    avg: u64,
    bytes: bool,
    /// Seconds of the unit written (15 for byte rates).
    mult: u64,
}

fn factor(c: Option<u8>) -> u64 {
    match c {
        Some(b'm') => 1 << 20,
        Some(b'k') => 1 << 10,
        _ => 1,
    }
}

fn bytes_to_cost(bytes: u64) -> u64 {
    let r = (bytes >> BYTE_SHIFT) as u32;
    u64::from(u32::MAX) / (u64::from(r) + 1)
}

fn cost_to_bytes(cost: u64) -> u64 {
    let r = u64::from(u32::MAX).checked_div(cost).unwrap_or(u64::from(u32::MAX));
    r.wrapping_sub(1) << BYTE_SHIFT
}

/// `parse_bytes`, then `parse_rate`.
fn parse_rate(s: &str) -> Result<Rate, String> {
    if let Some(pos) = s.find("b/s").filter(|&p| p > 0) {
        let r = atoi(s).max(0) as u64;
        if r != 0 {
            let bytes = r.saturating_mul(factor(s.as_bytes().get(pos - 1).copied()));
            let avg = bytes_to_cost(bytes);
            if avg == 0 {
                return Err(format!("byte rate `{s}` is too high"));
            }
            return Ok(Rate { avg, bytes: true, mult: BYTE_EXPIRE });
        }
    }
    let bad = || format!("bad rate `{s}` (N/sec, N/min, N/hour, N/day, or Nb/s, Nkb/s, Nmb/s)");
    let mult = match s.split_once('/') {
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
    let r = atoi(s);
    if r == 0 {
        return Err(bad());
    }
    let avg = (SCALE * mult) / (r as u64);
    if avg == 0 {
        return Err(format!("rate `{s}` is too fast"));
    }
    Ok(Rate { avg, bytes: false, mult })
}

fn rate(s: &str, _: &ArgCx) -> Result<Value, String> {
    // Checked here, recomputed by the printer from the text.
    parse_rate(s).map(|_| Value::Str(s.to_string()))
}

/// `parse_burst`: a number 1-1000000, or with a `k`/`m` suffix (bytes).
fn burst(s: &str, _: &ArgCx) -> Result<Value, String> {
    // strtoul stops at the first character that is not part of the number.
    let (num, rest) = split_number(s);
    let v = parse_c_uint(num)
        .filter(|v| *v >= 1)
        .ok_or_else(|| format!("bad burst `{s}` (1-{BURST_MAX}, or bytes with k/m)"))?;
    if rest.is_empty() && v > BURST_MAX {
        return Err(format!("burst `{s}` is over {BURST_MAX}"));
    }
    Ok(Value::UInt(v.saturating_mul(factor(rest.as_bytes().first().copied()))))
}

/// The leading number of a word as `strtoul(…, 0)` reads it, and the rest.
fn split_number(s: &str) -> (&str, &str) {
    let b = s.as_bytes();
    let end = if s.starts_with("0x") || s.starts_with("0X") {
        2 + b[2..].iter().take_while(|c| c.is_ascii_hexdigit()).count()
    } else {
        b.iter().take_while(|c| c.is_ascii_digit()).count()
    };
    (&s[..end], &s[end..])
}

fn mode(s: &str, _: &ArgCx) -> Result<Value, String> {
    let mut bits = [false; 4];
    const NAMES: [&str; 4] = ["srcip", "srcport", "dstip", "dstport"];
    for tok in s.split([',', '|']).filter(|t| !t.is_empty()) {
        let i = NAMES
            .iter()
            .position(|n| *n == tok)
            .ok_or_else(|| format!("bad mode `{tok}` (srcip, srcport, dstip, dstport, comma-separated)"))?;
        bits[i] = true;
    }
    Ok(Value::Text(NAMES.iter().zip(bits).filter(|(_, b)| *b).map(|(n, _)| *n).collect::<Vec<_>>().join(",")))
}

fn interval(s: &str, _: &ArgCx) -> Result<Value, String> {
    let n = atoi(s);
    if n <= 0 {
        return Err(format!("bad rate interval `{s}` (seconds, at least 1)"));
    }
    Ok(Value::UInt(n as u64))
}

const U32: u64 = u32::MAX as u64;

pub static OPTIONS: [OptSpec; 13] = [
    OptSpec::new(
        "hashlimit-upto",
        ArgType::Custom(rate),
        "match while the group's rate is at most N/unit (or Nb/s, Nkb/s, Nmb/s)",
    )
    .invert()
    .aliases(&["hashlimit"])
    .excl(&["hashlimit-above"]),
    OptSpec::new(
        "hashlimit-above",
        ArgType::Custom(rate),
        "match when the group's rate is above N/unit (or Nb/s, Nkb/s, Nmb/s)",
    )
    .invert()
    .excl(&["hashlimit-upto"]),
    OptSpec::new(
        "hashlimit-burst",
        ArgType::Custom(burst),
        "burst in packets (default 5), or in bytes with k/m for byte rates",
    ),
    OptSpec::new(
        "hashlimit-mode",
        ArgType::Custom(mode),
        "group by srcip, srcport, dstip, dstport (comma-separated; none: one group)",
    ),
    OptSpec::new(
        "hashlimit-name",
        ArgType::Str { max: usize::MAX },
        "name of the hash table (/proc/net/ipt_hashlimit/NAME)",
    )
    .mand(),
    OptSpec::new("hashlimit-htable-size", ArgType::UInt { min: 0, max: U32 }, "number of buckets of the hash table"),
    OptSpec::new("hashlimit-htable-max", ArgType::UInt { min: 0, max: U32 }, "maximum number of entries"),
    OptSpec::new(
        "hashlimit-htable-gcinterval",
        ArgType::UInt { min: 0, max: U32 },
        "milliseconds between garbage collections (default 1000)",
    ),
    OptSpec::new(
        "hashlimit-htable-expire",
        ArgType::UInt { min: 0, max: U32 },
        "milliseconds after which an idle entry expires",
    ),
    OptSpec::new(
        "hashlimit-srcmask",
        ArgType::Custom(plen),
        "prefix length applied to source addresses before grouping",
    ),
    OptSpec::new(
        "hashlimit-dstmask",
        ArgType::Custom(plen),
        "prefix length applied to destination addresses before grouping",
    ),
    OptSpec::new("hashlimit-rate-match", ArgType::None, "match on the measured rate instead of limiting"),
    OptSpec::new(
        "hashlimit-rate-interval",
        ArgType::Custom(interval),
        "with --hashlimit-rate-match: seconds between rate samples",
    ),
];

/// `XTTYPE_PLEN`: 0-32 for IPv4, 0-128 for IPv6.
fn plen(s: &str, cx: &ArgCx) -> Result<Value, String> {
    let max = if cx.family == crate::ext::Family::V4 { 32 } else { 128 };
    match parse_c_uint(s) {
        Some(n) if n <= max => Ok(Value::UInt(n)),
        _ => Err(format!("`{s}` is not a prefix length (0-{max})")),
    }
}

fn uint(inst: &ExtInstance, name: &str) -> Option<u64> {
    match inst.opt(name).map(|o| &o.value) {
        Some(Value::UInt(n)) => Some(*n),
        _ => None,
    }
}

/// What the kernel gets, after `hashlimit_mt_check` (userspace).
struct Cfg {
    above: bool,
    rate: Rate,
    burst: u64,
    expire: u64,
    interval: u64,
    rate_match: bool,
}

fn cfg(inst: &ExtInstance) -> Result<Cfg, String> {
    let (opt, above) = match (inst.opt("hashlimit-upto"), inst.opt("hashlimit-above")) {
        (Some(o), _) => (o, o.negated),
        (None, Some(o)) => (o, !o.negated),
        (None, None) => return Err("`hashlimit` needs `--hashlimit-upto` or `--hashlimit-above`".into()),
    };
    let mut rate = parse_rate(&opt.value.to_string())?;
    let burst_given = uint(inst, "hashlimit-burst");
    let expire_given = uint(inst, "hashlimit-htable-expire");
    let mut expire = expire_given.unwrap_or(rate.mult * 1000);
    let mut burst = burst_given.unwrap_or(BURST_DEFAULT);
    if rate.bytes {
        let mut b = 0;
        if let Some(given) = burst_given {
            let unit = cost_to_bytes(rate.avg);
            if given < unit {
                return Err(format!("the burst cannot be smaller than {unit}b for this rate"));
            }
            b = given.div_ceil(unit.max(1));
            if expire_given.is_none() {
                expire = BYTE_EXPIRE_BURST * 1000;
            }
        }
        burst = b;
    } else if burst > BURST_MAX {
        return Err(format!("burst {burst} is over {BURST_MAX}"));
    }
    let rate_match = inst.opt("hashlimit-rate-match").is_some();
    let mut interval = uint(inst, "hashlimit-rate-interval").unwrap_or(0);
    if rate_match {
        if !rate.bytes {
            rate.avg /= rate.mult;
        }
        if interval == 0 {
            interval = if rate.bytes { 1 } else { rate.mult };
        }
    }
    Ok(Cfg { above, rate, burst, expire, interval, rate_match })
}

/// `print_rate` / `print_bytes`: the rate text and the default expiry
/// (msec) it implies.
fn print_rate(out: &mut String, c: &Cfg) -> u64 {
    let avg = c.rate.avg;
    if c.rate.bytes {
        let mut r = cost_to_bytes(avg);
        let mut i = 0;
        while i < BYTE_UNITS.len() - 1 {
            let t = BYTE_UNITS[i].1;
            if r >= t && bytes_to_cost(r & !(t - 1)) == avg {
                break;
            }
            i += 1;
        }
        out.push_str(&format!(" {}{}b/s", r / BYTE_UNITS[i].1, BYTE_UNITS[i].0));
        if c.burst == 0 {
            return BYTE_EXPIRE * 1000;
        }
        r = r.wrapping_mul(c.burst);
        let mut i = 0;
        while i < BYTE_UNITS.len() - 1 && r < BYTE_UNITS[i].1 {
            i += 1;
        }
        out.push_str(&format!(" --hashlimit-burst {}{}b", r / BYTE_UNITS[i].1, BYTE_UNITS[i].0));
        return BYTE_EXPIRE_BURST * 1000;
    }
    if avg == 0 {
        out.push_str(" inf");
        return 0;
    }
    let mut i = 1;
    while i < UNITS.len() {
        let m = UNITS[i].1;
        if avg > m || m / avg < m % avg {
            break;
        }
        i += 1;
    }
    let (name, m) = UNITS[i - 1];
    out.push_str(&format!(" {}/{name}", m / avg));
    out.push_str(&format!(" --hashlimit-burst {}", c.burst));
    m / SCALE * 1000
}

fn save_family(inst: &ExtInstance, out: &mut String, full: u64) {
    let Ok(c) = cfg(inst) else {
        // Not loadable; print what was written.
        for o in &inst.options {
            let neg = if o.negated { " !" } else { "" };
            out.push_str(&format!("{neg} --{} {}", o.name, o.value));
        }
        return;
    };
    out.push_str(if c.above { " --hashlimit-above" } else { " --hashlimit-upto" });
    let quantum = print_rate(out, &c);
    if let Some(o) = inst.opt("hashlimit-mode").filter(|o| !o.value.to_string().is_empty()) {
        out.push_str(&format!(" --hashlimit-mode {}", o.value));
    }
    if let Some(o) = inst.opt("hashlimit-name") {
        let name = o.value.to_string();
        out.push_str(&format!(" --hashlimit-name {}", super::comment::truncate(&name, MAX_NAME)));
    }
    for (name, default) in
        [("hashlimit-htable-size", 0), ("hashlimit-htable-max", 0), ("hashlimit-htable-gcinterval", GC_DEFAULT)]
    {
        let v = uint(inst, name).unwrap_or(default);
        if v != default {
            out.push_str(&format!(" --{name} {v}"));
        }
    }
    if c.expire != quantum {
        out.push_str(&format!(" --hashlimit-htable-expire {}", c.expire));
    }
    for name in ["hashlimit-srcmask", "hashlimit-dstmask"] {
        let v = uint(inst, name).unwrap_or(full);
        if v != full {
            out.push_str(&format!(" --{name} {v}"));
        }
    }
    if c.rate_match {
        out.push_str(" --hashlimit-rate-match");
        if c.interval != 1 {
            out.push_str(&format!(" --hashlimit-rate-interval {}", c.interval));
        }
    }
}

fn save4(inst: &ExtInstance, out: &mut String) {
    save_family(inst, out, 32);
}

fn save6(inst: &ExtInstance, out: &mut String) {
    save_family(inst, out, 128);
}

/// `hashlimit_mt_check` (userspace) and the kernel's checks of the
/// table parameters.
fn check(cx: &mut CheckCx) {
    match cfg(cx.inst) {
        Err(m) => {
            let d = Diagnostic::new(&codes::OPTION_CONFLICT, cx.inst.span, m);
            cx.push(d);
        }
        Ok(c) => {
            super::comment::warn_truncated(cx, "hashlimit-name", MAX_NAME);
            let mut found = Vec::new();
            if uint(cx.inst, "hashlimit-htable-gcinterval") == Some(0) || c.expire == 0 {
                found.push(Diagnostic::new(
                    &codes::KERNEL_REJECTS,
                    cx.inst.span,
                    "the kernel refuses a garbage-collection interval or expiry of 0",
                ));
            }
            if let Some(o) = cx.opt("hashlimit-name") {
                if o.value.to_string().is_empty() {
                    found.push(Diagnostic::new(&codes::INVALID_VALUE, o.span, "the hash table name may not be empty"));
                } else if o.value.to_string().contains('/') {
                    found.push(Diagnostic::new(
                        &codes::KERNEL_REJECTS,
                        o.span,
                        "the hash table name may not contain `/` (it becomes a file in /proc/net/ipt_hashlimit)",
                    ));
                }
            }
            for d in found {
                cx.push(d);
            }
        }
    }
}

pub static SPEC: ExtSpec = ExtSpec {
    families: Families::V4,
    options: &OPTIONS,
    check: Some(check),
    save: Some(save4),
    ..ExtSpec::new("hashlimit", ExtKind::Match, "rate limit per address/port group, in packets or bytes")
};

/// IPv6 differs in the default (and maximum) address masks.
pub static SPEC6: ExtSpec = ExtSpec { families: Families::V6, save: Some(save6), ..SPEC };

pub static SPECS: &[&ExtSpec] = &[&SPEC, &SPEC6];

#[cfg(test)]
mod tests {
    use super::super::icmp::roundtrip;

    #[test]
    fn forms() {
        let v4 = crate::Family::V4;
        let rt = |r: &str| roundtrip(v4, "filter", r);
        let same = |r: &str| assert_eq!(rt(r).unwrap(), format!("-A INPUT {r}"));
        same("-m hashlimit --hashlimit-above 1/sec --hashlimit-burst 5 --hashlimit-name mini1");
        same("-m hashlimit --hashlimit-upto 1/day --hashlimit-burst 1 --hashlimit-name mini1");
        same("-m hashlimit --hashlimit-upto 4kb/s --hashlimit-burst 400kb --hashlimit-name mini5");
        same("-m hashlimit --hashlimit-upto 10mb/s --hashlimit-name mini6");
        same("-m hashlimit --hashlimit-upto 123456b/s --hashlimit-burst 1mb --hashlimit-name mini7");
        same("-m hashlimit --hashlimit-upto 40mb/s --hashlimit-mode srcip --hashlimit-name rate4 --hashlimit-rate-match --hashlimit-rate-interval 10");
        assert_eq!(
            rt("-m hashlimit ! --hashlimit-upto 60/min --hashlimit-name x --hashlimit-mode dstport,srcip").unwrap(),
            "-A INPUT -m hashlimit --hashlimit-above 1/sec --hashlimit-burst 5 --hashlimit-mode srcip,dstport --hashlimit-name x --hashlimit-htable-expire 60000"
        );
        // Checked against iptables-restore + iptables-save 1.8.9.
        let cases = [
            ("-m hashlimit --hashlimit-upto 1/min --hashlimit-name x --hashlimit-rate-match",
             "--hashlimit-upto 1/sec --hashlimit-burst 5 --hashlimit-name x --hashlimit-htable-expire 60000 --hashlimit-rate-match --hashlimit-rate-interval 60"),
            ("-m hashlimit --hashlimit-above 7/h --hashlimit-burst 2k --hashlimit-name x --hashlimit-srcmask 24 --hashlimit-htable-size 10 --hashlimit-htable-expire 60000",
             "--hashlimit-above 7/hour --hashlimit-burst 2048 --hashlimit-name x --hashlimit-htable-size 10 --hashlimit-htable-expire 60000 --hashlimit-srcmask 24"),
            ("-m hashlimit --hashlimit 3000b/s --hashlimit-name y --hashlimit-rate-interval 5",
             "--hashlimit-upto 2992b/s --hashlimit-name y"),
            ("-m hashlimit --hashlimit-upto 1b/s --hashlimit-name y",
             "--hashlimit-upto 0b/s --hashlimit-name y"),
            ("-m hashlimit --hashlimit-upto 5/s --hashlimit-name x --hashlimit-mode \"\"",
             "--hashlimit-upto 5/sec --hashlimit-burst 5 --hashlimit-name x"),
        ];
        for (rule, want) in cases {
            assert_eq!(rt(rule).unwrap(), format!("-A INPUT -m hashlimit {want}"), "{rule}");
        }
        assert!(rt("-m hashlimit --hashlimit-upto 5/s --hashlimit-name x --hashlimit-htable-gcinterval 0").is_err());
        assert!(rt("-m hashlimit --hashlimit-upto 5/s --hashlimit-name \"\"").is_err());
        assert!(rt("-m hashlimit --hashlimit-upto 2000000/s --hashlimit-name x").is_err());
        assert!(rt("-m hashlimit --hashlimit-name x").is_err());
        assert!(rt("-m hashlimit --hashlimit-upto 1/s --hashlimit-name a/b").is_err());
        let long = "n".repeat(300);
        assert_eq!(
            rt(&format!("-m hashlimit --hashlimit-upto 1/s --hashlimit-name {long}")).unwrap(),
            format!(
                "-A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-burst 5 --hashlimit-name {}",
                &long[..254]
            )
        );
        assert!(rt("-m hashlimit --hashlimit-upto 1/sec").is_err());
        assert!(rt("-m hashlimit --hashlimit-upto 1/sec --hashlimit-name x --hashlimit-burst 1000001").is_err());
        assert!(rt("-m hashlimit --hashlimit-upto 1/sec --hashlimit-name x --hashlimit-srcmask 33").is_err());
        assert!(rt("-m hashlimit --hashlimit-upto 96b/s --hashlimit-burst 5 --hashlimit-name x").is_err());
    }
}
