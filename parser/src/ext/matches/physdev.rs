//! `physdev`: the bridge port a bridged packet came in or goes out by
//! (`libxt_physdev.c`, kernel `xt_physdev.c`).

use std::fmt::Write;

use crate::codes;
use crate::diagnostic::Diagnostic;
use crate::ext::value::Value;
use crate::ext::{ArgType, CheckCx, ExtInstance, ExtKind, ExtSpec, Hook, OptSpec};

pub static OPTIONS: [OptSpec; 5] = [
    OptSpec::new("physdev-is-in", ArgType::None, "the packet entered by a bridge port").invert(),
    OptSpec::new("physdev-in", ArgType::Iface, "bridge port the packet entered by (`+` as trailing wildcard)").invert(),
    OptSpec::new("physdev-is-out", ArgType::None, "the packet will leave by a bridge port").invert(),
    OptSpec::new("physdev-out", ArgType::Iface, "bridge port the packet will leave by (`+` as trailing wildcard)")
        .invert(),
    OptSpec::new("physdev-is-bridged", ArgType::None, "the packet is bridged, not routed").invert(),
];

/// `physdev_check` (an option is needed) and the kernel's
/// `physdev_mt_check`: the output port is not known in OUTPUT unless the
/// rule also requires bridged traffic.
fn check(cx: &mut CheckCx) {
    if cx.inst.options.is_empty() {
        let d = Diagnostic::new(&codes::OPTION_CONFLICT, cx.inst.span, "`physdev` needs at least one option");
        cx.push(d);
        return;
    }
    let bridged = cx.opt("physdev-is-bridged").is_some_and(|o| !o.negated);
    let out = cx.opt("physdev-out").or_else(|| cx.opt("physdev-is-out"));
    if let Some(o) = out {
        if !bridged && cx.rule.hooks.contains(&Hook::Output) {
            let d = Diagnostic::new(
                &codes::KERNEL_REJECTS,
                o.span,
                "`--physdev-out`/`--physdev-is-out` in OUTPUT need `--physdev-is-bridged`: locally generated packets are not bridged",
            );
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
    ..ExtSpec::new("physdev", ExtKind::Match, "bridge port a bridged packet entered or leaves by")
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
            rt("-m physdev --physdev-in eth+ ! --physdev-is-in").unwrap(),
            "-A INPUT -m physdev ! --physdev-is-in --physdev-in eth+"
        );
        assert!(rt("-A OUTPUT -m physdev --physdev-out lo").is_err());
        assert!(rt("-A OUTPUT -m physdev --physdev-out lo ! --physdev-is-bridged").is_err());
        assert!(rt("-A OUTPUT -m physdev --physdev-out lo --physdev-is-bridged").is_ok());
        assert!(rt("-A FORWARD -m physdev --physdev-is-out").is_ok());
        assert!(rt("-m physdev").is_err());
        assert!(rt("-m physdev --physdev-in 0123456789abcdef").is_err());
    }
}
