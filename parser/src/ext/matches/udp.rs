//! `udp`: UDP ports (`libxt_udp.c`, kernel `xt_tcpudp.c`). Loaded by
//! `-m udp` or implicitly by `-p udp`.

use std::fmt::Write;

use crate::ext::value::{parse_portrc, Value};
use crate::ext::{ArgType, ExtInstance, ExtKind, ExtSpec, OptSpec};

pub static OPTIONS: [OptSpec; 2] = [
    OptSpec::new("sport", ArgType::Custom(parse_portrc), "source port or port range a:b")
        .invert()
        .aliases(&["source-port"]),
    OptSpec::new("dport", ArgType::Custom(parse_portrc), "destination port or port range a:b")
        .invert()
        .aliases(&["destination-port"]),
];

fn save(inst: &ExtInstance, out: &mut String) {
    for name in ["sport", "dport"] {
        if let Some(o) = inst.opt(name) {
            if matches!(&o.value, Value::Ports(p) if p[0] == (0, 65535)) && !o.negated {
                continue;
            }
            let neg = if o.negated { "! " } else { "" };
            let _ = write!(out, " {neg}--{name} {}", o.value);
        }
    }
}

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    proto: &["udp"],
    save: Some(save),
    ..ExtSpec::new("udp", ExtKind::Match, "UDP ports")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];
