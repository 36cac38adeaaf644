//! `TCPMSS`: change the MSS option of TCP SYN packets (`libxt_TCPMSS.c`,
//! kernel `xt_TCPMSS.c`). Needs `-p tcp`. `--clamp-mss-to-pmtu` works
//! only in FORWARD, OUTPUT and POSTROUTING. (The kernel's demand for
//! `--tcp-flags SYN,RST SYN` does not apply under the nf_tables backend,
//! whose tcp match is native.)

use std::fmt::Write;

use crate::codes;
use crate::diagnostic::Diagnostic;
use crate::ext::targets::mark::require_op;
use crate::ext::{ArgType, CheckCx, ExtInstance, ExtKind, ExtSpec, Families, Hook, OptSpec};

pub static OPTIONS4: [OptSpec; 2] = [
    OptSpec::new("set-mss", ArgType::UInt { min: 0, max: 65515 }, "set the MSS to this value"),
    OptSpec::new(
        "clamp-mss-to-pmtu",
        ArgType::None,
        "set the MSS to the path MTU minus 40 (FORWARD, OUTPUT, POSTROUTING)",
    ),
];

pub static OPTIONS6: [OptSpec; 2] = [
    OptSpec::new("set-mss", ArgType::UInt { min: 0, max: 65495 }, "set the MSS to this value"),
    OptSpec::new(
        "clamp-mss-to-pmtu",
        ArgType::None,
        "set the MSS to the path MTU minus 60 (FORWARD, OUTPUT, POSTROUTING)",
    ),
];

/// The option given last decides (both write the same field).
fn last(inst: &ExtInstance) -> Option<&crate::model::OptValue> {
    inst.options.iter().rev().find(|o| o.name == "set-mss" || o.name == "clamp-mss-to-pmtu")
}

fn save(inst: &ExtInstance, out: &mut String) {
    if let Some(o) = last(inst) {
        if o.name == "set-mss" {
            let _ = write!(out, " --set-mss {}", o.value);
        } else {
            out.push_str(" --clamp-mss-to-pmtu");
        }
    }
}

fn check(cx: &mut CheckCx) {
    require_op(cx, &["set-mss", "clamp-mss-to-pmtu"], "TCPMSS");
    let clamp = last(cx.inst).is_some_and(|o| o.name == "clamp-mss-to-pmtu");
    let ok = [Hook::Forward, Hook::Output, Hook::Postrouting];
    let bad: Vec<&str> = cx
        .rule
        .hooks
        .iter()
        // The kernel checks the hook inside its checkentry, which sees the
        // hooks of built-in chains only (a user chain loads anywhere).
        .filter(|_| Hook::from_chain(&cx.rule.chain).is_some())
        .filter(|h| !ok.contains(h))
        .map(|h| h.chain_name())
        .collect();
    if clamp && !bad.is_empty() {
        cx.push(Diagnostic::new(
            &codes::WRONG_CHAIN,
            cx.inst.span,
            format!(
                "`TCPMSS --clamp-mss-to-pmtu` works only in FORWARD, OUTPUT and POSTROUTING, not in {}",
                bad.join(", ")
            ),
        ));
    }
}

const SUMMARY: &str = "change the MSS of TCP SYN packets (-p tcp), then continue";

pub static SPEC: ExtSpec = ExtSpec {
    families: Families::V4,
    options: &OPTIONS4,
    proto: &["tcp"],
    save: Some(save),
    check: Some(check),
    ..ExtSpec::new("TCPMSS", ExtKind::Target, SUMMARY)
};

pub static SPEC6: ExtSpec = ExtSpec {
    families: Families::V6,
    options: &OPTIONS6,
    proto: &["tcp"],
    save: Some(save),
    check: Some(check),
    ..ExtSpec::new("TCPMSS", ExtKind::Target, SUMMARY)
};

pub static SPECS: &[&ExtSpec] = &[&SPEC, &SPEC6];
