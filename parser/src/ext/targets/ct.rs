//! `CT`: set up the connection tracking of a packet before it is tracked:
//! no tracking, a helper, a timeout policy, event masks, a zone
//! (`libxt_CT.c` revision 1, kernel `xt_CT.c`). raw table only.

use std::fmt::Write;

use crate::codes;
use crate::diagnostic::Diagnostic;
use crate::ext::value::{parse_c_uint, ArgCx, Value};
use crate::ext::{ArgType, CheckCx, ExtInstance, ExtKind, ExtSpec, OptSpec};

const CT_EVENTS: [&str; 10] =
    ["new", "related", "destroy", "reply", "assured", "protoinfo", "helper", "mark", "natseqinfo", "secmark"];
const EXP_EVENTS: [&str; 1] = ["new"];

/// A comma list of event names, printed once each in the kernel's order.
fn events(s: &str, table: &[&str]) -> Result<Value, String> {
    let mut bits = 0u32;
    for t in s.split(',') {
        let i = table
            .iter()
            .position(|n| *n == t)
            .ok_or_else(|| format!("unknown event type `{t}` (one of {})", table.join(", ")))?;
        bits |= 1 << i;
    }
    let names: Vec<String> =
        table.iter().enumerate().filter(|(i, _)| bits & (1 << i) != 0).map(|(_, n)| n.to_string()).collect();
    Ok(Value::Words(names))
}

fn ctevents(s: &str, _: &ArgCx) -> Result<Value, String> {
    events(s, &CT_EVENTS)
}

fn expevents(s: &str, _: &ArgCx) -> Result<Value, String> {
    events(s, &EXP_EVENTS)
}

/// A zone: a number 0-65535 or `mark` (the zone is the packet mark).
fn zone(s: &str, _: &ArgCx) -> Result<Value, String> {
    if s.eq_ignore_ascii_case("mark") {
        return Ok(Value::Word("mark".into()));
    }
    match parse_c_uint(s) {
        Some(n) if n <= 65535 => Ok(Value::UInt(n)),
        _ => Err(format!("`{s}` is not a zone ID (0-65535 or mark)")),
    }
}

pub static OPTIONS: [OptSpec; 8] = [
    OptSpec::new("notrack", ArgType::None, "do not track the packet's connection"),
    OptSpec::new(
        "helper",
        ArgType::Str { max: 15 },
        "conntrack helper to attach (ftp, sip, …; needs -p)",
    ),
    OptSpec::new(
        "timeout",
        ArgType::Str { max: 31 },
        "timeout policy (created with `nfct timeout add`)",
    ),
    OptSpec::new(
        "ctevents",
        ArgType::Custom(ctevents),
        "conntrack events to report: new, related, destroy, reply, assured, protoinfo, helper, mark, natseqinfo, secmark",
    ),
    OptSpec::new(
        "expevents",
        ArgType::Custom(expevents),
        "expectation events to report: new",
    ),
    OptSpec::new(
        "zone-orig",
        ArgType::Custom(zone),
        "conntrack zone for the original direction (number or mark)",
    ),
    OptSpec::new(
        "zone-reply",
        ArgType::Custom(zone),
        "conntrack zone for the reply direction (number or mark)",
    ),
    OptSpec::new(
        "zone",
        ArgType::Custom(zone),
        "conntrack zone for both directions (number or mark)",
    ),
];

/// The zone as the kernel keeps it: the last value, the direction flags
/// and the mark flag of every zone option given.
fn zone_text(inst: &ExtInstance) -> Option<String> {
    let (mut orig, mut reply, mut mark, mut id) = (false, false, false, 0u64);
    for o in &inst.options {
        let dir = match o.name.as_str() {
            "zone-orig" => Some(true),
            "zone-reply" => Some(false),
            "zone" => None,
            _ => continue,
        };
        match dir {
            Some(true) => orig = true,
            Some(false) => reply = true,
            None => {}
        }
        match &o.value {
            Value::UInt(n) => id = *n,
            _ => {
                mark = true;
                id = 0;
            }
        }
    }
    if !mark && id == 0 {
        return None;
    }
    let name = match (orig, reply) {
        (true, false) => "zone-orig",
        (false, true) => "zone-reply",
        _ => "zone",
    };
    let val = if mark { "mark".to_string() } else { id.to_string() };
    Some(format!(" --{name} {val}"))
}

