//! `ipvs`: IPVS connection properties (`libxt_ipvs.c`, kernel
//! `xt_ipvs.c`).

use std::fmt::Write;

use crate::cmdline::parse_protocol;
use crate::codes;
use crate::diagnostic::Diagnostic;
use crate::ext::value::{parse_port, ArgCx, Value};
use crate::ext::{ArgType, CheckCx, ExtInstance, ExtKind, ExtSpec, OptSpec};

fn parse_proto(s: &str, _: &ArgCx) -> Result<Value, String> {
    parse_protocol(s).map(|n| Value::UInt(u64::from(n))).ok_or_else(|| format!("unknown protocol `{s}`"))
}

fn parse_vport(s: &str, _: &ArgCx) -> Result<Value, String> {
    parse_port(s).map(|p| Value::UInt(u64::from(p)))
}

fn parse_vaddr(s: &str, cx: &ArgCx) -> Result<Value, String> {
    super::policy::parse_hostmask(s, cx.family).map(|h| Value::Text(h.numeric()))
}

fn parse_dir(s: &str, _: &ArgCx) -> Result<Value, String> {
    ["ORIGINAL", "REPLY"]
        .iter()
        .find(|d| d.eq_ignore_ascii_case(s))
        .map(|d| Value::Word(d.to_string()))
        .ok_or_else(|| format!("`{s}` is not ORIGINAL or REPLY"))
}

fn parse_method(s: &str, _: &ArgCx) -> Result<Value, String> {
    ["GATE", "IPIP", "MASQ"]
        .iter()
        .find(|d| d.eq_ignore_ascii_case(s))
        .map(|d| Value::Word(d.to_string()))
        .ok_or_else(|| format!("`{s}` is not GATE, IPIP or MASQ"))
}

pub static OPTIONS: [OptSpec; 7] = [
    OptSpec::new("ipvs", ArgType::None, "the packet belongs to an IPVS connection").invert(),
    OptSpec::new("vproto", ArgType::Custom(parse_proto), "protocol of the virtual service").invert(),
    OptSpec::new("vaddr", ArgType::Custom(parse_vaddr), "virtual address[/mask]").invert(),
    OptSpec::new("vport", ArgType::Custom(parse_vport), "virtual port").invert(),
    OptSpec::new("vdir", ArgType::Custom(parse_dir), "ORIGINAL or REPLY direction"),
    OptSpec::new("vmethod", ArgType::Custom(parse_method), "forwarding method: GATE, IPIP, MASQ").invert(),
    OptSpec::new("vportctl", ArgType::Custom(parse_vport), "port of the controlling connection").invert(),
];

fn check(cx: &mut CheckCx) {
    let span = cx.inst.span;
    if cx.inst.options.is_empty() {
        cx.push(Diagnostic::new(&codes::OPTION_CONFLICT, span, "`ipvs` needs at least one option"));
        return;
    }
    let others = cx.inst.options.iter().any(|o| o.name != "ipvs");
    if let Some(o) = cx.opt("ipvs").filter(|o| o.negated && others) {
        let s = o.span;
        cx.push(Diagnostic::new(&codes::OPTION_CONFLICT, s, "`! --ipvs` cannot be combined with other ipvs options"));
        return;
    }
    super::policy::host_names(cx, &["vaddr"]);
}

fn save(inst: &ExtInstance, out: &mut String) {
    let only_ipvs = inst.options.iter().all(|o| o.name == "ipvs");
    for spec in OPTIONS.iter() {
        let Some(o) = inst.opt(spec.name) else {
            continue;
        };
        if spec.name == "ipvs" && !only_ipvs {
            continue;
        }
        let neg = if o.negated { " !" } else { "" };
        if o.value == Value::Flag {
            let _ = write!(out, "{neg} --{}", spec.name);
        } else {
            let _ = write!(out, "{neg} --{} {}", spec.name, o.value);
        }
    }
}

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    check: Some(check),
    save: Some(save),
    ..ExtSpec::new("ipvs", ExtKind::Match, "IPVS connection: virtual service, direction, method")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];
