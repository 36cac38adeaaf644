//! `helper`: the conntrack helper of the connection (`libxt_helper.c`,
//! kernel `xt_helper.c`).

use std::fmt::Write;

use crate::ext::value::{ArgCx, Value};
use crate::ext::{ArgType, ExtInstance, ExtKind, ExtSpec, OptSpec};

/// `xtables_save_string`: bare when only `[A-Za-z0-9_-]`, else double
/// quoted with `"`, `\` and `'` escaped.
pub fn save_string(s: &str) -> String {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
        return s.to_string();
    }
    let mut out = String::from("\"");
    for c in s.chars() {
        if matches!(c, '"' | '\\' | '\'') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// iptables copies a string option into a fixed field, cutting what
/// does not fit (`max` bytes) without complaint.
pub fn truncate(s: &str, max: usize) -> String {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_string()
}

/// The kernel field holds 29 bytes.
fn parse_name(s: &str, _: &ArgCx) -> Result<Value, String> {
    Ok(Value::Str(truncate(s, 29)))
}

pub static OPTIONS: [OptSpec; 1] =
    [OptSpec::new("helper", ArgType::Custom(parse_name), "helper name (ftp, sip, …; `ftp-2121` for a port)")
        .invert()
        .mand()];

fn save(inst: &ExtInstance, out: &mut String) {
    if let Some(o) = inst.opt("helper") {
        let neg = if o.negated { " !" } else { "" };
        let _ = write!(out, "{neg} --helper {}", save_string(&o.value.to_string()));
    }
}

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    save: Some(save),
    ..ExtSpec::new("helper", ExtKind::Match, "conntrack helper of the connection")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];
