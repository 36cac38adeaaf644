//! `osf`: passive OS fingerprinting of TCP SYN packets (`libxt_osf.c`,
//! kernel `xt_osf.c`).

use std::fmt::Write;

use crate::ext::value::{ArgCx, Value};
use crate::ext::{ArgType, ExtInstance, ExtKind, ExtSpec, Families, Hook, OptSpec};

/// The kernel field holds 31 bytes; iptables cuts longer genres.
fn parse_genre(s: &str, _: &ArgCx) -> Result<Value, String> {
    let mut end = s.len().min(31);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    Ok(Value::Str(s[..end].to_string()))
}

pub static OPTIONS: [OptSpec; 3] = [
    OptSpec::new("genre", ArgType::Custom(parse_genre), "OS genre from the fingerprint list").invert().mand(),
    OptSpec::new("ttl", ArgType::UInt { min: 0, max: 2 }, "0 exact TTL, 1 TTL less or equal, 2 no TTL check"),
    OptSpec::new("log", ArgType::UInt { min: 0, max: 2 }, "0 log all matches, 1 the first, 2 known ones"),
];

fn save(inst: &ExtInstance, out: &mut String) {
    if let Some(o) = inst.opt("genre") {
        let neg = if o.negated { " !" } else { "" };
        let _ = write!(out, "{neg} --genre {}", o.value);
    }
    for name in ["ttl", "log"] {
        if let Some(o) = inst.opt(name) {
            let _ = write!(out, " --{name} {}", o.value);
        }
    }
}

pub static SPEC: ExtSpec = ExtSpec {
    families: Families::V4,
    options: &OPTIONS,
    proto: &["tcp"],
    hooks: &[Hook::Prerouting, Hook::Input, Hook::Forward],
    save: Some(save),
    ..ExtSpec::new("osf", ExtKind::Match, "passive OS fingerprint of TCP SYN packets")
};

pub static SPECS: &[&ExtSpec] = &[&SPEC];
