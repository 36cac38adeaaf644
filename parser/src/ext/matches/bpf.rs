//! `bpf`: a classic BPF program, or a pinned eBPF object, decides
//! (`libxt_bpf.c` revision 1, kernel `xt_bpf.c`). The bytecode is kept
//! opaque but read like iptables reads it, and checked like the kernel's
//! `bpf_check_classic`, which refuses bad programs when the rule loads.

use std::fmt::Write;

use crate::codes;
use crate::diagnostic::Diagnostic;
use crate::ext::value::{ArgCx, Value};
use crate::ext::{ArgType, CheckCx, ExtInstance, ExtKind, ExtSpec, OptSpec};

/// One classic BPF instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Insn {
    pub code: u16,
    pub jt: u8,
    pub jf: u8,
    pub k: u32,
}

/// `sscanf("%u")`-like: blanks, a sign, decimal digits; negative numbers
/// wrap. Returns the value and the rest.
fn scan_uint(s: &str) -> Option<(u64, &str)> {
    let t = s.trim_start();
    let (neg, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let n = t.bytes().take_while(u8::is_ascii_digit).count();
    if n == 0 {
        return None;
    }
    let v = t[..n].parse::<u64>().unwrap_or(u64::MAX);
    Some((if neg { v.wrapping_neg() } else { v }, &t[n..]))
}

/// `N,code jt jf k,code jt jf k,…` as iptables reads it.
pub fn parse_program(s: &str) -> Result<Vec<Insn>, String> {
    if s.starts_with('\'') {
        return Err("iptables-restore does not read `'` as a quote: put the program in double quotes".into());
    }
    let (len, rest) = scan_uint(s)
        .filter(|(_, r)| r.starts_with(','))
        .ok_or("error parsing program length (want `N,code jt jf k,…`)")?;
    let len = len as u16;
    if len == 0 {
        return Err("illegal zero length program".into());
    }
    if len > 64 {
        return Err(format!("{len} instructions: at most 64"));
    }
    let mut prog = Vec::new();
    let mut token = rest;
    while let Some(pos) = token.find(',') {
        token = &token[pos + 1..];
        if token.is_empty() {
            break;
        }
        if prog.len() >= usize::from(len) {
            return Err(format!("the program is longer than its length {len}"));
        }
        let i = prog.len();
        let bad = || format!("error at instruction {i}: want `code jt jf k`");
        let (code, r) = scan_uint(token).ok_or_else(bad)?;
        let (jt, r) = scan_uint(r).ok_or_else(bad)?;
        let (jf, r) = scan_uint(r).ok_or_else(bad)?;
        let (k, _) = scan_uint(r).ok_or_else(bad)?;
        prog.push(Insn { code: code as u16, jt: jt as u8, jf: jf as u8, k: k as u32 });
    }
    if prog.len() != usize::from(len) {
        return Err(format!("the program has {} instructions, its length says {len}", prog.len()));
    }
    Ok(prog)
}

fn allowed(code: u16) -> bool {
    const ALU: u16 = 0x04;
    const JMP: u16 = 0x05;
    match code {
        // 32-bit ALU with K or X: add sub mul div or and lsh rsh mod xor.
        c if c & 0x07 == ALU => {
            let op = c & 0xf0;
            (c & !0xf8 == ALU && [0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x90, 0xa0].contains(&op))
                || c == ALU | 0x80
        }
        // ld: W/H/B abs and ind, W len, imm, mem.
        0x20 | 0x28 | 0x30 | 0x80 | 0x40 | 0x48 | 0x50 | 0x00 | 0x60 => true,
        // ldx: W len, B msh, imm, mem.
        0x81 | 0xb1 | 0x01 | 0x61 => true,
        // st, stx, tax, txa, ret K, ret A.
        0x02 | 0x03 | 0x07 | 0x87 | 0x06 | 0x16 => true,
        // ja; jeq jgt jge jset with K or X.
        c if c & 0x07 == JMP => c == JMP || (c & !0xf8 == JMP && [0x10, 0x20, 0x30, 0x40].contains(&(c & 0xf0))),
        _ => false,
    }
}

/// The kernel's `bpf_check_classic`.
pub fn check_classic(prog: &[Insn]) -> Result<(), String> {
    let flen = prog.len();
    for (pc, f) in prog.iter().enumerate() {
        if !allowed(f.code) {
            return Err(format!("instruction {pc}: opcode {} is not allowed", f.code));
        }
        let k = f.k;
        match f.code {
            0x34 | 0x94 if k == 0 => return Err(format!("instruction {pc}: division by zero")),
            0x64 | 0x74 if k >= 32 => return Err(format!("instruction {pc}: shift by {k}")),
            0x60 | 0x61 | 0x02 | 0x03 if k >= 16 => return Err(format!("instruction {pc}: memory slot {k} (0-15)")),
            0x05 if k as usize >= flen - pc - 1 => return Err(format!("instruction {pc}: jump beyond the end")),
            c if c & 0x07 == 0x05
                && c != 0x05
                && (pc + f.jt as usize + 1 >= flen || pc + f.jf as usize + 1 >= flen) =>
            {
                return Err(format!("instruction {pc}: jump beyond the end"))
            }
            0x20 | 0x28 | 0x30 if k >= 0xffff_f000 => {
                let off = k - 0xffff_f000;
                if off > 60 || off % 4 != 0 {
                    return Err(format!("instruction {pc}: unknown ancillary load"));
                }
            }
            _ => {}
        }
    }
    if !matches!(prog.last().map(|f| f.code), Some(0x06 | 0x16)) {
        return Err("the last instruction must be a return".into());
    }
    // Memory slots are read only after a write on every path.
    let mut masks = vec![0xffffu16; flen];
    let mut valid = 0u16;
    for (pc, f) in prog.iter().enumerate() {
        valid &= masks[pc];
        match f.code {
            0x02 | 0x03 => valid |= 1 << f.k,
            0x60 | 0x61 if valid & (1 << f.k) == 0 => {
                return Err(format!("instruction {pc}: reads memory slot {} before any write", f.k))
            }
            0x05 => {
                masks[pc + 1 + f.k as usize] &= valid;
                valid = 0xffff;
            }
            c if c & 0x07 == 0x05 => {
                masks[pc + 1 + f.jt as usize] &= valid;
                masks[pc + 1 + f.jf as usize] &= valid;
                valid = 0xffff;
            }
            _ => {}
        }
    }
    Ok(())
}

fn parse_bytecode(s: &str, _: &ArgCx) -> Result<Value, String> {
    let prog = parse_program(s)?;
    let mut text = format!("{},", prog.len());
    let body: Vec<String> = prog.iter().map(|f| format!("{} {} {} {}", f.code, f.jt, f.jf, f.k)).collect();
    text.push_str(&body.join(","));
    Ok(Value::Opaque(vec![text]))
}

/// The kernel field holds 511 bytes.
fn parse_path(s: &str, _: &ArgCx) -> Result<Value, String> {
    Ok(Value::Str(super::helper::truncate(s, 511)))
}

pub static OPTIONS: [OptSpec; 2] = [
    OptSpec::new("bytecode", ArgType::Custom(parse_bytecode), "\"N,code jt jf k,…\" (nfbpf_compile output)"),
    OptSpec::new("object-pinned", ArgType::Custom(parse_path), "path of a pinned eBPF program"),
];

fn check(cx: &mut CheckCx) {
    let span = cx.inst.span;
    match (cx.opt("bytecode"), cx.opt("object-pinned")) {
        (Some(_), Some(_)) | (None, None) => cx.push(Diagnostic::new(
            &codes::OPTION_CONFLICT,
            span,
            "`bpf` needs exactly one of `--bytecode` and `--object-pinned`",
        )),
        (Some(o), None) => {
            let ospan = o.span;
            let prog = parse_program(&o.value.to_string()).unwrap_or_default();
            if let Err(e) = check_classic(&prog) {
                cx.push(Diagnostic::new(
                    &codes::KERNEL_REJECTS,
                    ospan,
                    format!("the kernel refuses this BPF program: {e}"),
                ));
            }
        }
        (None, Some(o)) => {
            let (ospan, path) = (o.span, o.value.to_string());
            cx.push(Diagnostic::new(
                &codes::HOST_REQUIREMENT,
                ospan,
                format!("the eBPF object `{path}` must be pinned on the host when the file loads"),
            ));
        }
    }
}

fn save(inst: &ExtInstance, out: &mut String) {
    if let Some(o) = inst.opt("bytecode") {
        let _ = write!(out, " --bytecode \"{}\"", o.value);
    } else if let Some(o) = inst.opt("object-pinned") {
        let _ = write!(out, " --object-pinned {}", o.value);
    }
}

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    check: Some(check),
    save: Some(save),
    ..ExtSpec::new("bpf", ExtKind::Match, "a classic BPF program or pinned eBPF object decides")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn programs() {
        let p = parse_program("4,48 0 0 9,21 0 1 6,6 0 0 1,6 0 0 0").unwrap();
        assert_eq!(p.len(), 4);
        assert!(check_classic(&p).is_ok());
        assert!(check_classic(&parse_program("1,6 0 0 0").unwrap()).is_ok());
        assert!(parse_program("2,6 0 0 0").is_err());
        assert!(parse_program("1,6 0 0").is_err());
        assert!(parse_program("0,").is_err());
        assert!(check_classic(&parse_program("1,99 0 0 0").unwrap()).is_err());
        // jeq past the end.
        assert!(check_classic(&parse_program("2,21 0 5 6,6 0 0 0").unwrap()).is_err());
        // last instruction not a return.
        assert!(check_classic(&parse_program("1,48 0 0 9").unwrap()).is_err());
        // mem read before write.
        assert!(check_classic(&parse_program("2,96 0 0 1,6 0 0 0").unwrap()).is_err());
        assert!(parse_program("'1,6").unwrap_err().contains("double quotes"));
    }
}
