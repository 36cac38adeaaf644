//! `tcp`: ports, flags and options of TCP segments (`libxt_tcp.c`,
//! kernel `xt_tcpudp.c`). Loaded by `-m tcp` or implicitly by `-p tcp`.

use std::fmt::Write;

use crate::ext::value::{ArgCx, Value, TCP_FLAG_NAMES};
use crate::ext::{ArgType, ExtInstance, ExtKind, ExtSpec, OptSpec};

fn parse_flags(s: &str) -> Result<u8, String> {
    let mut bits = 0u8;
    for part in s.split(',') {
        match part.to_ascii_uppercase().as_str() {
            "ALL" => bits |= 0x3f,
            "NONE" => {}
            name => match TCP_FLAG_NAMES.iter().find(|(n, _)| *n == name) {
                Some((_, b)) => bits |= b,
                None => return Err(format!("unknown TCP flag `{part}` (FIN, SYN, RST, PSH, ACK, URG, ALL, NONE)")),
            },
        }
    }
    Ok(bits)
}

fn tcp_flags(mask: &str, comp: &str, _: &ArgCx) -> Result<Value, String> {
    Ok(Value::TcpFlags { mask: parse_flags(mask)?, comp: parse_flags(comp)? })
}

pub static OPTIONS: [OptSpec; 5] = [
    OptSpec::new("sport", ArgType::PortRange, "source port or port range a:b").invert().aliases(&["source-port"]),
    OptSpec::new("dport", ArgType::PortRange, "destination port or port range a:b")
        .invert()
        .aliases(&["destination-port"]),
    OptSpec::new("syn", ArgType::None, "SYN set, ACK, RST and FIN clear: a connection request")
        .invert()
        .excl(&["tcp-flags"]),
    OptSpec::new(
        "tcp-flags",
        ArgType::Custom2(tcp_flags),
        "MASK COMP: of the flags in MASK, exactly those in COMP are set",
    )
    .invert(),
    OptSpec::new("tcp-option", ArgType::UInt { min: 1, max: 255 }, "the TCP option of this kind number is present")
        .invert(),
];

/// `--syn` is stored as the flags it stands for, so `--syn --tcp-flags` is
/// refused like in iptables ("Only one of --syn or --tcp-flags").
fn save(inst: &ExtInstance, out: &mut String) {
    for name in ["sport", "dport"] {
        if let Some(o) = inst.opt(name) {
            if let Value::Ports(p) = &o.value {
                if p[0] == (0, 65535) && !o.negated {
                    continue;
                }
            }
            let neg = if o.negated { "! " } else { "" };
            let _ = write!(out, " {neg}--{name} {}", o.value);
        }
    }
    for o in inst.options.iter().filter(|o| o.name == "syn" || o.name == "tcp-flags") {
        let neg = if o.negated { "! " } else { "" };
        let flags = match o.value {
            Value::TcpFlags { .. } => o.value.clone(),
            // `--syn` stands for these flags.
            _ => Value::TcpFlags { mask: 0x17, comp: 0x02 },
        };
        let _ = write!(out, " {neg}--tcp-flags {flags}");
    }
    if let Some(o) = inst.opt("tcp-option") {
        let neg = if o.negated { "! " } else { "" };
        let _ = write!(out, " {neg}--tcp-option {}", o.value);
    }
}

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    proto: &["tcp"],
    save: Some(save),
    ..ExtSpec::new("tcp", ExtKind::Match, "TCP ports, flags and options")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];
