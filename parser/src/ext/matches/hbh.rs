//! `hbh`: the IPv6 hop-by-hop options header (`libip6t_hbh.c`, kernel
//! `ip6t_hbh.c`). Also home of the `TYPE[:LEN],…` option-list parser
//! `dst` shares.

use std::fmt::Write;

use crate::ext::value::{parse_c_uint, ArgCx, Value};
use crate::ext::{ArgType, ExtInstance, ExtKind, ExtSpec, Families, OptSpec};

/// Up to 16 options `TYPE[:LEN]` (each 8 bit; iptables keeps the low
/// byte of larger numbers); printed `TYPE[:LEN]` joined by commas.
pub fn parse_opts(s: &str, _: &ArgCx) -> Result<Value, String> {
    let num = |t: &str, what: &str| -> Result<u64, String> {
        // strtoul: a leading `-` negates (modulo 2^64).
        let (neg, digits) = match t.trim_start().strip_prefix('-') {
            Some(d) => (true, d),
            None => (false, t),
        };
        let n = parse_c_uint(digits).ok_or_else(|| format!("{what} `{t}` is not a number"))?;
        Ok(if neg { 0u64.wrapping_sub(n) } else { n } & 0xff)
    };
    let parts: Vec<&str> = s.split(',').collect();
    if parts.len() > 16 {
        return Err(format!("at most 16 options, {} given", parts.len()));
    }
    let mut out = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        let (ty, len) = match part.split_once(':') {
            Some((t, l)) => (t, Some(l)),
            None => (*part, None),
        };
        if len.is_some() && i == 15 {
            return Err("the 16th option may not carry a length".into());
        }
        let t = num(ty, "option type")?;
        match len {
            Some(l) => {
                if t == 0 {
                    return Err("option type 0 (Pad1) has no length".into());
                }
                let l = num(l, "length")?;
                if l == 0xff {
                    out.push(format!("{t}"));
                } else {
                    out.push(format!("{t}:{l}"));
                }
            }
            None => out.push(format!("{t}")),
        }
    }
    Ok(Value::Text(out.join(",")))
}

/// `--X-len` then `--X-opts`, as `hbh`/`dst` print them.
pub fn save_opts(inst: &ExtInstance, len: &str, opts: &str, out: &mut String) {
    if let Some(o) = inst.opt(len) {
        let neg = if o.negated { " !" } else { "" };
        let _ = write!(out, "{neg} --{len} {}", o.value);
    }
    if let Some(o) = inst.opt(opts) {
        let _ = write!(out, " --{opts} {}", o.value);
    }
}

pub static OPTIONS: [OptSpec; 2] = [
    OptSpec::new("hbh-len", ArgType::UInt { min: 0, max: u32::MAX as u64 }, "header length").invert(),
    OptSpec::new("hbh-opts", ArgType::Custom(parse_opts), "options TYPE[:LEN],…"),
];

fn save(inst: &ExtInstance, out: &mut String) {
    save_opts(inst, "hbh-len", "hbh-opts", out);
}

pub static SPEC: ExtSpec = ExtSpec {
    families: Families::V6,
    options: &OPTIONS,
    save: Some(save),
    ..ExtSpec::new("hbh", ExtKind::Match, "IPv6 hop-by-hop options header")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ext::Family;

    #[test]
    fn option_lists() {
        let cx = ArgCx { family: Family::V6, proto: None };
        let p = |s| parse_opts(s, &cx).map(|v| v.to_string());
        assert_eq!(p("1:2,23:42,4:6,42").unwrap(), "1:2,23:42,4:6,42");
        assert_eq!(p("5:255").unwrap(), "5");
        assert!(p("0:1").is_err());
        assert!(p("x").is_err());
    }
}
