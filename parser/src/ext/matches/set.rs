//! `set`: the packet's addresses or ports are in an ipset (`libxt_set.c`
//! revision 4, kernel `xt_set.c`). The set must exist on the host when the
//! rules load; iptlint reports that as a host requirement.

use std::fmt::Write;

use crate::codes;
use crate::diagnostic::Diagnostic;
use crate::ext::value::{parse_c_uint, ArgCx, Value};
use crate::ext::{ArgType, CheckCx, ExtInstance, ExtKind, ExtSpec, OptSpec};

/// `IPSET_MAXNAMELEN - 1`.
const MAX_NAME: usize = 31;
/// `IPSET_DIM_MAX`.
const MAX_DIM: usize = 6;

/// `NAME src|dst[,src|dst]…` (each flag word only has to start with
/// `src` or `dst`). Kept as `NAME flags` in canonical spelling.
fn match_set(name: &str, dirs: &str, _: &ArgCx) -> Result<Value, String> {
    if name.len() > MAX_NAME {
        return Err(format!("set name `{name}` is longer than {MAX_NAME} characters"));
    }
    let parts: Vec<&str> = dirs.split(',').collect();
    if parts.len() > MAX_DIM {
        return Err(format!("at most {MAX_DIM} src/dst flags, `{dirs}` has {}", parts.len()));
    }
    let mut out = Vec::new();
    for p in parts {
        if p.starts_with("src") {
            out.push("src");
        } else if p.starts_with("dst") {
            out.push("dst");
        } else {
            return Err(format!("`{p}` in `{dirs}`: the flags are a comma-separated list of src and dst"));
        }
    }
    Ok(Value::Text(format!("{name} {}", out.join(","))))
}

fn counter(s: &str, _: &ArgCx) -> Result<Value, String> {
    parse_c_uint(s).map(Value::UInt).ok_or_else(|| format!("`{s}` is not a counter value (0-{})", u64::MAX))
}

const PACKETS: [&str; 3] = ["packets-eq", "packets-lt", "packets-gt"];
const BYTES: [&str; 3] = ["bytes-eq", "bytes-lt", "bytes-gt"];

pub static OPTIONS: [OptSpec; 10] = [
    OptSpec::new(
        "match-set",
        ArgType::Custom2(match_set),
        "NAME src|dst[,…]: the packet's addresses/ports (in that order) are in ipset NAME",
    )
    .invert()
    .aliases(&["set"]),
    OptSpec::new("return-nomatch", ArgType::None, "a `nomatch` element of a hash:*net set makes the match succeed")
        .multi(),
    OptSpec::new("update-counters", ArgType::None, "with `!`: do not update the element's counters").invert().multi(),
    OptSpec::new("update-subcounters", ArgType::None, "with `!`: do not update the counters of list:set members")
        .invert()
        .multi(),
    OptSpec::new("packets-eq", ArgType::Custom(counter), "the element's packet counter equals N")
        .invert()
        .excl(&["packets-lt", "packets-gt"]),
    OptSpec::new("packets-lt", ArgType::Custom(counter), "the element's packet counter is below N")
        .excl(&["packets-eq", "packets-gt"]),
    OptSpec::new("packets-gt", ArgType::Custom(counter), "the element's packet counter is above N")
        .excl(&["packets-eq", "packets-lt"]),
    OptSpec::new("bytes-eq", ArgType::Custom(counter), "the element's byte counter equals N")
        .invert()
        .excl(&["bytes-lt", "bytes-gt"]),
    OptSpec::new("bytes-lt", ArgType::Custom(counter), "the element's byte counter is below N")
        .excl(&["bytes-eq", "bytes-gt"]),
    OptSpec::new("bytes-gt", ArgType::Custom(counter), "the element's byte counter is above N")
        .excl(&["bytes-eq", "bytes-lt"]),
];

/// `set_check_v0` (`--match-set` is needed) and the set's existence.
fn check(cx: &mut CheckCx) {
    let Some(o) = cx.opt("match-set") else {
        let d = Diagnostic::new(&codes::OPTION_CONFLICT, cx.inst.span, "`set` needs `--match-set NAME src|dst[,…]`");
        cx.push(d);
        return;
    };
    let text = o.value.to_string();
    let name = text.split(' ').next().unwrap_or("").to_string();
    let d = Diagnostic::new(
        &codes::HOST_REQUIREMENT,
        o.span,
        format!("ipset `{name}` must exist on the host when the rules load"),
    )
    .note(format!(
        "create it first, e.g. `ipset create {name} hash:ip` (or restore a saved `ipset save` file before the rules)"
    ));
    cx.push(d);
}

fn save(inst: &ExtInstance, out: &mut String) {
    if let Some(o) = inst.opt("match-set") {
        let neg = if o.negated { " !" } else { "" };
        let _ = write!(out, "{neg} --match-set {}", o.value);
    }
    if inst.opt("return-nomatch").is_some() {
        out.push_str(" --return-nomatch");
    }
    for flag in ["update-counters", "update-subcounters"] {
        if inst.opts(flag).any(|o| o.negated) {
            let _ = write!(out, " ! --{flag}");
        }
    }
    for name in PACKETS.iter().chain(BYTES.iter()) {
        if let Some(o) = inst.opt(name) {
            let neg = if o.negated { " !" } else { "" };
            let _ = write!(out, "{neg} --{name} {}", o.value);
        }
    }
}

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    check: Some(check),
    save: Some(save),
    ..ExtSpec::new("set", ExtKind::Match, "addresses or ports of the packet are in an ipset")
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
            rt("-m set ! --match-set foo src,dst --return-nomatch ! --update-counters --update-subcounters ! --packets-eq 5 --bytes-gt 10").unwrap(),
            "-A INPUT -m set ! --match-set foo src,dst --return-nomatch ! --update-counters ! --packets-eq 5 --bytes-gt 10"
        );
        assert_eq!(rt("-m set --set foo srcx").unwrap(), "-A INPUT -m set --match-set foo src");
        assert!(rt("-m set --match-set foo src,dst,src,dst,src,dst,src").is_err());
        assert!(rt("-m set --match-set foo src ! --bytes-lt 5").is_err());
        assert!(rt("-m set --match-set foo src --packets-lt 3 --packets-gt 4").is_err());
        assert!(rt("-m set --match-set foo").is_err());
        assert!(rt("-m set").is_err());
        assert!(rt("-m set --match-set foo both").is_err());
    }

    #[test]
    fn set_must_exist_is_info() {
        let text = "*filter\n-A INPUT -m set --match-set blocklist src -j DROP\nCOMMIT\n";
        let p = crate::parse(text, &crate::ParseOptions { family: Some(crate::Family::V4), table: None });
        assert_eq!(p.diagnostics.len(), 1, "{:?}", p.diagnostics);
        assert_eq!(p.diagnostics[0].code.code, "I401");
        assert!(p.diagnostics[0].message.contains("blocklist"));
    }
}