fn save(inst: &ExtInstance, out: &mut String) {
    for name in ["notrack", "helper", "timeout", "ctevents", "expevents"] {
        if let Some(o) = inst.opt(name) {
            let _ = write!(out, " --{name}");
            let v = o.value.to_string();
            if !v.is_empty() {
                let _ = write!(out, " {v}");
            }
        }
    }
    if let Some(z) = zone_text(inst) {
        out.push_str(&z);
    }
}

/// The kernel's conntrack helpers and the protocols they serve.
const HELPERS: &[(&str, &[u8])] = &[
    ("ftp", &[6]),
    ("irc", &[6]),
    ("sip", &[6, 17]),
    ("tftp", &[17]),
    ("amanda", &[17]),
    ("RAS", &[17]),
    ("Q.931", &[6]),
    ("pptp", &[6]),
    ("sane", &[6]),
    ("snmp", &[17]),
    ("snmp_trap", &[17]),
    ("netbios-ns", &[17]),
];

fn check(cx: &mut CheckCx) {
    if let Some(o) = cx.opt("helper") {
        let (span, name) = (o.span, o.value.to_string());
        match cx.rule.proto {
            Some((n, false)) if n != 0 => match HELPERS.iter().find(|(h, _)| *h == name) {
                Some((_, protos)) if !protos.contains(&n) => {
                    let proto = cx.rule.proto_name.clone().unwrap_or_default();
                    cx.push(Diagnostic::new(
                        &codes::KERNEL_REJECTS,
                        span,
                        format!("conntrack helper `{name}` does not serve protocol `{proto}`"),
                    ));
                }
                Some(_) => {}
                None => {
                    let mut d = Diagnostic::new(
                        &codes::HOST_REQUIREMENT,
                        span,
                        format!("`{name}` is not a kernel conntrack helper: it loads only if a user-space helper of that name is registered (`nfct helper add`)"),
                    );
                    if let Some((known, _)) = HELPERS.iter().find(|(h, _)| h.eq_ignore_ascii_case(&name)) {
                        d = d.note(format!("helper names are case-sensitive: the kernel helper is `{known}`"));
                    }
                    cx.push(d);
                }
            },
            _ => cx.push(Diagnostic::new(
                &codes::KERNEL_REJECTS,
                span,
                "`CT --helper` needs the rule to name its protocol (`-p tcp`, `-p udp`, …)",
            )),
        }
    }
    if let Some(o) = cx.opt("timeout") {
        let (span, name) = (o.span, o.value.to_string());
        cx.push(Diagnostic::new(
            &codes::HOST_REQUIREMENT,
            span,
            format!("timeout policy `{name}` must exist (`nfct timeout add {name} …`) before the file loads"),
        ));
    }
}

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    tables: &["raw"],
    save: Some(save),
    check: Some(check),
    ..ExtSpec::new(
        "CT",
        ExtKind::Target,
        "set conntrack parameters (notrack, helper, zone, events) before tracking (raw table)",
    )
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_sorted_and_unique() {
        assert_eq!(events("mark,new,new", &CT_EVENTS).unwrap().to_string(), "new,mark");
        assert!(events("foo", &CT_EVENTS).is_err());
        assert!(events("new,", &EXP_EVENTS).is_err());
    }

    #[test]
    fn zones() {
        let cx = ArgCx { family: crate::ext::Family::V4, proto: None };
        assert_eq!(zone("0x10", &cx), Ok(Value::UInt(16)));
        assert_eq!(zone("MARK", &cx), Ok(Value::Word("mark".into())));
        assert!(zone("65536", &cx).is_err());
        assert!(zone("-1", &cx).is_err());
    }
}
