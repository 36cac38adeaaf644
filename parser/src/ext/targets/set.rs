//! `SET`: add the packet's addresses/ports to an ipset, delete them, or
//! map ipset entry data onto the packet (`libxt_SET.c` revision 3, kernel
//! `xt_set.c`). The sets must exist on the host when the file loads.
//! iptables accepts a `!` before the set options and ignores it.

use std::fmt::Write;

use crate::codes;
use crate::diagnostic::Diagnostic;
use crate::ext::value::{parse_c_uint, ArgCx, Value};
use crate::ext::{ArgType, CheckCx, ExtInstance, ExtKind, ExtSpec, Hook, OptSpec};

/// `NAME src|dst[,src|dst]…` (at most 6 directions).
fn set_and_dirs(name: &str, dirs: &str, _: &ArgCx) -> Result<Value, String> {
    if name.len() > 31 {
        return Err(format!("set name `{name}` is longer than 31 characters"));
    }
    let parts: Vec<&str> = dirs.split(',').collect();
    if parts.len() > 6 {
        return Err("at most 6 src/dst directions".into());
    }
    for p in &parts {
        if *p != "src" && *p != "dst" {
            return Err(format!("`{dirs}`: give a comma-separated list of `src` and `dst`"));
        }
    }
    Ok(Value::Opaque(vec![name.to_string(), dirs.to_string()]))
}

fn timeout(s: &str, _: &ArgCx) -> Result<Value, String> {
    match parse_c_uint(s) {
        Some(n) if n < u32::MAX as u64 => Ok(Value::UInt(n)),
        _ => Err(format!("`{s}` is not a timeout (0-4294967294 seconds)")),
    }
}

pub static OPTIONS: [OptSpec; 8] = [
    OptSpec::new(
        "add-set",
        ArgType::Custom2(set_and_dirs),
        "NAME src|dst[,…]: add the packet's address/port to the set",
    )
    .invert(),
    OptSpec::new(
        "del-set",
        ArgType::Custom2(set_and_dirs),
        "NAME src|dst[,…]: delete the packet's address/port from the set",
    )
    .invert(),
    OptSpec::new("exist", ArgType::None, "with --add-set: refresh the timeout of an entry that exists")
        .also(&["add-set"]),
    OptSpec::new("timeout", ArgType::Custom(timeout), "with --add-set: timeout of the added entry (seconds)")
        .also(&["add-set"]),
    OptSpec::new(
        "map-set",
        ArgType::Custom2(set_and_dirs),
        "NAME src|dst[,…]: copy the matching entry's data to the packet",
    )
    .invert(),
    OptSpec::new("map-mark", ArgType::None, "with --map-set: set the packet mark from the entry (mangle table)")
        .also(&["map-set"]),
    OptSpec::new(
        "map-prio",
        ArgType::None,
        "with --map-set: set the priority from the entry (mangle FORWARD, OUTPUT, POSTROUTING)",
    )
    .also(&["map-set"]),
    OptSpec::new(
        "map-queue",
        ArgType::None,
        "with --map-set: set the tx queue from the entry (mangle FORWARD, OUTPUT, POSTROUTING)",
    )
    .also(&["map-set"]),
];

fn save(inst: &ExtInstance, out: &mut String) {
    for name in ["add-set", "exist", "timeout", "del-set", "map-set", "map-mark", "map-prio", "map-queue"] {
        if let Some(o) = inst.opt(name) {
            let _ = write!(out, " --{name}");
            let v = o.value.to_string();
            if !v.is_empty() {
                let _ = write!(out, " {v}");
            }
        }
    }
}

fn check(cx: &mut CheckCx) {
    let span = cx.inst.span;
    if !["add-set", "del-set", "map-set"].iter().any(|o| cx.has(o)) {
        cx.push(Diagnostic::new(&codes::OPTION_CONFLICT, span, "`SET` needs --add-set, --del-set or --map-set"));
        return;
    }
    if cx.has("map-set") && !["map-mark", "map-prio", "map-queue"].iter().any(|o| cx.has(o)) {
        cx.push(Diagnostic::new(
            &codes::OPTION_CONFLICT,
            span,
            "`SET --map-set` needs --map-mark, --map-prio or --map-queue",
        ));
        return;
    }
    if ["map-mark", "map-prio", "map-queue"].iter().any(|o| cx.has(o)) && cx.rule.table != "mangle" {
        cx.push(Diagnostic::new(
            &codes::WRONG_CHAIN,
            span,
            "`SET --map-set` with --map-mark/--map-prio/--map-queue works only in the mangle table",
        ));
        return;
    }
    if cx.has("map-prio") || cx.has("map-queue") {
        let ok = [Hook::Forward, Hook::Output, Hook::Postrouting];
        let bad: Vec<&str> = cx
            .rule
            .hooks
            .iter()
            // Checked inside the kernel's checkentry, which sees the hooks
            // of built-in chains only (in a user chain it loads anywhere).
            .filter(|_| Hook::from_chain(&cx.rule.chain).is_some())
            .filter(|h| !ok.contains(h))
            .map(|h| h.chain_name())
            .collect();
        if !bad.is_empty() {
            cx.push(Diagnostic::new(
                &codes::WRONG_CHAIN,
                span,
                format!(
                    "`--map-prio`/`--map-queue` work only in FORWARD, OUTPUT and POSTROUTING, not in {}",
                    bad.join(", ")
                ),
            ));
            return;
        }
    }
    let sets: Vec<(crate::span::Span, String)> = cx
        .inst
        .options
        .iter()
        .filter_map(|o| match &o.value {
            Value::Opaque(w) => Some((o.span, w[0].clone())),
            _ => None,
        })
        .collect();
    for (span, name) in sets {
        cx.push(Diagnostic::new(
            &codes::HOST_REQUIREMENT,
            span,
            format!("ipset `{name}` must exist when the file loads (`ipset create {name} …`)"),
        ));
    }
}

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    save: Some(save),
    check: Some(check),
    ..ExtSpec::new("SET", ExtKind::Target, "add to, delete from or map from an ipset, then continue")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];
