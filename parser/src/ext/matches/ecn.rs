//! `ecn`: ECN bits of the IP header and the TCP CWR/ECE flags
//! (`libxt_ecn.c`, kernel `xt_ecn.c`).

use crate::codes;
use crate::diagnostic::Diagnostic;
use crate::ext::{ArgType, CheckCx, ExtKind, ExtSpec, OptSpec};

pub static OPTIONS: [OptSpec; 3] = [
    OptSpec::new("ecn-tcp-ece", ArgType::None, "TCP ECN-Echo flag set (needs -p tcp)").invert(),
    OptSpec::new("ecn-tcp-cwr", ArgType::None, "TCP CWR flag set (needs -p tcp)").invert(),
    OptSpec::new("ecn-ip-ect", ArgType::UInt { min: 0, max: 3 }, "ECN codepoint of the IP header, 0-3").invert(),
];

fn check(cx: &mut CheckCx) {
    if cx.inst.options.is_empty() {
        cx.push(Diagnostic::new(
            &codes::OPTION_CONFLICT,
            cx.inst.span,
            "`ecn` needs at least one of `--ecn-tcp-ece`, `--ecn-tcp-cwr`, `--ecn-ip-ect`",
        ));
        return;
    }
    // The kernel wants `-p tcp` (not negated) for the TCP flags.
    let tcp_opt = cx.inst.options.iter().find(|o| o.name == "ecn-tcp-ece" || o.name == "ecn-tcp-cwr");
    if let Some(o) = tcp_opt {
        if cx.rule.proto != Some((6, false)) {
            let span = o.span;
            let name = o.name.clone();
            cx.push(Diagnostic::new(&codes::PROTOCOL_REQUIRED, span, format!("`--{name}` needs `-p tcp` on the rule")));
        }
    }
}

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    check: Some(check),
    ..ExtSpec::new("ecn", ExtKind::Match, "ECN bits of IP and TCP headers")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];
