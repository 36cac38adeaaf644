//! `multiport`: up to 15 source or destination ports and port ranges
//! (`libxt_multiport.c` revision 1, kernel `xt_multiport.c`). Needs
//! `-p tcp`, `udp`, `udplite`, `sctp` or `dccp` before its option.

use std::fmt::Write;

use crate::ext::value::{parse_port, ArgCx, Value, NEEDS_PROTOCOL};
use crate::ext::{ArgType, ExtInstance, ExtKind, ExtSpec, OptSpec};

/// Slots in the kernel's list; a range takes two.
const MAX_SLOTS: usize = 15;
const PROTOS: [u8; 5] = [6, 17, 136, 132, 33];

/// `parse_multi_ports_v1` after `check_proto`.
fn ports(s: &str, cx: &ArgCx) -> Result<Value, String> {
    match cx.proto {
        Some(p) if PROTOS.contains(&p) => {}
        Some(_) => {
            return Err(format!("{NEEDS_PROTOCOL}`-p tcp`, `udp`, `udplite`, `sctp` or `dccp`: multiport works only with those"))
        }
        None => {
            return Err(format!(
                "{NEEDS_PROTOCOL}`-p tcp`, `-p udp`, `-p udplite`, `-p sctp` or `-p dccp` (not negated) before multiport's option"
            ))
        }
    }
    let mut out: Vec<(u16, u16)> = Vec::new();
    let mut slots = 0;
    for part in s.split(',') {
        if slots >= MAX_SLOTS {
            return Err(format!("too many ports in `{s}`: at most {MAX_SLOTS}, a range counting twice"));
        }
        match part.split_once(':') {
            None => {
                let p = parse_port(part)?;
                out.push((p, p));
                slots += 1;
            }
            Some((a, b)) => {
                if slots == MAX_SLOTS - 1 {
                    return Err(format!("too many ports in `{s}`: at most {MAX_SLOTS}, a range counting twice"));
                }
                let (lo, hi) = (parse_port(a)?, parse_port(b)?);
                if lo >= hi {
                    return Err(format!("invalid port range `{part}`: the first port must be lower"));
                }
                out.push((lo, hi));
                slots += 2;
            }
        }
    }
    Ok(Value::Ports(out))
}

pub static OPTIONS: [OptSpec; 3] = [
    OptSpec::new(
        "sports",
        ArgType::Custom(ports),
        "source ports: port[,port|,port:port]… (at most 15, ranges count twice)",
    )
    .invert()
    .aliases(&["source-ports"])
    .excl(&["dports", "ports"]),
    OptSpec::new(
        "dports",
        ArgType::Custom(ports),
        "destination ports: port[,port|,port:port]… (at most 15, ranges count twice)",
    )
    .invert()
    .aliases(&["destination-ports"])
    .excl(&["sports", "ports"]),
    OptSpec::new("ports", ArgType::Custom(ports), "source or destination ports: port[,port|,port:port]…")
        .invert()
        .excl(&["sports", "dports"]),
];

fn check(cx: &mut crate::ext::CheckCx) {
    if cx.inst.options.is_empty() {
        let d = crate::diagnostic::Diagnostic::new(
            &crate::codes::OPTION_CONFLICT,
            cx.inst.span,
            "`multiport` needs `--sports`, `--dports` or `--ports`",
        );
        cx.push(d);
    }
}

fn save(inst: &ExtInstance, out: &mut String) {
    for spec in OPTIONS.iter() {
        if let Some(o) = inst.opt(spec.name) {
            let neg = if o.negated { " !" } else { "" };
            let _ = write!(out, "{neg} --{} {}", spec.name, o.value);
        }
    }
}

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    proto: &["tcp", "udp", "udplite", "sctp", "dccp"],
    check: Some(check),
    save: Some(save),
    ..ExtSpec::new("multiport", ExtKind::Match, "up to 15 ports or port ranges")
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
            rt("-p tcp -m multiport ! --destination-ports http,443,8000:8080").unwrap(),
            "-A INPUT -p tcp -m multiport ! --dports 80,443,8000:8080"
        );
        assert!(rt("-p tcp -m multiport --sports 1,2,3,4,5,6,7,8,9,10,11,12,13,14:16").is_ok());
        assert!(rt("-p tcp -m multiport --sports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15").is_ok());
        assert!(rt("-p tcp -m multiport --sports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16").is_err());
        assert!(rt("-p tcp -m multiport --sports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15:16").is_err());
        assert!(rt("-m multiport --dports 80 -p tcp").is_err());
        assert!(rt("-p icmp -m multiport --dports 80").is_err());
        assert!(rt("-p tcp -m multiport --ports 5:5").is_err());
        assert!(rt("-p tcp -m multiport --dports 80,").is_err());
        assert!(rt("-p tcp -m multiport --sports 80 --dports 22").is_err());
        assert!(rt("-p tcp -m multiport").is_err());
        assert!(rt("-p udplite -m multiport --dports 5").is_ok());
    }
}
