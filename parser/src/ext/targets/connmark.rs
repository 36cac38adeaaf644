//! `CONNMARK`: set the connection mark, or copy it from/to the packet mark
//! (`libxt_CONNMARK.c` revision 2, kernel `xt_connmark.c`). Options act in
//! the order written (a later `--ctmask` overrides the mask of
//! `--set-mark`), so the printer replays them.

use std::fmt::Write;

use crate::ext::targets::mark::{require_op, xmark};
use crate::ext::value::Value;
use crate::ext::{ArgType, CheckCx, ExtInstance, ExtKind, ExtSpec, OptSpec};

const U32: ArgType = ArgType::UInt { min: 0, max: u32::MAX as u64 };

const OPS: [&str; 7] = ["set-xmark", "set-mark", "and-mark", "or-mark", "xor-mark", "save-mark", "restore-mark"];

pub static OPTIONS: [OptSpec; 12] = [
    OptSpec::new(
        "set-xmark",
        ArgType::MarkMask,
        "value[/mask]: clear the mask bits of the connmark, then XOR the value",
    )
    .excl(&["set-mark", "and-mark", "or-mark", "xor-mark", "save-mark", "restore-mark"]),
    OptSpec::new("set-mark", ArgType::MarkMask, "value[/mask]: clear the mask bits of the connmark, then OR the value")
        .excl(&["set-xmark", "and-mark", "or-mark", "xor-mark", "save-mark", "restore-mark"]),
    OptSpec::new("and-mark", U32, "AND the connmark with these bits").excl(&[
        "set-xmark",
        "set-mark",
        "or-mark",
        "xor-mark",
        "save-mark",
        "restore-mark",
    ]),
    OptSpec::new("or-mark", U32, "OR these bits into the connmark").excl(&[
        "set-xmark",
        "set-mark",
        "and-mark",
        "xor-mark",
        "save-mark",
        "restore-mark",
    ]),
    OptSpec::new("xor-mark", U32, "XOR these bits into the connmark").excl(&[
        "set-xmark",
        "set-mark",
        "and-mark",
        "or-mark",
        "save-mark",
        "restore-mark",
    ]),
    OptSpec::new("save-mark", ArgType::None, "copy the packet mark to the connection mark").excl(&[
        "set-xmark",
        "set-mark",
        "and-mark",
        "or-mark",
        "xor-mark",
        "restore-mark",
    ]),
    OptSpec::new("restore-mark", ArgType::None, "copy the connection mark to the packet mark").excl(&[
        "set-xmark",
        "set-mark",
        "and-mark",
        "or-mark",
        "xor-mark",
        "save-mark",
    ]),
    OptSpec::new("left-shift-mark", ArgType::UInt { min: 0, max: 32 }, "shift the copied mark left by this many bits"),
    OptSpec::new(
        "right-shift-mark",
        ArgType::UInt { min: 0, max: 32 },
        "shift the copied mark right by this many bits",
    ),
    OptSpec::new("ctmask", U32, "bits of the connection mark to change or copy").excl(&["mask"]),
    OptSpec::new("nfmask", U32, "bits of the packet mark to change or copy").excl(&["mask"]),
    OptSpec::new("mask", U32, "both --ctmask and --nfmask").excl(&["ctmask", "nfmask"]),
];

fn save(inst: &ExtInstance, out: &mut String) {
    // mode: 0 set, 1 save, 2 restore
    let (mut mode, mut ctmark) = (None, 0u32);
    let (mut ctmask, mut nfmask) = (u32::MAX, u32::MAX);
    let mut shift: Option<(&str, u64)> = None;
    for o in &inst.options {
        let num = match &o.value {
            Value::UInt(n) => *n,
            _ => 0,
        };
        match o.name.as_str() {
            "save-mark" => mode = Some(1),
            "restore-mark" => mode = Some(2),
            "ctmask" => ctmask = num as u32,
            "nfmask" => nfmask = num as u32,
            "mask" => {
                ctmask = num as u32;
                nfmask = num as u32;
            }
            "left-shift-mark" | "right-shift-mark" => shift = Some((&o.name, num)),
            _ => {
                if let Some((v, m)) = xmark(o) {
                    mode = Some(0);
                    ctmark = v;
                    ctmask = m;
                }
            }
        }
    }
    match mode {
        Some(0) => {
            let _ = write!(out, " --set-xmark {ctmark:#x}/{ctmask:#x}");
        }
        Some(m) => {
            let name = if m == 1 { "save-mark" } else { "restore-mark" };
            let _ = write!(out, " --{name} --nfmask {nfmask:#x} --ctmask {ctmask:#x}");
        }
        None => {}
    }
    if let Some((name, bits)) = shift.filter(|s| s.1 != 0) {
        let _ = write!(out, " --{name} {bits}");
    }
}

fn check(cx: &mut CheckCx) {
    require_op(cx, &OPS, "CONNMARK");
}

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    save: Some(save),
    check: Some(check),
    ..ExtSpec::new(
        "CONNMARK",
        ExtKind::Target,
        "set the connection mark or copy it from/to the packet mark, then continue",
    )
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];
