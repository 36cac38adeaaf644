//! `icmp`: ICMP type and code (`libipt_icmp.c`, kernel `ip_tables.c`
//! `icmp_checkentry`). IPv4 only; loaded by `-m icmp` or implicitly by
//! `-p icmp`. The type/code parser is shared with `icmp6`.

use std::fmt::Write;

use crate::ext::value::{parse_c_uint, ArgCx, Value};
use crate::ext::{ArgType, ExtInstance, ExtKind, ExtSpec, Families, OptSpec};

/// One entry of a type-name table: name, type, code range.
pub type IcmpName = (&'static str, u8, u8, u8);

/// ICMP type names as iptables knows them (`icmp_codes` in `libxt_icmp.h`).
pub const ICMP_NAMES: &[IcmpName] = &[
    ("any", 0xff, 0, 0xff),
    ("echo-reply", 0, 0, 0xff),
    ("pong", 0, 0, 0xff),
    ("destination-unreachable", 3, 0, 0xff),
    ("network-unreachable", 3, 0, 0),
    ("host-unreachable", 3, 1, 1),
    ("protocol-unreachable", 3, 2, 2),
    ("port-unreachable", 3, 3, 3),
    ("fragmentation-needed", 3, 4, 4),
    ("source-route-failed", 3, 5, 5),
    ("network-unknown", 3, 6, 6),
    ("host-unknown", 3, 7, 7),
    ("network-prohibited", 3, 9, 9),
    ("host-prohibited", 3, 10, 10),
    ("TOS-network-unreachable", 3, 11, 11),
    ("TOS-host-unreachable", 3, 12, 12),
    ("communication-prohibited", 3, 13, 13),
    ("host-precedence-violation", 3, 14, 14),
    ("precedence-cutoff", 3, 15, 15),
    ("source-quench", 4, 0, 0xff),
    ("redirect", 5, 0, 0xff),
    ("network-redirect", 5, 0, 0),
    ("host-redirect", 5, 1, 1),
    ("TOS-network-redirect", 5, 2, 2),
    ("TOS-host-redirect", 5, 3, 3),
    ("echo-request", 8, 0, 0xff),
    ("ping", 8, 0, 0xff),
    ("router-advertisement", 9, 0, 0xff),
    ("router-solicitation", 10, 0, 0xff),
    ("time-exceeded", 11, 0, 0xff),
    ("ttl-exceeded", 11, 0, 0xff),
    ("ttl-zero-during-transit", 11, 0, 0),
    ("ttl-zero-during-reassembly", 11, 1, 1),
    ("parameter-problem", 12, 0, 0xff),
    ("ip-header-bad", 12, 0, 0),
    ("required-option-missing", 12, 1, 1),
    ("timestamp-request", 13, 0, 0xff),
    ("timestamp-reply", 14, 0, 0xff),
    ("address-mask-request", 17, 0, 0xff),
    ("address-mask-reply", 18, 0, 0xff),
];

/// `n` or `n:m`, each 0-255; returns the range and the rest of the word.
fn num_range(s: &str) -> Option<((u8, u8), &str)> {
    let end = s.find([':', '/']).unwrap_or(s.len());
    let a = u8::try_from(parse_c_uint(&s[..end])?).ok()?;
    let rest = &s[end..];
    if let Some(r) = rest.strip_prefix(':') {
        let end = r.find('/').unwrap_or(r.len());
        let b = u8::try_from(parse_c_uint(&r[..end])?).ok()?;
        return Some(((a, b), &r[end..]));
    }
    Some(((a, a), rest))
}

/// Parse `name`, `type` or `type/code[:code]` against a name table the way
/// `__ipt_parse_icmp` does: a name matches by case-insensitive prefix and
/// must be unambiguous; a type range is refused. Returns type and codes.
pub fn parse_type(s: &str, names: &[IcmpName], what: &str) -> Result<(u8, (u8, u8)), String> {
    let lower = s.to_ascii_lowercase();
    let hits: Vec<&IcmpName> = names.iter().filter(|(n, ..)| n.to_ascii_lowercase().starts_with(&lower)).collect();
    match hits.as_slice() {
        [one] => return Ok((one.1, (one.2, one.3))),
        [a, b, ..] => return Err(format!("{what} type `{s}` is ambiguous: `{}` or `{}`?", a.0, b.0)),
        [] => {}
    }
    let unknown = || format!("unknown {what} type `{s}` (a name, a number 0-255, or type/code)");
    let (types, rest) = num_range(s).ok_or_else(unknown)?;
    let codes = if rest.is_empty() {
        (0, 0xff)
    } else if let Some(c) = rest.strip_prefix('/') {
        match num_range(c) {
            Some((codes, "")) => codes,
            _ => return Err(format!("unknown {what} code in `{s}` (0-255 or a:b)")),
        }
    } else {
        return Err(unknown());
    };
    if types.0 != types.1 {
        return Err(format!("{what} type ranges are not supported: `{s}`"));
    }
    Ok((types.0, codes))
}

/// The spelling iptables-save prints: the type number, `/code` (the first
/// code only) unless all codes match.
pub fn canonical(ty: u8, codes: (u8, u8)) -> String {
    if codes == (0, 0xff) {
        ty.to_string()
    } else {
        format!("{ty}/{}", codes.0)
    }
}

fn icmp_type(s: &str, _: &ArgCx) -> Result<Value, String> {
    let (ty, codes) = parse_type(s, ICMP_NAMES, "ICMP")?;
    let any = ty == 0xff;
    let name = if any { "any".to_string() } else { canonical(ty, codes) };
    Ok(Value::Icmp { ty, codes, any, name })
}

pub static OPTIONS: [OptSpec; 1] = [OptSpec::new(
    "icmp-type",
    ArgType::Custom(icmp_type),
    "ICMP type: a name (echo-request, …), a number, or type/code",
)
.invert()
.mand()];

fn save(inst: &ExtInstance, out: &mut String) {
    if let Some(o) = inst.opt("icmp-type") {
        let neg = if o.negated { " !" } else { "" };
        let _ = write!(out, "{neg} --icmp-type {}", o.value);
    }
}

pub static SPEC: ExtSpec = ExtSpec {
    families: Families::V4,
    options: &OPTIONS,
    proto: &["icmp"],
    save: Some(save),
    ..ExtSpec::new("icmp", ExtKind::Match, "ICMP type and code (IPv4)")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];

/// Test helper for the match modules: parse one rule (`-A INPUT …` or
/// a whole `-A CHAIN …` line when it starts with `-A`) in `table`, return
/// the error findings or the saved `-A` lines.
#[cfg(test)]
pub(crate) fn roundtrip(family: crate::Family, table: &str, rule: &str) -> Result<String, Vec<String>> {
    let line = if rule.starts_with("-A ") { rule.to_string() } else { format!("-A INPUT {rule}") };
    let text = format!("*{table}\n{line}\nCOMMIT\n");
    let p = crate::parse(&text, &crate::ParseOptions { family: Some(family), table: None });
    let errs: Vec<String> = p
        .diagnostics
        .iter()
        .filter(|d| d.severity == crate::Severity::Error)
        .map(|d| format!("{}: {}", d.code.code, d.message))
        .collect();
    if !errs.is_empty() {
        return Err(errs);
    }
    Ok(crate::save::save(&p.ruleset).lines().filter(|l| l.starts_with("-A")).collect::<Vec<_>>().join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_numbers() {
        assert_eq!(parse_type("echo-request", ICMP_NAMES, "ICMP"), Ok((8, (0, 255))));
        assert_eq!(parse_type("ECHO-REQ", ICMP_NAMES, "ICMP"), Ok((8, (0, 255))));
        assert!(parse_type("echo-re", ICMP_NAMES, "ICMP").unwrap_err().contains("ambiguous"));
        assert_eq!(parse_type("3/1:2", ICMP_NAMES, "ICMP"), Ok((3, (1, 2))));
        assert_eq!(canonical(3, (1, 2)), "3/1");
        assert!(parse_type("3:4", ICMP_NAMES, "ICMP").is_err());
        assert!(parse_type("3/300", ICMP_NAMES, "ICMP").is_err());
        assert!(parse_type("256", ICMP_NAMES, "ICMP").is_err());
        assert!(parse_type("3x", ICMP_NAMES, "ICMP").is_err());
    }

    #[test]
    fn save_forms() {
        let v4 = crate::Family::V4;
        let rt = |r| roundtrip(v4, "filter", r).unwrap();
        assert_eq!(rt("-p icmp --icmp-type echo-request"), "-A INPUT -p icmp -m icmp --icmp-type 8");
        assert_eq!(rt("-p icmp -m icmp ! --icmp-type 255"), "-A INPUT -p icmp -m icmp ! --icmp-type any");
        assert_eq!(rt("-p icmp --icmp-type port-unreachable"), "-A INPUT -p icmp -m icmp --icmp-type 3/3");
        assert!(roundtrip(v4, "filter", "! -p icmp -m icmp --icmp-type 3").is_err());
        assert!(roundtrip(v4, "filter", "-p icmp -m icmp").is_err());
    }
}
