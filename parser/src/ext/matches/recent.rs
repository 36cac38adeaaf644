//! `recent`: remember source (or destination) addresses in a named list
//! and match on how recently and how often they were seen
//! (`libxt_recent.c` revision 1, kernel `xt_recent.c`).

use std::fmt::Write;

use crate::codes;
use crate::diagnostic::Diagnostic;
use crate::ext::value::{parse_ip, ArgCx, Value};
use crate::ext::{ArgType, CheckCx, ExtInstance, ExtKind, ExtSpec, Families, OptSpec};

/// `XT_RECENT_NAME_LEN - 1`: longer names are cut, not refused.
const MAX_NAME: usize = 199;
/// Since Linux 6.11 the kernel takes hit counts up to 65535; before, 255.
const MAX_HITCOUNT: u64 = 65535;
const OLD_MAX_HITCOUNT: u64 = 255;

const OPS: [&str; 4] = ["set", "rcheck", "update", "remove"];

fn mask(s: &str, cx: &ArgCx) -> Result<Value, String> {
    parse_ip(s, cx.family).map(|a| Value::Text(a.to_string()))
}

pub static OPTIONS: [OptSpec; 12] = [
    OptSpec::new("set", ArgType::None, "add the address to the list (or refresh it)")
        .invert()
        .excl(&["rcheck", "update", "remove"]),
    OptSpec::new("rcheck", ArgType::None, "the address is in the list").invert().excl(&["set", "update", "remove"]),
    OptSpec::new("update", ArgType::None, "the address is in the list; refresh its last-seen time")
        .invert()
        .excl(&["set", "rcheck", "remove"]),
    OptSpec::new("remove", ArgType::None, "the address is in the list; remove it")
        .invert()
        .excl(&["set", "rcheck", "update"]),
    OptSpec::new(
        "seconds",
        ArgType::UInt { min: 1, max: u32::MAX as u64 },
        "with --rcheck/--update: seen within the last N seconds",
    ),
    OptSpec::new("reap", ArgType::None, "with --seconds: purge entries older than that").also(&["seconds"]),
    OptSpec::new(
        "hitcount",
        ArgType::UInt { min: 0, max: u32::MAX as u64 },
        "with --rcheck/--update: seen at least N times",
    ),
    OptSpec::new("rttl", ArgType::None, "with --rcheck/--update: the TTL also equals the one recorded")
        .excl(&["set", "remove"]),
    OptSpec::new("name", ArgType::Str { max: usize::MAX }, "name of the list (default DEFAULT)"),
    OptSpec::new("mask", ArgType::Custom(mask), "netmask applied to the address"),
    OptSpec::new("rsource", ArgType::None, "use the source address (default)"),
    OptSpec::new("rdest", ArgType::None, "use the destination address"),
];

/// `recent_check` (one operation is needed) and the kernel's
/// `recent_mt_check`.
fn check(cx: &mut CheckCx) {
    let Some(op) = OPS.iter().copied().find(|o| cx.has(o)) else {
        let d = Diagnostic::new(
            &codes::OPTION_CONFLICT,
            cx.inst.span,
            "`recent` needs one of `--set`, `--rcheck`, `--update`, `--remove`",
        );
        cx.push(d);
        return;
    };
    super::comment::warn_truncated(cx, "name", MAX_NAME);
    let mut found = Vec::new();
    if matches!(op, "set" | "remove") {
        for extra in ["seconds", "hitcount", "reap", "rttl"] {
            if let Some(o) = cx.opt(extra) {
                found.push(Diagnostic::new(
                    &codes::KERNEL_REJECTS,
                    o.span,
                    format!(
                        "`--{extra}` applies to `--rcheck` and `--update` only; the kernel refuses it with `--{op}`"
                    ),
                ));
            }
        }
    }
    if let Some(o) = cx.opt("hitcount") {
        if let Value::UInt(n) = o.value {
            if n > MAX_HITCOUNT {
                found.push(Diagnostic::new(
                    &codes::KERNEL_REJECTS,
                    o.span,
                    format!("`--hitcount {n}` is above the kernel's maximum of {MAX_HITCOUNT}"),
                ));
            } else if n > OLD_MAX_HITCOUNT {
                found.push(
                    Diagnostic::new(
                        &codes::OLD_KERNEL_REJECTS,
                        o.span,
                        format!("`--hitcount {n}` is above 255: kernels before 6.11 refuse it"),
                    )
                    .note("Linux 6.11 raised the maximum to 65535"),
                );
            }
        }
    }
    if let Some(o) = cx.opt("name") {
        let n = o.value.to_string();
        if n.is_empty() || n.contains('/') {
            found.push(Diagnostic::new(
                &codes::KERNEL_REJECTS,
                o.span,
                "the list name may not be empty or contain `/` (it becomes a file in /proc/net/xt_recent)",
            ));
        }
    }
    for d in found {
        cx.push(d);
    }
}

