//! `TPROXY`: deliver the packet to a local socket without changing its
//! header (transparent proxying; `libxt_TPROXY.c` revision 1, kernel
//! `xt_TPROXY.c`). mangle PREROUTING only, `-p tcp` or `-p udp`.
//! iptables-save always prints `--on-ip` and `--tproxy-mark`.

use std::fmt::Write;

use crate::ext::targets::tee::{host, host_name_note};
use crate::ext::value::{parse_port, ArgCx, Value};
use crate::ext::{ArgType, CheckCx, ExtInstance, ExtKind, ExtSpec, Families, Hook, OptSpec, TargetEffect};

/// A port as `getaddrinfo` reads a numeric service: decimal, taken as a
/// C `int` (negative fails) and cut to 16 bits; or a service name.
fn on_port(s: &str, _: &ArgCx) -> Result<Value, String> {
    let p = if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        let n = s.parse::<u64>().unwrap_or(u64::MAX);
        let v = n as u32 as i32;
        if v < 0 {
            return Err(format!("port `{s}` does not resolve to anything"));
        }
        (v & 0xffff) as u16
    } else {
        match parse_port(s) {
            Ok(p) if !s.starts_with(|c: char| c.is_ascii_digit() || c == '-') => p,
            _ => return Err(format!("port `{s}` does not resolve to anything")),
        }
    };
    Ok(Value::Ports(vec![(p, p)]))
}

fn on_ip(s: &str, cx: &ArgCx) -> Result<Value, String> {
    host(s, cx)
}

pub static OPTIONS: [OptSpec; 3] = [
    OptSpec::new("on-port", ArgType::Custom(on_port), "local port to deliver to (0: the original port)").mand(),
    OptSpec::new(
        "on-ip",
        ArgType::Custom(on_ip),
        "local address to deliver to (default: the address of the incoming interface)",
    ),
    OptSpec::new("tproxy-mark", ArgType::MarkMask, "value[/mask] to set in the packet mark (for policy routing)"),
];

fn save_with(inst: &ExtInstance, out: &mut String, any: &str) {
    if let Some(o) = inst.opt("on-port") {
        let _ = write!(out, " --on-port {}", o.value);
    }
    let ip = inst.opt("on-ip").map_or_else(|| any.to_string(), |o| o.value.to_string());
    let _ = write!(out, " --on-ip {ip}");
    let (v, m) = match inst.opt("tproxy-mark").map(|o| &o.value) {
        Some(Value::Mark { value, mask }) => (*value, *mask),
        _ => (0, 0),
    };
    let _ = write!(out, " --tproxy-mark {v:#x}/{m:#x}");
}

fn save4(inst: &ExtInstance, out: &mut String) {
    save_with(inst, out, "0.0.0.0");
}

fn save6(inst: &ExtInstance, out: &mut String) {
    save_with(inst, out, "::");
}

fn check(cx: &mut CheckCx) {
    host_name_note(cx, "on-ip");
}

const SUMMARY: &str = "deliver the packet to a local socket unchanged (mangle PREROUTING, -p tcp|udp)";

pub static SPEC: ExtSpec = ExtSpec {
    families: Families::V4,
    options: &OPTIONS,
    proto: &["tcp", "udp"],
    tables: &["mangle"],
    hooks: &[Hook::Prerouting],
    effect: TargetEffect::Rewrite,
    save: Some(save4),
    check: Some(check),
    ..ExtSpec::new("TPROXY", ExtKind::Target, SUMMARY)
};

pub static SPEC6: ExtSpec = ExtSpec {
    families: Families::V6,
    options: &OPTIONS,
    proto: &["tcp", "udp"],
    tables: &["mangle"],
    hooks: &[Hook::Prerouting],
    effect: TargetEffect::Rewrite,
    save: Some(save6),
    check: Some(check),
    ..ExtSpec::new("TPROXY", ExtKind::Target, SUMMARY)
};

pub static SPECS: &[&ExtSpec] = &[&SPEC, &SPEC6];
