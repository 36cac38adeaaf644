//! `policy`: the IPsec policy that decapsulated or will encapsulate the
//! packet (`libxt_policy.c`, kernel `xt_policy.c`). Also home of the
//! `address[/mask]` parser (libxtables' `XTTYPE_HOSTMASK`) that `ipvs`
//! and `srh` share.

use std::fmt::Write;
use std::net::{IpAddr, Ipv6Addr};

use crate::codes;
use crate::diagnostic::Diagnostic;
use crate::ext::value::{parse_c_uint, parse_ip, parse_ipv4, ArgCx, Value};
use crate::ext::{ArgType, CheckCx, ExtInstance, ExtKind, ExtSpec, Family, Hook, OptSpec};

/// An address with a mask, the address kept as written (host bits and
/// all, as the kernel gets it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostMask {
    /// The address, or a host name (resolved when the file loads).
    pub host: String,
    pub is_name: bool,
    /// Prefix length.
    pub len: u8,
    pub max: u8,
}

impl HostMask {
    /// `addr` or `addr/len` (`/32`, `/128` dropped), as
    /// `xtables_ipmask_to_numeric` prints.
    pub fn numeric(&self) -> String {
        if self.len == self.max {
            self.host.clone()
        } else {
            format!("{}/{}", self.host, self.len)
        }
    }
}

/// `inet_aton`'s forms: `a`, `a.b`, `a.b.c`, `a.b.c.d`, each part decimal,
/// `0x` hex or `0` octal; the last part fills the remaining bytes.
pub fn inet_aton(s: &str) -> Option<u32> {
    let parts: Vec<&str> = s.split('.').collect();
    if parts.is_empty() || parts.len() > 4 {
        return None;
    }
    let mut nums = Vec::new();
    for p in &parts {
        if p.is_empty() || p.starts_with(['+', '-', ' ']) {
            return None;
        }
        nums.push(parse_c_uint(p)?);
    }
    let (last, head) = nums.split_last()?;
    if head.iter().any(|n| *n > 255) {
        return None;
    }
    let rest_bits = 8 * (4 - head.len() as u32);
    if rest_bits < 64 && *last >= 1u64 << rest_bits {
        return None;
    }
    let mut v: u64 = 0;
    for n in head {
        v = (v << 8) | n;
    }
    Some(((v << rest_bits) | last) as u32)
}

/// libxtables' `XTTYPE_PLEN` (and the mask part of `HOSTMASK`): a prefix
/// length up to 32/128, or else a numeric address read as a mask. A
/// mask that is not contiguous (or a number over the limit, which reads
/// as the address `0.0.0.N`) yields the full length.
pub fn parse_plen(m: &str, family: Family) -> Result<u8, String> {
    let max: u8 = if family == Family::V4 { 32 } else { 128 };
    if let Some(n) = parse_c_uint(m).filter(|_| !m.trim_start().starts_with('-')) {
        if n <= u64::from(max) {
            return Ok(n as u8);
        }
    }
    let bits: Option<(u128, u32)> = match family {
        Family::V4 => inet_aton(m).map(|v| (u128::from(v), 32)),
        Family::V6 => m.parse::<Ipv6Addr>().ok().map(|a| (u128::from(a), 128)),
    };
    let (v, width) = bits.ok_or_else(|| format!("`{m}` is neither a prefix length 0-{max} nor a netmask"))?;
    let shifted = v << (128 - width);
    let ones = shifted.leading_ones();
    if ones >= width || shifted << ones == 0 {
        Ok(ones.min(width) as u8)
    } else {
        Ok(max)
    }
}

fn looks_like_host(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        && s.chars().any(|c| c.is_ascii_alphabetic())
}

