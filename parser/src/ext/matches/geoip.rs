//! `geoip`: source or destination country (xtables-addons
//! `libxt_geoip.c`, kernel `xt_geoip.c`). Loads only where xtables-addons
//! and its country database are installed.

use std::fmt::Write;

use crate::codes;
use crate::diagnostic::Diagnostic;
use crate::ext::value::{ArgCx, Value};
use crate::ext::{ArgType, CheckCx, ExtInstance, ExtKind, ExtSpec, OptSpec, Origin};

/// Comma-separated ISO 3166 codes (two letters or digits), uppercased,
/// duplicates dropped, at most 15.
fn parse_countries(s: &str, _: &ArgCx) -> Result<Value, String> {
    let mut out: Vec<String> = Vec::new();
    for (i, cc) in s.split(',').enumerate() {
        if i >= 15 {
            return Err("at most 15 countries".into());
        }
        if cc.len() != 2 || !cc.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(format!("`{cc}` is not a two-letter country code (ISO 3166)"));
        }
        let up = cc.to_ascii_uppercase();
        if !out.contains(&up) {
            out.push(up);
        }
    }
    Ok(Value::Words(out))
}

pub static OPTIONS: [OptSpec; 2] = [
    OptSpec::new("src-cc", ArgType::Custom(parse_countries), "source country codes CC[,CC…]")
        .aliases(&["source-country"])
        .invert()
        .excl(&["dst-cc"]),
    OptSpec::new("dst-cc", ArgType::Custom(parse_countries), "destination country codes CC[,CC…]")
        .aliases(&["destination-country"])
        .invert()
        .excl(&["src-cc"]),
];

fn check(cx: &mut CheckCx) {
    if cx.inst.options.is_empty() {
        cx.push(Diagnostic::new(&codes::OPTION_CONFLICT, cx.inst.span, "`geoip` needs `--src-cc` or `--dst-cc`"));
        return;
    }
    let hits: Vec<_> = cx.inst.options.iter().map(|o| (o.span, o.value.to_string())).collect();
    for (span, list) in hits {
        cx.push(Diagnostic::new(
            &codes::HOST_REQUIREMENT,
            span,
            format!("the geoip database (/usr/share/xt_geoip) must hold {list} on the host that loads the file"),
        ));
    }
}

fn save(inst: &ExtInstance, out: &mut String) {
    for o in &inst.options {
        let neg = if o.negated { " !" } else { "" };
        let name = if o.name == "src-cc" { "source-country" } else { "destination-country" };
        let _ = write!(out, "{neg} --{name} {}", o.value);
    }
}

pub static SPEC: ExtSpec = ExtSpec {
    options: &OPTIONS,
    origin: Origin::XtablesAddons,
    check: Some(check),
    save: Some(save),
    ..ExtSpec::new("geoip", ExtKind::Match, "source or destination country (xtables-addons)")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];
