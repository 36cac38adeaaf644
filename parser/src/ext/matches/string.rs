//! `string`: a byte pattern in the packet, searched with a kernel text
//! search algorithm (`libxt_string.c` revision 1, kernel `xt_string.c`).

use std::fmt::Write;

use crate::codes;
use crate::diagnostic::Diagnostic;
use crate::ext::value::{ArgCx, Value};
use crate::ext::{ArgType, CheckCx, ExtInstance, ExtKind, ExtSpec, OptSpec};

/// `XT_STRING_MAX_PATTERN_SIZE`.
const MAX_PATTERN: usize = 128;
/// The kernel's text search algorithms that take a plain pattern (`fsm`
/// exists but refuses one).
const ALGOS: [&str; 2] = ["bm", "kmp"];

/// How iptables-save prints a pattern: `--string "…"` when every byte is
/// printable (and the last is not `\`), else `--hex-string "|…|"`.
fn canonical(pattern: &[u8]) -> String {
    let printable = pattern.iter().all(|b| (0x20..0x7f).contains(b));
    if !printable || pattern.last() == Some(&b'\\') {
        let hex: String = pattern.iter().map(|b| format!("{b:02x}")).collect();
        format!("--hex-string \"|{hex}|\"")
    } else {
        let mut s = String::from("--string \"");
        for &b in pattern {
            if b == b'"' || b == b'\\' {
                s.push('\\');
            }
            s.push(b as char);
        }
        s.push('"');
        s
    }
}

fn string(s: &str, _: &ArgCx) -> Result<Value, String> {
    if s.len() > MAX_PATTERN {
        return Err(format!("the pattern is {} bytes long; at most {MAX_PATTERN}", s.len()));
    }
    Ok(Value::Text(canonical(s.as_bytes())))
}

