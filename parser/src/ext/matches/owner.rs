//! `owner`: the user, group or existence of the local socket that sent
//! the packet (`libxt_owner.c`, kernel `xt_owner.c`). Only in OUTPUT and
//! POSTROUTING. User and group names are looked up on the host when the
//! rules load; numbers are portable.

use std::fmt::Write;

use crate::codes;
use crate::diagnostic::Diagnostic;
use crate::ext::value::{parse_c_uint, ArgCx, Value};
use crate::ext::{ArgType, CheckCx, ExtInstance, ExtKind, ExtSpec, Hook, OptSpec};

/// The largest id: `-1` is reserved.
const MAX_ID: u64 = u32::MAX as u64 - 1;

/// `owner_parse_range`: `n`, `n-m` or `n:m`; or a name, kept as written
/// (`root` is 0 everywhere).
fn id(s: &str, _: &ArgCx) -> Result<Value, String> {
    if s == "root" {
        return Ok(Value::Text("0".into()));
    }
    let (a, b) = match s.find(['-', ':']) {
        Some(i) if i > 0 => (&s[..i], Some(&s[i + 1..])),
        _ => (s, None),
    };
    let num = |t: &str| parse_c_uint(t).filter(|n| *n <= MAX_ID);
    match (num(a), b.map(num)) {
        (Some(lo), None) => Ok(Value::Text(lo.to_string())),
        (Some(lo), Some(Some(hi))) if lo == hi => Ok(Value::Text(lo.to_string())),
        (Some(lo), Some(Some(hi))) => Ok(Value::Text(format!("{lo}-{hi}"))),
        _ => {
            // Names start with a letter or `_` (a leading digit is a
            // mistyped number).
            let name_like = s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                && s.len() <= 32
                && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '$'))
                && s.chars().any(|c| !c.is_ascii_digit());
            if name_like {
                Ok(Value::Str(s.to_string()))
            } else {
                Err(format!("`{s}` is neither a name nor an id or range n-m (0-{MAX_ID})"))
            }
        }
    }
}

pub static OPTIONS: [OptSpec; 4] = [
    OptSpec::new("socket-exists", ArgType::None, "the packet belongs to a local socket").invert(),
    OptSpec::new("uid-owner", ArgType::Custom(id), "user (name, uid or uid range n-m) owning the socket").invert(),
    OptSpec::new("gid-owner", ArgType::Custom(id), "group (name, gid or gid range n-m) owning the socket").invert(),
    OptSpec::new("suppl-groups", ArgType::None, "with --gid-owner: also match the supplementary groups"),
];

/// `owner_mt_check`, the `--suppl-groups` order rule, the kernel's range
/// check, and names the host must know.
fn check(cx: &mut CheckCx) {
    if cx.inst.options.is_empty() || cx.inst.options.iter().all(|o| o.name == "suppl-groups") {
        let d = Diagnostic::new(
            &codes::OPTION_CONFLICT,
            cx.inst.span,
            "`owner` needs `--uid-owner`, `--gid-owner` or `--socket-exists`",
        );
        cx.push(d);
        return;
    }
    let mut found = Vec::new();
    let pos = |n: &str| cx.inst.options.iter().position(|o| o.name == n);
    if let Some(sp) = pos("suppl-groups") {
        if pos("gid-owner").is_none_or(|g| g > sp) {
            found.push(Diagnostic::new(
                &codes::OPTION_CONFLICT,
                cx.inst.options[sp].span,
                "`--suppl-groups` needs `--gid-owner` before it",
            ));
        }
    }
    for o in &cx.inst.options {
        match &o.value {
            Value::Str(name) => found.push(Diagnostic::new(
                &codes::HOST_REQUIREMENT,
                o.span,
                format!(
                    "`--{} {name}`: the name must exist on the host where the rules load (else the load fails); a number is portable",
                    o.name
                ),
            )),
            Value::Text(t) => {
                if let Some((lo, hi)) = t.split_once('-') {
                    let (lo, hi) = (lo.parse::<u64>().unwrap_or(0), hi.parse::<u64>().unwrap_or(0));
                    if lo > hi {
                        found.push(Diagnostic::new(
                            &codes::KERNEL_REJECTS,
                            o.span,
                            format!("`--{}`: range {t} is reversed; the kernel refuses it", o.name),
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    for d in found {
        cx.push(d);
    }
}

fn save(inst: &ExtInstance, out: &mut String) {
    for spec in OPTIONS.iter() {
        if let Some(o) = inst.opt(spec.name) {
            let neg = if o.negated { " !" } else { "" };
            let _ = write!(out, "{neg} --{}", spec.name);
            if !matches!(o.value, Value::Flag) {
                let _ = write!(out, " {}", o.value);
            }
        }
    }
}

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    hooks: &[Hook::Output, Hook::Postrouting],
    check: Some(check),
    save: Some(save),
    ..ExtSpec::new("owner", ExtKind::Match, "user, group or existence of the sending local socket")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];

#[cfg(test)]
mod tests {
    use super::super::icmp::roundtrip;

    #[test]
    fn forms() {
        let v4 = crate::Family::V4;
        let rt = |r| roundtrip(v4, "filter", r);
        assert_eq!(
            rt("-A OUTPUT -m owner --uid-owner 5:7 --socket-exists --gid-owner 3 --suppl-groups").unwrap(),
            "-A OUTPUT -m owner --socket-exists --uid-owner 5-7 --gid-owner 3 --suppl-groups"
        );
        assert_eq!(rt("-A OUTPUT -m owner ! --uid-owner root").unwrap(), "-A OUTPUT -m owner ! --uid-owner 0");
        assert!(rt("-A OUTPUT -m owner --uid-owner 10-5").is_err());
        assert!(rt("-A OUTPUT -m owner --uid-owner 4294967295").is_err());
        assert!(rt("-A OUTPUT -m owner --uid-owner 4294967294").is_ok());
        assert!(rt("-A OUTPUT -m owner --uid-owner 5x").is_err());
        assert!(rt("-A OUTPUT -m owner --uid-owner 5-").is_err());
        assert!(rt("-A OUTPUT -m owner --suppl-groups --gid-owner 1").is_err());
        assert!(rt("-A OUTPUT -m owner --gid-owner 1 ! --suppl-groups").is_err());
        assert!(rt("-A INPUT -m owner --socket-exists").is_err());
        // A name is an info finding, not an error.
        assert_eq!(rt("-A OUTPUT -m owner --uid-owner www-data").unwrap(), "-A OUTPUT -m owner --uid-owner www-data");
    }
}
