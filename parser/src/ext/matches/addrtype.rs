//! `addrtype`: the routing type of the source or destination address
//! (LOCAL, UNICAST, BROADCAST, …) (`libxt_addrtype.c` revision 1, kernel
//! `xt_addrtype.c`).

use std::fmt::Write;

use crate::codes;
use crate::diagnostic::Diagnostic;
use crate::ext::value::{ArgCx, Value};
use crate::ext::{ArgType, CheckCx, ExtInstance, ExtKind, ExtSpec, Family, Hook, OptSpec};

/// Route types by bit number (`rtn_names`).
const TYPES: [&str; 12] = [
    "UNSPEC",
    "UNICAST",
    "LOCAL",
    "BROADCAST",
    "ANYCAST",
    "MULTICAST",
    "BLACKHOLE",
    "UNREACHABLE",
    "PROHIBIT",
    "THROW",
    "NAT",
    "XRESOLVE",
];

/// A comma list of types, each a case-insensitive prefix of a name (the
/// first name it fits wins); printed in bit order.
fn types(s: &str, _: &ArgCx) -> Result<Value, String> {
    let mut mask = 0u16;
    for part in s.split(',') {
        let up = part.to_ascii_uppercase();
        let i = (!part.is_empty())
            .then(|| TYPES.iter().position(|t| t.starts_with(&up)))
            .flatten()
            .ok_or_else(|| format!("bad address type `{part}` (valid: {})", TYPES.join(", ")))?;
        mask |= 1 << i;
    }
    Ok(Value::Words((0..TYPES.len()).filter(|i| mask & (1 << i) != 0).map(|i| TYPES[i].to_string()).collect()))
}

pub static OPTIONS: [OptSpec; 4] = [
    OptSpec::new("src-type", ArgType::Custom(types), "source address type(s): LOCAL, UNICAST, BROADCAST, MULTICAST, …")
        .invert(),
    OptSpec::new(
        "dst-type",
        ArgType::Custom(types),
        "destination address type(s): LOCAL, UNICAST, BROADCAST, MULTICAST, …",
    )
    .invert(),
    OptSpec::new("limit-iface-in", ArgType::None, "look the address up on the input interface only")
        .excl(&["limit-iface-out"]),
    OptSpec::new("limit-iface-out", ArgType::None, "look the address up on the output interface only")
        .excl(&["limit-iface-in"]),
];

/// `addrtype_check` (a type option is needed) and the kernel's
/// `addrtype_mt_checkentry_v1` (interface limits per hook, IPv6 types).
fn check(cx: &mut CheckCx) {
    if !cx.has("src-type") && !cx.has("dst-type") {
        let d = Diagnostic::new(&codes::OPTION_CONFLICT, cx.inst.span, "`addrtype` needs `--src-type` or `--dst-type`");
        cx.push(d);
        return;
    }
    let hooks = cx.rule.hooks.clone();
    let bad_in = hooks.iter().any(|h| matches!(h, Hook::Output | Hook::Postrouting));
    let bad_out = hooks.iter().any(|h| matches!(h, Hook::Prerouting | Hook::Input));
    if let Some(o) = cx.opt("limit-iface-in").filter(|_| bad_in) {
        let d = Diagnostic::new(
            &codes::KERNEL_REJECTS,
            o.span,
            "`--limit-iface-in` is not valid in OUTPUT and POSTROUTING: there is no input interface",
        );
        cx.push(d);
    }
    if let Some(o) = cx.opt("limit-iface-out").filter(|_| bad_out) {
        let d = Diagnostic::new(
            &codes::KERNEL_REJECTS,
            o.span,
            "`--limit-iface-out` is not valid in PREROUTING and INPUT: there is no output interface yet",
        );
        cx.push(d);
    }
    if cx.rule.family == Family::V6 {
        let mut found = Vec::new();
        for name in ["src-type", "dst-type"] {
            let Some(o) = cx.opt(name) else { continue };
            if let Value::Words(w) = &o.value {
                for t in w {
                    let bad =
                        matches!(t.as_str(), "BLACKHOLE" | "BROADCAST" | "PROHIBIT" | "THROW" | "NAT" | "XRESOLVE");
                    if bad {
                        found.push(Diagnostic::new(
                            &codes::KERNEL_REJECTS,
                            o.span,
                            format!("the kernel does not support matching IPv6 address type {t}"),
                        ));
                    }
                }
            }
        }
        for d in found.into_iter().take(1) {
            cx.push(d);
        }
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
    check: Some(check),
    save: Some(save),
    ..ExtSpec::new(
        "addrtype",
        ExtKind::Match,
        "routing type of the source or destination address (LOCAL, BROADCAST, …)",
    )
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
            rt("-m addrtype --src-type loc,UNICAST --limit-iface-in").unwrap(),
            "-A INPUT -m addrtype --src-type UNICAST,LOCAL --limit-iface-in"
        );
        assert!(rt("-m addrtype --src-type LOCAL --limit-iface-out").is_err());
        assert!(rt("-A OUTPUT -m addrtype --src-type LOCAL --limit-iface-in").is_err());
        assert!(rt("-A FORWARD -m addrtype ! --dst-type LOCAL --limit-iface-in").is_ok());
        assert!(rt("-m addrtype").is_err());
        assert!(rt("-m addrtype --src-type wrong").is_err());
        let v6 = crate::Family::V6;
        assert!(roundtrip(v6, "filter", "-m addrtype --dst-type BLACKHOLE").is_err());
        assert_eq!(
            roundtrip(v6, "filter", "-m addrtype --dst-type UNREACHABLE,MULTICAST").unwrap(),
            "-A INPUT -m addrtype --dst-type MULTICAST,UNREACHABLE"
        );
    }
}