/// `host[/mask]`: the mask a prefix length or a dotted (IPv4) / colon
/// (IPv6) mask.
pub fn parse_hostmask(s: &str, family: Family) -> Result<HostMask, String> {
    let (h, m) = match s.split_once('/') {
        Some((h, m)) => (h, Some(m)),
        None => (s, None),
    };
    let max: u8 = if family == Family::V4 { 32 } else { 128 };
    let (host, is_name) = match parse_ip(h, family) {
        Ok(a) => (a.to_string(), false),
        Err(e) => {
            let other = match family {
                Family::V4 => h.parse::<Ipv6Addr>().is_ok(),
                Family::V6 => parse_ipv4(h).is_some(),
            };
            if other || !looks_like_host(h) {
                return Err(e);
            }
            (h.to_string(), true)
        }
    };
    let len = match m {
        None => max,
        Some(m) => parse_plen(m, family)?,
    };
    Ok(HostMask { host, is_name, len, max })
}

fn hostmask_value(s: &str, cx: &ArgCx) -> Result<Value, String> {
    parse_hostmask(s, cx.family).map(|h| Value::Text(h.numeric()))
}

/// Adds an info finding for host names among `names`' values.
pub fn host_names(cx: &mut CheckCx, names: &[&str]) {
    let hits: Vec<(crate::span::Span, String)> = cx
        .inst
        .options
        .iter()
        .filter(|o| names.contains(&o.name.as_str()))
        .filter_map(|o| {
            let t = o.value.to_string();
            let host = t.split('/').next().unwrap_or("").to_string();
            (host.parse::<IpAddr>().is_err() && looks_like_host(&host)).then_some((o.span, host))
        })
        .collect();
    for (span, host) in hits {
        cx.push(Diagnostic::new(
            &codes::HOST_REQUIREMENT,
            span,
            format!("`{host}` is a host name: it must resolve by DNS when the file loads"),
        ));
    }
}

fn word(set: &'static [&'static str]) -> impl Fn(&str) -> Result<Value, String> {
    move |s: &str| {
        if set.contains(&s) {
            Ok(Value::Word(s.to_string()))
        } else {
            Err(format!("`{s}` is not one of {}", set.join(", ")))
        }
    }
}

fn parse_dir(s: &str, _: &ArgCx) -> Result<Value, String> {
    word(&["in", "out"])(s)
}
fn parse_pol(s: &str, _: &ArgCx) -> Result<Value, String> {
    word(&["none", "ipsec"])(s)
}
fn parse_mode(s: &str, _: &ArgCx) -> Result<Value, String> {
    word(&["transport", "tunnel"])(s)
}

/// `ah`, `esp` or `ipcomp`, by name or number; printed by name.
fn parse_proto(s: &str, _: &ArgCx) -> Result<Value, String> {
    let n = match parse_c_uint(s) {
        Some(n) => n,
        None => match s {
            "ah" | "AH" => 51,
            "esp" | "ESP" => 50,
            "ipcomp" | "IPCOMP" => 108,
            _ => return Err(format!("`{s}` is not ah, esp or ipcomp")),
        },
    };
    match n {
        51 => Ok(Value::Word("ah".into())),
        50 => Ok(Value::Word("esp".into())),
        108 => Ok(Value::Word("ipcomp".into())),
        _ => Err(format!("protocol `{s}` is not ah, esp or ipcomp")),
    }
}

pub static OPTIONS: [OptSpec; 10] = [
    OptSpec::new("dir", ArgType::Custom(parse_dir), "in (decapsulation) or out (encapsulation)"),
    OptSpec::new("pol", ArgType::Custom(parse_pol), "ipsec (processed by IPsec) or none"),
    OptSpec::new("strict", ArgType::None, "the elements describe the whole policy, in order"),
    OptSpec::new("reqid", ArgType::UInt { min: 0, max: u32::MAX as u64 }, "reqid of the SA").invert().multi(),
    OptSpec::new("spi", ArgType::UInt { min: 0, max: u32::MAX as u64 }, "SPI of the SA").invert().multi(),
    OptSpec::new("tunnel-src", ArgType::Custom(hostmask_value), "tunnel source address[/mask]").invert().multi(),
    OptSpec::new("tunnel-dst", ArgType::Custom(hostmask_value), "tunnel destination address[/mask]").invert().multi(),
    OptSpec::new("proto", ArgType::Custom(parse_proto), "ah, esp or ipcomp").invert().multi(),
    OptSpec::new("mode", ArgType::Custom(parse_mode), "transport or tunnel").invert().multi(),
    OptSpec::new("next", ArgType::None, "start the next element (with --strict)").multi().also(&["strict"]),
];