/// `parse_hex_string`: text with `|hex bytes|` blocks and `\x` literals.
fn hex_string(s: &str, _: &ArgCx) -> Result<Value, String> {
    let b = s.as_bytes();
    if b.is_empty() {
        return Err("the pattern must hold at least one byte".into());
    }
    let mut out: Vec<u8> = Vec::new();
    let (mut i, mut hex) = (0usize, false);
    while i < b.len() {
        if out.len() >= MAX_PATTERN {
            return Err(format!("the pattern is longer than {MAX_PATTERN} bytes"));
        }
        let mut literal = false;
        if b[i] == b'\\' {
            if hex {
                return Err("a `\\` literal cannot stand inside a |hex| block".into());
            }
            literal = true;
        } else if b[i] == b'|' {
            if hex {
                hex = false;
            } else {
                hex = true;
                while b.get(i + 1) == Some(&b' ') {
                    i += 1;
                }
            }
            if i + 1 >= b.len() {
                break;
            }
            i += 1;
        }
        if literal {
            let Some(&c) = b.get(i + 1) else {
                return Err("a `\\` at the end of the pattern escapes nothing".into());
            };
            out.push(c);
            i += 2;
        } else if hex {
            if i + 1 >= b.len() {
                return Err("odd number of hex digits".into());
            }
            if i + 2 >= b.len() {
                return Err("a |hex| block must end with `|`".into());
            }
            let pair = &s[i..i + 2];
            let v = u8::from_str_radix(pair, 16)
                .ok()
                .filter(|_| pair.bytes().all(|c| c.is_ascii_hexdigit()))
                .ok_or_else(|| format!("invalid hex digits `{pair}`"))?;
            out.push(v);
            i += if b[i + 2] == b' ' { 3 } else { 2 };
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Ok(Value::Text(canonical(&out)))
}

pub static OPTIONS: [OptSpec; 6] = [
    OptSpec::new("string", ArgType::Custom(string), "the text to find (at most 128 bytes)")
        .invert()
        .excl(&["hex-string"]),
    OptSpec::new("hex-string", ArgType::Custom(hex_string), "the bytes to find, hex in |…| blocks: \"|0d0a|GET\"")
        .invert()
        .excl(&["string"]),
    OptSpec::new("algo", ArgType::Str { max: 15 }, "search algorithm: bm (Boyer-Moore) or kmp (Knuth-Pratt-Morris)")
        .mand(),
    OptSpec::new("from", ArgType::UInt { min: 0, max: 65535 }, "offset where the search starts (default 0)"),
    OptSpec::new("to", ArgType::UInt { min: 0, max: 65535 }, "offset where the search ends (default 65535)"),
    OptSpec::new("icase", ArgType::None, "ignore case"),
];

/// `string_check` and the kernel's `string_mt_check`.
fn check(cx: &mut CheckCx) {
    if !cx.has("string") && !cx.has("hex-string") {
        let d = Diagnostic::new(&codes::OPTION_CONFLICT, cx.inst.span, "`string` needs `--string` or `--hex-string`");
        cx.push(d);
        return;
    }
    let mut found = Vec::new();
    if let Some(o) = cx.opt("algo") {
        let a = o.value.to_string();
        if !ALGOS.contains(&a.as_str()) {
            found.push(Diagnostic::new(
                &codes::KERNEL_REJECTS,
                o.span,
                format!("the kernel has no text search algorithm `{a}` (bm, kmp)"),
            ));
        }
    }
    let num = |n: &str| match cx.opt(n).map(|o| &o.value) {
        Some(Value::UInt(v)) => Some(*v),
        _ => None,
    };
    let (from, to) = (num("from").unwrap_or(0), num("to").unwrap_or(65535));
    if from > to {
        let span = cx.opt("from").map_or(cx.inst.span, |o| o.span);
        found.push(Diagnostic::new(&codes::KERNEL_REJECTS, span, format!("`--from {from}` is after `--to {to}`")));
    }
    if let Some(o) = cx.opt("string") {
        if o.value.to_string() == "--string \"\"" {
            found.push(Diagnostic::new(&codes::KERNEL_REJECTS, o.span, "the kernel refuses an empty pattern"));
        }
    }
    for d in found {
        cx.push(d);
    }
}

fn save(inst: &ExtInstance, out: &mut String) {
    if let Some(o) = inst.opt("string").or_else(|| inst.opt("hex-string")) {
        let neg = if o.negated { " !" } else { "" };
        let _ = write!(out, "{neg} {}", o.value);
    }
    if let Some(o) = inst.opt("algo") {
        let _ = write!(out, " --algo {}", o.value);
    }
    if let Some(o) = inst.opt("from").filter(|o| o.value != Value::UInt(0)) {
        let _ = write!(out, " --from {}", o.value);
    }
    if let Some(o) = inst.opt("to").filter(|o| o.value != Value::UInt(65535)) {
        let _ = write!(out, " --to {}", o.value);
    }
    if inst.opt("icase").is_some() {
        out.push_str(" --icase");
    }
}

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    check: Some(check),
    save: Some(save),
    ..ExtSpec::new("string", ExtKind::Match, "a byte pattern in the packet")
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
            rt("-m string --algo bm --from 0 --to 65535 --string \"test\"").unwrap(),
            "-A INPUT -m string --string \"test\" --algo bm"
        );
        assert_eq!(
            rt("-m string --hex-string \"|47 45|T\" --algo kmp --to 100 --icase").unwrap(),
            "-A INPUT -m string --string \"GET\" --algo kmp --to 100 --icase"
        );
        assert_eq!(
            rt("-m string ! --hex-string \"|0d0a|\" --algo bm").unwrap(),
            "-A INPUT -m string ! --hex-string \"|0d0a|\" --algo bm"
        );
        assert!(rt("-m string --algo fsm --string x").is_err());
        assert!(rt("-m string --algo bm --string \"\"").is_err());
        assert!(rt("-m string --algo wrong --string x").is_err());
        assert!(rt("-m string --algo bm").is_err());
        assert!(rt("-m string --string x").is_err());
        assert!(rt("-m string --algo bm --string x --from 10 --to 5").is_err());
        assert!(rt("-m string --algo bm --hex-string \"|0|\"").is_err());
        assert!(rt("-m string --algo bm --string x --hex-string y").is_err());
    }
}
