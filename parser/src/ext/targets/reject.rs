//! `REJECT`: drop the packet and answer with an ICMP error or a TCP RST
//! (`libipt_REJECT.c`, `libip6t_REJECT.c`, kernel `ipt_REJECT.c`,
//! `ip6t_REJECT.c`). filter table, INPUT/FORWARD/OUTPUT. `tcp-reset`
//! needs `-p tcp`. iptables-save always prints `--reject-with`.

use std::fmt::Write;

use crate::codes;
use crate::diagnostic::Diagnostic;
use crate::ext::value::{ArgCx, Value};
use crate::ext::{ArgType, CheckCx, ExtInstance, ExtKind, ExtSpec, Families, Hook, OptSpec, TargetEffect};

/// (canonical name, alias), in the order iptables tries them.
const TYPES4: &[(&str, &str)] = &[
    ("icmp-net-unreachable", "net-unreach"),
    ("icmp-host-unreachable", "host-unreach"),
    ("icmp-proto-unreachable", "proto-unreach"),
    ("icmp-port-unreachable", "port-unreach"),
    ("icmp-net-prohibited", "net-prohib"),
    ("icmp-host-prohibited", "host-prohib"),
    ("tcp-reset", "tcp-rst"),
    ("icmp-admin-prohibited", "admin-prohib"),
];

const TYPES6: &[(&str, &str)] = &[
    ("icmp6-no-route", "no-route"),
    ("icmp6-adm-prohibited", "adm-prohibited"),
    ("icmp6-addr-unreachable", "addr-unreach"),
    ("icmp6-port-unreachable", "port-unreach"),
    ("tcp-reset", "tcp-reset"),
    ("icmp6-policy-fail", "policy-fail"),
    ("icmp6-reject-route", "reject-route"),
];

/// iptables takes the first type whose name or alias starts with the
/// word, ignoring case.
fn lookup(s: &str, table: &[(&str, &str)]) -> Result<Value, String> {
    let lower = if s.bytes().any(|b| b.is_ascii_uppercase()) {
        std::borrow::Cow::Owned(s.to_ascii_lowercase())
    } else {
        std::borrow::Cow::Borrowed(s)
    };
    let lower: &str = &lower;
    table
        .iter()
        .find(|(n, a)| n.starts_with(lower) || a.starts_with(lower))
        .map(|(n, _)| Value::Word(n.to_string()))
        .ok_or_else(|| {
            format!(
                "unknown reject type `{s}` (one of {})",
                table.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
            )
        })
}

fn with4(s: &str, _: &ArgCx) -> Result<Value, String> {
    lookup(s, TYPES4)
}

fn with6(s: &str, _: &ArgCx) -> Result<Value, String> {
    lookup(s, TYPES6)
}

pub static OPTIONS4: [OptSpec; 1] = [OptSpec::new(
    "reject-with",
    ArgType::Custom(with4),
    "answer to send: icmp-port-unreachable (default), icmp-net-unreachable, icmp-host-unreachable, icmp-proto-unreachable, icmp-net-prohibited, icmp-host-prohibited, icmp-admin-prohibited, tcp-reset",
)];

pub static OPTIONS6: [OptSpec; 1] = [OptSpec::new(
    "reject-with",
    ArgType::Custom(with6),
    "answer to send: icmp6-port-unreachable (default), icmp6-no-route, icmp6-adm-prohibited, icmp6-addr-unreachable, icmp6-policy-fail, icmp6-reject-route, tcp-reset",
)];

fn save_with(inst: &ExtInstance, out: &mut String, default: &str) {
    let with = inst.opt("reject-with").map_or_else(|| default.to_string(), |o| o.value.to_string());
    let _ = write!(out, " --reject-with {with}");
}

fn save4(inst: &ExtInstance, out: &mut String) {
    save_with(inst, out, "icmp-port-unreachable");
}

fn save6(inst: &ExtInstance, out: &mut String) {
    save_with(inst, out, "icmp6-port-unreachable");
}

fn check(cx: &mut CheckCx) {
    let Some(o) = cx.opt("reject-with") else {
        return;
    };
    if o.value.to_string() == "tcp-reset" && cx.rule.proto != Some((6, false)) {
        let span = o.span;
        cx.push(
            Diagnostic::new(
                &codes::KERNEL_REJECTS,
                span,
                "`--reject-with tcp-reset` needs `-p tcp` (not negated) on the rule",
            )
            .note("the kernel can send a TCP reset only in answer to TCP"),
        );
    }
}

const SUMMARY: &str = "drop the packet and answer with an ICMP error or TCP reset (filter INPUT, FORWARD, OUTPUT)";

pub static SPEC: ExtSpec = ExtSpec {
    families: Families::V4,
    options: &OPTIONS4,
    tables: &["filter"],
    hooks: &[Hook::Input, Hook::Forward, Hook::Output],
    effect: TargetEffect::Reject,
    save: Some(save4),
    check: Some(check),
    ..ExtSpec::new("REJECT", ExtKind::Target, SUMMARY)
};

pub static SPEC6: ExtSpec = ExtSpec {
    families: Families::V6,
    options: &OPTIONS6,
    tables: &["filter"],
    hooks: &[Hook::Input, Hook::Forward, Hook::Output],
    effect: TargetEffect::Reject,
    save: Some(save6),
    check: Some(check),
    ..ExtSpec::new("REJECT", ExtKind::Target, SUMMARY)
};

pub static SPECS: &[&ExtSpec] = &[&SPEC, &SPEC6];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reject_types() {
        assert_eq!(lookup("tcp-rst", TYPES4).unwrap().to_string(), "tcp-reset");
        assert_eq!(lookup("Port-Unreach", TYPES4).unwrap().to_string(), "icmp-port-unreachable");
        assert_eq!(lookup("icmp-", TYPES4).unwrap().to_string(), "icmp-net-unreachable");
        assert!(lookup("icmp-echo-reply", TYPES4).is_err());
        assert!(lookup("icmp-port-unreachable", TYPES6).is_err());
        assert_eq!(lookup("adm-prohibited", TYPES6).unwrap().to_string(), "icmp6-adm-prohibited");
    }
}