const ELEM: [&str; 6] = ["reqid", "spi", "proto", "mode", "tunnel-dst", "tunnel-src"];

fn check(cx: &mut CheckCx) {
    let span = cx.inst.span;
    let err = |cx: &mut CheckCx, span, msg: String| {
        cx.push(Diagnostic::new(&codes::OPTION_CONFLICT, span, msg));
    };
    let dir = cx.opt("dir").map(|o| o.value.to_string());
    let Some(dir) = dir else {
        err(cx, span, "`policy` needs `--dir in` or `--dir out`".into());
        return;
    };
    let none = cx.opt("pol").is_some_and(|o| o.value.to_string() == "none");
    let strict = cx.has("strict");
    let nexts = cx.inst.opts("next").count();
    if none && strict {
        err(cx, span, "`--pol none` cannot be combined with `--strict`".into());
        return;
    }
    if none && nexts > 0 {
        err(cx, span, "`--pol none` cannot have policy elements (`--next`)".into());
        return;
    }
    if nexts >= 4 {
        err(cx, span, "at most 4 policy elements (3 `--next`)".into());
        return;
    }
    // Elements, split at `--next`.
    let mut elems: Vec<Vec<&crate::model::OptValue>> = vec![Vec::new()];
    for o in &cx.inst.options {
        if o.name == "next" {
            elems.push(Vec::new());
        } else if ELEM.contains(&o.name.as_str()) {
            elems.last_mut().expect("one element").push(o);
        }
    }
    let mut problems = Vec::new();
    for (i, e) in elems.iter().enumerate() {
        for name in ELEM {
            let mut it = e.iter().filter(|o| o.name == name);
            it.next();
            if let Some(o) = it.next() {
                problems.push((o.span, format!("`--{name}` given twice in policy element {i}")));
            }
        }
        if strict && e.is_empty() && !none {
            problems.push((
                span,
                format!("policy element {i} is empty: with `--strict` it needs one of --reqid, --spi, --tunnel-src, --tunnel-dst, --proto, --mode"),
            ));
        }
        let mode = e.iter().find(|o| o.name == "mode");
        let tunnel_ok = match mode {
            Some(m) => (m.value.to_string() == "tunnel") != m.negated,
            None => false,
        };
        if let Some(t) = e.iter().find(|o| o.name == "tunnel-src" || o.name == "tunnel-dst") {
            if !tunnel_ok {
                problems
                    .push((t.span, "`--tunnel-src`/`--tunnel-dst` need `--mode tunnel` in the same element".into()));
            }
        }
    }
    if let Some((sp, msg)) = problems.into_iter().next() {
        err(cx, sp, msg);
        return;
    }
    // The kernel checks the hook of a built-in chain (not of user chains).
    if let Some(h) = Hook::from_chain(&cx.rule.chain).filter(|h| cx.rule.hooks.contains(h)) {
        let bad = match dir.as_str() {
            "in" => matches!(h, Hook::Output | Hook::Postrouting),
            _ => matches!(h, Hook::Prerouting | Hook::Input),
        };
        if bad {
            cx.push(Diagnostic::new(
                &codes::WRONG_CHAIN,
                span,
                format!(
                    "`--dir {dir}` is not allowed in {}: `in` works in PREROUTING, INPUT, FORWARD; `out` in FORWARD, OUTPUT, POSTROUTING",
                    h.chain_name()
                ),
            ));
        }
    }
    host_names(cx, &["tunnel-src", "tunnel-dst"]);
}

