//! `devgroup`: the device group of the input or output interface
//! (`libxt_devgroup.c`, kernel `xt_devgroup.c`).

use std::fmt::Write;

use super::realm::{names_need_host, parse_val_mask};
use crate::codes;
use crate::diagnostic::Diagnostic;
use crate::ext::{ArgType, CheckCx, ExtInstance, ExtKind, ExtSpec, Hook, OptSpec};

pub static OPTIONS: [OptSpec; 2] = [
    OptSpec::new("src-group", ArgType::Custom(parse_val_mask), "group[/mask] of the input interface").invert(),
    OptSpec::new("dst-group", ArgType::Custom(parse_val_mask), "group[/mask] of the output interface").invert(),
];

fn check(cx: &mut CheckCx) {
    if cx.inst.options.is_empty() {
        cx.push(Diagnostic::new(
            &codes::OPTION_CONFLICT,
            cx.inst.span,
            "`devgroup` needs `--src-group` or `--dst-group`",
        ));
        return;
    }
    // The kernel checks the hook of a built-in chain (not of user chains).
    if let Some(h) = Hook::from_chain(&cx.rule.chain).filter(|h| cx.rule.hooks.contains(h)) {
        let bad = if cx.has("src-group") && matches!(h, Hook::Output | Hook::Postrouting) {
            Some(("src-group", "the input interface is not known in OUTPUT and POSTROUTING"))
        } else if cx.has("dst-group") && matches!(h, Hook::Prerouting | Hook::Input) {
            Some(("dst-group", "the output interface is not known in PREROUTING and INPUT"))
        } else {
            None
        };
        if let Some((name, why)) = bad {
            let span = cx.opt(name).map_or(cx.inst.span, |o| o.span);
            cx.push(Diagnostic::new(
                &codes::WRONG_CHAIN,
                span,
                format!("`--{name}` is not allowed in {}: {why}", h.chain_name()),
            ));
            return;
        }
    }
    names_need_host(cx, "/etc/iproute2/group");
}

fn save(inst: &ExtInstance, out: &mut String) {
    for name in ["src-group", "dst-group"] {
        if let Some(o) = inst.opt(name) {
            let neg = if o.negated { " !" } else { "" };
            let _ = write!(out, "{neg} --{name} {}", o.value);
        }
    }
}

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    check: Some(check),
    save: Some(save),
    ..ExtSpec::new("devgroup", ExtKind::Match, "device group of the input or output interface")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];

#[cfg(test)]
mod tests {
    use crate::{parse, Family, ParseOptions, Severity};

    fn errors(text: &str) -> usize {
        let p = parse(text, &ParseOptions { family: Some(Family::V4), table: None });
        p.diagnostics.iter().filter(|d| d.severity == Severity::Error).count()
    }

    #[test]
    fn group_hooks() {
        assert_eq!(errors("*filter\n-A OUTPUT -m devgroup --src-group 1\nCOMMIT\n"), 1);
        assert_eq!(errors("*filter\n-A INPUT -m devgroup --dst-group 1\nCOMMIT\n"), 1);
        assert_eq!(errors("*filter\n-A FORWARD -m devgroup --src-group 1 --dst-group 2\nCOMMIT\n"), 0);
        // User chains are not checked by the kernel.
        assert_eq!(errors("*filter\n:U - [0:0]\n-A OUTPUT -j U\n-A U -m devgroup --src-group 1\nCOMMIT\n"), 0);
        // Names come from the host: not an error.
        assert_eq!(errors("*filter\n-A INPUT -m devgroup --src-group lan\nCOMMIT\n"), 0);
    }
}
