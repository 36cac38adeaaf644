//! `time`: time of day, weekdays, days of the month and a date range
//! (`libxt_time.c`, kernel `xt_time.c`).

use std::fmt::Write;

use crate::codes;
use crate::diagnostic::Diagnostic;
use crate::ext::value::{ArgCx, Value};
use crate::ext::{ArgType, CheckCx, ExtInstance, ExtKind, ExtSpec, OptSpec};

const ALL_MONTHDAYS: u64 = 0xffff_fffe;
const ALL_WEEKDAYS: u64 = 0xfe;
const MAX_DAYTIME: u64 = 24 * 60 * 60 - 1;
const WEEK_DAYS: [&str; 8] = ["", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// `strtoul(s, &end, base)`: blanks, a sign, digits; the value (negative
/// numbers wrap) and the rest.
fn strtoul(s: &str, base: u32) -> (u64, &str) {
    let t = s.trim_start_matches([' ', '\t', '\n']);
    let (neg, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let (radix, digits) = match base {
        0 if t.starts_with("0x") || t.starts_with("0X") => {
            if t[2..].starts_with(|c: char| c.is_ascii_hexdigit()) {
                (16, &t[2..])
            } else {
                (8, t)
            }
        }
        0 if t.starts_with('0') => (8, t),
        0 => (10, t),
        b => (b, t),
    };
    let n = digits.chars().take_while(|c| c.is_digit(radix)).count();
    if n == 0 {
        return (0, s);
    }
    let v = u64::from_str_radix(&digits[..n], radix).unwrap_or(u64::MAX);
    (if neg { v.wrapping_neg() } else { v }, &digits[n..])
}

/// Days since 1970-01-01 of a (proleptic Gregorian) date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// `YYYY[-MM[-DD[Thh[:mm[:ss]]]]]`, UTC, normalised like `mktime`
/// (day 0 is the last day of the month before).
fn parse_date(s: &str, _: &ArgCx) -> Result<Value, String> {
    let bad = || format!("invalid date `{s}`: should be YYYY[-MM[-DD[Thh[:mm[:ss]]]]]");
    let mut f = [1970u64, 1, 1, 0, 0, 0];
    let seps = ['-', '-', 'T', ':', ':', '\0'];
    let maxes = [2038u64, 12, 31, 23, 59, 59];
    let mut rest = s;
    for i in 0..6 {
        let (v, r) = strtoul(rest, 10);
        let v = v & 0xffff_ffff;
        let end_ok = r.is_empty() || (i < 5 && r.starts_with(seps[i]));
        if !end_ok || v > maxes[i] || (i == 0 && v < 1970) {
            return Err(bad());
        }
        f[i] = v;
        if r.is_empty() {
            break;
        }
        rest = &r[1..];
    }
    let (year, mon) = (f[0] as i64, f[1] as i64 - 1);
    let y = year + mon.div_euclid(12);
    let m = mon.rem_euclid(12) + 1;
    let days = days_from_civil(y, m, 1) + f[2] as i64 - 1;
    let secs = days * 86400 + f[3] as i64 * 3600 + f[4] as i64 * 60 + f[5] as i64;
    if secs < 0 {
        return Err(format!("date `{s}` is before 1970-01-01"));
    }
    Ok(Value::UInt(secs as u64))
}

/// `hh:mm[:ss]`, as seconds of the day.
fn parse_daytime(s: &str, _: &ArgCx) -> Result<Value, String> {
    let bad = || format!("invalid time `{s}`: should be hh:mm[:ss], up to 23:59:59");
    let (h, r) = strtoul(s, 10);
    if !r.starts_with(':') || h > 23 {
        return Err(bad());
    }
    let (m, r) = strtoul(&r[1..], 10);
    if !(r.is_empty() || r.starts_with(':')) || m > 59 {
        return Err(bad());
    }
    let mut sec = 0;
    if !r.is_empty() {
        let (x, r2) = strtoul(&r[1..], 10);
        if !r2.is_empty() || x > 59 {
            return Err(bad());
        }
        sec = x;
    }
    Ok(Value::UInt(h * 3600 + m * 60 + sec))
}

/// Comma-separated segments as iptables cuts them: at most `keep` bytes
/// of each; parsing stops at an empty tail.
fn segments(s: &str, keep: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = s;
    while !rest.is_empty() {
        let (seg, next) = match rest.split_once(',') {
            Some((a, b)) => (a, b),
            None => (rest, ""),
        };
        out.push(seg.bytes().take(keep).map(char::from).collect());
        if !rest.contains(',') {
            break;
        }
        rest = next;
    }
    out
}

fn parse_monthdays(s: &str, _: &ArgCx) -> Result<Value, String> {
    let mut mask = 0u64;
    for day in segments(s, 2) {
        let (i, r) = strtoul(&day, 0);
        if !r.is_empty() || i > 31 {
            return Err(format!("`{day}` is not a day of the month (1-31)"));
        }
        mask |= 1 << i;
    }
    Ok(Value::UInt(mask))
}

fn parse_weekdays(s: &str, _: &ArgCx) -> Result<Value, String> {
    let mut mask = 0u64;
    for day in segments(s, 3) {
        let (i, r) = strtoul(&day, 0);
        if r.is_empty() {
            if i == 0 {
                return Err("day 0 does not exist: the week begins with Monday (1)".into());
            }
            mask |= (1u64 << (i % 32)) & 0xff;
            continue;
        }
        let hits: Vec<usize> =
            (1..8).filter(|&k| day.len() >= 2 && day.as_bytes()[..2] == WEEK_DAYS[k].as_bytes()[..2]).collect();
        if hits.is_empty() {
            return Err(format!("`{day}` is not a weekday (Mon, Tue, Wed, Thu, Fri, Sat, Sun or 1-7)"));
        }
        for k in hits {
            mask |= 1 << k;
        }
    }
    Ok(Value::UInt(mask))
}

pub static OPTIONS: [OptSpec; 10] = [
    OptSpec::new("datestart", ArgType::Custom(parse_date), "from this date, YYYY[-MM[-DD[Thh[:mm[:ss]]]]]"),
    OptSpec::new("datestop", ArgType::Custom(parse_date), "until this date, YYYY[-MM[-DD[Thh[:mm[:ss]]]]]"),
    OptSpec::new("timestart", ArgType::Custom(parse_daytime), "from this time of day, hh:mm[:ss]"),
    OptSpec::new("timestop", ArgType::Custom(parse_daytime), "until this time of day, hh:mm[:ss]"),
    OptSpec::new("contiguous", ArgType::None, "a time range past midnight is one range"),
    OptSpec::new("weekdays", ArgType::Custom(parse_weekdays), "days of the week, Mon,Tue,… or 1-7").invert(),
    OptSpec::new("monthdays", ArgType::Custom(parse_monthdays), "days of the month, 1-31").invert(),
    OptSpec::new("localtz", ArgType::None, "old name of --kerneltz").excl(&["utc"]),
    OptSpec::new("utc", ArgType::None, "times are UTC (default)").excl(&["localtz", "kerneltz"]),
    OptSpec::new("kerneltz", ArgType::None, "times are in the kernel's time zone").excl(&["utc"]),
];

fn uint(inst: &ExtInstance, name: &str) -> Option<(u64, bool)> {
    inst.opt(name).and_then(|o| match o.value {
        Value::UInt(v) => Some((v, o.negated)),
        _ => None,
    })
}

fn check(cx: &mut CheckCx) {
    if cx.has("contiguous") {
        let start = uint(cx.inst, "timestart").map_or(0, |v| v.0);
        let stop = uint(cx.inst, "timestop").map_or(MAX_DAYTIME, |v| v.0);
        if start < stop {
            let span = cx.opt("contiguous").map_or(cx.inst.span, |o| o.span);
            cx.push(Diagnostic::new(
                &codes::OPTION_CONFLICT,
                span,
                "`--contiguous` only makes sense when `--timestop` is before `--timestart`",
            ));
        }
    }
}

fn date(secs: u64) -> String {
    let days = (secs / 86400) as i64;
    let rem = secs % 86400;
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}", rem / 3600, rem % 3600 / 60, rem % 60)
}

fn daytime(s: u64) -> String {
    format!("{:02}:{:02}:{:02}", s / 3600, s % 3600 / 60, s % 60)
}

fn save(inst: &ExtInstance, out: &mut String) {
    let start = uint(inst, "timestart").map_or(0, |v| v.0);
    let stop = uint(inst, "timestop").map_or(MAX_DAYTIME, |v| v.0);
    if start != 0 || stop != MAX_DAYTIME {
        let _ = write!(out, " --timestart {} --timestop {}", daytime(start), daytime(stop));
    }
    let monthdays = uint(inst, "monthdays").map_or(ALL_MONTHDAYS, |(v, neg)| if neg { v ^ ALL_MONTHDAYS } else { v });
    if monthdays != ALL_MONTHDAYS {
        let days: Vec<String> = (1..=31).filter(|i| monthdays & (1 << i) != 0).map(|i| i.to_string()).collect();
        let _ = write!(out, " --monthdays {}", days.join(","));
    }
    let weekdays =
        uint(inst, "weekdays").map_or(ALL_WEEKDAYS, |(v, neg)| if neg { v ^ ALL_WEEKDAYS } else { v }) & 0xff;
    if weekdays != ALL_WEEKDAYS {
        let days: Vec<&str> = (1..=7).filter(|i| weekdays & (1 << i) != 0).map(|i| WEEK_DAYS[i]).collect();
        let _ = write!(out, " --weekdays {}", days.join(","));
    }
    let datestart = uint(inst, "datestart").map_or(0, |v| v.0) & 0xffff_ffff;
    if datestart != 0 {
        let _ = write!(out, " --datestart {}", date(datestart));
    }
    // The kernel's default end is INT_MAX, which iptables-save prints.
    let datestop = uint(inst, "datestop").map_or(i32::MAX as u64, |v| v.0) & 0xffff_ffff;
    if datestop != 0 {
        let _ = write!(out, " --datestop {}", date(datestop));
    }
    if inst.opt("kerneltz").is_some() || inst.opt("localtz").is_some() {
        out.push_str(" --kerneltz");
    }
    if inst.opt("contiguous").is_some() {
        out.push_str(" --contiguous");
    }
}

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    check: Some(check),
    save: Some(save),
    ..ExtSpec::new("time", ExtKind::Match, "time of day, weekday, day of month, date range")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ext::Family;

    fn cx() -> ArgCx {
        ArgCx { family: Family::V4, proto: None }
    }

    #[test]
    fn dates() {
        let d = |s| {
            parse_date(s, &cx()).map(|v| {
                date(match v {
                    Value::UInt(n) => n,
                    _ => 0,
                })
            })
        };
        assert_eq!(d("2001-02-03T04:05:06").unwrap(), "2001-02-03T04:05:06");
        assert_eq!(d("2012").unwrap(), "2012-01-01T00:00:00");
        assert_eq!(d("2012-03-00").unwrap(), "2012-02-29T00:00:00");
        assert_eq!(date(i32::MAX as u64), "2038-01-19T03:14:07");
        assert!(d("1969").is_err());
        assert!(d("2001-13").is_err());
        assert!(d("2001-02-03 04").is_err());
    }

    #[test]
    fn days() {
        assert_eq!(parse_monthdays("1,,2", &cx()).unwrap(), Value::UInt(0b111));
        assert!(parse_monthdays("32", &cx()).is_err());
        assert_eq!(parse_weekdays("Mon,Fri,Sun", &cx()).unwrap(), Value::UInt(0b1010_0010));
        assert_eq!(parse_weekdays("Tuesday", &cx()).unwrap(), Value::UInt(0b100));
        assert!(parse_weekdays("0", &cx()).is_err());
        assert!(parse_weekdays("mo", &cx()).is_err());
        assert_eq!(parse_daytime("01:02", &cx()).unwrap(), Value::UInt(3720));
        assert!(parse_daytime("24:00", &cx()).is_err());
        assert!(parse_daytime("1", &cx()).is_err());
    }
}