fn save(inst: &ExtInstance, out: &mut String) {
    if let Some(o) = inst.opt("dir") {
        let _ = write!(out, " --dir {}", o.value);
    }
    let pol = inst.opt("pol").map_or("ipsec".to_string(), |o| o.value.to_string());
    let _ = write!(out, " --pol {pol}");
    if inst.opt("strict").is_some() {
        out.push_str(" --strict");
    }
    // With `--pol none` the kernel keeps no policy elements.
    if pol == "none" {
        return;
    }
    let mut elems: Vec<Vec<&crate::model::OptValue>> = vec![Vec::new()];
    for o in &inst.options {
        if o.name == "next" {
            elems.push(Vec::new());
        } else if ELEM.contains(&o.name.as_str()) {
            elems.last_mut().expect("one element").push(o);
        }
    }
    let n = elems.len();
    for (i, e) in elems.iter().enumerate() {
        for name in ELEM {
            if let Some(o) = e.iter().find(|o| o.name == name) {
                let neg = if o.negated { " !" } else { "" };
                match (name, &o.value) {
                    ("spi", Value::UInt(v)) => {
                        let _ = write!(out, "{neg} --spi {v:#x}");
                    }
                    _ => {
                        let _ = write!(out, "{neg} --{name} {}", o.value);
                    }
                }
            }
        }
        if i + 1 < n {
            out.push_str(" --next");
        }
    }
}

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    check: Some(check),
    save: Some(save),
    ..ExtSpec::new("policy", ExtKind::Match, "IPsec policy used to decapsulate or encapsulate the packet")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{parse, ParseOptions, Severity};

    fn errors(family: Family, text: &str) -> Vec<String> {
        let p = parse(text, &ParseOptions { family: Some(family), table: None });
        p.diagnostics.iter().filter(|d| d.severity == Severity::Error).map(|d| d.code.code.to_string()).collect()
    }

    #[test]
    fn direction_hooks() {
        // The kernel checks the hook of built-in chains only.
        let bad = "*filter\n-A INPUT -m policy --dir out --pol none\nCOMMIT\n";
        assert_eq!(errors(Family::V4, bad), ["E302"]);
        let ok = "*filter\n:U - [0:0]\n-A INPUT -j U\n-A U -m policy --dir out --pol none\nCOMMIT\n";
        assert!(errors(Family::V4, ok).is_empty());
        let fwd = "*filter\n-A FORWARD -m policy --dir out --pol ipsec --strict --mode tunnel --tunnel-dst 10.0.0.1 --next --proto esp\nCOMMIT\n";
        assert!(errors(Family::V4, fwd).is_empty());
        let empty = "*filter\n-A FORWARD -m policy --dir in --pol ipsec --strict\nCOMMIT\n";
        assert_eq!(errors(Family::V4, empty), ["E208"]);
        let transport = "*filter\n-A FORWARD -m policy --dir in --pol ipsec --tunnel-src 1.2.3.4\nCOMMIT\n";
        assert_eq!(errors(Family::V4, transport), ["E208"]);
    }

    #[test]
    fn hostmasks() {
        let n = |s, f| parse_hostmask(s, f).unwrap().numeric();
        assert_eq!(n("10.1.2.3/8", Family::V4), "10.1.2.3/8");
        assert_eq!(n("1.2.3.4/255.255.255.0", Family::V4), "1.2.3.4/24");
        assert_eq!(n("1.2.3.4/32", Family::V4), "1.2.3.4");
        assert_eq!(n("1.2.3.4/255.0.255.0", Family::V4), "1.2.3.4");
        assert_eq!(n("1.2.3.4/0x10", Family::V4), "1.2.3.4/16");
        assert_eq!(n("1.2.3.4/33", Family::V4), "1.2.3.4");
        assert_eq!(n("1.2.3.4/1.2", Family::V4), "1.2.3.4");
        assert_eq!(n("a::/64", Family::V6), "a::/64");
        assert!(parse_hostmask("::/129", Family::V6).is_err());
        assert!(parse_hostmask("1.2.3.4/x", Family::V4).is_err());
        assert!(parse_hostmask("::1", Family::V4).is_err());
    }
}
