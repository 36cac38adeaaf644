//! `LOG`: write a kernel log line for each packet (`libxt_LOG.c`, kernel
//! `xt_LOG.c`). The nf_tables backend keeps it as an xtables target, so the
//! prefix is cut to 29 bytes like in the legacy backend.

use std::fmt::Write;

use crate::ext::value::{parse_c_uint, ArgCx, Value};
use crate::ext::{ArgType, ExtInstance, ExtKind, ExtSpec, OptSpec};

/// Syslog level names iptables accepts, with their numbers.
const LEVELS: &[(&str, u64)] = &[
    ("alert", 1),
    ("crit", 2),
    ("debug", 7),
    ("emerg", 0),
    ("error", 3),
    ("info", 6),
    ("notice", 5),
    ("panic", 0),
    ("warning", 4),
];

/// The level iptables-save leaves out.
const DEFAULT_LEVEL: u64 = 4;

fn parse_level(s: &str, _: &ArgCx) -> Result<Value, String> {
    if let Some(n) = parse_c_uint(s) {
        if n <= 7 {
            return Ok(Value::UInt(n));
        }
    }
    LEVELS.iter().find(|(n, _)| *n == s).map(|(_, v)| Value::UInt(*v)).ok_or_else(|| {
        format!("log level `{s}` is unknown: use 0-7 or emerg, alert, crit, error, warning, notice, info, debug")
    })
}

/// A log prefix: at least one byte, no newline, cut to `max` bytes (on a
/// character boundary) like the kernel structure does.
pub(crate) fn prefix_value(s: &str, max: usize) -> Result<Value, String> {
    if s.is_empty() {
        return Err("the prefix must be at least 1 character long".into());
    }
    if s.contains('\n') {
        return Err("newlines are not allowed in a log prefix".into());
    }
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    Ok(Value::Str(s[..end].to_string()))
}

fn parse_prefix(s: &str, _: &ArgCx) -> Result<Value, String> {
    prefix_value(s, 29)
}

/// A string as `xtables_save_string` prints it: bare when it holds only
/// letters, digits, `_` and `-`, else in double quotes with `"`, `\` and
/// `'` escaped by a backslash. Returned with its leading blank.
pub(crate) fn save_string(s: &str) -> String {
    let plain = !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if plain {
        return format!(" {s}");
    }
    let mut out = String::from(" \"");
    for c in s.chars() {
        if matches!(c, '"' | '\\' | '\'') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

pub static OPTIONS: [OptSpec; 7] = [
    OptSpec::new(
        "log-level",
        ArgType::Custom(parse_level),
        "syslog level, 0-7 or a name (emerg … debug); default warning (4)",
    ),
    OptSpec::new("log-prefix", ArgType::Custom(parse_prefix), "text put before each log line (at most 29 characters)"),
    OptSpec::new("log-tcp-sequence", ArgType::None, "log TCP sequence numbers (readable by local users)"),
    OptSpec::new("log-tcp-options", ArgType::None, "log TCP header options"),
    OptSpec::new("log-ip-options", ArgType::None, "log IP header options"),
    OptSpec::new("log-uid", ArgType::None, "log the UID of the local socket"),
    OptSpec::new("log-macdecode", ArgType::None, "decode MAC addresses and protocol"),
];

fn save(inst: &ExtInstance, out: &mut String) {
    if let Some(Value::Str(p)) = inst.opt("log-prefix").map(|o| &o.value) {
        out.push_str(" --log-prefix");
        out.push_str(&save_string(p));
    }
    if let Some(Value::UInt(l)) = inst.opt("log-level").map(|o| &o.value) {
        if *l != DEFAULT_LEVEL {
            let _ = write!(out, " --log-level {l}");
        }
    }
    for flag in ["log-tcp-sequence", "log-tcp-options", "log-ip-options", "log-uid", "log-macdecode"] {
        if inst.opt(flag).is_some() {
            let _ = write!(out, " --{flag}");
        }
    }
}

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    save: Some(save),
    ..ExtSpec::new("LOG", ExtKind::Target, "log the packet to the kernel log, then continue with the next rule")
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
    fn levels() {
        assert_eq!(parse_level("alert", &cx()), Ok(Value::UInt(1)));
        assert_eq!(parse_level("0x3", &cx()), Ok(Value::UInt(3)));
        assert_eq!(parse_level("panic", &cx()), Ok(Value::UInt(0)));
        assert!(parse_level("8", &cx()).is_err());
        assert!(parse_level("warn", &cx()).is_err());
        assert!(parse_level("ALERT", &cx()).is_err());
    }

    #[test]
    fn prefix_cut_and_quoting() {
        let long = "abcdefghijabcdefghijabcdefghij";
        assert_eq!(parse_prefix(long, &cx()), Ok(Value::Str(long[..29].to_string())));
        assert!(parse_prefix("", &cx()).is_err());
        assert_eq!(save_string("test: "), " \"test: \"");
        assert_eq!(save_string("a-b_c"), " a-b_c");
        assert_eq!(save_string("a\"b"), " \"a\\\"b\"");
    }
}