fn save_common(inst: &ExtInstance, out: &mut String, full_mask: &str) {
    if inst.options.iter().any(|o| OPS.contains(&o.name.as_str()) && o.negated) {
        out.push_str(" !");
    }
    for op in OPS {
        if inst.opt(op).is_some() {
            let _ = write!(out, " --{op}");
        }
    }
    if let Some(o) = inst.opt("seconds") {
        let _ = write!(out, " --seconds {}", o.value);
    }
    if inst.opt("reap").is_some() {
        out.push_str(" --reap");
    }
    if let Some(o) = inst.opt("hitcount").filter(|o| o.value != Value::UInt(0)) {
        let _ = write!(out, " --hitcount {}", o.value);
    }
    if inst.opt("rttl").is_some() {
        out.push_str(" --rttl");
    }
    let name = inst.opt("name").map_or_else(|| "DEFAULT".to_string(), |o| o.value.to_string());
    let _ = write!(out, " --name {}", super::comment::truncate(&name, MAX_NAME));
    let mask = inst.opt("mask").map_or_else(|| full_mask.to_string(), |o| o.value.to_string());
    let _ = write!(out, " --mask {mask}");
    // The last of --rsource/--rdest wins.
    let dest =
        inst.options.iter().rev().find(|o| o.name == "rsource" || o.name == "rdest").is_some_and(|o| o.name == "rdest");
    out.push_str(if dest { " --rdest" } else { " --rsource" });
}

fn save4(inst: &ExtInstance, out: &mut String) {
    save_common(inst, out, "255.255.255.255");
}

fn save6(inst: &ExtInstance, out: &mut String) {
    save_common(inst, out, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
}

/// IPv4 and IPv6 differ only in the default `--mask` printed.
pub static SPEC: ExtSpec = ExtSpec {
    families: Families::V4,
    options: &OPTIONS,
    check: Some(check),
    save: Some(save4),
    ..ExtSpec::new("recent", ExtKind::Match, "addresses seen recently, kept in a named list")
};

pub static SPEC6: ExtSpec = ExtSpec { families: Families::V6, save: Some(save6), ..SPEC };

pub static SPECS: &[&ExtSpec] = &[&SPEC, &SPEC6];

#[cfg(test)]
mod tests {
    use super::super::icmp::roundtrip;

    #[test]
    fn forms() {
        let v4 = crate::Family::V4;
        let rt = |r| roundtrip(v4, "filter", r);
        assert_eq!(
            rt("-m recent --set").unwrap(),
            "-A INPUT -m recent --set --name DEFAULT --mask 255.255.255.255 --rsource"
        );
        assert_eq!(
            rt("-m recent ! --rcheck --seconds 60 --reap --hitcount 0 --rdest --rsource --name x --mask 255.255.0.0")
                .unwrap(),
            "-A INPUT -m recent ! --rcheck --seconds 60 --reap --name x --mask 255.255.0.0 --rsource"
        );
        assert!(rt("-m recent --set --seconds 5").is_err());
        assert!(rt("-m recent --set --rttl").is_err());
        assert!(rt("-m recent --update --reap").is_err());
        assert!(rt("-m recent --rcheck --name a/b").is_err());
        assert!(rt("-m recent --rcheck --hitcount 65536").is_err());
        assert!(rt("-m recent --rcheck --hitcount 999").is_ok());
        assert!(rt("-m recent --rcheck --mask 1.2.3.4/8").is_err());
        assert!(rt("-m recent --name x").is_err());
        let long = "n".repeat(300);
        assert_eq!(
            rt(&format!("-m recent --rcheck --name {long}")).unwrap(),
            format!("-A INPUT -m recent --rcheck --name {} --mask 255.255.255.255 --rsource", &long[..199])
        );
        assert_eq!(
            roundtrip(crate::Family::V6, "filter", "-m recent --update --rdest --mask ffff::").unwrap(),
            "-A INPUT -m recent --update --name DEFAULT --mask ffff:: --rdest"
        );
        assert_eq!(
            roundtrip(crate::Family::V6, "filter", "-m recent --set").unwrap(),
            "-A INPUT -m recent --set --name DEFAULT --mask ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff --rsource"
        );
    }
}
